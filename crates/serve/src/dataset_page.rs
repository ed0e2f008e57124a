//! The dataset's page: the build's own description (VoID, DCAT, PROV; see
//! [`factgraph_core::metadata`]) for people, with the sources the facts cite and the
//! whole graph to download.

use super::html::page;
use super::links::Links;
use super::resource_page::SourceInfo;
use super::sparql::Solutions;
use maud::{html, Markup};
use std::collections::HashMap;

pub const VOID: &str = "http://rdfs.org/ns/void#";

/// The downloads offered: path, format name, what it holds.
pub const DOWNLOADS: [(&str, &str, &str); 3] = [
    ("/download/dataset.ttl", "Turtle", "the data and the ontology (the default graph)"),
    ("/download/dataset.nt", "N-Triples", "the data and the ontology (the default graph)"),
    ("/download/dataset.nq", "N-Quads", "the default graph and this description in its named graph"),
];

/// The SPARQL that gives the description graph as RDF.
pub fn description_query(graph: &str) -> String {
    format!("CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
}

pub fn summary_query(graph: &str, dataset: &str) -> String {
    format!(
        "PREFIX dct: <http://purl.org/dc/terms/> PREFIX dcat: <http://www.w3.org/ns/dcat#> \
         PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX void: <{VOID}> \
         SELECT ?version ?modified ?license ?title ?description ?triples ?software WHERE {{ GRAPH <{graph}> {{ \
           <{dataset}> dcat:version ?version ; dct:modified ?modified ; void:triples ?triples . \
           OPTIONAL {{ <{dataset}> dct:license ?license }} \
           OPTIONAL {{ <{dataset}> dct:title ?title }} OPTIONAL {{ <{dataset}> dct:description ?description }} \
           OPTIONAL {{ <{dataset}> prov:wasGeneratedBy/prov:wasAssociatedWith ?software }} }} }}"
    )
}

/// Entities per class or triples per property, largest first.
pub fn partitions_query(graph: &str, dataset: &str, partition: &str, key: &str, count: &str) -> String {
    format!(
        "PREFIX void: <{VOID}> SELECT ?key ?n WHERE {{ GRAPH <{graph}> {{ \
           <{dataset}> void:{partition} ?part . ?part void:{key} ?key ; void:{count} ?n }} }} \
         ORDER BY DESC(?n) ?key"
    )
}

/// The sources the description lists, with the number of resources citing each.
pub fn sources_query(graph: &str, dataset: &str) -> String {
    format!(
        "PREFIX dct: <http://purl.org/dc/terms/> SELECT ?source (COUNT(DISTINCT ?citing) AS ?n) WHERE {{ \
           GRAPH <{graph}> {{ <{dataset}> dct:source ?source }} OPTIONAL {{ ?citing dct:source ?source }} }} \
         GROUP BY ?source ORDER BY DESC(?n) ?source"
    )
}

pub fn inputs_query(graph: &str) -> String {
    format!(
        "PREFIX dct: <http://purl.org/dc/terms/> PREFIX prov: <http://www.w3.org/ns/prov#> \
         PREFIX spdx: <http://spdx.org/rdf/terms#> SELECT ?file ?sha256 ?rows WHERE {{ GRAPH <{graph}> {{ \
           ?activity prov:used ?input . ?input dct:title ?file ; spdx:checksum/spdx:checksumValue ?sha256 . \
           OPTIONAL {{ ?input <{}rows> ?rows }} }} }} ORDER BY ?file",
        factgraph_core::metadata::FGB
    )
}

/// The answers the page is made of.
pub struct DatasetPage<'a> {
    pub dataset: &'a str,
    pub summary: &'a Solutions,
    pub classes: &'a Solutions,
    pub properties: &'a Solutions,
    pub sources: &'a Solutions,
    pub source_info: &'a HashMap<String, SourceInfo>,
    pub inputs: &'a Solutions,
    pub links: &'a Links,
}

impl DatasetPage<'_> {
    pub fn render(&self) -> Markup {
        let summary = self.summary.iter().next();
        let text = |name: &str| summary.as_ref().and_then(|row| row.text(name)).unwrap_or_default();
        page(
            "Dataset",
            html! {
                h1 { "Dataset" }
                @if !text("title").is_empty() { p.title { strong { (text("title")) } } }
                @if !text("description").is_empty() { p.description { (text("description")) } }
                p.iri-line { code.iri-text { (self.dataset) } }
                p.formats {
                    "This description as "
                    a href="/dataset.ttl" { "Turtle" } ", " a href="/dataset.nt" { "N-Triples" } ", "
                    a href="/dataset.jsonld" { "JSON-LD" } " (also at " a href="/.well-known/void" { "/.well-known/void" } ")."
                }
                dl.summary {
                    dt { "Version" } dd #version { (text("version")) }
                    dt { "Built" } dd #built { (text("modified")) }
                    dt { "Built with" } dd { (text("software")) }
                    dt { "Triples" } dd #triples { (text("triples")) }
                    dt { "Licence" } dd {
                        @match summary.as_ref().and_then(|row| row.iri("license")) {
                            Some(license) => a.external href=(license) rel="noopener noreferrer" { (license) },
                            None => "not stated (set license in factgraph.toml)",
                        }
                    }
                }
                p.changes { a href="/changes" { "What each build changed" } " (also as a feed other stores can follow)." }
                h2 { "Download" }
                ul.downloads {
                    @for (path, name, holds) in DOWNLOADS {
                        li { a href=(path) download { (name) } ": " (holds) }
                    }
                }
                p.note { "Downloads are compressed with gzip when the client accepts it." }
                h2 { "Sources" }
                table.sources {
                    thead { tr { th { "Source" } th { "Publisher" } th { "Title" } th { "Date" } th { "Resources citing it" } } }
                    tbody {
                        @for row in self.sources.iter() {
                            @if let Some(source) = row.iri("source") {
                                @let info = self.source_info.get(&source).cloned().unwrap_or_default();
                                tr {
                                    td { (self.links.iri(&source)) }
                                    td { (info.publisher.unwrap_or_default()) }
                                    td {
                                        @match &info.url {
                                            Some(url) => a.external href=(url) rel="noopener noreferrer" { (info.title.clone().unwrap_or_else(|| url.clone())) },
                                            None => (info.title.clone().unwrap_or_default()),
                                        }
                                    }
                                    td { (info.date.unwrap_or_default()) }
                                    td.number { (row.text("n").unwrap_or_default()) }
                                }
                            }
                        }
                    }
                }
                div.columns {
                    section {
                        h2 { "Classes" }
                        (self.counts(self.classes, "Class", "Resources"))
                    }
                    section {
                        h2 { "Properties" }
                        (self.counts(self.properties, "Property", "Triples"))
                    }
                }
                h2 { "Input files" }
                table.inputs {
                    thead { tr { th { "File" } th { "Rows" } th { "SHA-256" } } }
                    tbody {
                        @for row in self.inputs.iter() {
                            tr {
                                td { (row.text("file").unwrap_or_default()) }
                                td.number { (row.text("rows").unwrap_or_default()) }
                                td { code { (row.text("sha256").unwrap_or_default()) } }
                            }
                        }
                    }
                }
            },
        )
    }

    fn counts(&self, rows: &Solutions, what: &str, counted: &str) -> Markup {
        html! {
            table.counts {
                thead { tr { th { (what) } th { (counted) } } }
                tbody {
                    @for row in rows.iter() {
                        @if let Some(key) = row.iri("key") {
                            tr { td { (self.links.iri(&key)) } td.number { (row.text("n").unwrap_or_default()) } }
                        }
                    }
                }
            }
        }
    }
}
