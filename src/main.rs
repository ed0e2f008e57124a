//! The `factgraph` command. Each subcommand lives in `cmd/`, owns its
//! arguments and calls the library; this file only dispatches and turns
//! errors into one line on standard error and an exit code.

mod cmd;

use clap::Parser;
use std::process::ExitCode;

/// Mapping makes and drops tens of millions of small strings on both cores;
/// glibc's allocator spent a third of `map`'s time on them (perf), mimalloc
/// far less. The library leaves the choice to the program, as it should.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (v3 `mimalloc.h`: between
/// `eager_commit_delay`, 14, and `use_numa_nodes`, 16, which the sys crate
/// names; it does not name this one).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Memory freed goes back to the system after 100 ms rather than mimalloc's
/// default of a second, for the commands that hold large tables while they
/// stream quads (`build`, `check`): batches of quads are freed on other
/// threads than made them, and the default let a million-offering build hold
/// 1.1 GB where it needs 0.9 GB. Purging at once (0) cost a build 15% more
/// time in system calls; 100 ms costs nothing measurable (BENCHMARKS.md).
/// `map` keeps the default: it holds little, and pages given back are
/// pages faulted in again.
pub(crate) fn return_freed_memory_sooner() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return; // the user's own setting wins
    }
    // SAFETY: sets a plain integer option, which mimalloc reads as it purges.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 100) };
}

fn main() -> ExitCode {
    cmd::exit(cmd::run(cmd::Cli::parse()))
}
