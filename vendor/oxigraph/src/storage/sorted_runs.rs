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
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::fs::{File, remove_file};
use std::io::{self, BufReader, BufWriter, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::thread;

/// Raw bytes of keys and values after which a merged SST file is closed and
/// the next one begun (RocksDB's own compaction writes files of 64 MB).
const SST_FILE_BYTES: u64 = 64 << 20;
const RUN_BUFFER_BYTES: usize = 1 << 20;

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
    let mut readers = runs
        .iter()
        .map(|path| {
            Ok(BufReader::with_capacity(
                RUN_BUFFER_BYTES,
                File::open(path)?,
            ))
        })
        .collect::<io::Result<Vec<_>>>()?;
    let mut heap = BinaryHeap::with_capacity(readers.len());
    for (run, reader) in readers.iter_mut().enumerate() {
        let mut head = Head {
            key: Vec::new(),
            value: Vec::new(),
            run,
        };
        if head.read_from(reader)? {
            heap.push(Reverse(head));
        }
    }
    let mut sst: Option<(SstFileWriter, u64)> = None;
    let mut last_key: Option<Vec<u8>> = None;
    while let Some(Reverse(mut head)) = heap.pop() {
        if last_key.as_deref() != Some(head.key.as_slice()) {
            let (writer, bytes) = match &mut sst {
                Some(open) => open,
                None => sst.insert((db.new_sst_file_for(column_family)?, 0)),
            };
            writer.insert(&head.key, &head.value)?;
            *bytes += (head.key.len() + head.value.len()) as u64;
            if *bytes >= SST_FILE_BYTES {
                if let Some((writer, _)) = sst.take() {
                    written.push(writer.finish()?);
                }
            }
            match &mut last_key {
                Some(last) => {
                    last.clear();
                    last.extend_from_slice(&head.key);
                }
                None => last_key = Some(head.key.clone()),
            }
        }
        if head.read_from(&mut readers[head.run])? {
            heap.push(Reverse(head));
        }
    }
    if let Some((writer, _)) = sst {
        written.push(writer.finish()?);
    }
    Ok(())
}

/// The entry a run is at, ordered by key (then by run, for a total order).
struct Head {
    key: Vec<u8>,
    value: Vec<u8>,
    run: usize,
}

impl Head {
    /// Reads the run's next entry into this one's buffers; false at its end.
    fn read_from(&mut self, reader: &mut impl Read) -> io::Result<bool> {
        let mut length = [0; 4];
        match reader.read_exact(&mut length) {
            Ok(()) => (),
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => return Ok(false),
            Err(e) => return Err(e),
        }
        read_field(reader, u32::from_le_bytes(length), &mut self.key)?;
        reader.read_exact(&mut length)?;
        read_field(reader, u32::from_le_bytes(length), &mut self.value)?;
        Ok(true)
    }
}

fn read_field(reader: &mut impl Read, length: u32, buffer: &mut Vec<u8>) -> io::Result<()> {
    buffer.resize(length as usize, 0);
    reader.read_exact(buffer)
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head {}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Head {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key).then(self.run.cmp(&other.run))
    }
}
