//! Problems found in the input: what `check` reports and what stops a build.
//! Each names the file and, where it has one, the line, column and triples map.
//! [`SourceError`] is here, not in `source`, because `files.rs` opens
//! sources with it and `source` opens files with `files.rs`.

use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    pub file: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The column on `line`, counted in characters from 1: where a
    /// YARRRML mapping file has the problem. (`column` is a CSV column.)
    /// Non-zero, so that a problem stays small enough to be an error value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub character: Option<std::num::NonZeroU32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub triples_map: Option<String>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// A mapping that cannot run.
    Mapping,
    /// A CSV file that cannot be read as CSV.
    Csv,
    InvalidIri,
    InvalidLiteral,
    EmptyValue,
    DuplicateIdentifier,
    DanglingReference,
    /// A SHACL shape the graph does not conform to.
    Shape,
    /// A project configuration (`factgraph.toml`) that cannot be used.
    Config,
    /// An ontology or shapes file that is not valid RDF, or shapes that
    /// are not valid SHACL.
    Ontology,
}

impl Problem {
    pub fn new(kind: ProblemKind, file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self {
            kind,
            file: file.into(),
            line: None,
            character: None,
            column: None,
            triples_map: None,
            message: message.into(),
        }
    }

    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// The character on the line where the problem is (from 1).
    pub fn at_character(mut self, character: u32) -> Self {
        self.character = std::num::NonZeroU32::new(character);
        self
    }

    pub fn in_column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    pub fn in_map(mut self, triples_map: impl Into<String>) -> Self {
        self.triples_map = Some(triples_map.into());
        self
    }
}

/// `file:line: message (column "x", triples map <m>)`, or `file:line:character:`
/// for a place in a YARRRML file, as compilers write it.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(character) = self.character {
                write!(f, ":{character}")?;
            }
        }
        write!(f, ": {}", self.message)?;
        let mut context = Vec::new();
        if let Some(column) = &self.column {
            context.push(format!("column {column:?}"));
        }
        if let Some(map) = &self.triples_map {
            context.push(format!("triples map {map}"));
        }
        if !context.is_empty() {
            write!(f, " ({})", context.join(", "))?;
        }
        Ok(())
    }
}

/// A source that cannot be read at all (missing, without a CSV header, not
/// JSON or XML), with the line where the format gives one.
#[derive(Debug, Clone, thiserror::Error)]
pub struct SourceError {
    pub file: PathBuf,
    pub line: Option<u64>,
    pub problem: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}", self.problem)
    }
}
