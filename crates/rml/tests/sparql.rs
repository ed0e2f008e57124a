//! SPARQL endpoints as sources, end to end: a small HTTP server run here
//! answers fixed SPARQL JSON, XML and CSV results (mapped, and joined with a
//! CSV file); the mapping's errors; and the `-SPARQL` variants of the RML
//! test cases against a real Oxigraph server.
//!
//! The conformance cases are read from `../shared/conformance/rml-test-cases-sql`
//! (or `FACTGRAPH_CONFORMANCE_SQL_DIR`). Each starts one `oxigraph serve` per
//! endpoint the mapping names (`http://localhost:PORT/ds1/sparql`), from
//! `FACTGRAPH_OXIGRAPH` (as `.ci/run` sets it) or `oxigraph` on the PATH, on a
//! free loopback port with a store of its own loaded with the case's
//! `resource.ttl` (`resource1.ttl`, `resource2.ttl` for two), and stops it.
//! Without the suite or the server the test says so and passes, unless
//! `FACTGRAPH_REQUIRE_CONFORMANCE` or `FACTGRAPH_REQUIRE_PEERS` is set.

mod common;

use factgraph_rml::mapping::{self, Plan};
use factgraph_rml::Error;
use oxrdf::dataset::CanonicalizationAlgorithm;
use oxrdf::Dataset;
use oxrdfio::{RdfFormat, RdfParser};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn quads(mapping_file: &Path) -> Result<Vec<String>, Error> {
    common::mapped_quads(mapping_file)
}

const JSON_RESULTS: &str = r#"{"head":{"vars":["id","name","employer"]},"results":{"bindings":[
 {"id":{"type":"literal","value":"1"},"name":{"type":"literal","value":"Ada","xml:lang":"en"},"employer":{"type":"literal","value":"Acme"}},
 {"id":{"type":"literal","value":"2"},"name":{"type":"literal","value":"Bo"}}]}}"#;

const XML_RESULTS: &str = r#"<?xml version="1.0"?>
<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="id"/><variable name="name"/></head>
<results>
<result><binding name="id"><literal>1</literal></binding><binding name="name"><literal xml:lang="en">Ada</literal></binding></result>
<result><binding name="id"><literal>2</literal></binding><binding name="name"><literal>Bo</literal></binding></result>
</results></sparql>"#;

const CSV_RESULTS: &str = "id,name,employer\r\n1,Ada,Acme\r\n2,Bo,\r\n";

/// A SPARQL endpoint answering every query with the fixed results of the
/// format it is asked for (`Accept`); the request lines it got are kept.
struct FixedEndpoint {
    address: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl FixedEndpoint {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}/sparql", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let head = read_head(&stream);
                let accept =
                    head.lines().find_map(|l| l.to_ascii_lowercase().strip_prefix("accept:").map(str::to_owned));
                let (media_type, body) = match accept.as_deref().map(str::trim) {
                    Some("application/sparql-results+json") => ("application/sparql-results+json", JSON_RESULTS),
                    Some("application/sparql-results+xml") => ("application/sparql-results+xml", XML_RESULTS),
                    _ => ("text/csv; charset=utf-8", CSV_RESULTS),
                };
                kept.lock().unwrap().push(head.lines().next().unwrap_or_default().to_owned());
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {media_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = (&stream).write_all(answer.as_bytes());
            }
        });
        Self { address, requests }
    }
}

fn read_head(stream: &TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    while reader.read_line(&mut head).unwrap_or(0) > 2 {}
    head
}

const PREFIXES: &str = r#"@prefix rml: <http://w3id.org/rml/> .
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix formats: <http://www.w3.org/ns/formats/> .
@prefix ex: <http://example.com/> .
"#;

fn write_mapping(dir: &Path, endpoint: &str, maps: &str) -> PathBuf {
    let service = format!("<#People> a sd:Service ; sd:endpoint <{endpoint}> .\n");
    let path = dir.join("mapping.ttl");
    std::fs::write(&path, format!("{PREFIXES}{service}{maps}")).unwrap();
    path
}

