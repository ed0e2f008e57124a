//! factgraph's web face (`factgraph serve`), the last step of the flow
//! sources → mapping plan → quads → sinks (store, checks, targets) →
//! queries and exports: it reads the versions the library
//! (`factgraph-core`) builds and answers over HTTP. A crate of its own
//! because its query page is fetched from npm when it builds (build.rs):
//! only this crate runs `npm ci`, and the library and the engine build
//! without it.
//!
//! A read-only SPARQL 1.1 Protocol endpoint over the current graph, and the
//! graph on the web: a query page (YASGUI, see build.rs), a page for every
//! resource with the sources and CSV lines of its facts, and the dataset's
//! own description with downloads.
//!
//! Resource pages answer the resource's own path (see [`links`]) in HTML,
//! Turtle, N-Triples or JSON-LD as `Accept` asks (W3C "Cool URIs for the
//! Semantic Web", content negotiation answered directly, with `Vary: Accept`
//! and `Content-Location` naming the document that was sent, which is also
//! served at its own path: `.html`, `.ttl`, `.nt`, `.jsonld`).
//!
//! Queries arrive by GET (`/query?query=…`) or POST (a form with `query=`, or
//! an `application/sparql-query` body); the answer's format follows the
//! `Accept` header. Updates are refused: the graph changes only through
//! `factgraph build`, which checks the data first. `SERVICE` reaches no
//! other host, since factgraph is built without Oxigraph's HTTP client.
//!
//! An answer is written into memory completely before its status line is
//! sent: a query that fails or runs out of time midway answers with an error
//! status, never with a 200 and a truncated body.

mod changes;
mod changes_page;
mod connections;
mod dataset;
mod dataset_page;
mod html;
mod links;
mod negotiate;
mod permits;
mod query_page;
mod resource;
mod resource_page;
mod sparql;

use factgraph_core::project::Project;
use factgraph_core::query::{named, write_results, ResultsFormat, WriteOptions};
use factgraph_core::query::{Graph, Prepared, ReadFrom};
use factgraph_core::store::StoreDir;
use factgraph_core::Error;
use negotiate::{negotiate, prefers_html};
use oxhttp::model::header::{ACCEPT, ALLOW, CONTENT_TYPE, HOST, LOCATION};
use oxhttp::model::{Body, Method, Request, Response, StatusCode};
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::Triple;
use oxigraph::sparql::{CancellationToken, QueryEvaluationError};
use permits::Permits;
use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// Files served under `/assets/`: YASGUI as build.rs fetched it, and the
/// page's own script and style.
const ASSETS: [(&str, &str, &[u8]); 4] = [
    (
        "yasgui.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!(concat!(env!("OUT_DIR"), "/web-assets/yasgui.min.js")),
    ),
    (
        "yasgui.min.css",
        "text/css; charset=utf-8",
        include_bytes!(concat!(env!("OUT_DIR"), "/web-assets/yasgui.min.css")),
    ),
    ("factgraph.js", "text/javascript; charset=utf-8", include_bytes!("assets/factgraph.js")),
    ("factgraph.css", "text/css; charset=utf-8", include_bytes!("assets/factgraph.css")),
];
/// The RDF formats of a description, with the extension of its document.
const RDF_DOCUMENTS: [(&str, &str, &str); 3] = [
    ("Turtle", "text/turtle", "ttl"),
    ("N-Triples", "application/n-triples", "nt"),
    ("JSON-LD", "application/ld+json", "jsonld"),
];
/// Largest request body read; a query is text, this is generous.
const MAX_BODY: u64 = 1024 * 1024;
/// What a connection may take ([`connections`]). A request's head is a
/// few hundred bytes and its body a query: a client that needs ten seconds
/// for the one or thirty for the other is not sending them, and its
/// connection is closed. A thousand open connections, most of them idle
/// browsers and clients keeping theirs alive, cost a blocked thread each;
/// the queries they send evaluate a few at a time ([`permits`]).
const LIMITS: connections::Limits = connections::Limits {
    head: Duration::from_secs(10),
    body: Duration::from_secs(30),
    max_body: MAX_BODY as usize,
    write: Duration::from_secs(60),
    connections: 1024,
};

