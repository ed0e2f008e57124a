//! Compiles a [`Mapping`] against its sources into a [`Plan`]: references
//! become compiled expressions (CSV column indexes, JSONPath, XPath),
//! functions become pointers into the library and constants ready-made
//! terms, so that running the plan does no lookups or parsing per record.
//! Logical views compile here too, into a [`ViewPlan`] of term plans;
//! `view.rs` runs them, so that compiling depends on nothing that runs.

use super::model::*;
use super::template::{Template, TemplatePart};
use crate::functions::Function;
use crate::problem::{Problem, ProblemKind};
use crate::source::{self, Expression, Fields, Format};
use crate::target::TargetSpec;
use crate::Error;
use oxiri::Iri;
use oxrdf::{NamedNode, Term};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

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
    /// The logical view the maps read through, if any.
    pub view: Option<ViewPlan>,
    /// A CSV file's header, or a view's field names; empty for formats
    /// whose references are expressions.
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
    SameRow {
        parent: usize,
        targets: Vec<usize>,
    },
    /// Every parent subject whose join key equals the child's.
    Join {
        join: usize,
        child_keys: Vec<TermPlan>,
        targets: Vec<usize>,
    },
    /// The subjects of every parent record (no join condition, another source).
    AllOf {
        join: usize,
        targets: Vec<usize>,
    },
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
    /// An empty CSV cell stands for "no value" (see [`source::Description::empty_is_null`]).
    pub empty_is_null: bool,
    pub targets: Vec<usize>,
    pub condition: Option<Box<TermPlan>>,
    pub gather: Option<Box<GatherPlan>>,
}

