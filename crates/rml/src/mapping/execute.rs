//! Runs a [`Plan`]: streams each CSV file once, maps its rows in parallel
//! chunks with every triples map that reads it, and hands the quads, in file
//! order, to a sink. Parent tables for joins are built first and keep only the
//! parent subjects by join key.

use super::generate::{encoded_join_keys, named_collection, CollectionPart, Collections, TermError};
use super::plan::*;
use super::vocab::RML;
use crate::problem::{Problem, ProblemKind};
use crate::source::{self, Row};
use crate::Error;
use oxrdf::vocab::rdf;
use oxrdf::{GraphName, NamedNode, NamedOrBlankNode, Quad, Term};
use rayon::prelude::*;
use smallvec::SmallVec;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;

/// Rows read from a file before they are mapped in parallel.
pub(super) const BATCH_ROWS: usize = 16 * 1024;
/// Rows one rayon task maps.
const CHUNK_ROWS: usize = 1024;
/// Data problems kept in a report; beyond that they are only counted.
const MAX_KEPT_ISSUES: usize = 1000;

/// Quads mapped from consecutive rows of one source file.
#[derive(Debug, Default)]
pub struct MappedBatch {
    pub source: usize,
    pub quads: Vec<Quad>,
    /// For each row, its line and the end of its quads in `quads`.
    pub rows: Vec<RowOrigin>,
    pub issues: Vec<Problem>,
    /// IRI subjects by row, when [`RunOptions::track_identifiers`] is set.
    pub subjects: Vec<SubjectSeen>,
    /// IRIs built from cells as objects, when identifiers are tracked.
    pub references: Vec<ReferenceSeen>,
    /// (index in `quads`, logical target) for every quad a target takes,
    /// in quad order; quads not listed go to the default output.
    pub targeted: Vec<(usize, usize)>,
    /// Rows whose subject was NULL, by triples map, when empty subjects
    /// are not problems ([`RunOptions::empty_subject_is_problem`]).
    pub null_subjects: Vec<NullSubjects>,
    quads_per_map: Vec<u64>,
    /// Parts of named collections and containers, which the run puts
    /// together across batches and writes when it ends.
    named: Vec<NamedPart>,
}

/// A record's part of a named collection, with where its triples go.
#[derive(Debug)]
struct NamedPart {
    part: CollectionPart,
    graph: GraphName,
    targets: Vec<usize>,
    map: usize,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Report the IRI subjects and references of every row in the batches,
    /// for the identifier checks of [`crate::validate`].
    pub track_identifiers: bool,
    /// An empty cell where a subject is formed is a problem in the data:
    /// the rule of `build` and `check`, where every row stands for a thing
    /// that must have its identifier. Without it an empty cell is NULL, as
    /// R2RML and legacy RML read it, and a NULL subject gives no triples for
    /// the row (R2RML 11.1): the run only counts such rows
    /// ([`RunReport::null_subjects`]).
    pub empty_subject_is_problem: bool,
}

/// The rows of one triples map whose subject was NULL (an empty cell) and
/// that gave no triples.
#[derive(Debug, Clone)]
pub struct NullSubjects {
    /// The triples map's index in the plan.
    pub map: usize,
    /// Where the first such row is: file, line, column and triples map.
    pub first: Problem,
    pub rows: u64,
}

#[derive(Debug, Clone)]
pub struct SubjectSeen {
    pub map: usize,
    pub line: u64,
    /// Where the row starts in its file's text ([`source::Row::offset`]).
    pub offset: Option<u64>,
    pub subject: NamedNode,
}

#[derive(Debug, Clone)]
pub struct ReferenceSeen {
    pub map: usize,
    pub line: u64,
    pub columns: String,
    pub object: NamedNode,
}

#[derive(Debug, Clone, Copy)]
pub struct RowOrigin {
    pub line: u64,
    pub end: usize,
}

/// What a run read and produced.
#[derive(Debug, Default)]
pub struct RunReport {
    /// Each source file with the number of data rows read.
    pub rows_per_source: Vec<(PathBuf, u64)>,
    /// Each triples map with the number of quads it produced (before the
    /// store removes duplicates).
    pub quads_per_map: Vec<(String, u64)>,
    pub quads: u64,
    pub issues: Vec<Problem>,
    pub issue_count: u64,
    /// Rows skipped for a NULL subject, one entry per triples map that had
    /// any, in the order first met.
    pub null_subjects: Vec<NullSubjects>,
}

/// Parent subjects by join key ([`push_join_key`]'s text), for one
/// [`JoinPlan`]. Fx hashing: keys are short and hashed once a row on each
/// side, and SipHash's protection against chosen collisions buys nothing
/// in a batch run over one's own files. A key's first subject is kept
/// inline: with unique parent keys, a table of a hundred thousand keys is
/// then a hundred thousand fewer allocations.
pub(super) type JoinTable = HashMap<Box<str>, SmallVec<[NamedOrBlankNode; 1]>, rustc_hash::FxBuildHasher>;

