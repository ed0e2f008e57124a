//! Writing an index: terms are numbered as they come (one hash lookup each),
//! then renumbered in byte order once all are known, and the rows sorted in
//! every order of their table.

use crate::file::{create, finish};
use crate::table::{self, DEFAULT_GRAPH_ORDERS, NAMED_GRAPH_ORDERS};
use crate::terms::{self, BYTES_FILE, OFFSETS_FILE};
use crate::{statistics, IndexError, Manifest, FORMAT, MANIFEST};
use hashbrown::HashTable;
use oxrdf::{GraphNameRef, QuadRef, Term};
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hash::BuildHasher;
use std::io::Write as _;
use std::path::Path;

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexSummary {
    pub terms: u64,
    pub quads: u64,
    /// Bytes of all the index's files.
    pub bytes: u64,
}

/// Gathers a graph's quads, then writes its index.
#[derive(Default)]
pub struct IndexWriter {
    /// Every distinct term's form, one after the other.
    forms: Vec<u8>,
    /// Where each term's form ends in `forms`, by first-seen number.
    ends: Vec<usize>,
    numbers: HashTable<u32>,
    hasher: rustc_hash::FxBuildHasher,
    triples: Vec<[u32; 3]>,
    quads: Vec<[u32; 4]>,
    scratch: Vec<u8>,
    /// The subject of the last quad added with [`Self::add_forms`].
    last_subject: Option<u32>,
}

impl IndexWriter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a quad.
    pub fn add_quad(&mut self, quad: QuadRef<'_>) {
        let mut number = |term: Term| {
            let mut form = std::mem::take(&mut self.scratch);
            form.clear();
            terms::encode(&term, &mut form);
            let number = self.number(&form);
            self.scratch = form;
            number
        };
        let s = number(quad.subject.into_owned().into());
        let p = number(quad.predicate.into_owned().into());
        let o = number(quad.object.into_owned());
        let graph = match quad.graph_name {
            GraphNameRef::DefaultGraph => None,
            GraphNameRef::NamedNode(graph) => Some(number(graph.into_owned().into())),
            GraphNameRef::BlankNode(graph) => Some(number(graph.into_owned().into())),
        };
        self.push(s, p, o, graph);
    }

    /// Adds a quad given as the N-Triples forms of its terms (as the build's
    /// sorted runs hold them), `None` for the default graph. The forms are
    /// not checked here: an index reads back what it was given.
    pub fn add_forms(&mut self, subject: &[u8], predicate: &[u8], object: &[u8], graph: Option<&[u8]>) {
        // Sorted runs give a subject's quads one after the other: its number
        // is the last quad's, with no lookup.
        let s = match self.last_subject {
            Some(last) if form_at(&self.forms, &self.ends, last) == subject => last,
            _ => self.number(subject),
        };
        self.last_subject = Some(s);
        let (p, o) = (self.number(predicate), self.number(object));
        let graph = graph.map(|graph| self.number(graph));
        self.push(s, p, o, graph);
    }

    fn push(&mut self, s: u32, p: u32, o: u32, graph: Option<u32>) {
        match graph {
            None => self.triples.push([s, p, o]),
            Some(g) => self.quads.push([s, p, o, g]),
        }
    }

    fn form(&self, number: u32) -> &[u8] {
        form_at(&self.forms, &self.ends, number)
    }

    /// The first-seen number of `form`, numbering it if it is new.
    fn number(&mut self, form: &[u8]) -> u32 {
        let hash = self.hasher.hash_one(form);
        let Self { forms, ends, numbers, hasher, .. } = self;
        if let Some(&number) = numbers.find(hash, |&number| form_at(forms, ends, number) == form) {
            return number;
        }
        let number = u32::try_from(ends.len()).expect("an index holds fewer than 2^32 terms");
        forms.extend_from_slice(form);
        ends.push(forms.len());
        let (forms, ends) = (&*forms, &*ends);
        numbers.insert_unique(hash, number, |&number| hasher.hash_one(form_at(forms, ends, number)));
        number
    }

    /// Writes the index into `folder` (created if missing), its manifest last.
    pub fn write(self, folder: &Path) -> Result<IndexSummary, IndexError> {
        Self::write_parts(vec![self], folder)
    }

    /// Writes one index into `folder` (created if missing) from writers that
    /// were each given a share of the quads, such as one per thread: the
    /// files are the same as one writer given them all would write. Each
    /// writer numbers its terms alone, so the shares can be numbered at once;
    /// here their dictionaries are sorted and merged, and their rows joined.
    ///
    /// ```
    /// use factgraph_index::{Index, IndexWriter};
    /// use rayon::prelude::*;
    ///
    /// let folder = tempfile::tempdir()?;
    /// let subjects = ["<http://e.org/a>", "<http://e.org/b>"];
    /// let parts: Vec<IndexWriter> = subjects
    ///     .par_iter()
    ///     .map(|subject| {
    ///         let mut part = IndexWriter::new();
    ///         part.add_forms(subject.as_bytes(), b"<http://e.org/p>", b"\"1\"", None);
    ///         part
    ///     })
    ///     .collect();
    /// let summary = IndexWriter::write_parts(parts, folder.path())?;
    /// assert_eq!((summary.terms, summary.quads), (4, 2));
    /// assert_eq!(Index::open(folder.path())?.len(), 2);
    /// # Ok::<_, Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_parts(mut parts: Vec<IndexWriter>, folder: &Path) -> Result<IndexSummary, IndexError> {
        std::fs::create_dir_all(folder).map_err(IndexError::io(folder))?;
        for part in &mut parts {
            part.numbers = HashTable::new();
        }
        let (terms, renumbered) = write_terms(&parts, folder)?;
        for part in &mut parts {
            // Only the rows are needed from here on: the forms are in the file.
            part.forms = Vec::new();
            part.ends = Vec::new();
        }
        Rows::join(parts, &renumbered).write(folder, terms)
    }
}

