//! The change log: what each version changed against the one before it.
//!
//! Every build writes, in its version folder, the triples it added and
//! removed, each with the source file and line that caused it where that is
//! known (an incremental build knows it for every change; a full build
//! compares whole graphs and names no cause). When the version becomes
//! current the log is linked into `store/changes/<version>/`, which outlives
//! the versions themselves, so that `factgraph changes`, the feed of `serve`
//! and `publish --incremental` can span any run of versions.
//!
//! ```text
//! store/changes/<version>/
//!   entry.json    what the build was (incremental or full, and why), counts,
//!                 the files whose records changed; written last
//!   removed.nq    the quads removed, one N-Quads statement a line, sorted,
//!   added.nq      each followed by `TAB # FILE:LINE` when the cause is known
//! ```
//!
//! The patch files are N-Quads (the cause is a comment), so any RDF tool
//! reads them as they are.

use crate::export::{quad_of_key, SortedKeys};
use crate::ntriples::push_quad_line;
use crate::store::{StoreDir, Version};
use crate::Error;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::Quad;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

pub mod formats;

/// Bumped when the files change meaning.
const FORMAT: u32 = 1;
const ENTRY: &str = "entry.json";
const ADDED: &str = "added.nq";
const REMOVED: &str = "removed.nq";
/// The folder of the store that keeps every version's log.
const LOGS: &str = "changes";

/// What one build changed, in numbers, and why it was built the way it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub format: u32,
    pub version: String,
    /// The version this one replaced; `None` for the first build.
    pub previous: Option<String>,
    /// When the build ended, as an `xsd:dateTime` in UTC.
    pub built_at: String,
    /// Whether only what changed was mapped again.
    pub incremental: bool,
    /// Why the build was full, when it was.
    pub reason: Option<String>,
    pub added: u64,
    pub removed: u64,
    /// The source files whose records changed, with how many.
    pub files: Vec<FileChange>,
}

/// Records of one source file that a build found added or removed (a
/// changed record counts once each way).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    pub path: PathBuf,
    pub records_added: u64,
    pub records_removed: u64,
}

/// A quad added or removed, and the source record behind it (`FILE:LINE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub quad: Quad,
    pub cause: Option<String>,
}

/// The quads a version removed and added, each list sorted by its N-Quads line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Patch {
    pub removed: Vec<Change>,
    pub added: Vec<Change>,
}

impl LogEntry {
    /// An entry for `version`, counted from `patch`.
    pub fn new(version: &str, previous: Option<&str>, built_at: &str, reason: Option<String>, patch: &Patch) -> Self {
        Self {
            format: FORMAT,
            version: version.to_owned(),
            previous: previous.map(str::to_owned),
            built_at: built_at.to_owned(),
            incremental: reason.is_none(),
            reason,
            added: patch.added.len() as u64,
            removed: patch.removed.len() as u64,
            files: Vec::new(),
        }
    }
}

impl Patch {
    /// Sorts both lists by N-Quads line, the order of the files.
    pub fn sort(&mut self) {
        for list in [&mut self.removed, &mut self.added] {
            let mut keyed: Vec<(Vec<u8>, Change)> = list.drain(..).map(|c| (line_of(&c.quad), c)).collect();
            keyed.sort_by(|a, b| a.0.cmp(&b.0));
            list.extend(keyed.into_iter().map(|(_, c)| c));
        }
    }

    /// The net change of `self` followed by `later`: a quad added then
    /// removed (or removed then added) is no change at all.
    pub fn then(self, later: Patch) -> Patch {
        let mut net: BTreeMap<Vec<u8>, (bool, Change)> = BTreeMap::new();
        let mut apply = |change: Change, added: bool| {
            let key = line_of(&change.quad);
            match net.remove(&key) {
                Some((was_added, _)) if was_added != added => {}
                _ => {
                    net.insert(key, (added, change));
                }
            }
        };
        for change in self.removed {
            apply(change, false);
        }
        for change in self.added {
            apply(change, true);
        }
        for change in later.removed {
            apply(change, false);
        }
        for change in later.added {
            apply(change, true);
        }
        let mut patch = Patch::default();
        for (_, (added, change)) in net {
            if added {
                patch.added.push(change)
            } else {
                patch.removed.push(change)
            }
        }
        patch
    }
}

/// The N-Quads line of a quad, without its end of line.
fn line_of(quad: &Quad) -> Vec<u8> {
    let mut line = Vec::with_capacity(128);
    push_quad_line(&mut line, quad.as_ref());
    while line.last() == Some(&b'\n') {
        line.pop();
    }
    line
}

