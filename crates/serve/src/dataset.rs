//! The dataset routes: `/dataset` (and `/.well-known/void`), the build's
//! description as a page or as RDF, and `/download/…`, the whole graph.

use super::negotiate::{accepts_gzip, negotiate_document};
use super::{dataset_page, header, html_response, internal, rdf_response, resource_page, sparql};
use super::{Failure, State};
use factgraph_core::export::Quads;
use factgraph_core::query::Graph;
use oxhttp::model::header::{
    ACCEPT_ENCODING, CONTENT_DISPOSITION, CONTENT_ENCODING, CONTENT_LOCATION, CONTENT_TYPE, VARY,
};
use oxhttp::model::{Body, Request, Response, StatusCode};
use oxigraph::io::RdfFormat;
use std::io::{Read, Write};
use std::sync::mpsc;

impl State {
    /// The build's description, as a page or as RDF.
    pub(super) fn dataset(&self, accept: &str, format: Option<&str>) -> Result<Response<Body>, Failure> {
        let project = &self.options.project;
        let data = self.graph().map_err(internal)?;
        let graph = factgraph_core::metadata::graph_iri(project);
        let dataset = factgraph_core::metadata::dataset_iri(project);
        let (extension, vary) = match format {
            Some(ext) => (ext.to_owned(), false),
            None => (negotiate_document(accept)?.to_owned(), true),
        };
        let mut response = if extension == "html" {
            self.dataset_page(&data, graph.as_str(), dataset.as_str())?
        } else {
            let triples = sparql::construct(&data, &project.prefixes, &dataset_page::description_query(graph.as_str()))
                .map_err(internal)?;
            if triples.is_empty() {
                return Err(Failure(
                    StatusCode::NOT_FOUND,
                    "this build has no description; run `factgraph build`".into(),
                ));
            }
            rdf_response(&triples, &extension, &project.prefixes)?
        };
        if vary {
            let headers = response.headers_mut();
            headers.insert(VARY, "Accept".parse().expect("a valid header"));
            if let Ok(location) = format!("/dataset.{extension}").parse() {
                headers.insert(CONTENT_LOCATION, location);
            }
        }
        Ok(response)
    }

    fn dataset_page(&self, data: &Graph, graph: &str, dataset: &str) -> Result<Response<Body>, Failure> {
        let prefixes = &self.options.project.prefixes;
        let select = |text: String| sparql::select(data, prefixes, &text).map_err(internal);
        let summary = select(dataset_page::summary_query(graph, dataset))?;
        if summary.iter().next().is_none() {
            return Err(Failure(StatusCode::NOT_FOUND, "this build has no description; run `factgraph build`".into()));
        }
        let classes = select(dataset_page::partitions_query(graph, dataset, "classPartition", "class", "entities"))?;
        let properties =
            select(dataset_page::partitions_query(graph, dataset, "propertyPartition", "property", "triples"))?;
        let sources = select(dataset_page::sources_query(graph, dataset))?;
        let inputs = select(dataset_page::inputs_query(graph))?;
        let source_iris: Vec<String> = sources.iter().filter_map(|row| row.iri("source")).collect();
        let source_info = if source_iris.is_empty() {
            Default::default()
        } else {
            resource_page::read_sources(&select(resource_page::sources_query(&source_iris))?)
        };
        let mut iris: Vec<String> = source_iris;
        iris.extend(classes.iter().chain(properties.iter()).filter_map(|row| row.iri("key")));
        let mut links = self.links();
        links.learn(sparql::labels_and_described(data, prefixes, &iris).map_err(internal)?);
        let page = dataset_page::DatasetPage {
            dataset,
            summary: &summary,
            classes: &classes,
            properties: &properties,
            sources: &sources,
            source_info: &source_info,
            inputs: &inputs,
            links: &links,
        };
        Ok(html_response(page.render()))
    }