/// Reused from row to row where join keys are made: the key read straight
/// from a CSV row's cells, or the keys of any other record.
#[derive(Default)]
pub(super) struct KeyScratch {
    text: String,
    key: String,
    keys: Vec<String>,
}

impl KeyScratch {
    /// The join keys of `row` under the key expressions `plans`.
    fn keys<'s>(&'s mut self, plans: &[TermPlan], row: &Row) -> impl Iterator<Item = &'s str> {
        let one = encoded_join_keys(plans, row, &mut self.text, &mut self.key, &mut self.keys);
        let single = (one == Some(true)).then_some(self.key.as_str());
        single.into_iter().chain(self.keys.iter().map(String::as_str))
    }
}

/// Runs the plan, passing every batch to `sink` in source and row order.
/// The sink's error type is the caller's: a store loader or a writer fails
/// in its own ways, and the engine's errors convert into it.
pub fn run<E: From<Error>>(plan: &Plan, sink: &mut dyn FnMut(MappedBatch) -> Result<(), E>) -> Result<RunReport, E> {
    run_with(plan, RunOptions::default(), sink)
}

/// [`run`], with options.
pub fn run_with<E: From<Error>>(
    plan: &Plan,
    options: RunOptions,
    sink: &mut dyn FnMut(MappedBatch) -> Result<(), E>,
) -> Result<RunReport, E> {
    let tables = plan.joins.iter().map(|join| build_join_table(plan, join)).collect::<Result<Vec<_>, Error>>()?;
    run_reading(plan, options, &tables, |sender| read_sources(plan, sender), sink)
}

/// Maps what `read` sends (on a thread of its own) with the join tables
/// given, passing every batch to `sink` in order.
pub(super) fn run_reading<E: From<Error>>(
    plan: &Plan,
    options: RunOptions,
    tables: &[JoinTable],
    read: impl FnOnce(&std::sync::mpsc::SyncSender<Result<SourceRead, Error>>) + Send,
    sink: &mut dyn FnMut(MappedBatch) -> Result<(), E>,
) -> Result<RunReport, E> {
    let mut report =
        RunReport { quads_per_map: plan.maps.iter().map(|m| (m.name.clone(), 0)).collect(), ..RunReport::default() };
    let mapper = RowMapper { plan, tables, options };
    let mut named = NamedCollections::default();
    // Reading and parsing CSV is sequential: a thread of its own does it
    // while the rows before are mapped on every core.
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel(2);
        scope.spawn(move || read(&sender));
        for read in receiver {
            match read? {
                SourceRead::Rows { source, rows } => {
                    let batches: Vec<MappedBatch> =
                        rows.par_chunks(CHUNK_ROWS).map(|chunk| mapper.map_rows(source, chunk)).collect();
                    for mut batch in batches {
                        named.add(batch.source, &mut batch.named);
                        report.add(&batch);
                        sink(batch)?;
                    }
                }
                SourceRead::Finished { path, rows, problems } => {
                    report.note_issues(&problems);
                    report.rows_per_source.push((path, rows));
                }
            }
        }
        for batch in named.into_batches(plan) {
            report.add(&batch);
            sink(batch)?;
        }
        Ok(report)
    })
}

/// What the reading thread sends: rows of a source, in order, then the end of it.
pub(super) enum SourceRead {
    Rows { source: usize, rows: Vec<Row> },
    Finished { path: PathBuf, rows: u64, problems: Vec<Problem> },
}

/// The records of a source plan: its file's, through its view if it has one.
pub(super) struct SourceReader<'p> {
    file: Box<dyn source::RecordSource>,
    view: Option<&'p ViewPlan>,
    /// Records of the file read so far, for the view's `#` field.
    ordinal: u64,
    /// Records handed out so far.
    numbered: u64,
}

impl<'p> SourceReader<'p> {
    pub(super) fn open(plan: &'p SourcePlan) -> Result<Self, Error> {
        if let Some(view) = &plan.view {
            view.prepare()?;
        }
        Ok(Self { file: source::open(&plan.source)?, view: plan.view.as_ref(), ordinal: 0, numbered: 0 })
    }

    /// The next records, numbered; none at the end.
    pub(super) fn next_batch(&mut self) -> Result<Vec<Row>, Error> {
        loop {
            let rows = self.file.next_batch(BATCH_ROWS)?;
            if rows.is_empty() {
                return Ok(rows);
            }
            let mut records = match self.view {
                Some(view) => view.apply(rows, &mut self.ordinal),
                None => rows,
            };
            for record in &mut records {
                record.ordinal = self.numbered;
                self.numbered += 1;
            }
            // A batch whose records a view's inner join dropped is not the end.
            if !records.is_empty() {
                return Ok(records);
            }
        }
    }

    pub(super) fn take_problems(&mut self) -> Vec<Problem> {
        self.file.take_problems()
    }
}

/// Reads every source in turn, in batches; stops at the first error, or
/// when the receiver has gone (the mapping stopped).
fn read_sources(plan: &Plan, sender: &std::sync::mpsc::SyncSender<Result<SourceRead, Error>>) {
    for index in 0..plan.sources.len() {
        match read_source(plan, index, sender) {
            Ok(true) => {}
            Ok(false) => return,
            Err(error) => {
                let _ = sender.send(Err(error));
                return;
            }
        }
    }
}