/// Writes a version's log into `folder` (its [`Version::changes_folder`]),
/// the entry last.
pub fn write(folder: &Path, entry: &LogEntry, patch: &Patch) -> Result<(), Error> {
    std::fs::create_dir_all(folder).map_err(Error::io(folder))?;
    write_changes(&folder.join(REMOVED), &patch.removed)?;
    write_changes(&folder.join(ADDED), &patch.added)?;
    let path = folder.join(ENTRY);
    let json = serde_json::to_vec_pretty(entry).map_err(|e| Error::io(&path)(std::io::Error::other(e)))?;
    std::fs::write(&path, json).map_err(Error::io(&path))
}

fn write_changes(path: &Path, changes: &[Change]) -> Result<(), Error> {
    let file = std::fs::File::create(path).map_err(Error::io(path))?;
    let mut out = std::io::BufWriter::new(file);
    let mut line = Vec::new();
    for change in changes {
        line.clear();
        line.extend_from_slice(&line_of(&change.quad));
        if let Some(cause) = &change.cause {
            line.extend_from_slice(b"\t# ");
            line.extend(cause.bytes().map(|b| if b == b'\n' || b == b'\t' { b' ' } else { b }));
        }
        line.push(b'\n');
        out.write_all(&line).map_err(Error::io(path))?;
    }
    out.flush().map_err(Error::io(path))
}

/// The logs of a store, by version.
#[derive(Debug, Clone)]
pub struct ChangeLog {
    folder: PathBuf,
}

impl ChangeLog {
    /// The logs of the store at `store` (they need not exist yet).
    pub fn of(store: &StoreDir) -> Self {
        Self { folder: store.path().join(LOGS) }
    }

    /// Keeps the log `version` holds (written by its build) beside the
    /// store's other logs, once the version is current. Hard links, so
    /// nothing is copied; a log already kept is left as it is.
    pub fn keep(&self, version: &Version) -> Result<(), Error> {
        let from = version.changes_folder();
        let to = self.folder.join(version.name());
        if to.join(ENTRY).is_file() || !from.join(ENTRY).is_file() {
            return Ok(());
        }
        let partial = self.folder.join(format!("{}.partial", version.name()));
        let _ = std::fs::remove_dir_all(&partial);
        std::fs::create_dir_all(&partial).map_err(Error::io(&partial))?;
        for name in [REMOVED, ADDED, ENTRY] {
            crate::store::link(&from.join(name), &partial.join(name))?;
        }
        let _ = std::fs::remove_dir_all(&to);
        std::fs::rename(&partial, &to).map_err(Error::io(&to))
    }

    /// Every kept entry, oldest first.
    pub fn entries(&self) -> Result<Vec<LogEntry>, Error> {
        let mut entries = Vec::new();
        let Ok(folders) = std::fs::read_dir(&self.folder) else { return Ok(entries) };
        for folder in folders {
            let folder = folder.map_err(Error::io(&self.folder))?.path();
            if folder.extension().is_some() {
                continue; // a `.partial` log being kept
            }
            if let Some(name) = folder.file_name().and_then(|n| n.to_str()) {
                entries.push(self.entry(name)?);
            }
        }
        // Version names are `v` and the nanoseconds of their start.
        entries.sort_by(|a, b| (a.version.len(), &a.version).cmp(&(b.version.len(), &b.version)));
        Ok(entries)
    }

    /// The entry of `version`.
    pub fn entry(&self, version: &str) -> Result<LogEntry, Error> {
        let path = self.folder_of(version)?.join(ENTRY);
        let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => self.unknown(version),
            _ => Error::io(&path)(e),
        })?;
        serde_json::from_slice(&bytes).map_err(|e| Error::store(&path, format!("cannot be read: {e}")))
    }

    /// What `version` changed against the version before it.
    pub fn patch(&self, version: &str) -> Result<Patch, Error> {
        let folder = self.folder_of(version)?;
        Ok(Patch { removed: read_changes(&folder.join(REMOVED))?, added: read_changes(&folder.join(ADDED))? })
    }

    /// The net change from version `from` (excluded) to version `to`
    /// (included), through every version between them.
    pub fn between(&self, from: &str, to: &str) -> Result<Patch, Error> {
        let entries = self.entries()?;
        let position = |name: &str| entries.iter().position(|e| e.version == name).ok_or_else(|| self.unknown(name));
        let (start, end) = (position(from)?, position(to)?);
        if start >= end {
            return Err(Error::Usage(format!("version {from} is not older than {to}")));
        }
        let mut net = Patch::default();
        for entry in &entries[start + 1..=end] {
            net = net.then(self.patch(&entry.version)?);
        }
        net.sort();
        Ok(net)
    }
}

