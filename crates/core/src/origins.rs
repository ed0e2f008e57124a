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

use crate::mapping::{MappedBatch, Plan};
use crate::pipeline::Sink;
use crate::store::Version;
use crate::Error;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Bumped when the files change meaning; an index of another format is
/// not used (the rows are then found in one pass, as before the index).
const FORMAT: u32 = 1;
/// Bytes of one entry of `origins.idx`: the subject's hash, the position.
const ENTRY: usize = 16;

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

/// What `origins.json` says of the index.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    entries: u64,
    files: Vec<FileStamp>,
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
        let seekable = plan
            .sources
            .iter()
            .map(|source| source.maps.iter().any(|&map| crate::mapping::execute::can_map_rows_at(plan, map)))
            .collect();
        let files = plan.sources.iter().filter_map(|source| FileStamp::of(&source.source.path)).collect();
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
        self.entries.sort_unstable();
        let path = self.version.origins_index_path();
        let mut out = std::io::BufWriter::with_capacity(1 << 20, File::create(&path).map_err(Error::io(&path))?);
        for (hash, position) in &self.entries {
            out.write_all(&hash.to_le_bytes())
                .and_then(|()| out.write_all(&position.to_le_bytes()))
                .map_err(Error::io(&path))?;
        }
        out.flush().map_err(Error::io(&path))?;
        let manifest = Manifest { format: FORMAT, entries: self.entries.len() as u64, files: self.files };
        let path = self.version.origins_manifest_path();
        let text = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::store(&path, e))?;
        std::fs::write(&path, text).map_err(Error::io(&path))
    }
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
    path: PathBuf,
    file: File,
    entries: u64,
    files: Vec<FileStamp>,
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

    /// The rows recorded for any of `subjects`, in the order of
    /// `origins.tsv` (the mapping's).
    pub fn rows_of(&self, subjects: &HashSet<String>) -> Result<Vec<Recorded>, Error> {
        let Some(index) = &self.index else { return self.rows_in_one_pass(subjects) };
        let mut positions = Vec::new();
        for subject in subjects {
            positions.extend(index.positions(hash(subject))?);
        }
        positions.sort_unstable();
        let mut rows = Vec::new();
        for position in positions {
            let line = self.line_at(position)?;
            if let Some((subject, recorded)) = parse(&line) {
                if subjects.contains(subject) {
                    rows.push(recorded);
                }
            }
        }
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
        let text = std::fs::read_to_string(&self.tsv_path).map_err(Error::io(&self.tsv_path))?;
        let mut subjects: Vec<String> = text.lines().filter_map(|l| l.split('\t').next()).map(str::to_owned).collect();
        subjects.sort_unstable();
        subjects.dedup();
        Ok(subjects)
    }

    /// A version without `origins.idx`: every line is read.
    fn rows_in_one_pass(&self, subjects: &HashSet<String>) -> Result<Vec<Recorded>, Error> {
        let text = std::fs::read_to_string(&self.tsv_path).map_err(Error::io(&self.tsv_path))?;
        Ok(text
            .lines()
            .filter_map(|line| parse(line).filter(|(subject, _)| subjects.contains(*subject)).map(|(_, row)| row))
            .collect())
    }

    /// The line of `origins.tsv` that starts at `position`.
    fn line_at(&self, position: u64) -> Result<String, Error> {
        let mut line = Vec::new();
        let mut chunk = [0u8; 512];
        loop {
            let read = self.tsv.read_at(&mut chunk, position + line.len() as u64).map_err(Error::io(&self.tsv_path))?;
            match chunk[..read].iter().position(|&b| b == b'\n') {
                Some(end) => {
                    line.extend_from_slice(&chunk[..end]);
                    break;
                }
                None if read == 0 => break,
                None => line.extend_from_slice(&chunk[..read]),
            }
        }
        String::from_utf8(line).map_err(|e| Error::store(&self.tsv_path, e))
    }
}

impl Index {
    /// The version's `origins.idx`, if its manifest says it is complete and
    /// of this format.
    fn open(version: &Version) -> Result<Option<Self>, Error> {
        let Ok(text) = std::fs::read(version.origins_manifest_path()) else { return Ok(None) };
        let Ok(manifest) = serde_json::from_slice::<Manifest>(&text) else { return Ok(None) };
        if manifest.format != FORMAT {
            return Ok(None);
        }
        let path = version.origins_index_path();
        let file = File::open(&path).map_err(Error::io(&path))?;
        Ok(Some(Self { path, file, entries: manifest.entries, files: manifest.files }))
    }

    fn entry(&self, at: u64) -> Result<(u64, u64), Error> {
        let mut bytes = [0u8; ENTRY];
        self.file.read_exact_at(&mut bytes, at * ENTRY as u64).map_err(Error::io(&self.path))?;
        let (hash, position) = bytes.split_at(8);
        let number = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("eight bytes"));
        Ok((number(hash), number(position)))
    }

    /// The positions in `origins.tsv` of the lines whose subject has `hash`:
    /// a binary search for the first, then the run of equal hashes.
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
        let manifest = Manifest { format: FORMAT, entries: entries.len() as u64, files: Vec::new() };
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

    #[test]
    fn a_line_has_its_offset_or_none() {
        let (subject, row) = parse("http://e.org/s\tm\tdata/x.csv\t3\t17").unwrap();
        assert_eq!(subject, "http://e.org/s");
        assert_eq!(row, Recorded { map: "m".into(), file: "data/x.csv".into(), line: 3, offset: Some(17) });
        assert_eq!(parse("http://e.org/s\tm\tdata/x.csv\t3\t").unwrap().1.offset, None);
        assert_eq!(parse("http://e.org/s\tm\tdata/x.csv\t3").unwrap().1.offset, None, "a version before offsets");
    }
}
