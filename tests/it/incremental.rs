//! Incremental builds: each version a build makes from the changed records
//! exports exactly what a full build of the same files exports, and `why`
//! finds the same rows behind each resource in it, whatever changed (rows
//! edited, added, removed, inserted before others; a parent row of a join;
//! a header), and a change that a full build would refuse is refused too.

use crate::common::TestProject;

/// The N-Quads export of the store at `store`, less what differs between
/// any two builds (the version's name and time in the description).
fn export(project: &TestProject, store: &str) -> String {
    let nquads = project.ok(&["export", "--format", "nquads", "--store", store]);
    let version = regex_free_version(&nquads);
    nquads
        .lines()
        .filter(|l| !l.contains("dcat#version") && !l.contains("terms/modified") && !l.contains("endedAtTime"))
        .map(|l| l.replace(&version, "VERSION"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The version's name as the description's activity IRI holds it.
fn regex_free_version(nquads: &str) -> String {
    nquads.split("/version/").nth(1).and_then(|rest| rest.split('>').next()).map(str::to_owned).unwrap_or_default()
}

fn replace(project: &TestProject, file: &str, from: &str, to: &str) {
    let path = project.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    project.write(file, &text.replacen(from, to, 1));
}

fn append(project: &TestProject, file: &str, rows: &str) {
    let text = std::fs::read_to_string(project.path().join(file)).unwrap();
    project.write(file, &format!("{}\n{rows}\n", text.trim_end()));
}

/// `factgraph why SUBJECT` against `store`: its exit code, output and errors.
fn why(project: &TestProject, store: &str, subject: &str) -> (Option<i32>, String, String) {
    let output = project.run(&["why", subject, "--store", store]);
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.code(), text(&output.stdout), text(&output.stderr))
}

/// Every resource the changes make, edit, move or remove.
const SUBJECTS: [&str; 14] = [
    "org/microsoft",
    "org/21vianet",
    "org/vianet",
    "org/baihui",
    "org/quoted",
    "org/contoso",
    "org/fabrikam",
    "service/office-365",
    "service/azure",
    "service/formula",
    "service/teams",
    "service/bing",
    "service/azure-cn",
    "service/sharepoint",
];

/// `why` of every resource in [`SUBJECTS`] says the same of the store and
/// of the full build's: the same rows (file, line, triples map) behind each
/// triple, or the same "no triples" and the same nearest resource known.
fn assert_why_agrees(project: &TestProject, what: &str) {
    let mut found = 0;
    for subject in SUBJECTS {
        let subject = format!("http://example.org/{subject}");
        let (incremental, full) = (why(project, "store", &subject), why(project, "full-store", &subject));
        assert_eq!(incremental, full, "why {subject} after {what}");
        assert!(!incremental.2.contains("changed since the build"), "after {what}: {}", incremental.2);
        if incremental.0 == Some(0) {
            assert!(incremental.1.contains(".csv:"), "after {what}: {}", incremental.1);
            found += 1;
        }
    }
    assert!(found >= 6, "after {what}: only {found} resources found");
}

type Change = fn(&TestProject);

const CHANGES: [(&str, Change); 9] = [
    ("a row edited", |p| replace(p, "data/companies.csv", "Microsoft,微软", "Microsoft Corporation,微软")),
    ("a parent row's join key changed", |p| replace(p, "data/companies.csv", "21vianet,21Vianet", "vianet,21Vianet")),
    ("a child row's join key changed", |p| {
        replace(p, "data/services.csv", "azure,Windows Azure,microsoft", "azure,Windows Azure,vianet")
    }),
    ("rows added in two files", |p| {
        append(p, "data/companies.csv", "contoso,Contoso,,US,2001-01-01,microsoft");
        append(p, "data/services.csv", "teams,Teams,contoso\nbing,Bing,microsoft");
    }),
    ("a row removed", |p| replace(p, "data/services.csv", "bing,Bing,microsoft\n", "")),
    ("a row inserted before the others, rows after one removed moving up", |p| {
        replace(p, "data/companies.csv", "partner\n", "partner\nfabrikam,Fabrikam,,US,1990-01-01,microsoft\n");
        replace(p, "data/services.csv", "office-365,Office 365,microsoft\n", "");
    }),
    ("rows edited and one inserted before them in one file", |p| {
        replace(p, "data/services.csv", "formula,=1+1,baihui", "formula,=2+2,baihui");
        replace(p, "data/services.csv", "provider\n", "provider\nsharepoint,SharePoint,fabrikam\n");
        replace(p, "data/services.csv", "azure,Windows Azure,", "azure,Azure,");
    }),
    ("a parent row and its child removed, and a child row added", |p| {
        replace(p, "data/companies.csv", "contoso,Contoso,,US,2001-01-01,microsoft\n", "");
        replace(p, "data/services.csv", "teams,Teams,contoso\n", "");
        append(p, "data/services.csv", "azure-cn,Azure China,vianet");
    }),
    ("the header changed (columns swapped)", |p| {
        let path = p.path().join("data/services.csv");
        let text = std::fs::read_to_string(&path).unwrap();
        let swapped: Vec<String> = text
            .lines()
            .map(|line| {
                let mut cells: Vec<&str> = line.splitn(3, ',').collect();
                cells.swap(0, 2);
                cells.join(",")
            })
            .collect();
        p.write("data/services.csv", &(swapped.join("\n") + "\n"));
    }),
];

#[test]
fn every_incremental_version_exports_what_a_full_build_of_the_same_files_exports() {
    let project = TestProject::mini();
    let said = project.ok(&["build"]);
    assert!(said.contains("Full build: the first build of this store"), "{said}");
    for (what, change) in CHANGES {
        change(&project);
        let said = project.ok(&["build"]);
        let expected = match what.contains("header") {
            true => "Full build: the header row of", // columns are read by their place in it
            false => "Incremental: only the changed records were mapped again",
        };
        assert!(said.contains(expected), "{what}: {said}");
        project.ok(&["build", "--quiet", "--full", "--store", "full-store"]);
        assert_eq!(export(&project, "store"), export(&project, "full-store"), "after {what}");
        assert_why_agrees(&project, what);
    }
    let said = project.ok(&["build"]);
    assert!(said.contains("no source changed"), "{said}");
    assert_eq!(export(&project, "store"), export(&project, "full-store"), "after no change");
}

#[test]
fn the_change_log_names_the_row_behind_each_change() {
    let project = TestProject::mini().built();
    replace(&project, "data/companies.csv", "Microsoft,微软", "Microsoft Corporation,微软");
    project.ok(&["build", "--quiet"]);
    let current = std::fs::read_to_string(project.path().join("store/CURRENT")).unwrap();
    let log = project.path().join("store/changes").join(current.trim());
    let added = std::fs::read_to_string(log.join("added.nq")).unwrap();
    let removed = std::fs::read_to_string(log.join("removed.nq")).unwrap();
    assert!(
        added.contains("<http://schema.org/name> \"Microsoft Corporation\"@en .\t# ")
            && added.contains("companies.csv:2"),
        "{added}"
    );
    assert!(removed.contains("\"Microsoft\"@en .\t# ") && removed.contains("companies.csv:2"), "{removed}");
    let entry = std::fs::read_to_string(log.join("entry.json")).unwrap();
    assert!(entry.contains("\"incremental\": true") && entry.contains("\"records_added\": 1"), "{entry}");
}

#[test]
fn a_change_a_full_build_refuses_is_refused_and_the_graph_stays() {
    let project = TestProject::mini().built();
    let before = std::fs::read_to_string(project.path().join("store/CURRENT")).unwrap();
    append(&project, "data/companies.csv", "contoso,Contoso,,US,2001-01-01,microsfot");
    let text = std::fs::read_to_string(project.path().join("data/companies.csv")).unwrap();
    let place = format!("companies.csv:{}", text.lines().count());
    let said = project.fails(&["build"], 1);
    assert!(said.contains(&place) && said.contains("microsfot"), "{said}");
    assert_eq!(std::fs::read_to_string(project.path().join("store/CURRENT")).unwrap(), before);
    let full = project.fails(&["build", "--full"], 1);
    assert!(full.contains(&place), "the full build refuses it too: {full}");
    replace(&project, "data/companies.csv", "microsfot", "microsoft");
    let said = project.ok(&["build"]);
    assert!(said.contains("Incremental"), "{said}");
}

#[test]
fn a_changed_mapping_makes_a_full_build_that_says_why() {
    let project = TestProject::mini().built();
    replace(&project, "mappings/services.ttl", "schema:name", "schema:alternateName");
    let said = project.ok(&["build"]);
    assert!(said.contains("Full build: the mappings, ontology, shapes, configuration or factgraph changed"), "{said}");
    replace(&project, "data/services.csv", "Office 365", "Microsoft 365");
    let said = project.ok(&["build", "--full"]);
    assert!(said.contains("Full build: --full was given"), "{said}");
}
