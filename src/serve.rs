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

mod dataset;
mod html;
mod links;
mod query_page;
mod resource;
mod sparql;

use crate::project::Project;
use crate::publish::http::percent_decode;
use crate::query::{named, write_results, ResultsFormat, WriteOptions};
use crate::store::StoreDir;
use crate::Error;
use oxhttp::model::header::{
    ACCEPT, ACCEPT_ENCODING, ALLOW, CONTENT_DISPOSITION, CONTENT_ENCODING, CONTENT_LOCATION, CONTENT_TYPE, LOCATION,
    VARY,
};
use oxhttp::model::{Body, Method, Request, Response, StatusCode};
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::{NamedNode, NamedOrBlankNode, Term, Triple};
use oxigraph::sparql::{CancellationToken, QueryEvaluationError, QueryResults};
use oxigraph::store::Store;
use std::io::{Read, Write};
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
    ("factgraph.js", "text/javascript; charset=utf-8", include_bytes!("serve/assets/factgraph.js")),
    ("factgraph.css", "text/css; charset=utf-8", include_bytes!("serve/assets/factgraph.css")),
];
/// The RDF formats of a description, with the extension of its document.
const RDF_DOCUMENTS: [(&str, &str, &str); 3] = [
    ("Turtle", "text/turtle", "ttl"),
    ("N-Triples", "application/n-triples", "nt"),
    ("JSON-LD", "application/ld+json", "jsonld"),
];
/// Largest request body read; a query is text, this is generous.
const MAX_BODY: u64 = 1024 * 1024;

/// What the endpoint serves and how.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The project: its store, its named questions (listed at `/queries`),
    /// its prefixes (available to queries without PREFIX lines, and used in
    /// Turtle answers), its base IRI (where resource pages are) and its
    /// mappings (to find the CSV line of a fact).
    pub project: Project,
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
    /// The version open now and its store. A build publishes a new version
    /// and later removes old ones, so each request checks which is current.
    current: Mutex<(Option<String>, Store)>,
}

/// An answer that is not a result: a status and a one-line message.
struct Failure(StatusCode, String);

impl State {
    fn new(options: ServeOptions) -> Result<Self, Error> {
        let store_dir = StoreDir::new(&options.project.store);
        let store = store_dir.open_current()?;
        let version = store_dir.current_version()?.map(|v| v.name().to_owned());
        Ok(Self { options, store_dir, current: Mutex::new((version, store)) })
    }

    fn store(&self) -> Result<Store, Error> {
        let version = self.store_dir.current_version()?.map(|v| v.name().to_owned());
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if current.0 != version {
            *current = (version, self.store_dir.open_current()?);
        }
        Ok(current.1.clone())
    }

