//! Reads RML mapping files (Turtle) into the [`Mapping`] model.
//!
//! Both vocabularies are accepted: every legacy RML/R2RML IRI is rewritten
//! into the current RML namespace while the file is parsed (see
//! [`super::vocab`]), so the code below speaks RML-Core only.

use super::model::*;
use super::template::Template;
use super::vocab::{csvw, rml, to_current, RDF_TYPE};
use oxrdf::{Graph, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Term, TermRef, Triple};
use oxttl::TurtleParser;
use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// One parsed mapping file.
struct MappingFile {
    path: PathBuf,
    graph: Graph,
    base_iri: Option<String>,
    /// Where each term first appears in the file. The parser names blank
    /// nodes at random, so the graph's own order differs from run to run; in
    /// file order, maps and their quads come out the same every time.
    appearance: HashMap<Term, usize>,
}

/// Reads one or more mapping files into a single [`Mapping`]. Triples maps may
/// name parents in any of the files.
pub fn read_mapping_files(paths: &[PathBuf]) -> Result<Mapping, MappingError> {
    let mut mapping = Mapping::default();
    let mut files = Vec::new();
    for path in paths {
        files.push(parse_file(path, &mut mapping.prefixes)?);
    }
    // All triples maps first, so that parentTriplesMap can point anywhere.
    let mut nodes: Vec<(usize, NamedOrBlankNode)> = Vec::new();
    for (index, file) in files.iter().enumerate() {
        for node in triples_map_nodes(file) {
            nodes.push((index, node));
        }
    }
    let index_of: HashMap<NamedOrBlankNode, usize> =
        nodes.iter().enumerate().map(|(i, (_, node))| (node.clone(), i)).collect();
    for (file_index, node) in &nodes {
        let reader = MapReader { file: &files[*file_index], name: display_node(node.as_ref()), index_of: &index_of };
        mapping.triples_maps.push(reader.triples_map(node.as_ref())?);
    }
    if mapping.triples_maps.is_empty() {
        let names = paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>();
        return Err(MappingError::new(
            names.join(", "),
            None,
            "no triples map found (a triples map has rml:logicalSource or rr:logicalTable, and a subject map)",
        ));
    }
    Ok(mapping)
}

fn parse_file(path: &Path, prefixes: &mut Vec<(String, String)>) -> Result<MappingFile, MappingError> {
    let file =
        File::open(path).map_err(|e| MappingError::new(path, None, format!("cannot open the mapping file: {e}")))?;
    // Turtle's rule: without `@base`, relative IRIs (`<TM> a rml:TriplesMap`)
    // resolve against the document's own location.
    let location = file_iri(path);
    let parser = match &location {
        Some(location) => TurtleParser::new().with_base_iri(location.as_str()).unwrap_or_else(|_| TurtleParser::new()),
        None => TurtleParser::new(),
    };
    let mut parser = parser.for_reader(BufReader::new(file));
    let mut graph = Graph::new();
    let mut appearance = HashMap::new();
    for triple in parser.by_ref() {
        let triple =
            to_current_triple(triple.map_err(|e| MappingError::new(path, None, format!("not valid Turtle: {e}")))?);
        for term in [Term::from(triple.subject.clone()), triple.object.clone()] {
            let next = appearance.len();
            appearance.entry(term).or_insert(next);
        }
        graph.insert(&triple);
    }
    for (prefix, iri) in parser.prefixes() {
        if !prefixes.iter().any(|(p, _)| p == prefix) {
            prefixes.push((prefix.to_owned(), iri.to_owned()));
        }
    }
    // The base IRI of the IRIs made from data is the document's own `@base`
    // only: its file location is no base for published IRIs.
    let base_iri = parser.base_iri().filter(|base| Some(*base) != location.as_deref()).map(str::to_owned);
    Ok(MappingFile { path: path.to_owned(), base_iri, graph, appearance })
}

