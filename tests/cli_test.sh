#!/usr/bin/env bash
# cli_test.sh — the `caseward` command line end to end: help, the happy path
# through every subcommand, exit statuses (0 ok, 1 failure, 2 usage), one-line
# errors, a tampered database, and an independent recomputation of the root
# and of an inclusion proof from the export with python3's hashlib (RFC 6962).
#
# usage: bash tests/cli_test.sh /path/to/caseward
set -u

CW=${1:?usage: cli_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "cli_test: $CW is not executable" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-cli-test-XXXXXX")
trap 'rm -rf "$T"' EXIT

. "$(dirname "$0")/lib.sh"

err_lines() { wc -l <"$T/err" | tr -d ' '; }
# checkpoint_size DB: the size line of the latest checkpoint.
checkpoint_size() { "$CW" checkpoint --db "$1" | sed -n 2p; }
is_b64_32() {
    [[ $1 =~ ^[A-Za-z0-9+/]{43}=$ ]] &&
        [ "$(printf '%s' "$1" | base64 -d 2>/dev/null | wc -c | tr -d ' ')" = 32 ]
}

DB=$T/log.db
ORIGIN=test.caseward.example/cli

# ---- help ----
for c in init append checkpoint vkey proof export verify help; do
    run "$c" --help
    expect_rc 0 "$c --help"
    check "$c --help prints its usage" grep -q "^usage: caseward $c" "$T/out"
done
run --help
expect_rc 0 "--help"
check "--help lists the commands" out_has "caseward verify"
run --version
expect_rc 0 "--version"

# ---- usage errors: exit 2 ----
run frobnicate
expect_rc 2 "unknown command"
check "unknown command is named" err_has 'unknown command "frobnicate"'
run
expect_rc 2 "no command"
for c in init append checkpoint vkey export; do
    run "$c"
    expect_rc 2 "$c without --db"
    check "$c without --db says so" err_has "--db is required"
done
run proof inclusion 0 1
expect_rc 2 "proof without --db"
run verify
expect_rc 2 "verify without --db or --dir"
run init --db "$T/x.db" --bogus 1
expect_rc 2 "unknown option"
check "unknown option is named" err_has "--bogus"
check "nothing created by a usage error" test ! -e "$T/x.db"
run serve --db "$T/x.db" --web "$T"
expect_rc 2 "serve --web with a folder without index.html"
check "serve --web names what is missing" err_has "has no index.html"

# ---- init ----
# The ledger checks below count entries from 0: this log has no administrator
# (--no-admin); the first administrator is checked on its own log further down.
run init --db "$DB" --origin "$ORIGIN" --no-admin
expect_rc 0 "init"
check "init names the origin" out_has "origin $ORIGIN"
check "database is mode 0600" test "$(stat -c %a "$DB")" = 600
check "key is mode 0600" test "$(stat -c %a "$DB.key")" = 600
cp "$DB.key" "$T/key.before"
run init --db "$DB" --origin "$ORIGIN"
expect_rc 1 "init over an existing log"
check "init refusal says it exists" err_has "already exists"
check "init refusal kept the key" cmp -s "$DB.key" "$T/key.before"
run init --db "$T/bad.db" --origin "has space"
expect_rc 1 "init with a bad origin"
check "bad origin leaves nothing" test ! -e "$T/bad.db" -a ! -e "$T/bad.db.key"
check "empty log has checkpoint 0" test "$(checkpoint_size "$DB")" = 0
# The rule pack is a setting of the log, chosen at init.
check "init records the default rule pack" \
    test "$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'rule_pack'" 2>/dev/null)" = wales
run init --db "$T/en.db" --rules england
expect_rc 0 "init with the England pack"
check "init records the England pack" \
    test "$(sqlite3 "$T/en.db" "SELECT value FROM meta WHERE key = 'rule_pack'" 2>/dev/null)" = england
