//! Pushes the built graph to a triple store through the SPARQL 1.1 Graph
//! Store HTTP Protocol, each graph in requests of at most
//! [`PublishOptions::batch_size`] quads as N-Triples: a `PUT` of the first
//! batch, which replaces the graph on the server, then a `POST` of each
//! other, which adds to it. A graph of any size is thus sent in bounded
//! memory, and no request asks the server for one transaction the size of
//! the graph (Oxigraph's server took 918 s and 4.9 GB for one `PUT` of two
//! million triples). The quads with blank nodes are sent last, each group
//! of them linked through shared blank nodes (a component) within one
//! request: a blank node label is only the same node within one document.
//!
//! The default graph (data and ontology) goes to the server's default graph,
//! or to the named graph given; every named graph of the store (the build's
//! description) goes to the graph of the same name.
//!
//! Batches alone are not atomic: an upload that fails midway leaves part of
//! the graph on the server. Given the server's SPARQL Update endpoint too,
//! each graph is first sent to a staging graph and then put in place with
//! one `MOVE`, a single update the server applies whole: a failed upload
//! leaves the published graph as it was.

pub mod http;
pub mod update;

use crate::changes::{ChangeLog, Patch};
use crate::export::Quads;
use http::{RequestError, Url, UrlError};
use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, NamedNodeRef, Quad, Term};
use update::Operation;

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
    #[error(
        "an incremental publish needs the server's SPARQL Update endpoint (--update-endpoint): the Graph \
         Store Protocol replaces or adds to whole graphs and cannot delete single triples"
    )]
    NoUpdateEndpoint,
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
    /// The most quads one request carries (at least one; a component of
    /// quads linked by blank nodes is never split, so it may carry more).
    pub batch_size: usize,
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
            None => put_graph(store, &endpoint, local.as_ref(), &remote, options.batch_size)?,
            Some(update) => {
                put_graph_through_staging(store, &endpoint, update, local.as_ref(), &remote, options.batch_size)?
            }
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

/// One graph on its way to the server, a batch of N-Triples at a time.
struct Upload<'a> {
    url: &'a Url,
    target: String,
    graph: String,
    batch_size: usize,
    body: Vec<u8>,
    in_body: usize,
    triples: u64,
    requests: usize,
    status: u16,
}

impl<'a> Upload<'a> {
    fn new(url: &'a Url, remote: &GraphName, batch_size: usize) -> Self {
        Self {
            url,
            target: graph_target(url, remote),
            graph: describe(remote),
            batch_size: batch_size.max(1),
            body: Vec::new(),
            in_body: 0,
            triples: 0,
            requests: 0,
            status: 0,
        }
    }

    fn add(&mut self, quad: &Quad) {
        let triple: oxigraph::model::TripleRef<'_> = quad.as_ref().into();
        let mut writer = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(&mut self.body);
        // Writing to memory cannot fail.
        let _ = writer.serialize_triple(triple).and_then(|()| writer.finish().map(drop));
        self.in_body += 1;
    }

    /// Whether `more` quads would overfill the batch.
    fn is_full(&self, more: usize) -> bool {
        self.in_body > 0 && self.in_body + more > self.batch_size
    }

    /// Sends the batch: the first replaces the graph, the others add to it.
    fn send(&mut self) -> Result<(), PublishError> {
        let method = if self.requests == 0 { "PUT" } else { "POST" };
        let headers = [("Content-Type", "application/n-triples")];
        let body = std::mem::take(&mut self.body);
        let response = http::send(self.url, method, &self.target, &headers, body)
            .map_err(|cause| PublishError::Request { graph: self.graph.clone(), cause })?;
        self.status = success_status("uploading", &self.graph, response)?;
        self.triples += self.in_body as u64;
        self.in_body = 0;
        self.requests += 1;
        Ok(())
    }
}

/// Why an upload stopped: the version could not be read, or the server
/// did not take a batch.
enum Stop {
    Read(crate::Error),
    Publish(PublishError),
}

impl From<crate::Error> for Stop {
    fn from(error: crate::Error) -> Self {
        Self::Read(error)
    }
}

