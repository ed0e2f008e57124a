#!/usr/bin/env bash
# A full `factgraph build` against Virtuoso's bulk load of the same quads,
# side by side, round after round (issue 24).
#
#   bench/build_vs_load.sh [OFFERINGS] [ROUNDS]     # default 100000 and 3
#
# Which factgraph: FACTGRAPH, one binary or several separated by commas, each
# PATH or LABEL=PATH (as for bench/virtuoso.sh); without it this checkout is
# built (cargo build --release) and labelled "current".
#
# It generates a project (`factgraph generate --offerings N --seed 1`, with
# the first binary), builds it once to export every quad as N-Quads (the
# data, the ontology and the build's description), then runs ROUNDS rounds.
# In each round every binary makes a full build (`build --full`) into an
# empty store, and Virtuoso 7 (Debian's, installed when missing) bulk-loads
# the export into an empty database (bench/lib/virtuoso.sh: two files, one
# rdf_loader_run a core, then a checkpoint; the server's start is not
# timed). Both write to the same disk and neither shares its files with the
# other. GNU time gives factgraph's wall and CPU time and peak memory; for
# Virtuoso, the load's wall time and the server's peak memory.
#
# Writes bench/work/build-vs-load-N.tsv (every run), and a report,
# bench/work/build-vs-load-N.md: medians, each binary's ratio to Virtuoso,
# and the medians of the seconds factgraph's build prints per stage.
# REUSE=1 keeps a generated project and its export. Ports:
# VIRTUOSO_HTTP_PORT (18893), VIRTUOSO_SQL_PORT (11114).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/bench/work
SIZE=${1:-100000}
ROUNDS=${2:-3}
[[ $SIZE =~ ^[0-9]+$ ]] || { echo "bench/build_vs_load.sh: the size is a number of offerings, not '$SIZE'" >&2; exit 2; }
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "bench/build_vs_load.sh: ROUNDS is a whole number, not '$ROUNDS'" >&2; exit 2; }
VIRTUOSO_HTTP_PORT=${VIRTUOSO_HTTP_PORT:-18893}
VIRTUOSO_SQL_PORT=${VIRTUOSO_SQL_PORT:-11114}
QUERY_TIMEOUT=600
DATA=$WORK/bvl-data-$SIZE
EXPORT=$WORK/bvl-export-$SIZE.nq
VDIR=$WORK/bvl-virtuoso-$SIZE
RUNS=$WORK/build-vs-load-$SIZE.tsv
REPORT=$WORK/build-vs-load-$SIZE.md
mkdir -p "$WORK"
say() { printf '\n== %s\n' "$*" >&2; }

# shellcheck source=bench/lib/virtuoso.sh
. "$ROOT/bench/lib/virtuoso.sh"
virtuoso_install
trap virtuoso_stop EXIT

if [ -z "${FACTGRAPH:-}" ]; then
    say "building factgraph (release)"
    cargo build --release --quiet --bin factgraph
    FACTGRAPH=current=${CARGO_TARGET_DIR:-$ROOT/target}/release/factgraph
