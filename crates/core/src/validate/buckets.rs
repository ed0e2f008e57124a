//! The mapped triples, spilled to disk on their way to the store and split by
//! subject into buckets, so that the checks that need all of a subject's
//! triples at once (SHACL shapes) and the counts of the build's description
//! read them back a bucket at a time, in parallel, in bounded memory.
//!
//! Why not read them back from the new store: Oxigraph stores long strings
//! once, by hash, so every IRI read back costs a lookup. At 1.9 million
//! triples, reading the store took 25 s; writing and reading these files
//! takes a few.

use crate::{leb128, Error};
use oxigraph::model::vocab::xsd;
use oxigraph::model::{
    BlankNodeRef, LiteralRef, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Quad, TermRef, TripleRef,
};
use rustc_hash::FxHashMap;
use std::fs::File;
use std::hash::BuildHasher;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Buckets per build: at a million offerings (19 million triples), about
/// 5 MB of file each. A bucket is held several times over while it is
/// checked (as triples, in the validator's index, as sort keys) on each core
/// at once, so this bounds the memory of the checks.
const BUCKETS: usize = 256;

/// Writes default-graph triples into bucket files by subject.
///
/// A record leaves out what a bucket's reader can restore: its subject when
/// it is the subject of the bucket's previous record (a row's triples come
/// together), and predicates and datatypes, which are few, as numbers into a
/// table kept in memory. That more than halves the files (3.1 to 1.3 GB at
/// a million offerings), which the build writes while the loader writes its
/// own.
pub struct BucketWriter {
    folder: PathBuf,
    files: Vec<BufWriter<File>>,
    /// Each bucket's last subject, encoded.
    last_subjects: Vec<Vec<u8>>,
    names: Names,
    buffer: Vec<u8>,
    named_graph_quads: u64,
}

/// The finished buckets: every triple of a subject is in one bucket.
#[derive(Debug)]
pub struct Buckets {
    folder: PathBuf,
    names: Vec<NamedNode>,
    /// Quads given that were in named graphs, and so not in any bucket.
    pub named_graph_quads: u64,
}

/// The triples of a bucket given more than once: (index, times given).
pub type Repeated = Vec<(usize, u64)>;

/// Predicates and datatypes, numbered in the order they were first written.
#[derive(Default)]
struct Names {
    numbers: FxHashMap<String, usize>,
    in_order: Vec<NamedNode>,
}

impl Names {
    fn number(&mut self, name: NamedNodeRef<'_>) -> usize {
        if let Some(&number) = self.numbers.get(name.as_str()) {
            return number;
        }
        let number = self.in_order.len();
        self.numbers.insert(name.as_str().to_owned(), number);
        self.in_order.push(name.into_owned());
        number
    }
}

impl BucketWriter {
    /// Creates the bucket files in a new `folder`.
    pub fn create(folder: &Path) -> Result<Self, Error> {
        std::fs::create_dir_all(folder).map_err(Error::io(folder))?;
        let files = (0..BUCKETS)
            .map(|i| {
                let path = bucket_path(folder, i);
                File::create(&path).map(|f| BufWriter::with_capacity(1 << 15, f)).map_err(Error::io(path))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            folder: folder.to_owned(),
            files,
            last_subjects: vec![Vec::new(); BUCKETS],
            names: Names::default(),
            buffer: Vec::with_capacity(256),
            named_graph_quads: 0,
        })
    }

    /// Adds the quads in the default graph; others are not checked.
    pub fn add(&mut self, quads: &[Quad]) -> Result<(), Error> {
        let mut subject = Vec::with_capacity(128);
        for quad in quads {
            if !quad.graph_name.is_default_graph() {
                self.named_graph_quads += 1;
                continue;
            }
            subject.clear();
            let subject_kind = match &quad.subject {
                NamedOrBlankNode::NamedNode(n) => {
                    encode_str(&mut subject, n.as_str());
                    0
                }
                NamedOrBlankNode::BlankNode(b) => {
                    encode_str(&mut subject, b.as_str());
                    BLANK_SUBJECT
                }
            };
            let bucket = bucket_of(&subject);
            self.buffer.clear();
            self.buffer.push(subject_kind);
            if self.last_subjects[bucket] == subject {
                self.buffer[0] |= SAME_SUBJECT;
            } else {
                self.buffer.extend_from_slice(&subject);
                std::mem::swap(&mut self.last_subjects[bucket], &mut subject);
            }
            leb128::push(&mut self.buffer, self.names.number(quad.predicate.as_ref()));
            self.buffer[0] |= self.encode_object(quad.object.as_ref());
            self.files[bucket].write_all(&self.buffer).map_err(|e| Error::io(bucket_path(&self.folder, bucket))(e))?;
        }
        Ok(())
    }

