//! SPARQL endpoints as sources: RML-IO's `sd:Service` with a SELECT query.
//!
//! The query goes to the endpoint by the SPARQL 1.1 Protocol (GET, or a
//! form POST when the query is long), asking for the result format the
//! reference formulation reads: SPARQL JSON results for `rml:JSONPath`
//! (records `$.results.bindings[*]`, references `name.value`), XML results
//! for `rml:XPath`, CSV results for `rml:CSV` or
//! `formats:SPARQL_Results_CSV` (references are the variables' names). The
//! answer's body then feeds the same JSON, XML or CSV reader a file would,
//! so everything after the source (functions, views, joins, targets) is
//! unchanged.
//!
//! The body streams: a thread of its own reads it with oxhttp's client (whose
//! body cannot cross threads) and hands it on in chunks through a bounded
//! channel, so a large answer takes the memory of a few chunks (the XML
//! reader still reads its document whole, as it does a file's). The answer's
//! status and media type are checked before the first record, and every
//! failure (refused connection, HTTP error, timeout) is a [`SourceError`]
//! labelled with the endpoint's address.

use super::SourceError;
use oxhttp::model::{Body, HeaderValue, Method, Request, Response};
use oxhttp::Client;
use std::io::{self, Read};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::time::Duration;

/// The namespace of the result formats' IRIs (`formats:SPARQL_Results_JSON`).
pub const FORMATS: &str = "http://www.w3.org/ns/formats/";

/// How long a connection, a write or a wait for the next bytes of the
/// answer may take before the source fails. Generous: an endpoint may think
/// a while before its first byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// A query longer than this (percent-encoded) is sent by POST: some servers
/// and proxies refuse long request lines.
const LONGEST_GET: usize = 2048;

/// The bytes handed from the reading thread at a time.
const CHUNK: usize = 1 << 16;

/// A SPARQL endpoint and the SELECT query whose solutions are the records.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Service {
    /// `sd:endpoint`, an `http://` address.
    pub endpoint: String,
    pub query: String,
    pub results: Results,
    pub timeout: Duration,
}

impl Service {
    pub fn new(endpoint: impl Into<String>, query: impl Into<String>, results: Results) -> Self {
        Self { endpoint: endpoint.into(), query: query.into(), results, timeout: DEFAULT_TIMEOUT }
    }
}

/// A SPARQL result format that a reader here reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Results {
    Json,
    Xml,
    Csv,
}

impl Results {
    /// From an `sd:resultFormat` IRI; `None` for formats no reader here reads.
    pub fn from_iri(iri: &str) -> Option<Self> {
        match iri.strip_prefix(FORMATS)? {
            "SPARQL_Results_JSON" => Some(Self::Json),
            "SPARQL_Results_XML" => Some(Self::Xml),
            "SPARQL_Results_CSV" => Some(Self::Csv),
            _ => None,
        }
    }

    /// The format's IRI, short, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "formats:SPARQL_Results_JSON",
            Self::Xml => "formats:SPARQL_Results_XML",
            Self::Csv => "formats:SPARQL_Results_CSV",
        }
    }

    /// The media type asked for in `Accept`.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Json => "application/sparql-results+json",
            Self::Xml => "application/sparql-results+xml",
            Self::Csv => "text/csv",
        }
    }

    /// Whether an answer's `Content-Type` is this format: the registered
    /// type, or the generic one some servers send.
    fn accepts(self, content_type: &str) -> bool {
        let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        let generic: &[&str] = match self {
            Self::Json => &["application/json"],
            Self::Xml => &["application/xml", "text/xml"],
            Self::Csv => &[],
        };
        essence == self.media_type() || generic.contains(&essence.as_str())
    }
}

/// `Ok` when `query` is a SELECT query, judged from its first keyword after
/// the prologue (`BASE`, `PREFIX`, comments); the endpoint judges the rest.
/// Else the reason, for the mapping's error.
pub fn check_select(query: &str) -> Result<(), String> {
    let form = query_form(query);
    if form.eq_ignore_ascii_case("SELECT") {
        return Ok(());
    }
    let found = if form.is_empty() { "nothing".to_owned() } else { format!("{form:?}") };
    Err(format!(
        "the query of a SPARQL source must be a SELECT query (its solutions are the records); found {found} \
         where SELECT should start the query"
    ))
}

