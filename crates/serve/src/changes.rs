//! The change log on the web: `/changes`, a feed of the versions (newest
//! first) that a downstream store can follow, and `/changes/<version>`,
//! what one version changed.
//!
//! The feed is an ActivityStreams 2.0 `OrderedCollection` (JSON-LD) of
//! `Update` activities, one per version, with factgraph's counts and the
//! version it followed; each links its change as RDF Patch
//! (<https://afs.github.io/rdf-patch/>, `application/rdf-patch`), whose
//! header names the version (`H id`) and the one it applies to (`H prev`),
//! so a follower applies the patches in order from the version it holds.
//! Both answer HTML to browsers ([`super::changes_page`]).

use super::negotiate::choose_document;
use super::{changes_page, html_response, internal, respond, Failure, State};
use factgraph_core::changes::{formats, ChangeLog, LogEntry};
use factgraph_core::metadata;
use oxhttp::model::header::{CONTENT_LOCATION, VARY};
use oxhttp::model::{Body, Response, StatusCode};
use serde_json::{json, Value};

pub const ACTIVITY_STREAMS: &str = "https://www.w3.org/ns/activitystreams";
/// The feed's media type; `application/ld+json` is answered the same.
const ACTIVITY_JSON: &str = "application/activity+json";
/// What the feed and a version's page can be, and the extension of each.
const FEED_DOCUMENTS: [(&str, &str); 3] =
    [("text/html", "html"), (ACTIVITY_JSON, "json"), ("application/ld+json", "json")];
const VERSION_DOCUMENTS: [(&str, &str); 4] = [
    ("text/html", "html"),
    (formats::RDF_PATCH_TYPE, "rdfp"),
    (ACTIVITY_JSON, "json"),
    ("application/ld+json", "json"),
];

impl State {
    /// `/changes` and `/changes.html`, `/changes.json`.
    pub(super) fn change_feed(
        &self,
        accept: &str,
        host: &str,
        extension: Option<&str>,
    ) -> Result<Response<Body>, Failure> {
        let (extension, negotiated) = document(accept, extension, &FEED_DOCUMENTS)?;
        let mut entries = self.change_log().entries().map_err(internal)?;
        entries.reverse();
        let response = match extension {
            "html" => html_response(changes_page::feed(&entries)),
            _ => json_response(&feed(&self.options.project, &entries, &origin(host))),
        };
        Ok(negotiated_location(response, negotiated, &format!("/changes.{extension}")))
    }

    /// `/changes/<version>`, and `/changes/<version>.html`, `.rdfp`, `.json`.
    pub(super) fn change_of_version(&self, rest: &str, accept: &str, host: &str) -> Result<Response<Body>, Failure> {
        let (name, extension) = match rest.rsplit_once('.') {
            Some((name, extension)) => (name, Some(extension)),
            None => (rest, None),
        };
        let (extension, negotiated) = document(accept, extension, &VERSION_DOCUMENTS)?;
        let log = self.change_log();
        let entry = log.entry(name).map_err(|e| Failure(StatusCode::NOT_FOUND, e.to_string()))?;
        let project = &self.options.project;
        let response = match extension {
            "json" => {
                let mut item = item(project, &entry, &origin(host));
                item["@context"] = context();
                json_response(&item)
            }
            _ => {
                let patch = log.patch(name).map_err(internal)?;
                if extension == "html" {
                    html_response(changes_page::version(&entry, &patch, &self.links(), &metadata::graph_iri(project)))
                } else {
                    let id = metadata::version_iri(project, name);
                    let previous = entry.previous.as_deref().map(|p| metadata::version_iri(project, p));
                    let mut body = Vec::new();
                    formats::write_rdf_patch(&patch, &id, previous.as_ref(), &mut body).map_err(internal)?;
                    respond(StatusCode::OK, formats::RDF_PATCH_TYPE, body)
                }
            }
        };
        Ok(negotiated_location(response, negotiated, &format!("/changes/{name}.{extension}")))
    }

    fn change_log(&self) -> ChangeLog {
        ChangeLog::of(&self.store_dir)
    }
}

