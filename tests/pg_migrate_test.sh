#!/usr/bin/env bash
# pg_migrate_test.sh — `caseward migrate --from FILE --to postgresql://...` (issue 15, item 5;
# src/casework/migrate.c, docs/postgres.md "Moving from a file to PostgreSQL"), on a throwaway
# server (scripts/pg-test-server).
#
# A demo council with accounts, an approved erasure and an API token is moved into
# PostgreSQL; then the two must be the same log: the same checkpoint (byte for byte), root,
# read model, reports (overdue, signals, obligations, chronologies), accounts and tokens row
# for row (password hashes included: the old password signs in to `serve` on the new
# database, the token is accepted), the erased part still erased; and the moved log goes on:
# an append verifies, consistent with the checkpoint taken before the move.
#
# Each refusal is checked to write nothing: no schema in the database, no key file: a source
# that does not verify (a leaf byte changed), a database that holds a log, a key file that
# holds another key, and the usage errors (no CASEWARD_KEY_FILE, --to not a URI, --from not a
# file). A URI's password is never printed.
#
# usage: bash tests/pg_migrate_test.sh /path/to/caseward
set -u

CW=${1:?usage: pg_migrate_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "pg_migrate_test: $CW is not executable" >&2; exit 1; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SERVER=$ROOT/scripts/pg-test-server
for tool in psql sqlite3; do
    command -v $tool >/dev/null || { echo "pg_migrate_test: needs $tool" >&2; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-pg-migrate-test-XXXXXX")
PID=
# Never leave a server running: stop both on every way out (a signal exits, so runs this too).
trap '[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null; "$SERVER" stop "$T"; rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM
chmod 755 "$T" # the server may run as another user (postgres, when this runs as root)

. "$(dirname "$0")/lib.sh"

URI=$("$SERVER" start "$T" 2>"$T/err") ||
    { echo "pg_migrate_test: the test server did not start: $(cat "$T/err")" >&2; exit 1; }
# uri ROLE DB: the server's URI, connecting as ROLE to DB.
uri() { printf '%s' "$URI" | sed -e "s|^postgresql:///[^?]*?|postgresql:///$2?|" -e "s|user=[^&]*|user=$1|"; }
SUPER=$(printf '%s' "$URI" | sed 's|.*user=||')
psql_as() { psql -v ON_ERROR_STOP=1 -X -q -A -t -d "$(uri "$SUPER" "$1")" -c "$2"; }
for db in m1 m2 m3 m4; do
    psql_as postgres "CREATE DATABASE $db ENCODING 'UTF8' TEMPLATE template0" ||
        { echo "pg_migrate_test: cannot create database $db" >&2; exit 1; }
done
# empty DB: the database has no table at all (a refused migrate wrote nothing).
empty() { [ "$(psql_as "$1" "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" = 0 ]; }

# ---- the council: demo, an erasure approved, a token ----
F=$T/c.db
PW="some password 123"
AS_OF=2026-06-01
"$CW" demo --db "$F" --children 30 --seed 1 --as-of $AS_OF --accounts "$PW" >/dev/null 2>"$T/err" ||
    { echo "pg_migrate_test: demo failed: $(cat "$T/err")" >&2; exit 1; }
TM=$(sqlite3 "$F" "SELECT staff_id FROM staff WHERE role = 'team_manager' ORDER BY staff_id LIMIT 1")
DPO=$(sqlite3 "$F" "SELECT staff_id FROM staff WHERE role = 'data_protection_officer' ORDER BY staff_id LIMIT 1")
run append --db "$F" - < <(printf '{"type":"erasure_proposed","actor":"%s","payload":{"erasure_id":"E1","child_id":"C0000002","date":"%s","lawful_basis":"erasure_request","reason":"asked"}}\n' "$TM" $AS_OF)
expect_rc 0 "an erasure proposed"
run append --db "$F" - < <(printf '{"type":"erasure_approved","actor":"%s","payload":{"erasure_id":"E1","date":"%s"}}\n' "$DPO" $AS_OF)
expect_rc 0 "the erasure approved"
ERASED=$(sqlite3 "$F" 'SELECT count(*) FROM personal WHERE erased_idx IS NOT NULL')
HELD=$(sqlite3 "$F" 'SELECT count(*) FROM personal WHERE erased_idx IS NULL')
check "parts were erased ($ERASED) and others are held ($HELD)" [ "$ERASED" -gt 0 -a "$HELD" -gt 0 ]
run token add nightly --user social.worker --db "$F"
expect_rc 0 "a token added"
TOKEN=$(sed -n 's/^token nightly for social.worker (read): //p' "$T/out")
check "the token was shown" test -n "$TOKEN"
"$CW" checkpoint --db "$F" >"$T/cp.file" 2>/dev/null || bad "checkpoint of the file"
sum_before=$(sha256sum "$F" | cut -d' ' -f1)

# ---- refusals: each writes nothing ----
run migrate --help
check "migrate --help" out_has "usage: caseward migrate --from FILE --to postgresql://..."
M1=$(uri "$SUPER" m1)
unset CASEWARD_KEY_FILE
run migrate --from "$F" --to "$M1"
expect_rc 2 "no CASEWARD_KEY_FILE"
check "the variable is named" err_has "CASEWARD_KEY_FILE is not set"
export CASEWARD_KEY_FILE=$T/m1.key
run migrate --from "$F" --to "$T/other.db"
expect_rc 2 "--to not a URI"
check "--to is named" err_has "--to: give a PostgreSQL URI"
check "no file made for --to" test ! -e "$T/other.db"
run migrate --from "$T/none.db" --to "$M1"
expect_rc 2 "--from that does not exist"
run migrate --from "$T" --to "$M1"
expect_rc 2 "--from a folder"
check "--from is named" err_has "--from $T: not a file"
run migrate --to "$M1"
expect_rc 2 "no --from"
printf 'not a log\n' >"$T/junk.db"
cp "$F.key" "$T/junk.db.key"
run migrate --from "$T/junk.db" --to "$M1"
expect_rc 2 "--from a file that is not a log"
check "... said so" err_has "--from: $T/junk.db: database: reading the file header"
check "after the usage errors, database m1 is empty" empty m1
check "... and no key file" test ! -e "$T/m1.key"

# A key file that holds another key.
printf 'some other key\n' >"$T/m1.key"
chmod 600 "$T/m1.key"
run migrate --from "$F" --to "$M1"
expect_rc 2 "a key file holding another key"
check "... is named" err_has "$T/m1.key, which exists and does not hold this log's key"
check "... and left as it was" test "$(cat "$T/m1.key")" = "some other key"
check "... and nothing written to the database" empty m1
rm -f "$T/m1.key"

# A key beside the file that is another log's.
"$CW" init --db "$T/other.db" --no-admin >/dev/null 2>&1 || bad "init of another log"
cp "$F" "$T/wk.db"
cp "$T/other.db.key" "$T/wk.db.key"
run migrate --from "$T/wk.db" --to "$M1"
expect_rc 1 "a key beside the file that is not the log's"
check "... is named" err_has "$T/wk.db.key: this signing key is not the log's key"
check "... and nothing written to the database" empty m1
check "... and no key file" test ! -e "$T/m1.key"

# A source that does not verify: one byte of a leaf changed behind the trigger.
cp "$F" "$T/bad.db"
cp "$F.key" "$T/bad.db.key"
TRIG=$(sqlite3 "$T/bad.db" "SELECT sql FROM sqlite_master WHERE name = 'entries_insert_only_update'")
LEAF=$(sqlite3 "$F" "SELECT min(idx) FROM entries WHERE instr(CAST(leaf AS TEXT), '\"type\":\"team_created\"') > 0")
sqlite3 "$T/bad.db" "DROP TRIGGER entries_insert_only_update;
    UPDATE entries SET leaf = CAST(replace(CAST(leaf AS TEXT), 'team_created', 'team_createD') AS BLOB) WHERE idx = $LEAF;
    $TRIG;" 2>"$T/err" || bad "tampering with the copy: $(cat "$T/err")"
run verify --db "$T/bad.db"
expect_rc 1 "the tampered copy does not verify"
run migrate --from "$T/bad.db" --to "$M1"
expect_rc 1 "a source that does not verify"
check "... is refused, saying nothing was copied" err_has "does not verify, so nothing was copied"
check "... and nothing written to the database" empty m1
check "... and no key file" test ! -e "$T/m1.key"

# ---- the move ----
t0=$(date +%s)
run migrate --from "$F" --to "$M1&password=sekrit"
expect_rc 0 "migrate"
[ "$rc" = 0 ] || cat "$T/err" >&2
cp "$T/out" "$T/migrate.out"
echo "pg_migrate_test: migrate took $(($(date +%s) - t0)) s" >&2
N=$(sqlite3 "$F" 'SELECT count(*) FROM entries')
CPS=$(sqlite3 "$F" 'SELECT count(*) FROM checkpoints')
check "it counts the entries, checkpoints and parts" \
    out_has "copied $N entries, $CPS checkpoints, $((HELD + ERASED)) personal parts ($HELD held, $ERASED erased), 9 accounts, 1 API token;"
check "it says the two are the same" out_has "the same: the database verifies"
ROOT_F=$(sed -n 's/^the file: *[0-9]* entries, root //p' "$T/out")
ROOT_D=$(sed -n 's/^the database: *[0-9]* entries, root //p' "$T/out")
check "it prints both roots, equal" [ -n "$ROOT_F" -a "$ROOT_F" = "$ROOT_D" ]
check "the URI is shown without its password" out_has "password=***"
check "the password is never printed" test "$(cat "$T/out" "$T/err" | grep -c sekrit)" = 0
check "the key file is made" cmp -s "$F.key" "$T/m1.key"
check "the key file is mode 0600" test "$(stat -c %a "$T/m1.key")" = 600
check "the file is left as it was" test "$(sha256sum "$F" | cut -d' ' -f1)" = "$sum_before"
check "no personal data in what it printed" test "$(grep -c -i -e family -e given "$T/out")" = 0

# ---- the same log ----
"$CW" checkpoint --db "$M1" >"$T/cp.db" 2>"$T/err" || bad "checkpoint of the database: $(cat "$T/err")"
same "the latest checkpoint, byte for byte" "$T/cp.file" "$T/cp.db"
run verify --db "$M1"
expect_rc 0 "verify --db of the database"
check "... with the same root" out_has "verified $N entries; root $ROOT_F"
check "... and the read model" out_has "the read model matches the log"
for q in "SELECT idx, encode(hashes, 'hex'), encode(leaf, 'hex') FROM entries ORDER BY idx" \
    "SELECT size, note FROM checkpoints ORDER BY size" \
    "SELECT idx, encode(salt, 'hex'), encode(body, 'hex'), erased_idx FROM personal ORDER BY idx" \
    "SELECT * FROM accounts ORDER BY username" "SELECT * FROM api_tokens ORDER BY name" \
    "SELECT key, value FROM meta WHERE key <> 'schema_version' ORDER BY key"; do
    table=$(sed 's/.* FROM \([a-z_]*\).*/\1/' <<<"$q")
    sqlite3 "$F" "$(sed -e "s/encode(\([a-z]*\), 'hex')/lower(hex(\1))/g" <<<"$q")" >"$T/rows.file"
    psql_as m1 "$q" >"$T/rows.db"
    check "$table is not empty" test -s "$T/rows.file"
    same "$table, row for row" "$T/rows.file" "$T/rows.db"
done
check "the erased parts are still erased" \
    [ "$(psql_as m1 'SELECT count(*) FROM personal WHERE salt IS NULL AND body IS NULL AND erased_idx IS NOT NULL')" = "$ERASED" ]
check "the erased child's names are not in the read model" \
    [ "$(psql_as m1 "SELECT given_name IS NULL AND family_name IS NULL FROM children WHERE child_id = 'C0000002'")" = t ]
for cmd in "overdue --as-of $AS_OF --json" "signals --as-of $AS_OF --json" \
    "obligations --child C0000003 --as-of $AS_OF --json" "chronology --child C0000001" \
    "chronology --child C0000002"; do
    "$CW" $cmd --db "$F" >"$T/r.file" 2>&1
    "$CW" $cmd --db "$M1" >"$T/r.db" 2>&1
    check "$cmd is not empty" test -s "$T/r.file"
    same "$cmd" "$T/r.file" "$T/r.db"
done

# ---- a second move into the same database is refused ----
run migrate --from "$F" --to "$M1"
expect_rc 2 "a database that holds a log"
check "... is refused, saying why" err_has "the database already holds a caseward log"

# ---- the same key file already there is accepted (a second database, say) ----
CASEWARD_KEY_FILE=$T/m1.key run migrate --from "$F" --to "$(uri "$SUPER" m2)"
expect_rc 0 "migrate with the key file already holding the key"
check "... says so" out_has "already held the log's key"

# ---- serve on the database: the old password and the token work ----
if command -v curl >/dev/null; then
    "$CW" serve --db "$M1" --listen 127.0.0.1:0 2>"$T/serve.log" &
    PID=$!
    port=$(serve_port "$T/serve.log")
    URL=http://127.0.0.1:$port
    csrf=$(curl -s -c "$T/jar" -H 'Content-Type: application/json' \
        -d "{\"username\":\"social.worker\",\"password\":\"$PW\"}" "$URL/api/v1/session" |
        sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
    check "serve: the old password signs in" test -n "$csrf"
    check "serve: a wrong one does not" test "$(curl -s -o /dev/null -w '%{http_code}' \
        -H 'Content-Type: application/json' \
        -d '{"username":"social.worker","password":"not it at all"}' "$URL/api/v1/session")" = 401
    check "serve: the token is accepted" test "$(curl -s -o /dev/null -w '%{http_code}' \
        -H "Authorization: Bearer $TOKEN" "$URL/api/v1/me")" = 200
    kill -TERM "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    PID=
else
    echo "pg_migrate_test: no curl: the server is not tried" >&2
fi

# ---- the moved log goes on ----
run append --db "$M1" --actor admin - < <(printf '{"type":"team_created","payload":{"team_id":"moved","name":"After the move"}}\n')
expect_rc 0 "an append to the database after the move"
run verify --db "$M1" --checkpoint "$T/cp.file"
expect_rc 0 "verify after the append, held to the file's checkpoint"
check "... which it still contains" out_has "the log still contains the pinned checkpoint for size $N"

# ---- PostgreSQL only on the receiving side; a failed copy leaves nothing ----
# A database holding a table of caseward's name: the schema fails, nothing stays.
psql_as m3 "CREATE TABLE personal (x int)"
CASEWARD_KEY_FILE=$T/m3.key run migrate --from "$F" --to "$(uri "$SUPER" m3)"
expect_rc 1 "a database the schema cannot be loaded into"
check "... leaves only what was there" \
    [ "$(psql_as m3 "SELECT string_agg(relname, ',') FROM pg_class WHERE relnamespace = 'public'::regnamespace")" = personal ]
check "... and no key file" test ! -e "$T/m3.key"

# A failure late in the copy (entries, checkpoints and parts already in): the accounts of a
# file whose language column holds a byte that is not UTF-8, which PostgreSQL refuses. The
# file verifies (the log does not hold that column); the whole copy is rolled back.
cp "$F" "$T/late.db"
cp "$F.key" "$T/late.db.key"
sqlite3 "$T/late.db" "UPDATE accounts SET language = CAST(X'C3' AS TEXT) WHERE username = 'inspector'"
run verify --db "$T/late.db"
expect_rc 0 "the file with a stray byte in an account verifies"
CASEWARD_KEY_FILE=$T/m4.key run migrate --from "$T/late.db" --to "$(uri "$SUPER" m4)"
expect_rc 1 "a copy that fails at the accounts"
check "... names the step" err_has "copying: database"
check "... and leaves the database as it was (no schema, no entries)" empty m4
check "... and no key file" test ! -e "$T/m4.key"

finish pg_migrate_test
