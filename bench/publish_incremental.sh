#!/usr/bin/env bash
# `publish` in full against `publish --incremental` after editing 10 rows,
# to an Oxigraph server and to Virtuoso 7 (issue 24).
#
#   bench/publish_incremental.sh [OFFERINGS]      # default 100000
#
# For the given size it
#   1. generates a project (`factgraph generate --offerings N --seed 1`) and
#      builds it;
#   2. starts an Oxigraph server (`oxigraph serve`, FACTGRAPH_OXIGRAPH or on
#      the PATH) and Virtuoso 7 (Debian's virtuoso-opensource, installed with
#      apt when missing), each on a scratch database on loopback ports;
#   3. publishes the graph to each in full (`publish --graph G` with the
#      update endpoint: a staged PUT and one MOVE), timed;
#   4. edits 10 rows of data/offerings.csv (their English label), builds
#      again, and publishes to each with `--incremental`, timed;
#   5. checks that each server's graph G equals the store's default graph
#      (`factgraph diff` of the store and the graph fetched back as
#      N-Triples, blank nodes compared by isomorphism).
#
# The data goes to a named graph G on both servers: Virtuoso has no default
# graph of its own to write to (its default graph is the union of all).
#
# WORK (default bench/work/publish-incremental) holds the project, the
# stores and both databases; it is removed at the end unless KEEP=1.
# FACTGRAPH: the binary (default: this checkout, built in release).
# SKIP_VIRTUOSO=1 runs Oxigraph alone. Ports: OXIGRAPH_PORT (17878),
# VIRTUOSO_HTTP_PORT (18892), VIRTUOSO_SQL_PORT (11113).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SIZE=${1:-100000}
WORK=${WORK:-$ROOT/bench/work/publish-incremental}
OXIGRAPH_PORT=${OXIGRAPH_PORT:-17878}
VIRTUOSO_HTTP_PORT=${VIRTUOSO_HTTP_PORT:-18892}
VIRTUOSO_SQL_PORT=${VIRTUOSO_SQL_PORT:-11113}
GRAPH=urn:factgraph:bench:published
[[ $SIZE =~ ^[0-9]+$ ]] || { echo "bench/publish_incremental.sh: the size is a number of offerings, not '$SIZE'" >&2; exit 2; }

say() { printf '\n== %s\n' "$*" >&2; }

if [ -z "${FACTGRAPH:-}" ]; then
    say "building factgraph (release)"
    cargo build --release --quiet --bin factgraph
    FACTGRAPH=${CARGO_TARGET_DIR:-$ROOT/target}/release/factgraph
fi
OXIGRAPH=${FACTGRAPH_OXIGRAPH:-$(command -v oxigraph || echo "$ROOT/target/ci-tools/venv/bin/oxigraph")}
[ -x "$OXIGRAPH" ] || { echo "bench/publish_incremental.sh: no Oxigraph server: set FACTGRAPH_OXIGRAPH (.ci/run installs one in target/ci-tools/venv)" >&2; exit 2; }
# shellcheck source=bench/lib/virtuoso.sh
. "$ROOT/bench/lib/virtuoso.sh"
[ "${SKIP_VIRTUOSO:-0}" = 1 ] || virtuoso_install

PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2> /dev/null && wait "$pid" 2> /dev/null || true
    done
    [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
rm -rf "$WORK"
mkdir -p "$WORK"
PROJECT=$WORK/project
fg() { "$FACTGRAPH" "$@" --config "$PROJECT/factgraph.toml"; }

# Seconds a command takes (wall clock), its output to $WORK/LABEL.out.
RESULTS=$WORK/results.tsv
timed() {
    local label=$1; shift
    local start end
    start=$(date +%s.%N)
    "$@" > "$WORK/$label.out" 2>&1 || { echo "bench/publish_incremental.sh: $label failed:" >&2; cat "$WORK/$label.out" >&2; exit 1; }
    end=$(date +%s.%N)
    printf '%s\t%.2f\n' "$label" "$(echo "$end - $start" | bc)" | tee -a "$RESULTS" >&2
}

wait_for() {
    local url=$1 waited=0
    until curl -s -o /dev/null "$url"; do
        [ $waited -lt 600 ] || { echo "bench/publish_incremental.sh: nothing answers at $url" >&2; exit 1; }
        sleep 0.5
        waited=$((waited + 1))
    done
}

say "generating $SIZE offerings into $PROJECT, and building"
"$FACTGRAPH" generate --offerings "$SIZE" --out "$PROJECT" --seed 1 > /dev/null
timed "build (first)" fg build --quiet
TRIPLES=$(fg export --format ntriples | wc -l)
say "$TRIPLES triples in the default graph"

say "starting Oxigraph ($("$OXIGRAPH" --version)) on 127.0.0.1:$OXIGRAPH_PORT"
"$OXIGRAPH" serve --location "$WORK/oxigraph" --bind "127.0.0.1:$OXIGRAPH_PORT" > "$WORK/oxigraph.out" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$OXIGRAPH_PORT/"
SERVERS=("oxigraph http://127.0.0.1:$OXIGRAPH_PORT/store http://127.0.0.1:$OXIGRAPH_PORT/update")

if [ "${SKIP_VIRTUOSO:-0}" != 1 ]; then
    VDIR=$WORK/virtuoso VIRTUOSO_BUFFERS=170000 QUERY_TIMEOUT=3600
    say "starting Virtuoso on 127.0.0.1:$VIRTUOSO_HTTP_PORT"
    virtuoso_write_ini
    virtuoso_start
    PIDS+=("$VPID")
    # A scratch server: anonymous clients may update (SPARQL and the Graph Store endpoint).
    virtuoso_isql "grant SPARQL_UPDATE to \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);" > "$VDIR/grant.out"
    SERVERS+=("virtuoso http://127.0.0.1:$VIRTUOSO_HTTP_PORT/sparql-graph-crud http://127.0.0.1:$VIRTUOSO_HTTP_PORT/sparql")
fi

for server in "${SERVERS[@]}"; do
    read -r name store update <<< "$server"
    say "$name: full publish"
    timed "$name: publish (full)" fg publish --endpoint "$store" --update-endpoint "$update" --graph "$GRAPH"
done

say "editing 10 rows of data/offerings.csv, and building again"
python3 - "$PROJECT/data/offerings.csv" <<'EOF'
import csv, sys
path = sys.argv[1]
with open(path, newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
step = max(1, (len(rows) - 1) // 10)
for i in range(1, len(rows), step)[:10]:
    rows[i][1] += " (edited)"
with open(path, "w", newline="", encoding="utf-8") as f:
    csv.writer(f, lineterminator="\n").writerows(rows)
EOF
timed "build (after the edit)" fg build --quiet

for server in "${SERVERS[@]}"; do
    read -r name store update <<< "$server"
    say "$name: incremental publish"
    timed "$name: publish --incremental" fg publish --incremental-only --endpoint "$store" --update-endpoint "$update" --graph "$GRAPH"
    cat "$WORK/$name: publish --incremental.out" >&2
    say "$name: the server's graph against the store"
    curl -sf -H 'Accept: application/n-triples' "$store?graph=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$GRAPH")" \
        -o "$WORK/$name-graph.nt"
    if fg diff "$PROJECT/store" "$WORK/$name-graph.nt" --format summary > "$WORK/$name-diff.out"; then
        printf '%s: the server holds the store'"'"'s graph (%s triples)\n' "$name" "$(wc -l < "$WORK/$name-graph.nt")" | tee -a "$RESULTS" >&2
    else
        printf '%s: the server differs from the store:\n' "$name" | tee -a "$RESULTS" >&2
        head -20 "$WORK/$name-diff.out" | tee -a "$RESULTS" >&2
    fi
done

say "results ($SIZE offerings, $TRIPLES triples)"
cat "$RESULTS"
