//! The checks of a full build, run on what an incremental build changed
//! and on what they need around it, read from the new version's index:
//!
//! - identifiers the changed records point at must be defined (a subject of
//!   the new graph, the ontology's included), as the full build requires of
//!   references into a namespace the mappings mint;
//! - an identifier no row defines any more must not be pointed at;
//! - a changed record must not define an identifier its triples map
//!   already gives another record (told by the map's classes in the
//!   current graph: a map with no class is not checked here);
//! - the shapes, on every subject whose triples changed and every subject
//!   that points at one (its linked facts may have changed).

use crate::changes::Patch;
use crate::export::for_each_in_index;
use crate::mapping::Plan;
use crate::problem::{Problem, ProblemKind};
use crate::validate::integrity::{subject_namespaces, Integrity};
use crate::validate::Shapes;
use crate::Error;
use factgraph_index::Index;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphNameRef, NamedNode, NamedOrBlankNode, Quad, Term, TermRef, Triple, TripleRef};
use std::collections::{BTreeSet, HashSet};

/// What the changed records defined and pointed at.
#[derive(Debug, Default)]
pub struct Seen {
    /// Added records: (triples map, line, subject).
    pub subjects: Vec<(usize, u64, NamedNode)>,
    /// Added records: (triples map, line, columns, the IRI pointed at).
    pub references: Vec<(usize, u64, String, NamedNode)>,
    /// Removed records: (triples map, subject).
    pub removed_subjects: HashSet<(usize, NamedNode)>,
}

/// The problems the changes bring; empty when the new version may be used.
pub fn check(
    plan: &Plan,
    shapes: Option<&Shapes>,
    ontology: &[Quad],
    old: &Index,
    new: &Index,
    seen: &Seen,
    patch: &Patch,
) -> Result<Vec<Problem>, Error> {
    let is_subject =
        |index: &Index, iri: &NamedNode| index.count_default_graph(Some(iri.as_ref().into()), None, None) > 0;
    let mut problems = Vec::new();
    let namespaces = subject_namespaces(plan);
    for (map, line, columns, iri) in &seen.references {
        let namespace = namespaces.iter().find(|n| iri.as_str().starts_with(n.as_str()));
        if let (Some(namespace), false) = (namespace, is_subject(new, iri)) {
            let local = &iri.as_str()[namespace.len()..];
            let message = format!("{local:?} is not an identifier that any row defines (no {iri})");
            problems
                .push(at_row(plan, ProblemKind::DanglingReference, *map, *line, message).in_column(columns.clone()));
        }
    }
    for change in &patch.removed {
        let NamedOrBlankNode::NamedNode(subject) = &change.quad.subject else { continue };
        if change.quad.predicate == rdf::TYPE && !is_subject(new, subject) {
            let pointing = new.count_default_graph(None, None, Some(subject.as_ref().into()));
            if pointing > 0 {
                let message = format!(
                    "the row that defined {subject} is gone, but {pointing} triple(s) still point at it; remove those references too"
                );
                let file = change.cause.as_deref().and_then(|c| c.rsplit_once(':')).map_or("", |(f, _)| f);
                let mut problem = Problem::new(ProblemKind::DanglingReference, file, message);
                if let Some(line) =
                    change.cause.as_deref().and_then(|c| c.rsplit_once(':')).and_then(|(_, l)| l.parse().ok())
                {
                    problem = problem.at_line(line);
                }
                problems.push(problem);
            }
        }
    }
    let mut defined = HashSet::new();
    for (map, line, subject) in &seen.subjects {
        let classes = &plan.maps[*map].classes;
        let defined_before = !seen.removed_subjects.contains(&(*map, subject.clone()))
            && !classes.is_empty()
            && classes.iter().all(|class| {
                old.count_default_graph(
                    Some(subject.as_ref().into()),
                    Some(rdf::TYPE.into()),
                    Some(class.as_ref().into()),
                ) > 0
            });
        if defined_before || !defined.insert((*map, subject.clone())) {
            let message = format!("{subject} is already defined by another row; each row needs its own identifier");
            problems.push(at_row(plan, ProblemKind::DuplicateIdentifier, *map, *line, message));
        }
    }
    if let Some(shapes) = shapes {
        problems.extend(check_shapes(plan, shapes, ontology, new, patch)?);
    }
    problems.sort_by(|a, b| (&a.file, a.line, &a.message).cmp(&(&b.file, b.line, &b.message)));
    problems.dedup();
    Ok(problems)
}

