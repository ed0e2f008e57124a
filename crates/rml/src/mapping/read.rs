//! Reads RML mapping files (Turtle) and YARRRML mapping files (`.yml`,
//! `.yaml`, `.yarrrml`, translated into RML by `factgraph-yarrrml`) into the
//! [`Mapping`] model.
//!
//! Both vocabularies are accepted: every legacy RML/R2RML IRI is rewritten
//! into the current RML namespace while the file is parsed (see
//! [`super::vocab`]), so the code below speaks RML-Core only. A YARRRML
//! file's nodes carry the line and column they were written at, and every
//! error about one points there.

use super::model::*;
use super::template::Template;
use super::vocab::{csvw, d2rq, rml, sd, to_current, RDF_TYPE};

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const RDF_FIRST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first";
const RDF_REST: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest";
const RDF_NIL: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil";
use crate::files::{Compression, Encoding};
use crate::source::sparql::{self, Results, Service};
use crate::source::table::database::{self, Connection, Query, Selection};
use crate::source::table::parquet::ColumnarFile;
use crate::source::table::sheet::{self, Sheet};
use crate::source::table::Table;
use crate::source::Format;
use crate::target::{Serialization, TargetSpec};
use oxrdf::{
    Graph, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Term, TermRef, Triple, TripleRef,
};
use oxttl::TurtleParser;
use std::cell::{Cell, RefCell};
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
    /// Where a YARRRML file wrote each node; empty for Turtle.
    positions: HashMap<NamedOrBlankNode, Position>,
}

/// What the processor adds to the mapping documents.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The base IRI for relative IRIs made from data in triples maps that
    /// give none of their own (`rml:baseIRI` or the file's `@base`).
    pub base_iri: Option<String>,
    /// The database that R2RML's logical tables (`rr:logicalTable`) read:
    /// R2RML leaves the connection to the processor.
    pub database: Option<Connection>,
    /// Users and passwords for the databases the mappings name, by address
    /// (`d2rq:jdbcDSN`): they replace the mapping's, so that a password
    /// need not be written into a mapping file.
    pub databases: std::collections::HashMap<String, Connection>,
}

/// Reads one or more mapping files into a single [`Mapping`]. Triples maps may
/// name parents in any of the files.
pub fn read_mapping_files(paths: &[PathBuf]) -> Result<Mapping, MappingError> {
    read_mapping_files_with(paths, &ReadOptions::default())
}

/// [`read_mapping_files`], with options.
pub fn read_mapping_files_with(paths: &[PathBuf], options: &ReadOptions) -> Result<Mapping, MappingError> {
    let mut mapping = Mapping::default();
    let mut translated = translate_yarrrml(paths, &mut mapping.prefixes)?.into_iter();
    let mut files = Vec::new();
    for path in paths {
        if factgraph_yarrrml::is_yarrrml_path(path) {
            files.push(translated.next().expect("a translation for each YARRRML file"));
        } else {
            files.push(parse_file(path, &mut mapping.prefixes)?);
        }
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
    let targets = RefCell::new(Vec::new());
    for (file_index, node) in &nodes {
        let file = &files[*file_index];
        let reader = MapReader {
            file,
            name: display_node(node.as_ref()),
            index_of: &index_of,
            targets: &targets,
            options,
            position: Cell::new(file.positions.get(node).copied()),
        };
        mapping.triples_maps.push(reader.triples_map(node.as_ref())?);
    }
    mapping.targets = targets.into_inner().into_iter().map(|(_, spec)| spec).collect();
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
    Ok(MappingFile { path: path.to_owned(), base_iri, graph, appearance, positions: HashMap::new() })
}

/// The YARRRML files among `paths`, translated together (a mapping may name
/// another file's mappings, sources and targets), in the order given.
fn translate_yarrrml(
    paths: &[PathBuf],
    prefixes: &mut Vec<(String, String)>,
) -> Result<Vec<MappingFile>, MappingError> {
    let mut documents = Vec::new();
    for path in paths.iter().filter(|p| factgraph_yarrrml::is_yarrrml_path(p)) {
        let text = std::fs::read_to_string(path)
            .map_err(|e| MappingError::new(path, None, format!("cannot read the mapping file: {e}")))?;
        documents.push(factgraph_yarrrml::Document { path: path.clone(), text });
    }
    if documents.is_empty() {
        return Ok(Vec::new());
    }
    let translation = factgraph_yarrrml::translate(&documents)?;
    for (prefix, iri) in &translation.prefixes {
        if !prefixes.iter().any(|(p, _)| p == prefix) {
            prefixes.push((prefix.clone(), iri.clone()));
        }
    }
    let files = translation.files.into_iter().map(|file| {
        let mut graph = Graph::new();
        let mut appearance = HashMap::new();
        for triple in file.triples {
            let triple = to_current_triple(triple);
            for term in [Term::from(triple.subject.clone()), triple.object.clone()] {
                let next = appearance.len();
                appearance.entry(term).or_insert(next);
            }
            graph.insert(&triple);
        }
        MappingFile { path: file.path, graph, base_iri: file.base_iri, appearance, positions: file.positions }
    });
    Ok(files.collect())
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
                iri.push_str(percent_encoding::percent_encode_byte(c as u8));
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
    let with_table = graph.triples_for_predicate(&rml("logicalTable")).map(|t| t.subject.into_owned());
    let mut nodes: Vec<_> = typed.chain(with_source).chain(with_table).collect();
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
    /// A datatype map: IRIs.
    Datatype,
    /// An expression map with no term of its own: a join side, a function
    /// input, a language map, a condition.
    Expression,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Self::Subject => "subject map",
            Self::Predicate => "predicate map",
            Self::Object => "object map",
            Self::Graph => "graph map",
            Self::Datatype => "datatype map",
            Self::Expression => "expression map",
        }
    }
}

/// Reads one triples map; carries what every error message needs.
struct MapReader<'a> {
    file: &'a MappingFile,
    name: String,
    index_of: &'a HashMap<NamedOrBlankNode, usize>,
    /// Logical targets met so far, by node, shared by all triples maps.
    targets: &'a RefCell<Vec<(Term, TargetSpec)>>,
    options: &'a ReadOptions,
    /// Where the node being read is written (YARRRML), for errors.
    position: Cell<Option<Position>>,
}

