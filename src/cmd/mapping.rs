//! `factgraph mapping`: mapping files, without running them.

use super::Outcome;
use factgraph_core::mapping::MappingError;
use factgraph_core::yarrrml::{self, Document};
use factgraph_core::Error;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Work on mapping files without running them.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Subcommand,
}

#[derive(Debug, clap::Subcommand)]
enum Subcommand {
    Convert(ConvertArgs),
}

/// Translate YARRRML mappings into RML (Turtle, the current RML vocabulary)
/// that any RML engine runs. Several files are translated together: a
/// mapping may name mappings, sources and targets of another. Source paths
/// stay as written, relative to the folder the RML is read from. Exits 1
/// when a file is not valid YARRRML, with its line and column.
#[derive(Debug, clap::Args)]
struct ConvertArgs {
    /// YARRRML files (.yml, .yaml, .yarrrml).
    #[arg(required = true, value_name = "MAPPING.yml")]
    mappings: Vec<PathBuf>,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(args: Args, _config: Option<&Path>) -> Result<Outcome, Error> {
    match args.command {
        Subcommand::Convert(args) => convert(args),
    }
}

fn convert(args: ConvertArgs) -> Result<Outcome, Error> {
    let mut documents = Vec::new();
    for path in &args.mappings {
        if !yarrrml::is_yarrrml_path(path) {
            return Err(Error::Usage(format!(
                "{} is not a YARRRML file (.yml, .yaml or .yarrrml); RML in Turtle needs no conversion",
                path.display()
            )));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| MappingError::new(path, None, format!("cannot read the mapping file: {e}")))?;
        documents.push(Document { path: path.clone(), text });
    }
    let translation = yarrrml::translate(&documents).map_err(MappingError::from)?;
    let turtle = yarrrml::to_turtle(&translation);
    let (mut out, name) = super::output_file(args.output.as_deref())?;
    let written = out.write_all(turtle.as_bytes()).map_err(Error::io(&name));
    out.finish(written)?;
    Ok(Outcome::Done)
}