    /// Writes the object and returns its kind, for the record's head.
    fn encode_object(&mut self, object: TermRef<'_>) -> u8 {
        let out = &mut self.buffer;
        match object {
            TermRef::NamedNode(n) => {
                encode_str(out, n.as_str());
                IRI
            }
            TermRef::BlankNode(b) => {
                encode_str(out, b.as_str());
                BLANK
            }
            TermRef::Literal(l) => {
                encode_str(out, l.value());
                if let Some(language) = l.language() {
                    encode_str(out, language);
                    LANGUAGE
                } else if l.datatype() == xsd::STRING {
                    STRING
                } else {
                    leb128::push(out, self.names.number(l.datatype()));
                    TYPED
                }
            }
        }
    }

    pub fn finish(self) -> Result<Buckets, Error> {
        for (i, mut file) in self.files.into_iter().enumerate() {
            file.flush().map_err(Error::io(bucket_path(&self.folder, i)))?;
        }
        Ok(Buckets { folder: self.folder, names: self.names.in_order, named_graph_quads: self.named_graph_quads })
    }
}

impl Buckets {
    /// How many buckets there are (a fixed number, whatever was spilled).
    pub fn count(&self) -> usize {
        BUCKETS
    }

    /// The distinct triples of bucket `index`, owned.
    #[cfg(test)]
    pub(crate) fn read(&self, index: usize) -> Result<Vec<oxigraph::model::Triple>, Error> {
        self.with_bucket(index, |triples, _| triples.iter().map(|t| t.into_owned()).collect())
    }

    /// Gives `each` the distinct triples of bucket `index`, and how many
    /// times each triple given more than once was given (by its index): an
    /// incremental build must know when a triple's last source goes.
    ///
    /// The triples borrow their strings from the bucket's bytes, read in
    /// one piece: owned ones cost three allocations a triple, which made
    /// reading a third of the checks' CPU at a million offerings.
    pub fn with_bucket<T>(
        &self,
        index: usize,
        each: impl FnOnce(&[TripleRef<'_>], &Repeated) -> T,
    ) -> Result<T, Error> {
        let path = bucket_path(&self.folder, index);
        let bytes = std::fs::read(&path).map_err(Error::io(&path))?;
        let (triples, repeated) = self
            .decode(&bytes)
            .ok_or_else(|| Error::store(&path, "a bucket file written by this build cannot be read back"))?;
        Ok(each(&triples, &repeated))
    }

    fn decode<'a>(&'a self, bytes: &'a [u8]) -> Option<(Vec<TripleRef<'a>>, Repeated)> {
        // Rows can repeat a triple: keep each once, compared as bytes (the
        // encoding is canonical: the kinds of term, the subject, the rest of
        // the record), and decode only those.
        let mut seen = FxHashMap::default();
        let mut triples = Vec::new();
        let mut repeated: FxHashMap<usize, u64> = FxHashMap::default();
        let mut subject: Option<(&[u8], NamedOrBlankNodeRef<'a>)> = None;
        let mut input = bytes;
        while let Some((&head, rest)) = input.split_first() {
            input = rest;
            if head & SAME_SUBJECT == 0 {
                let (encoded, node, rest) = read_subject(head, input)?;
                subject = Some((encoded, node));
                input = rest;
            }
            let (encoded_subject, node) = subject?;
            let length = rest_length(head, input)?;
            let (record, rest) = input.split_at(length);
            input = rest;
            match seen.entry((head & !SAME_SUBJECT, encoded_subject, record)) {
                std::collections::hash_map::Entry::Vacant(entry) => {
                    entry.insert(triples.len());
                    triples.push(self.decode_rest(head, node, record)?);
                }
                std::collections::hash_map::Entry::Occupied(entry) => {
                    *repeated.entry(*entry.get()).or_insert(1) += 1;
                }
            }
        }
        let mut repeated: Vec<(usize, u64)> = repeated.into_iter().collect();
        repeated.sort_unstable();
        Some((triples, repeated))
    }

    fn decode_rest<'a>(
        &'a self,
        head: u8,
        subject: NamedOrBlankNodeRef<'a>,
        mut input: &'a [u8],
    ) -> Option<TripleRef<'a>> {
        let predicate = self.name(&mut input)?;
        let value = decode_str(&mut input)?;
        let object: TermRef<'a> = match head & OBJECT_KIND {
            IRI => NamedNodeRef::new_unchecked(value).into(),
            BLANK => BlankNodeRef::new_unchecked(value).into(),
            STRING => LiteralRef::new_simple_literal(value).into(),
            LANGUAGE => LiteralRef::new_language_tagged_literal_unchecked(value, decode_str(&mut input)?).into(),
            TYPED => LiteralRef::new_typed_literal(value, self.name(&mut input)?).into(),
            _ => return None,
        };
        Some(TripleRef::new(subject, predicate, object))
    }

    fn name<'a>(&'a self, input: &mut &[u8]) -> Option<NamedNodeRef<'a>> {
        self.names.get(leb128::take(input)?).map(NamedNode::as_ref)
    }

    /// Removes the files.
    pub fn remove(self) -> Result<(), Error> {
        std::fs::remove_dir_all(&self.folder).map_err(Error::io(&self.folder))
    }
}

