//! `factgraph map`: run mappings and write the RDF, without a store.

use super::RdfFormatArg;
use anyhow::Context as _;
use factgraph::mapping::{self, Plan};
use oxigraph::io::{RdfFormat, RdfSerializer};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Run RML mapping files and write the RDF they produce. Relative source
/// paths resolve against each mapping file's folder.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// RML mapping files (Turtle), legacy or current vocabulary.
    #[arg(required = true, value_name = "MAPPING.ttl")]
    mappings: Vec<PathBuf>,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    #[arg(long, short, value_enum, default_value = "nquads")]
    format: RdfFormatArg,
    /// Base IRI for relative IRIs, for mappings without @base.
    #[arg(long, value_name = "IRI")]
    base: Option<String>,
}

pub fn run(args: Args, _config: Option<&Path>) -> anyhow::Result<ExitCode> {
    let mut mapping = mapping::read_mapping_files(&args.mappings)?;
    for map in &mut mapping.triples_maps {
        if map.base_iri.is_none() {
            map.base_iri.clone_from(&args.base);
        }
    }
    let plan = Plan::compile(&mapping)?;
    let format = RdfFormat::from(args.format);
    let mut out = super::output(args.output.as_deref())?;
    let named_graphs_lost = !format.supports_datasets();
    let mut dropped = 0u64;
    let report = if matches!(format, RdfFormat::NQuads | RdfFormat::NTriples) {
        // One line per quad. Each batch is formatted by a task on the thread
        // pool while the next rows are mapped, and a writing thread writes the
        // batches in order as they are ready: mapping waits for neither.
        std::thread::scope(|scope| -> anyhow::Result<_> {
            let (sender, receiver) = std::sync::mpsc::sync_channel::<std::sync::mpsc::Receiver<Vec<u8>>>(32);
            let out = &mut out;
            let writer = scope.spawn(move || {
                receiver.iter().try_for_each(|lines| {
                    let lines = lines.recv().map_err(|_| std::io::Error::other("a formatting task stopped"))?;
                    out.write_all(&lines)
                })
            });
            let report = mapping::run(&plan, &mut |batch| {
                dropped += batch.quads.iter().filter(|q| named_graphs_lost && !q.graph_name.is_default_graph()).count() as u64;
                let (lines_sender, lines) = std::sync::mpsc::sync_channel(1);
                rayon::spawn(move || {
                    let _ = lines_sender.send(lines_of(&batch.quads, named_graphs_lost));
                });
                sender.send(lines).map_err(|_| factgraph::Error::io("(output)")(std::io::Error::other("the writing thread stopped")))
            });
            drop(sender);
            let written = writer.join().map_err(|_| anyhow::anyhow!("the writing thread panicked"))?;
            // A failed write is the cause when both failed.
            written.context("cannot write the output")?;
            Ok(report?)
        })?
    } else {
        let mut serializer = RdfSerializer::from_format(format);
        for (prefix, iri) in &mapping.prefixes {
            serializer = serializer.with_prefix(prefix, iri)?;
        }
        let mut writer = serializer.for_writer(&mut out);
        let report = mapping::run(&plan, &mut |batch| {
            for quad in &batch.quads {
                if named_graphs_lost && !quad.graph_name.is_default_graph() {
                    dropped += 1;
                    continue;
                }
                writer.serialize_quad(quad).map_err(factgraph::Error::io("(output)"))?;
            }
            Ok(())
        })?;
        writer.finish().context("cannot write the output")?;
        report
    };
    out.flush().context("cannot write the output")?;
    if dropped > 0 {
        eprintln!("factgraph: {dropped} quad(s) in named graphs left out: {} holds one graph; use --format nquads or trig", format.name());
    }
    for issue in &report.issues {
        eprintln!("warning: {issue}");
    }
    if report.issue_count > report.issues.len() as u64 {
        eprintln!("warning: … and {} more", report.issue_count - report.issues.len() as u64);
    }
    Ok(if report.issue_count > 0 || dropped > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// N-Quads lines (N-Triples when `triples_only`, leaving out named graphs).
fn lines_of(quads: &[oxigraph::model::Quad], triples_only: bool) -> Vec<u8> {
    // Lines average about 170 bytes; too small a guess copies the buffer.
    let mut lines = Vec::with_capacity(quads.len() * 200);
    for quad in quads.iter().filter(|q| !triples_only || q.graph_name.is_default_graph()) {
        factgraph::ntriples::push_quad_line(&mut lines, quad.as_ref());
    }
    lines
}