const QUERY: &str = "PREFIX ex: <http://example.com/> SELECT ?id ?name ?employer { ?p ex:id ?id ; ex:name ?name OPTIONAL { ?p ex:employer ?employer } }";

#[test]
fn json_xml_and_csv_results_are_mapped_and_joined_with_a_csv_file() {
    let endpoint = FixedEndpoint::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("companies.csv"), "id,name\nc1,Acme\n").unwrap();
    let mapping = write_mapping(
        dir.path(),
        &endpoint.address,
        &format!(
            r#"ex:Json rml:logicalSource [ rml:source <#People> ; rml:referenceFormulation rml:JSONPath ;
      rml:iterator "$.results.bindings[*]" ; rml:query "{QUERY}" ] ;
  rml:subjectMap [ rml:template "http://example.com/person/{{id.value}}" ] ;
  rml:predicateObjectMap [ rml:predicate ex:name ; rml:objectMap [ rml:reference "name.value" ;
      rml:languageMap [ rml:reference "name['xml:lang']" ] ] ] .
ex:Xml rml:logicalSource [ rml:source <#People> ; rml:referenceFormulation rml:XPath ;
      rml:iterator "/*:sparql/*:results/*:result" ; rml:query "{QUERY}" ] ;
  rml:subjectMap [ rml:template "http://example.com/person/{{*:binding[@name='id']/*:literal}}" ] ;
  rml:predicateObjectMap [ rml:predicate ex:label ; rml:objectMap [ rml:reference "*:binding[@name='name']/*:literal" ] ] .
ex:Csv rml:logicalSource [ rml:source <#People> ; rml:referenceFormulation formats:SPARQL_Results_CSV ;
      rml:iterator "{QUERY}" ] ;
  rml:subjectMap [ rml:template "http://example.com/person/{{id}}" ] ;
  rml:predicateObjectMap [ rml:predicate ex:worksFor ; rml:objectMap [ rml:parentTriplesMap ex:Companies ;
      rml:joinCondition [ rml:child "employer" ; rml:parent "name" ] ] ] .
ex:Companies rml:logicalSource [ rml:source "companies.csv" ; rml:referenceFormulation rml:CSV ] ;
  rml:subjectMap [ rml:template "http://example.com/company/{{id}}" ] .
"#
        ),
    );
    assert_eq!(
        quads(&mapping).unwrap(),
        [
            r#"<http://example.com/person/1> <http://example.com/label> "Ada""#,
            r#"<http://example.com/person/1> <http://example.com/name> "Ada"@en"#,
            "<http://example.com/person/1> <http://example.com/worksFor> <http://example.com/company/c1>",
            r#"<http://example.com/person/2> <http://example.com/label> "Bo""#,
            r#"<http://example.com/person/2> <http://example.com/name> "Bo""#,
        ]
    );
    // One request per source, CSV's included: its header is known from the query.
    let requests = endpoint.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert!(requests.iter().all(|r| r.starts_with("GET /sparql?query=PREFIX%20ex%3A")), "{requests:?}");
}

#[test]
fn an_endpoint_that_is_down_stops_the_run_naming_it() {
    let address = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let endpoint = format!("http://{address}/sparql");
    let dir = tempfile::tempdir().unwrap();
    let mapping = write_mapping(
        dir.path(),
        &endpoint,
        &format!(
            r#"ex:Json rml:logicalSource [ rml:source <#People> ; rml:referenceFormulation rml:JSONPath ;
      rml:iterator "$.results.bindings[*]" ; rml:query "{QUERY}" ] ;
  rml:subjectMap [ rml:template "http://example.com/person/{{id.value}}" ] ."#
        ),
    );
    let error = quads(&mapping).unwrap_err().to_string();
    assert!(error.starts_with(&format!("{endpoint}: cannot connect to the endpoint")), "{error}");
    assert!(error.contains("check sd:endpoint and that the SPARQL server is running"), "{error}");
}

