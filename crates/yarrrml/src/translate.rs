//! YARRRML documents to RML triples.
//!
//! Two passes: the first reads every document's prefixes, sources, targets
//! and mapping names (a mapping may name one in another document), and gives
//! each mapping its triples maps, one per source and subject; the second
//! writes each mapping's RML into the graph of the document it is in.

use crate::value::{self, Argument, ArgumentValue, Call, Prefixes, Text};
use crate::yaml::{self, Node, Value};
use crate::{Document, Error, Position, TranslatedFile, Translation};
use oxrdf::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use std::collections::HashMap;
use std::path::PathBuf;

const RML: &str = "http://w3id.org/rml/";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDF_LANG_STRING: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";
const IDLAB_FN: &str = "https://w3id.org/imec/idlab/function#";
const GREL: &str = "http://users.ugent.be/~bjdmeest/function/grel.ttl#";
const D2RQ: &str = "http://www.wiwiss.fu-berlin.de/suhl/bizer/D2RQ/0.1#";
const SD: &str = "http://www.w3.org/ns/sparql-service-description#";
const CSVW: &str = "http://www.w3.org/ns/csvw#";
const FORMATS: &str = "http://www.w3.org/ns/formats/";
/// The namespace of the triples maps and targets the translation names.
const MAPPING_NS: &str = "http://mapping.example.com/";

/// The key names YARRRML accepts for each thing, the full name first.
const MAPPINGS: &[&str] = &["mappings", "mapping", "m"];
const SOURCES: &[&str] = &["sources", "source"];
const SUBJECTS: &[&str] = &["subjects", "subject", "s"];
const PREDICATE_OBJECTS: &[&str] = &["predicateobjects", "predicateobject", "po"];
const PREDICATES: &[&str] = &["predicates", "predicate", "p"];
const OBJECTS: &[&str] = &["objects", "object", "o"];
const GRAPHS: &[&str] = &["graphs", "graph", "g"];
const CONDITIONS: &[&str] = &["conditions", "condition", "c"];
const TARGETS: &[&str] = &["targets", "target", "t"];
const FUNCTION: &[&str] = &["function", "fn", "f"];
const PARAMETERS: &[&str] = &["parameters", "pms"];
const PARAMETER: &[&str] = &["parameter", "pm"];
const VALUE: &[&str] = &["value", "v"];

/// Translates YARRRML documents into RML, one graph per document.
pub fn translate(documents: &[Document]) -> Result<Translation, Error> {
    let mut roots = Vec::new();
    for document in documents {
        let root = yaml::parse(&document.text).map_err(|e| Error {
            file: document.path.clone(),
            position: Some(e.at),
            message: format!("not valid YAML: {}", e.message),
        })?;
        roots.push(root);
    }
    let mut context = Context::default();
    for (index, root) in roots.iter().enumerate() {
        context.read_declarations(index, &documents[index].path, root)?;
    }
    context.assign_triples_maps(documents)?;
    let mut files = Vec::new();
    for (index, document) in documents.iter().enumerate() {
        let mut writer =
            Writer { context: &context, path: &document.path, out: Out::default(), blank_nodes: &context.blank_nodes };
        for mapping in context.mappings.iter().filter(|m| m.document == index) {
            writer.mapping(mapping)?;
        }
        files.push(TranslatedFile {
            path: document.path.clone(),
            triples: writer.out.triples,
            positions: writer.out.positions,
            base_iri: context.base.clone(),
        });
    }
    let mut prefixes = context.prefixes.declared.clone();
    for (prefix, namespace) in [
        ("rml", RML),
        ("xsd", "http://www.w3.org/2001/XMLSchema#"),
        ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ] {
        if !prefixes.iter().any(|(p, _)| p == prefix) {
            prefixes.push((prefix.to_owned(), namespace.to_owned()));
        }
    }
    Ok(Translation { files, prefixes })
}

/// One mapping of a document, with the triples maps it becomes.
struct MappingEntry<'y> {
    name: String,
    document: usize,
    at: Position,
    body: &'y Node,
    /// One per source and subject: the triples map's IRI, the source and
    /// the subject it reads.
    maps: Vec<(NamedNode, Option<&'y Node>, Option<&'y Node>)>,
}

/// What all documents declare.
#[derive(Default)]
struct Context<'y> {
    prefixes: Prefixes,
    base: Option<String>,
    external: HashMap<String, String>,
    sources: HashMap<String, &'y Node>,
    targets: HashMap<String, &'y Node>,
    mappings: Vec<MappingEntry<'y>>,
    /// Blank node labels, unique across all documents.
    blank_nodes: std::cell::Cell<u64>,
    /// Where each named source or target was declared, by name: its document's path.
    declared_in: HashMap<String, PathBuf>,
}

fn error(path: &std::path::Path, at: Position, message: impl Into<String>) -> Error {
    Error { file: path.to_owned(), position: Some(at), message: message.into() }
}

/// The value of the one key of `names` the mapping has, refusing two of them.
fn get<'y>(path: &std::path::Path, entries: &'y [(Node, Node)], names: &[&str]) -> Result<Option<&'y Node>, Error> {
    let mut found: Option<(&str, &'y Node)> = None;
    for (key, value) in entries {
        let Some(key_text) = key.text() else { continue };
        if names.contains(&key_text) {
            if let Some((first, _)) = found {
                return Err(error(path, key.at, format!("{key_text} and {first} are the same key; give one")));
            }
            found = Some((names.iter().find(|n| **n == key_text).copied().unwrap_or(key_text), value));
        }
    }
    Ok(found.map(|(_, value)| value))
}

/// Refuses keys other than `known` (lists of aliases), naming the allowed ones.
fn only_keys(path: &std::path::Path, entries: &[(Node, Node)], what: &str, known: &[&[&str]]) -> Result<(), Error> {
    for (key, _) in entries {
        let text = key.text().unwrap_or("");
        if !known.iter().any(|names| names.contains(&text)) {
            let names: Vec<&str> = known.iter().map(|names| names[0]).collect();
            return Err(error(path, key.at, format!("{what} has no key {text:?}; its keys: {}", names.join(", "))));
        }
    }
    Ok(())
}

fn text<'y>(path: &std::path::Path, node: &'y Node, what: &str) -> Result<&'y str, Error> {
    node.text().ok_or_else(|| error(path, node.at, format!("{what} must be a text, not {}", node.kind())))
}

fn entries<'y>(path: &std::path::Path, node: &'y Node, what: &str) -> Result<&'y [(Node, Node)], Error> {
    node.entries().ok_or_else(|| error(path, node.at, format!("{what} must be a mapping of keys, not {}", node.kind())))
}

/// A node that may be one thing or a list of them.
fn one_or_many(node: &Node) -> Vec<&Node> {
    match &node.value {
        Value::Sequence(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        _ => vec![node],
    }
}

impl<'y> Context<'y> {
    fn read_declarations(&mut self, document: usize, path: &std::path::Path, root: &'y Node) -> Result<(), Error> {
        let entries = match &root.value {
            Value::Null => return Ok(()),
            Value::Mapping(entries) => entries,
            _ => {
                return Err(error(
                    path,
                    root.at,
                    "a YARRRML document is a mapping of keys (prefixes, sources, mappings …)",
                ))
            }
        };
        only_keys(
            path,
            entries,
            "a YARRRML document",
            &[&["prefixes"], &["base"], MAPPINGS, SOURCES, TARGETS, &["external"], &["authors"]],
        )?;
        if self.prefixes.map.is_empty() {
            for (prefix, namespace) in crate::prefixes::PREDEFINED {
                self.prefixes.map.insert((*prefix).to_owned(), (*namespace).to_owned());
            }
        }
        if let Some(prefixes) = get(path, entries, &["prefixes"])? {
            for (key, value) in self::entries(path, prefixes, "prefixes")? {
                let prefix = text(path, key, "a prefix")?.to_owned();
                let namespace = text(path, value, "a prefix's namespace")?.trim().to_owned();
                if NamedNode::new(&namespace).is_err() {
                    return Err(error(
                        path,
                        value.at,
                        format!("prefix {prefix}: {namespace:?} is not an absolute IRI"),
                    ));
                }
                self.prefixes.map.insert(prefix.clone(), namespace.clone());
                if !self.prefixes.declared.iter().any(|(p, _)| *p == prefix) {
                    self.prefixes.declared.push((prefix, namespace));
                }
            }
        }
        if let Some(base) = get(path, entries, &["base"])? {
            let base_text = text(path, base, "base")?.trim();
            if NamedNode::new(base_text).is_err() {
                return Err(error(path, base.at, format!("base {base_text:?} is not an absolute IRI")));
            }
            // The first document's base holds, as for repeated prefixes.
            self.base.get_or_insert_with(|| base_text.to_owned());
        }
        if let Some(external) = get(path, entries, &["external"])? {
            for (key, value) in self::entries(path, external, "external")? {
                self.external.insert(
                    text(path, key, "an external name")?.to_owned(),
                    text(path, value, "an external value")?.to_owned(),
                );
            }
        }
        for (names, kind) in [(SOURCES, "sources"), (TARGETS, "targets")] {
            let Some(declared) = get(path, entries, names)? else { continue };
            for (key, value) in self::entries(path, declared, kind)? {
                let name = text(path, key, "a name")?.to_owned();
                let table = if kind == "sources" { &mut self.sources } else { &mut self.targets };
                if table.insert(name.clone(), value).is_some() {
                    return Err(error(path, key.at, format!("{kind}: {name:?} is declared twice")));
                }
                self.declared_in.insert(format!("{kind}/{name}"), path.to_owned());
            }
        }
        if let Some(mappings) = get(path, entries, MAPPINGS)? {
            for (key, body) in self::entries(path, mappings, "mappings")? {
                let name = text(path, key, "a mapping's name")?.to_owned();
                if let Some(other) = self.mappings.iter().find(|m| m.name == name) {
                    return Err(error(
                        path,
                        key.at,
                        format!(
                            "mapping {name:?} is also declared at line {}; give each mapping its own name",
                            other.at.line
                        ),
                    ));
                }
                if !matches!(body.value, Value::Mapping(_)) {
                    return Err(error(
                        path,
                        body.at,
                        format!("mapping {name:?} must be a mapping of keys (sources, s, po …), not {}", body.kind()),
                    ));
                }
                self.mappings.push(MappingEntry { name, document, at: key.at, body, maps: Vec::new() });
            }
        }
        Ok(())
    }

    /// Names the triples maps of every mapping: one per source and subject.
    fn assign_triples_maps(&mut self, documents: &[Document]) -> Result<(), Error> {
        for mapping in &mut self.mappings {
            let path = &documents[mapping.document].path;
            let entries = mapping.body.entries().unwrap_or_default();
            // A mapping without sources is a triples map without a logical
            // source, for an engine that is given its data another way.
            let sources: Vec<Option<&Node>> = match get(path, entries, SOURCES)? {
                None => vec![None],
                Some(sources) => {
                    let sources = source_list(sources);
                    if sources.is_empty() {
                        return Err(error(
                            path,
                            sources_at(entries),
                            format!("mapping {:?} has an empty list of sources", mapping.name),
                        ));
                    }
                    sources.into_iter().map(Some).collect()
                }
            };
            let subjects: Vec<Option<&Node>> = match get(path, entries, SUBJECTS)? {
                None => vec![None],
                Some(node) if matches!(node.value, Value::Null) => vec![None],
                Some(node) => one_or_many(node).into_iter().map(Some).collect(),
            };
            let several = sources.len() * subjects.len() > 1;
            let mut count = 0;
            for source in &sources {
                for subject in &subjects {
                    count += 1;
                    let local = if several { format!("{}_{count}", mapping.name) } else { mapping.name.clone() };
                    let iri = NamedNode::new(format!("{MAPPING_NS}{}", iri_safe(&local)))
                        .map_err(|e| error(path, mapping.at, format!("mapping name {:?}: {e}", mapping.name)))?;
                    mapping.maps.push((iri, *source, *subject));
                }
            }
        }
        Ok(())
    }

    fn mapping(&self, name: &str) -> Option<&MappingEntry<'y>> {
        self.mappings.iter().find(|m| m.name == name)
    }
}