/// A gather map's collection, compiled.
#[derive(Debug)]
pub struct GatherPlan {
    pub members: Vec<ObjectPlan>,
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

/// A logical view, compiled; [`ViewPlan::prepare`] and [`ViewPlan::apply`]
/// run it (`view.rs`).
#[derive(Debug)]
pub struct ViewPlan {
    pub name: String,
    /// The file under the view (through any views below it).
    pub file: source::Description,
    pub base: ViewBasePlan,
    pub fields: Vec<FieldPlan>,
    pub joins: Vec<ViewJoinPlan>,
    /// `#`, every field and index column, then the joined fields.
    pub columns: Vec<String>,
    /// The iterable fields' names: their values are records.
    pub record_fields: Vec<String>,
}

#[derive(Debug)]
pub enum ViewBasePlan {
    /// The records of [`ViewPlan::file`].
    Source,
    View(Box<ViewPlan>),
}

#[derive(Debug)]
pub struct FieldPlan {
    pub column: usize,
    pub index_column: usize,
    pub kind: FieldKindPlan,
    /// How the field's values are read as records for its children.
    pub child_format: Option<Format>,
    pub children: Vec<FieldPlan>,
}

#[derive(Debug)]
pub enum FieldKindPlan {
    Expression(Box<TermPlan>),
    /// One record per selected value; `parse_as` when the field names
    /// another reference formulation than its parent's.
    Iterable {
        iterator: Option<Expression>,
        parse_as: Option<Format>,
    },
}

#[derive(Debug)]
pub struct ViewJoinPlan {
    pub parent: ViewPlan,
    pub child_keys: Vec<TermPlan>,
    pub parent_keys: Vec<TermPlan>,
    /// Fields computed on the parent's records.
    pub fields: Vec<FieldPlan>,
    pub inner: bool,
    /// The parent's joined fields by join key: the one piece of run-time
    /// state in a plan, filled once by [`ViewPlan::prepare`] (`view.rs`)
    /// before the view's records are made, then only read.
    pub(super) table: OnceLock<HashMap<Vec<String>, Vec<Fields>>>,
}

impl ViewJoinPlan {
    pub fn new(
        parent: ViewPlan,
        child_keys: Vec<TermPlan>,
        parent_keys: Vec<TermPlan>,
        fields: Vec<FieldPlan>,
        inner: bool,
    ) -> Self {
        Self { parent, child_keys, parent_keys, fields, inner, table: OnceLock::new() }
    }
}

impl Plan {
    /// Opens every source the mapping names (reading a CSV file's header)
    /// and compiles the mapping against them.
    pub fn compile(mapping: &Mapping) -> Result<Self, Error> {
        let mut problems = Vec::new();
        let mut sources: Vec<SourcePlan> = Vec::new();
        let mut source_of_map = Vec::new();
        for map in &mapping.triples_maps {
            let view_name = map.view.as_ref().map(|v| v.name.as_str());
            let same = |s: &SourcePlan| s.source == map.source && s.view.as_ref().map(|v| v.name.as_str()) == view_name;
            let index = match sources.iter().position(same) {
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
                    let mut plan = SourcePlan { source: map.source.clone(), view: None, columns, maps: Vec::new() };
                    if let Some(view) = &map.view {
                        let mut compiler = Compiler::new(mapping, &[], &[]);
                        compiler.fresh = 1 << 32; // apart from the maps' blank nodes
                        match compiler.view(source_of_map.len(), view) {
                            Ok(view) => {
                                plan.columns = view.columns.clone();
                                plan.view = Some(view);
                            }
                            Err(e) => problems.push(Problem::from(e)),
                        }
                    }
                    sources.push(plan);
                    sources.len() - 1
                }
            };
            sources[index].maps.push(source_of_map.len());
            source_of_map.push(index);
        }
        if !problems.is_empty() {
            return Err(Error::Problems { total: problems.len() as u64, problems });
        }
        let mut compiler = Compiler::new(mapping, &sources, &source_of_map);
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
/// checked when they are compiled. Opening the file also finds one that is
/// missing or unreadable before any record is mapped; a JSON or XML file is
/// only opened here, not parsed (XML would be read whole, for nothing).
fn source_columns(source: &LogicalSource) -> Result<Vec<String>, source::SourceError> {
    if let Some(service) = &source.service {
        // An endpoint is asked once, when the records are read, unless
        // CSV results' header cannot be known from the query (`SELECT *`).
        return match (source.format, source::sparql::projected_variables(&service.query)) {
            (Format::Csv { .. }, Some(variables)) => Ok(variables),
            (Format::Csv { .. }, None) => Ok(source::open(source)?.fields().to_vec()),
            _ => Ok(Vec::new()),
        };
    }
    if !matches!(source.format, Format::Csv { .. } | Format::Table) {
        crate::files::open_input(&source.path, source.compression, source.encoding)?;
        return Ok(Vec::new());
    }
    let file = source::open(source)?;
    Ok(file.fields().to_vec())
}

struct Compiler<'a> {
    mapping: &'a Mapping,
    sources: &'a [SourcePlan],
    source_of_map: &'a [usize],
    joins: Vec<JoinPlan>,
    fresh: usize,
    /// What references refer to, innermost last: a source's records, a
    /// view's fields, or the records a view's field iterates over.
    scopes: Vec<Scope>,
    /// Where the term map being compiled is written (YARRRML), for errors.
    position: Option<Position>,
}

/// What the references of a term map refer to.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    /// `None` for a view's fields, found by name.
    pub format: Option<Format>,
    /// A CSV header or a view's field names.
    pub columns: Vec<String>,
    pub nulls: Vec<String>,
    /// XML namespaces for XPath expressions.
    pub namespaces: Vec<(String, String)>,
    /// A view's iterable fields: records, not values; only their fields and
    /// index may be referenced (RMLLVTC0005c).
    pub record_fields: Vec<String>,
    pub empty_is_null: bool,
    /// The file, for messages.
    pub file: PathBuf,
}

impl Scope {
    fn of_fields(columns: &[String], record_fields: &[String], file: &std::path::Path) -> Self {
        Self {
            format: None,
            columns: columns.to_vec(),
            nulls: Vec::new(),
            namespaces: Vec::new(),
            record_fields: record_fields.to_vec(),
            empty_is_null: true,
            file: file.to_owned(),
        }
    }

