//! The files of the new project. Everything is written into a hidden
//! sibling folder and renamed into place at the end, so that a failure
//! leaves no half-written project.

use crate::infer::Kind;
use crate::inputs::{Origin, Table};
use crate::names;
use crate::InitError;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// The IRIs of the project: its resources and its own terms.
struct Namespaces {
    resources: String,
    terms: String,
}

impl Namespaces {
    fn for_project(dir: &Path) -> Self {
        let name = dir.file_name().map(|n| names::slug(&n.to_string_lossy())).unwrap_or_else(|| "project".into());
        let resources = format!("https://example.org/{name}/");
        Self { terms: format!("{resources}ontology#"), resources }
    }
}

pub(crate) fn project(dir: &Path, tables: &[Table]) -> Result<(), InitError> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(InitError::io(&parent))?;
    let staging =
        tempfile::Builder::new().prefix(".factgraph-init-").tempdir_in(&parent).map_err(InitError::io(&parent))?;
    let root = staging.path();
    let namespaces = Namespaces::for_project(dir);
    for folder in ["data", "mappings", "ontology", "queries"] {
        std::fs::create_dir(root.join(folder)).map_err(InitError::io(root.join(folder)))?;
    }
    let mut copied: Vec<(PathBuf, String)> = Vec::new();
    for table in tables {
        let data_file = copy_data(root, table, &mut copied)?;
        write(root, &format!("mappings/{}.yml", table.name), &mapping(table, &data_file, &namespaces))?;
        write(root, &format!("queries/{}.rq", table.name), &question(table, &namespaces))?;
    }
    write(root, "ontology/ontology.ttl", &ontology(tables, &namespaces))?;
    write(root, "ontology/shapes.ttl", &shapes(tables, &namespaces))?;
    write(root, "factgraph.toml", &config(dir, &namespaces))?;
    write(root, "README.md", &readme(dir, tables))?;
    if dir.exists() {
        std::fs::remove_dir(dir).map_err(InitError::io(dir))?; // empty: checked before
    }
    let staged = staging.keep();
    std::fs::rename(&staged, dir).map_err(InitError::io(dir))
}

fn write(root: &Path, relative: &str, text: &str) -> Result<(), InitError> {
    let path = root.join(relative);
    std::fs::write(&path, text).map_err(InitError::io(path))
}

/// The name of the column that holds the row number, for a table with no
/// identifier of its own: `row`, unless the table has one.
fn row_column(table: &Table) -> String {
    let taken = |name: &str| table.columns.iter().any(|c| c.name.eq_ignore_ascii_case(name));
    ["row", "row_number", "factgraph_row"].into_iter().find(|n| !taken(n)).unwrap_or("factgraph_row_number").into()
}

/// Copies the table's file into `data/` (a SQLite file once for all its
/// tables) and returns its name there. A CSV table without an identifier
/// gets its row number as a first column, so that its rows have IRIs.
fn copy_data(root: &Path, table: &Table, copied: &mut Vec<(PathBuf, String)>) -> Result<String, InitError> {
    let source = table.origin.file();
    if let Some((_, name)) = copied.iter().find(|(file, _)| file == source) {
        return Ok(name.clone());
    }
    let extension = source.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    let stem = match &table.origin {
        Origin::Csv { .. } => table.name.clone(),
        Origin::Sqlite { file, .. } | Origin::Sheet { file, .. } => {
            names::slug(&file.file_stem().unwrap_or_default().to_string_lossy())
        }
    };
    let mut name = format!("{stem}.{extension}");
    let mut n = 1;
    while copied.iter().any(|(_, taken)| *taken == name) {
        n += 1;
        name = format!("{stem}-{n}.{extension}");
    }
    let target = root.join("data").join(&name);
    match (&table.origin, &table.identifier) {
        (Origin::Csv { file }, None) => number_rows(file, &target, &row_column(table), extension == "tsv")?,
        _ => {
            std::fs::copy(source, &target).map_err(InitError::io(&target))?;
        }
    }
    copied.push((source.to_owned(), name.clone()));
    Ok(name)
}

fn number_rows(from: &Path, to: &Path, column: &str, tab: bool) -> Result<(), InitError> {
    let delimiter = if tab { b'\t' } else { b',' };
    let csv_error = |e: csv::Error| InitError::input(&from.display().to_string(), e.to_string());
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_path(from).map_err(csv_error)?;
    let mut writer = csv::WriterBuilder::new().delimiter(delimiter).flexible(true).from_path(to).map_err(csv_error)?;
    let header = reader.headers().map_err(csv_error)?.clone();
    writer.write_record(std::iter::once(column).chain(header.iter())).map_err(csv_error)?;
    for (number, record) in reader.records().enumerate() {
        let record = record.map_err(csv_error)?;
        let number = (number + 1).to_string();
        writer.write_record(std::iter::once(number.as_str()).chain(record.iter())).map_err(csv_error)?;
    }
    writer.flush().map_err(InitError::io(to))
}

