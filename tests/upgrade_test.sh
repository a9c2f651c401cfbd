#!/usr/bin/env bash
# upgrade_test.sh — a database written by an older caseward (schema version 2,
# whose child_events table kept each payload's facts as JSON, with none of
# child_histories, accounts, record_access, api_tokens) is upgraded in place
# by the first writer; the log itself is untouched, the casework tables are
# refilled from it, and every answer is the same as from a database created
# new. A reader never sees half-upgraded or emptied tables: it is told what
# to run. A version-6 database (before the personal table, with NOT NULL on
# the personal columns of children, staff and corrections) is upgraded to the
# current one and passes `verify --db`: caseward's structure, and projections
# equal to a fresh replay of the log. A version-7 database (before legal holds)
# gains the empty legal_holds table and nothing else; a version-10 one, the empty
# audit tables.
#
# usage: bash tests/upgrade_test.sh /path/to/caseward
set -u

CW=${1:?usage: upgrade_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "upgrade_test: $CW is not executable" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "upgrade_test: needs the sqlite3 shell" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-upgrade-test-XXXXXX")
trap 'rm -rf "$T"' EXIT

. "$(dirname "$0")/lib.sh"

DB=$T/c.db
# 200 children: enough for the demo to record a correction (about 1 child in 200).
AS_OF=2026-06-30
# --leaf-format 1: the leaves as caseward wrote them before it kept personal text apart.
"$CW" demo --db "$DB" --children 200 --seed 3 --as-of $AS_OF --leaf-format 1 >/dev/null 2>"$T/err" ||
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

# Version 6 (before the personal table, with NOT NULL on the personal columns
# of children, staff and corrections) -> 7: the tables are recreated and
# refilled from the log, the personal table starts empty, and the database
# passes `verify --db` (its structure is caseward's, and every projection
# equals one replayed afresh from the log).
projections() {
    sqlite3 "$DB" "SELECT * FROM children ORDER BY child_id; SELECT * FROM staff ORDER BY staff_id;
                   SELECT * FROM corrections ORDER BY idx"
}
projections >"$T/proj-before"
check "the demo has corrections to carry over" \
    [ "$(sqlite3 "$DB" 'SELECT count(*) FROM corrections')" -gt 0 ]
# Version 7 (before legal holds) -> 8: the legal_holds table is added, empty; 8 -> 9: the
# accounts' chosen language, NULL until chosen; 9 -> 10: the family's language, a column of
# the children projection, which is filled again from the log.
# 10 -> 11: the audit tables (docs/audits.md), added empty; 11 -> 12: improve_entries
# (docs/improvement.md), added empty.
sqlite3 "$DB" "DROP TABLE improve_entries; PRAGMA user_version = 11" || bad "downgrade to 11"
"$CW" escalate --db "$DB" --as-of 2020-01-01 >/dev/null 2>"$T/err" || bad "escalate 11: $(cat "$T/err")"
check "11 upgraded to the current version" [ "$(sqlite3 "$DB" 'PRAGMA user_version')" = "$CURRENT" ]
check "improve_entries there, empty" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM improve_entries')" = 0 ]
AUDIT_TABLES="DROP TABLE improve_entries; DROP TABLE audit_programmes; DROP TABLE audit_auditors; DROP TABLE audit_samples;
              DROP TABLE audit_cases; DROP TABLE audit_grades; DROP TABLE audit_findings;
              DROP TABLE audit_recommendations; DROP TABLE audit_actions; DROP TABLE audit_reports;
              DROP TABLE audit_recipients;"
sqlite3 "$DB" "$AUDIT_TABLES PRAGMA user_version = 10" || bad "downgrade to 10"
"$CW" escalate --db "$DB" --as-of 2020-01-01 >/dev/null 2>"$T/err" || bad "escalate 10: $(cat "$T/err")"
check "10 upgraded to the current version" [ "$(sqlite3 "$DB" 'PRAGMA user_version')" = "$CURRENT" ]
check "audit tables there, empty" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM audit_cases')" = 0 ]
check "same schema as a new database after 10 -> 11" cmp -s \
    <(sqlite3 "$DB" "SELECT type, name, sql FROM sqlite_schema ORDER BY name") \
    <(sqlite3 "$T/new.db" "SELECT type, name, sql FROM sqlite_schema ORDER BY name")
sqlite3 "$DB" "$AUDIT_TABLES DROP INDEX legal_holds_by_child; DROP TABLE legal_holds;
               ALTER TABLE accounts DROP COLUMN language;
               ALTER TABLE children DROP COLUMN family_language; PRAGMA user_version = 7" ||
    bad "downgrade to 7"
"$CW" overdue --db "$DB" --as-of $AS_OF >"$T/out" 2>"$T/err"
check "reader of version 7 told what to do" grep -q "schema version 7.*upgrade" "$T/err"
"$CW" escalate --db "$DB" --as-of 2020-01-01 >/dev/null 2>"$T/err" || bad "escalate 7: $(cat "$T/err")"
check "7 upgraded to the current version" [ "$(sqlite3 "$DB" 'PRAGMA user_version')" = "$CURRENT" ]
check "legal_holds there, empty" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM legal_holds')" = 0 ]
check "the family's language filled again from the log" \
    [ "$(sqlite3 "$DB" 'SELECT count(*) FROM children WHERE family_language IS NOT NULL')" -gt 0 ]
check "accounts have a language, none chosen" \
    [ "$(sqlite3 "$DB" 'SELECT count(*) FROM accounts WHERE language IS NOT NULL')" = 0 ]
check "same schema as a new database after 7 -> 9" cmp -s \
    <(sqlite3 "$DB" "SELECT type, name, sql FROM sqlite_schema ORDER BY name") \
    <(sqlite3 "$T/new.db" "SELECT type, name, sql FROM sqlite_schema ORDER BY name")
"$CW" verify --db "$DB" >"$T/out" 2>"$T/err" || bad "verify --db after 7 -> 8: $(cat "$T/err" "$T/out")"

sqlite3 "$DB" <<SQL || bad "downgrade to 6"
$AUDIT_TABLES
DROP INDEX legal_holds_by_child;
DROP TABLE legal_holds;
DROP TABLE personal;
ALTER TABLE accounts DROP COLUMN language;
ALTER TABLE children DROP COLUMN family_language;
CREATE TABLE v6_staff AS SELECT * FROM staff;
DROP TABLE staff;
CREATE TABLE staff (
    staff_id   TEXT PRIMARY KEY,  -- the account / worker identifier
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,     -- social_worker, team_manager, ... (docs/events.md)
    team_id    TEXT,              -- current team, if any
    manager_id TEXT,              -- next step up the management chain, if any
    left_on    TEXT,              -- date the person left; NULL while in post
    idx        INTEGER NOT NULL   -- latest entry that changed the row
) STRICT;
INSERT INTO staff SELECT * FROM v6_staff;
DROP TABLE v6_staff;
CREATE TABLE v6_children AS SELECT * FROM children;
DROP TABLE children;
CREATE TABLE children (
    child_id           TEXT PRIMARY KEY,
    given_name         TEXT NOT NULL,
    family_name        TEXT NOT NULL,
    date_of_birth      TEXT NOT NULL,   -- YYYY-MM-DD
    gender             TEXT NOT NULL,
    ethnicity          TEXT,
    language           TEXT NOT NULL,   -- english | welsh | other
    address            TEXT,
    restricted         INTEGER NOT NULL, -- 1: visible only to the staff in child_access
    worker_id          TEXT,            -- allocated social worker, if any
    case_status        TEXT NOT NULL,   -- open | closed
    cp_category        TEXT,            -- CP register category while registered
    cp_since           TEXT,            -- date registered; NULL when not on the register
    looked_after_since TEXT,            -- NULL when not looked after
    placement_id       TEXT,
    placement_type     TEXT,
    last_activity      TEXT,            -- latest effective date of any event about the child
    idx                INTEGER NOT NULL -- entry that registered the child
) STRICT;
INSERT INTO children SELECT * FROM v6_children;
DROP TABLE v6_children;
CREATE TABLE v6_corrections AS SELECT * FROM corrections;
DROP TABLE corrections;
CREATE TABLE corrections (
    idx      INTEGER PRIMARY KEY, -- the correction entry
    corrects INTEGER NOT NULL,    -- the entry it corrects
    reason   TEXT NOT NULL
) STRICT;
INSERT INTO corrections SELECT * FROM v6_corrections;
DROP TABLE v6_corrections;
CREATE INDEX corrections_by_target ON corrections(corrects);
PRAGMA user_version = 6;
SQL
check "now version 6" [ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 6 ]
check "version 6 has NOT NULL names" \
    [ "$(sqlite3 "$DB" "SELECT \"notnull\" FROM pragma_table_info('children') WHERE name = 'given_name'")" = 1 ]
"$CW" overdue --db "$DB" --as-of $AS_OF >"$T/out" 2>"$T/err"
check "reader of version 6 refused" [ $? -ne 0 ]
check "reader of version 6 told what to do" grep -q "schema version 6.*upgrade" "$T/err"
"$CW" escalate --db "$DB" --as-of 2020-01-01 >/dev/null 2>"$T/err" || bad "escalate 6: $(cat "$T/err")"
check "6 upgraded to the current version" [ "$(sqlite3 "$DB" 'PRAGMA user_version')" = "$CURRENT" ]
check "personal table there, empty" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM personal')" = 0 ]
for col in children.given_name children.family_name staff.name corrections.reason; do
    check "$col nullable after 6 -> 7" [ "$(sqlite3 "$DB" \
        "SELECT \"notnull\" FROM pragma_table_info('${col%.*}') WHERE name = '${col#*.}'")" = 0 ]
done
check "same schema as a new database after 6 -> 7" cmp -s \
    <(sqlite3 "$DB" "SELECT type, name, sql FROM sqlite_schema ORDER BY name") \
    <(sqlite3 "$T/new.db" "SELECT type, name, sql FROM sqlite_schema ORDER BY name")
"$CW" verify --db "$DB" >"$T/out" 2>"$T/err" || bad "verify --db after 6 -> 7: $(cat "$T/err" "$T/out")"
projections >"$T/proj-after"
check "children, staff and corrections refilled as they were" cmp -s "$T/proj-before" "$T/proj-after"
answers >"$T/got" 2>"$T/err" || bad "answers after 6 -> 7: $(cat "$T/err")"
check "same answers after 6 -> 7" cmp -s "$T/want" "$T/got"

# Make it a version-2 database: the old child_events, none of the tables
# added since (child_histories, accounts, record_access, api_tokens, signoffs,
# policy, personal).
downgrade() {
    sqlite3 "$DB" <<SQL || bad "downgrade"
$AUDIT_TABLES
DROP INDEX legal_holds_by_child;
DROP TABLE legal_holds;
DROP TABLE personal;
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

finish upgrade_test