/// The subject written in full at the start of `input`: its bytes as
/// written, the node, and what follows it.
fn read_subject(head: u8, input: &[u8]) -> Option<(&[u8], NamedOrBlankNodeRef<'_>, &[u8])> {
    let (encoded, rest) = input.split_at(skip_str(input)?);
    let value = decode_str(&mut &encoded[..])?;
    let node = if head & BLANK_SUBJECT == 0 {
        NamedNodeRef::new_unchecked(value).into()
    } else {
        BlankNodeRef::new_unchecked(value).into()
    };
    Some((encoded, node, rest))
}

fn bucket_path(folder: &Path, index: usize) -> PathBuf {
    folder.join(format!("{index:03}.bin"))
}

/// A fixed hash of the encoded subject, so that a subject's bucket does not
/// depend on the run. Fx rather than SipHash: it runs for every triple, and
/// the buckets need spread, not resistance to chosen input.
fn bucket_of(encoded_subject: &[u8]) -> usize {
    (rustc_hash::FxBuildHasher.hash_one(encoded_subject) % BUCKETS as u64) as usize
}

/// The bucket of a subject's triples, the same in every build.
pub fn bucket_of_subject(subject: &NamedOrBlankNode) -> usize {
    let mut encoded = Vec::with_capacity(128);
    match subject {
        NamedOrBlankNode::NamedNode(n) => encode_str(&mut encoded, n.as_str()),
        NamedOrBlankNode::BlankNode(b) => encode_str(&mut encoded, b.as_str()),
    }
    bucket_of(&encoded)
}

// A record's head: the object's kind in the low bits, and two flags.
const IRI: u8 = 0;
const BLANK: u8 = 1;
const STRING: u8 = 2;
const LANGUAGE: u8 = 3;
const TYPED: u8 = 4;
const OBJECT_KIND: u8 = 0b111;
const BLANK_SUBJECT: u8 = 0b0100_0000;
const SAME_SUBJECT: u8 = 0b1000_0000;

fn encode_str(out: &mut Vec<u8>, text: &str) {
    leb128::push(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

fn decode_str<'a>(input: &mut &'a [u8]) -> Option<&'a str> {
    let length = leb128::take(input)?;
    let text = input.get(..length)?;
    *input = &input[length..];
    std::str::from_utf8(text).ok()
}

/// The length of the string at the start of `input`, with its length.
fn skip_str(mut input: &[u8]) -> Option<usize> {
    let all = input.len();
    let length = leb128::take(&mut input)?;
    (input.len() >= length).then_some(all - input.len() + length)
}

/// The length of the number at the start of `input`.
fn skip_number(mut input: &[u8]) -> Option<usize> {
    let all = input.len();
    leb128::take(&mut input)?;
    Some(all - input.len())
}

