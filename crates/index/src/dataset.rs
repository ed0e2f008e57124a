//! The index as a dataset Oxigraph's SPARQL evaluator reads (spareval's
//! `QueryableDataset`). The evaluator joins, groups and filters on
//! [`IndexTerm`]s: for a term of the graph that is its number, so a join
//! compares two integers and nothing is decoded until a term's value is
//! needed (a FILTER on it, or the answer).

use crate::{Index, IndexError};
use oxrdf::{Term, TermRef};
use spareval::{InternalQuad, QueryableDataset};
use std::sync::Arc;

/// A term as the evaluator holds it while it runs a query on an [`Index`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IndexTerm {
    /// A term of the graph, by its number.
    Stored(u32),
    /// A term the graph does not have: a constant of the query, or a value
    /// it computed (BIND, an aggregate). Never equal to a stored term, since
    /// a term the graph has is always given its number.
    Computed(Arc<Term>),
}

impl Index {
    /// The evaluator's form of `term`: its number when the graph has it.
    fn internalize(&self, term: Term) -> IndexTerm {
        let term = match term {
            Term::Literal(literal) => match crate::stored::as_stored(literal.as_ref()) {
                Some(stored) => Term::Literal(stored),
                None => Term::Literal(literal),
            },
            term => term,
        };
        let mut form = Vec::new();
        crate::terms::encode(&term, &mut form);
        match self.inner.terms.find(&form) {
            Some(number) => IndexTerm::Stored(number),
            None => IndexTerm::Computed(Arc::new(term)),
        }
    }

    fn externalize(&self, term: IndexTerm) -> Result<Term, IndexError> {
        match term {
            IndexTerm::Stored(number) => self.inner.terms.term(number),
            IndexTerm::Computed(term) => Ok(Arc::unwrap_or_clone(term)),
        }
    }
}

/// The graph's number of a pattern's term, or why the pattern cannot match.
enum Bound {
    Any,
    Number(u32),
    /// A term the graph does not have, or one that cannot be in that place.
    Nothing,
}

fn bound(term: Option<&IndexTerm>) -> Bound {
    match term {
        None => Bound::Any,
        Some(IndexTerm::Stored(number)) => Bound::Number(*number),
        Some(IndexTerm::Computed(_)) => Bound::Nothing,
    }
}

/// What an index scan yields, before the evaluator sees it.
type Quads = Box<dyn Iterator<Item = Result<InternalQuad<IndexTerm>, IndexError>>>;

impl<'a> QueryableDataset<'a> for Index {
    type InternalTerm = IndexTerm;
    type Error = IndexError;

    fn internal_quads_for_pattern(
        &self,
        subject: Option<&IndexTerm>,
        predicate: Option<&IndexTerm>,
        object: Option<&IndexTerm>,
        graph_name: Option<Option<&IndexTerm>>,
    ) -> impl Iterator<Item = Result<InternalQuad<IndexTerm>, IndexError>> + use<'a> {
        let mut columns = [Some(0); 4];
        for (column, term) in columns.iter_mut().zip([subject, predicate, object]) {
            match bound(term) {
                Bound::Any => *column = None,
                Bound::Number(number) => *column = Some(number),
                Bound::Nothing => return Box::new(std::iter::empty()) as Quads,
            }
        }
        match graph_name {
            Some(None) => self.default_graph_scan([columns[0], columns[1], columns[2]]),
            Some(Some(graph)) => match bound(Some(graph)) {
                Bound::Number(graph) => self.named_graph_scan([columns[0], columns[1], columns[2], Some(graph)]),
                _ => Box::new(std::iter::empty()),
            },
            None => self.named_graph_scan([columns[0], columns[1], columns[2], None]),
        }
    }

    fn internal_named_graphs(&self) -> impl Iterator<Item = Result<IndexTerm, IndexError>> + use<'a> {
        self.inner.quads.distinct_leading().into_iter().map(|graph| Ok(IndexTerm::Stored(graph)))
    }

    fn contains_internal_graph_name(&self, graph_name: &IndexTerm) -> Result<bool, IndexError> {
        let IndexTerm::Stored(graph) = graph_name else { return Ok(false) };
        let quads = &self.inner.quads;
        let mut scan = quads.scan([None, None, None, Some(*graph)]);
        Ok(quads.next(&mut scan).is_some())
    }

    fn internalize_term(&self, term: Term) -> Result<IndexTerm, IndexError> {
        Ok(self.internalize(term))
    }

    fn externalize_term(&self, term: IndexTerm) -> Result<Term, IndexError> {
        self.externalize(term)
    }
}

impl Index {
    fn default_graph_scan(&self, columns: [Option<u32>; 3]) -> Quads {
        let index = self.clone();
        let mut scan = index.inner.triples.scan(columns);
        Box::new(std::iter::from_fn(move || {
            let [s, p, o] = index.inner.triples.next(&mut scan)?;
            Some(Ok(quad(s, p, o, None)))
        }))
    }

    fn named_graph_scan(&self, columns: [Option<u32>; 4]) -> Quads {
        let index = self.clone();
        let mut scan = index.inner.quads.scan(columns);
        Box::new(std::iter::from_fn(move || {
            let [s, p, o, g] = index.inner.quads.next(&mut scan)?;
            Some(Ok(quad(s, p, o, Some(g))))
        }))
    }

    /// How many triples of the default graph match a pattern (`None`: any
    /// term): two reads and a binary search, whatever the count. The
    /// statistics a query planner needs.
    pub fn count_default_graph(
        &self,
        subject: Option<TermRef<'_>>,
        predicate: Option<TermRef<'_>>,
        object: Option<TermRef<'_>>,
    ) -> usize {
        let mut columns = [None; 3];
        for (column, term) in columns.iter_mut().zip([subject, predicate, object]) {
            if let Some(term) = term {
                match self.number_of(term) {
                    Some(number) => *column = Some(number),
                    None => return 0,
                }
            }
        }
        self.inner.triples.count(columns)
    }

    /// The term numbered `number`, for tests and tools.
    pub fn term(&self, number: u32) -> Result<Term, IndexError> {
        self.inner.terms.term(number)
    }

    /// The number of `term`, if the graph has it.
    pub fn number_of(&self, term: TermRef<'_>) -> Option<u32> {
        match self.internalize(term.into_owned()) {
            IndexTerm::Stored(number) => Some(number),
            IndexTerm::Computed(_) => None,
        }
    }
}

fn quad(s: u32, p: u32, o: u32, graph: Option<u32>) -> InternalQuad<IndexTerm> {
    InternalQuad {
        subject: IndexTerm::Stored(s),
        predicate: IndexTerm::Stored(p),
        object: IndexTerm::Stored(o),
        graph_name: graph.map(IndexTerm::Stored),
    }
}
