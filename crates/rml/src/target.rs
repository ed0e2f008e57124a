//! Logical targets (RML-IO): files the quads are written to, in a chosen
//! serialisation, compression and encoding. A target appears only when the
//! run succeeds: it is written under a temporary name and renamed at the end.
//!
//! STUB: the interface only; a helper is implementing it.

use crate::files::{Compression, Encoding};
use oxrdf::Quad;
use std::path::{Path, PathBuf};

/// The RDF serialisations a target may ask for (`rml:serialization`,
/// formats.ttl's IRIs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Serialization {
    NQuads,
    NTriples,
    Turtle,
    TriG,
    N3,
    JsonLd,
    RdfXml,
    RdfJson,
}

impl Serialization {
    /// The serialisation a W3C formats IRI names.
    pub fn from_iri(iri: &str) -> Option<Self> {
        Some(match iri.strip_prefix("http://www.w3.org/ns/formats/")? {
            "N-Quads" => Self::NQuads,
            "N-Triples" => Self::NTriples,
            "Turtle" => Self::Turtle,
            "TriG" => Self::TriG,
            "N3" => Self::N3,
            "JSON-LD" => Self::JsonLd,
            "RDF_XML" => Self::RdfXml,
            "RDF_JSON" => Self::RdfJson,
            _ => return None,
        })
    }
}

/// Where and how a target writes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TargetSpec {
    pub path: PathBuf,
    pub serialization: Serialization,
    pub compression: Compression,
    pub encoding: Encoding,
}

/// A target being written.
pub struct TargetWriter {
    spec: TargetSpec,
}

impl TargetWriter {
    /// Starts writing; fails when the file's folder cannot be written.
    pub fn create(spec: &TargetSpec) -> std::io::Result<Self> {
        Err(std::io::Error::other(format!("{}: targets are not implemented yet", spec.path.display())))
    }

    pub fn path(&self) -> &Path {
        &self.spec.path
    }

    pub fn write(&mut self, _quad: &Quad) -> std::io::Result<()> {
        Ok(())
    }

    /// Finishes the file and puts it in place. A writer dropped without
    /// `finish` leaves nothing behind.
    pub fn finish(self) -> std::io::Result<()> {
        Ok(())
    }
}