/// The rows of all the parts, in final numbers.
struct Rows {
    triples: Vec<[u32; 3]>,
    quads: Vec<[u32; 4]>,
}

impl Rows {
    /// Takes each part's rows, in the numbers `renumbered` gives its own.
    fn join(mut parts: Vec<IndexWriter>, renumbered: &[Vec<u32>]) -> Self {
        parts.par_iter_mut().zip(renumbered).for_each(|(part, renumbered)| {
            let renumber = |number: u32| renumbered[number as usize];
            part.triples.par_iter_mut().for_each(|row| *row = row.map(renumber));
            part.quads.par_iter_mut().for_each(|row| *row = row.map(renumber));
        });
        let triples = concat(parts.iter_mut().map(|part| std::mem::take(&mut part.triples)).collect());
        let quads = concat(parts.into_iter().map(|part| part.quads).collect());
        Self { triples, quads }
    }

    /// Writes the tables, their statistics and the manifest.
    fn write(mut self, folder: &Path, terms: usize) -> Result<IndexSummary, IndexError> {
        self.triples.par_sort_unstable();
        self.triples.dedup();
        self.quads.par_sort_unstable();
        self.quads.dedup();
        let mut statistics = statistics::Counter::default();
        table::write(folder, DEFAULT_GRAPH_ORDERS, &self.triples, terms, |by, rows| {
            let rows = rows.map(|[s, p, o]| (s, p, o));
            match by {
                table::S => statistics.by_subject(rows),
                table::O => statistics.by_object(rows),
                _ => {}
            }
        })?;
        statistics.write(folder)?;
        table::write(folder, NAMED_GRAPH_ORDERS, &self.quads, terms, |_, _| ())?;
        let manifest = Manifest {
            format: FORMAT,
            little_endian: cfg!(target_endian = "little"),
            terms: terms as u64,
            triples: self.triples.len() as u64,
            named_graph_quads: self.quads.len() as u64,
        };
        let path = folder.join(MANIFEST);
        let text = serde_json::to_vec_pretty(&manifest).map_err(|e| IndexError::corrupt(&path, e.to_string()))?;
        std::fs::write(&path, text).map_err(IndexError::io(&path))?;
        let mut bytes = 0;
        for entry in std::fs::read_dir(folder).map_err(IndexError::io(folder))? {
            bytes += entry.and_then(|entry| entry.metadata()).map_err(IndexError::io(folder))?.len();
        }
        Ok(IndexSummary { terms: manifest.terms, quads: manifest.triples + manifest.named_graph_quads, bytes })
    }
}

