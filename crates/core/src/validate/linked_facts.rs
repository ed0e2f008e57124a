//! The facts about linked nodes that the shapes need while the subjects'
//! own triples are checked bucket by bucket: gathered from the mapped quads
//! as they stream to the store, before any bucket is read.

use super::identifiers::{IriKey, IriKeyHasher};
use oxigraph::model::{NamedNode, NamedOrBlankNode, Quad, Term};
use rustc_hash::FxHashMap;
use std::collections::HashMap;

/// What a bucket needs to know of the nodes it links to, for every IRI node
/// of the default graph, gathered from the mapped quads as they stream by: its `rdf:type` (for `sh:class`) and its values of
/// the properties that shapes reached through `sh:node` constrain (for
/// `sh:node` on a linked node). Compact, since it holds every typed node: a
/// 128-bit hash of the IRI and a set of interned (property, value) pairs.
pub struct LinkedFacts {
    /// The properties noted: `rdf:type` and those of [`linked_predicates`].
    predicates: Vec<NamedNode>,
    facts: Vec<(NamedNode, Term)>,
    /// Each fact's number in `facts`, by property and then value, so that
    /// a quad is looked up without copying its terms.
    numbers: FxHashMap<NamedNode, FxHashMap<Term, u32>>,
    /// Bit `i` set: the node has `facts[i]`, for the first 64 facts.
    first_facts: HashMap<IriKey, u64, IriKeyHasher>,
    /// Facts numbered 64 and above, rare in curated data.
    more_facts: HashMap<IriKey, Vec<u32>, IriKeyHasher>,
}

impl LinkedFacts {
    pub(super) fn new(predicates: Vec<NamedNode>) -> Self {
        Self {
            predicates,
            facts: Vec::new(),
            numbers: FxHashMap::default(),
            first_facts: HashMap::default(),
            more_facts: HashMap::default(),
        }
    }

    /// Notes the facts of mapped quads in the default graph.
    pub fn observe(&mut self, quads: &[Quad]) {
        for quad in quads {
            if !quad.graph_name.is_default_graph() || !self.predicates.contains(&quad.predicate) {
                continue;
            }
            let NamedOrBlankNode::NamedNode(node) = &quad.subject else { continue };
            let known = self.numbers.get(&quad.predicate).and_then(|values| values.get(&quad.object));
            let number = match known {
                Some(&number) => number,
                None => {
                    let number = self.facts.len() as u32;
                    self.facts.push((quad.predicate.clone(), quad.object.clone()));
                    self.numbers.entry(quad.predicate.clone()).or_default().insert(quad.object.clone(), number);
                    number
                }
            };
            let key = IriKey::of(node.as_str());
            if number < 64 {
                *self.first_facts.entry(key).or_default() |= 1 << number;
            } else {
                let more = self.more_facts.entry(key).or_default();
                if !more.contains(&number) {
                    more.push(number);
                }
            }
        }
    }

    /// The properties noted.
    pub(super) fn predicates(&self) -> &[NamedNode] {
        &self.predicates
    }

    /// The facts noted so far that `wanted` accepts, as a set to test nodes
    /// against with [`Self::has_any`].
    pub(super) fn fact_set(&self, wanted: impl Fn(&NamedNode, &Term) -> bool) -> FactSet {
        let mut set = FactSet::default();
        for (number, (predicate, value)) in self.facts.iter().enumerate() {
            if wanted(predicate, value) {
                match number {
                    0..64 => set.first |= 1 << number,
                    _ => set.more.push(number as u32),
                }
            }
        }
        set
    }

    /// Whether the node has one of the facts of `set`.
    pub(super) fn has_any(&self, iri: &str, set: &FactSet) -> bool {
        let key = IriKey::of(iri);
        let first = self.first_facts.get(&key).is_some_and(|bits| bits & set.first != 0);
        first
            || (!set.more.is_empty()
                && self.more_facts.get(&key).is_some_and(|more| more.iter().any(|n| set.more.contains(n))))
    }

    pub(super) fn of(&self, iri: &str) -> impl Iterator<Item = &(NamedNode, Term)> {
        let key = IriKey::of(iri);
        let bits = self.first_facts.get(&key).copied().unwrap_or(0);
        let first = (0..64).filter(move |i| bits & (1 << i) != 0);
        let more = self.more_facts.get(&key).into_iter().flatten().copied();
        first.chain(more).map(|number| &self.facts[number as usize])
    }
}

/// Some of the facts [`LinkedFacts`] numbered.
#[derive(Default)]
pub(super) struct FactSet {
    first: u64,
    more: Vec<u32>,
}
