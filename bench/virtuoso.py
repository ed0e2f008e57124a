#!/usr/bin/env python3
"""The measuring half of bench/virtuoso.sh: factgraph against Virtuoso on the
same triples, question by question and under load. Standard library only, so
it needs no venv; bench/virtuoso.sh prepares the stores and starts Virtuoso.

  virtuoso.py questions ...   each named question once (or --rounds times) on
                              every factgraph binary (`factgraph query NAME
                              --format csv`, a fresh process, timed from its
                              start) and on Virtuoso over HTTP (CSV), the
                              answers compared row by row
  virtuoso.py load ...        8 clients (by default) on loopback, each running
                              the named questions in a loop for a bounded
                              time, against `factgraph serve` and Virtuoso

Answers are compared as multisets of rows after these normalisations, and
only these: both CSV files are parsed as CSV (Virtuoso quotes IRIs and strings
but not numbers or dates; factgraph quotes only where CSV needs it), and a
leading `'` that factgraph puts before a cell starting with = + - @ (its guard
against spreadsheet formulas) is taken off. Nothing else is rewritten: a
number, a date or a language-tagged string that Virtuoso wrote differently
counts as a difference.
"""

import argparse
import csv
import http.client
import io
import os
import re
import subprocess
import sys
import threading
import time
import tomllib
import urllib.parse
from pathlib import Path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- questions and their text -------------------------------------------------


def project_prefixes(config: Path) -> list[tuple[str, str]]:
    with open(config, "rb") as f:
        return list(tomllib.load(f).get("prefixes", {}).items())


def with_prefixes(text: str, prefixes: list[tuple[str, str]]) -> str:
    """The query with a PREFIX line for each project prefix it does not
    declare itself: factgraph knows the project's prefixes, Virtuoso does not."""
    declared = {m.group(1) for m in re.finditer(r"(?im)^\s*PREFIX\s+([\w.-]*):", text)}
    lines = [f"PREFIX {p}: <{iri}>" for p, iri in prefixes if p not in declared]
    return "\n".join(lines + [text])


def questions(folder: Path, prefixes, only=None) -> list[tuple[str, str]]:
    found = [(q.stem, with_prefixes(q.read_text(), prefixes)) for q in sorted(folder.glob("*.rq"))]
    unknown = set(only or []) - {name for name, _ in found}
    if unknown:
        raise SystemExit(f"virtuoso.py: no question {', '.join(sorted(unknown))} in {folder}")
    return [(name, text) for name, text in found if not only or name in only]


def stem(args, kind: str) -> str:
    return f"virtuoso-{kind}-{args.size}" + (f"-{args.tag}" if args.tag else "")


# --- answers ------------------------------------------------------------------


