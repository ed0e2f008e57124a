//! What changed since the current version, as quads: the records added and
//! removed in each changed file, and the records that join a changed parent
//! record, mapped again on both sides.
//!
//! Why this gives the full build's graph: a record that did not change and
//! joins no changed parent record gives the same quads before and after
//! (its cells are the same, its joins find the same parents, and no triples
//! map it runs numbers its blank nodes by line: [`not_incremental`] refuses
//! those). So the new graph's quads, counted with the times the mapping
//! gives each, are the old ones, less what the old side of the changed
//! records gave, plus what their new side gives.

use super::records::Record;
use super::snapshot::{self, Inputs, SourceSnapshot, SourceText};
use crate::changes::FileChange;
use crate::export::kept::stored_key;
use crate::mapping::chosen::{self, Chosen, ChosenRecords};
use crate::mapping::plan::{ObjectPlan, TermPlan, ValuePlan};
use crate::mapping::{Plan, RunOptions};
use crate::origins::remap::{Moved, Remap};
use crate::origins::OriginsChange;
use crate::source::Format;
use crate::store::StoreDir;
use crate::Error;
use oxigraph::model::Quad;
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

/// The quote character of CSV sources (the engine reads RFC 4180).
const QUOTE: u8 = b'"';

/// Why `plan` cannot be built record by record, if it cannot.
pub fn not_incremental(plan: &Plan) -> Option<String> {
    if !plan.targets.is_empty() {
        return Some("the mappings write logical targets, which are written whole".into());
    }
    for source in &plan.sources {
        let description = &source.source;
        let plain_csv = matches!(description.format, Format::Csv { .. })
            && source.view.is_none()
            && description.table.is_none()
            && description.service.is_none()
            && description.compression == factgraph_rml::files::Compression::None
            && description.encoding == factgraph_rml::files::Encoding::Utf8;
        if !plain_csv {
            return Some(format!(
                "{} is not a plain CSV file (a database, a SPARQL endpoint, JSON, XML, a spreadsheet, a logical view or a compressed file is read whole)",
                description.path.display()
            ));
        }
    }
    for map in &plan.maps {
        let mut terms: Vec<&TermPlan> = vec![&map.subject];
        terms.extend(&map.subject_graphs);
        for pom in &map.predicate_object_maps {
            terms.extend(&pom.predicates);
            terms.extend(&pom.graphs);
            terms.extend(pom.objects.iter().filter_map(|o| match o {
                ObjectPlan::Term(term) => Some(term),
                _ => None,
            }));
        }
        if !map.subject_graphs.is_empty() || map.predicate_object_maps.iter().any(|p| !p.graphs.is_empty()) {
            return Some(format!("triples map {} writes to named graphs", map.name));
        }
        if terms.iter().any(|t| matches!(t.value, ValuePlan::Fresh(_)) || t.gather.is_some()) {
            return Some(format!(
                "triples map {} makes blank nodes numbered by the line of their row, or collections",
                map.name
            ));
        }
    }
    None
}

/// What the changed records give and take, per quad.
#[derive(Debug, Default)]
pub struct Delta {
    /// By the quad's sort key (its literal as the store keeps it).
    pub quads: HashMap<Vec<u8>, QuadDelta>,
    pub files: Vec<FileChange>,
    /// Each source's snapshot as it is now.
    pub snapshots: Vec<SourceSnapshot>,
    /// The sources that changed.
    pub changed: Vec<PathBuf>,
    /// The SHA-256 of each file read because its size or time changed.
    pub checksums: Vec<(PathBuf, String)>,
    /// What the added and removed records define and point at, for the checks.
    pub seen: super::checks::Seen,
    /// Where the changed files' records went and the rows the added ones
    /// define, for the row origins.
    pub origins: OriginsChange,
    /// Why the changes cannot be followed record by record, if they cannot
    /// (the build is then full).
    pub not_incremental: Option<String>,
}

/// How many more (or fewer) times the records give a quad, and the last
/// record that gave or took it.
#[derive(Debug)]
pub struct QuadDelta {
    pub quad: Quad,
    pub net: i64,
    pub cause: String,
}

/// A changed source: its records removed and added.
struct Changed {
    source: usize,
    removed: ChosenRecords,
    added: ChosenRecords,
    text: SourceText,
}