/// The length of a record after its head and subject: predicate and object.
fn rest_length(head: u8, input: &[u8]) -> Option<usize> {
    let mut length = skip_number(input)?;
    length += skip_str(input.get(length..)?)?;
    match head & OBJECT_KIND {
        LANGUAGE => length += skip_str(input.get(length..)?)?,
        TYPED => length += skip_number(input.get(length..)?)?,
        _ => {}
    }
    Some(length)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{BlankNode, Literal, Term, Triple};

    #[test]
    fn triples_come_back_deduplicated_with_each_subject_in_one_bucket() {
        let folder = tempfile::tempdir().unwrap();
        let subject = |i: usize| NamedNode::new_unchecked(format!("http://example.org/s{i}"));
        let p = NamedNode::new_unchecked("http://example.org/p");
        let objects: Vec<Term> = vec![
            NamedNode::new_unchecked("http://example.org/o").into(),
            BlankNode::new_unchecked("b0").into(),
            Literal::new_simple_literal("plain \"quoted\"\nline").into(),
            Literal::new_language_tagged_literal_unchecked("世纪互联", "zh").into(),
            Literal::new_typed_literal("2013-03-01", xsd::DATE).into(),
        ];
        let mut quads = Vec::new();
        for i in 0..50 {
            for object in &objects {
                quads.push(Quad::new(subject(i), p.clone(), object.clone(), oxigraph::model::GraphName::DefaultGraph));
            }
        }
        quads.extend(quads.clone()); // duplicates, as rows can repeat a triple
        quads.push(Quad::new(
            subject(0),
            p.clone(),
            objects[0].clone(),
            NamedNode::new_unchecked("http://example.org/g"),
        ));
        let mut writer = BucketWriter::create(&folder.path().join("buckets")).unwrap();
        writer.add(&quads).unwrap();
        let buckets = writer.finish().unwrap();
        let mut all = Vec::new();
        for i in 0..buckets.count() {
            let triples = buckets.read(i).unwrap();
            for triple in &triples {
                assert_eq!(bucket_of(&encoded_subject(&triple.subject)), i);
            }
            all.extend(triples);
        }
        assert_eq!(all.len(), 50 * objects.len(), "distinct default-graph triples only");
        for object in &objects {
            assert!(all.contains(&Triple::new(subject(7), p.clone(), object.clone())), "{object}");
        }
        buckets.remove().unwrap();
    }

    fn encoded_subject(subject: &NamedOrBlankNode) -> Vec<u8> {
        let mut out = Vec::new();
        match subject {
            NamedOrBlankNode::NamedNode(n) => encode_str(&mut out, n.as_str()),
            NamedOrBlankNode::BlankNode(b) => encode_str(&mut out, b.as_str()),
        }
        out
    }

    /// A repeated triple can be written once with its subject left out and
    /// once in full (another subject of the bucket came between): it must
    /// still come back once. A blank subject must stay blank, and objects of
    /// different kinds with the same text must stay apart.
    #[test]
    fn a_triple_repeated_after_another_subject_comes_back_once() {
        let folder = tempfile::tempdir().unwrap();
        let named = |i: usize| NamedOrBlankNode::from(NamedNode::new_unchecked(format!("http://example.org/s{i}")));
        let first = named(0);
        let bucket = bucket_of(&encoded_subject(&first));
        let other = (1..).map(named).find(|s| bucket_of(&encoded_subject(s)) == bucket).unwrap();
        let blank = (0..)
            .map(|i| NamedOrBlankNode::from(BlankNode::new_unchecked(format!("b{i}"))))
            .find(|s| bucket_of(&encoded_subject(s)) == bucket)
            .unwrap();
        let p = |name: &str| NamedNode::new_unchecked(format!("http://example.org/{name}"));
        let triple = |s: &NamedOrBlankNode, name: &str, o: &str| {
            Quad::new(
                s.clone(),
                p(name),
                Literal::new_typed_literal(o, xsd::INTEGER),
                oxigraph::model::GraphName::DefaultGraph,
            )
        };
        let quads = [
            triple(&first, "a", "1"),
            triple(&first, "b", "2"), // subject left out
            triple(&other, "a", "1"),
            triple(&first, "b", "2"), // the same triple, subject in full
            triple(&blank, "a", "1"),
            triple(&first, "a", "1"),
            // the same text as an IRI and as a string: two triples
            Quad::new(first.clone(), p("see"), p("o"), oxigraph::model::GraphName::DefaultGraph),
            Quad::new(
                first.clone(),
                p("see"),
                Literal::new_simple_literal(p("o").as_str()),
                oxigraph::model::GraphName::DefaultGraph,
            ),
        ];
        let mut writer = BucketWriter::create(&folder.path().join("buckets")).unwrap();
        writer.add(&quads).unwrap();
        let buckets = writer.finish().unwrap();
        let mut triples = buckets.read(bucket).unwrap();
        triples.sort_by_key(|t| t.to_string());
        let mut expected: Vec<Triple> = quads.iter().map(|q| Triple::from(q.clone())).collect();
        expected.sort_by_key(|t| t.to_string());
        expected.dedup();
        assert_eq!(triples, expected);
        assert!(triples.iter().any(|t| t.subject.is_blank_node()));
    }
}