/// A YAML string, quoted.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A reference to a column in a YARRRML template: `$(name)`, with the
/// characters YARRRML gives a meaning escaped.
fn reference(column: &str) -> String {
    let mut escaped = String::new();
    for c in column.chars() {
        if matches!(c, '(' | ')' | '{' | '}' | '\\' | '$') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    format!("$({escaped})")
}

fn mapping(table: &Table, data_file: &str, ns: &Namespaces) -> String {
    let class = names::class(&table.name);
    let (identifier, row_source) = match (&table.identifier, &table.origin) {
        (Some(id), _) => (id.clone(), None),
        (None, Origin::Sqlite { table: name, .. }) => {
            let row = row_column(table);
            (row.clone(), Some(format!("SELECT rowid AS \"{row}\", * FROM \"{}\"", name.replace('"', "\"\""))))
        }
        (None, Origin::Csv { .. }) => (row_column(table), None),
        // A sheet cannot be given a column by a copy that stays a workbook:
        // its rows without an identifier are blank nodes.
        (None, Origin::Sheet { .. }) => (String::new(), None),
    };
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# The rows of {} as {class} resources: written by `factgraph init`; edit freely.",
        table.origin.file().display()
    );
    let _ = writeln!(y, "prefixes:\n  ex: {}\n  xsd: {}\n", quoted(&ns.terms), quoted(XSD));
    let _ = writeln!(y, "mappings:\n  {}:\n    sources:", table.name);
    match &table.origin {
        Origin::Csv { .. } => {
            let formulation = "csv";
            let _ = writeln!(y, "      - [{}]", quoted(&format!("../data/{data_file}~{formulation}")));
        }
        Origin::Sqlite { table: name, .. } => {
            let _ = writeln!(y, "      - access: {}\n        type: sqlite", quoted(&format!("../data/{data_file}")));
            match &row_source {
                Some(query) => {
                    let _ = writeln!(y, "        queryFormulation: sql2008\n        query: {}", quoted(query));
                }
                None => {
                    let _ = writeln!(
                        y,
                        "        queryFormulation: sql2008\n        query: {}",
                        quoted(&format!("SELECT * FROM \"{}\"", name.replace('"', "\"\"")))
                    );
                }
            }
            let _ = writeln!(y, "        referenceFormulation: csv");
        }
        Origin::Sheet { sheet, .. } => {
            let _ = writeln!(y, "      - [{}, {}]", quoted(&format!("../data/{data_file}~csv")), quoted(sheet));
        }
    }
    let singular = names::slug(&names::singular(&table.name));
    if !identifier.is_empty() {
        let _ = writeln!(y, "    s: {}", quoted(&format!("{}{singular}/{}", ns.resources, reference(&identifier))));
    }
    let _ = writeln!(y, "    po:\n      - [a, ex:{class}]");
    for column in &table.columns {
        let datatype = match column.kind {
            Kind::Text => String::new(),
            kind => format!(", xsd:{}", kind.xsd_name()),
        };
        let _ = writeln!(y, "      - [ex:{}, {}{datatype}]", column.property, quoted(&reference(&column.name)));
    }
    y
}

fn ontology(tables: &[Table], ns: &Namespaces) -> String {
    let mut t = format!(
        "# The classes and properties of this project, one class per table and one property per column,\n\
         # written by `factgraph init`: give them labels and comments that say what they mean.\n\
         @prefix ex: <{}> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n\
         @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n@prefix xsd: <{XSD}> .\n\n",
        ns.terms
    );
    for table in tables {
        let class = names::class(&table.name);
        let _ = writeln!(
            t,
            "ex:{class} a owl:Class ;\n  rdfs:label {} ;\n  rdfs:comment {} .\n",
            quoted(&class),
            quoted(&format!("A row of {}.", table.origin.file().display()))
        );
    }
    // A property shared by several tables is declared once; its domain and
    // range only where every table agrees.
    let mut properties: Vec<(&str, Vec<String>, Vec<Kind>, &str)> = Vec::new();
    for table in tables {
        for column in &table.columns {
            let class = names::class(&table.name);
            match properties.iter_mut().find(|(p, ..)| *p == column.property) {
                Some((_, classes, kinds, _)) => {
                    classes.push(class);
                    kinds.push(column.kind);
                }
                None => properties.push((&column.property, vec![class], vec![column.kind], &column.name)),
            }
        }
    }
    for (property, classes, kinds, column) in properties {
        let _ = write!(t, "ex:{property} a owl:DatatypeProperty ;\n  rdfs:label {}", quoted(column));
        if let [class] = classes.as_slice() {
            let _ = write!(t, " ;\n  rdfs:domain ex:{class}");
        }
        if kinds.iter().all(|k| *k == kinds[0]) {
            let _ = write!(t, " ;\n  rdfs:range xsd:{}", kinds[0].xsd_name());
        }
        t.push_str(" .\n\n");
    }
    t
}