/// Sends every record of source `index`, in batches, then its end;
/// `false` when the receiver has gone (the mapping stopped).
pub(super) fn read_source(
    plan: &Plan,
    index: usize,
    sender: &std::sync::mpsc::SyncSender<Result<SourceRead, Error>>,
) -> Result<bool, Error> {
    let source = &plan.sources[index].source;
    let mut file = SourceReader::open(&plan.sources[index])?;
    let mut rows_read = 0;
    loop {
        let rows = file.next_batch()?;
        if rows.is_empty() {
            break;
        }
        rows_read += rows.len() as u64;
        if sender.send(Ok(SourceRead::Rows { source: index, rows })).is_err() {
            return Ok(false);
        }
    }
    let finished = SourceRead::Finished { path: source.path.clone(), rows: rows_read, problems: file.take_problems() };
    Ok(sender.send(Ok(finished)).is_ok())
}

/// A row mapped again on its own, to tell which triples it produces.
#[derive(Debug)]
pub struct ExplainedRow {
    pub map: usize,
    pub row: Row,
    pub quads: Vec<Quad>,
    /// IRIs the row builds from cells as objects.
    pub references: Vec<ReferenceSeen>,
}

/// Maps only the rows given as (triples map, line); used to explain where a
/// triple came from. Rows are read from the CSV files as they are now.
pub fn map_selected_rows(plan: &Plan, wanted: &[(usize, u64)]) -> Result<Vec<ExplainedRow>, Error> {
    let tables = plan.joins.iter().map(|join| build_join_table(plan, join)).collect::<Result<Vec<_>, Error>>()?;
    let mapper =
        RowMapper { plan, tables: &tables, options: RunOptions { track_identifiers: true, ..RunOptions::default() } };
    let wanted_lines: std::collections::HashSet<(usize, u64)> = wanted.iter().copied().collect();
    let mut explained = Vec::new();
    for (index, source) in plan.sources.iter().enumerate() {
        if !wanted.iter().any(|(map, _)| source.maps.contains(map)) {
            continue;
        }
        let mut file = SourceReader::open(source)?;
        loop {
            let rows = file.next_batch()?;
            if rows.is_empty() {
                break;
            }
            for row in rows {
                for &map in source.maps.iter().filter(|&&map| wanted_lines.contains(&(map, row.line))) {
                    explained.push(mapper.explain_row(index, map, &row));
                }
            }
        }
    }
    Ok(explained)
}

/// Whether the rows of `map` can be mapped again one by one, each read with
/// one seek ([`map_rows_at`]): its source and the source of every join's
/// parent are plain CSV files read without a view, and every parent names
/// its subjects with IRIs made from its rows, so that the parent rows a
/// join needs can be found by subject.
pub fn can_map_rows_at(plan: &Plan, map: usize) -> bool {
    let seekable = |source: usize| {
        let source = &plan.sources[source];
        source.view.is_none()
            && source.source.service.is_none()
            && matches!(source.source.format, source::Format::Csv { .. })
            && source.source.compression == crate::files::Compression::None
            && source.source.encoding == crate::files::Encoding::Utf8
    };
    let parents_named = plan.joins.iter().all(|join| {
        let parent = &plan.maps[join.parent];
        seekable(parent.source)
            && parent.subject.term_type.is_iri()
            && !matches!(parent.subject.value, ValuePlan::Constant(_))
    });
    seekable(plan.maps[map].source) && parents_named
}

/// [`map_selected_rows`] for rows given as (triples map, line, offset), each
/// read at its offset ([`source::read_csv_row_at`]) instead of in a pass over
/// its file: the time does not grow with the file. Every map must pass
/// [`can_map_rows_at`]; a row not found at its offset is left out.
///
/// Joins see only the parent rows in `parents` (given the same way): a row
/// then gives, of the triples its joins make, those whose object is the
/// subject of one of them. To tell which rows produced some triples, the
/// parents are the rows of the triples' objects.
pub fn map_rows_at(
    plan: &Plan,
    wanted: &[(usize, u64, u64)],
    parents: &[(usize, u64, u64)],
) -> Result<Vec<ExplainedRow>, Error> {
    let read = |(map, line, offset): (usize, u64, u64)| -> Result<Option<(usize, Row)>, Error> {
        let index = plan.maps[map].source;
        let description = &plan.sources[index].source;
        let source::Format::Csv { delimiter } = description.format else { return Ok(None) };
        Ok(source::read_csv_row_at(&description.path, delimiter, line, offset)?.map(|row| (index, row)))
    };
    let mut tables = vec![JoinTable::default(); plan.joins.len()];
    for &(map, line, offset) in parents {
        let Some((_, row)) = read((map, line, offset))? else { continue };
        for (join, table) in plan.joins.iter().zip(&mut tables).filter(|(join, _)| join.parent == map) {
            add_to_join_table(plan, join, &row, table, (&mut KeyScratch::default(), &mut Vec::new()));
        }
    }
    let mapper =
        RowMapper { plan, tables: &tables, options: RunOptions { track_identifiers: true, ..RunOptions::default() } };
    let mut explained = Vec::new();
    for &(map, line, offset) in wanted {
        if let Some((index, row)) = read((map, line, offset))? {
            explained.push(mapper.explain_row(index, map, &row));
        }
    }
    Ok(explained)
}