    fn of_source(source: &LogicalSource, columns: Vec<String>) -> Self {
        Self {
            format: Some(source.format),
            columns,
            nulls: source.nulls.clone(),
            namespaces: source.namespaces.clone(),
            record_fields: Vec::new(),
            empty_is_null: source.empty_is_null,
            file: source.path.clone(),
        }
    }
}

impl<'a> Compiler<'a> {
    fn new(mapping: &'a Mapping, sources: &'a [SourcePlan], source_of_map: &'a [usize]) -> Self {
        Self { mapping, sources, source_of_map, joins: Vec::new(), fresh: 0, scopes: Vec::new(), position: None }
    }

    fn source_scope(&self, map: usize) -> Scope {
        let source = &self.sources[self.source_of_map[map]];
        match &source.view {
            Some(view) => Scope::of_fields(&view.columns, &view.record_fields, &source.source.path),
            None => Scope::of_source(&source.source, source.columns.clone()),
        }
    }

    fn in_scope<T>(&mut self, scope: Scope, compile: impl FnOnce(&mut Self) -> T) -> T {
        self.scopes.push(scope);
        let compiled = compile(self);
        self.scopes.pop();
        compiled
    }

    fn scope(&self) -> &Scope {
        self.scopes.last().expect("term maps compile in a scope")
    }

    fn map(&mut self, index: usize, map: &TriplesMap) -> Result<MapPlan, MappingError> {
        let scope = self.source_scope(index);
        self.position = map.position;
        self.in_scope(scope, |c| c.map_in_scope(index, map))
    }

    fn map_in_scope(&mut self, index: usize, map: &TriplesMap) -> Result<MapPlan, MappingError> {
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
        let parent_scope = self.source_scope(parent);
        let parent_keys = self.in_scope(parent_scope, |c| {
            joins.iter().map(|j| c.term(parent, &j.parent)).collect::<Result<Vec<_>, _>>()
        })?;
        let key_text = format!("{:?}", joins.iter().map(|j| format!("{:?}", j.parent.value)).collect::<Vec<_>>());
        let join = match self.joins.iter().position(|j| j.parent == parent && j.key_text == key_text) {
            Some(existing) => existing,
            None => {
                self.joins.push(JoinPlan { parent, parent_keys, key_text });
                self.joins.len() - 1
            }
        };
        Ok(if joins.is_empty() {
            ObjectPlan::AllOf { join, targets }
        } else {
            ObjectPlan::Join { join, child_keys, targets }
        })
    }

    fn term(&mut self, map: usize, term: &TermMap) -> Result<TermPlan, MappingError> {
        let around = self.position;
        self.position = term.position.or(around);
        let plan = self.term_here(map, term);
        self.position = around;
        plan
    }