/// What [`changed_records`] found in a changed file: the records removed,
/// those added, and where the others went.
struct RecordChanges {
    removed: ChosenRecords,
    added: ChosenRecords,
    moved: Remap,
}

/// Finds what changed in the sources of `plan` since `old` was built, maps
/// it, and counts the quads. `scratch` holds the old files that joins need.
pub fn compute(
    plan: &Plan,
    old_plan: &mut Plan,
    store: &StoreDir,
    old: &Inputs,
    scratch: &Path,
) -> Result<Delta, Error> {
    let mut delta = Delta { origins: OriginsChange::begin(plan), ..Delta::default() };
    let mut changed = Vec::new();
    for (index, source) in plan.sources.iter().enumerate() {
        let path = &source.source.path;
        let before = old.source(path);
        if let Some(before) = before {
            if snapshot::stamp(path) == Some((before.size, before.modified_nanos)) {
                delta.snapshots.push(before.clone());
                continue;
            }
        }
        let text = SourceText::read(path, QUOTE)?;
        // The description's checksum on one core, the chunks on the other.
        let (checksum, now) = rayon::join(|| text.sha256(), || text.snapshot(store));
        let now = now?;
        delta.checksums.push((path.clone(), checksum));
        let same = before.is_some_and(|b| b.bom == now.bom && b.chunks == now.chunks);
        delta.snapshots.push(now.clone());
        if same {
            continue;
        }
        let Some(RecordChanges { removed, added, moved }) = changed_records(store, before, &text, &now)? else {
            // The plan reads columns by their place in the header row.
            delta.not_incremental = Some(format!("the header row of {} changed", path.display()));
            return Ok(delta);
        };
        delta.files.push(FileChange {
            path: path.clone(),
            records_added: added.len() as u64,
            records_removed: removed.len() as u64,
        });
        delta.changed.push(path.clone());
        delta.origins.moved(path, moved);
        changed.push(Changed { source: index, removed, added, text });
    }
    if changed.is_empty() {
        return Ok(delta);
    }
    restore_old_parents(plan, old_plan, store, old, &changed, scratch)?;
    let (old_chosen, new_chosen) = choose(plan, old_plan, &changed)?;
    let lines = |pick: fn(&Changed) -> &ChosenRecords| {
        let mut lines = vec![HashSet::new(); plan.sources.len()];
        for change in &changed {
            lines[change.source] = pick(change).lines().collect();
        }
        lines
    };
    // Causes name the files as the plan does, not the old files restored.
    let names: Vec<String> = plan.sources.iter().map(|s| s.source.path.display().to_string()).collect();
    count(old_plan, &old_chosen, Side::Old(&lines(|c| &c.removed)), &names, &mut delta)?;
    count(plan, &new_chosen, Side::New(&lines(|c| &c.added)), &names, &mut delta)?;
    delta.quads.retain(|_, d| d.net != 0);
    Ok(delta)
}

