#!/usr/bin/env bash
# backup_test.sh — caseward backup and restore (docs/operations.md), on a database under load:
#
#   1. a log with an administrator and a write API token; `caseward serve` on it, a loop of
#      writes through the API (the token) and two `caseward append` processes appending batches
#   2. `caseward backup` while they write: it succeeds, the file is mode 0600, nothing is left
#      under a temporary name, the log grew before it and after it, so the writers ran
#      throughout; backup refuses to overwrite a file
#   3. `caseward restore` of it into a new file: verify --db (the log and the read model)
#      passes; a server on the restored copy takes the administrator's password and the API
#      token, and refuses wrong ones
#   4. a backup with a byte of one entry flipped, or cut short, is refused ("the backup is
#      damaged"), and nothing is put in place, over a new name or with --replace
#   5. restore refuses an existing database, a -wal left beside a new name, and with --replace
#      a database a server has open; once it stops, --replace puts the backup in place and
#      keeps the old file, mode 0600
#   6. --with-key: the key is written beside the backup (0600) and the output says so; restore
#      puts it beside the restored copy
#   7. on PostgreSQL (tests/with-pg) the source is a PostgreSQL database, and the backup is
#      also restored into a new, empty PostgreSQL database, which verifies; --replace is
#      refused there; a backup made --with-key puts its key at CASEWARD_KEY_FILE
#   8. what restore must refuse or survive (issue 18's review): a --sha256 that is not the
#      backup's; another log's backup over a database or beside a key file; the same log's
#      backup over a copy with another history (restored, then appended to); a live database as
#      the source (WAL mode in its header, or a -wal beside it); a -journal beside a new name;
#      --replace when the .before-restore- name is taken (another, -N); a database with a zeroed
#      header, cut short or empty (replaced, kept with its -wal and -shm); the backup's copy
#      written in a new 0700 directory (traced, where strace runs); a name that cannot be
#      looked at (EACCES) reported as such, not as existing. In 5, --replace of an older backup
#      is refused without --accept-loss, and says what is lost with it; in 2, the SHA-256.
#
# usage: bash tests/backup_test.sh /path/to/caseward
set -u

