//! Deterministic export of a whole store: quads sorted by graph, subject,
//! predicate and object, prefixes in name order, so that two exports of the
//! same data are byte-identical and a published dataset diffs cleanly. (The
//! build description changes with every build; leave it out to compare
//! dataset exports.)
//!
//! An export merges sorted runs (see [`runs`]), so memory stays bounded
//! whatever the size. Usually they are the runs the build kept beside the
//! store ([`kept`]), and an export is only the merge. Otherwise the store is
//! read in parts (the default graph one property at a time, each named graph
//! whole) on every core, because reading is what costs most (Oxigraph looks
//! each long string up by its hash); each thread sorts what it read in runs
//! of [`RUN_BYTES`] written to a scratch folder, and those are merged.

pub mod kept;
mod runs;

pub use kept::KeptRuns;

use crate::scratch::Scratch;
use crate::store::Version;
use crate::Error;
use factgraph_index::{Index, IndexTerm};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{
    GraphName, GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Quad, Term,
};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use rayon::prelude::*;
use runs::RunReader;
use spareval::QueryableDataset;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Sort keys one thread holds before it writes them out as a sorted run.
const RUN_BYTES: usize = 64 << 20;

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportSummary {
    pub quads: usize,
    /// Quads in named graphs that a single-graph format cannot hold.
    pub left_out: usize,
}

/// Where the readers of a whole version (`export`, `diff`, `publish`,
/// `serve`'s downloads) read its quads.
pub enum Quads {
    /// The sorted runs its build kept with the store (see [`kept`]): an
    /// export is then only their merge.
    Kept(KeptRuns),
    /// The read index, for a version whose build kept no runs (a mapping
    /// wrote to a named graph, or there was nothing to check by subject).
    Index(Index),
    /// The Oxigraph store itself, read in parts on every core: with
    /// `--from-store`, or for a version built before the index.
    Store(Store),
}

impl Quads {
    /// The copy of `version` its readers read: the kept runs, else the read
    /// index, else the Oxigraph store; the store always when `from_store`.
    pub fn of_version(version: &Version, from_store: bool) -> Result<Self, Error> {
        if !from_store {
            if let Some(kept) = KeptRuns::open(&version.kept_runs_folder()) {
                return Ok(Self::Kept(kept));
            }
            let folder = version.index_folder();
            if Index::exists(&folder) {
                return Index::open(&folder).map(Self::Index).map_err(|e| Error::store(&folder, e));
            }
        }
        version.open_store().map(Self::Store)
    }

    /// The named graphs that hold quads, in no particular order.
    pub fn named_graphs(&self) -> Result<Vec<NamedNode>, Error> {
        Ok(match self {
            Self::Kept(kept) => kept.runs().filter_map(|(_, graph, _)| graph).collect(),
            Self::Index(index) => {
                let mut graphs = Vec::new();
                for graph in index.internal_named_graphs() {
                    let graph = graph.and_then(|g| index.externalize_term(g)).map_err(index_error(index))?;
                    if let Term::NamedNode(graph) = graph {
                        graphs.push(graph);
                    }
                }
                graphs
            }
            Self::Store(store) => store
                .named_graphs()
                .filter_map(|graph| match graph {
                    Ok(NamedOrBlankNode::NamedNode(graph)) => Some(Ok(graph)),
                    Ok(NamedOrBlankNode::BlankNode(_)) => None,
                    Err(e) => Some(Err(store_error(e))),
                })
                .collect::<Result<_, _>>()?,
        })
    }

    /// Gives every quad of `graph` (`None`: of every graph) to `each`, in no
    /// particular order, until `each` fails.
    pub fn for_each<E: From<Error>>(
        &self,
        graph: Option<GraphNameRef<'_>>,
        mut each: impl FnMut(Quad) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            Self::Kept(kept) => {
                for (path, run_graph, _) in kept.runs() {
                    let in_graph = match (graph, &run_graph) {
                        (None, _) => true,
                        (Some(GraphNameRef::NamedNode(wanted)), Some(run_graph)) => wanted == run_graph.as_ref(),
                        (Some(wanted), None) => wanted.is_default_graph(),
                        _ => false,
                    };
                    if in_graph {
                        kept::for_each_quad_of_run(&path, &mut each)?;
                    }
                }
                Ok(())
            }
            Self::Index(index) => for_each_in_index(index, None, graph, &mut each),
            Self::Store(store) => {
                for quad in store.quads_for_pattern(None, None, None, graph) {
                    each(quad.map_err(store_error)?)?;
                }
                Ok(())
            }
        }
    }
}

