//! The SPARQL Update that turns the graph a server holds into a newer
//! version's, from the quads the change log says were removed and added.
//!
//! Quads without blank nodes are sent as they are, in `DELETE DATA` and
//! `INSERT DATA`. A blank node has no name a server keeps: the labels of the
//! log are factgraph's, and a server gave the nodes it loaded names of its
//! own, so `DELETE DATA` cannot reach them. Quads with blank nodes are
//! therefore handled a component at a time (the quads linked through shared
//! blank nodes, as RDF molecules or minimum self-contained graphs are): each
//! component the change touches is deleted whole on the server by a pattern
//! with a variable per blank node, and the component of the new version is
//! inserted whole, with fresh blank nodes.
//!
//! The pattern matches nothing but a copy of the component: every variable
//! must be a blank node, distinct from the others, and have no triple on
//! the server beyond the pattern's (`FILTER NOT EXISTS`), so a match maps
//! the component onto a whole component of the server's graph with the same
//! shape. Two components of the same shape (isomorphic) cannot be told apart
//! by any pattern; when the change touches one of them, all of them are
//! deleted and those the new version still has are inserted again.

use oxigraph::model::{BlankNode, GraphName, NamedOrBlankNode, Quad, Term};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::{self, Write};

/// One operation of an update request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// Quads without blank nodes to delete.
    DeleteData(Vec<Quad>),
    /// Quads to insert; blank nodes are fresh on the server, the same label
    /// being the same node within the operation.
    InsertData(Vec<Quad>),
    /// A component of quads linked by blank nodes, deleted by its shape.
    DeleteComponent(Vec<Quad>),
    /// A graph management operation (`COPY`, `MOVE`, `DROP`), as written.
    Manage(String),
}

impl Operation {
    /// The quads the operation carries (a management operation counts one).
    pub fn size(&self) -> usize {
        match self {
            Self::DeleteData(quads) | Self::InsertData(quads) | Self::DeleteComponent(quads) => quads.len(),
            Self::Manage(_) => 1,
        }
    }

    /// The same operation on graph `to` where it was on `from`.
    pub fn moved(self, from: &GraphName, to: &GraphName) -> Self {
        let graph = |mut quads: Vec<Quad>| {
            for quad in &mut quads {
                if &quad.graph_name == from {
                    quad.graph_name = to.clone();
                }
            }
            quads
        };
        match self {
            Self::DeleteData(quads) => Self::DeleteData(graph(quads)),
            Self::InsertData(quads) => Self::InsertData(graph(quads)),
            Self::DeleteComponent(quads) => Self::DeleteComponent(graph(quads)),
            manage @ Self::Manage(_) => manage,
        }
    }

    /// The graphs the operation's quads are in.
    pub fn graphs(&self) -> Vec<GraphName> {
        let mut graphs: Vec<GraphName> = match self {
            Self::Manage(_) => Vec::new(),
            Self::DeleteData(quads) | Self::InsertData(quads) | Self::DeleteComponent(quads) => {
                quads.iter().map(|q| q.graph_name.clone()).collect()
            }
        };
        graphs.sort_by_key(ToString::to_string);
        graphs.dedup();
        graphs
    }

    /// Splits a data operation into operations of at most `size` quads;
    /// an insert only between components, whose blank nodes must arrive
    /// in one operation.
    pub fn split(self, size: usize) -> Vec<Self> {
        match self {
            Self::DeleteData(quads) => quads.chunks(size.max(1)).map(|c| Self::DeleteData(c.to_vec())).collect(),
            Self::InsertData(quads) => {
                let (plain, blank): (Vec<Quad>, Vec<Quad>) = quads.into_iter().partition(|q| !has_blank_node(q));
                let mut parts: Vec<Self> = plain.chunks(size.max(1)).map(|c| Self::InsertData(c.to_vec())).collect();
                let mut part = Vec::new();
                for component in components(&blank) {
                    if !part.is_empty() && part.len() + component.len() > size {
                        parts.push(Self::InsertData(std::mem::take(&mut part)));
                    }
                    part.extend(component.into_iter().map(|i| blank[i].clone()));
                }
                if !part.is_empty() {
                    parts.push(Self::InsertData(part));
                }
                parts
            }
            other => vec![other],
        }
    }

