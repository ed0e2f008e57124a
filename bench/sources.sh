#!/usr/bin/env bash
# Reading sources, factgraph against morph-kgc on the same mapping and data:
#
#   bench/sources.sh [ROWS [JOIN_ROWS]]      # default 1000000 100000
#
# 1. one table of ROWS rows and 20 columns (a subject and 19 properties a row),
#    mapped to N-Triples from CSV, SQLite, Parquet, .xlsx and PostgreSQL;
# 2. two CSV files of JOIN_ROWS rows each, half the children joining a parent,
#    with unique parent keys and with each key on two parents.
# Each is `factgraph map` against morph-kgc (2 processes), with wall time, CPU
# and peak RSS from GNU time; the outputs are compared by line count (and as
# sorted sets for the joins). PostgreSQL is started by the script in
# bench/work/pg (from Debian's `postgresql`, installed when missing) and
# stopped at the end. Everything is written to bench/work/sources/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/bench/work/sources
VENV=$ROOT/bench/work/venv
ROWS=${1:-1000000}
JOIN_ROWS=${2:-100000}
FG=$WORK/factgraph
mkdir -p "$WORK"
say() { printf '\n== %s\n' "$*" >&2; }

if [ ! -x /usr/bin/time ] || ! command -v pg_ctlcluster >/dev/null; then
    SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq time postgresql >/dev/null
fi
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import morph_kgc, openpyxl, pyarrow, psycopg2, sqlalchemy" 2>/dev/null; then
    say "creating $VENV with morph-kgc and the table writers"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q morph-kgc openpyxl pyarrow psycopg2-binary sqlalchemy
fi
[ "${FACTGRAPH_BUILD:-1}" = 1 ] && cargo build --release --quiet
cp "$ROOT/target/release/factgraph" "$FG"
DATA=$WORK/data-$ROWS-$JOIN_ROWS
say "tables in $DATA"
"$VENV/bin/python" bench/sources/generate.py "$DATA" "$ROWS" "$JOIN_ROWS"

# --- PostgreSQL, in a folder of ours, on a port of ours ------------------------
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PG=$WORK/pg
PG_PORT=55432
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -d "$PG/data" ]; then
    mkdir -p "$PG" && chmod 777 "$PG"
    as_postgres "$PG_BIN/initdb" -D "$PG/data" -U bench --auth=trust >/dev/null
fi
as_postgres "$PG_BIN/pg_ctl" -D "$PG/data" -o "-p $PG_PORT -k $PG -c listen_addresses=127.0.0.1" -l "$PG/log" -w start >/dev/null
trap 'as_postgres "$PG_BIN/pg_ctl" -D "$PG/data" -m fast stop >/dev/null' EXIT
PSQL=("$PG_BIN/psql" -h 127.0.0.1 -p $PG_PORT -U bench -q -v ON_ERROR_STOP=1)
if ! "${PSQL[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='bench$ROWS'" | grep -q 1; then
    "${PSQL[@]}" -d postgres -c "CREATE DATABASE bench$ROWS"
    "${PSQL[@]}" -d "bench$ROWS" -c "CREATE TABLE wide (id INTEGER, name VARCHAR(40), $(for i in 1 2 3 4 5 6; do printf 'text%s VARCHAR(40), ' $i; done)$(for i in 1 2 3 4; do printf 'int%s BIGINT, ' $i; done)$(for i in 1 2 3; do printf 'dec%s DECIMAL(12,2), ' $i; done)$(for i in 1 2 3; do printf 'date%s DATE, ' $i; done)flag BOOLEAN, note VARCHAR(40))"
    "${PSQL[@]}" -d "bench$ROWS" -c "\\copy wide FROM '$DATA/wide.csv' WITH (FORMAT csv, HEADER true)"
fi

# --- mappings ------------------------------------------------------------------
PREFIXES='@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
@prefix d2rq: <http://www.wiwiss.fu-berlin.de/suhl/bizer/D2RQ/0.1#> .
@prefix ex: <http://example.com/> .'
COLUMNS="name text1 text2 text3 text4 text5 text6 int1 int2 int3 int4 dec1 dec2 dec3 date1 date2 date3 flag note"
# wide_mapping FILE LOGICAL_SOURCE: the wide table's triples map over a source.
wide_mapping() {
    {
        echo "$PREFIXES"
        echo "<#DB> a d2rq:Database ; d2rq:jdbcDSN \"$3\" ; d2rq:username \"bench\" ."
        echo "ex:Wide rml:logicalSource $2 ;"
        echo '  rr:subjectMap [ rr:template "http://example.com/row/{id}" ] ;'
        for c in $COLUMNS; do echo "  rr:predicateObjectMap [ rr:predicate ex:$c ; rr:objectMap [ rml:reference \"$c\" ] ] ;"; done
        echo '  rr:predicateObjectMap [ rr:predicate ex:id ; rr:objectMap [ rml:reference "id" ] ] .'
    } > "$1"
}
M=$WORK/mappings
mkdir -p "$M"
CSV_SOURCE="[ rml:source \"$DATA/wide.csv\" ; rml:referenceFormulation ql:CSV ]"
TABLE_SOURCE='[ rml:source <#DB> ; rr:tableName "wide" ]'
MORPH_TABLE='[ rr:tableName "wide" ]'
wide_mapping "$M/csv.ttl" "$CSV_SOURCE" none
wide_mapping "$M/parquet.ttl" "[ rml:source \"$DATA/wide.parquet\" ; rml:referenceFormulation ql:CSV ]" none
wide_mapping "$M/xlsx.ttl" "[ rml:source \"$DATA/wide.xlsx\" ; rml:referenceFormulation ql:CSV ]" none
wide_mapping "$M/sqlite.ttl" "$TABLE_SOURCE" "jdbc:sqlite:$DATA/wide.sqlite"
wide_mapping "$M/postgres.ttl" "$TABLE_SOURCE" "jdbc:postgresql://127.0.0.1:$PG_PORT/bench$ROWS"
wide_mapping "$M/morph-table.ttl" "$MORPH_TABLE" none
for variant in unique dup; do
    {
        echo "$PREFIXES"
        echo "ex:Children rml:logicalSource [ rml:source \"$DATA/join-$variant-children.csv\" ; rml:referenceFormulation ql:CSV ] ;"
        echo '  rr:subjectMap [ rr:template "http://example.com/child/{cid}" ] ;'
        echo '  rr:predicateObjectMap [ rr:predicate ex:label ; rr:objectMap [ rml:reference "label" ] ] ;'
        echo '  rr:predicateObjectMap [ rr:predicate ex:parent ; rr:objectMap [ rr:parentTriplesMap ex:Parents ;'
        echo '      rr:joinCondition [ rr:child "ref" ; rr:parent "key" ] ] ] .'
        echo "ex:Parents rml:logicalSource [ rml:source \"$DATA/join-$variant-parents.csv\" ; rml:referenceFormulation ql:CSV ] ;"
        echo '  rr:subjectMap [ rr:template "http://example.com/parent/{pid}" ] ;'
        echo '  rr:predicateObjectMap [ rr:predicate ex:label ; rr:objectMap [ rml:reference "label" ] ] .'
    } > "$M/join-$variant.ttl"
