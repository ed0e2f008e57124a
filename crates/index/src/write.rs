//! Writing an index: terms are numbered as they come (one hash lookup each),
//! then renumbered in byte order once all are known, and the rows sorted in
//! every order of their table.

use crate::file::{create, finish};
use crate::table::{self, DEFAULT_GRAPH_ORDERS, NAMED_GRAPH_ORDERS};
use crate::terms::{self, BYTES_FILE, OFFSETS_FILE};
use crate::{statistics, IndexError, Manifest, FORMAT, MANIFEST};
use hashbrown::HashTable;
use oxrdf::{GraphNameRef, QuadRef, Term};
use rayon::slice::ParallelSliceMut;
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
    pub fn write(mut self, folder: &Path) -> Result<IndexSummary, IndexError> {
        std::fs::create_dir_all(folder).map_err(IndexError::io(folder))?;
        self.numbers = HashTable::new();
        let renumbered = self.write_terms(folder)?;
        for row in &mut self.triples {
            *row = row.map(|number| renumbered[number as usize]);
        }
        for row in &mut self.quads {
            *row = row.map(|number| renumbered[number as usize]);
        }
        drop(renumbered);
        self.triples.par_sort_unstable();
        self.triples.dedup();
        self.quads.par_sort_unstable();
        self.quads.dedup();
        let mut statistics = statistics::Counter::default();
        table::write(folder, DEFAULT_GRAPH_ORDERS, &self.triples, self.ends.len(), |by, rows| {
            let rows = rows.map(|[s, p, o]| (s, p, o));
            match by {
                table::S => statistics.by_subject(rows),
                table::O => statistics.by_object(rows),
                _ => {}
            }
        })?;
        statistics.write(folder)?;
        table::write(folder, NAMED_GRAPH_ORDERS, &self.quads, self.ends.len(), |_, _| ())?;
        let manifest = Manifest {
            format: FORMAT,
            little_endian: cfg!(target_endian = "little"),
            terms: self.ends.len() as u64,
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

    /// Writes the dictionary in byte order; returns each first-seen
    /// number's final one.
    fn write_terms(&self, folder: &Path) -> Result<Vec<u32>, IndexError> {
        let mut sorted: Vec<u32> = (0..self.ends.len() as u32).collect();
        sorted.par_sort_unstable_by(|&a, &b| self.form(a).cmp(self.form(b)));
        let mut renumbered = vec![0; sorted.len()];
        let bytes_path = folder.join(BYTES_FILE);
        let mut bytes = create(&bytes_path)?;
        let mut offsets = Vec::with_capacity(sorted.len() + 1);
        let mut offset = 0u64;
        offsets.push(offset);
        for (final_number, &number) in sorted.iter().enumerate() {
            renumbered[number as usize] = final_number as u32;
            let form = self.form(number);
            bytes.write_all(form).map_err(IndexError::io(&bytes_path))?;
            offset += form.len() as u64;
            offsets.push(offset);
        }
        finish(bytes, &bytes_path)?;
        let offsets_path = folder.join(OFFSETS_FILE);
        let mut file = create(&offsets_path)?;
        file.write_all(bytemuck::cast_slice(&offsets)).map_err(IndexError::io(&offsets_path))?;
        finish(file, &offsets_path)?;
        Ok(renumbered)
    }
}

/// The form of first-seen number `number`.
fn form_at<'a>(forms: &'a [u8], ends: &[usize], number: u32) -> &'a [u8] {
    let start = if number == 0 { 0 } else { ends[number as usize - 1] };
    &forms[start..ends[number as usize]]
}
