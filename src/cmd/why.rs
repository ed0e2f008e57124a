//! `factgraph why`: where the facts about a resource came from.

use anyhow::bail;
use factgraph::query::results::for_people;
use oxigraph::model::{NamedNode, Term};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Print every triple about a resource with the CSV file and line that
/// produced it and the source that row cites.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The resource: a full IRI, or a prefixed name with a prefix of factgraph.toml.
    #[arg(value_name = "IRI")]
    iri: String,
    /// Store folder (default: store/ in the project).
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
}

pub fn run(args: Args, config: Option<&Path>) -> anyhow::Result<ExitCode> {
    let project = super::load_project(config, args.store)?;
    let iri = expand(&args.iri, &project.prefixes)?;
    let explanation = factgraph::why::explain(&project, &iri)?;
    let explained = explanation.facts;
    if explained.is_empty() {
        let known = factgraph::why::known_subjects(&project)?;
        let mut message = format!("the graph has no triples about {iri}");
        if let Some(near) = factgraph::suggest::nearest(iri.as_str(), known.iter().map(String::as_str)) {
            message.push_str(&format!("; did you mean <{near}>?"));
        }
        eprintln!("factgraph: {message}");
        return Ok(ExitCode::from(1));
    }
    let mut out = super::stdout();
    writeln!(out, "{}", for_people(&Term::from(iri.clone()), &project.prefixes))?;
    for fact in &explained {
        let predicate = for_people(&Term::from(fact.quad.predicate.clone()), &project.prefixes);
        let object = match &fact.quad.object {
            Term::Literal(literal) => literal.to_string(),
            other => for_people(other, &project.prefixes),
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
    out.flush()?;
    for file in &explanation.changed_files {
        eprintln!(
            "factgraph: warning: {} changed since the build: its facts' lines are looked up by number in the file as it is now, and a fact whose row moved shows none; run `factgraph build` again",
            file.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A full IRI as it is; `prefix:local` with a configured prefix expanded.
fn expand(text: &str, prefixes: &[(String, String)]) -> anyhow::Result<NamedNode> {
    let text = text.trim_start_matches('<').trim_end_matches('>');
    if let Some((prefix, local)) = text.split_once(':') {
        if let Some((_, namespace)) = prefixes.iter().find(|(p, _)| p == prefix) {
            return Ok(NamedNode::new(format!("{namespace}{local}"))?);
        }
    }
    match NamedNode::new(text) {
        Ok(iri) => Ok(iri),
        Err(e) => bail!("{text:?} is neither an IRI nor a prefixed name with a prefix of factgraph.toml ({e})"),
    }
}