impl RunReport {
    fn add(&mut self, batch: &MappedBatch) {
        self.quads += batch.quads.len() as u64;
        for (total, count) in self.quads_per_map.iter_mut().zip(&batch.quads_per_map) {
            total.1 += count;
        }
        self.note_issues(&batch.issues);
        for null in &batch.null_subjects {
            match self.null_subjects.iter_mut().find(|seen| seen.map == null.map) {
                Some(seen) => seen.rows += null.rows,
                None => self.null_subjects.push(null.clone()),
            }
        }
    }

    fn note_issues(&mut self, issues: &[Problem]) {
        self.issue_count += issues.len() as u64;
        let room = MAX_KEPT_ISSUES.saturating_sub(self.issues.len());
        self.issues.extend(issues.iter().take(room).cloned());
    }
}

/// Parent rows with a problem are reported when the parent map runs on its
/// own source; here they simply join nothing.
pub(super) fn build_join_table(plan: &Plan, join: &JoinPlan) -> Result<JoinTable, Error> {
    let parent = &plan.maps[join.parent];
    let mut file = SourceReader::open(&plan.sources[parent.source])?;
    let mut table = JoinTable::default();
    let (mut scratch, mut subjects) = (KeyScratch::default(), Vec::new());
    loop {
        let rows = file.next_batch()?;
        if rows.is_empty() {
            return Ok(table);
        }
        for row in &rows {
            add_to_join_table(plan, join, row, &mut table, (&mut scratch, &mut subjects));
        }
    }
}

/// Adds a parent row's subjects to a join's table, under each of its keys.
/// `scratch` is reused from row to row.
fn add_to_join_table(
    plan: &Plan,
    join: &JoinPlan,
    row: &Row,
    table: &mut JoinTable,
    (scratch, subjects): (&mut KeyScratch, &mut Vec<Term>),
) {
    subjects.clear();
    let mut text = std::mem::take(&mut scratch.text);
    let _ = plan.maps[join.parent].subject.generate_all(row, &mut text, subjects);
    scratch.text = text;
    subjects.retain(|subject| !matches!(subject, Term::Literal(_)));
    if subjects.is_empty() {
        return;
    }
    // A missing value gives no key, and never joins.
    for key in scratch.keys(&join.parent_keys, row) {
        let entry = match table.get_mut(key) {
            Some(entry) => entry,
            None => table.entry(key.into()).or_default(),
        };
        for subject in subjects.iter().cloned().filter_map(subject_of) {
            if !entry.contains(&subject) {
                entry.push(subject);
            }
        }
    }
}

struct RowMapper<'a> {
    plan: &'a Plan,
    tables: &'a [JoinTable],
    options: RunOptions,
}

/// A generated term with the logical targets of the term map that made it.
type Targeted<'p, T> = (T, &'p [usize]);

impl<'p> RowMapper<'p> {
    /// One row mapped on its own by one triples map, with the named
    /// collections it is part of.
    fn explain_row(&self, source: usize, map: usize, row: &Row) -> ExplainedRow {
        let mut batch = MappedBatch { source, quads_per_map: vec![0; self.plan.maps.len()], ..MappedBatch::default() };
        self.map_row(map, row, &mut batch, &mut RowScratch::default());
        let mut named = NamedCollections::default();
        named.add(source, &mut batch.named);
        for parts in named.into_batches(self.plan) {
            batch.quads.extend(parts.quads);
        }
        ExplainedRow { map, row: row.clone(), quads: batch.quads, references: batch.references }
    }

    fn map_rows(&self, source: usize, rows: &[Row]) -> MappedBatch {
        let mut batch = MappedBatch { source, quads_per_map: vec![0; self.plan.maps.len()], ..MappedBatch::default() };
        let mut scratch = RowScratch::default();
        batch.rows.reserve_exact(rows.len());
        for (index, row) in rows.iter().enumerate() {
            for &map in &self.plan.sources[source].maps {
                let before = batch.quads.len();
                self.map_row(map, row, &mut batch, &mut scratch);
                batch.quads_per_map[map] += (batch.quads.len() - before) as u64;
            }
            batch.rows.push(RowOrigin { line: row.line, end: batch.quads.len() });
            if index == 0 {
                // Room for as many quads a row as the first gave: growing a
                // vector of a wide table's tens of thousands of quads by
                // doubling copied it and touched fresh memory each time.
                // An eighth more, for rows with a value the first lacks.
                let expected = batch.quads.len() * (rows.len() - 1);
                batch.quads.reserve(expected + expected / 8);
            }
        }
        batch
    }