    fn answer(&self, request: &mut Request<Body>) -> Response<Body> {
        let (method, path) = (request.method().clone(), request.uri().path().to_owned());
        let readable = method == Method::GET || method == Method::POST;
        let get = method == Method::GET;
        let accept = header(request, ACCEPT);
        let decoded_path = percent_decode(&path);
        let result = match path.as_str() {
            "/" if get => self.query_page(),
            "/queries" if get => self.named_queries(),
            "/query" if readable => self.query(request),
            "/update" => Err(read_only()),
            "/dataset" | "/.well-known/void" if get => self.dataset(&accept, None),
            "/dataset.html" if get => self.dataset(&accept, Some("html")),
            "/dataset.ttl" | "/dataset.nt" | "/dataset.jsonld" if get => self.dataset(&accept, extension(&path)),
            "/resource" if get => self.resource_by_query(request, &accept),
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
        let questions = named::list(&project.queries).unwrap_or_default();
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

    /// `/resource?iri=…[&format=ttl]`: any IRI of the graph.
    fn resource_by_query(&self, request: &Request<Body>, accept: &str) -> Result<Response<Body>, Failure> {
        let params = parse_form(request.uri().query().unwrap_or_default());
        let value = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let Some(text) = value("iri") else {
            return Err(Failure(StatusCode::BAD_REQUEST, "give the resource as /resource?iri=…".into()));
        };
        let iri = NamedNode::new(text.clone())
            .map_err(|e| Failure(StatusCode::BAD_REQUEST, format!("{text:?} is not an IRI: {e}")))?;
        let format = value("format");
        if let Some(format) = &format {
            if !["html", "ttl", "nt", "jsonld"].contains(&format.as_str()) {
                return Err(Failure(
                    StatusCode::BAD_REQUEST,
                    format!("format={format} is not one of html, ttl, nt, jsonld"),
                ));
            }
        }
        let document = |ext: &str| format!("/resource?iri={}&format={ext}", links::encode(iri.as_str()));
        self.resource(&iri, accept, format.as_deref(), &document)
    }

    /// A path under the base IRI's path, with or without a document's extension.
    fn resource_by_path(&self, decoded_path: &str, accept: &str) -> Result<Response<Body>, Failure> {
        let base = self.options.project.base_iri.clone().unwrap_or_default();
        let store = self.store().map_err(internal)?;
        // `/x.ttl` is the Turtle document about `/x`, unless the graph has
        // a resource called `x.ttl` itself.
        let (path, format) = match decoded_path.rsplit_once('.') {
            Some((stem, ext)) if ["html", "ttl", "nt", "jsonld"].contains(&ext) => {
                let whole = links::iri_of_path(&base, decoded_path).and_then(|iri| NamedNode::new(iri).ok());
                if whole.is_some_and(|iri| self.describes(&store, &iri)) {
                    (decoded_path, None)
                } else {
                    (stem, Some(ext))
                }
            }
            _ => (decoded_path, None),
        };
        let text = links::iri_of_path(&base, path).unwrap_or_default();
        let iri = NamedNode::new(text.clone())
            .map_err(|e| Failure(StatusCode::NOT_FOUND, format!("{path} names no IRI ({text:?}: {e})")))?;
        if iri == crate::metadata::dataset_iri(&self.options.project) {
            return Ok(see_other("/dataset"));
        }
        let canonical = links::resource_path(&base, iri.as_str()).unwrap_or_else(|| path.to_owned());
        let document = |ext: &str| format!("{canonical}.{ext}");
        self.resource(&iri, accept, format, &document)
    }

    fn describes(&self, store: &Store, iri: &NamedNode) -> bool {
        let ask = format!("ASK {{ {{ {iri} ?p ?o }} UNION {{ ?s ?q {iri} }} }}");
        matches!(crate::query::evaluate(store, "page", &ask, &[]), Ok(QueryResults::Boolean(true)))
    }

    /// A resource's description in the format asked for by extension, or
    /// else by `Accept`. `document` gives the path of each format's document.
    fn resource(
        &self,
        iri: &NamedNode,
        accept: &str,
        format: Option<&str>,
        document: &dyn Fn(&str) -> String,
    ) -> Result<Response<Body>, Failure> {
        let project = &self.options.project;
        let store = self.store().map_err(internal)?;
        let triples =
            sparql::construct(&store, &project.prefixes, &resource::description_query(iri)).map_err(internal)?;
        if triples.is_empty() {
            let mut message = format!("the graph has nothing about <{}>", iri.as_str());
            if let Some(path) = self.links().local_path(iri.as_str()).filter(|p| !p.starts_with("/resource")) {
                message.push_str(&format!(" (its page would be {path})"));
            }
            return Err(Failure(StatusCode::NOT_FOUND, message));
        }
        let (extension, vary) = match format {
            Some(ext) => (ext.to_owned(), false),
            None => (negotiate_document(accept)?.to_owned(), true),
        };
        let mut response = if extension == "html" {
            self.resource_page(&store, iri, &triples, document)?
        } else {
            rdf_response(&triples, &extension, &project.prefixes)?
        };
        if vary {
            let headers = response.headers_mut();
            headers.insert(VARY, "Accept".parse().expect("a valid header"));
            if let Ok(location) = document(&extension).parse() {
                headers.insert(CONTENT_LOCATION, location);
            }
        }
        Ok(response)
    }

    fn resource_page(
        &self,
        store: &Store,
        iri: &NamedNode,
        triples: &[Triple],
        document: &dyn Fn(&str) -> String,
    ) -> Result<Response<Body>, Failure> {
        let project = &self.options.project;
        let mut triples = triples.to_vec();
        triples.sort_by_key(|t| (t.subject.to_string(), t.predicate.to_string(), t.object.to_string()));
        let origins_path = self.store_dir.current_version().map_err(internal)?.map(|v| v.origins_path());
        let claim_rows = sparql::select(store, &project.prefixes, &resource::claims_query(iri)).map_err(internal)?;
        let claims = resource::read_claims(&claim_rows);
        // Both at once: the origins index is read and the mapping compiled once.
        let claim_triples: Vec<Triple> = claims.iter().filter_map(resource::claim_triple).collect();
        let mut all = triples.clone();
        all.extend(claim_triples.iter().cloned());
        let mut origins = crate::why::explain_triples(project, origins_path.as_deref(), &all).map_err(internal)?;
        let claim_origins = origins.split_off(triples.len());
        let claims: Vec<resource::SourcedClaim> = claims
            .into_iter()
            .map(|claim| {
                let found = claim_triples.iter().position(|t| Some(t) == resource::claim_triple(&claim).as_ref());
                let rows = found.and_then(|i| claim_origins.get(i).cloned()).unwrap_or_default();
                (claim, rows)
            })
            .collect();
        let mut source_iris: Vec<String> = origins
            .iter()
            .flatten()
            .flat_map(|o| &o.sources)
            .filter_map(|t| match t {
                Term::NamedNode(node) => Some(node.as_str().to_owned()),
                _ => None,
            })
            .chain(claims.iter().filter_map(|(c, _)| c.source.clone()))
            .collect();
        source_iris.sort();
        source_iris.dedup();
        let sources = if source_iris.is_empty() {
            Default::default()
        } else {
            let rows =
                sparql::select(store, &project.prefixes, &resource::sources_query(&source_iris)).map_err(internal)?;
            resource::read_sources(&rows)
        };
        let mut iris: Vec<String> = vec![iri.as_str().to_owned()];
        for triple in &triples {
            if let NamedOrBlankNode::NamedNode(node) = &triple.subject {
                iris.push(node.as_str().to_owned());
            }
            iris.push(triple.predicate.as_str().to_owned());
            if let Term::NamedNode(node) = &triple.object {
                iris.push(node.as_str().to_owned());
            }
        }
        for (claim, _) in &claims {
            iris.extend([claim.claim.clone(), claim.subject.clone(), claim.property.clone()]);
            iris.extend(claim.claimed_by.clone());
        }
        iris.extend(source_iris);
        iris.sort();
        iris.dedup();
        let mut links = self.links();
        links.learn(sparql::labels_and_described(store, &project.prefixes, &iris).map_err(internal)?);
        let alternates: Vec<(&'static str, String)> =
            RDF_DOCUMENTS.iter().map(|(name, _, ext)| (*name, document(ext))).collect();
        let page = resource::ResourcePage {
            iri,
            triples: &triples,
            origins: &origins,
            claims: &claims,
            sources: &sources,
            links: &links,
            alternates: &alternates,
        };
        Ok(html_response(page.render()))
    }

    /// The build's description, as a page or as RDF.
    fn dataset(&self, accept: &str, format: Option<&str>) -> Result<Response<Body>, Failure> {
        let project = &self.options.project;
        let store = self.store().map_err(internal)?;
        let graph = crate::metadata::graph_iri(project);
        let dataset = crate::metadata::dataset_iri(project);
        let (extension, vary) = match format {
            Some(ext) => (ext.to_owned(), false),
            None => (negotiate_document(accept)?.to_owned(), true),
        };
        let mut response = if extension == "html" {
            self.dataset_page(&store, graph.as_str(), dataset.as_str())?
        } else {
            let triples = sparql::construct(&store, &project.prefixes, &dataset::description_query(graph.as_str()))
                .map_err(internal)?;
            if triples.is_empty() {
                return Err(Failure(
                    StatusCode::NOT_FOUND,
                    "this build has no description; run `factgraph build`".into(),
                ));
            }
            rdf_response(&triples, &extension, &project.prefixes)?
        };
        if vary {
            let headers = response.headers_mut();
            headers.insert(VARY, "Accept".parse().expect("a valid header"));
            if let Ok(location) = format!("/dataset.{extension}").parse() {
                headers.insert(CONTENT_LOCATION, location);
            }
        }
        Ok(response)
    }

    fn dataset_page(&self, store: &Store, graph: &str, dataset: &str) -> Result<Response<Body>, Failure> {
        let prefixes = &self.options.project.prefixes;
        let select = |text: String| sparql::select(store, prefixes, &text).map_err(internal);
        let summary = select(dataset::summary_query(graph, dataset))?;
        if summary.iter().next().is_none() {
            return Err(Failure(StatusCode::NOT_FOUND, "this build has no description; run `factgraph build`".into()));
        }
        let classes = select(dataset::partitions_query(graph, dataset, "classPartition", "class", "entities"))?;
        let properties = select(dataset::partitions_query(graph, dataset, "propertyPartition", "property", "triples"))?;
        let sources = select(dataset::sources_query(graph, dataset))?;
        let inputs = select(dataset::inputs_query(graph))?;
        let source_iris: Vec<String> = sources.iter().filter_map(|row| row.iri("source")).collect();
        let source_info = if source_iris.is_empty() {
            Default::default()
        } else {
            resource::read_sources(&select(resource::sources_query(&source_iris))?)
        };
        let mut iris: Vec<String> = source_iris;
        iris.extend(classes.iter().chain(properties.iter()).filter_map(|row| row.iri("key")));
        let mut links = self.links();
        links.learn(sparql::labels_and_described(store, prefixes, &iris).map_err(internal)?);
        let page = dataset::DatasetPage {
            dataset,
            summary: &summary,
            classes: &classes,
            properties: &properties,
            sources: &sources,
            source_info: &source_info,
            inputs: &inputs,
            links: &links,
        };
        Ok(html_response(page.render()))
    }

    /// The whole graph as `factgraph export` writes it, streamed as it is
    /// written, gzip-compressed when the client accepts it. A failure
    /// midway ends the connection without the last chunk, so the client
    /// can tell the download is incomplete.
    fn download(&self, name: &str, request: &Request<Body>) -> Result<Response<Body>, Failure> {
        let (format, media_type) = match name {
            "dataset.ttl" => (RdfFormat::Turtle, "text/turtle"),
            "dataset.nt" => (RdfFormat::NTriples, "application/n-triples"),
            "dataset.nq" => (RdfFormat::NQuads, "application/n-quads"),
            _ => {
                return Err(Failure(
                    StatusCode::NOT_FOUND,
                    format!("no download called {name}; there are dataset.ttl, dataset.nt and dataset.nq"),
                ))
            }
        };
        let gzip = accepts_gzip(&header(request, ACCEPT_ENCODING));
        let (version, store) = self.store_dir.open_current_version().map_err(internal)?;
        let kept = crate::export::KeptRuns::open(&version.kept_runs_folder());
        let prefixes = self.options.project.prefixes.clone();
        let (reader, writer) = std::io::pipe().map_err(|e| internal(format!("cannot stream the download: {e}")))?;
        std::thread::spawn(move || {
            let mut out: Box<dyn std::io::Write> = if gzip {
                Box::new(flate2::write::GzEncoder::new(writer, flate2::Compression::fast()))
            } else {
                Box::new(std::io::BufWriter::new(writer))
            };
            // A client that goes away ends the pipe and so the export.
            if crate::export::export(&store, kept.as_ref(), format, &prefixes, &[], &mut out).is_ok() {
                let _ = out.flush();
            }
        });
        let mut response = Response::builder()
            .status(StatusCode::OK)
            .header(CONTENT_TYPE, media_type)
            .header(CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))
            .header(VARY, "Accept-Encoding")
            .body(Body::from_read(reader))
            .expect("a valid response");
        if gzip {
            response.headers_mut().insert(CONTENT_ENCODING, "gzip".parse().expect("a valid header"));
        }
        Ok(response)
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

    /// Runs the query on a worker thread and waits at most the time limit;
    /// past it the query is cancelled and the client gets a 503.
    fn evaluate(&self, text: String, accept: &str) -> Result<Response<Body>, Failure> {
        let evaluator = crate::query::evaluator(&self.options.project.prefixes).map_err(internal)?;
        let token = CancellationToken::new();
        let prepared = match evaluator.clone().with_cancellation_token(token.clone()).parse_query(&text) {
            Ok(prepared) => prepared,
            Err(_) if evaluator.parse_update(&text).is_ok() => return Err(read_only()),
            Err(e) => return Err(Failure(StatusCode::BAD_REQUEST, format!("syntax error: {e}"))),
        };
        let store = self.store().map_err(internal)?;
        let options = WriteOptions {
            prefixes: self.options.project.prefixes.clone(),
            allow_formulas: self.options.allow_formulas,
        };
        let accept = accept.to_owned();
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let answer = (|| {
                let results = prepared.on_store(&store).execute().map_err(evaluation_failure)?;
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
    let media_types: Vec<&str> = offered.iter().map(|(_, m)| *m).collect();
    choose(accept, &media_types).map(|index| offered[index]).ok_or_else(|| not_acceptable(&media_types))
}

/// The document of a description that `Accept` asks for, by extension:
/// HTML first (for browsers, and for `*/*`), then the RDF formats.
fn negotiate_document(accept: &str) -> Result<&'static str, Failure> {
    let offered = ["text/html", "application/xhtml+xml", "text/turtle", "application/n-triples", "application/ld+json"];
    let extensions = ["html", "html", "ttl", "nt", "jsonld"];
    choose(accept, &offered).map(|index| extensions[index]).ok_or_else(|| not_acceptable(&offered))
}

fn not_acceptable(offered: &[&str]) -> Failure {
    Failure(StatusCode::NOT_ACCEPTABLE, format!("this answer can be given as {}", offered.join(", ")))
}

/// The index of the media type in `offered` that `accept` rates highest (the
/// first offered on a tie); the first when there is no `Accept` header.
fn choose(accept: &str, offered: &[&str]) -> Option<usize> {
    if accept.trim().is_empty() {
        return Some(0);
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
        for (index, media_type) in offered.iter().enumerate() {
            let matches = media_range == *media_type
                || media_range == "*/*"
                || media_range.strip_suffix("/*").is_some_and(|kind| media_type.split('/').next() == Some(kind));
            if matches && best.is_none_or(|(q, i)| quality > q || (quality == q && index < i)) {
                best = Some((quality, index));
            }
        }
    }
    best.map(|(_, index)| index)
}

/// Whether an error is better shown as a page: the client names HTML and
/// rates it above plain text (a browser; not `*/*`).
fn prefers_html(accept: &str) -> bool {
    accept.to_ascii_lowercase().contains("text/html") && choose(accept, &["text/plain", "text/html"]) == Some(1)
}

fn accepts_gzip(accept_encoding: &str) -> bool {
    accept_encoding.split(',').any(|coding| {
        let mut parts = coding.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let quality = parts.filter_map(|p| p.trim().strip_prefix("q=")).find_map(|q| q.trim().parse::<f32>().ok());
        name.eq_ignore_ascii_case("gzip") && quality.is_none_or(|q| q > 0.0)
    })
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
