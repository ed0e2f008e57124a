//! Sorted runs: the sort keys of quads, sorted, in files that are then merged.
//!
//! A key is `graph \0 subject \0 predicate \0 object`, each term in
//! N-Triples syntax (which has no raw NUL or newline), the default graph as
//! the empty string so that it sorts first. Run files are front-coded: each
//! key is written as the number of bytes it shares with the key before it and
//! the bytes that follow. Sorted keys of one subject share most of their
//! bytes, so a run takes far less room than the text of its quads.

use crate::ntriples::push_term;
use crate::Error;
use oxigraph::model::{GraphNameRef, QuadRef};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Sort keys gathered in one buffer, without an allocation per key, then
/// written sorted as a run file.
#[derive(Debug, Default)]
pub(crate) struct SortKeys {
    text: Vec<u8>,
    ends: Vec<usize>,
}

impl SortKeys {
    pub(crate) fn push(&mut self, quad: QuadRef<'_>) {
        push_key(&mut self.text, quad);
        self.ends.push(self.text.len());
    }

    /// The keys held, in the order given.
    pub(crate) fn into_keys(self) -> Vec<Vec<u8>> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|&end| {
                let key = self.text[start..end].to_vec();
                start = end;
                key
            })
            .collect()
    }

    /// Bytes the keys take.
    pub(crate) fn bytes(&self) -> usize {
        self.text.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Writes the keys held, sorted and each once, as the run file `path`,
    /// and empties the buffer; returns how many keys were written.
    pub(crate) fn write_run(&mut self, path: &Path) -> Result<u64, Error> {
        let mut keys: Vec<&[u8]> = Vec::with_capacity(self.ends.len());
        let mut start = 0;
        for &end in &self.ends {
            keys.push(&self.text[start..end]);
            start = end;
        }
        keys.sort_unstable();
        keys.dedup();
        let written = write_run(path, keys)?;
        self.text.clear();
        self.ends.clear();
        Ok(written)
    }
}

/// The terms of a sort key, each in N-Triples syntax.
pub(crate) struct KeyTerms<'a> {
    /// `None` for the default graph.
    pub graph: Option<&'a [u8]>,
    pub subject: &'a [u8],
    pub predicate: &'a [u8],
    pub object: &'a [u8],
}

/// Splits a sort key into its terms; `None` if it is not a key.
pub(crate) fn split_key(key: &[u8]) -> Option<KeyTerms<'_>> {
    // memchr: the index reads tens of millions of keys, and a byte-by-byte
    // split was a third of its time.
    let mut ends = memchr::memchr_iter(0, key);
    let (g, s, p) = (ends.next()?, ends.next()?, ends.next()?);
    if ends.next().is_some() {
        return None;
    }
    let graph = (g > 0).then(|| &key[..g]);
    Some(KeyTerms { graph, subject: &key[g + 1..s], predicate: &key[s + 1..p], object: &key[p + 1..] })
}

/// Appends the sort key of `quad` to `key`.
fn push_key(key: &mut Vec<u8>, quad: QuadRef<'_>) {
    match quad.graph_name {
        GraphNameRef::NamedNode(graph) => push_term(key, graph.into()),
        GraphNameRef::BlankNode(graph) => push_term(key, graph.into()),
        GraphNameRef::DefaultGraph => {}
    }
    for term in [quad.subject.into(), quad.predicate.into(), quad.object] {
        key.push(0);
        push_term(key, term);
    }
}

/// Writes `keys`, which must be sorted, as a run file; returns how many.
pub(crate) fn write_run<'a>(path: &Path, keys: impl IntoIterator<Item = &'a [u8]>) -> Result<u64, Error> {
    let mut file = BufWriter::with_capacity(1 << 20, File::create(path).map_err(Error::io(path))?);
    let mut previous: &[u8] = &[];
    let mut count = 0;
    let mut record = Vec::new();
    for key in keys {
        let shared = previous.iter().zip(key).take_while(|(a, b)| a == b).count();
        record.clear();
        crate::leb128::push(&mut record, shared);
        crate::leb128::push(&mut record, key.len() - shared);
        record.extend_from_slice(&key[shared..]);
        file.write_all(&record).map_err(Error::io(path))?;
        previous = key;
        count += 1;
    }
    file.flush().map_err(Error::io(path))?;
    Ok(count)
}

/// Reads the keys of a run file in order.
pub(crate) struct RunReader {
    path: PathBuf,
    input: BufReader<File>,
    /// The key last read from the file (the next one shares its start).
    key: Vec<u8>,
    overlay: Option<Overlay>,
    /// The key last handed out, when an overlay is merged in.
    out: Vec<u8>,
}

