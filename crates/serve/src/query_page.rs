//! The query page at `/`: YASGUI (the SPARQL editor and results viewer of
//! Wikidata's and Fuseki's kind, built into the binary, see build.rs) with
//! the project's prefixes and its named questions one click away.

use super::html::{data_json, page};
use factgraph_core::query::NamedQuery;
use maud::{html, Markup};

pub fn render(questions: &[NamedQuery], prefixes: &[(String, String)], base_iri: Option<&str>) -> Markup {
    let config = serde_json::json!({
        "endpoint": "/query",
        "prefixes": prefixes.iter().map(|(p, iri)| (p.clone(), serde_json::Value::from(iri.clone()))).collect::<serde_json::Map<_, _>>(),
        "baseIri": base_iri,
        "basePath": base_iri.and_then(super::links::base_path),
    });
    let body = html! {
        div.query-layout {
            aside.questions {
                h2 { "Questions" }
                p.hint { "Click one to load it into the editor and run it." }
                ul #questions {
                    @for question in questions {
                        li {
                            button.question type="button" data-name=(question.name) data-query=(question.text) {
                                (if question.title.is_empty() { &question.name } else { &question.title })
                            }
                            @if !question.description.is_empty() { p.description { (question.description) } }
                        }
                    }
                }
            }
            section.editor {
                div #yasgui data-config=(data_json(&config)) {}
                noscript { p { "The editor needs JavaScript. Queries can also be sent to /query (SPARQL 1.1 Protocol)." } }
            }
        }
        link rel="stylesheet" href="/assets/yasgui.min.css";
        script src="/assets/yasgui.min.js" {}
        script src="/assets/factgraph.js" {}
    };
    page("Query", body)
}
