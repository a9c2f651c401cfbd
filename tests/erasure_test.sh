#!/usr/bin/env bash
# erasure_test.sh — personal data erased across a whole demo council (issue 13,
# docs/privacy.md): proposed by a team manager, approved by the data protection
# officer (never the proposer, never anyone else), the texts are gone from the
# database file and its write-ahead log, the log still verifies against a
# checkpoint taken before, every proof is the same, and every obligation,
# signal and measure is unchanged. An entry written before personal data was
# kept apart (leaf format 1) cannot be erased, and says so.
#
# usage: bash tests/erasure_test.sh /path/to/caseward
set -u

CW=${1:?usage: erasure_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "erasure_test: $CW is not executable" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "erasure_test: needs the sqlite3 shell" >&2; exit 1; }
command -v python3 >/dev/null || { echo "erasure_test: needs python3" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-erasure-test-XXXXXX")
trap 'rm -rf "$T"' EXIT

. "$(dirname "$0")/lib.sh"
size() { sqlite3 "$DB" 'SELECT count(*) FROM entries'; }
# append: appends the JSON lines on standard input; rc in $rc, the error in $T/err
append() { "$CW" append --db "$DB" - >"$T/out" 2>"$T/err"; rc=$?; }
# in_files TEXT: is TEXT (bytes) in the database file or its write-ahead log?
in_files() {
    python3 - "$1" "$DB" "$DB-wal" <<'EOF'
import os, sys
needle = sys.argv[1].encode()
found = any(needle in open(p, 'rb').read() for p in sys.argv[2:] if os.path.exists(p))
sys.exit(0 if found else 1)
EOF
}
not_in_files() { ! in_files "$1"; }

DB=$T/c.db
AS_OF=2026-11-30
"$CW" demo --db "$DB" --children 120 --seed 5 --as-of $AS_OF >/dev/null 2>"$T/err" ||
    { echo "erasure_test: demo failed: $(cat "$T/err")" >&2; exit 1; }
# A report without the checkpoint it was computed at (the log is longer by the erasures).
without_checkpoint() {
    python3 -c '
import json, sys
d = json.load(sys.stdin)
del d["checkpoint"]
print(json.dumps(d, sort_keys=True))'
}
figures() {
    "$CW" overdue --db "$DB" --as-of $AS_OF --json &&
        "$CW" signals --db "$DB" --as-of $AS_OF --json &&
        "$CW" measures --db "$DB" --from 2025-12-01 --to $AS_OF --json | without_checkpoint &&
        "$CW" integrity --db "$DB" --from 2023-12-01 --to $AS_OF --json | without_checkpoint &&
        for c in C0000001 C0000002 C0000003; do
            "$CW" obligations --db "$DB" --child $c --as-of $AS_OF --json
        done
}
figures >"$T/want" 2>"$T/err" || bad "figures before: $(cat "$T/err")"
check "the demo has figures to compare" [ "$(wc -c <"$T/want")" -gt 10000 ]
check "... integrity flags among them" grep -q '"pattern": *"late_recording"' "$T/want"
"$CW" checkpoint --db "$DB" >"$T/cp-before" 2>/dev/null || bad "checkpoint before"
N0=$(size)
"$CW" proof inclusion 5 "$N0" --db "$DB" >"$T/proof-before" 2>&1 || bad "proof before"

# A child's registration: its names and address, held beside the leaf, and in the file.
REG=$(sqlite3 "$DB" "SELECT idx FROM children WHERE child_id = 'C0000001'")
BODY=$(sqlite3 "$DB" "SELECT CAST(body AS TEXT) FROM personal WHERE idx = $REG")
FAMILY=$(sqlite3 "$DB" "SELECT family_name FROM children WHERE child_id = 'C0000001'")
check "the registration has a personal part with the name" grep -qF "\"family_name\":\"$FAMILY\"" <<<"$BODY"
check "the leaf does not hold the name" [ "$(sqlite3 "$DB" "SELECT instr(CAST(leaf AS TEXT), '$FAMILY') FROM entries WHERE idx = $REG")" = 0 ]
check "before erasure, the part is in the database's bytes" in_files "$BODY"

TM=$(sqlite3 "$DB" "SELECT staff_id FROM staff WHERE role = 'team_manager' ORDER BY staff_id LIMIT 1")
NOTE2=$(sqlite3 "$DB" "SELECT idx FROM child_events WHERE child_id = 'C0000002' AND type = 'child_registered'")
DECIDED=$(sqlite3 "$DB" "SELECT idx FROM child_events WHERE child_id = 'C0000001' AND type IN ('contact_decided', 'referral_decided') LIMIT 1")
append < <(printf '%s\n' '{"type":"staff_added","actor":"admin","payload":{"staff_id":"dpo.x1","name":"Dee Protect","role":"data_protection_officer"}}' \
    '{"type":"staff_added","actor":"admin","payload":{"staff_id":"dpo.x2","name":"Di Deputy","role":"data_protection_officer"}}')
check "two data protection officers join" [ $rc = 0 ]

# ---- what is refused, and writes nothing ----
n=$(size)
append < <(printf '{"type":"erasure_proposed","actor":"%s","payload":{"erasure_id":"X1","child_id":"C0000001","date":"2026-12-01","entries":["%s"],"lawful_basis":"recorded_in_error","reason":"wrong file"}}\n' "$TM" "$NOTE2")
check "an entry of another child is refused" [ $rc != 0 ]
check "... naming it" grep -q "entry $NOTE2 is not in C0000001's record" "$T/err"
if [ -n "$DECIDED" ]; then
    append < <(printf '{"type":"erasure_proposed","actor":"%s","payload":{"erasure_id":"X1","child_id":"C0000001","date":"2026-12-01","entries":["%s"],"lawful_basis":"rectification","reason":"r"}}\n' "$TM" "$DECIDED")
    check "an entry with nothing personal is refused" grep -q "holds no personal data" "$T/err"
fi
append < <(printf '{"type":"erasure_proposed","actor":"dpo.x1","payload":{"erasure_id":"X2","child_id":"C0000002","date":"2026-12-01","lawful_basis":"erasure_request","reason":"asked"}}\n')
check "the officer may propose" [ $rc = 0 ]
append < <(printf '{"type":"erasure_approved","actor":"dpo.x1","payload":{"erasure_id":"X2","date":"2026-12-01"}}\n')
check "... but not approve their own proposal" grep -q "someone else must decide it" "$T/err"
append < <(printf '{"type":"erasure_approved","actor":"%s","payload":{"erasure_id":"X2","date":"2026-12-01"}}\n' "$TM")
check "a manager may not approve" grep -q "only the data protection officer" "$T/err"
check "nothing erased by the refusals" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM personal WHERE erased_idx IS NOT NULL')" = 0 ]
check "two entries appended in all (the officer, a proposal)" [ "$(size)" = $((n + 1)) ]
append < <(printf '{"type":"erasure_declined","actor":"%s","payload":{"erasure_id":"X2","date":"2026-12-01","reason":"no"}}\n' "$TM")
check "a manager may not decline either" [ $rc != 0 ]

append < <(printf '{"type":"statutory_visit","actor":"%s","payload":{"child_id":"C0000002","date":"2026-12-01","seen":true,"seen_alone":true,"views":"x","views_print":"v1:0000000000000001:9"}}\n' "$TM")
check "a text's print is caseward's to set, never given" grep -q "views_print: is set by caseward" "$T/err"

# ---- every child's record erased: proposals by a manager, approvals by the officer ----
sqlite3 "$DB" "SELECT child_id FROM children WHERE child_id <> 'C0000002' ORDER BY child_id" >"$T/kids"
while read -r c; do
    printf '{"type":"erasure_proposed","actor":"%s","payload":{"erasure_id":"E-%s","child_id":"%s","date":"2026-12-01","lawful_basis":"retention_schedule","requested_by":"records manager","reason":"past the schedule"}}\n' "$TM" "$c" "$c"
done <"$T/kids" >"$T/in"
append <"$T/in"
check "proposals for every child: $(head -c 300 "$T/err")" [ $rc = 0 ]
check "proposals erase nothing" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM personal WHERE erased_idx IS NOT NULL')" = 0 ]
{
    while read -r c; do
        printf '{"type":"erasure_approved","actor":"dpo.x1","payload":{"erasure_id":"E-%s","date":"2026-12-01"}}\n' "$c"
    done <"$T/kids"
    printf '{"type":"erasure_declined","actor":"dpo.x2","payload":{"erasure_id":"X2","date":"2026-12-01","reason":"held for a review"}}\n'
} >"$T/in"
append <"$T/in"
check "approvals: $(head -c 300 "$T/err")" [ $rc = 0 ]
check "parts erased" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM personal WHERE erased_idx IS NOT NULL')" -gt 1000 ]
check "the erased part is gone from the database and its log" not_in_files "$BODY"
check "so is the family name" not_in_files "\"family_name\":\"$FAMILY\""
check "the names are gone from the child's row" \
    [ "$(sqlite3 "$DB" "SELECT given_name IS NULL AND family_name IS NULL FROM children WHERE child_id = 'C0000001'")" = 1 ]
check "a declined erasure erased nothing" \
    [ "$(sqlite3 "$DB" "SELECT given_name IS NOT NULL FROM children WHERE child_id = 'C0000002'")" = 1 ]

figures >"$T/got" 2>"$T/err" || bad "figures after: $(cat "$T/err")"
check "every obligation, signal, measure and integrity flag unchanged" cmp -s "$T/want" "$T/got"
"$CW" verify --db "$DB" >"$T/out" 2>"$T/err" || bad "verify --db after erasure: $(cat "$T/err")"
"$CW" verify --db "$DB" --checkpoint "$T/cp-before" >"$T/out" 2>"$T/err" ||
    bad "verify against the checkpoint from before: $(cat "$T/err")"
"$CW" proof inclusion 5 "$N0" --db "$DB" >"$T/proof-after" 2>&1 || bad "proof after"
check "the same inclusion proof" cmp -s "$T/proof-before" "$T/proof-after"
"$CW" chronology --db "$DB" --child C0000001 >"$T/chron" 2>"$T/err" || bad "chronology: $(cat "$T/err")"
check "the chronology says what was removed, when and why" \
    grep -q "personal data removed on 2026-12-01 under the retention schedule" "$T/chron"
"$CW" chronology --db "$DB" --child C0000001 --json >"$T/chron.json" 2>&1
check "... and so does its JSON" grep -q '"under": "retention_schedule"' "$T/chron.json"
"$CW" rebuild --db "$DB" >/dev/null 2>"$T/err" || bad "rebuild: $(cat "$T/err")"
figures >"$T/got" 2>"$T/err"
check "unchanged after a rebuild too" cmp -s "$T/want" "$T/got"
check "the names stay gone after a rebuild" \
    [ "$(sqlite3 "$DB" "SELECT given_name IS NULL FROM children WHERE child_id = 'C0000001'")" = 1 ]
# ---- exports: the full one with the parts not erased, and the inspector's, with none ----
KEPT=$(sqlite3 "$DB" "SELECT family_name FROM children WHERE child_id = 'C0000002'")
"$CW" measures --db "$DB" --from 2025-12-01 --to $AS_OF --out "$T/report" >/dev/null 2>"$T/err" ||
    bad "measures report: $(cat "$T/err")"
"$CW" export --db "$DB" --out "$T/exp" >/dev/null 2>"$T/err" || bad "export: $(cat "$T/err")"
"$CW" verify --dir "$T/exp" --measures "$T/report" >"$T/out" 2>"$T/err" ||
    bad "verify --dir: $(cat "$T/err")"
check "verify --dir checks every part held and erased" grep -q "personal parts: [0-9]* held and [0-9]* erased" "$T/out"
check "the full export holds the parts not erased" grep -qF "$KEPT" "$T/exp/personal.jsonl"
check "... and not those erased" bash -c "! grep -qF '$FAMILY' '$T/exp/personal.jsonl'"
check "... its personal file private (0600)" [ "$(stat -c %a "$T/exp/personal.jsonl")" = 600 ]
cp -r "$T/exp" "$T/bad"
python3 - "$T/bad/personal.jsonl" <<'EOF2'
import sys
p = sys.argv[1]
lines = open(p).read().splitlines(True)
i = next(k for k, l in enumerate(lines) if '"salt"' in l)
lines[i] = lines[i].replace('"part":"{', '"part":"{ ', 1)
open(p, 'w').write(''.join(lines))
EOF2
"$CW" verify --dir "$T/bad" >/dev/null 2>"$T/err"
check "an altered part is found, and its entry named" grep -q "personal part does not match the commitment" "$T/err"
cp "$T/exp/personal.jsonl" "$T/bad/personal.jsonl"
sed -i '$d' "$T/bad/personal.jsonl"
"$CW" verify --dir "$T/bad" >/dev/null 2>"$T/err"
check "a part left out is found" grep -q "parts were left out" "$T/err"
# A guessed text cannot be confirmed from the export: two entries with the same text commit to
# it differently (a salt each), and a hash of the text alone is neither commitment.
python3 - "$DB" "$T/exp/entries.jsonl" >"$T/guess" 2>&1 <<'EOF2'
import base64, hashlib, json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
row = db.execute("SELECT body, group_concat(idx) FROM personal WHERE body IS NOT NULL "
                 "GROUP BY body HAVING count(*) > 1 LIMIT 1").fetchone()
body, idxs = row[0], [int(i) for i in row[1].split(',')][:2]
leaves = open(sys.argv[2]).read().splitlines()
c = [base64.b64decode(json.loads(leaves[i])['personal']['commitment']) for i in idxs]
guesses = [hashlib.sha256(body).digest(), hashlib.sha256(b'caseward personal v1\0' + bytes(32) + body).digest()]
print('differ' if c[0] != c[1] else 'same', 'unconfirmed' if not set(c) & set(guesses) else 'confirmed')
EOF2
check "the same text, two commitments; a guess confirms neither ($(cat "$T/guess"))" grep -qx "differ unconfirmed" "$T/guess"
"$CW" export --db "$DB" --out "$T/exp" --facts-only >"$T/out" 2>"$T/err" || bad "export --facts-only: $(cat "$T/err")"
check "a facts-only export over a full one leaves no personal file" [ ! -e "$T/exp/personal.jsonl" ]
check "a facts-only export holds no name" bash -c "! grep -rqF '$KEPT' '$T/exp'"
"$CW" verify --dir "$T/exp" --measures "$T/report" >"$T/out" 2>"$T/err" ||
    bad "verify --dir --measures on the facts only: $(cat "$T/err")"
check "... and verify, and the measures from it, agree" grep -q "facts only" "$T/out"
append < <(printf '{"type":"erasure_approved","actor":"dpo.x1","payload":{"erasure_id":"E-C0000001","date":"2026-12-01"}}\n')
check "an erasure is decided once" grep -q "already been approved" "$T/err"

# ---- a log written before personal data was kept apart ----
DB=$T/v1.db
"$CW" demo --db "$DB" --children 5 --seed 5 --as-of $AS_OF --leaf-format 1 >/dev/null 2>&1 || bad "v1 demo"
TM=$(sqlite3 "$DB" "SELECT staff_id FROM staff WHERE role = 'team_manager' LIMIT 1")
REG=$(sqlite3 "$DB" "SELECT idx FROM children WHERE child_id = 'C0000001'")
append < <(printf '{"type":"erasure_proposed","actor":"%s","payload":{"erasure_id":"V1","child_id":"C0000001","date":"2026-12-01","entries":["%s"],"lawful_basis":"rectification","reason":"r"}}\n' "$TM" "$REG")
check "an entry in the old format cannot be erased, and says why" \
    grep -q "recorded before caseward kept personal data apart from the log" "$T/err"

finish erasure_test