done

# --- runs ----------------------------------------------------------------------
RESULTS=$WORK/results-$ROWS-$JOIN_ROWS.tsv
printf 'case\ttool\twall_s\tcpu_s\tpeak_mb\tlines\n' > "$RESULTS"
# measure CASE TOOL OUTPUT COMMAND...: one run under GNU time.
measure() {
    local case=$1 tool=$2 out=$3; shift 3
    say "$case: $tool"
    rm -f "$out"
    if /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$@" > "$WORK/run.log" 2>&1; then
        read -r wall user sys peak < "$WORK/time"
        printf '%s\t%s\t%s\t%.2f\t%d\t%s\n' "$case" "$tool" "$wall" "$(echo "$user + $sys" | bc)" $((peak / 1024)) "$(wc -l < "$out")" >> "$RESULTS"
        # A wide table's output is gigabytes: counted, then dropped.
        case $case in join-*) ;; *) rm -f "$out" ;; esac
    else
        printf '%s\t%s\tfailed\t-\t-\t-\n' "$case" "$tool" >> "$RESULTS"
        tail -5 "$WORK/run.log" >&2
    fi
}
# morph_ini MAPPING OUTPUT [DB_URL]: morph-kgc's configuration for one run.
morph_ini() {
    local mapping=$1 out=$2 db=${3:-}
    {
        echo "[CONFIGURATION]"
        echo "output_file: $out"
        echo "number_of_processes: 2"
        echo "[DataSource]"
        echo "mappings: $mapping"
        if [ -n "$db" ]; then echo "db_url: $db"; fi
    } > "$WORK/morph.ini"
}
MORPH=("$VENV/bin/python" -m morph_kgc "$WORK/morph.ini")
OUT=$WORK/out
mkdir -p "$OUT"
# From the work folder: `factgraph map` reads ./factgraph.toml when there is
# one, and the repository's is the bundled project's.
cd "$WORK"
# MORPH_KINDS: the kinds morph-kgc maps too (all by default; an .xlsx of a
# million rows takes it many minutes).
MORPH_KINDS=${MORPH_KINDS:-csv sqlite parquet xlsx postgres}
for kind in ${KINDS:-csv sqlite parquet xlsx postgres}; do
    measure "$kind" factgraph "$OUT/fg-$kind.nt" "$FG" map "$M/$kind.ttl" --output "$OUT/fg-$kind.nt"
    case $kind in
        csv|parquet|xlsx) morph_ini "$M/$kind.ttl" "$OUT/morph-$kind.nt" ;;
        sqlite) morph_ini "$M/morph-table.ttl" "$OUT/morph-$kind.nt" "sqlite:///$DATA/wide.sqlite" ;;
        postgres) morph_ini "$M/morph-table.ttl" "$OUT/morph-$kind.nt" "postgresql+psycopg2://bench@127.0.0.1:$PG_PORT/bench$ROWS" ;;
    esac
    case " $MORPH_KINDS " in *" $kind "*) measure "$kind" morph-kgc "$OUT/morph-$kind.nt" "${MORPH[@]}" ;; esac
done
for variant in unique dup; do
    measure "join-$variant" factgraph "$OUT/fg-join-$variant.nt" "$FG" map "$M/join-$variant.ttl" --output "$OUT/fg-join-$variant.nt"
    morph_ini "$M/join-$variant.ttl" "$OUT/morph-join-$variant.nt"
    measure "join-$variant" morph-kgc "$OUT/morph-join-$variant.nt" "${MORPH[@]}"
    if cmp -s <(sort -u "$OUT/fg-join-$variant.nt") <(sort -u "$OUT/morph-join-$variant.nt"); then
        echo "join-$variant: the same quads" >&2
    else
        echo "join-$variant: the outputs differ" >&2
    fi
done
column -t -s $'\t' "$RESULTS"
