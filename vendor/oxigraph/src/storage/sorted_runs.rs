//! Sorted runs of the bulk loader, and their merge into SST files that do not
//! overlap.
//!
//! Each batch of the bulk loader sorts its keys for every column family and
//! writes them to a run file of its own format. At commit the runs of a
//! column family are merged into one sorted sequence, cut into SST files
//! written with that column family's options. The files do not overlap, so
//! RocksDB ingests them into the last level as they are: there is nothing
//! left to compact, and the files are moved rather than copied.

use crate::storage::error::StorageError;
use crate::storage::map_thread_result;
use crate::storage::rocksdb_wrapper::{ColumnFamily, Db, SstFileWriter};
use std::collections::HashMap;
use std::fs::{File, remove_file};
use std::io::{self, BufWriter, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::thread;

/// Raw bytes of keys and values after which a merged SST file is closed and
/// the next one begun (RocksDB's own compaction writes files of 64 MB).
const SST_FILE_BYTES: u64 = 64 << 20;
/// The buffer of each run as it is written and as it is read back: the merge
/// reads all runs at once, and 20 million quads loaded in batches of 150 000
/// make about 130 runs a column family.
const RUN_BUFFER_BYTES: usize = 64 << 10;

/// Writes entries, sorted by key, as a run: for each entry, the key's
/// length (u32, little endian), the key, the value's length and the value.
pub fn write_run<'a>(
    path: &Path,
    sorted_entries: impl Iterator<Item = (&'a [u8], &'a [u8])>,
) -> Result<(), StorageError> {
    let mut file = BufWriter::with_capacity(RUN_BUFFER_BYTES, File::create(path)?);
    for (key, value) in sorted_entries {
        write_field(&mut file, key)?;
        write_field(&mut file, value)?;
    }
    file.into_inner().map_err(io::IntoInnerError::into_error)?;
    Ok(())
}

/// Keys written one after the other into one buffer, then sorted by their
/// bytes: no allocation a key, and most comparisons made on the first eight
/// bytes alone.
#[derive(Default)]
pub struct SortedKeys {
    bytes: Vec<u8>,
    /// For each key, its first eight bytes (big endian, zero-padded) and where
    /// it is in `bytes`.
    keys: Vec<(u64, usize, usize)>,
}

impl SortedKeys {
    /// Adds the key that `write` appends to the buffer it is given.
    pub fn push(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        let start = self.bytes.len();
        write(&mut self.bytes);
        let key = &self.bytes[start..];
        let mut prefix = [0; 8];
        let length = key.len().min(8);
        prefix[..length].copy_from_slice(&key[..length]);
        self.keys
            .push((u64::from_be_bytes(prefix), start, self.bytes.len()));
    }

    pub fn sort(&mut self) {
        let bytes = &self.bytes;
        let key = |(_, start, end): &(u64, usize, usize)| &bytes[*start..*end];
        self.keys
            .sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| key(a).cmp(key(b))));
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.keys
            .iter()
            .map(|(_, start, end)| &self.bytes[*start..*end])
    }
}

fn write_field(file: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let length = u32::try_from(bytes.len()).map_err(io::Error::other)?;
    file.write_all(&length.to_le_bytes())?;
    file.write_all(bytes)
}