    /// Writes the operation in SPARQL 1.1 Update syntax, as operation
    /// `number` of its request (blank node labels must differ between the
    /// operations of a request).
    pub fn write(&self, number: usize, out: &mut dyn Write) -> io::Result<()> {
        match self {
            Self::DeleteData(quads) => write_data(out, "DELETE DATA", quads, number),
            Self::InsertData(quads) => write_data(out, "INSERT DATA", quads, number),
            Self::DeleteComponent(quads) => out.write_all(delete_component(quads).as_bytes()),
            Self::Manage(text) => out.write_all(text.as_bytes()),
        }
    }
}

/// Writes `operations` as one update request, `;` between them.
pub fn write_request(operations: &[Operation], out: &mut dyn Write) -> io::Result<()> {
    for (index, operation) in operations.iter().enumerate() {
        if index > 0 {
            out.write_all(b" ;\n")?;
        }
        operation.write(index, out)?;
    }
    out.write_all(b"\n")
}

/// Whether a quad has a blank node (graph names are never blank here).
pub fn has_blank_node(quad: &Quad) -> bool {
    matches!(quad.subject, NamedOrBlankNode::BlankNode(_)) || matches!(quad.object, Term::BlankNode(_))
}

/// A blank node, with the graph it is in: the same label in two graphs is
/// treated as two nodes, one per graph.
type Node = (GraphName, BlankNode);

fn blank_nodes(quad: &Quad) -> impl Iterator<Item = Node> + '_ {
    let subject = match &quad.subject {
        NamedOrBlankNode::BlankNode(node) => Some((quad.graph_name.clone(), node.clone())),
        _ => None,
    };
    let object = match &quad.object {
        Term::BlankNode(node) => Some((quad.graph_name.clone(), node.clone())),
        _ => None,
    };
    subject.into_iter().chain(object)
}

/// The components of `quads` (all with blank nodes), as lists of indexes.
pub(crate) fn components(quads: &[Quad]) -> Vec<Vec<usize>> {
    let graph = BlankGraph::new(quads.to_vec());
    graph.components().0
}

/// Quads with blank nodes, indexed by blank node.
struct BlankGraph {
    quads: Vec<Quad>,
    by_node: HashMap<Node, Vec<usize>>,
}

impl BlankGraph {
    fn new(quads: Vec<Quad>) -> Self {
        let mut by_node: HashMap<Node, Vec<usize>> = HashMap::new();
        for (index, quad) in quads.iter().enumerate() {
            for node in blank_nodes(quad) {
                let list = by_node.entry(node).or_default();
                if list.last() != Some(&index) {
                    list.push(index);
                }
            }
        }
        Self { quads, by_node }
    }

    /// Every component, as the indexes of its quads, and the component of
    /// each blank node.
    fn components(&self) -> (Vec<Vec<usize>>, HashMap<Node, usize>) {
        let mut component_of: HashMap<Node, usize> = HashMap::new();
        let mut components = Vec::new();
        for start in 0..self.quads.len() {
            let first = blank_nodes(&self.quads[start]).next().expect("a quad with a blank node");
            if component_of.contains_key(&first) {
                continue;
            }
            let number = components.len();
            let mut quads = Vec::new();
            let mut queue = vec![first.clone()];
            component_of.insert(first, number);
            while let Some(node) = queue.pop() {
                for &index in &self.by_node[&node] {
                    quads.push(index);
                    for other in blank_nodes(&self.quads[index]) {
                        if !component_of.contains_key(&other) {
                            component_of.insert(other.clone(), number);
                            queue.push(other);
                        }
                    }
                }
            }
            quads.sort_unstable();
            quads.dedup();
            components.push(quads);
        }
        (components, component_of)
    }
}