/// The `file:` IRI of a mapping file, for relative IRIs in it; `None` when
/// its absolute path cannot be known.
fn file_iri(path: &Path) -> Option<String> {
    let absolute = std::path::absolute(path).ok()?;
    let mut iri = String::from("file://");
    for component in absolute.to_str()?.split('/').filter(|c| !c.is_empty()) {
        iri.push('/');
        for c in component.chars() {
            // Unreserved characters and non-ASCII letters stand as they are
            // in an IRI; anything else (a space, `#`, `%`) is percent-encoded.
            if c.is_ascii_alphanumeric() || "-._~".contains(c) || !c.is_ascii() {
                iri.push(c);
            } else {
                iri.push_str(&format!("%{:02X}", c as u32));
            }
        }
    }
    Some(iri)
}

fn to_current_triple(triple: Triple) -> Triple {
    let node = |n: NamedNode| match to_current(n.as_str()) {
        std::borrow::Cow::Borrowed(_) => n,
        std::borrow::Cow::Owned(iri) => NamedNode::new_unchecked(iri),
    };
    let subject = match triple.subject {
        NamedOrBlankNode::NamedNode(n) => node(n).into(),
        other => other,
    };
    let object = match triple.object {
        Term::NamedNode(n) => node(n).into(),
        other => other,
    };
    Triple::new(subject, node(triple.predicate), object)
}

/// Subjects typed rml:TriplesMap or having a logical source, sorted by name so
/// that runs are repeatable.
fn triples_map_nodes(file: &MappingFile) -> Vec<NamedOrBlankNode> {
    let graph = &file.graph;
    let typed = graph
        .subjects_for_predicate_object(NamedNodeRef::new_unchecked(RDF_TYPE), &rml("TriplesMap"))
        .map(NamedOrBlankNodeRef::into_owned);
    let with_source = graph.triples_for_predicate(&rml("logicalSource")).map(|t| t.subject.into_owned());
    let mut nodes: Vec<_> = typed.chain(with_source).collect();
    // Blank-node maps by where they appear: their labels are random.
    let appearance = |n: &NamedOrBlankNode| match n {
        NamedOrBlankNode::BlankNode(_) => file.appearance.get(&Term::from(n.clone())).copied(),
        NamedOrBlankNode::NamedNode(_) => None,
    };
    nodes.sort_by_cached_key(|n| (n.is_blank_node(), appearance(n), n.to_string()));
    nodes.dedup();
    nodes
}

fn display_node(node: NamedOrBlankNodeRef<'_>) -> String {
    match node {
        NamedOrBlankNodeRef::NamedNode(n) => format!("<{}>", n.as_str()),
        NamedOrBlankNodeRef::BlankNode(b) => format!("_:{}", b.as_str()),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Subject,
    Predicate,
    Object,
    Graph,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Self::Subject => "subject map",
            Self::Predicate => "predicate map",
            Self::Object => "object map",
            Self::Graph => "graph map",
        }
    }
}

/// Reads one triples map; carries what every error message needs.
struct MapReader<'a> {
    file: &'a MappingFile,
    name: String,
    index_of: &'a HashMap<NamedOrBlankNode, usize>,
}

