//! The checks `build` and `check` share, so that both find the same
//! problems and list them in the same order. Two stages:
//!
//! 1. While the rows stream ([`Checks`], a [`Sink`]): the identifier checks
//!    (subjects defined twice, references to nothing), and the triples
//!    spilled by subject into buckets, with the facts about linked nodes
//!    the shapes will need.
//! 2. Afterwards ([`BucketChecks`]): each bucket holds every triple of its
//!    subjects, so the shapes are checked bucket by bucket, in parallel; the
//!    same pass counts the graph for its description and, in a build, keeps
//!    it as sorted runs for `export`.

use super::Sink;
use crate::export::kept::{KeptRun, KeptRunsWriter};
use crate::mapping::{MappedBatch, Plan, RunReport};
use crate::metadata::GraphSummary;
use crate::problem::Problem;
use crate::validate::buckets::{BucketWriter, Buckets};
use crate::validate::{Integrity, LinkedFacts, Shapes};
use crate::Error;
use oxigraph::model::{NamedOrBlankNode, Quad, Triple};
use std::path::Path;

/// Problems found so far: the first ones kept, all of them counted.
#[derive(Debug, Default)]
pub struct Findings {
    /// Sorted by file and line; in the order found within a line.
    pub problems: Vec<Problem>,
    pub total: u64,
}

impl Findings {
    /// All of these problems, none left out.
    pub fn of(problems: Vec<Problem>) -> Self {
        let mut found = Self::default();
        let total = problems.len() as u64;
        found.add(problems, total);
        found
    }

    /// Adds what another stage found.
    pub fn append(&mut self, other: Self) {
        self.add(other.problems, other.total);
    }

    /// Adds problems counted in `total` (of which `problems` are the ones kept).
    pub fn add(&mut self, problems: Vec<Problem>, total: u64) {
        self.problems.extend(problems);
        self.total += total;
        self.problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// `Ok` when nothing was found, else the problems as an error.
    pub fn into_result(self) -> Result<(), Error> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::Problems { problems: self.problems, total: self.total })
        }
    }
}

/// The checks of the first stage, fed by the run as a [`Sink`].
pub struct Checks<'a> {
    plan: &'a Plan,
    ontology: &'a [Quad],
    shapes: Option<&'a Shapes>,
    integrity: Integrity,
    linked_facts: Option<LinkedFacts>,
    spill: Option<BucketWriter>,
}

impl<'a> Checks<'a> {
    /// Checks for a run of `plan`, whose quads join the `ontology`'s. The
    /// triples are spilled by subject to `spill` when it is given, which
    /// the shapes need (and a build's counts and sorted runs).
    pub fn new(
        plan: &'a Plan,
        ontology: &'a [Quad],
        shapes: Option<&'a Shapes>,
        spill: Option<&Path>,
    ) -> Result<Self, Error> {
        let defined = ontology.iter().filter_map(|q| match &q.subject {
            NamedOrBlankNode::NamedNode(n) => Some(n.clone()),
            NamedOrBlankNode::BlankNode(_) => None,
        });
        Ok(Self {
            plan,
            ontology,
            shapes,
            integrity: Integrity::new(plan, defined),
            linked_facts: shapes.map(Shapes::linked_facts),
            spill: spill.map(BucketWriter::create).transpose()?,
        })
    }

    /// Ends the first stage: the problems of the rows (the engine's, in
    /// `report`) and of the identifiers, and what is left to check.
    pub fn finish_rows(mut self, report: &RunReport) -> Result<(Findings, BucketChecks<'a>), Error> {
        let mut found = Findings::default();
        found.add(report.issues.clone(), report.issue_count);
        found.append(Findings::of(self.integrity.finish(self.plan)?));
        let buckets = BucketChecks {
            plan: self.plan,
            ontology: self.ontology,
            shapes: self.shapes.zip(self.linked_facts),
            integrity: self.integrity,
            spill: self.spill,
        };
        Ok((found, buckets))
    }
}

