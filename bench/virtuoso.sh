#!/usr/bin/env bash
# Live SPARQL, factgraph against Virtuoso on the same triples (issue 16).
#
#   bench/virtuoso.sh [OFFERINGS]          # default 100000; e.g. 1000000
#
# Which factgraph: FACTGRAPH, one binary or several separated by commas, each
# PATH or LABEL=PATH; several are run alternately, question by question, so
# that the machine's drift falls on all of them alike:
#
#   FACTGRAPH=/work/bin/factgraph-before bench/virtuoso.sh
#   FACTGRAPH=old=/tmp/factgraph-main,new=target/release/factgraph bench/virtuoso.sh 1000000
#
# Without FACTGRAPH it builds this checkout (cargo build --release) and uses
# ${CARGO_TARGET_DIR:-target}/release/factgraph, labelled "current".
#
# For the given size it
#   1. generates a project (`factgraph generate --offerings N --seed 1`) with
#      the first binary, and has every binary build its own store of it
#      (without --answer-questions: every question is evaluated live);
#   2. exports each store's default graph (`factgraph export --format
#      ntriples`: the data and the ontology, everything the named questions
#      read) and checks the binaries exported the same triples;
#   3. installs Virtuoso 7 from Debian's packages if it is missing, creates a
#      database in bench/work/virtuoso-N with its own virtuoso.ini (loopback
#      ports, no result-row or time limits, buffers for the whole database up
#      to Virtuoso's value for a machine of 8 GB), and bulk-loads the export into ONE graph (ld_dir and two
#      rdf_loader_run, one a core), timed; a database already loaded with the
#      same triples is reused (its load time is the one measured then);
#   4. times every named question (bench/virtuoso.py questions): a fresh
#      `factgraph query NAME --format csv` process per binary, the same
#      question over HTTP to each binary's running `factgraph serve` (as
#      Virtuoso is asked: no process start), and Virtuoso over HTTP (POST
#      /sparql, Accept: text/csv), the answers compared row by row;
#   5. puts load on both (bench/virtuoso.py load): CLIENTS clients (8) on
#      loopback, each running the 14 questions in a loop for LOAD_SECONDS
#      (60), against `factgraph serve` and Virtuoso: throughput, p50 and p99
#      latency, memory.
#
# The same dataset on both sides. factgraph keeps the data and ontology in
# the default graph and the build's description in a named graph; its SPARQL
# default graph is the default graph alone (Oxigraph's default, not the union
# of the named graphs). Virtuoso's default graph, unless a query names one,
# is the union of all its graphs, its own system graphs included. So the
# export of the default graph is loaded into one graph, VIRTUOSO_GRAPH, and
# every query is sent with default-graph-uri=VIRTUOSO_GRAPH: both engines see
# exactly the same triples as their default graph. (The build's description
# is not loaded; no named question reads it.)
#
# Before timing, the stores' and Virtuoso's database files are read once so
# that both start from the page cache, and Virtuoso answers every question
# once untimed (a server's buffers are warm in use; a `factgraph query`
# process always starts afresh, which is what is measured on its side).
#
# Other settings: ROUNDS (1) runs of each question, medians reported;
# QUERY_TIMEOUT (600) seconds a question may take on either engine (Virtuoso's
# MaxQueryExecutionTime and `serve --timeout`; the clients wait a minute more,
# a `factgraph query` process is stopped at it); LOAD=0
# skips step 5; VIRTUOSO_BUFFERS (8-KiB pages; default a page per 30 triples,
# 20000 to 680000: Virtuoso takes them all at start, so this is its memory);
# VIRTUOSO_HTTP_PORT (18891) and VIRTUOSO_SQL_PORT (11112).
#
# To repeat some questions on stores already built: REUSE=1 keeps the
# generated project, each binary's store and the export when they exist (a
# store must have been built by the binary of that label); QUESTIONS="a b"
# runs only those; TAG=name adds -name to the report's file names. E.g.
#   REUSE=1 LOAD=0 QUESTIONS=offerings-in-china QUERY_TIMEOUT=1800 TAG=slow bench/virtuoso.sh 1000000
#
# Writes into bench/work/ (git-ignored): virtuoso-N.md (the whole report),
# virtuoso-questions-N.tsv, virtuoso-load-N.tsv (and -latencies.tsv),
# virtuoso-setup-N.tsv, and every answer under answers-N/.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/bench/work
SIZE=${1:-100000}
ROUNDS=${ROUNDS:-1}
QUERY_TIMEOUT=${QUERY_TIMEOUT:-600}
CLIENTS=${CLIENTS:-8}
LOAD_SECONDS=${LOAD_SECONDS:-60}
VIRTUOSO_HTTP_PORT=${VIRTUOSO_HTTP_PORT:-18891}
VIRTUOSO_SQL_PORT=${VIRTUOSO_SQL_PORT:-11112}
VIRTUOSO_GRAPH=${VIRTUOSO_GRAPH:-urn:factgraph:default-graph}
ENDPOINT=http://127.0.0.1:$VIRTUOSO_HTTP_PORT/sparql
DATA=$WORK/vdata-$SIZE
VDIR=$WORK/virtuoso-$SIZE
SUFFIX=${TAG:+-$TAG}
SETUP=$WORK/virtuoso-setup-$SIZE$SUFFIX.tsv
REPORT=$WORK/virtuoso-$SIZE$SUFFIX.md
SELECTED=()
for name in ${QUESTIONS:-}; do SELECTED+=(--only "$name"); done
[[ $SIZE =~ ^[0-9]+$ ]] || { echo "bench/virtuoso.sh: the size is a number of offerings, not '$SIZE'" >&2; exit 2; }
[[ $QUERY_TIMEOUT =~ ^[1-9][0-9]*$ ]] || { echo "bench/virtuoso.sh: QUERY_TIMEOUT is a whole number of seconds (Virtuoso's MaxQueryExecutionTime), not '$QUERY_TIMEOUT'" >&2; exit 2; }
mkdir -p "$WORK"

