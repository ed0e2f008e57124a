"""Answers named questions with rdflib, an engine independent of factgraph.

Usage: python rdflib_answers.py GRAPH.ttl QUERY.rq...

Loads the Turtle file, runs each query and prints one JSON object: for each
query file's stem, its columns and its rows in the order the engine gives
them, every cell as text (a literal's lexical form, an IRI as it is, an
unbound variable as ""). tests/it/dataset.rs compares them with factgraph's
answers.
"""

import json
import pathlib
import sys

import rdflib

# Literals keep their lexical form ("49.0" stays "49.0"), as factgraph's CSV
# answers write them.
rdflib.NORMALIZE_LITERALS = False


def cell(term):
    if term is None:
        return ""
    if isinstance(term, rdflib.BNode):
        return "_:" + str(term)
    return str(term)


def main(graph_path, query_paths):
    graph = rdflib.Graph()
    graph.parse(graph_path, format="turtle")
    answers = {}
    for path in map(pathlib.Path, query_paths):
        try:
            result = graph.query(path.read_text(encoding="utf-8"))
            rows = list(result)
        except Exception as error:
            sys.exit(f"{path.name}: rdflib fails: {error!r}")
        columns = [str(var) for var in result.vars]
        rows = [[cell(row[var]) for var in result.vars] for row in rows]
        answers[path.stem] = {"columns": columns, "rows": rows}
    json.dump(answers, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