    fn term_here(&mut self, map: usize, term: &TermMap) -> Result<TermPlan, MappingError> {
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
                let members = gather.members.iter().map(|m| self.object(map, m)).collect::<Result<_, _>>()?;
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
        let nulls = self.scope().nulls.clone();
        let empty_is_null = self.scope().empty_is_null;
        let cells_only = |e: &Expression| matches!(e, Expression::Column(_));
        let single_valued = nulls.is_empty()
            && empty_is_null
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
            nulls,
            empty_is_null,
            targets: term.targets.clone(),
            condition,
            gather,
        })
    }

    /// A reference compiled for its source's format: a CSV column (which
    /// must be in the header), a JSONPath or an XPath expression.
    fn expression(&self, map: usize, reference: &str) -> Result<Expression, MappingError> {
        let triples_map = &self.mapping.triples_maps[map];
        let position = self.position;
        let error =
            |problem: String| MappingError::new(&triples_map.file, Some(&triples_map.name), problem).at(position);
        match self.scope().format {
            Some(Format::Csv { .. }) => self.column(map, reference, "column").map(Expression::Column),
            Some(Format::Table) => self.table_column(map, reference).map(Expression::Field),
            None => self.column(map, reference, "field").map(Expression::Field),
            Some(Format::Json) => compile_json_path(reference).map(Expression::Json).map_err(error),
            Some(Format::Xml) => source::xml::XPath::compile_with_namespaces(reference, &self.scope().namespaces)
                .map(Expression::Xml)
                .map_err(error),
        }
    }

    /// A table's column as SQL resolves an identifier: a delimited one
    /// (`"Name"`) exactly; a plain one (`name`) exactly, else regardless of
    /// case, as SQLite and MySQL compare column names and as PostgreSQL
    /// folds plain identifiers (`DateOfBirth` is its column `dateofbirth`).
    fn table_column(&self, map: usize, reference: &str) -> Result<usize, MappingError> {
        let name = unquote_identifier(reference);
        if name == reference {
            let columns = &self.scope().columns;
            if !columns.iter().any(|c| c == name) {
                let mut alike = columns.iter().enumerate().filter(|(_, c)| c.eq_ignore_ascii_case(name));
                if let (Some((index, _)), None) = (alike.next(), alike.next()) {
                    return Ok(index);
                }
            }
        }
        self.column(map, name, "column")
    }

    fn column(&self, map: usize, name: &str, what: &str) -> Result<usize, MappingError> {
        let scope = self.scope();
        if scope.record_fields.iter().any(|f| f == name) {
            return Err(self.map_error(
                map,
                format!("field {name:?} is an iterable field, whose values are records: reference its fields ({name}.…) or its index ({name}.#)"),
            ));
        }
        if let Some(index) = scope.columns.iter().position(|c| c == name) {
            return Ok(index);
        }
        let triples_map = &self.mapping.triples_maps[map];
        let mut problem =
            format!("{what} {name:?} is not in {} (its {what}s: {})", scope.file.display(), scope.columns.join(", "));
        if let Some(near) = crate::suggest::nearest(name, scope.columns.iter().map(String::as_str)) {
            problem.push_str(&format!("; did you mean {near:?}?"));
        }
        Err(MappingError::new(&triples_map.file, Some(&triples_map.name), problem).at(self.position))
    }
}

