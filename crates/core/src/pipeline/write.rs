//! Writing the mapped quads as RDF text: what `map` runs. The mapping's
//! logical targets are written beside the main output, which holds the
//! quads no target takes (RML-IO's default output).
//!
//! N-Quads and N-Triples are written one line per quad: each batch is
//! formatted by a task on the thread pool while the next rows are mapped,
//! and a writing thread writes the batches in order as they are ready, so
//! that mapping waits for neither. Other syntaxes go through Oxigraph's
//! serialiser on the mapping thread.

use super::Sink;
use crate::mapping::{MappedBatch, Plan, RunOptions, RunReport, TargetSet};
use crate::Error;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::Quad;
use std::io::Write;
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// What writing a run produced.
#[derive(Debug)]
pub struct Written {
    pub report: RunReport,
    /// Quads in named graphs left out, because the syntax holds one graph.
    pub named_graph_quads_left_out: u64,
}

/// Runs `plan` and writes its quads to `out` (named `out_name` in errors)
/// in `format`, with `prefixes` where the syntax has them.
pub fn write_run(
    plan: &Plan,
    format: RdfFormat,
    prefixes: &[(String, String)],
    out: &mut (dyn Write + Send),
    out_name: &Path,
) -> Result<Written, Error> {
    let one_graph = !format.supports_datasets();
    let mut targets = TargetSet::create(&plan.targets)?;
    let (report, left_out) = if matches!(format, RdfFormat::NQuads | RdfFormat::NTriples) {
        write_lines(plan, one_graph, &mut targets, out, out_name)?
    } else {
        let mut sink = Serialized::new(format, prefixes, &mut *out, out_name)?;
        let report = super::run(plan, RunOptions::default(), &mut [&mut targets, &mut sink], &[])?;
        let left_out = sink.left_out;
        sink.finish()?;
        (report, left_out)
    };
    out.flush().map_err(Error::io(out_name))?;
    // A run with problems in its data writes no target (dropped, they leave nothing).
    if report.issue_count == 0 {
        targets.finish()?;
    }
    Ok(Written { report, named_graph_quads_left_out: left_out })
}

fn write_lines(
    plan: &Plan,
    one_graph: bool,
    targets: &mut TargetSet,
    out: &mut (dyn Write + Send),
    out_name: &Path,
) -> Result<(RunReport, u64), Error> {
    let spare = SpareBuffers::default();
    std::thread::scope(|scope| {
        let (sender, receiver) = sync_channel::<Receiver<Vec<u8>>>(32);
        let returned = spare.clone();
        let writer = scope.spawn(move || {
            receiver.iter().try_for_each(|lines| {
                let lines = lines.recv().map_err(|_| std::io::Error::other("a formatting task stopped"))?;
                out.write_all(&lines)?;
                returned.give_back(lines);
                Ok(())
            })
        });
        let mut sink = NQuadsLines { sender, one_graph, left_out: 0, out_name, spare };
        let mapped = super::run(plan, RunOptions::default(), &mut [targets, &mut sink], &[]);
        let left_out = sink.left_out;
        drop(sink);
        let written = writer.join().unwrap_or_else(|_| Err(std::io::Error::other("the writing thread panicked")));
        // A failed write is the cause when both failed.
        written.map_err(Error::io(out_name))?;
        Ok((mapped?, left_out))
    })
}

/// Sends each batch to be formatted as N-Quads lines (N-Triples when
/// `one_graph`, leaving out named graphs) on the thread pool.
pub struct NQuadsLines<'a> {
    sender: SyncSender<Receiver<Vec<u8>>>,
    one_graph: bool,
    left_out: u64,
    out_name: &'a Path,
    spare: SpareBuffers,
}

/// Line buffers the writing thread has written, for the next batches: a
/// batch's lines are megabytes, and a fresh buffer each time made the
/// kernel zero fresh pages for every batch (a tenth of `map`'s time on a
/// wide table, perf).
#[derive(Clone, Default)]
struct SpareBuffers(std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>);

impl SpareBuffers {
    /// As many as can be in flight: the writer's queue and a few formatting.
    const KEPT: usize = 40;

    fn take(&self) -> Vec<u8> {
        self.0.lock().ok().and_then(|mut spare| spare.pop()).unwrap_or_default()
    }

    fn give_back(&self, mut buffer: Vec<u8>) {
        buffer.clear();
        if let Ok(mut spare) = self.0.lock() {
            if spare.len() < Self::KEPT {
                spare.push(buffer);
            }
        }
    }
}

impl NQuadsLines<'_> {
    fn send(&mut self, quads: Vec<Quad>) -> Result<(), Error> {
        if self.one_graph {
            self.left_out += quads.iter().filter(|q| !q.graph_name.is_default_graph()).count() as u64;
        }
        let (lines_sender, lines) = sync_channel(1);
        let one_graph = self.one_graph;
        let buffer = self.spare.take();
        rayon::spawn(move || {
            let _ = lines_sender.send(lines_of(&quads, one_graph, buffer));
        });
        let stopped = || Error::io(self.out_name)(std::io::Error::other("the writing thread stopped"));
        self.sender.send(lines).map_err(|_| stopped())
    }
}

impl Sink for NQuadsLines<'_> {
    fn accept(&mut self, batch: &MappedBatch) -> Result<(), Error> {
        self.send(batch.default_output().cloned().collect())
    }

    fn take(&mut self, batch: MappedBatch) -> Result<(), Error> {
        if batch.targeted.is_empty() {
            self.send(batch.quads)
        } else {
            self.accept(&batch)
        }
    }
}

/// N-Quads lines (N-Triples when `one_graph`, leaving out named graphs),
/// written into `lines` (empty, perhaps with room from an earlier batch).
fn lines_of(quads: &[Quad], one_graph: bool, mut lines: Vec<u8>) -> Vec<u8> {
    // Lines average about 170 bytes; too small a guess copies the buffer.
    lines.reserve(quads.len() * 200);
    for quad in quads.iter().filter(|q| !one_graph || q.graph_name.is_default_graph()) {
        crate::ntriples::push_quad_line(&mut lines, quad.as_ref());
    }
    lines
}

/// Serialises each quad on the mapping thread, in any syntax Oxigraph writes.
pub struct Serialized<'a, W: Write> {
    writer: oxigraph::io::WriterQuadSerializer<W>,
    one_graph: bool,
    left_out: u64,
    out_name: &'a Path,
}

impl<'a, W: Write> Serialized<'a, W> {
    pub fn new(format: RdfFormat, prefixes: &[(String, String)], out: W, out_name: &'a Path) -> Result<Self, Error> {
        let mut serializer = RdfSerializer::from_format(format);
        for (prefix, iri) in prefixes {
            serializer = serializer
                .with_prefix(prefix, iri)
                .map_err(|e| Error::Usage(format!("the mappings' prefix {prefix}: <{iri}> cannot be written: {e}")))?;
        }
        let writer = serializer.for_writer(out);
        Ok(Self { writer, one_graph: !format.supports_datasets(), left_out: 0, out_name })
    }

    pub fn finish(self) -> Result<(), Error> {
        self.writer.finish().map(drop).map_err(Error::io(self.out_name))
    }
}

impl<W: Write> Sink for Serialized<'_, W> {
    fn accept(&mut self, batch: &MappedBatch) -> Result<(), Error> {
        for quad in batch.default_output() {
            if self.one_graph && !quad.graph_name.is_default_graph() {
                self.left_out += 1;
                continue;
            }
            self.writer.serialize_quad(quad).map_err(Error::io(self.out_name))?;
        }
        Ok(())
    }
}
