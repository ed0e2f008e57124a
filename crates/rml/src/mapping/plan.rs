//! Compiles a [`Mapping`] against the headers of its CSV files into a [`Plan`]:
//! column names become indexes and constants become ready-made terms, so that
//! running the plan does no lookups per row.

use super::model::*;
use super::template::{Template, TemplatePart};
use crate::problem::{Problem, ProblemKind};
use crate::source;
use crate::Error;
use oxiri::Iri;
use oxrdf::{NamedNode, Term};
use std::path::PathBuf;

/// What runs: one entry per CSV file, each with the triples maps that read it.
#[derive(Debug)]
pub struct Plan {
    pub sources: Vec<SourcePlan>,
    pub maps: Vec<MapPlan>,
    /// Parent tables to build before mapping, one per referencing object map
    /// with join conditions.
    pub joins: Vec<JoinPlan>,
}

#[derive(Debug)]
pub struct SourcePlan {
    pub source: LogicalSource,
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
    /// The parent's subject generated from the same row (same source, no join).
    SameRow {
        parent: usize,
    },
    /// Every parent subject whose join key equals these child columns' values.
    Join {
        join: usize,
        child_columns: Vec<usize>,
    },
    /// The subjects of every parent row (no join condition, another source).
    AllOf {
        join: usize,
    },
}

#[derive(Debug)]
pub struct JoinPlan {
    pub parent: usize,
    pub parent_columns: Vec<usize>,
}

#[derive(Debug)]
pub struct TermPlan {
    pub value: ValuePlan,
    pub term_type: TermType,
    pub datatype: Option<NamedNode>,
    pub language: Option<String>,
    pub base_iri: Option<String>,
    /// The column(s) the value comes from, for messages; empty for constants.
    pub columns: String,
    /// Every expansion of this IRI template is a valid absolute IRI, so rows
    /// need no IRI parse (see [`always_valid_iri`]).
    pub always_valid_iri: bool,
}

#[derive(Debug)]
pub enum ValuePlan {
    Constant(Term),
    Column(usize),
    Template(Template<usize>),
    /// A new blank node per row; the number tells term maps apart.
    Fresh(usize),
}

impl Plan {
    /// Reads the header of every CSV file the mapping names and compiles
    /// the mapping against them.
    pub fn compile(mapping: &Mapping) -> Result<Self, Error> {
        let mut problems = Vec::new();
        let mut sources: Vec<SourcePlan> = Vec::new();
        let mut source_of_map = Vec::new();
        for map in &mapping.triples_maps {
            let index = match sources.iter().position(|s| s.source == map.source) {
                Some(index) => index,
                None => {
                    let columns = match source::open(&map.source) {
                        Ok(file) => Some(file.fields().to_vec()),
                        Err(e) => {
                            let message = format!(
                                "{} (the source of triples map {} in {})",
                                e.problem,
                                map.name,
                                map.file.display()
                            );
                            let problem = Problem::new(ProblemKind::Csv, &e.file, message);
                            problems.push(if let Some(line) = e.line { problem.at_line(line) } else { problem });
                            None
                        }
                    };
                    sources.push(SourcePlan {
                        source: map.source.clone(),
                        columns: columns.unwrap_or_default(),
                        maps: Vec::new(),
                    });
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
        Ok(Self { sources, maps, joins })
    }
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
        let (parent, joins) = match object {
            ObjectMap::Term(term) => return Ok(ObjectPlan::Term(self.term(child, term)?)),
            ObjectMap::Parent { parent, joins } => (*parent, joins),
        };
        let same_source = self.source_of_map[child] == self.source_of_map[parent];
        if joins.is_empty() && same_source {
            return Ok(ObjectPlan::SameRow { parent });
        }
        let child_columns = joins.iter().map(|j| self.column(child, &j.child)).collect::<Result<Vec<_>, _>>()?;
        let parent_columns = joins.iter().map(|j| self.column(parent, &j.parent)).collect::<Result<Vec<_>, _>>()?;
        let join = match self.joins.iter().position(|j| j.parent == parent && j.parent_columns == parent_columns) {
            Some(existing) => existing,
            None => {
                self.joins.push(JoinPlan { parent, parent_columns });
                self.joins.len() - 1
            }
        };
        Ok(if joins.is_empty() { ObjectPlan::AllOf { join } } else { ObjectPlan::Join { join, child_columns } })
    }

    fn term(&mut self, map: usize, term: &TermMap) -> Result<TermPlan, MappingError> {
        let value = match &term.value {
            TermValue::Constant(constant) => ValuePlan::Constant(constant.clone()),
            TermValue::Reference(column) => ValuePlan::Column(self.column(map, column)?),
            TermValue::Template(template) => ValuePlan::Template(template.resolve(|c| self.column(map, c))?),
            TermValue::FreshBlankNode => {
                self.fresh += 1;
                ValuePlan::Fresh(self.fresh)
            }
        };
        let columns = term.columns().join(", ");
        let always_valid_iri = match &value {
            ValuePlan::Template(template) => term.term_type == TermType::Iri && always_valid_iri(template),
            _ => false,
        };
        Ok(TermPlan {
            value,
            term_type: term.term_type,
            datatype: term.datatype.clone(),
            language: term.language.clone(),
            base_iri: self.mapping.triples_maps[map].base_iri.clone(),
            columns,
            always_valid_iri,
        })
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
pub fn always_valid_iri(template: &Template<usize>) -> bool {
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
