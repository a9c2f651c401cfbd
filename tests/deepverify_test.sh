#!/usr/bin/env bash
# deepverify_test.sh — `caseward verify --db` checks the read model against the log.
#
# A demo council (with corrections, accounts, an API token, a look at a record) verifies,
# and still does after a rebuild. Then each edit of the database that skips the log — a
# child's worker, a member of staff's role, an account's staff_id, a segment of a child's
# history deleted, a visit inserted, a record_access row changed, an API token's scope, the
# projections' applied count — is found: verify exits 1 and names the table and the key,
# and prints no personal data (no name, no address, no free text).
#
# usage: bash tests/deepverify_test.sh /path/to/caseward
set -u

CW=${1:?usage: deepverify_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "deepverify_test: $CW is not executable" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "deepverify_test: needs sqlite3" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-deepverify-test-XXXXXX")
trap 'rm -rf "$T"' EXIT

. "$(dirname "$0")/lib.sh"

# 400 children: enough for the demo's corrections (1 child in 200) to be there.
"$CW" demo --db "$T/c.db" --children 400 --seed 7 --accounts "deep verify test" >/dev/null \
    2>"$T/err" || { echo "deepverify_test: demo failed: $(cat "$T/err")" >&2; exit 1; }
"$CW" user add insp.two --db "$T/c.db" --role inspector --expires 2030-01-01 >/dev/null &&
    "$CW" user disable insp.two --db "$T/c.db" --reason "left the inspectorate" >/dev/null &&
    "$CW" token add nightly --user insp.two --db "$T/c.db" --scope read >/dev/null &&
    "$CW" token add gone --user insp.two --db "$T/c.db" >/dev/null &&
    "$CW" token revoke gone --db "$T/c.db" >/dev/null ||
    { echo "deepverify_test: accounts and tokens could not be made" >&2; exit 1; }
child=$(sqlite3 "$T/c.db" "SELECT child_id FROM children ORDER BY child_id LIMIT 1")
echo "{\"type\":\"record_accessed\",\"actor\":\"user:insp.two\",\"payload\":{\"child_id\":\"$child\",\"what\":\"GET /api/v1/children/{id}\",\"allowed\":true,\"status\":200}}" |
    "$CW" append --db "$T/c.db" - >/dev/null ||
    { echo "deepverify_test: a record_accessed entry could not be appended" >&2; exit 1; }
check "the demo has corrections" test "$(sqlite3 "$T/c.db" "SELECT count(*) FROM corrections")" -gt 0
check "the demo has a record_access row" \
    test "$(sqlite3 "$T/c.db" "SELECT count(*) FROM record_access")" -gt 0

"$CW" verify --db "$T/c.db" >"$T/out" 2>"$T/err"
check "an untouched database verifies (exit 0)" test $? = 0
check "verify says the read model matches" grep -q "the read model matches the log" "$T/out"
"$CW" rebuild --db "$T/c.db" >/dev/null 2>&1
"$CW" verify --db "$T/c.db" >"$T/out" 2>"$T/err"
check "it still verifies after a rebuild" test $? = 0

# Each tamper on a fresh copy: verify fails (exit 1) and says TABLE: row KEY ...
n=0
tamper() {
    local name=$1 sql=$2 want=$3
    n=$((n + 1))
    cp "$T/c.db" "$T/t$n.db" && cp "$T/c.db.key" "$T/t$n.db.key"
    sqlite3 "$T/t$n.db" "$sql" || { bad "$name: sqlite3 failed"; return; }
    "$CW" verify --db "$T/t$n.db" >"$T/out$n" 2>"$T/err$n"
    local rc=$?
    check "$name: verify exits 1 (got $rc)" test "$rc" = 1
    check "$name: names '$want'" grep -qF "$want" "$T/err$n"
    # No personal data: the tampered child's and staff's names and addresses are not printed.
    local names
    names=$(sqlite3 "$T/c.db" "SELECT given_name || char(10) || family_name || char(10) ||
        coalesce(address, '-') FROM children WHERE child_id = '$child';
        SELECT name FROM staff ORDER BY staff_id LIMIT 1")
    while IFS= read -r word; do
        [ ${#word} -gt 3 ] && grep -qF "$word" "$T/err$n" && bad "$name: printed '$word'"
    done <<<"$names"
    rm -f "$T/t$n.db" "$T/t$n.db.key"
}

staff=$(sqlite3 "$T/c.db" "SELECT staff_id FROM staff ORDER BY staff_id LIMIT 1")
acct=$(sqlite3 "$T/c.db" "SELECT username FROM accounts WHERE staff_id IS NOT NULL LIMIT 1")
seg=$(sqlite3 "$T/c.db" "SELECT child_id FROM child_histories ORDER BY child_id LIMIT 1")
access=$(sqlite3 "$T/c.db" "SELECT max(idx) FROM record_access")

tamper "children.worker_id" \
    "UPDATE children SET worker_id = '$staff' WHERE child_id = '$child'" \
    "children: row child_id=$child differs (worker_id)"
tamper "staff.role" \
    "UPDATE staff SET role = CASE role WHEN 'director' THEN 'social_worker' ELSE 'director' END
     WHERE staff_id = '$staff'" \
    "staff: row staff_id=$staff differs (role)"
tamper "accounts.staff_id" \
    "UPDATE accounts SET staff_id = '$staff' WHERE username = '$acct'" \
    "accounts: row username=$acct differs (staff_id)"
tamper "a child_histories row deleted" \
    "DELETE FROM child_histories WHERE child_id = '$seg' AND seg = 0" \
    "child_histories: row child_id=$seg, seg=0 is missing from the database"
tamper "a visits row inserted" \
    "INSERT INTO visits VALUES (999999999, '$child', '2026-01-05', 1, 1, 1)" \
    "visits: row idx=999999999 is in the database but not in the log"
tamper "a record_access row changed" \
    "UPDATE record_access SET allowed = 1 - allowed WHERE idx = $access" \
    "record_access: row idx=$access differs (allowed)"
tamper "api_tokens.scope" \
    "UPDATE api_tokens SET scope = 'write' WHERE name = 'nightly'" \
    "api_tokens: row name=nightly differs (scope)"
tamper "accounts.disabled" \
    "UPDATE accounts SET disabled = 0 WHERE username = 'insp.two'" \
    "accounts: row username=insp.two differs (disabled)"
tamper "projection_state.applied" \
    "UPDATE projection_state SET value = value - 1 WHERE key = 'applied'" \
    "projection_state: row key=applied differs (value)"
# What the log does not hold is not compared: password hashes and sign-in counters.
cp "$T/c.db" "$T/h.db" && cp "$T/c.db.key" "$T/h.db.key"
sqlite3 "$T/h.db" "UPDATE accounts SET failed = 3, locked_until = 1 WHERE username = '$acct'"
"$CW" verify --db "$T/h.db" >/dev/null 2>"$T/err"
check "sign-in counters are not the log's to check" test $? = 0

# The scratch file is gone afterwards (it is unlinked as soon as it is open).
left=$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'caseward-verify-*' -newer "$T/c.db" 2>/dev/null |
    wc -l)
check "no scratch file left behind" test "$left" = 0

finish deepverify_test
