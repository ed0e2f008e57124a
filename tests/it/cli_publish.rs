//! `factgraph publish` against a real Oxigraph server (`oxigraph serve`, the
//! same version as our dependency), started on a free loopback port per test.
//!
//! The server comes from `FACTGRAPH_OXIGRAPH` (a path, set by `.ci/run`) or
//! `oxigraph` on the PATH. Without one these tests say so and pass, unless
//! `FACTGRAPH_REQUIRE_PEERS=1`, as in CI, where they fail.

use crate::common::{csv_rows, TestProject};
use factgraph_core::publish::http::{self, Url};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DESCRIPTION: &str = "http://example.org/dataset/build";

struct OxigraphServer {
    child: Child,
    base: String,
}

impl OxigraphServer {
    fn start() -> Option<Self> {
        let binary = oxigraph_binary()?;
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(&binary)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{} does not start: {e}", binary.display()));
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "oxigraph serve did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Self { child, base: format!("http://127.0.0.1:{port}") })
    }

    fn store(&self) -> String {
        format!("{}/store", self.base)
    }

    fn update(&self) -> String {
        format!("{}/update", self.base)
    }

    /// Runs a SELECT on the server; rows without the header.
    fn select(&self, query: &str) -> Vec<Vec<String>> {
        let answer = self.post("/query", "application/sparql-query", query, "text/csv");
        assert_eq!(answer.status, 200, "{query}: {}", answer.body);
        csv_rows(&answer.body).split_off(1)
    }

    fn run_update(&self, update: &str) {
        let answer = self.post("/update", "application/sparql-update", update, "*/*");
        assert!(answer.is_success(), "{update}: {}", answer.body);
    }

    fn post(&self, target: &str, content_type: &str, body: &str, accept: &str) -> http::Response {
        let url = Url::parse(&self.base).unwrap();
        let headers = [("Content-Type", content_type), ("Accept", accept)];
        http::send(&url, "POST", target, &headers, body.as_bytes().to_vec()).expect("the server answers")
    }

    /// Triples per graph on the server ("" for the default graph).
    fn graphs(&self) -> Vec<(String, u64)> {
        let rows = self.select(
            "SELECT ?g (COUNT(*) AS ?n) { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g ORDER BY ?g",
        );
        rows.into_iter().map(|row| (row[0].clone(), row[1].parse().unwrap())).collect()
    }
}

impl Drop for OxigraphServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn oxigraph_binary() -> Option<PathBuf> {
    let found = std::env::var_os("FACTGRAPH_OXIGRAPH").map(PathBuf::from).or_else(|| {
        std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join("oxigraph")).find(|p| p.is_file())
    });
    if found.is_none() {
        crate::common::skip(
            crate::common::REQUIRE_PEERS,
            "no Oxigraph server: set FACTGRAPH_OXIGRAPH or put oxigraph on PATH (.ci/run installs it)",
        );
    }
    found
}

/// Triples per graph in the project's own store, as the server would list them.
fn local_graphs(project: &TestProject) -> Vec<(String, u64)> {
    let answer = project.ok(&[
        "query",
        "--format",
        "csv",
        "--sparql",
        "SELECT ?g (COUNT(*) AS ?n) { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g ORDER BY ?g",
    ]);
    csv_rows(&answer).split_off(1).into_iter().map(|row| (row[0].clone(), row[1].parse().unwrap())).collect()
}

#[test]
fn publish_replaces_each_graph_on_the_server() {
    let Some(server) = OxigraphServer::start() else { return };
    server.run_update("INSERT DATA { <urn:stale> <urn:stale> \"left by an older release\" }");
    let project = TestProject::mini().built();
    let printed = project.ok(&["publish", "--endpoint", &server.store()]);
    let expected = local_graphs(&project);
    assert_eq!(server.graphs(), expected, "{printed}");
    assert!(expected.iter().any(|(graph, _)| graph == DESCRIPTION), "{expected:?}");
    assert!(printed.contains("default graph") && printed.contains(DESCRIPTION), "{printed}");
    let stale = server.select("SELECT * { <urn:stale> ?p ?o }");
    assert!(stale.is_empty(), "the old default graph was replaced, not added to: {stale:?}");

    // The same triples, not just as many: every IRI-only triple is there.
    let remote = server.select("SELECT ?s ?p ?o { ?s ?p ?o FILTER(isIRI(?o)) } ORDER BY ?s ?p ?o");
    let local = csv_rows(&project.ok(&[
        "query",
        "--format",
        "csv",
        "--sparql",
        "SELECT ?s ?p ?o { ?s ?p ?o FILTER(isIRI(?o)) } ORDER BY ?s ?p ?o",
    ]))
    .split_off(1);
    assert_eq!(remote, local);
}