/// [`Quads::for_each`] on a read index, the quads of `subject` only when
/// given (as `why` reads them): the default graph, then the named graphs.
pub(crate) fn for_each_in_index<E: From<Error>>(
    index: &Index,
    subject: Option<NamedOrBlankNodeRef<'_>>,
    graph: Option<GraphNameRef<'_>>,
    each: &mut impl FnMut(Quad) -> Result<(), E>,
) -> Result<(), E> {
    let failed = index_error(index);
    let subject = subject.map(|s| index.internalize_term(s.into_owned().into())).transpose().map_err(&failed)?;
    let graphs: Vec<Option<Option<IndexTerm>>> = match graph {
        None => vec![Some(None), None],
        Some(GraphNameRef::DefaultGraph) => vec![Some(None)],
        Some(GraphNameRef::NamedNode(graph)) => {
            vec![Some(Some(index.internalize_term(graph.into_owned().into()).map_err(&failed)?))]
        }
        Some(GraphNameRef::BlankNode(graph)) => {
            vec![Some(Some(index.internalize_term(graph.into_owned().into()).map_err(&failed)?))]
        }
    };
    for graph in graphs {
        let quads = index.internal_quads_for_pattern(subject.as_ref(), None, None, graph.as_ref().map(Option::as_ref));
        for quad in quads {
            let quad = quad.map_err(&failed)?;
            let term = |t| index.externalize_term(t).map_err(&failed);
            let subject = match term(quad.subject)? {
                Term::NamedNode(n) => NamedOrBlankNode::from(n),
                Term::BlankNode(b) => NamedOrBlankNode::from(b),
                other => return Err(store_error(format!("{other} where a subject is")).into()),
            };
            let Term::NamedNode(predicate) = term(quad.predicate)? else { continue };
            let graph_name = match quad.graph_name.map(term).transpose()? {
                None => GraphName::DefaultGraph,
                Some(Term::NamedNode(g)) => g.into(),
                Some(Term::BlankNode(g)) => g.into(),
                Some(other) => return Err(store_error(format!("{other} where a graph name is")).into()),
            };
            each(Quad::new(subject, predicate, term(quad.object)?, graph_name))?;
        }
    }
    Ok(())
}

/// The lines a single-graph export (Turtle, N-Triples) starts with when the
/// project states a licence: those formats cannot hold the build's
/// description, where the licence is a triple (`dct:license` of the dataset),
/// so a download that travels alone still says under which terms it may be
/// used. TriG and N-Quads carry the description itself, and get no note.
pub fn licence_note(format: RdfFormat, dataset: &str, license: Option<&str>) -> Option<String> {
    let license = license?;
    if format.supports_datasets() {
        return None;
    }
    Some(format!(
        "# Licence: <{license}>\n# (dct:license of <{dataset}> in the build's description; TriG and N-Quads exports hold it as a triple)\n"
    ))
}

fn index_error(index: &Index) -> impl Fn(factgraph_index::IndexError) -> Error + '_ {
    |e| Error::store(index.folder(), e)
}

/// Writes the quads of a version in `format`, leaving out the named graphs
/// in `leave_out`. Turtle and N-Triples hold one graph: they get the default
/// graph (the data and the ontology), and named graphs are counted as left out.
pub fn export(
    quads: &Quads,
    format: RdfFormat,
    prefixes: &[(String, String)],
    leave_out: &[NamedNode],
    out: &mut dyn Write,
) -> Result<ExportSummary, Error> {
    match quads {
        Quads::Kept(kept) => export_kept(kept, format, prefixes, leave_out, out),
        Quads::Index(_) => export_read(quads, format, prefixes, leave_out, out, RUN_BYTES),
        Quads::Store(store) => export_in_runs(store, format, prefixes, leave_out, out, RUN_BYTES),
    }
}