fn shapes(tables: &[Table], ns: &Namespaces) -> String {
    let mut t = format!(
        "# What `factgraph check` holds the data to: each column's datatype, at most one value per row,\n\
         # and the identifier present. Written by `factgraph init` from the data as it was; tighten as you learn.\n\
         @prefix ex: <{}> .\n@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix xsd: <{XSD}> .\n\n",
        ns.terms
    );
    for table in tables {
        let class = names::class(&table.name);
        let _ = write!(t, "ex:{class}Shape a sh:NodeShape ;\n  sh:targetClass ex:{class}");
        for column in &table.columns {
            let required = table.identifier.as_deref() == Some(column.name.as_str());
            let _ = write!(
                t,
                " ;\n  sh:property [ sh:path ex:{} ; sh:datatype xsd:{} ; sh:maxCount 1{} ]",
                column.property,
                column.kind.xsd_name(),
                if required { " ; sh:minCount 1" } else { "" }
            );
        }
        t.push_str(" .\n\n");
    }
    t
}

fn question(table: &Table, ns: &Namespaces) -> String {
    let class = names::class(&table.name);
    let shown: Vec<_> = table.columns.iter().take(4).collect();
    // The resource's variable, unless a column's property has that name.
    let mut subject = names::property(&class);
    if table.columns.iter().any(|c| c.property == subject) {
        subject.push_str("Resource");
    }
    let mut q = format!(
        "# {class} resources and their first columns\n# An example question written by `factgraph init`: \
         run it with `factgraph query {}`.\nPREFIX ex: <{}>\n\nSELECT ?{}",
        table.name, ns.terms, subject
    );
    for column in &shown {
        let _ = write!(q, " ?{}", column.property);
    }
    let _ = write!(q, "\nWHERE {{\n  ?{subject} a ex:{class} .\n");
    for column in &shown {
        let _ = writeln!(q, "  OPTIONAL {{ ?{subject} ex:{} ?{} }}", column.property, column.property);
    }
    let _ = write!(q, "}}\nORDER BY ?{subject}\nLIMIT 100\n");
    q
}

fn config(dir: &Path, ns: &Namespaces) -> String {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    format!(
        "# factgraph project {name}, written by `factgraph init`.\n\
         # Resources get IRIs under base_iri; the project's own terms live under ex:.\n\
         # Both are example.org placeholders: choose a namespace of your own before you publish.\n\
         base_iri = {}\n\n[prefixes]\nex = {}\nxsd = {}\n\
         rdf = \"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"\nrdfs = \"http://www.w3.org/2000/01/rdf-schema#\"\n",
        quoted(&ns.resources),
        quoted(&ns.terms),
        quoted(XSD)
    )
}

fn readme(dir: &Path, tables: &[Table]) -> String {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut r = format!(
        "# {name}\n\nA factgraph project written by `factgraph init` from {} table(s). \
         `factgraph build` maps them into the store; `factgraph queries` answers the questions in queries/.\n\n\
         | table | rows | identifier | mapping |\n| --- | --- | --- | --- |\n",
        tables.len()
    );
    for table in tables {
        let identifier = match &table.identifier {
            Some(column) => format!("column `{column}`"),
            None if matches!(table.origin, Origin::Sheet { .. }) => "none (blank nodes)".to_owned(),
            None => format!("row number (`{}`)", row_column(table)),
        };
        let _ = writeln!(r, "| {} | {} | {identifier} | mappings/{}.yml |", table.name, table.rows, table.name);
    }
    r.push_str(
        "\n## What to edit next\n\n\
         1. **Namespaces.** `base_iri` and the `ex` prefix in factgraph.toml (and the `ex:` prefix in mappings/, \
         ontology/ and queries/) are example.org placeholders: put your own there before you publish.\n\
         2. **Identifiers.** A table whose rows had no identifier column is named by row number, which changes \
         when rows move: add an identifier column and use it in the mapping's `s:`.\n\
         3. **Links.** Every column is a literal property. Where a column names a row of another table \
         (a `service` column holding a service's id), make it a link: in the mapping, \
         `- [ex:service, https://example.org/…/service/$(service)~iri]`, and in the ontology an `owl:ObjectProperty`.\n\
         4. **Meaning.** Give the classes and properties in ontology/ontology.ttl labels and comments, \
         and tighten ontology/shapes.ttl (`sh:minCount 1` for what every row must have).\n\
         5. **Questions.** Each file in queries/ is a named question; copy one and ask your own.\n\n\
         Your data now lives in data/: edit it there (the files you started from are left as they were).\n",
    );
    r
}