run init --db "$T/nope.db" --rules scotland
expect_rc 1 "init with an unknown rule pack"
check "unknown pack: named in the error" err_has 'rule pack "scotland"'
check "unknown pack: nothing created" test ! -e "$T/nope.db" -a ! -e "$T/nope.db.key"
# The first administrator: a one-time password, shown once; its creation is
# entry 0 of the log and carries no hash.
run init --db "$T/adm.db" --admin boss
expect_rc 0 "init with an administrator"
check "init prints the one-time password" out_has "administrator boss, one-time password"
pw=$(sed -n 's/.*one-time password \([A-Za-z0-9]*\) .*/\1/p' "$T/out")
check "one-time password is 20 characters" test "${#pw}" = 20
check "account_created is entry 0" test "$(sqlite3 "$T/adm.db" \
    "SELECT json_extract(CAST(leaf AS TEXT), '$.type') FROM entries WHERE idx = 0")" = account_created
check "the log holds no password or hash" test "$(sqlite3 "$T/adm.db" \
    "SELECT count(*) FROM entries WHERE CAST(leaf AS TEXT) LIKE '%argon2%' OR CAST(leaf AS TEXT) LIKE '%$pw%'")" = 0
check "the account holds an argon2id hash" test "$(sqlite3 "$T/adm.db" \
    "SELECT substr(password, 1, 10) FROM accounts WHERE username = 'boss'")" = '$argon2id$'
check "the password must be changed" test "$(sqlite3 "$T/adm.db" \
    "SELECT must_change FROM accounts WHERE username = 'boss'")" = 1
run user reset-password boss --db "$T/adm.db"
expect_rc 0 "user reset-password"
pw2=$(sed -n 's/.*one-time password \([A-Za-z0-9]*\) .*/\1/p' "$T/out")
check "a new one-time password" test -n "$pw2" -a "$pw2" != "$pw"
run user disable boss --db "$T/adm.db" --reason "left the council"
expect_rc 0 "user disable"
check "disabled" test "$(sqlite3 "$T/adm.db" "SELECT disabled FROM accounts WHERE username = 'boss'")" = 1
run user add boss --db "$T/adm.db" --role inspector
expect_rc 1 "user add: a username taken"
check "user add refusal names the field" err_has "username: boss already exists"
run user add insp1 --db "$T/adm.db" --role inspector --staff sw.x
expect_rc 1 "user add: staff and role both"
run user add insp1 --db "$T/adm.db" --role inspector --expires 2030-01-31
expect_rc 0 "user add: an inspector until a date"
run user frobnicate x --db "$T/adm.db"
expect_rc 2 "user: unknown verb"
# API tokens: shown once, only the hash kept, revocable; each change in the log.
run token add nightly --user insp1 --db "$T/adm.db"
expect_rc 0 "token add"
tok=$(sed -n 's/.*: \(cwt_[A-Za-z0-9_-]*\)$/\1/p' "$T/out")
check "token printed once, 47 characters" test "${#tok}" = 47
check "the database holds no token" test "$(sqlite3 "$T/adm.db" \
    "SELECT count(*) FROM api_tokens WHERE hash = '$tok' OR name = '$tok'")" = 0
check "the log holds no token" test "$(sqlite3 "$T/adm.db" \
    "SELECT count(*) FROM entries WHERE CAST(leaf AS TEXT) LIKE '%$tok%'")" = 0
run token add nightly --user insp1 --db "$T/adm.db"
expect_rc 1 "token add: a name taken"
run token add other --user nobody --db "$T/adm.db"
expect_rc 1 "token add: an unknown account"
check "token refusal names the field" err_has "username: no account nobody"
run token add other --user insp1 --scope admin --db "$T/adm.db"
expect_rc 1 "token add: an unknown scope"
run token revoke nightly --db "$T/adm.db" --reason "rotated"
expect_rc 0 "token revoke"
run token revoke nightly --db "$T/adm.db"
expect_rc 1 "token revoke: already revoked"
"$CW" verify --db "$T/adm.db" >/dev/null 2>&1
check "the log verifies after the account changes" test $? = 0

# Every command the binary lists is documented in docs/cli.md.
docs="$(dirname "$0")/../docs/cli.md"
if [ -f "$docs" ]; then
    for c in $("$CW" --help | sed -n 's/^  caseward \([a-z-]*\).*/\1/p'); do
        check "docs/cli.md documents $c" grep -q "caseward $c" "$docs"
    done
