//! The row-origin index of a build: one line per (subject, row) mapped,
//! `subject TAB triples map TAB file TAB line`, written as the rows stream
//! by and read back by `why` to find the rows that made a resource's
//! triples. Kept as one short line per row, not per triple: `why` maps those
//! rows again to tell which triple each one produced.

use crate::mapping::{MappedBatch, Plan};
use crate::pipeline::Sink;
use crate::Error;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes the row-origin index of a build into its version folder as the
/// rows are mapped: one line per (subject, row), in mapping order.
/// A sink of a run with [`crate::mapping::RunOptions::track_identifiers`].
pub struct OriginsWriter<'a> {
    plan: &'a Plan,
    path: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
}

impl<'a> OriginsWriter<'a> {
    /// Writes the index of a run of `plan` into `path`.
    pub fn create(path: &Path, plan: &'a Plan) -> Result<Self, Error> {
        let path = path.to_owned();
        let file = std::fs::File::create(&path).map_err(Error::io(&path))?;
        Ok(Self { plan, out: std::io::BufWriter::with_capacity(1 << 20, file), path })
    }

    pub fn finish(mut self) -> Result<(), Error> {
        self.out.flush().map_err(Error::io(&self.path))
    }
}

impl Sink for OriginsWriter<'_> {
    fn accept(&mut self, batch: &MappedBatch) -> Result<(), Error> {
        let file = self.plan.sources[batch.source].source.path.display().to_string();
        for seen in &batch.subjects {
            let map = &self.plan.maps[seen.map].name;
            writeln!(self.out, "{}\t{map}\t{file}\t{}", seen.subject.as_str(), seen.line)
                .map_err(Error::io(&self.path))?;
        }
        Ok(())
    }
}

/// The (triples map, line) pairs recorded for `subject`.
pub fn read(path: &Path, subject: &str) -> Result<Vec<(String, u64)>, Error> {
    read_many(path, &std::collections::HashSet::from([subject.to_owned()]))
}

/// The (triples map, line) pairs recorded for any of `subjects`, in one pass.
pub fn read_many(path: &Path, subjects: &std::collections::HashSet<String>) -> Result<Vec<(String, u64)>, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(path)(e)),
    };
    Ok(text
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            subjects.contains(fields.next()?).then_some(())?;
            let map = fields.next()?.to_owned();
            let _file = fields.next()?;
            Some((map, fields.next()?.parse().ok()?))
        })
        .collect())
}

/// Every subject recorded in the index, sorted, once each.
pub fn subjects(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut subjects: Vec<String> = text.lines().filter_map(|l| l.split('\t').next()).map(str::to_owned).collect();
    subjects.sort_unstable();
    subjects.dedup();
    subjects
}
