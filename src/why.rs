//! Where a fact came from: every triple about a resource with the CSV file,
//! line and cited source that produced it. Builds keep a row-origin index
//! (`origins.tsv` beside the store of each version: subject, triples map,
//! file, line); explaining maps those rows again to match each triple, so the
//! index stays one short line per row.

use crate::build::compile_project;
use crate::mapping::execute::map_selected_rows;
use crate::mapping::Plan;
use crate::project::Project;
use crate::store::StoreDir;
use crate::mapping::MappedBatch;
use crate::Error;
use oxigraph::model::{NamedNode, NamedOrBlankNodeRef, Quad};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const ORIGINS_FILE: &str = "origins.tsv";

/// Writes the row-origin index of a build into its version folder as the
/// rows are mapped: one line per (subject, row), in mapping order.
pub struct OriginsWriter {
    path: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
}

impl OriginsWriter {
    pub fn create(version: &Path) -> Result<Self, Error> {
        let path = version.join(ORIGINS_FILE);
        let file = std::fs::File::create(&path).map_err(Error::io(&path))?;
        Ok(Self { out: std::io::BufWriter::with_capacity(1 << 20, file), path })
    }

    pub fn observe(&mut self, plan: &Plan, batch: &MappedBatch) -> Result<(), Error> {
        let file = plan.sources[batch.source].source.path.display().to_string();
        for seen in &batch.subjects {
            let map = &plan.maps[seen.map].name;
            writeln!(self.out, "{}\t{map}\t{file}\t{}", seen.subject.as_str(), seen.line).map_err(Error::io(&self.path))?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<(), Error> {
        self.out.flush().map_err(Error::io(&self.path))
    }
}

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
    let version = store_dir.current_version()?.unwrap_or_default();
    let recorded = read_origins(&version.join(ORIGINS_FILE), iri.as_str())?;
    let (_, plan) = compile_project(project)?;
    let wanted: Vec<(usize, u64)> = recorded
        .iter()
        .filter_map(|(map_name, line)| plan.maps.iter().position(|m| &m.name == map_name).map(|m| (m, *line)))
        .collect();
    let rows = map_selected_rows(&plan, &wanted)?;
    Ok(quads
        .into_iter()
        .map(|quad| {
            let origins = rows
                .iter()
                .filter(|row| row.quads.contains(&quad))
                .map(|row| {
                    let map = &plan.maps[row.map];
                    let source = &plan.sources[map.source];
                    let cites = source
                        .columns
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| *c == "source" || c.ends_with("_source"))
                        .filter_map(|(i, _)| row.row.record.get(i).filter(|v| !v.is_empty()).map(str::to_owned))
                        .collect();
                    RowOrigin { file: source.source.path.clone(), line: row.row.line, triples_map: map.name.clone(), cites }
                })
                .collect();
            Explained { quad, origins }
        })
        .collect())
}

/// The (triples map, line) pairs recorded for `subject`.
fn read_origins(path: &Path, subject: &str) -> Result<Vec<(String, u64)>, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(path)(e)),
    };
    Ok(text
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            (fields.next()? == subject).then_some(())?;
            let map = fields.next()?.to_owned();
            let _file = fields.next()?;
            Some((map, fields.next()?.parse().ok()?))
        })
        .collect())
}

/// Subjects recorded in the index, for "did you mean" when nothing matches.
pub fn known_subjects(project: &Project) -> Result<Vec<String>, Error> {
    let Some(version) = StoreDir::new(&project.store).current_version()? else {
        return Ok(Vec::new());
    };
    let text = std::fs::read_to_string(version.join(ORIGINS_FILE)).unwrap_or_default();
    let mut subjects: Vec<String> = text.lines().filter_map(|l| l.split('\t').next()).map(str::to_owned).collect();
    subjects.sort_unstable();
    subjects.dedup();
    Ok(subjects)
}