/// The shape of a component: its quads with every blank node written `[]`,
/// sorted. Components of the same shape may be copies of each other.
fn shape(quads: &[Quad]) -> Vec<String> {
    let blank = |term: String, is_blank: bool| if is_blank { "[]".to_owned() } else { term };
    let mut lines: Vec<String> = quads
        .iter()
        .map(|q| {
            format!(
                "{} {} {} {}",
                blank(q.subject.to_string(), matches!(q.subject, NamedOrBlankNode::BlankNode(_))),
                q.predicate,
                blank(q.object.to_string(), matches!(q.object, Term::BlankNode(_))),
                q.graph_name
            )
        })
        .collect();
    lines.sort_unstable();
    lines
}

/// What to do on the server about the quads with blank nodes of a change:
/// the components of the old graph to delete, and the quads of the new
/// graph to insert.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BlankChange {
    pub delete: Vec<Vec<Quad>>,
    pub insert: Vec<Quad>,
}

/// Works out [`BlankChange`] from the quads with blank nodes of the new
/// version (`current`) and those of the change (`removed`, `added`): the
/// old graph's are `current` without `added` and with `removed`.
pub fn blank_change(current: Vec<Quad>, removed: &[Quad], added: &[Quad]) -> BlankChange {
    let added_set: HashSet<&Quad> = added.iter().collect();
    let mut old: Vec<Quad> = current.iter().filter(|q| !added_set.contains(q)).cloned().collect();
    old.extend(removed.iter().cloned());
    let (old, new) = (BlankGraph::new(old), BlankGraph::new(current));
    let (old_components, old_component_of) = old.components();
    let (new_components, new_component_of) = new.components();
    let mut same_shape: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
    for (number, component) in old_components.iter().enumerate() {
        let quads: Vec<Quad> = component.iter().map(|&i| old.quads[i].clone()).collect();
        same_shape.entry(shape(&quads)).or_default().push(number);
    }
    let shape_of: Vec<Vec<String>> =
        old_components.iter().map(|c| shape(&c.iter().map(|&i| old.quads[i].clone()).collect::<Vec<_>>())).collect();

    let mut queue: Vec<Node> = removed.iter().chain(added).flat_map(blank_nodes).collect();
    let (mut old_touched, mut new_touched) = (HashSet::new(), HashSet::new());
    let nodes_of = |graph: &BlankGraph, component: &[usize]| -> Vec<Node> {
        component.iter().flat_map(|&i| blank_nodes(&graph.quads[i]).collect::<Vec<_>>()).collect()
    };
    while let Some(node) = queue.pop() {
        if let Some(&number) = old_component_of.get(&node) {
            if old_touched.insert(number) {
                for &twin in &same_shape[&shape_of[number]] {
                    if old_touched.insert(twin) || twin == number {
                        queue.extend(nodes_of(&old, &old_components[twin]));
                    }
                }
            }
        }
        if let Some(&number) = new_component_of.get(&node) {
            if new_touched.insert(number) {
                queue.extend(nodes_of(&new, &new_components[number]));
            }
        }
    }
    let mut old_touched: Vec<usize> = old_touched.into_iter().collect();
    old_touched.sort_unstable();
    let mut new_touched: Vec<usize> = new_touched.into_iter().collect();
    new_touched.sort_unstable();
    BlankChange {
        delete: old_touched
            .iter()
            .map(|&n| old_components[n].iter().map(|&i| old.quads[i].clone()).collect())
            .collect(),
        insert: new_touched.iter().flat_map(|&n| new_components[n].iter().map(|&i| new.quads[i].clone())).collect(),
    }
}