/// What the endpoint serves and how.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The project: its store, its named questions (listed at `/queries`),
    /// its prefixes (available to queries without PREFIX lines, and used in
    /// Turtle answers), its base IRI (where resource pages are) and its
    /// mappings (to find the CSV line of a fact).
    pub project: Project,
    /// Which copy of the graph queries read: the read index, or the store.
    pub read_from: ReadFrom,
    /// Longest time a query may run; `None` for no limit.
    pub timeout: Option<Duration>,
    /// Leave CSV/TSV cells that spreadsheets run as formulas as they are.
    pub allow_formulas: bool,
    /// Most queries evaluated at once; the others wait their turn, within
    /// the time limit ([`permits`]).
    pub concurrent_queries: usize,
}

/// A running endpoint.
pub struct Endpoint {
    pub address: SocketAddr,
    accepting: std::thread::JoinHandle<()>,
}

impl Endpoint {
    /// Serves until the process ends.
    pub fn join(self) -> std::io::Result<()> {
        self.accepting.join().map_err(|_| std::io::Error::other("the thread accepting connections panicked"))
    }
}

/// Opens the current graph and starts serving on `bind`. Port 0 picks a
/// free port; [`Endpoint::address`] tells which.
pub fn start(bind: SocketAddr, options: ServeOptions) -> Result<Endpoint, Error> {
    let state = Arc::new(State::new(options)?);
    let listener = TcpListener::bind(bind).map_err(Error::io(bind.to_string()))?;
    let address = listener.local_addr().map_err(Error::io(bind.to_string()))?;
    let accepting =
        connections::serve(listener, LIMITS, Arc::new(move |request: &mut Request<Body>| state.answer(request)))
            .map_err(Error::io(address.to_string()))?;
    Ok(Endpoint { address, accepting })
}

struct State {
    options: ServeOptions,
    store_dir: StoreDir,
    /// The version open now and its graph. A build publishes a new version
    /// and later removes old ones, so each request checks which is current.
    current: Mutex<(String, Graph)>,
    permits: Arc<Permits>,
}

/// An answer that is not a result: a status and a one-line message.
struct Failure(StatusCode, String);

impl State {
    fn new(options: ServeOptions) -> Result<Self, Error> {
        let store_dir = StoreDir::new(&options.project.store);
        let version = store_dir.require_current_version()?;
        let graph = Graph::open(&version, options.read_from)?;
        let permits = Arc::new(Permits::new(options.concurrent_queries));
        Ok(Self { options, store_dir, current: Mutex::new((version.name().to_owned(), graph)), permits })
    }

    /// The current version's graph, as queries read it.
    fn graph(&self) -> Result<Graph, Error> {
        let version = self.store_dir.require_current_version()?;
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if current.0 != version.name() {
            *current = (version.name().to_owned(), Graph::open(&version, self.options.read_from)?);
        }
        Ok(current.1.clone())
    }