impl MapReader<'_> {
    fn error(&self, problem: impl Into<String>) -> MappingError {
        MappingError::new(&self.file.path, Some(&self.name), problem).at(self.position.get())
    }

    /// Where `node` is written, if the file tells.
    fn position_of(&self, node: NamedOrBlankNodeRef<'_>) -> Option<Position> {
        self.file.positions.get(&node.into_owned()).copied()
    }

    /// Reads `node` with errors placed at it (when the file tells where it
    /// is), then goes back to the place of the node around it.
    fn within<T>(
        &self,
        node: NamedOrBlankNodeRef<'_>,
        read: impl FnOnce() -> Result<T, MappingError>,
    ) -> Result<T, MappingError> {
        let around = self.position.get();
        if let Some(here) = self.position_of(node) {
            self.position.set(Some(here));
        }
        let read = read();
        if read.is_ok() {
            self.position.set(around);
        }
        read
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

    /// RML-star is refused with its reason, rather than misread: a quoted
    /// triple is an RDF 1.2 triple term, which this build's RDF model and
    /// store do not enable (README, "RML-star").
    fn refuse_rml_star(&self, node: NamedOrBlankNodeRef<'_>, what: &str) -> Result<(), MappingError> {
        let rdf_type = NamedNodeRef::new_unchecked(RDF_TYPE);
        let non_asserted = self.file.graph.contains(TripleRef::new(node, rdf_type, &rml("NonAssertedTriplesMap")));
        let quoted = self.at_most_one(node, "quotedTriplesMap")?;
        if !non_asserted && quoted.is_none() {
            return Ok(());
        }
        let construct = if quoted.is_some() { "rml:quotedTriplesMap" } else { "rml:NonAssertedTriplesMap" };
        Err(self.error(format!(
            "{what}: {construct} (RML-star) is not supported: a quoted triple needs RDF 1.2 triple terms, \
             which factgraph's RDF model and store do not enable; state the triple about a reifier \
             (rdf:reifies) or another resource of its own instead, or leave this map out"
        )))
    }

    fn triples_map(&self, node: NamedOrBlankNodeRef<'_>) -> Result<TriplesMap, MappingError> {
        self.refuse_rml_star(node, "its rdf:type")?;
        let Some(source_node) = self.at_most_one(node, "logicalSource")? else {
            if let Some(table) = self.at_most_one(node, "logicalTable")? {
                return self.triples_map_over(node, self.logical_table(self.node(table, "logicalTable")?)?, None);
            }
            return Err(
                self.error("no rml:logicalSource; name the file with rml:logicalSource [ rml:source \"file.csv\" ]")
            );
        };
        let source_node = self.node(source_node, "logicalSource")?;
        let (source, view) = match self.at_most_one(source_node, "viewOn")? {
            Some(_) => {
                let view = self.view(source_node, &mut Vec::new())?;
                (view.file().clone(), Some(view))
            }
            None => (self.logical_source(source_node)?, None),
        };
        self.triples_map_over(node, source, view)
    }

    fn triples_map_over(
        &self,
        node: NamedOrBlankNodeRef<'_>,
        source: LogicalSource,
        view: Option<View>,
    ) -> Result<TriplesMap, MappingError> {
        let (subject, classes, subject_graphs) = self.subject(node)?;
        let predicate_object_maps = self
            .objects(node, "predicateObjectMap")
            .into_iter()
            .map(|pom| self.predicate_object_map(self.node(pom, "predicateObjectMap")?))
            .collect::<Result<_, _>>()?;
        Ok(TriplesMap {
            name: self.name.clone(),
            file: self.file.path.clone(),
            position: self.position_of(node),
            source,
            view,
            base_iri: self.base_iri(node)?,
            subject,
            classes,
            subject_graphs,
            predicate_object_maps,
        })
    }

    /// `rml:baseIRI` of the triples map, else the file's `@base`, else the
    /// processor's.
    fn base_iri(&self, node: NamedOrBlankNodeRef<'_>) -> Result<Option<String>, MappingError> {
        if let Some(base) = self.at_most_one(node, "baseIRI")? {
            let base = match base {
                TermRef::NamedNode(n) => n.as_str().to_owned(),
                other => self.string(other, "baseIRI")?,
            };
            oxiri::Iri::parse(base.as_str())
                .map_err(|e| self.error(format!("rml:baseIRI {base:?} is not an absolute IRI: {e}")))?;
            return Ok(Some(base));
        }
        Ok(self.file.base_iri.clone().or_else(|| self.options.base_iri.clone()))
    }

    /// A logical view: its base (a source or another view), fields and joins.
    /// `path` holds the views being read, to stop at a cycle.
    fn view(&self, node: NamedOrBlankNodeRef<'_>, path: &mut Vec<String>) -> Result<View, MappingError> {
        let name = display_node(node);
        if path.contains(&name) {
            return Err(self.error(format!(
                "logical view {name} is built on itself ({} -> {name}); a view may not reach itself through rml:viewOn or joins",
                path.join(" -> ")
            )));
        }
        path.push(name.clone());
        let Some(base) = self.at_most_one(node, "viewOn")? else {
            return Err(self.error(format!("logical view {name} has no rml:viewOn")));
        };
        let base = self.node(base, "viewOn")?;
        let on = if self.at_most_one(base, "viewOn")?.is_some() {
            ViewBase::View(Box::new(self.view(base, path)?))
        } else {
            ViewBase::Source(Box::new(self.logical_source(base)?))
        };
        let fields = self.fields(node)?;
        let mut joins = Vec::new();
        for (local, inner) in [("leftJoin", false), ("innerJoin", true)] {
            for join in self.objects(node, local) {
                let join = self.node(join, local)?;
                let Some(parent) = self.at_most_one(join, "parentLogicalView")? else {
                    return Err(self.error(format!("an rml:{local} of view {name} has no rml:parentLogicalView")));
                };
                let parent = Box::new(self.view(self.node(parent, "parentLogicalView")?, path)?);
                let conditions = self
                    .objects(join, "joinCondition")
                    .into_iter()
                    .map(|c| self.join_condition(self.node(c, "joinCondition")?))
                    .collect::<Result<_, _>>()?;
                joins.push(ViewJoin { parent, conditions, fields: self.fields(join)?, inner });
            }
        }
        path.pop();
        let view = View { name, on, fields, joins };
        check_field_names(&view).map_err(|e| self.error(e))?;
        Ok(view)
    }

    fn fields(&self, node: NamedOrBlankNodeRef<'_>) -> Result<Vec<Field>, MappingError> {
        let mut fields = Vec::new();
        for field in self.objects(node, "field") {
            let field = self.node(field, "field")?;
            let Some(name) = self.at_most_one(field, "fieldName")? else {
                return Err(self.error("a field has no rml:fieldName"));
            };
            let name = self.string(name, "fieldName")?;
            let iterable = self.at_most_one(field, "reference")?.is_none()
                && self.at_most_one(field, "template")?.is_none()
                && self.at_most_one(field, "constant")?.is_none()
                && self.at_most_one(field, "functionExecution")?.is_none();
            let value = if iterable {
                let iterator = self.at_most_one(field, "iterator")?.map(|i| self.string(i, "iterator")).transpose()?;
                let format = match self.at_most_one(field, "referenceFormulation")? {
                    Some(_) => Some(self.reference_formulation(field)?.0),
                    None => None,
                };
                FieldValue::Iterable { iterator, format }
            } else {
                FieldValue::Expression(self.term_map(field, Role::Expression)?)
            };
            fields.push(Field { name, value, children: self.fields(field)? });
        }
        Ok(fields)
    }

    fn logical_source(&self, source_node: NamedOrBlankNodeRef<'_>) -> Result<LogicalSource, MappingError> {
        self.within(source_node, || self.logical_source_here(source_node))
    }

    fn logical_source_here(&self, source_node: NamedOrBlankNodeRef<'_>) -> Result<LogicalSource, MappingError> {
        let Some(source) = self.at_most_one(source_node, "source")? else {
            return Err(self.error("the logical source has no rml:source"));
        };
        if let Ok(described) = self.node(source, "source") {
            if self.is_service(described) {
                return self.sparql_source(source_node, described);
            }
        }
        let (format, namespaces) = self.reference_formulation(source_node)?;
        let mut description = match source {
            TermRef::Literal(l) => LogicalSource::file(self.resolve_path(l.value(), false), format),
            other => {
                let described = self.node(other, "source")?;
                if self.is_database(described) {
                    let connection = self.connection(described)?;
                    return self.database_table(source_node, connection);
                }
                self.source_description(described, format)?
            }
        };
        description.namespaces = namespaces;
        description.iterator =
            self.at_most_one(source_node, "iterator")?.map(|i| self.string(i, "iterator")).transpose()?;
        if let Some(table) = self.table_file(&description)? {
            return Ok(table);
        }
        if matches!(description.format, Format::Csv { .. }) {
            description.iterator = None; // a CSV file's records are its rows
        }
        Ok(description)
    }

    /// A spreadsheet or columnar file read as a table, told apart by its
    /// extension under the CSV formulation (as morph-kgc does): a sheet
    /// chosen by `rml:iterator`, else the first; a Parquet or Arrow file.
    fn table_file(&self, file: &LogicalSource) -> Result<Option<LogicalSource>, MappingError> {
        if !matches!(file.format, Format::Csv { .. }) {
            return Ok(None);
        }
        let table = if sheet::is_spreadsheet(&file.path) {
            Table::Sheet(Sheet { file: file.path.clone(), name: file.iterator.clone() })
        } else if let Some(columnar) = ColumnarFile::by_extension(&file.path) {
            if let Some(iterator) = &file.iterator {
                return Err(self.error(format!(
                    "{} holds one table: rml:iterator {iterator:?} selects nothing in it; leave it out",
                    file.path.display()
                )));
            }
            Table::Columnar(columnar)
        } else {
            return Ok(None);
        };
        if file.compression != Compression::None {
            return Err(
                self.error(format!("{} is compressed inside already: leave rml:compression out", file.path.display()))
            );
        }
        let label = match &table {
            Table::Sheet(sheet) => sheet::label(sheet),
            _ => file.path.clone(),
        };
        Ok(Some(LogicalSource { nulls: file.nulls.clone(), ..LogicalSource::table(label, table) }))
    }

    /// Whether a source node is a D2RQ database description.
    fn is_database(&self, described: NamedOrBlankNodeRef<'_>) -> bool {
        let rdf_type = NamedNodeRef::new_unchecked(RDF_TYPE);
        self.file.graph.contains(TripleRef::new(described, rdf_type, &d2rq("Database")))
            || self.file.graph.object_for_subject_predicate(described, &d2rq("jdbcDSN")).is_some()
    }

    /// Whether a source node describes a SPARQL endpoint (`sd:Service`).
    fn is_service(&self, described: NamedOrBlankNodeRef<'_>) -> bool {
        let rdf_type = NamedNodeRef::new_unchecked(RDF_TYPE);
        self.file.graph.contains(TripleRef::new(described, rdf_type, &sd("Service")))
            || self.file.graph.object_for_subject_predicate(described, &sd("endpoint")).is_some()
    }

    /// A SPARQL endpoint's answer to a SELECT query: the query in
    /// `rml:query` (on the logical source or the service), or in
    /// `rml:iterator` where the results are read as CSV (RML-IO's registry
    /// writes it there, with `formats:SPARQL_Results_CSV`); the result
    /// format the reference formulation reads, which `sd:resultFormat`
    /// must allow when it is given.
    fn sparql_source(
        &self,
        source_node: NamedOrBlankNodeRef<'_>,
        service: NamedOrBlankNodeRef<'_>,
    ) -> Result<LogicalSource, MappingError> {
        let endpoint = self.endpoint(service)?;
        let (format, namespaces) = self.results_formulation(source_node)?;
        let results =
            match format {
                Format::Csv { .. } => Results::Csv,
                Format::Json => Results::Json,
                Format::Xml => Results::Xml,
                Format::Table => return Err(self.error(
                    "a SPARQL endpoint gives no SQL table; read its results with rml:JSONPath, rml:XPath or rml:CSV",
                )),
            };
        self.check_result_formats(service, results)?;
        let iterator = self.at_most_one(source_node, "iterator")?.map(|t| self.string(t, "iterator")).transpose()?;
        let query = self.select_query(source_node, service, &endpoint, iterator.as_deref(), results)?;
        let mut description = LogicalSource::service(Service::new(endpoint, query, results), format);
        description.namespaces = namespaces;
        if results != Results::Csv {
            description.iterator = iterator;
        }
        for null in self.objects(service, "null") {
            description.nulls.push(self.string(null, "null")?);
        }
        Ok(description)
    }

    /// `sd:endpoint`, an `http://` address.
    fn endpoint(&self, service: NamedOrBlankNodeRef<'_>) -> Result<String, MappingError> {
        let endpoint = match self.file.graph.object_for_subject_predicate(service, &sd("endpoint")) {
            Some(TermRef::NamedNode(n)) => n.as_str().to_owned(),
            Some(TermRef::Literal(l)) => l.value().to_owned(),
            _ => {
                return Err(self.error(
                    "the sd:Service has no sd:endpoint; give the query service's address, e.g. <http://localhost:7878/query>",
                ))
            }
        };
        if !endpoint.get(..7).is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://")) {
            return Err(self.error(format!(
                "sd:endpoint <{endpoint}>: only http:// endpoints are reached (factgraph speaks plain HTTP; \
                 reach an https:// one through an SSH tunnel or a local TLS proxy)"
            )));
        }
        Ok(endpoint)
    }

    /// The SELECT query of a SPARQL source: `rml:query` on the logical
    /// source or the service, else, for CSV results, `rml:iterator`.
    fn select_query(
        &self,
        source_node: NamedOrBlankNodeRef<'_>,
        service: NamedOrBlankNodeRef<'_>,
        endpoint: &str,
        iterator: Option<&str>,
        results: Results,
    ) -> Result<String, MappingError> {
        let text = |node, local: &str| self.at_most_one(node, local)?.map(|t| self.string(t, local)).transpose();
        let query = match (text(source_node, "query")?.or(text(service, "query")?), iterator, results) {
            (Some(query), _, _) => query,
            (None, Some(iterator), Results::Csv) => iterator.to_owned(),
            (None, _, _) => {
                return Err(self.error(format!(
                    "the SPARQL source <{endpoint}> has no query; give the SELECT query in rml:query{}",
                    if results == Results::Csv { " or rml:iterator" } else { "" }
                )))
            }
        };
        sparql::check_select(&query).map_err(|e| self.error(format!("the SPARQL source <{endpoint}>: {e}")))?;
        Ok(query)
    }

    /// The reference formulation of a SPARQL source: `rml:CSV` (also when
    /// none is given) or `formats:SPARQL_Results_CSV` for CSV results, whose
    /// references are variables' names, `rml:JSONPath` or `rml:XPath` for
    /// JSON or XML results.
    fn results_formulation(
        &self,
        source_node: NamedOrBlankNodeRef<'_>,
    ) -> Result<(Format, Vec<(String, String)>), MappingError> {
        let csv = Format::Csv { delimiter: b',' };
        match self.at_most_one(source_node, "referenceFormulation")? {
            None => Ok((csv, Vec::new())),
            Some(TermRef::NamedNode(n)) if n.as_str().starts_with(sparql::FORMATS) => {
                match Results::from_iri(n.as_str()) {
                    Some(Results::Csv) => Ok((csv, Vec::new())),
                    _ => Err(self.error(format!(
                        "reference formulation <{n}> is not supported; read CSV results with \
                         formats:SPARQL_Results_CSV (references are the variables' names), JSON results with \
                         rml:JSONPath (rml:iterator \"$.results.bindings[*]\", references like \"name.value\") \
                         or XML results with rml:XPath"
                    ))),
                }
            }
            Some(_) => self.reference_formulation(source_node),
        }
    }

    /// `sd:resultFormat`, when given, must list the format the reference
    /// formulation reads.
    fn check_result_formats(&self, service: NamedOrBlankNodeRef<'_>, results: Results) -> Result<(), MappingError> {
        let declared: Vec<TermRef<'_>> =
            self.file.graph.objects_for_subject_predicate(service, &sd("resultFormat")).collect();
        if declared.is_empty()
            || declared
                .iter()
                .any(|t| matches!(t, TermRef::NamedNode(n) if Results::from_iri(n.as_str()) == Some(results)))
        {
            return Ok(());
        }
        let listed = declared.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        Err(self.error(format!(
            "sd:resultFormat says {listed}, but the reference formulation reads {} ({}); \
             declare that format, or the reference formulation of the results the endpoint gives",
            results.name(),
            results.media_type()
        )))
    }

    /// The connection a D2RQ database description gives. A `jdbc:sqlite:`
    /// path is relative to the mapping file's folder.
    fn connection(&self, described: NamedOrBlankNodeRef<'_>) -> Result<Connection, MappingError> {
        let graph = &self.file.graph;
        let text = |local: &str| -> Result<Option<String>, MappingError> {
            graph.object_for_subject_predicate(described, &d2rq(local)).map(|t| self.string(t, local)).transpose()
        };
        let Some(dsn) = text("jdbcDSN")? else {
            return Err(
                self.error("the d2rq:Database has no d2rq:jdbcDSN; give its address, e.g. jdbc:sqlite:facts.db")
            );
        };
        let configured = self.options.databases.get(&dsn);
        let mut connection = Connection {
            user: configured.and_then(|c| c.user.clone()).or(text("username")?),
            password: configured.and_then(|c| c.password.clone()).or(text("password")?),
            driver: text("jdbcDriver")?,
            dsn,
        };
        if let Ok(database::System::Sqlite(path)) = connection.system() {
            connection.dsn = format!("jdbc:sqlite:{}", self.resolve_path(&path.to_string_lossy(), false).display());
        }
        connection.system().map_err(|e| self.error(e))?;
        Ok(connection)
    }

    /// R2RML's logical table, over the processor's database connection:
    /// the configured one, else the one database the mapping file
    /// describes (an RML mapping that mixes rml:logicalSource and
    /// rr:logicalTable over the same database).
    fn logical_table(&self, table: NamedOrBlankNodeRef<'_>) -> Result<LogicalSource, MappingError> {
        if let Some(connection) = self.options.database.clone() {
            return self.database_table(table, connection);
        }
        let graph = &self.file.graph;
        let rdf_type = NamedNodeRef::new_unchecked(RDF_TYPE);
        let mut described: Vec<NamedOrBlankNodeRef<'_>> =
            graph.subjects_for_predicate_object(rdf_type, &d2rq("Database")).collect();
        described.extend(graph.triples_for_predicate(&d2rq("jdbcDSN")).map(|t| t.subject));
        described.sort_by_key(|node| node.to_string());
        described.dedup();
        match described[..] {
            [database] => {
                let connection = self.connection(database)?;
                self.database_table(table, connection)
            }
            [] => Err(self.error(
                "rr:logicalTable reads a database that neither the mapping nor factgraph.toml names; \
                 set [database] dsn = \"…\" in factgraph.toml, or describe it with \
                 rml:logicalSource [ rml:source [ a d2rq:Database ; d2rq:jdbcDSN \"…\" ] ; rr:tableName \"…\" ]",
            )),
            _ => Err(self.error(
                "rr:logicalTable does not say which of the mapping's databases it reads; \
                 use rml:logicalSource [ rml:source <#YourDatabase> ; rr:tableName \"…\" ] instead",
            )),
        }
    }

    /// The rows a logical source or table selects from `connection`: a
    /// table (`rr:tableName`, or `rml:iterator` under `rml:SQL2008Table`)
    /// or a query (`rr:sqlQuery`, `rml:query`, or `rml:iterator` under
    /// `rml:SQL2008Query`).
    fn database_table(
        &self,
        node: NamedOrBlankNodeRef<'_>,
        connection: Connection,
    ) -> Result<LogicalSource, MappingError> {
        let text = |local: &str| self.at_most_one(node, local)?.map(|t| self.string(t, local)).transpose();
        let formulation = self.at_most_one(node, "referenceFormulation")?;
        let iterator = text("iterator")?;
        let query = match (text("tableName")?, text("sqlQuery")?.or(text("query")?)) {
            (Some(table), None) => Query::Table(table),
            (None, Some(sql)) => Query::Sql(sql),
            (Some(_), Some(_)) => return Err(self.error("give a table name or a query, not both")),
            (None, None) if formulation == Some(rml("SQL2008Table").as_ref().into()) && iterator.is_some() => {
                Query::Table(iterator.unwrap_or_default())
            }
            (None, None) if formulation == Some(rml("SQL2008Query").as_ref().into()) && iterator.is_some() => {
                Query::Sql(iterator.unwrap_or_default())
            }
            (None, None) => {
                return Err(
                    self.error("the logical table names neither a table (rr:tableName) nor a query (rr:sqlQuery)")
                )
            }
        };
        let selection = Selection { connection, query };
        Ok(LogicalSource::table(database::label(&selection), Table::Database(Box::new(selection))))
    }

    /// The reference formulation (`rml:CSV`, `rml:JSONPath`, `rml:XPath`,
    /// or a node typed with one of them, XPath's with its namespaces).
    fn reference_formulation(
        &self,
        source: NamedOrBlankNodeRef<'_>,
    ) -> Result<(Format, Vec<(String, String)>), MappingError> {
        let Some(formulation) = self.at_most_one(source, "referenceFormulation")? else {
            return Ok((Format::Csv { delimiter: b',' }, Vec::new()));
        };
        let graph = &self.file.graph;
        let (kind, namespaces) = match formulation {
            TermRef::NamedNode(n) => (n.as_str().to_owned(), Vec::new()),
            TermRef::BlankNode(b) => {
                let typed = graph
                    .object_for_subject_predicate(b, NamedNodeRef::new_unchecked(RDF_TYPE))
                    .map(|t| t.to_string().trim_matches(['<', '>']).to_owned())
                    .unwrap_or_default();
                (typed.replace("ReferenceFormulation", ""), self.namespaces(b.into())?)
            }
            other => return Err(self.error(format!("rml:referenceFormulation must be an IRI, not {other}"))),
        };
        let format = match kind.strip_prefix(super::vocab::RML) {
            Some("CSV") => Format::Csv { delimiter: b',' },
            Some("SQL2008Table" | "SQL2008Query") => Format::Table,
            Some("JSONPath") => Format::Json,
            Some("XPath") => Format::Xml,
            _ if kind.starts_with(sparql::FORMATS) => {
                return Err(self.error(format!(
                    "reference formulation <{kind}> reads the answer of a SPARQL endpoint, and this source is \
                     no endpoint: factgraph does not run SPARQL queries over files; load the file into a SPARQL \
                     server and describe that as the source ([ a sd:Service ; sd:endpoint <http://…> ])"
                )))
            }
            _ => {
                return Err(self.error(format!(
                    "reference formulation <{kind}> is not supported; use rml:CSV, rml:JSONPath or rml:XPath"
                )))
            }
        };
        Ok((format, namespaces))
    }

    fn namespaces(&self, formulation: NamedOrBlankNodeRef<'_>) -> Result<Vec<(String, String)>, MappingError> {
        let mut namespaces = Vec::new();
        for namespace in self.objects(formulation, "namespace") {
            let namespace = self.node(namespace, "namespace")?;
            let prefix = self.at_most_one(namespace, "namespacePrefix")?.map(|p| self.string(p, "namespacePrefix"));
            let url = self.at_most_one(namespace, "namespaceURL")?.map(|u| self.string(u, "namespaceURL"));
            match (prefix, url) {
                (Some(prefix), Some(url)) => namespaces.push((prefix?, url?)),
                _ => return Err(self.error("an rml:namespace needs rml:namespacePrefix and rml:namespaceURL")),
            }
        }
        Ok(namespaces)
    }

    /// A source described by a node: a file path with its root (RML-IO's
    /// `rml:RelativePathSource`/`rml:FilePath`, or CSVW's `csvw:Table`), its
    /// compression, encoding, null values and CSV dialect.
    fn source_description(
        &self,
        described: NamedOrBlankNodeRef<'_>,
        format: Format,
    ) -> Result<LogicalSource, MappingError> {
        let graph = &self.file.graph;
        let path = self
            .at_most_one(described, "path")?
            .or_else(|| graph.object_for_subject_predicate(described, &csvw("url")));
        let Some(path) = path else {
            return Err(self.error("the rml:source node has neither rml:path nor csvw:url; give the file's path"));
        };
        let root = self.at_most_one(described, "root")?;
        let from_cwd = root == Some(rml("CurrentWorkingDirectory").as_ref().into());
        let mut description = LogicalSource::file(self.resolve_path(&self.string(path, "path")?, from_cwd), format);
        description.empty_is_null = self.at_most_one(described, "path")?.is_none();
        if let Format::Csv { .. } = format {
            if let Some(dialect) = graph.object_for_subject_predicate(described, &csvw("dialect")) {
                description.format = Format::Csv { delimiter: self.csv_delimiter(self.node(dialect, "dialect")?)? };
            }
        }
        if let Some(compression) = self.at_most_one(described, "compression")? {
            description.compression = self.compression(compression)?;
        }
        if let Some(encoding) = self.at_most_one(described, "encoding")? {
            description.encoding = self.encoding(encoding)?;
        }
        for null in self.objects(described, "null") {
            description.nulls.push(self.string(null, "null")?);
        }
        Ok(description)
    }

    /// A path from the mapping, relative to the mapping file's folder or,
    /// for `rml:CurrentWorkingDirectory`, to the working directory.
    fn resolve_path(&self, declared: &str, from_cwd: bool) -> PathBuf {
        let declared_path = PathBuf::from(declared);
        if declared_path.is_absolute() || from_cwd {
            declared_path
        } else {
            normalize(&self.file.path.parent().unwrap_or(Path::new(".")).join(declared_path))
        }
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

    /// The targets a term map or referencing object map names.
    fn logical_targets(&self, map: NamedOrBlankNodeRef<'_>) -> Result<Vec<usize>, MappingError> {
        let mut indexes = Vec::new();
        for target in self.objects(map, "logicalTarget") {
            let key = target.into_owned();
            if let Some(index) = self.targets.borrow().iter().position(|(node, _)| *node == key) {
                indexes.push(index);
                continue;
            }
            let spec = self.target_spec(self.node(target, "logicalTarget")?)?;
            let mut targets = self.targets.borrow_mut();
            targets.push((key, spec));
            indexes.push(targets.len() - 1);
        }
        Ok(indexes)
    }

    fn target_spec(&self, target: NamedOrBlankNodeRef<'_>) -> Result<TargetSpec, MappingError> {
        let Some(file) = self.at_most_one(target, "target")? else {
            return Err(self.error("a logical target needs rml:target [ rml:path \"out.nq\" ]"));
        };
        let file = self.node(file, "target")?;
        let Some(path) = self.at_most_one(file, "path")? else {
            return Err(self.error("a logical target's rml:target has no rml:path"));
        };
        let from_cwd = self.at_most_one(file, "root")? == Some(rml("CurrentWorkingDirectory").as_ref().into());
        let path = self.resolve_path(&self.string(path, "path")?, from_cwd);
        let serialization = match self.at_most_one(target, "serialization")? {
            None => Serialization::NQuads,
            Some(format) => {
                let iri = self.iri(format, "serialization")?;
                Serialization::from_iri(iri.as_str()).ok_or_else(|| {
                    self.error(format!("rml:serialization {iri} is not supported; use one of formats:N-Quads, formats:N-Triples, formats:Turtle, formats:TriG, formats:N3, formats:JSON-LD, formats:RDF_XML, formats:RDF_JSON"))
                })?
            }
        };
        let compression = match self.at_most_one(target, "compression")?.or(self.at_most_one(file, "compression")?) {
            None => Compression::None,
            Some(compression) => self.compression(compression)?,
        };
        let encoding = match self.at_most_one(target, "encoding")?.or(self.at_most_one(file, "encoding")?) {
            None => Encoding::Utf8,
            Some(encoding) => self.encoding(encoding)?,
        };
        Ok(TargetSpec { path, serialization, compression, encoding })
    }

    /// `rml:compression` of a source or a target.
    fn compression(&self, term: TermRef<'_>) -> Result<Compression, MappingError> {
        let iri = self.iri(term, "compression")?;
        Compression::from_iri(iri.as_str()).ok_or_else(|| {
            self.error(format!(
                "rml:compression {iri} is unknown; use rml:none, rml:gzip, rml:zip, rml:targz or rml:tarxz"
            ))
        })
    }

    /// `rml:encoding` of a source or a target.
    fn encoding(&self, term: TermRef<'_>) -> Result<Encoding, MappingError> {
        let iri = self.iri(term, "encoding")?;
        Encoding::from_iri(iri.as_str())
            .ok_or_else(|| self.error(format!("rml:encoding {iri} is unknown; use rml:UTF-8 or rml:UTF-16")))
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
        self.within(pom, || self.predicate_object_map_here(pom))
    }

    fn predicate_object_map_here(&self, pom: NamedOrBlankNodeRef<'_>) -> Result<PredicateObjectMap, MappingError> {
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
        self.within(map, || self.object_map_here(map))
    }

    fn object_map_here(&self, map: NamedOrBlankNodeRef<'_>) -> Result<ObjectMap, MappingError> {
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
        Ok(ObjectMap::Parent { parent, joins, targets: self.logical_targets(map)? })
    }

    /// `rml:child "a"`/`rml:parent "b"` (references), or `rml:childMap` and
    /// `rml:parentMap` with any expression map.
    fn join_condition(&self, join: NamedOrBlankNodeRef<'_>) -> Result<JoinCondition, MappingError> {
        self.within(join, || self.join_condition_here(join))
    }

    fn join_condition_here(&self, join: NamedOrBlankNodeRef<'_>) -> Result<JoinCondition, MappingError> {
        let side = |plain: &str, map: &str| -> Result<TermMap, MappingError> {
            match (self.at_most_one(join, plain)?, self.at_most_one(join, map)?) {
                (Some(value), None) => Ok(self.expression(TermValue::Reference(self.string(value, plain)?))),
                (None, Some(side_map)) => self.term_map(self.node(side_map, map)?, Role::Expression),
                _ => {
                    Err(self.error(format!("a join condition needs one rml:{plain} \"reference\" or rml:{map} [ … ]")))
                }
            }
        };
        Ok(JoinCondition { child: side("child", "childMap")?, parent: side("parent", "parentMap")? })
    }

    /// An expression map with nothing but its value: a literal's text.
    fn expression(&self, value: TermValue) -> TermMap {
        TermMap { value, term_type: TermType::Literal, ..TermMap::constant(Literal::new_simple_literal("")) }
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
                Role::Object | Role::Expression | Role::Datatype => ("object", "objectMap"),
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
        let mut term = self.within(map, || self.term_map_here(map, role))?;
        term.position = term.position.or(self.position_of(map));
        Ok(term)
    }

    fn term_map_here(&self, map: NamedOrBlankNodeRef<'_>, role: Role) -> Result<TermMap, MappingError> {
        self.refuse_rml_star(map, role.name())?;
        let constant = self.at_most_one(map, "constant")?;
        // R2RML's rr:column is RML's reference to a column.
        let reference = match (self.at_most_one(map, "reference")?, self.at_most_one(map, "column")?) {
            (Some(_), Some(_)) => return Err(self.error("give rml:reference or rr:column, not both")),
            (reference, column) => reference.or(column),
        };
        let template = self.at_most_one(map, "template")?;
        let function = self.at_most_one(map, "functionExecution")?;
        let explicit_type = self.at_most_one(map, "termType")?.map(|t| self.term_type(t)).transpose()?;
        let datatype = self.datatype(map)?;
        let language = self.language(map)?;
        let mut targets = self.logical_targets(map)?;
        // A datatype or language map's targets take the triples of its term.
        for annotation in ["datatypeMap", "languageMap"] {
            if let Some(node) = self.at_most_one(map, annotation)? {
                targets.extend(self.logical_targets(self.node(node, annotation)?)?);
            }
        }
        let condition = match self.at_most_one(map, "condition")? {
            Some(condition) => Some(Box::new(self.term_map(self.node(condition, "condition")?, Role::Expression)?)),
            None => None,
        };
        let gather = match self.at_most_one(map, "gather")? {
            Some(list) => Some(Box::new(self.gather(map, list)?)),
            None => None,
        };
        let value = match (constant, reference, template, function) {
            (Some(constant), None, None, None) => {
                let mut constant_map = TermMap::constant(constant.into_owned());
                if let Some(explicit) = explicit_type.filter(|t| *t != constant_map.term_type) {
                    return Err(self.error(format!(
                        "{}: rml:termType {explicit} does not match the constant {constant}",
                        role.name()
                    )));
                }
                self.check_term_type(constant_map.term_type, role)?;
                constant_map.targets = targets;
                constant_map.condition = condition;
                constant_map.gather = gather;
                if datatype.is_some() || language.is_some() {
                    constant_map.datatype = datatype;
                    constant_map.language = language;
                    return self.constant_with_annotations(constant_map, role);
                }
                return Ok(constant_map);
            }
            (None, Some(reference), None, None) => TermValue::Reference(self.string(reference, "reference")?),
            (None, None, Some(template), None) => {
                let text = self.string(template, "template")?;
                TermValue::Template(
                    Template::parse(&text)
                        .map_err(|e| self.error(format!("{}: template {text:?}: {e}", role.name())))?,
                )
            }
            (None, None, None, Some(execution)) => {
                let call = self.function_call(self.node(execution, "functionExecution")?)?;
                if let Some(output) = self.at_most_one(map, "return")? {
                    let output = self.iri(output, "return")?;
                    if !call.function.has_output(output.as_str()) {
                        return Err(self.error(format!(
                            "function {} has no output {output}; its outputs: {}",
                            call.function.iri,
                            call.function.outputs.join(", ")
                        )));
                    }
                }
                TermValue::Function(Box::new(call))
            }
            (None, None, None, None) if explicit_type == Some(TermType::BlankNode) || gather.is_some() => {
                TermValue::FreshBlankNode
            }
            (None, None, None, None) => {
                return Err(self.error(format!(
                    "{} has no rml:constant, rml:reference, rml:template or rml:functionExecution",
                    role.name()
                )))
            }
            _ => {
                return Err(self.error(format!(
                "{} has more than one of rml:constant, rml:reference, rml:template and rml:functionExecution; keep one",
                role.name()
            )))
            }
        };
        // References and function results are literals by default in object
        // maps (RML-Core 6.4; RML-FNML 4), as is anything with a datatype or language.
        let literal_by_default = matches!(value, TermValue::Reference(_) | TermValue::Function(_))
            || datatype.is_some()
            || language.is_some();
        let term_type = explicit_type.unwrap_or(match role {
            _ if matches!(value, TermValue::FreshBlankNode) => TermType::BlankNode,
            Role::Object | Role::Expression if literal_by_default => TermType::Literal,
            Role::Expression => TermType::Literal,
            _ => TermType::Iri,
        });
        self.check_term_type(term_type, role)?;
        if term_type != TermType::Literal && (datatype.is_some() || language.is_some()) {
            return Err(self.error(format!(
                "{}: rml:datatype and rml:language only apply to literals, but its term type is {term_type}",
                role.name()
            )));
        }
        if datatype.is_some() && language.is_some() {
            return Err(self.error(format!("{}: give a datatype or a language, not both", role.name())));
        }
        Ok(TermMap { value, term_type, datatype, language, targets, condition, gather, position: None })
    }

    /// `rml:gather ( … )` with `rml:gatherAs`, `rml:strategy` and
    /// `rml:allowEmptyListAndContainer`.
    fn gather(&self, map: NamedOrBlankNodeRef<'_>, list: TermRef<'_>) -> Result<Gather, MappingError> {
        let members = self
            .rdf_list(list)?
            .into_iter()
            .map(|member| self.object_map(self.node(member, "gather")?))
            .collect::<Result<_, _>>()?;
        let kind = match self.at_most_one(map, "gatherAs")? {
            None => return Err(self.error("a gather map needs rml:gatherAs rdf:List, rdf:Bag, rdf:Seq or rdf:Alt")),
            Some(kind) => match self.iri(kind, "gatherAs")?.as_str().strip_prefix(RDF) {
                Some("List") => CollectionKind::List,
                Some("Bag") => CollectionKind::Bag,
                Some("Seq") => CollectionKind::Seq,
                Some("Alt") => CollectionKind::Alt,
                _ => return Err(self.error("rml:gatherAs must be rdf:List, rdf:Bag, rdf:Seq or rdf:Alt")),
            },
        };
        let cartesian = match self.at_most_one(map, "strategy")? {
            None => false,
            Some(strategy) => match self.iri(strategy, "strategy")?.as_str().strip_prefix(super::vocab::RML) {
                Some("append") => false,
                Some("cartesianProduct") => true,
                _ => return Err(self.error("rml:strategy must be rml:append or rml:cartesianProduct")),
            },
        };
        let allow_empty = match self.at_most_one(map, "allowEmptyListAndContainer")? {
            None => false,
            Some(TermRef::Literal(l)) if matches!(l.value(), "true" | "1") => true,
            Some(TermRef::Literal(l)) if matches!(l.value(), "false" | "0") => false,
            Some(other) => {
                return Err(self.error(format!("rml:allowEmptyListAndContainer must be true or false, not {other}")))
            }
        };
        Ok(Gather { members, kind, cartesian, allow_empty })
    }

    /// The members of an RDF list in the mapping file.
    fn rdf_list<'g>(&'g self, mut node: TermRef<'g>) -> Result<Vec<TermRef<'g>>, MappingError> {
        let graph = &self.file.graph;
        let (first, rest) = (NamedNodeRef::new_unchecked(RDF_FIRST), NamedNodeRef::new_unchecked(RDF_REST));
        let mut members = Vec::new();
        while node != NamedNodeRef::new_unchecked(RDF_NIL).into() {
            let cell = self.node(node, "gather")?;
            let (Some(member), Some(next)) =
                (graph.object_for_subject_predicate(cell, first), graph.object_for_subject_predicate(cell, rest))
            else {
                return Err(self.error("rml:gather must be an RDF list: ( [ … ] [ … ] )"));
            };
            members.push(member);
            node = next;
        }
        Ok(members)
    }

    /// `rml:functionExecution`: the function (looked up in the library now,
    /// so that an unknown one stops the mapping before any data is read) and
    /// its inputs (`rml:parameter` with `rml:inputValueMap` or `rml:inputValue`).
    fn function_call(&self, execution: NamedOrBlankNodeRef<'_>) -> Result<FunctionCall, MappingError> {
        self.within(execution, || self.function_call_here(execution))
    }

    fn function_call_here(&self, execution: NamedOrBlankNodeRef<'_>) -> Result<FunctionCall, MappingError> {
        let function_iri =
            match (self.at_most_one(execution, "function")?, self.at_most_one(execution, "functionMap")?) {
                (Some(function), None) => self.iri(function, "function")?,
                (None, Some(map)) => match self.at_most_one(self.node(map, "functionMap")?, "constant")? {
                    Some(constant) => self.iri(constant, "constant")?,
                    None => {
                        return Err(self
                            .error("only constant function maps (rml:functionMap [ rml:constant … ]) are supported"))
                    }
                },
                _ => return Err(self.error("a function execution needs one rml:function")),
            };
        let Some(function) = crate::functions::lookup(function_iri.as_str()) else {
            return Err(self.error(format!(
                "function {function_iri} is not in factgraph's function library; see the README's list of GREL and IDLab functions"
            )));
        };
        let mut inputs = Vec::new();
        for input in self.objects(execution, "input") {
            let input = self.node(input, "input")?;
            let parameter = match self.at_most_one(input, "parameter")? {
                Some(parameter) => self.iri(parameter, "parameter")?,
                None => return Err(self.error(format!("an input of {function_iri} has no rml:parameter"))),
            };
            // The library lists one of the names FnO descriptions give a parameter.
            let Some(parameter) = function.parameter(parameter.as_str()).map(NamedNode::new_unchecked) else {
                return Err(self.error(format!(
                    "function {function_iri} has no parameter {parameter}; its parameters: {}",
                    function.required.iter().chain(function.optional).copied().collect::<Vec<_>>().join(", ")
                )));
            };
            let value = match (self.at_most_one(input, "inputValueMap")?, self.at_most_one(input, "inputValue")?) {
                (Some(map), None) => self.term_map(self.node(map, "inputValueMap")?, Role::Expression)?,
                (None, Some(constant)) => TermMap::constant(constant.into_owned()),
                _ => {
                    return Err(self.error(format!(
                        "input {parameter} of {function_iri} needs one rml:inputValueMap or rml:inputValue"
                    )))
                }
            };
            inputs.push((parameter, value));
        }
        for required in function.required {
            if !inputs.iter().any(|(parameter, _)| parameter.as_str() == *required) {
                return Err(self.error(format!(
                    "function {function_iri} needs parameter <{required}>; add rml:input [ rml:parameter <{required}> ; rml:inputValueMap [ … ] ]"
                )));
            }
        }
        Ok(FunctionCall { function, inputs })
    }

    fn constant_with_annotations(&self, map: TermMap, role: Role) -> Result<TermMap, MappingError> {
        let TermValue::Constant(Term::Literal(literal)) = &map.value else {
            return Err(self.error(format!("{}: rml:datatype and rml:language only apply to literals", role.name())));
        };
        let literal = match (&map.datatype, &map.language) {
            (Some(Annotation::Constant(datatype)), None) => {
                Literal::new_typed_literal(literal.value(), NamedNode::new_unchecked(datatype))
            }
            (None, Some(Annotation::Constant(language))) => {
                Literal::new_language_tagged_literal_unchecked(literal.value(), language)
            }
            _ => return Err(self.error(format!("{}: give one constant rml:datatype or rml:language", role.name()))),
        };
        Ok(TermMap { targets: map.targets, condition: map.condition, gather: map.gather, ..TermMap::constant(literal) })
    }

    fn term_type(&self, term: TermRef<'_>) -> Result<TermType, MappingError> {
        let iri = self.iri(term, "termType")?;
        Ok(match iri.as_str().strip_prefix(super::vocab::RML) {
            Some("IRI") => TermType::Iri,
            Some("URI") => TermType::Uri,
            Some("UnsafeIRI" | "UnsafeURI") => TermType::UnsafeIri,
            Some("BlankNode") => TermType::BlankNode,
            Some("Literal") => TermType::Literal,
            _ => {
                return Err(self.error(format!(
                    "unknown rml:termType {iri}; use rml:IRI, rml:URI, rml:UnsafeIRI, rml:BlankNode or rml:Literal"
                )))
            }
        })
    }

    fn check_term_type(&self, term_type: TermType, role: Role) -> Result<(), MappingError> {
        let allowed = match role {
            Role::Subject => term_type != TermType::Literal,
            Role::Predicate | Role::Datatype => term_type.is_iri(),
            Role::Graph => term_type.is_iri() || term_type == TermType::BlankNode,
            Role::Object | Role::Expression => true,
        };
        if allowed {
            Ok(())
        } else {
            Err(self.error(format!("a {} cannot produce a {term_type}", role.name())))
        }
    }

    fn datatype(&self, map: NamedOrBlankNodeRef<'_>) -> Result<Option<Annotation>, MappingError> {
        if let Some(datatype) = self.at_most_one(map, "datatype")? {
            return Ok(Some(Annotation::Constant(self.iri(datatype, "datatype")?.into_string())));
        }
        let Some(datatype_map) = self.at_most_one(map, "datatypeMap")? else {
            return Ok(None);
        };
        let datatype_map = self.term_map(self.node(datatype_map, "datatypeMap")?, Role::Datatype)?;
        Ok(Some(match datatype_map.value {
            TermValue::Constant(Term::NamedNode(iri)) => Annotation::Constant(iri.into_string()),
            TermValue::Constant(other) => {
                return Err(self.error(format!("a datatype map's constant {other} must be an IRI")))
            }
            _ => Annotation::Map(Box::new(datatype_map)),
        }))
    }

    fn language(&self, map: NamedOrBlankNodeRef<'_>) -> Result<Option<Annotation>, MappingError> {
        let language_map = if let Some(language) = self.at_most_one(map, "language")? {
            TermMap::constant(Literal::new_simple_literal(self.string(language, "language")?))
        } else if let Some(language_map) = self.at_most_one(map, "languageMap")? {
            self.term_map(self.node(language_map, "languageMap")?, Role::Expression)?
        } else {
            return Ok(None);
        };
        Ok(Some(match language_map.value {
            TermValue::Constant(Term::Literal(tag)) => {
                crate::mapping::check_language_tag(tag.value()).map_err(|e| self.error(e))?;
                Annotation::Constant(tag.value().to_ascii_lowercase())
            }
            TermValue::Constant(other) => {
                return Err(self.error(format!("a language map's constant {other} must be a string")))
            }
            _ => Annotation::Map(Box::new(language_map)),
        }))
    }
}

/// Field names must be unique in a view, with the fields its joins add
/// (RML-LV: a name collision is an error).
fn check_field_names(view: &View) -> Result<(), String> {
    fn collect(fields: &[Field], prefix: &str, names: &mut Vec<String>) -> Result<(), String> {
        for field in fields {
            let name = format!("{prefix}{}", field.name);
            if names.contains(&name) || name == "#" {
                return Err(format!("field name {name:?} is used twice in a logical view; rename one"));
            }
            names.push(name.clone());
            collect(&field.children, &format!("{name}."), names)?;
        }
        Ok(())
    }
    let mut names = Vec::new();
    collect(&view.fields, "", &mut names)?;
    for join in &view.joins {
        collect(&join.fields, "", &mut names)?;
    }
    Ok(())
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
