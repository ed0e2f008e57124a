//! `factgraph check`: validate sources, mappings and the mapped graph.

use super::Outcome;
use clap::ValueEnum;
use factgraph_core::problem::Problem;
use factgraph_core::Error;
use std::io::Write;
use std::path::Path;

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

pub fn run(args: Args, config: Option<&Path>) -> Result<Outcome, Error> {
    crate::return_freed_memory_sooner();
    let project = super::load_project(config, None)?;
    let bar = super::progress_bar(false);
    let checked = factgraph_core::build::check(&project, &|stage| super::show_stage(&bar, stage));
    bar.finish_and_clear();
    let (problems, total) = match checked {
        Ok(report) => (report.problems, report.total_problems),
        Err(Error::Problems { problems, total }) => (problems, total),
        Err(other) => return Err(other),
    };
    write(&problems, total, args.format).map_err(Error::stdout)?;
    Ok(Outcome::found_if(total > 0))
}

/// The problems on standard output (they are the command's answer).
fn write(problems: &[Problem], total: u64, format: Format) -> std::io::Result<()> {
    let mut out = super::stdout();
    match format {
        Format::Json => {
            let json = serde_json::json!({ "problems": problems, "total": total });
            writeln!(out, "{json}")?;
        }
        Format::Human => {
            for problem in problems {
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
    out.flush()
}
