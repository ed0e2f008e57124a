//! The read index's counts as the rewrites' [`Statistics`]: every triple
//! pattern counted in two binary searches, and each predicate's spread as
//! the build wrote it (`predicates.stats`).

use super::estimate::{PredicateStatistics, Statistics};
use factgraph_index::Index;
use oxrdf::{NamedNode, Term};
use spargebra::term::{NamedNodePattern, TermPattern, TriplePattern};

impl Statistics for Index {
    fn size(&self, triple: &TriplePattern) -> usize {
        let term = |term: &TermPattern| -> Option<Term> {
            match term {
                TermPattern::NamedNode(node) => Some(node.clone().into()),
                TermPattern::Literal(literal) => Some(literal.clone().into()),
                _ => None,
            }
        };
        let predicate = match &triple.predicate {
            NamedNodePattern::NamedNode(node) => Some(Term::from(node.clone())),
            NamedNodePattern::Variable(_) => None,
        };
        let (subject, object) = (term(&triple.subject), term(&triple.object));
        self.count_default_graph(
            subject.as_ref().map(Into::into),
            predicate.as_ref().map(Into::into),
            object.as_ref().map(Into::into),
        )
    }

    fn predicate(&self, predicate: &NamedNode) -> Option<PredicateStatistics> {
        let counted = self.predicate_statistics(predicate.as_ref())?;
        Some(PredicateStatistics { triples: counted.triples, subjects: counted.subjects, objects: counted.objects })
    }
}
