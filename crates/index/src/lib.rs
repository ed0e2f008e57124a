//! factgraph's read index: one version of the graph laid out for SPARQL.
//!
//! Oxigraph's store keeps its quads in RocksDB, and answering a query there
//! costs a RocksDB seek for every index range and a hash lookup for every
//! long string read back: a live query on a 100 000-offering graph spent
//! most of its time there, and the same evaluator ran five times faster on
//! the same data in memory. A built version never changes, so it can be
//! read from a layout that needs neither:
//!
//! - every distinct term once, numbered in the byte order of its N-Triples
//!   form, in one file of terms and one of offsets ([`terms`]);
//! - the default graph's triples as rows of three numbers, sorted three ways
//!   (SPO, POS, OSP), and the named graphs' quads as rows of four, sorted six
//!   ways ([`table`]), so that every pattern is one binary search and a scan;
//! - how each predicate's triples spread over subjects and objects
//!   ([`statistics`]), for the query planner.
//!
//! The files are memory-mapped: opening an index reads a small manifest and
//! nothing else, and the pages a query touches are read by the kernel, once,
//! and shared by every process reading the version. [`Index`] implements
//! spareval's `QueryableDataset`, so Oxigraph's own SPARQL evaluator runs on
//! it unchanged (`SparqlEvaluator::on_queryable_dataset`).
//!
//! The layout is our own rather than HDT: HDT holds one graph of triples,
//! and a factgraph version has named graphs (its build description).
//!
//! ```
//! use factgraph_index::{Index, IndexWriter};
//! use oxrdf::{GraphNameRef, Literal, NamedNodeRef, QuadRef};
//!
//! let folder = tempfile::tempdir()?;
//! let s = NamedNodeRef::new("http://example.org/s")?;
//! let label = Literal::new_language_tagged_literal("Office 365", "en")?;
//! let mut writer = IndexWriter::new();
//! writer.add_quad(QuadRef::new(s, oxrdf::vocab::rdfs::LABEL, &label, GraphNameRef::DefaultGraph));
//! writer.write(folder.path())?;
//!
//! let index = Index::open(folder.path())?;
//! assert_eq!(index.len(), 1);
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

mod dataset;
mod file;
mod overlay;
mod statistics;
pub mod stored;
mod table;
pub mod terms;
mod write;

pub use dataset::IndexTerm;
pub use overlay::{write_overlay, OVERLAY_SHARE};
pub use statistics::PredicateStatistics;
pub use write::{IndexSummary, IndexWriter};

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use table::Table;
use terms::Dictionary;

/// Written last: an index folder without it is incomplete and not opened.
const MANIFEST: &str = "index.json";
/// Bumped whenever the files change meaning; an index of another format is
/// refused (the build writes a new one).
const FORMAT: u32 = 2;

/// Why an index could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {problem}; rebuild the graph (`factgraph build`) to write the index again")]
    Corrupt { path: PathBuf, problem: String },
}

impl IndexError {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| Self::Io { path: path.to_owned(), source }
    }

    fn corrupt(path: &Path, problem: impl Into<String>) -> Self {
        Self::Corrupt { path: path.to_owned(), problem: problem.into() }
    }
}

/// What the manifest says of the files beside it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    little_endian: bool,
    terms: u64,
    triples: u64,
    named_graph_quads: u64,
}

/// A version's index, open for reading. Cloning it is cheap (the maps are
/// shared), and a query holds a clone for as long as its results live.
#[derive(Clone)]
pub struct Index {
    inner: Arc<Inner>,
}

struct Inner {
    folder: PathBuf,
    /// The dictionary, with the terms of the overlay if there is one.
    terms: overlay::Terms,
    /// The default graph: rows (s, p, o).
    triples: overlay::Layered<3>,
    /// Named graphs: rows (s, p, o, g).
    quads: overlay::Layered<4>,
    /// Read on first use ([`statistics`]).
    statistics: std::sync::OnceLock<std::collections::HashMap<u32, PredicateStatistics>>,
}

impl Index {
    /// Opens the index written in `folder`: reads its manifest and maps its
    /// files, without reading them.
    pub fn open(folder: &Path) -> Result<Self, IndexError> {
        let manifest_path = folder.join(MANIFEST);
        let text = std::fs::read(&manifest_path).map_err(IndexError::io(&manifest_path))?;
        let manifest: Manifest = serde_json::from_slice(&text)
            .map_err(|e| IndexError::corrupt(&manifest_path, format!("unreadable manifest ({e})")))?;
        if manifest.format != FORMAT {
            let problem = format!("index format {} where this factgraph reads {FORMAT}", manifest.format);
            return Err(IndexError::corrupt(&manifest_path, problem));
        }
        if manifest.little_endian != cfg!(target_endian = "little") {
            return Err(IndexError::corrupt(&manifest_path, "written on a machine of the other byte order"));
        }
        let terms = Dictionary::open(folder, manifest.terms)?;
        let triples = Table::open(folder, table::DEFAULT_GRAPH_ORDERS, manifest.triples, manifest.terms)?;
        let quads = Table::open(folder, table::NAMED_GRAPH_ORDERS, manifest.named_graph_quads, manifest.terms)?;
        let (terms, triples, quads) = overlay::open(folder, terms, triples, quads)?;
        let statistics = std::sync::OnceLock::new();
        Ok(Self { inner: Arc::new(Inner { folder: folder.to_owned(), terms, triples, quads, statistics }) })
    }

