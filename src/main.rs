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

fn main() -> ExitCode {
    let cli = cmd::Cli::parse();
    match cmd::run(cli) {
        Ok(code) => code,
        Err(error) => {
            cmd::print_error(&error);
            cmd::exit_code_for(&error)
        }
    }
}
