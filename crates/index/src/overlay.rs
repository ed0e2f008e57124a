//! Changes laid over an index: what an incremental build added to and
//! removed from the graph of the index it starts from (the base, whose files
//! the new version links rather than copies). Reads see the base's rows
//! less the removed ones, then the added ones; terms the base lacks are
//! numbered after the base's own.
//!
//! The overlay is kept as two files of quads, one a line, each line the
//! quad's terms in N-Triples form as `graph NUL subject NUL predicate NUL
//! object` (the default graph empty), relative to the base: `overlay.added`
//! (quads the base lacks) and `overlay.removed` (quads of the base that are
//! gone). It is read whole when the index opens, so it is meant to stay a
//! small fraction of the base: [`OVERLAY_SHARE`] says when a build should
//! write the whole index again instead.

use crate::table::{Table, DEFAULT_GRAPH_ORDERS, NAMED_GRAPH_ORDERS};
use crate::terms::Dictionary;
use crate::IndexError;
use std::collections::{HashMap, HashSet};
use std::path::Path;

pub(crate) const ADDED: &str = "overlay.added";
pub(crate) const REMOVED: &str = "overlay.removed";

/// Above this share of the base's quads, an overlay is not worth keeping:
/// a build writes the whole index again.
pub const OVERLAY_SHARE: f64 = 0.05;

/// The dictionary with the overlay's new terms.
pub(crate) struct Terms {
    base: Dictionary,
    extra: Vec<Vec<u8>>,
    extra_numbers: HashMap<Vec<u8>, u32>,
}

impl Terms {
    pub(crate) fn len(&self) -> usize {
        self.base.len() + self.extra.len()
    }

    pub(crate) fn form(&self, id: u32) -> &[u8] {
        match (id as usize).checked_sub(self.base.len()) {
            Some(extra) => &self.extra[extra],
            None => self.base.form(id),
        }
    }

    pub(crate) fn term(&self, id: u32) -> Result<oxrdf::Term, IndexError> {
        if (id as usize) < self.base.len() {
            return self.base.term(id);
        }
        let form = self.form(id);
        crate::terms::decode(form).ok_or_else(|| {
            let form = String::from_utf8_lossy(form).into_owned();
            IndexError::Corrupt { path: ADDED.into(), problem: format!("term {id} is not an N-Triples term: {form}") }
        })
    }

    pub(crate) fn find(&self, form: &[u8]) -> Option<u32> {
        self.base.find(form).or_else(|| self.extra_numbers.get(form).copied())
    }

    fn number(&mut self, form: &[u8]) -> u32 {
        if let Some(number) = self.find(form) {
            return number;
        }
        let number = self.len() as u32;
        self.extra.push(form.to_vec());
        self.extra_numbers.insert(form.to_vec(), number);
        number
    }
}

/// A table of the base with the overlay's rows.
pub(crate) struct Layered<const W: usize> {
    base: Table<W>,
    added: Table<W>,
    removed: HashSet<[u32; W]>,
}

/// A scan of a [`Layered`] table: the base's rows, then the added ones.
pub(crate) struct LayeredScan<const W: usize> {
    base: crate::table::Scan<W>,
    added: crate::table::Scan<W>,
}

impl<const W: usize> Layered<W>
where
    [u32; W]: bytemuck::Pod,
{
    pub(crate) fn len(&self) -> usize {
        self.base.len() - self.removed.len() + self.added.len()
    }

    pub(crate) fn scan(&self, bound: [Option<u32>; W]) -> LayeredScan<W> {
        LayeredScan { base: self.base.scan(bound), added: self.added.scan(bound) }
    }

    pub(crate) fn next(&self, scan: &mut LayeredScan<W>) -> Option<[u32; W]> {
        while let Some(row) = self.base.next(&mut scan.base) {
            if self.removed.is_empty() || !self.removed.contains(&row) {
                return Some(row);
            }
        }
        self.added.next(&mut scan.added)
    }

    /// As [`Table::count`]: at most the rows `bound` matches.
    pub(crate) fn count(&self, bound: [Option<u32>; W]) -> usize {
        let removed = self
            .removed
            .iter()
            .filter(|row| row.iter().zip(&bound).all(|(value, wanted)| wanted.is_none_or(|w| *value == w)))
            .count();
        (self.base.count(bound) + self.added.count(bound)).saturating_sub(removed)
    }

    /// The distinct values of the first column of order 0 that some row
    /// still has.
    pub(crate) fn distinct_leading(&self) -> Vec<u32> {
        let mut values = Vec::new();
        for table in [&self.base, &self.added] {
            let mut from = 0;
            while let Some(value) = table.next_distinct_leading(0, &mut from) {
                values.push(value);
            }
        }
        values.sort_unstable();
        values.dedup();
        let column = table_first_column(&self.base);
        values.retain(|&value| {
            let mut bound = [None; W];
            bound[column] = Some(value);
            let mut scan = self.scan(bound);
            self.next(&mut scan).is_some()
        });
        values
    }
}