impl ChangeLog {
    /// The entries of the versions after `from` up to `to` (included), and
    /// their net change. Without `from`, `to`'s own change (read even when
    /// the log of the version before it is not kept).
    pub fn span(&self, from: Option<&str>, to: &str) -> Result<(Vec<LogEntry>, Patch), Error> {
        let Some(from) = from else { return Ok((vec![self.entry(to)?], self.patch(to)?)) };
        let net = self.between(from, to)?;
        let entries = self.entries()?;
        let start = entries.iter().position(|e| e.version == from).map_or(0, |i| i + 1);
        let end = entries.iter().position(|e| e.version == to).map_or(entries.len(), |i| i + 1);
        Ok((entries[start..end].to_vec(), net))
    }

    /// The name of the version that `given` names: a version's name,
    /// `current` (the version named `current`) or `~N`, the version N
    /// builds before the current one (`~1` the one it replaced).
    pub fn resolve(&self, given: &str, current: &str) -> Result<String, Error> {
        if given == "current" {
            return Ok(current.to_owned());
        }
        let Some(back) = given.strip_prefix('~') else {
            self.entry(given)?;
            return Ok(given.to_owned());
        };
        let back: usize = back.parse().map_err(|_| {
            Error::Usage(format!("{given:?} is not a version: give a version's name, `current`, or `~N` (a number)"))
        })?;
        let entries = self.entries()?;
        let now = entries.iter().position(|e| e.version == current).ok_or_else(|| self.unknown(current))?;
        match now.checked_sub(back) {
            Some(position) => Ok(entries[position].version.clone()),
            None => Err(Error::Usage(format!(
                "{given}: only {now} version(s) before the current one have a kept change log (see `factgraph changes --list`)"
            ))),
        }
    }

    /// The folder of `version`'s log; a name that is not one (a path, as
    /// a web request may send) is an unknown version.
    fn folder_of(&self, version: &str) -> Result<PathBuf, Error> {
        let plain = !version.is_empty() && version.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if plain {
            Ok(self.folder.join(version))
        } else {
            Err(self.unknown(version))
        }
    }

    /// The error for a version whose log is not kept, listing those that are.
    fn unknown(&self, version: &str) -> Error {
        let mut kept: Vec<String> = std::fs::read_dir(&self.folder)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|folder| folder.path().join(ENTRY).is_file())
            .filter_map(|folder| folder.file_name().into_string().ok())
            .collect();
        kept.sort_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
        let problem = match kept.as_slice() {
            [] => format!(
                "no change log of a version named {version:?} is kept here, nor of any other: the next `factgraph build` starts the log"
            ),
            _ => format!("no change log of a version named {version:?} is kept here; kept: {}", kept.join(", ")),
        };
        Error::store(&self.folder, problem)
    }
}

/// What a full build changed: the quads only one of the two versions has,
/// with no cause (a full build maps everything, so it cannot name one).
///
/// Both versions are read as sorted streams of keys ([`SortedKeys`]: the
/// runs their builds kept) and compared as they stream, so memory holds
/// the difference and not the graphs; only the keys that differ are
/// decoded into quads. When both kept runs of the same buckets, the
/// buckets are compared pair by pair, on every core.
pub fn compare_versions(old: &Version, new: &Version) -> Result<Patch, Error> {
    let (only_old, only_new) = match SortedKeys::paired(old, new)? {
        Some(pairs) => {
            let compared: Vec<Differing> =
                pairs.into_par_iter().map(|(mut a, mut b)| differing_keys(&mut a, &mut b)).collect::<Result<_, _>>()?;
            let (only_old, only_new) = compared.into_iter().fold((Vec::new(), Vec::new()), |mut all, (a, b)| {
                all.0.extend(a);
                all.1.extend(b);
                all
            });
            cancel_moved(only_old, only_new)
        }
        None => differing_keys(&mut SortedKeys::of_version(old)?, &mut SortedKeys::of_version(new)?)?,
    };
    let changes = |keys: Vec<Vec<u8>>, version: &Version| -> Result<Vec<Change>, Error> {
        let source = version.kept_runs_folder();
        keys.iter().map(|key| Ok(Change { quad: quad_of_key(key, &source)?, cause: None })).collect()
    };
    let mut patch = Patch { removed: changes(only_old, old)?, added: changes(only_new, new)? };
    patch.sort();
    Ok(patch)
}

/// Sort keys only the old side has, and only the new side has.
type Differing = (Vec<Vec<u8>>, Vec<Vec<u8>>);