/// The records of a changed file that are not in its old snapshot
/// (`added`) and those of the old snapshot no longer in it (`removed`),
/// read only from the chunks the two do not share, and where the others
/// went; `None` when the header row changed (the plan reads columns by
/// their place in it).
fn changed_records(
    store: &StoreDir,
    before: Option<&SourceSnapshot>,
    now: &SourceText,
    snapshot_now: &SourceSnapshot,
) -> Result<Option<RecordChanges>, Error> {
    let header = now.records.first().map_or(&[][..], |r| &now.text[r.start..r.end]);
    let Some(before) = before else {
        let added = all_records(now);
        return Ok(Some(RecordChanges { removed: ChosenRecords::new(header), added, moved: Remap::default() }));
    };
    let new_chunk_hashes: Vec<&String> = snapshot_now.chunks.iter().map(|c| &c.hash).collect();
    let new_set: HashSet<&String> = new_chunk_hashes.iter().copied().collect();
    let old_set: HashSet<&String> = before.chunks.iter().map(|c| &c.hash).collect();
    let mut new_places = chunk_places(&snapshot_now.chunks);
    // The records of a chunk both files have moved with it.
    let mut moved: Vec<Moved> = Vec::new();
    // The old records of the chunks the new file lacks, placed in the old file.
    let mut old_records: Vec<(Vec<u8>, u64, u64)> = Vec::new();
    let (mut offset, mut line) = (0u64, 1u64);
    let mut old_header = None;
    for (position, chunk) in before.chunks.iter().enumerate() {
        let only_old = !new_set.contains(&chunk.hash);
        if let Some((new_offset, new_line)) = new_places.get_mut(&chunk.hash).and_then(VecDeque::pop_front) {
            // The last chunk may end with no line end: its last line counts too.
            let end = line + chunk.newlines + u64::from(position + 1 == before.chunks.len());
            moved.push(move_of((line, end), offset, (new_line, new_offset)));
        }
        if position == 0 || only_old {
            let bytes = snapshot::read_chunk(store, chunk)?;
            for record in super::records::split(&bytes, QUOTE) {
                let text = bytes[record.start..record.end].to_vec();
                if position == 0 && old_header.is_none() {
                    old_header = Some(text);
                } else if only_old {
                    old_records.push((text, line + record.line - 1, offset + record.start as u64));
                }
            }
        }
        offset += chunk.bytes;
        line += chunk.newlines;
    }
    if old_header.as_deref() != Some(header) {
        return Ok(None);
    }
    // The new records of the chunks the old file lacks, the header left out.
    let header_start = now.records.first().map_or(0, |r| r.start);
    let mut new_records: Vec<&Record> = Vec::new();
    let ends: Vec<usize> = now.chunk_starts.iter().skip(1).copied().chain([now.text.len()]).collect();
    for ((start, end), hash) in now.chunk_starts.iter().zip(&ends).zip(&new_chunk_hashes) {
        if old_set.contains(hash) {
            continue;
        }
        let first = now.records.partition_point(|r| r.start < *start);
        new_records
            .extend(now.records[first..].iter().take_while(|r| r.start < *end).filter(|r| r.start != header_start));
    }
    // Records only moved from one chunk to another are no change.
    let mut unmatched: HashMap<&[u8], Vec<usize>> = HashMap::new();
    for (i, (text, _, _)) in old_records.iter().enumerate() {
        unmatched.entry(text.as_slice()).or_default().push(i);
    }
    let mut added = ChosenRecords::new(header);
    // Where each old record is in the new file, if it is.
    let mut kept_old: Vec<Option<&Record>> = vec![None; old_records.len()];
    for record in new_records {
        let text = &now.text[record.start..record.end];
        match unmatched.get_mut(text).and_then(Vec::pop) {
            Some(i) => kept_old[i] = Some(record),
            None => added.push(text, record.line, record.start as u64),
        }
    }
    let mut removed = ChosenRecords::new(header);
    for ((text, line, offset), kept) in old_records.iter().zip(kept_old) {
        match kept {
            Some(new) => {
                let lines = (*line, line + 1 + memchr::memchr_iter(b'\n', text).count() as u64);
                moved.push(move_of(lines, *offset, (new.line, new.start as u64)));
            }
            None => removed.push(text, *line, *offset),
        }
    }
    Ok(Some(RecordChanges { removed, added, moved: Remap::from_runs(moved) }))
}

/// Where each of `chunks` starts in its file, (offset, line), by its hash,
/// in the order of the file.
fn chunk_places(chunks: &[super::snapshot::Chunk]) -> HashMap<&String, VecDeque<(u64, u64)>> {
    let mut places: HashMap<&String, VecDeque<(u64, u64)>> = HashMap::new();
    let (mut offset, mut line) = (0u64, 1u64);
    for chunk in chunks {
        places.entry(&chunk.hash).or_default().push_back((offset, line));
        offset += chunk.bytes;
        line += chunk.newlines;
    }
    places
}

/// The records that started on `lines` of the old file, from `offset` on,
/// now starting on `(line, offset)` of the new one.
fn move_of((start, end): (u64, u64), offset: u64, (new_line, new_offset): (u64, u64)) -> Moved {
    let by = |to: u64, from: u64| to as i64 - from as i64;
    Moved { start, end, lines: by(new_line, start), bytes: by(new_offset, offset) }
}

