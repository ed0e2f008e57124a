//! Where a project keeps its files: `factgraph.toml` when present, else the
//! conventional folders beside the current directory.

use crate::mapping::{self, Mapping, Plan};
use crate::problem::{Problem, ProblemKind};
use crate::source::table::database::Connection;
use crate::Error;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "factgraph.toml";

/// The SHACL shapes file inside the ontology folder; it describes the data
/// and is not loaded into the graph.
pub const SHAPES_FILE: &str = "shapes.ttl";

#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub data: PathBuf,
    pub mappings: PathBuf,
    pub ontology: PathBuf,
    pub queries: PathBuf,
    pub store: PathBuf,
    /// Base IRI for mappings without `@base`.
    pub base_iri: Option<String>,
    /// The licence of the published dataset (an IRI), for the build description.
    pub license: Option<String>,
    /// The dataset's title and what it holds, for the build description
    /// (`dct:title`, `dct:description`) and the dataset page.
    pub title: Option<String>,
    pub description: Option<String>,
    pub prefixes: Vec<(String, String)>,
    /// `[database]`: the connection R2RML's `rr:logicalTable` reads.
    database: Option<DatabaseConfig>,
    /// `[databases."DSN"]`: users and passwords for the databases the
    /// mappings name, by address.
    databases: std::collections::BTreeMap<String, Credentials>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    base_iri: Option<String>,
    license: Option<String>,
    title: Option<String>,
    description: Option<String>,
    #[serde(default)]
    paths: Paths,
    #[serde(default)]
    prefixes: std::collections::BTreeMap<String, String>,
    database: Option<DatabaseConfig>,
    #[serde(default)]
    databases: std::collections::BTreeMap<String, Credentials>,
}

/// `[database]`: an address (`jdbc:postgresql://host/db`,
/// `jdbc:sqlite:PATH` relative to the project's folder) and who logs in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseConfig {
    dsn: String,
    #[serde(flatten)]
    credentials: Credentials,
}

/// A user and a password, the password written out or, better, named by
/// the environment variable that holds it (`password_env`).
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    user: Option<String>,
    password: Option<String>,
    password_env: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("password_env", &self.password_env)
            .finish()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Paths {
    data: Option<PathBuf>,
    mappings: Option<PathBuf>,
    ontology: Option<PathBuf>,
    queries: Option<PathBuf>,
    store: Option<PathBuf>,
}

impl Project {
    /// Loads `config` if given, else `./factgraph.toml` if it exists, else
    /// uses the defaults (`data/`, `mappings/`, `ontology/`, `queries/`,
    /// `store/` in the current directory). Paths in a config file are
    /// relative to the file's folder.
    pub fn load(config: Option<&Path>) -> Result<Self, Error> {
        let path = match config {
            Some(path) => Some(path.to_owned()),
            None => Some(PathBuf::from(CONFIG_FILE)).filter(|p| p.exists()),
        };
        let Some(path) = path else {
            return Ok(Self::from_config(PathBuf::from("."), ConfigFile::default()));
        };
        let text = std::fs::read_to_string(&path).map_err(Error::io(&path))?;
        let config: ConfigFile = toml::from_str(&text).map_err(|e| config_problem(&path, &text, e))?;
        if let Some(base) = &config.base_iri {
            oxiri::Iri::parse(base.as_str()).map_err(|e| {
                let message = format!(
                    "base_iri {base:?} is not an absolute IRI: {e}; write one such as \"https://example.org/\""
                );
                Error::input(ProblemKind::Config, &path, message)
            })?;
        }
        for (prefix, iri) in &config.prefixes {
            oxiri::Iri::parse(iri.as_str()).map_err(|e| {
                let message = format!("prefix {prefix} = {iri:?} is not an absolute IRI: {e}");
                Error::input(ProblemKind::Config, &path, message)
            })?;
        }
        let root = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_owned();
        Ok(Self::from_config(root, config))
    }

    fn from_config(root: PathBuf, config: ConfigFile) -> Self {
        let at = |path: Option<PathBuf>, default: &str| {
            let path = path.unwrap_or_else(|| default.into());
            if root == Path::new(".") {
                path
            } else {
                root.join(path)
            }
        };
        Self {
            data: at(config.paths.data, "data"),
            mappings: at(config.paths.mappings, "mappings"),
            ontology: at(config.paths.ontology, "ontology"),
            queries: at(config.paths.queries, "queries"),
            store: at(config.paths.store, "store"),
            base_iri: config.base_iri,
            license: config.license,
            title: config.title,
            description: config.description,
            prefixes: config.prefixes.into_iter().collect(),
            database: config.database,
            databases: config.databases,
            root,
        }
    }

    /// The mapping files of the mappings folder, sorted by name: RML in
    /// Turtle (`.ttl`) and YARRRML (`.yml`, `.yaml`, `.yarrrml`), mixed freely.
    pub fn mapping_files(&self) -> Result<Vec<PathBuf>, Error> {
        let mut files = turtle_files(&self.mappings)?;
        for extension in factgraph_rml::yarrrml::EXTENSIONS {
            files.extend(files_with_extension(&self.mappings, extension)?);
        }
        files.sort();
        if files.is_empty() {
            let message = "no mapping files (.ttl, or YARRRML .yml, .yaml, .yarrrml) in this folder; write one, or set paths.mappings in factgraph.toml";
            return Err(Error::input(ProblemKind::Config, &self.mappings, message));
        }
        Ok(files)
    }