/// An export of a version without kept runs from its read index: its quads
/// read in one pass into sorted runs, which are merged.
fn export_read(
    quads: &Quads,
    format: RdfFormat,
    prefixes: &[(String, String)],
    leave_out: &[NamedNode],
    out: &mut dyn Write,
    run_bytes: usize,
) -> Result<ExportSummary, Error> {
    let mut summary = ExportSummary::default();
    let scratch = Scratch::create("export")?;
    let mut buffer = RunBuffer::new(scratch.path(), run_bytes);
    quads.for_each(None, |quad| match &quad.graph_name {
        GraphName::NamedNode(graph) if leave_out.contains(graph) => Ok(()),
        GraphName::DefaultGraph => buffer.push(&quad),
        _ if !format.supports_datasets() => {
            summary.left_out += 1;
            Ok(())
        }
        _ => buffer.push(&quad),
    })?;
    buffer.write_run()?;
    summary.quads = merge_runs(&buffer.runs, format, prefixes, out)?;
    Ok(summary)
}

fn export_kept(
    kept: &KeptRuns,
    format: RdfFormat,
    prefixes: &[(String, String)],
    leave_out: &[NamedNode],
    out: &mut dyn Write,
) -> Result<ExportSummary, Error> {
    let mut summary = ExportSummary::default();
    let mut files = Vec::new();
    for (file, graph, quads) in kept.runs() {
        match graph {
            Some(graph) if leave_out.contains(&graph) => {}
            Some(_) if !format.supports_datasets() => summary.left_out += quads,
            _ => files.push(file),
        }
    }
    summary.quads = merge_runs(&files, format, prefixes, out)?;
    Ok(summary)
}