/// Every data record of `now`.
fn all_records(now: &SourceText) -> ChosenRecords {
    let header = now.records.first().map_or(&[][..], |r| &now.text[r.start..r.end]);
    let mut records = ChosenRecords::new(header);
    for record in now.records.iter().skip(1) {
        records.push(&now.text[record.start..record.end], record.line, record.start as u64);
    }
    records
}

/// Points the old plan's changed join parents at their old files, written
/// into `scratch`: the old side's joins must find the old parents.
fn restore_old_parents(
    plan: &Plan,
    old_plan: &mut Plan,
    store: &StoreDir,
    old: &Inputs,
    changed: &[Changed],
    scratch: &Path,
) -> Result<(), Error> {
    for change in changed {
        let is_parent = plan.joins.iter().any(|join| plan.maps[join.parent].source == change.source);
        if !is_parent {
            continue;
        }
        let path = &plan.sources[change.source].source.path;
        let restored = scratch.join(format!("old-{}.csv", change.source));
        match old.source(path) {
            Some(before) => snapshot::restore(store, before, &restored)?,
            None => std::fs::write(&restored, &change.text.text[..header_end(&change.text)])
                .map_err(Error::io(&restored))?,
        }
        old_plan.sources[change.source].source.path = restored;
    }
    Ok(())
}

/// Where the header row ends, its line end included.
fn header_end(text: &SourceText) -> usize {
    text.records.get(1).map_or(text.text.len(), |r| r.start)
}

/// What a run reads of each source (`None`: nothing).
type Sides = Vec<Option<Chosen>>;

/// The records each side maps: the removed ones on the old side, the added
/// ones on the new, and on both the records that join a parent record that
/// changed.
fn choose(plan: &Plan, old_plan: &Plan, changed: &[Changed]) -> Result<(Sides, Sides), Error> {
    let mut keys: HashMap<usize, HashSet<Vec<String>>> = HashMap::new();
    for change in changed {
        for (join, set) in chosen::parent_keys(old_plan, change.source, &change.removed)? {
            keys.entry(join).or_default().extend(set);
        }
        for (join, set) in chosen::parent_keys(plan, change.source, &change.added)? {
            keys.entry(join).or_default().extend(set);
        }
    }
    let sources = plan.sources.len();
    let mut old_side: Vec<Option<ChosenRecords>> = vec![None; sources];
    let mut new_side: Vec<Option<ChosenRecords>> = vec![None; sources];
    let mut taken: Vec<HashSet<u64>> = vec![HashSet::new(); sources];
    for change in changed {
        old_side[change.source] = Some(change.removed.clone());
        new_side[change.source] = Some(change.added.clone());
        taken[change.source].extend(change.added.offsets());
    }
    if !keys.is_empty() {
        for source in 0..sources {
            let joining = chosen::records_joining(plan, source, &keys)?;
            if joining.is_empty() {
                continue;
            }
            let owned;
            let text = match changed.iter().find(|c| c.source == source) {
                Some(change) => &change.text,
                None => {
                    owned = SourceText::read(&plan.sources[source].source.path, QUOTE)?;
                    &owned
                }
            };
            let header = text.records.first().map_or(&[][..], |r| &text.text[r.start..r.end]);
            let old = old_side[source].get_or_insert_with(|| ChosenRecords::new(header));
            let new = new_side[source].get_or_insert_with(|| ChosenRecords::new(header));
            for (line, offset) in joining {
                if taken[source].contains(&offset) {
                    continue; // an added record, already on the new side
                }
                let Ok(at) = text.records.binary_search_by_key(&(offset as usize), |r| r.start) else { continue };
                let bytes = &text.text[text.records[at].start..text.records[at].end];
                old.push(bytes, line, offset);
                new.push(bytes, line, offset);
            }
        }
    }
    let into_chosen = |side: Vec<Option<ChosenRecords>>| {
        side.into_iter().map(|records| records.filter(|r| !r.is_empty()).map(Chosen::Records)).collect()
    };
    Ok((into_chosen(old_side), into_chosen(new_side)))
}