    fn answer(&self, request: &mut Request<Body>) -> Response<Body> {
        let (method, path) = (request.method().clone(), request.uri().path().to_owned());
        let readable = method == Method::GET || method == Method::POST;
        let get = method == Method::GET;
        let accept = header(request, ACCEPT);
        let decoded_path = percent_encoding::percent_decode_str(&path).decode_utf8_lossy().into_owned();
        let result = match path.as_str() {
            "/" if get => self.query_page(),
            "/queries" if get => self.named_queries(),
            "/query" if readable => self.query(request),
            "/update" => Err(read_only()),
            "/dataset" | "/.well-known/void" if get => self.dataset(&accept, None),
            "/dataset.html" if get => self.dataset(&accept, Some("html")),
            "/dataset.ttl" | "/dataset.nt" | "/dataset.jsonld" if get => self.dataset(&accept, extension(&path)),
            "/resource" if get => self.resource_by_query(request, &accept),
            "/changes" if get => self.change_feed(&accept, &header(request, HOST), None),
            "/changes.html" | "/changes.json" if get => {
                self.change_feed(&accept, &header(request, HOST), extension(&path))
            }
            _ if get && path.starts_with("/changes/") => {
                self.change_of_version(&path["/changes/".len()..], &accept, &header(request, HOST))
            }
            _ if get && path.starts_with("/assets/") => asset(&path["/assets/".len()..]),
            _ if get && path.starts_with("/download/") => self.download(&path["/download/".len()..], request),
            _ if get && self.is_resource_path(&decoded_path) => self.resource_by_path(&decoded_path, &accept),
            "/queries" | "/query" => Err(Failure(StatusCode::METHOD_NOT_ALLOWED, "use GET or POST".into())),
            _ if !get => Err(Failure(StatusCode::METHOD_NOT_ALLOWED, format!("{path} answers GET only"))),
            _ => Err(Failure(
                StatusCode::NOT_FOUND,
                format!("nothing at {path}; the query page is at /, queries go to /query, the dataset is at /dataset"),
            )),
        };
        result.unwrap_or_else(|Failure(status, message)| {
            let mut response = if prefers_html(&accept) {
                let title = status.canonical_reason().unwrap_or("Error");
                let body = html::page(
                    title,
                    maud::html! { div.error-page { h1 { (status.as_u16()) " " (title) } p { (message) } } },
                );
                respond(status, "text/html; charset=utf-8", body.into_string().into_bytes())
            } else {
                respond(status, "text/plain; charset=utf-8", format!("{message}\n").into_bytes())
            };
            if status == StatusCode::METHOD_NOT_ALLOWED {
                let allow = if path == "/query" || path == "/update" { "GET, POST" } else { "GET" };
                response.headers_mut().insert(ALLOW, allow.parse().expect("a valid header"));
            }
            response
        })
    }

    fn query_page(&self) -> Result<Response<Body>, Failure> {
        let project = &self.options.project;
        // A project may have no questions; a folder that cannot be read is an error.
        let questions =
            if project.queries.exists() { named::list(&project.queries).map_err(internal)? } else { Vec::new() };
        let page = query_page::render(&questions, &project.prefixes, project.base_iri.as_deref());
        Ok(html_response(page))
    }

    fn links(&self) -> links::Links {
        links::Links::new(self.options.project.base_iri.clone(), self.options.project.prefixes.clone())
    }

    fn is_resource_path(&self, decoded_path: &str) -> bool {
        let base = self.options.project.base_iri.as_deref();
        base.and_then(|base| links::iri_of_path(base, decoded_path)).is_some()
    }

    fn named_queries(&self) -> Result<Response<Body>, Failure> {
        let queries = named::list(&self.options.project.queries).map_err(internal)?;
        let list: Vec<serde_json::Value> = queries
            .into_iter()
            .map(
                |q| serde_json::json!({"name": q.name, "title": q.title, "description": q.description, "text": q.text}),
            )
            .collect();
        let body = serde_json::to_vec(&list).map_err(|e| internal(e.to_string()))?;
        Ok(respond(StatusCode::OK, "application/json", body))
    }