    fn map_row(&self, map_index: usize, row: &Row, batch: &mut MappedBatch, scratch: &mut RowScratch<'p>) {
        let map = &self.plan.maps[map_index];
        let mut issues = Vec::new();
        let RowScratch { text, terms, subjects, predicates, objects, collections } = scratch;
        let parents = |object: &ObjectPlan, row: &Row, text: &mut String, out: &mut Vec<Term>| {
            self.parent_subjects(object, row, text, out);
        };
        let generate = |term: &TermPlan, text: &mut String, out: &mut Vec<Term>, issues: &mut Vec<Problem>| {
            if let Err(error) = term.generate_all(row, text, out) {
                issues.push(issue(self.plan, map, row, term, error));
            }
        };
        terms.clear();
        collections.clear();
        subjects.clear();
        // One CSV cell or template of cells makes one term or none: it goes
        // straight where it belongs, with no list between (a build maps
        // tens of millions of them).
        if map.subject.is_one_cell(row) {
            match map.subject.generate(row, text) {
                Ok(subject) => subjects.extend(subject.and_then(subject_of)),
                Err(error) => issues.push(issue(self.plan, map, row, &map.subject, error)),
            }
        } else {
            if let Err(error) = map.subject.gather_into(row, text, &parents, terms, collections) {
                issues.push(issue(self.plan, map, row, &map.subject, error));
            }
            subjects.extend(terms.drain(..).filter_map(subject_of));
        }
        if subjects.is_empty() {
            if !map.subject.columns.is_empty() && map.subject.single_valued && map.subject.value_is_empty(row) {
                self.empty_subject(map_index, row, batch, &mut issues);
            }
            batch.issues.append(&mut issues);
            return;
        }
        let mut subject_graphs: Vec<Targeted<'p, GraphName>> = Vec::new();
        for graph_map in &self.plan.maps[map_index].subject_graphs {
            generate(graph_map, text, terms, &mut issues);
            subject_graphs.extend(terms.drain(..).map(|t| (graph_name(t), graph_map.targets.as_slice())));
        }
        let subject_targets = map.subject.targets.as_slice();
        let type_graphs = graphs_or_default(&subject_graphs);
        if !collections.is_empty() {
            batch.push_collections(map_index, collections, &type_graphs, subject_targets);
        }
        let track = self.options.track_identifiers && !matches!(map.subject.value, ValuePlan::Constant(_));
        for subject in subjects.iter() {
            if let (true, NamedOrBlankNode::NamedNode(iri)) = (track, subject) {
                batch.subjects.push(SubjectSeen {
                    map: map_index,
                    line: row.line,
                    offset: row.offset,
                    subject: iri.clone(),
                });
            }
            for class in &map.classes {
                for (graph, graph_targets) in type_graphs.iter() {
                    let quad = Quad::new(subject.clone(), rdf::TYPE, class.clone(), graph.clone());
                    batch.push(quad, &[subject_targets, graph_targets]);
                }
            }
        }
        for pom in &map.predicate_object_maps {
            predicates.clear();
            for predicate_map in &pom.predicates {
                if let (ValuePlan::Constant(Term::NamedNode(n)), None) =
                    (&predicate_map.value, &predicate_map.condition)
                {
                    predicates.push((n.clone(), predicate_map.targets.as_slice()));
                    continue;
                }
                if predicate_map.is_one_cell(row) {
                    match predicate_map.generate(row, text) {
                        Ok(Some(Term::NamedNode(n))) => predicates.push((n, predicate_map.targets.as_slice())),
                        Ok(_) => {}
                        Err(error) => issues.push(issue(self.plan, map, row, predicate_map, error)),
                    }
                    continue;
                }
                generate(predicate_map, text, terms, &mut issues);
                predicates.extend(terms.drain(..).filter_map(|t| match t {
                    Term::NamedNode(n) => Some((n, predicate_map.targets.as_slice())),
                    _ => None,
                }));
            }
            if predicates.is_empty() {
                continue;
            }
            let graphs = if pom.graphs.is_empty() {
                Cow::Borrowed(&*type_graphs)
            } else {
                let mut graphs = subject_graphs.clone();
                for graph_map in &pom.graphs {
                    generate(graph_map, text, terms, &mut issues);
                    graphs.extend(terms.drain(..).map(|t| (graph_name(t), graph_map.targets.as_slice())));
                }
                graphs_or_default(&graphs)
            };
            objects.clear();
            for object in &pom.objects {
                collections.clear();
                let first_object = objects.len();
                self.objects_of(map_index, object, row, text, terms, objects, batch, &mut issues, collections);
                if let (ObjectPlan::Term(term), false) = (object, collections.is_empty()) {
                    if collections.named.iter().any(|part| part.head.is_blank_node())
                        && graphs.iter().any(|(graph, _)| !graph.is_default_graph())
                    {
                        let context = (subjects.as_slice(), subject_targets, predicates.as_slice(), graphs.as_ref());
                        let scoped = (map_index, term.targets.as_slice());
                        batch.push_graph_scoped(context, scoped, collections, objects, first_object);
                    }
                    batch.push_collections(map_index, collections, &graphs, &term.targets);
                }
            }
            if objects.is_empty() {
                continue;
            }
            for (index, subject) in subjects.iter().enumerate() {
                let last = index + 1 == subjects.len();
                push_combinations(batch, (subject, subject_targets), predicates, objects, &graphs, last);
            }
        }
        batch.issues.append(&mut issues);
    }