/// Merges the runs of each column family into SST files that do not overlap,
/// one column family a thread, and moves them into the database. The runs
/// stay for the caller to remove.
pub fn merge_into_last_level(
    db: &Db,
    runs: &[(ColumnFamily, PathBuf)],
) -> Result<(), StorageError> {
    let mut runs_by_cf = HashMap::<&ColumnFamily, Vec<PathBuf>>::new();
    for (cf, run) in runs {
        runs_by_cf.entry(cf).or_default().push(run.clone());
    }
    let merged = thread::scope(|scope| {
        let merges = runs_by_cf
            .iter()
            .map(|(cf, runs)| scope.spawn(move || merge_into_sst_files(db, cf, runs)))
            .collect::<Vec<_>>();
        merges
            .into_iter()
            .zip(runs_by_cf.keys())
            .map(|(merge, cf)| {
                let files = map_thread_result(merge.join()).map_err(StorageError::Io)?;
                Ok(files?
                    .into_iter()
                    .map(|sst| ((*cf).clone(), sst))
                    .collect::<Vec<_>>())
            })
            .collect::<Vec<Result<_, StorageError>>>()
    });
    let mut ssts = Vec::new();
    let mut failure = None;
    for files in merged {
        match files {
            Ok(files) => ssts.extend(files),
            Err(e) => failure = Some(e),
        }
    }
    let result = match failure {
        Some(e) => Err(e),
        None => db.move_sst_files_in(&ssts),
    };
    if result.is_err() {
        for (_, sst) in &ssts {
            #[expect(unused_must_use)] // We already have an error to report...
            remove_file(sst);
        }
    }
    result
}

/// Merges the runs of one column family into SST files that do not overlap,
/// in key order, keeping one entry of each key. Returns the files written;
/// on error, none is left behind.
fn merge_into_sst_files(
    db: &Db,
    column_family: &ColumnFamily,
    runs: &[PathBuf],
) -> Result<Vec<PathBuf>, StorageError> {
    let mut written = Vec::new();
    let result = merge(db, column_family, runs, &mut written);
    if result.is_err() {
        for path in &written {
            #[expect(unused_must_use)] // We already have an error to report...
            remove_file(path);
        }
    }
    result.map(|()| written)
}

fn merge(
    db: &Db,
    column_family: &ColumnFamily,
    runs: &[PathBuf],
    written: &mut Vec<PathBuf>,
) -> Result<(), StorageError> {
    let readers = runs
        .iter()
        .map(|path| RunReader::open(path))
        .collect::<io::Result<Vec<_>>>()?;
    let mut tournament = Tournament::new(readers)?;
    let mut sst: Option<(SstFileWriter, u64)> = None;
    let mut last_key = Vec::new();
    let mut first = true;
    while let Some((key, value)) = tournament.winner() {
        if first || key != last_key.as_slice() {
            first = false;
            let (writer, bytes) = match &mut sst {
                Some(open) => open,
                None => sst.insert((db.new_sst_file_for(column_family)?, 0)),
            };
            writer.insert(key, value)?;
            *bytes += (key.len() + value.len()) as u64;
            last_key.clear();
            last_key.extend_from_slice(key);
            if *bytes >= SST_FILE_BYTES {
                if let Some((writer, _)) = sst.take() {
                    written.push(writer.finish()?);
                }
            }
        }
        tournament.advance_winner()?;
    }
    if let Some((writer, _)) = sst {
        written.push(writer.finish()?);
    }
    Ok(())
}

/// A run read through a buffer of its own; the current entry is a slice of
/// that buffer, valid until the run advances.
struct RunReader {
    file: File,
    buffer: Vec<u8>,
    /// Where the current entry begins in the buffer: the bytes before it are
    /// consumed, and a refill moves the entry to the buffer's start.
    entry_start: usize,
    key: (usize, usize),
    value: (usize, usize),
    /// The unread bytes of the buffer.
    unread: (usize, usize),
    ended: bool,
}

impl RunReader {
    fn open(path: &Path) -> io::Result<Self> {
        let mut reader = Self {
            file: File::open(path)?,
            buffer: vec![0; RUN_BUFFER_BYTES],
            entry_start: 0,
            key: (0, 0),
            value: (0, 0),
            unread: (0, 0),
            ended: false,
        };
        reader.advance()?;
        Ok(reader)
    }

    fn entry(&self) -> Option<(&[u8], &[u8])> {
        (!self.ended).then(|| {
            (
                &self.buffer[self.key.0..self.key.1],
                &self.buffer[self.value.0..self.value.1],
            )
        })
    }

    /// Moves to the next entry, or to the end of the run.
    fn advance(&mut self) -> io::Result<()> {
        self.entry_start = self.unread.0;
        if !self.fill(4)? && self.unread.0 == self.unread.1 {
            self.ended = true;
            return Ok(());
        }
        let key_length = self.length()?;
        self.key = self.take(key_length)?;
        let value_length = self.length()?;
        self.value = self.take(value_length)?;
        Ok(())
    }