fn table_first_column<const W: usize>(table: &Table<W>) -> usize
where
    [u32; W]: bytemuck::Pod,
{
    table.first_column(0)
}

/// An overlay file's rows: of the default graph, of named graphs.
type Rows = (Vec<[u32; 3]>, Vec<[u32; 4]>);

/// Opens the base's dictionary and tables with the overlay in `folder`,
/// if it has one.
pub(crate) fn open(
    folder: &Path,
    base_terms: Dictionary,
    triples: Table<3>,
    quads: Table<4>,
) -> Result<(Terms, Layered<3>, Layered<4>), IndexError> {
    let mut terms = Terms { base: base_terms, extra: Vec::new(), extra_numbers: HashMap::new() };
    let mut rows = |file: &str| -> Result<Rows, IndexError> {
        let path = folder.join(file);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
            Err(e) => return Err(IndexError::io(&path)(e)),
        };
        let (mut triples, mut quads) = (Vec::new(), Vec::new());
        for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let parts: Vec<&[u8]> = line.split(|&b| b == 0).collect();
            let [graph, subject, predicate, object] = parts[..] else {
                return Err(IndexError::corrupt(&path, "a line is not a quad"));
            };
            let (s, p, o) = (terms.number(subject), terms.number(predicate), terms.number(object));
            if graph.is_empty() {
                triples.push([s, p, o]);
            } else {
                quads.push([s, p, o, terms.number(graph)]);
            }
        }
        Ok((triples, quads))
    };
    let (added_triples, added_quads) = rows(ADDED)?;
    let (removed_triples, removed_quads) = rows(REMOVED)?;
    let triples = Layered {
        base: triples,
        added: Table::in_memory(DEFAULT_GRAPH_ORDERS, added_triples),
        removed: removed_triples.into_iter().collect(),
    };
    let quads = Layered {
        base: quads,
        added: Table::in_memory(NAMED_GRAPH_ORDERS, added_quads),
        removed: removed_quads.into_iter().collect(),
    };
    Ok((terms, triples, quads))
}

/// Writes into `to` an index that is the one in `base` with `added` and
/// `removed` quads (sort keys, as the runs hold them: see the module's
/// documentation) on top: the base's files linked, its overlay and these
/// changes made one overlay. Returns the overlay's size in quads, for the
/// caller to tell whether writing the whole index would be better.
pub fn write_overlay(base: &Path, to: &Path, added: &[Vec<u8>], removed: &[Vec<u8>]) -> Result<usize, IndexError> {
    let read = |file: &str| -> Result<HashSet<Vec<u8>>, IndexError> {
        match std::fs::read(base.join(file)) {
            Ok(bytes) => Ok(bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HashSet::new()),
            Err(e) => Err(IndexError::io(&base.join(file))(e)),
        }
    };
    let (mut over_added, mut over_removed) = (read(ADDED)?, read(REMOVED)?);
    for key in removed {
        if !over_added.remove(key) {
            over_removed.insert(key.clone());
        }
    }
    for key in added {
        if !over_removed.remove(key) {
            over_added.insert(key.clone());
        }
    }
    std::fs::create_dir_all(to).map_err(IndexError::io(to))?;
    for entry in std::fs::read_dir(base).map_err(IndexError::io(base))? {
        let entry = entry.map_err(IndexError::io(base))?;
        let name = entry.file_name();
        let skip = [ADDED, REMOVED, crate::MANIFEST].iter().any(|n| name == *n);
        if !skip && entry.path().is_file() {
            let target = to.join(&name);
            std::fs::hard_link(entry.path(), &target)
                .or_else(|_| std::fs::copy(entry.path(), &target).map(drop))
                .map_err(IndexError::io(&target))?;
        }
    }
    for (file, keys) in [(ADDED, &over_added), (REMOVED, &over_removed)] {
        let mut keys: Vec<&Vec<u8>> = keys.iter().collect();
        keys.sort_unstable();
        let mut bytes = Vec::new();
        for key in keys {
            bytes.extend_from_slice(key);
            bytes.push(b'\n');
        }
        let path = to.join(file);
        let mut out = crate::file::create(&path)?;
        std::io::Write::write_all(&mut out, &bytes).map_err(IndexError::io(&path))?;
        crate::file::finish(out, &path)?;
    }
    // The manifest last: until it is there, the index is not complete.
    let manifest = to.join(crate::MANIFEST);
    std::fs::copy(base.join(crate::MANIFEST), &manifest).map_err(IndexError::io(&manifest))?;
    Ok(over_added.len() + over_removed.len())
}

