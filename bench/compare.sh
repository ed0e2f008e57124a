#!/usr/bin/env bash
# Benchmarks factgraph against its peers on synthetic data of growing size.
#
#   bench/compare.sh [SIZE...]      # sizes in offerings; default 10000 100000 1000000
#
# For each size it generates a project with `factgraph generate`, then measures
# wall time, CPU time (user + sys) and peak RSS (/usr/bin/time -v) of
#   1. factgraph check            (the validation build runs, without a store)
#   2. factgraph build            into a fresh store
#   3. factgraph export           the whole store, sorted, as N-Quads and as Turtle,
#      and oxigraph dump          the same store, unsorted N-Quads
#   4. factgraph map              to N-Quads, no store
#   5. morph-kgc                  the same mappings and CSV files to N-Quads (2 processes)
#   6. oxigraph load + optimize   morph-kgc's N-Quads into an Oxigraph store (the CLI
#                                 of the same Oxigraph version factgraph embeds)
# checks that factgraph's and morph-kgc's N-Quads are the same set of quads,
# and times every named question on the store `build` made.
#
# Everything it writes goes to bench/work/ (git-ignored): the datasets, the
# stores, a Python venv with morph-kgc and oxigraph, logs, and results.md.
# It installs what it needs: GNU time (apt-get) and the Python packages (pip).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/bench/work
FG=$WORK/factgraph          # a copy, so that a rebuild during the run changes nothing
VENV=$WORK/venv
OXIGRAPH_VERSION=0.5.13   # the version factgraph embeds (Cargo.toml)
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(10000 100000 1000000)
mkdir -p "$WORK"

say() { printf '\n== %s\n' "$*" >&2; }

# --- tools --------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
    say "installing GNU time"
    SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq time
fi
if [ "${FACTGRAPH_BUILD:-1}" = 1 ]; then   # FACTGRAPH_BUILD=0: use target/release/factgraph as it is
    say "building factgraph (release)"
    cargo build --release --quiet
fi
cp "$ROOT/target/release/factgraph" "$FG"
if [ ! -x "$VENV/bin/oxigraph" ] || [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import morph_kgc' 2>/dev/null; then
    say "creating $VENV with morph-kgc and oxigraph $OXIGRAPH_VERSION"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip
    if ! "$VENV/bin/pip" install -q "oxigraph==$OXIGRAPH_VERSION"; then
        echo "oxigraph $OXIGRAPH_VERSION is not on PyPI; using the newest 0.5.x" >&2
        "$VENV/bin/pip" install -q "oxigraph>=0.5,<0.6"
    fi
    "$VENV/bin/pip" install -q --upgrade morph-kgc
fi
MORPH_VERSION=$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("morph-kgc"))')
OXI_VERSION=$("$VENV/bin/oxigraph" --version | awk '{print $2}')
FG_VERSION=$("$FG" --version | awk '{print $2}')