/// Keys added to and removed from a run by incremental builds, kept beside
/// it (`RUN.added`, `RUN.removed`: one key a line) so that a build that
/// changes a few quads of a bucket links the run instead of writing it
/// again. Read whole: they are kept small (see `KeptRuns::update`).
struct Overlay {
    added: Vec<Vec<u8>>,
    next_added: usize,
    removed: std::collections::HashSet<Vec<u8>>,
    /// The run's next key not removed, read ahead.
    base: Option<Vec<u8>>,
    base_read: bool,
}

/// The files of the overlay of the run at `path`.
pub(crate) fn overlay_paths(path: &Path) -> (PathBuf, PathBuf) {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    (path.with_file_name(format!("{name}.added")), path.with_file_name(format!("{name}.removed")))
}

/// The keys of an overlay file (none if there is no file).
pub(crate) fn read_keys(path: &Path) -> Result<Vec<Vec<u8>>, Error> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(bytes.split(|&b| b == b'\n').filter(|k| !k.is_empty()).map(<[u8]>::to_vec).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io(path)(e)),
    }
}

/// Writes keys one a line, sorted.
pub(crate) fn write_keys(path: &Path, keys: &std::collections::BTreeSet<Vec<u8>>) -> Result<(), Error> {
    let mut out = BufWriter::new(File::create(path).map_err(Error::io(path))?);
    for key in keys {
        out.write_all(key).and_then(|()| out.write_all(b"\n")).map_err(Error::io(path))?;
    }
    out.flush().map_err(Error::io(path))
}

impl RunReader {
    pub(crate) fn open(path: &Path) -> Result<Self, Error> {
        let file = File::open(path).map_err(Error::io(path))?;
        let (added, removed) = overlay_paths(path);
        let (mut added, removed) = (read_keys(&added)?, read_keys(&removed)?);
        let overlay = (!added.is_empty() || !removed.is_empty()).then(|| {
            added.sort_unstable();
            Overlay { added, next_added: 0, removed: removed.into_iter().collect(), base: None, base_read: false }
        });
        let input = BufReader::with_capacity(1 << 16, file);
        Ok(Self { path: path.to_owned(), input, key: Vec::new(), overlay, out: Vec::new() })
    }

    /// The next key, or `None` at the end of the run.
    pub(crate) fn next_key(&mut self) -> Result<Option<String>, Error> {
        match self.next_key_bytes()? {
            Some(key) => String::from_utf8(key.to_vec()).map(Some).map_err(|_| self.corrupt()),
            None => Ok(None),
        }
    }

    /// The next key's bytes, without a copy, or `None` at the end of the run.
    pub(crate) fn next_key_bytes(&mut self) -> Result<Option<&[u8]>, Error> {
        let Some(mut overlay) = self.overlay.take() else { return self.next_stored_key() };
        let next = self.next_with_overlay(&mut overlay);
        self.overlay = Some(overlay);
        match next? {
            Some(key) => {
                self.out = key;
                Ok(Some(&self.out))
            }
            None => Ok(None),
        }
    }

    /// The next key of the run less the removed ones, merged with the added ones.
    fn next_with_overlay(&mut self, overlay: &mut Overlay) -> Result<Option<Vec<u8>>, Error> {
        if !overlay.base_read {
            overlay.base = self.next_kept(overlay)?;
            overlay.base_read = true;
        }
        let added = overlay.added.get(overlay.next_added);
        let take_added = match (&overlay.base, added) {
            (None, None) => return Ok(None),
            (Some(base), Some(added)) => added < base,
            (None, Some(_)) => true,
            (Some(_), None) => false,
        };
        if take_added {
            overlay.next_added += 1;
            return Ok(added.cloned());
        }
        let key = overlay.base.take();
        overlay.base = self.next_kept(overlay)?;
        Ok(key)
    }

    /// The run's next key that the overlay does not remove.
    fn next_kept(&mut self, overlay: &Overlay) -> Result<Option<Vec<u8>>, Error> {
        while let Some(key) = self.next_stored_key()? {
            if !overlay.removed.contains(key) {
                return Ok(Some(key.to_vec()));
            }
        }
        Ok(None)
    }

    /// The next key stored in the run file.
    fn next_stored_key(&mut self) -> Result<Option<&[u8]>, Error> {
        let Some(shared) = self.read_varint(true)? else { return Ok(None) };
        let Some(rest) = self.read_varint(false)? else { return Err(self.corrupt()) };
        if shared > self.key.len() {
            return Err(self.corrupt());
        }
        self.key.truncate(shared);
        self.key.resize(shared + rest, 0);
        self.input.read_exact(&mut self.key[shared..]).map_err(|_| self.corrupt())?;
        Ok(Some(&self.key))
    }

    /// A LEB128 number; `None` at the end of the file if `may_end`.
    fn read_varint(&mut self, may_end: bool) -> Result<Option<usize>, Error> {
        match crate::leb128::read(&mut self.input) {
            Ok(Some(value)) => Ok(Some(value)),
            Ok(None) if may_end => Ok(None),
            Ok(None) => Err(self.corrupt()),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Err(self.corrupt()),
            Err(e) => Err(Error::io(&self.path)(e)),
        }
    }

