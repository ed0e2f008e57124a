//! A resource's page: its label and classes, every triple about it and
//! pointing to it with the source each one cites and the CSV file and line
//! it came from (as `factgraph why` tells), and claims on which sources
//! disagree side by side. The same facts as RDF for programs.

use super::html::{page, term};
use super::links::Links;
use super::sparql::{iri_list, Solutions};
use factgraph_core::why::RowOrigin;
use maud::{html, Markup};
use oxigraph::model::{NamedNode, NamedOrBlankNode, Term, Triple};
use std::collections::{BTreeMap, HashMap};

pub const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const FG: &str = "https://w3id.org/factgraph/ontology#";

/// The SPARQL that gives a resource's description as RDF: every triple of
/// the default graph with the resource as subject or object. `factgraph
/// query --sparql` with the same text gives the same triples.
pub fn description_query(iri: &NamedNode) -> String {
    format!("CONSTRUCT {{ {iri} ?p ?o . ?s ?q {iri} }} WHERE {{ {{ {iri} ?p ?o }} UNION {{ ?s ?q {iri} }} }}")
}

/// What a source row says about itself, for citing it.
#[derive(Debug, Clone, Default)]
pub struct SourceInfo {
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub date: Option<String>,
    pub url: Option<String>,
}

/// The SPARQL that reads the citation of each of `sources`.
pub fn sources_query(sources: &[String]) -> String {
    format!(
        "SELECT ?s (COALESCE(SAMPLE(?title), SAMPLE(?other_title)) AS ?t) (SAMPLE(?publisher) AS ?p) \
           (SAMPLE(?date) AS ?d) (SAMPLE(?url) AS ?u) \
         WHERE {{ VALUES ?s {{ {} }} \
           OPTIONAL {{ ?s <http://purl.org/dc/terms/title> ?title FILTER(LANG(?title) IN (\"en\", \"\")) }} \
           OPTIONAL {{ ?s <http://purl.org/dc/terms/title> ?other_title }} \
           OPTIONAL {{ ?s <{FG}publisherName> ?publisher }} \
           OPTIONAL {{ ?s <http://purl.org/dc/terms/publisher>/<http://www.w3.org/2000/01/rdf-schema#label> ?publisher }} \
           OPTIONAL {{ ?s <http://purl.org/dc/terms/date> ?date }} \
           OPTIONAL {{ ?s <https://schema.org/url> ?url }} }} GROUP BY ?s",
        iri_list(sources)
    )
}

pub fn read_sources(rows: &Solutions) -> HashMap<String, SourceInfo> {
    rows.iter()
        .filter_map(|row| {
            let info =
                SourceInfo { title: row.text("t"), publisher: row.text("p"), date: row.text("d"), url: row.text("u") };
            Some((row.iri("s")?, info))
        })
        .collect()
}

/// One claim of a group of claims on the same subject and property.
#[derive(Debug, Clone)]
pub struct Claim {
    pub claim: String,
    pub subject: String,
    pub property: String,
    pub value: Option<Term>,
    pub claimed_by: Option<String>,
    pub source: Option<String>,
    pub text: Option<String>,
}

/// The SPARQL for the claims about the resource, and, when the resource is
/// a claim itself, for the other claims on the same subject and property.
pub fn claims_query(iri: &NamedNode) -> String {
    format!(
        "PREFIX fg: <{FG}> PREFIX dct: <http://purl.org/dc/terms/> \
         SELECT ?claim ?subject ?property ?value ?by ?source ?text WHERE {{ \
           {{ ?claim fg:claimSubject {iri} }} UNION \
           {{ {iri} fg:claimSubject ?s0 ; fg:claimProperty ?p0 . ?claim fg:claimSubject ?s0 ; fg:claimProperty ?p0 }} \
           ?claim fg:claimSubject ?subject ; fg:claimProperty ?property . \
           OPTIONAL {{ ?claim fg:claimedValue ?value }} OPTIONAL {{ ?claim fg:claimedBy ?by }} \
           OPTIONAL {{ ?claim dct:source ?source }} \
           OPTIONAL {{ ?claim dct:description ?text FILTER(LANG(?text) IN (\"en\", \"\")) }} \
         }} ORDER BY ?property ?value ?claim"
    )
}