#[test]
fn graph_puts_the_data_in_a_named_graph_and_no_metadata_leaves_the_description_out() {
    let Some(server) = OxigraphServer::start() else { return };
    let project = TestProject::mini().built();
    let graph = "https://example.org/published/mini";
    project.ok(&["publish", "--endpoint", &server.store(), "--graph", graph, "--no-metadata", "--quiet"]);
    let default_triples = local_graphs(&project).into_iter().find(|(g, _)| g.is_empty()).unwrap().1;
    assert_eq!(server.graphs(), vec![(graph.to_owned(), default_triples)]);

    let stderr = project.fails(&["publish", "--endpoint", &server.store(), "--graph", "not an IRI"], 2);
    assert!(stderr.contains("--graph not an IRI"), "{stderr}");
}

#[test]
fn a_failed_staged_publish_leaves_the_published_graph_as_it_was() {
    let Some(server) = OxigraphServer::start() else { return };
    let project = TestProject::mini().built();
    project.ok(&["publish", "--endpoint", &server.store(), "--update-endpoint", &server.update(), "--quiet"]);
    let first = server.graphs();
    assert_eq!(first, local_graphs(&project));

    // A smaller graph, then an upload whose final step fails.
    let services = std::fs::read_to_string(project.path().join("data/services.csv")).unwrap();
    let fewer: Vec<&str> = services.lines().take(2).collect();
    project.write("data/services.csv", &(fewer.join("\n") + "\n"));
    project.ok(&["build", "--quiet"]);
    let wrong_update = format!("{}/no-such-endpoint", server.base);
    let stderr = project.fails(&["publish", "--endpoint", &server.store(), "--update-endpoint", &wrong_update], 2);
    assert!(stderr.contains("404") && stderr.contains("/no-such-endpoint"), "{stderr}");
    assert_eq!(server.graphs(), first, "the published graphs are untouched and no staging graph is left");

    project.ok(&["publish", "--endpoint", &server.store(), "--update-endpoint", &server.update(), "--quiet"]);
    assert_eq!(server.graphs(), local_graphs(&project));
    assert_ne!(server.graphs(), first);
}

#[test]
fn refusals_and_unreachable_servers_are_reported_with_what_was_answered() {
    let Some(server) = OxigraphServer::start() else { return };
    let project = TestProject::mini().built();
    let stderr = project.fails(&["publish", "--endpoint", &format!("{}/nothing-here", server.base)], 2);
    assert!(
        stderr.contains("the server answered 404") && stderr.contains("PUT /nothing-here is not supported"),
        "{stderr}"
    );

    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let stderr = project.fails(&["publish", "--endpoint", &format!("http://127.0.0.1:{closed}/store")], 2);
    assert!(stderr.contains(&format!("cannot connect to 127.0.0.1:{closed}")), "{stderr}");
    assert_eq!(stderr.matches("cannot connect").count(), 1, "one line, said once: {stderr}");

    let stderr = project.fails(&["publish", "--endpoint", "https://example.org/store"], 2);
    assert!(stderr.contains("https is not supported"), "{stderr}");
}

/// A request the recording endpoint took.
struct Recorded {
    /// `METHOD TARGET HTTP/1.1`.
    request_line: String,
    body: String,
    chunked: bool,
}

