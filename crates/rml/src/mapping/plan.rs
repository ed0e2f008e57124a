//! Compiles a [`Mapping`] against its sources into a [`Plan`]: references
//! become compiled expressions (CSV column indexes, JSONPath, XPath),
//! functions become pointers into the library and constants ready-made
//! terms, so that running the plan does no lookups or parsing per record.

use super::model::*;
use super::template::{Template, TemplatePart};
use crate::functions::Function;
use crate::problem::{Problem, ProblemKind};
use crate::source::{self, Expression, Format};
use crate::target::TargetSpec;
use crate::Error;
use oxiri::Iri;
use oxrdf::{NamedNode, Term};
use std::path::PathBuf;

/// What runs: one entry per source file, each with the triples maps that read it.
#[derive(Debug)]
pub struct Plan {
    pub sources: Vec<SourcePlan>,
    pub maps: Vec<MapPlan>,
    /// Parent tables to build before mapping, one per referencing object map
    /// with join conditions.
    pub joins: Vec<JoinPlan>,
    /// The logical targets the term maps name, by index.
    pub targets: Vec<TargetSpec>,
}

#[derive(Debug)]
pub struct SourcePlan {
    pub source: LogicalSource,
    /// A CSV file's header; empty for formats whose references are expressions.
    pub columns: Vec<String>,
    /// Indexes into [`Plan::maps`] of the triples maps reading this file.
    pub maps: Vec<usize>,
}

#[derive(Debug)]
pub struct MapPlan {
    pub name: String,
    pub file: PathBuf,
    pub source: usize,
    pub subject: TermPlan,
    pub classes: Vec<NamedNode>,
    pub subject_graphs: Vec<TermPlan>,
    pub predicate_object_maps: Vec<PredicateObjectPlan>,
}

#[derive(Debug)]
pub struct PredicateObjectPlan {
    pub predicates: Vec<TermPlan>,
    pub objects: Vec<ObjectPlan>,
    pub graphs: Vec<TermPlan>,
}

#[derive(Debug)]
pub enum ObjectPlan {
    Term(TermPlan),
    /// The parent's subject generated from the same record (same source, no join).
    SameRow { parent: usize, targets: Vec<usize> },
    /// Every parent subject whose join key equals the child's.
    Join { join: usize, child_keys: Vec<TermPlan>, targets: Vec<usize> },
    /// The subjects of every parent record (no join condition, another source).
    AllOf { join: usize, targets: Vec<usize> },
}

#[derive(Debug)]
pub struct JoinPlan {
    pub parent: usize,
    pub parent_keys: Vec<TermPlan>,
    /// The keys as written, to share one table between equal joins.
    key_text: String,
}

#[derive(Debug)]
pub struct TermPlan {
    pub value: ValuePlan,
    pub term_type: TermType,
    pub datatype: Option<AnnotationPlan>,
    pub language: Option<AnnotationPlan>,
    pub base_iri: Option<String>,
    /// The reference(s) the value comes from, for messages; empty for constants.
    pub columns: String,
    /// Every expansion of this IRI template is a valid absolute IRI, so rows
    /// need no IRI parse (see [`always_valid_iri`]).
    pub always_valid_iri: bool,
    /// The value is one CSV cell or a template of cells, with at most a
    /// constant datatype or language: the fast path, one term or none per
    /// record, with no lists of values built.
    pub single_valued: bool,
    /// Values standing for "no value" besides the format's own.
    pub nulls: Vec<String>,
    pub targets: Vec<usize>,
    pub condition: Option<Box<TermPlan>>,
    pub gather: Option<Box<GatherPlan>>,
}

/// A gather map's collection, compiled.
#[derive(Debug)]
pub struct GatherPlan {
    pub members: Vec<TermPlan>,
    pub kind: CollectionKind,
    pub cartesian: bool,
    pub allow_empty: bool,
    /// Tells the blank nodes of different gather maps apart.
    pub id: usize,
}