else
    bad "docs/cli.md not found beside the tests"
fi

# ---- append ----
run append --db "$DB" </dev/null
expect_rc 0 "append of nothing"
check "append of nothing prints the size" test "$(cat "$T/out")" = 0
check "append of nothing adds no checkpoint" \
    test "$(sqlite3 "$DB" 'SELECT count(*) FROM checkpoints' 2>/dev/null || echo 1)" = 1
# append takes validated casework commands (docs/events.md).
printf '%s\n' \
    '{"type":"team_created","payload":{"team_id":"north","name":"North"}}' \
    '{"type":"staff_added","payload":{"staff_id":"tm.lee","name":"A. Lee","role":"team_manager","team_id":"north"}}' \
    '{"type":"staff_added","payload":{"staff_id":"sw.jones","name":"B. Jones","role":"social_worker","team_id":"north","manager_id":"tm.lee"}}' \
    >"$T/b1.jsonl"
printf '%s\n' \
    '{"type":"team_created","payload":{"team_id":"south","name":"South"}}' \
    '{"type":"staff_added","payload":{"staff_id":"sw.kaur","name":"C. Kaur","role":"social_worker","team_id":"south"}}' \
    '{"type":"staff_added","payload":{"staff_id":"sw.ali","name":"D. Ali","role":"social_worker","team_id":"south"}}' \
    >"$T/b3.jsonl"
F1='{"type":"team_created","payload":{"team_id":"x1","name":"X"}}'
F2='{"type":"team_created","payload":{"team_id":"x2","name":"X"}}'
F4='{"type":"team_created","payload":{"team_id":"x4","name":"X"}}'
run append --db "$DB" --actor admin "$T/b1.jsonl"
expect_rc 0 "append from a file"
check "append prints the new size" test "$(cat "$T/out")" = 3
"$CW" checkpoint --db "$DB" >"$T/cp3"
printf '%s\n' '{"type":"child_registered","actor":"sw.jones","payload":{"child_id":"C-001","given_name":"Caf\u00e9 \"Q\"","family_name":"Test","date_of_birth":"2015-03-01","gender":"female","language":"welsh"}}' \
    '{"type":"case_note","actor":"sw.jones","payload":{"child_id":"C-001","date":"2026-03-03","text":"caf\u00e9 \"quoted\""}}' |
    "$CW" append --db "$DB" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "append from stdin"
check "size after stdin append" test "$(cat "$T/out")" = 5

# A bad line N: exit 1, one line on stderr naming line N, nothing appended.
bad_append() { # NAME LINE_NO then the input on stdin
    local name=$1 n=$2
    "$CW" append --db "$DB" >"$T/out" 2>"$T/err"
    rc=$?
    expect_rc 1 "append with $name"
    check "$name: one line on stderr" test "$(err_lines)" = 1
    check "$name: names line $n" err_has "line $n:"
    check "$name: says nothing was appended" err_has "nothing appended"
    check "$name: size unchanged" test "$(checkpoint_size "$DB")" = 5
    check "$name: nothing on stdout" test ! -s "$T/out"
}
printf '%s\n' "$F1" "$F2" '{"type":"Bad Type"}' "$F4" |
    bad_append "a bad type" 3
printf '%s\n' "$F1" '{"type":"team_created",' | bad_append "broken JSON" 2
printf '%s\n' '{"type":"team_created","index":9}' | bad_append "a caller-set index" 1
printf '%s\n' "$F1" '' "$F2" | bad_append "an empty line" 2
printf '%s\n' "$F1" '{"type":"team_created","payload":[1]}' | bad_append "a non-object payload" 2
printf '%s\n{"type":"team_created","payload":{"team_id":"x9","name":"\xc3\x28"}}\n' "$F1" |
    bad_append "invalid UTF-8" 2
printf '%s\n' "$F1" '{"type":"team_created","actor":"no spaces"}' | bad_append "a bad actor" 2
# Validation: an event that is not in the catalogue, and a refused command.
printf '%s\n' "$F1" '{"type":"visit_recorded","payload":{}}' | bad_append "an unknown event type" 2
printf '%s\n' "$F1" "$F1" | bad_append "a duplicate team" 2
printf '%s\n' "$F1" '{"type":"statutory_visit","actor":"sw.jones","payload":{"child_id":"C-404","date":"2026-03-03","seen":true,"seen_alone":true,"views":"ok"}}' |
    bad_append "an unknown child" 2
