//! Term maps at work: the terms a [`TermPlan`] generates from one record.
//!
//! Two paths. A CSV cell or a template of cells gives one value or none per
//! record; [`TermPlan::generate`] builds that term straight from the cells,
//! with no lists, because a build maps tens of millions of them. Everything
//! else (JSON and XML references with several values, functions, datatype
//! and language maps, conditions) goes through [`TermPlan::generate_all`],
//! which builds the list of values first (RML-Core: a reference gives a list,
//! a template the cartesian product of its references' lists).
//!
//! The join keys of a record ([`join_keys`]) are made here too: they are
//! the lexical forms of key term maps, used alike by the referencing object
//! maps of `execute.rs` and the view joins of `view.rs`.

use super::datatypes::check_lexical_form;
use super::model::{CollectionKind, TermType};
use super::plan::{AnnotationPlan, ObjectPlan, TermPlan, ValuePlan};
use crate::functions::Arguments;
use crate::problem::ProblemKind;
use crate::source::{Expression, Record, Row, Value};
use oxiri::Iri;
use oxrdf::vocab::rdf;
use oxrdf::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use std::fmt::Write as _;

/// Why a value could not become a term.
pub(crate) type TermError = (ProblemKind, String);

use crate::source::xsd;

pub(crate) fn cell(row: &Row, column: usize) -> &str {
    row.record.cell(column).unwrap_or("")
}

fn cell_of<'r>(row: &'r Row, expression: &Expression) -> &'r str {
    match expression {
        Expression::Column(column) => cell(row, *column),
        _ => "",
    }
}

