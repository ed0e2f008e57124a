//! Where each IRI leads on the pages of `serve`. A resource under the
//! project's `base_iri` has its page at the same path here
//! (`https://w3id.org/factgraph/cn-cloud/microsoft` at
//! `/factgraph/cn-cloud/microsoft`), so that a redirect from the IRI's host
//! to this server keeps the path; any other IRI the graph describes has its
//! page at `/resource?iri=…`; the rest link to themselves.

use maud::{html, Markup};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::collections::{HashMap, HashSet};

/// The IRIs of a page: their labels and which of them the graph describes.
#[derive(Debug, Clone, Default)]
pub struct Links {
    pub base_iri: Option<String>,
    pub prefixes: Vec<(String, String)>,
    pub labels: HashMap<String, String>,
    pub described: HashSet<String>,
}

impl Links {
    pub fn new(base_iri: Option<String>, prefixes: Vec<(String, String)>) -> Self {
        Self { base_iri, prefixes, ..Self::default() }
    }

    /// Adds what the graph says of some IRIs.
    pub fn learn(&mut self, labelled: super::sparql::Labelled) {
        self.labels.extend(labelled.labels);
        self.described.extend(labelled.described);
    }

    /// An IRI as a link showing its label, with the IRI itself as its title.
    pub fn iri(&self, iri: &str) -> Markup {
        let shown = self.labels.get(iri).cloned().unwrap_or_else(|| self.short(iri));
        match self.local_path(iri) {
            Some(path) => html! { a.iri href=(path) title=(iri) { (shown) } },
            None => html! { a.iri.external href=(iri) title=(iri) rel="noopener noreferrer" { (shown) } },
        }
    }

    /// The prefixed name of an IRI when a project prefix covers it.
    pub fn short(&self, iri: &str) -> String {
        self.prefixes
            .iter()
            .filter_map(|(prefix, namespace)| iri.strip_prefix(namespace.as_str()).map(|local| (prefix, local)))
            .filter(|(_, local)| !local.is_empty() && local.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c)))
            .min_by_key(|(_, local)| local.len())
            .map_or_else(|| iri.to_owned(), |(prefix, local)| format!("{prefix}:{local}"))
    }

    /// The path of the IRI's page on this server, if it has one.
    pub fn local_path(&self, iri: &str) -> Option<String> {
        if let Some(path) = self.base_iri.as_deref().and_then(|base| resource_path(base, iri)) {
            return Some(path);
        }
        self.described.contains(iri).then(|| format!("/resource?iri={}", encode(iri)))
    }
}

/// The path part of the base IRI: `/factgraph/cn-cloud/` for
/// `https://w3id.org/factgraph/cn-cloud/`.
pub fn base_path(base_iri: &str) -> Option<&str> {
    let after_scheme = base_iri.split_once("://")?.1;
    let path = &after_scheme[after_scheme.find('/')?..];
    (!path.contains(['?', '#'])).then_some(path)
}

/// The path here of an IRI under the base IRI; `None` for other IRIs and
/// for local names that a path cannot carry (`?`, `#`).
pub fn resource_path(base_iri: &str, iri: &str) -> Option<String> {
    let local = iri.strip_prefix(base_iri)?;
    if local.is_empty() || local.contains(['?', '#']) {
        return None;
    }
    Some(format!("{}{}", base_path(base_iri)?, encode_path(local)))
}

/// The IRI a path under the base path names (the inverse of [`resource_path`]).
pub fn iri_of_path(base_iri: &str, decoded_path: &str) -> Option<String> {
    let local = decoded_path.strip_prefix(base_path(base_iri)?)?;
    (!local.is_empty()).then(|| format!("{base_iri}{local}"))
}

/// Everything but RFC 3986's unreserved characters.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// What a path (its segments and their slashes) cannot hold as it is.
const NOT_IN_PATH: &AsciiSet = &NOT_UNRESERVED.remove(b'/').remove(b':').remove(b'@').remove(b'!').remove(b'$');

/// Percent-encodes everything but unreserved characters (a query value).
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, NOT_UNRESERVED).to_string()
}

/// Percent-encodes what a path segment cannot hold as it is.
fn encode_path(text: &str) -> String {
    utf8_percent_encode(text, NOT_IN_PATH).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_paths_follow_the_base_iri_and_back() {
        let base = "https://w3id.org/factgraph/cn-cloud/";
        assert_eq!(base_path(base), Some("/factgraph/cn-cloud/"));
        let path = resource_path(base, "https://w3id.org/factgraph/cn-cloud/office 365").unwrap();
        assert_eq!(path, "/factgraph/cn-cloud/office%20365");
        assert_eq!(iri_of_path(base, "/factgraph/cn-cloud/office 365").unwrap(), format!("{base}office 365"));
        assert_eq!(resource_path(base, "https://w3id.org/factgraph/ontology#Source"), None);
        assert_eq!(resource_path(base, "https://w3id.org/factgraph/cn-cloud/a#b"), None);
        assert_eq!(base_path("http://example.org/"), Some("/"));
    }
}