run append --db "$DB" --actor "bad actor" "$T/b1.jsonl"
expect_rc 2 "append with a bad --actor"
run append --db "$DB" "$T/does-not-exist.jsonl"
expect_rc 1 "append from a missing file"
check "size still 5" test "$(checkpoint_size "$DB")" = 5

# ---- checkpoint and vkey ----
run checkpoint --db "$DB"
expect_rc 0 "checkpoint"
cp "$T/out" "$T/cp5"
check "checkpoint line 1 is the origin" test "$(sed -n 1p "$T/cp5")" = "$ORIGIN"
check "checkpoint line 2 is the size" test "$(sed -n 2p "$T/cp5")" = 5
check "checkpoint line 3 is a base64 root" is_b64_32 "$(sed -n 3p "$T/cp5")"
check "checkpoint line 4 is blank" test -z "$(sed -n 4p "$T/cp5")"
check "checkpoint is signed by the origin" grep -q "^— $ORIGIN " "$T/cp5"
run vkey --db "$DB"
expect_rc 0 "vkey"
cp "$T/out" "$T/vkey"
# name "+" key id "+" base64(0x01 || 32-byte public key): 33 bytes, 44 characters, no padding
check "vkey format" grep -Eq "^${ORIGIN//./\\.}\+[0-9a-f]{8}\+A[Q-Za-f][A-Za-z0-9+/]{42}\$" "$T/vkey"

# ---- proof ----
run proof inclusion 2 5 --db "$DB"
expect_rc 0 "inclusion proof"
cp "$T/out" "$T/incl"
check "inclusion 2 in 5 has 3 hashes" test "$(wc -l <"$T/incl" | tr -d ' ')" = 3
while read -r line; do check "proof line is base64 of 32 bytes" is_b64_32 "$line"; done <"$T/incl"
run proof consistency 3 5 --db "$DB"
expect_rc 0 "consistency proof"
check "consistency 3 to 5 is not empty" test -s "$T/out"
while read -r line; do check "proof line is base64 of 32 bytes" is_b64_32 "$line"; done <"$T/out"
run proof consistency 5 5 --db "$DB"
expect_rc 0 "consistency proof to the same size"
check "consistency 5 to 5 is empty" test ! -s "$T/out"
run proof inclusion 5 5 --db "$DB"
expect_rc 1 "inclusion proof of an index past the end"
check "index past the end is named" err_has "index 5"
run proof consistency 3 6 --db "$DB"
expect_rc 1 "consistency proof past the end"
run proof inclusion x 5 --db "$DB"
expect_rc 2 "inclusion proof with a bad index"
run proof sideways 1 2 --db "$DB"
expect_rc 2 "proof of an unknown kind"

# ---- export ----
run export --db "$DB" --out "$T/exp"
expect_rc 0 "export"
check "export says 5 entries" out_has "exported 5 entries"
check "entries.jsonl has 5 lines" test "$(wc -l <"$T/exp/entries.jsonl" | tr -d ' ')" = 5
i=0
while IFS= read -r line; do
    case $line in
    "{\"index\":$i,"*) ok ;;
    *) bad "entries.jsonl line $i does not start with {\"index\":$i," ;;
    esac
    i=$((i + 1))
done <"$T/exp/entries.jsonl"
check "exported checkpoint is the latest" cmp -s "$T/exp/checkpoint" "$T/cp5"
check "exported vkey is the log's" cmp -s "$T/exp/vkey" "$T/vkey"
check "exported line 1 has the --actor default" grep -q '"actor":"admin","type":"staff_added"' \
    "$T/exp/entries.jsonl"
check "payload keys are sorted" \
    grep -q '"payload":{"manager_id":"tm.lee","name":true,"role":"social_worker","staff_id":"sw.jones","team_id":"north"},"personal":{"commitment":"[A-Za-z0-9+/]*="}}$' "$T/exp/entries.jsonl"