/// Which side a run maps, with the lines of the records removed (old side)
/// or added (new side) in each source: those the checks look at.
enum Side<'a> {
    Old(&'a [HashSet<u64>]),
    New(&'a [HashSet<u64>]),
}

/// Maps the chosen records and counts each quad they give: -1 on the old
/// side, +1 on the new. The new side's problems stop the build, as they
/// would stop a full one.
fn count(
    plan: &Plan,
    chosen: &[Option<Chosen>],
    side: Side<'_>,
    names: &[String],
    delta: &mut Delta,
) -> Result<(), Error> {
    let (sign, lines) = match side {
        Side::Old(lines) => (-1, lines),
        Side::New(lines) => (1, lines),
    };
    let options = RunOptions { track_identifiers: true, empty_subject_is_problem: true };
    let (quads, seen, origins) = (&mut delta.quads, &mut delta.seen, &mut delta.origins);
    let report = chosen::run_chosen(plan, options, chosen, &mut |batch: crate::mapping::MappedBatch| {
        let path = &names[batch.source];
        let changed = &lines[batch.source];
        let mut start = 0;
        for row in &batch.rows {
            for quad in &batch.quads[start..row.end] {
                let key = stored_key(quad.as_ref());
                let entry = quads.entry(key).or_insert_with(|| QuadDelta {
                    quad: crate::export::kept::stored_quad(quad),
                    net: 0,
                    cause: String::new(),
                });
                entry.net += sign;
                entry.cause = format!("{path}:{}", row.line);
            }
            start = row.end;
        }
        for subject in batch.subjects.iter().filter(|s| changed.contains(&s.line)) {
            if sign > 0 {
                seen.subjects.push((subject.map, subject.line, subject.subject.clone()));
                origins.added(plan, batch.source, subject);
            } else {
                seen.removed_subjects.insert((subject.map, subject.subject.clone()));
            }
        }
        if sign > 0 {
            for reference in batch.references.iter().filter(|r| changed.contains(&r.line)) {
                let seen_reference =
                    (reference.map, reference.line, reference.columns.clone(), reference.object.clone());
                seen.references.push(seen_reference);
            }
        }
        Ok::<_, Error>(())
    })?;
    if sign > 0 && report.issue_count > 0 {
        return Err(Error::Problems { problems: report.issues, total: report.issue_count });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each data record of `text` with its line and offset, by its text.
    fn places(text: &SourceText) -> HashMap<Vec<u8>, (u64, u64)> {
        text.records.iter().skip(1).map(|r| (text.text[r.start..r.end].to_vec(), (r.line, r.start as u64))).collect()
    }

    /// Rows removed, edited and inserted (one on two lines) in a file of
    /// many chunks: every record left is placed where it is in the new
    /// file, whether its chunk changed or not, and no record that went is.
    #[test]
    fn the_records_left_are_placed_where_the_new_file_has_them() {
        let folder = tempfile::tempdir().unwrap();
        let store = StoreDir::new(folder.path());
        let mut old = String::from("id,name\n");
        for i in 0..20_000 {
            old.push_str(&format!("{i},name {i}\n"));
        }
        let new = old
            .replacen("\n500,name 500\n", "\n", 1)
            .replacen("\n7000,name 7000\n", "\n7000,another name\n", 1)
            .replacen("\n12000,", "\nnew,\"two\nlines\"\n12000,", 1)
            .replacen("\n15000,name 15000\n15001,name 15001\n", "\n", 1);
        let read = |name: &str, text: &str| {
            let path = folder.path().join(name);
            std::fs::write(&path, text).unwrap();
            let text = SourceText::read(&path, QUOTE).unwrap();
            let snapshot = text.snapshot(&store).unwrap();
            (text, snapshot)
        };
        let (old_text, old_snapshot) = read("old.csv", &old);
        let (new_text, new_snapshot) = read("new.csv", &new);
        assert!(old_snapshot.chunks.len() > 20, "{} chunks", old_snapshot.chunks.len());
        let changes = changed_records(&store, Some(&old_snapshot), &new_text, &new_snapshot).unwrap().unwrap();
        assert_eq!((changes.removed.len(), changes.added.len()), (4, 2));
        let now = places(&new_text);
        for (record, (line, offset)) in places(&old_text) {
            let expected = now.get(&record).map(|&(line, offset)| (line, Some(offset)));
            assert_eq!(changes.moved.place(line, Some(offset)), expected, "{}", String::from_utf8_lossy(&record));
        }
        assert!(changes.moved.runs().len() <= 8, "{:?}", changes.moved.runs());
    }
}