#[test]
fn a_query_that_is_no_select_and_a_format_the_service_does_not_give_are_mapping_errors() {
    let dir = tempfile::tempdir().unwrap();
    let construct = write_mapping(
        dir.path(),
        "http://localhost:7878/query",
        r#"ex:M rml:logicalSource [ rml:source <#People> ; rml:query "CONSTRUCT WHERE { ?s ?p ?o }" ] ;
  rml:subjectMap [ rml:template "http://example.com/{s}" ] ."#,
    );
    let error = quads(&construct).unwrap_err().to_string();
    assert!(error.contains("must be a SELECT query") && error.contains("\"CONSTRUCT\""), "{error}");

    let mismatch = dir.path().join("mismatch.ttl");
    std::fs::write(
        &mismatch,
        format!(
            r#"{PREFIXES}<#S> a sd:Service ; sd:endpoint <http://localhost:7878/query> ; sd:resultFormat formats:SPARQL_Results_XML .
ex:M rml:logicalSource [ rml:source <#S> ; rml:referenceFormulation rml:JSONPath ; rml:iterator "$.results.bindings[*]" ;
    rml:query "SELECT ?s {{ ?s ?p ?o }}" ] ;
  rml:subjectMap [ rml:template "http://example.com/{{s.value}}" ] ."#
        ),
    )
    .unwrap();
    let error = quads(&mismatch).unwrap_err().to_string();
    assert!(error.contains("sd:resultFormat says <http://www.w3.org/ns/formats/SPARQL_Results_XML>"), "{error}");
    assert!(error.contains("reads formats:SPARQL_Results_JSON"), "{error}");

    let https = dir.path().join("https.ttl");
    std::fs::write(
        &https,
        format!(
            r#"{PREFIXES}<#S> a sd:Service ; sd:endpoint <https://query.wikidata.org/sparql> .
ex:M rml:logicalSource [ rml:source <#S> ; rml:iterator "SELECT ?s {{ ?s ?p ?o }}" ] ;
  rml:subjectMap [ rml:template "http://example.com/{{s}}" ] ."#
        ),
    )
    .unwrap();
    let error = quads(&https).unwrap_err().to_string();
    assert!(error.contains("only http:// endpoints are reached"), "{error}");
}

/// Cases where the specification and the shipped `output.nq` disagree; we
/// follow the specification. The reason is printed with the result.
const SPEC_OVERRIDES: &[(&str, &str)] = &[(
    "RMLTC0004b-SPARQL",
    "rr:termType rr:Literal on a subject map is invalid in R2RML (section 7.4) and RML-Core (a subject is an IRI \
     or a blank node), as for RMLTC0004b-CSV; the shipped output.nq shows a lenient engine's output instead",
)];

/// `oxigraph serve` on a free loopback port, over a store of its own holding
/// one file; stopped when dropped.
struct OxigraphServer {
    child: Child,
    port: u16,
    _store: tempfile::TempDir,
}

impl OxigraphServer {
    fn start(binary: &Path, data: &Path) -> Self {
        let store = tempfile::tempdir().unwrap();
        let location = store.path().to_str().unwrap();
        let loaded = Command::new(binary)
            .args(["load", "--location", location, "--file"])
            .arg(data)
            .stdout(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{} does not start: {e}", binary.display()));
        assert!(
            loaded.status.success(),
            "oxigraph load {}: {}",
            data.display(),
            String::from_utf8_lossy(&loaded.stderr)
        );
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(binary)
            .args(["serve", "--location", location, "--bind", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "oxigraph serve did not listen on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { child, port, _store: store }
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
        common::skip_without_peer(
            "no Oxigraph server: set FACTGRAPH_OXIGRAPH or put oxigraph on PATH (.ci/run installs it)",
        );
    }
    found
}

fn cases_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("FACTGRAPH_CONFORMANCE_SQL_DIR").map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/rml-test-cases-sql")
    });
    dir.is_dir().then_some(dir)
}

/// The placeholder endpoints a case's mapping names (`ds1`, `ds2`), in order.
fn placeholder_datasets(mapping: &str) -> Vec<String> {
    let mut datasets: Vec<String> = mapping
        .split("http://localhost:PORT/")
        .skip(1)
        .filter_map(|rest| rest.split_once("/sparql").map(|(dataset, _)| dataset.to_owned()))
        .collect();
    datasets.sort();
    datasets.dedup();
    datasets
}

/// Runs one case with its endpoints served by Oxigraph; `Err` carries the
/// engine's message or the first problem in the data.
fn run_case(case: &Path, oxigraph: &Path) -> Result<Dataset, String> {
    let mut mapping = std::fs::read_to_string(case.join("mapping.ttl")).unwrap();
    let datasets = placeholder_datasets(&mapping);
    let mut servers = Vec::new();
    for (index, dataset) in datasets.iter().enumerate() {
        let data = match case.join("resource.ttl") {
            single if single.is_file() && datasets.len() == 1 => single,
            _ => case.join(format!("resource{}.ttl", index + 1)),
        };
        let server = OxigraphServer::start(oxigraph, &data);
        mapping = mapping.replace(
            &format!("http://localhost:PORT/{dataset}/sparql"),
            &format!("http://127.0.0.1:{}/query", server.port),
        );
        servers.push(server);
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mapping.ttl"), mapping).unwrap();
    let mapping = mapping::read_mapping_files(&[dir.path().join("mapping.ttl")]).map_err(|e| e.to_string())?;
    let plan = Plan::compile(&mapping).map_err(|e| e.to_string())?;
    let mut dataset = Dataset::new();
    let report = mapping::run(&plan, &mut |batch| {
        dataset.extend(batch.quads.iter());
        Ok::<_, Error>(())
    })
    .map_err(|e| e.to_string())?;
    match report.issues.first() {
        Some(problem) => Err(problem.to_string()),
        None => Ok(dataset),
    }
}

/// The expected graph; `None` when an error is expected.
fn expected(case: &Path) -> Option<Dataset> {
    let mut text = String::new();
    std::fs::File::open(case.join("output.nq")).ok()?.read_to_string(&mut text).ok()?;
    if text.is_empty() {
        return None;
    }
    let quads = RdfParser::from_format(RdfFormat::NQuads).for_slice(text.as_bytes());
    Some(quads.collect::<Result<Dataset, _>>().expect("output.nq parses"))
}

/// `None` when the case passes, else why it failed.
fn check(case: &Path, oxigraph: &Path) -> Option<String> {
    let name = case.file_name()?.to_string_lossy().into_owned();
    let override_reason = SPEC_OVERRIDES.iter().find(|(n, _)| *n == name).map(|(_, why)| *why);
    let expected = if override_reason.is_some() { None } else { expected(case) };
    match (run_case(case, oxigraph), expected) {
        (Err(_), None) => None,
        (Err(error), Some(_)) => Some(format!("failed with an error: {error}")),
        (Ok(output), None) => Some(format!(
            "produced {} quads where an error is expected{}",
            output.len(),
            override_reason.map(|r| format!(" ({r})")).unwrap_or_default()
        )),
        (Ok(mut output), Some(mut expected)) => {
            output.canonicalize(CanonicalizationAlgorithm::Unstable);
            expected.canonicalize(CanonicalizationAlgorithm::Unstable);
            (output != expected).then(|| format!("output differs:\n--- expected\n{expected}--- got\n{output}"))
        }
    }
}

#[test]
fn rml_test_cases_sparql_against_oxigraph() {
    let Some(dir) = cases_dir() else {
        common::skip("the RML test cases over SPARQL are not at ../shared/conformance/rml-test-cases-sql");
        return;
    };
    let Some(oxigraph) = oxigraph_binary() else { return };
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("readable conformance folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().ends_with("-SPARQL")))
        .collect();
    cases.sort();
    let mut failed = 0;
    for case in &cases {
        if let Some(why) = check(case, &oxigraph) {
            failed += 1;
            println!("FAIL {}: {why}", case.file_name().unwrap().to_string_lossy());
        }
    }
    for (name, why) in SPEC_OVERRIDES {
        println!("note {name}: following the specification: {why}");
    }
    println!("conformance (SPARQL): {} passed, {failed} failed", cases.len() - failed);
    assert!(!cases.is_empty(), "no -SPARQL cases in {}", dir.display());
    assert_eq!(failed, 0, "{failed} RML SPARQL test case(s) failed");
}
