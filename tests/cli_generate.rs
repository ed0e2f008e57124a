//! `factgraph generate`, run as a user runs it: a synthetic project that
//! `check` accepts, that builds and answers the named questions, and that is
//! the same for the same seed; for the bundled project and for another one,
//! each described by its own `data/generate.toml`.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn factgraph(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the factgraph binary runs")
}

fn ok(args: &[&str]) -> String {
    common::run_ok(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Generates from the bundled project into `dir`.
fn generate(dir: &Path, offerings: &str, seed: &str) -> String {
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("factgraph.toml");
    ok(&[
        "generate",
        "--config",
        bundled.to_str().unwrap(),
        "--offerings",
        offerings,
        "--out",
        dir.to_str().unwrap(),
        "--seed",
        seed,
    ])
}

/// The CSV files of a project's data folder (not its description).
fn data_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.join("data"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "csv"))
        .map(|path| (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap()))
        .collect();
    files.sort();
    files
}

fn first_line(bytes: &[u8]) -> &[u8] {
    bytes.split(|&b| b == b'\n').next().unwrap_or_default()
}

#[test]
fn a_generated_project_checks_builds_and_answers() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("synthetic");
    let summary = generate(&dir, "200", "7");
    assert!(summary.contains("offerings 200"), "{summary}");

    // The bundled project's files, names and headers.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bundled = data_files(root);
    let generated = data_files(&dir);
    assert_eq!(
        bundled.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        generated.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    for ((name, ours), (_, theirs)) in generated.iter().zip(&bundled) {
        assert_eq!(first_line(ours), first_line(theirs), "header of {name}");
    }
    for copied in ["factgraph.toml", "ontology/shapes.ttl", "mappings/offerings.ttl", "queries/offerings-in-china.rq"] {
        assert_eq!(std::fs::read(dir.join(copied)).unwrap(), std::fs::read(root.join(copied)).unwrap(), "{copied}");
    }

    let config = dir.join("factgraph.toml");
    let config = config.to_str().unwrap();
    let checked = ok(&["check", "--config", config]);
    assert!(checked.contains("no problems found"), "{checked}");

    let store = dir.join("store");
    let store = store.to_str().unwrap();
    ok(&["build", "--quiet", "--config", config, "--store", store]);
    let answer =
        ok(&["query", "offerings-without-local-partner", "--format", "csv", "--config", config, "--store", store]);
    assert!(answer.lines().count() > 10, "{answer}");
}

#[test]
fn the_same_seed_writes_the_same_bytes_and_another_seed_does_not() {
    let scratch = tempfile::tempdir().unwrap();
    let (a, b, c) = (scratch.path().join("a"), scratch.path().join("b"), scratch.path().join("c"));
    generate(&a, "200", "42");
    generate(&b, "200", "42");
    generate(&c, "200", "43");
    assert_eq!(data_files(&a), data_files(&b));
    assert_ne!(data_files(&a), data_files(&c));
}

#[test]
fn generate_refuses_a_folder_that_is_not_empty() {
    let scratch = tempfile::tempdir().unwrap();
    std::fs::write(scratch.path().join("keep.txt"), "mine").unwrap();
    let output = factgraph(&["generate", "--offerings", "10", "--out", scratch.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(std::fs::read_to_string(scratch.path().join("keep.txt")).unwrap(), "mine");
}

/// A project other than the bundled one: the mini fixture, described by its
/// own `data/generate.toml`.
#[test]
fn another_project_generates_from_its_own_description() {
    let project = common::TestProject::mini();
    let out = project.path().join("synthetic");
    let summary = project.ok(&["generate", "--offerings", "40", "--seed", "3", "--out", out.to_str().unwrap()]);
    assert!(summary.contains("companies 40") && summary.contains("services 20"), "{summary}");
    let (fixture, generated) = (data_files(project.path()), data_files(&out));
    assert_eq!(
        fixture.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        generated.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    for ((name, ours), (_, theirs)) in generated.iter().zip(&fixture) {
        assert_eq!(first_line(ours), first_line(theirs), "header of {name}");
    }

    let config = out.join("factgraph.toml");
    let config = config.to_str().unwrap();
    let checked = project.ok(&["check", "--config", config]);
    assert!(checked.contains("no problems found"), "{checked}");
    let store = out.join("store");
    project.ok(&["build", "--quiet", "--config", config, "--store", store.to_str().unwrap()]);
    let providers =
        project.ok(&["query", "providers", "--format", "csv", "--config", config, "--store", store.to_str().unwrap()]);
    assert_eq!(providers.lines().count(), 1 + 20, "{providers}");
}

#[test]
fn a_project_without_a_description_is_told_what_to_write() {
    // A fault of the project's files: exit 1, as for any problem in the input.
    let project = common::TestProject::mini();
    std::fs::remove_file(project.path().join("data/generate.toml")).unwrap();
    let stderr = project.fails(&["generate", "--offerings", "10", "--out", "synthetic"], 1);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("factgraph: data/generate.toml: not found; "), "{stderr}");
    assert!(stderr.contains("[tables.NAME] for each NAME.csv"), "{stderr}");
    assert!(!project.path().join("synthetic").exists());
}

#[test]
fn a_description_and_a_header_that_disagree_stop_the_generation() {
    let project = common::TestProject::mini();
    let services = std::fs::read_to_string(project.path().join("data/services.csv")).unwrap();
    project.write("data/services.csv", &services.replacen("id,name,provider", "id,name,provider,launched", 1));
    let stderr = project.fails(&["generate", "--offerings", "10", "--out", "synthetic"], 1);
    assert!(
        stderr.contains("tables.services: does not fill column \"launched\" of data/services.csv; add a step"),
        "{stderr}"
    );
    assert!(!project.path().join("synthetic").exists());

    project.write("data/services.csv", &services.replacen("id,name,provider", "id,provider", 1));
    let stderr = project.fails(&["generate", "--offerings", "10", "--out", "synthetic"], 1);
    assert!(
        stderr.contains(
            "tables.services: fills column \"name\", which data/services.csv does not have (its columns: id, provider)"
        ),
        "{stderr}"
    );
}
