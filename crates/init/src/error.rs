use std::path::PathBuf;

/// Why init wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{0} is not empty; init writes a new project into an absent or empty folder")]
    NotEmpty(PathBuf),
    #[error("name at least one table to start from: --from data.csv, a folder of CSV files, a spreadsheet, a SQLite file or a database's address (postgresql://USER@HOST/DATABASE)")]
    NoInput,
    /// An input init cannot read, with what to give instead.
    #[error("{input}: {problem}")]
    Input { input: String, problem: String },
    /// A table the engine cannot read.
    #[error(transparent)]
    Source(#[from] factgraph_rml::source::SourceError),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

impl InitError {
    /// The error for a failed read or write of `path`, for `map_err`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        move |source| Self::Io { path: path.into(), source }
    }

    pub(crate) fn input(input: &str, problem: impl Into<String>) -> Self {
        Self::Input { input: input.to_owned(), problem: problem.into() }
    }
}
