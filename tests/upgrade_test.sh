#!/usr/bin/env bash
# upgrade_test.sh — a database written by an older caseward (schema version 2,
# whose child_events table kept each payload's facts as JSON, with none of
# child_histories, accounts, record_access, api_tokens) is upgraded in place
# by the first writer; the log itself is untouched, the casework tables are
# refilled from it, and every answer is the same as from a database created
# new. A reader never sees half-upgraded or emptied tables: it is told what
# to run.
#
# usage: bash tests/upgrade_test.sh /path/to/caseward
set -u

CW=${1:?usage: upgrade_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "upgrade_test: $CW is not executable" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "upgrade_test: needs the sqlite3 shell" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-upgrade-test-XXXXXX")
trap 'rm -rf "$T"' EXIT

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }

DB=$T/c.db
AS_OF=2026-06-30
"$CW" demo --db "$DB" --children 60 --seed 3 --as-of $AS_OF >/dev/null 2>"$T/err" ||
    { echo "upgrade_test: demo failed: $(cat "$T/err")" >&2; exit 1; }
answers() {
    "$CW" overdue --db "$DB" --as-of $AS_OF --json &&
        "$CW" signals --db "$DB" --as-of $AS_OF --json
}
answers >"$T/want" 2>"$T/err" || bad "answers before: $(cat "$T/err")"
check "the demo has overdue work and signals to compare" [ "$(wc -l <"$T/want")" -gt 10 ]
sqlite3 "$DB" "SELECT hex(leaf) FROM entries ORDER BY idx" >"$T/log-before"

# The version a new database gets.
"$CW" init --db "$T/new.db" >/dev/null 2>&1 || bad "init"
CURRENT=$(sqlite3 "$T/new.db" 'PRAGMA user_version')
check "current version known" [ "$CURRENT" -ge 4 ]

# Make it a version-2 database: the old child_events, none of the tables
# added since (child_histories, accounts, record_access, api_tokens, signoffs,
# policy).
downgrade() {
    sqlite3 "$DB" <<'SQL' || bad "downgrade"
DROP INDEX signoffs_by_state;
DROP TABLE signoffs;
DROP TABLE policy;
DROP TABLE deputies;
DROP TABLE child_histories;
DROP INDEX record_access_by_child;
DROP TABLE record_access;
DROP TABLE accounts;
DROP TABLE api_tokens;
DROP INDEX child_events_by_idx;
DROP TABLE child_events;
CREATE TABLE child_events (
    child_id TEXT NOT NULL,
    idx      INTEGER NOT NULL,
    date     TEXT NOT NULL,
    type     TEXT NOT NULL,
    facts    TEXT NOT NULL,
    PRIMARY KEY (child_id, idx)
) STRICT, WITHOUT ROWID;
CREATE INDEX child_events_by_idx ON child_events(idx);
PRAGMA user_version = 2;
SQL
}
downgrade

# A reader is told to upgrade, and is given nothing.
"$CW" overdue --db "$DB" --as-of $AS_OF >"$T/out" 2>"$T/err"
rc=$?
check "reader of version 2 refused" [ $rc -ne 0 ]
check "reader told the version and what to do" grep -q "schema version 2.*upgrade" "$T/err"
check "reader printed nothing" [ ! -s "$T/out" ]

# A writer that is not rebuild (escalate) upgrades it and catches the tables up.
"$CW" escalate --db "$DB" --as-of 2020-01-01 >/dev/null 2>"$T/err" || bad "escalate: $(cat "$T/err")"
check "now the current version" [ "$(sqlite3 "$DB" 'PRAGMA user_version')" = "$CURRENT" ]
"$CW" verify --db "$DB" >/dev/null 2>"$T/err" || bad "verify after upgrade: $(cat "$T/err")"
answers >"$T/got" 2>"$T/err" || bad "answers after upgrade: $(cat "$T/err")"
check "same answers after upgrade" cmp -s "$T/want" "$T/got"
sqlite3 "$DB" "SELECT hex(leaf) FROM entries WHERE idx < $(wc -l <"$T/log-before") ORDER BY idx" \
    >"$T/log-after"
check "the log itself untouched" cmp -s "$T/log-before" "$T/log-after"

# Tables emptied and not yet caught up (as between the upgrade's commit and
# the writer's catch-up, if it were interrupted): a reader is refused rather
# than shown an empty council.
sqlite3 "$DB" "DELETE FROM projection_state; DELETE FROM children; DELETE FROM child_histories" ||
    bad "emptying the tables"
"$CW" overdue --db "$DB" --as-of $AS_OF >"$T/out" 2>"$T/err"
rc=$?
check "reader refused while the tables are behind" [ $rc -ne 0 ]
check "reader told to rebuild" grep -q "cover 0 of the log's .* entries.*run caseward rebuild" "$T/err"
check "reader printed nothing while behind" [ ! -s "$T/out" ]
"$CW" chronology --db "$DB" --child x >"$T/out" 2>"$T/err"
check "chronology refused too" grep -q "run caseward rebuild" "$T/err"
"$CW" rebuild --db "$DB" >/dev/null 2>"$T/err" || bad "rebuild: $(cat "$T/err")"
answers >"$T/got" 2>"$T/err" || bad "answers after rebuild: $(cat "$T/err")"
check "same answers after rebuild" cmp -s "$T/want" "$T/got"

# A version this caseward does not know is refused, even by a writer.
sqlite3 "$DB" "PRAGMA user_version = 1" >/dev/null
"$CW" rebuild --db "$DB" >/dev/null 2>"$T/err"
check "unknown version refused" [ $? -ne 0 ]
check "unknown version named" grep -q "schema version 1" "$T/err"

echo "upgrade_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
