#!/usr/bin/env bash
# pg_schema_test.sh — the PostgreSQL schema (src/store/schema_postgres.sql) is the twin of the
# SQLite one: the same tables, columns (with compatible types, the same NOT NULLs and primary
# keys), indexes and unique constraints. Loaded by its owner role, with the grants of
# src/store/grants_postgres.sql, it keeps the log insert-only twice over: the application's
# role is refused any UPDATE, DELETE or TRUNCATE of entries and checkpoints (permission
# denied), and the owner is refused them by the triggers. The personal table can be erased
# once and never otherwise changed or deleted. The application may do what it needs to every
# other table. The throwaway server (scripts/pg-test-server) is stopped at the end.
# Last, a database of an older schema version is upgraded by its owner with `caseward upgrade`,
# and refused to the application's role (docs/postgres.md, "Upgrading").
#
# usage: bash tests/pg_schema_test.sh /path/to/caseward
set -u

[ $# -ge 1 ] || { echo "usage: pg_schema_test.sh /path/to/caseward" >&2; exit 1; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SERVER=$ROOT/scripts/pg-test-server
command -v sqlite3 >/dev/null || { echo "pg_schema_test: needs the sqlite3 shell" >&2; exit 1; }
command -v psql >/dev/null || { echo "pg_schema_test: needs psql (scripts/install-deps)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-pg-test-XXXXXX")
# Never leave a server running: stop it on every way out (a signal exits, so runs this too).
trap '"$SERVER" stop "$T"; rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM

. "$(dirname "$0")/lib.sh"

URI=$("$SERVER" start "$T" 2>"$T/err") ||
    { echo "pg_schema_test: the test server did not start: $(cat "$T/err")" >&2; exit 1; }

# uri ROLE DB: the server's URI, connecting as ROLE to DB.
uri() { printf '%s' "$URI" | sed -e "s|^postgresql:///[^?]*?|postgresql:///$2?|" -e "s|user=[^&]*|user=$1|"; }
# q ROLE DB SQL: runs SQL as ROLE on DB; its output in $T/out, its errors in $T/err, rc in $rc.
q() {
    psql -v ON_ERROR_STOP=1 -X -q -A -t -d "$(uri "$1" "$2")" -c "$3" >"$T/out" 2>"$T/err"
    rc=$?
}
# load ROLE FILE: runs FILE as ROLE on the caseward database, in one transaction.
load() {
    psql -v ON_ERROR_STOP=1 -X -q -1 -d "$(uri "$1" caseward)" -f "$2" >"$T/out" 2>"$T/err"
    rc=$?
}
# allowed NAME: the last q or load succeeded.
allowed() { if [ "$rc" = 0 ]; then ok; else bad "$1: $(cat "$T/err")"; fi; }
# trim VAR: strips the spaces around VAR's value (without a subshell: batches are read a line
# at a time).
trim() { local -n v=$1; v=${v#"${v%%[![:space:]]*}"}; v=${v%"${v##*[![:space:]]}"}; }

# batch ROLE: runs the checks on standard input, one a line, as ROLE on the caseward
# database, in one session (a connection costs more than a statement). A check is
#   KIND | EXPECT | NAME | SQL
# KIND ok: SQL succeeds; refused: it fails with an error matching EXPECT; is: it succeeds and
# its output (fields separated by spaces, rows by ';') is EXPECT. SQL is one statement.
batch() {
    local role=$1 line kind expect name sql n=0 out='' i err msg got
    local -a kinds=() expects=() names=()
    while IFS='|' read -r kind expect name sql; do
        trim kind
        [ -n "$kind" ] || continue
        trim expect
        trim name
        trim sql
        kinds+=("$kind") expects+=("$expect") names+=("$name")
        n=$((n + 1))
        printf '%s;\n\\echo @@%d :ERROR :'\''LAST_ERROR_MESSAGE'\''\n' "$sql" "$n"
    done >"$T/batch.sql"
    psql -v ON_ERROR_STOP=0 -X -q -A -t -F ' ' -R ';' -d "$(uri "$role" caseward)" \
        -f "$T/batch.sql" >"$T/batch.out" 2>"$T/batch.err"
    # Rows end in ';' with no newline: the marker follows them on the same line.
    sed -e 's/;*\(@@[0-9]\)/\n\1/g' "$T/batch.out" | sed -e '/^$/d' >"$T/batch.lines"
    i=0
    while IFS= read -r line; do
        case $line in
            @@*)
                i=${line%% *} i=${i#@@} line=${line#* } err=${line%% *} msg=${line#* }
                kind=${kinds[i - 1]} expect=${expects[i - 1]} name=${names[i - 1]}
                if [ "$err" = true ]; then got=$msg; else got="[${out%;}]"; fi
                case $kind:$err in
                    ok:false) ok ;;
                    refused:true) if grep -q -- "$expect" <<<"$msg"; then ok; else bad "$name: refused, but $got"; fi ;;
                    refused:false) bad "$name: allowed, expected an error: $expect" ;;
                    is:false) if [ "${out%;}" = "$expect" ]; then ok; else bad "$name: $got, expected [$expect]"; fi ;;
                    *) bad "$name: $got" ;;
                esac
                out='' ;;
            *) out+=$line ;;
        esac
    done <"$T/batch.lines"
    [ "$i" = "$n" ] || bad "a batch as $role stopped after check $i of $n: $(cat "$T/batch.err")"
}

