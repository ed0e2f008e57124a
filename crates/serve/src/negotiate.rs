//! Content negotiation: which of the formats offered an `Accept` header
//! prefers (RFC 9110, section 12.5.1: media ranges with q-values), and
//! whether `Accept-Encoding` takes gzip.

use super::{Failure, ResultsFormat};
use oxhttp::model::StatusCode;
use oxigraph::sparql::QueryResults;

/// The format the client prefers among those the result can take. Without an
/// `Accept` header (or with `*/*`) SELECT and ASK answer in SPARQL JSON and
/// CONSTRUCT and DESCRIBE in Turtle.
pub fn negotiate(results: &QueryResults<'_>, accept: &str) -> Result<(ResultsFormat, &'static str), Failure> {
    let offered: &[(ResultsFormat, &str)] = match results {
        QueryResults::Graph(_) => {
            &[(ResultsFormat::Turtle, "text/turtle"), (ResultsFormat::NTriples, "application/n-triples")]
        }
        _ => &[
            (ResultsFormat::Json, "application/sparql-results+json"),
            (ResultsFormat::Xml, "application/sparql-results+xml"),
            (ResultsFormat::Csv, "text/csv"),
            (ResultsFormat::Tsv, "text/tab-separated-values"),
        ],
    };
    let media_types: Vec<&str> = offered.iter().map(|(_, m)| *m).collect();
    choose(accept, &media_types).map(|index| offered[index]).ok_or_else(|| not_acceptable(&media_types))
}

/// The document of a description that `Accept` asks for, by extension:
/// HTML first (for browsers, and for `*/*`), then the RDF formats.
pub fn negotiate_document(accept: &str) -> Result<&'static str, Failure> {
    let offered = ["text/html", "application/xhtml+xml", "text/turtle", "application/n-triples", "application/ld+json"];
    let extensions = ["html", "html", "ttl", "nt", "jsonld"];
    choose(accept, &offered).map(|index| extensions[index]).ok_or_else(|| not_acceptable(&offered))
}

/// The index of the media type in `offered` that `accept` prefers; 406
/// when it takes none of them.
pub fn choose_document(accept: &str, offered: &[&str]) -> Result<usize, Failure> {
    choose(accept, offered).ok_or_else(|| not_acceptable(offered))
}

fn not_acceptable(offered: &[&str]) -> Failure {
    Failure(StatusCode::NOT_ACCEPTABLE, format!("this answer can be given as {}", offered.join(", ")))
}

/// The index of the media type in `offered` that `accept` rates highest (the
/// first offered on a tie); the first when there is no `Accept` header.
fn choose(accept: &str, offered: &[&str]) -> Option<usize> {
    if accept.trim().is_empty() {
        return Some(0);
    }
    let ranges: Vec<(String, f32)> = accept
        .split(',')
        .map(|range| {
            let mut parts = range.split(';');
            let media_range = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (media_range, quality)
        })
        .collect();
    let mut best: Option<(f32, usize)> = None;
    for (index, media_type) in offered.iter().enumerate() {
        // The most specific range that matches rates the type: `text/html;q=0`
        // refuses HTML even beside `text/*`.
        let rated = ranges
            .iter()
            .filter_map(|(range, quality)| {
                let specificity = if range == media_type {
                    3
                } else if range.strip_suffix("/*").is_some_and(|kind| media_type.split('/').next() == Some(kind)) {
                    2
                } else if range == "*/*" {
                    1
                } else {
                    return None;
                };
                Some((specificity, *quality))
            })
            .max_by_key(|(specificity, _)| *specificity);
        if let Some((_, quality)) = rated {
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, index));
            }
        }
    }
    best.map(|(_, index)| index)
}

/// Whether an error is better shown as a page: the client names HTML and
/// rates it above plain text (a browser; not `*/*`).
pub fn prefers_html(accept: &str) -> bool {
    accept.to_ascii_lowercase().contains("text/html") && choose(accept, &["text/plain", "text/html"]) == Some(1)
}

pub fn accepts_gzip(accept_encoding: &str) -> bool {
    accept_encoding.split(',').any(|coding| {
        let mut parts = coding.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let quality = parts.filter_map(|p| p.trim().strip_prefix("q=")).find_map(|q| q.trim().parse::<f32>().ok());
        name.eq_ignore_ascii_case("gzip") && quality.is_none_or(|q| q > 0.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_quality_wins_and_ties_go_to_the_first_offered() {
        let offered = ["text/html", "text/turtle", "application/n-triples"];
        assert_eq!(choose("", &offered), Some(0));
        assert_eq!(choose("*/*", &offered), Some(0));
        assert_eq!(choose("text/turtle", &offered), Some(1));
        assert_eq!(choose("text/turtle;q=0.5, application/n-triples", &offered), Some(2));
        assert_eq!(choose("text/*;q=0.8, text/html;q=0", &offered), Some(1));
        assert_eq!(choose("image/png", &offered), None);
    }

    #[test]
    fn browsers_get_error_pages_and_programs_text() {
        assert!(prefers_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
        assert!(!prefers_html("*/*"));
        assert!(!prefers_html("text/turtle"));
        assert!(!prefers_html("text/plain, text/html;q=0.5"));
    }

    #[test]
    fn gzip_is_used_only_when_accepted() {
        assert!(accepts_gzip("gzip, deflate, br"));
        assert!(accepts_gzip("GZIP;q=0.5"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("deflate"));
        assert!(!accepts_gzip(""));
    }
}
