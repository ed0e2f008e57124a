//! A read-only SPARQL 1.1 Protocol endpoint over the current graph, and a
//! small page where a person types a query or picks a named question.
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

use crate::publish::http::percent_decode;
use crate::query::{named, write_results, ResultsFormat, WriteOptions};
use crate::query::{Graph, Prepared, ReadFrom};
use crate::store::StoreDir;
use crate::Error;
use oxhttp::model::header::{ACCEPT, ALLOW, CONTENT_TYPE};
use oxhttp::model::{Body, Method, Request, Response, StatusCode};
use oxigraph::sparql::{CancellationToken, QueryEvaluationError, QueryResults};
use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// The page served at `/`: plain HTML and JavaScript, no external assets.
const PAGE: &str = include_str!("serve_page.html");
/// Largest request body read; a query is text, this is generous.
const MAX_BODY: u64 = 1024 * 1024;

/// What the endpoint serves and how.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub store: PathBuf,
    /// Which copy of the graph queries read: the read index, or the store.
    pub read_from: ReadFrom,
    /// The folder of named questions listed at `/queries`.
    pub queries: PathBuf,
    /// Available to queries without PREFIX lines, and used in Turtle answers.
    pub prefixes: Vec<(String, String)>,
    /// Longest time a query may run; `None` for no limit.
    pub timeout: Option<Duration>,
    /// Leave CSV/TSV cells that spreadsheets run as formulas as they are.
    pub allow_formulas: bool,
}

/// A running endpoint.
pub struct Endpoint {
    pub address: SocketAddr,
    server: oxhttp::ListeningServer,
}

impl Endpoint {
    /// Serves until the process ends.
    pub fn join(self) -> std::io::Result<()> {
        self.server.join()
    }
}

/// Opens the current graph and starts serving on `bind`. Port 0 picks a
/// free port; [`Endpoint::address`] tells which.
pub fn start(bind: SocketAddr, options: ServeOptions) -> Result<Endpoint, Error> {
    let state = Arc::new(State::new(options)?);
    // The HTTP server binds by address only, so port 0 is resolved here first.
    let address =
        TcpListener::bind(bind).and_then(|listener| listener.local_addr()).map_err(Error::io(bind.to_string()))?;
    let server = oxhttp::Server::new(move |request| state.answer(request))
        .bind(address)
        .with_global_timeout(Duration::from_secs(60))
        .with_max_concurrent_connections(64)
        .spawn()
        .map_err(Error::io(address.to_string()))?;
    Ok(Endpoint { address, server })
}

struct State {
    options: ServeOptions,
    store_dir: StoreDir,
    /// The version open now and its graph. A build publishes a new version
    /// and later removes old ones, so each request checks which is current.
    current: Mutex<(String, Graph)>,
}

/// An answer that is not a result: a status and a one-line message.
struct Failure(StatusCode, String);

impl State {
    fn new(options: ServeOptions) -> Result<Self, Error> {
        let store_dir = StoreDir::new(&options.store);
        let version = store_dir.require_current_version()?;
        let graph = Graph::open(&version, options.read_from)?;
        Ok(Self { options, store_dir, current: Mutex::new((version.name().to_owned(), graph)) })
    }

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
        let result = match path.as_str() {
            "/" if method == Method::GET => Ok(respond(StatusCode::OK, "text/html; charset=utf-8", PAGE.into())),
            "/queries" if method == Method::GET => self.named_queries(),
            "/query" if readable => self.query(request),
            "/update" => Err(read_only()),
            "/" | "/queries" | "/query" => Err(Failure(StatusCode::METHOD_NOT_ALLOWED, "use GET or POST".into())),
            _ => Err(Failure(StatusCode::NOT_FOUND, format!("nothing at {path}; queries go to /query"))),
        };
        result.unwrap_or_else(|Failure(status, message)| {
            let mut response = respond(status, "text/plain; charset=utf-8", format!("{message}\n").into_bytes());
            if status == StatusCode::METHOD_NOT_ALLOWED {
                response.headers_mut().insert(ALLOW, "GET, POST".parse().expect("a valid header"));
            }
            response
        })
    }

    fn named_queries(&self) -> Result<Response<Body>, Failure> {
        let queries = named::list(&self.options.queries).map_err(internal)?;
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

    /// Runs the query on a worker thread and waits at most the time limit;
    /// past it the query is cancelled and the client gets a 503.
    fn evaluate(&self, text: String, accept: &str) -> Result<Response<Body>, Failure> {
        let evaluator = crate::query::evaluator(&self.options.prefixes).map_err(internal)?;
        let token = CancellationToken::new();
        let cancellable = evaluator.clone().with_cancellation_token(token.clone());
        let prepared = match Prepared::parse(&text, &self.options.prefixes, cancellable) {
            Ok(prepared) => prepared,
            Err(_) if evaluator.parse_update(&text).is_ok() => return Err(read_only()),
            Err(e) => return Err(Failure(StatusCode::BAD_REQUEST, format!("syntax error: {e}"))),
        };
        let graph = self.graph().map_err(internal)?;
        let options =
            WriteOptions { prefixes: self.options.prefixes.clone(), allow_formulas: self.options.allow_formulas };
        let accept = accept.to_owned();
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let answer = (|| {
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

/// The format the client prefers among those the result can take. Without an
/// `Accept` header (or with `*/*`) SELECT and ASK answer in SPARQL JSON and
/// CONSTRUCT and DESCRIBE in Turtle.
fn negotiate(results: &QueryResults<'_>, accept: &str) -> Result<(ResultsFormat, &'static str), Failure> {
    let offered: &[(ResultsFormat, &str)] = match results {
        QueryResults::Graph(_) => {
            &[(ResultsFormat::Turtle, "text/turtle"), (ResultsFormat::NTriples, "application/n-triples")]
        }
        _ => &[
            (ResultsFormat::Json, "application/sparql-results+json"),
            (ResultsFormat::Xml, "application/sparql-results+xml"),
            (ResultsFormat::Csv, "text/csv"),
            (ResultsFormat::Tsv, "text/tab-separated-values"),
        ],
    };
    if accept.trim().is_empty() {
        return Ok(offered[0]);
    }
    let mut best: Option<(f32, usize)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media_range = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let quality =
            parts.filter_map(|p| p.trim().strip_prefix("q=")).find_map(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
        if quality <= 0.0 {
            continue;
        }
        for (index, (_, media_type)) in offered.iter().enumerate() {
            let matches = media_range == *media_type
                || media_range == "*/*"
                || media_range.strip_suffix("/*").is_some_and(|kind| media_type.split('/').next() == Some(kind));
            if matches && best.is_none_or(|(q, i)| quality > q || (quality == q && index < i)) {
                best = Some((quality, index));
            }
        }
    }
    best.map(|(_, index)| offered[index]).ok_or_else(|| {
        let names: Vec<&str> = offered.iter().map(|(_, m)| *m).collect();
        Failure(StatusCode::NOT_ACCEPTABLE, format!("this answer can be given as {}", names.join(", ")))
    })
}

/// `application/x-www-form-urlencoded` pairs, in order.
fn parse_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            // A form's `+` is a space; a `+` in the data arrives as `%2B`.
            let decode = |text: &str| percent_decode(&text.replace('+', " "));
            (decode(key), decode(value))
        })
        .collect()
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