impl TermPlan {
    /// Every term for one record, appended to `out`. On a value that cannot
    /// form a term, the others are still appended and the first error returned.
    pub(crate) fn generate_all(&self, row: &Row, scratch: &mut String, out: &mut Vec<Term>) -> Result<(), TermError> {
        if self.is_one_cell(row) {
            out.extend(self.generate(row, scratch)?);
            return Ok(());
        }
        if let Some(condition) = &self.condition {
            if !condition.holds(row, scratch)? {
                return Ok(());
            }
        }
        match &self.value {
            ValuePlan::Constant(term) => {
                out.push(term.clone());
                return Ok(());
            }
            ValuePlan::Fresh(id) => {
                out.push(BlankNode::new_unchecked(format!("f{id}{}", row.label())).into());
                return Ok(());
            }
            _ => {}
        }
        if let Some(done) = self.generate_from_fields(row, scratch, out) {
            return done;
        }
        let mut first_error = None;
        for value in self.values(row, scratch)? {
            match self.term_from(&value, row, scratch) {
                Ok(Some(term)) => out.push(term),
                Ok(None) => {}
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// The term for one CSV record: `Ok(None)` when a value is empty (no
    /// triple, as for NULL in R2RML), `Err` when a value cannot form the term.
    pub(crate) fn generate(&self, row: &Row, scratch: &mut String) -> Result<Option<Term>, TermError> {
        let text: &str = match &self.value {
            ValuePlan::Constant(term) => return Ok(Some(term.clone())),
            ValuePlan::Fresh(id) => return Ok(Some(fresh_blank_node(*id, row).into())),
            ValuePlan::Reference(expression) => cell_of(row, expression),
            ValuePlan::Template(template) => {
                if template.expand(|e| cell_of(row, e), self.term_type.escape(), scratch).is_none() {
                    return Ok(None);
                }
                scratch
            }
            ValuePlan::Function(_) => return Ok(None), // never single-valued
        };
        if text.is_empty() {
            return Ok(None);
        }
        match self.term_type {
            TermType::Iri if self.always_valid_iri => Ok(Some(NamedNode::new_unchecked(text).into())),
            TermType::Iri | TermType::Uri | TermType::UnsafeIri => self.iri(text).map(|n| Some(n.into())),
            TermType::BlankNode => Ok(Some(blank_node(text).into())),
            TermType::Literal => match (&self.datatype, &self.language) {
                (None, None) => Ok(Some(Literal::new_simple_literal(text).into())),
                // Checked and lower-cased when the mapping was read.
                (None, Some(AnnotationPlan::Constant(tag))) => {
                    Ok(Some(Literal::new_language_tagged_literal_unchecked(text, tag.as_str()).into()))
                }
                _ => self.literal(text, None, row, &mut String::new()).map(|l| Some(l.into())),
            },
        }
    }

    /// Whether a condition (`rml:condition`) gives `true` for the record.
    fn holds(&self, row: &Row, scratch: &mut String) -> Result<bool, TermError> {
        let mut terms = Vec::new();
        self.generate_all(row, scratch, &mut terms)?;
        Ok(terms.iter().any(|term| lexical(term) == "true"))
    }

    /// The values of a reference, template or function for the record, nulls
    /// left out.
    fn values(&self, row: &Row, scratch: &mut String) -> Result<Vec<Value>, TermError> {
        Ok(match &self.value {
            ValuePlan::Reference(expression) => self.reference_values(expression, row)?,
            ValuePlan::Template(template) => {
                let mut lists: Vec<Vec<String>> = Vec::new();
                for expression in template.columns() {
                    lists.push(self.reference_values(expression, row)?.into_iter().map(|v| v.text).collect());
                }
                template.expand_all(&lists, self.term_type.escape()).into_iter().map(Value::plain).collect()
            }
            ValuePlan::Function(call) => {
                let mut arguments = Arguments::default();
                for (parameter, input) in &call.inputs {
                    let mut terms = Vec::new();
                    input.generate_all(row, scratch, &mut terms)?;
                    arguments.values.push((parameter.as_str(), terms.iter().map(value_of_term).collect()));
                }
                (call.function.call)(&arguments).map_err(|e| {
                    (ProblemKind::Mapping, format!("function {} cannot run on this record: {e}", call.function.iri))
                })?
            }
            ValuePlan::Constant(_) | ValuePlan::Fresh(_) => Vec::new(),
        })
    }

    fn reference_values(&self, expression: &Expression, row: &Row) -> Result<Vec<Value>, TermError> {
        let mut values = Vec::new();
        expression.evaluate_checked(&row.record, &mut values).map_err(|e| (ProblemKind::InvalidLiteral, e))?;
        let empty_is_null = self.empty_is_null && matches!(row.record, Record::Csv(_));
        let is_null = |v: &Value| (empty_is_null && v.text.is_empty()) || self.nulls.contains(&v.text);
        values.retain(|v| !is_null(v));
        Ok(values)
    }

    /// [`TermPlan::generate_all`] for a table's or a view's row, when the
    /// term map is a reference to a field or a template of fields with one
    /// value each (the usual row of a database, spreadsheet or Parquet
    /// file): terms made straight from the row's values, without copying
    /// them into lists first. `None` when the term map or row is not such.
    fn generate_from_fields(
        &self,
        row: &Row,
        scratch: &mut String,
        out: &mut Vec<Term>,
    ) -> Option<Result<(), TermError>> {
        let Record::Fields(fields) = &row.record else { return None };
        let field = |expression: &Expression| match expression {
            Expression::Field(index) => fields.get(*index).map(Vec::as_slice),
            _ => None,
        };
        match &self.value {
            ValuePlan::Reference(expression) => {
                let mut first_error = None;
                for value in field(expression)?.iter().filter(|v| !self.nulls.contains(&v.text)) {
                    match self.term_from(value, row, scratch) {
                        Ok(term) => out.extend(term),
                        Err(error) => {
                            first_error.get_or_insert(error);
                        }
                    }
                }
                Some(first_error.map_or(Ok(()), Err))
            }
            ValuePlan::Template(template) => {
                // Each reference with exactly one value that is not null:
                // one expansion, as the cartesian product would give.
                let single = |e: &Expression| match field(e) {
                    Some([value]) if !self.nulls.contains(&value.text) => Some(value.text.as_str()),
                    _ => None,
                };
                if template.columns().any(|e| single(e).is_none()) {
                    return None;
                }
                let mut text = std::mem::take(scratch);
                template.expand_keeping_empty(|e| single(e).unwrap_or(""), self.term_type.escape(), &mut text);
                // As for a CSV row's template: no parse when no value is empty.
                let result = if self.term_type == TermType::Iri
                    && self.always_valid_iri
                    && template.columns().all(|e| single(e).is_some_and(|v| !v.is_empty()))
                {
                    Ok(Some(NamedNode::new_unchecked(text.as_str()).into()))
                } else {
                    self.term_from_text(&text, None, row, scratch)
                };
                *scratch = text;
                Some(result.map(|term| out.extend(term)))
            }
            _ => None,
        }
    }

    /// The term a value forms under this term map's term type.
    fn term_from(&self, value: &Value, row: &Row, scratch: &mut String) -> Result<Option<Term>, TermError> {
        self.term_from_text(&value.text, value.datatype, row, scratch)
    }

    /// [`TermPlan::term_from`] for a value's text and natural datatype.
    fn term_from_text(
        &self,
        text: &str,
        datatype: Option<&'static str>,
        row: &Row,
        scratch: &mut String,
    ) -> Result<Option<Term>, TermError> {
        match self.term_type {
            TermType::Iri | TermType::Uri | TermType::UnsafeIri if text.is_empty() => Ok(None),
            TermType::Iri | TermType::Uri | TermType::UnsafeIri => self.iri(text).map(|n| Some(n.into())),
            TermType::BlankNode if text.is_empty() => Ok(None),
            TermType::BlankNode => Ok(Some(blank_node(text).into())),
            TermType::Literal => {
                let natural = match self.value {
                    ValuePlan::Reference(_) | ValuePlan::Function(_) => datatype,
                    _ => None,
                };
                self.literal(text, natural, row, scratch).map(|l| Some(l.into()))
            }
        }
    }

    /// An IRI from generated text: absolute as it is, or the base IRI put in
    /// front (R2RML concatenates; it does not resolve `..`).
    pub(crate) fn iri(&self, text: &str) -> Result<NamedNode, TermError> {
        // A URI is an IRI of ASCII characters only (RFC 3987, 3.1).
        let valid = |text: &str| Iri::parse(text).is_ok() && (self.term_type != TermType::Uri || text.is_ascii());
        if valid(text) {
            return Ok(NamedNode::new_unchecked(text));
        }
        if self.term_type == TermType::UnsafeIri && text.contains(':') {
            return Ok(NamedNode::new_unchecked(text));
        }
        let Some(base) = &self.base_iri else {
            let message = format!("{text:?} is not an absolute IRI, and no base IRI is set (add @base to the mapping or base_iri to factgraph.toml)");
            return Err((ProblemKind::InvalidIri, message));
        };
        let joined = format!("{base}{text}");
        if self.term_type == TermType::Uri && !joined.is_ascii() {
            let message = format!("{text:?} has characters a URI cannot hold (rml:URI); use rml:IRI, or a template, which percent-encodes them");
            return Err((ProblemKind::InvalidIri, message));
        }
        match Iri::parse(joined.as_str()) {
            Ok(_) => Ok(NamedNode::new_unchecked(joined)),
            Err(_) if self.term_type == TermType::UnsafeIri => Ok(NamedNode::new_unchecked(joined)),
            Err(e) => Err((ProblemKind::InvalidIri, format!("{text:?} does not form a valid IRI ({e})"))),
        }
    }

    /// Whether a value this term map reads is empty in a CSV row.
    pub(crate) fn value_is_empty(&self, row: &Row) -> bool {
        match &self.value {
            ValuePlan::Reference(expression) => cell_of(row, expression).is_empty(),
            ValuePlan::Template(template) => template.columns().any(|e| cell_of(row, e).is_empty()),
            ValuePlan::Constant(_) | ValuePlan::Fresh(_) | ValuePlan::Function(_) => false,
        }
    }

    /// A literal with the term map's datatype or language (constant or
    /// computed for the record), else the value's natural datatype.
    fn literal(
        &self,
        text: &str,
        natural: Option<&'static str>,
        row: &Row,
        scratch: &mut String,
    ) -> Result<Literal, TermError> {
        match &self.datatype {
            Some(AnnotationPlan::Constant(datatype)) => {
                // A number given another numeric datatype takes that datatype's
                // canonical form (RML-Core 11.1): 33 as xsd:double is "3.3E1".
                let canonical = match (natural, datatype.as_str()) {
                    (Some(_), xsd::DOUBLE) => text.parse::<f64>().ok().map(crate::source::json::canonical_double),
                    _ => None,
                };
                let text = canonical.as_deref().unwrap_or(text);
                check_lexical_form(text, datatype).map_err(|e| (ProblemKind::InvalidLiteral, e))?;
                return Ok(Literal::new_typed_literal(text, NamedNode::new_unchecked(datatype.as_str())));
            }
            Some(AnnotationPlan::Map(map)) => {
                if let Some(datatype) = map.first_value(row, scratch)? {
                    check_lexical_form(text, &datatype).map_err(|e| (ProblemKind::InvalidLiteral, e))?;
                    let datatype = NamedNode::new(datatype.as_str())
                        .map_err(|e| (ProblemKind::InvalidIri, format!("datatype {datatype:?} is not an IRI: {e}")))?;
                    return Ok(Literal::new_typed_literal(text, datatype));
                }
            }
            None => {}
        }
        match &self.language {
            // Checked and lower-cased when the mapping was read.
            Some(AnnotationPlan::Constant(tag)) => {
                return Ok(Literal::new_language_tagged_literal_unchecked(text, tag.as_str()));
            }
            Some(AnnotationPlan::Map(map)) => {
                if let Some(language) = map.first_value(row, scratch)? {
                    crate::mapping::check_language_tag(&language).map_err(|e| (ProblemKind::InvalidLiteral, e))?;
                    return Ok(Literal::new_language_tagged_literal_unchecked(text, language.to_ascii_lowercase()));
                }
            }
            None => {}
        }
        match natural.filter(|datatype| *datatype != xsd::STRING) {
            Some(datatype) => Ok(Literal::new_typed_literal(text, NamedNode::new_unchecked(datatype))),
            None => Ok(Literal::new_simple_literal(text)),
        }
    }

    /// The text of the first term a datatype or language map gives for the
    /// record.
    fn first_value(&self, row: &Row, scratch: &mut String) -> Result<Option<String>, TermError> {
        let mut terms = Vec::new();
        self.generate_all(row, scratch, &mut terms)?;
        Ok(terms.first().map(|t| lexical(t).to_owned()))
    }

    /// A CSV cell or a template of cells: one term or none, built straight
    /// from the row by [`TermPlan::generate`].
    #[inline]
    pub(crate) fn is_one_cell(&self, row: &Row) -> bool {
        self.single_valued && matches!(row.record, Record::Csv(_))
    }
}

/// A new blank node for a record and a term map with no value; out of line,
/// to keep [`TermPlan::generate`] small.
#[inline(never)]
fn fresh_blank_node(id: usize, row: &Row) -> BlankNode {
    BlankNode::new_unchecked(format!("f{id}{}", row.label()))
}

/// A term's text as a function argument or join key: an IRI, a literal's
/// lexical form, a blank node's label.
pub(crate) fn lexical(term: &Term) -> &str {
    match term {
        Term::NamedNode(n) => n.as_str(),
        Term::BlankNode(b) => b.as_str(),
        Term::Literal(l) => l.value(),
        #[allow(unreachable_patterns)]
        _ => "",
    }
}

pub(crate) fn value_of_term(term: &Term) -> Value {
    let datatype = match term {
        Term::Literal(l) if l.language().is_none() => {
            [xsd::INTEGER, xsd::DOUBLE, xsd::BOOLEAN].into_iter().find(|natural| *natural == l.datatype().as_str())
        }
        _ => None,
    };
    Value { text: lexical(term).to_owned(), datatype }
}

/// The same value always gives the same blank node. Readable values keep their
/// text (`v` + value); others are hex-encoded (`x` + hex), so the two never meet,
/// nor the `f…` labels of fresh blank nodes.
pub(crate) fn blank_node(value: &str) -> BlankNode {
    let mut label = String::with_capacity(value.len() * 2 + 1);
    if value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        label.push('v');
        label.push_str(value);
    } else {
        label.push('x');
        for byte in value.bytes() {
            let _ = write!(label, "{byte:02x}");
        }
    }
    BlankNode::new_unchecked(label)
}

/// What gather maps make for a record: the triples of collections with a
/// fresh head, and the parts of named ones.
#[derive(Debug, Default)]
pub(crate) struct Collections {
    pub triples: Vec<Triple>,
    pub named: Vec<CollectionPart>,
}

impl Collections {
    // Always inlined: called for every object of every record, across
    // codegen units, and nearly always with nothing to do.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.triples.is_empty() && self.named.is_empty()
    }

    #[inline(always)]
    pub fn clear(&mut self) {
        if !self.is_empty() {
            self.triples.clear();
            self.named.clear();
        }
    }
}

/// The members one record gives a named collection or container, one whose
/// head the gather map names (an IRI or a blank node from its template,
/// constant or reference). Records naming the same head add to one
/// collection, in record order, instead of each making its own (RML-CC,
/// "Generating well-formed named collections or containers"): its triples
/// are made when the run ends ([`named_collection`]).
#[derive(Debug, Clone)]
pub(crate) struct CollectionPart {
    pub head: NamedOrBlankNode,
    pub kind: CollectionKind,
    pub members: Vec<Term>,
}

/// The subjects a referencing object map gives for a record: what a gather
/// map's referencing members gather (the join tables are the run's).
pub(crate) type ParentSubjects<'a> = &'a dyn Fn(&ObjectPlan, &Row, &mut String, &mut Vec<Term>);

impl TermPlan {
    /// The collections or containers a gather map (RML-CC) makes for the
    /// record: their heads into `heads`, their triples or named parts into
    /// `out`. Members are gathered in order; with `rml:append` they form
    /// one collection, with `rml:cartesianProduct` one per combination of
    /// the members' values (a named one gets them all, appended). An empty
    /// one is made only when allowed: a list is then `rdf:nil`, a container
    /// has its type alone.
    pub(crate) fn gather_into(
        &self,
        row: &Row,
        scratch: &mut String,
        parents: ParentSubjects<'_>,
        heads: &mut Vec<Term>,
        out: &mut Collections,
    ) -> Result<(), TermError> {
        let Some(gather) = &self.gather else {
            return self.generate_all(row, scratch, heads);
        };
        let mut lists = Vec::with_capacity(gather.members.len());
        for member in &gather.members {
            let mut terms = Vec::new();
            match member {
                ObjectPlan::Term(term) => term.gather_into(row, scratch, parents, &mut terms, out)?,
                referencing => parents(referencing, row, scratch, &mut terms),
            }
            lists.push(terms);
        }
        let collections = if gather.cartesian { cartesian_product(&lists) } else { vec![lists.concat()] };
        let mut names = Vec::new();
        if !matches!(self.value, ValuePlan::Fresh(_)) {
            self.generate_all(row, scratch, &mut names)?;
        }
        let first_head = heads.len();
        for (index, members) in collections.into_iter().enumerate() {
            if members.is_empty() && !gather.allow_empty {
                continue;
            }
            let named = match names.get(index).or(names.first()) {
                Some(Term::NamedNode(n)) => Some(NamedOrBlankNode::from(n.clone())),
                Some(Term::BlankNode(b)) => Some(b.clone().into()),
                _ => None,
            };
            let head: Term = match named {
                // The empty list is rdf:nil, whatever its name (RML-CC 6).
                Some(_) if members.is_empty() && gather.kind == CollectionKind::List => rdf::NIL.into_owned().into(),
                Some(head) => {
                    out.named.push(CollectionPart { head: head.clone(), kind: gather.kind, members });
                    head.into()
                }
                None => {
                    let record = row.label();
                    let label =
                        |cell: usize| BlankNode::new_unchecked(format!("g{}{record}c{index}n{cell}", gather.id));
                    match gather.kind {
                        CollectionKind::List => list(label(0).into(), members, label, &mut out.triples),
                        kind => container(label(0).into(), kind, members, &mut out.triples),
                    }
                }
            };
            if !heads[first_head..].contains(&head) {
                heads.push(head);
            }
        }
        Ok(())
    }
}

/// The triples of a named collection or container with every member its
/// records gave; `number` tells its blank nodes apart from other ones'.
pub(crate) fn named_collection(
    head: &NamedOrBlankNode,
    kind: CollectionKind,
    members: Vec<Term>,
    number: usize,
    triples: &mut Vec<Triple>,
) {
    match kind {
        CollectionKind::List => {
            let label = |cell: usize| BlankNode::new_unchecked(format!("gn{number}c{cell}"));
            list(head.clone(), members, label, triples);
        }
        kind => {
            container(head.clone(), kind, members, triples);
        }
    }
}

/// An RDF list of `members` starting at `head`: `rdf:nil` when empty.
fn list(
    head: NamedOrBlankNode,
    members: Vec<Term>,
    label: impl Fn(usize) -> BlankNode,
    triples: &mut Vec<Triple>,
) -> Term {
    if members.is_empty() {
        return rdf::NIL.into_owned().into();
    }
    let count = members.len();
    let mut cell = head.clone();
    for (index, member) in members.into_iter().enumerate() {
        triples.push(Triple::new(cell.clone(), rdf::FIRST, member));
        let next: Term = if index + 1 == count { rdf::NIL.into_owned().into() } else { label(index + 1).into() };
        triples.push(Triple::new(cell.clone(), rdf::REST, next.clone()));
        if let Term::BlankNode(b) = next {
            cell = b.into();
        }
    }
    head.into()
}

/// An `rdf:Bag`, `rdf:Seq` or `rdf:Alt` with `rdf:_1`, `rdf:_2` … members.
fn container(head: NamedOrBlankNode, kind: CollectionKind, members: Vec<Term>, triples: &mut Vec<Triple>) -> Term {
    let class = match kind {
        CollectionKind::Bag => rdf::BAG,
        CollectionKind::Seq => rdf::SEQ,
        _ => rdf::ALT,
    };
    triples.push(Triple::new(head.clone(), rdf::TYPE, class));
    for (index, member) in members.into_iter().enumerate() {
        let predicate = NamedNode::new_unchecked(format!("http://www.w3.org/1999/02/22-rdf-syntax-ns#_{}", index + 1));
        triples.push(Triple::new(head.clone(), predicate, member));
    }
    head.into()
}

/// Every combination taking one item from each list, in order; none if a
/// list is empty.
pub(crate) fn cartesian_product<T: Clone>(lists: &[Vec<T>]) -> Vec<Vec<T>> {
    let mut combinations = vec![Vec::new()];
    for list in lists {
        combinations = combinations
            .into_iter()
            .flat_map(|prefix| {
                list.iter().map(move |item| {
                    let mut combination = prefix.clone();
                    combination.push(item.clone());
                    combination
                })
            })
            .collect();
    }
    combinations
}

/// Appends a join key's parts as one text, so that a join table holds one
/// string a key: a single part as it is (most joins are on one column),
/// several each after its length (`3:abc1:d`), which no other list of
/// parts writes the same way. A join's keys all have as many parts.
pub(crate) fn push_join_key<'a>(parts: impl ExactSizeIterator<Item = &'a str>, out: &mut String) {
    if parts.len() == 1 {
        parts.for_each(|part| out.push_str(part));
        return;
    }
    for part in parts {
        out.push_str(itoa::Buffer::new().format(part.len()));
        out.push(':');
        out.push_str(part);
    }
}

