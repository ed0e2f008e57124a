//! A screen for the SHACL shapes: compiled once from the shapes `shacl-rust`
//! parsed, it answers for a bucket of subjects (see [`super::buckets`])
//! whether every focus node in it surely conforms. A bucket it passes needs
//! no more work; any other bucket goes to `shacl-rust`, which stays the
//! authority on what conforms and on what a violation says.
//!
//! Why: `shacl-rust` builds a general index of each bucket (every term
//! hashed and copied) before it checks a constraint, and at a million
//! offerings that was most of a build's checking time. Curated data is
//! almost always clean, and for clean data the screen reads each subject's
//! triples once.
//!
//! The screen knows the constraints our shapes use: `sh:targetClass` (with
//! `rdfs:subClassOf`), simple paths, `sh:minCount`, `sh:maxCount`,
//! `sh:class`, `sh:datatype`, `sh:nodeKind`, `sh:languageIn`,
//! `sh:uniqueLang`, `sh:in`, `sh:hasValue`, `sh:pattern`, `sh:or`, and
//! `sh:node` on the linked node itself. Shapes that use anything else get no
//! screen, and every bucket is validated by `shacl-rust` as before. It
//! decides as `shacl-rust` does on the same bucket (the same data: the
//! bucket's triples, the ontology, and what [`LinkedFacts`] knows of linked
//! nodes), and wherever that is not plain it says "not sure".

use super::linked_facts::{FactSet, LinkedFacts};
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{Graph, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, Term, TermRef, Triple, TripleRef};
use rustc_hash::{FxHashMap, FxHashSet};
use shacl_rust::core::constraints::PatternConstraint;
use shacl_rust::{Constraint, NodeKind, PathElement, Shape};
use std::hash::BuildHasher;

/// The compiled screen; see the module documentation.
pub struct Screen {
    /// The node shapes that have targets.
    rules: Vec<NodeRule>,
    /// For each class, the rules whose target classes it is a subclass of.
    rules_by_type: FxHashMap<String, Vec<usize>>,
    /// The properties the rules read, numbered; `rdf:type` is number 0.
    predicates: FxHashMap<String, u16>,
    /// The ontology's `rdfs:subClassOf` triples: a bucket with any other
    /// changes what the targets and `sh:class` mean, and is not screened.
    ontology_subclass_triples: FxHashSet<Triple>,
}

/// What a node shape asks of a focus node.
struct NodeRule {
    /// Tests of the focus node itself.
    tests: Vec<ValueTest>,
    properties: Vec<PropertyRule>,
}

/// What a property shape with a simple path asks of a node's values.
struct PropertyRule {
    predicate: NamedNode,
    /// The predicate's number in [`Screen::predicates`], given by
    /// [`number_predicates`] to the properties of targeted shapes.
    number: u16,
    min_count: usize,
    max_count: Option<usize>,
    unique_lang: bool,
    has_values: Vec<Term>,
    /// Tests of each value.
    tests: Vec<ValueTest>,
}

/// A test of one value node.
enum ValueTest {
    /// An instance of a class or its subclasses: has one of these
    /// `rdf:type` facts.
    Class(FactSet),
    Datatype(NamedNode),
    NodeKind(NodeKind),
    LanguageIn(Vec<String>),
    In(Vec<Term>),
    HasValue(Term),
    /// Holds a compiled expression (checked when compiling).
    Pattern(PatternConstraint),
    /// Conforms to at least one list of tests.
    Or(Vec<Vec<ValueTest>>),
    /// Conforms to a node shape whose paths [`LinkedFacts`] follows.
    Node(Box<NodeRule>),
}

/// Why shapes cannot be screened (said nowhere: such shapes are simply
/// validated by `shacl-rust` alone).
struct Unsupported;

impl Screen {
    /// Compiles the screen, or `None` when the shapes use something it does
    /// not know. `linked_facts` must be complete (it gives the types of
    /// linked nodes); `ontology` is in every bucket's data graph.
    pub fn compile(shapes_graph: &Graph, linked_facts: &LinkedFacts, ontology: &[Triple]) -> Option<Self> {
        if linked_facts.predicates().iter().any(|p| *p == rdfs::SUB_CLASS_OF) {
            return None; // subclasses would then come from linked facts too
        }
        let shapes = shacl_rust::parse_shapes(shapes_graph).ok()?;
        let ontology_graph: Graph = ontology.iter().collect();
        let compiler = Compiler { ontology: &ontology_graph, linked_facts };
        let mut rules = Vec::new();
        let mut rules_by_type: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for shape in &shapes {
            if shape.targets.is_empty() {
                continue; // validates nothing by itself
            }
            let rule = compiler.targeted_rule(shape).ok()?;
            for class in compiler.target_classes(shape).ok()? {
                rules_by_type.entry(class.into_string()).or_default().push(rules.len());
            }
            rules.push(rule);
        }
        for indexes in rules_by_type.values_mut() {
            indexes.sort_unstable();
            indexes.dedup();
        }
        let predicates = number_predicates(&mut rules)?;
        let ontology_subclass_triples =
            ontology.iter().filter(|t| t.predicate == rdfs::SUB_CLASS_OF).cloned().collect();
        Some(Self { rules, rules_by_type, predicates, ontology_subclass_triples })
    }

