//! Identifiers: a row must not define a subject that another row of the same
//! triples map already defined, and an IRI built from a cell to point at
//! another entity must name one that some row (or the ontology) defines —
//! `microsfot` as a partner is reported with "did you mean microsoft?".
//!
//! Memory must not grow with the length of IRIs: subjects and references are
//! kept as 128-bit hashes with their row, and the text of a reference is
//! recovered, by mapping its row again, only for the few that dangle.

use crate::mapping::execute::{map_selected_rows, MappedBatch};
use crate::mapping::model::TermType;
use crate::mapping::plan::{Plan, ValuePlan};
use crate::mapping::template::TemplatePart;
use crate::problem::{Problem, ProblemKind};
use crate::Error;
use oxigraph::model::NamedNode;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash, Hasher};

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
    hasher: IriHasher,
    /// First line of each (subject, triples map).
    first_lines: HashMap<(u128, usize), u64>,
    /// Every subject, and every IRI the ontology defines.
    defined: HashSet<u128>,
    /// References to IRIs in a triples map's namespace, to check at the end.
    references: Vec<Reference>,
    /// Constant text before the first `{` of each IRI subject template.
    namespaces: Vec<String>,
    /// Some subject IRIs of each namespace, for suggestions.
    candidates: Vec<String>,
    problems: Vec<Problem>,
}

#[derive(Debug, Clone, Copy)]
struct Reference {
    iri: u128,
    origin: Origin,
}

impl Integrity {
    pub fn new(plan: &Plan, defined_elsewhere: impl IntoIterator<Item = NamedNode>) -> Self {
        let hasher = IriHasher::default();
        let defined = defined_elsewhere.into_iter().map(|iri| hasher.hash(iri.as_str())).collect();
        Self {
            hasher,
            first_lines: HashMap::new(),
            defined,
            references: Vec::new(),
            namespaces: subject_namespaces(plan),
            candidates: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Takes note of a batch's subjects and references (mapped with
    /// [`crate::mapping::RunOptions::track_identifiers`]).
    pub fn observe(&mut self, plan: &Plan, batch: &MappedBatch) {
        for seen in &batch.subjects {
            let iri = self.hasher.hash(seen.subject.as_str());
            let first = *self.first_lines.entry((iri, seen.map)).or_insert(seen.line);
            if first != seen.line {
                let map = &plan.maps[seen.map];
                self.problems.push(
                    Problem::new(
                        ProblemKind::DuplicateIdentifier,
                        &plan.sources[map.source].source.path,
                        format!("{} is already defined on line {first}; each row needs its own identifier", seen.subject),
                    )
                    .at_line(seen.line)
                    .in_column(&map.subject.columns)
                    .in_map(&map.name),
                );
            }
            if self.defined.insert(iri) && self.candidates.len() < MAX_SUGGESTION_CANDIDATES {
                self.candidates.push(seen.subject.as_str().to_owned());
            }
        }
        for seen in &batch.references {
            if self.namespaces.iter().any(|n| seen.object.as_str().starts_with(n.as_str())) {
                let iri = self.hasher.hash(seen.object.as_str());
                self.references.push(Reference { iri, origin: Origin { map: seen.map, line: seen.line } });
            }
        }
    }

    /// The first row that produced `subject`, if a row did.
    pub fn origin(&self, plan: &Plan, subject: &NamedNode) -> Option<Origin> {
        let iri = self.hasher.hash(subject.as_str());
        (0..plan.maps.len())
            .filter_map(|map| self.first_lines.get(&(iri, map)).map(|&line| Origin { map, line }))
            .min_by_key(|o| o.line)
    }

    /// Duplicates found, and references to IRIs in a triples map's namespace
    /// that no row defines. Rows of dangling references are mapped again to
    /// name the value that dangles.
    pub fn finish(&mut self, plan: &Plan) -> Result<Vec<Problem>, Error> {
        let mut problems = std::mem::take(&mut self.problems);
        let mut dangling: Vec<Reference> =
            self.references.iter().filter(|r| !self.defined.contains(&r.iri)).copied().collect();
        dangling.sort_by_key(|r| (r.origin.map, r.origin.line));
        let total = dangling.len();
        dangling.truncate(MAX_REPORTED_REFERENCES);
        let wanted: Vec<(usize, u64)> = dangling.iter().map(|r| (r.origin.map, r.origin.line)).collect();
        let dangling_set: HashSet<(u128, usize, u64)> =
            dangling.iter().map(|r| (r.iri, r.origin.map, r.origin.line)).collect();
        for row in map_selected_rows(plan, &wanted)? {
            for reference in &row.references {
                let key = (self.hasher.hash(reference.object.as_str()), row.map, row.row.line);
                if dangling_set.contains(&key) {
                    problems.push(self.dangling_problem(plan, row.map, row.row.line, &reference.columns, &reference.object));
                }
            }
        }
        problems.dedup();
        if total > dangling.len() {
            let first = problems.last().cloned();
            if let Some(first) = first {
                let more = total - dangling.len();
                problems.push(Problem::new(ProblemKind::DanglingReference, first.file, format!("… and {more} more references that no row defines")));
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

/// Hashes IRIs to 128 bits (two keyed SipHashes), so that a collision between
/// two different IRIs is out of reach for any dataset.
/// 128-bit hashes of IRIs, for sets of millions of nodes: collisions are
/// negligible (about 2^-64 at 2^32 nodes) and a key takes 16 bytes.
#[derive(Debug, Default)]
pub(crate) struct IriHasher {
    state: std::collections::hash_map::RandomState,
}

impl IriHasher {
    pub(crate) fn hash(&self, iri: &str) -> u128 {
        let half = |salt: u8| {
            let mut hasher = self.state.build_hasher();
            salt.hash(&mut hasher);
            iri.hash(&mut hasher);
            hasher.finish()
        };
        (u128::from(half(0)) << 64) | u128::from(half(1))
    }
}

fn namespace_of(map: &crate::mapping::plan::MapPlan) -> Option<&str> {
    if map.subject.term_type != TermType::Iri {
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
fn subject_namespaces(plan: &Plan) -> Vec<String> {
    let mut namespaces: Vec<String> = plan.maps.iter().filter_map(namespace_of).map(str::to_owned).collect();
    namespaces.sort_by_key(|n| std::cmp::Reverse(n.len()));
    namespaces.dedup();
    namespaces
}
