//! The project's ontology files, read into quads once per build or check:
//! loaded into the graph beside the mapped quads, and read by the shapes.

use crate::problem::{Problem, ProblemKind};
use crate::project::Project;
use crate::Error;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{BlankNode, GraphName, NamedOrBlankNode, Quad, Term};
use std::collections::HashMap;
use std::path::Path;

/// Every quad of the ontology files.
pub fn read_ontology(project: &Project) -> Result<Vec<Quad>, Error> {
    let mut quads = Vec::new();
    for (index, file) in project.ontology_files()?.iter().enumerate() {
        quads.extend(read_rdf_file(file, index)?);
    }
    Ok(quads)
}

/// Reads a Turtle file into the default graph. Its blank nodes get labels
/// from their order in the file (`o<file>b<n>`), so that every build labels
/// them alike and exports stay byte-identical.
pub fn read_rdf_file(path: &Path, file_index: usize) -> Result<Vec<Quad>, Error> {
    let format =
        RdfFormat::from_extension(path.extension().and_then(|e| e.to_str()).unwrap_or("")).unwrap_or(RdfFormat::Turtle);
    let file = std::fs::File::open(path).map_err(Error::io(path))?;
    let mut labels: HashMap<BlankNode, BlankNode> = HashMap::new();
    let mut relabel = |b: BlankNode| {
        let next = labels.len();
        labels.entry(b).or_insert_with(|| BlankNode::new_unchecked(format!("o{file_index}b{next}"))).clone()
    };
    let mut quads = Vec::new();
    for quad in RdfParser::from_format(format).for_reader(std::io::BufReader::new(file)) {
        let quad = quad.map_err(|e| not_valid_rdf(path, e))?;
        let subject = match quad.subject {
            NamedOrBlankNode::BlankNode(b) => relabel(b).into(),
            other => other,
        };
        let object = match quad.object {
            Term::BlankNode(b) => relabel(b).into(),
            other => other,
        };
        let graph_name = match quad.graph_name {
            GraphName::BlankNode(b) => relabel(b).into(),
            other => other,
        };
        quads.push(Quad::new(subject, quad.predicate, object, graph_name));
    }
    Ok(quads)
}

/// The parse error as a problem at its line, when the parser knows it.
fn not_valid_rdf(path: &Path, error: oxigraph::io::RdfParseError) -> Error {
    let line = match &error {
        oxigraph::io::RdfParseError::Syntax(syntax) => syntax.location().map(|l| l.start.line + 1),
        oxigraph::io::RdfParseError::Io(_) => None,
    };
    let problem = Problem::new(ProblemKind::Ontology, path, format!("not valid RDF: {error}; fix the syntax"));
    Error::Input(match line {
        Some(line) => problem.at_line(line),
        None => problem,
    })
}