/// The query's first keyword after the prologue.
fn query_form(query: &str) -> &str {
    let mut rest = query;
    loop {
        rest = rest.trim_start();
        if let Some(comment) = rest.strip_prefix('#') {
            rest = comment.split_once('\n').map_or("", |(_, after)| after);
            continue;
        }
        let word_end = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let word = &rest[..word_end];
        if word.eq_ignore_ascii_case("PREFIX") || word.eq_ignore_ascii_case("BASE") {
            // Up to the end of the IRI that ends the declaration (an IRI may hold `#`).
            match rest.find('<').and_then(|open| rest[open..].find('>').map(|close| open + close + 1)) {
                Some(end) => rest = &rest[end..],
                None => return "",
            }
            continue;
        }
        return word;
    }
}

/// The variables a SELECT query projects, in order, when it lists them
/// (`SELECT ?a ?b`, `SELECT (… AS ?c)`); `None` for `SELECT *` or what this
/// small reader cannot follow. With them, CSV results need not be asked for
/// twice (once for the header the mapping is checked against).
pub fn projected_variables(query: &str) -> Option<Vec<String>> {
    let form = query_form(query);
    if !form.eq_ignore_ascii_case("SELECT") {
        return None;
    }
    // The form is a slice of the query: what follows it is the projection.
    let after_form = form.as_ptr() as usize - query.as_ptr() as usize + form.len();
    let mut rest = &query[after_form..];
    let mut variables = Vec::new();
    let mut depth = 0usize;
    let mut after_as = false;
    loop {
        rest = rest.trim_start();
        let c = rest.chars().next()?;
        match c {
            '?' | '$' => {
                let name_end =
                    rest[1..].find(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(rest.len(), |e| e + 1);
                if depth == 0 || after_as {
                    variables.push(rest[1..name_end].to_owned());
                }
                after_as = false;
                rest = &rest[name_end..];
            }
            '(' | ')' => {
                depth = if c == '(' { depth + 1 } else { depth.checked_sub(1)? };
                rest = &rest[1..];
            }
            '"' | '\'' | '*' | '<' => return None,
            '{' => break,
            _ => {
                let end = rest.find(|c: char| c.is_whitespace() || "()?$\"'{<".contains(c)).unwrap_or(rest.len());
                let word = &rest[..end.max(c.len_utf8())];
                if depth == 0 && (word.eq_ignore_ascii_case("WHERE") || word.eq_ignore_ascii_case("FROM")) {
                    break;
                }
                after_as = depth == 1 && word.eq_ignore_ascii_case("AS");
                rest = &rest[word.len()..];
            }
        }
    }
    (!variables.is_empty()).then_some(variables)
}

/// Checks the header of CSV results against the variables the query lists,
/// which the mapping was compiled against (columns are found by position).
pub fn check_header(label: &Path, service: &Service, header: &[String]) -> Result<(), SourceError> {
    match projected_variables(&service.query) {
        Some(variables) if variables != header => Err(SourceError {
            file: label.to_owned(),
            line: Some(1),
            problem: format!(
                "the endpoint's CSV results have the columns {header:?}, where the query selects {variables:?}; \
                 check that the endpoint answers this query"
            ),
        }),
        _ => Ok(()),
    }
}

/// Sends the query of `service` and returns the answer's body, decoded and
/// streamed, once its status and media type say it holds the results.
/// `label` names the source in messages (the endpoint).
pub fn open(label: &Path, service: &Service) -> Result<Box<dyn Read + Send>, SourceError> {
    let error = |problem: String| SourceError { file: label.to_owned(), line: None, problem };
    let (pieces, receiver) = sync_channel(4);
    let job = service.clone();
    std::thread::Builder::new()
        .name("sparql-source".into())
        .spawn(move || fetch(&job, &pieces))
        .map_err(|e| error(format!("cannot start a thread to read the endpoint: {e}")))?;
    match receiver.recv() {
        Ok(Piece::Answered(Ok(()))) => Ok(Box::new(Answer { pieces: receiver, chunk: Vec::new(), at: 0 })),
        Ok(Piece::Answered(Err(problem))) => Err(error(problem)),
        _ => Err(error("the request to the endpoint stopped without an answer".into())),
    }
}

/// What the reading thread hands on: first whether the endpoint answered
/// with results, then the body's bytes, or how reading them failed. The
/// channel's end is the body's end.
enum Piece {
    Answered(Result<(), String>),
    Bytes(Vec<u8>),
    Broken(io::Error),
}

/// The reading thread: sends the request and hands the body on until it
/// ends or nobody reads it any more.
fn fetch(service: &Service, pieces: &SyncSender<Piece>) {
    let response = match request(service).and_then(|response| check(service, response)) {
        Ok(response) => response,
        Err(problem) => {
            let _ = pieces.send(Piece::Answered(Err(problem)));
            return;
        }
    };
    if pieces.send(Piece::Answered(Ok(()))).is_err() {
        return;
    }
    let mut body = response.into_body();
    loop {
        let mut chunk = vec![0; CHUNK];
        let piece = match read_some(&mut body, &mut chunk) {
            Ok(0) => return,
            Ok(read) => {
                chunk.truncate(read);
                Piece::Bytes(chunk)
            }
            Err(e) => Piece::Broken(io::Error::new(e.kind(), describe_io(service, &e))),
        };
        let broken = matches!(piece, Piece::Broken(_));
        if pieces.send(piece).is_err() || broken {
            return;
        }
    }
}

/// Reads until `buffer` is full or the body ends: fewer, larger messages.
fn read_some(body: &mut Body, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match body.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return if filled > 0 { Ok(filled) } else { Err(e) },
        }
    }
    Ok(filled)
}

