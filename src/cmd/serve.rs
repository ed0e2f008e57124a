//! `factgraph serve`: a read-only SPARQL endpoint and query page.

use super::Outcome;
use factgraph_core::query::ReadFrom;
use factgraph_core::Error;
use factgraph_serve::{self as serve, ServeOptions};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Serve the current graph over HTTP, read-only: the SPARQL 1.1 Protocol at
/// /query (GET ?query=…, POST a form with query= or an
/// application/sparql-query body; the answer's format follows Accept:
/// SPARQL JSON, XML, CSV, TSV, or Turtle and N-Triples for CONSTRUCT and
/// DESCRIBE), the query page (YASGUI) at /, the named questions as JSON at
/// /queries, a page for every resource at its IRI's path under base_iri's
/// (and at /resource?iri=…), in HTML, Turtle, N-Triples or JSON-LD as Accept
/// asks, and the dataset's description at /dataset with downloads at
/// /download/dataset.{ttl,nt,nq}. Updates are refused, SERVICE reaches no
/// other host, and pages load nothing from elsewhere. A new build is picked
/// up by the next request.
///
/// The first line on standard output is the address listened on.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address and port to listen on. The default accepts connections from
    /// this machine only; port 0 picks a free port.
    #[arg(long, value_name = "ADDRESS:PORT", default_value = "127.0.0.1:7878")]
    bind: SocketAddr,
    /// Store folder (default: store/ in the project).
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Longest time a query may run; a slower query is stopped and answered
    /// with 503. 0 means no limit.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    timeout: f64,
    /// Read the version's Oxigraph store instead of its read index (slower;
    /// to compare the two).
    #[arg(long)]
    from_store: bool,
    /// Keep CSV/TSV cells that start with = + - @ as they are (no leading ')
    /// instead of guarding them against spreadsheet formula injection.
    #[arg(long)]
    allow_formulas: bool,
    /// Most queries evaluated at once (default: one per core); the others
    /// wait their turn, within the time limit.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    max_queries: Option<u16>,
}

pub fn run(args: Args, config: Option<&Path>) -> Result<Outcome, Error> {
    let project = super::load_project(config, args.store)?;
    if !(args.timeout >= 0.0 && args.timeout.is_finite()) {
        return Err(Error::Usage("--timeout takes a number of seconds, 0 for no limit".into()));
    }
    let options = ServeOptions {
        project,
        read_from: if args.from_store { ReadFrom::Store } else { ReadFrom::Index },
        timeout: (args.timeout > 0.0).then(|| Duration::from_secs_f64(args.timeout)),
        allow_formulas: args.allow_formulas,
        concurrent_queries: match args.max_queries {
            Some(n) => n.into(),
            None => std::thread::available_parallelism().map_or(1, usize::from),
        },
    };
    let endpoint = serve::start(args.bind, options)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on http://{}/", endpoint.address)
        .and_then(|()| stdout.flush())
        .map_err(Error::stdout)?;
    drop(stdout);
    if !endpoint.address.ip().is_loopback() {
        eprintln!("factgraph: note: {} accepts connections from other machines", endpoint.address);
    }
    let address = endpoint.address;
    endpoint.join().map_err(Error::io(address.to_string()))?;
    Ok(Outcome::Done)
}
