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
use oxigraph::model::{NamedNode, Quad, QuadRef, TermRef, TripleRef};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
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
    /// The file of the quads the mapping gave more than once, with how many
    /// times (`COUNT TAB KEY` lines): what an incremental build needs to
    /// know when a quad's last source goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    repeats: Option<String>,
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
    /// Each run on its own, so that the runs can be read on several threads.
    pub fn each_run(&self) -> Vec<KeptRuns> {
        self.runs.iter().map(|run| KeptRuns { runs: vec![run.clone()], folder: self.folder.clone() }).collect()
    }

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

/// What [`KeptRuns::update`] changed: the keys of the quads that came and went.
#[derive(Debug, Default)]
pub struct RunChanges {
    pub added: Vec<Vec<u8>>,
    pub removed: Vec<Vec<u8>>,
}

impl KeptRuns {
    /// Writes the runs of a new version into `to`: each bucket's run with
    /// the given changes in how many times each quad is given (by sort key,
    /// net). A quad comes when its count leaves 0 and goes when it returns
    /// to 0; `present` tells whether the version has a quad (its read
    /// index answers without reading the runs). A changed bucket keeps its
    /// run, linked, with the changes beside it as an overlay (see
    /// [`runs::RunReader`]) until they pass [`OVERLAY_SHARE`] of the run,
    /// when the run is written again; an unchanged bucket is linked. The
    /// description's run is left out: the caller writes it. Fails if a
    /// count would go below 0 (the version and the changes do not belong
    /// together).
    pub fn update(
        &self,
        to: &Path,
        changes: &HashMap<usize, Vec<(Vec<u8>, i64)>>,
        present: &(dyn Fn(&[u8]) -> bool + Sync),
    ) -> Result<(Vec<KeptRun>, RunChanges), Error> {
        std::fs::create_dir_all(to).map_err(Error::io(to))?;
        let mut runs = Vec::new();
        let mut all = RunChanges::default();
        for run in self.runs.iter().filter(|run| run.graph.is_none()) {
            let bucket =
                run.file.strip_prefix("bucket-").and_then(|r| r.strip_suffix(".run")).and_then(|n| n.parse().ok());
            match bucket.and_then(|bucket: usize| changes.get(&bucket).map(|c| (bucket, c))) {
                Some((bucket, changes)) => runs.push(self.update_bucket(to, bucket, run, changes, present, &mut all)?),
                None => {
                    let (added, removed) = runs::overlay_paths(Path::new(&run.file));
                    let overlay = [added, removed].map(|p| p.to_string_lossy().into_owned());
                    for file in std::iter::once(&run.file).chain(&run.repeats).chain(&overlay) {
                        if self.folder.join(file).is_file() {
                            crate::store::link(&self.folder.join(file), &to.join(file))?;
                        }
                    }
                    runs.push(run.clone());
                }
            }
        }
        Ok((runs, all))
    }

    fn update_bucket(
        &self,
        to: &Path,
        bucket: usize,
        run: &KeptRun,
        changes: &[(Vec<u8>, i64)],
        present: &(dyn Fn(&[u8]) -> bool + Sync),
        all: &mut RunChanges,
    ) -> Result<KeptRun, Error> {
        let path = self.folder.join(&run.file);
        let mut counts: std::collections::BTreeMap<Vec<u8>, u64> = match &run.repeats {
            Some(file) => read_counts(&self.folder.join(file))?.into_iter().collect(),
            None => Default::default(),
        };
        let (mut added, mut removed) = (Vec::new(), Vec::new());
        for (key, net) in changes {
            let before = counts.get(key).copied().unwrap_or_else(|| u64::from(present(key))) as i64;
            let after = before + net;
            if after < 0 {
                let quad = String::from_utf8_lossy(key).replace('\0', " ");
                return Err(Error::store(
                    &path,
                    format!("the changes take away {quad} more often than the version has it; build again with --full"),
                ));
            }
            match (before, after) {
                (0, 1..) => added.push(key.clone()),
                (1.., 0) => removed.push(key.clone()),
                _ => {}
            }
            if after > 1 {
                counts.insert(key.clone(), after as u64);
            } else {
                counts.remove(key);
            }
        }
        let (added_path, removed_path) = runs::overlay_paths(&path);
        let mut over_added: std::collections::BTreeSet<Vec<u8>> = runs::read_keys(&added_path)?.into_iter().collect();
        let mut over_removed: std::collections::BTreeSet<Vec<u8>> =
            runs::read_keys(&removed_path)?.into_iter().collect();
        for key in &removed {
            if !over_added.remove(key) {
                over_removed.insert(key.clone());
            }
        }
        for key in &added {
            if !over_removed.remove(key) {
                over_added.insert(key.clone());
            }
        }
        let quads = (run.quads + added.len() as u64).saturating_sub(removed.len() as u64);
        let target = to.join(&run.file);
        let (to_added, to_removed) = runs::overlay_paths(&target);
        if (over_added.len() + over_removed.len()) as f64 <= OVERLAY_SHARE * run.quads as f64 {
            crate::store::link(&path, &target)?;
            runs::write_keys(&to_added, &over_added)?;
            runs::write_keys(&to_removed, &over_removed)?;
        } else {
            // The run and its overlay become one run again.
            let mut keys = Vec::with_capacity(quads as usize);
            let mut reader = runs::RunReader::open(&path)?;
            let removed: HashSet<&Vec<u8>> = removed.iter().collect();
            while let Some(key) = reader.next_key_bytes()? {
                if !removed.contains(&key.to_vec()) {
                    keys.push(key.to_vec());
                }
            }
            keys.extend(added.iter().cloned());
            keys.sort_unstable();
            runs::write_run(&target, keys.iter().map(Vec::as_slice))?;
        }
        let repeats = if counts.is_empty() {
            None
        } else {
            let file = repeats_file(bucket);
            write_counts(&to.join(&file), &counts)?;
            Some(file)
        };
        all.added.extend(added);
        all.removed.extend(removed);
        Ok(KeptRun { file: run.file.clone(), graph: None, quads, repeats })
    }

