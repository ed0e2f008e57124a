//! The mapped triples, spilled to disk on their way to the store and split by
//! subject into buckets, so that the checks that need all of a subject's
//! triples at once (SHACL shapes) and the counts of the build's description
//! read them back a bucket at a time, in parallel, in bounded memory.
//!
//! Why not read them back from the new store: Oxigraph stores long strings
//! once, by hash, so every IRI read back costs a lookup. At 1.9 million
//! triples, reading the store took 25 s; writing and reading these files
//! takes a few.

use crate::Error;
use oxigraph::model::vocab::xsd;
use oxigraph::model::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Quad, Term, TermRef, Triple};
use rustc_hash::FxHashSet;
use std::fs::File;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Buckets per build: at a million offerings (19 million triples), about
/// 12 MB of file each. A bucket is held several times over while it is
/// checked (as triples, in the validator's index, as sort keys) on each core
/// at once, so this bounds the memory of the checks.
const BUCKETS: usize = 256;

/// Writes default-graph triples into bucket files by subject.
pub struct BucketWriter {
    folder: PathBuf,
    files: Vec<BufWriter<File>>,
    buffer: Vec<u8>,
    named_graph_quads: u64,
}

/// The finished buckets: every triple of a subject is in one bucket.
#[derive(Debug)]
pub struct Buckets {
    folder: PathBuf,
    /// Quads given that were in named graphs, and so not in any bucket.
    pub named_graph_quads: u64,
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
        Ok(Self { folder: folder.to_owned(), files, buffer: Vec::with_capacity(256), named_graph_quads: 0 })
    }

    /// Adds the quads in the default graph; others are not checked.
    pub fn add(&mut self, quads: &[Quad]) -> Result<(), Error> {
        for quad in quads {
            if !quad.graph_name.is_default_graph() {
                self.named_graph_quads += 1;
                continue;
            }
            self.buffer.clear();
            encode_term(&mut self.buffer, quad.subject.as_ref().into());
            encode_str(&mut self.buffer, quad.predicate.as_str());
            encode_term(&mut self.buffer, quad.object.as_ref());
            let bucket = bucket_of(&quad.subject);
            self.files[bucket].write_all(&self.buffer).map_err(Error::io(bucket_path(&self.folder, bucket)))?;
        }
        Ok(())
    }

    pub fn finish(self) -> Result<Buckets, Error> {
        for (i, mut file) in self.files.into_iter().enumerate() {
            file.flush().map_err(Error::io(bucket_path(&self.folder, i)))?;
        }
        Ok(Buckets { folder: self.folder, named_graph_quads: self.named_graph_quads })
    }
}

impl Buckets {
    pub fn len(&self) -> usize {
        BUCKETS
    }

    /// The distinct triples of bucket `index`.
    pub fn read(&self, index: usize) -> Result<Vec<Triple>, Error> {
        let path = bucket_path(&self.folder, index);
        let bytes = std::fs::read(&path).map_err(Error::io(&path))?;
        let corrupt = || Error::store(&path, "a bucket file written by this build cannot be read back");
        // Rows can repeat a triple: keep each record once, compared as bytes
        // (the encoding is canonical), and decode only those.
        let mut seen = FxHashSet::default();
        let mut triples = Vec::new();
        let mut input = bytes.as_slice();
        while !input.is_empty() {
            let length = record_length(input).ok_or_else(corrupt)?;
            let (record, rest) = input.split_at(length);
            input = rest;
            if seen.insert(record) {
                triples.push(decode_triple(record).ok_or_else(corrupt)?);
            }
        }
        Ok(triples)
    }

    /// Removes the files.
    pub fn remove(self) -> Result<(), Error> {
        std::fs::remove_dir_all(&self.folder).map_err(Error::io(&self.folder))
    }
}

fn bucket_path(folder: &Path, index: usize) -> PathBuf {
    folder.join(format!("{index:03}.bin"))
}

/// A fixed hash, so that a subject's bucket does not depend on the run.
fn bucket_of(subject: &NamedOrBlankNode) -> usize {
    (BuildHasherDefault::<DefaultHasher>::default().hash_one(subject) % BUCKETS as u64) as usize
}