/// Replaces graph `remote` on the server with graph `local` of the store,
/// in batches (see the module's documentation).
fn put_graph(
    store: &Quads,
    url: &Url,
    local: GraphNameRef<'_>,
    remote: &GraphName,
    batch_size: usize,
) -> Result<PublishedGraph, PublishError> {
    let mut upload = Upload::new(url, remote, batch_size);
    let mut blank = Vec::new();
    let streamed = store.for_each(Some(local), |quad| {
        if update::has_blank_node(&quad) {
            blank.push(quad);
        } else {
            if upload.is_full(1) {
                upload.send().map_err(Stop::Publish)?;
            }
            upload.add(&quad);
        }
        Ok(())
    });
    match streamed {
        Err(Stop::Read(e)) => return Err(PublishError::Store { graph: describe(remote), problem: e.to_string() }),
        Err(Stop::Publish(e)) => return Err(e),
        Ok(()) => {}
    }
    for component in update::components(&blank) {
        if upload.is_full(component.len()) {
            upload.send()?;
        }
        for index in component {
            upload.add(&blank[index]);
        }
    }
    // The last batch; for an empty graph, an empty PUT that empties it there.
    if upload.in_body > 0 || upload.requests == 0 {
        upload.send()?;
    }
    Ok(PublishedGraph { remote: remote.clone(), triples: upload.triples, status: upload.status })
}

/// Sends the graph to a fresh staging graph, then moves it over the
/// published one in one update. On failure the staging graph is dropped.
fn put_graph_through_staging(
    store: &Quads,
    endpoint: &Url,
    update: &Url,
    local: GraphNameRef<'_>,
    remote: &GraphName,
    batch_size: usize,
) -> Result<PublishedGraph, PublishError> {
    let staging = staging_graph();
    let staged = put_graph(store, endpoint, local, &staging.clone().into(), batch_size);
    let target = match remote {
        GraphName::NamedNode(graph) => format!("GRAPH {graph}"),
        _ => "DEFAULT".to_owned(),
    };
    let moved = staged.and_then(|staged| {
        let status = sparql_update(update, &format!("MOVE GRAPH {staging} TO {target}"), &describe(remote))?;
        Ok(PublishedGraph { remote: remote.clone(), triples: staged.triples, status })
    });
    if moved.is_err() {
        let _ = http::send(endpoint, "DELETE", &graph_target(endpoint, &staging.into()), &[], Vec::new());
    }
    moved
}

fn staging_graph() -> NamedNode {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    NamedNode::new_unchecked(format!("urn:factgraph:staging:{}:{nanos}", std::process::id()))
}

fn sparql_update(update: &Url, request: &str, graph: &str) -> Result<u16, PublishError> {
    let headers = [("Content-Type", "application/sparql-update")];
    let response = http::send(update, "POST", &update.target, &headers, request.as_bytes().to_vec())
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

/// What `publish --incremental` can send, from what the server holds.
#[derive(Debug)]
pub enum Incremental {
    /// The server holds the version being published already.
    UpToDate { version: String },
    /// The change from the version the server holds to the one published.
    Difference { from: String, patch: Patch },
    /// Only a full publish can bring the server up to date, for `reason`.
    Full { reason: String },
}

/// Where the published description is, and what this store can tell.
#[derive(Debug, Clone)]
pub struct Followed<'a> {
    /// The named graph of the build's description.
    pub description: &'a NamedNode,
    /// The dataset the description describes (the subject of `dcat:version`).
    pub dataset: &'a NamedNode,
    /// The version being published.
    pub current: &'a str,
    pub log: &'a ChangeLog,
}

/// Asks the server which version it holds (the `dcat:version` of the
/// published description, read through the Graph Store endpoint) and works
/// out what must be sent.
pub fn plan_incremental(options: &PublishOptions, followed: &Followed<'_>) -> Result<Incremental, PublishError> {
    let Some(remote) = remote_version(options, followed)? else {
        return Ok(Incremental::Full {
            reason: format!(
                "the server holds no description of {} (graph {}), so not which version it has",
                followed.dataset, followed.description
            ),
        });
    };
    if remote == followed.current {
        return Ok(Incremental::UpToDate { version: remote });
    }
    match followed.log.between(&remote, followed.current) {
        Ok(patch) => Ok(Incremental::Difference { from: remote, patch }),
        Err(error) => Ok(Incremental::Full {
            reason: format!(
                "the server holds version {remote}, and no change from it to {} is known here: {error}",
                followed.current
            ),
        }),
    }
}