/// A Graph Store endpoint that takes every request with 204 and hands on
/// what it took; on a free loopback port.
fn recording_endpoint() -> (String, std::sync::mpsc::Receiver<Recorded>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let (sender, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let (mut chunked, mut length) = (false, 0);
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line.trim().is_empty() {
                    break;
                }
                let line = line.to_ascii_lowercase();
                chunked |= line.starts_with("transfer-encoding: chunked");
                if let Some(value) = line.strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let mut more = chunked;
            while more {
                let mut size = String::new();
                reader.read_line(&mut size).unwrap();
                let size = usize::from_str_radix(size.trim(), 16).unwrap();
                let mut chunk = vec![0; size + 2];
                reader.read_exact(&mut chunk).unwrap();
                body.extend_from_slice(&chunk[..size]);
                more = size > 0;
            }
            // Handed on before the answer, so before the client can end.
            let body = String::from_utf8(body).unwrap();
            let _ = sender.send(Recorded { request_line: request_line.trim().to_owned(), body, chunked });
            (&stream).write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
        }
    });
    (format!("http://{address}/store"), received)
}

/// The graph a Graph Store request names ("" for the default graph).
fn requested_graph(request_line: &str) -> String {
    match request_line.split_once("?graph=") {
        Some((_, rest)) => percent_decoded(rest.split(' ').next().unwrap()),
        None => String::new(),
    }
}

#[test]
fn publish_sends_a_version_without_opening_its_oxigraph_store() {
    let project = TestProject::mini().built();
    let expected = local_graphs(&project);
    for version in std::fs::read_dir(project.path().join("store/versions")).unwrap() {
        std::fs::remove_dir_all(version.unwrap().path().join("oxigraph")).unwrap();
    }
    let (endpoint, received) = recording_endpoint();
    project.ok(&["publish", "--endpoint", &endpoint, "--quiet"]);
    let sent: Vec<(String, u64)> = received
        .try_iter()
        .map(|recorded| (requested_graph(&recorded.request_line), recorded.body.lines().count() as u64))
        .collect();
    assert_eq!(sent, expected);
}

#[test]
fn graphs_go_in_batches_a_put_then_posts_each_with_its_length() {
    let project = TestProject::mini().built();
    let expected = local_graphs(&project);
    let (endpoint, received) = recording_endpoint();
    project.ok(&["publish", "--endpoint", &endpoint, "--batch-size", "4", "--quiet"]);
    let requests: Vec<Recorded> = received.try_iter().collect();
    assert!(requests.len() > expected.len(), "more requests than graphs: {}", requests.len());
    let mut sent: Vec<(String, u64)> = Vec::new();
    for recorded in &requests {
        // Virtuoso 7 reads a chunked body as an empty one.
        assert!(!recorded.chunked, "{}: sent in chunks", recorded.request_line);
        let lines = recorded.body.lines().count() as u64;
        // Quads linked through blank nodes go in one request, however many.
        let one_component = recorded.body.lines().all(|line| line.contains("_:"));
        assert!(lines <= 4 || one_component, "{}: {lines} triples in a batch of 4", recorded.request_line);
        let graph = requested_graph(&recorded.request_line);
        let first = sent.last().is_none_or(|(last, _)| *last != graph);
        let method = if first { "PUT " } else { "POST " };
        assert!(recorded.request_line.starts_with(method), "{} after {sent:?}", recorded.request_line);
        match sent.last_mut() {
            Some((last, triples)) if *last == graph => *triples += lines,
            _ => sent.push((graph, lines)),
        }
    }
    assert_eq!(sent, expected);
}

fn percent_decoded(text: &str) -> String {
    let mut bytes = Vec::new();
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' && tail.len() >= 2 {
            bytes.push(u8::from_str_radix(std::str::from_utf8(&tail[..2]).unwrap(), 16).unwrap());
            rest = &tail[2..];
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    String::from_utf8(bytes).unwrap()
}

/// A mapping of blank nodes: each company's address, named from its row.
const ADDRESSES_MAPPING: &str = r#"@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
@prefix schema: <http://schema.org/> .
@prefix ex: <http://example.org/> .

ex:CompanyAddresses a rr:TriplesMap ;
  rml:logicalSource [ rml:source "../data/companies.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://example.org/org/{id}" ] ;
  rr:predicateObjectMap [ rr:predicate schema:address ;
    rr:objectMap [ rr:template "address-{id}" ; rr:termType rr:BlankNode ] ] .