    fn corrupt(&self) -> Error {
        Error::store(&self.path, "a sorted run file is damaged; build again (or delete the folder) to rewrite it")
    }
}

/// The keys of several run files merged into one sorted stream, without an
/// allocation per key: each run's next key waits in a buffer of its own,
/// and the buffer of the key handed out is reused for the next one read.
pub(crate) struct MergedKeys {
    readers: Vec<RunReader>,
    waiting: BinaryHeap<Reverse<(Vec<u8>, usize)>>,
    current: Vec<u8>,
}

impl MergedKeys {
    pub(crate) fn open(paths: &[PathBuf]) -> Result<Self, Error> {
        let mut readers = Vec::with_capacity(paths.len());
        let mut waiting = BinaryHeap::with_capacity(paths.len());
        for (index, path) in paths.iter().enumerate() {
            let mut reader = RunReader::open(path)?;
            if let Some(key) = reader.next_key_bytes()? {
                waiting.push(Reverse((key.to_vec(), index)));
            }
            readers.push(reader);
        }
        Ok(Self { readers, waiting, current: Vec::new() })
    }

    /// The smallest key not yet given, or `None` when every run is read.
    pub(crate) fn next_key(&mut self) -> Result<Option<&[u8]>, Error> {
        let Some(Reverse((key, index))) = self.waiting.pop() else { return Ok(None) };
        let mut spare = std::mem::replace(&mut self.current, key);
        if let Some(next) = self.readers[index].next_key_bytes()? {
            spare.clear();
            spare.extend_from_slice(next);
            self.waiting.push(Reverse((spare, index)));
        }
        Ok(Some(&self.current))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_back_as_written() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("run");
        let mut keys: Vec<String> =
            (0..300).map(|i| format!("\0<http://example.org/s{}>\0<p>\0\"{}\"", i / 7, "é".repeat(i))).collect();
        keys.push(String::new());
        keys.sort();
        assert_eq!(write_run(&path, keys.iter().map(String::as_bytes)).unwrap(), 301);
        let mut reader = RunReader::open(&path).unwrap();
        let mut read = Vec::new();
        while let Some(key) = reader.next_key().unwrap() {
            read.push(key);
        }
        assert_eq!(read, keys);
    }

    #[test]
    fn keys_split_into_their_terms() {
        let default = split_key(b"\0<s>\0<p>\0\"o\\u0000\"").unwrap();
        assert_eq!((default.graph, default.subject, default.predicate), (None, &b"<s>"[..], &b"<p>"[..]));
        assert_eq!(default.object, b"\"o\\u0000\"");
        let named = split_key(b"<g>\0_:b\0<p>\0<o>").unwrap();
        assert_eq!((named.graph, named.subject, named.object), (Some(&b"<g>"[..]), &b"_:b"[..], &b"<o>"[..]));
        assert!(split_key(b"<g>\0<s>\0<p>").is_none());
        assert!(split_key(b"\0<s>\0<p>\0<o>\0<x>").is_none());
    }

    #[test]
    fn a_truncated_run_is_an_error_not_a_short_read() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("run");
        write_run(&path, [&b"\0<a>\0<b>\0<c>"[..], &b"\0<a>\0<b>\0<d>"[..]]).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 2]).unwrap();
        let mut reader = RunReader::open(&path).unwrap();
        assert!(reader.next_key().unwrap().is_some());
        assert!(reader.next_key().is_err());
    }

    #[test]
    fn a_run_cut_inside_a_length_is_damaged() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("run");
        write_run(&path, [&[b'a'; 200][..]]).unwrap(); // a length of two bytes
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..2]).unwrap();
        let error = RunReader::open(&path).unwrap().next_key().unwrap_err();
        assert!(error.to_string().contains("damaged"), "{error}");
    }

    #[test]
    fn merged_runs_give_every_key_in_order() {
        let folder = tempfile::tempdir().unwrap();
        let keys: Vec<Vec<u8>> = (0..100).map(|i| format!("\0<s{i:03}>\0<p>\0<o>").into_bytes()).collect();
        let mut paths = Vec::new();
        for part in 0..3 {
            let path = folder.path().join(format!("run-{part}"));
            write_run(&path, keys.iter().skip(part).step_by(3).map(Vec::as_slice)).unwrap();
            paths.push(path);
        }
        paths.push(folder.path().join("empty"));
        write_run(&paths[3], []).unwrap();
        let mut merged = MergedKeys::open(&paths).unwrap();
        let mut read = Vec::new();
        while let Some(key) = merged.next_key().unwrap() {
            read.push(key.to_vec());
        }
        assert_eq!(read, keys);
    }
}
