//! `factgraph check`: validate sources, mappings and the mapped graph.

use clap::ValueEnum;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Check the CSV files, the mappings and the graph they produce (identifiers,
/// references, datatypes, SHACL shapes) without touching the store. Exits 0
/// when clean and 1 when the data has problems, listing them all.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, short, value_enum, default_value = "human")]
    format: Format,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// One line per problem: file:line: message (column, triples map).
    Human,
    /// {"problems": [{kind, file, line, column, triples_map, message}], "total": N}
    Json,
}

pub fn run(args: Args, config: Option<&Path>) -> anyhow::Result<ExitCode> {
    crate::return_freed_memory_sooner();
    let project = super::load_project(config, None)?;
    let bar = super::progress_bar(false);
    let checked = factgraph_core::build::check(&project, &|stage| super::show_stage(&bar, stage));
    bar.finish_and_clear();
    let (problems, total) = match checked {
        Ok(report) => (report.problems, report.total_problems),
        Err(factgraph_core::Error::Problems { problems, total }) => (problems, total),
        Err(other) => return Err(other.into()),
    };
    let mut out = super::stdout();
    match args.format {
        Format::Json => {
            let json = serde_json::json!({ "problems": problems, "total": total });
            writeln!(out, "{json}")?;
        }
        Format::Human => {
            for problem in &problems {
                writeln!(out, "{problem}")?;
            }
            if total > problems.len() as u64 {
                writeln!(out, "… and {} more", total - problems.len() as u64)?;
            }
            if total == 0 {
                writeln!(out, "no problems found")?;
            } else {
                writeln!(out, "{total} problem(s) found")?;
            }
        }
    }
    out.flush()?;
    Ok(if total == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