#[derive(Debug)]
pub enum ValuePlan {
    Constant(Term),
    Reference(Expression),
    Template(Template<Expression>),
    /// A new blank node per record; the number tells term maps apart.
    Fresh(usize),
    Function(Box<FunctionPlan>),
}

#[derive(Debug)]
pub struct FunctionPlan {
    pub function: &'static Function,
    pub inputs: Vec<(NamedNode, TermPlan)>,
}

/// A datatype or language: fixed, or computed per record.
#[derive(Debug)]
pub enum AnnotationPlan {
    Constant(String),
    Map(Box<TermPlan>),
}

impl Plan {
    /// Opens every source the mapping names (reading a CSV file's header)
    /// and compiles the mapping against them.
    pub fn compile(mapping: &Mapping) -> Result<Self, Error> {
        let mut problems = Vec::new();
        let mut sources: Vec<SourcePlan> = Vec::new();
        let mut source_of_map = Vec::new();
        for map in &mapping.triples_maps {
            let index = match sources.iter().position(|s| s.source == map.source) {
                Some(index) => index,
                None => {
                    let columns = match source_columns(&map.source) {
                        Ok(columns) => columns,
                        Err(e) => {
                            let message = format!(
                                "{} (the source of triples map {} in {})",
                                e.problem,
                                map.name,
                                map.file.display()
                            );
                            let problem = Problem::new(ProblemKind::Csv, &e.file, message);
                            problems.push(if let Some(line) = e.line { problem.at_line(line) } else { problem });
                            Vec::new()
                        }
                    };
                    sources.push(SourcePlan { source: map.source.clone(), columns, maps: Vec::new() });
                    sources.len() - 1
                }
            };
            sources[index].maps.push(source_of_map.len());
            source_of_map.push(index);
        }
        if !problems.is_empty() {
            return Err(Error::Problems { total: problems.len() as u64, problems });
        }
        let mut compiler =
            Compiler { mapping, sources: &sources, source_of_map: &source_of_map, joins: Vec::new(), fresh: 0 };
        let mut maps = Vec::new();
        for (index, map) in mapping.triples_maps.iter().enumerate() {
            match compiler.map(index, map) {
                Ok(plan) => maps.push(plan),
                Err(e) => problems.push(Problem::from(e)),
            }
        }
        if !problems.is_empty() {
            return Err(Error::Problems { total: problems.len() as u64, problems });
        }
        let joins = compiler.joins;
        Ok(Self { sources, maps, joins, targets: mapping.targets.clone() })
    }
}

/// A CSV file's header; nothing for other formats, whose references are
/// checked when they are compiled. Opening the source also finds a file
/// that is missing or unreadable before any record is mapped.
fn source_columns(source: &LogicalSource) -> Result<Vec<String>, source::SourceError> {
    let file = source::open(source)?;
    Ok(file.fields().to_vec())
}

struct Compiler<'a> {
    mapping: &'a Mapping,
    sources: &'a [SourcePlan],
    source_of_map: &'a [usize],
    joins: Vec<JoinPlan>,
    fresh: usize,
}