/// The request of the SPARQL 1.1 Protocol: `GET endpoint?query=…`, or a
/// form POST when the query is long.
fn request(service: &Service) -> Result<Response<Body>, String> {
    let user_agent = concat!("factgraph/", env!("CARGO_PKG_VERSION"));
    let client = Client::new()
        .with_global_timeout(service.timeout)
        .with_redirection_limit(3)
        .with_user_agent(user_agent)
        .map_err(|e| e.to_string())?;
    let parameter = format!("query={}", form_encode(&service.query));
    let builder = Request::builder().header("Accept", service.results.media_type());
    let request = if parameter.len() <= LONGEST_GET {
        let separator = if service.endpoint.contains('?') { '&' } else { '?' };
        builder.method(Method::GET).uri(format!("{}{separator}{parameter}", service.endpoint)).body(Body::empty())
    } else {
        builder
            .method(Method::POST)
            .uri(&service.endpoint)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(Body::from(parameter))
    }
    .map_err(|e| format!("the endpoint's address cannot be requested: {e}; check sd:endpoint"))?;
    client.request(request).map_err(|e| describe_io(service, &e))
}

/// The answer, if its status and media type say it holds the results.
fn check(service: &Service, response: Response<Body>) -> Result<Response<Body>, String> {
    let status = response.status();
    if !status.is_success() {
        let hint = match status.as_u16() {
            404 | 405 => "check sd:endpoint (the query service's address)",
            406 | 415 => "the endpoint does not give that result format; declare another (sd:resultFormat and the reference formulation)",
            401 | 403 => "the endpoint refuses this client; give an address it accepts",
            400 => "check the query",
            _ => "check the endpoint and the query",
        };
        let said = first_line(response.into_body());
        let reason = status.canonical_reason().unwrap_or_default();
        return Err(format!("the endpoint answered {} {reason}{said}; {hint}", status.as_u16()));
    }
    let content_type = response.headers().get("Content-Type").and_then(|v: &HeaderValue| v.to_str().ok());
    match content_type {
        Some(given) if !service.results.accepts(given) => Err(format!(
            "the endpoint answered with {given}, not {} ({}); check sd:endpoint and sd:resultFormat",
            service.results.media_type(),
            service.results.name()
        )),
        _ => Ok(response),
    }
}

