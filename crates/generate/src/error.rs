//! What can stop a generation, and where: the binary turns a
//! [`GenerateError`] into the library's error and exit code (a fault in the
//! description or the template's data is the user's to fix).

use std::fmt;
use std::path::PathBuf;

/// Everything that can stop [`crate::generate`].
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The output folder holds files already: generate writes a whole
    /// project, and overwrites nothing.
    #[error("{}: the folder is not empty; generate writes a whole project into a new or empty folder", .0.display())]
    NotEmpty(PathBuf),
    /// The description `path` is missing or wrong, or does not fit the
    /// template's CSV files: `fault` says what, and where in the
    /// description.
    #[error("{}: {fault}", path.display())]
    Description { path: PathBuf, fault: Fault },
    /// A CSV file of the template whose header cannot be read.
    #[error("{}: {source}", path.display())]
    Csv { path: PathBuf, source: csv::Error },
    /// A file or folder that cannot be read or written.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

impl GenerateError {
    /// The error for a failed read or write of `path`, for `map_err`.
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        move |source| Self::Io { path: path.into(), source }
    }
}

/// One fault of a description: where it is (`tables.offerings, step 3
/// (column "id")`; empty for the description as a whole or for a string
/// whose place its reader adds) and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub place: String,
    pub problem: String,
}

impl Fault {
    /// A fault whose place the caller adds ([`Fault::within`]).
    pub(crate) fn new(problem: impl Into<String>) -> Self {
        Self { place: String::new(), problem: problem.into() }
    }

    pub(crate) fn at(place: impl ToString, problem: impl Into<String>) -> Self {
        Self { place: place.to_string(), problem: problem.into() }
    }

    /// The same fault, inside `outer` (a table, a step, a key).
    pub(crate) fn within(self, outer: impl ToString) -> Self {
        let place = match self.place.is_empty() {
            true => outer.to_string(),
            false => format!("{}: {}", outer.to_string(), self.place),
        };
        Self { place, problem: self.problem }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.place.is_empty() {
            true => f.write_str(&self.problem),
            false => write!(f, "{}: {}", self.place, self.problem),
        }
    }
}

impl std::error::Error for Fault {}
