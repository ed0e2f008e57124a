//! The row-origin index of a build: where each subject's rows are, so that
//! `why` and a resource page find the CSV rows behind a resource's triples
//! without reading the CSV files.
//!
//! Three files in the version folder, all written by the build before the
//! version becomes current:
//!
//! - `origins.tsv`: one line per (subject, row) mapped, in mapping order,
//!   `subject TAB triples map TAB file TAB line TAB offset`, the offset being
//!   where the row starts in its file (empty where it cannot be read again
//!   at an offset, as in a compressed file);
//! - `origins.idx`: for every line of `origins.tsv`, a hash of its subject
//!   and the line's position in `origins.tsv`, sorted, so that a subject's
//!   lines are found by a binary search of a few reads, whatever the size;
//! - `origins.json`, written last: the size and modification time of each
//!   source file as the build began to read it, to tell a file edited
//!   since (whose offsets no longer hold), and the number of entries.
//!
//! Kept as one short line per row, not per triple: `why` maps those rows
//! again to tell which triple each one produced ([`crate::why`]). A version
//! built before the index and the offsets existed has only the first file,
//! with four columns, and is read in one pass.
//!
//! An incremental build carries the index over ([`carry_over`]) at a cost
//! in proportion to the change: it links the two files of the version
//! before (the base) and lays an overlay beside them, as the read index
//! does: `origins.added.tsv` and `origins.added.idx` (the rows of the
//! records added since the base, in the same form), and `origins.moved`
//! (for each file changed since the base, where its records went:
//! [`remap`]; a base row whose record went is left out when read). Its
//! manifest gives the files' stamps as that build found them. When the
//! overlay passes [`OVERLAY_SHARE`] of the base, the build writes the
//! whole index again instead. Either way the version's rows are those a
//! full build of the same files records (the tests compare them).

pub mod remap;

use self::remap::Remap;
use crate::mapping::execute::SubjectSeen;
use crate::mapping::{MappedBatch, Plan};
use crate::pipeline::Sink;
use crate::store::Version;
use crate::Error;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Bumped when the files change meaning; an index of another format is
/// not used (the rows are then found in one pass, as before the index).
const FORMAT: u32 = 1;
/// The format of a manifest with an overlay (an earlier factgraph, which
/// does not know overlays, then reads the base in one pass).
const OVERLAY_FORMAT: u32 = 2;
/// Bytes of one entry of `origins.idx`: the subject's hash, the position.
const ENTRY: usize = 16;
/// Above this share of the base's rows, an overlay (its rows and its runs
/// of moved records) is not worth keeping: the build writes the whole
/// index again.
pub const OVERLAY_SHARE: f64 = 0.05;
/// An overlay this small is kept whatever the base's size: it is written
/// and read in a millisecond.
const OVERLAY_FLOOR: usize = 1000;

/// One row recorded for a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The triples map, by name.
    pub map: String,
    pub file: PathBuf,
    pub line: u64,
    /// Where the row starts in the file's text, when it can be read there.
    pub offset: Option<u64>,
}

impl Recorded {
    /// Its line of `origins.tsv` for `subject`, with no line end.
    fn line_for(&self, subject: &str) -> String {
        let offset = self.offset.map(|o| o.to_string()).unwrap_or_default();
        format!("{subject}\t{}\t{}\t{}\t{offset}", self.map, self.file.display(), self.line)
    }
}

/// A row recorded for a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub subject: String,
    pub row: Recorded,
}

/// What `origins.json` says of the index.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    /// Lines of `origins.tsv` (the base's, when there is an overlay).
    entries: u64,
    files: Vec<FileStamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    overlay: Option<OverlayManifest>,
}

/// What an overlay holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct OverlayManifest {
    /// Lines of `origins.added.tsv`.
    added: u64,
    /// The files whose records moved, in the order of their runs in
    /// `origins.moved`.
    moved: Vec<MovedFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct MovedFile {
    /// As the rows name it.
    path: PathBuf,
    runs: u64,
}

/// A source file as the build found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct FileStamp {
    path: PathBuf,
    size: u64,
    modified_nanos: u128,
}

