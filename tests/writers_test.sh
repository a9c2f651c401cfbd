#!/usr/bin/env bash
# writers_test.sh — several writers on one log at once never refuse a valid batch.
#
# A council imports while its server runs: four `caseward append` processes, each appending
# batches of five commands one after another, beside a `caseward serve` on the same database
# taking case notes through the API. Every batch and every note must be acknowledged (none
# refused, none "busy"); afterwards the log is gap-free (its entries are exactly 0..n-1), holds
# each acknowledged batch once and in one piece (a batch's five entries are consecutive), the
# projections hold every child once, and caseward verify passes. Then a batch appended while
# another transaction holds the log's tail for 7 s waits and lands, and one beside a batch
# trickling in on a slow pipe does not wait for that input. On SQLite, and on PostgreSQL
# under tests/with-pg (CW_PG_SUITES), where the writers may be on other machines.
#
# usage: bash tests/writers_test.sh /path/to/caseward
set -u

CW=${1:?usage: writers_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "writers_test: $CW is not executable" >&2; exit 1; }
command -v curl >/dev/null || { echo "writers_test: needs curl" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-writers-test-XXXXXX")
PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT

. "$(dirname "$0")/lib.sh"

WRITERS=4
BATCHES=${CW_WRITERS_BATCHES:-10}
NOTES=30
PW="writers test password"

new_db writers || exit 1
export CASEWARD_KEY_FILE=${CASEWARD_KEY_FILE:-$T/writers.key}
run demo --db "$DB" --children 5 --seed 3 --as-of 2026-06-01 --accounts "$PW"
expect_rc 0 "demo"

"$CW" serve --db "$DB" --listen 127.0.0.1:0 2>"$T/serve.log" &
PID=$!
port=$(serve_port "$T/serve.log")
check "the server is listening" test -n "$port"
URL=http://127.0.0.1:$port
csrf=$(curl -s -c "$T/jar" -H 'Content-Type: application/json' \
    -d "{\"username\":\"social.worker\",\"password\":\"$PW\"}" "$URL/api/v1/session" |
    sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
check "sign in" test -n "$csrf"
# The log's size before the writers start (signing in is in the log too).
run verify --db "$DB"
expect_rc 0 "verify before the writers"
base=$(sed -n 's/^verified \([0-9]*\) entries.*/\1/p' "$T/out")
check "the size before is known" test -n "$base"

# writer W: BATCHES batches of five children registered, one `caseward append` each; prints
# each acknowledged batch as "W B SIZE" (the log's size after it) to $T/acked.W.
writer() {
    local w=$1 b k
    for b in $(seq 1 "$BATCHES"); do
        : >"$T/batch.$w"
        for k in 1 2 3 4 5; do
            printf '{"type":"child_registered","actor":"hos.1","payload":{"child_id":"W%s-%s-%s","given_name":"Ann","family_name":"Writer","date_of_birth":"2015-01-05","gender":"female","language":"english"}}\n' \
                "$w" "$b" "$k" >>"$T/batch.$w"
        done
        if "$CW" append --db "$DB" "$T/batch.$w" >"$T/out.$w" 2>"$T/err.$w"; then
            echo "$w $b $(cat "$T/out.$w")" >>"$T/acked.$w"
        else
            echo "writer $w batch $b refused: $(head -c 300 "$T/err.$w")" >&2
        fi
    done
}
# notes: NOTES case notes through the server, one after another; acknowledged indexes to
# $T/notes.
notes() {
    local k code
    for k in $(seq 1 "$NOTES"); do
        code=$(curl -s -b "$T/jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
            -o "$T/note.out" -w '%{http_code}' \
            -d "{\"child_id\":\"C0000001\",\"date\":\"2026-06-01\",\"text\":\"note $k\"}" \
            "$URL/api/v1/commands/case_note")
        if [ "$code" = 201 ]; then
            grep -o '"index":[0-9]*' "$T/note.out" | cut -d: -f2 >>"$T/notes"
        else
            echo "note $k: $code $(head -c 300 "$T/note.out")" >&2
        fi
    done
}

t0=$(date +%s%N)
pids=()
for w in $(seq 1 "$WRITERS"); do
    writer "$w" &
    pids+=($!)
done
notes &
pids+=($!)
wait "${pids[@]}"
t1=$(date +%s%N)
acked=$(cat "$T"/acked.* 2>/dev/null | grep -c .)
nnotes=$(grep -c . "$T/notes" 2>/dev/null || echo 0)
echo "writers_test: $WRITERS writers x $BATCHES batches of 5 and $NOTES notes through the" \
    "server in $(((t1 - t0) / 1000000)) ms: $acked batches and $nnotes notes acknowledged" >&2
check "every batch acknowledged ($acked of $((WRITERS * BATCHES)))" \
    test "$acked" = $((WRITERS * BATCHES))
check "every note acknowledged ($nnotes of $NOTES)" test "$nnotes" = "$NOTES"
check "each acknowledged size is different" \
    test "$(cat "$T"/acked.* | awk '{print $3}' | sort -u | wc -l)" = "$acked"

# A long import holds the log's tail for seconds (here a transaction held open for 7 s, longer
# than SQLite's usual 5 s wait): a batch appended meanwhile waits its turn and lands; it is not
# refused as "locked".
if [ -n "${CW_TEST_PG:-}" ]; then
    psql -X -q -d "$DB" -c 'BEGIN' -c 'SELECT pg_advisory_xact_lock(7167307493599608833)' \
        -c 'SELECT pg_sleep(7)' -c 'COMMIT' >/dev/null 2>"$T/hold.err" &
else
    sqlite3 "$DB" 'BEGIN IMMEDIATE' '.shell sleep 7' 'COMMIT' >/dev/null 2>"$T/hold.err" &
fi
hold=$!
sleep 1
printf '{"type":"child_registered","actor":"hos.1","payload":{"child_id":"LATE-1","given_name":"Ann","family_name":"Writer","date_of_birth":"2015-01-05","gender":"female","language":"english"}}\n' \
    >"$T/late"
t2=$(date +%s%N)
run append --db "$DB" "$T/late"
t3=$(date +%s%N)
expect_rc 0 "a batch appended while another holds the tail for 7 s waits and lands"
wait "$hold"
check "the tail was held ($(cat "$T/hold.err"))" test ! -s "$T/hold.err"
waited=$(((t3 - t2) / 1000000))
echo "writers_test: the batch behind the held tail waited $waited ms" >&2
check "it waited for the tail (${waited} ms)" test "$waited" -ge 4000

# A batch trickling in on a slow pipe is read whole before the tail is taken: the others do
# not wait for its input.
line() { printf '{"type":"child_registered","actor":"hos.1","payload":{"child_id":"%s","given_name":"Ann","family_name":"Writer","date_of_birth":"2015-01-05","gender":"female","language":"english"}}\n' "$1"; }
(line SLOW-1; sleep 4; line SLOW-2) | "$CW" append --db "$DB" - >"$T/slow.out" 2>"$T/slow.err" &
slow=$!
sleep 1
line QUICK-1 >"$T/quick"
t4=$(date +%s%N)
run append --db "$DB" "$T/quick"
t5=$(date +%s%N)
expect_rc 0 "a batch beside one trickling in on a pipe"
quick=$(((t5 - t4) / 1000000))
echo "writers_test: a batch beside one trickling in took $quick ms" >&2
check "it did not wait for the other's input (${quick} ms)" test "$quick" -lt 2500
wait "$slow"
check "the trickling batch landed too ($(cat "$T/slow.err"))" test -s "$T/slow.out"

kill -TERM "$PID" 2>/dev/null
wait "$PID" 2>/dev/null
PID=
total=$((base + 5 * WRITERS * BATCHES + NOTES + 4))
run verify --db "$DB"
expect_rc 0 "verify after the writers"
check "the log holds every write ($total entries)" out_has "verified $total entries"
check "the log is gap-free (its indexes are 0..$((total - 1)))" \
    test "$(sql "SELECT count(*) || ' ' || min(idx) || ' ' || max(idx) FROM entries")" = \
    "$total 0 $((total - 1))"
check "every child registered once" \
    test "$(sql "SELECT count(*) FROM children WHERE child_id LIKE 'W%'")" = \
    $((5 * WRITERS * BATCHES))
# A batch is one piece: its five entries end at the size acknowledged, and are its own five
# children, in order.
split=0
while read -r w b size; do
    got=$(sql "SELECT child_id FROM child_events WHERE type = 'child_registered'
        AND idx >= $((size - 5)) AND idx < $size ORDER BY idx" | tr '\n' ' ')
    [ "$got" = "W$w-$b-1 W$w-$b-2 W$w-$b-3 W$w-$b-4 W$w-$b-5 " ] || {
        split=$((split + 1))
        echo "batch $w/$b ending at $size: $got" >&2
    }
done < <(cat "$T"/acked.*)
check "each batch's five entries are together, ending at the size acknowledged" test "$split" = 0
check "the server logged no integrity failure" test "$(grep -ci 'integrity' "$T/serve.log")" = 0

finish writers_test
