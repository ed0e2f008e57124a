//! The `factgraph` command. Each subcommand lives in `cmd/`, owns its
//! arguments and calls the library; this file only dispatches and turns
//! errors into one line on standard error and an exit code.

mod cmd;

use clap::Parser;
use std::process::ExitCode;

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
