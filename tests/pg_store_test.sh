#!/usr/bin/env bash
# pg_store_test.sh — the PostgreSQL backend (src/store/store_postgres.c, docs/postgres.md) end
# to end through the command line, on a throwaway server (scripts/pg-test-server), beside the
# same steps on a SQLite file.
#
# What is compared with SQLite, and why only that: every entry carries recorded_at, the time
# it was appended, every personal part a random salt, and fingerprints of free text are keyed
# with the log's own random key, so two logs never have the same leaves, root or checkpoints. What does not depend on the clock
# or the log's random secrets must be identical: the demo's summary, the read model (the rows
# `verify` rebuilds and compares), `overdue` (text and JSON), `signals`, `obligations`,
# `retention`, what `escalate` records, and, once recorded_at,
# commitments, salts and the keyed fingerprints of free text (*_print) are blanked,
# chronologies and the export's entries.jsonl and personal.jsonl.
#
# Also: `init` with a URI takes its key file from CASEWARD_KEY_FILE (refused without it; made
# 0600), a second `init` on the same database is refused, verify --db detects a row changed
# behind the log and a trigger disabled, concurrent appends from several processes all land
# (serialised on the log's tail), `serve` answers, records a write (also after another
# process appended) and refuses writes once a trigger is disabled behind its back, two servers
# on one log take alternating writes while `verify` runs again and again (every verify passes,
# each acknowledged write is in the log once), then four writers on the two at once, and as the
# application's role (grants_postgres.sql) the log cannot be updated while caseward still reads and writes.
#
# usage: bash tests/pg_store_test.sh /path/to/caseward
set -u

