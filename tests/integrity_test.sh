#!/usr/bin/env bash
# integrity_test.sh — `caseward serve` checks the log under it.
#
# A running server whose log is changed underneath it — an entry deleted after the
# insert-only triggers were dropped, as an attacker would; a leaf altered by a connection
# that turned triggers off, which leaves the schema alone — refuses the next write (so a
# child's record, whose reading must be recorded, is not shown), signs no new checkpoint,
# answers /healthz with 503 and status integrity_failure, shows caseward_integrity_ok 0 on
# /metrics, and logs one line naming the index or object, not the content. Restarted on
# that log, it refuses to start. A read model edited outside the log (a member of staff's
# role) is found by the deep verify it runs at start, with the same effect.
#
# usage: bash tests/integrity_test.sh /path/to/caseward
set -u

CW=${1:?usage: integrity_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "integrity_test: $CW is not executable" >&2; exit 1; }
command -v curl >/dev/null || { echo "integrity_test: needs curl" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "integrity_test: needs sqlite3" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-integrity-test-XXXXXX")
PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"' EXIT

. "$(dirname "$0")/lib.sh"

PW="integrity test password"
"$CW" demo --db "$T/c.db" --children 60 --seed 3 --accounts "$PW" >/dev/null 2>"$T/err" ||
    { echo "integrity_test: demo failed: $(cat "$T/err")" >&2; exit 1; }

# start NAME: serves a copy of the council as $T/NAME.db; sets PID and URL.
start() {
    "$CW" serve --db "$T/$1.db" --listen 127.0.0.1:0 2>"$T/$1.log" &
    PID=$!
    URL=http://127.0.0.1:$(serve_port "$T/$1.log")
    # The deep verify at start runs beside serving: wait until it has an answer.
    for _ in $(seq 1 200); do
        curl -s "$URL/healthz" | grep -q '"read_model":"checking"' || break
        sleep 0.05
    done
}
stop() { kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; PID=; }
copy() { cp "$T/c.db" "$T/$1.db" && cp "$T/c.db.key" "$T/$1.db.key" && chmod 600 "$T/$1".db*; }
sign_in() {
    curl -s -c "$T/jar" -H 'Content-Type: application/json' \
        -d "{\"username\":\"head.of.service\",\"password\":\"$PW\"}" "$URL/api/v1/session" -o /dev/null
}
child=$(sqlite3 "$T/c.db" "SELECT child_id FROM children ORDER BY child_id LIMIT 1")
read_child() { curl -s -b "$T/jar" -o "$T/record" -w '%{http_code}' "$URL/api/v1/children/$child"; }
latest() { sqlite3 "$T/$1.db" "SELECT max(size) FROM checkpoints"; }

# expect_refused NAME: the write after the tampering is refused, and the server says so.
expect_refused() {
    local name=$1 before
    before=$(latest "$name")
    code=$(read_child)
    check "$name: the record is withheld (its reading cannot be recorded; got $code)" \
        test "$code" -ge 500
    check "$name: no new checkpoint was signed" test "$(latest "$name")" = "$before"
    code=$(curl -s -o "$T/health" -w '%{http_code}' "$URL/healthz")
    check "$name: /healthz answers 503 (got $code)" test "$code" = 503
    check "$name: /healthz says integrity_failure" grep -q '"status":"integrity_failure"' "$T/health"
    check "$name: /healthz names no child" sh -c "! grep -q '$child' '$T/health'"
    curl -s "$URL/metrics" -o "$T/metrics"
    check "$name: /metrics shows caseward_integrity_ok 0" grep -qx 'caseward_integrity_ok 0' "$T/metrics"
    check "$name: one line on stderr" test "$(grep -c 'integrity failure' "$T/$name.log")" = 1
    check "$name: stderr names no child" sh -c "! grep 'integrity failure' '$T/$name.log' | grep -q '$child'"
    # It stays refused: another write is refused too.
    code=$(read_child)
    check "$name: still refused (got $code)" test "$code" -ge 500
}

# An untouched log: writes are accepted and signed, /healthz and /metrics say so.
copy good
start good
sign_in
before=$(latest good)
code=$(read_child)
check "untouched: the record is shown (got $code)" test "$code" = 200
check "untouched: the reading was signed into the log" test "$(latest good)" -gt "$before"
check "untouched: /healthz ok" sh -c "curl -sf '$URL/healthz' | grep -q '\"read_model\":\"verified\"'"
check "untouched: caseward_integrity_ok 1" sh -c "curl -s '$URL/metrics' | grep -qx 'caseward_integrity_ok 1'"
# Another process writing (an administrator's CLI) is not tampering.
"$CW" user add cli.added --db "$T/good.db" --role inspector >/dev/null 2>&1
code=$(read_child)
check "untouched: a write by another caseward process is accepted (got $code)" test "$code" = 200
stop

# An entry deleted under the running server, after dropping the triggers.
copy deleted
start deleted
sign_in
check "deleted: a first read is shown" test "$(read_child)" = 200
sqlite3 "$T/deleted.db" "DROP TRIGGER entries_insert_only_delete; DELETE FROM entries WHERE idx = 5;"
expect_refused deleted
stop
"$CW" serve --db "$T/deleted.db" --listen 127.0.0.1:0 >/dev/null 2>"$T/restart.log" &
p=$!
for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$p" 2>/dev/null; then
    kill -9 "$p"
    bad "restart on a tampered log: the server started"
else
    wait "$p"
    check "restart on a tampered log: exits non-zero" test $? -ne 0
    check "restart on a tampered log: says the log does not verify" \
        grep -q "does not verify" "$T/restart.log"
fi

# The trigger put back afterwards, exactly as it was: the structure is caseward's again, but
# the schema changed, so the whole log is verified again and the gap is found.
copy restored
start restored
sign_in
trigger=$(sqlite3 "$T/restored.db" "SELECT sql FROM sqlite_schema WHERE name = 'entries_insert_only_delete'")
sqlite3 "$T/restored.db" "DROP TRIGGER entries_insert_only_delete; DELETE FROM entries WHERE idx = 7;
    $trigger;"
check "restored: the structure is caseward's again"     sh -c "'$CW' verify --db '$T/restored.db' 2>&1 | grep -q 'entry 7'"
expect_refused restored
check "restored: the problem names the missing entry" grep -q "entry 7" "$T/health"
stop

# A leaf altered by a connection with triggers turned off: no schema change at all.
copy altered
start altered
sign_in
printf '.dbconfig enable_trigger off\nUPDATE entries SET leaf = CAST(replace(CAST(leaf AS TEXT), %s, %s) AS BLOB) WHERE idx = 3;\n' \
    "'\"index\":3'" "'\"index\":3 '" | sqlite3 "$T/altered.db" >/dev/null
expect_refused altered
check "altered: the problem names entry 3" grep -q "entry 3" "$T/health"
stop

# The read model edited outside the log: found by the deep verify at start.
copy role
staff=$(sqlite3 "$T/role.db" "SELECT staff_id FROM staff WHERE role = 'social_worker' LIMIT 1")
sqlite3 "$T/role.db" "UPDATE staff SET role = 'director' WHERE staff_id = '$staff'"
start role
sign_in
expect_refused role
check "role: /healthz says the read model differs" grep -q '"read_model":"differs"' "$T/health"
check "role: the problem names the table" grep -q "staff" "$T/health"
stop

finish integrity_test