impl FileStamp {
    /// `path` as it is now, named by its absolute path (the build and a
    /// reader may run in different folders); `None` if it cannot be read.
    fn of(path: &Path) -> Option<Self> {
        let path = std::fs::canonicalize(path).ok()?;
        let metadata = std::fs::metadata(&path).ok()?;
        let modified = metadata.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
        Some(Self { path, size: metadata.len(), modified_nanos: modified })
    }

    /// The source files of `plan` as they are now.
    fn of_sources(plan: &Plan) -> Vec<Self> {
        plan.sources.iter().filter_map(|source| Self::of(&source.source.path)).collect()
    }
}

/// Whether the rows of `plan`'s source `source` can be read again at their
/// offsets (else their offsets are not recorded).
fn seekable(plan: &Plan, source: usize) -> bool {
    plan.sources[source].maps.iter().any(|&map| crate::mapping::execute::can_map_rows_at(plan, map))
}

/// FNV-1a, 64 bits: a hash fixed by its definition, so that an index stays
/// readable by any later factgraph (std's hasher may change between releases).
fn hash(subject: &str) -> u64 {
    subject.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

/// Writes the row-origin index of a build into its version folder: the
/// lines as the rows are mapped, the sorted entries and the manifest when
/// the mapping ends. A sink of a run with
/// [`crate::mapping::RunOptions::track_identifiers`].
pub struct OriginsWriter<'a> {
    plan: &'a Plan,
    version: Version,
    out: std::io::BufWriter<File>,
    /// Bytes written to `origins.tsv` so far: the position of the next line.
    written: u64,
    /// (hash of the subject, position of its line), one per line.
    entries: Vec<(u64, u64)>,
    /// Whether each source's rows can be read again at their offsets.
    seekable: Vec<bool>,
    files: Vec<FileStamp>,
    line: String,
}

impl<'a> OriginsWriter<'a> {
    /// Writes the index of a run of `plan` into `version`'s folder. The
    /// source files are looked at now, before the run reads them: a file
    /// edited during the build then counts as edited since.
    pub fn create(version: &Version, plan: &'a Plan) -> Result<Self, Error> {
        let path = version.origins_path();
        let file = File::create(&path).map_err(Error::io(&path))?;
        let seekable = (0..plan.sources.len()).map(|source| seekable(plan, source)).collect();
        let files = FileStamp::of_sources(plan);
        Ok(Self {
            plan,
            version: version.clone(),
            out: std::io::BufWriter::with_capacity(1 << 20, file),
            written: 0,
            entries: Vec::new(),
            seekable,
            files,
            line: String::new(),
        })
    }

    /// Writes the sorted entries, then the manifest that makes them usable.
    pub fn finish(mut self) -> Result<(), Error> {
        let tsv = self.version.origins_path();
        self.out.flush().map_err(Error::io(&tsv))?;
        write_sorted(&self.version.origins_index_path(), &mut self.entries)?;
        let manifest =
            Manifest { format: FORMAT, entries: self.entries.len() as u64, files: self.files, overlay: None };
        write_manifest(&self.version, &manifest)
    }
}

/// Writes `entries` (subject hash, position) sorted, as `origins.idx` holds them.
fn write_sorted(path: &Path, entries: &mut [(u64, u64)]) -> Result<(), Error> {
    entries.sort_unstable();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, File::create(path).map_err(Error::io(path))?);
    for (hash, position) in entries.iter() {
        out.write_all(&hash.to_le_bytes())
            .and_then(|()| out.write_all(&position.to_le_bytes()))
            .map_err(Error::io(path))?;
    }
    out.flush().map_err(Error::io(path))
}

/// Writes `lines` (with no line ends) to `tsv` and their index to `idx`;
/// returns how many.
fn write_lines<'a>(tsv: &Path, idx: &Path, lines: impl Iterator<Item = Cow<'a, str>>) -> Result<u64, Error> {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, File::create(tsv).map_err(Error::io(tsv))?);
    let (mut entries, mut written) = (Vec::new(), 0u64);
    for line in lines {
        let subject = line.split('\t').next().unwrap_or_default();
        entries.push((hash(subject), written));
        out.write_all(line.as_bytes()).and_then(|()| out.write_all(b"\n")).map_err(Error::io(tsv))?;
        written += line.len() as u64 + 1;
    }
    out.flush().map_err(Error::io(tsv))?;
    write_sorted(idx, &mut entries)?;
    Ok(entries.len() as u64)
}