    fn length(&mut self) -> io::Result<usize> {
        let (start, end) = self.take(4)?;
        let mut length = [0; 4];
        length.copy_from_slice(&self.buffer[start..end]);
        Ok(u32::from_le_bytes(length) as usize)
    }

    /// The place in the buffer of the next `length` bytes, now consumed.
    fn take(&mut self, length: usize) -> io::Result<(usize, usize)> {
        if !self.fill(length)? {
            return Err(io::Error::new(
                ErrorKind::UnexpectedEof,
                "A run of the bulk loader ends inside an entry",
            ));
        }
        let start = self.unread.0;
        self.unread.0 += length;
        Ok((start, start + length))
    }

    /// Makes `wanted` unread bytes available, reading more if it must;
    /// false at the end of the file.
    fn fill(&mut self, wanted: usize) -> io::Result<bool> {
        if self.unread.1 - self.unread.0 >= wanted {
            return Ok(true);
        }
        let shift = self.entry_start;
        self.buffer.copy_within(shift..self.unread.1, 0);
        self.entry_start = 0;
        self.key = (
            self.key.0.wrapping_sub(shift),
            self.key.1.wrapping_sub(shift),
        );
        self.unread = (self.unread.0 - shift, self.unread.1 - shift);
        let needed = self.unread.0 + wanted;
        if self.buffer.len() < needed {
            self.buffer.resize(needed.max(2 * self.buffer.len()), 0);
        }
        while self.unread.1 - self.unread.0 < wanted {
            let read = self.file.read(&mut self.buffer[self.unread.1..])?;
            if read == 0 {
                return Ok(false);
            }
            self.unread.1 += read;
        }
        Ok(true)
    }
}

/// A tournament (loser) tree over the runs: the winner is the run at the
/// smallest key, and replacing it costs one comparison a level.
struct Tournament {
    runs: Vec<RunReader>,
    /// `tree[0]` is the winner; `tree[n]`, for `n` in 1..runs, the loser at
    /// node `n`, whose children are nodes 2n and 2n + 1, the runs being the
    /// leaves `runs.len()..2 * runs.len()`.
    tree: Vec<usize>,
}

impl Tournament {
    fn new(runs: Vec<RunReader>) -> io::Result<Self> {
        let count = runs.len();
        let mut tournament = Self {
            runs,
            tree: vec![0; count.max(1)],
        };
        let mut winners = vec![0; 2 * count];
        for run in 0..count {
            winners[count + run] = run;
        }
        for node in (1..count).rev() {
            let (left, right) = (winners[2 * node], winners[2 * node + 1]);
            let (winner, loser) = if tournament.beats(left, right) {
                (left, right)
            } else {
                (right, left)
            };
            winners[node] = winner;
            tournament.tree[node] = loser;
        }
        if count > 1 {
            tournament.tree[0] = winners[1];
        }
        Ok(tournament)
    }

    fn winner(&self) -> Option<(&[u8], &[u8])> {
        self.runs.get(self.tree[0])?.entry()
    }

    fn advance_winner(&mut self) -> io::Result<()> {
        let mut winner = self.tree[0];
        self.runs[winner].advance()?;
        let mut node = (winner + self.runs.len()) / 2;
        while node > 0 {
            if self.beats(self.tree[node], winner) {
                std::mem::swap(&mut self.tree[node], &mut winner);
            }
            node /= 2;
        }
        self.tree[0] = winner;
        Ok(())
    }

    /// Whether run `a` is at a smaller entry than run `b`: by key, then by
    /// run, a run at its end after all.
    fn beats(&self, a: usize, b: usize) -> bool {
        match (self.runs[a].entry(), self.runs[b].entry()) {
            (Some((a_key, _)), Some((b_key, _))) => (a_key, a).cmp(&(b_key, b)).is_lt(),
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}
