//! The integration tests, one binary: each test binary links the library
//! and RocksDB, and linking was most of an incremental test run, so the
//! modules that were 17 binaries are compiled and linked once
//! (`cargo test --release --test it FILTER`; a module's name filters it,
//! e.g. `cli_serve::`).
//!
//! A test that needs a program from outside (a conformance suite, an
//! Oxigraph server, Chromium) and does not find it passes, and says so
//! on a line of its own: `SKIPPED module::test: reason` ([`crate::common::skip`]).
//! With `FACTGRAPH_REQUIRE_CONFORMANCE` or `FACTGRAPH_REQUIRE_PEERS` set, as
//! in CI, it fails instead.

mod common;

mod cli_build;
mod cli_changes;
mod cli_check;
mod cli_diff;
mod cli_export;
mod cli_generate;
mod cli_init;
mod cli_map;
mod cli_mapping;
mod cli_publish;
mod cli_queries;
mod cli_query;
mod cli_serve;
mod cli_why;
mod dataset;
mod incremental;
mod roundtrip;
mod safe_rebuild;
mod setup;
mod sparql11;
