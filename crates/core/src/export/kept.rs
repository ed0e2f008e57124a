//! Sorted runs kept with a store version, so that `export` need not read the
//! store back.
//!
//! Reading an Oxigraph store costs a lookup for every long string, and is
//! what made exports slow (a dump of 19 million quads took five minutes).
//! The build already reads every mapped triple back from its spilled buckets
//! to check the shapes; there it also writes each bucket's quads as a sorted
//! run (see [`super::runs`]) into the version folder, and the description
//! graph as one more. The store is read-only between builds, so an export
//! only merges these runs. The keys hold the terms as the store gives them
//! back ([`as_stored`]), so that the output is the same as reading the store.

use super::runs;
use crate::Error;
use oxigraph::model::{NamedNode, Quad, QuadRef, TermRef, Triple};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Written last: without it the runs are not complete, and not used.
const MANIFEST: &str = "runs.json";

/// The runs of a version, as its manifest lists them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeptRuns {
    runs: Vec<KeptRun>,
    #[serde(skip)]
    folder: PathBuf,
}

/// One run file: the default graph's triples of a bucket, or a named graph.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeptRun {
    file: String,
    /// The named graph the run holds; `None` for the default graph.
    graph: Option<String>,
    quads: u64,
}

impl KeptRuns {
    /// The runs in `folder` (a version's [`crate::store::Version::kept_runs_folder`]),
    /// if its build kept them all.
    pub fn open(folder: &Path) -> Option<Self> {
        let folder = folder.to_owned();
        let manifest = std::fs::read(folder.join(MANIFEST)).ok()?;
        let mut kept: Self = serde_json::from_slice(&manifest).ok()?;
        kept.folder = folder;
        Some(kept)
    }

    /// Each run file, with the named graph it holds (`None`: the default
    /// graph) and its number of quads.
    pub(super) fn runs(&self) -> impl Iterator<Item = (PathBuf, Option<NamedNode>, usize)> + '_ {
        self.runs.iter().map(|run| {
            let graph = run.graph.clone().map(NamedNode::new_unchecked);
            (self.folder.join(&run.file), graph, run.quads as usize)
        })
    }
}

impl KeptRuns {
    /// Gives every quad of every run to `quad`, as the N-Triples forms of its
    /// graph (`None`: the default graph), subject, predicate and object.
    pub fn for_each_quad(&self, mut quad: impl FnMut(Option<&[u8]>, &[u8], &[u8], &[u8])) -> Result<(), Error> {
        for (path, _, _) in self.runs() {
            let mut reader = runs::RunReader::open(&path)?;
            while let Some(key) = reader.next_key_bytes()? {
                let Some(terms) = runs::split_key(key) else {
                    return Err(Error::store(&path, "a sorted run holds a key that is not a quad; build again"));
                };
                quad(terms.graph, terms.subject, terms.predicate, terms.object);
            }
        }
        Ok(())
    }
}

/// Gives every quad of the run file `path` to `each`.
pub(super) fn for_each_quad_of_run<E: From<Error>>(
    path: &Path,
    each: &mut impl FnMut(Quad) -> Result<(), E>,
) -> Result<(), E> {
    let mut reader = runs::RunReader::open(path)?;
    while let Some(key) = reader.next_key_bytes()? {
        each(quad_of_key(key, path)?)?;
    }
    Ok(())
}

/// The quad a sort key holds; an error naming `path`, the run it came from,
/// when it is not one.
pub(crate) fn quad_of_key(key: &[u8], path: &Path) -> Result<Quad, Error> {
    let corrupt = || Error::store(path, "a sorted run holds a key that is not a quad; build again");
    let terms = runs::split_key(key).ok_or_else(corrupt)?;
    let term = |form: &[u8]| factgraph_index::terms::decode(form).ok_or_else(corrupt);
    let subject = match term(terms.subject)? {
        oxigraph::model::Term::NamedNode(n) => oxigraph::model::NamedOrBlankNode::from(n),
        oxigraph::model::Term::BlankNode(b) => b.into(),
        oxigraph::model::Term::Literal(_) => return Err(corrupt()),
    };
    let oxigraph::model::Term::NamedNode(predicate) = term(terms.predicate)? else { return Err(corrupt()) };
    let graph = match terms.graph.map(term).transpose()? {
        None => oxigraph::model::GraphName::DefaultGraph,
        Some(oxigraph::model::Term::NamedNode(g)) => g.into(),
        Some(oxigraph::model::Term::BlankNode(g)) => g.into(),
        Some(oxigraph::model::Term::Literal(_)) => return Err(corrupt()),
    };
    Ok(Quad::new(subject, predicate, term(terms.object)?, graph))
}

