//! Synthetic projects for benchmarks and load tests (`factgraph
//! generate`): the same configuration, mappings, ontology and questions as a
//! real project, with CSV files of any size that pass `factgraph check`.
//!
//! The crate stands before the flow sources → mapping plan → quads → sinks
//! (store, checks, targets) → queries and exports: it writes sources. It
//! reads a project's folders ([`ProjectFolders`]) and CSV headers and writes
//! CSV, and knows nothing of RDF, mappings or the store, so it builds
//! without RocksDB or the RML engine.
//!
//! What goes into the CSV files is not written here: the project describes
//! it in `data/generate.toml`, beside the data ([`describe`] reads it; the
//! README's "Synthetic data" explains it), and this module only runs that
//! description ([`run`]). So a column added to the data is added to the
//! description, not to Rust, and a researcher's own project can be generated
//! as well as the bundled one.
//!
//! The column names come from the template project's CSV headers, read at run
//! time; a header column the description does not fill, or a column it fills
//! that the header does not have, stops the generation before anything is
//! written, so the synthetic data cannot drift silently from the real data.
//! Each table is streamed through `csv::Writer`, one row at a time.

mod describe;
mod error;
mod rng;
mod run;
mod template;

use describe::Description;
pub use describe::DESCRIPTION_FILE;
pub use error::{Fault, GenerateError};
use run::Runner;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Where the template project keeps its files, as the command found them
/// (`factgraph.toml`, or the conventional folders).
#[derive(Debug, Clone)]
pub struct ProjectFolders {
    /// The folder the others are relative to.
    pub root: PathBuf,
    /// The configuration file, copied when it exists.
    pub config: PathBuf,
    pub data: PathBuf,
    pub mappings: PathBuf,
    /// Copied when it exists, and so is `queries`.
    pub ontology: PathBuf,
    pub queries: PathBuf,
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct GenerateOptions {
    /// N, the size the description's `rows` are functions of (for the
    /// bundled project, its number of offerings).
    pub offerings: u64,
    pub seed: u64,
}

/// Rows written per CSV file, in the order of the template's files.
#[derive(Debug)]
pub struct GenerateReport {
    pub files: Vec<(PathBuf, u64)>,
}

impl GenerateReport {
    pub fn total_rows(&self) -> u64 {
        self.files.iter().map(|(_, rows)| rows).sum()
    }
}

/// A CSV file of the template and how to fill it.
struct Plan {
    name: String,
    table: usize,
    header: Vec<String>,
    /// The slot of each header column.
    slots: Vec<usize>,
}

/// Writes a project into `out` (which must be absent or empty): the
/// template's configuration file, mappings, ontology and queries copied, and
/// a `data/` folder with the template's CSV file names and headers filled
/// with the rows that the template's `data/generate.toml` describes for
/// N = `options.offerings`.
pub fn generate(
    template: &ProjectFolders,
    out: &Path,
    options: GenerateOptions,
) -> Result<GenerateReport, GenerateError> {
    refuse_non_empty(out)?;
    let description = read_description(&template.data)?;
    let plans = plan(&description, &template.data)?;
    copy_project(template, out)?;
    let data = out.join(relative(template, &template.data, "data"));
    std::fs::create_dir_all(&data).map_err(GenerateError::io(&data))?;
    let runner = Runner::new(&description, options.offerings, options.seed);
    let mut files = Vec::new();
    for plan in &plans {
        let target = data.join(&plan.name);
        let rows = write_table(&target, &runner, plan)?;
        files.push((target, rows));
    }
    Ok(GenerateReport { files })
}

fn refuse_non_empty(out: &Path) -> Result<(), GenerateError> {
    if out.exists() {
        let mut entries = std::fs::read_dir(out).map_err(GenerateError::io(out))?;
        if entries.next().is_some() {
            return Err(GenerateError::NotEmpty(out.to_owned()));
        }
    }
    Ok(())
}

fn read_description(data: &Path) -> Result<Description, GenerateError> {
    let path = data.join(DESCRIPTION_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(GenerateError::Description { path, fault: Fault::new(describe::MISSING) })
        }
        Err(e) => return Err(GenerateError::Io { path, source: e }),
    };
    Description::parse(&text, &path).map_err(|fault| GenerateError::Description { path, fault })
}

/// A template folder's place inside `out`: its path relative to the
/// template's root, or `default` for a folder outside it.
fn relative(template: &ProjectFolders, path: &Path, default: &str) -> PathBuf {
    path.strip_prefix(&template.root)
        .ok()
        .filter(|p| p.is_relative() && !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from(default), Path::to_owned)
}

fn copy_project(template: &ProjectFolders, out: &Path) -> Result<(), GenerateError> {
    std::fs::create_dir_all(out).map_err(GenerateError::io(out))?;
    if let (true, Some(name)) = (template.config.exists(), template.config.file_name()) {
        copy_file(&template.config, &out.join(name))?;
    }
    copy_dir(&template.mappings, &out.join(relative(template, &template.mappings, "mappings")))?;
    for (folder, default) in [(&template.ontology, "ontology"), (&template.queries, "queries")] {
        if folder.exists() {
            copy_dir(folder, &out.join(relative(template, folder, default)))?;
        }
    }
    Ok(())
}