    /// The quads of the run of named graph `graph`, if there is one.
    pub fn graph_quads(&self, graph: &NamedNode) -> Result<Vec<Quad>, Error> {
        let mut quads = Vec::new();
        for run in self.runs.iter().filter(|run| run.graph.as_deref() == Some(graph.as_str())) {
            for_each_quad_of_run(&self.folder.join(&run.file), &mut |quad| {
                quads.push(quad);
                Ok::<_, Error>(())
            })?;
        }
        Ok(quads)
    }
}

/// Above this share of its run's quads, a bucket's overlay is merged into
/// the run, written again.
const OVERLAY_SHARE: f64 = 0.05;

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

    /// Writes bucket `index`: distinct default-graph triples, and how many
    /// times the mapping gave those it gave more than once (`repeated`:
    /// index into `triples`, times).
    pub fn write_bucket(
        &self,
        index: usize,
        triples: &[TripleRef<'_>],
        repeated: &[(usize, u64)],
    ) -> Result<KeptRun, Error> {
        let file = bucket_file(index);
        let quads = write_sorted(
            &self.folder.join(&file),
            triples.iter().map(|t| t.in_graph(oxigraph::model::GraphNameRef::DefaultGraph)),
        )?;
        let repeats = write_repeats(&self.folder, index, triples, repeated)?;
        Ok(KeptRun { file, graph: None, quads, repeats })
    }

    /// Writes the quads of the named graph `graph`.
    pub fn write_graph(&self, graph: &NamedNode, quads: &[Quad]) -> Result<KeptRun, Error> {
        let file = "description.run".to_owned();
        let count = write_sorted(&self.folder.join(&file), quads.iter().map(Quad::as_ref))?;
        Ok(KeptRun { file, graph: Some(graph.as_str().to_owned()), quads: count, repeats: None })
    }

    /// Lists the runs in the manifest, which makes them usable.
    pub fn finish(self, runs: Vec<KeptRun>) -> Result<(), Error> {
        let path = self.folder.join(MANIFEST);
        let manifest = serde_json::to_vec_pretty(&KeptRuns { runs, folder: PathBuf::new() })
            .map_err(|e| Error::store(&path, e))?;
        std::fs::write(&path, manifest).map_err(Error::io(&path))
    }
}

fn bucket_file(index: usize) -> String {
    format!("bucket-{index:03}.run")
}

fn repeats_file(index: usize) -> String {
    format!("bucket-{index:03}.repeats")
}

/// Writes how many times each triple was given, for the triples given more
/// than once, counted by stored key (two forms of one literal are one quad
/// in the store); `None` when there are none.
fn write_repeats(
    folder: &Path,
    index: usize,
    triples: &[TripleRef<'_>],
    repeated: &[(usize, u64)],
) -> Result<Option<String>, Error> {
    if repeated.is_empty() {
        return Ok(None);
    }
    let mut counts: std::collections::BTreeMap<Vec<u8>, u64> = std::collections::BTreeMap::new();
    let key = |triple: &TripleRef<'_>| stored_key(triple.in_graph(oxigraph::model::GraphNameRef::DefaultGraph));
    let repeated: std::collections::HashMap<usize, u64> = repeated.iter().copied().collect();
    let wanted: std::collections::HashSet<Vec<u8>> = repeated.keys().map(|&i| key(&triples[i])).collect();
    for (i, triple) in triples.iter().enumerate() {
        let key = key(triple);
        if wanted.contains(&key) {
            *counts.entry(key).or_default() += repeated.get(&i).copied().unwrap_or(1);
        }
    }
    let file = repeats_file(index);
    write_counts(&folder.join(&file), &counts)?;
    Ok(Some(file))
}

/// Writes `COUNT TAB KEY` lines.
pub(crate) fn write_counts(path: &Path, counts: &std::collections::BTreeMap<Vec<u8>, u64>) -> Result<(), Error> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(Error::io(path))?);
    for (key, count) in counts.iter().filter(|(_, &count)| count > 1) {
        write!(out, "{count}\t").map_err(Error::io(path))?;
        out.write_all(key).and_then(|()| out.write_all(b"\n")).map_err(Error::io(path))?;
    }
    out.flush().map_err(Error::io(path))
}

