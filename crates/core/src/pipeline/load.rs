//! The store's bulk loader as a sink. Oxigraph's loader takes one iterator
//! of quads and must run on a thread of its own: the mapping thread sends
//! it each batch's quads through a bounded channel, so that the loader
//! writes batches as large as its memory allows (one call per mapped batch
//! would flush many small files that RocksDB must compact later).

use super::Sink;
use crate::mapping::MappedBatch;
use crate::Error;
use oxigraph::model::Quad;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Batches the loader may lag behind the mapping.
const BATCHES_IN_FLIGHT: usize = 16;

/// The sending end, a sink of the mapping run.
pub struct ToLoader {
    sender: SyncSender<Vec<Quad>>,
    store: PathBuf,
}

/// The receiving end: every quad sent, in order, until the sink is dropped.
pub type LoaderInput = std::iter::Flatten<std::sync::mpsc::IntoIter<Vec<Quad>>>;

/// A sink and the quads it sends, for the loader of the store at `store`.
pub fn channel(store: &Path) -> (ToLoader, LoaderInput) {
    let (sender, receiver): (_, Receiver<Vec<Quad>>) = sync_channel(BATCHES_IN_FLIGHT);
    (ToLoader { sender, store: store.to_owned() }, receiver.into_iter().flatten())
}

impl ToLoader {
    fn send(&self, quads: Vec<Quad>) -> Result<(), Error> {
        self.sender.send(quads).map_err(|_| Error::store(&self.store, "the loader stopped"))
    }
}

impl Sink for ToLoader {
    fn accept(&mut self, batch: &MappedBatch) -> Result<(), Error> {
        self.send(batch.quads.clone())
    }

    fn take(&mut self, batch: MappedBatch) -> Result<(), Error> {
        self.send(batch.quads)
    }

    fn accept_extra(&mut self, quads: &[Quad]) -> Result<(), Error> {
        self.send(quads.to_vec())
    }
}