/// The join keys of a record as [`push_join_key`] writes them, each a
/// string in `keys` (cleared first). A CSV row whose key expressions are
/// all plain columns (the usual join, on every row of a build) is read
/// straight from its cells into `key`, with no string made, and `keys` is
/// left empty: `Some(true)` then, `Some(false)` when a cell is empty (no
/// key). `None`: the keys are in `keys`.
pub(crate) fn encoded_join_keys(
    plans: &[TermPlan],
    row: &Row,
    scratch: &mut String,
    key: &mut String,
    keys: &mut Vec<String>,
) -> Option<bool> {
    key.clear();
    keys.clear();
    if let Record::Csv(record) = &row.record {
        let column = |plan: &TermPlan| match &plan.value {
            ValuePlan::Reference(Expression::Column(column)) if plan.single_valued => Some(*column),
            _ => None,
        };
        if plans.iter().all(|plan| column(plan).is_some()) {
            let cell = |plan: &TermPlan| column(plan).and_then(|c| record.get(c)).unwrap_or("");
            if plans.iter().any(|plan| cell(plan).is_empty()) {
                return Some(false);
            }
            push_join_key(plans.iter().map(cell), key);
            return Some(true);
        }
    }
    for parts in join_keys(plans, row, scratch) {
        let mut encoded = String::new();
        push_join_key(parts.iter().map(String::as_str), &mut encoded);
        keys.push(encoded);
    }
    None
}

