//! Identifiers: a row must not define a subject that another row of the same
//! triples map already defined, and an IRI built from a cell to point at
//! another entity must name one that some row (or the ontology) defines —
//! `microsfot` as a partner is reported with "did you mean microsoft?".

use crate::mapping::execute::MappedBatch;
use crate::mapping::plan::{Plan, ValuePlan};
use crate::mapping::template::TemplatePart;
use crate::mapping::model::TermType;
use crate::problem::{Problem, ProblemKind};
use oxigraph::model::NamedNode;
use std::collections::{HashMap, HashSet};

/// Where a subject was first defined: its triples map and line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    pub map: usize,
    pub line: u64,
}

/// Collects subjects and references while the mapping runs; reports at the end.
#[derive(Debug, Default)]
pub struct Integrity {
    /// Every IRI subject with the rows that produced it, by triples map.
    subjects: HashMap<NamedNode, Vec<Origin>>,
    references: Vec<Reference>,
    /// IRIs the ontology defines; references to them are fine.
    defined_elsewhere: HashSet<NamedNode>,
    problems: Vec<Problem>,
}

#[derive(Debug)]
struct Reference {
    origin: Origin,
    columns: String,
    object: NamedNode,
}

impl Integrity {
    pub fn new(defined_elsewhere: impl IntoIterator<Item = NamedNode>) -> Self {
        Self { defined_elsewhere: defined_elsewhere.into_iter().collect(), ..Self::default() }
    }

    /// Takes note of a batch's subjects and references (see
    /// [`crate::mapping::execute::RunOptions::track_identifiers`]).
    pub fn observe(&mut self, plan: &Plan, batch: &MappedBatch) {
        for seen in &batch.subjects {
            let origin = Origin { map: seen.map, line: seen.line };
            let origins = self.subjects.entry(seen.subject.clone()).or_default();
            if let Some(first) = origins.iter().find(|o| o.map == seen.map && o.line != seen.line) {
                let map = &plan.maps[seen.map];
                self.problems.push(
                    Problem::new(
                        ProblemKind::DuplicateIdentifier,
                        &plan.sources[map.source].source.path,
                        format!(
                            "{} is already defined on line {}; each row needs its own identifier",
                            seen.subject, first.line
                        ),
                    )
                    .at_line(seen.line)
                    .in_column(&map.subject.columns)
                    .in_map(&map.name),
                );
            }
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        for seen in &batch.references {
            self.references.push(Reference {
                origin: Origin { map: seen.map, line: seen.line },
                columns: seen.columns.clone(),
                object: seen.object.clone(),
            });
        }
    }

    /// The rows that produced triples about `subject`.
    pub fn origins(&self, subject: &NamedNode) -> &[Origin] {
        self.subjects.get(subject).map_or(&[], Vec::as_slice)
    }

    /// Every subject with its origins, for the row-origin index.
    pub fn subjects(&self) -> impl Iterator<Item = (&NamedNode, &[Origin])> {
        self.subjects.iter().map(|(s, o)| (s, o.as_slice()))
    }

    /// Duplicates found so far, and every reference to an IRI that lies in a
    /// triples map's namespace (the text before its first `{`) but that no
    /// row defines.
    pub fn finish(&mut self, plan: &Plan) -> Vec<Problem> {
        let namespaces = subject_namespaces(plan);
        let mut problems = std::mem::take(&mut self.problems);
        for reference in &self.references {
            if self.subjects.contains_key(&reference.object) || self.defined_elsewhere.contains(&reference.object) {
                continue;
            }
            let iri = reference.object.as_str();
            let Some(namespace) = namespaces
                .iter()
                .map(|(namespace, _)| namespace)
                .filter(|namespace| iri.starts_with(namespace.as_str()))
                .max_by_key(|namespace| namespace.len())
            else {
                continue;
            };
            let local = &iri[namespace.len()..];
            // Name the file that should define it when only one map mints such IRIs.
            let mut minting = namespaces.iter().filter(|(n, _)| n == namespace).map(|(_, map)| &plan.maps[*map]);
            let place = match (minting.next(), minting.next()) {
                (Some(only), None) => format!(" in {}", plan.sources[only.source].source.path.display()),
                _ => String::new(),
            };
            let mut message = format!(
                "{local:?} is not an identifier that any row defines (no {}{place})",
                reference.object
            );
            let defined = self
                .subjects
                .keys()
                .filter_map(|s| s.as_str().strip_prefix(namespace.as_str()));
            if let Some(near) = crate::suggest::nearest(local, defined) {
                message.push_str(&format!("; did you mean {near:?}?"));
            }
            let map = &plan.maps[reference.origin.map];
            problems.push(
                Problem::new(ProblemKind::DanglingReference, &plan.sources[map.source].source.path, message)
                    .at_line(reference.origin.line)
                    .in_column(&reference.columns)
                    .in_map(&map.name),
            );
        }
        problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        problems
    }
}

/// The constant text in front of each IRI subject template, with its map.
fn subject_namespaces(plan: &Plan) -> Vec<(String, usize)> {
    plan.maps
        .iter()
        .enumerate()
        .filter(|(_, map)| map.subject.term_type == TermType::Iri)
        .filter_map(|(index, map)| match &map.subject.value {
            ValuePlan::Template(template) => match template.parts.first() {
                Some(TemplatePart::Text(text)) if text.contains(':') => Some((text.clone(), index)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}