    /// A row whose subject is an empty cell: a problem in curated data, or
    /// else a NULL that gives no triples, counted.
    fn empty_subject(&self, map_index: usize, row: &Row, batch: &mut MappedBatch, issues: &mut Vec<Problem>) {
        let map = &self.plan.maps[map_index];
        if self.options.empty_subject_is_problem {
            let error = (
                ProblemKind::EmptyValue,
                "empty value where the subject is formed; fill it in or remove the row".into(),
            );
            issues.push(issue(self.plan, map, row, &map.subject, error));
            return;
        }
        match batch.null_subjects.iter_mut().find(|seen| seen.map == map_index) {
            Some(seen) => seen.rows += 1,
            None => {
                let error = (ProblemKind::EmptyValue, "empty value where the subject is formed".into());
                let first = issue(self.plan, map, row, &map.subject, error);
                batch.null_subjects.push(NullSubjects { map: map_index, first, rows: 1 });
            }
        }
    }

    /// The objects an object map gives for the record, with its targets.
    #[allow(clippy::too_many_arguments)]
    fn objects_of(
        &self,
        map_index: usize,
        object: &'p ObjectPlan,
        row: &Row,
        text: &mut String,
        terms: &mut Vec<Term>,
        objects: &mut Vec<Targeted<'p, Term>>,
        batch: &mut MappedBatch,
        issues: &mut Vec<Problem>,
        collections: &mut Collections,
    ) {
        let map = &self.plan.maps[map_index];
        match object {
            ObjectPlan::Term(term) if term.is_one_cell(row) && !self.options.track_identifiers => {
                match term.generate(row, text) {
                    Ok(Some(object)) => objects.push((object, term.targets.as_slice())),
                    Ok(None) => {}
                    Err(error) => issues.push(issue(self.plan, map, row, term, error)),
                }
            }
            ObjectPlan::Term(term) => {
                let generated = if term.is_one_cell(row) {
                    term.generate(row, text).map(|object| terms.extend(object))
                } else {
                    let parents = |object: &ObjectPlan, row: &Row, text: &mut String, out: &mut Vec<Term>| {
                        self.parent_subjects(object, row, text, out);
                    };
                    term.gather_into(row, text, &parents, terms, collections)
                };
                if let Err(error) = generated {
                    issues.push(issue(self.plan, map, row, term, error));
                }
                for object in terms.drain(..) {
                    if let (true, Term::NamedNode(iri), false) =
                        (self.options.track_identifiers, &object, term.columns.is_empty())
                    {
                        batch.references.push(ReferenceSeen {
                            map: map_index,
                            line: row.line,
                            columns: term.columns.clone(),
                            object: iri.clone(),
                        });
                    }
                    objects.push((object, term.targets.as_slice()));
                }
            }
            ObjectPlan::SameRow { targets, .. }
            | ObjectPlan::Join { targets, .. }
            | ObjectPlan::AllOf { targets, .. } => {
                self.parent_subjects(object, row, text, terms);
                objects.extend(terms.drain(..).map(|subject| (subject, targets.as_slice())));
            }
        }
    }

    /// The parent subjects a referencing object map gives for the record:
    /// the parent's subject of the same record, or those of the parent
    /// records that join, each once.
    fn parent_subjects(&self, object: &ObjectPlan, row: &Row, text: &mut String, out: &mut Vec<Term>) {
        match object {
            ObjectPlan::Term(_) => {}
            ObjectPlan::SameRow { parent, .. } => {
                let first = out.len();
                let _ = self.plan.maps[*parent].subject.generate_all(row, text, out);
                let mut index = first;
                while index < out.len() {
                    if let Term::Literal(_) = out[index] {
                        out.remove(index);
                    } else {
                        index += 1;
                    }
                }
            }
            ObjectPlan::Join { join, child_keys, .. } => {
                let table = &self.tables[*join];
                let mut keys = KeyScratch { text: std::mem::take(text), ..KeyScratch::default() };
                if encoded_join_keys(child_keys, row, &mut keys.text, &mut keys.key, &mut keys.keys) == Some(true) {
                    // One key read from the cells: no string made to look it up.
                    let subjects = table.get(keys.key.as_str()).into_iter().flatten();
                    out.extend(subjects.map(|s| Term::from(s.clone())));
                } else {
                    let mut found: Vec<&NamedOrBlankNode> = Vec::new();
                    for key in &keys.keys {
                        for subject in table.get(key.as_str()).into_iter().flatten() {
                            if !found.contains(&subject) {
                                found.push(subject);
                            }
                        }
                    }
                    out.extend(found.into_iter().map(|s| Term::from(s.clone())));
                }
                *text = keys.text;
            }
            ObjectPlan::AllOf { join, .. } => {
                out.extend(self.tables[*join].values().flatten().map(|s| Term::from(s.clone())));
            }
        }
    }
}

