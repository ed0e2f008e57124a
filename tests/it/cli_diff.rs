//! `factgraph diff`: stores and exported files, compared up to blank node labels.

use crate::common::TestProject;

const TYPE: &str = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>";

/// Exports the fixture to before.ttl, then renames a service and deletes a
/// company (a row spread over two lines), rebuilds and exports after.ttl.
fn edited() -> TestProject {
    let project = TestProject::mini().built();
    project.ok(&["export", "--output", "before.ttl"]);
    let services = std::fs::read_to_string(project.path().join("data/services.csv")).unwrap();
    project.write("data/services.csv", &services.replace("azure,Windows Azure,", "azure,Microsoft Azure,"));
    let companies = std::fs::read_to_string(project.path().join("data/companies.csv")).unwrap();
    let start = companies.find("quoted,").expect("the quoted row");
    let end = start + companies[start..].find("CN,,\n").unwrap() + "CN,,\n".len();
    project.write("data/companies.csv", &format!("{}{}", &companies[..start], &companies[end..]));
    project.ok(&["build", "--quiet"]);
    project.ok(&["export", "--output", "after.ttl"]);
    project
}

fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn the_same_graph_exits_0() {
    let project = TestProject::mini().built();
    project.ok(&["export", "--output", "a.ttl"]);
    project.ok(&["export", "--format", "nquads", "--output", "a.nq"]);
    let out = project.ok(&["diff", "a.ttl", "a.nq"]);
    assert_eq!(out, "no differences (31 triples on each side)\n");
    let out = project.ok(&["diff", "store", "a.ttl"]);
    assert!(out.starts_with("no differences"), "a store and its export are the same: {out}");
}

#[test]
fn an_edited_row_and_a_deleted_row_show_as_removed_and_added_triples() {
    let project = edited();
    let output = project.run(&["diff", "before.ttl", "after.ttl"]);
    assert_eq!(output.status.code(), Some(1), "differences exit 1 like diff(1)");
    let out = stdout_of(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "4 triple(s) removed, 1 added (31 before, 28 after)", "{out}");
    let changes: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("- ") || l.starts_with("+ ")).collect();
    assert_eq!(
        changes,
        [
            "- <http://example.org/org/quoted> <http://schema.org/addressCountry> \"CN\" .",
            "- <http://example.org/org/quoted> <http://schema.org/name> \"He said \\\"hi\\\"\\non two lines\"@en .",
            &format!("- <http://example.org/org/quoted> {TYPE} <http://schema.org/Organization> ."),
            "- <http://example.org/service/azure> <http://schema.org/name> \"Windows Azure\" .",
            "+ <http://example.org/service/azure> <http://schema.org/name> \"Microsoft Azure\" .",
        ],
        "the ontology's blank node did not change, so it is not listed: {out}"
    );
    let class_section = out.split("instances per class (removed, added):\n").nth(1).expect("a class section");
    assert!(class_section.starts_with("  -1 +0  schema:Organization\n"), "{out}");
    let property_section = out.split("triples per property (removed, added):\n").nth(1).expect("a property section");
    let properties: Vec<Vec<&str>> =
        property_section.lines().take_while(|l| !l.is_empty()).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(
        properties,
        [vec!["-1", "+0", "schema:addressCountry"], vec!["-2", "+1", "schema:name"], vec!["-1", "+0", TYPE],],
        "{out}"
    );
}

