//! A translation written as Turtle a person can read: prefixes, one block
//! per triples map, and the nodes only one map uses nested in `[ … ]`.

use crate::Translation;
use oxrdf::{NamedOrBlankNode, Term, Triple};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/// Writes every file of `translation` as one Turtle document.
pub fn to_turtle(translation: &Translation) -> String {
    let mut seen = HashSet::new();
    let triples: Vec<&Triple> = translation.files.iter().flat_map(|f| &f.triples).filter(|t| seen.insert(*t)).collect();
    let prefixes = used_prefixes(translation, &triples);
    let writer = TurtleWriter::new(&triples, &prefixes);
    let mut out = String::new();
    for (prefix, namespace) in &prefixes {
        let _ = writeln!(out, "@prefix {prefix}: <{namespace}> .");
    }
    if let Some(base) = translation.files.iter().find_map(|f| f.base_iri.as_deref()) {
        let _ = writeln!(out, "@base <{base}> .");
    }
    for subject in &writer.top_level {
        out.push('\n');
        out.push_str(&writer.node(subject));
        out.push_str(&writer.properties(subject, 1));
        out.push_str(" .\n");
    }
    out
}

/// The declared prefixes, and the predefined ones whose namespace the triples use.
fn used_prefixes(translation: &Translation, triples: &[&Triple]) -> Vec<(String, String)> {
    let mut prefixes = translation.prefixes.clone();
    let iris = triples.iter().flat_map(|t| {
        let object = match &t.object {
            Term::NamedNode(n) => Some(n.as_str()),
            _ => None,
        };
        [Some(t.predicate.as_str()), object]
    });
    let iris: Vec<&str> = iris.flatten().collect();
    for (prefix, namespace) in crate::prefixes::PREDEFINED {
        let declared = prefixes.iter().any(|(p, n)| p == prefix || n == namespace);
        if !declared && iris.iter().any(|iri| iri.starts_with(namespace)) {
            prefixes.push(((*prefix).to_owned(), (*namespace).to_owned()));
        }
    }
    prefixes
}

struct TurtleWriter<'t> {
    by_subject: HashMap<&'t NamedOrBlankNode, Vec<&'t Triple>>,
    /// Blank nodes that are the object of exactly one triple: written in place.
    nested: HashSet<&'t NamedOrBlankNode>,
    top_level: Vec<&'t NamedOrBlankNode>,
    prefixes: &'t [(String, String)],
}

impl<'t> TurtleWriter<'t> {
    fn new(triples: &[&'t Triple], prefixes: &'t [(String, String)]) -> Self {
        let mut by_subject: HashMap<&NamedOrBlankNode, Vec<&Triple>> = HashMap::new();
        let mut order = Vec::new();
        let mut uses: HashMap<&oxrdf::BlankNode, usize> = HashMap::new();
        for triple in triples {
            let entry = by_subject.entry(&triple.subject).or_default();
            if entry.is_empty() {
                order.push(&triple.subject);
            }
            entry.push(triple);
            if let Term::BlankNode(b) = &triple.object {
                *uses.entry(b).or_default() += 1;
            }
        }
        let nested: HashSet<&NamedOrBlankNode> = order
            .iter()
            .copied()
            .filter(|s| matches!(s, NamedOrBlankNode::BlankNode(b) if uses.get(b) == Some(&1)))
            .collect();
        let top_level = order.into_iter().filter(|s| !nested.contains(s)).collect();
        Self { by_subject, nested, top_level, prefixes }
    }

    fn properties(&self, subject: &NamedOrBlankNode, depth: usize) -> String {
        let Some(triples) = self.by_subject.get(subject) else { return String::new() };
        let indent = "    ".repeat(depth);
        let mut predicates: Vec<&oxrdf::NamedNode> = Vec::new();
        for triple in triples {
            if !predicates.contains(&&triple.predicate) {
                predicates.push(&triple.predicate);
            }
        }
        // `a` first, as people write it.
        predicates.sort_by_key(|p| p.as_str() != RDF_TYPE);
        let mut out = String::new();
        for (index, predicate) in predicates.iter().enumerate() {
            out.push_str(if index == 0 { "\n" } else { " ;\n" });
            out.push_str(&indent);
            out.push_str(&if predicate.as_str() == RDF_TYPE { "a".to_owned() } else { self.iri(predicate.as_str()) });
            let objects: Vec<String> =
                triples.iter().filter(|t| &t.predicate == *predicate).map(|t| self.object(&t.object, depth)).collect();
            out.push(' ');
            out.push_str(&objects.join(", "));
        }
        out
    }

    fn object(&self, term: &Term, depth: usize) -> String {
        match term {
            Term::NamedNode(n) => self.iri(n.as_str()),
            Term::BlankNode(b) => {
                let node = NamedOrBlankNode::from(b.clone());
                if self.nested.contains(&node) {
                    let indent = "    ".repeat(depth);
                    format!("[{}\n{indent}]", self.properties(&node, depth + 1))
                } else {
                    format!("_:{}", b.as_str())
                }
            }
            Term::Literal(l) => match l.datatype().as_str() {
                "http://www.w3.org/2001/XMLSchema#string" => {
                    let plain = oxrdf::Literal::new_simple_literal(l.value());
                    plain.to_string()
                }
                _ => l.to_string(),
            },
            #[allow(unreachable_patterns)]
            other => other.to_string(),
        }
    }

    fn node(&self, node: &NamedOrBlankNode) -> String {
        match node {
            NamedOrBlankNode::NamedNode(n) => self.iri(n.as_str()),
            NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
        }
    }

    /// `prefix:local` where the local name is plain, `<iri>` otherwise.
    fn iri(&self, iri: &str) -> String {
        let best = self
            .prefixes
            .iter()
            .filter(|(_, namespace)| iri.starts_with(namespace.as_str()))
            .max_by_key(|(_, namespace)| namespace.len());
        if let Some((prefix, namespace)) = best {
            let local = &iri[namespace.len()..];
            let plain = local.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-') && !local.starts_with('-');
            if plain {
                return format!("{prefix}:{local}");
            }
        }
        format!("<{iri}>")
    }
}

#[cfg(test)]
mod tests {
    use crate::{translate, Document};

    #[test]
    fn turtle_round_trips_to_the_same_graph() {
        let yaml = "prefixes:\n  ex: http://example.com/\nmappings:\n  p:\n    sources: [[d.csv~csv]]\n    s: ex:$(id)\n    po:\n      - [a, ex:Person]\n      - [ex:name, $(name), en~lang]\n";
        let translation = translate(&[Document { path: "m.yml".into(), text: yaml.into() }]).unwrap();
        let turtle = super::to_turtle(&translation);
        let parsed: Vec<oxrdf::Triple> =
            oxttl::TurtleParser::new().for_slice(turtle.as_bytes()).collect::<Result<_, _>>().unwrap();
        assert_eq!(parsed.len(), translation.files[0].triples.len(), "{turtle}");
        assert!(turtle.contains("rml:language \"en\""), "{turtle}");
        assert!(turtle.contains("@prefix ex: <http://example.com/>"), "{turtle}");
    }
}