def parse_csv(data: bytes) -> tuple[list[str], list[tuple[str, ...]]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    if not rows:
        return [], []
    return rows[0], [tuple(r) for r in rows[1:]]


def unguard(cell: str) -> str:
    if cell.startswith("'") and cell[1:].startswith(FORMULA_START):
        return cell[1:]
    return cell


def compare(ours: bytes, theirs: bytes) -> tuple[bool, bool, str]:
    """(same rows as multisets, same order, a short description of the difference)."""
    header_a, rows_a = parse_csv(ours)
    header_b, rows_b = parse_csv(theirs)
    rows_a = [tuple(unguard(c) for c in r) for r in rows_a]
    if header_a != header_b:
        return False, False, f"headers differ: {header_a} against {header_b}"
    same_order = rows_a == rows_b
    sorted_a, sorted_b = sorted(rows_a), sorted(rows_b)
    if sorted_a == sorted_b:
        return True, same_order, ""
    from collections import Counter

    count_a, count_b = Counter(rows_a), Counter(rows_b)
    only_a, only_b = count_a - count_b, count_b - count_a
    lines = [f"{sum(only_a.values())} rows only in factgraph's answer, {sum(only_b.values())} only in Virtuoso's"]
    lines += ["  factgraph: " + ",".join(r) for r in sorted(only_a)[:5]]
    lines += ["  Virtuoso:  " + ",".join(r) for r in sorted(only_b)[:5]]
    return False, same_order, "\n".join(lines)


# --- the two engines ----------------------------------------------------------


class Virtuoso:
    """Virtuoso's SPARQL endpoint; every query gets default-graph-uri so that
    its default graph is exactly the triples of factgraph's default graph
    (without it, Virtuoso's default graph is the union of all its graphs,
    its own system graphs included)."""

    def __init__(self, url: str, graph: str, timeout: float):
        self.url = urllib.parse.urlsplit(url)
        self.graph = graph
        self.timeout = timeout

    def form(self, text: str) -> bytes:
        fields = {"query": text}
        if self.graph:
            fields["default-graph-uri"] = self.graph
        return urllib.parse.urlencode(fields).encode()

    def ask(self, text: str) -> tuple[float, bytes | None, str]:
        """(seconds, CSV answer or None, problem)."""
        connection = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=self.timeout)
        start = time.perf_counter()
        try:
            connection.request("POST", self.url.path, self.form(text), form_headers())
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as e:
            return time.perf_counter() - start, None, f"no answer: {e}"
        finally:
            connection.close()
        seconds = time.perf_counter() - start
        if response.status != 200:
            first = body.decode("utf-8", "replace").strip().splitlines()
            return seconds, None, f"HTTP {response.status}: {' '.join(first[:3])[:300]}"
        # Virtuoso answers a query cut short by ResultSetMaxRows or by its
        # "anytime" time limit with 200 and a partial answer: said in headers.
        for header in ("X-SPARQL-MaxRows", "X-SQL-State"):
            if response.getheader(header):
                return seconds, body, f"partial answer ({header}: {response.getheader(header)})"
        return seconds, body, ""