fn sources_at(entries: &[(Node, Node)]) -> Position {
    entries.iter().find(|(k, _)| k.text().is_some_and(|t| SOURCES.contains(&t))).map(|(k, _)| k.at).unwrap_or_default()
}

impl Default for Position {
    fn default() -> Self {
        Position { line: 1, column: 1 }
    }
}

/// A mapping's sources: a name, a `[access~formulation, iterator]` list, a
/// description, or a list of any of them.
fn source_list(node: &Node) -> Vec<&Node> {
    match &node.value {
        Value::Sequence(items) => {
            // `sources: [data.json~jsonpath, $.items[*]]` is one source
            // written as a list, not two sources.
            let all_text = items.iter().all(|i| i.text().is_some());
            let is_one = all_text
                && items.len() == 2
                && items[0].text().is_some_and(|t| t.contains('~'))
                && !items[1].text().unwrap_or("").contains('~');
            if is_one {
                vec![node]
            } else {
                items.iter().collect()
            }
        }
        Value::Null => Vec::new(),
        _ => vec![node],
    }
}

fn iri_safe(name: &str) -> String {
    let mut safe = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() || "-._~".contains(c) {
            safe.push(c);
        } else {
            let mut buffer = [0; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                safe.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    safe
}

/// The triples of one document and where their nodes are written.
#[derive(Default)]
struct Out {
    triples: Vec<Triple>,
    positions: HashMap<NamedOrBlankNode, Position>,
}

/// What a `po` entry gives, whichever form it is written in.
struct PredicateObjectParts<'y> {
    predicates: Vec<&'y Node>,
    objects: Vec<&'y Node>,
    graphs: Vec<&'y Node>,
    condition: Option<&'y Node>,
    datatype: Option<&'y Node>,
    language: Option<&'y Node>,
}

/// The role of a term map, which decides its default term type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Subject,
    Predicate,
    Object,
    Graph,
    /// A function input, a join side, a language or datatype map.
    Expression,
}

/// The term type a YARRRML term asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Iri,
    Literal,
    BlankNode,
}

/// A term map before it is written.
struct Term0<'y> {
    at: Position,
    content: Content<'y>,
    kind: Kind,
    datatype: Option<(&'y Node, String)>,
    language: Option<&'y Node>,
    targets: Vec<&'y Node>,
}

enum Content<'y> {
    Text(Text),
    /// A blank node with no value: a new one for each record.
    Fresh,
    Function(FunctionSpec<'y>),
}

struct FunctionSpec<'y> {
    at: Position,
    function: String,
    parameters: Vec<ParameterSpec<'y>>,
}

struct ParameterSpec<'y> {
    at: Position,
    parameter: String,
    value: Term0<'y>,
    /// `s` or `o`, in the conditions of a join: which side the value is read on.
    side: Option<Side>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Child,
    Parent,
}

struct Writer<'c, 'y> {
    context: &'c Context<'y>,
    path: &'c std::path::Path,
    out: Out,
    blank_nodes: &'c std::cell::Cell<u64>,
}

fn rml(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{RML}{local}"))
}

