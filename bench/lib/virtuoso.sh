# Virtuoso 7 for the benchmarks: installing it, a scratch database of its
# own, starting and stopping its server, and its bulk load. Sourced by
# bench/virtuoso.sh, bench/build_vs_load.sh and bench/publish_incremental.sh.
#
# The caller sets, before calling these functions:
#   VDIR                  the database's folder
#   VIRTUOSO_HTTP_PORT    its HTTP port (loopback only)
#   VIRTUOSO_SQL_PORT     its SQL port (loopback only)
#   VIRTUOSO_BUFFERS      8-KiB pages of buffer pool (Virtuoso takes them all at start)
#   QUERY_TIMEOUT         seconds a SPARQL query may run (MaxQueryExecutionTime)
# and reads VPID, the running server's process id (empty when none runs).

VIRTUOSO_SUDO=; [ "$(id -u)" -ne 0 ] && VIRTUOSO_SUDO=sudo

# Installs GNU time and Virtuoso 7 from Debian's packages when missing.
virtuoso_install() {
    if [ -x /usr/bin/time ] && command -v virtuoso-t > /dev/null && command -v isql-vt > /dev/null; then
        return
    fi
    printf '\n== %s\n' "installing GNU time and Virtuoso 7 (Debian's virtuoso-opensource)" >&2
    $VIRTUOSO_SUDO apt-get update -qq
    # The package would start a system-wide server on 1111/8890 where a
    # service manager lets it; the benchmarks run their own on other ports.
    $VIRTUOSO_SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        time virtuoso-opensource
}

virtuoso_version() {
    dpkg-query -W -f '${Version}' virtuoso-opensource-7 2> /dev/null || virtuoso-t -? 2>&1 | sed -n 's/^Version //p'
}

# Writes $VDIR/virtuoso.ini: a database of its own, on loopback only.
virtuoso_write_ini() {
    mkdir -p "$VDIR"
    cat > "$VDIR/virtuoso.ini" <<EOF
; Written by bench/lib/virtuoso.sh: a database of its own, on loopback only.
[Database]
DatabaseFile       = $VDIR/virtuoso.db
ErrorLogFile       = $VDIR/virtuoso.log
LockFile           = $VDIR/virtuoso.lck
TransactionFile    = $VDIR/virtuoso.trx
xa_persistent_file = $VDIR/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $VDIR/virtuoso-temp.db
TransactionFile    = $VDIR/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:$VIRTUOSO_SQL_PORT
DisableUnixSocket    = 1
MaxClientConnections = 32
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = ., $VDIR
; 8 KiB pages
NumberOfBuffers      = $VIRTUOSO_BUFFERS
MaxDirtyBuffers      = $((VIRTUOSO_BUFFERS * 3 / 4))
MaxQueryMem          = 2G
VectorSize           = 1000
MaxVectorSize        = 1000000
ThreadsPerQuery      = $(nproc)
AsyncQueueMaxThreads = 10

[HTTPServer]
ServerPort           = 127.0.0.1:$VIRTUOSO_HTTP_PORT
ServerRoot           = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 32
ServerThreads        = 32
MaxKeepAlives        = 32
KeepAliveTimeout     = 60
EnabledDavVSP        = 0
Charset              = UTF-8

[SPARQL]
; no truncated answers
ResultSetMaxRows           = 1000000000
MaxQueryCostEstimationTime = 0
; a query past QUERY_TIMEOUT is stopped (its partial answer is reported as such)
MaxQueryExecutionTime      = $QUERY_TIMEOUT
EOF
}

VPID=
virtuoso_stop() {
    if [ -n "$VPID" ] && kill -0 "$VPID" 2> /dev/null; then
        kill "$VPID"
        wait "$VPID" 2> /dev/null || true
    fi
    VPID=
}

# Starts the server on $VDIR's database and waits until it answers.
virtuoso_start() {
    if curl -s -o /dev/null "http://127.0.0.1:$VIRTUOSO_HTTP_PORT/" || ss -ltn | grep -q ":$VIRTUOSO_SQL_PORT "; then
        echo "bench: port $VIRTUOSO_HTTP_PORT or $VIRTUOSO_SQL_PORT is in use; stop what listens there or set VIRTUOSO_HTTP_PORT/VIRTUOSO_SQL_PORT" >&2
        exit 2
    fi
    : > "$VDIR/virtuoso.log"
    rm -f "$VDIR/virtuoso.lck" # left by a server that was killed; none runs (the ports are free)
    virtuoso-t +configfile "$VDIR/virtuoso.ini" +foreground > "$VDIR/server.out" 2>&1 &
    VPID=$!
    local waited=0
    until grep -q "HTTP server online" "$VDIR/virtuoso.log" 2> /dev/null && grep -q "Server online" "$VDIR/virtuoso.log"; do
        if ! kill -0 "$VPID" 2> /dev/null || [ $waited -ge 300 ]; then
            echo "bench: Virtuoso did not come up; the end of $VDIR/virtuoso.log:" >&2
            tail -10 "$VDIR/virtuoso.log" "$VDIR/server.out" >&2
            exit 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
}

virtuoso_isql() { isql-vt "127.0.0.1:$VIRTUOSO_SQL_PORT" dba dba "exec=$1"; }

# The number of triples in GRAPH, from SPARQL over HTTP.
virtuoso_count() {
    curl -sf "http://127.0.0.1:$VIRTUOSO_HTTP_PORT/sparql" -H 'Accept: text/csv' --data-urlencode "default-graph-uri=$1" \
        --data-urlencode 'query=SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' | tail -1
}

# virtuoso_bulk_load EXPORT GRAPH: bulk-loads the N-Triples (.nt) or N-Quads
# (.nq) file EXPORT into the running server (triples into GRAPH), as Virtuoso's bulk-loading guide says (two
# files, one rdf_loader_run a core, then a checkpoint), and prints the
# seconds it took. Exits when the loader reports a problem.
virtuoso_bulk_load() {
    local export=$1 graph=$2 start end second errors extension=${1##*.}
    rm -rf "$VDIR/load"
    mkdir -p "$VDIR/load"
    split -n l/2 -d --additional-suffix=".$extension" "$export" "$VDIR/load/part-"
    start=$(date +%s.%N)
    virtuoso_isql "ld_dir('$VDIR/load', '*.$extension', '$graph');" > "$VDIR/load.log"
    virtuoso_isql "rdf_loader_run();" >> "$VDIR/load.log" &
    second=$!
    virtuoso_isql "rdf_loader_run();" >> "$VDIR/load.log"
    wait "$second"
    virtuoso_isql "checkpoint;" >> "$VDIR/load.log"
    end=$(date +%s.%N)
    errors=$(virtuoso_isql "select count(*) from DB.DBA.LOAD_LIST where ll_error is not null or ll_state <> 2;" | awk '/^[0-9]+ *$/ { print $1; exit }')
    if [ "$errors" != 0 ]; then
        echo "bench: Virtuoso's loader reports problems:" >&2
        virtuoso_isql "select ll_file, ll_state, ll_error from DB.DBA.LOAD_LIST;" >&2
        exit 1
    fi
    rm -rf "$VDIR/load"
    echo "$end - $start" | bc
}