/// Writes the manifest, which makes the other files usable: last.
fn write_manifest(version: &Version, manifest: &Manifest) -> Result<(), Error> {
    let path = version.origins_manifest_path();
    let text = serde_json::to_vec_pretty(manifest).map_err(|e| Error::store(&path, e))?;
    std::fs::write(&path, text).map_err(Error::io(&path))
}

/// What an incremental build changed of the row origins: how the records
/// of each changed file moved, and the rows of the records it added.
#[derive(Debug, Default)]
pub struct OriginsChange {
    /// The source files as the build found them before reading them.
    files: Vec<FileStamp>,
    moved: Vec<(PathBuf, Remap)>,
    added: Vec<Entry>,
}

impl OriginsChange {
    /// A change to the origins of `plan`'s sources, which the build is about
    /// to read: a file edited from now on counts as edited since the build.
    pub fn begin(plan: &Plan) -> Self {
        Self { files: FileStamp::of_sources(plan), ..Self::default() }
    }

    /// The records of `file` (as the plan names it) moved as `remap` says.
    pub fn moved(&mut self, file: &Path, remap: Remap) {
        if !self.moved.iter().any(|(path, _)| path == file) {
            self.moved.push((file.to_owned(), remap));
        }
    }

    /// A subject an added record of `plan`'s source `source` defines.
    pub fn added(&mut self, plan: &Plan, source: usize, seen: &SubjectSeen) {
        let row = Recorded {
            map: plan.maps[seen.map].name.clone(),
            file: plan.sources[source].source.path.clone(),
            line: seen.line,
            offset: seen.offset.filter(|_| seekable(plan, source)),
        };
        self.added.push(Entry { subject: seen.subject.as_str().to_owned(), row });
    }

    fn remap_of(&self, file: &Path) -> Option<&Remap> {
        self.moved.iter().find(|(path, _)| path == file).map(|(_, remap)| remap)
    }
}

/// Writes `new`'s row origins from `old`'s and `change`: an overlay on
/// `old`'s base, or the whole index again when the overlay would pass
/// [`OVERLAY_SHARE`] of the base. A version before the manifest has its
/// files linked as they are.
pub fn carry_over(old: &Version, new: &Version, change: &OriginsChange) -> Result<(), Error> {
    carry_over_up_to(old, new, change, (OVERLAY_SHARE, OVERLAY_FLOOR))
}

/// [`carry_over`], the overlay kept while it holds at most `floor` rows
/// and runs or `share` of the base's rows.
fn carry_over_up_to(
    old: &Version,
    new: &Version,
    change: &OriginsChange,
    (share, floor): (f64, usize),
) -> Result<(), Error> {
    let Some(manifest) = read_manifest(old) else {
        return [
            (old.origins_path(), new.origins_path()),
            (old.origins_index_path(), new.origins_index_path()),
            (old.origins_manifest_path(), new.origins_manifest_path()),
        ]
        .iter()
        .filter(|(from, _)| from.is_file())
        .try_for_each(|(from, to)| crate::store::link(from, to));
    };
    let (mut moved, mut added) = read_overlay(old, &manifest)?;
    for (file, remap) in &change.moved {
        let before = moved.remove(file).unwrap_or_else(Remap::unchanged);
        moved.insert(file.clone(), before.then(remap));
    }
    added.retain_mut(|entry| {
        let Some(remap) = change.remap_of(&entry.row.file) else { return true };
        let Some((line, offset)) = remap.place(entry.row.line, entry.row.offset) else { return false };
        (entry.row.line, entry.row.offset) = (line, offset);
        true
    });
    added.extend(change.added.iter().cloned());
    let size = added.len() + moved.values().map(|remap| remap.runs().len()).sum::<usize>();
    if size > floor && size as f64 > share * manifest.entries as f64 {
        return rewrite(old, new, &moved, &added, change.files.clone());
    }
    crate::store::link(&old.origins_path(), &new.origins_path())?;
    crate::store::link(&old.origins_index_path(), &new.origins_index_path())?;
    let lines = added.iter().map(|entry| Cow::Owned(entry.row.line_for(&entry.subject)));
    let added_lines = write_lines(&new.origins_added_path(), &new.origins_added_index_path(), lines)?;
    let mut runs = Vec::new();
    let mut moved_files = Vec::new();
    for (path, remap) in &moved {
        runs.extend(remap.to_bytes());
        moved_files.push(MovedFile { path: path.clone(), runs: remap.runs().len() as u64 });
    }
    let path = new.origins_moved_path();
    std::fs::write(&path, runs).map_err(Error::io(&path))?;
    let overlay = OverlayManifest { added: added_lines, moved: moved_files };
    let manifest = Manifest {
        format: OVERLAY_FORMAT,
        entries: manifest.entries,
        files: change.files.clone(),
        overlay: Some(overlay),
    };
    write_manifest(new, &manifest)
}

