//! factgraph turns curated CSV facts into an RDF knowledge graph through RML
//! mappings, keeps it in an embedded Oxigraph store, answers SPARQL questions
//! and exports the dataset.
//!
//! The data flows one way, and the modules follow it:
//! [`source`] (CSV rows) → [`mapping`] (RML plan → quads) → [`store`]
//! (versioned Oxigraph stores) → [`query`], [`export`] and [`publish`].
//! [`project`] holds the paths a project uses, [`build`] runs the whole flow.

pub mod build;
pub mod diff;
pub mod export;
pub mod generate;
mod leb128;
pub mod mapping;
pub mod metadata;
pub mod ntriples;
pub mod problem;
pub mod project;
pub mod publish;
pub mod scratch;
pub mod query;
pub mod serve;
pub mod source;
pub mod store;
pub mod suggest;
pub mod validate;
pub mod why;

use std::path::PathBuf;

/// Everything that can stop a factgraph operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Mapping(#[from] mapping::MappingError),
    #[error(transparent)]
    Source(#[from] source::SourceError),
    /// Problems found in the data; `problems` holds the first ones of `total`.
    #[error("{total} problem(s) in the data; the first: {}", problems.first().map(ToString::to_string).unwrap_or_default())]
    Problems { problems: Vec<problem::Problem>, total: u64 },
    #[error("{path}: {problem}")]
    Config { path: PathBuf, problem: String },
    #[error("store {path}: {problem}")]
    Store { path: PathBuf, problem: String },
    #[error("query {name}: {problem}")]
    Query { name: String, problem: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

impl Error {
    /// The error for a failed read or write of `path`, for `map_err`. The
    /// path is copied only when there is an error: writes of single records
    /// call this, millions of times in a build.
    pub fn io<P: Into<PathBuf>>(path: P) -> impl FnOnce(std::io::Error) -> Self {
        move |source| Self::Io { path: path.into(), source }
    }

    pub fn store(path: impl Into<PathBuf>, problem: impl ToString) -> Self {
        Self::Store { path: path.into(), problem: problem.to_string() }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