/// Writes quads as a `DELETE DATA` or `INSERT DATA` block, blank nodes
/// relabelled `_:o{operation}b0`, `_:o{operation}b1`… (labels of
/// factgraph's may be long, and the same label must not reach two
/// operations of one request).
fn write_data(out: &mut dyn Write, keyword: &str, quads: &[Quad], operation: usize) -> io::Result<()> {
    let mut labels: HashMap<Node, String> = HashMap::new();
    let mut blank = |node: Node| {
        let next = labels.len();
        labels.entry(node).or_insert_with(|| format!("_:o{operation}b{next}")).clone()
    };
    // Blank nodes in `INSERT DATA` are SPARQL 1.1, but Virtuoso 7 refuses
    // them ("not allowed in a constant clause"); a template with an empty
    // pattern inserts the same fresh nodes on every server.
    let template = keyword == "INSERT DATA" && quads.iter().any(has_blank_node);
    let keyword = if template { "INSERT" } else { keyword };
    writeln!(out, "{keyword} {{")?;
    let mut open: Option<&GraphName> = None;
    let mut line = String::new();
    for quad in quads {
        if open != Some(&quad.graph_name) {
            if open.is_some_and(|g| !g.is_default_graph()) {
                out.write_all(b"}\n")?;
            }
            if let GraphName::NamedNode(graph) = &quad.graph_name {
                writeln!(out, "GRAPH {graph} {{")?;
            }
            open = Some(&quad.graph_name);
        }
        line.clear();
        let graph = &quad.graph_name;
        let _ = match &quad.subject {
            NamedOrBlankNode::BlankNode(node) => write!(line, "{} ", blank((graph.clone(), node.clone()))),
            subject => write!(line, "{subject} "),
        };
        let _ = write!(line, "{} ", quad.predicate);
        let _ = match &quad.object {
            Term::BlankNode(node) => write!(line, "{} .", blank((graph.clone(), node.clone()))),
            object => write!(line, "{object} ."),
        };
        writeln!(out, "{line}")?;
    }
    if open.is_some_and(|g| !g.is_default_graph()) {
        out.write_all(b"}\n")?;
    }
    out.write_all(if template { b"} WHERE {}".as_slice() } else { b"}" })
}

/// `DELETE { P } WHERE { P, and each variable a blank node of its own with
/// no other triple }` for a component `P` (quads of one graph, each with a
/// blank node).
fn delete_component(quads: &[Quad]) -> String {
    let mut variables: HashMap<&BlankNode, String> = HashMap::new();
    for quad in quads {
        let subject = if let NamedOrBlankNode::BlankNode(b) = &quad.subject { Some(b) } else { None };
        let object = if let Term::BlankNode(b) = &quad.object { Some(b) } else { None };
        for node in subject.into_iter().chain(object) {
            let next = variables.len();
            variables.entry(node).or_insert_with(|| format!("?b{next}"));
        }
    }
    let subject = |q: &Quad| match &q.subject {
        NamedOrBlankNode::BlankNode(b) => variables[b].clone(),
        s => s.to_string(),
    };
    let object = |q: &Quad| match &q.object {
        Term::BlankNode(b) => variables[b].clone(),
        o => o.to_string(),
    };
    let pattern: String = quads.iter().map(|q| format!("{} {} {} .\n", subject(q), q.predicate, object(q))).collect();
    let mut names: Vec<(&BlankNode, &String)> = variables.iter().map(|(b, v)| (*b, v)).collect();
    names.sort_by_key(|(_, v)| v[2..].parse::<usize>().unwrap_or(0));
    let mut filters = String::new();
    for (node, variable) in &names {
        let outgoing: Vec<String> = quads
            .iter()
            .filter(|q| matches!(&q.subject, NamedOrBlankNode::BlankNode(b) if b == *node))
            .map(|q| format!("(sameTerm(?fg_p, {}) && {})", q.predicate, same_term("?fg_o", &object(q), &q.object)))
            .collect();
        let incoming: Vec<String> = quads
            .iter()
            .filter(|q| matches!(&q.object, Term::BlankNode(b) if b == *node))
            .map(|q| format!("(sameTerm(?fg_s, {}) && sameTerm(?fg_p, {}))", subject(q), q.predicate))
            .collect();
        for (triple, allowed) in
            [(format!("{variable} ?fg_p ?fg_o"), outgoing), (format!("?fg_s ?fg_p {variable}"), incoming)]
        {
            let allowed = if allowed.is_empty() { "false".to_owned() } else { allowed.join(" || ") };
            let _ = writeln!(filters, "FILTER NOT EXISTS {{ {triple} FILTER(!({allowed})) }}");
        }
    }
    let mut conditions: Vec<String> = names.iter().map(|(_, v)| format!("isBlank({v})")).collect();
    for (i, (_, a)) in names.iter().enumerate() {
        for (_, b) in &names[i + 1..] {
            conditions.push(format!("!sameTerm({a}, {b})"));
        }
    }
    let _ = writeln!(filters, "FILTER({})", conditions.join(" && "));
    let in_graph = |body: &str| match &quads[0].graph_name {
        GraphName::NamedNode(graph) => format!("GRAPH {graph} {{\n{body}}}\n"),
        _ => body.to_owned(),
    };
    format!("DELETE {{\n{}}}\nWHERE {{\n{}}}", in_graph(&pattern), in_graph(&format!("{pattern}{filters}")))
}

