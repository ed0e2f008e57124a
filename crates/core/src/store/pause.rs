//! A hook for the tests of safe rebuilding: a build stops at a named point
//! and waits there, so that a test can kill it, or start a second build, at
//! exactly that point instead of guessing the moment with sleeps.
//!
//! With `FACTGRAPH_PAUSE_AT=<point>` in its environment, a build that
//! reaches `<point>` writes `factgraph: paused at <point>` on standard error,
//! then reads standard input to its end and goes on. The test waits for the
//! line, does what it checks, and kills the build or closes its input.
//! Without the variable a point costs one look at the environment.

use std::io::Write;

/// The environment variable that names the point to stop at.
pub const PAUSE_AT: &str = "FACTGRAPH_PAUSE_AT";

/// Waits here if this is the point `FACTGRAPH_PAUSE_AT` names.
pub fn pause_at(point: &str) {
    if std::env::var_os(PAUSE_AT).is_none_or(|at| at != point) {
        return;
    }
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "factgraph: paused at {point}").and_then(|()| stderr.flush());
    drop(stderr);
    let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
}
