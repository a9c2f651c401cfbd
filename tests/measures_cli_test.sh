#!/usr/bin/env bash
# measures_cli_test.sh — the demo council's measures, as an inspector checks them.
#
# `caseward measures` computes a year's figures for a demo council of each pack and signs
# them; `caseward export` exports the log; `caseward verify --dir --measures` recomputes every
# figure from the export alone and finds them equal. Then: the figures asked for a team add
# up with the other teams' to the council's; a report whose figure was changed (one digit)
# is refused; an export older than the report is refused; an export of another log is
# refused; bad periods are refused with words a person understands.
#
# usage: bash tests/measures_cli_test.sh /path/to/caseward
set -u

CW=${1:?usage: measures_cli_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "measures_cli_test: $CW is not executable" >&2; exit 1; }
command -v python3 >/dev/null || { echo "measures_cli_test: needs python3" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-measures-test-XXXXXX")
trap 'rm -rf "$T"' EXIT

. "$(dirname "$0")/lib.sh"

for pack in wales england; do
    db="$T/$pack.db"
    "$CW" init --db "$db" --rules "$pack" --no-admin >/dev/null 2>"$T/err" &&
        "$CW" demo --db "$db" --children 400 --seed 5 --as-of 2026-06-30 >/dev/null 2>"$T/err" ||
        { echo "measures_cli_test: demo: $(cat "$T/err")" >&2; exit 1; }
    "$CW" measures --db "$db" --period fy2025 --out "$T/$pack.report" >"$T/$pack.txt" 2>"$T/err"
    check "$pack: measures runs ($(cat "$T/err"))" test $? -eq 0
    "$CW" measures --db "$db" --period fy2025 --json >"$T/$pack.json"
    check "$pack: the printed figures name the checkpoint" grep -q "computed at the log's checkpoint" "$T/$pack.txt"
    # Every figure is a count of something; the demo has work in the year.
    python3 - "$T/$pack.json" "$pack" <<'EOF' || bad "$pack: the report's figures"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["report"] == "caseward measures" and r["pack"] == sys.argv[2], r["pack"]
assert r["from"] == "2025-04-01" and r["to"] == "2026-03-31"
ids = [m["id"] for m in r["measures"]]
want = ["PM24", "PM25", "PM26", "PM27", "PM28", "PM30", "PM31", "PM32", "PM33", "CH012"] \
    if sys.argv[2] == "wales" else ["CIN.assessment_45wd", "CIN.icpc_15wd", "CIN.rereferrals_12m",
    "CIN.repeat_cp_plan", "CIN.cp_plan_2y", "CP.visits_on_time", "LAC.placements_3plus"]
for w in want:
    assert w in ids, w
assert any(i.startswith("timeliness.") for i in ids)
first = "PM24" if sys.argv[2] == "wales" else "CIN.assessment_45wd"
m = next(m for m in r["measures"] if m["id"] == first)
assert m["denominator"] > 0 and 0 <= m["numerator"] <= m["denominator"], m
assert abs(m["value"] - round(1000 * m["numerator"] / m["denominator"]) / 10) < 1e-9, m
b = m["breakdown"]
assert b["on_time"] + b["late"] == m["denominator"], b
EOF
    ok

    # The teams' figures add up to the council's.
    teams=$(python3 -c "
import sqlite3, sys
print(' '.join(r[0] for r in sqlite3.connect('file:$db?mode=ro', uri=True).execute('SELECT team_id FROM teams')))")
    sum_num=0
    sum_den=0
    for t in $teams; do
        read -r n d < <("$CW" measures --db "$db" --period fy2025 --team "$t" --json |
            python3 -c "import json,sys; m=[m for m in json.load(sys.stdin)['measures'] if m['id'].startswith('timeliness.')][0]; print(m['numerator'], m['denominator'])")
        sum_num=$((sum_num + n))
        sum_den=$((sum_den + d))
    done
    read -r n d < <(python3 -c "import json; m=[m for m in json.load(open('$T/$pack.json'))['measures'] if m['id'].startswith('timeliness.')][0]; print(m['numerator'], m['denominator'])")
    # Items with no allocated worker belong to no team: the teams' sum is at most the council's.
    check "$pack: the teams' figures add up ($sum_num/$sum_den within $n/$d)" \
        test "$sum_den" -le "$d" -a "$sum_den" -gt 0 -a "$sum_num" -le "$n"

    # Recomputed from the export alone: every figure equal.
    "$CW" export --db "$db" --out "$T/$pack.export" >/dev/null
    "$CW" verify --dir "$T/$pack.export" --measures "$T/$pack.report" \
        --vkey "$T/$pack.export/vkey" >"$T/out" 2>"$T/err"
    check "$pack: the export gives the report's figures ($(cat "$T/err"))" test $? -eq 0
    check "$pack: verify says so" grep -q "are what the exported log gives" "$T/out"
done

# One digit of a figure changed: refused.
sed 's/"numerator":\([0-9]\)/"numerator":9\1/' "$T/wales.report" >"$T/changed.report"
"$CW" verify --dir "$T/wales.export" --measures "$T/changed.report" >/dev/null 2>"$T/err"
check "a changed report is refused" test $? -eq 1
check "it says why" grep -q "not signed by the log's key" "$T/err"

# A report of the England council checked against the Welsh export: another log.
"$CW" verify --dir "$T/wales.export" --measures "$T/england.report" >/dev/null 2>"$T/err"
check "another log's report is refused" test $? -eq 1

# An export taken before the report's checkpoint: refused.
cp "$T/wales.db" "$T/later.db"
cp "$T/wales.db.key" "$T/later.db.key"
chmod 600 "$T/later.db" "$T/later.db.key"
printf '%s\n' '{"type":"case_note","actor":"hos.1","payload":{"child_id":"C0000001","date":"2026-06-01","text":"A note."}}' >"$T/note.jsonl"
"$CW" append --db "$T/later.db" "$T/note.jsonl" >/dev/null 2>"$T/err" || bad "append: $(cat "$T/err")"
"$CW" measures --db "$T/later.db" --period fy2025 --out "$T/later.report" >/dev/null
"$CW" verify --dir "$T/wales.export" --measures "$T/later.report" >/dev/null 2>"$T/err"
check "an export older than the report is refused" test $? -eq 1
check "it says the export is short" grep -q "fewer than" "$T/err"

# Periods a person might get wrong.
"$CW" measures --db "$T/wales.db" --from 2026-03-31 --to 2025-04-01 >/dev/null 2>"$T/err"
check "a period ending before it starts is refused" test $? -eq 2
"$CW" measures --db "$T/wales.db" --period 2025-13 >/dev/null 2>"$T/err"
check "a month 13 is refused" grep -q "2025-04 (a month)" "$T/err"
"$CW" measures --db "$T/wales.db" --from 2025-02-30 --to 2025-03-31 >/dev/null 2>"$T/err"
check "30 February is refused" grep -q "is not a date" "$T/err"
"$CW" measures --db "$T/wales.db" --period fy2025 --team NOSUCH >/dev/null 2>"$T/err"
check "an unknown team is refused" grep -q "no team NOSUCH" "$T/err"

finish measures_cli_test