say() { printf '\n== %s\n' "$*" >&2; }

# --- tools --------------------------------------------------------------------
# shellcheck source=bench/lib/virtuoso.sh
. "$ROOT/bench/lib/virtuoso.sh"
virtuoso_install
VIRTUOSO_VERSION=$(virtuoso_version)

# --- the factgraph binaries -----------------------------------------------------
LABELS=()
BINARIES=()
if [ -z "${FACTGRAPH:-}" ]; then
    say "building factgraph (release)"
    cargo build --release --quiet --bin factgraph
    FACTGRAPH=current=${CARGO_TARGET_DIR:-$ROOT/target}/release/factgraph
fi
IFS=, read -r -a entries <<< "$FACTGRAPH"
mkdir -p "$WORK/virtuoso-bin"
for entry in "${entries[@]}"; do
    if [[ $entry == *=* ]]; then label=${entry%%=*}; path=${entry#*=}; else label=$(basename "$entry"); path=$entry; fi
    [[ $label =~ ^[A-Za-z0-9._-]+$ ]] || { echo "bench/virtuoso.sh: label '$label' (FACTGRAPH) may hold only letters, digits, . _ -" >&2; exit 2; }
    for seen in "${LABELS[@]}"; do
        [ "$seen" != "$label" ] || { echo "bench/virtuoso.sh: two binaries labelled '$label'; name them LABEL=PATH" >&2; exit 2; }
    done
    [ -x "$path" ] || { echo "bench/virtuoso.sh: $path (FACTGRAPH) is not an executable file" >&2; exit 2; }
    # A copy, so that a build during the run changes nothing.
    cp "$path" "$WORK/virtuoso-bin/$label"
    LABELS+=("$label")
    BINARIES+=("$WORK/virtuoso-bin/$label")
    echo "factgraph $label: $path ($("$path" --version), sha256 $(sha256sum "$path" | cut -c1-12))" >&2
done
FIRST=${BINARIES[0]}

# timed STEP ENGINE DISK-PATH -- COMMAND...: runs COMMAND under /usr/bin/time
# and records wall seconds, peak RSS and the size of DISK-PATH in $SETUP.
timed() {
    local step=$1 engine=$2 disk=$3; shift 4
    local timing=$WORK/virtuoso-time.txt
    if ! /usr/bin/time -f '%e %M' -o "$timing" "$@" > "$WORK/virtuoso-step.log" 2>&1; then
        echo "bench/virtuoso.sh: $step ($engine) failed:" >&2
        tail -5 "$WORK/virtuoso-step.log" >&2
        exit 1
    fi
    read -r wall peak < <(tail -1 "$timing")
    local bytes=-; [ -e "$disk" ] && bytes=$(du -sb "$disk" | cut -f1)
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$SIZE" "$step" "$engine" "$wall" "$peak" "$bytes" >> "$SETUP"
    printf '   %s s, peak %s MB%s\n' "$wall" "$((peak / 1024))" "$([ "$bytes" = - ] || echo ", $((bytes / 1048576)) MB on disk")" >&2
}
printf 'size\tstep\tengine\twall_s\tpeak_rss_kib\tdisk_bytes\n' > "$SETUP"

# --- data, stores, exports ------------------------------------------------------
if [ "${REUSE:-0}" = 1 ] && [ -f "$DATA/factgraph.toml" ]; then
    say "$SIZE offerings: reusing $DATA"
else
    say "$SIZE offerings: generating $DATA"
    rm -rf "$DATA"
    "$FIRST" generate --offerings "$SIZE" --out "$DATA" --seed 1 >&2
fi
CONFIG=$DATA/factgraph.toml
SPECS=()
EXPORT=
for i in "${!LABELS[@]}"; do
    label=${LABELS[$i]} fg=${BINARIES[$i]} store=$WORK/vstore-$SIZE-${LABELS[$i]}
    SPECS+=(--factgraph "$label=$fg=$store")
    if [ "${REUSE:-0}" = 1 ] && [ -f "$store/CURRENT" ] && { [ -n "$EXPORT" ] || [ -f "$WORK/vexport-$SIZE-$label.nt" ]; }; then
        say "factgraph $label: reusing $store"
        [ -n "$EXPORT" ] || EXPORT=$WORK/vexport-$SIZE-$label.nt
        continue
    fi
    say "factgraph $label: build (no --answer-questions)"
    rm -rf "$store"
    timed build "factgraph $label" "$store" -- "$fg" build --config "$CONFIG" --store "$store" --quiet
    say "factgraph $label: export the default graph as N-Triples"
    timed "export ntriples" "factgraph $label" "$WORK/vexport-$SIZE-$label.nt" -- \
        "$fg" export --config "$CONFIG" --store "$store" --format ntriples --output "$WORK/vexport-$SIZE-$label.nt"
    if [ -z "$EXPORT" ]; then
        EXPORT=$WORK/vexport-$SIZE-$label.nt
    elif ! cmp -s "$EXPORT" "$WORK/vexport-$SIZE-$label.nt"; then
        echo "bench/virtuoso.sh: WARNING: factgraph $label exported other triples than ${LABELS[0]}; Virtuoso holds ${LABELS[0]}'s" >&2
    fi
    [ "$EXPORT" = "$WORK/vexport-$SIZE-$label.nt" ] || rm -f "$WORK/vexport-$SIZE-$label.nt"
done
TRIPLES=$(grep -vc "^#" "$EXPORT") # the export opens with comments (its licence)
# Virtuoso takes its whole buffer pool at start, used or not, so its resident
# memory is what it is given. Default: room for the whole database (about 270
# bytes a triple here, so a page per 30 triples), at most the 680000 pages
# Virtuoso's own table gives a machine of 8 GB.
if [ -z "${VIRTUOSO_BUFFERS:-}" ]; then
    VIRTUOSO_BUFFERS=$((TRIPLES / 30))
    [ "$VIRTUOSO_BUFFERS" -lt 20000 ] && VIRTUOSO_BUFFERS=20000
    [ "$VIRTUOSO_BUFFERS" -gt 680000 ] && VIRTUOSO_BUFFERS=680000
fi
EXPORT_SHA=$(sha256sum "$EXPORT" | cut -d' ' -f1)

# --- Virtuoso -------------------------------------------------------------------
trap virtuoso_stop EXIT

if [ -f "$VDIR/loaded.sha256" ] && [ "$(cat "$VDIR/loaded.sha256")" = "$EXPORT_SHA" ] && [ -f "$VDIR/virtuoso.db" ]; then
    say "Virtuoso: reusing $VDIR (loaded with the same triples)"
    virtuoso_write_ini
    virtuoso_start
    tail -1 "$VDIR/load.tsv" >> "$SETUP"
else
    say "Virtuoso $VIRTUOSO_VERSION: a new database in $VDIR, bulk load of $TRIPLES triples"
    rm -rf "$VDIR"
    virtuoso_write_ini
    virtuoso_start
    wall=$(virtuoso_bulk_load "$EXPORT" "$VIRTUOSO_GRAPH")
    peak=$(awk '/VmHWM/ { print $2 }' "/proc/$VPID/status")
    printf '%s\tbulk load (ld_dir, 2 rdf_loader_run, checkpoint)\tVirtuoso\t%.2f\t%s\t%s\n' \
        "$SIZE" "$wall" "$peak" "$(du -sb "$VDIR" | cut -f1)" > "$VDIR/load.tsv"
    cat "$VDIR/load.tsv" >> "$SETUP"
    printf '   %.1f s\n' "$wall" >&2
    echo "$EXPORT_SHA" > "$VDIR/loaded.sha256"
fi
loaded=$(virtuoso_count "$VIRTUOSO_GRAPH")
if [ "$loaded" != "$TRIPLES" ]; then
    echo "bench/virtuoso.sh: Virtuoso holds $loaded triples in $VIRTUOSO_GRAPH, the export $TRIPLES" >&2
    exit 1
fi
echo "   Virtuoso's graph holds the export's $TRIPLES triples" >&2

# --- timing -----------------------------------------------------------------------
say "into the page cache: the stores and Virtuoso's database"
for label in "${LABELS[@]}"; do
    find "$WORK/vstore-$SIZE-$label" -type f -exec cat {} + > /dev/null
done
cat "$VDIR"/virtuoso*.db > /dev/null
say "Virtuoso: every question once, untimed (warming its buffers)"
python3 bench/virtuoso.py warm --config "$CONFIG" --endpoint "$ENDPOINT" --graph "$VIRTUOSO_GRAPH" --timeout "$QUERY_TIMEOUT" "${SELECTED[@]}"
VIRTUOSO_RSS_BEFORE=$(awk '/VmRSS/ { print $2 }' "/proc/$VPID/status")
LOADAVG_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

say "named questions, side by side"
python3 bench/virtuoso.py questions --size "$SIZE" --config "$CONFIG" "${SPECS[@]}" --endpoint "$ENDPOINT" \
    --graph "$VIRTUOSO_GRAPH" --work "$WORK" --timeout "$QUERY_TIMEOUT" --rounds "$ROUNDS" --tag="${TAG:-}" "${SELECTED[@]}" > /dev/null
if [ "${LOAD:-1}" = 1 ]; then
    say "under load: $CLIENTS clients, $LOAD_SECONDS s each engine"
    python3 bench/virtuoso.py load --size "$SIZE" --config "$CONFIG" "${SPECS[@]}" --endpoint "$ENDPOINT" \
        --graph "$VIRTUOSO_GRAPH" --work "$WORK" --timeout "$QUERY_TIMEOUT" --clients "$CLIENTS" \
        --seconds "$LOAD_SECONDS" --virtuoso-pid "$VPID" --tag="${TAG:-}" "${SELECTED[@]}" > /dev/null
fi
LOADAVG_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
VIRTUOSO_HWM=$(awk '/VmHWM/ { print $2 }' "/proc/$VPID/status")
virtuoso_stop

# --- report -----------------------------------------------------------------------
{
    echo "## $SIZE offerings ($TRIPLES triples in the default graph): factgraph against Virtuoso"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -h | awk '/^Mem:/ {print $2}') RAM; load average $LOADAVG_BEFORE before the timing, $LOADAVG_AFTER after."
    for i in "${!LABELS[@]}"; do
        echo "factgraph ${LABELS[$i]}: ${entries[$i]#*=} ($("${BINARIES[$i]}" --version), sha256 $(sha256sum "${BINARIES[$i]}" | cut -c1-12))."
    done
    echo "Settings: ROUNDS=$ROUNDS QUERY_TIMEOUT=$QUERY_TIMEOUT CLIENTS=$CLIENTS LOAD_SECONDS=$LOAD_SECONDS${QUESTIONS:+ QUESTIONS=\"$QUESTIONS\"}${REUSE:+ REUSE=$REUSE}."
    echo "Virtuoso $VIRTUOSO_VERSION (Debian), NumberOfBuffers $VIRTUOSO_BUFFERS; $((VIRTUOSO_RSS_BEFORE / 1024)) MB resident before the timing, peak $((VIRTUOSO_HWM / 1024)) MB over its whole run (load included)."
    echo
    echo "| step | engine | wall s | peak RSS MB | on disk MB |"
    echo "| --- | --- | ---: | ---: | ---: |"
    tail -n +2 "$SETUP" | awk -F'\t' '{ printf "| %s | %s | %s | %d | %s |\n", $2, $3, $4, $5 / 1024, $6 == "-" ? "" : sprintf("%d", $6 / 1048576) }'
    echo
    echo "### Named questions: \`factgraph query NAME --format csv\` (a fresh process, no kept answers), \`factgraph serve\` over HTTP (\"serve\"), and Virtuoso over HTTP (CSV), wall s"
    echo
    cat "$WORK/virtuoso-questions-$SIZE$SUFFIX.md"
    if [ "${LOAD:-1}" = 1 ]; then
        echo
        echo "### Under load: \`factgraph serve\` and Virtuoso's /sparql"
        echo
        cat "$WORK/virtuoso-load-$SIZE$SUFFIX.md"
    fi
} > "$REPORT"
cat "$REPORT"
