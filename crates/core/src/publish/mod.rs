//! Pushes the built graph to a triple store through the SPARQL 1.1 Graph
//! Store HTTP Protocol: one `PUT` per graph, which replaces that graph on the
//! server. Bodies are N-Triples streamed from the version as they are read
//! (its kept runs or read index, [`Quads::of_version`]), so a graph of any
//! size is sent in bounded memory.
//!
//! The default graph (data and ontology) goes to the server's default graph,
//! or to the named graph given; every named graph of the store (the build's
//! description) goes to the graph of the same name.
//!
//! A plain `PUT` is only as safe as the server makes it: Oxigraph's server
//! empties the graph before it reads the body, so an upload that fails
//! midway leaves the graph empty there. Given the server's SPARQL Update
//! endpoint too, each graph is first sent to a staging graph and then put in
//! place with one `MOVE`, a single update the server applies whole: a failed
//! upload leaves the published graph as it was.

pub mod http;
pub mod update;

use crate::export::Quads;
use http::{RequestError, Url, UrlError};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, GraphNameRef, NamedNode};
use std::io;

/// Why publishing stopped. Graphs sent before it stay published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{endpoint}: {problem}")]
    Endpoint { endpoint: String, problem: UrlError },
    #[error("sending {graph}: {cause}")]
    Request { graph: String, cause: RequestError },
    #[error("{action} {graph}: the server answered {status} {reason}{}", server_said(body))]
    Refused { action: &'static str, graph: String, status: u16, reason: String, body: String },
    #[error("reading {graph} from the store: {problem}")]
    Store { graph: String, problem: String },
}

/// The start of a server's answer, on one line.
fn server_said(body: &str) -> String {
    let body = body.trim();
    if body.is_empty() {
        return String::new();
    }
    let mut text: String = body.chars().take(300).collect();
    if text.len() < body.len() {
        text.push('…');
    }
    format!(": {}", text.replace(['\r', '\n'], " "))
}

/// One graph sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedGraph {
    /// The graph on the server.
    pub remote: GraphName,
    pub triples: u64,
    pub status: u16,
}

/// Where and how to publish.
#[derive(Debug, Clone, Default)]
pub struct PublishOptions {
    /// The Graph Store Protocol endpoint, such as `http://localhost:7878/store`.
    pub endpoint: String,
    /// The server's SPARQL Update endpoint, such as
    /// `http://localhost:7878/update`: when given, graphs go through staging.
    pub update_endpoint: Option<String>,
    /// The named graph the store's default graph goes to (else the default graph).
    pub data_graph: Option<NamedNode>,
    /// Named graphs of the store not to send.
    pub leave_out: Vec<NamedNode>,
}

/// Sends every graph of a version as `options` say; `on_sent` hears of each.
pub fn publish(
    store: &Quads,
    options: &PublishOptions,
    mut on_sent: impl FnMut(&PublishedGraph),
) -> Result<Vec<PublishedGraph>, PublishError> {
    let endpoint = parse_endpoint(&options.endpoint)?;
    let update = options.update_endpoint.as_deref().map(parse_endpoint).transpose()?;
    let mut published = Vec::new();
    for (local, remote) in graphs_to_send(store, options)? {
        let sent = match &update {
            None => put_graph(store, &endpoint, local.as_ref(), &remote)?,
            Some(update) => put_graph_through_staging(store, &endpoint, update, local.as_ref(), &remote)?,
        };
        on_sent(&sent);
        published.push(sent);
    }
    Ok(published)
}

fn parse_endpoint(endpoint: &str) -> Result<Url, PublishError> {
    Url::parse(endpoint).map_err(|problem| PublishError::Endpoint { endpoint: endpoint.to_owned(), problem })
}

/// Pairs of a graph of the store and the graph it becomes on the server; the
/// data first, so that the description never arrives without it.
fn graphs_to_send(store: &Quads, options: &PublishOptions) -> Result<Vec<(GraphName, GraphName)>, PublishError> {
    let data_graph = options.data_graph.as_ref();
    let mut graphs = vec![(GraphName::DefaultGraph, data_graph.map_or(GraphName::DefaultGraph, |g| g.clone().into()))];
    let mut named = store
        .named_graphs()
        .map_err(|e| PublishError::Store { graph: "the list of named graphs".into(), problem: e.to_string() })?;
    // The store listed them in its order; any order is as good, one fixed is better.
    named.sort();
    for graph in named {
        if !options.leave_out.contains(&graph) && Some(&graph) != data_graph {
            graphs.push((graph.clone().into(), graph.into()));
        }
    }
    Ok(graphs)
}

