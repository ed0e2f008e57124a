//! factgraph's RML engine: the first half of the flow, from sources to quads.
//!
//! [`source`] reads records (CSV rows with their line numbers),
//! [`mapping`] reads RML documents into a model, compiles them against the
//! sources into a [`mapping::Plan`] and runs the plan in parallel into
//! batches of quads. [`problem`] is how every stage reports a fault in the
//! user's input: `file:line: message`, as compilers write it.
//!
//! The engine depends on RDF terms and Turtle only (oxrdf, oxttl), never on
//! a store: what the quads go to is the caller's business (factgraph's
//! pipeline sends them to Oxigraph, its checks and its writers).
//!
//! ```
//! # let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("people.csv"), "id,name\n1,Ada\n").unwrap();
//! std::fs::write(dir.path().join("map.ttl"), r#"
//!     @prefix rr: <http://www.w3.org/ns/r2rml#> .
//!     @prefix rml: <http://semweb.mmlab.be/ns/rml#> .
//!     @prefix ql: <http://semweb.mmlab.be/ns/ql#> .
//!     <http://example.com/People> rml:logicalSource [ rml:source "people.csv" ; rml:referenceFormulation ql:CSV ] ;
//!       rr:subjectMap [ rr:template "http://example.com/person/{id}" ] ;
//!       rr:predicateObjectMap [ rr:predicate <http://xmlns.com/foaf/0.1/name> ; rr:objectMap [ rml:reference "name" ] ] .
//! "#).unwrap();
//! let mapping = factgraph_rml::mapping::read_mapping_files(&[dir.path().join("map.ttl")])?;
//! let plan = factgraph_rml::mapping::Plan::compile(&mapping)?;
//! let mut quads = Vec::new();
//! factgraph_rml::mapping::run(&plan, &mut |batch| {
//!     quads.extend(batch.quads);
//!     Ok::<_, factgraph_rml::Error>(())
//! })?;
//! assert_eq!(quads.len(), 1);
//! assert_eq!(quads[0].to_string(), r#"<http://example.com/person/1> <http://xmlns.com/foaf/0.1/name> "Ada""#);
//! # Ok::<_, factgraph_rml::Error>(())
//! ```

pub mod civil;
pub mod files;
pub mod functions;
pub mod mapping;
pub mod ntriples;
pub mod problem;
pub mod source;
pub mod suggest;
pub mod target;

/// YARRRML, translated into the RML this engine reads
/// ([`mapping::read_mapping_files`] takes `.yml`, `.yaml` and `.yarrrml`
/// files with Turtle ones).
pub use factgraph_yarrrml as yarrrml;

use std::path::PathBuf;

/// What stops the engine: a mapping that cannot run, a source that cannot
/// be read, problems in the data, or a failed read or write.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Mapping(#[from] mapping::MappingError),
    #[error(transparent)]
    Source(#[from] source::SourceError),
    /// Problems found in the data; `problems` holds the first ones of `total`.
    #[error("{total} problem(s) in the data; the first: {}", problems.first().map(ToString::to_string).unwrap_or_default())]
    Problems { problems: Vec<problem::Problem>, total: u64 },
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
}