impl<'y> Writer<'_, 'y> {
    fn error(&self, at: Position, message: impl Into<String>) -> Error {
        error(self.path, at, message)
    }

    fn blank(&mut self, at: Position) -> NamedOrBlankNode {
        let n = self.blank_nodes.get();
        self.blank_nodes.set(n + 1);
        let node: NamedOrBlankNode = BlankNode::new_unchecked(format!("y{n}")).into();
        self.out.positions.insert(node.clone(), at);
        node
    }

    fn add(&mut self, subject: &NamedOrBlankNode, predicate: NamedNode, object: impl Into<Term>) {
        self.out.triples.push(Triple::new(subject.clone(), predicate, object.into()));
    }

    fn typed(&mut self, subject: &NamedOrBlankNode, class: NamedNode) {
        self.add(subject, NamedNode::new_unchecked(RDF_TYPE), class);
    }

    fn mapping(&mut self, mapping: &MappingEntry<'y>) -> Result<(), Error> {
        let entries = mapping.body.entries().unwrap_or_default();
        only_keys(
            self.path,
            entries,
            &format!("mapping {:?}", mapping.name),
            &[SOURCES, SUBJECTS, PREDICATE_OBJECTS, GRAPHS, CONDITIONS, TARGETS],
        )?;
        if let Some(targets) = get(self.path, entries, TARGETS)? {
            return Err(self.error(
                targets.at,
                "targets go on a subject, predicate, object or graph (s: {value: …, targets: …}), not on a mapping",
            ));
        }
        let condition = get(self.path, entries, CONDITIONS)?;
        let graphs = get(self.path, entries, GRAPHS)?.map(one_or_many).unwrap_or_default();
        let predicate_objects = get(self.path, entries, PREDICATE_OBJECTS)?;
        for (iri, source, subject) in &mapping.maps {
            let map: NamedOrBlankNode = iri.clone().into();
            self.out.positions.insert(map.clone(), mapping.at);
            self.typed(&map, rml("TriplesMap"));
            if let Some(source) = source {
                self.source(&map, source)?;
            }
            if let Some(base) = &self.context.base {
                self.add(&map, rml("baseIRI"), NamedNode::new_unchecked(base));
            }
            self.subject(&map, *subject, condition, &graphs, mapping.at)?;
            if let Some(pos) = predicate_objects {
                for po in one_or_many(pos) {
                    self.predicate_object(&map, po)?;
                }
            }
        }
        Ok(())
    }

    // ---- sources ----

    fn source(&mut self, map: &NamedOrBlankNode, source: &'y Node) -> Result<(), Error> {
        let (description, at) = match &source.value {
            Value::Scalar(name) => match self.context.sources.get(name.as_str()) {
                Some(declared) => (*declared, source.at),
                None if name.contains('~') => (source, source.at),
                None => {
                    let mut names: Vec<&String> = self.context.sources.keys().collect();
                    names.sort();
                    let known = if names.is_empty() {
                        "none is declared under sources:".to_owned()
                    } else {
                        format!(
                            "the sources declared: {}",
                            names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
                        )
                    };
                    return Err(self.error(
                        source.at,
                        format!("no source is named {name:?} ({known}); a file source is written [file.csv~csv]"),
                    ));
                }
            },
            _ => (source, source.at),
        };
        let logical = self.blank(at);
        match &description.value {
            Value::Scalar(access) => self.file_source(&logical, access, None, None, None, at)?,
            Value::Sequence(items) => {
                let access = items.first().map(|n| text(self.path, n, "a source's access")).transpose()?;
                let Some(access) = access else {
                    return Err(self.error(at, "a source list is [file~formulation, iterator]"));
                };
                let iterator = items.get(1).map(|n| text(self.path, n, "a source's iterator")).transpose()?;
                if items.len() > 2 {
                    return Err(
                        self.error(items[2].at, "a source list is [file~formulation, iterator]: two texts at most")
                    );
                }
                self.file_source(&logical, access, None, iterator, None, at)?;
            }
            Value::Mapping(entries) => self.described_source(&logical, entries, at)?,
            Value::Null => return Err(self.error(at, "the source is empty")),
        }
        if logical_table(&self.out, &logical) {
            self.add(map, rml("logicalTable"), logical);
        } else {
            self.add(map, rml("logicalSource"), logical);
        }
        Ok(())
    }

    /// A file read with a reference formulation (`data.csv~csv`, or the
    /// formulation given apart, or guessed from the file's extension).
    fn file_source(
        &mut self,
        logical: &NamedOrBlankNode,
        access: &str,
        formulation: Option<&str>,
        iterator: Option<&str>,
        delimiter: Option<&str>,
        at: Position,
    ) -> Result<(), Error> {
        let (file, written) = match access.rsplit_once('~') {
            Some((file, formulation)) => (file, Some(formulation)),
            None => (access, None),
        };
        let formulation = match formulation.or(written) {
            Some(formulation) => formulation.to_owned(),
            None => match file.rsplit('.').next().map(str::to_ascii_lowercase).as_deref() {
                Some("csv" | "tsv") => "csv".to_owned(),
                Some("json") => "jsonpath".to_owned(),
                Some("xml") => "xpath".to_owned(),
                _ => {
                    return Err(self.error(
                        at,
                        format!("source {access:?}: say how to read it: {access}~csv, ~jsonpath or ~xpath"),
                    ))
                }
            },
        };
        let formulation_iri = self.reference_formulation(&formulation, at)?;
        self.typed(logical, rml("LogicalSource"));
        match delimiter {
            Some(delimiter) if delimiter != "," => {
                let table = self.blank(at);
                self.add(logical, rml("source"), table.clone());
                self.typed(&table, NamedNode::new_unchecked(format!("{CSVW}Table")));
                self.add(&table, NamedNode::new_unchecked(format!("{CSVW}url")), Literal::new_simple_literal(file));
                let dialect = self.blank(at);
                self.add(&table, NamedNode::new_unchecked(format!("{CSVW}dialect")), dialect.clone());
                self.typed(&dialect, NamedNode::new_unchecked(format!("{CSVW}Dialect")));
                self.add(
                    &dialect,
                    NamedNode::new_unchecked(format!("{CSVW}delimiter")),
                    Literal::new_simple_literal(delimiter),
                );
            }
            _ => self.add(logical, rml("source"), Literal::new_simple_literal(file)),
        }
        self.add(logical, rml("referenceFormulation"), formulation_iri.clone());
        if let Some(iterator) = iterator {
            self.add(logical, rml("iterator"), Literal::new_simple_literal(iterator));
        } else if formulation_iri == rml("JSONPath") {
            // A JSON file without an iterator is one record: the document.
            self.add(logical, rml("iterator"), Literal::new_simple_literal("$"));
        }
        Ok(())
    }

    fn reference_formulation(&self, name: &str, at: Position) -> Result<NamedNode, Error> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "csv" => rml("CSV"),
            "json" | "jsonpath" => rml("JSONPath"),
            "xml" | "xpath" => rml("XPath"),
            other => {
                if let Some(iri) =
                    self.context.prefixes.expand(name).or_else(|| name.starts_with("http").then(|| name.to_owned()))
                {
                    return NamedNode::new(&iri)
                        .map_err(|e| self.error(at, format!("reference formulation {name:?}: {e}")));
                }
                return Err(
                    self.error(at, format!("reference formulation {other:?} is unknown; use csv, jsonpath or xpath"))
                );
            }
        })
    }

    /// `{access, referenceFormulation, iterator, …}`: a file, a database
    /// (`type: mysql` …, or `table:`/`query:` alone for R2RML's logical
    /// table), or a SPARQL endpoint (`type: sparql`).
    fn described_source(
        &mut self,
        logical: &NamedOrBlankNode,
        entries: &'y [(Node, Node)],
        at: Position,
    ) -> Result<(), Error> {
        only_keys(
            self.path,
            entries,
            "a source",
            &[
                &["access"],
                &["referenceFormulation"],
                &["iterator"],
                &["delimiter"],
                &["type"],
                &["credentials"],
                &["queryFormulation"],
                &["query"],
                &["table"],
                &["encoding"],
                &["compression"],
            ],
        )?;
        let field = |name: &str| -> Result<Option<&'y str>, Error> {
            get(self.path, entries, &[name])?.map(|n| text(self.path, n, name)).transpose()
        };
        let access = field("access")?;
        let formulation = field("referenceFormulation")?;
        let iterator = field("iterator")?;
        let kind = field("type")?.map(str::to_ascii_lowercase);
        let query = field("query")?.map(|q| q.split_whitespace().collect::<Vec<_>>().join(" "));
        let table = field("table")?;
        let query_formulation = field("queryFormulation")?;
        match (kind.as_deref(), access) {
            (None, Some(access)) => {
                self.file_source(logical, access, formulation, iterator, field("delimiter")?, at)?;
                for (key, local) in [("encoding", "encoding"), ("compression", "compression")] {
                    if let Some(value) = field(key)? {
                        let iri = match (key, value.to_ascii_lowercase().as_str()) {
                            ("encoding", "utf-8" | "utf8") => rml("UTF-8"),
                            ("encoding", "utf-16" | "utf16") => rml("UTF-16"),
                            ("compression", c @ ("none" | "gzip" | "zip" | "targz" | "tarxz")) => rml(c),
                            _ => return Err(self.error(at, format!("{key} {value:?} is unknown"))),
                        };
                        self.add(logical, rml(local), iri);
                    }
                }
            }
            (None, None) => {
                // R2RML's logical table: a table or query of the default database.
                self.typed(logical, rml("LogicalTable"));
                match (table, &query) {
                    (Some(table), None) => self.add(logical, rml("tableName"), Literal::new_simple_literal(table)),
                    (None, Some(query)) => {
                        self.add(logical, rml("sqlQuery"), Literal::new_simple_literal(query.as_str()))
                    }
                    _ => {
                        return Err(self.error(
                            at,
                            "a source needs access: (a file, database or endpoint), or one of table: and query:",
                        ))
                    }
                }
                self.sql_version(logical, query_formulation, at)?;
            }
            (Some("sparql" | "sd"), Some(access)) => {
                let formulation = formulation.unwrap_or("jsonpath");
                let formulation_iri = self.reference_formulation(formulation, at)?;
                let Some(query) = query else {
                    return Err(self.error(at, "a SPARQL source needs query:"));
                };
                let endpoint =
                    NamedNode::new(access).map_err(|e| self.error(at, format!("endpoint {access:?}: {e}")))?;
                self.typed(logical, rml("LogicalSource"));
                let service = self.blank(at);
                self.add(logical, rml("source"), service.clone());
                self.typed(&service, NamedNode::new_unchecked(format!("{SD}Service")));
                self.add(&service, NamedNode::new_unchecked(format!("{SD}endpoint")), endpoint);
                self.add(
                    &service,
                    NamedNode::new_unchecked(format!("{SD}supportedLanguage")),
                    NamedNode::new_unchecked(format!("{SD}SPARQL11Query")),
                );
                let (result_format, default_iterator) = if formulation_iri == rml("XPath") {
                    ("SPARQL_Results_XML", Some("/sparql/results/result"))
                } else if formulation_iri == rml("CSV") {
                    ("SPARQL_Results_CSV", None)
                } else {
                    ("SPARQL_Results_JSON", Some("$.results.bindings[*]"))
                };
                self.add(
                    &service,
                    NamedNode::new_unchecked(format!("{SD}resultFormat")),
                    NamedNode::new_unchecked(format!("{FORMATS}{result_format}")),
                );
                self.add(logical, rml("referenceFormulation"), formulation_iri);
                if let Some(iterator) = iterator.or(default_iterator) {
                    self.add(logical, rml("iterator"), Literal::new_simple_literal(iterator));
                }
                self.add(logical, rml("query"), Literal::new_simple_literal(query));
            }
            (Some(database), Some(access)) => {
                let Some(driver) = jdbc_driver(database) else {
                    return Err(self.error(
                        at,
                        format!("source type {database:?} is unknown; use mysql, postgresql, sqlite, sqlserver, oracle, db2 or sparql"),
                    ));
                };
                self.typed(logical, rml("LogicalSource"));
                let db = self.blank(at);
                self.add(logical, rml("source"), db.clone());
                let d2rq = |local: &str| NamedNode::new_unchecked(format!("{D2RQ}{local}"));
                self.typed(&db, d2rq("Database"));
                // A SQLite file is named by its path, relative to the mapping's folder.
                let dsn = match database {
                    "sqlite" if !access.starts_with("jdbc:") => format!("jdbc:sqlite:{access}"),
                    _ => access.to_owned(),
                };
                self.add(&db, d2rq("jdbcDSN"), Literal::new_simple_literal(dsn));
                self.add(&db, d2rq("jdbcDriver"), Literal::new_simple_literal(driver));
                if let Some(credentials) = get(self.path, entries, &["credentials"])? {
                    let credentials = self::entries(self.path, credentials, "credentials")?;
                    only_keys(self.path, credentials, "credentials", &[&["username"], &["password"]])?;
                    for key in ["username", "password"] {
                        if let Some(value) = get(self.path, credentials, &[key])? {
                            self.add(&db, d2rq(key), Literal::new_simple_literal(text(self.path, value, key)?));
                        }
                    }
                }
                let formulation = formulation.unwrap_or("csv");
                let formulation_iri = self.reference_formulation(formulation, at)?;
                self.add(logical, rml("referenceFormulation"), formulation_iri);
                match (table, &query) {
                    (Some(table), None) => self.add(logical, rml("tableName"), Literal::new_simple_literal(table)),
                    (None, Some(query)) => self.add(logical, rml("query"), Literal::new_simple_literal(query.as_str())),
                    _ => return Err(self.error(at, "a database source needs one of table: and query:")),
                }
                self.sql_version(logical, query_formulation, at)?;
            }
            (Some(kind), None) => {
                return Err(self.error(at, format!("a source of type {kind} needs access: (where it is)")))
            }
        }
        Ok(())
    }

    fn sql_version(
        &mut self,
        logical: &NamedOrBlankNode,
        formulation: Option<&str>,
        at: Position,
    ) -> Result<(), Error> {
        let Some(formulation) = formulation else { return Ok(()) };
        // The SQL version identifiers of the R2RML wiki.
        let local = match formulation.to_ascii_lowercase().as_str() {
            "sql2008" => "SQL2008",
            "oracle" => "Oracle",
            "mysql" => "MySQL",
            "mssql" | "sqlserver" => "MSSQLServer",
            "hsql" | "hsqldb" => "HSQLDB",
            "postgresql" | "postgres" => "PostgreSQL",
            "db2" => "DB2",
            "informix" => "Informix",
            "ingres" => "Ingres",
            "progress" => "Progress",
            "sybasease" => "SybaseASE",
            "sybasesqlanywhere" => "SybaseSQLAnywhere",
            "virtuoso" => "Virtuoso",
            "firebird" => "Firebird",
            other => {
                return Err(
                    self.error(at, format!("query formulation {other:?} is unknown; use sql2008, mysql, postgresql …"))
                )
            }
        };
        self.add(logical, rml("sqlVersion"), rml(local));
        Ok(())
    }

    // ---- subjects ----

    fn subject(
        &mut self,
        map: &NamedOrBlankNode,
        subject: Option<&'y Node>,
        condition: Option<&'y Node>,
        graphs: &[&'y Node],
        mapping_at: Position,
    ) -> Result<(), Error> {
        let at = subject.map(|s| s.at).unwrap_or(mapping_at);
        // RML-star: `s: {quoted: other}` quotes another mapping's triples.
        if let Some(entries) = subject.and_then(Node::entries) {
            if let Some(quoted) = self.quoted(entries)? {
                let sm = self.blank(at);
                self.add(map, rml("subjectMap"), sm.clone());
                self.star_map(&sm, quoted, entries)?;
                for graph in graphs {
                    let term = self.term(graph, Role::Graph, false)?;
                    let gm = self.blank(graph.at);
                    self.add(&sm, rml("graphMap"), gm.clone());
                    self.write_term(&gm, term, Role::Graph)?;
                }
                return Ok(());
            }
        }
        let mut term = match subject {
            None => Term0 {
                at,
                content: Content::Fresh,
                kind: Kind::BlankNode,
                datatype: None,
                language: None,
                targets: Vec::new(),
            },
            Some(node) => self.term(node, Role::Subject, false)?,
        };
        if let Some(condition) = condition {
            term = self.conditional(term, condition, Role::Subject)?;
        }
        let sm = self.blank(at);
        self.add(map, rml("subjectMap"), sm.clone());
        self.write_term(&sm, term, Role::Subject)?;
        for graph in graphs {
            let term = self.term(graph, Role::Graph, false)?;
            let gm = self.blank(graph.at);
            self.add(&sm, rml("graphMap"), gm.clone());
            self.write_term(&gm, term, Role::Graph)?;
        }
        Ok(())
    }

    /// `quoted:` or `quotedNonAsserted:` with the mapping they name.
    fn quoted(&self, entries: &'y [(Node, Node)]) -> Result<Option<(&'y Node, bool)>, Error> {
        if let Some(node) = get(self.path, entries, &["quoted"])? {
            return Ok(Some((node, true)));
        }
        Ok(get(self.path, entries, &["quotedNonAsserted"])?.map(|node| (node, false)))
    }

    /// A star map quoting another mapping's triples, joined on `condition:`s
    /// as a referencing object map is.
    fn star_map(
        &mut self,
        star: &NamedOrBlankNode,
        (quoted, asserted): (&'y Node, bool),
        entries: &'y [(Node, Node)],
    ) -> Result<(), Error> {
        only_keys(self.path, entries, "a quoted triples map", &[&["quoted"], &["quotedNonAsserted"], CONDITIONS])?;
        for condition in get(self.path, entries, CONDITIONS)?.map(one_or_many).unwrap_or_default() {
            let function = self.function(condition, true)?;
            self.join_condition(star, function)?;
        }
        let name = text(self.path, quoted, "quoted")?;
        let maps = self.mapping_maps(name, quoted.at)?;
        self.typed(star, rml("StarMap"));
        for parent in maps {
            if !asserted {
                self.typed(&parent.clone().into(), rml("NonAssertedTriplesMap"));
            }
            self.add(star, rml("quotedTriplesMap"), parent);
        }
        Ok(())
    }

    fn mapping_maps(&self, name: &str, at: Position) -> Result<Vec<NamedNode>, Error> {
        match self.context.mapping(name) {
            Some(mapping) => Ok(mapping.maps.iter().map(|(iri, _, _)| iri.clone()).collect()),
            None => {
                let mut names: Vec<&str> = self.context.mappings.iter().map(|m| m.name.as_str()).collect();
                names.sort_unstable();
                Err(self.error(at, format!("no mapping is named {name:?}; the mappings: {}", names.join(", "))))
            }
        }
    }

    // ---- predicates and objects ----

    /// A `po` entry's parts, from its list or mapping form.
    fn predicate_object_parts(&self, po: &'y Node) -> Result<PredicateObjectParts<'y>, Error> {
        Ok(match &po.value {
            Value::Sequence(items) => {
                if items.len() < 2 || items.len() > 3 {
                    return Err(self.error(po.at, "a predicate-object list is [predicate, object] or [predicate, object, datatype or language~lang]"));
                }
                let (datatype, language) = match items.get(2) {
                    Some(node) if node.text().is_some_and(|t| t.ends_with("~lang")) => (None, Some(node)),
                    Some(node) => (Some(node), None),
                    None => (None, None),
                };
                PredicateObjectParts {
                    predicates: one_or_many(&items[0]),
                    objects: object_list(&items[1]),
                    graphs: Vec::new(),
                    condition: None,
                    datatype,
                    language,
                }
            }
            Value::Mapping(entries) => {
                only_keys(
                    self.path,
                    entries,
                    "a predicate-object entry",
                    &[
                        PREDICATES,
                        OBJECTS,
                        GRAPHS,
                        CONDITIONS,
                        &["datatype"],
                        &["language"],
                        &["inversepredicates", "inversepredicate", "iv"],
                    ],
                )?;
                if let Some(inverse) = get(self.path, entries, &["inversepredicates", "inversepredicate", "iv"])? {
                    return Err(self.error(
                        inverse.at,
                        "inverse predicates are not supported; write the triple from the other mapping",
                    ));
                }
                let predicates = get(self.path, entries, PREDICATES)?
                    .ok_or_else(|| self.error(po.at, "a predicate-object entry needs p: (its predicates)"))?;
                let objects = get(self.path, entries, OBJECTS)?
                    .ok_or_else(|| self.error(po.at, "a predicate-object entry needs o: (its objects)"))?;
                PredicateObjectParts {
                    predicates: one_or_many(predicates),
                    objects: object_list(objects),
                    graphs: get(self.path, entries, GRAPHS)?.map(one_or_many).unwrap_or_default(),
                    condition: get(self.path, entries, CONDITIONS)?,
                    datatype: get(self.path, entries, &["datatype"])?,
                    language: get(self.path, entries, &["language"])?,
                }
            }
            _ => {
                return Err(self.error(
                    po.at,
                    format!("a predicate-object entry is a list or a mapping of keys, not {}", po.kind()),
                ))
            }
        })
    }

    fn predicate_object(&mut self, map: &NamedOrBlankNode, po: &'y Node) -> Result<(), Error> {
        let PredicateObjectParts { predicates, objects, graphs, condition, datatype, language } =
            self.predicate_object_parts(po)?;
        if predicates.is_empty() {
            return Err(self.error(po.at, "the predicate-object entry has no predicate"));
        }
        if objects.is_empty() {
            return Err(self.error(po.at, "the predicate-object entry has no object"));
        }
        let pom = self.blank(po.at);
        self.add(map, rml("predicateObjectMap"), pom.clone());
        let mut types_objects = false;
        for predicate in &predicates {
            let term = self.term(predicate, Role::Predicate, false)?;
            if let Content::Text(Text::Constant(iri)) = &term.content {
                types_objects |= iri == RDF_TYPE;
            }
            let pm = self.blank(predicate.at);
            self.add(&pom, rml("predicateMap"), pm.clone());
            self.write_term(&pm, term, Role::Predicate)?;
        }
        for object in objects {
            self.object(&pom, object, types_objects, condition, datatype, language)?;
        }
        for graph in graphs {
            let term = self.term(graph, Role::Graph, false)?;
            let gm = self.blank(graph.at);
            self.add(&pom, rml("graphMap"), gm.clone());
            self.write_term(&gm, term, Role::Graph)?;
        }
        Ok(())
    }

    fn object(
        &mut self,
        pom: &NamedOrBlankNode,
        object: &'y Node,
        types_objects: bool,
        condition: Option<&'y Node>,
        datatype: Option<&'y Node>,
        language: Option<&'y Node>,
    ) -> Result<(), Error> {
        if let Some(entries) = object.entries() {
            if let Some(mapping) = get(self.path, entries, &["mapping"])? {
                return self.referencing_objects(pom, object, entries, mapping);
            }
            if let Some(quoted) = self.quoted(entries)? {
                let om = self.blank(object.at);
                self.add(pom, rml("objectMap"), om.clone());
                return self.star_map(&om, quoted, entries);
            }
            if let Some(function) = get(self.path, entries, FUNCTION)? {
                if let Some(call) = function
                    .text()
                    .filter(|t| value::is_call(t))
                    .map(value::parse_call)
                    .transpose()
                    .map_err(|e| self.error(function.at, e))?
                {
                    if matches!(call.function.as_str(), "join") {
                        return self.join_shortcut(pom, function.at, &call);
                    }
                }
            }
        }
        let mut term = self.term(object, Role::Object, types_objects)?;
        if term.datatype.is_none() && term.language.is_none() {
            if let Some(datatype) = datatype {
                term.datatype = Some((datatype, text(self.path, datatype, "datatype")?.to_owned()));
            }
            term.language = term.language.or(language);
        }
        if let Some(condition) =
            condition.or(object.entries().map(|e| get(self.path, e, CONDITIONS)).transpose()?.flatten())
        {
            term = self.conditional(term, condition, Role::Object)?;
        }
        let om = self.blank(object.at);
        self.add(pom, rml("objectMap"), om.clone());
        self.write_term(&om, term, Role::Object)
    }

    /// `o: {mapping: other, condition: {function: equal, parameters: …}}`:
    /// the subjects of another mapping, joined.
    fn referencing_objects(
        &mut self,
        pom: &NamedOrBlankNode,
        object: &'y Node,
        entries: &'y [(Node, Node)],
        mapping: &'y Node,
    ) -> Result<(), Error> {
        only_keys(self.path, entries, "a referencing object", &[&["mapping"], CONDITIONS, TARGETS])?;
        let conditions = get(self.path, entries, CONDITIONS)?.map(one_or_many).unwrap_or_default();
        let targets = get(self.path, entries, TARGETS)?.map(one_or_many).unwrap_or_default();
        for name_node in one_or_many(mapping) {
            let name = text(self.path, name_node, "mapping")?;
            for parent in self.mapping_maps(name, name_node.at)? {
                let om = self.blank(object.at);
                self.add(pom, rml("objectMap"), om.clone());
                self.add(&om, rml("parentTriplesMap"), parent);
                for condition in &conditions {
                    let function = self.function(condition, true)?;
                    self.join_condition(&om, function)?;
                }
                for target in &targets {
                    let target = self.target(target)?;
                    self.add(&om, rml("logicalTarget"), target);
                }
            }
        }
        Ok(())
    }

    /// `function: join(other, equal($(a), $(b)), …)`, or `join(quoted=other, …)`.
    fn join_shortcut(&mut self, pom: &NamedOrBlankNode, at: Position, call: &Call) -> Result<(), Error> {
        let Some(first) = call.arguments.first() else {
            return Err(self.error(at, "join( … ) needs the mapping to join with first"));
        };
        let ArgumentValue::Text(name) = &first.value else {
            return Err(self.error(at, "join( … ): its first argument names a mapping"));
        };
        let om = self.blank(at);
        self.add(pom, rml("objectMap"), om.clone());
        match first.parameter.as_deref() {
            None => {
                for parent in self.mapping_maps(name, at)? {
                    self.add(&om, rml("parentTriplesMap"), parent);
                }
            }
            Some(kind @ ("quoted" | "quotedNonAsserted")) => {
                self.typed(&om, rml("StarMap"));
                for parent in self.mapping_maps(name, at)? {
                    if kind == "quotedNonAsserted" {
                        self.typed(&parent.clone().into(), rml("NonAssertedTriplesMap"));
                    }
                    self.add(&om, rml("quotedTriplesMap"), parent);
                }
            }
            Some(other) => return Err(self.error(at, format!("join( … ): {other}= is unknown; write join(mapping, …), join(quoted=mapping, …) or join(quotedNonAsserted=mapping, …)"))),
        }
        for argument in &call.arguments[1..] {
            let ArgumentValue::Call(condition) = &argument.value else {
                return Err(
                    self.error(at, "join( … ): after the mapping come conditions, such as equal($(child), $(parent))")
                );
            };
            let function = self.call(condition, at, true)?;
            self.join_condition(&om, function)?;
        }
        Ok(())
    }

    /// A join condition from `equal(…)`: the first (or `s`) side is read on
    /// this mapping's records, the second (or `o`) on the parent's.
    fn join_condition(&mut self, om: &NamedOrBlankNode, function: FunctionSpec<'y>) -> Result<(), Error> {
        if function.function != format!("{IDLAB_FN}equal") {
            return Err(
                self.error(function.at, format!("a join condition is equal(child, parent), not {}", function.function))
            );
        }
        if function.parameters.len() != 2 {
            return Err(self.error(function.at, "a join condition's equal takes two values: one of each mapping"));
        }
        let jc = self.blank(function.at);
        self.add(om, rml("joinCondition"), jc.clone());
        let mut sides = [false, false];
        for (index, parameter) in function.parameters.into_iter().enumerate() {
            let side = parameter.side.unwrap_or(if index == 0 { Side::Child } else { Side::Parent });
            let (plain, full) = match side {
                Side::Child => ("child", "childMap"),
                Side::Parent => ("parent", "parentMap"),
            };
            if std::mem::replace(&mut sides[side as usize], true) {
                return Err(self.error(
                    parameter.at,
                    format!("both values of the join condition are on the {plain} side; give one s and one o"),
                ));
            }
            match parameter.value.content {
                Content::Text(Text::Reference(reference)) => {
                    self.add(&jc, rml(plain), Literal::new_simple_literal(reference))
                }
                _ => {
                    let side_map = self.blank(parameter.at);
                    self.add(&jc, rml(full), side_map.clone());
                    self.write_term(&side_map, parameter.value, Role::Expression)?;
                }
            }
        }
        Ok(())
    }

    /// A term wrapped so that it is made only where `condition` is true
    /// (idlab-fn:trueCondition, as YARRRML processors translate conditions).
    fn conditional(&mut self, term: Term0<'y>, condition: &'y Node, _role: Role) -> Result<Term0<'y>, Error> {
        let conditions = one_or_many(condition);
        let mut term = term;
        for condition in conditions {
            let function = self.function(condition, false)?;
            let at = function.at;
            let kind = term.kind;
            let datatype = term.datatype.take();
            let language = term.language.take();
            let targets = std::mem::take(&mut term.targets);
            // The value is the function's input, of the term's own type.
            let inner = Term0 { kind, ..term };
            let wrapped = FunctionSpec {
                at,
                function: format!("{IDLAB_FN}trueCondition"),
                parameters: vec![
                    ParameterSpec {
                        at,
                        parameter: format!("{IDLAB_FN}strBoolean"),
                        value: Term0 {
                            at,
                            content: Content::Function(function),
                            kind: Kind::Literal,
                            datatype: None,
                            language: None,
                            targets: Vec::new(),
                        },
                        side: None,
                    },
                    ParameterSpec { at, parameter: format!("{IDLAB_FN}str"), value: inner, side: None },
                ],
            };
            term = Term0 { at, content: Content::Function(wrapped), kind, datatype, language, targets };
        }
        Ok(term)
    }

    /// Reads a term: a text (`$(ref)`, `prefix:name`, with `~iri`), a list
    /// `[value, datatype or language~lang]`, or `{value, type, datatype,
    /// language, function, parameters, targets}`.
    fn term(&mut self, node: &'y Node, role: Role, types_objects: bool) -> Result<Term0<'y>, Error> {
        let default_kind = match role {
            Role::Subject | Role::Predicate | Role::Graph => Kind::Iri,
            Role::Object if types_objects => Kind::Iri,
            Role::Object | Role::Expression => Kind::Literal,
        };
        match &node.value {
            Value::Scalar(raw) => self.text_term(node.at, raw, role, default_kind),
            Value::Sequence(items) if role == Role::Object => {
                let [value, annotation] = items.as_slice() else {
                    return Err(self.error(node.at, "an object list is [value, datatype or language~lang]"));
                };
                let mut term = self.term(value, role, types_objects)?;
                match annotation.text() {
                    Some(t) if t.ends_with("~lang") => term.language = Some(annotation),
                    Some(t) => term.datatype = Some((annotation, t.to_owned())),
                    None => return Err(self.error(annotation.at, "a datatype or language must be a text")),
                }
                Ok(term)
            }
            Value::Mapping(entries) => self.described_term(node, entries, role, default_kind),
            Value::Null if role == Role::Subject => Ok(Term0 {
                at: node.at,
                content: Content::Fresh,
                kind: Kind::BlankNode,
                datatype: None,
                language: None,
                targets: Vec::new(),
            }),
            _ => Err(self.error(
                node.at,
                format!("a {} must be a text or a mapping of keys, not {}", role_name(role), node.kind()),
            )),
        }
    }

    fn text_term(&mut self, at: Position, raw: &str, role: Role, default_kind: Kind) -> Result<Term0<'y>, Error> {
        let (raw, kind) = match raw.strip_suffix("~iri") {
            Some(iri) => (iri, Kind::Iri),
            None => (raw, default_kind),
        };
        let raw = if role == Role::Predicate && raw == "a" { RDF_TYPE } else { raw };
        let text = self.text_value(at, raw, kind == Kind::Iri)?;
        Ok(Term0 { at, content: Content::Text(text), kind, datatype: None, language: None, targets: Vec::new() })
    }

    /// A value with its known prefix expanded (`\:` keeps a colon from
    /// reading as one), checked to be an IRI when it must be.
    fn text_value(&self, at: Position, raw: &str, iri: bool) -> Result<Text, Error> {
        let prefixes = Some(&self.context.prefixes);
        let text = value::parse(raw, prefixes, &self.context.external).map_err(|e| self.error(at, e))?;
        if iri {
            // yarrrml-parser reports such a name too: a typo in a prefix
            // would otherwise make IRIs of a scheme nobody meant.
            if let (Text::Constant(_), Some(prefix)) = (&text, self.context.prefixes.unknown_prefix(raw)) {
                return Err(self.error(at, format!("prefix {prefix:?} of {raw:?} is not declared under prefixes:")));
            }
            if let Text::Constant(constant) = &text {
                if NamedNode::new(constant).is_err() {
                    let hint = match self.context.prefixes.unknown_prefix(raw) {
                        Some(prefix) => format!("; prefix {prefix:?} is not declared under prefixes:"),
                        None => String::new(),
                    };
                    return Err(self.error(at, format!("{raw:?} is not an absolute IRI{hint}")));
                }
            }
            if let Text::Template(_) = &text {
                if let Some(prefix) = self.context.prefixes.unknown_prefix(raw) {
                    if !raw.starts_with("$(") {
                        return Err(
                            self.error(at, format!("prefix {prefix:?} of {raw:?} is not declared under prefixes:"))
                        );
                    }
                }
            }
        }
        Ok(text)
    }

    fn described_term(
        &mut self,
        node: &'y Node,
        entries: &'y [(Node, Node)],
        role: Role,
        default_kind: Kind,
    ) -> Result<Term0<'y>, Error> {
        only_keys(
            self.path,
            entries,
            &format!("a {}", role_name(role)),
            &[VALUE, &["type"], &["datatype"], &["language"], FUNCTION, PARAMETERS, TARGETS, CONDITIONS],
        )?;
        let kind = match get(self.path, entries, &["type"])? {
            None => default_kind,
            Some(kind) => match text(self.path, kind, "type")? {
                "iri" => Kind::Iri,
                "literal" if matches!(role, Role::Object | Role::Expression) => Kind::Literal,
                "blank" if matches!(role, Role::Subject | Role::Object | Role::Expression) => Kind::BlankNode,
                other => {
                    return Err(self.error(
                        kind.at,
                        format!(
                            "a {} cannot be of type {other:?}; use {}",
                            role_name(role),
                            match role {
                                Role::Subject => "iri or blank",
                                Role::Predicate | Role::Graph => "iri",
                                _ => "iri, literal or blank",
                            }
                        ),
                    ))
                }
            },
        };
        let mut term = if get(self.path, entries, FUNCTION)?.is_some() {
            let function = self.function(node, role == Role::Expression)?;
            Term0 {
                at: node.at,
                content: Content::Function(function),
                kind,
                datatype: None,
                language: None,
                targets: Vec::new(),
            }
        } else {
            match get(self.path, entries, VALUE)? {
                Some(value) => {
                    let raw = match &value.value {
                        Value::Scalar(raw) => raw.as_str(),
                        _ => return Err(self.error(value.at, format!("value must be a text, not {}", value.kind()))),
                    };
                    let mut term = self.text_term(value.at, raw, role, kind)?;
                    if kind != Kind::Iri && term.kind == Kind::Iri && raw.ends_with("~iri") {
                        term.kind = Kind::Iri;
                    } else {
                        term.kind = kind;
                    }
                    if kind == Kind::Iri && !raw.ends_with("~iri") {
                        term.content = Content::Text(self.text_value(value.at, raw, true)?);
                    }
                    term.at = node.at;
                    term
                }
                None if kind == Kind::BlankNode => Term0 {
                    at: node.at,
                    content: Content::Fresh,
                    kind,
                    datatype: None,
                    language: None,
                    targets: Vec::new(),
                },
                None => {
                    return Err(self.error(node.at, format!("the {} has no value: (or function:)", role_name(role))))
                }
            }
        };
        if let Some(datatype) = get(self.path, entries, &["datatype"])? {
            term.datatype = Some((datatype, text(self.path, datatype, "datatype")?.to_owned()));
        }
        term.language = get(self.path, entries, &["language"])?;
        if let Some(targets) = get(self.path, entries, TARGETS)? {
            term.targets = one_or_many(targets);
        }
        Ok(term)
    }

    /// `{function: f, parameters: [...]}`, `{function: "f(p = v)"}`, or the
    /// text `f(…)` itself.
    fn function(&mut self, node: &'y Node, in_join: bool) -> Result<FunctionSpec<'y>, Error> {
        if let Some(raw) = node.text() {
            let call = value::parse_call(raw).map_err(|e| self.error(node.at, e))?;
            return self.call(&call, node.at, in_join);
        }
        let entries = entries(self.path, node, "a function")?;
        let Some(function) = get(self.path, entries, FUNCTION)? else {
            return Err(self.error(node.at, "a condition or function needs function:"));
        };
        let name = text(self.path, function, "function")?;
        if value::is_call(name) {
            let call = value::parse_call(name).map_err(|e| self.error(function.at, e))?;
            if get(self.path, entries, PARAMETERS)?.is_some() {
                return Err(
                    self.error(function.at, "give the parameters in the call f(p = v) or under parameters:, not both")
                );
            }
            return self.call(&call, function.at, in_join);
        }
        let (iri, equal) = self.function_iri(name, function.at)?;
        let mut parameters = Vec::new();
        if let Some(list) = get(self.path, entries, PARAMETERS)? {
            for (index, parameter) in one_or_many(list).into_iter().enumerate() {
                parameters.push(self.parameter(parameter, index, equal, in_join)?);
            }
        }
        Ok(FunctionSpec { at: node.at, function: iri, parameters })
    }

    /// A function's IRI, and whether it is YARRRML's `equal` (whose
    /// parameters `str1` and `str2` are GREL's value parameters).
    fn function_iri(&self, name: &str, at: Position) -> Result<(String, bool), Error> {
        match name {
            "equal" => return Ok((format!("{IDLAB_FN}equal"), true)),
            "notEqual" => return Ok((format!("{IDLAB_FN}notEqual"), true)),
            _ => {}
        }
        let text = self.text_value(at, name, true)?;
        match text {
            Text::Constant(iri) => {
                Ok((iri.clone(), iri == format!("{IDLAB_FN}equal") || iri == format!("{IDLAB_FN}notEqual")))
            }
            _ => Err(self.error(at, format!("function {name:?} must be an IRI (prefix:name), not a template"))),
        }
    }

    fn parameter_iri(
        &self,
        name: &str,
        function_prefix: Option<&str>,
        equal: bool,
        at: Position,
    ) -> Result<String, Error> {
        match name {
            "str1" if equal => return Ok(format!("{GREL}valueParameter")),
            "str2" if equal => return Ok(format!("{GREL}valueParameter2")),
            _ => {}
        }
        // In the call shortcut, a parameter without a prefix takes the function's.
        let name = match (name.contains(':'), function_prefix) {
            (false, Some(prefix)) => format!("{prefix}:{name}"),
            _ => name.to_owned(),
        };
        match self.text_value(at, &name, true)? {
            Text::Constant(iri) => Ok(iri),
            _ => Err(self.error(at, format!("parameter {name:?} must be an IRI (prefix:name)"))),
        }
    }

    /// `[parameter, value]`, `[parameter, value, s|o]`, or `{parameter, value, from}`.
    fn parameter(
        &mut self,
        node: &'y Node,
        index: usize,
        equal: bool,
        in_join: bool,
    ) -> Result<ParameterSpec<'y>, Error> {
        let (name_node, value_node, from): (&'y Node, &'y Node, Option<&'y Node>) = match &node.value {
            Value::Sequence(items) if (2..=3).contains(&items.len()) => (&items[0], &items[1], items.get(2)),
            Value::Mapping(entries) => {
                only_keys(self.path, entries, "a parameter", &[PARAMETER, VALUE, &["from"], &["type"]])?;
                let name = get(self.path, entries, PARAMETER)?
                    .ok_or_else(|| self.error(node.at, "a parameter needs parameter: (its IRI)"))?;
                let value =
                    get(self.path, entries, VALUE)?.ok_or_else(|| self.error(node.at, "a parameter needs value:"))?;
                (name, value, get(self.path, entries, &["from"])?)
            }
            _ => return Err(self.error(node.at, "a parameter is [parameter, value] or {parameter: …, value: …}")),
        };
        let name = text(self.path, name_node, "a parameter")?;
        let parameter = self.parameter_iri(name, None, equal, name_node.at)?;
        let side = match from.map(|f| text(self.path, f, "from")).transpose()? {
            None if in_join && equal => Some(if name == "str2" || index == 1 { Side::Parent } else { Side::Child }),
            None => None,
            Some("s" | "subject") => Some(Side::Child),
            Some("o" | "object") => Some(Side::Parent),
            Some(other) => {
                return Err(self
                    .error(node.at, format!("from must be s (this mapping) or o (the joined mapping), not {other:?}")))
            }
        };
        let value = match &value_node.value {
            Value::Mapping(_) => {
                let function = self.function(value_node, in_join)?;
                Term0 {
                    at: value_node.at,
                    content: Content::Function(function),
                    kind: Kind::Literal,
                    datatype: None,
                    language: None,
                    targets: Vec::new(),
                }
            }
            Value::Scalar(raw) if value::is_call(raw) && !raw.starts_with("$(") && !raw.starts_with('"') => {
                let call = value::parse_call(raw).map_err(|e| self.error(value_node.at, e))?;
                let function = self.call(&call, value_node.at, in_join)?;
                Term0 {
                    at: value_node.at,
                    content: Content::Function(function),
                    kind: Kind::Literal,
                    datatype: None,
                    language: None,
                    targets: Vec::new(),
                }
            }
            Value::Scalar(raw) => self.text_term(value_node.at, raw, Role::Expression, Kind::Literal)?,
            _ => {
                return Err(self.error(
                    value_node.at,
                    format!("a parameter's value must be a text or a function, not {}", value_node.kind()),
                ))
            }
        };
        Ok(ParameterSpec { at: node.at, parameter, value, side })
    }

    /// A function written as a call: `prefix:f(param = value, …)`.
    fn call(&mut self, call: &Call, at: Position, in_join: bool) -> Result<FunctionSpec<'y>, Error> {
        let (function, equal) = self.function_iri(&call.function, at)?;
        let prefix = call.function.split_once(':').map(|(p, _)| p);
        let mut parameters = Vec::new();
        for (index, Argument { parameter, value }) in call.arguments.iter().enumerate() {
            let parameter = match (parameter, equal) {
                (Some(name), _) => self.parameter_iri(name, prefix, equal, at)?,
                (None, true) if index < 2 => format!("{GREL}valueParameter{}", if index == 0 { "" } else { "2" }),
                (None, _) => {
                    return Err(self.error(
                        at,
                        format!("argument {} of {}( … ) needs its parameter: name = value", index + 1, call.function),
                    ))
                }
            };
            let value = match value {
                ArgumentValue::Call(inner) => {
                    let function = self.call(inner, at, in_join)?;
                    Term0 {
                        at,
                        content: Content::Function(function),
                        kind: Kind::Literal,
                        datatype: None,
                        language: None,
                        targets: Vec::new(),
                    }
                }
                ArgumentValue::Text(raw) => self.text_term(at, raw, Role::Expression, Kind::Literal)?,
            };
            let side = (in_join && equal).then_some(if index == 0 { Side::Child } else { Side::Parent });
            parameters.push(ParameterSpec { at, parameter, value, side });
        }
        Ok(FunctionSpec { at, function, parameters })
    }

    // ---- writing term maps ----

    fn write_term(&mut self, map: &NamedOrBlankNode, term: Term0<'y>, role: Role) -> Result<(), Error> {
        let Term0 { at, content, kind, datatype, language, targets } = term;
        let fresh = matches!(content, Content::Fresh);
        self.out.positions.insert(map.clone(), at);
        // RML's default term type for what the map holds.
        let default = match (&content, role) {
            (Content::Fresh, _) => Kind::BlankNode,
            (_, Role::Object | Role::Expression)
                if matches!(content, Content::Text(Text::Reference(_)) | Content::Function(_))
                    || datatype.is_some()
                    || language.is_some() =>
            {
                Kind::Literal
            }
            (Content::Text(Text::Constant(_)), _) => kind,
            // Templates make IRIs unless told otherwise, in any map.
            _ => Kind::Iri,
        };
        match content {
            Content::Fresh => {}
            Content::Text(Text::Constant(constant)) => {
                let term: Term = match kind {
                    Kind::Iri => NamedNode::new(&constant)
                        .map_err(|e| self.error(at, format!("{constant:?} is not an IRI: {e}")))?
                        .into(),
                    Kind::Literal => Literal::new_simple_literal(constant).into(),
                    Kind::BlankNode => {
                        // A constant blank node: the same one on every record.
                        self.add(map, rml("template"), Literal::new_simple_literal(constant));
                        self.add(map, rml("termType"), rml("BlankNode"));
                        return self.annotations(map, datatype, language, targets, role);
                    }
                };
                self.add(map, rml("constant"), term);
            }
            Content::Text(Text::Reference(reference)) => {
                self.add(map, rml("reference"), Literal::new_simple_literal(reference))
            }
            Content::Text(Text::Template(template)) => {
                self.add(map, rml("template"), Literal::new_simple_literal(template))
            }
            Content::Function(function) => {
                let execution = self.execution(function)?;
                self.add(map, rml("functionExecution"), execution);
            }
        }
        // A map with no value must say it makes blank nodes.
        if kind != default || fresh {
            let local = match kind {
                Kind::Iri => "IRI",
                Kind::Literal => "Literal",
                Kind::BlankNode => "BlankNode",
            };
            self.add(map, rml("termType"), rml(local));
        }
        self.annotations(map, datatype, language, targets, role)
    }

    fn annotations(
        &mut self,
        map: &NamedOrBlankNode,
        datatype: Option<(&'y Node, String)>,
        language: Option<&'y Node>,
        targets: Vec<&'y Node>,
        role: Role,
    ) -> Result<(), Error> {
        let language_given = language.is_some();
        if let Some((node, raw)) = datatype {
            let text = self.text_value(node.at, &raw, true)?;
            let is_lang_string = matches!(&text, Text::Constant(iri) if iri == RDF_LANG_STRING);
            // rdf:langString is what a language tag makes already.
            if !(is_lang_string && language_given) {
                if !matches!(role, Role::Object | Role::Expression) {
                    return Err(self
                        .error(node.at, format!("a datatype only applies to objects, not to a {}", role_name(role))));
                }
                self.annotation(map, "datatype", "datatypeMap", text, node.at)?;
            }
        }
        if let Some(language) = language {
            let (raw, language_targets) = match &language.value {
                Value::Scalar(raw) => (raw.as_str(), Vec::new()),
                Value::Mapping(entries) => {
                    only_keys(self.path, entries, "a language", &[VALUE, TARGETS])?;
                    let value = get(self.path, entries, VALUE)?
                        .ok_or_else(|| self.error(language.at, "a language needs value:"))?;
                    (
                        text(self.path, value, "language")?,
                        get(self.path, entries, TARGETS)?.map(one_or_many).unwrap_or_default(),
                    )
                }
                _ => return Err(self.error(language.at, "a language is a text (en, $(lang)) or {value, targets}")),
            };
            let raw = raw.strip_suffix("~lang").unwrap_or(raw);
            let text = value::parse(raw, None, &self.context.external).map_err(|e| self.error(language.at, e))?;
            if let Text::Constant(tag) = &text {
                if oxilangtag_like(tag).is_err() {
                    return Err(
                        self.error(language.at, format!("{tag:?} is not a language tag (BCP 47, such as en or nl-BE)"))
                    );
                }
            }
            // A language with targets of its own is a language map.
            let language_map = match text {
                Text::Constant(tag) if !language_targets.is_empty() => {
                    let node = self.blank(language.at);
                    self.add(map, rml("languageMap"), node.clone());
                    self.add(&node, rml("constant"), Literal::new_simple_literal(tag));
                    Some(node)
                }
                text => self.annotation(map, "language", "languageMap", text, language.at)?,
            };
            for target in language_targets {
                let target = self.target(target)?;
                match &language_map {
                    Some(language_map) => self.add(language_map, rml("logicalTarget"), target),
                    None => self.add(map, rml("logicalTarget"), target),
                }
            }
        }
        for target in targets {
            let target = self.target(target)?;
            self.add(map, rml("logicalTarget"), target);
        }
        Ok(())
    }

    /// A datatype or language: a constant, or a map (`$(ref)`, template).
    fn annotation(
        &mut self,
        map: &NamedOrBlankNode,
        constant: &str,
        full: &str,
        text: Text,
        at: Position,
    ) -> Result<Option<NamedOrBlankNode>, Error> {
        match text {
            Text::Constant(value) if constant == "datatype" => {
                let iri = NamedNode::new(&value)
                    .map_err(|e| self.error(at, format!("datatype {value:?} is not an IRI: {e}")))?;
                self.add(map, rml("datatype"), iri);
                Ok(None)
            }
            Text::Constant(value) => {
                self.add(map, rml("language"), Literal::new_simple_literal(value));
                Ok(None)
            }
            Text::Reference(reference) => {
                let node = self.blank(at);
                self.add(map, rml(full), node.clone());
                self.add(&node, rml("reference"), Literal::new_simple_literal(reference));
                Ok(Some(node))
            }
            Text::Template(template) => {
                let node = self.blank(at);
                self.add(map, rml(full), node.clone());
                self.add(&node, rml("template"), Literal::new_simple_literal(template));
                if constant == "language" {
                    // A language map's template makes a literal, the tag.
                    self.add(&node, rml("termType"), rml("Literal"));
                }
                Ok(Some(node))
            }
        }
    }

    fn execution(&mut self, function: FunctionSpec<'y>) -> Result<NamedOrBlankNode, Error> {
        let execution = self.blank(function.at);
        let iri = NamedNode::new(&function.function)
            .map_err(|e| self.error(function.at, format!("function {:?}: {e}", function.function)))?;
        self.add(&execution, rml("function"), iri);
        for parameter in function.parameters {
            let input = self.blank(parameter.at);
            self.add(&execution, rml("input"), input.clone());
            let iri = NamedNode::new(&parameter.parameter)
                .map_err(|e| self.error(parameter.at, format!("parameter {:?}: {e}", parameter.parameter)))?;
            self.add(&input, rml("parameter"), iri);
            let value_map = self.blank(parameter.value.at);
            self.add(&input, rml("inputValueMap"), value_map.clone());
            self.write_term(&value_map, parameter.value, Role::Expression)?;
        }
        Ok(execution)
    }

    // ---- targets ----

    /// A logical target: a declared name, `[access~type, serialization,
    /// compression]`, or `{access, type, serialization, compression}`.
    fn target(&mut self, node: &'y Node) -> Result<NamedOrBlankNode, Error> {
        let (description, named): (&'y Node, Option<&str>) = match &node.value {
            Value::Scalar(name) => match self.context.targets.get(name.as_str()) {
                Some(declared) => (*declared, Some(name.as_str())),
                None => {
                    let mut names: Vec<&String> = self.context.targets.keys().collect();
                    names.sort();
                    return Err(self.error(
                        node.at,
                        format!(
                            "no target is named {name:?}; the targets declared: {}",
                            names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
            },
            _ => (node, None),
        };
        let single = std::slice::from_ref(description);
        let items = match &description.value {
            Value::Scalar(_) if named.is_some() => Some(single),
            Value::Sequence(items) => Some(items.as_slice()),
            _ => None,
        };
        let (access, kind, serialization, compression) = match (&description.value, items) {
            (_, Some(items)) if !items.is_empty() && items.len() <= 3 => {
                let first = text(self.path, &items[0], "a target's access")?;
                let (access, kind) = match first.rsplit_once('~') {
                    Some((access, kind)) => (access, kind),
                    None => (first, "localfile"),
                };
                let serialization = items.get(1).map(|n| text(self.path, n, "serialization")).transpose()?;
                let compression = items.get(2).map(|n| text(self.path, n, "compression")).transpose()?;
                (access, kind.to_owned(), serialization, compression)
            }
            (Value::Mapping(entries), _) => {
                only_keys(self.path, entries, "a target", &[&["access"], &["type"], &["serialization"], &["compression"]])?;
                let field = |name: &str| -> Result<Option<&'y str>, Error> { get(self.path, entries, &[name])?.map(|n| text(self.path, n, name)).transpose() };
                let access = field("access")?.ok_or_else(|| self.error(description.at, "a target needs access: (a file or an endpoint)"))?;
                (access, field("type")?.unwrap_or("localfile").to_owned(), field("serialization")?, field("compression")?)
            }
            _ => return Err(self.error(description.at, "a target is a name, [file~type, serialization, compression] or {access, type, serialization, compression}")),
        };
        let target_node: NamedOrBlankNode = match named {
            Some(name) => NamedNode::new_unchecked(format!("{MAPPING_NS}target/{}", iri_safe(name))).into(),
            None => self.blank(description.at),
        };
        // A named target's triples are written once per document.
        if named.is_some() && self.out.triples.iter().any(|t| t.subject == target_node) {
            return Ok(target_node);
        }
        self.out.positions.insert(target_node.clone(), description.at);
        self.typed(&target_node, rml("LogicalTarget"));
        let at = description.at;
        let inner = self.blank(at);
        self.add(&target_node, rml("target"), inner.clone());
        match kind.to_ascii_lowercase().as_str() {
            "localfile" | "void" | "dcat" | "file" => {
                self.typed(&inner, rml("FilePath"));
                let path = access.strip_prefix("file://").unwrap_or(access);
                self.add(&inner, rml("path"), Literal::new_simple_literal(path));
            }
            "sparql" | "sd" => {
                let endpoint =
                    NamedNode::new(access).map_err(|e| self.error(at, format!("endpoint {access:?}: {e}")))?;
                self.typed(&inner, NamedNode::new_unchecked(format!("{SD}Service")));
                self.add(&inner, NamedNode::new_unchecked(format!("{SD}endpoint")), endpoint);
                self.add(
                    &inner,
                    NamedNode::new_unchecked(format!("{SD}supportedLanguage")),
                    NamedNode::new_unchecked(format!("{SD}SPARQL11Update")),
                );
            }
            other => {
                return Err(self
                    .error(at, format!("target type {other:?} is not supported; use localfile, void, dcat or sparql")))
            }
        }
        let format = match serialization.map(str::to_ascii_lowercase).as_deref() {
            None | Some("nquads" | "n-quads") => "N-Quads",
            Some("ntriples" | "n-triples") => "N-Triples",
            Some("turtle" | "ttl") => "Turtle",
            Some("trig") => "TriG",
            Some("n3") => "N3",
            Some("jsonld" | "json-ld") => "JSON-LD",
            Some("rdfxml" | "rdf/xml" | "rdf_xml") => "RDF_XML",
            Some("rdfjson" | "rdf_json") => "RDF_JSON",
            Some(other) => {
                return Err(self.error(
                    at,
                    format!(
                        "serialization {other:?} is unknown; use nquads, ntriples, turtle, trig, n3, jsonld or rdfxml"
                    ),
                ))
            }
        };
        self.add(&target_node, rml("serialization"), NamedNode::new_unchecked(format!("{FORMATS}{format}")));
        if let Some(compression) = compression {
            let local = match compression.to_ascii_lowercase().as_str() {
                c @ ("none" | "gzip" | "zip" | "targz" | "tarxz") => c.to_owned(),
                other => {
                    return Err(self
                        .error(at, format!("compression {other:?} is unknown; use gzip, zip, targz, tarxz or none")))
                }
            };
            self.add(&target_node, rml("compression"), rml(&local));
        }
        Ok(target_node)
    }
}

/// Whether a logical-source node was written as an R2RML logical table.
fn logical_table(out: &Out, node: &NamedOrBlankNode) -> bool {
    out.triples
        .iter()
        .any(|t| &t.subject == node && t.predicate.as_str() == RDF_TYPE && t.object == Term::from(rml("LogicalTable")))
}

/// The objects of a `po` entry: one, or a list of them (a two-item list
/// whose second item is a datatype or language is one object).
fn object_list(node: &Node) -> Vec<&Node> {
    match &node.value {
        Value::Sequence(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        _ => vec![node],
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Subject => "subject",
        Role::Predicate => "predicate",
        Role::Object => "object",
        Role::Graph => "graph",
        Role::Expression => "value",
    }
}

fn jdbc_driver(database: &str) -> Option<&'static str> {
    Some(match database {
        "mysql" => "com.mysql.cj.jdbc.Driver",
        "postgresql" | "postgres" => "org.postgresql.Driver",
        "sqlserver" | "mssql" => "com.microsoft.sqlserver.jdbc.SQLServerDriver",
        "oracle" => "oracle.jdbc.driver.OracleDriver",
        "db2" => "com.ibm.as400.access.AS400JDBCDriver",
        "sqlite" => "org.sqlite.JDBC",
        _ => return None,
    })
}

/// A light check of a BCP 47 tag: letters, digits and hyphens, starting with letters.
fn oxilangtag_like(tag: &str) -> Result<(), ()> {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("");
    let first_ok = (1..=8).contains(&first.len()) && first.chars().all(|c| c.is_ascii_alphabetic());
    let rest_ok = parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translate_one(yaml: &str) -> Result<Translation, Error> {
        translate(&[Document { path: "m.yml".into(), text: yaml.into() }])
    }

    fn objects<'t>(file: &'t TranslatedFile, predicate: &str) -> Vec<&'t Term> {
        file.triples.iter().filter(|t| t.predicate.as_str() == format!("{RML}{predicate}")).map(|t| &t.object).collect()
    }

    const PEOPLE: &str = "mappings:\n  person:\n    sources: [[people.csv~csv]]\n    s: http://ex.org/$(id)\n    po:\n      - [foaf:name, $(name)]\n";

    #[test]
    fn every_node_is_remembered_where_it_is_written() {
        let translation = translate_one(PEOPLE).unwrap();
        let file = &translation.files[0];
        let map = NamedOrBlankNode::from(NamedNode::new_unchecked(format!("{MAPPING_NS}person")));
        assert_eq!(file.positions[&map], Position { line: 2, column: 3 });
        let object_map = file.triples.iter().find(|t| t.predicate.as_str() == format!("{RML}objectMap")).unwrap();
        let Term::BlankNode(node) = &object_map.object else { panic!("a blank object map") };
        assert_eq!(file.positions[&NamedOrBlankNode::from(node.clone())], Position { line: 6, column: 21 });
    }

    #[test]
    fn unknown_keys_are_refused_at_their_line_with_the_known_ones() {
        let error = translate_one(&PEOPLE.replace("    po:", "    pos:")).unwrap_err();
        assert_eq!(error.position, Some(Position { line: 5, column: 5 }));
        assert!(error.message.contains("has no key \"pos\""), "{}", error.message);
        assert!(error.message.contains("predicateobjects"), "{}", error.message);
    }

    #[test]
    fn an_undeclared_prefix_is_named() {
        let error = translate_one(&PEOPLE.replace("foaf:name", "nope:name")).unwrap_err();
        assert_eq!(error.position, Some(Position { line: 6, column: 10 }));
        assert!(error.message.contains("prefix \"nope\" of \"nope:name\" is not declared"), "{}", error.message);
    }

    #[test]
    fn objects_are_literals_unless_iri_and_templates_say_so() {
        let yaml = "mappings:\n  p:\n    sources: [[d.csv~csv]]\n    s: http://ex.org/$(id)\n    po:\n      - [ex:a, $(x) $(y)]\n      - [ex:b, http://ex.org/$(x)~iri]\n";
        let yaml = format!("prefixes:\n  ex: http://example.com/\n{yaml}");
        let translation = translate_one(&yaml).unwrap();
        let term_types = objects(&translation.files[0], "termType");
        assert_eq!(
            term_types,
            vec![&Term::from(rml("Literal"))],
            "the literal template says it; the IRI one needs not"
        );
    }

    #[test]
    fn an_equal_condition_on_a_mapping_is_a_join() {
        let yaml = "mappings:\n  a:\n    sources: [[a.csv~csv]]\n    s: http://ex.org/a/$(id)\n    po:\n      - p: http://ex.org/b\n        o:\n          mapping: b\n          condition:\n            function: equal\n            parameters:\n              - [str1, $(b_id)]\n              - [str2, $(id)]\n  b:\n    sources: [[b.csv~csv]]\n    s: http://ex.org/b/$(id)\n";
        let translation = translate_one(yaml).unwrap();
        let file = &translation.files[0];
        assert_eq!(
            objects(file, "parentTriplesMap"),
            vec![&Term::from(NamedNode::new_unchecked(format!("{MAPPING_NS}b")))]
        );
        assert_eq!(objects(file, "child"), vec![&Term::from(Literal::new_simple_literal("b_id"))]);
        assert_eq!(objects(file, "parent"), vec![&Term::from(Literal::new_simple_literal("id"))]);
    }

    #[test]
    fn a_mapping_may_name_one_of_another_document() {
        let first = "mappings:\n  a:\n    sources: [[a.csv~csv]]\n    s: http://ex.org/a/$(id)\n    po:\n      - p: http://ex.org/b\n        o:\n          mapping: b\n";
        let second = "mappings:\n  b:\n    sources: [[a.csv~csv]]\n    s: http://ex.org/b/$(id)\n";
        let translation = translate(&[
            Document { path: "a.yml".into(), text: first.into() },
            Document { path: "b.yml".into(), text: second.into() },
        ])
        .unwrap();
        assert_eq!(objects(&translation.files[0], "parentTriplesMap").len(), 1);
        assert!(objects(&translation.files[1], "parentTriplesMap").is_empty());
        let error = translate_one(first).unwrap_err();
        assert!(error.message.contains("no mapping is named \"b\""), "{}", error.message);
    }

    #[test]
    fn conditions_wrap_the_value_in_true_condition() {
        let yaml = "mappings:\n  p:\n    sources: [[d.csv~csv]]\n    s: http://ex.org/$(id)\n    condition:\n      function: equal\n      parameters:\n        - [str1, $(kind)]\n        - [str2, person]\n";
        let translation = translate_one(yaml).unwrap();
        let functions = objects(&translation.files[0], "function");
        assert_eq!(
            functions,
            vec![
                &Term::from(NamedNode::new_unchecked(format!("{IDLAB_FN}trueCondition"))),
                &Term::from(NamedNode::new_unchecked(format!("{IDLAB_FN}equal")))
            ]
        );
    }
}
