#!/usr/bin/env bash
# audit_cli_test.sh — `caseward audit` end to end on a demo council (docs/audits.md,
# docs/events.md "Case-file audits"): a programme, a sample, every theme of every case graded
# by its auditor, completion, moderation, a critical finding and its action, the report (text
# and --json, its figures recomputed here with python3 from the grades this script gave and
# the formulas of docs/audits.md), the sample drawn again from an export (the same, then
# DIFFERS after a sample recorded by hand), `caseward audit --help`, and clear errors.
# Dates are relative to today: auditors act within the programme's dates, by default today.
#
# usage: bash tests/audit_cli_test.sh /path/to/caseward
set -u

CW=${1:?usage: audit_cli_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "audit_cli_test: $CW is not executable" >&2; exit 1; }
command -v python3 >/dev/null || { echo "audit_cli_test: needs python3" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-audit-cli-test-XXXXXX")
trap 'rm -rf "$T"' EXIT

. "$(dirname "$0")/lib.sh"
[ -n "${CW_TEST_PG:-}" ] || command -v sqlite3 >/dev/null ||
    { echo "audit_cli_test: needs the sqlite3 shell" >&2; exit 1; }

TODAY=$(date -u +%F)
day() { date -u -d "$TODAY $1 days" +%F; }
# audit ARGS...: `caseward audit ARGS --db $DB`; rc in $rc, output in $T/out and $T/err.
audit() { run audit "$@" --db "$DB"; }
append() { "$CW" append --db "$DB" - >"$T/out" 2>"$T/err"; rc=$?; }

new_db audit
"$CW" demo --db "$DB" --children 120 --seed 5 --as-of "$TODAY" >/dev/null 2>"$T/err" ||
    { echo "audit_cli_test: demo failed: $(cat "$T/err")" >&2; exit 1; }
append <<JSONL
{"type":"staff_added","actor":"hos.1","payload":{"staff_id":"qa.1","name":"Auditor One","role":"qa_auditor"}}
{"type":"staff_added","actor":"hos.1","payload":{"staff_id":"qa.2","name":"Auditor Two","role":"qa_auditor"}}
{"type":"staff_added","actor":"hos.1","payload":{"staff_id":"qa.3","name":"Auditor Three","role":"qa_auditor"}}
JSONL
expect_rc 0 "the QA auditors are added"

# ---- help and errors ----
run audit --help
expect_rc 0 "audit --help"
check "--help lists every subcommand" grep -q "programme|sample|add|moderate|grade|complete|finding|recommend|action|issue|acknowledge|report|redraw|verify" "$T/out"
check "--help describes redraw" out_has "redraw --dir EXPORT --programme P"

audit programme --actor sw.l1.iaa.1 --id Q1 --title "Autumn audit" --starts "$(day -10)" \
    --ends "$(day 30)" --auditors qa.1,qa.2
expect_rc 1 "a social worker may not commission a programme"
check "... the message names the actor" err_has "actor: only a service manager"
audit programme --actor qa.1 --id Q1 --title "Autumn audit" --starts "$(day -10)" \
    --ends 2026-02-30 --auditors qa.1,qa.2
expect_rc 1 "a bad date"
check "... the message names the field and the value" err_has 'ends: "2026-02-30" is not a date'
audit programme --actor qa.1 --date 2026-13-01 --id Q1 --title "Autumn audit" \
    --starts "$(day -10)" --ends "$(day 30)" --auditors qa.1,qa.2
expect_rc 1 "a bad --date"
check "... the message names --date" err_has '--date: "2026-13-01" is not a date'
check "nothing was recorded" [ "$(sql "SELECT count(*) FROM audit_programmes WHERE programme_id = 'Q1'")" = 0 ]

# ---- the programme and its sample ----
audit programme --actor qa.1 --id Q1 --title "Autumn audit" --starts "$(day -10)" \
    --ends "$(day 30)" --auditors qa.1,qa.2 --area-manager sm.l1.1
expect_rc 0 "a QA auditor commissions a programme"
check "... recorded" out_has "recorded audit_programme_created as entry"
check "... with the standard framework's scale" \
    [ "$(sql "SELECT framework, grades, critical FROM audit_programmes WHERE programme_id = 'Q1'")" = "standard|5|5" ]

audit sample --actor hos.1 --programme NOPE --seed autumn --size 8
expect_rc 1 "a sample for an unknown programme"
check "... the message names programme_id and the value" err_has "programme_id: no audit programme NOPE"

audit sample --actor hos.1 --programme Q1 --seed autumn --size 8 --minimum 0
expect_rc 0 "a sample of 8"
check "... says so" out_has "drew 8 cases for programme Q1 (seed autumn"
sed -n 's/^  \([^ ]*\)  auditor \(.*\)$/\1 \2/p' "$T/out" >"$T/sample"
check "... 8 cases, each with an auditor" [ "$(wc -l <"$T/sample")" = 8 ]
check "... the auditors are the programme's" [ "$(cut -d' ' -f2 "$T/sample" | sort -u | grep -cv '^qa\.[12]$')" = 0 ]
check "... the same as the projection" [ "$(sql "SELECT count(*) FROM audit_cases WHERE programme_id = 'Q1' AND how = 'drawn'")" = 8 ]
restricted_or_closed=$(sql "SELECT count(*) FROM audit_cases a JOIN children c ON c.child_id = a.child_id WHERE c.case_status <> 'open' OR c.restricted <> 0")
check "... none restricted or closed" [ "$restricted_or_closed" = 0 ]

# ---- grading ----
# The plan: case k (0-7) in sample order, theme t (0-6) in the framework's order: not
# applicable for the impact theme of cases 0 and 1; grade 5 (critical) for case 7's impact;
# else 1 + (7k + t) mod 4. plan.csv keeps what was recorded, for python3 below.
THEMES="childs_voice assessment planning management_oversight risk recording impact"
plan() { # k t -> grade, or 0 for not applicable
    if [ "$2" = 6 ] && [ "$1" -lt 2 ]; then echo 0
    elif [ "$2" = 6 ] && [ "$1" = 7 ]; then echo 5
    else echo $((1 + (7 * $1 + $2) % 4)); fi
}
other() { [ "$1" = qa.1 ] && echo qa.2 || echo qa.1; }
k=0
: >"$T/plan.csv"
while read -r child auditor; do
    if [ $k = 0 ]; then
        audit grade --actor "$(other "$auditor")" --programme Q1 --child "$child" \
            --theme childs_voice --grade 2 --narrative "Seen."
        expect_rc 1 "another auditor may not grade the case"
        check "... the message names the actor" err_has "actor: only the case's auditor grades"
        audit grade --actor "$auditor" --programme Q1 --child "$child" --theme bedtime \
            --grade 2 --narrative "Seen."
        expect_rc 1 "a theme not the programme's"
        check "... the message names the theme" err_has 'theme: "bedtime" is not one of'
        audit complete --actor "$auditor" --programme Q1 --child "$child" --overall 3
        expect_rc 1 "completion before every theme is graded"
        check "... says how many" err_has "0 of 7 themes graded"
    fi
    t=0
    for theme in $THEMES; do
        g=$(plan $k $t)
        if [ "$g" = 0 ]; then
            audit grade --actor "$auditor" --programme Q1 --child "$child" --theme "$theme" \
                --not-applicable --narrative "Not applicable here."
        else
            audit grade --actor "$auditor" --programme Q1 --child "$child" --theme "$theme" \
                --grade "$g" --narrative "Read the file."
        fi
        expect_rc 0 "$auditor grades $child $theme"
        echo "$child,$theme,$g,$auditor" >>"$T/plan.csv"
        t=$((t + 1))
    done
    audit complete --actor "$auditor" --programme Q1 --child "$child" --overall 3 --summary "Done."
    expect_rc 0 "$auditor completes $child"
    k=$((k + 1))
done <"$T/sample"
read -r c0 a0 < <(sed -n 1p "$T/sample")
read -r c7 a7 < <(sed -n 8p "$T/sample")
audit grade --actor "$a0" --programme Q1 --child "$c0" --theme risk --grade 1 --narrative "Again."
expect_rc 1 "no grading after completion"
check "... the message says it is final" err_has "is completed: it is final"

# ---- moderation of case 0: the moderator agrees on themes 0-2, one grade worse on 3-5 ----
m0=$(other "$a0")
audit moderate --actor hos.1 --programme Q1 --child "$c0" --moderator "$a0"
expect_rc 1 "the case's own auditor may not moderate it"
check "... the message names moderator_id" err_has "moderator_id: $a0 audited the case"
audit moderate --actor hos.1 --programme Q1 --child "$c0" --moderator "$m0"
expect_rc 0 "a moderator is named"
t=0
for theme in $THEMES; do
    g=$(plan 0 $t)
    [ $t -ge 3 ] && [ "$g" != 0 ] && [ "$g" -lt 5 ] && g=$((g + 1))
    if [ "$g" = 0 ]; then
        audit grade --actor "$m0" --programme Q1 --child "$c0" --theme "$theme" \
            --not-applicable --narrative "Agree." --moderation
    else
        audit grade --actor "$m0" --programme Q1 --child "$c0" --theme "$theme" --grade "$g" \
            --narrative "Moderated." --moderation
    fi
    expect_rc 0 "$m0 moderates $theme"
    echo "$c0,$theme,$g" >>"$T/moderation.csv"
    t=$((t + 1))
done
audit complete --actor "$m0" --programme Q1 --child "$c0" --overall 3 --moderation
expect_rc 0 "the moderation is completed"

# ---- the critical finding (case 7's impact, grade 5) ----
worker=$(sql "SELECT worker_id FROM children WHERE child_id = '$c7'")
manager=$(sql "SELECT manager_id FROM staff WHERE staff_id = '$worker'")
audit finding --actor "$worker" --programme Q1 --child "$c7" --action "Visited."
expect_rc 1 "the case's social worker may not record the action on a finding"
check "... the message names the actor" err_has "actor: only the managers of child $c7's worker"
audit report --programme Q1
expect_rc 0 "the report before the action"
check "... shows the finding with no action" out_has "$c7 found $TODAY: NO ACTION RECORDED"
audit finding --actor "$manager" --programme Q1 --child "$c7" --action "Strategy discussion held."
expect_rc 0 "the worker's manager records the action"

# ---- the report ----
sql "SELECT a.child_id, COALESCE(s.team_id, '') FROM children a LEFT JOIN staff s ON s.staff_id = a.worker_id" |
    tr '|' ',' >"$T/teams.csv"
audit report --programme Q1 --json
expect_rc 0 "report --json"
cp "$T/out" "$T/report.json"
python3 - "$T/report.json" "$T/plan.csv" "$T/moderation.csv" "$T/teams.csv" "$c7" "$manager" \
    "$TODAY" >"$T/py" 2>&1 <<'EOF'
# The figures from the grades this script recorded and docs/audits.md's formulas.
import json, sys
from collections import Counter
report, plan_f, mod_f, teams_f, c7, manager, today = sys.argv[1:]
r = json.load(open(report))
plan = [l.strip().split(",") for l in open(plan_f)]
mod = {(c, t): int(g) for c, t, g in (l.strip().split(",") for l in open(mod_f))}
team = dict(l.strip().split(",", 1) for l in open(teams_f))
fails = []
def want(what, got, exp):
    if got != exp:
        fails.append(f"{what}: got {got!r}, want {exp!r}")
def pct(n, total):
    return "0.0" if total == 0 else "%.1f" % (((2000 * n + total) // (2 * total)) / 10)
graded = [(c, t, int(g), a) for c, t, g, a in plan if g != "0"]
want("gradings", r["gradings"], len(graded))
counts = Counter(g for _, _, g, _ in graded)
want("distribution", [(d["grade"], d["count"], d["percent"]) for d in r["distribution"]],
     [(g, counts[g], pct(counts[g], len(graded))) for g in range(1, 6)])
for key, name, f in (("by_theme", "theme", lambda x: x[1]), ("by_auditor", "auditor_id", lambda x: x[3]),
                     ("by_team", "team_id", lambda x: team[x[0]] or "(none)")):
    exp = {}
    for x in graded:
        exp.setdefault(f(x), Counter())[x[2]] += 1
    got = {e[name]: Counter({d["grade"]: d["count"] for d in e["grades"] if d["count"]}) for e in r[key]
           if e["gradings"]}
    want(key, got, exp)
    want(key + " total", sum(e["gradings"] for e in r[key]), len(graded))
want("cases", r["cases"], {"in_programme": 8, "completed": 8, "moderated": 1})
want("overall", [d["count"] for d in r["overall"]], [0, 0, 8, 0, 0])
audit = {(c, t): int(g) for c, t, g, _ in plan}
pairs = [(audit[k], g) for k, g in mod.items() if g and audit[k]]
n, k = len(pairs), 5
m = r["moderation"]
want("pairs", m["pairs"], n)
exact = sum(a == b for a, b in pairs)
within = sum(abs(a - b) <= 1 for a, b in pairs)
want("exact", (m["exact"], m["exact_percent"]), (exact, pct(exact, n)))
want("within_one", (m["within_one"], m["within_one_percent"]), (within, pct(within, n)))
rows, cols = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
for name, w in (("kappa_linear", lambda i, j: 1 - abs(i - j) / (k - 1)),
                ("kappa_quadratic", lambda i, j: 1 - ((i - j) / (k - 1)) ** 2)):
    po = sum(w(a, b) for a, b in pairs) / n
    pe = sum(w(i, j) * rows[i] * cols[j] for i in rows for j in cols) / n / n
    want(name, m[name], "%.3f" % ((po - pe) / (1 - pe)))
f = r["critical_findings"]
want("findings", [(x["child_id"], x["found_on"], x.get("actioned_on"), x.get("actioned_by")) for x in f],
     [(c7, today, today, manager)])
print("\n".join(fails) if fails else f"ok: {len(graded)} gradings, {n} pairs")
sys.exit(1 if fails else 0)
EOF
check "python3 recomputes the report's figures ($(tail -1 "$T/py"))" [ "$(tail -1 "$T/py" | cut -c1-3)" = "ok:" ]
[ "$(tail -1 "$T/py" | cut -c1-3)" = "ok:" ] || sed 's/^/    /' "$T/py" >&2

audit report --programme Q1
expect_rc 0 "report (text)"
check "... the gradings" out_has "gradings (themes of completed audits, not applicable left out): 54"
check "... the title" out_has "Audit programme Q1: Autumn audit (standard framework, grades 1-5)"
check "... the cases" out_has "cases: 8 in the programme, 8 completed, 1 moderated"
check "... the action recorded" out_has "$c7 found $TODAY: action recorded $TODAY"
audit report --programme NOPE
expect_rc 1 "a report of an unknown programme"
check "... the message names programme_id and the value" err_has "programme_id: no audit programme NOPE"

# ---- drawn again from an export ----
run export --db "$DB" --out "$T/exp1"
expect_rc 0 "export"
run audit redraw --dir "$T/exp1" --programme Q1
expect_rc 0 "the sample drawn again from the export"
check "... is the same" out_has "drawn again, the same 8 cases"
run audit redraw --dir "$T/exp1" --programme Q1 --vkey "$T/exp1/vkey"
expect_rc 0 "... checked against the council's verifier key"
# Another council's key (a new log: its own signing key) did not sign this export.
env -u CASEWARD_KEY_FILE "$CW" init --db "$T/other.db" --origin other.example/log >/dev/null 2>&1 &&
    "$CW" export --db "$T/other.db" --out "$T/other" >/dev/null 2>&1 || bad "another log"
run audit redraw --dir "$T/exp1" --programme Q1 --vkey "$T/other/vkey"
expect_rc 1 "an export checked against another key"
check "... refused, naming the key" err_has "no signature by the key other.example/log"

# ---- recommendations, the report, its acknowledgement and actions, escalation ----
audit recommend --actor qa.1 --programme Q1 --id REC1 --theme childs_voice \
    --text "Record the child's own words in every assessment."
expect_rc 0 "a recommendation"
audit action set --actor qa.1 --recommendation REC1 --action-id ACT1 \
    --text "Brief every team on recording the child's voice." --owner tm.l1.safe --due "$(day 20)"
expect_rc 0 "an improvement point"
audit action set --actor qa.1 --recommendation REC1 --action-id ACT2 --date "$(day -3)" \
    --text "Add a child's-voice check to supervision." --owner sm.l1.1 --due "$(day -2)"
expect_rc 0 "a second point, already due"
audit action set --actor sw.l1.iaa.1 --recommendation REC1 --action-id ACT3 --text "x" \
    --owner sm.l1.1 --due "$(day 20)"
expect_rc 1 "a social worker drafts no action"
audit issue --actor sw.l1.iaa.1 --programme Q1 --id REP1
expect_rc 1 "a social worker issues no report"
check "... nothing recorded" [ "$(sql "SELECT count(*) FROM audit_reports WHERE programme_id = 'Q1'")" = 0 ]
audit issue --actor hos.1 --programme Q1 --id REP1 --recipients hos.1,sm.l1.2 --within 2
expect_rc 0 "the report issued"
check "... says its hash" out_has "content SHA-256"
check "... to two recipients" [ "$(sql "SELECT count(*) FROM audit_recipients WHERE report_id = 'REP1'")" = 2 ]
audit issue --actor hos.1 --programme Q1 --id REP2
expect_rc 1 "one report per programme"
audit recommend --actor qa.1 --programme Q1 --id REC2 --text "Too late."
expect_rc 1 "no recommendation after the report"
check "... the message says why" err_has "is issued"
audit acknowledge --actor qa.1 --report REP1
expect_rc 1 "only a recipient acknowledges"
audit acknowledge --actor hos.1 --report REP1 --comment "Received; to the next board."
expect_rc 0 "the head of service acknowledges"
audit acknowledge --actor hos.1 --report REP1
expect_rc 1 "... once"
audit action complete --actor tm.l1.safe --action-id ACT1
expect_rc 2 "completion needs evidence"
audit action complete --actor tm.l1.safe --action-id ACT1 --evidence "Briefings held in every team."
expect_rc 0 "the owner completes it, with evidence"
audit action sign-off --actor tm.l1.safe --action-id ACT1
expect_rc 1 "the owner does not sign off their own action"
audit action sign-off --actor sm.l1.1 --action-id ACT1 --comment "Seen the briefing notes."
expect_rc 0 "a manager above the owner signs it off"
check "... closed" [ "$(sql "SELECT status, closed_by FROM audit_actions WHERE action_id = 'ACT1'")" = "closed|sm.l1.1" ]
audit action update --actor sm.l1.1 --action-id ACT2 --note "Drafting the checklist."
expect_rc 0 "progress on the other"
check "... in progress" [ "$(sql "SELECT status FROM audit_actions WHERE action_id = 'ACT2'")" = in_progress ]
# The printable report: HTML, CSV and PDF (headless chromium), each 0600.
audit report --programme Q1 --html "$T/r.html" --csv "$T/r.csv" --pdf "$T/r.pdf" --lang cy
expect_rc 0 "the report printed"
check "... HTML in Welsh" grep -q '<html lang="cy">' "$T/r.html"
check "... with its figures" grep -q "Adroddiad archwilio ffeiliau achos" "$T/r.html"
check "... the hash in the page" grep -q "$(sql "SELECT content_sha256 FROM audit_reports")" "$T/r.html"
check "... the CSV's header" [ "$(head -1 "$T/r.csv" | tr -d '\r')" = "section,name,grade,count,percent" ]
check "... the CSV lists the closed action" grep -q "1.1,.*,closed," "$T/r.csv"
check "... a PDF" [ "$(head -c 4 "$T/r.pdf")" = "%PDF" ]
for f in r.html r.csv r.pdf; do
    check "... $f is 0600" [ "$(stat -c %a "$T/$f")" = 600 ]
done
# Escalation, twenty days on: the overdue action and the unacknowledged report.
run escalate --db "$DB" --as-of "$(day 20)"
expect_rc 0 "escalation"
check "... the overdue action escalated" \
    [ "$(sql "SELECT count(*) FROM escalations WHERE item = 'audit_action:ACT2'")" = 1 ]
check "... the report sm.l1.2 has not acknowledged, to their manager or the director" \
    [ "$(sql "SELECT count(*) FROM escalations WHERE item = 'audit_report:REP1:sm.l1.2'")" = 1 ]
check "... not the acknowledged one" \
    [ "$(sql "SELECT count(*) FROM escalations WHERE item = 'audit_report:REP1:hos.1'")" = 0 ]
run escalate --db "$DB" --as-of "$(day 20)"
check "... once" [ "$(sql "SELECT count(*) FROM escalations WHERE item IN ('audit_action:ACT2', 'audit_report:REP1:sm.l1.2')")" = 2 ]
# The issued report checked against an export: its hash and figures from the log.
run export --db "$DB" --out "$T/exp-r"
expect_rc 0 "export with the report"
run audit verify --dir "$T/exp-r" --programme Q1
expect_rc 0 "the report checks against the log"
check "... its hash" out_has "(the same as the entry's)"
check "... its figures" out_has "the same as the report's"

# A second programme's sample, then a sample of Q1 recorded by hand naming one of its cases
# (drawn today: no draw for the next 12 months can pick it, so the seed cannot give it).
audit programme --actor hos.1 --id Q2 --title "Second audit" --starts "$(day -10)" \
    --ends "$(day 30)" --auditors qa.3
expect_rc 0 "a second programme"
audit sample --actor hos.1 --programme Q2 --seed winter --size 2 --minimum 0
expect_rc 0 "its sample"
q2case=$(sed -n 's/^  \([^ ]*\)  auditor .*$/\1/p' "$T/out" | head -1)
# A case added by hand (Q1's first: qa.3 is independent of every case), once only.
audit add --actor hos.1 --programme Q2 --child "$c0" --auditor qa.3 --reason "A complaint."
expect_rc 0 "a case added to a programme by hand"
audit add --actor hos.1 --programme Q2 --child "$c0" --auditor qa.3 --reason "Again."
expect_rc 1 "... not twice"
check "... the message names the child" err_has "child $c0's case is already in audit programme Q2"
check "... one row" [ "$(sql "SELECT how FROM audit_cases WHERE programme_id = 'Q2' AND child_id = '$c0'")" = added ]
# Nobody gives themselves a case; a restricted record only from the head of service.
audit add --actor qa.1 --programme Q2 --child "$c0" --auditor qa.1 --reason "Mine."
expect_rc 1 "nobody gives themselves a case to audit"
check "... says so" err_has "qa.1 is you"
append <<JSONL
{"type":"child_registered","actor":"hos.1","payload":{"child_id":"AUD-R","given_name":"Rhys","family_name":"Restricted","date_of_birth":"2014-03-03","gender":"male","language":"welsh","restricted":true}}
JSONL
expect_rc 0 "a restricted record"
audit add --actor qa.1 --programme Q2 --child AUD-R --auditor qa.3 --reason "Asked for."
expect_rc 1 "a QA auditor does not give a restricted record to an auditor"
check "... says who does" err_has "only the head of service or the director"
audit add --actor hos.1 --programme Q2 --child AUD-R --auditor qa.3 --reason "Asked for."
expect_rc 0 "the head of service does"
audit programme --actor qa.1 --id Q9 --title "Too long" --starts "$(day -10)" \
    --ends "$(day 400)" --auditors qa.2
expect_rc 1 "a programme of more than a year"
check "... says so" err_has "more than a year after the programme starts"
size=$(sql "SELECT count(*) FROM entries")
append <<JSONL
{"type":"audit_sample_drawn","actor":"hos.1","payload":{"programme_id":"Q1","date":"$TODAY","seed":"autumn","log_size":$size,"size":1,"minimum":0,"cases":["$q2case"],"assigned":["qa.1"]}}
JSONL
expect_rc 0 "a sample recorded by hand"
run export --db "$DB" --out "$T/exp2"
expect_rc 0 "export again"
run audit redraw --dir "$T/exp2" --programme Q1
expect_rc 1 "the hand-made sample is not what the seed draws"
check "... the first sample is still the same" out_has "drawn again, the same 8 cases"
check "... the second DIFFERS" out_has "DIFFERS"
check "... and the error says so" err_has "1 sample(s) of programme Q1 differ"
run audit redraw --dir "$T/exp2" --programme Q2
expect_rc 0 "Q2's sample is the same (a case added by hand is no sample)"
run audit redraw --dir "$T/exp2" --programme NOPE
expect_rc 1 "a redraw of a programme with no sample"
check "... says so" err_has "the export holds no sample drawn for programme NOPE"
# An export whose entries were changed after it was signed.
sed -i 's/"seed":"winter"/"seed":"wintex"/' "$T/exp2/entries.jsonl"
run audit redraw --dir "$T/exp2" --programme Q2
expect_rc 1 "a changed export"
check "... refused: not the log its checkpoint names" err_has "signed checkpoint"

finish audit_cli_test