/// Writes the parts' terms once each, in byte order: each part's sorted,
/// then merged, both at once (the merge in ranges of forms, one per thread).
/// Returns how many terms there are and, for each part, the final number of
/// each of its first-seen ones.
fn write_terms(parts: &[IndexWriter], folder: &Path) -> Result<(usize, Vec<Vec<u32>>), IndexError> {
    let sorted: Vec<Vec<u32>> = parts.par_iter().map(IndexWriter::numbers_in_byte_order).collect();
    let bounds = range_bounds(parts, &sorted, rayon::current_num_threads());
    let merged: Vec<MergedRange> =
        bounds.par_windows(2).map(|range| MergedRange::merge(parts, &sorted, &range[0], &range[1])).collect();
    let mut firsts = Vec::with_capacity(merged.len());
    let mut terms = 0usize;
    for range in &merged {
        firsts.push(terms);
        terms += range.distinct.len();
    }
    u32::try_from(terms).expect("an index holds fewer than 2^32 terms");
    let bytes_path = folder.join(BYTES_FILE);
    let mut bytes = create(&bytes_path)?;
    let mut offsets = Vec::with_capacity(terms + 1);
    offsets.push(0u64);
    for &(part, number) in merged.iter().flat_map(|range| &range.distinct) {
        let form = parts[part as usize].form(number);
        bytes.write_all(form).map_err(IndexError::io(&bytes_path))?;
        offsets.push(offsets[offsets.len() - 1] + form.len() as u64);
    }
    finish(bytes, &bytes_path)?;
    let offsets_path = folder.join(OFFSETS_FILE);
    let mut file = create(&offsets_path)?;
    file.write_all(bytemuck::cast_slice(&offsets)).map_err(IndexError::io(&offsets_path))?;
    finish(file, &offsets_path)?;
    let renumbered = (parts, &sorted)
        .into_par_iter()
        .enumerate()
        .map(|(index, (part, sorted))| {
            let mut renumbered = vec![0; part.ends.len()];
            for ((range, bounds), first) in merged.iter().zip(&bounds).zip(&firsts) {
                let numbers = sorted[bounds[index]..].iter().zip(&range.numbers[index]);
                for (&number, &in_range) in numbers {
                    renumbered[number as usize] = (first + in_range as usize) as u32;
                }
            }
            renumbered
        })
        .collect();
    Ok((terms, renumbered))
}

/// Where each of `ranges` ranges of forms starts in each part's `sorted`
/// numbers, and one past the last: a form is in the same range in every
/// part, so that the ranges can be merged apart.
fn range_bounds(parts: &[IndexWriter], sorted: &[Vec<u32>], ranges: usize) -> Vec<Vec<usize>> {
    let Some(largest) = (0..parts.len()).max_by_key(|&index| sorted[index].len()) else { return Vec::new() };
    let (largest, largest_sorted) = (&parts[largest], &sorted[largest]);
    let mut bounds = vec![vec![0; parts.len()]];
    let ranges = if largest_sorted.is_empty() { 1 } else { ranges.max(1) };
    for range in 1..ranges {
        let first = largest.form(largest_sorted[largest_sorted.len() * range / ranges]);
        bounds.push(
            parts.iter().zip(sorted).map(|(part, sorted)| sorted.partition_point(|&n| part.form(n) < first)).collect(),
        );
    }
    bounds.push(sorted.iter().map(Vec::len).collect());
    bounds
}