impl Compiler<'_> {
    fn map(&mut self, index: usize, map: &TriplesMap) -> Result<MapPlan, MappingError> {
        let source = self.source_of_map[index];
        let term = |c: &mut Self, t: &TermMap| c.term(index, t);
        let subject = term(self, &map.subject)?;
        let subject_graphs = map.subject_graphs.iter().map(|g| term(self, g)).collect::<Result<_, _>>()?;
        let mut predicate_object_maps = Vec::new();
        for pom in &map.predicate_object_maps {
            let predicates = pom.predicates.iter().map(|p| term(self, p)).collect::<Result<_, _>>()?;
            let graphs = pom.graphs.iter().map(|g| term(self, g)).collect::<Result<_, _>>()?;
            let objects = pom.objects.iter().map(|o| self.object(index, o)).collect::<Result<_, _>>()?;
            predicate_object_maps.push(PredicateObjectPlan { predicates, objects, graphs });
        }
        Ok(MapPlan {
            name: map.name.clone(),
            file: map.file.clone(),
            source,
            subject,
            classes: map.classes.clone(),
            subject_graphs,
            predicate_object_maps,
        })
    }

    fn object(&mut self, child: usize, object: &ObjectMap) -> Result<ObjectPlan, MappingError> {
        let (parent, joins, targets) = match object {
            ObjectMap::Term(term) => return Ok(ObjectPlan::Term(self.term(child, term)?)),
            ObjectMap::Parent { parent, joins, targets } => (*parent, joins, targets.clone()),
        };
        let same_source = self.source_of_map[child] == self.source_of_map[parent];
        if joins.is_empty() && same_source {
            return Ok(ObjectPlan::SameRow { parent, targets });
        }
        let child_keys = joins.iter().map(|j| self.term(child, &j.child)).collect::<Result<Vec<_>, _>>()?;
        let parent_keys = joins.iter().map(|j| self.term(parent, &j.parent)).collect::<Result<Vec<_>, _>>()?;
        let key_text = format!("{:?}", joins.iter().map(|j| format!("{:?}", j.parent.value)).collect::<Vec<_>>());
        let join = match self.joins.iter().position(|j| j.parent == parent && j.key_text == key_text) {
            Some(existing) => existing,
            None => {
                self.joins.push(JoinPlan { parent, parent_keys, key_text });
                self.joins.len() - 1
            }
        };
        Ok(if joins.is_empty() { ObjectPlan::AllOf { join, targets } } else { ObjectPlan::Join { join, child_keys, targets } })
    }

    fn term(&mut self, map: usize, term: &TermMap) -> Result<TermPlan, MappingError> {
        let value = match &term.value {
            TermValue::Constant(constant) => ValuePlan::Constant(constant.clone()),
            TermValue::Reference(reference) => ValuePlan::Reference(self.expression(map, reference)?),
            TermValue::Template(template) => ValuePlan::Template(template.resolve(|c| self.expression(map, c))?),
            TermValue::FreshBlankNode => {
                self.fresh += 1;
                ValuePlan::Fresh(self.fresh)
            }
            TermValue::Function(call) => {
                let inputs = call
                    .inputs
                    .iter()
                    .map(|(parameter, input)| Ok((parameter.clone(), self.term(map, input)?)))
                    .collect::<Result<_, MappingError>>()?;
                ValuePlan::Function(Box::new(FunctionPlan { function: call.function, inputs }))
            }
        };
        let annotation = |c: &mut Self, a: &Option<Annotation>| -> Result<Option<AnnotationPlan>, MappingError> {
            Ok(match a {
                None => None,
                Some(Annotation::Constant(text)) => Some(AnnotationPlan::Constant(text.clone())),
                Some(Annotation::Map(m)) => Some(AnnotationPlan::Map(Box::new(c.term(map, m)?))),
            })
        };
        let datatype = annotation(self, &term.datatype)?;
        let language = annotation(self, &term.language)?;
        let condition = match &term.condition {
            Some(condition) => Some(Box::new(self.term(map, condition)?)),
            None => None,
        };
        let gather = match &term.gather {
            Some(gather) => {
                let members = gather.members.iter().map(|m| self.term(map, m)).collect::<Result<_, _>>()?;
                self.fresh += 1;
                Some(Box::new(GatherPlan {
                    members,
                    kind: gather.kind,
                    cartesian: gather.cartesian,
                    allow_empty: gather.allow_empty,
                    id: self.fresh,
                }))
            }
            None => None,
        };
        let source = &self.sources[self.source_of_map[map]].source;
        let cells_only = |e: &Expression| matches!(e, Expression::Column(_));
        let single_valued = source.nulls.is_empty()
            && condition.is_none()
            && gather.is_none()
            && !matches!(datatype, Some(AnnotationPlan::Map(_)))
            && !matches!(language, Some(AnnotationPlan::Map(_)))
            && match &value {
                ValuePlan::Constant(_) | ValuePlan::Fresh(_) => true,
                ValuePlan::Reference(e) => cells_only(e),
                ValuePlan::Template(t) => t.columns().all(cells_only),
                ValuePlan::Function(_) => false,
            };
        let always_valid_iri = match &value {
            ValuePlan::Template(template) => term.term_type == TermType::Iri && always_valid_iri(template),
            _ => false,
        };
        Ok(TermPlan {
            value,
            term_type: term.term_type,
            datatype,
            language,
            base_iri: self.mapping.triples_maps[map].base_iri.clone(),
            columns: term.columns().join(", "),
            always_valid_iri,
            single_valued,
            nulls: source.nulls.clone(),
            targets: term.targets.clone(),
            condition,
            gather,
        })
    }

    /// A reference compiled for its source's format: a CSV column (which
    /// must be in the header), a JSONPath or an XPath expression.
    fn expression(&self, map: usize, reference: &str) -> Result<Expression, MappingError> {
        let source = &self.sources[self.source_of_map[map]];
        let triples_map = &self.mapping.triples_maps[map];
        let error = |problem: String| MappingError::new(&triples_map.file, Some(&triples_map.name), problem);
        match source.source.format {
            Format::Csv { .. } => self.column(map, reference).map(Expression::Column),
            Format::Json => source::json::JsonPath::compile(reference).map(Expression::Json).map_err(error),
            Format::Xml => source::xml::XPath::compile(reference).map(Expression::Xml).map_err(error),
        }
    }

    fn column(&self, map: usize, name: &str) -> Result<usize, MappingError> {
        let source = &self.sources[self.source_of_map[map]];
        if let Some(index) = source.columns.iter().position(|c| c == name) {
            return Ok(index);
        }
        let triples_map = &self.mapping.triples_maps[map];
        let mut problem = format!(
            "column {name:?} is not in {} (its columns: {})",
            source.source.path.display(),
            source.columns.join(", ")
        );
        if let Some(near) = crate::suggest::nearest(name, source.columns.iter().map(String::as_str)) {
            problem.push_str(&format!("; did you mean {near:?}?"));
        }
        Err(MappingError::new(&triples_map.file, Some(&triples_map.name), problem))
    }
}