    /// The whole graph as `factgraph export` writes it, streamed as it is
    /// written, gzip-compressed when the client accepts it. A failure
    /// midway ends the connection without the last chunk, so the client
    /// can tell the download is incomplete.
    pub(super) fn download(&self, name: &str, request: &Request<Body>) -> Result<Response<Body>, Failure> {
        let (format, media_type) = match name {
            "dataset.ttl" => (RdfFormat::Turtle, "text/turtle"),
            "dataset.nt" => (RdfFormat::NTriples, "application/n-triples"),
            "dataset.nq" => (RdfFormat::NQuads, "application/n-quads"),
            _ => {
                return Err(Failure(
                    StatusCode::NOT_FOUND,
                    format!("no download called {name}; there are dataset.ttl, dataset.nt and dataset.nq"),
                ))
            }
        };
        let gzip = accepts_gzip(&header(request, ACCEPT_ENCODING));
        let version = self.store_dir.require_current_version().map_err(internal)?;
        let from_store = self.options.read_from == factgraph_core::query::ReadFrom::Store;
        let quads = Quads::of_version(&version, from_store).map_err(internal)?;
        let prefixes = self.options.project.prefixes.clone();
        let dataset = factgraph_core::metadata::dataset_iri(&self.options.project);
        let note =
            factgraph_core::export::licence_note(format, dataset.as_str(), self.options.project.license.as_deref());
        let (pipe, writer) = std::io::pipe().map_err(|e| internal(format!("cannot stream the download: {e}")))?;
        let (outcome, told) = mpsc::channel();
        std::thread::spawn(move || {
            let result = (|| {
                let mut out: Box<dyn Write> = if gzip {
                    Box::new(flate2::write::GzEncoder::new(writer, flate2::Compression::fast()))
                } else {
                    Box::new(std::io::BufWriter::new(writer))
                };
                if let Some(note) = note {
                    out.write_all(note.as_bytes()).map_err(factgraph_core::Error::io("the download"))?;
                }
                factgraph_core::export::export(&quads, format, &prefixes, &[], &mut out)?;
                out.flush().map_err(factgraph_core::Error::io("the download"))
                // `out` ends here, and so does the pipe: the reader sees its end.
            })();
            let _ = outcome.send(result);
        });
        let mut response = Response::builder()
            .status(StatusCode::OK)
            .header(CONTENT_TYPE, media_type)
            .header(CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))
            .header(VARY, "Accept-Encoding")
            .body(Body::from_read(Streamed { pipe, told, outcome: None }))
            .expect("a valid response");
        if gzip {
            response.headers_mut().insert(CONTENT_ENCODING, "gzip".parse().expect("a valid header"));
        }
        Ok(response)
    }
}

/// The export as it is written, read from its pipe. Its end is an error
/// when the export failed, so that the server ends the answer without the
/// last chunk and the client sees an incomplete download, never a short
/// file that looks whole.
struct Streamed {
    pipe: std::io::PipeReader,
    told: mpsc::Receiver<Result<(), factgraph_core::Error>>,
    /// What the export said; `None` when it stopped without saying.
    outcome: Option<Option<Result<(), factgraph_core::Error>>>,
}

impl Read for Streamed {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.pipe.read(buffer)?;
        if read > 0 || buffer.is_empty() {
            return Ok(read);
        }
        // Told once; a reader may well ask again after the end.
        let outcome = self.outcome.get_or_insert_with(|| self.told.recv().ok());
        match outcome {
            Some(Ok(())) => Ok(0),
            Some(Err(problem)) => Err(std::io::Error::other(format!("the export failed: {problem}"))),
            None => Err(std::io::Error::other("the export failed: it stopped")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streamed(outcome: Result<(), factgraph_core::Error>) -> Streamed {
        let (pipe, mut writer) = std::io::pipe().unwrap();
        let (sender, told) = mpsc::channel();
        writer.write_all(b"<a> <b> <c> .\n").unwrap();
        drop(writer);
        sender.send(outcome).unwrap();
        Streamed { pipe, told, outcome: None }
    }

    #[test]
    fn a_failed_export_ends_its_stream_with_an_error_not_an_end() {
        let mut text = String::new();
        streamed(Ok(())).read_to_string(&mut text).unwrap();
        assert_eq!(text, "<a> <b> <c> .\n");
        let disk_gone = std::io::Error::other("disk gone");
        let mut failed = streamed(Err(factgraph_core::Error::io("/tmp/runs")(disk_gone)));
        let error = failed.read_to_string(&mut String::new()).unwrap_err();
        assert_eq!(error.to_string(), "the export failed: /tmp/runs: disk gone");
        assert!(failed.read(&mut [0; 8]).is_err(), "and again when asked again");
        let mut whole = streamed(Ok(()));
        whole.read_to_string(&mut String::new()).unwrap();
        assert_eq!(whole.read(&mut [0; 8]).unwrap(), 0, "an end stays an end");
    }
}
