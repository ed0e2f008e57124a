//! `factgraph changes`: what builds changed, from the store's change log.

use super::Outcome;
use clap::ValueEnum;
use factgraph_core::changes::{formats, ChangeLog, LogEntry, Patch};
use factgraph_core::project::Project;
use factgraph_core::store::StoreDir;
use factgraph_core::{metadata, Error};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Print what builds changed, from the change log every build keeps in
/// store/changes/: by default what the current version changed against the
/// one it replaced.
///
/// A version is named by its name (`--list` shows them), `current`, or
/// `~N`: N builds before the current one (`~1` is the version the current
/// one replaced). `changes ~3` is the net change of the last three builds.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The version the change starts from (excluded). Default: the version
    /// before TO, so that the change is TO's own.
    #[arg(value_name = "FROM")]
    from: Option<String>,
    /// The version the change ends at (included). Default: current.
    #[arg(value_name = "TO")]
    to: Option<String>,
    /// summary: each version (date, incremental or full and why, triples
    /// added and removed, the files whose records changed), then the net
    /// change of the data per class and per property.
    /// nt-patch: each removed triple as a `- ` line, then each added one as
    /// a `+ ` line, in N-Triples (N-Quads in a named graph), followed by
    /// `# FILE:LINE` when the source record that caused it is known.
    /// rdf-patch: the net change as one RDF Patch transaction
    /// (https://afs.github.io/rdf-patch/), for a store to apply.
    #[arg(long, short, value_enum, default_value = "summary")]
    format: ChangesFormat,
    /// List the versions whose change log is kept, oldest first, one a line:
    /// name, date, how it was built, triples added and removed.
    #[arg(long, conflicts_with_all = ["from", "to"])]
    list: bool,
    /// Store folder (default: store/ in the project).
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Write to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ChangesFormat {
    Summary,
    NtPatch,
    RdfPatch,
}

pub fn run(args: Args, config: Option<&Path>) -> Result<Outcome, Error> {
    let project = super::load_project(config, args.store.clone())?;
    let store = StoreDir::new(&project.store);
    let current = store.require_current_version()?;
    let log = ChangeLog::of(&store);
    let (mut out, name) = super::output_file(args.output.as_deref())?;
    let result = if args.list {
        write_list(&log.entries()?, current.name(), &mut out).map_err(Error::io(&name))
    } else {
        let to = log.resolve(args.to.as_deref().unwrap_or("current"), current.name())?;
        let from = args.from.as_deref().map(|from| log.resolve(from, current.name())).transpose()?;
        let (entries, net) = log.span(from.as_deref(), &to)?;
        write_change(&project, args.format, &entries, &net, &mut out).map_err(Error::io(&name))
    };
    out.finish(result).map(|()| Outcome::Done)
}

/// A line per kept log: name, date, how it was built, triples added and
/// removed, and which is current.
fn write_list(entries: &[LogEntry], current: &str, out: &mut dyn Write) -> std::io::Result<()> {
    for entry in entries {
        let mark = if entry.version == current { "  (current)" } else { "" };
        let how = formats::how_built(entry);
        writeln!(out, "{}  {}  +{} -{}  {how}{mark}", entry.version, entry.built_at, entry.added, entry.removed)?;
    }
    Ok(())
}

fn write_change(
    project: &Project,
    format: ChangesFormat,
    entries: &[LogEntry],
    net: &Patch,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        ChangesFormat::Summary => {
            let show = |term: &oxigraph::model::Term| factgraph_core::diff::show_term(term, &project.prefixes);
            formats::write_summary(entries, net, &metadata::graph_iri(project), &show, out)
        }
        ChangesFormat::NtPatch => formats::write_line_patch(net, out),
        ChangesFormat::RdfPatch => {
            let (Some(first), Some(last)) = (entries.first(), entries.last()) else { return Ok(()) };
            let id = metadata::version_iri(project, &last.version);
            let previous = first.previous.as_deref().map(|name| metadata::version_iri(project, name));
            formats::write_rdf_patch(net, &id, previous.as_ref(), out)
        }
    }
}