fn export_in_runs(
    store: &Store,
    format: RdfFormat,
    prefixes: &[(String, String)],
    leave_out: &[NamedNode],
    out: &mut dyn Write,
    run_bytes: usize,
) -> Result<ExportSummary, Error> {
    let mut summary = ExportSummary::default();
    let mut parts: Vec<Part> = default_graph_properties(store)?.into_iter().map(Part::DefaultGraphProperty).collect();
    for graph in store.named_graphs() {
        let NamedOrBlankNode::NamedNode(graph) = graph.map_err(store_error)? else { continue };
        if leave_out.contains(&graph) {
            continue;
        }
        if format.supports_datasets() {
            parts.push(Part::NamedGraph(graph));
        } else {
            summary.left_out += count(store, &format!("SELECT (COUNT(*) AS ?n) {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))?;
        }
    }
    let scratch = Scratch::create("export")?;
    let runs = write_sorted_runs(store, &parts, &scratch, run_bytes)?;
    summary.quads = merge_runs(&runs, format, prefixes, out)?;
    Ok(summary)
}

/// A part of the store read by one thread.
enum Part {
    DefaultGraphProperty(NamedNode),
    NamedGraph(NamedNode),
}

fn store_error(e: impl std::fmt::Display) -> Error {
    Error::store("(export)", e)
}

/// The properties used in the default graph: from the build's description
/// (written from the same data, and the store is read-only between builds),
/// else asked of the store, which scans it.
fn default_graph_properties(store: &Store) -> Result<Vec<NamedNode>, Error> {
    let described = properties(
        store,
        "SELECT DISTINCT ?p { GRAPH ?g { ?d <http://rdfs.org/ns/void#propertyPartition>/<http://rdfs.org/ns/void#property> ?p } }",
    )?;
    if !described.is_empty() {
        return Ok(described);
    }
    properties(store, "SELECT DISTINCT ?p { ?s ?p ?o }")
}

/// Runs a query whose rows bind ?p to IRIs.
fn properties(store: &Store, query: &str) -> Result<Vec<NamedNode>, Error> {
    let QueryResults::Solutions(solutions) = SparqlEvaluator::new()
        .parse_query(query)
        .map_err(store_error)?
        .on_store(store)
        .execute()
        .map_err(store_error)?
    else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for solution in solutions {
        let solution = solution.map_err(store_error)?;
        if let Some(Term::NamedNode(property)) = solution.get("p") {
            found.push(property.clone());
        }
    }
    Ok(found)
}

fn count(store: &Store, query: &str) -> Result<usize, Error> {
    let QueryResults::Solutions(mut solutions) = SparqlEvaluator::new()
        .parse_query(query)
        .map_err(store_error)?
        .on_store(store)
        .execute()
        .map_err(store_error)?
    else {
        return Ok(0);
    };
    Ok(match solutions.next() {
        Some(solution) => number(solution.map_err(store_error)?.get("n")),
        None => 0,
    })
}

fn number(term: Option<&Term>) -> usize {
    match term {
        Some(Term::Literal(literal)) => literal.value().parse().unwrap_or(0),
        _ => 0,
    }
}

/// Sort keys of one thread (see [`runs`]), written out as a sorted run
/// whenever they reach `run_bytes`.
struct RunBuffer<'a> {
    scratch: &'a Path,
    run_bytes: usize,
    keys: runs::SortKeys,
    runs: Vec<PathBuf>,
}

impl<'a> RunBuffer<'a> {
    fn new(scratch: &'a Path, run_bytes: usize) -> Self {
        Self { scratch, run_bytes, keys: runs::SortKeys::default(), runs: Vec::new() }
    }

    fn push(&mut self, quad: &Quad) -> Result<(), Error> {
        self.keys.push(quad.as_ref());
        if self.keys.bytes() >= self.run_bytes {
            self.write_run()?;
        }
        Ok(())
    }

    /// Writes the keys held, sorted, as one run file.
    fn write_run(&mut self) -> Result<(), Error> {
        if self.keys.is_empty() {
            return Ok(());
        }
        static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let number = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = self.scratch.join(format!("run-{number}"));
        self.keys.write_run(&path)?;
        self.runs.push(path);
        Ok(())
    }
}

/// Reads every part, on every core, into sorted run files.
fn write_sorted_runs(
    store: &Store,
    parts: &[Part],
    scratch: &Scratch,
    run_bytes: usize,
) -> Result<Vec<PathBuf>, Error> {
    let buffers = parts
        .par_iter()
        .try_fold(
            || RunBuffer::new(scratch.path(), run_bytes),
            |mut buffer, part| {
                let quads = match part {
                    Part::DefaultGraphProperty(p) => {
                        store.quads_for_pattern(None, Some(p.as_ref()), None, Some(GraphNameRef::DefaultGraph))
                    }
                    Part::NamedGraph(g) => store.quads_for_pattern(None, None, None, Some(g.as_ref().into())),
                };
                for quad in quads {
                    buffer.push(&quad.map_err(store_error)?)?;
                }
                Ok::<_, Error>(buffer)
            },
        )
        .map(|buffer| {
            let mut buffer = buffer?;
            buffer.write_run()?;
            Ok(buffer.runs)
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(buffers.into_iter().flatten().collect())
}

/// Merges the runs in key order into `format`; returns the quads written.
fn merge_runs(
    runs: &[PathBuf],
    format: RdfFormat,
    prefixes: &[(String, String)],
    out: &mut dyn Write,
) -> Result<usize, Error> {
    let mut readers = Vec::with_capacity(runs.len());
    let mut heap = BinaryHeap::with_capacity(runs.len());
    for (index, path) in runs.iter().enumerate() {
        let mut reader = RunReader::open(path)?;
        if let Some(key) = reader.next_key()? {
            heap.push(Reverse((key, index)));
        }
        readers.push(reader);
    }
    let mut writer = QuadWriter::new(format, prefixes, out)?;
    let mut written = 0;
    while let Some(Reverse((key, index))) = heap.pop() {
        writer.write(&key)?;
        written += 1;
        if let Some(next) = readers[index].next_key()? {
            heap.push(Reverse((next, index)));
        }
    }
    writer.finish()?;
    Ok(written)
}

/// A version's quads as one stream of sort keys in order (see [`runs`]),
/// for comparing two versions without holding either: the runs its build
/// kept, merged, or else its quads read once and sorted into runs in a
/// scratch folder, as [`export`] does.
pub(crate) struct SortedKeys {
    merged: runs::MergedKeys,
    /// The runs written for a version that kept none; removed when dropped.
    _scratch: Option<Scratch>,
}

impl SortedKeys {
    pub(crate) fn of_version(version: &Version) -> Result<Self, Error> {
        let quads = Quads::of_version(version, false)?;
        if let Quads::Kept(kept) = &quads {
            let files: Vec<PathBuf> = kept.runs().map(|(file, _, _)| file).collect();
            return Ok(Self { merged: runs::MergedKeys::open(&files)?, _scratch: None });
        }
        let scratch = Scratch::create("compare")?;
        let mut buffer = RunBuffer::new(scratch.path(), RUN_BYTES);
        quads.for_each(None, |quad| buffer.push(&quad))?;
        buffer.write_run()?;
        let merged = runs::MergedKeys::open(&buffer.runs)?;
        Ok(Self { merged, _scratch: Some(scratch) })
    }

    /// The kept runs of two versions side by side, when both kept runs of
    /// the same names (the same buckets and graphs): each pair can then be
    /// compared alone. A quad that moved to another bucket (if buckets
    /// were made differently) shows as removed from one pair and added to
    /// another, which the caller must cancel out.
    pub(crate) fn paired(old: &Version, new: &Version) -> Result<Option<Vec<(Self, Self)>>, Error> {
        let (Some(old), Some(new)) = (KeptRuns::open(&old.kept_runs_folder()), KeptRuns::open(&new.kept_runs_folder()))
        else {
            return Ok(None);
        };
        let names = |kept: &KeptRuns| -> Vec<(Option<std::ffi::OsString>, Option<NamedNode>)> {
            kept.runs().map(|(file, graph, _)| (file.file_name().map(ToOwned::to_owned), graph)).collect()
        };
        if names(&old) != names(&new) {
            return Ok(None);
        }
        let one = |file: PathBuf| -> Result<Self, Error> {
            Ok(Self { merged: runs::MergedKeys::open(&[file])?, _scratch: None })
        };
        let pairs = old.runs().zip(new.runs()).map(|((a, _, _), (b, _, _))| Ok((one(a)?, one(b)?)));
        pairs.collect::<Result<Vec<_>, Error>>().map(Some)
    }

    /// The next key, or `None` after the last.
    pub(crate) fn next_key(&mut self) -> Result<Option<&[u8]>, Error> {
        self.merged.next_key()
    }
}

/// The quad a sort key stands for; `source` names where the key was read,
/// for the error when it is not a quad.
pub(crate) fn quad_of_key(key: &[u8], source: &Path) -> Result<Quad, Error> {
    kept::quad_of_key(key, source)
}

/// Writes sort keys as quads: N-Triples and N-Quads straight from the key's
/// terms, Turtle and TriG through Oxigraph's serializer (which groups by
/// subject and uses the prefixes).
enum QuadWriter<'a> {
    Lines(&'a mut dyn Write),
    // Boxed: a serialiser is about 300 bytes, a line writer a reference.
    Serializer(Box<oxigraph::io::WriterQuadSerializer<&'a mut dyn Write>>),
}

impl<'a> QuadWriter<'a> {
    fn new(format: RdfFormat, prefixes: &[(String, String)], out: &'a mut dyn Write) -> Result<Self, Error> {
        if matches!(format, RdfFormat::NTriples | RdfFormat::NQuads) {
            return Ok(Self::Lines(out));
        }
        let mut prefixes = prefixes.to_vec();
        prefixes.sort();
        let mut serializer = RdfSerializer::from_format(format);
        for (prefix, iri) in &prefixes {
            serializer = serializer.with_prefix(prefix, iri).map_err(store_error)?;
        }
        Ok(Self::Serializer(Box::new(serializer.for_writer(out))))
    }

    fn write(&mut self, key: &str) -> Result<(), Error> {
        let mut terms = key.splitn(4, '\0');
        let (graph, subject, predicate, object) = (
            terms.next().unwrap_or_default(),
            terms.next().unwrap_or_default(),
            terms.next().unwrap_or_default(),
            terms.next().unwrap_or_default(),
        );
        match self {
            Self::Lines(out) => {
                let separator = if graph.is_empty() { "" } else { " " };
                writeln!(out, "{subject} {predicate} {object}{separator}{graph} .").map_err(Error::io("(output)"))
            }
            Self::Serializer(serializer) => {
                let corrupt = |e: &dyn std::fmt::Display| store_error(format!("a sorted run does not read back: {e}"));
                let subject = match Term::from_str(subject).map_err(|e| corrupt(&e))? {
                    Term::NamedNode(n) => NamedOrBlankNode::from(n),
                    Term::BlankNode(b) => NamedOrBlankNode::from(b),
                    other => return Err(corrupt(&other)),
                };
                let predicate = NamedNode::from_str(predicate).map_err(|e| corrupt(&e))?;
                let object = Term::from_str(object).map_err(|e| corrupt(&e))?;
                let graph = if graph.is_empty() {
                    GraphName::DefaultGraph
                } else {
                    NamedNodeRef::new(graph.trim_start_matches('<').trim_end_matches('>'))
                        .map_err(|e| corrupt(&e))?
                        .into_owned()
                        .into()
                };
                serializer.serialize_quad(&Quad::new(subject, predicate, object, graph)).map_err(Error::io("(output)"))
            }
        }
    }

    fn finish(self) -> Result<(), Error> {
        match self {
            Self::Lines(out) => out.flush().map_err(Error::io("(output)")),
            Self::Serializer(serializer) => serializer.finish().map(drop).map_err(Error::io("(output)")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{BlankNode, Literal};

    /// A store with the shapes that matter: named graphs, blank nodes, and
    /// literals with quotes, new lines and languages.
    fn store() -> Store {
        let store = Store::new().unwrap();
        let p = |i: usize| NamedNode::new_unchecked(format!("http://example.org/p{}", i % 7));
        for i in 0..600 {
            let subject = NamedNode::new_unchecked(format!("http://example.org/s{}", i % 53));
            let object: Term = match i % 4 {
                0 => NamedNode::new_unchecked(format!("http://example.org/o{i}")).into(),
                1 => BlankNode::new_unchecked(format!("b{i}")).into(),
                2 => Literal::new_simple_literal(format!("line \"{i}\"\nnext")).into(),
                _ => Literal::new_language_tagged_literal_unchecked(format!("名字{i}"), "zh").into(),
            };
            let graph = if i % 5 == 0 {
                GraphName::from(NamedNode::new_unchecked("http://example.org/g"))
            } else {
                GraphName::DefaultGraph
            };
            store.insert(&Quad::new(subject, p(i), object, graph)).unwrap();
        }
        store
    }

    fn export_with(store: &Store, format: RdfFormat, run_bytes: usize) -> (String, ExportSummary) {
        let mut out = Vec::new();
        let prefixes = [("ex".to_owned(), "http://example.org/".to_owned())];
        let summary = export_in_runs(store, format, &prefixes, &[], &mut out, run_bytes).unwrap();
        (String::from_utf8(out).unwrap(), summary)
    }

    #[test]
    fn many_small_runs_merge_into_the_same_sorted_output_as_one_run() {
        let store = store();
        let (one_run, summary) = export_with(&store, RdfFormat::NQuads, usize::MAX);
        let (many_runs, _) = export_with(&store, RdfFormat::NQuads, 500);
        assert_eq!(one_run, many_runs);
        assert_eq!(summary.quads, store.len().unwrap());
        let lines: Vec<&str> = one_run.lines().collect();
        let default_graph_lines = lines.iter().take_while(|l| !l.ends_with("<http://example.org/g> .")).count();
        assert_eq!(default_graph_lines, 480, "the default graph first");
        let parsed: Vec<Quad> = oxigraph::io::RdfParser::from_format(RdfFormat::NQuads)
            .for_reader(one_run.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        let expected: std::collections::HashSet<Quad> = store.iter().map(Result::unwrap).collect();
        assert_eq!(parsed.into_iter().collect::<std::collections::HashSet<_>>(), expected);
    }

    #[test]
    fn single_graph_formats_name_the_licence_in_a_comment_that_parses() {
        let license = Some("https://creativecommons.org/licenses/by/4.0/");
        let dataset = "http://example.org/dataset";
        for format in [RdfFormat::Turtle, RdfFormat::NTriples] {
            let note = licence_note(format, dataset, license).expect("a note");
            assert!(note.starts_with("# Licence: <https://creativecommons.org/licenses/by/4.0/>\n"), "{note}");
            assert!(note.lines().all(|line| line.starts_with("# ")), "{note}");
            let (export, _) = export_with(&store(), format, usize::MAX);
            let with_note = format!("{note}{export}");
            let parsed = oxigraph::io::RdfParser::from_format(format).for_reader(with_note.as_bytes()).count();
            assert_eq!(parsed, 480, "{format}: the note is a comment");
        }
        assert_eq!(licence_note(RdfFormat::NQuads, dataset, license), None, "the description holds it");
        assert_eq!(licence_note(RdfFormat::TriG, dataset, license), None, "the description holds it");
        assert_eq!(licence_note(RdfFormat::Turtle, dataset, None), None, "no licence, no note");
    }

    #[test]
    fn turtle_holds_the_default_graph_and_counts_the_rest_as_left_out() {
        let store = store();
        let (turtle, summary) = export_with(&store, RdfFormat::Turtle, 500);
        assert_eq!((summary.quads, summary.left_out), (480, 120));
        assert!(turtle.starts_with("@prefix ex: <http://example.org/> ."), "{turtle}");
        let parsed = oxigraph::io::RdfParser::from_format(RdfFormat::Turtle).for_reader(turtle.as_bytes()).count();
        assert_eq!(parsed, 480);
    }
}