fn describe(graph: &GraphName) -> String {
    match graph {
        GraphName::NamedNode(graph) => graph.to_string(),
        _ => "the default graph".to_owned(),
    }
}

fn graph_target(url: &Url, graph: &GraphName) -> String {
    match graph {
        GraphName::NamedNode(graph) => url.with_query(&format!("graph={}", http::percent_encode(graph.as_str()))),
        _ => url.with_query("default"),
    }
}

fn put_graph(
    store: &Quads,
    url: &Url,
    local: GraphNameRef<'_>,
    remote: &GraphName,
) -> Result<PublishedGraph, PublishError> {
    let graph = describe(remote);
    let mut store_problem = None;
    let mut triples = 0u64;
    let headers = [("Content-Type", "application/n-triples")];
    let response = http::send(url, "PUT", &graph_target(url, remote), &headers, |body| {
        let mut writer = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(body);
        let sent = store.for_each(Some(local), |quad| {
            writer.serialize_triple(quad.as_ref()).map_err(SendError::Body)?;
            triples += 1;
            Ok(())
        });
        match sent {
            Err(SendError::Read(e)) => {
                store_problem = Some(e.to_string());
                return Err(io::Error::other("the graph could not be read"));
            }
            Err(SendError::Body(e)) => return Err(e),
            Ok(()) => {}
        }
        writer.finish()?.flush()
    });
    if let Some(problem) = store_problem {
        return Err(PublishError::Store { graph, problem });
    }
    let response = response.map_err(|cause| PublishError::Request { graph: graph.clone(), cause })?;
    let status = success_status("uploading", &graph, response)?;
    Ok(PublishedGraph { remote: remote.clone(), triples, status })
}

/// Sends the graph to a fresh staging graph, then moves it over the
/// published one in one update. On failure the staging graph is dropped.
/// Why a body stopped: the version could not be read, or the body written.
enum SendError {
    Read(crate::Error),
    Body(io::Error),
}

impl From<crate::Error> for SendError {
    fn from(error: crate::Error) -> Self {
        Self::Read(error)
    }
}

fn put_graph_through_staging(
    store: &Quads,
    endpoint: &Url,
    update: &Url,
    local: GraphNameRef<'_>,
    remote: &GraphName,
) -> Result<PublishedGraph, PublishError> {
    let staging = staging_graph();
    let staged = put_graph(store, endpoint, local, &staging.clone().into());
    let target = match remote {
        GraphName::NamedNode(graph) => format!("GRAPH {graph}"),
        _ => "DEFAULT".to_owned(),
    };
    let moved = staged.and_then(|staged| {
        let status = sparql_update(update, &format!("MOVE GRAPH {staging} TO {target}"), &describe(remote))?;
        Ok(PublishedGraph { remote: remote.clone(), triples: staged.triples, status })
    });
    if moved.is_err() {
        let _ = http::send(endpoint, "DELETE", &graph_target(endpoint, &staging.into()), &[], |_| Ok(()));
    }
    moved
}

fn staging_graph() -> NamedNode {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    NamedNode::new_unchecked(format!("urn:factgraph:staging:{}:{nanos}", std::process::id()))
}

fn sparql_update(update: &Url, request: &str, graph: &str) -> Result<u16, PublishError> {
    let headers = [("Content-Type", "application/sparql-update")];
    let response = http::send(update, "POST", &update.target, &headers, |body| body.write_all(request.as_bytes()))
        .map_err(|cause| PublishError::Request { graph: graph.to_owned(), cause })?;
    success_status("moving the staged upload into", graph, response)
}

fn success_status(action: &'static str, graph: &str, response: http::Response) -> Result<u16, PublishError> {
    if response.is_success() {
        return Ok(response.status);
    }
    Err(PublishError::Refused {
        action,
        graph: graph.to_owned(),
        status: response.status,
        reason: response.reason,
        body: response.body,
    })
}
