//! YARRRML (<https://rml.io/yarrrml/spec/>) translated into RML.
//!
//! [`translate`] reads one or more YARRRML documents (mappings in one may
//! name mappings, sources and targets of another) and gives, for each, the
//! RML graph it means, in the current RML vocabulary (`http://w3id.org/rml/`:
//! RML-Core, RML-IO, RML-FNML) that factgraph's engine and other RML
//! engines read. Every node the translation makes (triples maps, logical
//! sources, term maps, function executions, join conditions) is remembered
//! at the line and column of the YAML it came from, so that a problem found
//! later in the RML can be shown where the user wrote it.
//! [`to_turtle`] writes a translation as readable Turtle.
//!
//! ```
//! use factgraph_yarrrml::{translate, Document};
//! let yaml = "mappings:\n  person:\n    sources: [[people.csv~csv]]\n    s: http://example.com/$(id)\n    po:\n      - [foaf:name, $(name)]\n";
//! let translation = translate(&[Document { path: "people.yml".into(), text: yaml.into() }]).unwrap();
//! let file = &translation.files[0];
//! assert!(!file.triples.is_empty());
//! let turtle = factgraph_yarrrml::to_turtle(&translation);
//! assert!(turtle.contains("rml:reference \"name\""));
//! ```

mod prefixes;
mod translate;
mod turtle;
mod value;
mod yaml;

use oxrdf::{NamedOrBlankNode, Triple};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use translate::translate;
pub use turtle::to_turtle;

/// The file name endings of YARRRML documents.
pub const EXTENSIONS: &[&str] = &["yml", "yaml", "yarrrml"];

/// Whether a path names a YARRRML document (`.yml`, `.yaml`, `.yarrrml`).
pub fn is_yarrrml_path(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// A place in a YAML file: line and column, both from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    pub line: u64,
    pub column: u64,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A YARRRML document to translate: its path (for messages and relative
/// source paths) and its text.
#[derive(Debug, Clone)]
pub struct Document {
    pub path: PathBuf,
    pub text: String,
}

/// The RML of every document given to [`translate`], in their order.
#[derive(Debug, Clone, Default)]
pub struct Translation {
    pub files: Vec<TranslatedFile>,
    /// The prefixes the documents declare, in order, then the RML ones the
    /// translation uses: for readable output.
    pub prefixes: Vec<(String, String)>,
}

/// The RML one YARRRML document means.
#[derive(Debug, Clone)]
pub struct TranslatedFile {
    pub path: PathBuf,
    /// The RML triples, in the order the YAML gives their nodes.
    pub triples: Vec<Triple>,
    /// Where each node the translation made is written in the YAML.
    pub positions: HashMap<NamedOrBlankNode, Position>,
    /// The document's `base:`, the base IRI of relative IRIs made from data.
    pub base_iri: Option<String>,
}

/// A document that is not YARRRML, with where and why.
#[derive(Debug, Clone, thiserror::Error)]
pub struct Error {
    pub file: PathBuf,
    pub position: Option<Position>,
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(position) = self.position {
            write!(f, ":{position}")?;
        }
        write!(f, ": {}", self.message)
    }
}
