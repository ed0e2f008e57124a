//! The change log's pages: the list of versions, and what one version
//! added and removed, each triple with the source line that caused it.

use super::html::{page, term};
use super::links::Links;
use factgraph_core::changes::{formats, Change, LogEntry, Patch};
use maud::{html, Markup};
use oxigraph::model::{GraphName, NamedNode, Term};

/// Triples shown per list on a version's page; its RDF Patch has them all.
const SHOWN: usize = 1000;

/// Every version whose log is kept, newest first.
pub fn feed(newest_first: &[LogEntry]) -> Markup {
    page(
        "Changes",
        html! {
            h1 { "Changes" }
            p.formats {
                "What each build changed, newest first. As a feed for other stores: "
                a href="/changes.json" { "ActivityStreams (JSON-LD)" } ", each version's change in RDF Patch."
            }
            table.changes {
                thead { tr { th { "Version" } th { "Built" } th { "How" } th { "Added" } th { "Removed" } } }
                tbody {
                    @for entry in newest_first {
                        tr {
                            td { a href={ "/changes/" (entry.version) } { (entry.version) } }
                            td { (entry.built_at) }
                            td { (formats::how_built(entry)) }
                            td.number { (entry.added) }
                            td.number { (entry.removed) }
                        }
                    }
                }
            }
        },
    )
}

/// What `entry`'s version changed: the data's triples removed and added,
/// with their causes; changes to the build's description (the named graph
/// `description`) are counted, not listed.
pub fn version(entry: &LogEntry, patch: &Patch, links: &Links, description: &NamedNode) -> Markup {
    let in_data = |change: &&Change| !matches!(&change.quad.graph_name, GraphName::NamedNode(g) if g == description);
    let removed: Vec<&Change> = patch.removed.iter().filter(in_data).collect();
    let added: Vec<&Change> = patch.added.iter().filter(in_data).collect();
    let described = patch.removed.len() + patch.added.len() - removed.len() - added.len();
    page(
        &format!("Changes of {}", entry.version),
        html! {
            h1 { "Changes of " (entry.version) }
            p.formats {
                "This change as " a href={ "/changes/" (entry.version) ".rdfp" } { "RDF Patch" } " or "
                a href={ "/changes/" (entry.version) ".json" } { "JSON-LD" } ". "
                a href="/changes" { "All versions" } "."
            }
            dl.summary {
                dt { "Built" } dd { (entry.built_at) }
                dt { "How" } dd #how { (formats::how_built(entry)) }
                dt { "After" } dd {
                    @match &entry.previous {
                        Some(previous) => a href={ "/changes/" (previous) } { (previous) },
                        None => "nothing: the first build",
                    }
                }
                dt { "Triples" } dd #counts { (entry.added) " added, " (entry.removed) " removed" }
                @if described > 0 { dt { "Description" } dd { (described) " change(s) to the build's description" } }
            }
            @if !entry.files.is_empty() {
                h2 { "Files whose records changed" }
                ul.files {
                    @for file in &entry.files {
                        li { (file.path.display()) ": " (file.records_added) " added, " (file.records_removed) " removed" }
                    }
                }
            }
            (changes("Removed", &removed, links))
            (changes("Added", &added, links))
        },
    )
}

fn changes(heading: &str, changes: &[&Change], links: &Links) -> Markup {
    html! {
        h2 { (heading) " (" (changes.len()) ")" }
        @if changes.len() > SHOWN { p.note { "The first " (SHOWN) "; the RDF Patch holds them all." } }
        table.changes {
            thead { tr { th { "Subject" } th { "Property" } th { "Value" } th { "Caused by" } } }
            tbody {
                @for change in changes.iter().take(SHOWN) {
                    tr {
                        td { (term(&Term::from(change.quad.subject.clone()), links)) }
                        td { (links.iri(change.quad.predicate.as_str())) }
                        td { (term(&change.quad.object, links)) }
                        td { code { (change.cause.as_deref().unwrap_or("")) } }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{Literal, Quad};

    #[test]
    fn a_version_page_links_subjects_here_shows_causes_and_escapes_the_data() {
        let node = |name: &str| NamedNode::new_unchecked(format!("http://example.org/{name}"));
        let quad =
            |o: &str| Quad::new(node("org/a"), node("name"), Literal::new_simple_literal(o), GraphName::DefaultGraph);
        let patch = Patch {
            removed: vec![Change { quad: quad("<script>x</script>"), cause: Some("data/a.csv:7".into()) }],
            added: vec![Change { quad: quad("new"), cause: None }],
        };
        let entry = LogEntry {
            format: 1,
            version: "v2".into(),
            previous: Some("v1".into()),
            built_at: "2026-12-06T10:00:00Z".into(),
            incremental: true,
            reason: None,
            added: 1,
            removed: 1,
            files: Vec::new(),
        };
        let links = Links::new(Some("http://example.org/".into()), Vec::new());
        let html = version(&entry, &patch, &links, &node("dataset/build")).into_string();
        assert!(html.contains(r#"href="/org/a""#), "the subject links to its page: {html}");
        assert!(html.contains("<code>data/a.csv:7</code>"), "{html}");
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>x"), "{html}");
        assert!(html.contains(r#"<a href="/changes/v1">v1</a>"#), "{html}");
        assert!(html.contains("Removed (1)") && html.contains("Added (1)"), "{html}");
    }
}
