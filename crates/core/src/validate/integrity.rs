//! Identifiers: a row must not define a subject that another row of the same
//! triples map already defined, and an IRI built from a cell to point at
//! another entity must name one that some row (or the ontology) defines —
//! `microsfot` as a partner is reported with "did you mean microsoft?".
//!
//! Memory must not grow with the length of IRIs: subjects and references are
//! kept as 128-bit hashes with their row, and the text of a reference is
//! recovered, by mapping its row again, only for the few that dangle.

use super::identifiers::{IriKey, IriKeyHasher};
use crate::mapping::execute::{map_selected_rows, MappedBatch};
use crate::mapping::model::TermType;
use crate::mapping::plan::{Plan, ValuePlan};
use crate::mapping::template::TemplatePart;
use crate::problem::{Problem, ProblemKind};
use crate::Error;
use oxigraph::model::NamedNode;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

/// Where a subject was first defined: its triples map and line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    pub map: usize,
    pub line: u64,
}

/// Subject IRIs kept for "did you mean", at most this many.
const MAX_SUGGESTION_CANDIDATES: usize = 100_000;
/// Dangling references whose text is recovered and reported.
const MAX_REPORTED_REFERENCES: usize = 1000;

/// Collects subjects and references while the mapping runs; reports at the end.
#[derive(Debug)]
pub struct Integrity {
    /// Each subject, with the first row that produced it (in its first triples map).
    subjects: HashMap<IriKey, PackedOrigin, IriKeyHasher>,
    /// First line of a subject in each further triples map that also
    /// produces it: rare, so kept apart from `subjects`.
    further_maps: HashMap<(IriKey, usize), u64>,
    /// IRIs the ontology defines.
    ontology: HashSet<IriKey, IriKeyHasher>,
    /// References, into a triples map's namespace, to IRIs no row had
    /// defined yet when they were seen; checked again at the end.
    pending: Vec<(IriKey, PackedOrigin)>,
    /// Constant text before the first `{` of each IRI subject template.
    namespaces: Vec<String>,
    /// Some subject IRIs of each namespace, for suggestions.
    candidates: Vec<String>,
    problems: Vec<Problem>,
}

/// A triples map and line in one word (16 and 48 bits), so that an entry of
/// `subjects` takes 24 bytes: it holds every subject of the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PackedOrigin(u64);

impl PackedOrigin {
    const LINE_BITS: u32 = 48;

    fn new(origin: Origin) -> Self {
        debug_assert!(origin.map < 1 << 16 && origin.line < 1 << Self::LINE_BITS);
        Self(((origin.map as u64) << Self::LINE_BITS) | origin.line)
    }

    fn unpack(self) -> Origin {
        Origin { map: (self.0 >> Self::LINE_BITS) as usize, line: self.0 & ((1 << Self::LINE_BITS) - 1) }
    }
}