/// The start of an error answer's body, for the message.
fn first_line(body: Body) -> String {
    let mut text = Vec::new();
    let _ = body.take(2048).read_to_end(&mut text);
    let text = String::from_utf8_lossy(&text);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
    if line.is_empty() {
        return String::new();
    }
    let shown: String = line.chars().take(300).collect();
    format!(" ({shown})")
}

/// A failed connection, request or read, said with what to do.
fn describe_io(service: &Service, error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::ConnectionRefused => {
            format!("cannot connect to the endpoint ({error}); check sd:endpoint and that the SPARQL server is running")
        }
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => format!(
            "the endpoint did not answer within {} s; check that it is up, or make the query cheaper",
            service.timeout.as_secs()
        ),
        _ => format!(
            "cannot get the endpoint's answer: {error}; check sd:endpoint and that the SPARQL server is running"
        ),
    }
}

/// `application/x-www-form-urlencoded`'s encoding of a value.
fn form_encode(text: &str) -> String {
    const RESERVED: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    percent_encoding::utf8_percent_encode(text, RESERVED).to_string()
}

/// The body as the reading thread hands it on.
struct Answer {
    pieces: Receiver<Piece>,
    chunk: Vec<u8>,
    at: usize,
}

impl Read for Answer {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.pieces.recv() {
                Ok(Piece::Bytes(chunk)) => {
                    self.chunk = chunk;
                    self.at = 0;
                }
                Ok(Piece::Broken(error)) => return Err(error),
                Ok(Piece::Answered(_)) => {}
                Err(_) => return Ok(0),
            }
        }
        let count = buffer.len().min(self.chunk.len() - self.at);
        buffer[..count].copy_from_slice(&self.chunk[self.at..self.at + count]);
        self.at += count;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    #[test]
    fn only_select_queries_are_sources() {
        let select = "# people\nPREFIX ex: <http://example.org/ns#>\nBASE <http://x/>\n  select ?a { ?a ?b ?c }";
        assert!(check_select(select).is_ok());
        let error = check_select("PREFIX ex: <http://example.org/>\nCONSTRUCT WHERE { ?s ?p ?o }").unwrap_err();
        assert!(error.contains("\"CONSTRUCT\""), "{error}");
        assert!(check_select("  ").unwrap_err().contains("found nothing"));
    }

    #[test]
    fn listed_variables_are_known_without_asking() {
        let query = "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nSELECT DISTINCT ?name $id (STR(?x) AS ?label) WHERE { ?x foaf:name ?name }";
        assert_eq!(projected_variables(query).unwrap(), ["name", "id", "label"]);
        assert_eq!(projected_variables("SELECT ?a FROM <http://g> { ?a ?b ?c }").unwrap(), ["a"]);
        assert_eq!(projected_variables("SELECT ?a{?a ?b ?c}").unwrap(), ["a"]);
        assert_eq!(projected_variables("SELECT * WHERE { ?a ?b ?c }"), None);
        assert_eq!(projected_variables("SELECT (CONCAT(\"?x\", ?a) AS ?b) WHERE { ?a ?b ?c }"), None);
    }

    #[test]
    fn result_formats_by_iri_and_media_type() {
        assert_eq!(Results::from_iri("http://www.w3.org/ns/formats/SPARQL_Results_XML"), Some(Results::Xml));
        assert_eq!(Results::from_iri("http://www.w3.org/ns/formats/SPARQL_Results_TSV"), None);
        assert!(Results::Json.accepts("application/sparql-results+json; charset=utf-8"));
        assert!(Results::Json.accepts("application/json"));
        assert!(!Results::Csv.accepts("text/html"));
    }

    /// A server answering one request with `answer`; the request's head comes back.
    fn serve_once(answer: &'static str) -> (String, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}/sparql", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            while reader.read_line(&mut head).unwrap() > 2 {}
            let length = head
                .lines()
                .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length:").map(|n| n.trim().to_owned()))
                .map_or(0, |n| n.parse().unwrap());
            reader.read_exact(&mut vec![0; length]).unwrap();
            (&stream).write_all(answer.as_bytes()).unwrap();
            head
        });
        (address, server)
    }

    #[test]
    fn the_query_goes_by_get_with_the_format_asked_and_the_body_streams_back() {
        let (endpoint, server) = serve_once(
            "HTTP/1.1 200 OK\r\nContent-Type: text/csv; charset=utf-8\r\nContent-Length: 9\r\n\r\nname\r\nAda",
        );
        let service = Service::new(endpoint, "SELECT ?name { ?s ?p ?name }", Results::Csv);
        let mut body = String::new();
        open(Path::new("endpoint"), &service).unwrap().read_to_string(&mut body).unwrap();
        assert_eq!(body, "name\r\nAda");
        let head = server.join().unwrap();
        assert!(head.starts_with("GET /sparql?query=SELECT%20%3Fname%20%7B%20%3Fs%20%3Fp%20%3Fname%20%7D "), "{head}");
        assert!(head.to_ascii_lowercase().contains("accept: text/csv"), "{head}");
    }

    #[test]
    fn an_http_error_names_the_status_and_what_the_endpoint_said() {
        let (endpoint, _server) = serve_once(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 25\r\n\r\nParser error at line 1\n\n",
        );
        let service = Service::new(endpoint, "SELECT ?x {", Results::Json);
        let error = open(Path::new("http://endpoint/sparql"), &service).err().unwrap().to_string();
        assert!(error.starts_with("http://endpoint/sparql: the endpoint answered 400 Bad Request (Parser error at line 1); check the query"), "{error}");
    }

    #[test]
    fn an_answer_in_another_format_is_refused() {
        let (endpoint, _server) =
            serve_once("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 6\r\n\r\n<html>");
        let service = Service::new(endpoint, "SELECT ?x {}", Results::Json);
        let error = open(Path::new("e"), &service).err().unwrap().to_string();
        assert!(error.contains("answered with text/html, not application/sparql-results+json"), "{error}");
    }

    #[test]
    fn a_refused_connection_and_a_silent_server_say_what_to_do() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}/sparql", listener.local_addr().unwrap());
        let mut service = Service::new(endpoint.clone(), "SELECT ?x {}", Results::Json);
        service.timeout = Duration::from_secs(1);
        // Accepted by the kernel, never answered.
        let error = open(Path::new("e"), &service).err().unwrap().to_string();
        assert!(error.contains("did not answer within 1 s"), "{error}");
        drop(listener);
        let error = open(Path::new("e"), &service).err().unwrap().to_string();
        assert!(
            error.contains("cannot connect to the endpoint") && error.contains("SPARQL server is running"),
            "{error}"
        );
    }

    #[test]
    fn an_answer_cut_short_is_an_error_not_the_end() {
        let (endpoint, _server) =
            serve_once("HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 1000\r\n\r\nname\r\nAda\r\n");
        let service = Service::new(endpoint, "SELECT ?name {}", Results::Csv);
        let mut body = String::new();
        let error = open(Path::new("e"), &service).unwrap().read_to_string(&mut body).unwrap_err();
        assert!(error.to_string().contains("cannot get the endpoint's answer"), "{error}");
    }

    #[test]
    fn a_long_query_goes_by_post() {
        let (endpoint, server) = serve_once(
            "HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 2\r\n\r\n{}",
        );
        let query = format!("SELECT ?x {{ VALUES ?x {{ {} }} }}", "1 ".repeat(2000));
        let service = Service::new(endpoint, query, Results::Json);
        let mut body = String::new();
        open(Path::new("e"), &service).unwrap().read_to_string(&mut body).unwrap();
        assert_eq!(body, "{}");
        let head = server.join().unwrap();
        assert!(head.starts_with("POST /sparql "), "{head}");
    }
}
