#!/usr/bin/env bash
# Maps one JSON file of N records (default 1 000 000) with factgraph and with
# morph-kgc, the same mapping in each one's vocabulary, and compares time,
# peak memory and output.
#
#   bench/json.sh [N ...]
#
# The records are people with a nested company and a list of tags, written
# as one JSON array under "people" (about 130 bytes a record). The mapping
# makes six triples a record: a class, two plain references (one of them a
# JSON number, so a natural xsd:integer), two nested members and an IRI
# template. (A multi-valued reference, `$.tags[*]`, gave no triples from
# morph-kgc 2.10, so it is left out of the comparison.) factgraph reads the current RML
# vocabulary (`rml:RelativePathSource`, `rml:JSONPath`); morph-kgc 2.x reads
# the legacy one (`rml:source "file"`, `ql:JSONPath`), so it gets that form.
# Both write N-Quads; the outputs are compared as sets of quads.
#
# Writes into bench/work/: the data, both outputs, logs, and json-results.md.
# Uses the venv bench/compare.sh makes (morph-kgc), creating it if missing.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/bench/work
VENV=$WORK/venv
FG=$WORK/factgraph-json
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1000000)
mkdir -p "$WORK"
say() { printf '\n== %s\n' "$*" >&2; }

if [ ! -x /usr/bin/time ]; then
    SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq time
fi
if [ "${FACTGRAPH_BUILD:-1}" = 1 ]; then
    say "building factgraph (release)"
    cargo build --release --quiet --bin factgraph
fi
cp "$ROOT/target/release/factgraph" "$FG"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import morph_kgc' 2>/dev/null; then
    say "creating $VENV with morph-kgc"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip morph-kgc
fi
MORPH_VERSION=$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("morph-kgc"))')

RESULTS=$WORK/json-results.md
{
    echo "| records | tool | wall s | CPU s | peak MB | quads |"
    echo "| ---: | --- | ---: | ---: | ---: | ---: |"
} > "$RESULTS"

# measure SIZE TOOL OUTPUT -- COMMAND...: one timed run, a row of $RESULTS.
measure() {
    local size=$1 tool=$2 output=$3 timing wall cpu peak quads
    shift 4
    timing=$WORK/json-time-$tool-$size.txt
    say "$size records: $tool"
    /usr/bin/time -v "$@" > "$WORK/json-log-$tool-$size.txt" 2> "$timing"
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$timing")
    cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.2f", u + s }' "$timing")
    peak=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$timing")
    quads=$(wc -l < "$output")
    printf '| %s | %s | %s | %s | %s | %s |\n' "$size" "$tool" "$wall" "$cpu" "$peak" "$quads" >> "$RESULTS"
    printf '   %s s wall, %s s CPU, %s MB peak, %s quads\n' "$wall" "$cpu" "$peak" "$quads" >&2
}

canonical() { sed -E 's/[[:space:]]+\.$/ ./' "$1" | LC_ALL=C sort -u -S 1G --parallel=2; }

for size in "${SIZES[@]}"; do
    dir=$WORK/json-$size
    mkdir -p "$dir"
    say "$size records: writing $dir/people.json"
    python3 - "$size" "$dir/people.json" <<'EOF'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
countries = ["CN", "US", "DE", "JP", "SG"]
with open(path, "w") as out:
    out.write('{"people": [\n')
    for i in range(n):
        record = {"id": i, "name": f"Person {i}", "age": 20 + i % 60,
                  "company": {"name": f"Company {i % 1000}", "country": countries[i % 5]},
                  "tags": [f"t{i % 7}", f"t{i % 11}"]}
        out.write(("  " if i == 0 else ",\n  ") + json.dumps(record, separators=(",", ":")))
    out.write("\n]}\n")
EOF
    cat > "$dir/factgraph.ttl" <<'EOF'
@prefix rml: <http://w3id.org/rml/> .
@prefix ex: <http://example.org/> .
ex:People a rml:TriplesMap ;
  rml:logicalSource [ rml:source [ a rml:RelativePathSource ; rml:root rml:MappingDirectory ; rml:path "people.json" ] ;
    rml:referenceFormulation rml:JSONPath ; rml:iterator "$.people[*]" ] ;
  rml:subjectMap [ rml:template "http://example.org/person/{$.id}" ; rml:class ex:Person ] ;
  rml:predicateObjectMap [ rml:predicate ex:name ; rml:objectMap [ rml:reference "$.name" ] ] ;
  rml:predicateObjectMap [ rml:predicate ex:age ; rml:objectMap [ rml:reference "$.age" ] ] ;
  rml:predicateObjectMap [ rml:predicate ex:employer ; rml:objectMap [ rml:reference "$.company.name" ] ] ;
  rml:predicateObjectMap [ rml:predicate ex:countryCode ; rml:objectMap [ rml:reference "$.company.country" ] ] ;
  rml:predicateObjectMap [ rml:predicate ex:country ; rml:objectMap [ rml:template "http://example.org/country/{$.company.country}" ] ] .
EOF
    cat > "$dir/morph.ttl" <<EOF
@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
@prefix ex: <http://example.org/> .
ex:People a rr:TriplesMap ;
  rml:logicalSource [ rml:source "$dir/people.json" ; rml:referenceFormulation ql:JSONPath ; rml:iterator "\$.people[*]" ] ;
  rr:subjectMap [ rr:template "http://example.org/person/{id}" ; rr:class ex:Person ] ;
  rr:predicateObjectMap [ rr:predicate ex:name ; rr:objectMap [ rml:reference "name" ] ] ;
  rr:predicateObjectMap [ rr:predicate ex:age ; rr:objectMap [ rml:reference "age" ; rr:datatype <http://www.w3.org/2001/XMLSchema#integer> ] ] ;
  rr:predicateObjectMap [ rr:predicate ex:employer ; rr:objectMap [ rml:reference "company.name" ] ] ;
  rr:predicateObjectMap [ rr:predicate ex:countryCode ; rr:objectMap [ rml:reference "company.country" ] ] ;
  rr:predicateObjectMap [ rr:predicate ex:country ; rr:objectMap [ rr:template "http://example.org/country/{company.country}" ] ] .
EOF
    cat > "$dir/morph.ini" <<EOF
[CONFIGURATION]
output_file=$WORK/json-morph-$size.nq
output_format=N-QUADS
number_of_processes=2
[DataSource1]
mappings=$dir/morph.ttl
EOF
    measure "$size" "factgraph" "$WORK/json-ours-$size.nq" -- \
        "$FG" map "$dir/factgraph.ttl" --output "$WORK/json-ours-$size.nq"
    measure "$size" "morph-kgc-$MORPH_VERSION" "$WORK/json-morph-$size.nq" -- \
        "$VENV/bin/python" -m morph_kgc "$dir/morph.ini"
    if cmp -s <(canonical "$WORK/json-ours-$size.nq") <(canonical "$WORK/json-morph-$size.nq"); then
        echo "| $size | outputs | the same set of quads | | | |" >> "$RESULTS"
    else
        diff <(canonical "$WORK/json-ours-$size.nq") <(canonical "$WORK/json-morph-$size.nq") | head -5 >&2 || true
        echo "| $size | outputs | DIFFER (see the log) | | | |" >> "$RESULTS"
    fi
done
cat "$RESULTS"