/// The join keys of a record: one per combination of the key expressions'
/// values (an expression with several values joins on any of them); none
/// when an expression has no value.
pub(crate) fn join_keys(keys: &[TermPlan], row: &Row, scratch: &mut String) -> Vec<Vec<String>> {
    if let Some(key) = cell_key(keys, row) {
        return key.map_or_else(Vec::new, |key| vec![key]);
    }
    let mut values = Vec::with_capacity(keys.len());
    for key in keys {
        let mut terms = Vec::new();
        let _ = key.generate_all(row, scratch, &mut terms);
        let mut texts = terms.iter().map(lexical).filter(|v| !v.is_empty()).map(str::to_owned).collect::<Vec<_>>();
        if texts.is_empty() {
            texts.extend(structured_keys(key, row));
        }
        values.push(texts);
    }
    cartesian_product(&values)
}

/// The JSON objects and arrays a plain JSONPath reference selects, as join
/// keys. RML-IO's JSONPath gives JSON values, and a join compares values,
/// though no term can be made of an object (SPARQL JSON results join on
/// whole bindings, `{"type": …, "value": …}`, in RMLTC0009a-SPARQL). Keys
/// start with a NUL, so that no string equals an object; members are
/// sorted, as JSON objects are equal whatever their members' order.
fn structured_keys(key: &TermPlan, row: &Row) -> Vec<String> {
    let (ValuePlan::Reference(Expression::Json(path)), Record::Json(record)) = (&key.value, &row.record) else {
        return Vec::new();
    };
    let structured = path.select(record).into_iter().filter(|v| v.is_object() || v.is_array());
    structured
        .map(|value| {
            let mut text = String::from('\0');
            canonical_json(&value, &mut text);
            text
        })
        .collect()
}