/// The `dcat:version` of the dataset in the server's copy of the
/// description, if it has one.
fn remote_version(options: &PublishOptions, followed: &Followed<'_>) -> Result<Option<String>, PublishError> {
    let endpoint = parse_endpoint(&options.endpoint)?;
    let graph = followed.description.to_string();
    let target = graph_target(&endpoint, &followed.description.clone().into());
    let accept = [("Accept", "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5")];
    let response = http::get(&endpoint, &target, &accept)
        .map_err(|cause| PublishError::Request { graph: graph.clone(), cause })?;
    if response.status == 404 {
        return Ok(None);
    }
    if !response.is_success() {
        success_status("reading", &graph, response)?;
        return Ok(None);
    }
    let format = response.content_type.as_deref().and_then(RdfFormat::from_media_type).unwrap_or(RdfFormat::Turtle);
    let version = NamedNodeRef::new_unchecked("http://www.w3.org/ns/dcat#version");
    for triple in RdfParser::from_format(format).for_slice(response.body.as_bytes()) {
        let triple = triple.map_err(|e| PublishError::Store {
            graph: graph.clone(),
            problem: format!("the server's copy cannot be read ({format}): {e}"),
        })?;
        if triple.subject == followed.dataset.as_ref().into() && triple.predicate == version {
            if let Term::Literal(literal) = triple.object {
                return Ok(Some(literal.value().to_owned()));
            }
        }
    }
    Ok(None)
}

/// What an incremental publish sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DifferenceSent {
    /// Quads deleted and inserted on the server, blank node components whole.
    pub deleted: u64,
    pub inserted: u64,
    /// Triples of the description, which is replaced whole.
    pub description: u64,
    /// Update requests sent.
    pub requests: usize,
    /// Whether the change went through staging graphs (it was larger than
    /// one request may be).
    pub staged: bool,
}

/// Sends `patch` (the change from the version the server holds to the one
/// `store` is) to the server's SPARQL Update endpoint: in one update when
/// it has at most `max_quads` quads, which the server applies whole; else
/// through staging copies of the graphs it changes, in updates of at most
/// `max_quads`, moved into place in one last update. The description is
/// replaced whole in that last update: it changes every build, and its
/// blank nodes would cost more to find than it costs to send.
pub fn publish_difference(
    store: &Quads,
    options: &PublishOptions,
    description: &NamedNode,
    patch: Patch,
    max_quads: usize,
) -> Result<DifferenceSent, PublishError> {
    let update = options.update_endpoint.as_deref().ok_or(PublishError::NoUpdateEndpoint)?;
    let update = parse_endpoint(update)?;
    let remote = |graph: &GraphName| remote_graph(options, description, graph);
    let mut removed = Vec::new();
    let mut added = Vec::new();
    for (changes, into) in [(patch.removed, &mut removed), (patch.added, &mut added)] {
        into.extend(changes.into_iter().filter_map(|c| {
            let graph = remote(&c.quad.graph_name)?;
            Some(Quad { graph_name: graph, ..c.quad })
        }));
    }
    let (plain_removed, blank_removed): (Vec<Quad>, Vec<Quad>) =
        removed.into_iter().partition(|q| !update::has_blank_node(q));
    let (mut plain_added, blank_added): (Vec<Quad>, Vec<Quad>) =
        added.into_iter().partition(|q| !update::has_blank_node(q));
    let mut blank = update::BlankChange::default();
    if !blank_removed.is_empty() || !blank_added.is_empty() {
        let current = blank_quads(store, &remote)?;
        blank = update::blank_change(current, &blank_removed, &blank_added);
    }
    let deleted = (plain_removed.len() + blank.delete.iter().map(Vec::len).sum::<usize>()) as u64;
    let inserted = (plain_added.len() + blank.insert.len()) as u64;
    let mut changes = Vec::new();
    if !plain_removed.is_empty() {
        changes.push(Operation::DeleteData(plain_removed));
    }
    changes.extend(blank.delete.into_iter().map(Operation::DeleteComponent));
    plain_added.extend(blank.insert);
    if !plain_added.is_empty() {
        changes.push(Operation::InsertData(plain_added));
    }
    let description_quads = graph_quads(store, description)?;
    let described = description_quads.len() as u64;
    let replace_description = if options.leave_out.contains(description) {
        Vec::new()
    } else {
        vec![Operation::Manage(format!("DROP SILENT GRAPH {description}")), Operation::InsertData(description_quads)]
    };
    let size: usize = changes.iter().map(Operation::size).sum();
    let graph = "the change";
    let (requests, staged) = if size <= max_quads {
        changes.extend(replace_description);
        send_update(&update, &changes, graph)?;
        (1, false)
    } else {
        (send_staged(&update, changes, replace_description, max_quads)?, true)
    };
    Ok(DifferenceSent { deleted, inserted, description: described, requests, staged })
}