#[test]
fn a_store_compares_with_a_file_and_rdf_formats_write_one_side() {
    let project = edited();
    // The store now holds the edited data: the same as after.ttl.
    project.ok(&["diff", "after.ttl", "store"]);
    let output = project.run(&["diff", "before.ttl", "store", "--format", "ntriples"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout_of(&output),
        "<http://example.org/service/azure> <http://schema.org/name> \"Microsoft Azure\" .\n"
    );
    let output = project.run(&["diff", "before.ttl", "store", "--format", "turtle", "--removed"]);
    let turtle = stdout_of(&output);
    assert!(turtle.contains("@prefix schema: <http://schema.org/> ."), "{turtle}");
    assert!(turtle.contains("\"Windows Azure\""), "{turtle}");
    assert!(!turtle.contains("Microsoft Azure"), "only the removed triples: {turtle}");
}

#[test]
fn files_differing_only_in_blank_node_labels_are_the_same() {
    let project = TestProject::mini();
    project.write(
        "one.ttl",
        "@prefix ex: <http://example.org/> .\n\
         ex:a ex:knows _:x . _:x ex:name \"X\" ; ex:knows _:y . _:y ex:name \"Y\" .\n\
         ex:b ex:comment [ ex:text \"t\" ] .\n",
    );
    project.write(
        "two.nt",
        "<http://example.org/b> <http://example.org/comment> _:c1 .\n\
         _:c1 <http://example.org/text> \"t\" .\n\
         _:p2 <http://example.org/name> \"Y\" .\n\
         _:p1 <http://example.org/knows> _:p2 .\n\
         <http://example.org/a> <http://example.org/knows> _:p1 .\n\
         _:p1 <http://example.org/name> \"X\" .\n",
    );
    let out = project.ok(&["diff", "one.ttl", "two.nt"]);
    assert_eq!(out, "no differences (6 triples on each side)\n");
    // Swapping the names of the two people is a real difference.
    project
        .write("three.nt", &std::fs::read_to_string(project.path().join("two.nt")).unwrap().replace("\"Y\"", "\"Z\""));
    let output = project.run(&["diff", "one.ttl", "three.nt"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout_of(&output));
    let out = stdout_of(&output);
    assert!(out.contains("\"Y\" .\n") && out.contains("\"Z\" .\n"), "{out}");
}

#[test]
fn unreadable_sides_exit_2() {
    let project = TestProject::mini();
    project.write("notes.txt", "not RDF");
    let error = project.fails(&["diff", "notes.csv", "notes.txt"], 2);
    assert!(error.contains("extension is not one of .ttl .nt .nq .trig"), "{error}");
    project.write("broken.ttl", "<http://example.org/a> <http://example.org/b> .\n");
    project.write("fine.nt", "");
    let error = project.fails(&["diff", "broken.ttl", "fine.nt"], 2);
    assert!(error.starts_with("factgraph: broken.ttl"), "{error}");
    let error = project.fails(&["diff", "data", "fine.nt"], 2);
    assert!(error.contains("no graph has been built here yet"), "{error}");
}

#[test]
fn a_broken_factgraph_toml_is_an_error_at_its_line_not_ignored() {
    let project = TestProject::mini();
    project.write("a.nt", "");
    let config = std::fs::read_to_string(project.path().join("factgraph.toml")).unwrap();
    project.write("factgraph.toml", &config.replace("[prefixes]", "[prefixes\n"));
    let error = project.fails(&["diff", "a.nt", "a.nt"], 1);
    assert!(error.starts_with("factgraph: factgraph.toml:3: "), "{error}");
    assert_eq!(error.lines().count(), 1, "one line: {error}");
}

#[test]
fn named_graphs_in_a_single_graph_format_exit_2_before_anything_is_written() {
    let project = TestProject::mini();
    project.write("none.nq", "");
    project.write(
        "named.nq",
        "<http://example.org/a> <http://example.org/b> <http://example.org/c> <http://example.org/g> .\n",
    );
    let output = project.run(&["diff", "--format", "ntriples", "none.nq", "named.nq"]);
    let error = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{error}");
    assert!(error.contains("<http://example.org/g>") && error.contains("use --format summary"), "{error}");
    assert!(output.stdout.is_empty(), "{}", stdout_of(&output));
    let output = project.run(&["diff", "--format", "ntriples", "--removed", "none.nq", "named.nq"]);
    // Nothing was removed: nothing to refuse, and 1 as the graphs differ.
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// Removes the Oxigraph store of every version: what reads it now fails.
fn remove_oxigraph_stores(project: &TestProject) {
    for version in std::fs::read_dir(project.path().join("store/versions")).unwrap() {
        let store = version.unwrap().path().join("oxigraph");
        if store.is_dir() {
            std::fs::remove_dir_all(&store).unwrap();
        }
    }
}

#[test]
fn diff_why_export_and_build_read_a_version_without_opening_its_oxigraph_store() {
    let project = TestProject::mini().built();
    let why = project.ok(&["why", "http://example.org/service/azure"]);
    project.ok(&["export", "--from-store", "--format", "nquads", "--output", "before.nq"]);
    remove_oxigraph_stores(&project);
    assert_eq!(project.ok(&["why", "http://example.org/service/azure"]), why);
    let out = project.ok(&["diff", "store", "before.nq", "--with-metadata"]);
    assert!(out.starts_with("no differences"), "{out}");
    project.ok(&["export", "--format", "nquads", "--output", "after.nq"]);
    let read = |name: &str| std::fs::read(project.path().join(name)).unwrap();
    assert_eq!(read("after.nq"), read("before.nq"), "the same export from the runs");
    // A version whose build kept no runs is read from its index.
    for version in std::fs::read_dir(project.path().join("store/versions")).unwrap() {
        std::fs::remove_file(version.unwrap().path().join("sorted/runs.json")).unwrap();
    }
    project.ok(&["export", "--format", "nquads", "--output", "index.nq"]);
    assert_eq!(read("index.nq"), read("before.nq"), "the same export from the index");
    let out = project.ok(&["diff", "store", "before.nq", "--with-metadata"]);
    assert!(out.starts_with("no differences"), "{out}");
    // The graph replaced is read without its store too.
    let out = project.ok(&["build", "--quiet", "--diff"]);
    assert!(out.contains("no triple added or removed"), "{out}");
    // --from-store reads the store, as it says.
    remove_oxigraph_stores(&project);
    let output = project.run(&["export", "--from-store"]);
    assert!(!output.status.success(), "read a store that is gone");
}
