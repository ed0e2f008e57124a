//! The mapping as read from RML files, with references still as text.
//! Reading a mapping ([`super::read`]) produces this; compiling it against
//! its sources ([`super::plan`]) turns references into compiled expressions.

use super::template::Template;
use crate::target::TargetSpec;
use oxrdf::{NamedNode, Term};
use std::fmt;
use std::path::PathBuf;

/// A line and column in a mapping file (both from 1): where a YARRRML
/// mapping wrote a triples map or term map.
pub use factgraph_yarrrml::Position;

/// Every triples map of one or more mapping files.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    pub triples_maps: Vec<TriplesMap>,
    /// Prefixes declared in the mapping files, for readable output.
    pub prefixes: Vec<(String, String)>,
    /// The logical targets the term maps name, by index.
    pub targets: Vec<TargetSpec>,
}

#[derive(Debug, Clone)]
pub struct TriplesMap {
    /// The triples map's IRI, or `_:label` for a blank node, for messages.
    pub name: String,
    /// The mapping file it was read from.
    pub file: PathBuf,
    /// Where in the mapping file it is written, when the file tells (YARRRML).
    pub position: Option<Position>,
    /// The file the triples map reads (through its view, if any).
    pub source: LogicalSource,
    /// The logical view (RML-LV) the triples map reads, if it reads one.
    pub view: Option<View>,
    /// Base IRI for relative IRIs generated from data: `rml:baseIRI`, the
    /// file's `@base`, or the processor's.
    pub base_iri: Option<String>,
    pub subject: TermMap,
    pub classes: Vec<NamedNode>,
    pub subject_graphs: Vec<TermMap>,
    pub predicate_object_maps: Vec<PredicateObjectMap>,
}

/// A file and how to read it.
pub type LogicalSource = crate::source::Description;

/// A logical view (RML-LV): records of named fields made from the records
/// of a logical source or of another view, joined with other views.
#[derive(Debug, Clone)]
pub struct View {
    /// The view's node, for messages and to tell views apart.
    pub name: String,
    pub on: ViewBase,
    pub fields: Vec<Field>,
    pub joins: Vec<ViewJoin>,
}

#[derive(Debug, Clone)]
pub enum ViewBase {
    /// Boxed, as the other variant: a source description is large.
    Source(Box<LogicalSource>),
    View(Box<View>),
}

impl View {
    /// The file the view's records come from, through any views below it.
    pub fn file(&self) -> &LogicalSource {
        match &self.on {
            ViewBase::Source(source) => source,
            ViewBase::View(view) => view.file(),
        }
    }
}

/// A field of a view: an expression, or an iteration over nested records,
/// with fields of its own (named `parent.child`).
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub value: FieldValue,
    pub children: Vec<Field>,
}

#[derive(Debug, Clone)]
pub enum FieldValue {
    /// An expression map over the parent record.
    Expression(TermMap),
    /// `rml:IterableField`: one record per value the iterator selects, read
    /// in `format` when it differs from the parent's.
    Iterable { iterator: Option<String>, format: Option<crate::source::Format> },
}

/// `rml:leftJoin` / `rml:innerJoin`: fields taken from a parent view's
/// records whose join values match.
#[derive(Debug, Clone)]
pub struct ViewJoin {
    pub parent: Box<View>,
    pub conditions: Vec<JoinCondition>,
    pub fields: Vec<Field>,
    /// Inner joins drop the records that match nothing.
    pub inner: bool,
}

#[derive(Debug, Clone)]
pub struct PredicateObjectMap {
    pub predicates: Vec<TermMap>,
    pub objects: Vec<ObjectMap>,
    pub graphs: Vec<TermMap>,
}

#[derive(Debug, Clone)]
pub enum ObjectMap {
    Term(TermMap),
    /// A referencing object map: the subjects of another triples map,
    /// joined on pairs of (child, parent) expressions.
    Parent {
        parent: usize,
        joins: Vec<JoinCondition>,
        targets: Vec<usize>,
    },
}

/// Child and parent sides of a join: any expression map (a reference, a
/// template, a constant, a function).
#[derive(Debug, Clone)]
pub struct JoinCondition {
    pub child: TermMap,
    pub parent: TermMap,
}

/// How a term map gets its value.
#[derive(Debug, Clone)]
pub enum TermValue {
    Constant(Term),
    Reference(String),
    Template(Template<String>),
    /// A blank-node term map with no value: a new blank node for every record.
    FreshBlankNode,
    /// `rml:functionExecution`: the values a function returns.
    Function(Box<FunctionCall>),
}

/// A function execution (RML-FNML): the function, found in the library when
/// the mapping is read, and a term map for each parameter.
#[derive(Debug, Clone)]
pub struct FunctionCall {
    pub function: &'static crate::functions::Function,
    pub inputs: Vec<(NamedNode, TermMap)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermType {
    Iri,
    /// `rml:URI`: template values are percent-encoded down to ASCII, and the
    /// term must be an absolute URI (RFC 3986).
    Uri,
    /// `rml:UnsafeIRI`: template values are put in without percent-encoding.
    UnsafeIri,
    BlankNode,
    Literal,
}

impl TermType {
    pub fn is_iri(self) -> bool {
        matches!(self, Self::Iri | Self::Uri | Self::UnsafeIri)
    }