CW=${1:?usage: pg_store_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "pg_store_test: $CW is not executable" >&2; exit 1; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SERVER=$ROOT/scripts/pg-test-server
command -v psql >/dev/null || { echo "pg_store_test: needs psql (scripts/install-deps)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-pg-store-test-XXXXXX")
# Never leave a server running: stop it on every way out (a signal exits, so runs this too).
trap '"$SERVER" stop "$T"; rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM
chmod 755 "$T" # the server may run as another user (postgres, when this runs as root)

. "$(dirname "$0")/lib.sh"

URI=$("$SERVER" start "$T" 2>"$T/err") ||
    { echo "pg_store_test: the test server did not start: $(cat "$T/err")" >&2; exit 1; }
# uri ROLE DB: the server's URI, connecting as ROLE to DB.
uri() { printf '%s' "$URI" | sed -e "s|^postgresql:///[^?]*?|postgresql:///$2?|" -e "s|user=[^&]*|user=$1|"; }
SUPER=$(printf '%s' "$URI" | sed 's|.*user=||')
psql_as() { psql -v ON_ERROR_STOP=1 -X -q -A -t -d "$(uri "$1" "$2")" -c "$3"; }
for db in cw demo; do
    psql_as "$SUPER" postgres "CREATE DATABASE $db ENCODING 'UTF8' TEMPLATE template0" ||
        { echo "pg_store_test: cannot create database $db" >&2; exit 1; }
done
PG=$(uri "$SUPER" cw)
DEMO=$(uri "$SUPER" demo)

# ---- init: the key file from CASEWARD_KEY_FILE ----
unset CASEWARD_KEY_FILE
run init --db "$PG" --origin test.caseward.example/pg
expect_rc 2 "init with a URI and no CASEWARD_KEY_FILE"
check "the missing variable is named" err_has "CASEWARD_KEY_FILE is not set"
export CASEWARD_KEY_FILE=$T/cw.key
run init --db "$PG" --origin test.caseward.example/pg
expect_rc 0 "init --db URI"
check "init names the key file" out_has "signing key $T/cw.key"
check "the key file is made" test -f "$T/cw.key"
check "the key file is mode 0600" test "$(stat -c %a "$T/cw.key")" = 600
check "the schema version is kept in meta" \
    test "$(psql_as "$SUPER" cw "SELECT value FROM meta WHERE key = 'schema_version'")" = 12
CASEWARD_KEY_FILE=$T/other.key run init --db "$PG"
expect_rc 1 "a second init on the same database"
check "the second init says why" err_has "already holds a caseward log"
check "the refused init leaves no key file" test ! -e "$T/other.key"
run init --db "$PG"
expect_rc 1 "init over an existing key file"
psql_as "$SUPER" cw "UPDATE meta SET value = '9' WHERE key = 'schema_version'"
run verify --db "$PG"
expect_rc 1 "a database of another schema version"
check "another version is refused with the reason" err_has "has schema version 9; this caseward reads version 12"
psql_as "$SUPER" cw "UPDATE meta SET value = '12' WHERE key = 'schema_version'"

# A password in the URI is never printed (the server trusts local connections: any is accepted).
psql_as "$SUPER" postgres "CREATE DATABASE pw ENCODING 'UTF8' TEMPLATE template0"
CASEWARD_KEY_FILE=$T/pw.key run init --db "$(uri "$SUPER" pw)&password=sekrit"
expect_rc 0 "init with a password in the URI"
check "init shows the URI without its password" out_has "password=***"
check "the password is not printed" test "$(cat "$T/out" "$T/err" | grep -c sekrit)" = 0
psql_as "$SUPER" postgres "CREATE DATABASE pw2 ENCODING 'UTF8' TEMPLATE template0"
CASEWARD_KEY_FILE=$T/pw2.key run init --db "$(uri "$SUPER" pw2 | sed "s|^postgresql://|postgresql://$SUPER:sekrit2@|")"
expect_rc 0 "init with user:password@ in the URI"
check "init shows user:***@" out_has "postgresql://$SUPER:***@/pw2"
check "that password is not printed" test "$(cat "$T/out" "$T/err" | grep -c sekrit2)" = 0

# ---- concurrent writers: serialised on the log's tail ----
run verify --db "$PG"
expect_rc 0 "verify the new log"
base=$(sed -n 's/^verified \([0-9]*\) entries.*/\1/p' "$T/out")
pids=()
for i in 1 2 3 4 5 6 7 8; do
    printf '{"type":"team_created","payload":{"team_id":"t%s","name":"Team %s"}}\n' "$i" "$i" |
        "$CW" append --db "$PG" --actor admin >"$T/app$i" 2>&1 &
    pids+=($!)
done
appended=0
for p in "${pids[@]}"; do wait "$p" && appended=$((appended + 1)); done
check "eight concurrent appends all succeed" test "$appended" = 8
[ "$appended" = 8 ] || cat "$T"/app* >&2
check "each append took its own index" test "$(cat "$T"/app[1-8] | sort -u | wc -l)" = 8
run verify --db "$PG"
expect_rc 0 "verify after concurrent appends"
check "the log grew by eight" out_has "verified $((base + 8)) entries"

# ---- the same demo on PostgreSQL and on SQLite ----
export CASEWARD_KEY_FILE=$T/demo.key
SQ=$T/demo.db
demo_args=(--children 30 --seed 7 --as-of 2026-06-01)
run demo --db "$DEMO" "${demo_args[@]}"
expect_rc 0 "demo on PostgreSQL"
cp "$T/out" "$T/demo.pg"
run demo --db "$SQ" "${demo_args[@]}"
expect_rc 0 "demo on SQLite"
same "the demo's summary is the same" "$T/demo.pg" "$T/out"
for which in pg sq; do
    if [ "$which" = pg ]; then db=$DEMO; else db=$SQ; fi
    run verify --db "$db"
    expect_rc 0 "verify --db ($which)"
    grep 'the read model matches' "$T/out" >"$T/model.$which"
    check "the read model was compared ($which)" test -s "$T/model.$which"
    run rebuild --db "$db"
    expect_rc 0 "rebuild ($which)"
    run verify --db "$db"
    expect_rc 0 "verify after rebuild ($which)"
done
same "the same read model rows are rebuilt and compared" "$T/model.pg" "$T/model.sq"
# blank FILE: FILE without what depends on the clock and on the log's random secrets: the
# time an entry was appended, the commitments and salts of personal parts, and the keyed
# fingerprints of free text (*_print: keyed with the log's own text key).
blank() {
    sed -e 's/^\({"index":[0-9]*,"recorded_at":"\)[^"]*"/\1"/' \
        -e 's/"commitment":"[^"]*"/"commitment":""/' -e 's/"salt":"[^"]*"/"salt":""/' \
        -e 's/\("[a-z_]*_print":"v1:\)[0-9a-f]*:/\1:/g' "$1"
}
for c in C0000001 C0000002 C0000007; do
    "$CW" chronology --db "$DEMO" --child "$c" 2>&1 | blank /dev/stdin >"$T/chron.pg"
    "$CW" chronology --db "$SQ" --child "$c" 2>&1 | blank /dev/stdin >"$T/chron.sq"
    check "chronology of $c is not empty" test -s "$T/chron.pg"
    same "chronology of $c" "$T/chron.pg" "$T/chron.sq"
done
for f in "" --json; do
    "$CW" overdue --db "$DEMO" --as-of 2026-06-01 $f >"$T/over.pg" 2>&1
    "$CW" overdue --db "$SQ" --as-of 2026-06-01 $f >"$T/over.sq" 2>&1
    check "overdue $f is not empty" test -s "$T/over.pg"
    same "overdue $f" "$T/over.pg" "$T/over.sq"
done

for cmd in "signals --as-of 2026-06-01 --json" "obligations --child C0000003 --as-of 2026-06-01 --json" \
    "retention --as-of 2026-06-01 --json" "escalate --as-of 2026-06-01"; do
    "$CW" $cmd --db "$DEMO" >"$T/r.pg" 2>&1
    "$CW" $cmd --db "$SQ" >"$T/r.sq" 2>&1
    check "${cmd%% *} is not empty" test -s "$T/r.pg"
    same "${cmd%% *}" "$T/r.pg" "$T/r.sq"
done

# ---- export, and verify of the export ----
run export --db "$DEMO" --out "$T/e.pg"
expect_rc 0 "export from PostgreSQL"
run verify --dir "$T/e.pg"
expect_rc 0 "verify --dir of the PostgreSQL export"
run export --db "$SQ" --out "$T/e.sq"
expect_rc 0 "export from SQLite"
for f in entries.jsonl personal.jsonl; do
    blank "$T/e.pg/$f" >"$T/b.pg"
    blank "$T/e.sq/$f" >"$T/b.sq"
    check "$f is not empty" test -s "$T/b.pg"
    same "the exports' $f (clock and salts blanked)" "$T/b.pg" "$T/b.sq"
done

# ---- tampering behind the log ----
psql_as "$SUPER" demo "UPDATE children SET gender = 'x' WHERE child_id = 'C0000002'"
run verify --db "$DEMO"
expect_rc 1 "verify with a projection row changed behind the log"
check "the changed row is named" err_has "child_id=C0000002 differs (gender)"
run rebuild --db "$DEMO"
run verify --db "$DEMO"
expect_rc 0 "verify after rebuild repairs the projection"
psql_as "$SUPER" demo "ALTER TABLE entries DISABLE TRIGGER entries_insert_only"
run verify --db "$DEMO"
expect_rc 1 "verify with the insert-only trigger disabled"
check "the disabled trigger is named" err_has "trigger entries_insert_only"
psql_as "$SUPER" demo "ALTER TABLE entries ENABLE TRIGGER entries_insert_only"
run verify --db "$DEMO"
expect_rc 0 "verify with the trigger enabled again"
psql_as "$SUPER" demo "ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_hash_key"
run verify --db "$DEMO"
expect_rc 1 "verify with a UNIQUE constraint dropped"
check "the dropped constraint is named" err_has "constraint api_tokens"
psql_as "$SUPER" demo "ALTER TABLE api_tokens ADD UNIQUE (hash)"
run verify --db "$DEMO"
expect_rc 0 "verify with the constraint made again"

# ---- serve: reads, a write, and a trigger disabled behind its back ----
PID=
trap '[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null; "$SERVER" stop "$T"; rm -rf "$T"' EXIT
if command -v curl >/dev/null; then
    PW="pg store test password"
    export CASEWARD_KEY_FILE=$T/srv.key
    psql_as "$SUPER" postgres "CREATE DATABASE srv ENCODING 'UTF8' TEMPLATE template0"
    SRV=$(uri "$SUPER" srv)
    run demo --db "$SRV" --children 5 --seed 3 --as-of 2026-06-01 --accounts "$PW"
    expect_rc 0 "demo for the server"
    "$CW" serve --db "$SRV" --listen 127.0.0.1:0 2>"$T/serve.log" &
    PID=$!
    port=$(serve_port "$T/serve.log")
    URL=http://127.0.0.1:$port
    for _ in $(seq 1 200); do
        curl -s "$URL/healthz" | grep -q '"read_model":"checking"' || break
        sleep 0.05
    done
    check "serve: /healthz after the deep verify" grep -q '"status":"ok".*"read_model":"verified"' \
        <(curl -s "$URL/healthz")
    csrf=$(curl -s -c "$T/jar" -H 'Content-Type: application/json' \
        -d "{\"username\":\"social.worker\",\"password\":\"$PW\"}" "$URL/api/v1/session" |
        sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
    check "serve: sign in" test -n "$csrf"
    note() {
        curl -s -b "$T/jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
            -o "$T/note" -w '%{http_code}' \
            -d '{"child_id":"C0000001","date":"2026-06-01","text":"seen at home"}' \
            "$URL/api/v1/commands/case_note"
    }
    check "serve: a case note is recorded" test "$(note)" = 201
    printf '{"type":"team_created","payload":{"team_id":"srv1","name":"S"}}\n' |
        "$CW" append --db "$SRV" --actor admin >/dev/null
    check "serve: a write after another process appended" test "$(note)" = 201
    psql_as "$SUPER" srv "ALTER TABLE entries DISABLE TRIGGER entries_insert_only"
    check "serve: a write with the trigger disabled is refused" test "$(note)" = 409
    check "serve: /healthz names the trigger" grep -q 'trigger entries_insert_only' \
        <(curl -s "$URL/healthz")
    kill -TERM "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    PID=
    check "serve: the start-up line" grep -q "serving postgresql:///srv" "$T/serve.log"

    # ---- two servers on one log, and verify while they write (regression for 9f34d1f) ----
    # Two `caseward serve` on one database, writes alternating between them (so that nearly
    # every write finds the other's append since its last look), and `caseward verify --db`
    # over and over in the background meanwhile. Every verify passes (personal rows appended
    # while it copies are not a failure), both /healthz stay ok, every acknowledged note is in
    # the log exactly once, and neither server reports an integrity failure.
    export CASEWARD_KEY_FILE=$T/two.key
    psql_as "$SUPER" postgres "CREATE DATABASE two ENCODING 'UTF8' TEMPLATE template0"
    TWO=$(uri "$SUPER" two)
    run demo --db "$TWO" --children 5 --seed 3 --as-of 2026-06-01 --accounts "$PW"
    expect_rc 0 "demo for two servers"
    # serve_two NAME: starts a server on TWO logging to $T/NAME.log; sets SPID and SURL.
    serve_two() {
        "$CW" serve --db "$TWO" --listen 127.0.0.1:0 2>"$T/$1.log" &
        SPID=$!
        SURL=http://127.0.0.1:$(serve_port "$T/$1.log")
        for _ in $(seq 1 400); do
            curl -s "$SURL/healthz" | grep -q '"read_model":"verified"' && break
            sleep 0.05
        done
    }
    serve_two two-a
    PID_A=$SPID URL_A=$SURL
    serve_two two-b
    PID_B=$SPID URL_B=$SURL
    trap '[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null; for p in ${PID_A:-} ${PID_B:-}; do
        kill -TERM "$p" 2>/dev/null; done; [ -n "${VPID:-}" ] && kill "$VPID" 2>/dev/null
        "$SERVER" stop "$T"; rm -rf "$T"' EXIT
    for w in a b; do
        if [ $w = a ]; then u=$URL_A; else u=$URL_B; fi
        check "two servers: /healthz of $w after its deep verify" \
            grep -q '"status":"ok".*"read_model":"verified"' <(curl -s "$u/healthz")
        curl -s -c "$T/jar.$w" -H 'Content-Type: application/json' \
            -d "{\"username\":\"social.worker\",\"password\":\"$PW\"}" "$u/api/v1/session" |
            sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p' >"$T/csrf.$w"
        check "two servers: sign in on $w" test -s "$T/csrf.$w"
    done
    size0=$(psql_as "$SUPER" two "SELECT count(*) FROM entries")
    # verify in a loop until told to stop: one exit status a line in $T/vrc
    : >"$T/vrc"
    (
        n=0
        while [ ! -e "$T/vstop" ]; do
            n=$((n + 1))
            "$CW" verify --db "$TWO" >"$T/v.out.$n" 2>"$T/v.err.$n"
            echo $? >>"$T/vrc"
        done
    ) &
    VPID=$!
    acked=0 refused=0 unhealthy=0
    : >"$T/acked"
    : >"$T/two.times"
    t0=$(date +%s%N)
    for i in $(seq 1 100); do
        # in pairs, a a b b a a ...: the first of a pair finds the other's append
        if [ $(((i - 1) / 2 % 2)) = 0 ]; then w=a u=$URL_A; else w=b u=$URL_B; fi
        code=$(curl -s -b "$T/jar.$w" -H "X-CSRF-Token: $(cat "$T/csrf.$w")" \
            -H 'Content-Type: application/json' -o "$T/two.note" -w '%{http_code} %{time_total}' \
            -d "{\"child_id\":\"C0000001\",\"date\":\"2026-06-01\",\"text\":\"two servers, note $i\"}" \
            "$u/api/v1/commands/case_note")
        echo "${code#* }" >>"$T/two.times"
        code=${code%% *}
        if [ "$code" = 201 ]; then
            acked=$((acked + 1))
            printf '%s\n' "$(sed -n 's/.*"index":\([0-9]*\).*/\1/p' "$T/two.note")" >>"$T/acked"
        else
            refused=$((refused + 1))
            echo "two servers: note $i on $w: $code $(head -c 300 "$T/two.note")" >&2
        fi
        if [ $((i % 10)) = 0 ]; then
            for h in "$URL_A" "$URL_B"; do
                curl -s "$h/healthz" | grep -q '"status":"ok"' || unhealthy=$((unhealthy + 1))
            done
        fi
    done
    ms=$((($(date +%s%N) - t0) / 1000000))
    # let the verifier finish at least two runs that overlapped the writes, then stop it
    for _ in $(seq 1 600); do
        [ "$(wc -l <"$T/vrc")" -ge 2 ] && break
        sleep 0.1
    done
    touch "$T/vstop"
    wait "$VPID"
    VPID=
    nverify=$(wc -l <"$T/vrc")
    vfailed=$(grep -cv '^0$' "$T/vrc")
    echo "two servers: $acked notes acknowledged, $refused refused, in $ms ms; $nverify verify runs" \
        "meanwhile, $vfailed failed; $unhealthy unhealthy /healthz answers" >&2
    # A write that finds the other server's append checks what it appended, as after its own
    # writes, not the whole log again (9f34d1f): its median time stays within a few times that
    # of the write after it, which finds nothing new. Interleaved, the two share the machine's
    # load; the whole log again took about eight times as long at this size.
    med() { sort -n | awk '{a[NR] = $1} END {printf "%d", a[int((NR + 1) / 2)] * 1000}'; }
    after_other=$(awk 'NR % 2 == 1' "$T/two.times" | med)
    after_own=$(awk 'NR % 2 == 0' "$T/two.times" | med)
    echo "two servers: a write's median time: $after_other ms after the other server's," \
        "$after_own ms after its own" >&2
    check "two servers: a write after the other's append does not verify the whole log again" \
        test "$after_other" -le $((4 * after_own + 20))
    check "two servers: all 100 notes acknowledged" test "$acked" = 100
    check "two servers: verify ran while they wrote" test "$nverify" -ge 2
    check "two servers: every verify meanwhile passed" test "$vfailed" = 0
    if [ "$vfailed" != 0 ]; then
        for f in "$T"/v.err.*; do [ -s "$f" ] && sed 's/^/    /' "$f" >&2; done
    fi
    check "two servers: /healthz stayed ok on both" test "$unhealthy" = 0
    for h in "$URL_A" "$URL_B"; do
        check "two servers: /healthz ok after the writes ($h)" grep -q '"status":"ok"' \
            <(curl -s "$h/healthz")
    done
    # Then at once: four writers, two on each server, so that a server's check after its write
    # often finds the other's append landing while it reads (the check starts again from the
    # tree it verified; make bench found it reporting a checkpoint "changed" there).
    burst() { # burst W URL N: N notes on server W, one after another; acked indexes to $T/burst.*
        local k code id=$BASHPID
        for k in $(seq 1 "$3"); do
            code=$(curl -s -b "$T/jar.$1" -H "X-CSRF-Token: $(cat "$T/csrf.$1")" \
                -H 'Content-Type: application/json' -o "$T/burst-out.$1.$id" -w '%{http_code}' \
                -d "{\"child_id\":\"C0000001\",\"date\":\"2026-06-01\",\"text\":\"burst $k\"}" \
                "$2/api/v1/commands/case_note")
            if [ "$code" = 201 ]; then
                grep -o '"index":[0-9]*' "$T/burst-out.$1.$id" | cut -d: -f2 >>"$T/burst.$1.$id"
            else
                echo "two servers, burst on $1: $code $(head -c 300 "$T/burst-out.$1.$id")" >&2
            fi
        done
    }
    burst a "$URL_A" 40 & b1=$!
    burst a "$URL_A" 40 & b2=$!
    burst b "$URL_B" 40 & b3=$!
    burst b "$URL_B" 40 & b4=$!
    wait "$b1" "$b2" "$b3" "$b4"
    cat "$T"/burst.[ab].[0-9]* 2>/dev/null | grep -v '^$' >>"$T/acked"
    burst_acked=$(cat "$T"/burst.[ab].[0-9]* 2>/dev/null | grep -c .)
    check "two servers at once: all 160 notes acknowledged ($burst_acked)" test "$burst_acked" = 160
    acked=$((acked + burst_acked))
    for h in "$URL_A" "$URL_B"; do
        check "two servers at once: /healthz ok after ($h)" grep -q '"status":"ok"' \
            <(curl -s "$h/healthz")
    done
    kill -TERM "$PID_A" "$PID_B" 2>/dev/null
    wait "$PID_A" "$PID_B" 2>/dev/null
    PID_A= PID_B=
    run verify --db "$TWO"
    expect_rc 0 "two servers: verify after both stopped"
    # each acknowledged note once: the case notes appended since are exactly those indexes
    echo "$(sort -n "$T/acked" | tr '\n' ' ' | sed 's/ $//')" >"$T/acked.sorted"
    psql_as "$SUPER" two "SELECT coalesce(string_agg(idx::text, ' ' ORDER BY idx), '') FROM entries
        WHERE idx >= $size0 AND convert_from(leaf, 'UTF8') LIKE '%\"type\":\"case_note\"%'" \
        >"$T/notes.sorted"
    same "two servers: the log holds each acknowledged note once" "$T/acked.sorted" "$T/notes.sorted"
    check "two servers: the projection has each note once" test \
        "$(psql_as "$SUPER" two "SELECT count(*) FROM child_events WHERE type = 'case_note'
            AND idx >= $size0")" = "$acked"
    for w in a b; do
        check "two servers: no integrity failure in $w's log" \
            test "$(grep -ci 'integrity' "$T/two-$w.log")" = 0
        grep -i 'integrity' "$T/two-$w.log" | head -3 | sed 's/^/    /' >&2
    done
    export CASEWARD_KEY_FILE=$T/demo.key
else
    echo "pg_store_test: no curl: the server is not tried" >&2
fi

# ---- the application's role (grants_postgres.sql) ----
psql_as "$SUPER" postgres "CREATE ROLE caseward_owner LOGIN; CREATE ROLE caseward_app LOGIN"
psql -v ON_ERROR_STOP=1 -X -q -1 -d "$DEMO" -f "$ROOT/src/store/grants_postgres.sql" >/dev/null ||
    bad "the grants load"
APP=$(uri caseward_app demo)
if psql_as caseward_app demo "UPDATE entries SET leaf = leaf WHERE idx = 0" 2>"$T/err"; then
    bad "the application's role may update entries"
else
    check "updating entries as the application's role is refused" err_has "permission denied"
fi
run verify --db "$APP"
expect_rc 0 "verify as the application's role"
printf '{"type":"team_created","payload":{"team_id":"app1","name":"App"}}\n' >"$T/one.jsonl"
run append --db "$APP" --actor admin "$T/one.jsonl"
expect_rc 0 "append as the application's role"
run rebuild --db "$APP"
expect_rc 0 "rebuild as the application's role"

finish pg_store_test
