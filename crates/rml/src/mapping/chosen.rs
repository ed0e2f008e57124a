//! Runs over chosen records rather than whole sources: what an incremental
//! build maps again (the records added, removed or joined to a changed
//! parent record). The records come as CSV text with the line and offset
//! each has in its file, so that what they produce, the problems they have
//! and the lines reported are those of a run over the whole file.

use super::execute::{build_join_table, read_source, run_reading, JoinTable, SourceRead, SourceReader, BATCH_ROWS};
use super::generate::join_keys;
use super::plan::{ObjectPlan, Plan};
use super::{MappedBatch, RunOptions, RunReport};
use crate::problem::Problem;
use crate::source::{self, CsvSource, RecordSource, Row, SourceError};
use std::collections::{HashMap, HashSet};
use std::sync::mpsc::SyncSender;

use crate::Error;

/// Records of one CSV source, chosen to be mapped: the file's header row,
/// then the records, each with its place in the file.
#[derive(Debug, Clone, Default)]
pub struct ChosenRecords {
    text: Vec<u8>,
    /// Where each record starts in `text`.
    starts: Vec<u64>,
    /// The line each record starts on in `text`.
    text_lines: Vec<u64>,
    /// The line and byte offset of each record in its file.
    places: Vec<(u64, u64)>,
    /// Line ends in `text` so far.
    newlines: u64,
}

impl ChosenRecords {
    /// Records to come under `header`, the file's header row (no line end).
    pub fn new(header: &[u8]) -> Self {
        let mut text = header.to_vec();
        text.push(b'\n');
        Self { newlines: count_lines(&text), text, ..Self::default() }
    }

    /// Adds a record (its bytes with no line end), found at `line` and
    /// `offset` of its file.
    pub fn push(&mut self, record: &[u8], line: u64, offset: u64) {
        self.text_lines.push(self.newlines + 1);
        self.newlines += count_lines(record) + 1;
        self.starts.push(self.text.len() as u64);
        self.places.push((line, offset));
        self.text.extend_from_slice(record);
        self.text.push(b'\n');
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The records' lines in their file.
    pub fn lines(&self) -> impl Iterator<Item = u64> + '_ {
        self.places.iter().map(|&(line, _)| line)
    }

    /// The records' byte offsets in their file.
    pub fn offsets(&self) -> impl Iterator<Item = u64> + '_ {
        self.places.iter().map(|&(_, offset)| offset)
    }

    /// The record's line and offset in its file, from those in `text`.
    fn place(&self, row: &mut Row) {
        let Some(index) = row.offset.and_then(|offset| self.starts.binary_search(&offset).ok()) else { return };
        (row.line, row.offset) = (self.places[index].0, Some(self.places[index].1));
    }

    /// A problem's line in the file, from its line in `text`.
    fn place_problem(&self, problem: &mut Problem) {
        if let Some(line) = problem.line {
            let index = self.text_lines.partition_point(|&start| start <= line).saturating_sub(1);
            if let Some(&(file_line, _)) = self.places.get(index) {
                problem.line = Some(file_line + line.saturating_sub(self.text_lines[index]));
            }
        }
    }
}

/// Line ends in `text` (a quoted cell may hold some).
fn count_lines(text: &[u8]) -> u64 {
    text.iter().filter(|&&b| b == b'\n').count() as u64
}

/// What to read of one source in a run of chosen records.
#[derive(Debug, Clone)]
pub enum Chosen {
    /// These records of a CSV source.
    Records(ChosenRecords),
    /// The whole source, as the plan names it.
    Whole,
}

/// Runs `plan` over the chosen records: `chosen[source]` for each source
/// (`None`: not read). Join tables are built from whole parent sources, as
/// the plan names their files, and only those the chosen sources' maps use.
pub fn run_chosen<E: From<Error>>(
    plan: &Plan,
    options: RunOptions,
    chosen: &[Option<Chosen>],
    sink: &mut dyn FnMut(MappedBatch) -> Result<(), E>,
) -> Result<RunReport, E> {
    let used = joins_used(plan, chosen);
    let tables =
        (0..plan.joins.len())
            .map(|join| {
                if used.contains(&join) {
                    build_join_table(plan, &plan.joins[join])
                } else {
                    Ok(JoinTable::default())
                }
            })
            .collect::<Result<Vec<_>, Error>>()?;
    run_reading(plan, options, &tables, |sender| read_chosen(plan, chosen, sender), sink)
}

/// The joins whose tables the maps of the chosen sources read.
fn joins_used(plan: &Plan, chosen: &[Option<Chosen>]) -> HashSet<usize> {
    let mut used = HashSet::new();
    for (source, _) in chosen.iter().enumerate().filter(|(_, c)| c.is_some()) {
        for &map in &plan.sources[source].maps {
            for pom in &plan.maps[map].predicate_object_maps {
                for object in &pom.objects {
                    match object {
                        ObjectPlan::Join { join, .. } | ObjectPlan::AllOf { join, .. } => {
                            used.insert(*join);
                        }
                        // A gather map's members may join: build them all.
                        ObjectPlan::Term(term) if term.gather.is_some() => used.extend(0..plan.joins.len()),
                        _ => {}
                    }
                }
            }
        }
    }
    used
}