    /// How template values are escaped for terms of this type.
    pub fn escape(self) -> super::template::Escape {
        match self {
            Self::Iri => super::template::Escape::Iri,
            Self::Uri => super::template::Escape::Uri,
            _ => super::template::Escape::Verbatim,
        }
    }
}

impl fmt::Display for TermType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Iri => "IRI",
            Self::Uri => "URI",
            Self::UnsafeIri => "unsafe IRI",
            Self::BlankNode => "blank node",
            Self::Literal => "literal",
        })
    }
}

#[derive(Debug, Clone)]
pub struct TermMap {
    pub value: TermValue,
    pub term_type: TermType,
    /// A constant datatype, or a datatype map giving IRIs per record.
    pub datatype: Option<Annotation>,
    /// A constant language tag, or a language map giving tags per record.
    pub language: Option<Annotation>,
    /// `rml:logicalTarget`s: indexes into [`Mapping::targets`].
    pub targets: Vec<usize>,
    /// `rml:condition`: the term is generated only where this gives `true`.
    pub condition: Option<Box<TermMap>>,
    /// `rml:gather` (RML-CC): the term names a collection or container of
    /// the gathered terms; its own value, if any, names it.
    pub gather: Option<Box<Gather>>,
    /// Where in the mapping file it is written, when the file tells (YARRRML).
    pub position: Option<Position>,
}

/// A gather map's collection (RML-CC).
#[derive(Debug, Clone)]
pub struct Gather {
    /// Term maps, or referencing object maps whose parent subjects are
    /// gathered (RML-CC's "using referencing object map").
    pub members: Vec<ObjectMap>,
    pub kind: CollectionKind,
    /// `rml:strategy rml:cartesianProduct`: one collection per combination
    /// of the members' values, instead of one with all of them appended.
    pub cartesian: bool,
    /// `rml:allowEmptyListAndContainer`.
    pub allow_empty: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionKind {
    List,
    Bag,
    Seq,
    Alt,
}

/// A datatype or language given as a constant or by a term map.
#[derive(Debug, Clone)]
pub enum Annotation {
    Constant(String),
    Map(Box<TermMap>),
}

impl TermMap {
    pub fn constant(term: impl Into<Term>) -> Self {
        let term = term.into();
        let term_type = match &term {
            Term::NamedNode(_) => TermType::Iri,
            Term::BlankNode(_) => TermType::BlankNode,
            _ => TermType::Literal,
        };
        Self {
            value: TermValue::Constant(term),
            term_type,
            datatype: None,
            language: None,
            targets: Vec::new(),
            condition: None,
            gather: None,
            position: None,
        }
    }

    /// The references this term map reads directly, for messages.
    pub fn columns(&self) -> Vec<&str> {
        match &self.value {
            TermValue::Reference(column) => vec![column.as_str()],
            TermValue::Template(template) => template.columns().map(String::as_str).collect(),
            TermValue::Function(call) => call.inputs.iter().flat_map(|(_, input)| input.columns()).collect(),
            TermValue::Constant(_) | TermValue::FreshBlankNode => Vec::new(),
        }
    }
}

/// A mapping that cannot be run, with the file and triples map it is in,
/// and where in the file when the file tells (YARRRML).
#[derive(Debug, Clone, thiserror::Error)]
pub struct MappingError {
    pub file: PathBuf,
    pub triples_map: Option<String>,
    pub position: Option<Position>,
    pub problem: String,
}

impl MappingError {
    pub fn new(file: impl Into<PathBuf>, triples_map: Option<&str>, problem: impl Into<String>) -> Self {
        Self { file: file.into(), triples_map: triples_map.map(str::to_owned), position: None, problem: problem.into() }
    }

    /// The error at `position` in its file, if one is known.
    pub fn at(mut self, position: Option<Position>) -> Self {
        self.position = self.position.or(position);
        self
    }
}

impl From<factgraph_yarrrml::Error> for MappingError {
    fn from(error: factgraph_yarrrml::Error) -> Self {
        Self::new(error.file, None, error.message).at(error.position)
    }
}

impl fmt::Display for MappingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(position) = self.position {
            write!(f, ":{position}")?;
        }
        if let Some(map) = &self.triples_map {
            write!(f, ", triples map {map}")?;
        }
        write!(f, ": {}", self.problem)
    }
}

impl From<MappingError> for crate::problem::Problem {
    fn from(error: MappingError) -> Self {
        let mut problem = Self::new(crate::problem::ProblemKind::Mapping, error.file, error.problem);
        if let Some(position) = error.position {
            problem = problem.at_line(position.line).at_character(u32::try_from(position.column).unwrap_or(u32::MAX));
        }
        match error.triples_map {
            Some(map) => problem.in_map(map),
            None => problem,
        }
    }
}
