//! `factgraph queries`: the list of named questions.

use crate::common::TestProject;

#[test]
fn lists_every_question_with_its_title() {
    let out = TestProject::mini().ok(&["queries"]);
    assert_eq!(
        out,
        "\
companies          Companies and their countries
has-chinese-names  Is any organisation named in Chinese?
partners-graph     The partnership graph
providers          Services and their providers
"
    );
}

#[test]
fn long_listing_adds_descriptions() {
    let out = TestProject::mini().ok(&["queries", "--long"]);
    assert!(
        out.contains("                   Every organisation with its English name and country, by identifier.\n"),
        "{out}"
    );
}
