#!/usr/bin/env bash
# Incremental builds against full builds of the same files (issue 24).
#   bench/incremental.sh PROJECT [FACTGRAPH]
# PROJECT: a generated project (`factgraph generate`), changed in place.
# For each change (10 rows edited in three files, 1000 rows added, 1000 rows
# deleted): the incremental build's time and the disk its version adds, a
# full build of the same files into another store, and whether the two
# export the same N-Quads (less the build's version and time).
set -eu
P=$(cd "$1" && pwd); F=${2:-$(dirname "$0")/../target/release/factgraph}
F=$(cd "$(dirname "$F")" && pwd)/$(basename "$F")
HERE=$(cd "$(dirname "$0")" && pwd)
T="/usr/bin/time -f %e,%M"
cd "$P"
rm -rf store full-store
norm() { grep -v -E 'dcat#version|terms/modified|endedAtTime' "$1" | sed -E 's#/version/v[0-9]+>#/version/V>#'; }
echo "first build (full): $( { $T $F build --quiet; } 2>&1 | tail -1) s,KB"
step() {
  local what=$1; shift
  python3 "$HERE/incremental.py" data "$@"
  old=store/versions/$(cat store/CURRENT)
  line=$( { $T $F build; } 2>&1 | tail -1)
  kind=$($F build --help >/dev/null; head -c 0 /dev/null; python3 -c "import json;e=json.load(open('store/changes/$(cat store/CURRENT)/entry.json'));print('incremental' if e['incremental'] else 'FULL: '+e['reason'], e['added'], e['removed'])")
  new=store/versions/$(cat store/CURRENT)
  added=$(du -sk "$old" "$new" | tail -1 | cut -f1); whole=$(du -sk "$old" | cut -f1)
  full=$( { $T $F build --quiet --full --store full-store; } 2>&1 | tail -1)
  $F export --format nquads -o /tmp/inc-bench-a.nq; $F export --format nquads --store full-store -o /tmp/inc-bench-b.nq
  same=different; cmp -s <(norm /tmp/inc-bench-a.nq) <(norm /tmp/inc-bench-b.nq) && same=identical
  echo "$what: incremental $line s,KB ($kind); its version adds ${added} KB to the ${whole} KB of the one before; full build $full s,KB; exports $same"
  rm -f /tmp/inc-bench-a.nq /tmp/inc-bench-b.nq
}
step "10 rows edited in 3 files" edit 10 offerings.csv organisations.csv services.csv
step "1000 rows added" add 1000 offerings.csv
step "1000 rows deleted" delete 1000 offerings.csv