pub fn read_claims(rows: &Solutions) -> Vec<Claim> {
    let mut claims: Vec<Claim> = rows
        .iter()
        .filter_map(|row| {
            Some(Claim {
                claim: row.iri("claim")?,
                subject: row.iri("subject")?,
                property: row.iri("property")?,
                value: row.term("value"),
                claimed_by: row.iri("by"),
                source: row.iri("source"),
                text: row.text("text"),
            })
        })
        .collect();
    // A claim with two descriptions or sources comes once per combination.
    claims.dedup_by(|a, b| a.claim == b.claim);
    claims
}

/// A claim with the rows it came from.
pub type SourcedClaim = (Claim, Vec<RowOrigin>);

/// The triple a claim's value stands in, to find the row it came from.
pub fn claim_triple(claim: &Claim) -> Option<Triple> {
    Some(Triple::new(
        NamedNode::new(&claim.claim).ok()?,
        NamedNode::new_unchecked(format!("{FG}claimedValue")),
        claim.value.clone()?,
    ))
}

/// Everything the page shows, read from the graph.
pub struct ResourcePage<'a> {
    pub iri: &'a NamedNode,
    pub triples: &'a [Triple],
    pub origins: &'a [Vec<RowOrigin>],
    pub claims: &'a [SourcedClaim],
    pub sources: &'a HashMap<String, SourceInfo>,
    pub links: &'a Links,
    /// The paths of the RDF documents about the resource, by format name.
    pub alternates: &'a [(&'static str, String)],
    /// Triples pointing to the resource that are not listed.
    pub pointing_left_out: usize,
    /// Source files edited since the build: their lines may have moved.
    pub changed_files: &'a [std::path::PathBuf],
}