check "the leaves hold no name" bash -c "! grep -q 'B. Jones' '$T/exp/entries.jsonl'"

# ---- verify ----
run verify --db "$DB"
expect_rc 0 "verify --db"
check "verify reports the size" out_has "verified 5 entries; root $(sed -n 3p "$T/cp5")"
check "verify says the key was not pinned" out_has "not pinned"
run verify --dir "$T/exp"
expect_rc 0 "verify --dir"
check "verify --dir reports the size" out_has "verified 5 entries"
run verify --db "$DB" --vkey "$T/vkey" --checkpoint "$T/cp3"
expect_rc 0 "verify with a pinned key and checkpoint"
check "pinned checkpoint reported" out_has "still contains the pinned checkpoint for size 3"
check "no unpinned-key note when pinned" sh -c "! grep -q 'not pinned' '$T/out'"
run verify --dir "$T/exp" --vkey "$T/vkey" --checkpoint "$T/cp3"
expect_rc 0 "verify --dir with pins"
run verify --db "$DB" --dir "$T/exp"
expect_rc 2 "verify with both --db and --dir"

# ---- independent recomputation (RFC 6962 with hashlib) ----
if command -v python3 >/dev/null 2>&1; then
    python3 - "$T/exp/entries.jsonl" "$T/cp5" "$T/incl" 2 <<'EOF' >"$T/py" 2>&1
import base64, hashlib, sys
lines = open(sys.argv[1], 'rb').read().split(b'\n')
assert lines[-1] == b'', 'entries.jsonl does not end in a newline'
leaves = [hashlib.sha256(b'\x00' + l).digest() for l in lines[:-1]]
node = lambda l, r: hashlib.sha256(b'\x01' + l + r).digest()
def mth(h):
    if len(h) == 0:
        return hashlib.sha256(b'').digest()
    if len(h) == 1:
        return h[0]
    k = 1
    while k * 2 < len(h):
        k *= 2
    return node(mth(h[:k]), mth(h[k:]))
root = mth(leaves)
cp = open(sys.argv[2], 'rb').read().split(b'\n')
assert int(cp[1]) == len(leaves), 'size %s != %d' % (cp[1], len(leaves))
assert base64.b64decode(cp[2]) == root, 'root differs'
# RFC 9162 2.1.3.2: verify the CLI's inclusion proof for index m.
m, n = int(sys.argv[4]), len(leaves)
proof = [base64.b64decode(x) for x in open(sys.argv[3]).read().split()]
fn, sn, r = m, n - 1, leaves[m]
for p in proof:
    assert sn != 0
    if fn & 1 or fn == sn:
        r = node(p, r)
        while not fn & 1 and fn != 0:
            fn >>= 1; sn >>= 1
    else:
        r = node(r, p)
    fn >>= 1; sn >>= 1
assert sn == 0 and r == root, 'inclusion proof does not verify'
print('ok')
EOF
    check "python3 recomputes the checkpoint root and verifies the proof ($(tail -1 "$T/py"))" \
        grep -qx ok "$T/py"
else
    echo "cli_test: python3 not found; skipping the independent root recomputation"
fi

