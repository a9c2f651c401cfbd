#!/usr/bin/env bash
# The benchmarks on SQLite and on PostgreSQL in one run (make bench; docs/postgres.md,
# "Benchmarks"), one backend after the other, and a table of the two side by side at the end.
#
# It starts one throwaway PostgreSQL server for the whole run (scripts/pg-test-server with
# PG_TEST_DURABLE=1: fsync, synchronous_commit and full_page_writes on, as SQLite syncs every
# commit), and stops it on every way out. For each backend, in this order:
#   1. bench/ledger_bench: bulk appends (plain, and with personal parts) beside a raw insert
#      of the same bytes (SQLite's, or libpq's), verify, proofs, bytes per event, single
#      durable appends;
#   2. one demo council (caseward demo, timed here), used by the next three;
#   3. bench/rules_bench on it: the whole recomputation, the same 4 rules in SQL, the deep
#      verify, the increments and the server's integrity check;
#   4. bench/measures_bench on it: every measure for the last financial year beside PM24 in
#      SQL, the export and the recomputation from it;
#   5. bench/http_bench.sh on it: GET and POST with wrk beside nginx; on PostgreSQL also one
#      and two `caseward serve` behind nginx as a load balancer, and `caseward verify` of the
#      log both appended to afterwards.
# Both backends get the same sizes. A part that fails is marked in the table, the run goes
# on, and the script exits 1 at the end.
#
# Usage: bench/pg_bench.sh BUILD_DIR [--events N] [--single N] [--children N]
#                          [--duration SECONDS]
#   BUILD_DIR     holds caseward and bench/ (build it Release)
#   --events N    ledger_bench's events (default 100000)
#   --single N    ledger_bench's single durable appends (default 2000)
#   --children N  the council's children for the rules, measures and HTTP benchmarks
#                 (default 2000)
#   --duration S  seconds of wrk per HTTP measurement (default 10)
# Needs what the benchmarks need (scripts/install-deps --bench) and the PostgreSQL server
# (scripts/install-deps installs it). As root the server runs as user postgres.

# The table's awk programs are in single quotes on purpose: their $N are awk's fields.
# shellcheck disable=SC2016
set -uo pipefail

BENCH_NAME=pg_bench
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || usage
build=$1
shift
events=100000
single=2000
children=2000
duration=10
while [ $# -gt 0 ]; do
  case $1 in
    --events) events=${2:?}; shift 2 ;;
    --single) single=${2:?}; shift 2 ;;
    --children) children=${2:?}; shift 2 ;;
    --duration) duration=${2:?}; shift 2 ;;
    *) usage ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=$build/caseward
for p in "$bin" "$build/bench/ledger_bench" "$build/bench/rules_bench" \
  "$build/bench/measures_bench"; do
  [ -x "$p" ] || die "no $p (build $build first)"
done
command -v psql >/dev/null || die "psql is not installed (scripts/install-deps)"