fn read_chosen(plan: &Plan, chosen: &[Option<Chosen>], sender: &SyncSender<Result<SourceRead, Error>>) {
    for (index, chosen) in chosen.iter().enumerate() {
        let read = match chosen {
            None => continue,
            Some(Chosen::Whole) => read_source(plan, index, sender),
            Some(Chosen::Records(records)) => read_records(plan, index, records, sender),
        };
        match read {
            Ok(true) => {}
            Ok(false) => return,
            Err(error) => {
                let _ = sender.send(Err(error));
                return;
            }
        }
    }
}

fn read_records(
    plan: &Plan,
    index: usize,
    records: &ChosenRecords,
    sender: &SyncSender<Result<SourceRead, Error>>,
) -> Result<bool, Error> {
    let mut file = open_records(plan, index, records)?;
    let mut rows_read = 0;
    loop {
        let mut rows = file.next_batch(BATCH_ROWS)?;
        if rows.is_empty() {
            break;
        }
        rows.iter_mut().for_each(|row| records.place(row));
        rows_read += rows.len() as u64;
        if sender.send(Ok(SourceRead::Rows { source: index, rows })).is_err() {
            return Ok(false);
        }
    }
    let mut problems = file.take_problems();
    problems.iter_mut().for_each(|problem| records.place_problem(problem));
    let path = plan.sources[index].source.path.clone();
    Ok(sender.send(Ok(SourceRead::Finished { path, rows: rows_read, problems })).is_ok())
}

fn open_records(plan: &Plan, index: usize, records: &ChosenRecords) -> Result<CsvSource, Error> {
    let description = &plan.sources[index].source;
    let source::Format::Csv { delimiter } = description.format else {
        let problem = "only CSV records can be chosen to be mapped again".to_owned();
        return Err(SourceError { file: description.path.clone(), line: None, problem }.into());
    };
    let text = Box::new(std::io::Cursor::new(records.text.clone()));
    Ok(CsvSource::from_reader(&description.path, text, delimiter)?)
}

/// The join keys the chosen records of `source` give as parents: for each
/// join whose parent map reads that source, the keys of its records.
pub fn parent_keys(
    plan: &Plan,
    source: usize,
    records: &ChosenRecords,
) -> Result<HashMap<usize, HashSet<Vec<String>>>, Error> {
    let joins: Vec<usize> =
        (0..plan.joins.len()).filter(|&join| plan.maps[plan.joins[join].parent].source == source).collect();
    let mut keys: HashMap<usize, HashSet<Vec<String>>> = HashMap::new();
    if joins.is_empty() {
        return Ok(keys);
    }
    let mut file = open_records(plan, source, records)?;
    let mut scratch = String::new();
    loop {
        let rows = file.next_batch(BATCH_ROWS)?;
        if rows.is_empty() {
            return Ok(keys);
        }
        for row in &rows {
            for &join in &joins {
                keys.entry(join).or_default().extend(join_keys(&plan.joins[join].parent_keys, row, &mut scratch));
            }
        }
    }
}

/// The records of `source` (read whole, as the plan names its file) that
/// join one of the parent keys given per join, or that take every parent
/// of such a join: their line and offset.
pub fn records_joining(
    plan: &Plan,
    source: usize,
    keys: &HashMap<usize, HashSet<Vec<String>>>,
) -> Result<Vec<(u64, u64)>, Error> {
    let mut joining = Vec::new();
    let objects: Vec<&ObjectPlan> = plan.sources[source]
        .maps
        .iter()
        .flat_map(|&map| &plan.maps[map].predicate_object_maps)
        .flat_map(|pom| &pom.objects)
        .filter(|object| match object {
            ObjectPlan::Join { join, .. } | ObjectPlan::AllOf { join, .. } => keys.contains_key(join),
            _ => false,
        })
        .collect();
    if objects.is_empty() {
        return Ok(joining);
    }
    let mut file = SourceReader::open(&plan.sources[source])?;
    let mut scratch = String::new();
    loop {
        let rows = file.next_batch()?;
        if rows.is_empty() {
            return Ok(joining);
        }
        for row in &rows {
            let joins = objects.iter().any(|object| match object {
                ObjectPlan::AllOf { .. } => true,
                ObjectPlan::Join { join, child_keys, .. } => {
                    let wanted = &keys[join];
                    join_keys(child_keys, row, &mut scratch).iter().any(|key| wanted.contains(key))
                }
                _ => false,
            });
            if let (true, Some(offset)) = (joins, row.offset) {
                joining.push((row.line, offset));
            }
        }
    }
}