/// JSON text with every object's members sorted by name.
fn canonical_json(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(members) => {
            let mut sorted: Vec<_> = members.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (index, (name, member)) in sorted.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(name.clone()).to_string());
                out.push(':');
                canonical_json(member, out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                canonical_json(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The join key of a CSV row whose key expressions are all plain columns,
/// read straight from the cells (the usual join, on every row of a build):
/// `Some(None)` when a cell is empty; `None` when the keys are not such.
fn cell_key(keys: &[TermPlan], row: &Row) -> Option<Option<Vec<String>>> {
    let Record::Csv(record) = &row.record else { return None };
    let mut key = Vec::with_capacity(keys.len());
    for plan in keys {
        match &plan.value {
            ValuePlan::Reference(Expression::Column(column)) if plan.single_valued => {
                match record.get(*column).filter(|cell| !cell.is_empty()) {
                    Some(cell) => key.push(cell.to_owned()),
                    None => return Some(None),
                }
            }
            _ => return None,
        }
    }
    Some(Some(key))
}

#[cfg(test)]
mod tests {
    use super::{canonical_json, push_join_key};

    #[test]
    fn join_keys_of_several_parts_are_told_apart_by_their_lengths() {
        let key = |parts: &[&str]| {
            let mut out = String::new();
            push_join_key(parts.iter().copied(), &mut out);
            out
        };
        assert_eq!(key(&["k21222"]), "k21222");
        assert_eq!(key(&["a", "bc"]), "1:a2:bc");
        assert_ne!(key(&["a", "bc"]), key(&["ab", "c"]));
        assert_ne!(key(&["1:a", ""]), key(&["1", "a"]));
        assert_eq!(key(&[]), "");
    }

    #[test]
    fn json_objects_are_keyed_whatever_their_members_order() {
        let text = |json: &str| {
            let mut out = String::new();
            canonical_json(&serde_json::from_str(json).unwrap(), &mut out);
            out
        };
        let binding = text(r#"{"value": "100", "type": "literal"}"#);
        assert_eq!(binding, r#"{"type":"literal","value":"100"}"#);
        assert_eq!(text(r#"{"type":"literal","value":"100"}"#), binding);
        assert_eq!(text(r#"[{"b":1,"a":"x\"y"},2.5]"#), r#"[{"a":"x\"y","b":1},2.5]"#);
    }
}
