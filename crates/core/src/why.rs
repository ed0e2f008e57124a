//! Where a fact came from: every triple about a resource with the CSV file,
//! line and cited source that produced it. Builds keep a row-origin index
//! (`origins.tsv` beside the store of each version: subject, triples map,
//! file, line); explaining maps those rows again to match each triple, so the
//! index stays one short line per row.

use crate::mapping::execute::map_selected_rows;
use crate::project::Project;
use crate::store::StoreDir;
use crate::Error;
use oxigraph::model::{GraphName, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Quad, Term, Triple};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

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

/// Every triple whose subject is `iri` in the current graph, each with the
/// rows that produce it (none for triples from the ontology).
pub fn explain(project: &Project, iri: &NamedNode) -> Result<Vec<Explained>, Error> {
    let store_dir = StoreDir::new(&project.store);
    let store = store_dir.open_current()?;
    let mut quads: Vec<Quad> = store
        .quads_for_pattern(Some(NamedOrBlankNodeRef::from(iri.as_ref())), None, None, None)
        .collect::<Result<_, _>>()
        .map_err(|e| Error::store(&project.store, e))?;
    quads.sort_by_key(|q| (q.predicate.to_string(), q.object.to_string()));
    let origins_path = store_dir.current_version()?.map(|version| version.origins_path());
    let triples: Vec<Triple> = quads.iter().map(|q| Triple::from(q.clone())).collect();
    let origins = explain_triples(project, origins_path.as_deref(), &triples)?;
    Ok(quads.into_iter().zip(origins).map(|(quad, origins)| Explained { quad, origins }).collect())
}

/// The rows that produce each of `triples` (in the default graph), in the
/// same order; none for a triple from the ontology. `origins_path` is the
/// row-origin index of the build (see [`crate::origins`]); the index is read
/// once and each row mapped once, whatever the number of subjects.
pub fn explain_triples(
    project: &Project,
    origins_path: Option<&Path>,
    triples: &[Triple],
) -> Result<Vec<Vec<RowOrigin>>, Error> {
    let subjects: HashSet<String> = triples
        .iter()
        .filter_map(|t| match &t.subject {
            NamedOrBlankNode::NamedNode(node) => Some(node.as_str().to_owned()),
            NamedOrBlankNode::BlankNode(_) => None,
        })
        .collect();
    let recorded = match origins_path {
        Some(path) if !subjects.is_empty() => crate::origins::read_many(path, &subjects)?,
        _ => Vec::new(),
    };
    if recorded.is_empty() {
        return Ok(vec![Vec::new(); triples.len()]);
    }
    let (_, plan) = project.compile_mappings()?;
    let wanted: Vec<(usize, u64)> = recorded
        .iter()
        .filter_map(|(map_name, line)| plan.maps.iter().position(|m| &m.name == map_name).map(|m| (m, *line)))
        .collect();
    let rows = map_selected_rows(&plan, &wanted)?;
    let source_property = NamedNodeRef::new_unchecked("http://purl.org/dc/terms/source");
    Ok(triples
        .iter()
        .map(|triple| {
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
        })
        .collect())
}

/// Subjects recorded in the index, for "did you mean" when nothing matches.
pub fn known_subjects(project: &Project) -> Result<Vec<String>, Error> {
    let Some(version) = StoreDir::new(&project.store).current_version()? else {
        return Ok(Vec::new());
    };
    Ok(crate::origins::subjects(&version.origins_path()))
}
