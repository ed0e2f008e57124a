//! The change log written out: a summary for people, a patch of `- ` and
//! `+ ` lines that names each change's cause, and RDF Patch
//! (<https://afs.github.io/rdf-patch/>) for stores that follow the log.

use super::{line_of, Change, LogEntry, Patch};
use crate::diff::Diff;
use oxigraph::model::{GraphName, NamedNode, Quad, Term};
use std::io::{self, Write};

/// The media type of RDF Patch.
pub const RDF_PATCH_TYPE: &str = "application/rdf-patch";

/// Each version of a span, then the net change of the data, counted per
/// class and per property as `factgraph diff` counts. Changes to the build
/// descriptions (the named graph `description`), which change with every
/// build, are counted apart. `show` writes a class or property for people.
pub fn write_summary(
    entries: &[LogEntry],
    net: &Patch,
    description: &NamedNode,
    show: &dyn Fn(&Term) -> String,
    out: &mut dyn Write,
) -> io::Result<()> {
    for entry in entries {
        write_entry(entry, out)?;
    }
    let data = data_only(net, description);
    let described = net.removed.len() + net.added.len() - data.removed.len() - data.added.len();
    let heading = match entries {
        [_] => "Change to the data".to_owned(),
        _ => format!("Net change to the data over these {} versions", entries.len()),
    };
    writeln!(out, "\n{heading}:")?;
    if data.is_empty() {
        write!(out, "no triple added or removed")?;
    } else {
        write!(out, "{} triple(s) removed, {} added", data.removed.len(), data.added.len())?;
    }
    match described {
        0 => writeln!(out)?,
        _ => writeln!(out, " (and {described} change(s) to the build's description, not counted below)")?,
    }
    data.write_per_class_and_property(show, out)
}

/// One version of a summary: name, date, how it was built, its counts, and
/// the files whose records changed.
pub fn write_entry(entry: &LogEntry, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}  {}  {}", entry.version, entry.built_at, how_built(entry))?;
    writeln!(out, "  {} triple(s) added, {} removed", entry.added, entry.removed)?;
    for file in &entry.files {
        writeln!(
            out,
            "  {}: {} record(s) added, {} removed",
            file.path.display(),
            file.records_added,
            file.records_removed
        )?;
    }
    Ok(())
}

/// "incremental build", or "full build: WHY".
pub fn how_built(entry: &LogEntry) -> String {
    match (&entry.reason, entry.incremental) {
        (_, true) => "incremental build".to_owned(),
        (Some(reason), false) => format!("full build: {reason}"),
        (None, false) => "full build".to_owned(),
    }
}

/// The quads of `patch` outside the named graph `description`, as a
/// [`Diff`] (whose sides' sizes are unknown here, and left at 0).
fn data_only(patch: &Patch, description: &NamedNode) -> Diff {
    let data = |changes: &[Change]| -> Vec<Quad> {
        changes
            .iter()
            .filter(|c| !matches!(&c.quad.graph_name, GraphName::NamedNode(g) if g == description))
            .map(|c| c.quad.clone())
            .collect()
    };
    Diff { removed: data(&patch.removed), added: data(&patch.added), old_len: 0, new_len: 0 }
}