    fn query(&self, request: &mut Request<Body>) -> Result<Response<Body>, Failure> {
        let mut params = parse_form(request.uri().query().unwrap_or_default());
        if *request.method() == Method::POST {
            let content_type = header(request, CONTENT_TYPE);
            let media_type = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
            let mut body = String::new();
            request
                .body_mut()
                .take(MAX_BODY)
                .read_to_string(&mut body)
                .map_err(|e| Failure(StatusCode::BAD_REQUEST, format!("cannot read the request body: {e}")))?;
            match media_type.as_str() {
                "application/sparql-query" => params.push(("query".into(), body)),
                "application/x-www-form-urlencoded" => params.extend(parse_form(&body)),
                "application/sparql-update" => params.push(("update".into(), body)),
                other => {
                    return Err(Failure(
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        format!("a POST body must be application/sparql-query or a form with query=, not {other:?}"),
                    ))
                }
            }
        }
        let value = |name: &str| params.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect::<Vec<_>>();
        if !value("update").is_empty() {
            return Err(read_only());
        }
        if !value("default-graph-uri").is_empty() || !value("named-graph-uri").is_empty() {
            return Err(Failure(
                StatusCode::BAD_REQUEST,
                "default-graph-uri and named-graph-uri are not supported; use FROM and FROM NAMED in the query".into(),
            ));
        }
        let text = match value("query").as_slice() {
            [text] => text.to_string(),
            [] => return Err(Failure(StatusCode::BAD_REQUEST, "give the query as query=…".into())),
            _ => return Err(Failure(StatusCode::BAD_REQUEST, "give exactly one query=".into())),
        };
        let accept = header(request, ACCEPT);
        self.evaluate(text, &accept)
    }

    /// Runs the query on a worker thread, when its turn comes ([`permits`]),
    /// and waits at most the time limit; past it the query is cancelled and
    /// the client gets a 503.
    fn evaluate(&self, text: String, accept: &str) -> Result<Response<Body>, Failure> {
        let evaluator = factgraph_core::query::evaluator(&self.options.project.prefixes).map_err(internal)?;
        let token = CancellationToken::new();
        let cancellable = evaluator.clone().with_cancellation_token(token.clone());
        let prepared = match Prepared::parse(&text, &self.options.project.prefixes, cancellable) {
            Ok(prepared) => prepared,
            Err(_) if evaluator.parse_update(&text).is_ok() => return Err(read_only()),
            Err(e) => return Err(Failure(StatusCode::BAD_REQUEST, format!("syntax error: {e}"))),
        };
        let graph = self.graph().map_err(internal)?;
        let options = WriteOptions {
            prefixes: self.options.project.prefixes.clone(),
            allow_formulas: self.options.allow_formulas,
        };
        let accept = accept.to_owned();
        let (sender, receiver) = mpsc::channel();
        let (permits, waiting) = (Arc::clone(&self.permits), token.clone());
        std::thread::spawn(move || {
            let answer = (|| {
                let _turn = permits.acquire(&waiting).ok_or_else(cancelled)?;
                let results = graph.execute(prepared).map_err(evaluation_failure)?;
                let (format, media_type) = negotiate(&results, &accept)?;
                let mut body = Vec::new();
                write_results(results, format, &options, &mut body).map_err(|e| {
                    match e.get_ref().and_then(|inner| inner.downcast_ref::<QueryEvaluationError>()) {
                        Some(QueryEvaluationError::Cancelled) => cancelled(),
                        _ => internal(e.to_string()),
                    }
                })?;
                Ok((media_type, body))
            })();
            // The requester may have stopped waiting; then nobody reads this.
            let _ = sender.send(answer);
        });
        // The body is built on the worker and the response here: oxhttp's
        // response body cannot cross threads.
        let answer: Result<(&'static str, Vec<u8>), Failure> = match self.options.timeout {
            Some(limit) => receiver.recv_timeout(limit).map_err(|e| match e {
                mpsc::RecvTimeoutError::Timeout => {
                    token.cancel();
                    Failure(
                        StatusCode::SERVICE_UNAVAILABLE,
                        format!("the query ran longer than the limit of {} s and was stopped", limit.as_secs_f64()),
                    )
                }
                mpsc::RecvTimeoutError::Disconnected => internal("the query stopped unexpectedly"),
            })?,
            None => receiver.recv().map_err(|_| internal("the query stopped unexpectedly"))?,
        };
        answer.map(|(media_type, body)| respond(StatusCode::OK, media_type, body))
    }
}

