#!/usr/bin/env bash
# pg_fault_test.sh — the server on PostgreSQL when the database server goes away and comes
# back (docs/faults.md), on a throwaway server (scripts/pg-test-server). While it is down: a
# write is 503 "the database cannot be reached" (keyed, not 500), a child's record is not
# shown, /healthz is 503 with the reason, the integrity alarm is not tripped. Once it is back,
# with no restart of caseward: /healthz 200, writes taken; the log verifies and holds every
# acknowledged write and no refused one.
#
# usage: bash tests/pg_fault_test.sh /path/to/caseward
set -u

CW=${1:?usage: pg_fault_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "pg_fault_test: $CW is not executable" >&2; exit 1; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SERVER=$ROOT/scripts/pg-test-server
for c in psql curl; do
    command -v $c >/dev/null || { echo "pg_fault_test: needs $c (scripts/install-deps)" >&2; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-pg-fault-test-XXXXXX")
SRV_PID=
cleanup() {
    [ -n "$SRV_PID" ] && kill -9 "$SRV_PID" 2>/dev/null
    "$SERVER" stop "$T"
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
chmod 755 "$T" # the server may run as another user (postgres, when this runs as root)

. "$(dirname "$0")/lib.sh"

URI=$("$SERVER" start "$T" 2>"$T/err") ||
    { echo "pg_fault_test: the test server did not start: $(cat "$T/err")" >&2; exit 1; }
DB=$(printf '%s' "$URI" | sed "s|^postgresql:///[^?]*?|postgresql:///cw?|")
psql -v ON_ERROR_STOP=1 -X -q -d "$URI" -c "CREATE DATABASE cw ENCODING 'UTF8' TEMPLATE template0" ||
    { echo "pg_fault_test: cannot create the database" >&2; exit 1; }
export CASEWARD_KEY_FILE=$T/cw.key
pgsql() { psql -v ON_ERROR_STOP=1 -X -q -A -t -d "$DB" -c "$1"; }

run demo --db "$DB" --children 5 --seed 4
expect_rc 0 "demo"
run user add hos --staff hos.1 --db "$DB"
expect_rc 0 "user add"
ONE_TIME=$(sed -n 's/.*one-time password \([^ ]*\) .*/\1/p' "$T/out")
run token add t1 --user hos --scope write --db "$DB"
expect_rc 0 "token add"
TOKEN=$(sed -n 's/.*(write): \(cwt_[^ ]*\).*/\1/p' "$T/out")
CHILD=$(pgsql "SELECT child_id FROM children ORDER BY child_id LIMIT 1")
notes() { pgsql "SELECT count(*) FROM entries WHERE position('\"type\":\"case_note\"' in convert_from(leaf, 'UTF8')) > 0"; }
notes_before=$(notes)

"$CW" serve --db "$DB" --listen 127.0.0.1:0 2>"$T/log" &
SRV_PID=$!
port=$(serve_port "$T/log")
check "the server reports its port" test -n "$port"
URL=http://127.0.0.1:$port
AUTH="Authorization: Bearer $TOKEN"
note() {
    curl -s -H "$AUTH" -H 'Content-Type: application/json' -o "$T/note" -w '%{http_code}' \
        -d "{\"child_id\":\"$CHILD\",\"date\":\"2026-06-01\",\"text\":\"seen at home\"}" \
        "$URL/api/v1/commands/case_note"
}
ACKED=
noted() { [ "$1" != 201 ] || ACKED="$ACKED $(sed -n 's/.*"index":\([0-9]*\).*/\1/p' "$T/note")"; }
healthz() { curl -s -o "$T/health" -w '%{http_code}' "$URL/healthz"; }
look() { curl -s -H "$AUTH" -o "$T/record" -w '%{http_code}' "$URL/api/v1/children/$CHILD"; }

for _ in $(seq 1 200); do
    curl -s "$URL/healthz" | grep -q '"read_model":"checking"' || break
    sleep 0.05
done
code=$(curl -s -c "$T/jar" -H 'Content-Type: application/json' -o "$T/session" -w '%{http_code}' \
    -d "{\"username\":\"hos\",\"password\":\"$ONE_TIME\"}" "$URL/api/v1/session")
check "sign in" test "$code" = 200
csrf=$(sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p' "$T/session")
code=$(curl -s -b "$T/jar" -X PUT -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    -o /dev/null -w '%{http_code}' \
    -d "{\"current_password\":\"$ONE_TIME\",\"new_password\":\"a long pg fault password\"}" \
    "$URL/api/v1/me/password")
check "password changed" test "$code" = 200
code=$(note)
noted "$code"
check "a note before ($code)" test "$code" = 201
check "healthz 200 before" test "$(healthz)" = 200

# ---- the database server goes away ----
"$SERVER" stop "$T"
code=$(note)
noted "$code"
check "database down: a write is 503 ($code)" test "$code" = 503
check "database down: the words" grep -q '"key":"storage_unreachable"' "$T/note"
code=$(look)
check "database down: a child's record is not shown ($code)" test "$code" = 503
check "database down: nothing of it" sh -c "! grep -q '\"given_name\"' '$T/record'"
code=$(healthz)
check "database down: healthz 503 ($code)" test "$code" = 503
check "database down: healthz says why" \
    grep -q '"status":"unavailable","reason":"the database server cannot be reached"' "$T/health"

# ---- back ----
"$SERVER" start "$T" >/dev/null 2>"$T/err" || bad "the database server starts again: $(cat "$T/err")"
code=
for _ in $(seq 1 50); do
    code=$(healthz)
    [ "$code" = 200 ] && break
    sleep 0.2
done
check "database back: healthz 200 by itself ($code)" test "$code" = 200
code=
for _ in $(seq 1 10); do # pooled readers whose connection died are dropped one by one
    code=$(note)
    noted "$code"
    [ "$code" = 201 ] && break
done
check "database back: a write is taken ($code)" test "$code" = 201
code=
for _ in $(seq 1 10); do
    code=$(look)
    [ "$code" = 200 ] && break
done
check "database back: the record is shown ($code)" test "$code" = 200
check "the integrity alarm never tripped" \
    sh -c "curl -s '$URL/metrics' | grep -q '^caseward_integrity_ok 1'"
kill -TERM "$SRV_PID"
wait "$SRV_PID"
SRV_PID=

run verify --db "$DB"
expect_rc 0 "the log verifies"
present=0
for i in $ACKED; do
    present=$((present + $(pgsql "SELECT count(*) FROM entries WHERE idx = $i")))
done
nacked=$(echo $ACKED | wc -w)
check "every acknowledged note is there ($present of $nacked)" test "$present" = "$nacked"
check "no refused note is there" test $((notes_before + nacked)) = "$(notes)"

finish pg_fault_test