/// Reads what [`write_counts`] wrote.
pub(crate) fn read_counts(path: &Path) -> Result<std::collections::HashMap<Vec<u8>, u64>, Error> {
    let bytes = std::fs::read(path).map_err(Error::io(path))?;
    let corrupt = || Error::store(path, "a count of repeated quads cannot be read; build again with --full");
    let mut counts = std::collections::HashMap::new();
    for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let tab = memchr::memchr(b'\t', line).ok_or_else(corrupt)?;
        let count = std::str::from_utf8(&line[..tab]).ok().and_then(|c| c.parse().ok()).ok_or_else(corrupt)?;
        counts.insert(line[tab + 1..].to_vec(), count);
    }
    Ok(counts)
}

/// The quad with its literal as the store gives it back.
pub(crate) fn stored_quad(quad: &Quad) -> Quad {
    match &quad.object {
        oxigraph::model::Term::Literal(literal) => match as_stored(literal.as_ref()) {
            Some(stored) => Quad::new(quad.subject.clone(), quad.predicate.clone(), stored, quad.graph_name.clone()),
            None => quad.clone(),
        },
        _ => quad.clone(),
    }
}

/// The sort key of a quad with its literal as the store gives it back.
pub(crate) fn stored_key(quad: QuadRef<'_>) -> Vec<u8> {
    let mut keys = runs::SortKeys::default();
    push_stored(&mut keys, quad);
    keys.into_keys().pop().unwrap_or_default()
}

fn push_stored(keys: &mut runs::SortKeys, quad: QuadRef<'_>) {
    match quad.object {
        TermRef::Literal(literal) => match as_stored(literal) {
            Some(stored) => keys.push(QuadRef::new(quad.subject, quad.predicate, &stored, quad.graph_name)),
            None => keys.push(quad),
        },
        _ => keys.push(quad),
    }
}

/// Sorts the keys of `quads` (deduplicated) into one run file.
fn write_sorted<'a>(path: &Path, quads: impl Iterator<Item = QuadRef<'a>>) -> Result<u64, Error> {
    let mut keys = runs::SortKeys::default();
    for quad in quads {
        push_stored(&mut keys, quad);
    }
    keys.write_run(path)
}

pub use factgraph_index::stored::as_stored;

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::vocab::xsd;
    use oxigraph::model::{Literal, NamedNodeRef, Term, Triple};
    use oxigraph::store::Store;

    /// A bucket changed by a few quads keeps its run, linked, with an
    /// overlay beside it; read back, run and overlay are the bucket's new
    /// quads, in order, through two builds in a row.
    #[test]
    fn a_few_changes_to_a_bucket_are_an_overlay_that_reads_as_the_new_run() {
        let folders = [(); 3].map(|()| tempfile::tempdir().unwrap());
        let triple = |i: usize| {
            let s = NamedNode::new_unchecked(format!("http://e.org/s{i:03}"));
            Triple::new(s, NamedNode::new_unchecked("http://e.org/p"), Literal::new_simple_literal(format!("{i}")))
        };
        let key = |i: usize| stored_key(triple(i).as_ref().in_graph(oxigraph::model::GraphNameRef::DefaultGraph));
        let writer = KeptRunsWriter::create(folders[0].path()).unwrap();
        let triples: Vec<Triple> = (0..400).map(triple).collect();
        let triples: Vec<TripleRef<'_>> = triples.iter().map(Triple::as_ref).collect();
        let run = writer.write_bucket(7, &triples, &[(0, 2)]).unwrap();
        writer.finish(vec![run]).unwrap();
        let mut expected: std::collections::BTreeSet<Vec<u8>> = (0..400).map(key).collect();
        let mut from = folders[0].path().to_owned();
        for (step, to) in folders[1..].iter().enumerate() {
            let runs = KeptRuns::open(&from).unwrap();
            // Take 5, add 400 + step; first take one given twice once (it stays).
            let mut changes = vec![(key(400 + step), 1)];
            if step == 0 {
                changes.push((key(0), -1));
            }
            changes.extend((1..6).map(|i| (key(i + 10 * step), -1)));
            let present = |k: &[u8]| expected.contains(k);
            let (kept, changed) = runs.update(to.path(), &HashMap::from([(7, changes)]), &present).unwrap();
            assert_eq!((changed.added.len(), changed.removed.len()), (1, 5));
            assert!(runs::overlay_paths(&to.path().join("bucket-007.run")).0.is_file(), "an overlay, not a new run");
            KeptRunsWriter::create(to.path()).unwrap().finish(kept).unwrap();
            expected.insert(key(400 + step));
            for i in 1..6 {
                expected.remove(&key(i + 10 * step));
            }
            let mut read = Vec::new();
            let mut reader = runs::RunReader::open(&to.path().join("bucket-007.run")).unwrap();
            while let Some(k) = reader.next_key_bytes().unwrap() {
                read.push(k.to_vec());
            }
            assert_eq!(read, expected.iter().cloned().collect::<Vec<_>>(), "after build {step}");
            from = to.path().to_owned();
        }
    }

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