CW=${1:?usage: backup_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "backup_test: $CW is not executable" >&2; exit 1; }
command -v curl >/dev/null || { echo "backup_test: needs curl" >&2; exit 1; }
command -v python3 >/dev/null || { echo "backup_test: needs python3" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-backup-test-XXXXXX")
PIDS=
cleanup() {
    touch "$T/stop" 2>/dev/null
    for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

. "$(dirname "$0")/lib.sh"

# size DB: the log's size, from its latest checkpoint's second line.
size() { "$CW" checkpoint --db "$1" 2>/dev/null | sed -n 2p; }
# serve DB LOG: a server on DB in the background; its URL in $URL, its pid added to PIDS.
serve() {
    "$CW" serve --db "$1" --listen 127.0.0.1:0 2>"$2" &
    SRV=$!
    PIDS="$PIDS $SRV"
    URL=http://127.0.0.1:$(serve_port "$2")
}
stop_server() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# ---- 1. a log under load ----
new_db src
SRC=$DB
SRC_KEY=${CASEWARD_KEY_FILE:-$SRC.key}
"$CW" init --db "$SRC" >"$T/init" 2>"$T/err" ||
    { echo "backup_test: init failed: $(cat "$T/err")" >&2; exit 1; }
ADMIN_PW=$(sed -n 's/.*one-time password \([^ ]*\) .*/\1/p' "$T/init")
"$CW" token add loader --user admin --scope write --db "$SRC" >"$T/token" 2>"$T/err" ||
    { echo "backup_test: token add failed: $(cat "$T/err")" >&2; exit 1; }
TOKEN=$(sed -n 's/^token loader for admin (write): //p' "$T/token")
check "an administrator's password and a token to use" test -n "$ADMIN_PW" -a -n "$TOKEN"

serve "$SRC" "$T/serve.log"
check "the server on the source answers" curl -sf "$URL/healthz" -o /dev/null
# The administrator's one-time password changed (until then the token may not write either).
PW="backup test password"
curl -sf -c "$T/jar" -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PW\"}" "$URL/api/v1/session" -o /dev/null
csrf=$(awk '$6 == "cw_csrf" {print $7}' "$T/jar")
check "the administrator's password is changed" curl -sf -b "$T/jar" -X PUT \
    -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    -d "{\"current_password\":\"$ADMIN_PW\",\"new_password\":\"$PW\"}" \
    "$URL/api/v1/me/password" -o /dev/null
(   # writes through the API until told to stop
    i=0
    while [ ! -e "$T/stop" ]; do
        i=$((i + 1))
        curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $TOKEN" \
            -H 'Content-Type: application/json' \
            -d "{\"staff_id\":\"api.$i\",\"name\":\"API $i\",\"role\":\"social_worker\"}" \
            "$URL/api/v1/commands/staff_added" >>"$T/api.codes"
    done
) &
PIDS="$PIDS $!"
for w in 1 2; do
    (   # batches of three appended by a CLI writer beside the server
        b=0
        while [ ! -e "$T/stop" ]; do
            b=$((b + 1))
            for k in 1 2 3; do
                printf '{"type":"staff_added","actor":"cli","payload":{"staff_id":"cli.%s.%s.%s","name":"CLI %s","role":"social_worker"}}\n' \
                    "$w" "$b" "$k" "$k"
            done | "$CW" append --db "$SRC" - >/dev/null 2>>"$T/append$w.err"
            echo $? >>"$T/append$w.codes"
        done
    ) &
    PIDS="$PIDS $!"
done

# ---- 2. the backup, under that load ----
before=0
for _ in $(seq 1 200); do # until the writers have added some entries
    before=$(size "$SRC")
    [ "${before:-0}" -ge 12 ] && break
    sleep 0.05
done
run backup --db "$SRC" --out "$T/b1"
expect_rc 0 "backup under load"
b1_size=$(sed -n 's/^\([0-9]*\) entries, root.*/\1/p' "$T/out")
cp "$T/out" "$T/b1.out"
for _ in $(seq 1 200); do # the writers carry on after it
    after=$(size "$SRC")
    [ "${after:-0}" -gt "${b1_size:-0}" ] && break
    sleep 0.05
done
touch "$T/stop"
for p in $PIDS; do [ "$p" = "$SRV" ] || wait "$p" 2>/dev/null; done
after=$(size "$SRC")
cp "$T/b1.out" "$T/out"
check "the backup says it holds the API token" out_has "and 1 API token"
check "the backup says the key is not in it" out_has "the signing key ($SRC_KEY) is NOT in the backup"
check "the backup is mode 0600" test "$(stat -c %a "$T/b1")" = 600
b1_sum=$(sha256sum "$T/b1" | cut -d' ' -f1)
check "the backup prints its SHA-256" out_has "sha256 $b1_sum (written to $T/b1.sha256)"
check "... and writes it to b1.sha256, mode 0600, as sha256sum -c reads it" \
    test "$(stat -c %a "$T/b1.sha256")" = 600 -a "$(cd "$T" && sha256sum -c b1.sha256 2>&1)" = "b1: OK"
check "nothing is left under a temporary name" test -z "$(ls "$T" | grep partial)"
check "the backup is one file in rollback-journal mode (header bytes 18-19: 1 1)" \
    test "$(od -A n -t u1 -j 18 -N 2 "$T/b1" | tr -s ' ')" = " 1 1" -a ! -e "$T/b1-wal"
check "the writers wrote before the backup ($before) and after it ($b1_size, then $after)" \
    test "${before:-0}" -ge 12 -a "${before:-0}" -le "${b1_size:-0}" -a "${b1_size:-0}" -lt "${after:-0}"
api_ok=$(grep -c '^201$' "$T/api.codes")
cli_ok=$(cat "$T"/append*.codes | grep -c '^0$')
cli_no=$(cat "$T"/append*.codes | grep -vc '^0$')
echo "backup_test: under load: $api_ok API writes and $cli_ok CLI batches of 3 ($cli_no refused); log $before before the backup, $b1_size in it, $after after"
check "writes through the API landed" test "$api_ok" -gt 0
check "CLI batches landed" test "$cli_ok" -gt 0
cp "$T/b1" "$T/b1.copy"
run backup --db "$SRC" --out "$T/b1"
expect_rc 1 "backup over an existing file"
check "... is refused in words" err_has "b1 already exists; refusing to overwrite it"
check "... and the file is untouched" cmp -s "$T/b1" "$T/b1.copy"

# ---- 3. restored into a new file, verified, accounts and tokens working ----
run restore --from "$T/b1" --db "$T/r.db"
expect_rc 0 "restore into a new file"
check "restore says it verified the log and the read model" out_has "the read model matches the log"
check "restore says there is no key" out_has "no signing key: put this log's key"
check "the restored file is mode 0600" test "$(stat -c %a "$T/r.db")" = 600
check "nothing is left under a temporary name" test -z "$(ls "$T" | grep restoring)"
run verify --db "$T/r.db"
expect_rc 0 "the restored copy verifies"
check "... its read model too" out_has "the read model matches the log"
check "... with the backup's size" out_has "verified $b1_size entries"
cp "$SRC_KEY" "$T/r.db.key" # the operator puts the key kept apart in place
serve "$T/r.db" "$T/serve-r.log"
R_SRV=$SRV
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$PW\"}" "$URL/api/v1/session")
check "the administrator signs in on the restored copy ($code)" test "$code" = 200
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PW\"}" "$URL/api/v1/session")
check "the old one-time password is refused there ($code)" test "$code" = 401
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' \
    -d '{"staff_id":"after.restore","name":"After","role":"social_worker"}' \
    "$URL/api/v1/commands/staff_added")
check "the API token writes to the restored copy ($code)" test "$code" = 201
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${TOKEN}x" \
    "$URL/api/v1/children")
check "a wrong token is refused there ($code)" test "$code" = 401

# ---- 4. a damaged backup is refused, nothing put in place ----
# One byte of entry 5's leaf changed in a copy of the backup (the leaf is stored whole).
python3 - "$T/b1" "$T/bad" <<'PY'
import sys
data = bytearray(open(sys.argv[1], 'rb').read())
at = data.find(b'{"index":5,"recorded_at":"')
assert at >= 0, "entry 5's leaf is not in the file"
at += len(b'{"index":5,"recorded_at":"') + 3
data[at] = ord('0') + (data[at] - ord('0') + 1) % 10  # a digit of the year, changed
open(sys.argv[2], 'wb').write(data)
PY
run restore --from "$T/bad" --db "$T/r-bad.db"
expect_rc 1 "a damaged backup"
check "... is refused in words" err_has "the backup is damaged: "
check "... naming the entry" err_has "entry 5"
check "... saying nothing was restored" err_has "nothing was restored"
check "... and nothing is there" test ! -e "$T/r-bad.db"
check "... nor under a temporary name" test -z "$(ls "$T" | grep restoring)"
head -c 20000 "$T/b1" >"$T/short" # a backup cut short (a copy interrupted on its way)
run restore --from "$T/short" --db "$T/r-bad.db"
expect_rc 1 "a backup cut short"
check "... is refused, naming it" err_has "the backup is damaged: $T/short: "
check "... and nothing is there" test ! -e "$T/r-bad.db"

# ---- 5. refusing to overwrite; --replace only when no server has it open ----
run restore --from "$T/b1" --db "$T/r.db"
expect_rc 1 "restore over an existing database"
check "... is refused in words" err_has "r.db already exists; refusing to replace it"
: >"$T/r3.db-wal" # left from an earlier database of that name: it would be read into the new one
run restore --from "$T/b1" --db "$T/r3.db"
expect_rc 1 "restore beside a -wal left from another database"
check "... is refused in words" err_has "r3.db-wal is left from an earlier database"
check "... and nothing is there" test ! -e "$T/r3.db"
run restore --from "$T/b1" --db "$T/r.db" --replace
expect_rc 1 "restore --replace over a database a server has open"
check "... is refused in words" err_has "is open in another process"
stop_server "$R_SRV"
cp "$T/r.db" "$T/r.db.old"
ls "$T"/r.db* >"$T/ls.old"
run restore --from "$T/bad" --db "$T/r.db" --replace
expect_rc 1 "a damaged backup with --replace"
check "... leaves the database as it was" cmp -s "$T/r.db" "$T/r.db.old"
check "... and keeps no other copy" test "$(ls "$T"/r.db*)" = "$(cat "$T/ls.old")"
run restore --from "$T/b1" --db "$T/r.db" --replace
expect_rc 1 "restore --replace of a backup with fewer entries than the database"
check "... is refused, saying how many would be lost" \
    err_has "r.db has $((b1_size + 1)) entries, the backup only $b1_size: restoring it would lose the 1 recorded since"
check "... and leaves the database as it was" test "$(ls "$T"/r.db*)" = "$(cat "$T/ls.old")"
run restore --from "$T/b1" --db "$T/r.db" --replace --accept-loss
expect_rc 0 "restore --replace --accept-loss once the server has stopped"
old=$(ls "$T" | grep 'r.db.before-restore-' | head -1)
check "... says what is lost and where it is kept" \
    out_has "1 entry recorded since the backup is not in the restored log (they are kept in $T/$old)"
check "the old database is kept ($old)" test -n "$old"
check "... mode 0600" test "$(stat -c %a "$T/$old")" = 600
run verify --db "$T/$old"
expect_rc 0 "... it verifies"
check "... with the entry the server on it wrote (in its -wal when it stopped)" \
    out_has "verified $((b1_size + 1)) entries"
run verify --db "$T/r.db"
expect_rc 0 "the replaced database verifies"
check "... at the backup's size again" out_has "verified $b1_size entries"

# ---- 6. --with-key ----
run backup --db "$SRC" --out "$T/b2" --with-key
expect_rc 0 "backup --with-key"
check "... says the key is included" out_has "the signing key IS included: written to $T/b2.key"
check "... the key file is mode 0600" test "$(stat -c %a "$T/b2.key")" = 600
check "... and holds the log's key" cmp -s "$T/b2.key" "$SRC_KEY"
run restore --from "$T/b2" --db "$T/r2.db"
expect_rc 0 "restore of a backup with its key"
check "... says the key was copied" out_has "signing key copied from $T/b2.key to $T/r2.db.key"
check "... the key is there, mode 0600" test "$(stat -c %a "$T/r2.db.key" 2>/dev/null)" = 600

# ---- 7. PostgreSQL: restored into a new, empty database ----
if [ -n "${CW_TEST_PG:-}" ]; then
    new_db restored
    run restore --from "$T/b1" --db "$(printf '%s' "$DB" | sed 's|^postgresql:///[^?]*?|postgresql:///no_such_db_here?|')"
    expect_rc 1 "restore into a PostgreSQL database that is not there"
    check "... names the option --db ($(head -c 120 "$T/err"))" err_has "restore: --db: "
    run restore --from "$T/b1" --db "$DB" --replace
    expect_rc 2 "--replace into PostgreSQL"
    check "... is refused in words" err_has "drop and recreate it"
    run restore --from "$T/bad" --db "$DB"
    expect_rc 1 "a damaged backup into PostgreSQL"
    check "... is refused in words" err_has "the backup is damaged: "
    check "... and nothing is there" test "$(sql "SELECT count(*) FROM pg_tables WHERE tablename = 'entries'")" = 0
    run restore --from "$T/b1" --db "$DB"
    expect_rc 0 "restore into an empty PostgreSQL database"
    check "... no key in the backup: none written" test ! -e "$CASEWARD_KEY_FILE"
    run verify --db "$DB"
    expect_rc 0 "the database restored verifies"
    check "... with the backup's size" out_has "verified $b1_size entries"
    check "... and has the API token" test "$(sql "SELECT count(*) FROM api_tokens WHERE name = 'loader'")" = 1
    new_db restored_with_key
    run restore --from "$T/b2" --db "$DB"
    expect_rc 0 "restore of a backup with its key into PostgreSQL"
    check "... the key goes to CASEWARD_KEY_FILE" cmp -s "$T/b2.key" "$CASEWARD_KEY_FILE"
    check "... mode 0600" test "$(stat -c %a "$CASEWARD_KEY_FILE" 2>/dev/null)" = 600
    check "... and the output says so" out_has "signing key copied from $T/b2.key to $CASEWARD_KEY_FILE"
fi

# ---- 8. what a restore must not do ----
# The SHA-256 given must be the backup's.
run restore --from "$T/b1" --db "$T/s.db" --sha256 "$(printf '%064d' 0)"
expect_rc 1 "restore --sha256 with another file's digest"
check "... is refused in words" err_has "b1: its SHA-256 is $b1_sum, not the one given"
check "... and nothing is there" test ! -e "$T/s.db"
run restore --from "$T/b1" --db "$T/s.db" --sha256 "$b1_sum"
expect_rc 0 "restore --sha256 with the backup's digest"
check "... says it is the one given" out_has "its SHA-256 is the one given: $b1_sum"
# Another log's backup is refused over a database (its key file elsewhere) or a key file.
"$CW" init --db "$T/other.db" >/dev/null 2>&1
mv "$T/other.db.key" "$T/other.key"
cp "$T/other.db" "$T/other.db.copy"
run restore --from "$T/b1" --db "$T/other.db" --replace
expect_rc 1 "restore --replace of another log's backup"
check "... is refused in words" err_has "the backup is of another log than $T/other.db"
check "... and the database is untouched, not moved" \
    test -z "$(ls "$T" | grep other.db.before)" -a -e "$T/other.db"
check "... byte for byte" cmp -s "$T/other.db" "$T/other.db.copy"
cp "$T/other.key" "$T/o2.db.key"
run restore --from "$T/b1" --db "$T/o2.db"
expect_rc 1 "restore beside another log's key file"
check "... is refused in words" err_has "the backup is of another log than the one $T/o2.db.key signs"
# The same log, but another history: a copy restored from b1 and appended to, then replaced
# by the later backup b2, whose entry $b1_size is not the copy's.
"$CW" restore --from "$T/b1" --db "$T/f.db" >/dev/null 2>&1 && cp "$SRC_KEY" "$T/f.db.key"
printf '{"type":"staff_added","actor":"cli","payload":{"staff_id":"fork.1","name":"Fork","role":"social_worker"}}\n' |
    "$CW" append --db "$T/f.db" - >/dev/null 2>"$T/err"
check "a copy restored and written to ($(head -c 100 "$T/err"))" test "$(size "$T/f.db")" = $((b1_size + 1))
run restore --from "$T/b2" --db "$T/f.db" --replace
expect_rc 1 "restore --replace of a backup of the same log with another history"
check "... is refused in words" \
    err_has "f.db and the backup are two different histories of the log: their first $((b1_size + 1)) entries differ"
check "... and the database is kept as it was" test "$(size "$T/f.db")" = $((b1_size + 1)) -a -z "$(ls "$T" | grep f.db.before)"
# A live database (in WAL mode, or with a -wal beside it) is not a backup.
cp "$T/$old" "$T/live.db" # a copy of a stopped server's database: WAL mode in its header
run restore --from "$T/live.db" --db "$T/l.db"
expect_rc 2 "restore from a copy of a database in WAL mode"
check "... is refused in words" err_has "this is a live database, not a backup (its header says it is in WAL mode)"
cp "$T/b1" "$T/b1w" && : >"$T/b1w-wal"
run restore --from "$T/b1w" --db "$T/l.db"
expect_rc 2 "restore from a file with a -wal beside it"
check "... is refused in words" err_has "this is a live database, not a backup (a -wal file is beside it)"
check "... nothing is there, nor under a temporary name" \
    test ! -e "$T/l.db" -a -z "$(ls "$T" | grep restoring)"
# A -journal left from an earlier database of that name is refused like a -wal.
: >"$T/j.db-journal"
run restore --from "$T/b1" --db "$T/j.db"
expect_rc 1 "restore beside a -journal left from another database"
check "... is refused in words" err_has "j.db-journal is left from an earlier database"
# Two restores in one second: the names the next seconds would take are taken already.
now=$(date -u +%s)
for k in 0 1 2 3 4 5; do
    : >"$T/s.db.before-restore-$(date -u -d "@$((now + k))" +%Y%m%dT%H%M%SZ)"
done
run restore --from "$T/b1" --db "$T/s.db" --replace
expect_rc 0 "restore --replace when the name it would keep the old file under is taken"
check "... keeps it under another ($(sed -n 's/.*is kept as \([^ ]*\) .*/\1/p' "$T/out"))" \
    out_has ".before-restore-$(date -u -d "@$now" +%Y%m%d)"
check "... a new name, with -N" test -n "$(ls "$T" | grep -E '^s\.db\.before-restore-[0-9TZ]+-[0-9]+$')"
# A damaged database is replaced (the disaster the restore is for), kept with its -wal.
i=0
for how in "a zeroed header" "cut short" "empty"; do
    i=$((i + 1))
    cp "$T/b1" "$T/d$i.db"
    case $how in
    "a zeroed header") dd if=/dev/zero of="$T/d$i.db" bs=100 count=1 conv=notrunc status=none
        echo stale >"$T/d$i.db-wal"; echo stale >"$T/d$i.db-shm" ;;
    "cut short") truncate -s 8192 "$T/d$i.db" ;;
    "empty") : >"$T/d$i.db" ;;
    esac
    cp "$T/d$i.db" "$T/d$i.copy"
    run restore --from "$T/b1" --db "$T/d$i.db" --replace
    expect_rc 0 "restore --replace over a database with $how"
    check "... says it could not be compared" out_has "could not be read ("
    kept=$(ls "$T" | grep -E "^d$i\.db\.before-restore-[0-9TZ-]+$")
    check "... keeps the old file as it was ($kept)" cmp -s "$T/d$i.copy" "$T/$kept"
    run verify --db "$T/d$i.db"
    expect_rc 0 "... the restored database verifies"
