//! Incremental builds: a new version made from the current one and what
//! changed in the sources, instead of from everything.
//!
//! 1. [`snapshot`]: every version remembers its inputs (a hash of the
//!    mappings, ontology, shapes and configuration; each CSV source as
//!    chunks of records, stored once by content in `store/inputs/`).
//! 2. [`delta`]: the next build finds the records added and removed in each
//!    changed file (by content: a file whose size and time did not change
//!    is not read), and the records of other files that join a changed
//!    parent record; it maps the old ones against the old sources and the
//!    new ones against the new, and counts the quads each side gives.
//! 3. [`apply`]: a quad goes when no record gives it any more (the version
//!    keeps how many times the mapping gave each quad it gave more than
//!    once), and comes when its first record does. The new version starts
//!    as a checkpoint of the current store (hard links) and takes the
//!    difference; the runs of the buckets that did not change are linked,
//!    the others written again; the read index and the row origins take
//!    an overlay of the changes.
//!
//! Anything this cannot follow record by record makes a full build, and
//! the build says why: a first build, changed mappings, ontology, shapes or
//! configuration, a source that is not a plain CSV file, a triples map
//! whose blank nodes are numbered by line, named graphs, logical targets.

pub mod apply;
pub mod checks;
pub mod delta;
pub mod records;
pub mod snapshot;
