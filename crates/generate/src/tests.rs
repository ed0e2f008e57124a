//! The description's semantics on small made-up projects (the bundled one
//! is tested through the command, in tests/cli_generate.rs).

use super::describe::{Description, Value};
use super::run::Runner;
use std::path::Path;

/// The description in `text`, or its fault as the user reads it.
fn read(text: &str) -> Result<Description, String> {
    Description::parse(text, Path::new("data/generate.toml")).map_err(|fault| fault.to_string())
}

/// Every cell of a table's first rows, as written.
fn cells(description: &Description, n: u64, table: &str) -> Vec<Vec<String>> {
    let runner = Runner::new(description, n, 1);
    let table = description.table(table).unwrap();
    let columns = &description.tables[table].columns;
    (0..runner.rows[table])
        .map(|index| {
            let values = runner.row(table, index).unwrap();
            columns
                .iter()
                .map(|(_, slot)| {
                    let mut cell = String::new();
                    runner.write(&values[*slot], &mut cell).unwrap();
                    cell
                })
                .collect()
        })
        .collect()
}

const FIRMS: &str = r#"
[tables.firms]
rows = { per = 2, multiple_of = 4, min = 4 }
steps = [
  { column = "id", text = "firm-{i}" },
  { column = "role", cycle = ["maker", "maker", "seller", "bank"] },
  { column = "parent", if = "role = maker and i >= 4", then = { row = "firms", where = "role = maker", earlier = true } },
]
[tables.deals]
rows = { per = 1 }
steps = [
  { column = "id", text = "deal-{i}" },
  { column = "seller", row = "firms", where = "role = seller" },
  { column = "bank", row = "firms", where = "role = bank" },
  { column = "about", text = "{seller} sells through {bank}, a {bank.role}" },
]
"#;

#[test]
fn rows_cited_by_a_cycle_value_have_that_value() {
    let description = read(FIRMS).unwrap();
    let firms = cells(&description, 40, "firms");
    assert_eq!(firms.len(), 20);
    let role_of = |id: &str| firms.iter().find(|f| f[0] == id).map(|f| f[1].clone()).unwrap();
    for deal in cells(&description, 40, "deals") {
        assert_eq!(role_of(&deal[1]), "seller", "{deal:?}");
        assert_eq!(role_of(&deal[2]), "bank", "{deal:?}");
        assert!(deal[3].ends_with(", a bank"), "{deal:?}");
    }
    for (index, firm) in firms.iter().enumerate() {
        if firm[2].is_empty() {
            assert!(firm[1] != "maker" || index < 4, "{firm:?}");
        } else {
            let parent: usize = firm[2].trim_start_matches("firm-").parse().unwrap();
            assert!(parent < index / 4 * 4 && role_of(&firm[2]) == "maker", "{firm:?}");
        }
    }
}

#[test]
fn sizes_follow_per_multiple_min_plus_of_and_times() {
    let description = read(
        r#"
[tables.a]
rows = { per = 4, multiple_of = 20, min = 20 }
steps = [{ column = "id", text = "a{i}" }]
[tables.b]
rows = { of = "a", times = 3 }
steps = [{ column = "id", text = "b{i}" }]
[tables.c]
rows = { per = 100, plus = 9 }
steps = [{ column = "id", text = "c{i}" }]
"#,
    )
    .unwrap();
    assert_eq!(description.rows(81), vec![40, 120, 9]);
    assert_eq!(description.rows(0), vec![20, 60, 9]);
    assert_eq!(description.rows(1000), vec![260, 780, 19]);
}