def form_headers() -> dict:
    return {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"}


def factgraph_query(binary: str, config: Path, store: Path, name: str, timeout: float):
    """(seconds, CSV answer or None, problem, peak RSS in KiB) of a fresh
    `factgraph query NAME --format csv` process, process start included."""
    peak_file = Path(os.environ.get("TMPDIR", "/tmp")) / f"virtuoso-bench-{os.getpid()}.time"
    command = ["/usr/bin/time", "-f", "%M", "-o", str(peak_file),
               binary, "query", name, "--format", "csv", "--config", str(config), "--store", str(store)]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, None, f"stopped after {timeout:.0f} s", None
    seconds = time.perf_counter() - start
    peak = None
    try:
        peak = int(peak_file.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        pass
    if done.returncode != 0:
        return seconds, None, f"exit {done.returncode}: {done.stderr.decode(errors='replace').strip()[:300]}", peak
    return seconds, done.stdout, "", peak


# --- questions, side by side ---------------------------------------------------


def run_questions(args) -> int:
    prefixes = project_prefixes(args.config)
    named = questions(args.config.parent / "queries", prefixes, args.only)
    binaries = [b.split("=", 2) for b in args.factgraph]  # label=binary=store
    virtuoso = Virtuoso(args.endpoint, args.graph, args.timeout + 60)
    answers = args.work / f"answers-{args.size}"
    answers.mkdir(parents=True, exist_ok=True)
    rows = []  # (question, engine, seconds list, rows, problem, peak KiB)
    differences = []
    # The same questions over HTTP to `factgraph serve`, as Virtuoso is asked:
    # a running server, without a process's start.
    servers = []
    if args.serve:
        for label, binary, store in binaries:
            process, url = start_serve(binary, args.config, Path(store), args.timeout)
            servers.append((f"{label} serve", process, Virtuoso(url, "", args.timeout + 60)))
    try:
        for name, text in named:
            print(f"  {name}", end="", flush=True, file=sys.stderr)
            results = {}
            for round_ in range(args.rounds):
                for label, binary, store in binaries:
                    seconds, body, problem, peak = factgraph_query(binary, args.config, Path(store), name, args.timeout)
                    results.setdefault(label, []).append((seconds, body, problem, peak))
                    print(f"  {label} {seconds:.2f}s", end="", flush=True, file=sys.stderr)
                for label, _, endpoint in servers:
                    seconds, body, problem = endpoint.ask(text)
                    results.setdefault(label, []).append((seconds, body, problem, None))
                    print(f"  {label} {seconds:.2f}s", end="", flush=True, file=sys.stderr)
                seconds, body, problem = virtuoso.ask(text)
                results.setdefault("virtuoso", []).append((seconds, body, problem, None))
                print(f"  virtuoso {seconds:.2f}s", end="", flush=True, file=sys.stderr)
            compare_answers(name, results, answers, rows, differences)
    finally:
        for _, process, _ in servers:
            process.terminate()
            process.wait()
    engines = [b[0] for b in binaries] + [label for label, _, _ in servers]
    write_question_report(args, engines, rows, differences)
    return 0


def compare_answers(name, results, answers, rows, differences):
    """Each engine's last answer to `name` against Virtuoso's, into `rows`."""
    print(file=sys.stderr)
    theirs = results["virtuoso"][-1]
    if theirs[1] is not None:
        (answers / f"virtuoso-{name}.csv").write_bytes(theirs[1])
    for label, runs in results.items():
        body, problem = runs[-1][1], runs[-1][2]
        count = len(parse_csv(body)[1]) if body is not None else None
        equal, order = "", ""
        if label != "virtuoso":
            if body is not None:
                (answers / f"{label.replace(' ', '-')}-{name}.csv").write_bytes(body)
            if body is None or theirs[1] is None:
                equal = "not compared"
            else:
                same, same_order, detail = compare(body, theirs[1])
                equal, order = ("yes" if same else "NO"), ("yes" if same_order else "no")
                if not same:
                    differences.append(f"{name} ({label} against Virtuoso): {detail}")
        peaks = [r[3] for r in runs if r[3] is not None]
        rows.append({
            "question": name, "engine": label,
            "seconds": [r[0] for r in runs], "rows": count, "equal": equal, "same_order": order,
            "problem": problem, "peak_kib": max(peaks) if peaks else None,
        })


def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def write_question_report(args, labels, rows, differences):
    tsv = args.work / f"{stem(args, 'questions')}.tsv"
    with open(tsv, "w") as f:
        f.write("size\tquestion\tengine\tseconds\truns\trows\tequal_to_virtuoso\tsame_order\tpeak_rss_kib\tproblem\n")
        for r in rows:
            runs = " ".join(f"{s:.3f}" for s in r["seconds"])
            f.write(f"{args.size}\t{r['question']}\t{r['engine']}\t{median(r['seconds']):.3f}\t{runs}\t"
                    f"{'' if r['rows'] is None else r['rows']}\t{r['equal']}\t{r['same_order']}\t"
                    f"{'' if r['peak_kib'] is None else r['peak_kib']}\t{r['problem']}\n")
    by = {(r["question"], r["engine"]): r for r in rows}
    names = sorted({r["question"] for r in rows})
    out = []
    def cell(r):
        if r["problem"]:
            return f"— ({r['problem'][:80]})"
        return f"{median(r['seconds']):.2f}"

    head = ["question"] + [f"factgraph {l} s" for l in labels] + ["Virtuoso s", "rows"] + [f"equal ({l})" for l in labels]
    out.append("| " + " | ".join(head) + " |")
    out.append("| --- | " + " | ".join("---:" for _ in head[1:-len(labels)]) + " | " + " | ".join("---" for _ in labels) + " |")
    for name in names:
        v = by[(name, "virtuoso")]
        counts = {by[(name, l)]["rows"] for l in labels} | {v["rows"]}
        counts.discard(None)
        row = [name] + [cell(by[(name, l)]) for l in labels] + [cell(v), "/".join(str(c) for c in sorted(counts)) or "—"]
        row += [by[(name, l)]["equal"] for l in labels]
        out.append("| " + " | ".join(row) + " |")
    for title, pick in (("sum", sum), ("max", max)):
        row = [f"**{title}**"]
        for engine in labels + ["virtuoso"]:
            done = [median(by[(n, engine)]["seconds"]) for n in names if not by[(n, engine)]["problem"]]
            missing = len(names) - len(done)
            row.append(f"{pick(done):.2f}" + (f" ({missing} missing)" if missing else "") if done else "—")
        out.append("| " + " | ".join(row + [""] + ["" for _ in labels]) + " |")
    both = [n for n in names if all(not by[(n, e)]["problem"] for e in labels + ["virtuoso"])]
    if len(both) < len(names):
        row = [f"**sum of the {len(both)} all answered**"]
        row += [f"{sum(median(by[(n, e)]['seconds']) for n in both):.2f}" for e in labels + ["virtuoso"]]
        out.append("| " + " | ".join(row + [""] + ["" for _ in labels]) + " |")
    peaks = {l: [by[(n, l)]["peak_kib"] for n in names if by[(n, l)]["peak_kib"]] for l in labels}
    out.append("")
    for l in labels:
        if peaks[l]:
            worst = max(names, key=lambda n: by[(n, l)]["peak_kib"] or 0)
            out.append(f"Peak RSS of `factgraph query` ({l}): {max(peaks[l]) / 1024:.0f} MB ({worst}); "
                       f"smallest {min(peaks[l]) / 1024:.0f} MB.")
    if args.rounds > 1:
        out.append(f"Seconds are medians of {args.rounds} rounds; every run is in {tsv.name}.")
    out.append("")
    if differences:
        out.append("Differences between the answers:")
        out.append("")
        out.append("```")
        out.extend(differences)
        out.append("```")
    else:
        out.append("Every answer compared equal to Virtuoso's (as multisets of rows)." if all(
            r["equal"] == "yes" for r in rows if r["engine"] != "virtuoso") else
            "No answer that could be compared differed; see the table for those that could not.")
    report = "\n".join(out) + "\n"
    (args.work / f"{stem(args, 'questions')}.md").write_text(report)
    print(report)


# --- load ---------------------------------------------------------------------


class Memory:
    """Samples a process's memory every half second: peak resident (VmHWM),
    resident now split into anonymous and file-backed, and the size of the
    files it maps from under `mapped_under` (an index read through mmap)."""

    def __init__(self, pid: int, mapped_under: str | None):
        self.pid, self.mapped_under = pid, mapped_under
        self.peak_mapped_kib = 0
        self.last = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def status(self) -> dict:
        fields = {}
        try:
            for line in open(f"/proc/{self.pid}/status"):
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile", "VmSize"):
                    fields[key] = int(value.split()[0])
        except OSError:
            pass
        return fields

    def mapped_kib(self) -> int:
        if not self.mapped_under:
            return 0
        total, size, path = 0, 0, None
        try:
            for line in open(f"/proc/{self.pid}/smaps"):
                parts = line.split()
                if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                    path = parts[5] if len(parts) > 5 else None
                elif parts[0] == "Size:" and path and path.startswith(self.mapped_under):
                    total += int(parts[1])
        except OSError:
            pass
        return total

    def run(self):
        while not self.stop.wait(0.5):
            self.sample()

    def sample(self):
        status = self.status()
        if status:
            self.last = status
        self.peak_mapped_kib = max(self.peak_mapped_kib, self.mapped_kib())

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.stop.set()
        self.thread.join()
        self.sample()


def load(target_url: str, extra: dict, named, clients: int, seconds: float, timeout: float):
    """Every client runs the questions in a loop, each starting at a
    different one, until `seconds` have passed; a query under way then is
    finished and counted. Returns (latencies of answered queries, failures,
    wall seconds until the last answer)."""
    url = urllib.parse.urlsplit(target_url)
    latencies, failures, lock = [], [], threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds

    def client(number: int):
        connection = None
        i = number * len(named) // clients
        while time.perf_counter() < deadline:
            name, text = named[i % len(named)]
            i += 1
            body = urllib.parse.urlencode({"query": text, **extra}).encode()
            began = time.perf_counter()
            try:
                connection = connection or http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
                connection.request("POST", url.path, body, form_headers())
                response = connection.getresponse()
                response.read()
                ok = response.status == 200 and not response.getheader("X-SQL-State")
                problem = f"HTTP {response.status}"
            except (OSError, http.client.HTTPException) as e:
                ok, problem = False, type(e).__name__
                connection.close()
                connection = None
            took = time.perf_counter() - began
            with lock:
                (latencies if ok else failures).append((name, took) if ok else (name, took, problem))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failures, time.perf_counter() - start


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    rank = max(1, -(-len(values) * p // 100))  # nearest rank
    return values[int(rank) - 1]


def start_serve(binary: str, config: Path, store: Path, timeout: float):
    """`factgraph serve` on a free loopback port, stopping a query after
    `timeout` seconds (503) as Virtuoso's MaxQueryExecutionTime does."""
    process = subprocess.Popen(
        [binary, "serve", "--config", str(config), "--store", str(store), "--bind", "127.0.0.1:0",
         "--timeout", str(timeout)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    match = re.search(r"http://([^/\s]+)/", line)
    if not match:
        process.kill()
        raise SystemExit(f"factgraph serve did not say where it listens: {line!r}")
    return process, f"http://{match.group(1)}/query"


def run_load(args) -> int:
    prefixes = project_prefixes(args.config)
    named = questions(args.config.parent / "queries", prefixes, args.only)
    results = []
    for spec in args.factgraph:
        label, binary, store = spec.split("=", 2)
        print(f"  factgraph {label} serve: {args.clients} clients, {args.seconds:.0f} s", file=sys.stderr)
        process, url = start_serve(binary, args.config, Path(store), args.timeout)
        try:
            with Memory(process.pid, str(Path(store).resolve())) as memory:
                latencies, failures, wall = load(url, {}, named, args.clients, args.seconds, args.timeout + 60)
        finally:
            process.terminate()
            process.wait()
        results.append((f"factgraph {label} serve", latencies, failures, wall, memory))
    print(f"  Virtuoso: {args.clients} clients, {args.seconds:.0f} s", file=sys.stderr)
    with Memory(args.virtuoso_pid, None) as memory:
        latencies, failures, wall = load(args.endpoint, {"default-graph-uri": args.graph}, named,
                                         args.clients, args.seconds, args.timeout + 60)
    results.append(("Virtuoso", latencies, failures, wall, memory))
    write_load_report(args, results)
    return 0


def write_load_report(args, results):
    tsv = args.work / f"{stem(args, 'load')}.tsv"
    with open(tsv, "w") as f:
        f.write("size\tengine\tclients\tseconds\tanswered\tfailed\tqueries_per_s\tp50_s\tp99_s\tmax_s\t"
                "peak_rss_kib\trss_kib\trss_anon_kib\trss_file_kib\tmapped_store_kib\n")
        for engine, latencies, failures, wall, memory in results:
            times = [t for _, t in latencies]
            m = memory.last
            f.write(f"{args.size}\t{engine}\t{args.clients}\t{wall:.1f}\t{len(times)}\t{len(failures)}\t"
                    f"{len(times) / wall:.2f}\t{percentile(times, 50):.3f}\t{percentile(times, 99):.3f}\t"
                    f"{max(times, default=float('nan')):.3f}\t{m.get('VmHWM', '')}\t{m.get('VmRSS', '')}\t"
                    f"{m.get('RssAnon', '')}\t{m.get('RssFile', '')}\t{memory.peak_mapped_kib}\n")
        f.write("\n")
    with open(args.work / f"{stem(args, 'load')}-latencies.tsv", "w") as f:
        f.write("engine\tquestion\tseconds\tproblem\n")
        for engine, latencies, failures, *_ in results:
            for name, took in latencies:
                f.write(f"{engine}\t{name}\t{took:.4f}\t\n")
            for name, took, problem in failures:
                f.write(f"{engine}\t{name}\t{took:.4f}\t{problem}\n")
    out = [f"{args.clients} clients on loopback, each running the {len(questions(args.config.parent / 'queries', [], args.only))} "
           f"named questions in a loop for {args.seconds:.0f} s (a query under way at the end is finished and counted).",
           "",
           "| engine | answered | failed | queries/s | p50 s | p99 s | max s | peak RSS MB | RSS at end MB (anon + file) | mapped from the store MB |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"]
    for engine, latencies, failures, wall, memory in results:
        times = [t for _, t in latencies]
        m = memory.last
        mb = lambda k: f"{m[k] / 1024:.0f}" if k in m else "?"
        mapped = f"{memory.peak_mapped_kib / 1024:.0f}" if engine != "Virtuoso" else "—"
        out.append(f"| {engine} | {len(times)} | {len(failures)} | {len(times) / wall:.2f} | "
                   f"{percentile(times, 50):.2f} | {percentile(times, 99):.2f} | {max(times, default=float('nan')):.2f} | "
                   f"{mb('VmHWM')} | {mb('VmRSS')} ({mb('RssAnon')} + {mb('RssFile')}) | {mapped} |")
    problems = {}
    for engine, _, failures, *_ in results:
        for name, _, problem in failures:
            problems.setdefault((engine, name, problem), 0)
            problems[(engine, name, problem)] += 1
    if problems:
        out += ["", "Failed queries: " + "; ".join(f"{e}: {n} {p} ×{c}" for (e, n, p), c in sorted(problems.items()))]
    report = "\n".join(out) + "\n"
    (args.work / f"{stem(args, 'load')}.md").write_text(report)
    print(report)


def run_warm(args) -> int:
    """Every question once on Virtuoso, untimed, so that its buffers hold
    what the questions read before anything is timed."""
    virtuoso = Virtuoso(args.endpoint, args.graph, args.timeout)
    for name, text in questions(args.config.parent / "queries", project_prefixes(args.config), args.only):
        seconds, _, problem = virtuoso.ask(text)
        print(f"  {name} {seconds:.2f}s {problem}", file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("questions", "load"):
        p = sub.add_parser(name)
        p.add_argument("--size", required=True)
        p.add_argument("--config", type=Path, required=True, help="the generated project's factgraph.toml")
        p.add_argument("--factgraph", action="append", required=True, metavar="LABEL=BINARY=STORE")
        p.add_argument("--endpoint", required=True, help="Virtuoso's /sparql URL")
        p.add_argument("--graph", required=True, help="the graph holding factgraph's default graph in Virtuoso")
        p.add_argument("--work", type=Path, required=True)
        p.add_argument("--timeout", type=float, default=600)
        p.add_argument("--tag", default="", help="added to the names of the files written")
    sub.choices["questions"].add_argument("--rounds", type=int, default=1)
    sub.choices["questions"].add_argument("--serve", action=argparse.BooleanOptionalAction, default=True,
                                          help="also ask each binary's `factgraph serve` over HTTP")
    sub.choices["load"].add_argument("--clients", type=int, default=8)
    sub.choices["load"].add_argument("--seconds", type=float, default=60)
    sub.choices["load"].add_argument("--virtuoso-pid", type=int, required=True)
    warm = sub.add_parser("warm")
    warm.add_argument("--config", type=Path, required=True)
    warm.add_argument("--endpoint", required=True)
    warm.add_argument("--graph", required=True)
    warm.add_argument("--timeout", type=float, default=600)
    for p in sub.choices.values():
        p.add_argument("--only", action="append", metavar="QUESTION", help="only this question (repeatable)")
    args = parser.parse_args()
    return {"questions": run_questions, "load": run_load, "warm": run_warm}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
