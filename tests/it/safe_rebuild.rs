//! Builds that are killed or run at the same time never cost the last good
//! graph, and the next build cleans up after them.

use crate::common::TestProject;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A project whose companies file is large enough for a build to take a while.
fn slow_project() -> TestProject {
    let project = TestProject::mini().built();
    let mut csv = String::from(
        "id,name,name_zh,country,founded,partner\nmicrosoft,Microsoft,微软,US,1975-04-04,\nbaihui,Baihui,,CN,,\n",
    );
    for i in 0..150_000 {
        csv.push_str(&format!("c{i},Company {i},公司{i},CN,2001-01-01,microsoft\n"));
    }
    project.write("data/companies.csv", &csv);
    project
}

fn spawn_build(project: &TestProject) -> Child {
    Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .args(["build", "--quiet"])
        .current_dir(project.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("build starts")
}

/// Waits until the running build has created its version folder.
fn wait_for_new_version(project: &TestProject, before: usize) {
    let started = Instant::now();
    while std::fs::read_dir(project.path().join("store/versions")).unwrap().count() <= before {
        assert!(started.elapsed() < Duration::from_secs(60), "the build never started");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn old_answer(project: &TestProject) -> String {
    project.ok(&[
        "query",
        "--sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a <http://schema.org/Organization> }",
        "--format",
        "csv",
    ])
}

#[test]
fn a_build_killed_midway_leaves_the_old_graph_and_the_next_build_cleans_up() {
    let project = slow_project();
    let before = old_answer(&project);
    assert_eq!(before, "n\r\n4\r\n");
    let mut build = spawn_build(&project);
    wait_for_new_version(&project, 1);
    std::thread::sleep(Duration::from_millis(300));
    build.kill().expect("SIGKILL");
    build.wait().unwrap();
    assert_eq!(old_answer(&project), before, "the last good graph still answers");
    project.ok(&["build", "--quiet"]);
    assert_eq!(old_answer(&project), "n\r\n150002\r\n");
    let versions = std::fs::read_dir(project.path().join("store/versions")).unwrap().count();
    assert_eq!(versions, 2, "the killed build's folder was removed; current and previous remain");
}

#[test]
fn a_second_build_at_the_same_time_stops_with_a_clear_message_and_queries_answer() {
    let project = slow_project();
    let before = old_answer(&project);
    let mut first = spawn_build(&project);
    wait_for_new_version(&project, 1);
    let error = project.fails(&["build"], 2);
    assert!(error.contains("another build is running on this store; wait for it to finish and build again"), "{error}");
    assert_eq!(old_answer(&project), before, "queries answer from the last good graph during a build");
    assert!(first.wait().unwrap().success());
    assert_eq!(old_answer(&project), "n\r\n150002\r\n");
}

/// Killed while it writes the read index (the last thing a build writes
/// before it publishes), a build leaves the last good version answering,
/// from its own index.
#[test]
fn a_build_killed_while_writing_the_index_leaves_the_old_graph_answering() {
    let project = slow_project();
    let before = old_answer(&project);
    let mut build = spawn_build(&project);
    let started = Instant::now();
    let index_begun = || {
        std::fs::read_dir(project.path().join("store/versions"))
            .unwrap()
            .flatten()
            .filter(|version| version.path().join("index").is_dir())
            .count()
            > 1
    };
    while !index_begun() {
        assert!(started.elapsed() < Duration::from_secs(120), "the build never reached its index");
        assert!(build.try_wait().unwrap().is_none(), "the build ended before its index was seen");
        std::thread::sleep(Duration::from_millis(2));
    }
    build.kill().expect("SIGKILL");
    build.wait().unwrap();
    assert_eq!(old_answer(&project), before, "the last good graph still answers");
    project.ok(&["build", "--quiet"]);
    assert_eq!(old_answer(&project), "n\r\n150002\r\n");
}
