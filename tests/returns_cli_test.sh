#!/usr/bin/env bash
# returns_cli_test.sh — the demo England council's statutory returns, checked by the validator
# councils use (third_party/validators, docs/returns.md).
#
# `caseward returns cin` makes the 2025-26 and 2024-25 CIN censuses of a demo council made with
# the England pack; check-cin (data-to-insight's CIN validator) checks each with that year's
# rules. Any issue outside a short fixed list fails the test: each allowed rule comes from the
# demo's invented data, for the reason docs/returns.md ("The demo council's returns") gives. A
# clean council (failure scale 0) may raise only the one that does not come from an invented
# failure. Then: the files are private (0600 in a 0700 folder), the notes name missing facts,
# and bad requests are refused in words a data officer understands.
#
# usage: bash tests/returns_cli_test.sh /path/to/caseward
set -u

CW=${1:?usage: returns_cli_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "returns_cli_test: $CW is not executable" >&2; exit 1; }
V=$(cd "$(dirname "$0")/../third_party/validators" && pwd)
[ -x "$V/check-cin" ] || { echo "returns_cli_test: no validators at $V" >&2; exit 1; }
"$V/setup" --check >/dev/null || { echo "returns_cli_test: the validators' Python packages are missing (scripts/install-deps)" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-returns-test-XXXXXX")
trap 'rm -rf "$T"' EXIT
export TMPDIR=$T # the validators' byte-code caches go here too

. "$(dirname "$0")/lib.sh"

# validate NAME FILE RULESET ALLOWED...: runs check-cin, prints its summary, and checks that
# every rule it raised is one of ALLOWED.
validate() {
    local name=$1 file=$2 ruleset=$3; shift 3
    "$V/check-cin" "$file" "$ruleset" "$T/val-$name" >"$T/val-$name.out" 2>"$T/val-$name.err"
    local vrc=$?
    check "$name: the validator ran (exit $vrc: $(head -c 300 "$T/val-$name.err"))" test "$vrc" -le 1
    echo "  $name ($ruleset): $(cat "$T/val-$name.out")"
    python3 - "$T/val-$name/summary.json" "$name" "$@" <<'EOF' || bad "$name: the validator raised rules outside the allowed list"
import json, sys
s = json.load(open(sys.argv[1]))
allowed = set(sys.argv[3:])
print("  %s: by rule %s" % (sys.argv[2], json.dumps(s["by_rule"], sort_keys=True)))
if s["crashed_rules"]:
    print("  %s: rules that crashed: %s" % (sys.argv[2], s["crashed_rules"]), file=sys.stderr)
    sys.exit(1)
extra = sorted(set(s["by_rule"]) - allowed)
if extra:
    print("  %s: not allowed: %s" % (sys.argv[2], extra), file=sys.stderr)
    sys.exit(1)
EOF
}

db=$T/england.db
"$CW" init --db "$db" --rules england --no-admin >/dev/null 2>"$T/err" &&
    "$CW" demo --db "$db" --seed 7 --as-of 2026-06-30 >/dev/null 2>"$T/err" ||
    { echo "returns_cli_test: demo: $(cat "$T/err")" >&2; exit 1; }

# The demo's invented failures give these, and nothing else may appear (docs/returns.md): its
# unfinished assessments 8670Q, 8863Q and 8867, its late initial conferences 8675Q; and its
# hand-over to the child protection route's assessment on the day the first ends 8863Q.
# In 2024-25 also 8569Q, the validator's own error: the census began on Easter Monday, 1 April
# 2024, and the validator takes "one working day before" it to be 2 April, so it queries a no
# further action referral of Sunday 31 March 2024 that the DfE's rule (before Thursday 28
# March) allows.
for year in 2026 2025; do
    run returns cin --db "$db" --year $year --out "$T/ret"
    expect_rc 0 "returns cin $year"
    check "$year: the summary names the files" out_has "cin-$year.xml cin-$year-notes.csv"
    check "$year: the census has children" grep -q "<LAchildID>" "$T/ret/cin-$year.xml"
    extra=
    [ $year = 2025 ] && extra=8569Q
    validate "demo-$year" "$T/ret/cin-$year.xml" "$year" 8670Q 8675Q 8863Q 8867 $extra
done
check "the folder is 0700" test "$(stat -c %a "$T/ret")" = 700
check "the census is 0600" test "$(stat -c %a "$T/ret/cin-2026.xml")" = 600
check "the notes are 0600" test "$(stat -c %a "$T/ret/cin-2026-notes.csv")" = 600
check "the notes have their header" test "$(head -1 "$T/ret/cin-2026-notes.csv")" = $'child,field,note\r'
check "the notes say which closures gave no reason" grep -q '"ReasonForClosure","the closure gave no closure_reason' "$T/ret/cin-2026-notes.csv"
check "the demo's header carries its LA number" grep -q "<LEA>999</LEA>" "$T/ret/cin-2026.xml"
check "a UPN is in the census" grep -q "<UPN>[A-Z]001[0-9]*</UPN>" "$T/ret/cin-2026.xml"
# no child's name: every family name in the demo's log, none in the census or its notes
sqlite3 "$db" "SELECT DISTINCT family_name FROM children WHERE family_name IS NOT NULL" >"$T/names"
check "the demo has names to look for" test "$(wc -l <"$T/names")" -gt 10
check "no child's name is in the census or its notes" \
    bash -c "! grep -q -F -w -f '$T/names' '$T/ret/cin-2026.xml' '$T/ret/cin-2026-notes.csv'"

# A clean council: no invented failures.
clean=$T/clean.db
"$CW" init --db "$clean" --rules england --no-admin >/dev/null 2>"$T/err" &&
    "$CW" demo --db "$clean" --seed 7 --as-of 2026-06-30 --failure-scale 0 >/dev/null 2>"$T/err" ||
    { echo "returns_cli_test: clean demo: $(cat "$T/err")" >&2; exit 1; }
run returns cin --db "$clean" --year 2026 --out "$T/clean"
expect_rc 0 "returns cin, clean council"
validate "clean-2026" "$T/clean/cin-2026.xml" 2026 8863Q

# Refusals.
run returns cin --db "$db" --year 26 --out "$T/x"
expect_rc 2 "a two-digit year"
check "the year is explained" err_has "is not a collection year (the year it ends, e.g. 2026 for 2025-26)"
run returns 903x --db "$db" --year 2026 --out "$T/x"
expect_rc 2 "an unknown return"
check "the unknown return is named" err_has "903x: not a return caseward makes"
run returns cin --db "$db" --year 2026 --out "$T/x" --la 12
expect_rc 2 "an LA number of two digits"
check "the LA number is explained" err_has "three-digit local authority number"
nola=$T/nola.db
"$CW" init --db "$nola" --rules england --no-admin >/dev/null
run returns cin --db "$nola" --year 2026 --out "$T/x"
expect_rc 2 "no LA number set"
check "nothing written when refused" test ! -e "$T/x"
# the LA number of a log made without one: set once with settings, then the census has it
run settings --db "$nola" --la-code 681
expect_rc 0 "settings --la-code on a log without one"
check "settings prints the number" out_has "local authority number   681"
run settings --db "$nola" --la-code 682
expect_rc 1 "a second, different number"
check "the number is not changed" err_has "this log's local authority number is 681 already"
run returns cin --db "$nola" --year 2026 --out "$T/nola"
expect_rc 0 "returns cin once the number is set"
check "the census carries it" grep -q "<LEA>681</LEA>" "$T/nola/cin-2026.xml"
run init --db "$T/bad.db" --la-code 1234 --no-admin
expect_rc 2 "init with a bad LA code"
check "nothing created" test ! -e "$T/bad.db"
"$CW" init --db "$T/la.db" --la-code 201 --no-admin >/dev/null
run returns cin --db "$T/la.db" --year 2026 --out "$T/la"
expect_rc 0 "an empty log with its LA code"
check "the LA code from init is the header's" grep -q "<LEA>201</LEA>" "$T/la/cin-2026.xml"

finish returns_cli_test
