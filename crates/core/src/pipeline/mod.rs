//! The one flow every command that maps runs: sources yield records, the
//! compiled plan turns them into batches of quads, and each batch goes to
//! the [`Sink`]s of the run, in order. `build`, `check` and `map` differ only
//! in their sinks:
//!
//! | command | sinks |
//! | --- | --- |
//! | `build` | progress, [`checks::Checks`], [`crate::origins::OriginsWriter`], [`load::ToLoader`] |
//! | `check` | progress, [`checks::Checks`] |
//! | `map`   | [`write::NQuadsLines`] or [`write::Serialized`] |
//!
//! The checks are the same for `build` and `check` ([`checks`]), so they
//! find the same problems and report them in the same order. RML logical
//! targets will be sinks too.

pub mod checks;
pub mod index;
pub mod load;
pub mod targets;
pub mod write;

use crate::mapping::{self, MappedBatch, Plan, RunOptions, RunReport};
use crate::Error;
use oxigraph::model::Quad;
use std::path::Path;

/// Where mapped quads go.
pub trait Sink {
    /// Sees a batch of quads mapped from consecutive rows of one source,
    /// with the rows' lines and what they referenced.
    fn accept(&mut self, batch: &MappedBatch) -> Result<(), Error>;

    /// Takes the batch, as the last sink of a run: a sink that keeps the
    /// quads (the store's loader, a writer thread) takes them without a copy.
    fn take(&mut self, batch: MappedBatch) -> Result<(), Error> {
        self.accept(&batch)
    }

    /// Sees the quads that no row made (the ontology), after the last batch.
    fn accept_extra(&mut self, _quads: &[Quad]) -> Result<(), Error> {
        Ok(())
    }
}

/// Runs the plan into the sinks: every batch, in source and row order, to
/// each sink in turn (the last one [`Sink::take`]s it), then `extra` to
/// each. Stops at the first error of the engine or of a sink.
pub fn run(plan: &Plan, options: RunOptions, sinks: &mut [&mut dyn Sink], extra: &[Quad]) -> Result<RunReport, Error> {
    let report = mapping::run_with(plan, options, &mut |batch| {
        let Some((last, others)) = sinks.split_last_mut() else { return Ok(()) };
        for sink in others {
            sink.accept(&batch)?;
        }
        last.take(batch)
    })?;
    for sink in sinks {
        sink.accept_extra(extra)?;
    }
    Ok(report)
}

/// What a build or check is doing, for progress displays.
#[derive(Debug, Clone, Copy)]
pub enum Stage<'a> {
    /// Rows of `file` mapped so far.
    Mapping { file: &'a Path, rows: u64 },
    /// Checking identifiers and shapes.
    Validating,
    /// Oxigraph ingests its last sorted files and compacts the new store
    /// (so that queries are fast) while the shapes are checked.
    Finishing,
    /// Writing the read index queries use.
    Indexing,
    /// Answering the named questions, to keep the answers with the version.
    Answering,
}

/// Receives [`Stage`]s, from the mapping thread too; `&|_| ()` shows nothing.
pub type Progress<'a> = &'a (dyn Fn(Stage<'_>) + Sync);

/// A sink that counts the rows mapped per source and reports them.
pub struct ShowProgress<'a> {
    plan: &'a Plan,
    progress: Progress<'a>,
    rows_mapped: Vec<u64>,
}

impl<'a> ShowProgress<'a> {
    pub fn new(plan: &'a Plan, progress: Progress<'a>) -> Self {
        Self { plan, progress, rows_mapped: vec![0; plan.sources.len()] }
    }
}

impl Sink for ShowProgress<'_> {
    fn accept(&mut self, batch: &MappedBatch) -> Result<(), Error> {
        let rows = &mut self.rows_mapped[batch.source];
        *rows += batch.rows.len() as u64;
        (self.progress)(Stage::Mapping { file: &self.plan.sources[batch.source].source.path, rows: *rows });
        Ok(())
    }
}
