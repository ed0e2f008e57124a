//! The library's modules import one way, as the data flows: no module
//! imports from one that imports it back, directly or through others. Cargo
//! enforces this between crates (the RML engine, `crates/rml`, cannot import
//! the pipeline); this test enforces it between the modules of the `factgraph`
//! library, and between the files of each of its folders, by reading every
//! `crate::…` and `super::…` path in `src/` (the binary's `src/cmd/` and
//! `src/main.rs` left out: nothing imports them).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module → the modules its code names, at one level of the tree.
type Graph = BTreeMap<String, BTreeSet<String>>;

#[test]
fn top_level_modules_form_no_cycle() {
    let files = library_files();
    let mut graph = Graph::new();
    for (module, text) in &files {
        let from = top(module);
        let entry = graph.entry(from.clone()).or_default();
        for target in crate_paths(text) {
            if target[0] != from {
                entry.insert(target[0].clone());
            }
        }
    }
    assert_acyclic(&graph, "src/");
}

#[test]
fn files_of_each_folder_form_no_cycle() {
    let files = library_files();
    let folders: BTreeSet<String> = files.keys().filter(|m| m.len() > 1).map(|m| m[0].clone()).collect();
    for folder in folders {
        let mut graph = Graph::new();
        for (module, text) in files.iter().filter(|(m, _)| m.len() > 1 && m[0] == folder) {
            let from = module[1].clone();
            let entry = graph.entry(from.clone()).or_default();
            let siblings =
                crate_paths(text).into_iter().filter(|p| p.len() > 1 && p[0] == folder).map(|p| p[1].clone());
            let supers = super_paths(text);
            for target in siblings.chain(supers) {
                if target != from && files.contains_key(&vec![folder.clone(), target.clone()]) {
                    entry.insert(target);
                }
            }
        }
        assert_acyclic(&graph, &format!("src/{folder}/"));
    }
}

#[test]
fn a_cycle_is_found() {
    let graph: Graph = [("a", "b"), ("b", "c"), ("c", "a")]
        .into_iter()
        .map(|(from, to)| (from.to_owned(), BTreeSet::from([to.to_owned()])))
        .collect();
    assert_eq!(find_cycle(&graph), Some(vec!["a".to_owned(), "b".into(), "c".into(), "a".into()]));
    assert!(crate_paths("use crate::build::x; crate::why::y();").contains(&vec!["why".to_owned(), "y".into()]));
}

/// Every library file, by module path (`["validate", "shapes"]`), with its
/// text. `mod.rs` files are the folder's own module (`["validate", "mod"]`).
fn library_files() -> BTreeMap<Vec<String>, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    let mut folders = vec![src.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(&src).unwrap();
            if relative.starts_with("cmd") || relative == Path::new("main.rs") {
                continue;
            }
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut module: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
                let last = module.pop().unwrap();
                module.push(last.trim_end_matches(".rs").to_owned());
                files.insert(module, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    files
}

/// The module a file belongs to at the top level (`lib` for lib.rs).
fn top(module: &[String]) -> String {
    module[0].clone()
}

/// The paths named as `crate::a::b…` in code (comments left out), as their
/// first two segments; a `use crate::{a, b}` group names each.
fn crate_paths(text: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for line in code_lines(text) {
        for (index, _) in line.match_indices("crate::") {
            let rest = &line[index + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                for item in group.split([',', '}']).map(str::trim).filter(|i| !i.is_empty()) {
                    paths.push(segments(item));
                }
            } else {
                paths.push(segments(rest));
            }
        }
    }
    paths.retain(|p| !p.is_empty() && p[0].chars().next().is_some_and(|c| c.is_ascii_lowercase()));
    paths
}

/// The sibling modules named as `super::x` in code.
fn super_paths(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in code_lines(text) {
        for (index, _) in line.match_indices("super::") {
            let rest = &line[index + "super::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                names.extend(group.split([',', '}']).map(str::trim).filter_map(|i| segments(i).into_iter().next()));
            } else if let Some(first) = segments(rest).into_iter().next() {
                names.push(first);
            }
        }
    }
    names
}

fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    // Code only: `mod tests` blocks are code too, and count.
    text.lines().map(|l| l.split("//").next().unwrap_or("")).filter(|l| !l.trim().is_empty())
}

fn segments(path: &str) -> Vec<String> {
    path.split("::")
        .take(2)
        .map(|s| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>())
        .take_while(|s| !s.is_empty())
        .collect()
}

fn assert_acyclic(graph: &Graph, place: &str) {
    if let Some(cycle) = find_cycle(graph) {
        panic!(
            "modules of {place} import each other in a cycle: {}. Move what they share into a module below both \
             (see the README's design notes on the flow)",
            cycle.join(" -> ")
        );
    }
}

/// A cycle of the graph, as the modules on it with the first repeated last.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &Graph,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = path.iter().position(|n| n == node).unwrap();
                let mut cycle = path[start..].to_vec();
                cycle.push(node.to_owned());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_owned(), Mark::Open);
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, path) {
                return Some(cycle);
            }
        }
        path.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph.keys().find_map(|node| visit(node, graph, &mut marks, &mut Vec::new()))
}