/// The whole index of `new`: `old`'s base rows moved (those whose record
/// went left out), then the added rows.
fn rewrite(
    old: &Version,
    new: &Version,
    moved: &BTreeMap<PathBuf, Remap>,
    added: &[Entry],
    files: Vec<FileStamp>,
) -> Result<(), Error> {
    let base = old.origins_path();
    let text = std::fs::read_to_string(&base).map_err(Error::io(&base))?;
    let kept = text.lines().filter_map(|line| {
        let file = line.split('\t').nth(2)?;
        let Some(remap) = moved.get(Path::new(file)) else { return Some(Cow::Borrowed(line)) };
        let (subject, mut row) = parse(line)?;
        (row.line, row.offset) = remap.place(row.line, row.offset)?;
        Some(Cow::Owned(row.line_for(subject)))
    });
    let lines = kept.chain(added.iter().map(|entry| Cow::Owned(entry.row.line_for(&entry.subject))));
    let entries = write_lines(&new.origins_path(), &new.origins_index_path(), lines)?;
    write_manifest(new, &Manifest { format: FORMAT, entries, files, overlay: None })
}

/// The version's manifest, if it has one of a format this reads.
fn read_manifest(version: &Version) -> Option<Manifest> {
    let text = std::fs::read(version.origins_manifest_path()).ok()?;
    let manifest = serde_json::from_slice::<Manifest>(&text).ok()?;
    let known = match &manifest.overlay {
        None => manifest.format == FORMAT,
        Some(_) => manifest.format == OVERLAY_FORMAT,
    };
    known.then_some(manifest)
}

/// The version's overlay, read whole: each moved file's remap, the added rows.
fn read_overlay(version: &Version, manifest: &Manifest) -> Result<(BTreeMap<PathBuf, Remap>, Vec<Entry>), Error> {
    let Some(overlay) = &manifest.overlay else { return Ok(Default::default()) };
    let moved = read_moved(version, overlay)?.into_iter().collect();
    let path = version.origins_added_path();
    let text = std::fs::read_to_string(&path).map_err(Error::io(&path))?;
    let added =
        text.lines().filter_map(parse).map(|(subject, row)| Entry { subject: subject.to_owned(), row }).collect();
    Ok((moved, added))
}

/// Each moved file's remap, from `origins.moved`.
fn read_moved(version: &Version, overlay: &OverlayManifest) -> Result<HashMap<PathBuf, Remap>, Error> {
    let path = version.origins_moved_path();
    let bytes = std::fs::read(&path).map_err(Error::io(&path))?;
    let mut moved = HashMap::new();
    let mut at = 0;
    for file in &overlay.moved {
        let end = at + file.runs as usize * remap::RUN_BYTES;
        let remap = bytes.get(at..end).and_then(Remap::from_bytes);
        let remap = remap.ok_or_else(|| Error::store(&path, "shorter than its manifest says"))?;
        moved.insert(file.path.clone(), remap);
        at = end;
    }
    Ok(moved)
}

