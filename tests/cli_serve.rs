//! `factgraph serve`: the SPARQL 1.1 Protocol over HTTP on 127.0.0.1, spoken
//! to the real binary with a tiny client over std's TcpStream.

mod common;
use common::{csv_rows, TestProject};
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
        let project = TestProject::mini().built();
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
    let body = String::from_utf8(raw).expect("UTF-8 answer");
    Reply { status, headers, body }
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

#[test]
fn the_page_has_a_query_form_and_lists_the_named_questions() {
    let server = Server::start(&[]);
    let page = server.get("/", "text/html");
    assert_eq!(page.status, 200);
    assert_eq!(page.header("Content-Type"), "text/html; charset=utf-8");
    assert!(page.body.contains("<form") && page.body.contains("<textarea"), "{}", page.body);
    assert!(!page.body.contains("http://") && !page.body.contains("https://"), "no external assets");
    let reply = server.get("/queries", "application/json");
    assert_eq!(reply.header("Content-Type"), "application/json");
    let list: serde_json::Value = serde_json::from_str(&reply.body).expect("JSON");
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|q| q["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["companies", "has-chinese-names", "partners-graph", "providers"]);
    assert_eq!(list[3]["title"], "Services and their providers");
    assert!(list[3]["text"].as_str().unwrap().contains("SELECT ?service ?provider"));
    assert_eq!(server.get("/nothing", "").status, 404);
}

/// A headless Chromium driven through ChromeDriver's WebDriver protocol
/// (HTTP and JSON, so no client crate). Quit when dropped.
struct Browser {
    driver: Child,
    address: String,
    session: String,
    _profile: tempfile::TempDir,
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
            assert!(
                std::env::var("FACTGRAPH_REQUIRE_PEERS").is_err(),
                "no {} or {}",
                driver.display(),
                chromium.display()
            );
            eprintln!("skipped: no chromedriver and chromium (apt install chromium chromium-driver, or run .ci/run)");
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
        let capabilities = serde_json::json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args}
        }}});
        let mut browser = Self { driver, address, session: String::new(), _profile: profile };
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

    fn type_into(&self, element: &str, text: &str) {
        self.session("POST", &format!("/element/{element}/clear"), serde_json::json!({}));
        self.session("POST", &format!("/element/{element}/value"), serde_json::json!({ "text": text }));
    }

    /// The cells of the results table, row by row.
    fn table(&self) -> Vec<Vec<String>> {
        self.wait_for("#results table");
        let cells = self.find_all("#results table tr");
        cells
            .iter()
            .map(|row| {
                let cells = self.session(
                    "POST",
                    &format!("/element/{row}/elements"),
                    serde_json::json!({"using": "css selector", "value": "th, td"}),
                );
                cells
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| self.text(c.as_object().unwrap().values().next().unwrap().as_str().unwrap()))
                    .collect()
            })
            .collect()
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
fn in_a_browser_a_typed_query_and_a_picked_question_show_their_tables() {
    let Some(browser) = Browser::start() else { return };
    let server = Server::start(&[]);
    browser.open(&format!("http://{}/", server.address));

    let textarea = &browser.wait_for("#query")[0];
    browser.type_into(textarea, PROVIDERS);
    browser.click(&browser.wait_for("button[type=submit]")[0]);
    assert_eq!(
        browser.table(),
        [
            ["service", "provider"],
            ["=1+1", "Baihui Zongheng Technology, Beijing"],
            ["Office 365", "Microsoft"],
            ["Windows Azure", "Microsoft"]
        ]
    );
    assert_eq!(browser.text(&browser.find_all("#status")[0]), "3 rows");

    // A named question: picking it fills the query in; running shows its table.
    browser.click(&browser.wait_for("#named option[value=companies]")[0]);
    let filled = browser.session("GET", &format!("/element/{textarea}/property/value"), serde_json::Value::Null);
    assert!(filled.as_str().unwrap().contains("SELECT"), "{filled}");
    browser.click(&browser.find_all("button[type=submit]")[0]);
    let table = browser.table();
    assert_eq!(table[0], ["company", "name", "country"], "{table:?}");
    assert!(table.iter().any(|row| row.contains(&"Microsoft".to_owned())), "{table:?}");

    // A broken query shows the server's error instead of a table.
    browser.type_into(textarea, "SELECT WHERE {");
    browser.click(&browser.find_all("button[type=submit]")[0]);
    let status = browser.wait_for("#status.error");
    assert!(browser.text(&status[0]).starts_with("400"), "{}", browser.text(&status[0]));
    assert!(browser.find_all("#results table").is_empty());
}