/// The subjects (with their targets), predicates and graphs of a
/// predicate-object map for a record.
type Context<'a, 'p> =
    (&'a [NamedOrBlankNode], &'a [usize], &'a [Targeted<'p, NamedNode>], &'a [Targeted<'p, GraphName>]);

impl MappedBatch {
    /// A named collection whose head is a blank node belongs to its graph:
    /// the same name in another graph names another collection
    /// (RMLTC-CC-0010-Listb), so in a named graph its blank node is labelled
    /// with the graph too, in the triples pointing at it as in its own. Those
    /// triples are pushed here, and the heads taken out of `objects`.
    fn push_graph_scoped(
        &mut self,
        (subjects, subject_targets, predicates, graphs): Context<'_, '_>,
        (map, object_targets): (usize, &[usize]),
        collections: &mut Collections,
        objects: &mut Vec<Targeted<'_, Term>>,
        first_object: usize,
    ) {
        let (blank, named): (Vec<_>, Vec<_>) = collections.named.drain(..).partition(|p| p.head.is_blank_node());
        collections.named = named;
        for part in blank {
            let head = Term::from(part.head.clone());
            let mut index = first_object;
            while index < objects.len() {
                if objects[index].0 == head {
                    objects.remove(index);
                } else {
                    index += 1;
                }
            }
            for (graph, graph_targets) in graphs {
                let scoped = graph_scoped(&part.head, graph);
                for subject in subjects {
                    for (predicate, predicate_targets) in predicates {
                        let quad = Quad::new(subject.clone(), predicate.clone(), scoped.clone(), graph.clone());
                        self.push(quad, &[subject_targets, predicate_targets, object_targets, graph_targets]);
                    }
                }
                let targets = object_targets.iter().chain(graph_targets.iter()).copied().collect();
                let part = CollectionPart { head: scoped, ..part.clone() };
                self.named.push(NamedPart { part, graph: graph.clone(), targets, map });
            }
        }
    }

    /// The triples of the collections a term map made for the record, in
    /// each of its graphs; the parts of named ones kept for the end.
    fn push_collections(
        &mut self,
        map: usize,
        collections: &Collections,
        graphs: &[Targeted<'_, GraphName>],
        term_targets: &[usize],
    ) {
        for (graph, graph_targets) in graphs {
            for triple in &collections.triples {
                self.push(triple.clone().in_graph(graph.clone()), &[term_targets, graph_targets]);
            }
            for part in &collections.named {
                let targets = term_targets.iter().chain(graph_targets.iter()).copied().collect();
                self.named.push(NamedPart { part: part.clone(), graph: graph.clone(), targets, map });
            }
        }
    }

    /// Adds a quad, sent to the union of the targets of the term maps that
    /// made it.
    #[inline]
    fn push(&mut self, quad: Quad, targets: &[&[usize]]) {
        let index = self.quads.len();
        self.quads.push(quad);
        if targets.iter().all(|targets| targets.is_empty()) {
            return;
        }
        let first = self.targeted.len();
        for &target in targets.iter().copied().flatten() {
            if !self.targeted[first..].iter().any(|&(_, t)| t == target) {
                self.targeted.push((index, target));
            }
        }
    }

    /// The quads for the default output: those no logical target takes.
    pub fn default_output(&self) -> impl Iterator<Item = &Quad> + '_ {
        let mut targeted = self.targeted.iter().map(|&(index, _)| index).peekable();
        self.quads.iter().enumerate().filter_map(move |(index, quad)| {
            while targeted.peek().is_some_and(|&t| t < index) {
                targeted.next();
            }
            (targeted.peek() != Some(&index)).then_some(quad)
        })
    }
}

fn issue(plan: &Plan, map: &MapPlan, row: &Row, term: &TermPlan, (kind, message): TermError) -> Problem {
    let problem =
        Problem::new(kind, &plan.sources[map.source].source.path, message).at_line(row.line).in_map(&map.name);
    if term.columns.is_empty() {
        problem
    } else {
        problem.in_column(&term.columns)
    }
}

fn subject_of(term: Term) -> Option<NamedOrBlankNode> {
    match term {
        Term::NamedNode(n) => Some(n.into()),
        Term::BlankNode(b) => Some(b.into()),
        _ => None,
    }
}

fn graph_name(term: Term) -> GraphName {
    match term {
        Term::NamedNode(n) if n.as_str().strip_prefix(RML) == Some("defaultGraph") => GraphName::DefaultGraph,
        Term::NamedNode(n) => n.into(),
        Term::BlankNode(b) => b.into(),
        _ => GraphName::DefaultGraph, // unreachable: graph maps are checked to give IRIs
    }
}

/// The default graph alone, for the many maps that name no graph.
static DEFAULT_GRAPH: [Targeted<'static, GraphName>; 1] = [(GraphName::DefaultGraph, &[])];

fn graphs_or_default<'p>(graphs: &[Targeted<'p, GraphName>]) -> Cow<'p, [Targeted<'p, GraphName>]> {
    if graphs.is_empty() {
        return Cow::Borrowed(&DEFAULT_GRAPH);
    }
    let mut graphs = graphs.to_vec();
    graphs.sort_by_cached_key(|(graph, _)| graph.to_string());
    graphs.dedup_by(|a, b| a.0 == b.0);
    Cow::Owned(graphs)
}

