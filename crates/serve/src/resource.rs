//! The resource routes: a resource's path under the base IRI's path, and
//! `/resource?iri=…` for any other IRI of the graph; the description in the
//! format the extension or `Accept` asks for.

use super::negotiate::negotiate_document;
use super::{html_response, internal, links, parse_form, rdf_response, resource_page, see_other, sparql};
use super::{Failure, State, RDF_DOCUMENTS};
use factgraph_core::query::Graph;
use factgraph_core::why::{RowOrigin, RowsBehind};
use oxhttp::model::header::{CONTENT_LOCATION, VARY};
use oxhttp::model::{Body, Request, Response, StatusCode};
use oxigraph::model::{NamedNode, NamedOrBlankNode, Term, Triple};
use oxigraph::sparql::QueryResults;

/// Most triples pointing to a resource that its page lists (a class has
/// as many as instances); its RDF documents hold them all.
const MAX_POINTING: usize = 1000;

/// The extensions of a description's documents.
const DOCUMENTS: [&str; 4] = ["html", "ttl", "nt", "jsonld"];

impl State {
    /// `/resource?iri=…[&format=ttl]`: any IRI of the graph.
    pub(super) fn resource_by_query(&self, request: &Request<Body>, accept: &str) -> Result<Response<Body>, Failure> {
        let params = parse_form(request.uri().query().unwrap_or_default());
        let value = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let Some(text) = value("iri") else {
            return Err(Failure(StatusCode::BAD_REQUEST, "give the resource as /resource?iri=…".into()));
        };
        let iri = NamedNode::new(text.clone())
            .map_err(|e| Failure(StatusCode::BAD_REQUEST, format!("{text:?} is not an IRI: {e}")))?;
        let format = value("format");
        if let Some(format) = &format {
            if !DOCUMENTS.contains(&format.as_str()) {
                return Err(Failure(
                    StatusCode::BAD_REQUEST,
                    format!("format={format} is not one of html, ttl, nt, jsonld"),
                ));
            }
        }
        let document = |ext: &str| format!("/resource?iri={}&format={ext}", links::encode(iri.as_str()));
        self.resource(&iri, accept, format.as_deref(), &document)
    }

    /// A path under the base IRI's path, with or without a document's extension.
    pub(super) fn resource_by_path(&self, decoded_path: &str, accept: &str) -> Result<Response<Body>, Failure> {
        let base = self.options.project.base_iri.clone().unwrap_or_default();
        let graph = self.graph().map_err(internal)?;
        // `/x.ttl` is the Turtle document about `/x`, unless the graph has
        // a resource called `x.ttl` itself.
        let (path, format) = match decoded_path.rsplit_once('.') {
            Some((stem, ext)) if DOCUMENTS.contains(&ext) => {
                let whole = links::iri_of_path(&base, decoded_path).and_then(|iri| NamedNode::new(iri).ok());
                if whole.is_some_and(|iri| self.describes(&graph, &iri)) {
                    (decoded_path, None)
                } else {
                    (stem, Some(ext))
                }
            }
            _ => (decoded_path, None),
        };
        let text = links::iri_of_path(&base, path).unwrap_or_default();
        let iri = NamedNode::new(text.clone())
            .map_err(|e| Failure(StatusCode::NOT_FOUND, format!("{path} names no IRI ({text:?}: {e})")))?;
        if iri == factgraph_core::metadata::dataset_iri(&self.options.project) {
            return Ok(see_other("/dataset"));
        }
        let canonical = links::resource_path(&base, iri.as_str()).unwrap_or_else(|| path.to_owned());
        let document = |ext: &str| format!("{canonical}.{ext}");
        self.resource(&iri, accept, format, &document)
    }

    fn describes(&self, graph: &Graph, iri: &NamedNode) -> bool {
        let ask = format!("ASK {{ {{ {iri} ?p ?o }} UNION {{ ?s ?q {iri} }} }}");
        matches!(factgraph_core::query::evaluate(graph, "page", &ask, &[]), Ok(QueryResults::Boolean(true)))
    }

    /// A resource's description in the format asked for by extension, or
    /// else by `Accept`. `document` gives the path of each format's document.
    fn resource(
        &self,
        iri: &NamedNode,
        accept: &str,
        format: Option<&str>,
        document: &dyn Fn(&str) -> String,
    ) -> Result<Response<Body>, Failure> {
        let project = &self.options.project;
        let graph = self.graph().map_err(internal)?;
        let triples =
            sparql::construct(&graph, &project.prefixes, &resource_page::description_query(iri)).map_err(internal)?;
        if triples.is_empty() {
            let mut message = format!("the graph has nothing about <{}>", iri.as_str());
            if let Some(path) = self.links().local_path(iri.as_str()).filter(|p| !p.starts_with("/resource")) {
                message.push_str(&format!(" (its page would be {path})"));
            }
            return Err(Failure(StatusCode::NOT_FOUND, message));
        }
        let (extension, vary) = match format {
            Some(ext) => (ext.to_owned(), false),
            None => (negotiate_document(accept)?.to_owned(), true),
        };
        let mut response = if extension == "html" {
            self.resource_page(&graph, iri, &triples, document)?
        } else {
            rdf_response(&triples, &extension, &project.prefixes)?
        };
        if vary {
            let headers = response.headers_mut();
            headers.insert(VARY, "Accept".parse().expect("a valid header"));
            if let Ok(location) = document(&extension).parse() {
                headers.insert(CONTENT_LOCATION, location);
            }
        }
        Ok(response)
    }

