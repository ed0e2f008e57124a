//! factgraph's library: turns curated CSV facts into versions of an RDF
//! knowledge graph through RML mappings, keeps them in an embedded Oxigraph
//! store and a read index, checks them, and answers questions, exports,
//! diffs and publications from them.
//!
//! The data flows one way, sources → mapping plan → quads → sinks (store,
//! checks, targets) → queries and exports, and the crates and modules follow
//! it. The RML engine, crate `factgraph-rml` (re-exported here as
//! [`source`], [`mapping`] and [`problem`]), turns sources into batches of
//! quads through a compiled plan; the [`pipeline`] sends them to its sinks
//! (the checks of [`validate`], the row-origin index of [`origins`], the
//! store's loader, writers); [`store`] keeps the built versions, with the
//! read index of crate `factgraph-index` beside each; [`query`] (with the
//! rewrites of crate `factgraph-query`), [`export`], [`why`], [`diff`] and
//! [`publish`] read them. [`build`] configures the pipeline for `build` and
//! `check`. The web face (`factgraph-serve`) and the command
//! (`factgraph`) are built on this crate; the generator of synthetic
//! projects (`factgraph-generate`) needs none of it. `crates/layers`
//! fails if any module imports one that imports it back.

pub use factgraph_rml::{mapping, ntriples, problem, source, suggest, yarrrml};

pub mod build;
pub mod changes;
pub mod diff;
pub mod export;
pub mod incremental;
mod leb128;
pub mod metadata;
pub mod ontology;
pub mod origins;
pub mod pipeline;
pub mod project;
pub mod publish;
pub mod query;
pub mod scratch;
pub mod store;
pub mod validate;
pub mod why;

use std::path::PathBuf;

/// Everything that can stop a factgraph operation. Faults in the user's
/// input (mappings, sources, data, configuration, ontology, shapes) are
/// [`Error::is_in_input`]: the user must fix them, and the command exits 1.
/// The rest (files that cannot be read or written, the store, a query that
/// fails, a server that refuses) exit 2, but for a write to a closed pipe
/// ([`Error::is_closed_pipe`]), which is no failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Mapping(#[from] mapping::MappingError),
    #[error(transparent)]
    Source(#[from] source::SourceError),
    /// Problems found in the data; `problems` holds the first ones of `total`.
    #[error("{total} problem(s) in the data; the first: {}", problems.first().map(ToString::to_string).unwrap_or_default())]
    Problems { problems: Vec<problem::Problem>, total: u64 },
    /// One fault in the user's input outside the data: the configuration,
    /// the ontology or the shapes.
    #[error("{0}")]
    Input(problem::Problem),
    /// A command asked for something it cannot do (an argument at fault).
    #[error("{0}")]
    Usage(String),
    #[error("store {path}: {problem}")]
    Store { path: PathBuf, problem: String },
    #[error("query {name}: {problem}")]
    Query { name: String, problem: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// A side of `diff` that cannot be read (boxed: it may hold an
    /// [`Error`] itself; [`From`] takes such an error out).
    #[error(transparent)]
    Diff(Box<diff::DiffError>),
    #[error(transparent)]
    Publish(#[from] publish::PublishError),
}

impl From<factgraph_rml::Error> for Error {
    fn from(error: factgraph_rml::Error) -> Self {
        use factgraph_rml::Error as Rml;
        match error {
            Rml::Mapping(error) => Self::Mapping(error),
            Rml::Source(error) => Self::Source(error),
            Rml::Problems { problems, total } => Self::Problems { problems, total },
            Rml::Io { path, source } => Self::Io { path, source },
        }
    }
}

impl From<diff::DiffError> for Error {
    fn from(error: diff::DiffError) -> Self {
        match error {
            diff::DiffError::Factgraph(error) => error,
            other => Self::Diff(Box::new(other)),
        }
    }
}

impl Error {
    /// The error for a failed read or write of `path`, for `map_err`. The
    /// path is copied only when there is an error: writes of single records
    /// call this, millions of times in a build.
    pub fn io<P: Into<PathBuf>>(path: P) -> impl FnOnce(std::io::Error) -> Self {
        move |source| Self::Io { path: path.into(), source }
    }

    /// The error for a failed write to standard output, for `map_err`.
    pub fn stdout(source: std::io::Error) -> Self {
        Self::Io { path: PathBuf::from("standard output"), source }
    }

    pub fn store(path: impl Into<PathBuf>, problem: impl ToString) -> Self {
        Self::Store { path: path.into(), problem: problem.to_string() }
    }

    /// A fault of `kind` in the user's file `path`.
    pub fn input(kind: problem::ProblemKind, path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::Input(problem::Problem::new(kind, path, message))
    }

    /// True when the user must fix their input: the command exits 1 (and 2
    /// for every other error).
    pub fn is_in_input(&self) -> bool {
        matches!(self, Self::Mapping(_) | Self::Source(_) | Self::Problems { .. } | Self::Input(_))
    }

    /// True for a write to a reader that went away (`factgraph export |
    /// head`): the command stops, silently, as other Unix tools do.
    pub fn is_closed_pipe(&self) -> bool {
        match self {
            Self::Io { source, .. } => source.kind() == std::io::ErrorKind::BrokenPipe,
            _ => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