/// The graph a local graph is published to; `None` for graphs not sent by
/// this path (the description, which is replaced whole, and those left out).
fn remote_graph(options: &PublishOptions, description: &NamedNode, graph: &GraphName) -> Option<GraphName> {
    match graph {
        GraphName::DefaultGraph => {
            Some(options.data_graph.as_ref().map_or(GraphName::DefaultGraph, |g| g.clone().into()))
        }
        GraphName::NamedNode(named)
            if named == description
                || options.leave_out.contains(named)
                || options.data_graph.as_ref() == Some(named) =>
        {
            None
        }
        other => Some(other.clone()),
    }
}

/// The quads with blank nodes of the graphs sent, in their remote graphs.
fn blank_quads(store: &Quads, remote: &dyn Fn(&GraphName) -> Option<GraphName>) -> Result<Vec<Quad>, PublishError> {
    let mut quads = Vec::new();
    store
        .for_each(None, |quad| {
            if update::has_blank_node(&quad) {
                if let Some(graph) = remote(&quad.graph_name) {
                    quads.push(Quad { graph_name: graph, ..quad });
                }
            }
            Ok::<_, crate::Error>(())
        })
        .map_err(|e| PublishError::Store { graph: "the graph's blank nodes".into(), problem: e.to_string() })?;
    Ok(quads)
}

fn graph_quads(store: &Quads, graph: &NamedNode) -> Result<Vec<Quad>, PublishError> {
    let mut quads = Vec::new();
    store
        .for_each(Some(graph.as_ref().into()), |quad| {
            quads.push(quad);
            Ok::<_, crate::Error>(())
        })
        .map_err(|e| PublishError::Store { graph: graph.to_string(), problem: e.to_string() })?;
    Ok(quads)
}

/// Applies `changes` to staging copies of the graphs they change, in
/// updates of at most `max_quads`, then moves the copies into place with
/// `last` in one update. On failure the copies are dropped. Returns the
/// number of updates sent.
fn send_staged(
    update: &Url,
    changes: Vec<Operation>,
    last: Vec<Operation>,
    max_quads: usize,
) -> Result<usize, PublishError> {
    let mut targets: Vec<GraphName> = changes.iter().flat_map(Operation::graphs).collect();
    targets.sort_by_key(ToString::to_string);
    targets.dedup();
    let staging: Vec<(GraphName, NamedNode)> = targets.into_iter().map(|g| (g, staging_graph())).collect();
    let name = |graph: &GraphName| match graph {
        GraphName::NamedNode(graph) => format!("GRAPH {graph}"),
        _ => "DEFAULT".to_owned(),
    };
    let mut requests = vec![staging
        .iter()
        .map(|(graph, copy)| Operation::Manage(format!("COPY SILENT {} TO GRAPH {copy}", name(graph))))
        .collect::<Vec<_>>()];
    let mut request = Vec::new();
    let mut size = 0;
    for change in changes {
        let mut change = change;
        for (graph, copy) in &staging {
            change = change.moved(graph, &copy.clone().into());
        }
        for part in change.split(max_quads) {
            if size > 0 && size + part.size() > max_quads {
                requests.push(std::mem::take(&mut request));
                size = 0;
            }
            size += part.size();
            request.push(part);
        }
    }
    if !request.is_empty() {
        requests.push(request);
    }
    let mut moves: Vec<Operation> = staging
        .iter()
        .map(|(graph, copy)| Operation::Manage(format!("MOVE GRAPH {copy} TO {}", name(graph))))
        .collect();
    moves.extend(last);
    requests.push(moves);
    let sent =
        requests.iter().try_for_each(|operations| send_update(update, operations, "the staged change").map(drop));
    if let Err(error) = sent {
        let drop: Vec<Operation> =
            staging.iter().map(|(_, copy)| Operation::Manage(format!("DROP SILENT GRAPH {copy}"))).collect();
        let _ = send_update(update, &drop, "the staging graphs");
        return Err(error);
    }
    Ok(requests.len())
}

fn send_update(update: &Url, operations: &[Operation], graph: &str) -> Result<u16, PublishError> {
    let headers = [("Content-Type", "application/sparql-update")];
    let mut body = Vec::new();
    // Writing to memory cannot fail.
    let _ = update::write_request(operations, &mut body);
    let response = http::send(update, "POST", &update.target, &headers, body)
        .map_err(|cause| PublishError::Request { graph: graph.to_owned(), cause })?;
    success_status("applying", graph, response)
}