#[cfg(test)]
mod tests {
    use crate::{Index, IndexWriter};
    use oxrdf::{GraphName, Literal, NamedNode, Quad, Term};
    use spareval::QueryableDataset;
    use std::collections::BTreeSet;

    fn quad(s: &str, o: &str, graph: Option<&str>) -> Quad {
        let n = |x: &str| NamedNode::new_unchecked(format!("http://e.org/{x}"));
        let graph = graph.map_or(GraphName::DefaultGraph, |g| n(g).into());
        Quad::new(n(s), n("p"), Term::from(Literal::new_simple_literal(o)), graph)
    }

    fn key(quad: &Quad) -> Vec<u8> {
        let mut key = Vec::new();
        if let GraphName::NamedNode(g) = &quad.graph_name {
            crate::terms::encode(&g.clone().into(), &mut key);
        }
        for term in [quad.subject.clone().into(), quad.predicate.clone().into(), quad.object.clone()] {
            key.push(0);
            crate::terms::encode(&term, &mut key);
        }
        key
    }

    fn all(index: &Index) -> BTreeSet<String> {
        index
            .internal_quads_for_pattern(None, None, None, None)
            .chain(index.internal_quads_for_pattern(None, None, None, Some(None)))
            .map(|q| {
                let q = q.unwrap();
                let t = |t| index.externalize_term(t).unwrap().to_string();
                format!("{} {} {} {:?}", t(q.subject), t(q.predicate), t(q.object), q.graph_name.map(t))
            })
            .collect()
    }

    /// An index with an overlay reads as the index written whole from the
    /// same quads, through two overlays in a row.
    #[test]
    fn an_overlay_reads_as_the_whole_index_of_the_same_quads() {
        let folders = [(); 4].map(|()| tempfile::tempdir().unwrap());
        let write = |folder: &std::path::Path, quads: &[Quad]| {
            let mut writer = IndexWriter::new();
            quads.iter().for_each(|q| writer.add_quad(q.as_ref()));
            writer.write(folder).unwrap();
        };
        let base = [quad("a", "1", None), quad("b", "2", None), quad("a", "3", Some("g"))];
        write(folders[0].path(), &base);
        let (added, removed) = ([quad("c", "new", None), quad("a", "4", Some("g"))], [quad("b", "2", None)]);
        let keys = |quads: &[Quad]| quads.iter().map(key).collect::<Vec<_>>();
        super::write_overlay(folders[0].path(), folders[1].path(), &keys(&added), &keys(&removed)).unwrap();
        let then = [quad("c", "new", None), quad("b", "2", None)];
        let size =
            super::write_overlay(folders[1].path(), folders[2].path(), &keys(&then[1..]), &keys(&then[..1])).unwrap();
        assert_eq!(size, 1, "adding back what went and taking what came leaves one change");
        let after = [quad("a", "1", None), quad("b", "2", None), quad("a", "3", Some("g")), quad("a", "4", Some("g"))];
        write(folders[3].path(), &after);
        let layered = Index::open(folders[2].path()).unwrap();
        let whole = Index::open(folders[3].path()).unwrap();
        assert_eq!(all(&layered), all(&whole));
        assert_eq!(layered.len(), whole.len());
        let c = NamedNode::new_unchecked("http://e.org/c");
        assert_eq!(layered.count_default_graph(Some(c.as_ref().into()), None, None), 0);
        let a = NamedNode::new_unchecked("http://e.org/a");
        assert_eq!(layered.count_default_graph(Some(a.as_ref().into()), None, None), 1);
        assert_eq!(layered.internal_named_graphs().count(), 1);
    }
}