    fn resource_page(
        &self,
        graph: &Graph,
        iri: &NamedNode,
        triples: &[Triple],
        document: &dyn Fn(&str) -> String,
    ) -> Result<Response<Body>, Failure> {
        let project = &self.options.project;
        let (triples, pointing_left_out) = shown_triples(iri, triples);
        let claims = resource_page::read_claims(
            &sparql::select(graph, &project.prefixes, &resource_page::claims_query(iri)).map_err(internal)?,
        );
        let (found, claims) = self.origins(&triples, claims)?;
        let (origins, changed_files) = (found.origins, found.changed_files);
        let source_iris = cited_sources(&origins, &claims);
        let sources = if source_iris.is_empty() {
            Default::default()
        } else {
            let text = resource_page::sources_query(&source_iris);
            resource_page::read_sources(&sparql::select(graph, &project.prefixes, &text).map_err(internal)?)
        };
        let mut links = self.links();
        let iris = page_iris(iri, &triples, &claims, source_iris);
        links.learn(sparql::labels_and_described(graph, &project.prefixes, &iris).map_err(internal)?);
        let alternates: Vec<(&'static str, String)> =
            RDF_DOCUMENTS.iter().map(|(name, _, ext)| (*name, document(ext))).collect();
        let page = resource_page::ResourcePage {
            iri,
            triples: &triples,
            origins: &origins,
            claims: &claims,
            sources: &sources,
            links: &links,
            alternates: &alternates,
            pointing_left_out,
            changed_files: &changed_files,
        };
        Ok(html_response(page.render()))
    }

    /// The rows behind each triple and behind each claim's value, found
    /// together: the origins index is read and the mapping compiled once.
    fn origins(
        &self,
        triples: &[Triple],
        claims: Vec<resource_page::Claim>,
    ) -> Result<(RowsBehind, Vec<resource_page::SourcedClaim>), Failure> {
        let version = self.store_dir.current_version().map_err(internal)?;
        let claim_triples: Vec<Option<Triple>> = claims.iter().map(resource_page::claim_triple).collect();
        let mut all = triples.to_vec();
        all.extend(claim_triples.iter().flatten().cloned());
        let project = &self.options.project;
        let mut found = factgraph_core::why::explain_triples(project, version.as_ref(), &all).map_err(internal)?;
        let mut claim_origins = found.origins.split_off(triples.len()).into_iter();
        let claims = claims
            .into_iter()
            .zip(claim_triples)
            .map(|(claim, triple)| {
                let rows = triple.and_then(|_| claim_origins.next()).unwrap_or_default();
                (claim, rows)
            })
            .collect();
        Ok((found, claims))
    }
}

/// The sources that the rows behind the facts and the claims cite, once each.
fn cited_sources(origins: &[Vec<RowOrigin>], claims: &[resource_page::SourcedClaim]) -> Vec<String> {
    let mut sources: Vec<String> = origins
        .iter()
        .flatten()
        .flat_map(|o| &o.sources)
        .filter_map(|t| match t {
            Term::NamedNode(node) => Some(node.as_str().to_owned()),
            _ => None,
        })
        .chain(claims.iter().filter_map(|(c, _)| c.source.clone()))
        .collect();
    sources.sort();
    sources.dedup();
    sources
}

/// Every IRI the page shows, to label and link.
fn page_iris(
    iri: &NamedNode,
    triples: &[Triple],
    claims: &[resource_page::SourcedClaim],
    sources: Vec<String>,
) -> Vec<String> {
    let mut iris: Vec<String> = vec![iri.as_str().to_owned()];
    for triple in triples {
        if let NamedOrBlankNode::NamedNode(node) = &triple.subject {
            iris.push(node.as_str().to_owned());
        }
        iris.push(triple.predicate.as_str().to_owned());
        if let Term::NamedNode(node) = &triple.object {
            iris.push(node.as_str().to_owned());
        }
    }
    for (claim, _) in claims {
        iris.extend([claim.claim.clone(), claim.subject.clone(), claim.property.clone()]);
        iris.extend(claim.claimed_by.clone());
    }
    iris.extend(sources);
    iris.sort();
    iris.dedup();
    iris
}

/// The triples a page lists, sorted: all about the resource and the first
/// [`MAX_POINTING`] pointing to it; and how many of those were left out.
fn shown_triples(iri: &NamedNode, triples: &[Triple]) -> (Vec<Triple>, usize) {
    let subject: NamedOrBlankNode = iri.clone().into();
    let key = |t: &Triple| (t.subject.to_string(), t.predicate.to_string(), t.object.to_string());
    let (mut about, mut pointing): (Vec<Triple>, Vec<Triple>) =
        triples.iter().cloned().partition(|t| t.subject == subject);
    about.sort_by_key(key);
    pointing.sort_by_key(key);
    let left_out = pointing.len().saturating_sub(MAX_POINTING);
    pointing.truncate(MAX_POINTING);
    about.extend(pointing);
    (about, left_out)
}
