//! Where a fact came from: every triple about a resource with the CSV file,
//! line and cited source that produced it. Builds keep a row-origin index
//! ([`crate::origins`]: per subject, its rows' triples map, file, line and
//! byte offset); explaining reads each of those rows again with one seek and
//! maps it again to match each triple, so the index stays one short line per
//! row and an explanation costs the same at any size. The triples come from
//! the version's read index, as queries read them.

use crate::mapping::execute::{can_map_rows_at, map_rows_at, map_selected_rows, ExplainedRow};
use crate::mapping::Plan;
use crate::origins::{Origins, Recorded};
use crate::project::Project;
use crate::query::{Graph, ReadFrom};
use crate::store::{StoreDir, Version};
use crate::Error;
use oxigraph::model::{GraphName, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term, Triple};
use std::collections::HashSet;
use std::path::PathBuf;

/// One triple about the resource and the rows that produce it.
#[derive(Debug)]
pub struct Explained {
    pub quad: Quad,
    pub origins: Vec<RowOrigin>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowOrigin {
    pub file: PathBuf,
    pub line: u64,
    pub triples_map: String,
    /// Values of the row's source columns (`source`, `*_source`).
    pub cites: Vec<String>,
    /// What the row states as the `dct:source` of its subject: the cited
    /// sources as the graph names them.
    pub sources: Vec<Term>,
}

/// The rows behind some triples, and the source files edited since the
/// build (whose rows are looked for by line number in the file as it is
/// now: a fact whose row moved shows none).
#[derive(Debug, Default)]
pub struct RowsBehind {
    pub origins: Vec<Vec<RowOrigin>>,
    pub changed_files: Vec<PathBuf>,
}

/// Every triple about a resource, each with the rows behind it.
#[derive(Debug, Default)]
pub struct Explanation {
    pub facts: Vec<Explained>,
    /// Source files edited since the build ([`RowsBehind::changed_files`]).
    pub changed_files: Vec<PathBuf>,
}

/// Every triple whose subject is `iri` in the current graph, each with the
/// rows that produce it (none for triples from the ontology).
pub fn explain(project: &Project, iri: &NamedNode) -> Result<Explanation, Error> {
    let version = StoreDir::new(&project.store).require_current_version()?;
    let graph = Graph::open(&version, ReadFrom::Index)?;
    let mut quads = quads_about(&graph, iri)?;
    quads.sort_by_key(|q| (q.predicate.to_string(), q.object.to_string()));
    let triples: Vec<Triple> = quads.iter().map(|q| Triple::from(q.clone())).collect();
    let found = explain_triples(project, Some(&version), &triples)?;
    let facts = quads.into_iter().zip(found.origins).map(|(quad, origins)| Explained { quad, origins }).collect();
    Ok(Explanation { facts, changed_files: found.changed_files })
}

/// The quads whose subject is `iri`, in every graph, the default graph's
/// first (as Oxigraph's store gives them).
fn quads_about(graph: &Graph, iri: &NamedNode) -> Result<Vec<Quad>, Error> {
    match graph {
        Graph::Store(store) => store
            .quads_for_pattern(Some(iri.as_ref().into()), None, None, None)
            .collect::<Result<_, _>>()
            .map_err(|e| Error::store("(store)", e)),
        Graph::Index(index) => {
            let mut quads = Vec::new();
            crate::export::for_each_in_index(index, Some(iri.as_ref().into()), None, &mut |quad| {
                quads.push(quad);
                Ok::<_, Error>(())
            })?;
            Ok(quads)
        }
    }
}

/// The rows that produce each of `triples` (in the default graph), in the
/// same order; none for a triple from the ontology. `version`'s row-origin
/// index ([`crate::origins`]) gives each subject's rows; each row is read
/// and mapped once, whatever the number of subjects.
pub fn explain_triples(project: &Project, version: Option<&Version>, triples: &[Triple]) -> Result<RowsBehind, Error> {
    let subjects: HashSet<String> = triples
        .iter()
        .filter_map(|t| match &t.subject {
            NamedOrBlankNode::NamedNode(node) => Some(node.as_str().to_owned()),
            NamedOrBlankNode::BlankNode(_) => None,
        })
        .collect();
    let index = match version {
        Some(version) if !subjects.is_empty() => Origins::open(version)?,
        _ => None,
    };
    let Some(index) = index else {
        return Ok(RowsBehind { origins: vec![Vec::new(); triples.len()], ..Default::default() });
    };
    let recorded = index.rows_of(&subjects)?;
    if recorded.is_empty() {
        return Ok(RowsBehind { origins: vec![Vec::new(); triples.len()], ..Default::default() });
    }
    let (_, plan) = project.compile_mappings()?;
    let changed_files = index.changed_files(&plan);
    // A join's triples are told apart by their objects' rows ([`map_rows_at`]).
    let parents = if plan.joins.is_empty() {
        Vec::new()
    } else {
        let objects: HashSet<String> = triples
            .iter()
            .filter_map(|t| match &t.object {
                Term::NamedNode(node) => Some(node.as_str().to_owned()),
                _ => None,
            })
            .collect();
        index.rows_of(&objects)?
    };
    let rows = map_rows(&plan, (&recorded, &parents), &changed_files)?;
    let origins = triples.iter().map(|triple| rows_behind(&plan, &rows, triple)).collect();
    Ok(RowsBehind { origins, changed_files })
}

/// Maps the recorded rows again: each row read at its offset where its file
/// is as the build read it, else (a version before offsets, a source that
/// cannot be read at an offset, a file edited since) found by its line in a
/// pass over the file. `parents` are the rows of the triples' objects, for
/// joins. In the order of a pass over the sources: by source, then line,
/// then triples map.
fn map_rows(
    plan: &Plan,
    (recorded, parents): (&[Recorded], &[Recorded]),
    changed_files: &[PathBuf],
) -> Result<Vec<ExplainedRow>, Error> {
    let map_of = |row: &Recorded| plan.maps.iter().position(|m| m.name == row.map);
    let at_offset = |map: usize, row: &Recorded| {
        let file = &plan.sources[plan.maps[map].source].source.path;
        row.offset.filter(|_| !changed_files.contains(file)).map(|offset| (map, row.line, offset))
    };
    // Every parent row a join may need must be readable at its offset.
    let parent_rows: Option<Vec<(usize, u64, u64)>> = parents
        .iter()
        .filter_map(|row| map_of(row).map(|map| (map, row)))
        .filter(|(map, _)| plan.joins.iter().any(|join| join.parent == *map))
        .map(|(map, row)| at_offset(map, row))
        .collect();
    let mut at_offsets: Vec<(usize, u64, u64)> = Vec::new();
    let mut by_line: Vec<(usize, u64)> = Vec::new();
    for row in recorded {
        let Some(map) = map_of(row) else { continue };
        match at_offset(map, row) {
            Some(found) if parent_rows.is_some() && can_map_rows_at(plan, map) => at_offsets.push(found),
            _ => by_line.push((map, row.line)),
        }
    }
    at_offsets.sort_unstable();
    at_offsets.dedup();
    let mut rows = map_rows_at(plan, &at_offsets, &parent_rows.unwrap_or_default())?;
    if !by_line.is_empty() {
        rows.extend(map_selected_rows(plan, &by_line)?);
    }
    let order = |row: &ExplainedRow| {
        let source = plan.maps[row.map].source;
        let rank = plan.sources[source].maps.iter().position(|&m| m == row.map);
        (source, row.row.line, rank)
    };
    rows.sort_by_key(order);
    Ok(rows)
}

/// The rows among `rows` that produce `triple`.
fn rows_behind(plan: &Plan, rows: &[ExplainedRow], triple: &Triple) -> Vec<RowOrigin> {
    let source_property = NamedNodeRef::new_unchecked("http://purl.org/dc/terms/source");
    let quad = triple.clone().in_graph(GraphName::DefaultGraph);
    rows.iter()
        .filter(|row| row.quads.contains(&quad))
        .map(|row| {
            let map = &plan.maps[row.map];
            let source = &plan.sources[map.source];
            let cites = source
                .columns
                .iter()
                .enumerate()
                .filter(|(_, c)| *c == "source" || c.ends_with("_source"))
                .filter_map(|(i, _)| row.row.record.cell(i).filter(|v| !v.is_empty()).map(str::to_owned))
                .collect();
            let mut sources: Vec<Term> = row
                .quads
                .iter()
                .filter(|q| q.predicate == source_property && q.subject == quad.subject)
                .map(|q| q.object.clone())
                .collect();
            sources.dedup();
            RowOrigin {
                file: source.source.path.clone(),
                line: row.row.line,
                triples_map: map.name.clone(),
                cites,
                sources,
            }
        })
        .collect()
}

/// Subjects recorded in the index, for "did you mean" when nothing matches.
pub fn known_subjects(project: &Project) -> Result<Vec<String>, Error> {
    let Some(version) = StoreDir::new(&project.store).current_version()? else {
        return Ok(Vec::new());
    };
    match Origins::open(&version)? {
        Some(origins) => origins.subjects(),
        None => Ok(Vec::new()),
    }
}
