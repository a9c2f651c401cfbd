#!/usr/bin/env bash
# fault_serve_test.sh — the real server on a disk that fills up and fails, and comes back
# (docs/faults.md). With CW_FAULT_CONTROL the server's SQLite goes through the fault-injecting
# VFS (src/store/faultvfs.h); the test switches faults on and off by rewriting the control
# file. While the disk is full, or fails a sync: a write is answered 503 with the words (in
# English and in Welsh), not 500; a child's record is not shown (its look cannot be
# recorded); a wrong password is 401 as for an unknown name; /healthz says 503 and
# why; the log's integrity alarm is not tripped. Once the fault clears, with no restart:
# /healthz is 200 again, writes are taken, and after the server stops the log verifies and
# holds every acknowledged write and none that was refused.
#
# usage: bash tests/fault_serve_test.sh /path/to/caseward
set -u

CW=${1:?usage: fault_serve_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "fault_serve_test: $CW is not executable" >&2; exit 1; }
command -v curl >/dev/null || { echo "fault_serve_test: needs curl" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "fault_serve_test: needs sqlite3" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-fault-serve-test-XXXXXX")
SRV_PID=
trap '[ -n "$SRV_PID" ] && kill -9 "$SRV_PID" 2>/dev/null; rm -rf "$T"' EXIT

. "$(dirname "$0")/lib.sh"

DB=$T/c.db
run demo --db "$DB" --children 10 --seed 4
expect_rc 0 "demo"
# One account (one argon2id hash, not the demo's eight) and a write token for the casework.
run user add hos --staff hos.1 --db "$DB"
expect_rc 0 "user add"
ONE_TIME=$(sed -n 's/.*one-time password \([^ ]*\) .*/\1/p' "$T/out")
run token add t1 --user hos --scope write --db "$DB"
expect_rc 0 "token add"
TOKEN=$(sed -n 's/.*(write): \(cwt_[^ ]*\).*/\1/p' "$T/out")
check "a token" test -n "$TOKEN"
CHILD=$(sqlite3 "$DB" "SELECT child_id FROM children ORDER BY child_id LIMIT 1")
notes_before=$(sqlite3 "$DB" "SELECT count(*) FROM entries WHERE instr(leaf, '\"type\":\"case_note\"')")

# The control file: the user's own, written whole and renamed over the old one each time.
CTL=$T/fault
fault() { printf '%s\n' "$1" >"$CTL.new" && chmod 600 "$CTL.new" && mv "$CTL.new" "$CTL"; }
fault none

CW_FAULT_CONTROL=$CTL "$CW" serve --db "$DB" --listen 127.0.0.1:0 2>"$T/log" &
SRV_PID=$!
port=$(serve_port "$T/log")
check "the server reports its port" test -n "$port"
URL=http://127.0.0.1:$port
for _ in $(seq 1 200); do
    curl -s "$URL/healthz" | grep -q '"read_model":"checking"' || break
    sleep 0.05
done
check "the server says fault injection is on" grep -q "CW_FAULT_CONTROL is set" "$T/log"

AUTH="Authorization: Bearer $TOKEN"
# note [LANG]: a case note; its status on stdout, the body in $T/note.
note() {
    curl -s -H "$AUTH" -H 'Content-Type: application/json' -H "Accept-Language: ${1:-en}" \
        -o "$T/note" -D "$T/note.h" -w '%{http_code}' \
        -d "{\"child_id\":\"$CHILD\",\"date\":\"2026-06-01\",\"text\":\"seen at home\"}" \
        "$URL/api/v1/commands/case_note"
}
ACKED=
# noted CODE: the last note's index kept as acknowledged, if CODE says it was (201).
noted() { [ "$1" != 201 ] || ACKED="$ACKED $(sed -n 's/.*"index":\([0-9]*\).*/\1/p' "$T/note")"; }
healthz() { curl -s -o "$T/health" -w '%{http_code}' "$URL/healthz"; }
look() { curl -s -H "$AUTH" -o "$T/record" -w '%{http_code}' "$URL/api/v1/children/$CHILD"; }
sign_in() {
    curl -s -c "$T/jar" -H 'Content-Type: application/json' -o "$T/session" -w '%{http_code}' \
        -d "{\"username\":\"hos\",\"password\":\"$1\"}" "$URL/api/v1/session"
}

check "healthz 200 before" test "$(healthz)" = 200
# The one-time password changed (a token's user must have done so before it may read).
check "sign in before" test "$(sign_in "$ONE_TIME")" = 200
csrf=$(sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p' "$T/session")
PW="a long fault test password"
code=$(curl -s -b "$T/jar" -c "$T/jar" -X PUT -H "X-CSRF-Token: $csrf" \
    -H 'Content-Type: application/json' -o /dev/null -w '%{http_code}' \
    -d "{\"current_password\":\"$ONE_TIME\",\"new_password\":\"$PW\"}" "$URL/api/v1/me/password")
check "password changed" test "$code" = 200
for _ in 1 2 3; do
    code=$(note)
    check "a note before the fault is taken ($code)" test "$code" = 201
    noted "$code"
done
check "a record is shown before" test "$(look)" = 200

# ---- the disk is full ----
fault full
code=$(note)
noted "$code"
check "disk full: a write is 503 ($code)" test "$code" = 503
check "disk full: the words say the disk is full" grep -q "cannot be saved right now: the server's disk is full" "$T/note"
check "disk full: code unavailable, keyed" grep -q '"code":"unavailable".*"key":"storage_full"' "$T/note"
check "disk full: Retry-After says when to ask again" grep -qi '^Retry-After: [0-9]' "$T/note.h"
code=$(note cy)
noted "$code"
check "disk full, in Welsh: 503" test "$code" = 503
check "disk full, in Welsh: the words" grep -q 'mae disg y gweinydd yn llawn' "$T/note"
code=$(look)
check "disk full: a child's record is not shown ($code)" test "$code" = 503
check "disk full: nothing of the record in the answer" sh -c "! grep -q '\"given_name\"' '$T/record'"
code=$(healthz)
check "disk full: healthz 503 ($code)" test "$code" = 503
curl -s "$URL/metrics" >"$T/metrics"
check "disk full: the metrics say so" grep -q '^caseward_storage_ok 0' "$T/metrics"
check "disk full: faults counted" grep -q '^caseward_storage_faults_total [1-9]' "$T/metrics"
check "disk full: healthz says why" grep -q '"status":"unavailable","reason":"the disk is full"' "$T/health"
# A wrong password is counted by the throttle in memory and writes nothing, so the full disk
# does not show in its answer: 401, as for a name that is no account's (the answer says
# nothing about which accounts exist, full disk or not).
code=$(sign_in "not the password")
check "disk full: a wrong password is 401 as ever ($code)" test "$code" = 401
cp "$T/session" "$T/session.known"
code=$(curl -s -o "$T/session" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"username":"no.such.account","password":"not the password"}' "$URL/api/v1/session")
check "disk full: an unknown name is 401 too ($code)" test "$code" = 401
same "disk full: the two refusals say the same" "$T/session.known" "$T/session"

# ---- a sync fails (the disk reports an I/O error) ----
fault ioerr-fsync
code=$(note)
noted "$code"
check "fsync error: a write is 503 ($code)" test "$code" = 503
check "fsync error: the words" grep -q "the server's disk reported an error" "$T/note"
check "fsync error: healthz 503" test "$(healthz)" = 503
check "fsync error: healthz says why" grep -q '"reason":"the disk reported an input/output error"' "$T/health"
# A fault that clears by itself: two writes fail (the group's, and the server's retry of
# the note alone), so the note is refused; the next one is taken.
fault "ioerr-write times 2 files wal"
code=$(note)
noted "$code"
check "two write errors: 503 ($code)" test "$code" = 503
code=$(note)
check "after it: taken ($code)" test "$code" = 201
    noted "$code"

# ---- space comes back: no restart ----
fault none
code=
for _ in $(seq 1 40); do # the probe runs at most once a second
    code=$(healthz)
    [ "$code" = 200 ] && break
    sleep 0.1
done
check "space back: healthz 200 by itself ($code)" test "$code" = 200
check "space back: status ok, not an integrity failure" grep -q '"status":"ok"' "$T/health"
for _ in 1 2; do
    code=$(note)
    check "space back: a write is taken ($code)" test "$code" = 201
    noted "$code"
done
check "space back: the record is shown" test "$(look)" = 200
check "space back: signs in" test "$(sign_in "$PW")" = 200
curl -s "$URL/metrics" >"$T/metrics"
check "the integrity alarm never tripped" grep -q '^caseward_integrity_ok 1' "$T/metrics"
check "space back: the metrics say storage is ok" grep -q '^caseward_storage_ok 1' "$T/metrics"

kill -TERM "$SRV_PID"
wait "$SRV_PID"
SRV_PID=
check "no integrity failure in the server's log" sh -c "! grep -q 'integrity failure' '$T/log'"
run verify --db "$DB"
expect_rc 0 "the log verifies after the faults"
present=0
for i in $ACKED; do
    n=$(sqlite3 "$DB" "SELECT count(*) FROM entries WHERE idx = $i AND instr(leaf, '\"type\":\"case_note\"')")
    present=$((present + n))
done
nacked=$(echo $ACKED | wc -w)
check "every acknowledged note is there ($present of $nacked)" test "$present" = "$nacked"
check "six notes acknowledged" test "$nacked" = 6
notes_after=$(sqlite3 "$DB" "SELECT count(*) FROM entries WHERE instr(leaf, '\"type\":\"case_note\"')")
check "no refused note is there ($notes_before + $nacked = $notes_after)" \
    test $((notes_before + nacked)) = "$notes_after"

# The command line on a full disk: exit 1, the reason in words, nothing appended.
size_before=$(sqlite3 "$DB" "SELECT count(*) FROM entries")
fault full
printf '{"type":"team_created","payload":{"team_id":"ft1","name":"Fault team"}}\n' |
    CW_FAULT_CONTROL=$CTL "$CW" append --db "$DB" --actor admin >"$T/out" 2>"$T/err"
rc=$?
expect_rc 1 "append on a full disk"
check "append says the disk is full" err_has "the disk is full"
fault none
check "append appended nothing" test "$(sqlite3 "$DB" "SELECT count(*) FROM entries")" = "$size_before"
printf '{"type":"team_created","payload":{"team_id":"ft1","name":"Fault team"}}\n' |
    CW_FAULT_CONTROL=$CTL "$CW" append --db "$DB" --actor admin >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "append once the disk has room"
# A control file others may write is not obeyed: the fault is not injected, and it says so.
printf 'full\n' >"$CTL" && chmod 622 "$CTL"
printf '{"type":"team_created","payload":{"team_id":"ft2","name":"Fault team 2"}}\n' |
    CW_FAULT_CONTROL=$CTL "$CW" append --db "$DB" --actor admin >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "a control file others may write is ignored"
check "it says the control file is ignored" err_has "only it may write; ignored"
run verify --db "$DB"
expect_rc 0 "the log verifies at the end"

finish fault_serve_test
