#!/usr/bin/env bash
# improve_cli_test.sh — `caseward improve` and the improvement part of `caseward escalate` end
# to end on a demo council (docs/improvement.md): clear errors that record nothing; an
# inspection, its findings and a notice, a plan whose due day (the notice's day + 20 working
# days, over a bank holiday) is counted again here with python3 from
# rules/calendar/england-and-wales.txt; the board, recommendations, points, actions with a
# dependency, progress, evidence of each kind, completion, sign-off and return; money in
# integer pence; a late plan and a late action escalated step by step; the board's report
# (--json, --csv, --html in Welsh, --pdf), issued, exported and verified, and refused once the
# export is altered; and a report for an earlier day. Expected figures are worked out here
# from what this script recorded, not read back from caseward.
# The demo has its own plan, ip1: this script's ids start with "t".
#
# usage: bash tests/improve_cli_test.sh /path/to/caseward
set -u

CW=${1:?usage: improve_cli_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "improve_cli_test: $CW is not executable" >&2; exit 1; }
command -v python3 >/dev/null || { echo "improve_cli_test: needs python3" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-improve-cli-test-XXXXXX")
trap 'rm -rf "$T"' EXIT

. "$(dirname "$0")/lib.sh"
[ -n "${CW_TEST_PG:-}" ] || command -v sqlite3 >/dev/null ||
    { echo "improve_cli_test: needs the sqlite3 shell" >&2; exit 1; }
CAL=$(cd "$(dirname "$0")/.." && pwd)/rules/calendar/england-and-wales.txt
[ -r "$CAL" ] || { echo "improve_cli_test: no $CAL" >&2; exit 1; }

TODAY=$(date -u +%F)
day() { date -u -d "$TODAY $1 days" +%F; }
# Working days, counted here from the calendar file: Saturdays, Sundays and its bank holidays
# are not working days.
cat >"$T/wd.py" <<'EOF'
import datetime as dt, sys
hol = set()
for line in open(sys.argv[1]):
    f = line.split()
    if f and f[0][:1].isdigit():
        hol.add(dt.date.fromisoformat(f[0]))
def working(d):
    return d.weekday() < 5 and d not in hol
def add(d, n):  # the n-th working day after d
    while n > 0:
        d += dt.timedelta(days=1)
        n -= working(d)
    return d
cmd, a = sys.argv[2], sys.argv[3:]
if cmd == "add":
    print(add(dt.date.fromisoformat(a[0]), int(a[1])))
elif cmd == "notice":
    # The working day just before the latest bank holiday at least 70 days before a[0] (so
    # the plan's 20 working days run over it), and the weekday-only count that ignores it.
    limit = dt.date.fromisoformat(a[0]) - dt.timedelta(days=70)
    h = max(x for x in hol if x <= limit)
    d = h - dt.timedelta(days=1)
    while not working(d):
        d -= dt.timedelta(days=1)
    n, w = 20, d
    while n > 0:
        w += dt.timedelta(days=1)
        n -= w.weekday() < 5
    print(d, h, w)
EOF
wd() { python3 "$T/wd.py" "$CAL" add "$1" "$2"; }

improve() { run improve "$@" --db "$DB"; }
size() { sql "SELECT count(*) FROM entries"; }

new_db improve
"$CW" demo --db "$DB" --children 60 --seed 3 --as-of "$TODAY" >/dev/null 2>"$T/err" ||
    { echo "improve_cli_test: demo failed: $(cat "$T/err")" >&2; exit 1; }

# ---- help and errors: one line naming the option, nothing appended ----
run improve --help
expect_rc 0 "improve --help"
for v in inspection finding notice plan board-add board-remove submit recommend point action \
    change progress evidence complete sign-off return fund fund-change commit commit-change \
    spend reverse show report issue verify; do
    check "--help lists $v" grep -qE "^ +$v( |$)" "$T/out"
done
n0=$(size)
refused() { # NAME RC TEXT: the last run was refused with RC, one line saying TEXT
    expect_rc "$2" "$1"
    check "$1: the message says '$3'" err_has "$3"
    check "$1: one line" [ "$(wc -l <"$T/err")" = 1 ]
}
improve frobnicate --actor dir.1
refused "an unknown verb" 2 'improve: unknown verb "frobnicate"'
improve point --actor dir.1 --id tx --recommendation ip1.r1 --text "A point." --amount 5
refused "an option point does not take" 2 "--amount is not an option of improve point"
improve plan --actor dir.1 --id tx --title "No owner" --due "$(day 30)"
refused "a missing required option" 2 "--owner is required"
improve fund --actor dir.1 --id tx --plan ip1 --source "Reserves" --amount 1.234 --reason "Too fine."
refused "an amount with three decimals" 1 '--amount: "1.234" is not an amount in pounds and pence'
improve action --actor dir.1 --id tx --point ip1.r1.1 --text "A bad day." --owner hos.1 --due 2027-02-30
refused "a malformed date" 1 '--due: "2027-02-30" is not a date'
improve plan --actor dir.1 --id tx --title "A bad day" --owner hos.1 --due "$(day 30)" --date 2026-13-01
refused "a malformed --date" 1 '--date: "2026-13-01" is not a date'
check "nothing was appended" [ "$(size)" = "$n0" ]

# ---- the inspection, its findings, a notice and the plan ----
read -r N HOL NAIVE < <(python3 "$T/wd.py" "$CAL" notice "$TODAY")
DUE=$(wd "$N" 20)
check "the notice's 20 working days run over the bank holiday $HOL" [ "$DUE" != "$NAIVE" ]
improve inspection --actor dir.1 --date "$N" --id tins --inspectorate ciw --title "Test inspection" \
    --started "$(date -u -d "$N -20 days" +%F)" --ended "$(date -u -d "$N -16 days" +%F)" \
    --report-ref "CIW/T/1"
expect_rc 0 "an inspection"
check "... recorded" out_has "recorded improve_inspection_recorded as entry"
improve finding --actor dir.1 --date "$N" --id tf1 --inspection tins --theme front_door \
    --severity serious_concern --text "Contacts wait too long for a decision."
expect_rc 0 "a finding"
improve finding --actor dir.1 --date "$N" --id tf2 --inspection tins --theme supervision \
    --severity area_for_improvement --text "Supervision is not recorded."
expect_rc 0 "a second finding"
improve finding --actor dir.1 --date "$N" --id tf3 --inspection nope --theme x \
    --severity serious_concern --text "x"
expect_rc 1 "a finding of an unknown inspection"
improve notice --actor dir.1 --date "$N" --id tn --inspection tins --kind improvement_notice \
    --issued-by "Welsh Ministers" --issued "$N" --reviews 90d,6m
expect_rc 0 "a notice"
improve plan --actor hos.1 --date "$N" --id tp --title "Test plan" --owner hos.1 --inspection tins \
    --notice tn
expect_rc 0 "a plan from the notice, no --due"
improve show --plan tp --json
cp "$T/out" "$T/show0.json"
check "the plan's due day is the notice's day + 20 working days ($N + 20 = $DUE)" \
    [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["due"])' "$T/show0.json")" = "$DUE" ]
improve plan --actor sw.l1.iaa.1 --date "$N" --id tq --title "x" --owner hos.1 --due "$(day 30)"
expect_rc 1 "a social worker creates no plan"
improve plan --actor dir.1 --date "$N" --id tq --title "x" --owner sm.l1.1 --due "$(day 30)"
expect_rc 1 "a service manager owns no plan"
check "... the message names owner_id" err_has "owner_id"

# ---- the board: a chair who is not the director, a member, an observer ----
improve board-add --actor hos.1 --date "$N" --plan tp --staff sm.l1.2 --role chair
expect_rc 0 "a chair"
improve board-add --actor hos.1 --date "$N" --plan tp --staff sm.l1.1 --role member
expect_rc 0 "a member"
improve board-add --actor hos.1 --date "$N" --plan tp --staff qa.1.1 --role observer
expect_rc 0 "an observer"
improve recommend --actor qa.1.1 --date "$N" --id tr9 --plan tp --text "An observer edits nothing."
expect_rc 1 "an observer is not an editor"

# ---- recommendations, points, actions ----
improve recommend --actor sm.l1.2 --date "$N" --id tr1 --plan tp --findings tf1,tf2 \
    --text "Decide every contact within a working day."
expect_rc 0 "a recommendation"
improve point --actor sm.l1.2 --date "$N" --id tpt1 --recommendation tr1 --text "A duty manager every day."
expect_rc 0 "a point"
improve point --actor sm.l1.1 --date "$N" --id tpt2 --recommendation tr1 --text "Supervision recorded."
expect_rc 0 "a second point"
# What each action will be today: a1 and a2 complete (a2 waits on a1), a3 late (red, blocked
# too), a4 amber (due in 5 working days, no evidence), a5 amber (blocked), a6 green.
A3DUE=$(wd "$N" 10)
A4DUE=$(wd "$TODAY" 5)
action() { improve action --actor hos.1 --date "$N" "$@"; }
action --id ta1 --point tpt1 --text "=SUM(1) brief every team on the duty rota" --owner tm.l1.safe --due "$(day 40)"
expect_rc 0 "action a1"
action --id ta2 --point tpt1 --text "Check the rota works." --owner tm.l1.assess --due "$(day 60)" --depends-on ta1
expect_rc 0 "action a2, depending on a1"
action --id ta3 --point tpt2 --text "Write the supervision policy." --owner sm.l1.1 --due "$A3DUE"
expect_rc 0 "action a3"
action --id ta4 --point tpt2 --text "Train the team managers." --owner tm.l1.support --due "$A4DUE"
expect_rc 0 "action a4"
action --id ta5 --point tpt2 --text "Record supervision in one template." --owner tm.l1.lac --due "$(day 60)"
expect_rc 0 "action a5"
action --id ta6 --point tpt2 --text "Audit supervision records." --owner tm.l1.iaa --due "$(day 70)"
expect_rc 0 "action a6"
action --id ta7 --point tpt2 --text "Due before it is set." --owner tm.l1.iaa --due "$(date -u -d "$N -1 days" +%F)"
expect_rc 1 "a due day before the day it is set"
improve change --actor hos.1 --date "$N" --action ta1 --depends-on ta2 --reason "A circle."
expect_rc 1 "a dependency in a circle"
improve submit --actor hos.1 --date "$(day -40)" --plan tp --to "Welsh Ministers"
expect_rc 0 "the plan submitted"

# ---- progress, evidence, completion, sign-off, return ----
improve progress --actor sm.l1.1 --date "$(day -30)" --action ta3 --note "Waiting for HR." --blocked
expect_rc 0 "progress, blocked"
improve progress --actor tm.l1.lac --date "$(day -20)" --action ta5 --note "No template yet." --blocked
expect_rc 0 "a5 blocked"
improve progress --actor tm.l1.iaa --date "$(day -20)" --action ta5 --note "Not mine."
expect_rc 1 "progress by someone neither owner nor editor"
improve complete --actor tm.l1.safe --date "$(day -12)" --action ta1 --note "Done."
expect_rc 1 "completion with no evidence"
printf 'Duty rota, %s\nEvery team briefed.\n' "$TODAY" >"$T/rota.txt"
improve evidence --actor tm.l1.safe --date "$(day -12)" --id te1 --action ta1 --title "The rota" \
    --document "$T/rota.txt"
expect_rc 0 "evidence: a document"
improve evidence --actor tm.l1.assess --date "$(day -12)" --id te2 --action ta2 \
    --title "Assessments on time" --measure PM24 --target 85
expect_rc 0 "evidence: a measure"
AR=$(sql "SELECT report_id FROM audit_reports ORDER BY report_id LIMIT 1")
check "the demo has an issued audit report" [ -n "$AR" ]
improve evidence --actor sm.l1.1 --date "$(day -12)" --id te3 --action ta3 --title "The audit" \
    --audit-report "$AR"
expect_rc 0 "evidence: an audit report"
improve evidence --actor sm.l1.1 --date "$(day -12)" --id te4 --action ta3 --title "No report" \
    --audit-report nope
expect_rc 1 "evidence: an audit report never issued"
improve evidence --actor sm.l1.1 --date "$(day -12)" --id te5 --action ta3 --title "Bad" \
    --measure PM24 --target 85.55
expect_rc 1 "a target with two decimals"
improve evidence --actor sm.l1.1 --id te6 --action ta3 --title "Two kinds" --measure PM24 \
    --target 85 --audit-report "$AR"
expect_rc 2 "evidence of two kinds at once"
improve complete --actor tm.l1.safe --date "$(day -10)" --action ta1 --note "Briefed."
expect_rc 0 "a1 completed by its owner"
improve complete --actor tm.l1.assess --date "$(day -10)" --action ta2 --note "Early."
expect_rc 1 "a2 may not be completed while a1 is not signed off"
improve sign-off --actor tm.l1.safe --date "$(day -5)" --action ta1
expect_rc 1 "the owner may not sign off"
check "... the message says why" err_has "actor: action ta1 is yours or you said it was done"
improve sign-off --actor sm.l1.1 --date "$(day -5)" --action ta1 --comment "Seen the rota."
expect_rc 0 "a1 signed off by a board member"
improve complete --actor tm.l1.assess --date "$(day -4)" --action ta2 --note "Checked."
expect_rc 0 "a2 completed"
improve return --actor sm.l1.2 --date "$(day -4)" --action ta2 --reason "Show the figures."
expect_rc 0 "a2 returned by the chair"
improve complete --actor tm.l1.assess --date "$(day -3)" --action ta2 --note "Figures attached."
expect_rc 0 "a2 completed again"
improve sign-off --actor sm.l1.2 --date "$(day -2)" --action ta2
expect_rc 0 "a2 signed off by the chair"
improve show --plan tp --json
cp "$T/out" "$T/show1.json"
sha=$(sha256sum "$T/rota.txt" | cut -d' ' -f1)
python3 - "$T/show1.json" "$sha" >"$T/py" 2>&1 <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
acts = {a["action_id"]: a for r in s["recommendations"] for p in r["points"] for a in p["actions"]}
ev = {e["evidence_id"]: e for a in acts.values() for e in a["evidence"]}
fails = []
if ev["te1"].get("sha256") != sys.argv[2]: fails.append(f"document sha256 {ev['te1'].get('sha256')}")
if ev["te2"].get("kind") != "measure": fails.append("te2 kind")
if ev["te3"].get("kind") != "audit_report": fails.append("te3 kind")
want = {"ta1": ("complete", "sm.l1.1", 0), "ta2": ("complete", "sm.l1.2", 1)}
for k, (st, by, ret) in want.items():
    got = (acts[k]["status"], acts[k]["signed_off_by"], acts[k]["returned"])
    if got != (st, by, ret): fails.append(f"{k}: {got}")
if [d if isinstance(d, str) else d.get("action_id") for d in acts["ta2"]["depends_on"]] != ["ta1"]: fails.append(f"ta2 depends_on {acts['ta2']['depends_on']}")
print("\n".join(fails) if fails else "ok")
EOF
check "the evidence, sign-offs and return as recorded ($(tail -1 "$T/py"))" [ "$(tail -1 "$T/py")" = ok ]

# ---- money, in pence ----
money() { improve "$1" --actor hos.1 --date "$(day -8)" "${@:2}"; }
for al in tal1 tal2 tal3; do
    money fund --id $al --plan tp --source "Grant $al" --amount 1333333.33 --reason "Grant."
    expect_rc 0 "allocation $al"
done
money fund --id tal4 --plan tp --source "Base budget" --amount £0.01 --reason "A penny."
expect_rc 0 "allocation of a penny"
money commit --id tc1 --action ta1 --allocation tal1 --amount "£500,000.00" --reason "Rota."
expect_rc 0 "a commitment"
money commit --id tc2 --action ta3 --allocation tal2 --amount 1000000 --reason "Policy."
expect_rc 0 "a second commitment"
n1=$(size)
money commit --id tc3 --action ta3 --allocation tal1 --amount 833333.34 --reason "One penny too many."
expect_rc 1 "a commitment one penny beyond the allocation"
check "... says what is uncommitted" err_has "833,333.33"
money commit --id tc3 --action ta3 --allocation tal1 --amount 0 --reason "Nothing."
expect_rc 1 "a commitment of £0.00"
money spend --id ts1 --action ta1 --allocation tal1 --amount 200000 --reason "Rota costs."
expect_rc 0 "spend"
money spend --id ts2 --action ta3 --allocation tal2 --amount 1200000.00 --reason "Consultants." --reference INV-1
expect_rc 0 "an overspend on a3 (not refused)"
money spend --id ts3 --action ta1 --allocation tal1 --amount 50000.05 --reason "Posted twice."
expect_rc 0 "a third spend"
money reverse --spend ts3 --reason "Posted twice."
expect_rc 0 "reversed"
money reverse --spend ts3 --reason "Again."
expect_rc 1 "not reversed twice"
money fund-change --allocation tal1 --amount 499999.99 --reason "Cut."
expect_rc 1 "an allocation below its commitments"
check "... the message names both amounts" err_has "499,999.99"
improve show --plan tp --json
cp "$T/out" "$T/show2.json"
python3 - "$T/show2.json" >"$T/py" 2>&1 <<'EOF'
import json, sys
b = json.load(open(sys.argv[1]))["budget"]
allocs = [133333333] * 3 + [1]
commits = {"ta1": 50000000, "ta3": 100000000}
spends = {"ta1": 20000000, "ta3": 120000000}  # ts3 reversed
over = {a: spends[a] - commits.get(a, 0) for a in spends if spends[a] > commits.get(a, 0)}
want = {"allocated": sum(allocs), "committed": sum(commits.values()), "spent": sum(spends.values()),
        "uncommitted": sum(allocs) - sum(commits.values()), "unspent": sum(allocs) - sum(spends.values()),
        "overspend": sum(over.values())}
fails = [f"{k}: {b[k]['pence']} want {v}" for k, v in want.items() if b[k]["pence"] != v]
if b["allocated"]["pounds"] != "£4,000,000.00": fails.append("pounds " + b["allocated"]["pounds"])
if b["overspent_actions"] != len(over): fails.append("overspent_actions")
print("\n".join(fails) if fails else "ok")
EOF
check "the budget in pence: 400000000 allocated, £4,000,000.00 ($(tail -1 "$T/py"))" [ "$(tail -1 "$T/py")" = ok ]
check "refusals appended nothing" [ "$(size)" = $((n1 + 4)) ]

# ---- escalation: a late plan (1, 3, 5 working days) and a late action (1, 5, 10) ----
# Escalation reads the plan as it is now: tl is never submitted, its action never signed off.
LD=$(date -u -d "$N -7 days" +%F)
PDUE=$(wd "$LD" 2)
ADUE=$(wd "$PDUE" 6)
improve plan --actor hos.1 --date "$LD" --id tl --title "Late plan" --owner hos.1 --due "$PDUE"
expect_rc 0 "a plan due in the past"
improve board-add --actor hos.1 --date "$LD" --plan tl --staff sm.l1.2 --role chair
expect_rc 0 "its chair"
improve recommend --actor hos.1 --date "$LD" --id tlr --plan tl --text "Late."
improve point --actor hos.1 --date "$LD" --id tlp --recommendation tlr --text "Late."
improve action --actor hos.1 --date "$LD" --id tla --point tlp --text "Late action." \
    --owner tm.l1.safe --due "$ADUE"
expect_rc 0 "an action due in the past"
esc() { # DAY: escalate as of DAY, then again (which must add nothing)
    run escalate --db "$DB" --as-of "$1"
    expect_rc 0 "escalate --as-of $1"
    local n; n=$(size)
    run escalate --db "$DB" --as-of "$1"
    check "escalate --as-of $1 again adds nothing" [ "$(size)" = "$n" ]
}
rows() { sql "SELECT level || ':' || notified_id || ':' || as_of FROM escalations WHERE child_id = '' AND item = '$1' ORDER BY level" | tr '\n' ' '; }
esc "$PDUE"
check "on the plan's due day, nothing" [ -z "$(rows improve_plan:tl)" ]
p1=$(wd "$PDUE" 1) p2=$(wd "$PDUE" 2) p3=$(wd "$PDUE" 3) p5=$(wd "$PDUE" 5)
esc "$p1"
check "1 working day late: the owner" [ "$(rows improve_plan:tl)" = "1:hos.1:$p1 " ]
esc "$p2"
check "2 working days late: nothing more" [ "$(rows improve_plan:tl)" = "1:hos.1:$p1 " ]
esc "$p3"
check "3 working days late: the director" [ "$(rows improve_plan:tl)" = "1:hos.1:$p1 2:dir.1:$p3 " ]
esc "$p5"
check "5 working days late: the chair" \
    [ "$(rows improve_plan:tl)" = "1:hos.1:$p1 2:dir.1:$p3 3:sm.l1.2:$p5 " ]
check "... the action not yet late: nothing" [ -z "$(rows improve_action:tla)" ]
a1=$(wd "$ADUE" 1) a4=$(wd "$ADUE" 4) a5=$(wd "$ADUE" 5) a9=$(wd "$ADUE" 9) a10=$(wd "$ADUE" 10)
esc "$a1"
check "an action 1 working day late: its owner's manager" [ "$(rows improve_action:tla)" = "1:sm.l1.1:$a1 " ]
esc "$a4"
check "4 working days late: nothing more" [ "$(rows improve_action:tla)" = "1:sm.l1.1:$a1 " ]
esc "$a5"
check "5 working days late: the director" [ "$(rows improve_action:tla)" = "1:sm.l1.1:$a1 2:dir.1:$a5 " ]
esc "$a9"
esc "$a10"
check "10 working days late: the chair" \
    [ "$(rows improve_action:tla)" = "1:sm.l1.1:$a1 2:dir.1:$a5 3:sm.l1.2:$a10 " ]
check "the plan's escalations are each still recorded once" \
    [ "$(rows improve_plan:tl)" = "1:hos.1:$p1 2:dir.1:$p3 3:sm.l1.2:$p5 " ]

# ---- the report for today ----
improve report --plan tp --as-of "$TODAY" --json
expect_rc 0 "report --json"
cp "$T/out" "$T/report.json"
python3 - "$T/report.json" "$TODAY" "$A3DUE" >"$T/py" 2>&1 <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
today, a3due = sys.argv[2:]
dues = {"ta1": "x", "ta2": "x", "ta3": a3due, "ta4": "x", "ta5": "x", "ta6": "x"}
want = {"actions": 6, "complete": 2, "late": 1, "red": 1, "amber": 2, "green": 1,
        "due": sum(1 for d in dues.values() if d != "x" and d <= today)}
c = r["actions"]["counts"]
fails = [f"{k}: {c.get(k)} want {v}" for k, v in want.items() if c.get(k) != v]
if [a["action_id"] for a in r["actions"]["late"]] != ["ta3"]: fails.append("late list")
risks = {x["action_id"]: x["rag_reason"] for x in r["risks"]}
if risks != {"ta3": "overdue", "ta4": "due_soon_no_evidence", "ta5": "blocked"}: fails.append(f"risks {risks}")
b = r["budget"]
for k, v in {"allocated": 400000000, "committed": 150000000, "spent": 140000000}.items():
    if b[k]["pence"] != v: fails.append(f"budget {k} {b[k]['pence']}")
m = [(x["evidence_id"], x["measure_id"], x["target"]) for x in r["measures"]]
if m != [("te2", "PM24", "85.0")]: fails.append(f"measures {m}")
print("\n".join(fails) if fails else "ok")
EOF
check "the report's counts, risks, budget and measures ($(tail -1 "$T/py"))" [ "$(tail -1 "$T/py")" = ok ]
[ "$(tail -1 "$T/py")" = ok ] || sed 's/^/    /' "$T/py" >&2
improve report --plan tp --as-of "$TODAY"
expect_rc 0 "report (its hash)"
SHA=$(sed -n 's/.*content SHA-256 \([0-9a-f]\{64\}\) (not issued)$/\1/p' "$T/out")
check "... says its content SHA-256" [ ${#SHA} = 64 ]
improve report --plan tp --as-of "$TODAY" --csv "$T/r.csv"
expect_rc 0 "report --csv"
check "... the CSV's header" [ "$(head -1 "$T/r.csv" | tr -d '\r')" = "section,ref,item,owner,due,status,rag,value,target,pence" ]
# Rows per section, from what was set up: a3 late and due, a1 and a2 done, a4 due within 20
# working days, one measure, 5 rows for each of 4 allocations, 6 totals, 3 risks (a3-a5).
cut -d, -f1 "$T/r.csv" | sed 1d | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}' >"$T/sections"
check "... a row per section ($(cat "$T/sections"))" [ "$(cat "$T/sections")" = \
    "budget=20 budget_total=6 done=2 due=1 late=1 measure=1 risk=3 upcoming=1 " ]
check "... the total allocated in pence" [ "$(tr -d '\r' <"$T/r.csv" | grep -c '^budget_total,,allocated,.*,400000000$')" = 1 ]
check "... a formula is written as text" grep -qF "'=SUM(1) brief every team" "$T/r.csv"
check "... never as a formula" [ "$(grep -c ',=SUM(1)' "$T/r.csv")" = 0 ]
check "... 0600" [ "$(stat -c %a "$T/r.csv")" = 600 ]
improve report --plan tp --as-of "$TODAY" --html "$T/r.html" --lang cy
expect_rc 0 "report --html --lang cy"
check "... Welsh headings" grep -q "Cyllideb yn erbyn gwariant" "$T/r.html"
check "... lang cy" grep -q '<html lang="cy">' "$T/r.html"
check "... 0600" [ "$(stat -c %a "$T/r.html")" = 600 ]
if command -v chromium >/dev/null; then
    improve report --plan tp --as-of "$TODAY" --pdf "$T/r.pdf"
    expect_rc 0 "report --pdf"
    check "... a PDF" [ "$(head -c 4 "$T/r.pdf" 2>/dev/null)" = "%PDF" ]
    check "... 0600" [ "$(stat -c %a "$T/r.pdf")" = 600 ]
else
    echo "improve_cli_test: chromium is not installed: the PDF is not checked"
fi

# ---- issued, exported, verified ----
n2=$(size)
run improve issue --db "$DB" --plan tp --actor sw.l1.iaa.1 --recipients "Improvement board" --as-of "$TODAY"
expect_rc 1 "a worker who is not an editor issues no report"
check "... the message says who may" err_has "nothing issued: actor: sw.l1.iaa.1 may not change this improvement plan"
check "... nothing appended" [ "$(size)" = "$n2" ]
run improve issue --db "$DB" --plan tp --actor dir.1 --recipients "Improvement board" \
    --as-of "$TODAY" --measures-out "$T/measures.note"
expect_rc 0 "the director issues the report"
RID="tp-board-$TODAY"
check "... says its hash, the same as report printed" out_has "report $RID of plan tp on $TODAY as entry $n2: content SHA-256 $SHA"
check "... one entry" [ "$(size)" = $((n2 + 1)) ]
check "... the measures note" [ -s "$T/measures.note" ]
run export --db "$DB" --out "$T/exp"
expect_rc 0 "export"
python3 - "$T/exp/entries.jsonl" "$n2" "$SHA" "$RID" "$TODAY" >"$T/py" 2>&1 <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
idx, sha, rid, today = int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
e = json.loads(lines[idx])
p = e["payload"]
got = (e["index"], e["type"], e["actor"], p.get("report_id"), p.get("plan_id"), p.get("kind"),
       p.get("as_of"), p.get("recipients"), p.get("content_sha256"), p.get("log_size"))
want = (idx, "improve_report_issued", "dir.1", rid, "tp", "board", today, "Improvement board", sha, idx)
ok = got == want and len(p.get("measures_sha256", "")) == 64
print("ok" if ok else f"got {got}")
EOF
check "the entry: improve_report_issued by dir.1, its id, recipients and hash ($(tail -1 "$T/py"))" [ "$(tail -1 "$T/py")" = ok ]
run improve verify --dir "$T/exp" --id "$RID"
expect_rc 0 "improve verify"
check "... the same" out_has "report $RID of plan tp on $TODAY: the same (content SHA-256 $SHA"
run improve verify --dir "$T/exp" --id "$RID" --vkey "$T/exp/vkey"
expect_rc 0 "improve verify --vkey"
run improve verify --dir "$T/exp" --id nope
expect_rc 1 "improve verify of a report never issued"
run verify --dir "$T/exp" --measures "$T/measures.note"
expect_rc 0 "caseward verify --measures"
cp -r "$T/exp" "$T/exp-bad"
sed -i 's/Write the supervision policy\./Write no policy./' "$T/exp-bad/entries.jsonl"
check "the export altered" [ "$(cmp -s "$T/exp/entries.jsonl" "$T/exp-bad/entries.jsonl"; echo $?)" = 1 ]
run improve verify --dir "$T/exp-bad" --id "$RID"
expect_rc 1 "improve verify of an altered export"
check "... refused: the signed checkpoint" err_has "signed checkpoint"
run verify --dir "$T/exp-bad" --measures "$T/measures.note"
check "caseward verify of the altered export fails" [ "$rc" -ne 0 ]

# ---- the figures an issued report recorded are checked too ----
# Two reports appended as a hand-made import would: each with its content's SHA-256 (from
# improve report at the size it is appended at) and the figures counted here from that content;
# the second with one more action said done than its content has.
run improve verify --dir "$T/exp" --id "$RID" --measures "$T/measures.note"
expect_rc 0 "improve verify --measures"
check "... the same" out_has "report $RID of plan tp on $TODAY: the same"
check "the content names its calendar by SHA-256" [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["calendar_sha256"])' "$T/report.json")" = "$(sha256sum "$CAL" | cut -d' ' -f1)" ]
appended_report() { # ID EXTRA_DONE: appends a report of tp for today whose figures say done + EXTRA_DONE
    local n sha
    n=$(size)
    improve report --plan tp --as-of "$TODAY" --json
    cp "$T/out" "$T/c-$1.json"
    improve report --plan tp --as-of "$TODAY"
    sha=$(sed -n 's/.*content SHA-256 \([0-9a-f]\{64\}\) (not issued)$/\1/p' "$T/out")
    python3 - "$T/c-$1.json" "$1" "$2" "$sha" "$n" "$TODAY" >"$T/line-$1.jsonl" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
rid, extra, sha, n, today = sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6]
k, b, ms = c["actions"]["counts"], c["budget"], c["measures"]
fig = {"actions": k["actions"], "due": k["due"], "done": k["complete"] + extra, "late": k["late"],
       "red": k["red"], "amber": k["amber"], "green": k["green"],
       "allocated_pence": b["allocated"]["pence"], "committed_pence": b["committed"]["pence"],
       "spent_pence": b["spent"]["pence"], "measures": len(ms),
       "measures_on_target": sum(1 for m in ms if m.get("on_target") is True),
       "measure_lines": ms, "measures_report": c["measures_report"]}
p = {"report_id": rid, "plan_id": "tp", "date": today, "kind": "board", "as_of": today,
     "recipients": "Improvement board", "content_sha256": sha, "figures": fig, "log_size": n}
print(json.dumps({"type": "improve_report_issued", "actor": "dir.1", "payload": p}))
EOF
    run append --db "$DB" "$T/line-$1.jsonl"
    expect_rc 0 "report $1 appended"
}
appended_report tp-right 0
appended_report tp-wrong 1
run export --db "$DB" --out "$T/exp2"
expect_rc 0 "export again"
run improve verify --dir "$T/exp2" --id tp-right
expect_rc 0 "improve verify of a report appended with its content's figures"
check "... the same" out_has "report tp-right of plan tp on $TODAY: the same"
run improve verify --dir "$T/exp2" --id tp-wrong
expect_rc 1 "improve verify of a report whose figures say one more action done"
check "... DIFFERS: its figures" err_has "report tp-wrong DIFFERS: the figures it recorded are not its content's"

# ---- reports for earlier days count the day each entry was recorded ----
# tp was created today: there is no report of it for yesterday, whatever dates were typed.
improve report --plan tp --as-of "$(day -1)" --json
refused "a report for yesterday of a plan created today" 1 "plan tp was not yet created on that day"
# History moved in from another system, which says when it recorded each entry (source): plan
# th, due 9 days ago, submitted with the date 10 days ago typed but recorded 6 days ago (late);
# th1 due 8 days ago, said done 9 days ago, signed off with its due day typed but recorded 5
# days ago (late: red 7 and 6 days ago); th2 waits on th1, signed off 2 days ago.
python3 - "$TODAY" >"$T/history.jsonl" <<'EOF'
import datetime as dt, json, sys
today = dt.date.fromisoformat(sys.argv[1])
def d(n): return str(today + dt.timedelta(days=n))
def e(actor, typ, claim, **p):
    print(json.dumps({"type": typ, "actor": actor, "payload": p,
                      "source": {"system": "legacy-pms", "recorded_at": d(claim) + "T09:00:00Z"}}))
sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
e("hos.1", "improve_plan_created", -12, plan_id="th", date=d(-12), title="History", owner_id="hos.1", due=d(-9))
e("hos.1", "improve_recommendation_added", -12, recommendation_id="thr", plan_id="th", date=d(-12), text="R")
e("hos.1", "improve_point_added", -12, point_id="thp", recommendation_id="thr", date=d(-12), text="P")
e("hos.1", "improve_action_added", -12, action_id="th1", point_id="thp", date=d(-12), text="First.", owner_id="tm.l1.safe", due=d(-8))
e("hos.1", "improve_action_added", -12, action_id="th2", point_id="thp", date=d(-12), text="Second.", owner_id="tm.l1.assess", due=d(30), depends_on=["th1"])
e("tm.l1.safe", "improve_evidence_added", -10, evidence_id="the1", action_id="th1", date=d(-10), kind="document", title="T", sha256=sha)
e("tm.l1.assess", "improve_evidence_added", -10, evidence_id="the2", action_id="th2", date=d(-10), kind="document", title="T", sha256=sha)
e("tm.l1.safe", "improve_action_completed", -9, action_id="th1", date=d(-9), note="Done.")
e("hos.1", "improve_plan_submitted", -6, plan_id="th", date=d(-10), submitted_to="Welsh Ministers")
e("hos.1", "improve_action_signed_off", -5, action_id="th1", date=d(-8))
e("tm.l1.assess", "improve_action_completed", -4, action_id="th2", date=d(-4), note="Done.")
e("hos.1", "improve_action_signed_off", -2, action_id="th2", date=d(-2))
EOF
run append --db "$DB" "$T/history.jsonl"
expect_rc 0 "history appended with the days its system recorded it"
# on DAY DONE LATE SUBMITTED PLAN_LATE: the report for DAY has exactly DONE complete (comma
# separated, - for none), LATE red, the plan submitted on SUBMITTED (- not yet), late or not.
on() {
    improve report --plan th --as-of "$1" --json
    expect_rc 0 "a report of th for $1"
    python3 - "$T/out" "$@" >"$T/py" 2>&1 <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
day, done, late, sub, plate = sys.argv[2:]
ids = lambda s: [] if s == "-" else s.split(",")
got = (sorted(a["action_id"] for a in r["actions"]["done"]), r["actions"]["counts"]["complete"],
       sorted(a["action_id"] for a in r["actions"]["late"]), r["plan"]["submitted"] or "-",
       r["plan"]["late"])
want = (ids(done), len(ids(done)), ids(late), sub, plate == "late")
print("ok" if got == want else f"got {got} want {want}")
EOF
    check "the report of th for $1: done ${2}, red ${3}, submitted ${4}, ${5} ($(tail -1 "$T/py"))" [ "$(tail -1 "$T/py")" = ok ]
}
improve report --plan th --as-of "$(day -13)" --json
refused "a report of th before its system recorded it" 1 "plan th was not yet created on that day"
on "$(day -12)" - - - on_time
on "$(day -8)" - - - late
on "$(day -7)" - th1 - late
on "$(day -6)" - th1 "$(day -6)" late
on "$(day -5)" th1 - "$(day -6)" late
on "$(day -3)" th1 - "$(day -6)" late
on "$(day -2)" th1,th2 - "$(day -6)" late
on "$TODAY" th1,th2 - "$(day -6)" late

finish improve_cli_test