/// A range of the parts' forms, merged.
struct MergedRange {
    /// Each distinct form once, in byte order, as the part and the
    /// first-seen number of one that holds it.
    distinct: Vec<(u32, u32)>,
    /// For each part, the place in `distinct` of each of its forms in the
    /// range, in byte order.
    numbers: Vec<Vec<u32>>,
}

impl MergedRange {
    /// Merges the forms of `sorted` (each part's numbers in byte order) from
    /// `starts` to `ends`.
    fn merge(parts: &[IndexWriter], sorted: &[Vec<u32>], starts: &[usize], ends: &[usize]) -> Self {
        let mut merged = Self { distinct: Vec::new(), numbers: Vec::with_capacity(parts.len()) };
        // The next form of each part, smallest first.
        let mut next: BinaryHeap<Reverse<(&[u8], usize, usize)>> = BinaryHeap::with_capacity(parts.len());
        for (index, part) in parts.iter().enumerate() {
            merged.numbers.push(Vec::with_capacity(ends[index] - starts[index]));
            if starts[index] < ends[index] {
                next.push(Reverse((part.form(sorted[index][starts[index]]), index, starts[index])));
            }
        }
        let mut last: Option<&[u8]> = None;
        while let Some(Reverse((form, index, position))) = next.pop() {
            if last != Some(form) {
                merged.distinct.push((index as u32, sorted[index][position]));
                last = Some(form);
            }
            merged.numbers[index].push((merged.distinct.len() - 1) as u32);
            if position + 1 < ends[index] {
                next.push(Reverse((parts[index].form(sorted[index][position + 1]), index, position + 1)));
            }
        }
        merged
    }
}

/// The rows of all `parts` in one vector: the largest part's, grown, so that
/// a single part is not copied.
fn concat<T: Copy>(mut parts: Vec<Vec<T>>) -> Vec<T> {
    let Some(largest) = (0..parts.len()).max_by_key(|&index| parts[index].len()) else { return Vec::new() };
    let mut all = parts.swap_remove(largest);
    all.reserve_exact(parts.iter().map(Vec::len).sum());
    for part in parts {
        all.extend_from_slice(&part);
    }
    all
}

impl IndexWriter {
    /// The first-seen numbers, in the byte order of their forms.
    fn numbers_in_byte_order(&self) -> Vec<u32> {
        let mut sorted: Vec<u32> = (0..self.ends.len() as u32).collect();
        sorted.par_sort_unstable_by(|&a, &b| self.form(a).cmp(self.form(b)));
        sorted
    }
}