done
check "the -wal and -shm of the zeroed one are kept with it, none is left beside the new file" \
    test -e "$T/$(ls "$T" | grep -E '^d1\.db\.before-restore-[0-9TZ-]+$')-wal" -a ! -e "$T/d1.db-wal" -a ! -e "$T/d1.db-shm"
# The copy is written in a private directory (0700) that nobody else can put a link in.
if command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null; then
    # (LeakSanitizer cannot run under ptrace: the ASan build's leak check is off for this one)
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        strace -f -e trace=mkdir,openat -o "$T/trace" "$CW" backup --db "$T/b1" --out "$T/b3" >"$T/out" 2>"$T/err"
    rc=$?
    expect_rc 0 "a backup traced"
    check "... writes its copy in a new directory of mode 0700 beside it" \
        grep -qE "mkdir\(\"$T/b3\.partial-[A-Za-z0-9]{6}\", 0700\) = 0" "$T/trace"
    check "... creating the file in it" \
        grep -qE "openat\(AT_FDCWD, \"$T/b3\.partial-[A-Za-z0-9]{6}/[a-z]+\.db\", [^)]*O_CREAT\|O_EXCL" "$T/trace"
    check "... and leaves nothing of it" test -z "$(ls "$T" | grep partial)"
else
    echo "backup_test: no strace here: the temporary directory is not traced"
fi
# A name that cannot be looked at is not taken for one that exists.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    as_other="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
    as_other=
fi
mkdir -m 0 "$T/locked"
$as_other "$CW" backup --db "$T/b1" --out "$T/locked/b" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 1 "a backup into a directory it may not search"
check "... says why ($(head -c 150 "$T/err"))" err_has "locked/b: cannot tell whether it exists: Permission denied"
chmod 700 "$T/locked"

finish backup_test