/// Whether every expansion of an IRI template is a valid absolute IRI: its
/// leading text is an absolute IRI that already reaches the path (so no cell
/// lands in the scheme, host or port), and the template with each column
/// replaced by `x` is valid. Cells are IRI-safe encoded (iunreserved
/// characters and `%XX` only), which the path, query and fragment all accept
/// wherever an `x` is, and an empty cell produces no term at all.
///
/// ```
/// use factgraph_rml::mapping::plan::always_valid_iri;
/// use factgraph_rml::mapping::template::{Template, TemplatePart::*};
/// let template = |parts| Template { parts };
/// assert!(always_valid_iri(&template(vec![Text("http://example.org/org/".into()), Column(0)])));
/// assert!(!always_valid_iri(&template(vec![Text("http://".into()), Column(0), Text("/x".into())])));
/// assert!(!always_valid_iri(&template(vec![Column(0)])));
/// assert!(!always_valid_iri(&template(vec![Text("http://example.org/".into()), Column(0), Text(" x".into())])));
/// ```
pub fn always_valid_iri<C>(template: &Template<C>) -> bool {
    let Some(TemplatePart::Text(prefix)) = template.parts.first() else { return false };
    let (Ok(prefix_iri), Ok(extended)) = (Iri::parse(prefix.as_str()), Iri::parse(format!("{prefix}x"))) else {
        return false;
    };
    let mut sample = String::new();
    for part in &template.parts {
        match part {
            TemplatePart::Text(text) => sample.push_str(text),
            TemplatePart::Column(_) => sample.push('x'),
        }
    }
    prefix_iri.authority() == extended.authority() && Iri::parse(sample).is_ok()
}