    /// Whether every subject of `triples` (all the triples of each of its
    /// subjects) surely conforms to the shapes.
    pub fn passes(&self, triples: &[TripleRef<'_>], linked_facts: &LinkedFacts) -> bool {
        // Grouped by subject through a sort of hashes, cheaper than a map of
        // lists; a collision only sends the bucket to shacl-rust.
        let mut by_subject: Vec<(u64, u32)> = triples
            .iter()
            .enumerate()
            .map(|(i, t)| (rustc_hash::FxBuildHasher.hash_one(t.subject), i as u32))
            .collect();
        by_subject.sort_unstable();
        let mut facts = Vec::new();
        by_subject.chunk_by(|a, b| a.0 == b.0).all(|group| {
            let subject = triples[group[0].1 as usize].subject;
            facts.clear();
            for &(_, index) in group {
                let triple = triples[index as usize];
                if triple.subject != subject
                    || (triple.predicate == rdfs::SUB_CLASS_OF
                        && !self.ontology_subclass_triples.contains(&triple.into_owned()))
                {
                    return false;
                }
                if let Some(&number) = self.predicates.get(triple.predicate.as_str()) {
                    facts.push((number, triple.object));
                }
            }
            self.subject_passes(subject, &facts, linked_facts)
        })
    }

    /// `facts`: the subject's values of [`Self::predicates`], by number.
    fn subject_passes(
        &self,
        subject: NamedOrBlankNodeRef<'_>,
        facts: &[(u16, TermRef<'_>)],
        linked_facts: &LinkedFacts,
    ) -> bool {
        let mut applicable: Vec<usize> = facts
            .iter()
            .filter_map(|(number, value)| match value {
                TermRef::NamedNode(class) if *number == 0 => self.rules_by_type.get(class.as_str()),
                _ => None,
            })
            .flatten()
            .copied()
            .collect();
        applicable.sort_unstable();
        applicable.dedup();
        let focus = TermRef::from(subject);
        applicable.into_iter().all(|index| {
            let values = |property: &PropertyRule| {
                facts.iter().filter(|(n, _)| *n == property.number).map(|(_, value)| *value).collect()
            };
            self.rules[index].passes(focus, values, linked_facts)
        })
    }
}

/// Numbers the predicates the rules of targeted shapes read, `rdf:type`
/// first, and gives each of their property rules its number; `None` past
/// 65 536 predicates.
fn number_predicates(rules: &mut [NodeRule]) -> Option<FxHashMap<String, u16>> {
    let mut numbers = FxHashMap::from_iter([(rdf::TYPE.as_str().to_owned(), 0)]);
    for property in rules.iter_mut().flat_map(|rule| &mut rule.properties) {
        let next = u16::try_from(numbers.len()).ok()?;
        property.number = *numbers.entry(property.predicate.as_str().to_owned()).or_insert(next);
    }
    Some(numbers)
}

impl NodeRule {
    /// Whether `focus` conforms, `values` giving its values for each
    /// property rule.
    fn passes<'v>(
        &self,
        focus: TermRef<'_>,
        values: impl Fn(&PropertyRule) -> Vec<TermRef<'v>>,
        linked_facts: &LinkedFacts,
    ) -> bool {
        self.tests.iter().all(|test| test.passes(focus, linked_facts))
            && self.properties.iter().all(|property| property.passes(&values(property), linked_facts))
    }

    /// Whether a linked node conforms, from what [`LinkedFacts`] knows of it.
    fn linked_node_passes(&self, node: TermRef<'_>, linked_facts: &LinkedFacts) -> bool {
        let TermRef::NamedNode(iri) = node else { return false };
        let facts: Vec<&(NamedNode, Term)> = linked_facts.of(iri.as_str()).collect();
        let values = |property: &PropertyRule| {
            facts.iter().filter(|(p, _)| *p == property.predicate).map(|(_, v)| v.as_ref()).collect()
        };
        self.passes(node, values, linked_facts)
    }
}

impl PropertyRule {
    fn passes(&self, values: &[TermRef<'_>], linked_facts: &LinkedFacts) -> bool {
        if values.len() < self.min_count || self.max_count.is_some_and(|max| values.len() > max) {
            return false;
        }
        if !self.has_values.iter().all(|wanted| values.contains(&wanted.as_ref())) {
            return false;
        }
        if self.unique_lang && has_repeated_language(values) {
            return false;
        }
        values.iter().all(|value| self.tests.iter().all(|test| test.passes(*value, linked_facts)))
    }
}

/// Two values with the same language tag, compared as `shacl-rust` does
/// (ASCII case folded).
fn has_repeated_language(values: &[TermRef<'_>]) -> bool {
    let languages: Vec<&str> = values
        .iter()
        .filter_map(|v| match v {
            TermRef::Literal(l) => l.language(),
            _ => None,
        })
        .collect();
    languages.iter().enumerate().any(|(i, a)| languages[i + 1..].iter().any(|b| a.eq_ignore_ascii_case(b)))
}

impl ValueTest {
    fn passes(&self, value: TermRef<'_>, linked_facts: &LinkedFacts) -> bool {
        match self {
            Self::Class(types) => match value {
                TermRef::NamedNode(iri) => linked_facts.has_any(iri.as_str(), types),
                // Blank nodes' types are not among the linked facts.
                _ => false,
            },
            Self::Datatype(datatype) => match value {
                TermRef::Literal(l) => {
                    l.datatype() == datatype.as_ref() && !shacl_rust::utils::literal_is_ill_formed(l)
                }
                _ => false,
            },
            Self::NodeKind(kind) => node_kind_matches(*kind, value),
            Self::LanguageIn(ranges) => match value {
                TermRef::Literal(l) => l.language().is_some_and(|tag| ranges.iter().any(|r| language_matches(tag, r))),
                _ => false,
            },
            Self::In(allowed) => allowed.iter().any(|a| a.as_ref() == value),
            Self::HasValue(wanted) => wanted.as_ref() == value,
            Self::Pattern(pattern) => {
                let Some(regex) = &pattern.compiled else { return false };
                match value {
                    TermRef::Literal(l) => regex.is_match(l.value()),
                    TermRef::NamedNode(n) => regex.is_match(n.as_str()),
                    TermRef::BlankNode(_) => false,
                }
            }
            Self::Or(alternatives) => {
                alternatives.iter().any(|tests| tests.iter().all(|test| test.passes(value, linked_facts)))
            }
            Self::Node(rule) => rule.linked_node_passes(value, linked_facts),
        }
    }
}

fn node_kind_matches(kind: NodeKind, value: TermRef<'_>) -> bool {
    let (iri, blank, literal) = (value.is_named_node(), value.is_blank_node(), value.is_literal());
    match kind {
        NodeKind::IRI => iri,
        NodeKind::BlankNode => blank,
        NodeKind::Literal => literal,
        NodeKind::BlankNodeOrIRI => blank || iri,
        NodeKind::BlankNodeOrLiteral => blank || literal,
        NodeKind::IRIOrLiteral => iri || literal,
    }
}

/// SPARQL's `langMatches` for a plain range, as `shacl-rust` applies it.
fn language_matches(tag: &str, range: &str) -> bool {
    if tag.len() == range.len() {
        return tag.eq_ignore_ascii_case(range);
    }
    tag.len() > range.len() && tag.as_bytes()[range.len()] == b'-' && tag[..range.len()].eq_ignore_ascii_case(range)
}

/// Turns parsed shapes into rules, refusing what the screen cannot decide.
struct Compiler<'a> {
    ontology: &'a Graph,
    linked_facts: &'a LinkedFacts,
}

impl Compiler<'_> {
    /// The classes whose instances are a shape's focus nodes.
    fn target_classes(&self, shape: &Shape<'_>) -> Result<FxHashSet<NamedNode>, Unsupported> {
        let mut classes = FxHashSet::default();
        for target in &shape.targets {
            let shacl_rust::Target::Class(NamedOrBlankNodeRef::NamedNode(class)) = target else {
                return Err(Unsupported);
            };
            classes.extend(self.subclasses(*class));
        }
        Ok(classes)
    }

    fn subclasses(&self, class: NamedNodeRef<'_>) -> FxHashSet<NamedNode> {
        shacl_rust::utils::collect_all_subclasses(class.into(), self.ontology)
            .into_iter()
            .map(NamedNodeRef::into_owned)
            .collect()
    }

    fn targeted_rule(&self, shape: &Shape<'_>) -> Result<NodeRule, Unsupported> {
        self.node_rule(shape, |c| self.value_test(c))
    }

    /// A node shape (no path) with property shapes of simple paths; each
    /// constraint compiled by `test`.
    fn node_rule(
        &self,
        shape: &Shape<'_>,
        test: impl Fn(&Constraint<'_>) -> Result<ValueTest, Unsupported> + Copy,
    ) -> Result<NodeRule, Unsupported> {
        plain(shape)?;
        if shape.path.is_some() {
            return Err(Unsupported);
        }
        let tests = shape.constraints.iter().map(test).collect::<Result<_, _>>()?;
        let properties = shape.property_shapes.iter().map(|p| self.property_rule(p, test)).collect::<Result<_, _>>()?;
        Ok(NodeRule { tests, properties })
    }

    fn property_rule(
        &self,
        shape: &Shape<'_>,
        test: impl Fn(&Constraint<'_>) -> Result<ValueTest, Unsupported>,
    ) -> Result<PropertyRule, Unsupported> {
        plain(shape)?;
        if !shape.targets.is_empty() || !shape.property_shapes.is_empty() {
            return Err(Unsupported);
        }
        let predicate = match shape.path.as_ref().map(|p| p.get_elements()) {
            Some([PathElement::Iri(predicate)]) => predicate.into_owned(),
            _ => return Err(Unsupported),
        };
        let mut rule = PropertyRule {
            predicate,
            number: 0,
            min_count: 0,
            max_count: None,
            unique_lang: false,
            has_values: Vec::new(),
            tests: Vec::new(),
        };
        for constraint in &shape.constraints {
            match constraint {
                Constraint::MinCount(c) => rule.min_count = usize::try_from(c.0).map_err(|_| Unsupported)?,
                Constraint::MaxCount(c) => rule.max_count = Some(usize::try_from(c.0).map_err(|_| Unsupported)?),
                Constraint::UniqueLang(c) => rule.unique_lang = c.0,
                Constraint::HasValue(c) => rule.has_values.push(c.0.into_owned()),
                other => rule.tests.push(test(other)?),
            }
        }
        Ok(rule)
    }

    /// A constraint on each value node, on any node.
    fn value_test(&self, constraint: &Constraint<'_>) -> Result<ValueTest, Unsupported> {
        Ok(match constraint {
            Constraint::Class(c) => {
                let accepted = self.subclasses(c.0);
                ValueTest::Class(self.linked_facts.fact_set(|p, value| {
                    *p == rdf::TYPE && matches!(value, Term::NamedNode(class) if accepted.contains(class))
                }))
            }
            Constraint::Or(c) => ValueTest::Or(
                c.0.iter()
                    .map(|alternative| {
                        let rule = self.node_rule(alternative, |c| self.value_test(c))?;
                        if rule.properties.is_empty() {
                            Ok(rule.tests)
                        } else {
                            Err(Unsupported)
                        }
                    })
                    .collect::<Result<_, _>>()?,
            ),
            Constraint::Node(c) => ValueTest::Node(Box::new(self.linked_node_rule(&c.0)?)),
            local => local_test(local)?,
        })
    }

    /// The shape of an `sh:node` on a linked node: only tests that need
    /// nothing beyond what [`LinkedFacts`] notes of that node.
    fn linked_node_rule(&self, shape: &Shape<'_>) -> Result<NodeRule, Unsupported> {
        let rule = self.node_rule(shape, local_test)?;
        if rule.properties.iter().all(|p| self.linked_facts.predicates().contains(&p.predicate)) {
            Ok(rule)
        } else {
            Err(Unsupported)
        }
    }
}

/// A constraint decided by the value node alone.
fn local_test(constraint: &Constraint<'_>) -> Result<ValueTest, Unsupported> {
    Ok(match constraint {
        Constraint::Datatype(c) => ValueTest::Datatype(c.0.into_owned()),
        Constraint::NodeKind(c) => ValueTest::NodeKind(c.0),
        Constraint::LanguageIn(c) => ValueTest::LanguageIn(c.0.clone()),
        Constraint::In(c) => ValueTest::In(c.0.iter().map(|t| t.into_owned()).collect()),
        Constraint::HasValue(c) => ValueTest::HasValue(c.0.into_owned()),
        // shacl-rust skips a pattern it cannot compile; such shapes are
        // left to it whole.
        Constraint::Pattern(c) if c.compiled.is_some() => ValueTest::Pattern(c.clone()),
        _ => return Err(Unsupported),
    })
}

/// A shape without the features the screen leaves to `shacl-rust`.
fn plain(shape: &Shape<'_>) -> Result<(), Unsupported> {
    if shape.deactivated || shape.closed.is_some() {
        Err(Unsupported)
    } else {
        Ok(())
    }
}