impl MapReader<'_> {
    fn error(&self, problem: impl Into<String>) -> MappingError {
        MappingError::new(&self.file.path, Some(&self.name), problem)
    }

    /// The objects of `node`'s `rml:local`, in the order they appear in the file.
    fn objects<'g>(&'g self, node: NamedOrBlankNodeRef<'g>, local: &str) -> Vec<TermRef<'g>> {
        let mut objects: Vec<TermRef<'g>> = self.file.graph.objects_for_subject_predicate(node, &rml(local)).collect();
        objects.sort_by_cached_key(|object| self.file.appearance.get(&object.into_owned()).copied());
        objects
    }

    fn at_most_one<'g>(
        &'g self,
        node: NamedOrBlankNodeRef<'g>,
        local: &str,
    ) -> Result<Option<TermRef<'g>>, MappingError> {
        let mut values = self.objects(node, local);
        if values.len() > 1 {
            return Err(self.error(format!("rml:{local} is given {} times; give it once", values.len())));
        }
        Ok(values.pop())
    }

    fn string(&self, term: TermRef<'_>, local: &str) -> Result<String, MappingError> {
        match term {
            TermRef::Literal(l) => Ok(l.value().to_owned()),
            other => Err(self.error(format!("rml:{local} must be a string, not {other}"))),
        }
    }

    fn node<'g>(&self, term: TermRef<'g>, local: &str) -> Result<NamedOrBlankNodeRef<'g>, MappingError> {
        match term {
            TermRef::NamedNode(n) => Ok(n.into()),
            TermRef::BlankNode(b) => Ok(b.into()),
            other => Err(self.error(format!("rml:{local} must point to a node, not {other}"))),
        }
    }

    fn iri(&self, term: TermRef<'_>, local: &str) -> Result<NamedNode, MappingError> {
        match term {
            TermRef::NamedNode(n) => Ok(n.into_owned()),
            other => Err(self.error(format!("rml:{local} must be an IRI, not {other}"))),
        }
    }

    fn triples_map(&self, node: NamedOrBlankNodeRef<'_>) -> Result<TriplesMap, MappingError> {
        let source = self.logical_source(node)?;
        let (subject, classes, subject_graphs) = self.subject(node)?;
        let predicate_object_maps = self
            .objects(node, "predicateObjectMap")
            .into_iter()
            .map(|pom| self.predicate_object_map(self.node(pom, "predicateObjectMap")?))
            .collect::<Result<_, _>>()?;
        Ok(TriplesMap {
            name: self.name.clone(),
            file: self.file.path.clone(),
            source,
            base_iri: self.file.base_iri.clone(),
            subject,
            classes,
            subject_graphs,
            predicate_object_maps,
        })
    }

    fn logical_source(&self, node: NamedOrBlankNodeRef<'_>) -> Result<LogicalSource, MappingError> {
        let Some(source_node) = self.at_most_one(node, "logicalSource")? else {
            return Err(self
                .error("no rml:logicalSource; name the CSV file with rml:logicalSource [ rml:source \"file.csv\" ]"));
        };
        let source_node = self.node(source_node, "logicalSource")?;
        if let Some(formulation) = self.at_most_one(source_node, "referenceFormulation")? {
            if formulation != rml("CSV").as_ref().into() {
                return Err(self.error(format!(
                    "reference formulation {formulation} is not supported; factgraph reads CSV (rml:CSV or ql:CSV)"
                )));
            }
        }
        let Some(source) = self.at_most_one(source_node, "source")? else {
            return Err(self.error("the logical source has no rml:source"));
        };
        let mut delimiter = b',';
        let (declared, relative_to_cwd) = match source {
            TermRef::Literal(l) => (l.value().to_owned(), false),
            other => {
                let described = self.node(other, "source")?;
                let graph = &self.file.graph;
                let path = graph
                    .object_for_subject_predicate(described, &rml("path"))
                    .or_else(|| graph.object_for_subject_predicate(described, &csvw("url")));
                let Some(path) = path else {
                    return Err(self.error("the rml:source node has neither rml:path nor csvw:url"));
                };
                if let Some(dialect) = graph.object_for_subject_predicate(described, &csvw("dialect")) {
                    delimiter = self.csv_delimiter(self.node(dialect, "dialect")?)?;
                }
                let root = graph.object_for_subject_predicate(described, &rml("root"));
                let cwd = root == Some(rml("CurrentWorkingDirectory").as_ref().into());
                (self.string(path, "path")?, cwd)
            }
        };
        let declared_path = PathBuf::from(&declared);
        let path = if declared_path.is_absolute() || relative_to_cwd {
            declared_path
        } else {
            normalize(&self.file.path.parent().unwrap_or(Path::new(".")).join(declared_path))
        };
        Ok(LogicalSource::file(path, crate::source::Format::Csv { delimiter }))
    }

    fn csv_delimiter(&self, dialect: NamedOrBlankNodeRef<'_>) -> Result<u8, MappingError> {
        let Some(value) = self.file.graph.object_for_subject_predicate(dialect, &csvw("delimiter")) else {
            return Ok(b',');
        };
        let value = self.string(value, "delimiter")?;
        match value.as_bytes() {
            [byte] => Ok(*byte),
            _ if value == "\\t" => Ok(b'\t'),
            _ => Err(self.error(format!("csvw:delimiter {value:?} must be one ASCII character"))),
        }
    }

    fn subject(&self, node: NamedOrBlankNodeRef<'_>) -> Result<(TermMap, Vec<NamedNode>, Vec<TermMap>), MappingError> {
        let maps = self.objects(node, "subjectMap");
        let shortcuts = self.objects(node, "subject");
        match (maps.as_slice(), shortcuts.as_slice()) {
            ([map], []) => {
                let map = self.node(*map, "subjectMap")?;
                let term = self.term_map(map, Role::Subject)?;
                let classes =
                    self.objects(map, "class").into_iter().map(|c| self.iri(c, "class")).collect::<Result<_, _>>()?;
                Ok((term, classes, self.graph_maps(map)?))
            }
            ([], [constant]) => Ok((self.shortcut(*constant, Role::Subject)?, Vec::new(), Vec::new())),
            ([], []) => Err(self.error("no subject map; add rml:subjectMap [ rml:template \"…\" ]")),
            _ => {
                Err(self.error(format!("{} subject maps; a triples map has exactly one", maps.len() + shortcuts.len())))
            }
        }
    }

    fn predicate_object_map(&self, pom: NamedOrBlankNodeRef<'_>) -> Result<PredicateObjectMap, MappingError> {
        let mut predicates = Vec::new();
        for map in self.objects(pom, "predicateMap") {
            predicates.push(self.term_map(self.node(map, "predicateMap")?, Role::Predicate)?);
        }
        for constant in self.objects(pom, "predicate") {
            predicates.push(self.shortcut(constant, Role::Predicate)?);
        }
        let mut objects = Vec::new();
        for map in self.objects(pom, "objectMap") {
            objects.push(self.object_map(self.node(map, "objectMap")?)?);
        }
        for constant in self.objects(pom, "object") {
            objects.push(ObjectMap::Term(self.shortcut(constant, Role::Object)?));
        }
        if predicates.is_empty() || objects.is_empty() {
            return Err(self.error("a predicate-object map needs at least one predicate and one object"));
        }
        Ok(PredicateObjectMap { predicates, objects, graphs: self.graph_maps(pom)? })
    }

    fn object_map(&self, map: NamedOrBlankNodeRef<'_>) -> Result<ObjectMap, MappingError> {
        let Some(parent) = self.at_most_one(map, "parentTriplesMap")? else {
            return Ok(ObjectMap::Term(self.term_map(map, Role::Object)?));
        };
        let parent_node = self.node(parent, "parentTriplesMap")?;
        let Some(&parent) = self.index_of.get(&parent_node.into_owned()) else {
            return Err(self.error(format!(
                "rml:parentTriplesMap {} is not a triples map in the mapping files given",
                display_node(parent_node)
            )));
        };
        let joins = self
            .objects(map, "joinCondition")
            .into_iter()
            .map(|join| self.join_condition(self.node(join, "joinCondition")?))
            .collect::<Result<_, _>>()?;
        Ok(ObjectMap::Parent { parent, joins })
    }

    fn join_condition(&self, join: NamedOrBlankNodeRef<'_>) -> Result<JoinCondition, MappingError> {
        let side = |plain: &str, map: &str| -> Result<String, MappingError> {
            if let Some(value) = self.at_most_one(join, plain)? {
                return self.string(value, plain);
            }
            if let Some(side_map) = self.at_most_one(join, map)? {
                if let Some(reference) = self.at_most_one(self.node(side_map, map)?, "reference")? {
                    return self.string(reference, "reference");
                }
            }
            Err(self.error(format!("a join condition needs rml:{plain} \"column\"")))
        };
        Ok(JoinCondition { child: side("child", "childMap")?, parent: side("parent", "parentMap")? })
    }

    fn graph_maps(&self, node: NamedOrBlankNodeRef<'_>) -> Result<Vec<TermMap>, MappingError> {
        let mut graphs = Vec::new();
        for map in self.objects(node, "graphMap") {
            graphs.push(self.term_map(self.node(map, "graphMap")?, Role::Graph)?);
        }
        for constant in self.objects(node, "graph") {
            graphs.push(self.shortcut(constant, Role::Graph)?);
        }
        Ok(graphs)
    }

    /// `rml:subject`, `rml:predicate`, `rml:object`, `rml:graph`: a constant.
    fn shortcut(&self, constant: TermRef<'_>, role: Role) -> Result<TermMap, MappingError> {
        if constant.is_blank_node() {
            let (shortcut, full) = match role {
                Role::Subject => ("subject", "subjectMap"),
                Role::Predicate => ("predicate", "predicateMap"),
                Role::Object => ("object", "objectMap"),
                Role::Graph => ("graph", "graphMap"),
            };
            return Err(self.error(format!(
                "rml:{shortcut} takes a constant, not [ … ]; write rml:{full} [ … ] for a {}",
                role.name()
            )));
        }
        let map = TermMap::constant(constant.into_owned());
        self.check_term_type(map.term_type, role)?;
        Ok(map)
    }

    fn term_map(&self, map: NamedOrBlankNodeRef<'_>, role: Role) -> Result<TermMap, MappingError> {
        let constant = self.at_most_one(map, "constant")?;
        let reference = self.at_most_one(map, "reference")?;
        let template = self.at_most_one(map, "template")?;
        let explicit_type = self.at_most_one(map, "termType")?.map(|t| self.term_type(t)).transpose()?;
        let datatype = self.datatype(map)?;
        let language = self.language(map)?;
        let value = match (constant, reference, template) {
            (Some(constant), None, None) => {
                let mut constant_map = TermMap::constant(constant.into_owned());
                if let Some(explicit) = explicit_type.filter(|t| *t != constant_map.term_type) {
                    return Err(self.error(format!(
                        "{}: rml:termType {explicit} does not match the constant {constant}",
                        role.name()
                    )));
                }
                self.check_term_type(constant_map.term_type, role)?;
                if datatype.is_some() || language.is_some() {
                    constant_map.datatype = datatype;
                    constant_map.language = language;
                    return self.constant_with_annotations(constant_map, role);
                }
                return Ok(constant_map);
            }
            (None, Some(reference), None) => TermValue::Reference(self.string(reference, "reference")?),
            (None, None, Some(template)) => {
                let text = self.string(template, "template")?;
                TermValue::Template(
                    Template::parse(&text)
                        .map_err(|e| self.error(format!("{}: template {text:?}: {e}", role.name())))?,
                )
            }
            (None, None, None) if explicit_type == Some(TermType::BlankNode) => TermValue::FreshBlankNode,
            (None, None, None) => {
                return Err(self.error(format!("{} has no rml:constant, rml:reference or rml:template", role.name())))
            }
            _ => {
                return Err(self.error(format!(
                    "{} has more than one of rml:constant, rml:reference and rml:template; keep one",
                    role.name()
                )))
            }
        };
        let is_reference = matches!(value, TermValue::Reference(_));
        let term_type = explicit_type.unwrap_or(
            if role == Role::Object && (is_reference || datatype.is_some() || language.is_some()) {
                TermType::Literal
            } else {
                TermType::Iri
            },
        );
        self.check_term_type(term_type, role)?;
        if term_type != TermType::Literal && (datatype.is_some() || language.is_some()) {
            return Err(self.error(format!(
                "{}: rml:datatype and rml:language only apply to literals, but its term type is {term_type}",
                role.name()
            )));
        }
        Ok(TermMap { value, term_type, datatype, language })
    }

    fn constant_with_annotations(&self, map: TermMap, role: Role) -> Result<TermMap, MappingError> {
        let TermValue::Constant(Term::Literal(literal)) = &map.value else {
            return Err(self.error(format!("{}: rml:datatype and rml:language only apply to literals", role.name())));
        };
        let literal = match (&map.datatype, &map.language) {
            (Some(datatype), None) => Literal::new_typed_literal(literal.value(), datatype.clone()),
            (None, Some(language)) => Literal::new_language_tagged_literal_unchecked(literal.value(), language),
            _ => return Err(self.error(format!("{}: give rml:datatype or rml:language, not both", role.name()))),
        };
        Ok(TermMap::constant(literal))
    }

    fn term_type(&self, term: TermRef<'_>) -> Result<TermType, MappingError> {
        let iri = self.iri(term, "termType")?;
        Ok(match iri.as_str().strip_prefix(super::vocab::RML) {
            Some("IRI" | "URI") => TermType::Iri,
            Some("BlankNode") => TermType::BlankNode,
            Some("Literal") => TermType::Literal,
            _ => {
                return Err(self.error(format!("unknown rml:termType {iri}; use rml:IRI, rml:BlankNode or rml:Literal")))
            }
        })
    }

    fn check_term_type(&self, term_type: TermType, role: Role) -> Result<(), MappingError> {
        let allowed = match role {
            Role::Subject => term_type != TermType::Literal,
            Role::Predicate | Role::Graph => term_type == TermType::Iri,
            Role::Object => true,
        };
        if allowed {
            Ok(())
        } else {
            Err(self.error(format!("a {} cannot produce a {term_type}", role.name())))
        }
    }

    fn datatype(&self, map: NamedOrBlankNodeRef<'_>) -> Result<Option<NamedNode>, MappingError> {
        if let Some(datatype) = self.at_most_one(map, "datatype")? {
            return self.iri(datatype, "datatype").map(Some);
        }
        let Some(datatype_map) = self.at_most_one(map, "datatypeMap")? else {
            return Ok(None);
        };
        match self.at_most_one(self.node(datatype_map, "datatypeMap")?, "constant")? {
            Some(constant) => self.iri(constant, "constant").map(Some),
            None => {
                Err(self.error("only constant datatype maps (rml:datatypeMap [ rml:constant xsd:… ]) are supported"))
            }
        }
    }

    fn language(&self, map: NamedOrBlankNodeRef<'_>) -> Result<Option<String>, MappingError> {
        let tag = if let Some(language) = self.at_most_one(map, "language")? {
            self.string(language, "language")?
        } else if let Some(language_map) = self.at_most_one(map, "languageMap")? {
            match self.at_most_one(self.node(language_map, "languageMap")?, "constant")? {
                Some(constant) => self.string(constant, "constant")?,
                None => {
                    return Err(self
                        .error("only constant language maps (rml:languageMap [ rml:constant \"en\" ]) are supported"))
                }
            }
        } else {
            return Ok(None);
        };
        crate::mapping::check_language_tag(&tag).map_err(|e| self.error(e))?;
        Ok(Some(tag.to_ascii_lowercase()))
    }
}

/// Removes `.` and `dir/..` from a path without touching the file system, so
/// that reports show `data/x.csv` rather than `./mappings/../data/x.csv`.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut parts: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return PathBuf::from(".");
    }
    parts.iter().collect()
}