SU=$(printf '%s' "$URI" | sed -e 's|.*user=||' -e 's|&.*||')
q "$SU" postgres "SELECT 1"
allowed "the superuser connects with the printed URI"

# ---- the roles of grants_postgres.sql, made as an administrator would ----
q "$SU" postgres "CREATE ROLE caseward_owner LOGIN; CREATE ROLE caseward_app LOGIN"
allowed "roles created"
q "$SU" postgres "CREATE DATABASE caseward OWNER caseward_owner ENCODING 'UTF8' TEMPLATE template0"
allowed "database created"
load caseward_owner "$ROOT/src/store/schema_postgres.sql"
allowed "schema_postgres.sql loads, as the owner, in one transaction"
check "the schema loads without a notice or warning" [ ! -s "$T/err" ]
for i in 1 2; do
    load caseward_owner "$ROOT/src/store/grants_postgres.sql"
    allowed "grants_postgres.sql applies, as the owner (time $i)"
done

# ---- the same tables, columns, keys and indexes as schema_sqlite.sql ----
lite() { sqlite3 -batch :memory: ".read $ROOT/src/store/schema_sqlite.sql" "$1" | LC_ALL=C sort; }
# The PostgreSQL side in one session: each query's rows into $T/pg-NAME.
cat >"$T/pg.sql" <<EOF
\\o $T/pg-cols
SELECT table_name || '.' || column_name FROM information_schema.columns
WHERE table_schema = 'public';
\\o $T/pg-types
SELECT table_name || '.' || column_name || ' ' ||
    CASE WHEN data_type IN ('bigint', 'smallint') THEN 'integer'
         WHEN data_type = 'text' THEN 'text'
         WHEN data_type = 'bytea' THEN 'bytes' ELSE data_type END
FROM information_schema.columns WHERE table_schema = 'public';
\\o $T/pg-collate
SELECT table_name || '.' || column_name FROM information_schema.columns
WHERE table_schema = 'public' AND data_type = 'text' AND collation_name IS DISTINCT FROM 'C';
\\o $T/pg-nn
SELECT table_name || '.' || column_name FROM information_schema.columns
WHERE table_schema = 'public' AND is_nullable = 'NO';
\\o $T/pg-pk
SELECT c.table_name || ' ' || string_agg(k.column_name, ',' ORDER BY k.ordinal_position)
FROM information_schema.table_constraints c
JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)
WHERE c.table_schema = 'public' AND c.constraint_type = 'PRIMARY KEY'
GROUP BY c.table_name;
\\o $T/pg-uniq
SELECT c.table_name || ' ' || string_agg(k.column_name, ',' ORDER BY k.ordinal_position)
FROM information_schema.table_constraints c
JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)
WHERE c.table_schema = 'public' AND c.constraint_type = 'UNIQUE'
GROUP BY c.constraint_name, c.table_name;
\\o $T/pg-idx
SELECT i.relname || ' ' || t.relname || '(' || string_agg(a.attname, ',' ORDER BY k.n) || ')'
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace s ON s.oid = t.relnamespace
CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
WHERE s.nspname = 'public' AND NOT x.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
GROUP BY i.relname, t.relname;
\\o $T/pg-roles
SELECT count(*) FROM pg_roles WHERE rolname LIKE 'caseward%';
EOF
psql -v ON_ERROR_STOP=1 -X -q -A -t -d "$(uri caseward_owner caseward)" -f "$T/pg.sql" >"$T/out" 2>"$T/err" ||
    bad "the PostgreSQL catalogue queries: $(cat "$T/err")"