impl Sink for OriginsWriter<'_> {
    fn accept(&mut self, batch: &MappedBatch) -> Result<(), Error> {
        let file = self.plan.sources[batch.source].source.path.display().to_string();
        let seekable = self.seekable[batch.source];
        for seen in &batch.subjects {
            let map = &self.plan.maps[seen.map].name;
            let subject = seen.subject.as_str();
            self.line.clear();
            let offset = seen.offset.filter(|_| seekable).map(|o| o.to_string()).unwrap_or_default();
            // Writing to a String cannot fail.
            let _ = std::fmt::Write::write_fmt(
                &mut self.line,
                format_args!("{subject}\t{map}\t{file}\t{}\t{offset}\n", seen.line),
            );
            self.entries.push((hash(subject), self.written));
            self.out.write_all(self.line.as_bytes()).map_err(Error::io(self.version.origins_path()))?;
            self.written += self.line.len() as u64;
        }
        Ok(())
    }
}

/// A version's row-origin index, open for lookups.
pub struct Origins {
    tsv_path: PathBuf,
    tsv: File,
    index: Option<Index>,
}

/// `origins.idx` and what its manifest says.
struct Index {
    sorted: Sorted,
    files: Vec<FileStamp>,
    overlay: Option<Overlay>,
}

/// An index file: (subject hash, position) entries, sorted.
struct Sorted {
    path: PathBuf,
    file: File,
    entries: u64,
}

/// What an incremental build laid over the base, open for lookups.
struct Overlay {
    tsv_path: PathBuf,
    tsv: File,
    sorted: Sorted,
    moved: HashMap<PathBuf, Remap>,
}

impl Origins {
    /// The index of `version`; `None` when its build kept none.
    pub fn open(version: &Version) -> Result<Option<Self>, Error> {
        let tsv_path = version.origins_path();
        let tsv = match File::open(&tsv_path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&tsv_path)(e)),
        };
        Ok(Some(Self { tsv_path, tsv, index: Index::open(version)? }))
    }

    /// The rows recorded for any of `subjects`: the base's in the order of
    /// `origins.tsv` (the mapping's), then those an overlay added.
    pub fn rows_of(&self, subjects: &HashSet<String>) -> Result<Vec<Recorded>, Error> {
        let Some(index) = &self.index else { return self.rows_in_one_pass(subjects) };
        let base = rows_found(&index.sorted, (&self.tsv, &self.tsv_path), subjects)?;
        let Some(overlay) = &index.overlay else { return Ok(base) };
        let mut rows: Vec<Recorded> = base.into_iter().filter_map(|row| overlay.place(row)).collect();
        rows.extend(rows_found(&overlay.sorted, (&overlay.tsv, &overlay.tsv_path), subjects)?);
        Ok(rows)
    }

    /// The source files of `plan` that differ from what the build read
    /// (their size or time of modification), are gone, or were not read by
    /// it: their rows may not be where the index says. Empty for a version
    /// without the manifest, whose rows are only found by line.
    pub fn changed_files(&self, plan: &Plan) -> Vec<PathBuf> {
        let Some(index) = &self.index else { return Vec::new() };
        let mut changed: Vec<PathBuf> = plan
            .sources
            .iter()
            .map(|source| &source.source.path)
            .filter(|path| FileStamp::of(path).is_none_or(|now| !index.files.contains(&now)))
            .cloned()
            .collect();
        changed.sort();
        changed.dedup();
        changed
    }

    /// Every subject recorded, sorted, once each: for "did you mean" when
    /// nothing matches (read in one pass; not on the way of an answer).
    pub fn subjects(&self) -> Result<Vec<String>, Error> {
        let mut subjects: Vec<String> = self.entries()?.into_iter().map(|entry| entry.subject).collect();
        subjects.sort_unstable();
        subjects.dedup();
        Ok(subjects)
    }

    /// Every row recorded, read in one pass: the base's, less those whose
    /// record went, moved, then those an overlay added.
    pub fn entries(&self) -> Result<Vec<Entry>, Error> {
        let overlay = self.index.as_ref().and_then(|index| index.overlay.as_ref());
        let text = std::fs::read_to_string(&self.tsv_path).map_err(Error::io(&self.tsv_path))?;
        let entry = |(subject, row): (&str, Recorded)| Entry { subject: subject.to_owned(), row };
        let mut entries: Vec<Entry> = text
            .lines()
            .filter_map(parse)
            .filter_map(|(subject, row)| match overlay {
                Some(overlay) => overlay.place(row).map(|row| (subject, row)),
                None => Some((subject, row)),
            })
            .map(entry)
            .collect();
        if let Some(overlay) = overlay {
            let text = std::fs::read_to_string(&overlay.tsv_path).map_err(Error::io(&overlay.tsv_path))?;
            entries.extend(text.lines().filter_map(parse).map(entry));
        }
        Ok(entries)
    }

    /// A version without `origins.idx`: every line is read.
    fn rows_in_one_pass(&self, subjects: &HashSet<String>) -> Result<Vec<Recorded>, Error> {
        let text = std::fs::read_to_string(&self.tsv_path).map_err(Error::io(&self.tsv_path))?;
        Ok(text
            .lines()
            .filter_map(|line| parse(line).filter(|(subject, _)| subjects.contains(*subject)).map(|(_, row)| row))
            .collect())
    }
}