/// A column as R2RML names it, an SQL identifier: `"Name"` (delimited,
/// as written) is the column `Name`.
fn unquote_identifier(name: &str) -> &str {
    match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(inner) if !inner.is_empty() && !inner.contains('"') => inner,
        _ => name,
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

impl Compiler<'_> {
    /// Compiles a logical view: its base, its fields (in the base's scope)
    /// and its joins (keys in the view's and the parent's field scopes).
    fn view(&mut self, map: usize, view: &View) -> Result<ViewPlan, MappingError> {
        let (base, base_scope) = match &view.on {
            ViewBase::Source(source) => {
                let columns = source_columns(source).map_err(|e| self.map_error(map, e.to_string()))?;
                (ViewBasePlan::Source, Scope::of_source(source, columns))
            }
            ViewBase::View(inner) => {
                let inner = self.view(map, inner)?;
                let scope = Scope::of_fields(&inner.columns, &inner.record_fields, &view.file().path);
                (ViewBasePlan::View(Box::new(inner)), scope)
            }
        };
        let mut columns = vec!["#".to_owned()];
        let fields = self.fields(map, &view.fields, "", base_scope, &mut columns)?;
        let mut joins = Vec::new();
        for join in &view.joins {
            let parent = self.view(map, &join.parent)?;
            let child_scope = Scope::of_fields(&columns, &record_fields(&fields, &columns), &view.file().path);
            let parent_scope = Scope::of_fields(&parent.columns, &parent.record_fields, &view.file().path);
            let child_keys = self.in_scope(child_scope, |c| {
                join.conditions.iter().map(|j| c.term(map, &j.child)).collect::<Result<Vec<_>, _>>()
            })?;
            let parent_keys = self.in_scope(parent_scope.clone(), |c| {
                join.conditions.iter().map(|j| c.term(map, &j.parent)).collect::<Result<Vec<_>, _>>()
            })?;
            let join_fields = self.fields(map, &join.fields, "", parent_scope, &mut columns)?;
            joins.push(ViewJoinPlan::new(parent, child_keys, parent_keys, join_fields, join.inner));
        }
        let record_fields = record_fields(&fields, &columns);
        Ok(ViewPlan { name: view.name.clone(), file: view.file().clone(), base, fields, joins, columns, record_fields })
    }

    /// Compiles fields in `scope`, naming their columns `prefix` + name
    /// (and `…name.#` for their index).
    fn fields(
        &mut self,
        map: usize,
        fields: &[Field],
        prefix: &str,
        scope: Scope,
        columns: &mut Vec<String>,
    ) -> Result<Vec<FieldPlan>, MappingError> {
        let mut plans = Vec::new();
        for field in fields {
            let name = format!("{prefix}{}", field.name);
            columns.push(name.clone());
            let column = columns.len() - 1;
            columns.push(format!("{name}.#"));
            let index_column = columns.len() - 1;
            let (kind, child_format) = match &field.value {
                FieldValue::Expression(term) => {
                    let term = self.in_scope(scope.clone(), |c| c.term(map, term))?;
                    (FieldKindPlan::Expression(Box::new(term)), scope.format)
                }
                FieldValue::Iterable { iterator, format } => {
                    let mut format = format.or(scope.format);
                    let mut iterator = iterator.clone();
                    // CSV text in a value (RMLLVTC0007c): its header is only
                    // known per value, so it is read as JSON rows (view.rs's
                    // `parse`), iterated with `$[*]`, its columns as members.
                    if matches!(format, Some(Format::Csv { .. })) && scope.columns.is_empty() {
                        format = Some(Format::Json);
                        iterator = Some(iterator.unwrap_or_else(|| "$[*]".to_owned()));
                    }
                    let iterator_scope = Scope { format, ..scope.clone() };
                    let iterator = match &iterator {
                        Some(text) => Some(self.in_scope(iterator_scope, |c| c.expression(map, text))?),
                        None => None,
                    };
                    let switch = (format != scope.format).then_some(format).flatten();
                    (FieldKindPlan::Iterable { iterator, parse_as: switch }, format)
                }
            };
            // Children read the field's values as records, in the field's own
            // reference formulation when it names one.
            let child_format = field
                .children
                .iter()
                .find_map(|c| match &c.value {
                    FieldValue::Iterable { format: Some(format), .. } => Some(*format),
                    _ => None,
                })
                .or(child_format);
            let child_scope = Scope { format: child_format, columns: Vec::new(), ..scope.clone() };
            let children = self.fields(map, &field.children, &format!("{name}."), child_scope, columns)?;
            plans.push(FieldPlan { column, index_column, kind, child_format, children });
        }
        Ok(plans)
    }

    fn map_error(&self, map: usize, problem: String) -> MappingError {
        let triples_map = &self.mapping.triples_maps[map];
        MappingError::new(&triples_map.file, Some(&triples_map.name), problem)
            .at(self.position.or(triples_map.position))
    }
}

/// A JSONPath as RFC 9535 writes it; a bare member path (`name`, `a.b`), as
/// legacy RML mappings and some RML-IO cases write references, is read as
/// relative to the record (`$.name`), since it cannot mean anything else.
fn compile_json_path(reference: &str) -> Result<source::json::JsonPath, String> {
    match source::json::JsonPath::compile(reference) {
        Ok(path) => Ok(path),
        Err(error) if !reference.starts_with(['$', '@']) => {
            source::json::JsonPath::compile(&format!("$.{reference}")).map_err(|_| error)
        }
        Err(error) => Err(error),
    }
}

/// The names of the iterable fields among `fields` and their children.
fn record_fields(fields: &[FieldPlan], columns: &[String]) -> Vec<String> {
    let mut names = Vec::new();
    for field in fields {
        if matches!(field.kind, FieldKindPlan::Iterable { .. }) {
            names.push(columns[field.column].clone());
        }
        names.extend(record_fields(&field.children, columns));
    }
    names
}
