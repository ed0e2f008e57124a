//! `factgraph changes`: the change log every build keeps, as a summary, a
//! patch of `- `/`+ ` lines and RDF Patch, over one version or several.

use crate::common::TestProject;

const AZURE: &str = "<http://example.org/service/azure> <http://schema.org/name>";

/// The fixture built three times: as it is, with a service renamed, and
/// with a company deleted (a row spread over two lines).
fn built_three_times() -> TestProject {
    let project = TestProject::mini().built();
    let services = std::fs::read_to_string(project.path().join("data/services.csv")).unwrap();
    project.write("data/services.csv", &services.replace("azure,Windows Azure,", "azure,Microsoft Azure,"));
    project.ok(&["build", "--quiet"]);
    let companies = std::fs::read_to_string(project.path().join("data/companies.csv")).unwrap();
    let start = companies.find("quoted,").expect("the quoted row");
    let end = start + companies[start..].find("CN,,\n").unwrap() + "CN,,\n".len();
    project.write("data/companies.csv", &format!("{}{}", &companies[..start], &companies[end..]));
    project.ok(&["build", "--quiet"]);
    project
}

/// The lines about the data (not the build's description, a named graph).
fn data_lines(patch: &str) -> Vec<&str> {
    patch.lines().filter(|l| !l.contains("/dataset/build>")).collect()
}

#[test]
fn a_store_never_built_says_to_build_first() {
    let project = TestProject::mini();
    let error = project.fails(&["changes"], 2);
    assert!(error.contains("run `factgraph build` first"), "{error}");
}

#[test]
fn the_list_shows_every_kept_log_and_which_is_current() {
    let project = built_three_times();
    let list = project.ok(&["changes", "--list"]);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 3, "{list}");
    assert!(lines[0].contains("+0 -0  full build: the first build of this store"), "{list}");
    assert!(lines[1].contains("incremental") && !lines[1].ends_with("(current)"), "{list}");
    assert!(lines[2].ends_with("(current)"), "{list}");
}

#[test]
fn the_summary_shows_the_current_versions_own_change_by_default() {
    let project = built_three_times();
    let summary = project.ok(&["changes"]);
    let versions: Vec<&str> = summary.lines().filter(|l| l.starts_with('v')).collect();
    assert_eq!(versions.len(), 1, "{summary}");
    assert!(summary.contains("\nChange to the data:\n3 triple(s) removed, 0 added (and "), "{summary}");
    assert!(summary.contains("instances per class (removed, added):\n  -1 +0  schema:Organization\n"), "{summary}");
}

#[test]
fn a_span_of_versions_is_their_net_change_in_every_format() {
    let project = built_three_times();
    // ~2 is the first build: the net change of the last two builds.
    let summary = project.ok(&["changes", "~2"]);
    assert_eq!(summary.lines().filter(|l| l.starts_with('v')).count(), 2, "{summary}");
    assert!(
        summary.contains("Net change to the data over these 2 versions:\n4 triple(s) removed, 1 added"),
        "{summary}"
    );

    let patch = project.ok(&["changes", "~2", "current", "--format", "nt-patch"]);
    let lines = data_lines(&patch);
    assert_eq!(lines.len(), 5, "{patch}");
    assert!(lines[..4].iter().all(|l| l.starts_with("- ")), "removed lines first: {patch}");
    // Incremental builds name the row behind each change.
    assert_eq!(lines[4], format!("+ {AZURE} \"Microsoft Azure\" . # data/services.csv:3"), "{patch}");

    // The second build alone, named by its name.
    let list = project.ok(&["changes", "--list"]);
    let names: Vec<&str> = list.lines().map(|l| l.split_whitespace().next().unwrap()).collect();
    let rdf_patch = project.ok(&["changes", names[0], names[1], "--format", "rdf-patch"]);
    let rows: Vec<&str> = rdf_patch.lines().collect();
    assert_eq!(rows[0], format!("H id <http://example.org/dataset/version/{}> .", names[1]));
    assert_eq!(rows[1], format!("H prev <http://example.org/dataset/version/{}> .", names[0]));
    assert_eq!((rows[2], rows[rows.len() - 1]), ("TX .", "TC ."));
    let data = data_lines(&rdf_patch);
    assert!(data.contains(&format!("D {AZURE} \"Windows Azure\" .").as_str()), "{rdf_patch}");
    assert!(data.contains(&format!("A {AZURE} \"Microsoft Azure\" .").as_str()), "{rdf_patch}");
    assert_eq!(
        project.ok(&["changes", "~1", "--format", "rdf-patch"]),
        project.ok(&["changes", "--format", "rdf-patch"])
    );
}

#[test]
fn unknown_versions_are_refused_with_the_kept_ones_listed() {
    let project = built_three_times();
    let error = project.fails(&["changes", "v0"], 2);
    assert!(error.contains("no change log of a version named \"v0\"") && error.contains("kept: v"), "{error}");
    let error = project.fails(&["changes", "~9"], 2);
    assert!(error.contains("only 2 version(s) before the current one"), "{error}");
    let error = project.fails(&["changes", "current", "~1"], 2);
    assert!(error.contains("is not older than"), "{error}");
}