fn read_only() -> Failure {
    Failure(
        StatusCode::METHOD_NOT_ALLOWED,
        "this endpoint is read-only: SPARQL updates are refused; change the CSV files and run `factgraph build`".into(),
    )
}

fn cancelled() -> Failure {
    Failure(StatusCode::SERVICE_UNAVAILABLE, "the query ran longer than the time limit and was stopped".into())
}

fn internal(problem: impl ToString) -> Failure {
    Failure(StatusCode::INTERNAL_SERVER_ERROR, problem.to_string())
}

fn evaluation_failure(error: QueryEvaluationError) -> Failure {
    match error {
        QueryEvaluationError::Cancelled => cancelled(),
        QueryEvaluationError::Service(_) | QueryEvaluationError::UnsupportedService(_) => {
            Failure(StatusCode::BAD_REQUEST, format!("{error}; this endpoint makes no federated SERVICE calls"))
        }
        other => internal(other.to_string()),
    }
}

fn respond(status: StatusCode, media_type: &str, body: Vec<u8>) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, media_type)
        .body(Body::from(body))
        .expect("a valid response")
}

fn header(request: &Request<Body>, name: oxhttp::model::header::HeaderName) -> String {
    request.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// Triples written in the format of a document extension (`ttl`, `nt`, `jsonld`).
fn rdf_response(triples: &[Triple], extension: &str, prefixes: &[(String, String)]) -> Result<Response<Body>, Failure> {
    let (format, media_type) = match extension {
        "ttl" => (RdfFormat::Turtle, "text/turtle"),
        "nt" => (RdfFormat::NTriples, "application/n-triples"),
        "jsonld" => (RdfFormat::JsonLd { profile: JsonLdProfileSet::empty() }, "application/ld+json"),
        other => return Err(internal(format!("no RDF format for .{other}"))),
    };
    let mut serializer = RdfSerializer::from_format(format);
    if format == RdfFormat::Turtle {
        for (prefix, iri) in prefixes {
            serializer = serializer.with_prefix(prefix, iri).map_err(|e| internal(e.to_string()))?;
        }
    }
    let mut writer = serializer.for_writer(Vec::new());
    for triple in triples {
        writer.serialize_triple(triple).map_err(|e| internal(e.to_string()))?;
    }
    let body = writer.finish().map_err(|e| internal(e.to_string()))?;
    Ok(respond(StatusCode::OK, media_type, body))
}

fn html_response(page: maud::Markup) -> Response<Body> {
    respond(StatusCode::OK, "text/html; charset=utf-8", page.into_string().into_bytes())
}

fn see_other(location: &str) -> Response<Body> {
    let mut response = respond(StatusCode::SEE_OTHER, "text/plain; charset=utf-8", format!("see {location}\n").into());
    response.headers_mut().insert(LOCATION, location.parse().expect("a valid header"));
    response
}

fn asset(name: &str) -> Result<Response<Body>, Failure> {
    let (_, media_type, bytes) = ASSETS
        .iter()
        .find(|(file, _, _)| *file == name)
        .ok_or_else(|| Failure(StatusCode::NOT_FOUND, format!("no asset called {name}")))?;
    Ok(respond(StatusCode::OK, media_type, bytes.to_vec()))
}

/// The extension of a path (`ttl` for `/dataset.ttl`).
fn extension(path: &str) -> Option<&str> {
    path.rsplit_once('.').map(|(_, ext)| ext)
}

/// `application/x-www-form-urlencoded` pairs, in order.
fn parse_form(text: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(text.as_bytes()).map(|(key, value)| (key.into_owned(), value.into_owned())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_plus_and_percent_escapes() {
        assert_eq!(
            parse_form("query=SELECT+*+%7B%3Fs+%3Fp+%3Fo%7D&x=%E7%99%BE&bad=%zz%"),
            [("query".into(), "SELECT * {?s ?p ?o}".into()), ("x".into(), "百".into()), ("bad".into(), "%zz%".into())]
        );
    }
}
