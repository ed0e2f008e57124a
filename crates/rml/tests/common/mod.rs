//! What the engine tests share: saying that a suite or a server is missing, and
//! the sorted quads a mapping file gives.

#![allow(dead_code)] // each test file uses its own part

use std::io::Write;

/// The running test cannot run here for `reason` (a suite is not in the
/// shared folder): it fails if `FACTGRAPH_REQUIRE_CONFORMANCE` is set, as
/// in CI, and otherwise prints `SKIPPED test: reason` and the caller
/// returns, passing.
///
/// The line goes to the process's standard error directly: libtest
/// captures only `print!` and `eprint!` (rust-lang/rust#90785) and shows a
/// passing test's capture to no one. libtest names each test's thread
/// after the test.
pub fn skip(reason: &str) {
    skip_unless_required("FACTGRAPH_REQUIRE_CONFORMANCE", reason);
}

/// [`skip`], failing instead when the environment variable `require` is
/// set (`FACTGRAPH_REQUIRE_PEERS` for a missing server, as in CI).
pub fn skip_unless_required(require: &str, reason: &str) {
    assert!(std::env::var_os(require).is_none(), "{reason}");
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED {test}: {reason}");
}

/// As [`skip`], for an outside program (a server) that is missing: it
/// fails if `FACTGRAPH_REQUIRE_PEERS` is set, as in CI.
#[allow(dead_code)] // not every test binary starts a server
pub fn skip_without_peer(reason: &str) {
    assert!(std::env::var_os("FACTGRAPH_REQUIRE_PEERS").is_none(), "{reason} (FACTGRAPH_REQUIRE_PEERS is set)");
    skip(reason);
}

/// The quads a mapping file gives, as N-Quads lines, sorted.
pub fn mapped_quads(mapping_file: &std::path::Path) -> Result<Vec<String>, factgraph_rml::Error> {
    use factgraph_rml::mapping::{self, Plan};
    let mapping = mapping::read_mapping_files(&[mapping_file.to_owned()])?;
    let plan = Plan::compile(&mapping)?;
    let mut quads = Vec::new();
    mapping::run(&plan, &mut |batch| {
        quads.extend(batch.quads.iter().map(ToString::to_string));
        Ok::<_, factgraph_rml::Error>(())
    })?;
    quads.sort();
    Ok(quads)
}
