//! The frame every page of `serve` shares, and how terms are shown in it.
//! Pages are written with maud, which escapes every value it inserts: text
//! from the data (a CSV cell holding `<script>`) can only ever be text.

use super::links::Links;
use maud::{html, Markup, DOCTYPE};
use oxigraph::model::{Literal, Term};

/// A whole page: the header with the site's links, then `body`.
pub fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · factgraph" }
                link rel="stylesheet" href="/assets/factgraph.css";
                // No favicon: the browser would otherwise ask for one and log a 404.
                link rel="icon" href="data:,";
            }
            body {
                header.site {
                    a.brand href="/" { "factgraph" }
                    nav {
                        a href="/" { "Query" }
                        a href="/dataset" { "Dataset" }
                        a href="/changes" { "Changes" }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A term as a person reads it: an IRI as a link (to its page here when the
/// graph describes it) showing its label or prefixed name; a literal as its
/// text with its language or datatype.
pub fn term(term: &Term, links: &Links) -> Markup {
    match term {
        Term::NamedNode(node) => links.iri(node.as_str()),
        Term::BlankNode(node) => html! { span.blank { "_:" (node.as_str()) } },
        Term::Literal(literal) => literal_markup(literal, links),
    }
}

fn literal_markup(literal: &Literal, links: &Links) -> Markup {
    html! {
        span.literal { (literal.value()) }
        @if let Some(language) = literal.language() {
            " " span.annotation { "@" (language) }
        } @else if literal.datatype().as_str() != "http://www.w3.org/2001/XMLSchema#string" {
            " " span.annotation { (links.short(literal.datatype().as_str())) }
        }
    }
}

/// The page's data for its script, as an attribute value: maud escapes it,
/// the browser unescapes it, and no `</script>` in the data can end a script.
pub fn data_json(value: &serde_json::Value) -> String {
    value.to_string()
}