umask 077
# Short: the server's Unix socket lives in it (at most 107 bytes of path).
T=$(mktemp -d /tmp/cw-pg-bench.XXXXXX)
cleanup() {
  "$root/scripts/pg-test-server" stop "$T/pg" || echo "pg_bench: could not stop the server in $T/pg" >&2
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
chmod 711 "$T" # the server may run as another user (postgres, when this runs as root)
mkdir "$T/pg" "$T/out"
chmod 755 "$T/pg"
server=$(PG_TEST_DURABLE=1 "$root/scripts/pg-test-server" start "$T/pg" 2>"$T/pg.err") ||
  die "the PostgreSQL server did not start: $(cat "$T/pg.err")"
pg_version=$(psql -X -A -t -d "$server" -c 'SHOW server_version' 2>/dev/null || echo '?')
psql -X -q -v ON_ERROR_STOP=1 -d "$server" \
  -c "CREATE DATABASE council ENCODING 'UTF8' TEMPLATE template0" >/dev/null ||
  die "cannot create the council's database"
pg_council=$(printf '%s' "$server" | sed -E "s|^(postgres(ql)?://[^/?]*)(/[^?]*)?|\1/council|")
password="bench password 123"

failed=
# run NAME CMD...: runs a benchmark, its output shown and kept in $T/out/NAME; a failure is
# noted and the run goes on.
run() {
  local name=$1
  shift
  echo
  echo "==== $name"
  "$@" 2>&1 | tee "$T/out/$name"
  local rc=${PIPESTATUS[0]}
  if [ "$rc" != 0 ]; then
    echo "pg_bench: $name exited $rc" >&2
    echo "$rc" >"$T/out/$name.failed"
    failed="$failed $name"
  fi
}

echo "pg_bench: SQLite beside PostgreSQL $pg_version (a throwaway server on a Unix socket," \
  "fsync on), $events events, councils of $children children, $duration s per HTTP run"
for b in sqlite pg; do
  if [ "$b" = sqlite ]; then
    mkdir "$T/sqlite"
    council=$T/sqlite/council.db
    pgopt=()
  else
    council=$pg_council
    pgopt=(--pg "$server")
    export CASEWARD_KEY_FILE=$T/council.key
  fi
  run "ledger-$b" "$build/bench/ledger_bench" --events "$events" --single "$single" "${pgopt[@]}"
  echo
  echo "==== council-$b"
  t0=$(date +%s.%N)
  if "$bin" demo --db "$council" --children "$children" --seed 1 --accounts "$password" \
    >"$T/out/council-$b" 2>&1; then
    t1=$(date +%s.%N)
    n=$(sed -n 's/^events: \([0-9]*\) .*/\1/p' "$T/out/council-$b")
    awk -v n="$n" -v t0="$t0" -v t1="$t1" -v c="$children" 'BEGIN { t = t1 - t0
      printf "demo council: %d children, %d events in %.1f s = %.0f events/s\n", c, n, t, n / t }' |
      tee "$T/out/rate-$b"
  else
    tail -5 "$T/out/council-$b" >&2
    failed="$failed council-$b"
    echo 1 >"$T/out/council-$b.failed"
    continue
  fi
  run "rules-$b" "$build/bench/rules_bench" --db "$council"
  run "measures-$b" "$build/bench/measures_bench" --db "$council"
  run "http-$b" "$here/http_bench.sh" "$build" --db "$council" --duration "$duration" \
    --password "$password" --summary "$T/out/http-$b.tsv"
done

# ---- the table ----------------------------------------------------------------
# get BACKEND FILE AWK: what the awk program prints from the output FILE-BACKEND, or "failed"
# if that part failed, or "-" if it printed nothing.
get() {
  local f=$T/out/$2-$1 v
  # An HTTP run that saw errors still has its figures (marked ERRORS above, and at the end).
  if [ -e "$T/out/$2-$1.failed" ] && [ "$2" != http ]; then
    echo failed
    return
  fi
  v=$(awk "$3" "$f" 2>/dev/null | head -1)
  echo "${v:--}"
}
# http BACKEND LABEL FIELD: a field of an HTTP measurement (2 req/s, 3 p50, 4 p99).
http() {
  local v
  v=$(awk -F'\t' -v l="$2" -v f="$3" '$1 == l { print $f }' "$T/out/http-$1.tsv" 2>/dev/null | tail -1)
  echo "${v:--}"
}
row() { printf '  %-52s %16s %16s\n' "$1" "$2" "$3"; }
both() { row "$1" "$(get sqlite "$2" "$3")" "$(get pg "$2" "$3")"; }
hboth() { row "$1" "$(http sqlite "$2" "$3")" "$(http pg "$2" "$3")"; }

