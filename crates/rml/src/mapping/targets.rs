//! The logical targets of a run, as a sink for its batches: each quad a
//! target takes is written to that target's file. The files appear only when
//! [`TargetSet::finish`] is reached; a run that fails leaves none of them.

use super::execute::MappedBatch;
use crate::target::{TargetSpec, TargetWriter};
use crate::Error;

/// One writer per logical target of the plan.
pub struct TargetSet {
    writers: Vec<TargetWriter>,
}

impl TargetSet {
    /// Starts every target; fails, naming the file, when one cannot be written.
    pub fn create(specs: &[TargetSpec]) -> Result<Self, Error> {
        let writers = specs
            .iter()
            .map(|spec| TargetWriter::create(spec).map_err(Error::io(&spec.path)))
            .collect::<Result<_, _>>()?;
        Ok(Self { writers })
    }

    pub fn is_empty(&self) -> bool {
        self.writers.is_empty()
    }

    /// Writes the quads of `batch` that targets take.
    pub fn write(&mut self, batch: &MappedBatch) -> Result<(), Error> {
        for &(quad, target) in &batch.targeted {
            let writer = &mut self.writers[target];
            writer.write(&batch.quads[quad]).map_err(Error::io(writer.path()))?;
        }
        Ok(())
    }

    /// Finishes every target and puts its file in place.
    pub fn finish(self) -> Result<(), Error> {
        for writer in self.writers {
            let path = writer.path().to_owned();
            writer.finish().map_err(Error::io(path))?;
        }
        Ok(())
    }
}