    /// Reads the mappings and compiles them against the CSV headers, with
    /// the project's base IRI for mappings without `@base`.
    pub fn compile_mappings(&self) -> Result<(Mapping, Plan), Error> {
        let mut mapping = mapping::read_mapping_files_with(&self.mapping_files()?, &self.read_options()?)?;
        for map in &mut mapping.triples_maps {
            if map.base_iri.is_none() {
                map.base_iri.clone_from(&self.base_iri);
            }
        }
        let plan = Plan::compile(&mapping)?;
        Ok((mapping, plan))
    }

    /// What the configuration adds to the mappings: the database of
    /// `rr:logicalTable` and the databases' users and passwords. A password
    /// named by `password_env` is read from the environment here, and its
    /// absence is an error naming the variable.
    pub fn read_options(&self) -> Result<mapping::ReadOptions, Error> {
        let config = self.root.join(CONFIG_FILE);
        let connection = |dsn: &str, credentials: &Credentials| -> Result<Connection, Error> {
            let password = match &credentials.password_env {
                Some(variable) => Some(std::env::var(variable).map_err(|_| {
                    let message = format!(
                        "the password of the database {dsn:?} is to come from the environment variable \
                         {variable}, which is not set; set it, or remove password_env"
                    );
                    Error::input(ProblemKind::Config, &config, message)
                })?),
                None => credentials.password.clone(),
            };
            Ok(Connection { dsn: dsn.to_owned(), user: credentials.user.clone(), password, driver: None })
        };
        let database = match &self.database {
            Some(database) => {
                let mut dsn = database.dsn.clone();
                if let Some(path) = dsn.strip_prefix("jdbc:sqlite:").filter(|p| Path::new(p).is_relative()) {
                    dsn = format!("jdbc:sqlite:{}", self.root.join(path).display());
                }
                let connection = connection(&dsn, &database.credentials)?;
                connection
                    .system()
                    .map_err(|e| Error::input(ProblemKind::Config, &config, format!("[database] {e}")))?;
                Some(connection)
            }
            None => None,
        };
        let databases = self
            .databases
            .iter()
            .map(|(dsn, credentials)| Ok((dsn.clone(), connection(dsn, credentials)?)))
            .collect::<Result<_, Error>>()?;
        Ok(mapping::ReadOptions { database, databases, ..mapping::ReadOptions::default() })
    }

    /// The ontology's `.ttl` files, without the SHACL shapes. A project
    /// without an ontology folder has none.
    pub fn ontology_files(&self) -> Result<Vec<PathBuf>, Error> {
        if !self.ontology.exists() {
            return Ok(Vec::new());
        }
        Ok(turtle_files(&self.ontology)?
            .into_iter()
            .filter(|p| p.file_name().is_some_and(|n| n != SHAPES_FILE))
            .collect())
    }
}

fn turtle_files(folder: &Path) -> Result<Vec<PathBuf>, Error> {
    files_with_extension(folder, "ttl")
}

/// The files of `folder` whose names end in `.{extension}`, sorted by name.
pub(crate) fn files_with_extension(folder: &Path, extension: &str) -> Result<Vec<PathBuf>, Error> {
    let entries = std::fs::read_dir(folder).map_err(Error::io(folder))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(Error::io(folder))?.path();
        if path.extension().is_some_and(|e| e == extension) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// A TOML error as a problem at its line.
fn config_problem(path: &Path, text: &str, error: toml::de::Error) -> Error {
    let message = error.message().trim_end().replace('\n', " ");
    let problem = Problem::new(ProblemKind::Config, path, message);
    Error::Input(match error.span() {
        Some(span) => problem.at_line(1 + text[..span.start.min(text.len())].matches('\n').count() as u64),
        None => problem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(toml: &str) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join(CONFIG_FILE);
        std::fs::write(&config, toml).unwrap();
        let project = Project::load(Some(&config)).unwrap();
        (dir, project)
    }

    #[test]
    fn the_database_of_logical_tables_is_relative_to_the_project_and_passwords_come_from_the_environment() {
        let (dir, project) = project(
            "[database]\ndsn = \"jdbc:sqlite:data/facts.sqlite\"\n\n\
             [databases.\"jdbc:postgresql://db/facts\"]\nuser = \"reader\"\npassword_env = \"FACTGRAPH_TEST_DB_PASSWORD_1\"\n",
        );
        let error = project.read_options().unwrap_err().to_string();
        assert!(error.contains("FACTGRAPH_TEST_DB_PASSWORD_1, which is not set"), "{error}");
        std::env::set_var("FACTGRAPH_TEST_DB_PASSWORD_1", "s3cret");
        let options = project.read_options().unwrap();
        let database = options.database.unwrap();
        assert_eq!(database.dsn, format!("jdbc:sqlite:{}", dir.path().join("data/facts.sqlite").display()));
        let facts = &options.databases["jdbc:postgresql://db/facts"];
        assert_eq!((facts.user.as_deref(), facts.password.as_deref()), (Some("reader"), Some("s3cret")));
        assert!(!format!("{project:?}{facts:?}").contains("s3cret"));
    }

    #[test]
    fn a_database_address_of_no_known_system_is_a_configuration_error() {
        let (_dir, project) = project("[database]\ndsn = \"jdbc:oracle:thin:@host:1521:db\"\n");
        let error = project.read_options().unwrap_err().to_string();
        assert!(error.contains("[database] the database address"), "{error}");
    }
}