/// The keys only `old` has and the keys only `new` has, both streams read
/// once, side by side.
fn differing_keys(old: &mut SortedKeys, new: &mut SortedKeys) -> Result<Differing, Error> {
    let (mut only_old, mut only_new) = (Vec::new(), Vec::new());
    let (mut before, mut after) = (old.next_key()?, new.next_key()?);
    loop {
        let order = match (before, after) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(old_key), Some(new_key)) => old_key.cmp(new_key),
        };
        match (order, before, after) {
            (Ordering::Less, Some(key), _) => {
                only_old.push(key.to_vec());
                before = old.next_key()?;
            }
            (Ordering::Greater, _, Some(key)) => {
                only_new.push(key.to_vec());
                after = new.next_key()?;
            }
            _ => {
                before = old.next_key()?;
                after = new.next_key()?;
            }
        }
    }
    Ok((only_old, only_new))
}

/// Takes out the keys on both sides: quads that only changed bucket.
fn cancel_moved(mut only_old: Vec<Vec<u8>>, mut only_new: Vec<Vec<u8>>) -> Differing {
    let moved: std::collections::HashSet<Vec<u8>> = {
        let new_keys: std::collections::HashSet<&Vec<u8>> = only_new.iter().collect();
        only_old.iter().filter(|key| new_keys.contains(key)).cloned().collect()
    };
    if !moved.is_empty() {
        only_old.retain(|key| !moved.contains(key));
        only_new.retain(|key| !moved.contains(key));
    }
    (only_old, only_new)
}