/// The rows of `tsv` (a file of rows and its path) that `sorted` indexes
/// for `subjects`, in the order of `tsv`.
fn rows_found(sorted: &Sorted, tsv: (&File, &Path), subjects: &HashSet<String>) -> Result<Vec<Recorded>, Error> {
    let mut positions = Vec::new();
    for subject in subjects {
        positions.extend(sorted.positions(hash(subject))?);
    }
    positions.sort_unstable();
    let mut rows = Vec::new();
    for position in positions {
        let line = line_at(tsv, position)?;
        if let Some((subject, recorded)) = parse(&line) {
            if subjects.contains(subject) {
                rows.push(recorded);
            }
        }
    }
    Ok(rows)
}

/// The line of `tsv` (a file of rows and its path) that starts at `position`.
fn line_at((tsv, path): (&File, &Path), position: u64) -> Result<String, Error> {
    let mut line = Vec::new();
    let mut chunk = [0u8; 512];
    loop {
        let read = tsv.read_at(&mut chunk, position + line.len() as u64).map_err(Error::io(path))?;
        match chunk[..read].iter().position(|&b| b == b'\n') {
            Some(end) => {
                line.extend_from_slice(&chunk[..end]);
                break;
            }
            None if read == 0 => break,
            None => line.extend_from_slice(&chunk[..read]),
        }
    }
    String::from_utf8(line).map_err(|e| Error::store(path, e))
}

impl Index {
    /// The version's `origins.idx` and overlay, if its manifest says they
    /// are complete and of a format this reads.
    fn open(version: &Version) -> Result<Option<Self>, Error> {
        let Some(manifest) = read_manifest(version) else { return Ok(None) };
        let sorted = Sorted::open(version.origins_index_path(), manifest.entries)?;
        let overlay = match &manifest.overlay {
            None => None,
            Some(overlay) => {
                let tsv_path = version.origins_added_path();
                let tsv = File::open(&tsv_path).map_err(Error::io(&tsv_path))?;
                let sorted = Sorted::open(version.origins_added_index_path(), overlay.added)?;
                Some(Overlay { tsv_path, tsv, sorted, moved: read_moved(version, overlay)? })
            }
        };
        Ok(Some(Self { sorted, files: manifest.files, overlay }))
    }
}

impl Overlay {
    /// Where a row of the base is now; `None` if its record went.
    fn place(&self, mut row: Recorded) -> Option<Recorded> {
        if let Some(remap) = self.moved.get(&row.file) {
            (row.line, row.offset) = remap.place(row.line, row.offset)?;
        }
        Some(row)
    }
}

impl Sorted {
    fn open(path: PathBuf, entries: u64) -> Result<Self, Error> {
        let file = File::open(&path).map_err(Error::io(&path))?;
        Ok(Self { path, file, entries })
    }