echo
echo "==== summary: SQLite beside PostgreSQL $pg_version (fsync on), the same sizes"
row "" SQLite PostgreSQL
echo "ledger ($events events)"
both "bulk append, plain (events/s)" ledger '/ledger append/ { print $3; exit }'
both "  raw insert of the same bytes (events/s)" ledger '/raw .* insert/ { print $4; exit }'
both "bulk append, personal parts (events/s)" ledger '/ledger append/ && ++n == 2 { print $3; exit }'
both "verify (MB/s)" ledger '/caseward verify/ { print $3; exit }'
both "inclusion proof, warm, p50 (us)" ledger '/inclusion +warm/ { print $4; exit }'
both "bytes per event" ledger '/^  ledger .*bytes\/event/ { print $2; exit }'
both "single durable append, p50 (ms)" ledger '/^single durable/ { s = 1; next } s && /p50/ { print $2; exit }'
both "single durable append, p99 (ms)" ledger '/^single durable/ { s = 1; next } s && /p50/ { print $5; exit }'
both "verify of those single appends (checkpoints/s)" ledger '/verify of that log/ { print $(NF - 1); exit }'
echo "rules (a council of $children children)"
both "demo council generated (events/s)" rate '{ print $(NF - 1) }'
both "whole recomputation (s)" rules '/us per entry/ { print $1; exit }'
both "  per entry (us)" rules '/us per entry/ { print $4; exit }'
both "the same 4 rules: engine (s)" rules '/engine, a pack of those 4 rules/ { print $8; exit }'
both "the same 4 rules: SQL over the projections (s)" rules '/SQL over the projection tables/ { print $6; exit }'
both "deep verify (s)" rules '/rows compared:/ { for (i = 1; i < NF; i++) if ($i == "compared:") print $(i + 1); exit }'
both "validation + projection in a batch (us/event)" rules '/validation \+ projection/ { print $7; exit }'
both "durable single-event append, p50 (us)" rules '/durable single-event append/ { print $5; exit }'
both "re-evaluating a child's rules, p50 (us)" rules '/re-evaluating the child/ { print $6; exit }'
both "integrity check after a write, p50 (us)" rules '/after a write of one entry/ { print $8; exit }'
echo "measures (the same council, the last financial year)"
both "every measure (s)" measures '/ measures, .* children / { for (i = 1; i < NF; i++) if ($i == "s;") print $(i - 1); exit }'
both "PM24 in SQL over the projections (s)" measures '/PM24 in SQL over the projections/ { print $7; exit }'
both "export of the log (s)" measures '/export of .* entries/ { print $5; exit }'
echo "http (the same council, 64 connections, $duration s each)"
hboth "nginx static file (req/s)" nginx 2
hboth "GET child record (req/s)" get 2
hboth "GET child record, p99 (ms)" get 4
hboth "POST case_note (req/s)" post 2
hboth "POST case_note, p99 (ms)" post 4
both "server memory after the runs (RSS MiB)" http '/caseward server memory/ { print $5; exit }'
echo "http, PostgreSQL: behind nginx, with an API token"
hboth "GET, 1 server (req/s)" get1 2
hboth "GET, 2 servers (req/s)" get2 2
hboth "GET, 2 servers, p99 (ms)" get2 4
hboth "POST, 1 server (req/s)" post1 2
hboth "POST, 2 servers (req/s)" post2 2
hboth "POST, 2 servers, p99 (ms)" post2 4
both "server 1 memory after the runs (RSS MiB)" http '/server 1 memory/ { print $5; exit }'
both "server 2 memory after the runs (RSS MiB)" http '/server 2 memory/ { print $5; exit }'
both "both servers' /healthz after the runs" http '/ \/healthz: / { bad = 1 } /log both appended to:/ { print bad ? "integrity_fail" : "ok"; exit }'
both "verify of the log both servers appended to" http '/log both appended to:/ { print ($0 ~ /to: passed/) ? "passed" : "FAILED" }'
if [ -n "$failed" ]; then
  echo "pg_bench: failed:$failed (their output is above)" >&2
  exit 1
fi