/// A condition true when `variable` is `term` (written `written` in the
/// pattern). Literals are compared by their parts: Virtuoso 7's `sameTerm`
/// is false for a stored literal and the same literal written in a query.
fn same_term(variable: &str, written: &str, term: &Term) -> String {
    let Term::Literal(literal) = term else {
        return format!("sameTerm({variable}, {written})");
    };
    let lexical = oxigraph::model::Literal::new_simple_literal(literal.value());
    match literal.language() {
        Some(language) => format!("(isLiteral({variable}) && str({variable}) = {lexical} && lang({variable}) = \"{language}\")"),
        None => format!(
            "(isLiteral({variable}) && str({variable}) = {lexical} && lang({variable}) = \"\" && datatype({variable}) = {})",
            literal.datatype()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::io::{RdfFormat, RdfParser};
    use oxigraph::model::dataset::CanonicalizationAlgorithm;
    use oxigraph::model::Dataset;
    use oxigraph::store::Store;

    fn quads(nquads: &str) -> Vec<Quad> {
        RdfParser::from_format(RdfFormat::NQuads).for_slice(nquads.as_bytes()).map(Result::unwrap).collect()
    }

    fn canonical(quads: impl IntoIterator<Item = Quad>) -> Dataset {
        let mut dataset: Dataset = quads.into_iter().collect();
        dataset.canonicalize(CanonicalizationAlgorithm::Unstable);
        dataset
    }

    /// Loads `old` into a store (which names blank nodes its own way),
    /// applies the update made from the difference, and compares with `new`.
    fn applies(old: &str, new: &str) {
        let (old, new) = (quads(old), quads(new));
        let removed: Vec<Quad> = old.iter().filter(|q| !new.contains(q)).cloned().collect();
        let added: Vec<Quad> = new.iter().filter(|q| !old.contains(q)).cloned().collect();
        let store = Store::new().unwrap();
        store.extend(canonical(old.clone()).iter().map(|q| q.into_owned())).unwrap();
        let (plain_removed, blank_removed): (Vec<Quad>, Vec<Quad>) =
            removed.into_iter().partition(|q| !has_blank_node(q));
        let (plain_added, blank_added): (Vec<Quad>, Vec<Quad>) = added.into_iter().partition(|q| !has_blank_node(q));
        let current: Vec<Quad> = new.iter().filter(|q| has_blank_node(q)).cloned().collect();
        let change = blank_change(current, &blank_removed, &blank_added);
        let mut operations = vec![Operation::DeleteData(plain_removed)];
        operations.extend(change.delete.into_iter().map(Operation::DeleteComponent));
        operations.push(Operation::InsertData(plain_added.into_iter().chain(change.insert).collect()));
        let mut request = Vec::new();
        write_request(&operations, &mut request).unwrap();
        let request = String::from_utf8(request).unwrap();
        store.update(request.as_str()).unwrap_or_else(|e| panic!("{e}\n{request}"));
        let held = canonical(store.iter().map(Result::unwrap));
        assert_eq!(held, canonical(new), "{request}");
    }

    const EX: &str = "<http://ex.org/";

    fn with_prefix(text: &str) -> String {
        text.replace("<ex:", EX)
    }

    #[test]
    fn plain_quads_are_deleted_and_inserted_as_they_are() {
        applies(
            &with_prefix("<ex:a> <ex:p> \"1\" .\n<ex:b> <ex:p> \"2\" <ex:g> .\n"),
            &with_prefix("<ex:a> <ex:p> \"one\"@en .\n<ex:b> <ex:p> \"2\" <ex:g> .\n<ex:c> <ex:p> <ex:a> <ex:g> .\n"),
        );
    }

    #[test]
    fn a_changed_blank_node_is_found_by_its_shape_and_nothing_else_moves() {
        let old = "<ex:o1> <ex:address> _:a1 .\n_:a1 <ex:city> \"Y\" .\n_:a1 <ex:street> \"X\" .\n\
                   <ex:o2> <ex:address> _:a2 .\n_:a2 <ex:city> \"Y\" .\n\
                   <ex:o1> <ex:address> _:a3 .\n_:a3 <ex:city> \"Y\" .\n";
        let new = "<ex:o1> <ex:address> _:a1 .\n_:a1 <ex:city> \"Z\" .\n_:a1 <ex:street> \"X\" .\n\
                   <ex:o2> <ex:address> _:a2 .\n_:a2 <ex:city> \"Y\" .\n\
                   <ex:o1> <ex:address> _:a3 .\n_:a3 <ex:city> \"Y\" .\n";
        applies(&with_prefix(old), &with_prefix(new));
        // The pattern of `_:a3` alone matches `_:a1` too: its other triple rules it out.
        let new = new
            .replace("_:a1 <ex:city> \"Z\"", "_:a1 <ex:city> \"Y\"")
            .replace("_:a3 <ex:city> \"Y\"", "_:a3 <ex:city> \"W\"");
        applies(&with_prefix(old), &with_prefix(&new));
    }

    #[test]
    fn lists_in_named_graphs_and_removed_or_added_blank_nodes() {
        let old = "<ex:p> <ex:range> _:r <ex:g> .\n_:r <ex:unionOf> _:l1 <ex:g> .\n\
                   _:l1 <ex:first> <ex:A> <ex:g> .\n_:l1 <ex:rest> _:l2 <ex:g> .\n\
                   _:l2 <ex:first> <ex:B> <ex:g> .\n_:l2 <ex:rest> <ex:nil> <ex:g> .\n\
                   <ex:gone> <ex:has> _:x .\n_:x <ex:v> \"1\" .\n";
        let new = "<ex:p> <ex:range> _:r <ex:g> .\n_:r <ex:unionOf> _:l1 <ex:g> .\n\
                   _:l1 <ex:first> <ex:A> <ex:g> .\n_:l1 <ex:rest> <ex:nil> <ex:g> .\n\
                   <ex:new> <ex:has> _:y .\n_:y <ex:v> \"1\" .\n_:y <ex:self> _:y .\n";
        applies(&with_prefix(old), &with_prefix(new));
    }

    #[test]
    fn copies_of_a_changed_component_are_kept_as_many_as_the_new_graph_has() {
        // Two components of one shape: no pattern tells them apart.
        let old = "_:a <ex:type> <ex:T> .\n_:b <ex:type> <ex:T> .\n_:c <ex:type> <ex:T> .\n";
        let new = "_:a <ex:type> <ex:T> .\n_:b <ex:type> <ex:T> .\n";
        applies(&with_prefix(old), &with_prefix(new));
    }

    #[test]
    fn inserts_split_between_components_only() {
        let inserted = quads(&with_prefix(
            "<ex:a> <ex:p> \"1\" .\n_:x <ex:p> _:y .\n_:y <ex:p> \"2\" .\n_:z <ex:p> \"3\" .\n<ex:b> <ex:p> \"4\" .\n",
        ));
        let parts = Operation::InsertData(inserted).split(2);
        let sizes: Vec<usize> = parts.iter().map(Operation::size).collect();
        assert_eq!(sizes, vec![2, 2, 1]);
        let Operation::InsertData(second) = &parts[1] else { panic!() };
        assert!(second.iter().all(has_blank_node) && second.len() == 2, "{second:?}");
    }
}