/// Buffers that the rows of a chunk reuse: a row then allocates only for
/// its terms, and a run makes tens of millions of them.
#[derive(Default)]
struct RowScratch<'p> {
    /// Text of a template as it is expanded.
    text: String,
    /// Terms of one term map for the row.
    terms: Vec<Term>,
    /// The row's subjects.
    subjects: Vec<NamedOrBlankNode>,
    /// A predicate-object map's predicates and objects for the row.
    predicates: Vec<Targeted<'p, NamedNode>>,
    objects: Vec<Targeted<'p, Term>>,
    /// What the gather maps make of the record.
    collections: Collections,
}

/// A quad for each predicate, object and graph. For the last subject, the
/// usual one of each is moved into its quad rather than cloned: a clone is
/// an allocation, and a run makes tens of millions of quads.
fn push_combinations<'p>(
    batch: &mut MappedBatch,
    (subject, subject_targets): (&NamedOrBlankNode, &[usize]),
    predicates: &mut Vec<Targeted<'p, NamedNode>>,
    objects: &mut Vec<Targeted<'p, Term>>,
    graphs: &[Targeted<'p, GraphName>],
    last_subject: bool,
) {
    if let (true, [_], [_], [(graph, graph_targets)]) =
        (last_subject, predicates.as_slice(), objects.as_slice(), graphs)
    {
        if let (Some((predicate, p_targets)), Some((object, o_targets))) = (predicates.pop(), objects.pop()) {
            let quad = Quad::new(subject.clone(), predicate, object, graph.clone());
            batch.push(quad, &[subject_targets, p_targets, o_targets, graph_targets]);
        }
        return;
    }
    for (predicate, p_targets) in predicates.iter() {
        for (object, o_targets) in objects.iter() {
            for (graph, graph_targets) in graphs {
                let quad = Quad::new(subject.clone(), predicate.clone(), object.clone(), graph.clone());
                batch.push(quad, &[subject_targets, p_targets, o_targets, graph_targets]);
            }
        }
    }
}

/// Named collections and containers as the records give them, put together
/// by head and graph in record order ([`CollectionPart`]).
#[derive(Default)]
struct NamedCollections {
    index: HashMap<(NamedOrBlankNode, GraphName), usize>,
    entries: Vec<(usize, NamedPart)>,
}

impl NamedCollections {
    fn add(&mut self, source: usize, parts: &mut Vec<NamedPart>) {
        for part in parts.drain(..) {
            let key = (part.part.head.clone(), part.graph.clone());
            match self.index.get(&key) {
                Some(&entry) => {
                    let (_, existing) = &mut self.entries[entry];
                    existing.part.members.extend(part.part.members);
                    for target in part.targets {
                        if !existing.targets.contains(&target) {
                            existing.targets.push(target);
                        }
                    }
                }
                None => {
                    self.index.insert(key, self.entries.len());
                    self.entries.push((source, part));
                }
            }
        }
    }

    /// Their triples, in a batch for each source that made some.
    fn into_batches(self, plan: &Plan) -> Vec<MappedBatch> {
        let mut batches: Vec<MappedBatch> = Vec::new();
        let mut triples = Vec::new();
        for (number, (source, named)) in self.entries.into_iter().enumerate() {
            let position = match batches.iter().position(|b| b.source == source) {
                Some(position) => position,
                None => {
                    let quads_per_map = vec![0; plan.maps.len()];
                    batches.push(MappedBatch { source, quads_per_map, ..MappedBatch::default() });
                    batches.len() - 1
                }
            };
            let batch = &mut batches[position];
            let NamedPart { part, graph, targets, map } = named;
            named_collection(&part.head, part.kind, part.members, number, &mut triples);
            batch.quads_per_map[map] += triples.len() as u64;
            for triple in triples.drain(..) {
                batch.push(triple.in_graph(graph.clone()), &[&targets]);
            }
        }
        batches
    }
}

/// A blank node as it is in `graph`: itself in the default graph, labelled
/// with the graph's IRI (hex) in a named one.
fn graph_scoped(node: &NamedOrBlankNode, graph: &GraphName) -> NamedOrBlankNode {
    match (node, graph) {
        (NamedOrBlankNode::BlankNode(blank), GraphName::NamedNode(name)) => {
            let mut label = format!("{}_", blank.as_str());
            for byte in name.as_str().bytes() {
                label.push_str(&format!("{byte:02x}"));
            }
            oxrdf::BlankNode::new_unchecked(label).into()
        }
        (NamedOrBlankNode::BlankNode(blank), GraphName::BlankNode(name)) => {
            oxrdf::BlankNode::new_unchecked(format!("{}_{}", blank.as_str(), name.as_str())).into()
        }
        _ => node.clone(),
    }
}
