//! Oxigraph's bulk loader as factgraph carries it (vendor/oxigraph,
//! FACTGRAPH.md): many batches merged into the last level, nothing left to
//! compact, nothing left behind.

use oxigraph::model::vocab::xsd;
use oxigraph::model::{BlankNode, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, QuadRef, Term};
use oxigraph::store::Store;
use std::collections::BTreeSet;
use std::path::Path;

/// Quads of every kind of term the store encodes apart (short and long
/// strings, language tags, numbers, dates, blank nodes, a named graph), with
/// each quad given twice, in batches far apart, so that batches overlap.
fn quads(count: usize) -> Vec<Quad> {
    let node = |i: usize| NamedNode::new_unchecked(format!("https://example.org/offering/{i}"));
    let objects = |i: usize| -> Vec<Term> {
        vec![
            Literal::new_simple_literal(format!("n{i}")).into(),
            Literal::new_simple_literal(format!("a long description of offering {i}, past the inline size")).into(),
            Literal::new_language_tagged_literal_unchecked(format!("云服务 {i}"), "zh").into(),
            Literal::new_typed_literal((i as i64 - 500).to_string(), xsd::INTEGER).into(),
            Literal::new_typed_literal(format!("2013-03-{:02}", i % 28 + 1), xsd::DATE).into(),
            node(i + 1).into(),
        ]
    };
    let predicate = |k: usize| NamedNode::new_unchecked(format!("https://example.org/p{k}"));
    let graph = GraphName::NamedNode(NamedNode::new_unchecked("https://example.org/sources"));
    let mut quads = Vec::new();
    for i in 0..count {
        let subject: NamedOrBlankNode = if i % 7 == 0 { BlankNode::default().into() } else { node(i).into() };
        for (k, object) in objects(i).into_iter().enumerate() {
            let graph_name = if k == 0 { graph.clone() } else { GraphName::DefaultGraph };
            quads.push(Quad::new(subject.clone(), predicate(k), object, graph_name));
        }
    }
    let repeated = quads.clone();
    quads.extend(repeated);
    quads
}

/// Loads in batches of 1 000 quads on one thread.
fn bulk_load(store: &Store, quads: &[Quad]) {
    let mut loader = store.bulk_loader().with_num_threads(1).with_max_memory_size_in_megabytes(1);
    loader.load_quads(quads.iter().cloned()).unwrap();
    loader.commit().unwrap();
}

fn stored(store: &Store) -> BTreeSet<String> {
    store.iter().map(|quad| quad.unwrap().to_string()).collect()
}

fn expected(quads: &[Quad]) -> BTreeSet<String> {
    quads.iter().map(ToString::to_string).collect()
}

fn files_named(folder: &Path, wanted: impl Fn(&str) -> bool) -> BTreeSet<String> {
    std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| wanted(name))
        .collect()
}

#[test]
fn batches_that_overlap_load_every_quad_once_in_every_index() {
    let folder = tempfile::tempdir().unwrap();
    let store = Store::open(folder.path()).unwrap();
    let quads = quads(2_000);
    bulk_load(&store, &quads);

    assert_eq!(stored(&store), expected(&quads));
    assert_eq!(store.len().unwrap(), expected(&quads).len());
    store.validate().unwrap(); // every index order holds the same quads, every term its string
    let probe = &quads[6 * 1_234 + 5];
    let by = |s: Option<&NamedOrBlankNode>, o: Option<&Term>| {
        store.quads_for_pattern(s.map(Into::into), None, o.map(Into::into), None).count()
    };
    assert_eq!(by(Some(&probe.subject), None), 6);
    assert_eq!(by(None, Some(&probe.object)), 1);
    assert!(store.contains(QuadRef::from(probe)).unwrap());
}

#[test]
fn a_bulk_load_leaves_nothing_for_the_compaction_and_no_file_of_its_own() {
    let folder = tempfile::tempdir().unwrap();
    let store = Store::open(folder.path()).unwrap();
    bulk_load(&store, &quads(2_000));
    let is_table = |name: &str| name.ends_with(".sst");
    let loaded = files_named(folder.path(), is_table);
    assert!(!loaded.is_empty());
    assert!(files_named(folder.path(), |name| name.starts_with("bulk-")).is_empty());

    store.optimize().unwrap();

    // A compaction would have rewritten the tables into new files.
    assert_eq!(files_named(folder.path(), is_table), loaded);
}

#[test]
fn a_second_bulk_load_adds_to_what_the_store_holds() {
    let folder = tempfile::tempdir().unwrap();
    let store = Store::open(folder.path()).unwrap();
    let all = quads(1_500);
    let (first, second) = all.split_at(all.len() / 3);
    bulk_load(&store, first);
    bulk_load(&store, second);

    assert_eq!(stored(&store), expected(&all));
    store.validate().unwrap();
    store.optimize().unwrap();
    assert_eq!(stored(&store), expected(&all));
}

#[test]
fn a_bulk_load_dropped_before_its_commit_leaves_the_store_as_it_was() {
    let folder = tempfile::tempdir().unwrap();
    let store = Store::open(folder.path()).unwrap();
    {
        let mut loader = store.bulk_loader().with_num_threads(1).with_max_memory_size_in_megabytes(1);
        loader.load_quads(quads(1_000)).unwrap();
    }
    assert!(store.is_empty().unwrap());
    assert!(files_named(folder.path(), |name| name.starts_with("bulk-")).is_empty());
}