impl ResourcePage<'_> {
    pub fn render(&self) -> Markup {
        let iri = self.iri.as_str();
        let title = self.links.labels.get(iri).cloned().unwrap_or_else(|| self.links.short(iri));
        let subject: NamedOrBlankNode = self.iri.clone().into();
        let classes: Vec<&Term> = self
            .triples
            .iter()
            .filter(|t| t.subject == subject && t.predicate.as_str() == RDF_TYPE)
            .map(|t| &t.object)
            .collect();
        let about: Vec<(&Triple, &Vec<RowOrigin>)> =
            self.triples.iter().zip(self.origins).filter(|(t, _)| t.subject == subject).collect();
        let pointing: Vec<(&Triple, &Vec<RowOrigin>)> =
            self.triples.iter().zip(self.origins).filter(|(t, _)| t.subject != subject).collect();
        page(
            &title,
            html! {
                h1 { (title) }
                p.iri-line {
                    code.iri-text { (iri) }
                    @for class in &classes { " " span.class { (term(class, self.links)) } }
                }
                p.formats {
                    "This description as "
                    @for (index, (name, path)) in self.alternates.iter().enumerate() {
                        @if index > 0 { ", " }
                        a href=(path) { (name) }
                    }
                    "."
                }
                @if !self.changed_files.is_empty() {
                    p.note.changed {
                        "Edited since the build, so a fact's line is looked for by number in the file as it is now, and a fact whose row moved shows none: "
                        @for (index, file) in self.changed_files.iter().enumerate() {
                            @if index > 0 { ", " }
                            code { (file.display()) }
                        }
                        ". Build again to bring them up to date."
                    }
                }
                (self.claims_section())
                h2 { "Facts about it" }
                (self.facts_table(&about, false))
                @if !pointing.is_empty() {
                    h2 { "Facts pointing to it" }
                    (self.facts_table(&pointing, true))
                    @if self.pointing_left_out > 0 {
                        p.note {
                            "And " (self.pointing_left_out) " more, not listed here; the RDF documents above hold them all."
                        }
                    }
                }
            },
        )
    }

    fn facts_table(&self, facts: &[(&Triple, &Vec<RowOrigin>)], show_subject: bool) -> Markup {
        html! {
            table.facts {
                thead { tr {
                    @if show_subject { th { "Subject" } }
                    th { "Property" }
                    @if !show_subject { th { "Value" } }
                    th { "Source" } th { "From" }
                } }
                tbody {
                    @for (triple, origins) in facts {
                        tr {
                            @if show_subject { td { (term(&triple.subject.clone().into(), self.links)) } }
                            td { (self.links.iri(triple.predicate.as_str())) }
                            @if !show_subject { td { (term(&triple.object, self.links)) } }
                            td.source { (self.cited(origins)) }
                            td.origin { (origin_lines(origins, !self.changed_files.is_empty())) }
                        }
                    }
                }
            }
        }
    }

    /// The sources the rows behind a fact cite.
    fn cited(&self, origins: &[RowOrigin]) -> Markup {
        let mut sources: Vec<&Term> = origins.iter().flat_map(|o| &o.sources).collect();
        sources.dedup();
        html! {
            @for source in sources { div.citation { (self.citation(source)) } }
        }
    }

    fn citation(&self, source: &Term) -> Markup {
        let Term::NamedNode(node) = source else { return term(source, self.links) };
        let info = self.sources.get(node.as_str()).cloned().unwrap_or_default();
        html! {
            @if let Some(publisher) = &info.publisher { span.publisher { (publisher) } ", " }
            (self.links.iri(node.as_str()))
            @if let Some(title) = &info.title { ": " cite { (title) } }
            @if let Some(date) = &info.date { " (" (date) ")" }
            @if let Some(url) = &info.url { " " a.external href=(url) rel="noopener noreferrer" { "link" } }
        }
    }

    /// Claims grouped by subject and property, each group side by side.
    fn claims_section(&self) -> Markup {
        let mut groups: BTreeMap<(&str, &str), Vec<&SourcedClaim>> = BTreeMap::new();
        for entry in self.claims {
            groups.entry((entry.0.subject.as_str(), entry.0.property.as_str())).or_default().push(entry);
        }
        html! {
            @for ((subject, property), claims) in &groups {
                @let values: std::collections::HashSet<String> =
                    claims.iter().filter_map(|(c, _)| c.value.as_ref().map(Term::to_string)).collect();
                section.claims {
                    h2 {
                        @if values.len() > 1 { "Sources disagree: " } @else { "Claimed: " }
                        (self.links.iri(property)) " of " (self.links.iri(subject))
                    }
                    div.side-by-side {
                        @for (claim, origins) in claims {
                            div.claim {
                                p.value { @if let Some(value) = &claim.value { (term(value, self.links)) } }
                                @if let Some(by) = &claim.claimed_by { p { "claimed by " (self.links.iri(by)) } }
                                @if let Some(text) = &claim.text { blockquote { (text) } }
                                @if let Some(source) = &claim.source {
                                    p.source { "Source: " (self.citation(&NamedNode::new_unchecked(source.clone()).into())) }
                                }
                                p.origin { (origin_lines(origins, !self.changed_files.is_empty())) " · " (self.links.iri(&claim.claim)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `data/organisations.csv:3` for each row behind a fact (with source files
/// edited since the build, none found may be a row that moved); the ontology's
/// own triples have none.
fn origin_lines(origins: &[RowOrigin], files_changed: bool) -> Markup {
    html! {
        @if origins.is_empty() && !files_changed { span.none { "ontology (no CSV row)" } }
        @if origins.is_empty() && files_changed { span.none { "no CSV row found in the files as they are now" } }
        @for (index, origin) in origins.iter().enumerate() {
            @if index > 0 { br; }
            span.csv-line title=(format!("triples map {}", origin.triples_map)) {
                (origin.file.display()) ":" (origin.line)
            }
        }
    }
}