/// Writes the runs of a version as its build reads its buckets.
pub struct KeptRunsWriter {
    folder: PathBuf,
}

impl KeptRunsWriter {
    pub fn create(folder: &Path) -> Result<Self, Error> {
        let folder = folder.to_owned();
        std::fs::create_dir_all(&folder).map_err(Error::io(&folder))?;
        Ok(Self { folder })
    }

    /// Writes bucket `index`: distinct default-graph triples.
    pub fn write_bucket(&self, index: usize, triples: &[Triple]) -> Result<KeptRun, Error> {
        let file = format!("bucket-{index:03}.run");
        let quads = write_sorted(
            &self.folder.join(&file),
            triples.iter().map(|t| t.as_ref().in_graph(oxigraph::model::GraphNameRef::DefaultGraph)),
        )?;
        Ok(KeptRun { file, graph: None, quads })
    }

    /// Writes the quads of the named graph `graph`.
    pub fn write_graph(&self, graph: &NamedNode, quads: &[Quad]) -> Result<KeptRun, Error> {
        let file = "description.run".to_owned();
        let count = write_sorted(&self.folder.join(&file), quads.iter().map(Quad::as_ref))?;
        Ok(KeptRun { file, graph: Some(graph.as_str().to_owned()), quads: count })
    }

    /// Lists the runs in the manifest, which makes them usable.
    pub fn finish(self, runs: Vec<KeptRun>) -> Result<(), Error> {
        let path = self.folder.join(MANIFEST);
        let manifest = serde_json::to_vec_pretty(&KeptRuns { runs, folder: PathBuf::new() })
            .map_err(|e| Error::store(&path, e))?;
        std::fs::write(&path, manifest).map_err(Error::io(&path))
    }
}

/// Sorts the keys of `quads` (deduplicated) into one run file.
fn write_sorted<'a>(path: &Path, quads: impl Iterator<Item = QuadRef<'a>>) -> Result<u64, Error> {
    let mut keys = runs::SortKeys::default();
    for quad in quads {
        match quad.object {
            TermRef::Literal(literal) => match as_stored(literal) {
                Some(stored) => keys.push(QuadRef::new(quad.subject, quad.predicate, &stored, quad.graph_name)),
                None => keys.push(quad),
            },
            _ => keys.push(quad),
        }
    }
    keys.write_run(path)
}

pub use factgraph_index::stored::as_stored;

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::vocab::xsd;
    use oxigraph::model::{Literal, NamedNodeRef, Term};
    use oxigraph::store::Store;

    /// What the store gives back is the authority: every literal here must
    /// come out of `as_stored` as it comes out of a store.
    #[test]
    fn literals_are_kept_as_the_store_gives_them_back() {
        let typed = |value: &str, datatype: NamedNodeRef<'_>| Literal::new_typed_literal(value, datatype);
        let int = NamedNodeRef::new_unchecked("http://www.w3.org/2001/XMLSchema#int");
        let stamp = NamedNodeRef::new_unchecked("http://www.w3.org/2001/XMLSchema#dateTimeStamp");
        let other = NamedNodeRef::new_unchecked("http://example.org/type");
        let literals = [
            typed("01", int),
            typed("+5", xsd::INTEGER),
            typed("1", xsd::BOOLEAN),
            typed("true", xsd::BOOLEAN),
            typed("1.50", xsd::DECIMAL),
            typed("1e0", xsd::DOUBLE),
            typed("NaN", xsd::FLOAT),
            typed("2013-03-01", xsd::DATE),
            typed("2013-03-01T08:00:00+00:00", xsd::DATE_TIME),
            typed("2013-03-01T08:00:00Z", stamp),
            typed("P1Y0M", xsd::DURATION),
            typed("2013", xsd::G_YEAR),
            typed("not a number", xsd::INTEGER),
            typed("01", other),
            Literal::new_simple_literal("01"),
            Literal::new_language_tagged_literal_unchecked("世纪互联", "zh"),
        ];
        let store = Store::new().unwrap();
        let subject = NamedNode::new_unchecked("http://example.org/s");
        for (i, literal) in literals.iter().enumerate() {
            let predicate = NamedNode::new_unchecked(format!("http://example.org/p{i}"));
            store
                .insert(&Quad::new(
                    subject.clone(),
                    predicate.clone(),
                    literal.clone(),
                    oxigraph::model::GraphName::DefaultGraph,
                ))
                .unwrap();
            let back =
                store.quads_for_pattern(None, Some(predicate.as_ref()), None, None).next().unwrap().unwrap().object;
            let kept: Term = as_stored(literal.as_ref()).unwrap_or_else(|| literal.clone()).into();
            assert_eq!(kept, back, "{literal}");
        }
    }
}
