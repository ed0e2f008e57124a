//! What changed between two versions of a graph: the quads removed and added,
//! and how many instances of each class and triples of each property that is.
//!
//! Either side is a built store folder or an RDF file, so a published export
//! can be compared with the graph as it is now. Blank nodes have no identity
//! beyond the graph, so two graphs that differ only in blank node labels must
//! count as the same: each side's quads that contain blank nodes are
//! canonicalized (Oxigraph's `CanonicalizationAlgorithm::Unstable`, stable
//! within one Oxigraph version) before the sides are compared. Quads without
//! blank nodes are compared as they are and never relabelled, so a change to
//! them cannot make unrelated blank nodes look changed.

use crate::export::Quads;
use crate::store::{StoreDir, Version};
use oxigraph::io::{RdfFormat, RdfParseError, RdfParser, RdfSerializer};
use oxigraph::model::dataset::CanonicalizationAlgorithm;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{Dataset, GraphName, NamedNode, Quad, Term};
use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why a side of a comparison could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error(transparent)]
    Factgraph(#[from] crate::Error),
    #[error("{}: not a store folder, and its extension is not one of .ttl .nt .nq .trig", path.display())]
    UnknownFormat { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Parse { path: PathBuf, source: RdfParseError },
    /// The difference cannot be written in the single-graph format asked.
    #[error(
        "the difference has quads in named graphs (such as {graph}), which {format} cannot hold; use --format summary"
    )]
    NamedGraphs { graph: GraphName, format: &'static str },
}

/// The quads only one side has, each list sorted like an export.
#[derive(Debug, Clone, Default)]
pub struct Diff {
    pub removed: Vec<Quad>,
    pub added: Vec<Quad>,
    /// Quads on each side.
    pub old_len: usize,
    pub new_len: usize,
}

/// How many quads about one class or property one side has and the other lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub term: Term,
    pub removed: usize,
    pub added: usize,
}

/// Reads one side: a store folder (its current version, as
/// [`Quads::of_version`] reads it) or an RDF file recognised by its
/// extension, without the named graphs in `leave_out` (such as the build
/// description, which changes every build).
pub fn read(path: &Path, leave_out: &[NamedNode]) -> Result<Dataset, DiffError> {
    let kept = |quad: &Quad| match &quad.graph_name {
        GraphName::NamedNode(graph) => !leave_out.contains(graph),
        _ => true,
    };
    if path.is_dir() {
        let version = StoreDir::new(path).require_current_version()?;
        return Ok(read_version(&version, leave_out)?);
    }
    let format = path
        .extension()
        .and_then(|e| e.to_str())
        .and_then(|e| match e.to_ascii_lowercase().as_str() {
            "ttl" => Some(RdfFormat::Turtle),
            "nt" => Some(RdfFormat::NTriples),
            "nq" => Some(RdfFormat::NQuads),
            "trig" => Some(RdfFormat::TriG),
            _ => None,
        })
        .ok_or_else(|| DiffError::UnknownFormat { path: path.to_owned() })?;
    let file = std::fs::File::open(path).map_err(crate::Error::io(path))?;
    let mut dataset = Dataset::new();
    for quad in RdfParser::from_format(format).for_reader(io::BufReader::new(file)) {
        let quad = quad.map_err(|source| DiffError::Parse { path: path.to_owned(), source })?;
        if kept(&quad) {
            dataset.insert(&quad);
        }
    }
    Ok(dataset)
}

/// Reads a whole version but the named graphs in `leave_out`: its kept
/// runs, else its read index ([`Quads::of_version`]).
pub fn read_version(version: &Version, leave_out: &[NamedNode]) -> Result<Dataset, crate::Error> {
    let quads = Quads::of_version(version, false)?;
    let mut dataset = Dataset::new();
    quads.for_each(None, |quad| {
        if !matches!(&quad.graph_name, GraphName::NamedNode(graph) if leave_out.contains(graph)) {
            dataset.insert(&quad);
        }
        Ok::<_, crate::Error>(())
    })?;
    Ok(dataset)
}

/// Compares two datasets up to blank node labels.
pub fn compare(old: &Dataset, new: &Dataset) -> Diff {
    let old_quads = canonical_quads(old);
    let new_quads = canonical_quads(new);
    let mut removed: Vec<Quad> = old_quads.difference(&new_quads).cloned().collect();
    let mut added: Vec<Quad> = new_quads.difference(&old_quads).cloned().collect();
    sort(&mut removed);
    sort(&mut added);
    Diff { removed, added, old_len: old.len(), new_len: new.len() }
}

/// The quads of a dataset, those with blank nodes relabelled canonically.
/// Only the part with blank nodes is canonicalized: its labels then depend
/// on the triples around each blank node, not on the rest of the graph.
fn canonical_quads(dataset: &Dataset) -> HashSet<Quad> {
    let mut quads = HashSet::with_capacity(dataset.len());
    let mut with_blank_nodes = Dataset::new();
    for quad in dataset {
        if quad.subject.is_blank_node() || quad.object.is_blank_node() || quad.graph_name.is_blank_node() {
            with_blank_nodes.insert(quad);
        } else {
            quads.insert(quad.into_owned());
        }
    }
    with_blank_nodes.canonicalize(CanonicalizationAlgorithm::Unstable);
    quads.extend(with_blank_nodes.iter().map(|q| q.into_owned()));
    quads
}

