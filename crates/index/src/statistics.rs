//! How the default graph's triples spread over each predicate: how many
//! there are, and over how many distinct subjects and objects. With them a
//! query rewrite can tell how many rows a join of patterns gives, not only
//! how many triples each pattern matches: `?o fg:service ?s` with `?s`
//! known gives as many rows per service as there are offerings per service
//! (triples / distinct objects).
//!
//! Written by the build beside the tables, read on the first question
//! asked. An index written before they existed has none, and the rewrites
//! that need them are not made.

use crate::{Index, IndexError};
use std::collections::HashMap;
use std::path::Path;

/// One predicate's triples in the default graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PredicateStatistics {
    pub triples: u64,
    pub subjects: u64,
    pub objects: u64,
}

/// The file: rows of four numbers (predicate, triples, subjects, objects),
/// by predicate.
pub(crate) const FILE: &str = "predicates.stats";

/// Counts while the tables are sorted: the subjects from the rows in
/// subject order, the objects from the rows in object order (each
/// predicate remembers the last subject or object it was seen with).
#[derive(Default)]
pub(crate) struct Counter {
    by_predicate: HashMap<u32, (PredicateStatistics, Option<u32>, Option<u32>)>,
}

impl Counter {
    /// Rows `(subject, predicate, object)` sorted by subject.
    pub(crate) fn by_subject(&mut self, rows: impl Iterator<Item = (u32, u32, u32)>) {
        for (subject, predicate, _) in rows {
            let (counts, last_subject, _) = self.by_predicate.entry(predicate).or_default();
            counts.triples += 1;
            if *last_subject != Some(subject) {
                counts.subjects += 1;
                *last_subject = Some(subject);
            }
        }
    }

    /// Rows `(subject, predicate, object)` sorted by object.
    pub(crate) fn by_object(&mut self, rows: impl Iterator<Item = (u32, u32, u32)>) {
        for (_, predicate, object) in rows {
            let (counts, _, last_object) = self.by_predicate.entry(predicate).or_default();
            if *last_object != Some(object) {
                counts.objects += 1;
                *last_object = Some(object);
            }
        }
    }

    pub(crate) fn write(self, folder: &Path) -> Result<(), IndexError> {
        let mut rows: Vec<[u64; 4]> = self
            .by_predicate
            .into_iter()
            .map(|(predicate, (counts, _, _))| [predicate.into(), counts.triples, counts.subjects, counts.objects])
            .collect();
        rows.sort_unstable();
        let path = folder.join(FILE);
        std::fs::write(&path, bytemuck::cast_slice(&rows)).map_err(IndexError::io(&path))?;
        std::fs::File::open(&path).and_then(|file| file.sync_all()).map_err(IndexError::io(&path))
    }
}

/// The statistics read back, by predicate number.
pub(crate) fn read(folder: &Path) -> Result<HashMap<u32, PredicateStatistics>, IndexError> {
    let path = folder.join(FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => return Err(IndexError::io(&path)(e)),
    };
    if bytes.len() % 32 != 0 {
        return Err(IndexError::corrupt(&path, "not rows of four 64-bit numbers"));
    }
    let rows: Vec<[u64; 4]> = bytes.chunks_exact(32).map(bytemuck::pod_read_unaligned).collect();
    let mut by_predicate = HashMap::with_capacity(rows.len());
    for [predicate, triples, subjects, objects] in rows {
        let predicate =
            u32::try_from(predicate).map_err(|_| IndexError::corrupt(&path, "a predicate number past 2^32"))?;
        by_predicate.insert(predicate, PredicateStatistics { triples, subjects, objects });
    }
    Ok(by_predicate)
}

impl Index {
    /// How the default graph's triples of `predicate` spread, if the index
    /// has statistics (one written before them has none) and the predicate.
    pub fn predicate_statistics(&self, predicate: oxrdf::NamedNodeRef<'_>) -> Option<PredicateStatistics> {
        let number = self.number_of(predicate.into())?;
        let statistics = self.inner.statistics.get_or_init(|| read(&self.inner.folder).unwrap_or_default());
        statistics.get(&number).copied()
    }
}