#[test]
fn fixed_rows_keep_their_values_and_restart_draws_the_same_numbers_again() {
    let description = read(
        r#"
[tables.places]
rows = { per = 1 }
fixed = [{ id = "home", name = "Home" }]
steps = [
  { let = "n", one_of = ["a", "b", "c", "d", "e", "f", "g", "h"] },
  { column = "name", text = "Place {n}" },
  { column = "id", text = "{name|slug}-{i}" },
  { restart = true },
  { column = "again", one_of = ["a", "b", "c", "d", "e", "f", "g", "h"] },
]
"#,
    )
    .unwrap();
    let places = cells(&description, 30, "places");
    assert_eq!(places[0][..2], ["Home".to_owned(), "home".to_owned()]);
    for place in &places[1..] {
        assert_eq!(place[0], format!("Place {}", place[2]), "{place:?}");
        assert!(place[1].starts_with(&format!("place-{}-", place[2])), "{place:?}");
    }
}

#[test]
fn generators_given_with_see_only_what_they_are_given() {
    let text = r#"
[generators.greeting]
steps = [{ let = "word", pick = ["Hello", "Hi"] }]
text = "{word}, {who}"
[tables.people]
rows = { per = 1 }
steps = [
  { column = "id", text = "p{i}" },
  { column = "hello", use = "greeting", with = { who = "{id}" } },
]
"#;
    let people = cells(&read(text).unwrap(), 3, "people");
    assert!(people.iter().all(|p| p[1] == format!("Hello, {}", p[0]) || p[1] == format!("Hi, {}", p[0])), "{people:?}");
    let undeclared = text.replace(r#", with = { who = "{id}" }"#, "");
    assert!(read(&undeclared).unwrap_err().contains("{who} is not set by an earlier step"));
}

#[test]
fn mistakes_are_named_with_their_table_and_step() {
    let cases = [
        (r#"steps = [{ column = "id", txt = "x" }]"#, "tables.t, step 1 (column \"id\"): unknown key \"txt\""),
        (
            r#"steps = [{ column = "id", text = "{later}" }, { let = "later", text = "x" }]"#,
            "{later} is not set by an earlier step",
        ),
        (r#"steps = [{ column = "id", text = "x", pick = "l" }]"#, "not text and pick"),
        (r#"steps = [{ column = "id", text = "x" }, { column = "id", text = "y" }]"#, "column \"id\" is set twice"),
        (
            r#"steps = [{ column = "id", text = "x" }, { column = "r", row = "t", where = "id = x" }]"#,
            "needs tables.t to set \"id\" with a cycle",
        ),
        (r#"steps = [{ column = "id", chance = 101 }]"#, "chance is a percentage"),
        (r#"steps = [{ column = "id", row = "nowhere" }]"#, "no table \"nowhere\""),
        (
            r#"steps = [{ column = "x", text = "x" }, { column = "r", row = "t" }]"#,
            "tables.t is cited, but no step sets its id",
        ),
    ];
    for (steps, expected) in cases {
        let problem = read(&format!("[tables.t]\nrows = {{ per = 1 }}\n{steps}\n")).unwrap_err();
        assert!(problem.contains(expected), "{steps}: {problem}");
    }
    let circle = "[tables.a]\nrows = { of = \"b\" }\nsteps = []\n[tables.b]\nrows = { of = \"a\" }\nsteps = []\n";
    assert!(read(circle).unwrap_err().contains("goes in a circle"));
}

#[test]
fn a_value_picked_with_parts_must_name_one() {
    let text = r#"
[lists]
names = [{ en = "Baihui", zh = "百会" }]
[tables.t]
rows = { per = 1 }
steps = [{ let = "n", pick = "names" }, { column = "id", text = "{n.zh}{n}" }]
"#;
    let description = read(text).unwrap();
    let fault = Runner::new(&description, 1, 1).row(0, 0).unwrap_err();
    assert!(fault.problem.contains("a picked item has parts (en, zh); name one, as in {name.en}"), "{fault}");
    let fixed = read(&text.replace("{n.zh}{n}", "{n.zh}")).unwrap();
    let values = Runner::new(&fixed, 1, 1).row(0, 0).unwrap();
    assert_eq!(values[1], Value::Text("百会".into()));
}