    fn entry(&self, at: u64) -> Result<(u64, u64), Error> {
        let mut bytes = [0u8; ENTRY];
        self.file.read_exact_at(&mut bytes, at * ENTRY as u64).map_err(Error::io(&self.path))?;
        let (hash, position) = bytes.split_at(8);
        let number = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("eight bytes"));
        Ok((number(hash), number(position)))
    }

    /// The positions in the rows' file of the lines whose subject has
    /// `hash`: a binary search for the first, then the run of equal hashes.
    fn positions(&self, hash: u64) -> Result<Vec<u64>, Error> {
        let (mut low, mut high) = (0, self.entries);
        while low < high {
            let middle = low + (high - low) / 2;
            if self.entry(middle)?.0 < hash {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        let mut positions = Vec::new();
        while low < self.entries {
            let (found, position) = self.entry(low)?;
            if found != hash {
                break;
            }
            positions.push(position);
            low += 1;
        }
        Ok(positions)
    }
}

/// A line of `origins.tsv`: its subject and the row.
fn parse(line: &str) -> Option<(&str, Recorded)> {
    let mut fields = line.split('\t');
    let subject = fields.next()?;
    let map = fields.next()?.to_owned();
    let file = PathBuf::from(fields.next()?);
    let line = fields.next()?.parse().ok()?;
    let offset = fields.next().and_then(|o| o.parse().ok());
    Some((subject, Recorded { map, file, line, offset }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash is part of the file format: it must never change.
    #[test]
    fn the_subject_hash_is_fnv_1a() {
        assert_eq!(hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash("a"), 0xaf63_dc4c_8601_ec8c);
    }

    /// Writes an index by hand: `lines` as `origins.tsv`, each entry with
    /// the hash given (to make two subjects collide) and its line's position.
    fn written(version: &Version, lines: &[(&str, u64)]) {
        let (mut tsv, mut entries) = (String::new(), Vec::new());
        for (line, hash) in lines {
            entries.push((*hash, tsv.len() as u64));
            tsv.push_str(line);
            tsv.push('\n');
        }
        entries.sort_unstable();
        std::fs::write(version.origins_path(), tsv).unwrap();
        let bytes: Vec<u8> = entries.iter().flat_map(|(h, p)| [h.to_le_bytes(), p.to_le_bytes()]).flatten().collect();
        std::fs::write(version.origins_index_path(), bytes).unwrap();
        let manifest = Manifest { format: FORMAT, entries: entries.len() as u64, files: Vec::new(), overlay: None };
        std::fs::write(version.origins_manifest_path(), serde_json::to_vec(&manifest).unwrap()).unwrap();
    }

    #[test]
    fn a_subjects_rows_are_found_by_its_hash_and_a_colliding_subject_is_left_out() {
        let folder = tempfile::tempdir().unwrap();
        let slot = crate::store::StoreDir::new(folder.path()).begin_build().unwrap();
        let (a, b, c) = ("http://e.org/a", "http://e.org/b", "http://e.org/c");
        written(
            slot.version(),
            &[
                (&format!("{a}\tm\tx.csv\t2\t10"), hash(a)),
                (&format!("{b}\tm\tx.csv\t3\t20"), hash(a)), // collides with a
                (&format!("{c}\tm\tx.csv\t4\t30"), hash(c)),
                (&format!("{a}\tn\ty.csv\t9\t"), hash(a)),
            ],
        );
        let origins = Origins::open(slot.version()).unwrap().unwrap();
        let rows = |subjects: &[&str]| {
            let subjects = subjects.iter().map(|s| s.to_string()).collect();
            origins.rows_of(&subjects).unwrap().into_iter().map(|r| (r.map, r.line, r.offset)).collect::<Vec<_>>()
        };
        assert_eq!(rows(&[a]), [("m".into(), 2, Some(10)), ("n".into(), 9, None)]);
        assert_eq!(rows(&[c, a]), [("m".into(), 2, Some(10)), ("m".into(), 4, Some(30)), ("n".into(), 9, None)]);
        assert_eq!(rows(&["http://e.org/absent"]), []);
        assert_eq!(origins.subjects().unwrap(), [a, b, c]);
    }

    fn row(subject: &str, file: &str, line: u64, offset: u64) -> Entry {
        let row = Recorded { map: "m".into(), file: file.into(), line, offset: Some(offset) };
        Entry { subject: format!("http://e.org/{subject}"), row }
    }

    fn run(start: u64, end: u64, lines: i64, bytes: i64) -> remap::Moved {
        remap::Moved { start, end, lines, bytes }
    }

    /// Two incremental builds' changes to x.csv (records of 10 bytes, one a
    /// line, from line 2 at offset 8), carried over with an overlay, with
    /// the whole index written again, and with both in turn: the rows are
    /// those a full build of the last file records.
    #[test]
    fn rows_carried_over_are_those_of_a_full_build_with_an_overlay_or_written_again() {
        let base: Vec<Entry> =
            (2..=6).map(|line| row(&format!("s{line}"), "x.csv", line, 8 + 10 * (line - 2))).collect();
        let mut first = OriginsChange::default();
        // s3 (line 3) removed, s7 added at the end.
        first.moved(Path::new("x.csv"), Remap::from_runs(vec![run(2, 3, 0, 0), run(4, 7, -1, -10)]));
        first.added.push(row("s7", "x.csv", 6, 48));
        let mut second = OriginsChange::default();
        // s8 (two lines, 20 bytes) inserted before s4 (line 3), s7 (line 6) removed.
        second.moved(Path::new("x.csv"), Remap::from_runs(vec![run(2, 3, 0, 0), run(3, 6, 2, 20)]));
        second.added.push(row("s8", "x.csv", 3, 18));
        let mut expected = vec![
            row("s2", "x.csv", 2, 8),
            row("s4", "x.csv", 5, 38),
            row("s5", "x.csv", 6, 48),
            row("s6", "x.csv", 7, 58),
            row("s8", "x.csv", 3, 18),
            row("y", "y.csv", 2, 8),
        ];
        expected.sort_by_key(|e| e.subject.clone());
        let (overlay, again) = ((f64::MAX, usize::MAX), (0.0, 0));
        for limits in [[overlay, overlay], [again, again], [overlay, again], [again, overlay]] {
            let folders: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
            let slots: Vec<_> =
                folders.iter().map(|f| crate::store::StoreDir::new(f.path()).begin_build().unwrap()).collect();
            let base_lines: Vec<String> =
                base.iter().chain([&row("y", "y.csv", 2, 8)]).map(|e| e.row.line_for(&e.subject)).collect();
            let lines: Vec<(&str, u64)> =
                base_lines.iter().map(|l| (l.as_str(), hash(l.split('\t').next().unwrap()))).collect();
            written(slots[0].version(), &lines);
            carry_over_up_to(slots[0].version(), slots[1].version(), &first, limits[0]).unwrap();
            carry_over_up_to(slots[1].version(), slots[2].version(), &second, limits[1]).unwrap();
            let origins = Origins::open(slots[2].version()).unwrap().unwrap();
            let mut entries = origins.entries().unwrap();
            entries.sort_by_key(|e| e.subject.clone());
            assert_eq!(entries, expected, "{limits:?}");
            let rows_of = |subjects: &[&str]| {
                let subjects = subjects.iter().map(|s| format!("http://e.org/{s}")).collect();
                origins.rows_of(&subjects).unwrap().into_iter().map(|r| (r.line, r.offset)).collect::<Vec<_>>()
            };
            assert_eq!(rows_of(&["s5"]), [(6, Some(48))], "{limits:?}");
            assert_eq!(rows_of(&["s8"]), [(3, Some(18))], "{limits:?}");
            assert_eq!(rows_of(&["s3"]), [], "{limits:?}");
            assert_eq!(rows_of(&["s7"]), [], "{limits:?}");
            let subjects = origins.subjects().unwrap();
            assert!(!subjects.iter().any(|s| s.ends_with("s3") || s.ends_with("s7")), "{subjects:?}");
            assert_eq!(subjects.len(), 6, "{subjects:?}");
        }
    }

    #[test]
    fn a_line_has_its_offset_or_none() {
        let (subject, row) = parse("http://e.org/s\tm\tdata/x.csv\t3\t17").unwrap();
        assert_eq!(subject, "http://e.org/s");
        assert_eq!(row, Recorded { map: "m".into(), file: "data/x.csv".into(), line: 3, offset: Some(17) });
        assert_eq!(parse("http://e.org/s\tm\tdata/x.csv\t3\t").unwrap().1.offset, None);
        assert_eq!(parse("http://e.org/s\tm\tdata/x.csv\t3").unwrap().1.offset, None, "a version before offsets");
    }
}
