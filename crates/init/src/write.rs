//! The files of the new project. Everything is written into a hidden
//! sibling folder and renamed into place at the end, so that a failure
//! leaves no half-written project.

use crate::infer::Kind;
use crate::inputs::{Database, Origin, Table};
use crate::names;
use crate::InitError;
use factgraph_rml::source::table::catalog::delimited;
use factgraph_rml::source::table::database::PASSWORD_VARIABLE;
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
        let (file, text) = match &table.origin {
            Origin::Sheet { sheet, .. } if table.identifier.is_none() => {
                (format!("mappings/{}.ttl", table.name), numbered_sheet(table, sheet, &data_file, &namespaces))
            }
            _ => (format!("mappings/{}.yml", table.name), mapping(table, &data_file, &namespaces)),
        };
        write(root, &file, &text)?;
        write(root, &format!("queries/{}.rq", table.name), &question(table, &namespaces))?;
    }
    write(root, "ontology/ontology.ttl", &ontology(tables, &namespaces))?;
    write(root, "ontology/shapes.ttl", &shapes(tables, &namespaces))?;
    write(root, "factgraph.toml", &config(dir, tables, &namespaces))?;
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
/// A database's tables stay where they are: nothing is copied.
fn copy_data(root: &Path, table: &Table, copied: &mut Vec<(PathBuf, String)>) -> Result<String, InitError> {
    let Some(source) = table.origin.file() else { return Ok(String::new()) };
    if let Some((_, name)) = copied.iter().find(|(file, _)| file == source) {
        return Ok(name.clone());
    }
    let extension = source.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    let stem = match &table.origin {
        Origin::Csv { .. } => table.name.clone(),
        Origin::Sqlite { file, .. } | Origin::Sheet { file, .. } => {
            names::slug(&file.file_stem().unwrap_or_default().to_string_lossy())
        }
        Origin::Database { .. } => unreachable!("a database has no file"),
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

/// The query that numbers a database table's rows in a fixed order (its
/// primary key's, else that of every column's text), so that a row keeps
/// its number while the table's rows stay the same.
fn numbered_rows(table: &Table, database: &Database, name: &str, primary_key: &[String]) -> String {
    let order: Vec<String> = if primary_key.is_empty() {
        let text = if database.system == "postgresql" { "TEXT" } else { "CHAR" };
        table.columns.iter().map(|c| format!("CAST({} AS {text})", delimited(&c.name))).collect()
    } else {
        primary_key.iter().map(|column| delimited(column)).collect()
    };
    format!(
        "SELECT ROW_NUMBER() OVER (ORDER BY {}) AS {}, t.* FROM {name} t",
        order.join(", "),
        delimited(&row_column(table))
    )
}

fn mapping(table: &Table, data_file: &str, ns: &Namespaces) -> String {
    let class = names::class(&table.name);
    let (identifier, row_source) = match (&table.identifier, &table.origin) {
        (Some(id), _) => (id.clone(), None),
        (None, Origin::Sqlite { table: name, .. }) => {
            let row = row_column(table);
            (row.clone(), Some(format!("SELECT rowid AS \"{row}\", * FROM \"{}\"", name.replace('"', "\"\""))))
        }
        (None, Origin::Database { database, table: name, primary_key }) => {
            (row_column(table), Some(numbered_rows(table, database, name, primary_key)))
        }
        (None, Origin::Csv { .. }) => (row_column(table), None),
        (None, Origin::Sheet { .. }) => unreachable!("a sheet without an identifier is mapped by numbered_sheet"),
    };
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# The rows of {} as {class} resources: written by `factgraph init`; edit freely.",
        table.origin.describe()
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
        Origin::Database { database, table: name, .. } => {
            // No user or password here: factgraph.toml and the environment give them.
            let _ = writeln!(y, "      - access: {}\n        type: {}", quoted(&database.dsn), database.system);
            let _ = writeln!(y, "        queryFormulation: sql2008");
            match &row_source {
                Some(query) => {
                    let _ = writeln!(
                        y,
                        "        # No key or identifier column: the rows are numbered in a fixed order (README.md).\n\
                         \x20       query: {}",
                        quoted(query)
                    );
                }
                None => {
                    let _ = writeln!(y, "        table: {}", quoted(name));
                }
            }
            let _ = writeln!(y, "        referenceFormulation: csv");
        }
    }
    let singular = names::slug(&names::singular(&table.name));
    let _ = writeln!(y, "    s: {}", quoted(&format!("{}{singular}/{}", ns.resources, reference(&identifier))));
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

/// A Turtle string, quoted.
fn turtle_string(text: &str) -> String {
    quoted(text).replace('\n', "\\n").replace('\r', "\\r")
}

/// The mapping of a sheet without an identifier column, in RML: a logical
/// view over the sheet (RML-LV) gives each row its index `#` (0 for the
/// first row under the header), which names it. YARRRML has no views.
fn numbered_sheet(table: &Table, sheet: &str, data_file: &str, ns: &Namespaces) -> String {
    let class = names::class(&table.name);
    let singular = names::slug(&names::singular(&table.name));
    let mut t = format!(
        "# The rows of {} as {class} resources: written by `factgraph init`; edit freely.\n\
         # The sheet has no identifier column, so each row is named by its position: the index `#` that an\n\
         # RML logical view gives each record, 0 for the first row under the header. (RML in Turtle, as\n\
         # YARRRML cannot describe a view.) Add an identifier column and use it in the subject's template:\n\
         # a row's position changes when rows are inserted or sorted.\n\
         @prefix rml: <http://w3id.org/rml/> .\n@prefix ex: <{}> .\n@prefix xsd: <{XSD}> .\n\n\
         <#{class}Rows> a rml:LogicalView ;\n\
         \x20 rml:viewOn [ a rml:LogicalSource ;\n\
         \x20   rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path {} ] ;\n\
         \x20   rml:referenceFormulation rml:CSV ; rml:iterator {} ]",
        table.origin.describe(),
        ns.terms,
        turtle_string(&format!("../data/{data_file}")),
        turtle_string(sheet)
    );
    // The view's fields are named by the properties (letters and digits),
    // which templates and references then need not escape.
    for column in &table.columns {
        let _ = write!(
            t,
            " ;\n  rml:field [ rml:fieldName {} ; rml:reference {} ]",
            quoted(&column.property),
            turtle_string(&column.name)
        );
    }
    let _ = write!(
        t,
        " .\n\n<#{class}> a rml:TriplesMap ;\n  rml:logicalSource <#{class}Rows> ;\n  \
         rml:subjectMap [ rml:template {} ; rml:class ex:{class} ]",
        quoted(&format!("{}{singular}/{{#}}", ns.resources))
    );
    for column in &table.columns {
        let datatype = match column.kind {
            Kind::Text => String::new(),
            kind => format!(" ; rml:datatype xsd:{}", kind.xsd_name()),
        };
        let _ = write!(
            t,
            " ;\n  rml:predicateObjectMap [ rml:predicate ex:{} ; rml:objectMap [ rml:reference {}{datatype} ] ]",
            column.property,
            quoted(&column.property)
        );
    }
    t.push_str(" .\n");
    t
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
            turtle_string(&format!("A row of {}.", table.origin.describe()))
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

/// The databases the tables come from, each once.
fn databases(tables: &[Table]) -> Vec<&Database> {
    let mut found: Vec<&Database> = Vec::new();
    for table in tables {
        if let Origin::Database { database, .. } = &table.origin {
            if !found.iter().any(|d| d.dsn == database.dsn) {
                found.push(database);
            }
        }
    }
    found
}

fn config(dir: &Path, tables: &[Table], ns: &Namespaces) -> String {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut c = format!(
        "# factgraph project {name}, written by `factgraph init`.\n\
         # Resources get IRIs under base_iri; the project's own terms live under ex:.\n\
         # Both are example.org placeholders: choose a namespace of your own before you publish.\n\
         base_iri = {}\n\n[prefixes]\nex = {}\nxsd = {}\n\
         rdf = \"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"\nrdfs = \"http://www.w3.org/2000/01/rdf-schema#\"\n",
        quoted(&ns.resources),
        quoted(&ns.terms),
        quoted(XSD)
    );
    for database in databases(tables) {
        let _ = write!(
            c,
            "\n# The database the mappings read, by the address they name it with. Its password is never\n\
             # written here: factgraph takes it from the environment variable {PASSWORD_VARIABLE}\n\
             # (which, when set, is used for every database), or from the variable password_env names.\n\
             [databases.{}]\n",
            quoted(&database.dsn)
        );
        match &database.user {
            Some(user) => {
                let _ = writeln!(c, "user = {}", quoted(user));
            }
            None => c.push_str("# user = \"…\"\n"),
        }
        // Where init needed no password, neither may a build: an unset
        // variable named here would stop it.
        let comment = if database.password { "" } else { "# " };
        let _ = writeln!(c, "{comment}password_env = {}", quoted(PASSWORD_VARIABLE));
    }
    c
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
        let (identifier, extension) = match (&table.identifier, &table.origin) {
            (Some(column), _) => (format!("column `{column}`"), "yml"),
            (None, Origin::Sheet { .. }) => ("row position (`#`, from 0)".to_owned(), "ttl"),
            (None, Origin::Database { primary_key, .. }) if !primary_key.is_empty() => {
                (format!("row number (`{}`) in the order of the primary key", row_column(table)), "yml")
            }
            (None, Origin::Database { .. }) => {
                (format!("row number (`{}`) in the order of all columns", row_column(table)), "yml")
            }
            (None, _) => (format!("row number (`{}`)", row_column(table)), "yml"),
        };
        let _ = writeln!(r, "| {} | {} | {identifier} | mappings/{}.{extension} |", table.name, table.rows, table.name);
    }
    r.push_str(
        "\n## What to edit next\n\n\
         1. **Namespaces.** `base_iri` and the `ex` prefix in factgraph.toml (and the `ex:` prefix in mappings/, \
         ontology/ and queries/) are example.org placeholders: put your own there before you publish.\n\
         2. **Identifiers.** A table whose rows had no identifier column is named by row number (a sheet's rows \
         by their position under the header, from 0), which changes when rows move: add an identifier column \
         and use it in the mapping's `s:` (a sheet's: its `rml:template`).\n\
         3. **Links.** Every column is a literal property. Where a column names a row of another table \
         (a `service` column holding a service's id), make it a link: in the mapping, \
         `- [ex:service, https://example.org/…/service/$(service)~iri]`, and in the ontology an `owl:ObjectProperty`.\n\
         4. **Meaning.** Give the classes and properties in ontology/ontology.ttl labels and comments, \
         and tighten ontology/shapes.ttl (`sh:minCount 1` for what every row must have).\n\
         5. **Questions.** Each file in queries/ is a named question; copy one and ask your own.\n",
    );
    if tables.iter().any(|t| t.origin.file().is_some()) {
        r.push_str(
            "\nYour data now lives in data/: edit it there (the files you started from are left as they were).\n",
        );
    }
    for database in databases(tables) {
        let _ = write!(
            r,
            "\n## The database {}\n\n\
             Its tables stay in the database: every `factgraph build` reads them afresh. The mappings name it by \
             `{}`, without user or password; factgraph.toml's `[databases.\"{}\"]` gives the user. \
             **The password is written nowhere:** set it in the environment before `factgraph build`, \
             `export {PASSWORD_VARIABLE}=…` (that variable{}).\n",
            database.label,
            database.dsn,
            database.dsn,
            if database.password {
                " is named by `password_env` there; name another if you like"
            } else {
                " is used for every database; or uncomment `password_env` to name another"
            },
        );
        let numbered: Vec<&str> = tables
            .iter()
            .filter(|t| {
                t.identifier.is_none() && matches!(&t.origin, Origin::Database { database: d, .. } if d == database)
            })
            .map(|t| t.name.as_str())
            .collect();
        if !numbered.is_empty() {
            let _ = write!(
                r,
                "\nWith no primary key, no unique column that cannot be NULL and no column whose values identify \
                 the rows, the rows of these are numbered: {}. Their mappings read them through a query, \
                 `ROW_NUMBER() OVER (ORDER BY …)`, in the order of a composite primary key where there is one, \
                 else of all the columns' text. A row keeps its IRI while the table's rows stay the same; \
                 rows added or removed renumber the rows after them. Give such a table a primary key, \
                 or name its rows by a column of your choice in the mapping's `s:`.\n",
                numbered.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            );
        }
    }
    r
}