for f in cols types collate nn pk uniq idx; do
    LC_ALL=C sort -o "$T/pg-$f" "$T/pg-$f"
done

lite "SELECT m.name || '.' || p.name FROM sqlite_schema m, pragma_table_info(m.name) p
      WHERE m.type = 'table'" >"$T/lite-cols"
TABLES=$(cut -d. -f1 "$T/lite-cols" | sort -u | wc -l)
check "schema_sqlite.sql has its tables" [ "$TABLES" -ge 20 ]
same "the same tables and columns (< sqlite, > postgres)" "$T/lite-cols" "$T/pg-cols"

# Types: INTEGER is bigint or smallint (a 0/1 flag), TEXT is text, BLOB is bytea.
lite "SELECT m.name || '.' || p.name || ' ' ||
          CASE p.type WHEN 'INTEGER' THEN 'integer' WHEN 'TEXT' THEN 'text'
                      WHEN 'BLOB' THEN 'bytes' ELSE p.type END
      FROM sqlite_schema m, pragma_table_info(m.name) p WHERE m.type = 'table'" >"$T/lite-types"
same "compatible types" "$T/lite-types" "$T/pg-types"
check "every text column compares bytes, as SQLite does (COLLATE \"C\")" [ ! -s "$T/pg-collate" ]

# NOT NULL (a primary key's columns are never NULL, though SQLite's pragma does not say so
# for an INTEGER PRIMARY KEY).
lite "SELECT m.name || '.' || p.name FROM sqlite_schema m, pragma_table_info(m.name) p
      WHERE m.type = 'table' AND (p.\"notnull\" OR p.pk > 0)" >"$T/lite-nn"
same "the same NOT NULL columns" "$T/lite-nn" "$T/pg-nn"

lite "SELECT m.name || ' ' || (SELECT group_concat(name, ',') FROM
          (SELECT name FROM pragma_table_info(m.name) WHERE pk > 0 ORDER BY pk))
      FROM sqlite_schema m WHERE m.type = 'table'" >"$T/lite-pk"
check "every table has a primary key" [ "$(grep -c ' .' "$T/lite-pk")" = "$TABLES" ]
same "the same primary keys" "$T/lite-pk" "$T/pg-pk"

lite "SELECT m.name || ' ' || group_concat(i.name, ',') FROM sqlite_schema m,
          pragma_index_list(m.name) l, pragma_index_info(l.name) i
      WHERE m.type = 'table' AND l.origin = 'u' GROUP BY l.name" >"$T/lite-uniq"
check "schema_sqlite.sql has a UNIQUE column (api_tokens.hash)" [ -s "$T/lite-uniq" ]
same "the same UNIQUE constraints" "$T/lite-uniq" "$T/pg-uniq"

lite "SELECT m.name || ' ' || m.tbl_name || '(' || (SELECT group_concat(name, ',')
          FROM (SELECT name FROM pragma_index_info(m.name) ORDER BY seqno)) || ')'
      FROM sqlite_schema m WHERE m.type = 'index' AND m.sql IS NOT NULL" >"$T/lite-idx"
check "schema_sqlite.sql has its indexes" [ "$(wc -l <"$T/lite-idx")" -ge 8 ]
same "the same indexes, on the same columns" "$T/lite-idx" "$T/pg-idx"
check "the schema and grants made no roles" [ "$(cat "$T/pg-roles")" = 2 ]

