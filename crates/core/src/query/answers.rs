//! Answers to the named questions, computed once when a version is built
//! (`factgraph build --answer-questions`) and kept in its folder. A version is
//! read-only once built, so an answer stays right for as long as the question
//! and the project's prefixes are unchanged; both are fingerprinted, and a
//! question edited since the build is evaluated afresh.
//!
//! Each answer is kept twice, in the forms that are replayed byte for byte:
//! CSV as `query` writes it by default (formula cells guarded) and SPARQL
//! TSV, which keeps every term whole and is parsed back for other formats.

use super::{evaluate, results, Graph, NamedQuery};
use crate::Error;
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, QueryResultsSerializer, ReaderQueryResultsParserOutput,
};
use oxigraph::sparql::{QueryEvaluationError, QueryResults, QuerySolutionIter};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A kept answer's files.
#[derive(Debug, Clone)]
pub struct KeptAnswer {
    /// CSV with formula cells guarded, as `query --format csv` writes it.
    pub csv: PathBuf,
    /// SPARQL TSV, unguarded.
    pub tsv: PathBuf,
}

/// Evaluates every SELECT question on `graph` and keeps its answer in
/// `folder` (a version's [`crate::store::Version::answers_folder`]).
/// Returns each question's name and row count.
pub fn keep_answers(
    graph: &Graph,
    questions: &[NamedQuery],
    prefixes: &[(String, String)],
    folder: &Path,
) -> Result<Vec<(String, u64)>, Error> {
    std::fs::create_dir_all(folder).map_err(Error::io(folder))?;
    let mut kept = Vec::new();
    for question in questions {
        let QueryResults::Solutions(solutions) = evaluate(graph, &question.name, &question.text, prefixes)? else {
            continue;
        };
        let paths = answer_paths(folder, &question.name);
        let create =
            |path: &Path| File::create(path).map(|f| BufWriter::with_capacity(1 << 20, f)).map_err(Error::io(path));
        let variables = solutions.variables().to_vec();
        let mut csv = QueryResultsSerializer::from_format(QueryResultsFormat::Csv)
            .serialize_solutions_to_writer(create(&paths.csv)?, variables.clone())
            .map_err(Error::io(&paths.csv))?;
        let mut tsv = QueryResultsSerializer::from_format(QueryResultsFormat::Tsv)
            .serialize_solutions_to_writer(create(&paths.tsv)?, variables)
            .map_err(Error::io(&paths.tsv))?;
        let mut rows = 0;
        for solution in solutions {
            let solution =
                solution.map_err(|e| Error::Query { name: question.name.clone(), problem: e.to_string() })?;
            tsv.serialize(&solution).map_err(Error::io(&paths.tsv))?;
            let guarded = results::guard_formulas(&solution);
            csv.serialize(guarded.as_ref().unwrap_or(&solution)).map_err(Error::io(&paths.csv))?;
            rows += 1;
        }
        tsv.finish().and_then(|mut w| w.flush()).map_err(Error::io(&paths.tsv))?;
        csv.finish().and_then(|mut w| w.flush()).map_err(Error::io(&paths.csv))?;
        let fingerprint = folder.join(format!("{}.sha256", question.name));
        std::fs::write(&fingerprint, fingerprint_of(question, prefixes)).map_err(Error::io(&fingerprint))?;
        kept.push((question.name.clone(), rows));
    }
    Ok(kept)
}

/// [`keep_answers`] for a version made from another by an incremental
/// build: a question none of whose patterns can match a `changed` quad
/// keeps the answer the other version kept (`kept_from`, linked, not
/// copied); the others are evaluated. Returns each question's name and
/// whether its answer was kept.
pub fn keep_answers_after(
    graph: &Graph,
    questions: &[NamedQuery],
    prefixes: &[(String, String)],
    folder: &Path,
    kept_from: &Path,
    changed: &[&oxigraph::model::Quad],
) -> Result<Vec<(String, bool)>, Error> {
    std::fs::create_dir_all(folder).map_err(Error::io(folder))?;
    let mut outcome = Vec::new();
    for question in questions {
        let unchanged = !super::affected::may_change(&question.text, prefixes, changed);
        match kept_answer(kept_from, question, prefixes).filter(|_| unchanged) {
            Some(old) => {
                let fingerprint = format!("{}.sha256", question.name);
                let new = answer_paths(folder, &question.name);
                for (from, to) in
                    [(old.csv, new.csv), (old.tsv, new.tsv), (kept_from.join(&fingerprint), folder.join(&fingerprint))]
                {
                    crate::store::link(&from, &to)?;
                }
                outcome.push((question.name.clone(), true));
            }
            None => {
                keep_answers(graph, std::slice::from_ref(question), prefixes, folder)?;
                outcome.push((question.name.clone(), false));
            }
        }
    }
    Ok(outcome)
}

/// The kept answer to `question` in `folder` (a version's answers), if the
/// build kept one for this very question text and these prefixes.
pub fn kept_answer(folder: &Path, question: &NamedQuery, prefixes: &[(String, String)]) -> Option<KeptAnswer> {
    let fingerprint = std::fs::read_to_string(folder.join(format!("{}.sha256", question.name))).ok()?;
    let answer = answer_paths(folder, &question.name);
    (fingerprint == fingerprint_of(question, prefixes) && answer.csv.is_file() && answer.tsv.is_file())
        .then_some(answer)
}

/// Reads a kept answer back as query results, for the formats not kept.
pub fn read_back(answer: &KeptAnswer) -> Result<QueryResults<'static>, Error> {
    let file = File::open(&answer.tsv).map_err(Error::io(&answer.tsv))?;
    let problem =
        |e: &dyn std::fmt::Display| Error::store(&answer.tsv, format!("a kept answer does not read back: {e}"));
    let parsed = QueryResultsParser::from_format(QueryResultsFormat::Tsv)
        .for_reader(BufReader::with_capacity(1 << 20, file))
        .map_err(|e| problem(&e))?;
    let ReaderQueryResultsParserOutput::Solutions(solutions) = parsed else {
        return Err(problem(&"not a table of solutions"));
    };
    let variables = solutions.variables().to_vec();
    let rows = solutions.map(|solution| solution.map_err(|e| QueryEvaluationError::Unexpected(Box::new(e))));
    Ok(QueryResults::Solutions(QuerySolutionIter::new(variables.into(), rows)))
}

fn answer_paths(folder: &Path, name: &str) -> KeptAnswer {
    KeptAnswer { csv: folder.join(format!("{name}.csv")), tsv: folder.join(format!("{name}.tsv")) }
}

fn fingerprint_of(question: &NamedQuery, prefixes: &[(String, String)]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(question.text.as_bytes());
    for (prefix, iri) in prefixes {
        hasher.update(format!("\n{prefix}\t{iri}").as_bytes());
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
