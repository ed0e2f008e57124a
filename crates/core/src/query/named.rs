//! Named questions: `queries/NAME.rq`, whose leading comment gives a title
//! (first line) and a description (the lines after it).

use crate::Error;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct NamedQuery {
    pub name: String,
    pub path: PathBuf,
    pub title: String,
    pub description: String,
    pub text: String,
}

impl NamedQuery {
    pub fn read(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let (title, description) = header(&text);
        Ok(Self { name, path: path.to_owned(), title, description, text })
    }
}

/// Every `.rq` file of the folder, sorted by name.
pub fn list(folder: &Path) -> Result<Vec<NamedQuery>, Error> {
    let mut queries = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(Error::io(folder))? {
        let path = entry.map_err(Error::io(folder))?.path();
        if path.extension().is_some_and(|e| e == "rq") {
            queries.push(NamedQuery::read(&path)?);
        }
    }
    queries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(queries)
}

/// The question called `name` in `folder`. Names are plain file stems
/// (letters, digits, `-`, `_`), so a name can never reach outside the folder.
pub fn find(folder: &Path, name: &str) -> Result<NamedQuery, Error> {
    let error = |problem: String| Error::Query { name: name.to_owned(), problem };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(error(
            "a question name has only letters, digits, '-' and '_'; give a path ending in .rq to run a file".into(),
        ));
    }
    let path = folder.join(format!("{name}.rq"));
    if !path.is_file() {
        let names: Vec<String> = list(folder).map(|l| l.into_iter().map(|q| q.name).collect()).unwrap_or_default();
        let mut problem = format!("no question named {name:?} in {}", folder.display());
        if let Some(near) = crate::suggest::nearest(name, names.iter().map(String::as_str)) {
            problem.push_str(&format!("; did you mean {near:?}?"));
        }
        problem.push_str("; `factgraph queries` lists them");
        return Err(error(problem));
    }
    NamedQuery::read(&path)
}

/// The title and description from the comment lines at the top of a query.
///
/// ```
/// let (title, description) = factgraph_core::query::named::header("# Offerings\n# without a partner.\nSELECT * {}");
/// assert_eq!((title.as_str(), description.as_str()), ("Offerings", "without a partner."));
/// ```
pub fn header(text: &str) -> (String, String) {
    let mut comments = text
        .lines()
        .map(str::trim)
        .take_while(|line| line.starts_with('#'))
        .map(|line| line.trim_start_matches('#').trim());
    let title = comments.next().unwrap_or_default().to_owned();
    let description = comments.filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
    (title, description)
}