impl Integrity {
    pub fn new(plan: &Plan, defined_elsewhere: impl IntoIterator<Item = NamedNode>) -> Self {
        let ontology = defined_elsewhere.into_iter().map(|iri| IriKey::of(iri.as_str())).collect();
        Self {
            subjects: HashMap::default(),
            further_maps: HashMap::new(),
            ontology,
            pending: Vec::new(),
            namespaces: subject_namespaces(plan),
            candidates: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Takes note of a batch's subjects and references (mapped with
    /// [`crate::mapping::RunOptions::track_identifiers`]).
    pub fn observe(&mut self, plan: &Plan, batch: &MappedBatch) {
        for seen in &batch.subjects {
            let key = IriKey::of(seen.subject.as_str());
            let first = match self.subjects.entry(key) {
                Entry::Vacant(entry) => {
                    entry.insert(PackedOrigin::new(Origin { map: seen.map, line: seen.line }));
                    if self.candidates.len() < MAX_SUGGESTION_CANDIDATES {
                        self.candidates.push(seen.subject.as_str().to_owned());
                    }
                    continue;
                }
                Entry::Occupied(entry) => entry.get().unpack(),
            };
            let first_line = if first.map == seen.map {
                first.line
            } else {
                *self.further_maps.entry((key, seen.map)).or_insert(seen.line)
            };
            if first_line != seen.line {
                let map = &plan.maps[seen.map];
                self.problems.push(
                    Problem::new(
                        ProblemKind::DuplicateIdentifier,
                        &plan.sources[map.source].source.path,
                        format!(
                            "{} is already defined on line {first_line}; each row needs its own identifier",
                            seen.subject
                        ),
                    )
                    .at_line(seen.line)
                    .in_column(&map.subject.columns)
                    .in_map(&map.name),
                );
            }
        }
        for seen in &batch.references {
            if self.namespaces.iter().any(|n| seen.object.as_str().starts_with(n.as_str())) {
                let key = IriKey::of(seen.object.as_str());
                if !self.is_defined(&key) {
                    self.note_pending(key, PackedOrigin::new(Origin { map: seen.map, line: seen.line }));
                }
            }
        }
    }

    fn is_defined(&self, key: &IriKey) -> bool {
        self.subjects.contains_key(key) || self.ontology.contains(key)
    }

    /// Keeps a reference to check at the end. Before the list grows, the
    /// references defined since are dropped, so that it holds about as many
    /// as are pending rather than every reference of the dataset.
    fn note_pending(&mut self, key: IriKey, origin: PackedOrigin) {
        if self.pending.len() == self.pending.capacity() && self.pending.len() >= 1 << 16 {
            let mut pending = std::mem::take(&mut self.pending);
            pending.retain(|(key, _)| !self.is_defined(key));
            pending.shrink_to(pending.len() * 2);
            self.pending = pending;
        }
        self.pending.push((key, origin));
    }

    /// The first row that produced `subject`, if a row did.
    pub fn origin(&self, plan: &Plan, subject: &NamedNode) -> Option<Origin> {
        let key = IriKey::of(subject.as_str());
        let first = self.subjects.get(&key)?.unpack();
        let further =
            (0..plan.maps.len()).filter_map(|map| self.further_maps.get(&(key, map)).map(|&line| Origin { map, line }));
        std::iter::once(first).chain(further).min_by_key(|o| o.line)
    }

    /// Duplicates found, and references to IRIs in a triples map's namespace
    /// that no row defines. Rows of dangling references are mapped again to
    /// name the value that dangles.
    pub fn finish(&mut self, plan: &Plan) -> Result<Vec<Problem>, Error> {
        let mut problems = std::mem::take(&mut self.problems);
        let mut dangling: Vec<(IriKey, Origin)> =
            self.pending.iter().filter(|(key, _)| !self.is_defined(key)).map(|&(key, o)| (key, o.unpack())).collect();
        self.pending = Vec::new();
        dangling.sort_by_key(|(_, origin)| (origin.map, origin.line));
        let total = dangling.len();
        dangling.truncate(MAX_REPORTED_REFERENCES);
        let wanted: Vec<(usize, u64)> = dangling.iter().map(|(_, o)| (o.map, o.line)).collect();
        let dangling_set: HashSet<(IriKey, usize, u64)> =
            dangling.iter().map(|&(key, o)| (key, o.map, o.line)).collect();
        for row in map_selected_rows(plan, &wanted)? {
            for reference in &row.references {
                let key = (IriKey::of(reference.object.as_str()), row.map, row.row.line);
                if dangling_set.contains(&key) {
                    problems.push(self.dangling_problem(
                        plan,
                        row.map,
                        row.row.line,
                        &reference.columns,
                        &reference.object,
                    ));
                }
            }
        }
        problems.dedup();
        if total > dangling.len() {
            let first = problems.last().cloned();
            if let Some(first) = first {
                let more = total - dangling.len();
                problems.push(Problem::new(
                    ProblemKind::DanglingReference,
                    first.file,
                    format!("… and {more} more references that no row defines"),
                ));
            }
        }
        problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        Ok(problems)
    }

    fn dangling_problem(&self, plan: &Plan, map_index: usize, line: u64, columns: &str, iri: &NamedNode) -> Problem {
        let namespace = self
            .namespaces
            .iter()
            .filter(|n| iri.as_str().starts_with(n.as_str()))
            .max_by_key(|n| n.len())
            .map_or("", String::as_str);
        let local = &iri.as_str()[namespace.len()..];
        let minting: Vec<_> = plan.maps.iter().filter(|m| namespace_of(m) == Some(namespace)).collect();
        let place = match minting.as_slice() {
            [only] => format!(" in {}", plan.sources[only.source].source.path.display()),
            _ => String::new(),
        };
        let mut message = format!("{local:?} is not an identifier that any row defines (no {iri}{place})");
        let defined = self.candidates.iter().filter_map(|s| s.strip_prefix(namespace));
        if let Some(near) = crate::suggest::nearest(local, defined) {
            message.push_str(&format!("; did you mean {near:?}?"));
        }
        let map = &plan.maps[map_index];
        Problem::new(ProblemKind::DanglingReference, &plan.sources[map.source].source.path, message)
            .at_line(line)
            .in_column(columns)
            .in_map(&map.name)
    }
}

fn namespace_of(map: &crate::mapping::plan::MapPlan) -> Option<&str> {
    if !matches!(map.subject.term_type, TermType::Iri | TermType::Uri | TermType::UnsafeIri) {
        return None;
    }
    match &map.subject.value {
        ValuePlan::Template(template) => match template.parts.first() {
            Some(TemplatePart::Text(text)) if text.contains(':') => Some(text.as_str()),
            _ => None,
        },
        _ => None,
    }
}

/// The namespaces that IRI subject templates mint, longest first.
pub(crate) fn subject_namespaces(plan: &Plan) -> Vec<String> {
    let mut namespaces: Vec<String> = plan.maps.iter().filter_map(namespace_of).map(str::to_owned).collect();
    namespaces.sort_by_key(|n| std::cmp::Reverse(n.len()));
    namespaces.dedup();
    namespaces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::{self, RunOptions};

    /// The identifier problems of `people.csv`, whose `boss` column refers
    /// to another person by id.
    fn problems(people: &str, defined_elsewhere: &[&str]) -> Vec<Problem> {
        let dir = tempfile::tempdir().unwrap();
        let mapping = r#"@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ex: <http://example.com/> .
ex:People rml:logicalSource [ rml:source "people.csv" ] ;
  rr:subjectMap [ rr:template "http://example.com/person/{id}" ] ;
  rr:predicateObjectMap [ rr:predicate ex:boss ; rr:objectMap [ rr:template "http://example.com/person/{boss}" ] ] .
"#;
        std::fs::write(dir.path().join("mapping.ttl"), mapping).unwrap();
        std::fs::write(dir.path().join("people.csv"), people).unwrap();
        let mapping = mapping::read_mapping_files(&[dir.path().join("mapping.ttl")]).unwrap();
        let plan = Plan::compile(&mapping).unwrap();
        let defined = defined_elsewhere.iter().map(|iri| NamedNode::new(*iri).unwrap());
        let mut integrity = Integrity::new(&plan, defined);
        mapping::run_with(
            &plan,
            RunOptions { track_identifiers: true, empty_subject_is_problem: true },
            &mut |batch| {
                integrity.observe(&plan, &batch);
                Ok::<_, Error>(())
            },
        )
        .unwrap();
        integrity.finish(&plan).unwrap()
    }

    #[test]
    fn clean_rows_have_no_problem() {
        assert_eq!(problems("id,boss\na,b\nb,\n", &[]), []);
    }

    #[test]
    fn an_identifier_used_twice_points_at_both_lines() {
        let found = problems("id,boss\na,\nb,\na,\n", &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].kind, found[0].line), (ProblemKind::DuplicateIdentifier, Some(4)));
        assert!(found[0].message.contains("already defined on line 2"), "{}", found[0].message);
    }

    #[test]
    fn a_reference_to_no_row_is_dangling_unless_the_ontology_defines_it() {
        let found = problems("id,boss\na,zed\nb,a\n", &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].kind, found[0].line), (ProblemKind::DanglingReference, Some(2)));
        assert!(found[0].to_string().contains("zed"), "names the value: {}", found[0]);
        assert_eq!(problems("id,boss\na,zed\n", &["http://example.com/person/zed"]), []);
    }

    #[test]
    fn a_reference_defined_later_in_the_file_is_not_dangling() {
        assert_eq!(problems("id,boss\na,c\nb,a\nc,b\n", &[]), []);
    }
}
