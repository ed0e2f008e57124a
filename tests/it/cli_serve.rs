//! `factgraph serve`: the SPARQL 1.1 Protocol over HTTP on 127.0.0.1, spoken
//! to the real binary with a tiny client over std's TcpStream.

use crate::common::{csv_rows, TestProject};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `factgraph serve` on a free loopback port; killed when dropped.
struct Server {
    child: Child,
    address: String,
    _project: TestProject,
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map_or("", |(_, v)| v.as_str())
    }
}

impl Server {
    fn start(extra: &[&str]) -> Self {
        Self::start_in(TestProject::mini().built(), extra)
    }

    fn start_in(project: TestProject, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_factgraph"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(extra)
            .current_dir(project.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the factgraph binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).expect("the first line");
        let address = line
            .trim()
            .strip_prefix("listening on http://")
            .and_then(|a| a.strip_suffix('/'))
            .unwrap_or_else(|| panic!("the first line names the address: {line:?}"))
            .to_owned();
        assert!(address.starts_with("127.0.0.1:"), "{address}");
        Self { child, address, _project: project }
    }

    fn request(&self, method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        let reply = request(&self.address, method, target, headers, body);
        assert!(!reply.header("Transfer-Encoding").contains("chunked"), "answers have a known length");
        reply
    }

    /// A download, which is streamed: its body as sent (chunks joined).
    fn download(&self, target: &str, headers: &[(&str, &str)]) -> (Reply, Vec<u8>) {
        let reply = request_bytes(&self.address, "GET", target, headers, "");
        assert!(reply.0.header("Transfer-Encoding").contains("chunked"), "downloads are streamed");
        let body = dechunk(&reply.1);
        (reply.0, body)
    }

    fn get(&self, target: &str, accept: &str) -> Reply {
        self.request("GET", target, &[("Accept", accept)], "")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request with a known body length; the whole answer.
fn request(address: &str, method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let (mut reply, raw) = request_bytes(address, method, target, headers, body);
    reply.body = String::from_utf8(raw).expect("UTF-8 answer");
    reply
}

/// One request; the answer with its body as bytes (not in `Reply::body`).
fn request_bytes(address: &str, method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> (Reply, Vec<u8>) {
    let mut stream = TcpStream::connect(address).expect("the server accepts connections");
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    // Read by Content-Length when there is one: ChromeDriver keeps the
    // connection open whatever the request says.
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).expect("a status line");
    let status = status_line.split(' ').nth(1).expect("a status code").parse().unwrap();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("a header line");
        match line.trim_end().split_once(':') {
            Some((name, value)) => headers.push((name.trim().to_owned(), value.trim().to_owned())),
            None => break,
        }
    }
    let length =
        headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("content-length")).map(|(_, v)| v.parse::<u64>().unwrap());
    let mut raw = Vec::new();
    match length {
        Some(length) => reader.take(length).read_to_end(&mut raw),
        None => reader.read_to_end(&mut raw),
    }
    .expect("a complete answer");
    (Reply { status, headers, body: String::new() }, raw)
}

/// The body of a chunked transfer; panics on an incomplete one (no last chunk).
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n").expect("a chunk size line");
        let size_text = std::str::from_utf8(&raw[..line_end]).unwrap();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).expect("a chunk size");
        raw = &raw[line_end + 2..];
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

const PROVIDERS: &str = "SELECT ?service ?provider WHERE { ?s a schema:Service ; schema:name ?service ; schema:provider/schema:name ?provider } ORDER BY ?service";

