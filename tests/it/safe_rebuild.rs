//! Builds that are killed or run at the same time never cost the last good
//! graph, and the next build cleans up after them.
//!
//! The build under test stops at a named point and waits there
//! (`FACTGRAPH_PAUSE_AT`, src/store/pause.rs); the test acts once the build
//! says it has stopped. Which point a kill lands on is decided by the test,
//! not by how long a sleep was against how fast the machine is.

use crate::common::TestProject;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStderr, Command, Stdio};

/// Every point a build stops at, in the order it reaches them: the version
/// folder made and the lock taken; the quads loaded, not yet compacted;
/// before and after the read index is written; everything written, before
/// the switch; and midway through the switch (PREVIOUS rewritten, CURRENT
/// not yet).
const POINTS: [&str; 6] = ["begun", "loaded", "indexing", "indexed", "publishing", "switching"];

/// The organizations the mini fixture has, and the next build will have.
const OLD_ANSWER: &str = "n\r\n4\r\n";
const NEW_ANSWER: &str = "n\r\n5\r\n";

/// The mini project built once, with a company added to its data since.
fn project_with_a_change() -> TestProject {
    let project = TestProject::mini().built();
    let companies = std::fs::read_to_string(project.path().join("data/companies.csv")).unwrap();
    let companies = companies.trim_end_matches(['\r', '\n']);
    project.write("data/companies.csv", &format!("{companies}\ncontoso,Contoso,,US,2001-01-01,microsoft\n"));
    assert_eq!(organizations(&project), OLD_ANSWER);
    project
}

fn organizations(project: &TestProject) -> String {
    project.ok(&[
        "query",
        "--sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a <http://schema.org/Organization> }",
        "--format",
        "csv",
    ])
}

fn versions(project: &TestProject) -> usize {
    std::fs::read_dir(project.path().join("store/versions")).unwrap().count()
}

/// A build stopped at a point, waiting for its standard input to close;
/// killed when dropped, so that a failed test leaves no build behind.
struct Paused {
    build: Child,
    stderr: BufReader<ChildStderr>,
}

impl Paused {
    /// Starts a build and returns once it says it stopped at `point`.
    fn at(project: &TestProject, point: &str) -> Self {
        let mut build = Command::new(env!("CARGO_BIN_EXE_factgraph"))
            .args(["build", "--quiet"])
            .env("FACTGRAPH_PAUSE_AT", point)
            .current_dir(project.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("build starts");
        let stderr = BufReader::new(build.stderr.take().expect("piped"));
        let mut paused = Self { build, stderr };
        paused.wait_for(point);
        paused
    }

    fn wait_for(&mut self, point: &str) {
        let mut said = String::new();
        loop {
            let mut line = String::new();
            if self.stderr.read_line(&mut line).unwrap() == 0 {
                panic!("the build ended ({:?}) before {point}: {said}", self.build.wait());
            }
            if line.trim_end() == format!("factgraph: paused at {point}") {
                return;
            }
            said.push_str(&line);
        }
    }

    /// SIGKILL: nothing of the build runs after the point.
    fn kill(mut self) {
        self.build.kill().expect("SIGKILL");
        self.build.wait().unwrap();
    }

    /// Lets the build go on; returns whether it succeeded, and what it said.
    fn resume(mut self) -> (bool, String) {
        drop(self.build.stdin.take());
        let mut said = String::new();
        self.stderr.read_to_string(&mut said).unwrap();
        (self.build.wait().unwrap().success(), said)
    }
}

impl Drop for Paused {
    fn drop(&mut self) {
        let _ = self.build.kill();
        let _ = self.build.wait();
    }
}

#[test]
fn a_build_killed_at_any_point_leaves_the_old_graph_and_the_next_build_cleans_up() {
    for point in POINTS {
        let project = project_with_a_change();
        let paused = Paused::at(&project, point);
        assert_eq!(organizations(&project), OLD_ANSWER, "queries answer from the last good graph at {point}");
        paused.kill();
        assert_eq!(organizations(&project), OLD_ANSWER, "the last good graph still answers after a kill at {point}");
        project.ok(&["build", "--quiet"]);
        assert_eq!(organizations(&project), NEW_ANSWER, "the next build after a kill at {point}");
        assert_eq!(versions(&project), 2, "after a kill at {point}, the killed build's folder was removed");
    }
}

#[test]
fn a_second_build_at_the_same_time_stops_with_a_clear_message_and_queries_answer() {
    let project = project_with_a_change();
    let first = Paused::at(&project, "loaded");
    let error = project.fails(&["build"], 2);
    assert!(error.contains("another build is running on this store; wait for it to finish and build again"), "{error}");
    assert_eq!(organizations(&project), OLD_ANSWER, "queries answer from the last good graph during a build");
    let (succeeded, said) = first.resume();
    assert!(succeeded, "the first build goes on: {said}");
    assert_eq!(organizations(&project), NEW_ANSWER);
}