/// The form of first-seen number `number`.
fn form_at<'a>(forms: &'a [u8], ends: &[usize], number: u32) -> &'a [u8] {
    let start = if number == 0 { 0 } else { ends[number as usize - 1] };
    &forms[start..ends[number as usize]]
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{BlankNode, Literal, NamedNode, Quad};
    use proptest::prelude::*;

    /// Quads that share subjects, predicates and objects, some in named
    /// graphs, some given twice.
    fn sample_quads(count: usize) -> Vec<Quad> {
        let node = |kind: &str, i: usize| NamedNode::new_unchecked(format!("http://e.org/{kind}{i}"));
        (0..count)
            .map(|i| {
                let subject = node("s", i % 23);
                let object: Term = match i % 5 {
                    0 => node("s", i % 7).into(),
                    1 => Literal::new_simple_literal(format!("v{}", i % 11)).into(),
                    2 => Literal::new_language_tagged_literal_unchecked(format!("é{}", i % 3), "fr").into(),
                    3 => Literal::new_typed_literal(format!("{}", i % 13), oxrdf::vocab::xsd::INTEGER).into(),
                    _ => BlankNode::new_unchecked(format!("b{}", i % 4)).into(),
                };
                let graph: oxrdf::GraphName = match i % 6 {
                    0 => node("g", i % 2).into(),
                    1 => BlankNode::new_unchecked("g").into(),
                    _ => oxrdf::GraphName::DefaultGraph,
                };
                Quad::new(subject, node("p", i % 4), object, graph)
            })
            .collect()
    }

    fn add_as_forms(writer: &mut IndexWriter, quad: &Quad) {
        let form = |term: Term| {
            let mut form = Vec::new();
            terms::encode(&term, &mut form);
            form
        };
        let graph = match &quad.graph_name {
            oxrdf::GraphName::DefaultGraph => None,
            oxrdf::GraphName::NamedNode(graph) => Some(form(graph.clone().into())),
            oxrdf::GraphName::BlankNode(graph) => Some(form(graph.clone().into())),
        };
        writer.add_forms(
            &form(quad.subject.clone().into()),
            &form(quad.predicate.clone().into()),
            &form(quad.object.clone()),
            graph.as_deref(),
        );
    }

    /// Every file of the index folder, by name.
    fn files(folder: &Path) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = std::fs::read_dir(folder)
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    /// The files one writer given all `quads` writes, and those written
    /// from parts holding the shares of `quads` that `share_of` gives.
    fn written_whole_and_in_parts(
        quads: &[Quad],
        parts: usize,
        share_of: impl Fn(usize) -> usize,
    ) -> [Vec<(String, Vec<u8>)>; 2] {
        let (whole, in_parts) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut writer = IndexWriter::new();
        for quad in quads {
            writer.add_quad(quad.as_ref());
        }
        writer.write(whole.path()).unwrap();
        let mut writers: Vec<IndexWriter> = (0..parts).map(|_| IndexWriter::new()).collect();
        for (i, quad) in quads.iter().enumerate() {
            add_as_forms(&mut writers[share_of(i)], quad);
        }
        // Three threads: the terms are merged in three ranges, whatever the machine.
        let threads = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        let summary = threads.install(|| IndexWriter::write_parts(writers, in_parts.path())).unwrap();
        let distinct: std::collections::HashSet<&Quad> = quads.iter().collect();
        assert_eq!(summary.quads, distinct.len() as u64);
        [files(whole.path()), files(in_parts.path())]
    }

    #[test]
    fn an_index_written_from_parts_has_the_files_of_one_written_whole() {
        let quads = sample_quads(400);
        let [whole, in_parts] = written_whole_and_in_parts(&quads, 4, |i| i * 3 / 400);
        assert!(whole.iter().any(|(name, bytes)| name == "gspo.rows" && !bytes.is_empty()), "named graphs are written");
        assert_eq!(whole, in_parts, "contiguous shares, and an empty part");
        let [whole, in_parts] = written_whole_and_in_parts(&quads, 3, |i| i % 3);
        assert_eq!(whole, in_parts, "interleaved shares");
        let [whole, in_parts] = written_whole_and_in_parts(&quads, 2, |i| usize::from(i >= 200) ^ (i % 2));
        assert_eq!(whole, in_parts, "each quad given once to each part");
    }

    #[test]
    fn no_parts_write_an_empty_index() {
        let (none, empty) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        IndexWriter::write_parts(Vec::new(), none.path()).unwrap();
        IndexWriter::new().write(empty.path()).unwrap();
        assert_eq!(files(none.path()), files(empty.path()));
        assert_eq!(crate::Index::open(none.path()).unwrap().len(), 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn any_split_writes_the_same_files(count in 0usize..120, shares in proptest::collection::vec(0usize..5, 120)) {
            let quads = sample_quads(count);
            let [whole, in_parts] = written_whole_and_in_parts(&quads, 5, |i| shares[i]);
            prop_assert_eq!(whole, in_parts);
        }
    }
}