# ---- the application's role: the log is insert-only ----
batch caseward_app <<'EOF'
ok | - | the application appends entries | INSERT INTO entries(idx, hashes, leaf) VALUES (0, '\x00', '\x7b7d'), (1, '\x01', '\x7b7d')
ok | - | the application appends a checkpoint | INSERT INTO checkpoints(size, note) VALUES (2, 'note')
ok | - | the application writes a setting | INSERT INTO meta(key, value) VALUES ('origin', 'test')
is | 2 | the application reads the entries | SELECT count(*) FROM entries
refused | duplicate key | an entry over an existing index | INSERT INTO entries(idx, hashes, leaf) VALUES (1, '\x02', '\x7b7d')
refused | permission denied for table entries | an entry replaced (ON CONFLICT DO UPDATE) | INSERT INTO entries(idx, hashes, leaf) VALUES (1, '\x02', '\x7b7d') ON CONFLICT (idx) DO UPDATE SET leaf = excluded.leaf
refused | permission denied for table entries | the application's UPDATE of entries | UPDATE entries SET leaf = '\x00'
refused | permission denied for table entries | the application's DELETE from entries | DELETE FROM entries WHERE idx = 1
refused | permission denied for table entries | the application's TRUNCATE of entries | TRUNCATE entries
refused | permission denied for table checkpoints | the application's UPDATE of checkpoints | UPDATE checkpoints SET note = 'x'
refused | permission denied for table checkpoints | the application's DELETE from checkpoints | DELETE FROM checkpoints
refused | permission denied for table checkpoints | the application's TRUNCATE of checkpoints | TRUNCATE checkpoints
refused | permission denied for table meta | the application's UPDATE of meta | UPDATE meta SET value = 'x'
refused | permission denied for table meta | the application's DELETE from meta | DELETE FROM meta
refused | permission denied for table meta | the application's TRUNCATE of meta | TRUNCATE meta
refused | must be owner | the application cannot turn a trigger off | ALTER TABLE entries DISABLE TRIGGER entries_insert_only
refused | permission denied for schema public | the application creates no tables | CREATE TABLE mine (x int)
EOF

# ---- the owner: refused by the triggers ----
batch caseward_owner <<'EOF'
refused | ledger entries are append-only: UPDATE refused | the owner's UPDATE of an entry | UPDATE entries SET leaf = '\x00' WHERE idx = 0
refused | ledger entries are append-only: DELETE refused | the owner's DELETE of an entry | DELETE FROM entries WHERE idx = 1
refused | ledger entries are append-only: TRUNCATE refused | the owner's TRUNCATE of entries | TRUNCATE entries
refused | ledger entries are append-only: UPDATE refused | the owner's replacement of an entry (ON CONFLICT DO UPDATE) | INSERT INTO entries(idx, hashes, leaf) VALUES (1, '\x02', '\x7b7d') ON CONFLICT (idx) DO UPDATE SET leaf = excluded.leaf
refused | checkpoints are append-only: UPDATE refused | the owner's UPDATE of a checkpoint | UPDATE checkpoints SET note = 'x'
refused | checkpoints are append-only: DELETE refused | the owner's DELETE of a checkpoint | DELETE FROM checkpoints
refused | checkpoints are append-only: TRUNCATE refused | the owner's TRUNCATE of checkpoints | TRUNCATE checkpoints
is | 2 7b7d 01 2 | the entries and the checkpoint are as appended | SELECT count(*), min(encode(leaf, 'hex')), max(encode(hashes, 'hex')), (SELECT size FROM checkpoints) FROM entries
EOF

# ---- personal: erased once, never otherwise changed, never deleted ----
batch caseward_app <<'EOF'
ok | - | the application keeps personal parts | INSERT INTO personal(idx, salt, body) VALUES (0, '\x0102', '\x7b7d'), (1, '\x0304', '\x7b7d')
refused | personal data can only be erased | a personal part changed | UPDATE personal SET body = '\x7b2278223a317d' WHERE idx = 0
refused | personal data can only be erased | a personal part half erased (the body kept) | UPDATE personal SET salt = NULL, erased_idx = 5 WHERE idx = 0
refused | personal data can only be erased | an erasure that names no erasure entry | UPDATE personal SET salt = NULL, body = NULL WHERE idx = 0
refused | permission denied for table personal | the application moves no personal part to another entry | UPDATE personal SET idx = 7 WHERE idx = 0
ok | - | the application erases a personal part | UPDATE personal SET salt = NULL, body = NULL, erased_idx = 5 WHERE idx = 0
is | t | ... and it is gone, the erasure named | SELECT salt IS NULL AND body IS NULL AND erased_idx = 5 FROM personal WHERE idx = 0
refused | personal data can only be erased | a second erasure of the same part | UPDATE personal SET salt = NULL, body = NULL, erased_idx = 6 WHERE idx = 0
refused | permission denied for table personal | the application's DELETE of a personal part | DELETE FROM personal WHERE idx = 1
refused | permission denied for table personal | the application's TRUNCATE of personal | TRUNCATE personal
refused | duplicate key | a personal part over an existing one | INSERT INTO personal(idx, salt, body) VALUES (1, '\x05', '\x7b7d')
EOF
batch caseward_owner <<'EOF'
refused | personal data can only be erased | the owner brings no erased part back | UPDATE personal SET salt = '\x01', body = '\x7b7d', erased_idx = NULL WHERE idx = 0
refused | personal data can only be erased | the owner erases no part twice | UPDATE personal SET erased_idx = 6 WHERE idx = 0
refused | personal data is erased, not deleted | the owner's DELETE of a personal part | DELETE FROM personal WHERE idx = 1
refused | personal data is erased, not deleted | the owner's TRUNCATE of personal | TRUNCATE personal
is | 0 5;1 held | the erased part stays erased, the other is held still | SELECT idx, coalesce(erased_idx::text, 'held') FROM personal WHERE (salt IS NULL) = (erased_idx IS NOT NULL) ORDER BY idx
EOF