/// The removed quads as `- ` lines, then the added ones as `+ ` lines, each
/// an N-Triples statement (N-Quads in a named graph) followed by
/// `# FILE:LINE` when the cause is known.
pub fn write_line_patch(patch: &Patch, out: &mut dyn Write) -> io::Result<()> {
    for (sign, changes) in [("- ", &patch.removed), ("+ ", &patch.added)] {
        for change in changes {
            out.write_all(sign.as_bytes())?;
            out.write_all(&line_of(&change.quad))?;
            if let Some(cause) = &change.cause {
                write!(out, " # {cause}")?;
            }
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

/// The patch as one RDF Patch transaction: the header `id` (the version
/// reached) and `prev` (the version it applies to, when known), then every
/// removed quad as a `D` row and every added one as an `A` row.
pub fn write_rdf_patch(
    patch: &Patch,
    id: &NamedNode,
    previous: Option<&NamedNode>,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "H id {id} .")?;
    if let Some(previous) = previous {
        writeln!(out, "H prev {previous} .")?;
    }
    writeln!(out, "TX .")?;
    for (row, changes) in [("D ", &patch.removed), ("A ", &patch.added)] {
        for change in changes {
            out.write_all(row.as_bytes())?;
            out.write_all(&line_of(&change.quad))?;
            out.write_all(b"\n")?;
        }
    }
    writeln!(out, "TC .")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::FileChange;
    use oxigraph::model::vocab::rdf;
    use oxigraph::model::Literal;

    fn node(name: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("http://example.com/{name}"))
    }

    fn patch() -> Patch {
        let quad = |s: &str, p: NamedNode, o: Term, g: GraphName| Quad::new(node(s), p, o, g);
        let description = GraphName::from(node("build"));
        Patch {
            removed: vec![
                Change {
                    quad: quad(
                        "a",
                        node("name"),
                        Literal::new_simple_literal("old\nname").into(),
                        GraphName::DefaultGraph,
                    ),
                    cause: Some("data/a.csv:3".into()),
                },
                Change {
                    quad: quad("d", node("modified"), Literal::new_simple_literal("1").into(), description.clone()),
                    cause: None,
                },
            ],
            added: vec![
                Change {
                    quad: quad("a", node("name"), Literal::new_simple_literal("new").into(), GraphName::DefaultGraph),
                    cause: Some("data/a.csv:3".into()),
                },
                Change {
                    quad: quad("b", rdf::TYPE.into_owned(), node("Company").into(), GraphName::DefaultGraph),
                    cause: None,
                },
                Change {
                    quad: quad("d", node("modified"), Literal::new_simple_literal("2").into(), description),
                    cause: None,
                },
            ],
        }
    }

    fn text(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        write(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_line_patch_names_causes_after_each_statement() {
        let lines = text(|out| write_line_patch(&patch(), out));
        let expected = [
            "- <http://example.com/a> <http://example.com/name> \"old\\nname\" . # data/a.csv:3",
            "- <http://example.com/d> <http://example.com/modified> \"1\" <http://example.com/build> .",
            "+ <http://example.com/a> <http://example.com/name> \"new\" . # data/a.csv:3",
        ];
        assert_eq!(lines.lines().take(3).collect::<Vec<_>>(), expected);
        assert_eq!(lines.lines().count(), 5);
    }

    #[test]
    fn an_rdf_patch_is_one_transaction_of_deletes_then_adds_that_parses_as_n_quads() {
        let patch_text = text(|out| write_rdf_patch(&patch(), &node("v2"), Some(&node("v1")), out));
        let lines: Vec<&str> = patch_text.lines().collect();
        assert_eq!(lines[..3], ["H id <http://example.com/v2> .", "H prev <http://example.com/v1> .", "TX ."]);
        assert_eq!(lines.last(), Some(&"TC ."));
        let rows: Vec<&str> = lines[3..lines.len() - 1].iter().map(|l| &l[..2]).collect();
        assert_eq!(rows, ["D ", "D ", "A ", "A ", "A "]);
        let statements: String = lines[3..lines.len() - 1].iter().map(|l| format!("{}\n", &l[2..])).collect();
        let parsed = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::NQuads)
            .for_slice(statements.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        assert_eq!(parsed.len(), 5);
    }

    #[test]
    fn a_summary_counts_the_data_and_sets_the_description_apart() {
        let entry = LogEntry {
            format: super::super::FORMAT,
            version: "v2".into(),
            previous: Some("v1".into()),
            built_at: "2026-12-06T10:00:00Z".into(),
            incremental: true,
            reason: None,
            added: 3,
            removed: 2,
            files: vec![FileChange { path: "data/a.csv".into(), records_added: 1, records_removed: 1 }],
        };
        let show = |term: &Term| term.to_string();
        let summary = text(|out| write_summary(&[entry], &patch(), &node("build"), &show, out));
        assert!(summary.starts_with("v2  2026-12-06T10:00:00Z  incremental build\n  3 triple(s) added, 2 removed\n  data/a.csv: 1 record(s) added, 1 removed\n"), "{summary}");
        assert!(summary.contains("\nChange to the data:\n1 triple(s) removed, 2 added (and 2 change(s) to the build's description, not counted below)\n"), "{summary}");
        assert!(
            summary.contains("instances per class (removed, added):\n  -0 +1  <http://example.com/Company>\n"),
            "{summary}"
        );
        assert!(summary.contains("  -1 +1  <http://example.com/name>\n"), "{summary}");
    }
}