fn copy_file(from: &Path, to: &Path) -> Result<(), GenerateError> {
    std::fs::copy(from, to).map_err(GenerateError::io(from)).map(|_| ())
}

/// Copies a folder's files and sub-folders (not the store, which is never
/// inside these folders).
fn copy_dir(from: &Path, to: &Path) -> Result<(), GenerateError> {
    std::fs::create_dir_all(to).map_err(GenerateError::io(to))?;
    for entry in std::fs::read_dir(from).map_err(GenerateError::io(from))? {
        let entry = entry.map_err(GenerateError::io(from))?;
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()))?;
        } else {
            copy_file(&path, &to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

fn read_header(path: &Path) -> Result<Vec<String>, GenerateError> {
    let unreadable = |source: csv::Error| GenerateError::Csv { path: path.to_owned(), source };
    let mut reader = csv::Reader::from_path(path).map_err(unreadable)?;
    let header = reader.headers().map_err(unreadable)?;
    Ok(header.iter().map(str::to_owned).collect())
}

/// Matches the template's CSV files and headers with the description's
/// tables and columns: every file described, every column filled, nothing
/// described that the data does not have.
fn plan(description: &Description, data: &Path) -> Result<Vec<Plan>, GenerateError> {
    let fault = |fault: Fault| GenerateError::Description { path: description.path.clone(), fault };
    let files = files_with_extension(data, "csv")?;
    let mut plans = Vec::new();
    for source in &files {
        let name = source.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let stem = name.strip_suffix(".csv").unwrap_or(&name);
        let table = description.table(stem).ok_or_else(|| {
            fault(Fault::new(format!("no [tables.{stem}] for {}; describe how to fill it", source.display())))
        })?;
        let header = read_header(source)?;
        let slots = column_slots(description, table, &header, source).map_err(fault)?;
        plans.push(Plan { name, table, header, slots });
    }
    if let Some(extra) =
        description.tables.iter().find(|t| !plans.iter().any(|p| description.tables[p.table].name == t.name))
    {
        let problem = format!("describes {}.csv, which is not in {}", extra.name, data.display());
        return Err(fault(Fault::at(format!("tables.{}", extra.name), problem)));
    }
    Ok(plans)
}

fn column_slots(
    description: &Description,
    table: usize,
    header: &[String],
    source: &Path,
) -> Result<Vec<usize>, Fault> {
    let table = &description.tables[table];
    let place = format!("tables.{}", table.name);
    if let Some((column, _)) = table.columns.iter().find(|(c, _)| !header.contains(c)) {
        let problem = format!(
            "fills column {column:?}, which {} does not have (its columns: {})",
            source.display(),
            header.join(", ")
        );
        return Err(Fault::at(place, problem));
    }
    header
        .iter()
        .map(|column| {
            let slot = table.columns.iter().find(|(c, _)| c == column).map(|(_, slot)| *slot);
            slot.ok_or_else(|| {
                let problem = format!(
                    "does not fill column {column:?} of {}; add a step {{ column = {column:?}, … }}",
                    source.display()
                );
                Fault::at(&place, problem)
            })
        })
        .collect()
}

fn write_table(target: &Path, runner: &Runner<'_>, plan: &Plan) -> Result<u64, GenerateError> {
    let file = File::create(target).map_err(GenerateError::io(target))?;
    let mut writer = csv::Writer::from_writer(BufWriter::with_capacity(1 << 16, file));
    let csv_error = |e: csv::Error| GenerateError::io(target)(e.into());
    writer.write_record(&plan.header).map_err(csv_error)?;
    let count = runner.rows[plan.table];
    let mut cells = vec![String::new(); plan.slots.len()];
    for index in 0..count {
        fill(runner, plan, index, &mut cells).map_err(|fault| {
            let table = &runner.description.tables[plan.table].name;
            let fault = fault.within(format!("tables.{table}, row {index}"));
            GenerateError::Description { path: runner.description.path.clone(), fault }
        })?;
        writer.write_record(&cells).map_err(csv_error)?;
    }
    let mut inner = writer.into_inner().map_err(|e| GenerateError::io(target)(e.into_error()))?;
    inner.flush().map_err(GenerateError::io(target))?;
    Ok(count)
}

fn fill(runner: &Runner<'_>, plan: &Plan, index: u64, cells: &mut [String]) -> Result<(), Fault> {
    let values = runner.row(plan.table, index)?;
    for (cell, slot) in cells.iter_mut().zip(&plan.slots) {
        cell.clear();
        runner.write(&values[*slot], cell)?;
    }
    Ok(())
}

/// The files of `folder` whose names end in `.{extension}`, sorted by name.
fn files_with_extension(folder: &Path, extension: &str) -> Result<Vec<PathBuf>, GenerateError> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(GenerateError::io(folder))? {
        let path = entry.map_err(GenerateError::io(folder))?.path();
        if path.extension().is_some_and(|e| e == extension) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests;
