//! Deterministic export of a whole store: quads sorted by graph, subject,
//! predicate and object, prefixes in name order, so that two exports of the
//! same data are byte-identical and a published dataset diffs cleanly.

use crate::Error;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, Quad};
use oxigraph::store::Store;
use std::io::Write;

/// Writes every quad of `store` in `format`. Turtle and N-Triples hold one
/// graph only: a store with named graphs must be exported as TriG or N-Quads.
pub fn export(
    store: &Store,
    format: RdfFormat,
    prefixes: &[(String, String)],
    out: &mut dyn Write,
) -> Result<(), Error> {
    let store_error = |e: &dyn std::fmt::Display| Error::store("(export)", e);
    let mut keyed: Vec<(String, Quad)> = Vec::new();
    for quad in store.iter() {
        let quad = quad.map_err(|e| store_error(&e))?;
        let key = format!("{}\0{}\0{}\0{}", graph_key(&quad.graph_name), quad.subject, quad.predicate, quad.object);
        keyed.push((key, quad));
    }
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    if !format.supports_datasets() {
        if let Some((_, quad)) = keyed.iter().find(|(_, q)| !q.graph_name.is_default_graph()) {
            return Err(Error::store(
                "(export)",
                format!(
                    "the dataset has named graphs (such as {}), which {} cannot hold; export as trig or nquads",
                    quad.graph_name,
                    format.name()
                ),
            ));
        }
    }
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
    Ok(())
}

/// The default graph sorts first.
fn graph_key(graph: &GraphName) -> String {
    match graph {
        GraphName::DefaultGraph => String::new(),
        other => other.to_string(),
    }
}
