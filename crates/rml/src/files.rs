//! Files in and out: decompression and decoding of sources, compression and
//! encoding of targets.
//!
//! STUB: the interface only; a helper is implementing it.

use crate::source::SourceError;
use std::io::Read;
use std::path::Path;

/// How a source or target file is compressed (`rml:compression`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Compression {
    #[default]
    None,
    Gzip,
    Zip,
    TarGzip,
    TarXz,
}

/// How a source or target file's text is encoded (`rml:encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Encoding {
    #[default]
    Utf8,
    Utf16,
}

impl Compression {
    /// The compression an RML IRI names (`http://w3id.org/rml/gzip`).
    pub fn from_iri(iri: &str) -> Option<Self> {
        Some(match iri.strip_prefix("http://w3id.org/rml/")? {
            "none" => Self::None,
            "gzip" => Self::Gzip,
            "zip" => Self::Zip,
            "targz" => Self::TarGzip,
            "tarxz" => Self::TarXz,
            _ => return None,
        })
    }
}

impl Encoding {
    /// The encoding an RML IRI names (`http://w3id.org/rml/UTF-16`).
    pub fn from_iri(iri: &str) -> Option<Self> {
        Some(match iri.strip_prefix("http://w3id.org/rml/")? {
            "UTF-8" => Self::Utf8,
            "UTF-16" => Self::Utf16,
            _ => return None,
        })
    }
}

/// Opens `path`, decompressed and decoded: the reader gives UTF-8.
pub fn open_input(
    path: &Path,
    compression: Compression,
    encoding: Encoding,
) -> Result<Box<dyn Read + Send>, SourceError> {
    if compression != Compression::None || encoding != Encoding::Utf8 {
        return Err(SourceError {
            file: path.to_owned(),
            line: None,
            problem: "compressed or UTF-16 sources are not implemented yet".into(),
        });
    }
    let file = std::fs::File::open(path).map_err(|e| SourceError {
        file: path.to_owned(),
        line: None,
        problem: format!("cannot open the file: {e}"),
    })?;
    Ok(Box::new(file))
}