# ---- the application's other tables ----
LOG="'meta', 'entries', 'checkpoints', 'personal', 'accounts', 'api_tokens'"
batch caseward_owner <<EOF
is | | the application reads and adds to every table | WITH t AS MATERIALIZED (SELECT table_name FROM information_schema.tables WHERE table_schema = 'public') SELECT table_name || ' ' || p FROM t, unnest(ARRAY['SELECT', 'INSERT']) p WHERE NOT has_table_privilege('caseward_app', format('public.%I', table_name), p)
is | | the application may rewrite and empty every projection | WITH t AS MATERIALIZED (SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT IN ($LOG)) SELECT table_name || ' ' || p FROM t, unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p WHERE NOT has_table_privilege('caseward_app', format('public.%I', table_name), p)
EOF
batch caseward_app <<'EOF'
ok | - | the application adds to a projection | INSERT INTO children(child_id, date_of_birth, gender, language, restricted, case_status, idx) VALUES ('C1', '2015-01-02', 'f', 'welsh', 0, 'open', 0)
ok | - | ... changes it | UPDATE children SET case_status = 'closed' WHERE child_id = 'C1'
ok | - | ... writes history segments | INSERT INTO child_histories(child_id, seg, events) VALUES ('C1', 0, '\x00'), ('C1', 1, '\x01')
ok | - | ... rewrites them from one on | DELETE FROM child_histories WHERE child_id = 'C1' AND seg >= 1
ok | - | ... and empties projections for a rebuild | TRUNCATE children, child_histories
ok | - | the application adds an account | INSERT INTO accounts(username, password, must_change, disabled, failed, locked_until, created_at) VALUES ('a', 'h', 1, 0, 0, 0, '2026-01-01T00:00:00Z')
ok | - | ... and changes it | UPDATE accounts SET failed = failed + 1, locked_until = 1767225600000 WHERE username = 'a'
ok | - | the application makes a token | INSERT INTO api_tokens(name, hash, username, scope, created_at, revoked) VALUES ('n', 'ab', 'a', 'read', '2026-01-01T00:00:00Z', 0)
ok | - | ... and revokes it | UPDATE api_tokens SET revoked = 1 WHERE name = 'n'
refused | permission denied for table accounts | the application deletes no account | DELETE FROM accounts
refused | permission denied for table api_tokens | the application empties no token table | TRUNCATE api_tokens
refused | duplicate key | two tokens with one hash | INSERT INTO api_tokens(name, hash, username, scope, created_at, revoked) VALUES ('m', 'ab', 'a', 'read', '2026-01-01T00:00:00Z', 0)
EOF

# ---- upgrading: a database of schema version 10 (before case-file audits) ----
# Made by caseward as a new database is (as the owner), then taken back to version 10 as a
# caseward of then left it: the audit tables gone, meta saying 10. The application's role may
# not upgrade it (it may not create tables): a reader and a writer are refused, saying to run
# `caseward upgrade` as the owner, and nothing changes. The owner's upgrade makes it exactly
# what a new database is, the application granted the new tables, and it verifies.
CW=$1
export CASEWARD_KEY_FILE=$T/upgrade.key
AUDIT_TABLES="audit_programmes, audit_auditors, audit_samples, audit_cases, audit_grades,
              audit_findings, audit_recommendations, audit_actions, audit_reports,
              audit_recipients, improve_entries"