#[test]
fn get_answers_select_as_json_with_the_project_prefixes() {
    let server = Server::start(&[]);
    let reply = server.get(&format!("/query?query={}", encode(PROVIDERS)), "application/sparql-results+json");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("Content-Type"), "application/sparql-results+json");
    let json: serde_json::Value = serde_json::from_str(&reply.body).expect("JSON");
    assert_eq!(json["head"]["vars"], serde_json::json!(["service", "provider"]));
    let services: Vec<&str> = json["results"]["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["service"]["value"].as_str().unwrap())
        .collect();
    assert_eq!(services, ["=1+1", "Office 365", "Windows Azure"]);
    // Without Accept, SELECT answers in SPARQL JSON too; ASK as well.
    let reply = server.get(&format!("/query?query={}", encode("ASK { ?o schema:alternateName \"微软\"@zh }")), "");
    assert_eq!((reply.status, reply.body.trim()), (200, r#"{"head":{},"boolean":true}"#));
}

#[test]
fn post_as_a_form_or_a_query_body_answers_csv_tsv_and_xml() {
    let server = Server::start(&[]);
    let form = format!("query={}", encode(PROVIDERS));
    let reply = server.request(
        "POST",
        "/query",
        &[("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "text/csv")],
        &form,
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("Content-Type"), "text/csv");
    assert_eq!(
        csv_rows(&reply.body),
        vec![
            vec!["service", "provider"],
            vec!["'=1+1", "Baihui Zongheng Technology, Beijing"],
            vec!["Office 365", "Microsoft"],
            vec!["Windows Azure", "Microsoft"],
        ],
        "CSV cells are guarded against formulas, as with `factgraph query`"
    );
    let reply = server.request(
        "POST",
        "/query",
        &[
            ("Content-Type", "application/sparql-query"),
            ("Accept", "text/tab-separated-values;q=0.9, application/sparql-results+xml;q=0.5"),
        ],
        PROVIDERS,
    );
    assert_eq!(reply.header("Content-Type"), "text/tab-separated-values");
    assert_eq!(reply.body.lines().next(), Some("?service\t?provider"));
    let reply = server.request(
        "POST",
        "/query",
        &[("Content-Type", "application/sparql-query"), ("Accept", "application/sparql-results+xml")],
        PROVIDERS,
    );
    assert!(reply.body.contains("<literal>Office 365</literal>"), "{}", reply.body);
    let reply = server.get(&format!("/query?query={}", encode(PROVIDERS)), "image/png");
    assert_eq!(reply.status, 406, "{}", reply.body);
    let reply = server.get(&format!("/query?query={}", encode("SELECT WHERE {")), "");
    assert_eq!(reply.status, 400);
    assert!(reply.body.starts_with("syntax error"), "{}", reply.body);
}

#[test]
fn construct_answers_turtle_or_ntriples() {
    let server = Server::start(&[]);
    let query = encode("CONSTRUCT { ?a ex:partner ?b } WHERE { ?a ex:partner ?b }");
    let reply = server.get(&format!("/query?query={query}"), "text/turtle");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("Content-Type"), "text/turtle");
    assert!(reply.body.contains("@prefix ex: <http://example.org/> ."), "{}", reply.body);
    assert!(reply.body.contains("ex:partner"), "{}", reply.body);
    let reply = server.get(&format!("/query?query={query}"), "application/n-triples");
    assert_eq!(reply.header("Content-Type"), "application/n-triples");
    assert_eq!(
        reply.body,
        "<http://example.org/org/21vianet> <http://example.org/partner> <http://example.org/org/microsoft> .\n"
    );
}

#[test]
fn updates_are_refused_and_change_nothing() {
    let server = Server::start(&[]);
    let update = "DELETE WHERE { ?s ?p ?o }";
    let replies = [
        server.request("POST", "/query", &[("Content-Type", "application/sparql-update")], update),
        server.request("POST", "/update", &[("Content-Type", "application/sparql-update")], update),
        server.request(
            "POST",
            "/query",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            &format!("update={}", encode(update)),
        ),
        server.get(&format!("/query?query={}", encode(update)), ""),
    ];
    for reply in replies {
        assert_eq!(reply.status, 405, "{}", reply.body);
        assert!(reply.body.contains("read-only"), "{}", reply.body);
    }
    let reply = server.get(&format!("/query?query={}", encode("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")), "text/csv");
    assert_eq!(csv_rows(&reply.body), vec![vec!["n"], vec!["31"]]);
}

#[test]
fn a_query_past_the_time_limit_is_stopped_with_503() {
    let server = Server::start(&["--timeout", "1"]);
    let slow =
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?p ?q ?r . ?s ?t ?u }";
    let started = Instant::now();
    let reply = server.get(&format!("/query?query={}", encode(slow)), "application/sparql-results+json");
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert!(reply.body.contains("time limit") || reply.body.contains("limit of 1 s"), "{}", reply.body);
    assert!(started.elapsed() < Duration::from_secs(20), "stopped soon after the limit: {:?}", started.elapsed());
    let reply = server.get(&format!("/query?query={}", encode("ASK {}")), "");
    assert_eq!(reply.status, 200, "the server still answers");
}

/// A load test's slow clients: 300 connections that send their heads a
/// byte at a time (once, 200 of them kept the endpoint from answering for
/// eight seconds). A query is still answered, at once; the bound asserted
/// is loose, for a busy machine, and the time taken is printed.
#[test]
fn a_query_is_answered_while_300_slow_clients_hold_connections() {
    let server = Server::start(&[]);
    let mut slow: Vec<TcpStream> =
        (0..300).map(|_| TcpStream::connect(&server.address).expect("a slow client connects")).collect();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let dripping = {
        let stop = std::sync::Arc::clone(&stop);
        // A byte to each every 100 ms, for 10 s at most: the clients stop
        // by themselves even if the test fails before it stops them.
        std::thread::spawn(move || {
            for byte in b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: slow\r\n".iter().cycle().take(100) {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                for client in &mut slow {
                    let _ = client.write_all(&[*byte]);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    // Every slow client has sent part of its head before the query is asked.
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let reply =
        server.get(&format!("/query?query={}", encode("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")), "text/csv");
    let took = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    dripping.join().unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    let test = std::thread::current().name().unwrap_or_default().to_owned();
    let _ = writeln!(std::io::stderr().lock(), "{test}: answered in {took:?} with 300 slow clients connected");
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
}

#[test]
fn the_query_page_is_yasgui_from_this_server_with_the_named_questions() {
    let server = Server::start(&[]);
    let page = server.get("/", "text/html");
    assert_eq!(page.status, 200);
    assert_eq!(page.header("Content-Type"), "text/html; charset=utf-8");
    for asset in ["/assets/yasgui.min.js", "/assets/yasgui.min.css", "/assets/factgraph.js", "/assets/factgraph.css"] {
        assert!(page.body.contains(&format!("\"{asset}\"")), "{asset} in {}", page.body);
        let reply = server.get(asset, "");
        assert_eq!(reply.status, 200, "{asset}");
        assert!(!reply.body.contains("sourceMappingURL"), "{asset} asks for no source map");
    }
    assert!(server.get("/assets/yasgui.min.js", "").body.len() > 500_000, "the whole YASGUI bundle");
    assert!(!page.body.contains("src=\"http") && !page.body.contains("href=\"http"), "no external assets");
    // The named questions, title and description, with their text to load.
    assert!(page.body.contains(r#"data-name="providers""#), "{}", page.body);
    assert!(page.body.contains("Services and their providers"), "{}", page.body);
    let reply = server.get("/queries", "application/json");
    assert_eq!(reply.header("Content-Type"), "application/json");
    let list: serde_json::Value = serde_json::from_str(&reply.body).expect("JSON");
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|q| q["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["companies", "has-chinese-names", "partners-graph", "providers"]);
    assert_eq!(list[3]["title"], "Services and their providers");
    assert!(list[3]["text"].as_str().unwrap().contains("SELECT ?service ?provider"));
}

/// The triples of an RDF document, as N-Triples lines, sorted.
fn parse_rdf(text: &str, format: oxigraph::io::RdfFormat) -> BTreeSet<String> {
    oxigraph::io::RdfParser::from_format(format)
        .for_reader(text.as_bytes())
        .map(|quad| quad.unwrap_or_else(|e| panic!("{e} in {text}")).to_string())
        .collect()
}

/// Every triple about `iri` and pointing to it, as `factgraph query` gives them.
fn described_by_query(project: &std::path::Path, iri: &str) -> BTreeSet<String> {
    let construct = format!(
        "CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }} WHERE {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}"
    );
    let text = crate::common::run_ok(project, &["query", "--sparql", &construct, "--format", "ntriples"]);
    parse_rdf(&text, oxigraph::io::RdfFormat::NTriples)
}

#[test]
fn a_resource_answers_its_path_in_html_turtle_ntriples_and_json_ld_as_accept_asks() {
    use oxigraph::io::{JsonLdProfileSet, RdfFormat};
    let project = TestProject::mini().built();
    let project_path = project.path().to_owned();
    let server = Server::start_in(project, &[]);
    let iri = "http://example.org/org/microsoft";
    let expected = described_by_query(&project_path, iri);
    assert!(expected.len() > 5, "{expected:?}");
    assert!(expected.iter().any(|t| t.ends_with(&format!("<{iri}>"))), "triples pointing to it too");
    let formats = [
        ("text/turtle", "text/turtle", ".ttl", RdfFormat::Turtle),
        ("application/n-triples", "application/n-triples", ".nt", RdfFormat::NTriples),
        (
            "application/ld+json",
            "application/ld+json",
            ".jsonld",
            RdfFormat::JsonLd { profile: JsonLdProfileSet::empty() },
        ),
        ("text/turtle;q=0.5, application/n-triples;q=0.9", "application/n-triples", ".nt", RdfFormat::NTriples),
    ];
    for (accept, media_type, extension, format) in formats {
        let reply = server.get("/org/microsoft", accept);
        assert_eq!(reply.status, 200, "{accept}: {}", reply.body);
        assert_eq!(reply.header("Content-Type"), media_type, "{accept}");
        assert_eq!(reply.header("Vary"), "Accept");
        assert_eq!(reply.header("Content-Location"), format!("/org/microsoft{extension}"));
        assert_eq!(parse_rdf(&reply.body, format), expected, "{accept}");
        // The document itself, at the path Content-Location names.
        let document = server.get(&format!("/org/microsoft{extension}"), "");
        assert_eq!((document.status, document.header("Content-Type")), (200, media_type));
        assert_eq!(parse_rdf(&document.body, format), expected, "{extension}");
        assert_eq!(document.header("Vary"), "", "a document is not negotiated");
    }
    // Browsers (and */*) get the page.
    for accept in ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "*/*", ""] {
        let page = server.get("/org/microsoft", accept);
        assert_eq!(page.status, 200);
        assert_eq!(page.header("Content-Type"), "text/html; charset=utf-8", "{accept}");
        assert_eq!(page.header("Content-Location"), "/org/microsoft.html");
    }
    let page = server.get("/org/microsoft", "text/html");
    assert!(page.body.contains("<h1>Microsoft</h1>"), "its label: {}", page.body);
    assert!(page.body.contains("companies.csv:2"), "the CSV line of its facts: {}", page.body);
    assert!(page.body.contains(r#"href="/org/21vianet""#), "the partner pointing to it, linked: {}", page.body);
    assert!(page.body.contains(r#"href="/service/office-365""#), "the services pointing to it, linked");
    assert!(page.body.contains("services.csv:2"), "the line of a triple pointing to it: {}", page.body);
    // Any IRI of the graph has a page at /resource?iri=, here a class.
    let class = server.get("/resource?iri=http%3A%2F%2Fschema.org%2FOrganization", "text/turtle");
    assert_eq!(class.status, 200, "{}", class.body);
    assert!(class.body.contains("microsoft"), "{}", class.body);
    assert_eq!(class.header("Content-Location"), "/resource?iri=http%3A%2F%2Fschema.org%2FOrganization&format=ttl");
}

#[test]
fn unknown_resources_and_bad_requests_get_clear_errors() {
    let server = Server::start(&[]);
    let page = server.get("/org/nobody", "text/html");
    assert_eq!(page.status, 404);
    assert_eq!(page.header("Content-Type"), "text/html; charset=utf-8");
    assert!(page.body.contains("the graph has nothing about &lt;http://example.org/org/nobody&gt;"), "{}", page.body);
    let reply = server.get("/org/nobody", "text/turtle");
    assert_eq!(reply.status, 404);
    assert_eq!(reply.header("Content-Type"), "text/plain; charset=utf-8");
    let cases: [(&str, &str, u16, &str); 6] = [
        ("GET", "/resource", 400, "give the resource as /resource?iri="),
        ("GET", "/resource?iri=not%20an%20iri", 400, "is not an IRI"),
        (
            "GET",
            "/resource?iri=http%3A%2F%2Fexample.org%2Forg%2Fmicrosoft&format=pdf",
            400,
            "not one of html, ttl, nt, jsonld",
        ),
        ("GET", "/download/everything.zip", 404, "dataset.ttl, dataset.nt and dataset.nq"),
        ("POST", "/dataset", 405, "answers GET only"),
        ("GET", "/assets/nothing.js", 404, "no asset called nothing.js"),
    ];
    for (method, target, status, message) in cases {
        let reply = server.request(method, target, &[("Content-Type", "text/plain")], "");
        assert_eq!(reply.status, status, "{method} {target}: {}", reply.body);
        assert!(reply.body.contains(message), "{method} {target}: {}", reply.body);
    }
    let reply = server.get("/org/microsoft", "image/png");
    assert_eq!(reply.status, 406);
    assert!(reply.body.contains("text/turtle"), "{}", reply.body);
}

#[test]
fn the_dataset_page_describes_the_build_and_the_whole_graph_downloads_streamed() {
    let project = TestProject::mini().built();
    let project_path = project.path().to_owned();
    let server = Server::start_in(project, &[]);
    let page = server.get("/dataset", "text/html");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(r#"<dd id="triples">31</dd>"#), "{}", page.body);
    assert!(page.body.contains("data/companies.csv"), "the input files: {}", page.body);
    for (path, _, _) in
        [("/download/dataset.ttl", "", ""), ("/download/dataset.nt", "", ""), ("/download/dataset.nq", "", "")]
    {
        assert!(page.body.contains(&format!(r#"href="{path}""#)), "{path}");
    }
    for target in ["/.well-known/void", "/dataset"] {
        let void = server.get(target, "text/turtle");
        assert_eq!((void.status, void.header("Content-Type")), (200, "text/turtle"), "{target}");
        let triples = parse_rdf(&void.body, oxigraph::io::RdfFormat::Turtle);
        assert!(triples.contains("<http://example.org/dataset> <http://rdfs.org/ns/void#triples> \"31\"^^<http://www.w3.org/2001/XMLSchema#integer>"), "{triples:?}");
    }
    // Downloads are what `factgraph export` writes, gzip-compressed on request.
    let exported = crate::common::run_ok(&project_path, &["export", "--format", "ntriples"]);
    let (reply, body) = server.download("/download/dataset.nt", &[]);
    assert_eq!(reply.header("Content-Type"), "application/n-triples");
    assert_eq!(reply.header("Content-Disposition"), r#"attachment; filename="dataset.nt""#);
    assert_eq!(String::from_utf8(body).unwrap(), exported);
    let (reply, body) = server.download("/download/dataset.nt", &[("Accept-Encoding", "gzip, deflate")]);
    assert_eq!(reply.header("Content-Encoding"), "gzip");
    let mut unpacked = String::new();
    flate2::read::GzDecoder::new(body.as_slice()).read_to_string(&mut unpacked).unwrap();
    assert_eq!(unpacked, exported);
    let (_, body) = server.download("/download/dataset.nq", &[("Accept-Encoding", "gzip;q=0")]);
    assert_eq!(
        String::from_utf8(body).unwrap(),
        crate::common::run_ok(&project_path, &["export", "--format", "nquads"])
    );
    let (_, body) = server.download("/download/dataset.ttl", &[]);
    assert_eq!(
        String::from_utf8(body).unwrap(),
        crate::common::run_ok(&project_path, &["export", "--format", "turtle"])
    );
}

#[test]
fn pages_and_downloads_open_no_oxigraph_store_and_a_fact_shows_the_line_its_row_starts_on() {
    let project = TestProject::mini();
    let companies = std::fs::read_to_string(project.path().join("data/companies.csv")).unwrap();
    project.write("data/companies.csv", &format!("{companies}later,Later Ltd,,US,,\n"));
    let project = project.built();
    let exported = crate::common::run_ok(project.path(), &["export", "--format", "ntriples"]);
    for version in std::fs::read_dir(project.path().join("store/versions")).unwrap() {
        std::fs::remove_dir_all(version.unwrap().path().join("oxigraph")).unwrap();
    }
    let server = Server::start_in(project, &[]);
    // Each page reads its rows at their places: after a cell on two lines, too.
    for (path, line) in [("/org/later", "companies.csv:7"), ("/org/quoted", "companies.csv:5")] {
        let page = server.get(path, "text/html");
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert!(page.body.contains(line), "{path}: {}", page.body);
        assert!(!page.body.contains("Edited since the build"), "{}", page.body);
    }
    let (_, body) = server.download("/download/dataset.nt", &[]);
    assert_eq!(String::from_utf8(body).unwrap(), exported);
}

#[test]
fn a_page_names_the_files_edited_since_the_build() {
    let project = TestProject::mini().built();
    let services = std::fs::read_to_string(project.path().join("data/services.csv")).unwrap();
    project.write("data/services.csv", &services.replace("azure,Windows Azure,", "azure,Microsoft Azure,"));
    let server = Server::start_in(project, &[]);
    let page = server.get("/service/azure", "text/html");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Edited since the build"), "{}", page.body);
    assert!(page.body.contains("<code>data/services.csv</code>"), "{}", page.body);
    // The name's row no longer states it; the row still states the rest.
    assert!(page.body.contains("no CSV row found in the files as they are now"), "{}", page.body);
    assert!(page.body.contains("services.csv:3"), "{}", page.body);
}

#[test]
fn a_class_page_lists_the_first_thousand_instances_and_its_documents_hold_them_all() {
    let mini = TestProject::mini();
    let generated = tempfile::tempdir().unwrap();
    let out = generated.path().join("big");
    mini.ok(&["generate", "--offerings", "1200", "--out", out.to_str().unwrap()]);
    crate::common::run_ok(&out, &["build", "--quiet"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .current_dir(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let address = line.trim().trim_start_matches("listening on http://").trim_end_matches('/').to_owned();
    let class = "/resource?iri=http%3A%2F%2Fschema.org%2FOrganization";
    let page = request(&address, "GET", class, &[("Accept", "text/html")], "");
    let nt = request(&address, "GET", class, &[("Accept", "application/n-triples")], "");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(page.status, 200);
    assert_eq!(page.body.matches(r#"<span class="csv-line""#).count(), 1000, "one CSV line per listed instance");
    assert!(page.body.contains("And 200 more, not listed here"), "{}", &page.body[page.body.len() - 600..]);
    assert_eq!(nt.body.lines().count(), 1200, "the documents hold every triple");
}

/// The bundled project, with a `<script>` in a source's title (shown on
/// the dataset page and on every page citing it) and in an organisation's
/// name (shown wherever it is linked).
fn injected_project() -> TestProject {
    let project = TestProject::bundled();
    let replace = |file: &str, from: &str, to: &str| {
        let path = project.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from} in {file}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    replace(
        "data/sources.csv",
        "Beijing IT biz taunts Microsoft",
        "<script>window.injected=1</script>Beijing IT biz taunts Microsoft",
    );
    replace("data/organisations.csv", "microsoft,Microsoft,", "microsoft,<script>window.injected=2</script>Microsoft,");
    project.built()
}

const INJECTED: &str = "<script>window.injected";
const ESCAPED: &str = "&lt;script&gt;window.injected";

#[test]
fn a_script_in_a_csv_cell_is_text_on_every_page() {
    let server = Server::start_in(injected_project(), &[]);
    for path in [
        "/factgraph/cn-cloud/microsoft",
        "/factgraph/cn-cloud/office-365",
        "/factgraph/cn-cloud/reg-2013-03-15",
        "/dataset",
    ] {
        let page = server.get(path, "text/html");
        assert_eq!(page.status, 200, "{path}");
        assert!(page.body.contains(ESCAPED), "{path} shows the cell: {}", page.body);
        assert!(!page.body.contains(INJECTED), "{path} runs no script from the data");
    }
    let query = format!(
        "/query?query={}",
        encode("SELECT ?name { <https://w3id.org/factgraph/cn-cloud/microsoft> rdfs:label ?name }")
    );
    let reply = server.get(&query, "application/sparql-results+json");
    assert!(reply.body.contains(INJECTED), "the endpoint answers data as it is: {}", reply.body);
}

#[test]
fn disputed_dates_are_shown_claim_by_claim_with_their_sources() {
    let server = Server::start_in(TestProject::bundled().built(), &[]);
    let page = server.get("/factgraph/cn-cloud/office-365", "text/html");
    assert_eq!(page.status, 200);
    let claims = page
        .body
        .split(r#"<section class="claims">"#)
        .nth(1)
        .expect("a claims section")
        .split("</section>")
        .next()
        .unwrap();
    assert!(claims.contains("Sources disagree"), "{claims}");
    assert!(claims.contains("launch date in China"), "{claims}");
    let sides: Vec<&str> = claims.split(r#"<div class="claim">"#).skip(1).collect();
    assert_eq!(sides.len(), 2, "one side per claim: {claims}");
    assert!(
        sides[0].contains("2012-11")
            && sides[0].contains("The Register")
            && sides[0].contains("data/date-claims.csv:2"),
        "{}",
        sides[0]
    );
    assert!(
        sides[1].contains("2013-02-28")
            && sides[1].contains("Marbridge")
            && sides[1].contains("data/date-claims.csv:3"),
        "{}",
        sides[1]
    );
    // A claim's own page shows the other claims on the same date beside it.
    let page = server.get("/factgraph/cn-cloud/office-365-china-launch-marbridge", "text/html");
    assert!(page.body.contains("Sources disagree") && page.body.contains("2012-11"), "{}", page.body);
    // The dataset's own IRI leads to the dataset page.
    let reply = server.get("/factgraph/cn-cloud/dataset", "text/html");
    assert_eq!((reply.status, reply.header("Location")), (303, "/dataset"));
}

/// The bundled data is published under CC BY 4.0 (factgraph.toml): the
/// dataset page links the licence, and a Turtle download names it first.
#[test]
fn the_bundled_dataset_page_and_downloads_state_the_licence() {
    let server = Server::start_in(TestProject::bundled().built(), &[]);
    let page = server.get("/dataset", "text/html");
    assert_eq!(page.status, 200);
    let licence = page.body.split("<dt>Licence</dt>").nth(1).expect("a licence entry").split("</dd>").next().unwrap();
    assert!(
        licence.contains(r#"href="https://creativecommons.org/licenses/by/4.0/""#),
        "the licence links CC BY 4.0: {licence}"
    );
    let (_, body) = server.download("/download/dataset.ttl", &[]);
    let turtle = String::from_utf8(body).unwrap();
    assert!(turtle.starts_with("# Licence: <https://creativecommons.org/licenses/by/4.0/>\n"), "{}", &turtle[..200]);
    let (_, body) = server.download("/download/dataset.nq", &[]);
    let nquads = String::from_utf8(body).unwrap();
    assert!(
        nquads.contains("<http://purl.org/dc/terms/license> <https://creativecommons.org/licenses/by/4.0/>"),
        "the N-Quads download holds the description"
    );
}

/// A headless Chromium driven through ChromeDriver's WebDriver protocol
/// (HTTP and JSON, so no client crate). Quit when dropped.
struct Browser {
    driver: Child,
    address: String,
    session: String,
    _profile: tempfile::TempDir,
    /// Where downloads land.
    downloads: tempfile::TempDir,
}

impl Browser {
    /// `None` when no Chromium and ChromeDriver are installed (they come from
    /// the system's packages; `.ci/run` installs them), unless
    /// FACTGRAPH_REQUIRE_PEERS is set, as in CI.
    fn start() -> Option<Self> {
        let path = |variable: &str, default: &str| {
            std::env::var_os(variable).map(std::path::PathBuf::from).unwrap_or_else(|| default.into())
        };
        let (driver, chromium) =
            (path("FACTGRAPH_CHROMEDRIVER", "/usr/bin/chromedriver"), path("FACTGRAPH_CHROMIUM", "/usr/bin/chromium"));
        if !driver.is_file() || !chromium.is_file() {
            let reason = format!(
                "no {} or {} (apt install chromium chromium-driver, or run .ci/run)",
                driver.display(),
                chromium.display()
            );
            crate::common::skip(crate::common::REQUIRE_PEERS, &reason);
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let address = format!("127.0.0.1:{port}");
        let started = Instant::now();
        while TcpStream::connect(&address).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ]
        .map(String::from)
        .into_iter()
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let downloads = tempfile::tempdir().unwrap();
        // The console and every network request are logged, to check both.
        let capabilities = serde_json::json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL", "performance": "ALL"},
            "goog:chromeOptions": {"binary": chromium, "args": args, "prefs": {
                "download.default_directory": downloads.path(),
                "download.prompt_for_download": false
            }}
        }}});
        let mut browser = Self { driver, address, session: String::new(), _profile: profile, downloads };
        let created = browser.command("POST", "/session", capabilities);
        browser.session = created["sessionId"].as_str().expect("a WebDriver session").to_owned();
        Some(browser)
    }

    fn command(&self, method: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
        let body = if method == "GET" { String::new() } else { body.to_string() };
        let reply = request(&self.address, method, path, &[("Content-Type", "application/json")], &body);
        let json: serde_json::Value = serde_json::from_str(&reply.body).expect("WebDriver answers JSON");
        assert_eq!(reply.status, 200, "WebDriver {method} {path}: {json}");
        json["value"].clone()
    }

    fn session(&self, method: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
        self.command(method, &format!("/session/{}{path}", self.session), body)
    }

    fn open(&self, url: &str) {
        self.session("POST", "/url", serde_json::json!({ "url": url }));
    }

    /// The elements matching a CSS selector, as WebDriver element ids.
    fn find_all(&self, css: &str) -> Vec<String> {
        let found = self.session("POST", "/elements", serde_json::json!({"using": "css selector", "value": css}));
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_object().unwrap().values().next().unwrap().as_str().unwrap().to_owned())
            .collect()
    }

    /// Waits up to 20 s for at least one element to match.
    fn wait_for(&self, css: &str) -> Vec<String> {
        let started = Instant::now();
        loop {
            let found = self.find_all(css);
            if !found.is_empty() {
                return found;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "nothing matches {css}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn text(&self, element: &str) -> String {
        self.session("GET", &format!("/element/{element}/text"), serde_json::Value::Null).as_str().unwrap().to_owned()
    }

    fn click(&self, element: &str) {
        self.session("POST", &format!("/element/{element}/click"), serde_json::json!({}));
    }

    fn execute(&self, script: &str, args: serde_json::Value) -> serde_json::Value {
        self.session("POST", "/execute/sync", serde_json::json!({"script": script, "args": args}))
    }

    /// The cells of YASGUI's results table, row by row, without its row numbers.
    ///
    /// YASR may draw its table more than once (DataTables redraws it after the
    /// first paint), so this reads until one read holds a header and a row.
    fn results(&self) -> Vec<Vec<String>> {
        let started = Instant::now();
        loop {
            self.wait_for(".yasr table.dataTable tbody tr td");
            let rows = self.execute(
                "return Array.from(document.querySelectorAll('.yasr table.dataTable tr'))\
                   .map(tr => Array.from(tr.querySelectorAll('th, td')).slice(1).map(c => c.innerText.trim()));",
                serde_json::json!([]),
            );
            let rows: Vec<Vec<String>> = serde_json::from_value(rows).unwrap();
            if rows.len() >= 2 {
                return rows;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "the results table stays empty: {rows:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs a query in the current tab of the query page and waits for its results.
    fn run_in_editor(&self, query: &str) {
        self.execute(
            "document.querySelector('.yasr').dataset.waiting = 'yes';\
                      const tab = factgraphYasgui.getTab(); tab.setQuery(arguments[0]);\
                      tab.getYasr().once('drawn', () => delete document.querySelector('.yasr').dataset.waiting);\
                      tab.query().catch(() => {});",
            serde_json::json!([query]),
        );
        self.wait_for(".yasr:not([data-waiting])");
    }

    /// Clicks a named question and waits for its results.
    fn run_question(&self, name: &str) {
        let button = &self.wait_for(&format!("button.question[data-name='{name}']"))[0];
        self.execute("document.querySelector('.yasr').dataset.waiting = 'yes';\
                      factgraphYasgui.getTab().getYasr().once('drawn', () => delete document.querySelector('.yasr').dataset.waiting);",
                      serde_json::json!([]));
        self.click(button);
        self.wait_for(".yasr:not([data-waiting])");
    }

    /// Console messages at the level of errors.
    fn console_errors(&self) -> Vec<String> {
        let logs = self.session("POST", "/se/log", serde_json::json!({"type": "browser"}));
        logs.as_array()
            .unwrap()
            .iter()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Every URL the pages asked for since the last call.
    fn requested_urls(&self) -> Vec<String> {
        let logs = self.session("POST", "/se/log", serde_json::json!({"type": "performance"}));
        logs.as_array()
            .unwrap()
            .iter()
            .filter_map(|entry| serde_json::from_str::<serde_json::Value>(entry["message"].as_str()?).ok())
            .filter(|message| message["message"]["method"] == "Network.requestWillBeSent")
            .filter_map(|message| message["message"]["params"]["request"]["url"].as_str().map(str::to_owned))
            .collect()
    }

    /// Asserts that no page logged an error and nothing was asked of another
    /// host; returns what was asked of this one.
    fn assert_clean(&self, server: &Server) -> Vec<String> {
        assert_eq!(self.console_errors(), Vec::<String>::new(), "no console errors");
        let own = format!("http://{}/", server.address);
        let urls = self.requested_urls();
        assert!(urls.iter().any(|url| url.starts_with(&own)), "the performance log works: {urls:?}");
        // Only what goes over a network counts; chrome:// pages are the browser's own.
        let networked = |url: &&String| ["http:", "https:", "ws:", "wss:"].iter().any(|s| url.starts_with(s));
        let elsewhere: Vec<&String> = urls.iter().filter(networked).filter(|url| !url.starts_with(&own)).collect();
        assert!(elsewhere.is_empty(), "requests to other hosts: {elsewhere:?}");
        urls
    }

    /// The text of the first element matching `css`, once there is one.
    fn text_of(&self, css: &str) -> String {
        self.text(&self.wait_for(css)[0])
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = request(&self.address, "DELETE", &format!("/session/{}", self.session), &[], "");
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[test]
fn in_a_browser_a_named_question_runs_in_the_editor_and_its_iris_lead_to_resource_pages() {
    let Some(browser) = Browser::start() else { return };
    let server = Server::start(&[]);
    browser.open(&format!("http://{}/", server.address));
    browser.wait_for(".yasqe .CodeMirror");

    // A named question: one click loads it into the editor and runs it.
    browser.run_question("providers");
    assert_eq!(
        browser.results(),
        [
            ["service", "provider"],
            ["=1+1", "\"Baihui Zongheng Technology, Beijing\"@en"],
            ["Office 365", "\"Microsoft\"@en"],
            ["Windows Azure", "\"Microsoft\"@en"]
        ],
        "YASGUI shows a literal's language"
    );
    let editor = browser.execute("return factgraphYasgui.getTab().getYasqe().getValue()", serde_json::json!([]));
    assert!(editor.as_str().unwrap().contains("SELECT ?service ?provider"), "{editor}");

    // A typed query; then a broken one shows the server's error.
    browser.run_in_editor("SELECT ?name WHERE { ?s schema:alternateName ?name } ORDER BY ?name");
    let names = browser.results();
    assert_eq!(names, [["name"], ["\"世纪互联\"@zh"], ["\"微软\"@zh"], ["\"百会纵横\"@zh"]]);
    let urls = browser.assert_clean(&server);
    // The editor's completions of classes and properties come from this graph.
    for completion in ["SELECT%20DISTINCT%20%3Fc%20WHERE", "SELECT%20DISTINCT%20%3Fp%20WHERE"] {
        assert!(urls.iter().any(|url| url.contains(completion)), "{completion} in {urls:?}");
    }
    // Completing a class after `a` offers the graph's classes.
    browser.execute(
        "const yasqe = factgraphYasgui.getTab().getYasqe();\
         yasqe.setValue('PREFIX schema: <http://schema.org/>\\nSELECT * WHERE { ?s a schema:O');\
         yasqe.focus(); yasqe.setCursor(yasqe.lineCount(), 1000); yasqe.autocomplete();",
        serde_json::json!([]),
    );
    let hints: Vec<String> = browser.wait_for(".CodeMirror-hints li").iter().map(|h| browser.text(h)).collect();
    assert!(hints.contains(&"schema:Organization".to_owned()), "{hints:?}");
    browser.execute("factgraphYasgui.getTab().setQuery(arguments[0])", serde_json::json!(["SELECT WHERE {"]));
    browser.click(&browser.wait_for(".yasqe_queryButton")[0]);
    assert!(browser.text_of(".yasr .errorResult").contains("syntax error"), "the server's message is shown");
    // Chromium itself logs every failed request; YASGUI adds nothing.
    let errors = browser.console_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .ends_with("/query - Failed to load resource: the server responded with a status of 400 (Bad Request)"),
        "{errors:?}"
    );

    // A link to a question's answer: `/?question=NAME` runs it on arrival.
    browser.open(&format!("http://{}/?question=companies", server.address));
    browser.wait_for(".yasr table.dataTable tbody tr td");
    let table = browser.results();
    assert_eq!(table[0], ["company", "name", "country"], "{table:?}");
    let editor = browser.execute("return factgraphYasgui.getTab().getYasqe().getValue()", serde_json::json!([]));
    assert!(editor.as_str().unwrap().contains("?company"), "{editor}");

    // IRIs in the results lead to the resources' pages here.
    let link = &browser.wait_for(".yasr a.iri[data-iri='http://example.org/org/microsoft']")[0];
    browser.click(link);
    assert_eq!(browser.text_of("h1"), "Microsoft");
    let url = browser.session("GET", "/url", serde_json::Value::Null);
    assert_eq!(url.as_str().unwrap(), format!("http://{}/org/microsoft", server.address));
    let lines: Vec<String> = browser.find_all("td.origin").iter().map(|cell| browser.text(cell)).collect();
    assert!(lines.iter().any(|l| l.ends_with("companies.csv:2")), "{lines:?}");
    browser.assert_clean(&server);
}

#[test]
fn in_a_browser_results_download_and_each_fact_shows_its_source_and_csv_line() {
    let Some(browser) = Browser::start() else { return };
    let server = Server::start_in(TestProject::bundled().built(), &[]);
    browser.open(&format!("http://{}/", server.address));
    browser.run_question("facts-per-source");
    let table = browser.results();
    assert_eq!(table[0], ["source", "publisher", "title", "published", "facts"], "{table:?}");
    browser.click(&browser.wait_for(".yasr_downloadIcon")[0]);
    let started = Instant::now();
    let csv = loop {
        let files: Vec<_> = std::fs::read_dir(browser.downloads.path()).unwrap().flatten().map(|e| e.path()).collect();
        // Chromium reserves the final name with an empty file while it writes
        // `*.crdownload`; the download is done when that one is gone.
        let writing = files.iter().any(|f| f.extension().is_some_and(|e| e == "crdownload"));
        let done = files.iter().find(|f| f.extension().is_some_and(|e| e == "csv"));
        if let (false, Some(file)) = (writing, done) {
            let text = std::fs::read_to_string(file).unwrap();
            if !text.is_empty() {
                break text;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no CSV downloaded: {files:?}");
        std::thread::sleep(Duration::from_millis(100));
    };
    let rows = csv_rows(&csv);
    assert_eq!(rows[0], ["source", "publisher", "title", "published", "facts"], "{csv}");
    // Every row of the answer, not only the page of it the table shows.
    let answered = browser
        .execute("return factgraphYasgui.getTab().getYasr().results.getBindings().length", serde_json::json!([]));
    assert_eq!(Some(rows.len() as u64 - 1), answered.as_u64(), "every row downloaded: {csv}");
    assert!(rows.iter().any(|r| r[0] == "reg-2013-03-15" && r[1] == "The Register"), "{csv}");

    // A resource page: each fact with the source its row cites and the CSV line.
    browser.open(&format!("http://{}/factgraph/cn-cloud/office-365", server.address));
    assert_eq!(browser.text_of("h1"), "Office 365");
    let facts = browser.execute(
        "return Array.from(document.querySelectorAll('table.facts tbody tr'))\
           .map(tr => Array.from(tr.querySelectorAll('td')).map(c => c.innerText.trim()));",
        serde_json::json!([]),
    );
    let facts: Vec<Vec<String>> = serde_json::from_value(facts).unwrap();
    let provider = facts.iter().find(|row| row[0] == "provider").unwrap_or_else(|| panic!("{facts:?}"));
    assert_eq!(provider[1], "Microsoft");
    assert!(provider[2].contains("The Register") && provider[2].contains("Show us your licence"), "{provider:?}");
    assert_eq!(provider[3], "data/services.csv:2");
    let claims = browser.find_all("section.claims div.claim");
    assert_eq!(claims.len(), 2, "the disputed launch date, one claim per source");
    browser.click(&browser.wait_for("table.facts a[href='/factgraph/cn-cloud/microsoft']")[0]);
    assert_eq!(browser.text_of("h1"), "Microsoft");
    browser.open(&format!("http://{}/dataset", server.address));
    assert!(browser.text_of("table.sources").contains("Beijing IT biz taunts Microsoft"));
    browser.assert_clean(&server);
}

#[test]
fn in_a_browser_a_script_in_a_csv_cell_is_shown_as_text_and_never_runs() {
    let Some(browser) = Browser::start() else { return };
    let server = Server::start_in(injected_project(), &[]);
    let not_run = || browser.execute("return window.injected === undefined", serde_json::json!([])) == true;
    browser.open(&format!("http://{}/", server.address));
    browser.run_question("facts-per-source");
    let table = browser.results();
    assert!(table.iter().flatten().any(|cell| cell.contains("<script>window.injected=1</script>Beijing")), "{table:?}");
    assert!(not_run(), "the query page");
    for (path, shown) in [
        ("/factgraph/cn-cloud/microsoft", "h1"),
        ("/factgraph/cn-cloud/office-365", "table.facts"),
        ("/dataset", "table.sources"),
    ] {
        browser.open(&format!("http://{}{path}", server.address));
        assert!(browser.text_of(shown).contains("<script>window.injected="), "{path}");
        assert!(not_run(), "{path}");
    }
    browser.assert_clean(&server);
}

#[test]
fn the_change_feed_lists_each_version_and_serves_its_patch_and_page() {
    let project = TestProject::mini().built();
    let services = std::fs::read_to_string(project.path().join("data/services.csv")).unwrap();
    project.write("data/services.csv", &services.replace("azure,Windows Azure,", "azure,Microsoft Azure,"));
    project.ok(&["build", "--quiet"]);
    let server = Server::start_in(project, &[]);

    let feed = server.get("/changes", "application/activity+json");
    assert_eq!((feed.status, feed.header("Content-Type")), (200, "application/activity+json"), "{}", feed.body);
    assert_eq!(feed.header("Content-Location"), "/changes.json");
    let feed: serde_json::Value = serde_json::from_str(&feed.body).unwrap();
    assert_eq!((&feed["type"], &feed["totalItems"]), (&serde_json::json!("OrderedCollection"), &serde_json::json!(2)));
    let newest = &feed["orderedItems"][0];
    let (version, previous) = (newest["name"].as_str().unwrap(), feed["orderedItems"][1]["name"].as_str().unwrap());
    assert_eq!(newest["fg:previous"], format!("http://{}/changes/{previous}", server.address));

    let patch_address = newest["url"][0]["href"].as_str().unwrap();
    let patch_path = patch_address.strip_prefix(&format!("http://{}", server.address)).unwrap();
    let patch = server.get(patch_path, "*/*");
    assert_eq!((patch.status, patch.header("Content-Type")), (200, "application/rdf-patch"), "{}", patch.body);
    assert!(patch.body.starts_with(&format!("H id <http://example.org/dataset/version/{version}> .\nH prev <http://example.org/dataset/version/{previous}> .\nTX .\n")), "{}", patch.body);
    let azure = "<http://example.org/service/azure> <http://schema.org/name>";
    assert!(patch.body.contains(&format!("\nD {azure} \"Windows Azure\" .\n")), "{}", patch.body);
    assert!(patch.body.contains(&format!("\nA {azure} \"Microsoft Azure\" .\n")), "{}", patch.body);
    let negotiated = server.get(&format!("/changes/{version}"), "application/rdf-patch");
    assert_eq!(negotiated.body, patch.body);

    let page = server.get(&format!("/changes/{version}"), "text/html");
    assert_eq!((page.status, page.header("Content-Location")), (200, format!("/changes/{version}.html").as_str()));
    assert!(page.body.contains("Microsoft Azure") && page.body.contains(r#"href="/service/azure""#), "{}", page.body);
    assert!(server.get("/changes", "text/html").body.contains(&format!(r#"href="/changes/{version}""#)));
    assert!(server.get("/dataset", "text/html").body.contains(r#"href="/changes""#));
    for unknown in ["/changes/v0", "/changes/..%2Fversions", "/changes/v0.rdfp"] {
        let reply = server.get(unknown, "*/*");
        assert_eq!(reply.status, 404, "{unknown}: {}", reply.body);
    }
    assert!(server.get("/changes/v0", "*/*").body.contains(&format!("kept: {previous}, {version}")));
}