fi
LABELS=()
BINARIES=()
IFS=, read -r -a entries <<< "$FACTGRAPH"
mkdir -p "$WORK/bvl-bin"
for entry in "${entries[@]}"; do
    if [[ $entry == *=* ]]; then label=${entry%%=*}; path=${entry#*=}; else label=$(basename "$entry"); path=$entry; fi
    [[ $label =~ ^[A-Za-z0-9._-]+$ ]] || { echo "bench/build_vs_load.sh: label '$label' may hold only letters, digits, . _ -" >&2; exit 2; }
    [ -x "$path" ] || { echo "bench/build_vs_load.sh: $path (FACTGRAPH) is not an executable file" >&2; exit 2; }
    cp "$path" "$WORK/bvl-bin/$label" # a build during the run changes nothing
    LABELS+=("$label")
    BINARIES+=("$WORK/bvl-bin/$label")
done
FIRST=${BINARIES[0]}
CONFIG=$DATA/factgraph.toml
STORE=$WORK/bvl-store-$SIZE

if [ "${REUSE:-0}" = 1 ] && [ -f "$CONFIG" ] && [ -s "$EXPORT" ]; then
    say "$SIZE offerings: reusing $DATA and $EXPORT"
else
    say "$SIZE offerings: generating $DATA, and the export every engine loads"
    rm -rf "$DATA" "$STORE"
    "$FIRST" generate --offerings "$SIZE" --out "$DATA" --seed 1 > /dev/null
    "$FIRST" build --config "$CONFIG" --store "$STORE" --quiet
    "$FIRST" export --config "$CONFIG" --store "$STORE" --format nquads --output "$EXPORT"
fi
QUADS=$(grep -vc "^#" "$EXPORT")
VIRTUOSO_BUFFERS=$((QUADS / 30))
[ "$VIRTUOSO_BUFFERS" -lt 20000 ] && VIRTUOSO_BUFFERS=20000
[ "$VIRTUOSO_BUFFERS" -gt 680000 ] && VIRTUOSO_BUFFERS=680000
say "$QUADS quads"

printf 'round\tengine\twall_s\tcpu_s\tpeak_rss_kib\n' > "$RUNS"
STAGES=$WORK/build-vs-load-$SIZE-stages.tsv
printf 'engine\tstage\ts\n' > "$STAGES"
for round in $(seq "$ROUNDS"); do
    for i in "${!LABELS[@]}"; do
        label=${LABELS[$i]}
        rm -rf "$STORE"
        sync
        say "round $round: factgraph $label, build --full"
        /usr/bin/time -f '%e %U %S %M' -o "$WORK/bvl-time.txt" \
            "${BINARIES[$i]}" build --full --config "$CONFIG" --store "$STORE" > "$WORK/bvl-build.out"
        read -r wall user sys peak < <(tail -1 "$WORK/bvl-time.txt")
        printf '%s\tfactgraph %s\t%s\t%s\t%s\n' "$round" "$label" "$wall" "$(echo "$user + $sys" | bc)" "$peak" | tee -a "$RUNS" >&2
        # The lines under "Seconds per stage": "  SECONDS  STAGE".
        awk -v engine="factgraph $label" '/^Seconds per stage/ { on = 1; next } on && /^ +[0-9.]+  / {
            s = $1; sub(/^ +[0-9.]+  /, ""); printf "%s\t%s\t%s\n", engine, $0, s; next } on { on = 0 }' \
            "$WORK/bvl-build.out" >> "$STAGES"
    done
    rm -rf "$STORE" "$VDIR"
    sync
    say "round $round: Virtuoso, bulk load"
    virtuoso_write_ini
    virtuoso_start
    wall=$(virtuoso_bulk_load "$EXPORT" "urn:factgraph:bench:default")
    peak=$(awk '/VmHWM/ { print $2 }' "/proc/$VPID/status")
    cpu=$(awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$VPID/stat") # the server's CPU, start included
    virtuoso_stop
    printf '%s\tVirtuoso\t%.2f\t%s\t%s\n' "$round" "$wall" "$cpu" "$peak" | tee -a "$RUNS" >&2
done
rm -rf "$STORE" "$VDIR"

python3 - "$RUNS" "$STAGES" "$SIZE" "$QUADS" "$(virtuoso_version)" > "$REPORT" <<'EOF'
import csv, statistics, sys
runs, stages, size, quads, version = sys.argv[1:]
rows = list(csv.DictReader(open(runs), delimiter="\t"))
engines = list(dict.fromkeys(r["engine"] for r in rows))
med = lambda xs: statistics.median(float(x) for x in xs)
virtuoso = med(r["wall_s"] for r in rows if r["engine"] == "Virtuoso")
print(f"## {int(size):,} offerings ({int(quads):,} quads): full build against Virtuoso's bulk load".replace(",", " "))
print()
print(f"Medians of {len(rows) // len(engines)} rounds; Virtuoso {version}. CPU: user + system of the build; "
      "for Virtuoso the server's, its start included.")
print()
print("| engine | wall s (each round) | median wall s | median CPU s | peak MB | / Virtuoso |")
print("| --- | --- | ---: | ---: | ---: | ---: |")
for engine in engines:
    mine = [r for r in rows if r["engine"] == engine]
    wall = med(r["wall_s"] for r in mine)
    each = ", ".join(f'{float(r["wall_s"]):.2f}' for r in mine)
    print(f'| {engine} | {each} | {wall:.2f} | {med(r["cpu_s"] for r in mine):.2f} | '
          f'{max(int(r["peak_rss_kib"]) for r in mine) // 1024} | {wall / virtuoso:.2f} |')
print()
stage_rows = list(csv.DictReader(open(stages), delimiter="\t"))
for engine in dict.fromkeys(r["engine"] for r in stage_rows):
    print(f"Stages of {engine} (median s):")
    print()
    for stage in dict.fromkeys(r["stage"] for r in stage_rows if r["engine"] == engine):
        print(f'- {med(r["s"] for r in stage_rows if r["engine"] == engine and r["stage"] == stage):.2f} {stage}')
    print()
EOF
cat "$REPORT"
