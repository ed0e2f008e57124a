//! RML logical targets as a sink: the quads a target takes go to its file,
//! beside the run's main output (`map`'s file, `build`'s store). The files
//! appear only when [`TargetSet::finish`] is reached after a run without
//! problems; a run that stops leaves none of them.

use super::Sink;
use crate::mapping::{MappedBatch, TargetSet};
use crate::Error;

impl Sink for TargetSet {
    fn accept(&mut self, batch: &MappedBatch) -> Result<(), Error> {
        self.write(batch).map_err(Error::from)
    }
}