q "$SU" postgres "CREATE DATABASE upgrade OWNER caseward_owner ENCODING 'UTF8' TEMPLATE template0"
allowed "a second database"
"$CW" init --db "$(uri caseward_owner upgrade)" --origin test.caseward.example/up >/dev/null 2>"$T/err" ||
    bad "init as the owner: $(cat "$T/err")"
psql -v ON_ERROR_STOP=1 -X -q -1 -d "$(uri caseward_owner upgrade)" \
    -f "$ROOT/src/store/grants_postgres.sql" >"$T/out" 2>"$T/err"
rc=$?
allowed "grants on the second database"
q caseward_owner upgrade "DROP TABLE $AUDIT_TABLES; UPDATE meta SET value = '10' WHERE key = 'schema_version'"
allowed "taken back to version 10"
"$CW" verify --db "$(uri caseward_app upgrade)" >"$T/out" 2>"$T/err"
check "a reader of version 10 is refused" [ $? -ne 0 ]
check "... told to run caseward upgrade as the owner" grep -q "schema version 10.*caseward upgrade" "$T/err"
"$CW" rebuild --db "$(uri caseward_app upgrade)" >"$T/out" 2>"$T/err"
check "the application's role cannot upgrade it" [ $? -ne 0 ]
check "... and says who can" grep -q "needs the database's owner" "$T/err"
q caseward_owner upgrade "SELECT value FROM meta WHERE key = 'schema_version'"
check "... nothing changed" [ "$(cat "$T/out")" = 10 ]
"$CW" upgrade --db "$(uri caseward_owner upgrade)" >"$T/out" 2>"$T/err" ||
    bad "caseward upgrade as the owner: $(cat "$T/err")"
q caseward_owner upgrade "SELECT value FROM meta WHERE key = 'schema_version'"
check "the owner upgraded it to version 12 (10 -> 11 the audit tables, 11 -> 12 improve_entries)" \
    [ "$(cat "$T/out")" = 12 ]
cols() {
    q caseward_owner "$1" "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' ||
        is_nullable || ' ' || coalesce(collation_name, '') FROM information_schema.columns
        WHERE table_schema = 'public' ORDER BY 1"
    cp "$T/out" "$T/cols-$1"
}
cols caseward
cols upgrade
check "the upgraded database's columns are a new database's" cmp -s "$T/cols-caseward" "$T/cols-upgrade"
q caseward_owner upgrade "SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
cp "$T/out" "$T/idx-upgrade"
q caseward_owner caseward "SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
check "... and its indexes" cmp -s "$T/out" "$T/idx-upgrade"
q caseward_owner upgrade "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'
    AND table_name LIKE 'audit%' AND NOT (has_table_privilege('caseward_app', table_name, 'INSERT')
    AND has_table_privilege('caseward_app', table_name, 'TRUNCATE'))"
check "the application may use the new tables" [ ! -s "$T/out" ]
"$CW" verify --db "$(uri caseward_app upgrade)" >"$T/out" 2>"$T/err" ||
    bad "verify after the upgrade: $(cat "$T/err")"
"$CW" upgrade --db "$(uri caseward_owner upgrade)" >"$T/out" 2>"$T/err" ||
    bad "caseward upgrade again (nothing to do): $(cat "$T/err")"

# ---- the server stops, and nothing of it is left ----
# running PATTERN: a live process (not a zombie) whose command line holds PATTERN (read from
# /proc: procps may not be installed).
running() {
    local p state args
    for p in /proc/[0-9]*; do
        state=
        { read -r _ _ state _ <"$p/stat"; } 2>/dev/null || continue
        [ "$state" != Z ] || continue
        mapfile -d '' args <"$p/cmdline" 2>/dev/null || continue
        case "${args[*]}" in *"$1"*) [ "${p#/proc/}" = "$BASHPID" ] || return 0 ;; esac
    done
    return 1
}
stopped() { ! running "$1"; }
check "the server was running, from its directory" running "$T/data"
"$SERVER" stop "$T" >/dev/null 2>"$T/err" || bad "stop: $(cat "$T/err")"
"$SERVER" stop "$T" >/dev/null 2>"$T/err" || bad "stop, again: $(cat "$T/err")"
check "the postmaster is gone" [ ! -f "$T/data/postmaster.pid" ]
check "no server process left for the test's directory" stopped "$T/data"

finish pg_schema_test