/// The extension asked for by path, else the one `Accept` prefers; and
/// whether it was negotiated.
fn document(
    accept: &str,
    asked: Option<&str>,
    offered: &[(&str, &'static str)],
) -> Result<(&'static str, bool), Failure> {
    if let Some(asked) = asked {
        let known = offered.iter().find(|(_, extension)| *extension == asked);
        return known.map(|(_, extension)| (*extension, false)).ok_or_else(|| {
            let extensions: Vec<&str> = offered.iter().map(|(_, e)| *e).collect();
            Failure(StatusCode::NOT_FOUND, format!("no .{asked} document here; there are .{}", extensions.join(", .")))
        });
    }
    let media_types: Vec<&str> = offered.iter().map(|(media_type, _)| *media_type).collect();
    Ok((offered[choose_document(accept, &media_types)?].1, true))
}

/// A negotiated answer says it varies and which document it is.
fn negotiated_location(mut response: Response<Body>, negotiated: bool, location: &str) -> Response<Body> {
    if negotiated {
        let headers = response.headers_mut();
        headers.insert(VARY, "Accept".parse().expect("a valid header"));
        if let Ok(location) = location.parse() {
            headers.insert(CONTENT_LOCATION, location);
        }
    }
    response
}

fn json_response(value: &Value) -> Response<Body> {
    respond(StatusCode::OK, ACTIVITY_JSON, serde_json::to_vec_pretty(value).unwrap_or_default())
}

/// `http://HOST`, so that the feed's identifiers are absolute.
fn origin(host: &str) -> String {
    if host.is_empty() {
        String::new()
    } else {
        format!("http://{host}")
    }
}

fn context() -> Value {
    json!([ACTIVITY_STREAMS, { "fg": metadata::FGB, "fg:version": { "@type": "@id" }, "fg:previous": { "@type": "@id" } }])
}

/// The feed: every version's change, newest first.
pub fn feed(project: &factgraph_core::project::Project, newest_first: &[LogEntry], origin: &str) -> Value {
    json!({
        "@context": context(),
        "id": format!("{origin}/changes"),
        "type": "OrderedCollection",
        "summary": "What each build of the dataset changed, newest first; apply each version's RDF Patch in order.",
        "totalItems": newest_first.len(),
        "orderedItems": newest_first.iter().map(|entry| item(project, entry, origin)).collect::<Vec<_>>(),
    })
}

/// One version in the feed: an `Update` of the dataset.
fn item(project: &factgraph_core::project::Project, entry: &LogEntry, origin: &str) -> Value {
    let page = format!("{origin}/changes/{}", entry.version);
    let mut item = json!({
        "id": page,
        "type": "Update",
        "name": entry.version,
        "published": entry.built_at,
        "object": metadata::dataset_iri(project).as_str(),
        "summary": format!("{}: {} triple(s) added, {} removed", formats::how_built(entry), entry.added, entry.removed),
        "fg:version": metadata::version_iri(project, &entry.version).as_str(),
        "fg:incremental": entry.incremental,
        "fg:triplesAdded": entry.added,
        "fg:triplesRemoved": entry.removed,
        "url": [
            { "type": "Link", "mediaType": formats::RDF_PATCH_TYPE, "href": format!("{page}.rdfp") },
            { "type": "Link", "mediaType": "text/html", "href": format!("{page}.html") },
        ],
    });
    if let Some(previous) = &entry.previous {
        item["fg:previous"] = json!(format!("{origin}/changes/{previous}"));
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(version: &str, previous: Option<&str>) -> LogEntry {
        LogEntry {
            format: 1,
            version: version.into(),
            previous: previous.map(str::to_owned),
            built_at: "2026-12-06T10:00:00Z".into(),
            incremental: false,
            reason: Some("a full build".into()),
            added: 3,
            removed: 1,
            files: Vec::new(),
        }
    }

    #[test]
    fn the_feed_lists_versions_as_updates_linking_their_patches_and_predecessors() {
        let mut project = factgraph_core::project::Project::load(None).unwrap();
        project.base_iri = Some("http://example.org/".into());
        let feed = feed(&project, &[entry("v2", Some("v1")), entry("v1", None)], "http://host");
        assert_eq!(feed["type"], "OrderedCollection");
        assert_eq!(feed["totalItems"], 2);
        let newest = &feed["orderedItems"][0];
        assert_eq!(newest["id"], "http://host/changes/v2");
        assert_eq!(newest["type"], "Update");
        assert_eq!(newest["object"], "http://example.org/dataset");
        assert_eq!(newest["fg:version"], "http://example.org/dataset/version/v2");
        assert_eq!(newest["fg:previous"], "http://host/changes/v1");
        assert_eq!(newest["fg:triplesAdded"], 3);
        assert_eq!(newest["url"][0]["mediaType"], "application/rdf-patch");
        assert_eq!(newest["url"][0]["href"], "http://host/changes/v2.rdfp");
        assert!(feed["orderedItems"][1].get("fg:previous").is_none(), "the first build follows nothing");
    }
}