impl Sink for Checks<'_> {
    fn accept(&mut self, batch: &MappedBatch) -> Result<(), Error> {
        self.integrity.observe(self.plan, batch);
        self.accept_extra(&batch.quads)
    }

    fn accept_extra(&mut self, quads: &[Quad]) -> Result<(), Error> {
        if let Some(linked_facts) = &mut self.linked_facts {
            linked_facts.observe(quads);
        }
        self.spill.as_mut().map_or(Ok(()), |spill| spill.add(quads))
    }
}

/// The second stage: what the spilled buckets are checked against.
pub struct BucketChecks<'a> {
    plan: &'a Plan,
    ontology: &'a [Quad],
    shapes: Option<(&'a Shapes, LinkedFacts)>,
    integrity: Integrity,
    spill: Option<BucketWriter>,
}

/// What the second stage found and counted.
#[derive(Default)]
pub struct BucketFindings {
    /// The graph's counts, for its description.
    pub summary: GraphSummary,
    /// Problems with the shapes, sorted by file, line and message, once each.
    pub problems: Vec<Problem>,
    /// The sorted runs written, when asked to keep them.
    pub kept_runs: Vec<KeptRun>,
}

impl BucketFindings {
    fn merge(mut self, other: Self) -> Self {
        self.summary.merge(other.summary);
        self.problems.extend(other.problems);
        self.kept_runs.extend(other.kept_runs);
        self
    }
}

/// The second stage's result, when triples were spilled.
pub struct SpillChecked {
    pub found: BucketFindings,
    /// Where the sorted runs went: only when the buckets held the whole
    /// graph (no mapping wrote to a named graph).
    pub keep: Option<KeptRunsWriter>,
}

impl BucketChecks<'_> {
    /// Reads the spilled buckets in parallel, on the threads of the current
    /// rayon pool: counts them, checks the shapes and, when `keep_runs` is
    /// given and the buckets hold the whole graph, writes each as a sorted
    /// run into that folder. Removes the buckets. `None` when nothing was
    /// spilled.
    pub fn run(mut self, keep_runs: Option<&Path>) -> Result<Option<SpillChecked>, Error> {
        let Some(spill) = self.spill.take() else { return Ok(None) };
        let buckets = spill.finish()?;
        let keep = match keep_runs {
            Some(folder) if buckets.named_graph_quads == 0 => Some(KeptRunsWriter::create(folder)?),
            _ => None,
        };
        let found = self.check(&buckets, keep.as_ref())?;
        buckets.remove()?;
        Ok(Some(SpillChecked { found, keep }))
    }

    fn check(&self, buckets: &Buckets, keep: Option<&KeptRunsWriter>) -> Result<BucketFindings, Error> {
        use rayon::prelude::*;
        let ontology: Vec<Triple> = self.ontology.iter().map(|q| Triple::from(q.clone())).collect();
        let shapes = self.shapes.as_ref().map(|(shapes, linked_facts)| (*shapes, linked_facts));
        let screen = shapes.and_then(|(shapes, linked_facts)| shapes.screen(&ontology, linked_facts));
        // Folded as they come rather than collected: each bucket's summary
        // lists the sources its subjects cite, which are most of them, and
        // 256 such lists held until the end took gigabytes at a million
        // offerings.
        let mut found = (0..buckets.count())
            .into_par_iter()
            .try_fold(BucketFindings::default, |mut found, index| {
                buckets.with_bucket(index, |triples, repeated| {
                    found.summary.count(triples);
                    if let Some(keep) = keep {
                        found.kept_runs.push(keep.write_bucket(index, triples, repeated)?);
                    }
                    if let Some((shapes, linked_facts)) = shapes {
                        let problems = shapes.validate(
                            triples,
                            linked_facts,
                            &ontology,
                            screen.as_ref(),
                            self.plan,
                            &self.integrity,
                        )?;
                        found.problems.extend(problems);
                    }
                    Ok::<_, Error>(())
                })??;
                Ok::<_, Error>(found)
            })
            .try_reduce(BucketFindings::default, |a, b| Ok(a.merge(b)))?;
        found.problems.sort_by(|a, b| (&a.file, a.line, &a.message).cmp(&(&b.file, b.line, &b.message)));
        found.problems.dedup();
        Ok(found)
    }
}
