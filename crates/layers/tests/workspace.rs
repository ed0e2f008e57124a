//! The check of `factgraph_layers` over the whole workspace: the root
//! package and every `crates/*`, found by listing them, so that a crate added
//! later is checked too.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use factgraph_layers::{workspace_crates, Crate};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every crate of the workspace, read from its root file.
fn crates() -> Vec<(PathBuf, Crate)> {
    let workspace = workspace();
    let read = |path: &Path| std::fs::read_to_string(workspace.join(path)).ok();
    let roots = workspace_crates(&workspace).unwrap();
    roots.into_iter().map(|root| (root.clone(), Crate::load(&root, &read).unwrap())).collect()
}

#[test]
fn no_crate_of_the_workspace_has_a_cycle_between_its_modules() {
    let mut found = Vec::new();
    for (root, krate) in crates() {
        for (folder, cycle) in krate.cycles() {
            let folder = root.parent().unwrap_or(Path::new("")).join(folder);
            found.push(format!("{}: {}", folder.display(), cycle.join(" -> ")));
        }
    }
    assert!(
        found.is_empty(),
        "modules import each other in a cycle; move what they share into a module below both \
         (see the module docs of crates/layers):\n{}",
        found.join("\n")
    );
}

/// The check is only as good as its reach: every source file of every
/// package's `src/` must be a module of one of the crates read.
#[test]
fn every_source_file_of_the_workspace_is_checked() {
    let crates = crates();
    let roots: Vec<&PathBuf> = crates.iter().map(|(root, _)| root).collect();
    assert!(roots.contains(&&PathBuf::from("crates/layers/src/lib.rs")), "crates found: {roots:?}");
    let checked: BTreeSet<PathBuf> = crates.iter().flat_map(|(_, krate)| krate.files.iter().cloned()).collect();
    let mut folders: Vec<PathBuf> = roots.iter().filter_map(|r| r.parent().map(Path::to_path_buf)).collect();
    folders.dedup();
    let mut unchecked = Vec::new();
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(workspace().join(&folder)).unwrap() {
            let name = folder.join(entry.unwrap().file_name());
            if workspace().join(&name).is_dir() {
                folders.push(name);
            } else if name.extension().is_some_and(|e| e == "rs") && !checked.contains(&name) {
                unchecked.push(name);
            }
        }
    }
    assert!(unchecked.is_empty(), "files no crate declares as a module: {unchecked:?}");
}