const IRI: u8 = 0;
const BLANK: u8 = 1;
const STRING: u8 = 2;
const LANGUAGE: u8 = 3;
const TYPED: u8 = 4;

fn encode_term(out: &mut Vec<u8>, term: TermRef<'_>) {
    match term {
        TermRef::NamedNode(n) => {
            out.push(IRI);
            encode_str(out, n.as_str());
        }
        TermRef::BlankNode(b) => {
            out.push(BLANK);
            encode_str(out, b.as_str());
        }
        TermRef::Literal(l) => {
            if let Some(language) = l.language() {
                out.push(LANGUAGE);
                encode_str(out, l.value());
                encode_str(out, language);
            } else if l.datatype() == xsd::STRING {
                out.push(STRING);
                encode_str(out, l.value());
            } else {
                out.push(TYPED);
                encode_str(out, l.value());
                encode_str(out, l.datatype().as_str());
            }
        }
    }
}

fn encode_str(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}

fn decode_str(input: &mut &[u8]) -> Option<String> {
    let (length, rest) = input.split_first_chunk::<4>()?;
    let length = u32::from_le_bytes(*length) as usize;
    let text = rest.get(..length)?;
    *input = &rest[length..];
    String::from_utf8(text.to_vec()).ok()
}

fn skip_str(input: &[u8]) -> Option<usize> {
    let length = u32::from_le_bytes(*input.first_chunk::<4>()?) as usize;
    (input.len() >= 4 + length).then_some(4 + length)
}

fn skip_term(input: &[u8]) -> Option<usize> {
    let (&kind, _) = input.split_first()?;
    let mut length = 1 + skip_str(&input[1..])?;
    if kind == LANGUAGE || kind == TYPED {
        length += skip_str(&input[length..])?;
    }
    Some(length)
}

/// The length of the record (subject, predicate, object) at the start of `input`.
fn record_length(input: &[u8]) -> Option<usize> {
    let mut length = skip_term(input)?;
    length += skip_str(&input[length..])?;
    length += skip_term(&input[length..])?;
    Some(length)
}

fn decode_triple(mut input: &[u8]) -> Option<Triple> {
    let subject = match decode_term(&mut input)? {
        Term::NamedNode(n) => NamedOrBlankNode::from(n),
        Term::BlankNode(b) => NamedOrBlankNode::from(b),
        Term::Literal(_) => return None,
    };
    let predicate = NamedNode::new_unchecked(decode_str(&mut input)?);
    Some(Triple::new(subject, predicate, decode_term(&mut input)?))
}

fn decode_term(input: &mut &[u8]) -> Option<Term> {
    let (&kind, rest) = input.split_first()?;
    *input = rest;
    let value = decode_str(input)?;
    Some(match kind {
        IRI => NamedNode::new_unchecked(value).into(),
        BLANK => BlankNode::new_unchecked(value).into(),
        STRING => Literal::new_simple_literal(value).into(),
        LANGUAGE => Literal::new_language_tagged_literal_unchecked(value, decode_str(input)?).into(),
        TYPED => Literal::new_typed_literal(value, NamedNode::new_unchecked(decode_str(input)?)).into(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        quads.push(Quad::new(subject(0), p.clone(), objects[0].clone(), NamedNode::new_unchecked("http://example.org/g")));
        let mut writer = BucketWriter::create(&folder.path().join("buckets")).unwrap();
        writer.add(&quads).unwrap();
        let buckets = writer.finish().unwrap();
        let mut all = Vec::new();
        for i in 0..buckets.len() {
            let triples = buckets.read(i).unwrap();
            for triple in &triples {
                assert_eq!(bucket_of(&triple.subject), i);
            }
            all.extend(triples);
        }
        assert_eq!(all.len(), 50 * objects.len(), "distinct default-graph triples only");
        for object in &objects {
            assert!(all.contains(&Triple::new(subject(7), p.clone(), object.clone())), "{object}");
        }
        buckets.remove().unwrap();
    }
}
