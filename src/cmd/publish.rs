//! `factgraph publish`: send the built graph to a triple store.

use super::Outcome;
use factgraph_core::changes::ChangeLog;
use factgraph_core::publish::{self, Followed, Incremental, PublishOptions, PublishedGraph};
use factgraph_core::Error;
use oxigraph::model::NamedNode;
use std::path::{Path, PathBuf};

/// Send the current graph to a triple store that speaks the SPARQL 1.1 Graph
/// Store HTTP Protocol (Oxigraph, Fuseki, GraphDB, Virtuoso, QLever…), each
/// graph in batches (a PUT replacing it there, then POSTs adding to it). The data and ontology go to the
/// server's default graph (or --graph), the build's description to its own
/// named graph. Credentials go in the address: http://user:password@host/…
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The server's Graph Store endpoint, e.g. http://localhost:7878/store
    /// (Oxigraph) or http://localhost:3030/dataset/data (Fuseki).
    #[arg(long, value_name = "URL")]
    endpoint: String,
    /// The server's SPARQL Update endpoint, e.g. http://localhost:7878/update.
    /// Each graph is then uploaded to a staging graph and moved into place in
    /// one update, so a failed upload leaves the published graph as it was.
    #[arg(long, value_name = "URL")]
    update_endpoint: Option<String>,
    /// Put the data in this named graph instead of the default graph.
    #[arg(long, value_name = "IRI")]
    graph: Option<String>,
    /// Leave out the build's description (its named graph).
    #[arg(long)]
    no_metadata: bool,
    /// Send only what changed since the version the server holds (the
    /// dcat:version of the description published there), as one SPARQL
    /// update to --update-endpoint. When the server holds no version this
    /// store's change log reaches, publish in full and say why.
    #[arg(long)]
    incremental: bool,
    /// As --incremental, but fail rather than publish in full.
    #[arg(long)]
    incremental_only: bool,
    /// The most quads one request carries. A graph is uploaded in batches of
    /// this size (a PUT, then POSTs); a larger change than this is applied to
    /// staging copies of the graphs in updates of this size, then moved into
    /// place in one last update.
    #[arg(long, visible_alias = "update-size", value_name = "QUADS", default_value_t = 50_000)]
    batch_size: usize,
    /// Store folder (default: store/ in the project).
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: Args, config: Option<&Path>) -> Result<Outcome, Error> {
    let project = super::load_project(config, args.store)?;
    let data_graph = args
        .graph
        .as_deref()
        .map(|iri| NamedNode::new(iri).map_err(|e| Error::Usage(format!("--graph {iri}: not an absolute IRI: {e}"))))
        .transpose()?;
    let version = factgraph_core::store::StoreDir::new(&project.store).require_current_version()?;
    let quads = factgraph_core::export::Quads::of_version(&version, false)?;
    let options = PublishOptions {
        endpoint: args.endpoint,
        update_endpoint: args.update_endpoint,
        data_graph,
        leave_out: if args.no_metadata { vec![factgraph_core::metadata::graph_iri(&project)] } else { Vec::new() },
        batch_size: args.batch_size,
    };
    let quiet = args.quiet;
    if args.incremental || args.incremental_only {
        if options.update_endpoint.is_none() {
            return Err(publish::PublishError::NoUpdateEndpoint.into());
        }
        if args.no_metadata {
            return Err(Error::Usage(
                "--incremental learns which version the server holds from the description published there, \
                 which --no-metadata leaves out; publish with the description, or in full"
                    .into(),
            ));
        }
        let description = factgraph_core::metadata::graph_iri(&project);
        let dataset = factgraph_core::metadata::dataset_iri(&project);
        let log = ChangeLog::of(&factgraph_core::store::StoreDir::new(&project.store));
        let followed = Followed { description: &description, dataset: &dataset, current: version.name(), log: &log };
        match publish::plan_incremental(&options, &followed)? {
            Incremental::UpToDate { version } => {
                say(quiet, &format!("the server holds version {version} already: nothing to send"));
                return Ok(Outcome::Done);
            }
            Incremental::Difference { from, patch } => {
                let sent = publish::publish_difference(&quads, &options, &description, patch, args.batch_size)?;
                say(quiet, &format!("incremental: from version {from} to {}", version.name()));
                let how = match sent.staged {
                    true => format!("{} updates, through staging graphs", sent.requests),
                    false => "one update".to_owned(),
                };
                say(quiet, &format!("{:>10} triples deleted, {} inserted  ({how})", sent.deleted, sent.inserted));
                if !options.leave_out.contains(&description) {
                    say(quiet, &format!("{:>10} triples  {description}  (replaced)", sent.description));
                }
                return Ok(Outcome::Done);
            }
            Incremental::Full { reason } if args.incremental_only => {
                return Err(Error::Usage(format!(
                    "cannot publish incrementally: {reason}; publish without --incremental-only to send the whole graph"
                )));
            }
            Incremental::Full { reason } => say(quiet, &format!("full publish: {reason}")),
        }
    }
    publish::publish(&quads, &options, |sent: &PublishedGraph| {
        if !quiet {
            let graph =
                if sent.remote.is_default_graph() { "default graph".to_owned() } else { sent.remote.to_string() };
            println!("{:>10} triples  {graph}  ({})", sent.triples, sent.status);
        }
    })?;
    Ok(Outcome::Done)
}

fn say(quiet: bool, line: &str) {
    if !quiet {
        println!("{line}");
    }
}