ex:Addresses a rr:TriplesMap ;
  rml:logicalSource [ rml:source "../data/companies.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "address-{id}" ; rr:termType rr:BlankNode ; rr:class schema:PostalAddress ] ;
  rr:predicateObjectMap [ rr:predicate schema:addressCountry ; rr:objectMap [ rml:reference "country" ] ] .
"#;

/// The whole dataset, canonicalized: blank nodes are named by the server.
fn canonical(nquads: &str) -> oxigraph::model::Dataset {
    use oxigraph::io::{RdfFormat, RdfParser};
    let mut dataset: oxigraph::model::Dataset =
        RdfParser::from_format(RdfFormat::NQuads).for_slice(nquads.as_bytes()).map(Result::unwrap).collect();
    dataset.canonicalize(oxigraph::model::dataset::CanonicalizationAlgorithm::Unstable);
    dataset
}

impl OxigraphServer {
    /// Every quad the server holds, as N-Quads.
    fn dump(&self) -> String {
        let url = Url::parse(&self.store()).unwrap();
        let answer = http::get(&url, &url.target, &[("Accept", "application/n-quads")]).expect("the server answers");
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.body
    }

    /// Asserts that the server holds exactly the project's current graph.
    fn assert_holds(&self, project: &TestProject, context: &str) {
        let local = canonical(&project.ok(&["export", "--format", "nquads"]));
        let remote = canonical(&self.dump());
        let only = |a: &oxigraph::model::Dataset, b: &oxigraph::model::Dataset| {
            a.iter().filter(|q| !b.contains(*q)).map(|q| q.to_string()).collect::<Vec<_>>()
        };
        assert!(
            local == remote,
            "{context}\nonly local: {:#?}\nonly remote: {:#?}",
            only(&local, &remote),
            only(&remote, &local)
        );
    }

    /// Asserts that the server's named graph `graph` holds what the store's
    /// default graph holds, and its other graphs what the store's hold.
    fn assert_holds_in(&self, project: &TestProject, graph: &str) {
        let exported = project.ok(&["export", "--format", "nquads"]);
        let moved = exported.lines().map(|line| match line.strip_suffix(" .") {
            Some(triple) if !line.contains(DESCRIPTION) => format!("{triple} <{graph}> ."),
            _ => line.to_owned(),
        });
        let local = canonical(&moved.collect::<Vec<_>>().join("\n"));
        assert!(local == canonical(&self.dump()), "the server's {graph} is not the store's default graph");
    }
}

/// The mini project with blank-node addresses, built.
fn project_with_blank_nodes() -> TestProject {
    let project = TestProject::mini();
    project.write("mappings/addresses.ttl", ADDRESSES_MAPPING);
    project.built()
}

fn incremental(server: &OxigraphServer) -> [String; 5] {
    ["publish".into(), "--incremental".into(), "--endpoint".into(), server.store(), "--update-endpoint".into()]
}

fn publish_incremental(project: &TestProject, server: &OxigraphServer, extra: &[&str]) -> String {
    let mut args: Vec<String> = incremental(server).into();
    args.push(server.update());
    args.extend(extra.iter().map(|a| a.to_string()));
    project.ok(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Rows of a CSV file of the project, edited by `edit`, written back.
fn edit_rows(project: &TestProject, file: &str, edit: impl FnOnce(&mut Vec<String>)) {
    let text = std::fs::read_to_string(project.path().join(file)).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    edit(&mut lines);
    project.write(file, &(lines.join("\n") + "\n"));
}

#[test]
fn an_incremental_publish_sends_only_the_change_and_leaves_the_server_equal_to_the_store() {
    let Some(server) = OxigraphServer::start() else { return };
    let project = project_with_blank_nodes();
    project.ok(&["publish", "--endpoint", &server.store(), "--update-endpoint", &server.update(), "--quiet"]);
    server.assert_holds(&project, "after the full publish");

    // Rows removed, a row added, and a row whose blank node changes.
    edit_rows(&project, "data/services.csv", |rows| {
        rows.remove(1);
    });
    edit_rows(&project, "data/companies.csv", |rows| {
        rows[2] = rows[2].replace(",CN,", ",US,");
        rows.insert(1, "contoso,Contoso,,US,2001-02-03,microsoft".into());
    });
    project.ok(&["build", "--quiet"]);
    let printed = publish_incremental(&project, &server, &[]);
    assert!(printed.contains("incremental: from version") && printed.contains("(one update)"), "{printed}");
    assert!(printed.contains(DESCRIPTION) && printed.contains("(replaced)"), "{printed}");
    server.assert_holds(&project, &printed);

    // Two builds later (the log spans both), a blank node removed with its row.
    edit_rows(&project, "data/companies.csv", |rows| {
        rows.remove(1);
    });
    project.ok(&["build", "--quiet"]);
    edit_rows(&project, "data/services.csv", |rows| rows.push("teams,Teams,microsoft".into()));
    project.ok(&["build", "--quiet"]);
    let printed = publish_incremental(&project, &server, &[]);
    server.assert_holds(&project, &printed);
    let printed = publish_incremental(&project, &server, &[]);
    assert!(printed.contains("already: nothing to send"), "{printed}");
}

#[test]
fn a_change_larger_than_one_update_goes_through_staging_graphs_into_a_named_graph() {
    let Some(server) = OxigraphServer::start() else { return };
    let project = project_with_blank_nodes();
    let graph = "https://example.org/published/mini";
    // Batches of 2: the blank-node addresses (components of more) go whole.
    let full = ["publish", "--endpoint", &server.store(), "--update-endpoint", &server.update(), "--graph", graph];
    project.ok(&[&full[..], &["--batch-size", "2"]].concat());
    server.assert_holds_in(&project, graph);
    edit_rows(&project, "data/companies.csv", |rows| {
        for row in rows.iter_mut().skip(1) {
            *row = row.replace(",CN,", ",US,");
        }
    });
    project.ok(&["build", "--quiet"]);
    let printed = publish_incremental(&project, &server, &["--graph", graph, "--batch-size", "3"]);
    assert!(printed.contains("through staging graphs"), "{printed}");
    let graphs: Vec<String> = server.graphs().into_iter().map(|(g, _)| g).collect();
    assert_eq!(graphs, vec![DESCRIPTION.to_owned(), graph.to_owned()], "no staging graph is left");
    server.assert_holds_in(&project, graph);
}

#[test]
fn an_incremental_publish_falls_back_to_a_full_one_or_refuses_and_says_why() {
    let Some(server) = OxigraphServer::start() else { return };
    let project = project_with_blank_nodes();
    let store = server.store();
    let update = server.update();

    let stderr =
        project.fails(&["publish", "--incremental-only", "--endpoint", &store, "--update-endpoint", &update], 2);
    assert!(stderr.contains("cannot publish incrementally: the server holds no description"), "{stderr}");
    assert!(server.graphs().is_empty(), "nothing was sent");

    let printed = publish_incremental(&project, &server, &[]);
    assert!(printed.contains("full publish: the server holds no description"), "{printed}");
    server.assert_holds(&project, &printed);

    let stderr = project.fails(&["publish", "--incremental", "--endpoint", &store], 2);
    assert!(stderr.contains("needs the server's SPARQL Update endpoint (--update-endpoint)"), "{stderr}");
    let stderr = project
        .fails(&["publish", "--incremental", "--endpoint", &store, "--update-endpoint", &update, "--no-metadata"], 2);
    assert!(stderr.contains("--no-metadata leaves out"), "{stderr}");

    // The log of the version the server holds is gone: no way to know the change.
    edit_rows(&project, "data/services.csv", |rows| {
        rows.pop();
    });
    project.ok(&["build", "--quiet"]);
    let logs = project.path().join("store/changes");
    let mut kept: Vec<_> = std::fs::read_dir(&logs).unwrap().map(|e| e.unwrap().file_name()).collect();
    kept.sort_by_key(|n| (n.len(), n.clone()));
    std::fs::remove_dir_all(logs.join(&kept[0])).unwrap();
    let stderr =
        project.fails(&["publish", "--incremental-only", "--endpoint", &store, "--update-endpoint", &update], 2);
    assert!(stderr.contains("no change from it"), "{stderr}");
    let printed = publish_incremental(&project, &server, &[]);
    assert!(
        printed.contains("full publish: the server holds version") && printed.contains("no change from it"),
        "{printed}"
    );
    server.assert_holds(&project, &printed);
}