fn at_row(plan: &Plan, kind: ProblemKind, map: usize, line: u64, message: String) -> Problem {
    let map = &plan.maps[map];
    Problem::new(kind, &plan.sources[map.source].source.path, message).at_line(line).in_map(&map.name)
}

/// The shapes on the subjects whose triples changed and those pointing at them.
fn check_shapes(
    plan: &Plan,
    shapes: &Shapes,
    ontology: &[Quad],
    new: &Index,
    patch: &Patch,
) -> Result<Vec<Problem>, Error> {
    let mut focus: HashSet<NamedOrBlankNode> = HashSet::new();
    for change in patch.removed.iter().chain(&patch.added).filter(|c| c.quad.graph_name.is_default_graph()) {
        focus.insert(change.quad.subject.clone());
        if let NamedOrBlankNode::NamedNode(subject) = &change.quad.subject {
            for quad in triples_pointing_at(new, subject.as_ref().into())? {
                focus.insert(quad.subject);
            }
        }
    }
    if focus.is_empty() {
        return Ok(Vec::new());
    }
    let mut triples = Vec::new();
    for subject in &focus {
        for_each_in_index(new, Some(subject.as_ref()), Some(GraphNameRef::DefaultGraph), &mut |quad: Quad| {
            triples.push(Triple::from(quad));
            Ok::<_, Error>(())
        })?;
    }
    let mut linked_facts = shapes.linked_facts();
    let mut linked: Vec<Quad> = Vec::new();
    let objects: BTreeSet<NamedNode> = triples
        .iter()
        .filter_map(|t| match &t.object {
            Term::NamedNode(n) => Some(n.clone()),
            _ => None,
        })
        .collect();
    for object in objects {
        for_each_in_index(new, Some(object.as_ref().into()), Some(GraphNameRef::DefaultGraph), &mut |quad: Quad| {
            linked.push(quad);
            Ok::<_, Error>(())
        })?;
    }
    linked_facts.observe(&linked);
    linked_facts.observe(&triples.iter().map(|t| t.clone().in_graph(GraphNameRef::DefaultGraph)).collect::<Vec<_>>());
    let ontology: Vec<Triple> = ontology.iter().map(|q| Triple::from(q.clone())).collect();
    let integrity = Integrity::new(plan, std::iter::empty());
    let triples: Vec<TripleRef<'_>> = triples.iter().map(Triple::as_ref).collect();
    shapes.validate(&triples, &linked_facts, &ontology, None, plan, &integrity)
}

/// The triples whose object is `object`, at most a few thousand (enough to
/// check the shapes of what points at a changed node).
fn triples_pointing_at(index: &Index, object: TermRef<'_>) -> Result<Vec<Quad>, Error> {
    use spareval::QueryableDataset;
    let failed = |e: factgraph_index::IndexError| Error::store(index.folder(), e);
    let Ok(object) = index.internalize_term(object.into_owned()) else { return Ok(Vec::new()) };
    let mut quads = Vec::new();
    for quad in index.internal_quads_for_pattern(None, None, Some(&object), Some(None)).take(5000) {
        let quad = quad.map_err(failed)?;
        let subject = match index.externalize_term(quad.subject).map_err(failed)? {
            Term::NamedNode(n) => NamedOrBlankNode::from(n),
            Term::BlankNode(b) => NamedOrBlankNode::from(b),
            Term::Literal(_) => continue,
        };
        let Term::NamedNode(predicate) = index.externalize_term(quad.predicate).map_err(failed)? else { continue };
        let object = index.externalize_term(quad.object).map_err(failed)?;
        quads.push(Quad::new(subject, predicate, object, oxigraph::model::GraphName::DefaultGraph));
    }
    Ok(quads)
}