/// Sorted by graph, subject, predicate and object, as `export` sorts.
fn sort(quads: &mut [Quad]) {
    let graph = |g: &GraphName| if g.is_default_graph() { String::new() } else { g.to_string() };
    quads.sort_by_cached_key(|q| format!("{}\0{}\0{}\0{}", graph(&q.graph_name), q.subject, q.predicate, q.object));
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.removed.is_empty() && self.added.is_empty()
    }

    /// Per class (object of `rdf:type`), the typing triples removed and added:
    /// instances that left or joined the class.
    pub fn classes(&self) -> Vec<Change> {
        self.count(|quad| (quad.predicate == rdf::TYPE).then(|| quad.object.clone()))
    }

    /// Per property, the triples removed and added.
    pub fn properties(&self) -> Vec<Change> {
        self.count(|quad| Some(quad.predicate.clone().into()))
    }

    fn count(&self, key: impl Fn(&Quad) -> Option<Term>) -> Vec<Change> {
        let mut counts: BTreeMap<String, Change> = BTreeMap::new();
        let mut tally = |quads: &[Quad], removed: bool| {
            for term in quads.iter().filter_map(&key) {
                let change = counts.entry(term.to_string()).or_insert(Change { term, removed: 0, added: 0 });
                if removed {
                    change.removed += 1;
                } else {
                    change.added += 1;
                }
            }
        };
        tally(&self.removed, true);
        tally(&self.added, false);
        counts.into_values().collect()
    }

    /// A report for people: [`Self::write_counts`], then every removed quad
    /// as a `- ` line and every added one as a `+ ` line, in N-Triples
    /// (N-Quads for quads in a named graph).
    pub fn write_summary(&self, show: &dyn Fn(&Term) -> String, out: &mut dyn Write) -> io::Result<()> {
        self.write_counts(show, out)?;
        if self.is_empty() {
            return Ok(());
        }
        writeln!(out)?;
        for quad in &self.removed {
            writeln!(out, "- {quad} .")?;
        }
        for quad in &self.added {
            writeln!(out, "+ {quad} .")?;
        }
        Ok(())
    }

    /// How many triples were removed and added, then per class and per
    /// property. `show` writes a class or property for people (e.g. with prefixes).
    pub fn write_counts(&self, show: &dyn Fn(&Term) -> String, out: &mut dyn Write) -> io::Result<()> {
        if self.is_empty() {
            return writeln!(out, "no differences ({} triples on each side)", self.old_len);
        }
        writeln!(
            out,
            "{} triple(s) removed, {} added ({} before, {} after)",
            self.removed.len(),
            self.added.len(),
            self.old_len,
            self.new_len
        )?;
        self.write_per_class_and_property(show, out)
    }

    /// Instances per class and triples per property removed and added, a
    /// table each (nothing for a table with no row).
    pub fn write_per_class_and_property(&self, show: &dyn Fn(&Term) -> String, out: &mut dyn Write) -> io::Result<()> {
        for (heading, changes) in [("instances per class", self.classes()), ("triples per property", self.properties())]
        {
            if changes.is_empty() {
                continue;
            }
            writeln!(out, "\n{heading} (removed, added):")?;
            let rows: Vec<(String, String, String)> =
                changes.iter().map(|c| (format!("-{}", c.removed), format!("+{}", c.added), show(&c.term))).collect();
            let width =
                |f: fn(&(String, String, String)) -> &String| rows.iter().map(|r| f(r).len()).max().unwrap_or(0);
            let (removed_width, added_width) = (width(|r| &r.0), width(|r| &r.1));
            for (removed, added, term) in rows {
                writeln!(out, "  {removed:>removed_width$} {added:>added_width$}  {term}")?;
            }
        }
        Ok(())
    }
}

/// Refuses quads in named graphs when `format` holds one graph (N-Triples,
/// Turtle), before [`write_rdf`] writes anything.
pub fn check_one_graph(quads: &[Quad], format: RdfFormat) -> Result<(), DiffError> {
    match quads.iter().find(|q| !q.graph_name.is_default_graph()) {
        Some(quad) if !format.supports_datasets() => {
            Err(DiffError::NamedGraphs { graph: quad.graph_name.clone(), format: format.name() })
        }
        _ => Ok(()),
    }
}

/// Writes quads as an RDF document (N-Triples or Turtle, with `prefixes`),
/// so that the added or removed triples can be loaded elsewhere. Those
/// formats hold one graph: quads in named graphs are refused
/// ([`check_one_graph`] says so first).
pub fn write_rdf(
    quads: &[Quad],
    format: RdfFormat,
    prefixes: &[(String, String)],
    out: &mut dyn Write,
) -> io::Result<()> {
    check_one_graph(quads, format).map_err(io::Error::other)?;
    let mut serializer = RdfSerializer::from_format(format);
    for (prefix, iri) in prefixes {
        serializer = serializer.with_prefix(prefix, iri).map_err(io::Error::other)?;
    }
    let mut writer = serializer.for_writer(out);
    for quad in quads {
        writer.serialize_quad(quad)?;
    }
    writer.finish().map(drop)
}

/// A class or property as a person reads it: shortened with a prefix if one fits.
pub fn show_term(term: &Term, prefixes: &[(String, String)]) -> String {
    crate::query::results::for_people(term, prefixes)
}
