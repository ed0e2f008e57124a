//! Deterministic export of a whole store: quads sorted by graph, subject,
//! predicate and object, prefixes in name order, so that two exports of the
//! same data are byte-identical and a published dataset diffs cleanly. (The
//! build description changes with every build; leave it out to compare
//! dataset exports.)

use crate::Error;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, NamedNode, Quad};
use oxigraph::store::Store;
use std::io::Write;

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportSummary {
    pub quads: usize,
    /// Quads in named graphs that a single-graph format cannot hold.
    pub left_out: usize,
}

/// Writes the quads of `store` in `format`, leaving out the named graphs in
/// `leave_out`. Turtle and N-Triples hold one graph: they get the default
/// graph (the data and the ontology), and named graphs are counted as left out.
pub fn export(
    store: &Store,
    format: RdfFormat,
    prefixes: &[(String, String)],
    leave_out: &[NamedNode],
    out: &mut dyn Write,
) -> Result<ExportSummary, Error> {
    let store_error = |e: &dyn std::fmt::Display| Error::store("(export)", e);
    let mut summary = ExportSummary::default();
    let mut keyed: Vec<(String, Quad)> = Vec::new();
    for quad in store.iter() {
        let quad = quad.map_err(|e| store_error(&e))?;
        let skipped = match &quad.graph_name {
            GraphName::NamedNode(graph) => leave_out.contains(graph),
            _ => false,
        };
        if skipped {
            continue;
        }
        if !format.supports_datasets() && !quad.graph_name.is_default_graph() {
            summary.left_out += 1;
            continue;
        }
        let key = format!("{}\0{}\0{}\0{}", graph_key(&quad.graph_name), quad.subject, quad.predicate, quad.object);
        keyed.push((key, quad));
    }
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut prefixes = prefixes.to_vec();
    prefixes.sort();
    let mut serializer = RdfSerializer::from_format(format);
    for (prefix, iri) in &prefixes {
        serializer = serializer.with_prefix(prefix, iri).map_err(|e| store_error(&e))?;
    }
    let mut writer = serializer.for_writer(out);
    for (_, quad) in &keyed {
        writer.serialize_quad(quad).map_err(Error::io("(output)"))?;
    }
    writer.finish().map_err(Error::io("(output)"))?;
    summary.quads = keyed.len();
    Ok(summary)
}

/// The default graph sorts first.
fn graph_key(graph: &GraphName) -> String {
    match graph {
        GraphName::DefaultGraph => String::new(),
        other => other.to_string(),
    }
}