# --- measuring ------------------------------------------------------------------
# time_questions SIZE MODE DIR STORE: times `factgraph query NAME --format csv`
# for every named question (process start included) into $QUERIES.
time_questions() {
    local size=$1 mode=$2 dir=$3 store=$4 query name start end rows
    say "$size: named questions ($mode)"
    for query in "$dir"/queries/*.rq; do
        name=$(basename "$query" .rq)
        start=$(date +%s.%N)
        if timeout "${QUERY_TIMEOUT:-600}" "$FG" query "$name" --format csv --config "$dir/factgraph.toml" --store "$store" > "$WORK/answer.csv" 2> "$WORK/answer.err"; then
            end=$(date +%s.%N)
            rows=$(( $(wc -l < "$WORK/answer.csv") - 1 ))
            printf '%s\t%s\t%s\t%.3f\t%s\n' "$size" "$mode" "$name" "$(echo "$end - $start" | bc)" "$rows" >> "$QUERIES"
        else
            printf '%s\t%s\t%s\tfailed or > %s s\t-\n' "$size" "$mode" "$name" "${QUERY_TIMEOUT:-600}" >> "$QUERIES"
        fi
    done
}

RESULTS=$WORK/results.tsv      # size tool wall cpu peak_mb quads
QUERIES=$WORK/queries.tsv      # size mode query wall rows
: > "$RESULTS"
: > "$QUERIES"

# measure SIZE TOOL QUADS-COMMAND -- COMMAND...: runs COMMAND under /usr/bin/time -v
# (its output in $WORK/log-TOOL-SIZE.txt) and records a row; QUADS-COMMAND is
# evaluated afterwards and prints the quad count for the table ("-" for none).
measure() {
    local size=$1 tool=$2 quads_cmd=$3; shift 4
    local slug=${tool// /-}
    local timing=$WORK/time-$slug-$size.txt log=$WORK/log-$slug-$size.txt
    say "$size: $tool: $*"
    if ! /usr/bin/time -v -o "$timing" "$@" > "$log" 2>&1; then
        echo "FAILED (exit code in $timing); last lines of $log:" >&2
        tail -5 "$log" >&2
        printf '%s\t%s\tfailed\t-\t-\t-\n' "$size" "$tool" >> "$RESULTS"
        return 0
    fi
    local wall cpu peak quads
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$timing")
    cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.2f", u + s }' "$timing")
    peak=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$timing")
    quads=$(eval "$quads_cmd")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$tool" "$wall" "$cpu" "$peak" "$quads" >> "$RESULTS"
    printf '   %s s wall, %s s CPU, %s MB peak, %s quads\n' "$wall" "$cpu" "$peak" "$quads" >&2
}

# N-Quads lines in a canonical form for comparison: one space before the final
# dot (morph-kgc writes an empty graph field, i.e. two spaces), sorted, unique.
canonical() { sed -E 's/[[:space:]]+\.$/ ./' "$1" | LC_ALL=C sort -u -S 1G --parallel=2; }

COMPARISON=$WORK/comparison.md
: > "$COMPARISON"

for size in "${SIZES[@]}"; do
    dir=$WORK/data-$size
    store=$WORK/store-$size
    ours=$WORK/ours-$size.nq
    morph=$WORK/morph-$size.nq
    oxi=$WORK/oxi-$size
    rm -rf "$dir" "$store" "$oxi" "$ours" "$morph"

    measure "$size" "factgraph generate" "echo -" -- \
        "$FG" generate --offerings "$size" --out "$dir" --seed 1
    if [ "${FACTGRAPH_CHECK:-1}" = 1 ]; then   # FACTGRAPH_CHECK=0 skips it (build checks too)
        measure "$size" "factgraph check" "echo -" -- \
            "$FG" check --config "$dir/factgraph.toml"
    fi
    measure "$size" "factgraph build" \
        "sed -n 's/^\([0-9]*\) distinct triples.*/\1/p' '$WORK/log-factgraph-build-$size.txt'" -- \
        "$FG" build --config "$dir/factgraph.toml" --store "$store"
    # Exports of the whole store (sorted, deterministic) against Oxigraph's
    # own unsorted dump of the same store version.
    measure "$size" "factgraph export nquads" "wc -l < '$WORK/export-$size.nq'" -- \
        "$FG" export --config "$dir/factgraph.toml" --store "$store" --format nquads --output "$WORK/export-$size.nq"
    measure "$size" "factgraph export turtle" "echo -" -- \
        "$FG" export --config "$dir/factgraph.toml" --store "$store" --format turtle --output "$WORK/export-$size.ttl"
    measure "$size" "oxigraph $OXI_VERSION dump" "wc -l < '$WORK/dump-$size.nq'" -- \
        "$VENV/bin/oxigraph" dump --location "$store/versions/$(cat "$store/CURRENT")/oxigraph" --file "$WORK/dump-$size.nq"
    rm -f "$WORK/export-$size.nq" "$WORK/export-$size.ttl" "$WORK/dump-$size.nq"

    # The mappings' rml:source paths are relative to the mapping file.
    measure "$size" "factgraph map" "wc -l < '$ours'" -- \
        "$FG" map "$dir"/mappings/*.ttl --format nquads --output "$ours"

    # morph-kgc resolves relative rml:source paths against its working
    # directory (not the mapping file), so it runs from the mappings folder.
    cat > "$WORK/morph-$size.ini" <<EOF
[CONFIGURATION]
output_file: $morph
output_format: N-QUADS
number_of_processes: 2

[DataSource1]
mappings: $dir/mappings
EOF
    if [ "${FACTGRAPH_PEERS:-1}" = 1 ]; then   # FACTGRAPH_PEERS=0 skips morph-kgc and oxigraph load
    measure "$size" "morph-kgc $MORPH_VERSION" "wc -l < '$morph'" -- \
        bash -c "cd '$dir/mappings' && exec '$VENV/bin/python' -m morph_kgc '$WORK/morph-$size.ini'"
    fi
    if [ -s "$morph" ]; then
        measure "$size" "oxigraph $OXI_VERSION load" "echo -" -- \
            "$VENV/bin/oxigraph" load --location "$oxi" --file "$morph"
        measure "$size" "oxigraph $OXI_VERSION optimize" "echo -" -- \
            "$VENV/bin/oxigraph" optimize --location "$oxi"
    fi

    # Same graph? Both canonical, then compared line by line.
    say "$size: comparing factgraph map and morph-kgc"
    if [ -s "$ours" ] && [ -s "$morph" ]; then
        canonical "$ours" > "$WORK/ours-$size.sorted.nq"
        canonical "$morph" > "$WORK/morph-$size.sorted.nq"
        a=$(wc -l < "$WORK/ours-$size.sorted.nq")
        b=$(wc -l < "$WORK/morph-$size.sorted.nq")
        if cmp -s "$WORK/ours-$size.sorted.nq" "$WORK/morph-$size.sorted.nq"; then
            echo "- $size offerings: identical — $a distinct quads from each" >> "$COMPARISON"
        else
            only_ours=$(LC_ALL=C comm -23 "$WORK/ours-$size.sorted.nq" "$WORK/morph-$size.sorted.nq" | wc -l)
            only_morph=$(LC_ALL=C comm -13 "$WORK/ours-$size.sorted.nq" "$WORK/morph-$size.sorted.nq" | wc -l)
            {
                echo "- $size offerings: **different** — factgraph $a distinct quads, morph-kgc $b; $only_ours only in factgraph's, $only_morph only in morph-kgc's. First differences:"
                echo '  ```'
                { LC_ALL=C diff "$WORK/ours-$size.sorted.nq" "$WORK/morph-$size.sorted.nq" || true; } | grep '^[<>]' | head -10 | sed 's/^/  /' || true
                echo '  ```'
            } >> "$COMPARISON"
        fi
    else
        echo "- $size offerings: not compared (an output is missing)" >> "$COMPARISON"
    fi
    tail -1 "$COMPARISON" >&2

    # Every named question: evaluated on the store `build` made ("live"),
    # then replayed from the answers `build --answer-questions` keeps ("kept").
    # QUERY_TIMEOUT bounds each live evaluation (default 600 s).
    if [ -f "$store/CURRENT" ]; then
        time_questions "$size" live "$dir" "$store"
        if [ "${FACTGRAPH_KEEP_ANSWERS:-1}" = 1 ]; then
            measure "$size" "factgraph build --answer-questions" "echo -" -- \
                "$FG" build --answer-questions --config "$dir/factgraph.toml" --store "$store"
            time_questions "$size" kept "$dir" "$store"
        fi
    fi
done

# --- report ---------------------------------------------------------------------
{
    echo "## Results"
    echo
    echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -h | awk '/^Mem:/ {print $2}') RAM; $(date -u '+%Y-%m-%d %H:%M UTC')."
    echo "Versions: factgraph $FG_VERSION, morph-kgc $MORPH_VERSION, oxigraph CLI $OXI_VERSION."
    echo
    echo "| offerings | tool | wall s | CPU s | peak MB | quads |"
    echo "| ---: | --- | ---: | ---: | ---: | ---: |"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }' "$RESULTS"
    echo
    echo "quads: \`build\` = distinct quads in the store (with the ontology); \`map\` and morph-kgc = N-Quads lines written (duplicates included)."
    echo
    echo "### Same graph?"
    echo
    cat "$COMPARISON"
    echo
    echo "### Named questions (\`factgraph query NAME --format csv\`, wall s, process start included; rows)"
    echo
    echo "live: evaluated on the store \`build\` made; kept: replayed from the answers \`build --answer-questions\` kept."
    echo
    columns=$(cut -f1,2 "$QUERIES" | uniq | tr '\t' ':' | tr '\n' ' ')
    printf '| question |'; for c in $columns; do printf ' %s offerings, %s |' "${c%%:*}" "${c##*:}"; done; echo
    printf '| --- |'; for c in $columns; do printf ' ---: |'; done; echo
    for name in $(cut -f3 "$QUERIES" | sort -u); do
        printf '| %s |' "$name"
        for c in $columns; do
            awk -F'\t' -v s="${c%%:*}" -v m="${c##*:}" -v n="$name" '$1 == s && $2 == m && $3 == n { printf " %s (%s) |", $4, $5 }' "$QUERIES"
        done
        echo
    done
} > "$WORK/results.md"
cat "$WORK/results.md"