# ---- a tampered database ----
if command -v sqlite3 >/dev/null 2>&1; then
    cp "$DB" "$T/t.db"
    cp "$DB.key" "$T/t.db.key"
    changed=$(sqlite3 "$T/t.db" "DROP TRIGGER entries_insert_only_update;
        UPDATE entries SET leaf = CAST(replace(CAST(leaf AS TEXT), '"team_manager"', '"head_of_service"') AS BLOB)
        WHERE idx = 1; SELECT changes();")
    check "the tamper changed one row" test "$changed" = 1
    run verify --db "$T/t.db"
    expect_rc 1 "verify of a tampered database"
    check "verify names the entry" err_has "entry 1"
    check "verify error is one line" test "$(err_lines)" = 1
    # Entries added without a signed checkpoint: verify and append both refuse.
    cp "$DB" "$T/u.db"
    cp "$DB.key" "$T/u.db.key"
    sqlite3 "$T/u.db" "DROP TRIGGER checkpoints_insert_only_delete;
        DELETE FROM checkpoints WHERE size = 5;"
    run verify --db "$T/u.db"
    expect_rc 1 "verify of entries without a checkpoint"
    check "uncovered entries are named" err_has "entries 3 to 4"
    run append --db "$T/u.db" "$T/b1.jsonl"
    expect_rc 1 "append to a log whose head is not signed"
    check "append refusal says why" err_has "refusing to append"
    check "refused append wrote nothing" \
        test "$(sqlite3 "$T/u.db" 'SELECT count(*) FROM entries')" = 5
    run verify --db "$DB"
    expect_rc 0 "the original still verifies"
else
    bad "sqlite3 shell not found (scripts/install-deps installs it)"
fi

# A tampered export.
cp -r "$T/exp" "$T/exp2"
sed -i '4s/C-001/C-002/' "$T/exp2/entries.jsonl"
run verify --dir "$T/exp2"
expect_rc 1 "verify of a tampered export"
check "tampered export: one line on stderr" test "$(err_lines)" = 1

# ---- the key file ----
chmod 644 "$DB.key"
run append --db "$DB" "$T/b1.jsonl"
expect_rc 1 "append with a world-readable key"
check "loose key: says chmod 600" err_has "chmod 600"
run verify --db "$DB"
expect_rc 0 "verify does not need the key"
chmod 600 "$DB.key"
run append --db "$DB" "$T/b3.jsonl"
expect_rc 0 "append with the key fixed"
check "size after the last append" test "$(cat "$T/out")" = 8

# ---- sign-off from the command line (docs/events.md, "Sign-off") ----
# A log under a sign-off policy: the worker's assessment awaits the manager, who alone may
# sign it off; the read model then matches a rebuild.
DB2=$T/signoff.db
"$CW" init --db "$DB2" --origin "$ORIGIN/signoff" --no-admin >/dev/null 2>&1 || bad "init for sign-off"
today=$(date -u +%F)
cat >"$T/so.jsonl" <<JSONL
{"type":"sign_off_policy","actor":"system:policy","payload":{"sign_off":["assessment_completed"]}}
{"type":"team_created","actor":"cli","payload":{"team_id":"north","name":"North"}}
{"type":"staff_added","actor":"cli","payload":{"staff_id":"tm.lee","name":"A. Lee","role":"team_manager","team_id":"north"}}
{"type":"staff_added","actor":"cli","payload":{"staff_id":"sw.jones","name":"B. Jones","role":"social_worker","team_id":"north","manager_id":"tm.lee"}}
{"type":"child_registered","actor":"sw.jones","payload":{"child_id":"S-1","given_name":"A","family_name":"B","date_of_birth":"2015-03-01","gender":"female","language":"welsh"}}
{"type":"assessment_started","actor":"sw.jones","payload":{"assessment_id":"S-1-A","child_id":"S-1","date":"$today"}}
{"type":"assessment_completed","actor":"sw.jones","payload":{"assessment_id":"S-1-A","date":"$today","child_seen":false,"views_not_obtained_reason":"Asleep","analysis":"Fine","outcome":"no_further_action"}}
JSONL
run append --db "$DB2" "$T/so.jsonl"
expect_rc 0 "append of a submitted assessment"
work=$(($(cat "$T/out") - 1))
printf '{"type":"work_signed_off","actor":"sw.jones","payload":{"entry":%s,"based_on":%s}}\n' "$work" "$work" >"$T/own.jsonl"
run append --db "$DB2" "$T/own.jsonl"
expect_rc 1 "signing off one's own work"
check "own sign-off: says why" err_has "no one signs off their own work"
printf '{"type":"work_signed_off","actor":"tm.lee","payload":{"entry":%s,"based_on":%s}}\n' "$work" "$work" >"$T/tm.jsonl"
run append --db "$DB2" "$T/tm.jsonl"
expect_rc 0 "the manager signs it off"
run append --db "$DB2" "$T/tm.jsonl"
expect_rc 1 "signing it off twice"
check "twice: says it is not awaiting sign-off" err_has "not awaiting sign-off"
run verify --db "$DB2"
expect_rc 0 "verify --db after the sign-off"

finish cli_test