fn read_changes(path: &Path) -> Result<Vec<Change>, Error> {
    let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
    let mut changes = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let (statement, cause) = match line.split_once('\t') {
            Some((statement, comment)) => (statement, comment.strip_prefix("# ").map(str::to_owned)),
            None => (line, None),
        };
        let corrupt = |e: &dyn std::fmt::Display| Error::store(path, format!("line {}: {e}", number + 1));
        let quad = RdfParser::from_format(RdfFormat::NQuads)
            .for_slice(statement.as_bytes())
            .next()
            .ok_or_else(|| corrupt(&"no quad"))?
            .map_err(|e| corrupt(&e))?;
        changes.push(Change { quad, cause });
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{GraphName, Literal, NamedNode};

    fn quad(s: &str, o: &str) -> Quad {
        let node = |s: &str| NamedNode::new_unchecked(format!("http://example.com/{s}"));
        Quad::new(node(s), node("p"), Literal::new_simple_literal(o), GraphName::DefaultGraph)
    }

    fn change(s: &str, o: &str, cause: Option<&str>) -> Change {
        Change { quad: quad(s, o), cause: cause.map(str::to_owned) }
    }

    #[test]
    fn a_log_reads_back_as_written_causes_and_odd_literals_included() {
        let store = tempfile::tempdir().unwrap();
        let dir = StoreDir::new(store.path());
        let slot = dir.begin_build().unwrap();
        let mut patch = Patch {
            removed: vec![change("a", "tab\there # not a cause", Some("data/x.csv:3"))],
            added: vec![change("b", "two\nlines", None), change("a", "new", Some("data/x.csv:3"))],
        };
        patch.sort();
        let entry = LogEntry::new(slot.version().name(), None, "2026-12-06T00:00:00Z", None, &patch);
        write(&slot.version().changes_folder(), &entry, &patch).unwrap();
        let version = slot.publish().unwrap();
        let log = ChangeLog::of(&dir);
        log.keep(&version).unwrap();
        assert_eq!(log.entries().unwrap(), vec![entry]);
        assert_eq!(log.patch(version.name()).unwrap(), patch);
    }

    #[test]
    fn changes_that_undo_each_other_leave_no_net_change() {
        let first = Patch { removed: vec![change("a", "1", None)], added: vec![change("a", "2", None)] };
        let second = Patch { removed: vec![change("a", "2", None)], added: vec![change("a", "1", None)] };
        assert_eq!(first.clone().then(second), Patch::default());
        let third = Patch { removed: vec![change("a", "2", None)], added: vec![change("a", "3", Some("f:2"))] };
        let net = first.then(third);
        assert_eq!(net.removed, vec![change("a", "1", None)]);
        assert_eq!(net.added, vec![change("a", "3", Some("f:2"))]);
    }

    /// The quads of a small graph: `seed` changes some objects, `size` how
    /// many subjects; blank nodes, languages, odd literals and a named graph.
    fn graph(seed: usize, size: usize) -> Vec<Quad> {
        use oxigraph::model::{BlankNode, Term};
        let int = NamedNode::new_unchecked("http://www.w3.org/2001/XMLSchema#int");
        let description = GraphName::from(NamedNode::new_unchecked("http://example.com/description"));
        let mut quads = Vec::new();
        for i in 0..size {
            let subject = NamedNode::new_unchecked(format!("http://example.com/s{i}"));
            let objects: [Term; 4] = [
                Literal::new_typed_literal(format!("0{}", i + usize::from(i % 7 == 0) * seed), int.clone()).into(),
                Literal::new_language_tagged_literal_unchecked(format!("名字 \"{i}\"\n"), "zh").into(),
                BlankNode::new_unchecked(format!("b{}", i % (5 + seed))).into(),
                NamedNode::new_unchecked(format!("http://example.com/o{}", i / (1 + seed))).into(),
            ];
            for (p, object) in objects.into_iter().enumerate() {
                let predicate = NamedNode::new_unchecked(format!("http://example.com/p{p}"));
                quads.push(Quad::new(subject.clone(), predicate, object, GraphName::DefaultGraph));
            }
        }
        let built = quad("d", &format!("built {seed}"));
        quads.push(Quad::new(built.subject, built.predicate, built.object, description));
        quads
    }

    /// Fills a new version of `dir` with `quads`: as kept runs in `buckets`
    /// buckets by subject (`shift` changes which subject goes where), or
    /// (`buckets` 0) in an Oxigraph store only.
    fn version_of(dir: &StoreDir, quads: &[Quad], buckets: usize, shift: usize) -> Version {
        use crate::export::kept::KeptRunsWriter;
        let slot = dir.begin_build().unwrap();
        let version = slot.version().clone();
        if buckets == 0 {
            let store = crate::store::open_writable(&version.store_path()).unwrap();
            store.extend(quads.iter().cloned()).unwrap();
            store.flush().unwrap();
        } else {
            let writer = KeptRunsWriter::create(&version.kept_runs_folder()).unwrap();
            let mut runs = Vec::new();
            for bucket in 0..buckets {
                let triples: Vec<_> = quads
                    .iter()
                    .filter(|q| {
                        q.graph_name.is_default_graph() && (q.subject.to_string().len() + shift) % buckets == bucket
                    })
                    .map(|q| oxigraph::model::Triple::from(q.clone()))
                    .collect();
                let triples: Vec<_> = triples.iter().map(oxigraph::model::Triple::as_ref).collect();
                runs.push(writer.write_bucket(bucket, &triples, &[]).unwrap());
            }
            let named: Vec<Quad> = quads.iter().filter(|q| !q.graph_name.is_default_graph()).cloned().collect();
            let GraphName::NamedNode(graph) = named[0].graph_name.clone() else { unreachable!() };
            runs.push(writer.write_graph(&graph, &named).unwrap());
            writer.finish(runs).unwrap();
        }
        slot.publish().unwrap();
        version
    }

    /// The patch as the whole graphs in memory give it.
    fn patch_in_memory(old: &Version, new: &Version) -> Patch {
        let old = crate::diff::read_version(old, &[]).unwrap();
        let new = crate::diff::read_version(new, &[]).unwrap();
        let only = |a: &oxigraph::model::Dataset, b: &oxigraph::model::Dataset| -> Vec<Change> {
            a.iter().filter(|q| !b.contains(*q)).map(|q| Change { quad: q.into_owned(), cause: None }).collect()
        };
        let mut patch = Patch { removed: only(&old, &new), added: only(&new, &old) };
        patch.sort();
        patch
    }

    #[test]
    fn versions_compared_as_sorted_streams_give_the_patch_of_the_whole_graphs() {
        // Kept runs on both sides: the same buckets made alike, made
        // differently, and a different number of buckets; then a store.
        for (buckets, shift) in [(3, 0), (3, 1), (5, 0), (0, 0)] {
            let store = tempfile::tempdir().unwrap();
            let dir = StoreDir::new(store.path());
            let first = version_of(&dir, &graph(0, 60), 3, 0);
            let second = version_of(&dir, &graph(1, 70), buckets, shift);
            let patch = compare_versions(&first, &second).unwrap();
            assert!(!patch.added.is_empty() && !patch.removed.is_empty());
            assert_eq!(patch, patch_in_memory(&first, &second), "{buckets} buckets shifted by {shift}");
            let reversed = Patch { removed: patch.added, added: patch.removed };
            assert_eq!(compare_versions(&second, &first).unwrap(), reversed);
            assert_eq!(compare_versions(&second, &second).unwrap(), Patch::default());
        }
    }
}