    /// True when `folder` holds a complete index (its manifest is written last).
    pub fn exists(folder: &Path) -> bool {
        folder.join(MANIFEST).is_file()
    }

    /// The folder the index was opened from.
    pub fn folder(&self) -> &Path {
        &self.inner.folder
    }

    /// Number of quads, in every graph.
    pub fn len(&self) -> usize {
        self.inner.triples.len() + self.inner.quads.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the index has the quad of a sort key (`graph NUL subject NUL
    /// predicate NUL object`, each term in N-Triples form, the default
    /// graph empty), as the sorted runs of a version hold them.
    pub fn contains_key(&self, key: &[u8]) -> bool {
        let parts: Vec<&[u8]> = key.split(|&b| b == 0).collect();
        let [graph, subject, predicate, object] = parts[..] else { return false };
        let number = |form: &[u8]| self.inner.terms.find(form);
        let (Some(s), Some(p), Some(o)) = (number(subject), number(predicate), number(object)) else { return false };
        if graph.is_empty() {
            return self.inner.triples.count([Some(s), Some(p), Some(o)]) > 0;
        }
        let Some(g) = number(graph) else { return false };
        let mut scan = self.inner.quads.scan([Some(s), Some(p), Some(o), Some(g)]);
        self.inner.quads.next(&mut scan).is_some()
    }

    /// Number of distinct terms.
    pub fn term_count(&self) -> usize {
        self.inner.terms.len()
    }
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index").field("folder", &self.inner.folder).field("quads", &self.len()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{GraphNameRef, Literal, NamedNodeRef, QuadRef};

    #[test]
    fn patterns_are_counted_without_a_scan() {
        let folder = tempfile::tempdir().unwrap();
        let (a, b) = (NamedNodeRef::new_unchecked("http://e.org/a"), NamedNodeRef::new_unchecked("http://e.org/b"));
        let label = oxrdf::vocab::rdfs::LABEL;
        let mut writer = IndexWriter::new();
        for (subject, value) in [(a, "A"), (a, "Ä"), (b, "B")] {
            let literal = Literal::new_simple_literal(value);
            writer.add_quad(QuadRef::new(subject, label, &literal, GraphNameRef::DefaultGraph));
        }
        writer.add_quad(QuadRef::new(a, label, b, NamedNodeRef::new_unchecked("http://e.org/g")));
        writer.write(folder.path()).unwrap();
        let index = Index::open(folder.path()).unwrap();
        assert_eq!(index.count_default_graph(None, Some(label.into()), None), 3, "named graphs are not counted");
        assert_eq!(index.count_default_graph(Some(a.into()), Some(label.into()), None), 2);
        assert_eq!(index.count_default_graph(None, None, Some(Literal::new_simple_literal("B").as_ref().into())), 1);
        assert_eq!(index.count_default_graph(Some(b.into()), None, Some(a.into())), 0);
        let absent = NamedNodeRef::new_unchecked("http://e.org/absent");
        assert_eq!(index.count_default_graph(Some(absent.into()), None, None), 0);
        assert_eq!(index.count_default_graph(None, None, None), 3);
    }

    #[test]
    fn each_predicate_counts_its_triples_subjects_and_objects() {
        let folder = tempfile::tempdir().unwrap();
        let node = |name: &str| NamedNodeRef::new_unchecked(name).into_owned();
        let (service, provider, label) =
            (node("http://e.org/service"), node("http://e.org/provider"), node("http://e.org/label"));
        let mut writer = IndexWriter::new();
        for (offering, on) in [("o1", "s1"), ("o2", "s1"), ("o3", "s1"), ("o4", "s2")] {
            let (offering, on) = (node(&format!("http://e.org/{offering}")), node(&format!("http://e.org/{on}")));
            writer.add_quad(QuadRef::new(&offering, &service, &on, GraphNameRef::DefaultGraph));
            writer.add_quad(QuadRef::new(&on, &provider, &offering, GraphNameRef::DefaultGraph));
        }
        for value in ["one", "un"] {
            writer.add_quad(QuadRef::new(
                &service,
                &label,
                &Literal::new_simple_literal(value),
                GraphNameRef::DefaultGraph,
            ));
        }
        writer.add_quad(QuadRef::new(&service, &label, &label, NamedNodeRef::new_unchecked("http://e.org/g")));
        writer.write(folder.path()).unwrap();
        let index = Index::open(folder.path()).unwrap();
        let statistics = |predicate: &oxrdf::NamedNode| index.predicate_statistics(predicate.as_ref()).unwrap();
        assert_eq!(statistics(&service), PredicateStatistics { triples: 4, subjects: 4, objects: 2 });
        assert_eq!(statistics(&provider), PredicateStatistics { triples: 4, subjects: 2, objects: 4 });
        assert_eq!(
            statistics(&label),
            PredicateStatistics { triples: 2, subjects: 1, objects: 2 },
            "named graphs are not counted"
        );
        assert_eq!(index.predicate_statistics(node("http://e.org/absent").as_ref()), None);
        std::fs::remove_file(folder.path().join(statistics::FILE)).unwrap();
        let before_statistics = Index::open(folder.path()).unwrap();
        assert_eq!(before_statistics.predicate_statistics(service.as_ref()), None, "an index without them has none");
    }
}
