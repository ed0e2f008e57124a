//! `factgraph why`: where the facts about a resource came from.

use super::Outcome;
use factgraph_core::query::results::for_people;
use factgraph_core::Error;
use oxigraph::model::{NamedNode, Term};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Print every triple about a resource with the CSV file and line that
/// produced it and the source that row cites. Exits 1 when the graph has no
/// triples about it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The resource: a full IRI, or a prefixed name with a prefix of factgraph.toml.
    #[arg(value_name = "IRI")]
    iri: String,
    /// Store folder (default: store/ in the project).
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
}

pub fn run(args: Args, config: Option<&Path>) -> Result<Outcome, Error> {
    let project = super::load_project(config, args.store)?;
    let iri = expand(&args.iri, &project.prefixes)?;
    let explanation = factgraph_core::why::explain(&project, &iri)?;
    if explanation.facts.is_empty() {
        let known = factgraph_core::why::known_subjects(&project)?;
        let mut message = format!("the graph has no triples about {iri}");
        if let Some(near) = factgraph_core::suggest::nearest(iri.as_str(), known.iter().map(String::as_str)) {
            message.push_str(&format!("; did you mean <{near}>?"));
        }
        eprintln!("factgraph: {message}");
        return Ok(Outcome::Found);
    }
    write_explained(&explanation, &iri, &project.prefixes).map_err(Error::stdout)?;
    for file in &explanation.changed_files {
        eprintln!(
            "factgraph: warning: {} changed since the build: its facts' lines are looked up by number in the file as it is now, and a fact whose row moved shows none; run `factgraph build` again",
            file.display()
        );
    }
    Ok(Outcome::Done)
}

fn write_explained(
    explanation: &factgraph_core::why::Explanation,
    iri: &NamedNode,
    prefixes: &[(String, String)],
) -> std::io::Result<()> {
    let mut out = super::stdout();
    writeln!(out, "{}", for_people(&Term::from(iri.clone()), prefixes))?;
    for fact in &explanation.facts {
        let predicate = for_people(&Term::from(fact.quad.predicate.clone()), prefixes);
        let object = match &fact.quad.object {
            Term::Literal(literal) => literal.to_string(),
            other => for_people(other, prefixes),
        };
        writeln!(out, "  {predicate} {object}")?;
        if fact.origins.is_empty() && explanation.changed_files.is_empty() {
            writeln!(out, "      from the ontology (no CSV row)")?;
        } else if fact.origins.is_empty() {
            writeln!(out, "      no CSV row found in the files as they are now")?;
        }
        for origin in &fact.origins {
            let cites =
                if origin.cites.is_empty() { String::new() } else { format!("; cites {}", origin.cites.join(", ")) };
            writeln!(
                out,
                "      {}:{} (triples map {}{cites})",
                origin.file.display(),
                origin.line,
                origin.triples_map
            )?;
        }
    }
    out.flush()
}

/// A full IRI as it is; `prefix:local` with a configured prefix expanded.
fn expand(text: &str, prefixes: &[(String, String)]) -> Result<NamedNode, Error> {
    let text = text.trim_start_matches('<').trim_end_matches('>');
    if let Some((prefix, local)) = text.split_once(':') {
        if let Some((_, namespace)) = prefixes.iter().find(|(p, _)| p == prefix) {
            let iri = format!("{namespace}{local}");
            return NamedNode::new(&iri)
                .map_err(|e| Error::Usage(format!("{text:?} expands to {iri:?}, not an IRI ({e})")));
        }
    }
    NamedNode::new(text).map_err(|e| {
        Error::Usage(format!("{text:?} is neither an IRI nor a prefixed name with a prefix of factgraph.toml ({e})"))
    })
}
