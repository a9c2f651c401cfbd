#!/usr/bin/env bash
# browser_test.sh — the web application in a real browser: Playwright
# (playwright-core, npm) driving Debian's chromium headless against
# `caseward serve` on a demo council, with axe-core checking every page for
# WCAG 2.2 A and AA failures. Screenshots of every page go to
# BUILD/screenshots/ (BUILD: the folder holding the caseward binary).
#
# Two children are added to the demo for the journeys (tests/web/):
#   A: on the child protection register, allocated to social.worker, whose
#      10-working-day visit is overdue;
#   B: allocated to social.worker, with three contacts in three days and no
#      assessment, a repeat-contacts signal raised yesterday: escalated to the
#      team manager after one day;
#   D: allocated to social.worker, registered two days ago with nothing else:
#      the journey that saves every form records its whole course here;
#   U: allocated to no one, with the same three contacts as B: its escalated
#      signal must read "Not allocated".
#   W: allocated to social.worker, on the register since two days ago (so with visits due, by
#      the rule pack's English titles), with a case note the manager
#      proposed for erasure: the Welsh journeys record a visit here, and the data
#      protection officer declines the erasure in Welsh.
#   Q, R, M: case-file audits (see below): a QA auditor on the staff audits Q in programme
#      web-2026 and R, in Welsh, in web-cy, and moderates M's audit in web-mod.
# And an improvement plan after an inspection, web-plan (see "Improvement plans" below).
#
# usage: bash tests/browser_test.sh /path/to/caseward
#        (CW_TEST_PATTERN=REGEX runs only the journeys whose names match)
set -euo pipefail

CW=${1:?usage: browser_test.sh /path/to/caseward}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$(dirname "$CW")" && pwd)
die() { echo "browser_test: $*" >&2; exit 1; }
command -v node >/dev/null || die "node is not installed (scripts/install-deps)"
CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
[ -x "$CHROMIUM" ] || die "chromium is not installed (scripts/install-deps)"
[ -f "$ROOT/node_modules/playwright-core/package.json" ] && [ -f "$ROOT/web/dist/app.css" ] ||
  die "the web application is not built (scripts/web-build; make test does it)"

T=$(mktemp -d "${TMPDIR:-/tmp}/cw-browser-test-XXXXXX")
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT

# The council's database: a file, or under tests/with-pg a database on that PostgreSQL server.
. "$ROOT/tests/lib.sh"
new_db c
PW="browser test password"
"$CW" demo --db "$DB" --children 200 --seed 7 --accounts "$PW" >/dev/null 2>"$T/err" ||
  die "demo failed: $(cat "$T/err")"

today=$(date -u +%F)
day() { date -u -d "$today $1 days" +%F; }
sw=$(sql "SELECT staff_id FROM accounts WHERE username = 'social.worker'")
[ -n "$sw" ] || die "no social.worker account"
# A child outside the social worker's scope: allocated to a worker in another team.
other=$(sql "SELECT c.child_id FROM children c JOIN staff s ON s.staff_id = c.worker_id
  WHERE s.team_id <> (SELECT team_id FROM staff WHERE staff_id = '$sw') ORDER BY c.child_id LIMIT 1")
[ -n "$other" ] || die "no child outside the social worker's team"
reg=$("$CW" calendar add-working-days "$today" -15)
cat >"$T/scenario.jsonl" <<JSONL
{"type":"child_registered","actor":"$sw","payload":{"child_id":"WEB-A","date":"$reg","given_name":"Eira","family_name":"Testwood","date_of_birth":"2016-05-04","gender":"female","language":"welsh"}}
{"type":"case_allocated","actor":"$sw","payload":{"child_id":"WEB-A","worker_id":"$sw","date":"$reg"}}
{"type":"conference_held","actor":"$sw","payload":{"conference_id":"WEB-A-CC1","child_id":"WEB-A","date":"$reg","kind":"initial","decision":"register","category":"neglect"}}
{"type":"child_registered","actor":"$sw","payload":{"child_id":"WEB-B","date":"$(day -30)","given_name":"Bryn","family_name":"Testwood","date_of_birth":"2013-09-12","gender":"male","language":"english"}}
{"type":"case_allocated","actor":"$sw","payload":{"child_id":"WEB-B","worker_id":"$sw","date":"$(day -30)"}}
{"type":"contact_received","actor":"$sw","payload":{"contact_id":"WEB-B-CT1","child_id":"WEB-B","date":"$(day -3)","source":"school","reason":"Arrived at school hungry."}}
{"type":"contact_received","actor":"$sw","payload":{"contact_id":"WEB-B-CT2","child_id":"WEB-B","date":"$(day -2)","source":"neighbour","reason":"Left alone overnight."}}
{"type":"contact_received","actor":"$sw","payload":{"contact_id":"WEB-B-CT3","child_id":"WEB-B","date":"$(day -1)","source":"police","reason":"Found out late at night."}}
{"type":"child_registered","actor":"$sw","payload":{"child_id":"WEB-D","date":"$(day -2)","given_name":"Dafydd","family_name":"Testwood","date_of_birth":"2012-02-14","gender":"male","language":"english"}}
{"type":"case_allocated","actor":"$sw","payload":{"child_id":"WEB-D","worker_id":"$sw","date":"$(day -2)"}}
{"type":"child_registered","actor":"$sw","payload":{"child_id":"WEB-L","date":"$(day -30)","given_name":"Lowri","family_name":"Testwood","date_of_birth":"$(date -u -d "$today -17 years" +%F)","gender":"female","language":"english"}}
{"type":"case_allocated","actor":"$sw","payload":{"child_id":"WEB-L","worker_id":"$sw","date":"$(day -30)"}}
{"type":"child_registered","actor":"$sw","payload":{"child_id":"WEB-U","date":"$(day -30)","given_name":"Uned","family_name":"Testwood","date_of_birth":"2014-07-01","gender":"not_known","language":"welsh"}}
{"type":"contact_received","actor":"$sw","payload":{"contact_id":"WEB-U-CT1","child_id":"WEB-U","date":"$(day -3)","source":"school","reason":"Arrived at school hungry."}}
{"type":"contact_received","actor":"$sw","payload":{"contact_id":"WEB-U-CT2","child_id":"WEB-U","date":"$(day -2)","source":"neighbour","reason":"Left alone overnight."}}
{"type":"contact_received","actor":"$sw","payload":{"contact_id":"WEB-U-CT3","child_id":"WEB-U","date":"$(day -1)","source":"police","reason":"Found out late at night."}}
JSONL
"$CW" append --db "$DB" "$T/scenario.jsonl" >/dev/null 2>"$T/err" ||
  die "the scenario was refused: $(cat "$T/err")"

# Two more children for the sign-off journeys (tests/web/signoff.test.mjs), both allocated to
# social.worker: S, with an assessment started (to complete, return, correct and sign off);
# T, with a case note (to correct while someone else changes it: a conflict) and to restrict.
cat >"$T/signoff.jsonl" <<JSONL
{"type":"child_registered","actor":"$sw","payload":{"child_id":"WEB-S","date":"$(day -20)","given_name":"Siwan","family_name":"Testwood","date_of_birth":"2014-02-03","gender":"female","language":"english"}}
{"type":"case_allocated","actor":"$sw","payload":{"child_id":"WEB-S","worker_id":"$sw","date":"$(day -20)"}}
{"type":"assessment_started","actor":"$sw","payload":{"assessment_id":"WEB-S-A1","child_id":"WEB-S","date":"$(day -10)"}}
{"type":"child_registered","actor":"$sw","payload":{"child_id":"WEB-T","date":"$(day -20)","given_name":"Tomos","family_name":"Testwood","date_of_birth":"2012-07-08","gender":"male","language":"welsh"}}
{"type":"case_allocated","actor":"$sw","payload":{"child_id":"WEB-T","worker_id":"$sw","date":"$(day -20)"}}
{"type":"case_note","actor":"$sw","payload":{"child_id":"WEB-T","date":"$(day -2)","text":"Home visit arranged with mother for next week."}}
JSONL
"$CW" append --db "$DB" "$T/signoff.jsonl" >/dev/null 2>"$T/err" ||
  die "the sign-off scenario was refused: $(cat "$T/err")"

# WEB-E: a case note recorded on the wrong child's file, erased (docs/privacy.md): proposed by
# the social worker's manager, approved by the data protection officer. The journey reads
# the chronology: what was removed, when and why, and not the text.
tm=$(sql "SELECT manager_id FROM staff WHERE staff_id = '$sw'")
cat >"$T/erasure.jsonl" <<JSONL
{"type":"child_registered","actor":"$sw","payload":{"child_id":"WEB-E","date":"$(day -20)","given_name":"Elin","family_name":"Testwood","date_of_birth":"2015-03-04","gender":"female","language":"english"}}
{"type":"case_allocated","actor":"$sw","payload":{"child_id":"WEB-E","worker_id":"$sw","date":"$(day -20)"}}
{"type":"case_note","actor":"$sw","payload":{"child_id":"WEB-E","date":"$(day -3)","text":"Meant for another family: their father called about the move."}}
{"type":"case_note","actor":"$sw","payload":{"child_id":"WEB-E","date":"$(day -2)","text":"Elin's school says she is doing well."}}
{"type":"staff_added","actor":"admin","payload":{"staff_id":"dpo.web","name":"Dee Protect","role":"data_protection_officer"}}
JSONL
"$CW" append --db "$DB" "$T/erasure.jsonl" >/dev/null 2>"$T/err" ||
  die "the erasure scenario was refused: $(cat "$T/err")"
wrong=$(sql "SELECT min(idx) FROM child_events WHERE child_id = 'WEB-E' AND type = 'case_note'")
cat >"$T/erase.jsonl" <<JSONL
{"type":"erasure_proposed","actor":"$tm","payload":{"erasure_id":"WEB-E-X1","child_id":"WEB-E","date":"$(day -1)","entries":["$wrong"],"lawful_basis":"recorded_in_error","reason":"Recorded on the wrong child's file."}}
{"type":"erasure_approved","actor":"dpo.web","payload":{"erasure_id":"WEB-E-X1","date":"$(day -1)"}}
JSONL
"$CW" append --db "$DB" "$T/erase.jsonl" >/dev/null 2>"$T/err" ||
  die "the erasure was refused: $(cat "$T/err")"
# WEB-W: the Welsh journeys' child (tests/web/journeys.test.mjs, "Cymraeg"): a visit is recorded
# in Welsh, and the data protection officer declines this erasure in Welsh.
cat >"$T/welsh.jsonl" <<JSONL
{"type":"child_registered","actor":"$sw","payload":{"child_id":"WEB-W","date":"$(day -2)","given_name":"Gwenllian","family_name":"Testwood","date_of_birth":"2015-11-20","gender":"female","language":"welsh"}}
{"type":"case_allocated","actor":"$sw","payload":{"child_id":"WEB-W","worker_id":"$sw","date":"$(day -2)"}}
{"type":"conference_held","actor":"$sw","payload":{"conference_id":"WEB-W-CC1","child_id":"WEB-W","date":"$(day -2)","kind":"initial","decision":"register","category":"emotional"}}
{"type":"case_note","actor":"$sw","payload":{"child_id":"WEB-W","date":"$(day -1)","text":"Mae Gwenllian yn hapus yn yr ysgol."}}
JSONL
"$CW" append --db "$DB" "$T/welsh.jsonl" >/dev/null 2>"$T/err" ||
  die "the Welsh journeys' child was refused: $(cat "$T/err")"
wn=$(sql "SELECT min(idx) FROM child_events WHERE child_id = 'WEB-W' AND type = 'case_note'")
cat >"$T/erase-w.jsonl" <<JSONL
{"type":"erasure_proposed","actor":"$tm","payload":{"erasure_id":"WEB-W-X1","child_id":"WEB-W","date":"$(day -1)","entries":["$wn"],"lawful_basis":"recorded_in_error","reason":"Proposed in error: the note is about Gwenllian."}}
JSONL
"$CW" append --db "$DB" "$T/erase-w.jsonl" >/dev/null 2>"$T/err" ||
  die "the Welsh journeys' erasure was refused: $(cat "$T/err")"
# WEB-F: two notes, each proposed for erasure by the manager, for the data protection officer
# (data.protection) to approve one and decline the other in the web application.
cat >"$T/erasure2.jsonl" <<JSONL
{"type":"child_registered","actor":"$sw","payload":{"child_id":"WEB-F","date":"$(day -20)","given_name":"Ffion","family_name":"Testwood","date_of_birth":"2013-05-06","gender":"female","language":"welsh"}}
{"type":"case_allocated","actor":"$sw","payload":{"child_id":"WEB-F","worker_id":"$sw","date":"$(day -20)"}}
{"type":"case_note","actor":"$sw","payload":{"child_id":"WEB-F","date":"$(day -3)","text":"Neighbour's son was in trouble again: not about Ffion."}}
{"type":"case_note","actor":"$sw","payload":{"child_id":"WEB-F","date":"$(day -2)","text":"Ffion told her teacher she is worried about her mum."}}
JSONL
"$CW" append --db "$DB" "$T/erasure2.jsonl" >/dev/null 2>"$T/err" ||
  die "the second erasure scenario was refused: $(cat "$T/err")"
n1=$(sql "SELECT min(idx) FROM child_events WHERE child_id = 'WEB-F' AND type = 'case_note'")
n2=$(sql "SELECT max(idx) FROM child_events WHERE child_id = 'WEB-F' AND type = 'case_note'")
cat >"$T/erase2.jsonl" <<JSONL
{"type":"erasure_proposed","actor":"$tm","payload":{"erasure_id":"WEB-F-X1","child_id":"WEB-F","date":"$(day -1)","entries":["$n1"],"lawful_basis":"recorded_in_error","reason":"About the neighbour's son, not Ffion."}}
{"type":"erasure_proposed","actor":"$tm","payload":{"erasure_id":"WEB-F-X2","child_id":"WEB-F","date":"$(day -1)","entries":["$n2"],"lawful_basis":"erasure_request","requested_by":"Ffion's mother","reason":"Her mother asked for it to be removed."}}
JSONL
"$CW" append --db "$DB" "$T/erase2.jsonl" >/dev/null 2>"$T/err" ||
  die "the erasure proposals were refused: $(cat "$T/err")"

# Case-file audits (tests/web/audits.test.mjs): a QA auditor on the staff (qa.web, with a sign-in
# account whose one-time password is changed below, once the server runs) and a second one;
# WEB-Q, the social worker's, with two case notes to cite as evidence, added by the service
# manager to programme web-2026 for qa.web to audit; WEB-R, in its own programme web-cy, for
# the Welsh journey. The programmes run from five days ago to 30 days on.
sm=$(sql "SELECT staff_id FROM accounts WHERE username = 'service.manager'")
cat >"$T/audit.jsonl" <<JSONL
{"type":"staff_added","actor":"admin","payload":{"staff_id":"qa.web","name":"Quinn Auditor","role":"qa_auditor"}}
{"type":"staff_added","actor":"admin","payload":{"staff_id":"qa.web2","name":"Morgan Moderator","role":"qa_auditor"}}
{"type":"child_registered","actor":"$sw","payload":{"child_id":"WEB-Q","date":"$(day -40)","given_name":"Cai","family_name":"Testwood","date_of_birth":"2014-04-04","gender":"male","language":"english"}}
{"type":"case_allocated","actor":"$sw","payload":{"child_id":"WEB-Q","worker_id":"$sw","date":"$(day -40)"}}
{"type":"case_note","actor":"$sw","payload":{"child_id":"WEB-Q","date":"$(day -20)","text":"Cai said he wants to stay at his school."}}
{"type":"case_note","actor":"$sw","payload":{"child_id":"WEB-Q","date":"$(day -10)","text":"Mother did not attend the planned meeting."}}
{"type":"child_registered","actor":"$sw","payload":{"child_id":"WEB-R","date":"$(day -40)","given_name":"Rhys","family_name":"Testwood","date_of_birth":"2013-03-03","gender":"male","language":"welsh"}}
{"type":"case_allocated","actor":"$sw","payload":{"child_id":"WEB-R","worker_id":"$sw","date":"$(day -40)"}}
JSONL
"$CW" append --db "$DB" "$T/audit.jsonl" >/dev/null 2>"$T/err" ||
  die "the audit scenario was refused: $(cat "$T/err")"
qa_once=$("$CW" user add qa.web --db "$DB" --staff qa.web 2>"$T/err" | sed -n 's/.*one-time password \([^ ]*\) .*/\1/p')
[ -n "$qa_once" ] || die "no account for qa.web: $(cat "$T/err")"
audit() { "$CW" audit "$@" --db "$DB" --actor "$sm" >/dev/null 2>"$T/err" || die "caseward audit $1 was refused: $(cat "$T/err")"; }
audit programme --id web-2026 --title "Web journeys audit" --starts "$(day -5)" --ends "$(day 30)" \
  --auditors qa.web,qa.web2 --area-manager "$sm"
audit add --programme web-2026 --child WEB-Q --auditor qa.web --reason "Chosen for the browser journeys"
audit programme --id web-cy --title "Archwiliad y daith Gymraeg" --starts "$(day -5)" --ends "$(day 30)" \
  --auditors qa.web
audit add --programme web-cy --child WEB-R --auditor qa.web --reason "The Welsh journey"
# WEB-M, in programme web-mod: audited and completed by qa.web2 on the command line, with qa.web
# named to moderate it (the moderation journey).
cat >"$T/audit-m.jsonl" <<JSONL
{"type":"child_registered","actor":"$sw","payload":{"child_id":"WEB-M","date":"$(day -40)","given_name":"Mali","family_name":"Testwood","date_of_birth":"2012-12-12","gender":"female","language":"english"}}
{"type":"case_allocated","actor":"$sw","payload":{"child_id":"WEB-M","worker_id":"$sw","date":"$(day -40)"}}
JSONL
"$CW" append --db "$DB" "$T/audit-m.jsonl" >/dev/null 2>"$T/err" ||
  die "the moderation scenario was refused: $(cat "$T/err")"
audit programme --id web-mod --title "Moderation journey audit" --starts "$(day -5)" --ends "$(day 30)" \
  --auditors qa.web,qa.web2
audit add --programme web-mod --child WEB-M --auditor qa.web2 --reason "The moderation journey"
g=1
for theme in childs_voice assessment planning management_oversight risk recording impact; do
  "$CW" audit grade --db "$DB" --actor qa.web2 --programme web-mod --child WEB-M --theme "$theme" \
    --grade $((g % 4 + 1)) --narrative "First auditor's reasons for $theme." >/dev/null 2>"$T/err" ||
    die "grading WEB-M was refused: $(cat "$T/err")"
  g=$((g + 1))
done
"$CW" audit complete --db "$DB" --actor qa.web2 --programme web-mod --child WEB-M --overall 3 >/dev/null 2>"$T/err" ||
  die "completing WEB-M's audit was refused: $(cat "$T/err")"
audit moderate --programme web-mod --child WEB-M --moderator qa.web

# Improvement plans (tests/web/improvement.test.mjs): Care Inspectorate Wales' inspection web-insp
# with two findings and an improvement notice (plan within 20 working days, reviews at 90 days, 6
# and 12 months); plan web-plan, owned by the director, with the head of service as its board's
# chair: recommendation 1, improvement point 1.1, and two actions: web-plan-A1, the social
# worker's, due in 40 days (green: the owner's journey), and web-plan-A2, the team manager's,
# due five days ago (red), with a measure as its evidence (PM24 at least 85.0: the report's
# measures against targets); £4,000,000.00 of funding; submitted today (a submission counts on
# the day it is recorded), on time: the notice was ten days ago.
dir=$(sql "SELECT staff_id FROM accounts WHERE username = 'director'")
hos=$(sql "SELECT staff_id FROM accounts WHERE username = 'head.of.service'")
[ -n "$dir" ] && [ -n "$hos" ] || die "no director or head of service account"
improve() { "$CW" improve "$@" --db "$DB" >/dev/null 2>"$T/err" || die "caseward improve $1 was refused: $(cat "$T/err")"; }
improve inspection --actor "$dir" --date "$(day -60)" --id web-insp --inspectorate ciw \
  --title "Inspection of children's services" --report-ref CIW-2026-01 --started "$(day -90)" \
  --ended "$(day -80)" --published "$(day -60)"
improve finding --actor "$dir" --date "$(day -60)" --id web-insp-F1 --inspection web-insp --theme safeguarding \
  --severity serious_concern --text "Strategy discussions were not held promptly."
improve finding --actor "$dir" --date "$(day -60)" --id web-insp-F2 --inspection web-insp --theme supervision \
  --severity area_for_improvement --text "Supervision was not recorded regularly."
improve notice --actor "$dir" --date "$(day -10)" --id web-notice --inspection web-insp --kind improvement_notice \
  --issued-by "Welsh Ministers" --issued "$(day -10)" --plan-within 20 --reviews 90d,6m,12m
improve plan --actor "$dir" --date "$(day -9)" --id web-plan --title "Safeguarding improvement plan" --owner "$dir" \
  --inspection web-insp --notice web-notice
improve board-add --actor "$dir" --date "$(day -9)" --plan web-plan --staff "$hos" --role chair
improve recommend --actor "$dir" --date "$(day -8)" --id web-plan-R1 --plan web-plan \
  --text "Hold strategy discussions promptly." --findings web-insp-F1
improve point --actor "$dir" --date "$(day -8)" --id web-plan-R1-P1 --recommendation web-plan-R1 \
  --text "Track every strategy discussion."
improve action --actor "$dir" --date "$(day -8)" --id web-plan-A1 --point web-plan-R1-P1 \
  --text "Weekly report of strategy discussions." --owner "$sw" --due "$(day 40)"
improve action --actor "$dir" --date "$(day -8)" --id web-plan-A2 --point web-plan-R1-P1 \
  --text "Audit ten strategy discussions." --owner "$tm" --due "$(day -5)"
improve evidence --actor "$dir" --date "$(day -8)" --id web-plan-A2-E1 --action web-plan-A2 \
  --title "Assessments within 42 working days" --measure PM24 --target 85.0 --direction at_least
improve fund --actor "$dir" --date "$(day -8)" --id web-fund-1 --plan web-plan --source "Welsh Government grant" \
  --amount 4000000.00 --reason "Grant letter of the improvement notice"
improve submit --actor "$dir" --plan web-plan --to "Care Inspectorate Wales"

"$CW" serve --db "$DB" --listen 127.0.0.1:0 --web "$ROOT/web" 2>"$T/log" &
PID=$!
port=
for _ in $(seq 1 200); do
  port=$(sed -n 's/.* on port \([0-9]*\);.*/\1/p' "$T/log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$PID" 2>/dev/null || die "caseward serve stopped: $(tail -3 "$T/log")"
  sleep 0.05
done
[ -n "$port" ] || die "caseward serve did not say its port"

# qa.web's first sign-in: the one-time password changed to the journeys' own, through the API.
cj=$T/qa.cookies
curl -sf -c "$cj" -H 'Content-Type: application/json' \
  -d "{\"username\":\"qa.web\",\"password\":\"$qa_once\"}" "http://127.0.0.1:$port/api/v1/session" >/dev/null ||
  die "qa.web could not sign in"
csrf=$(awk '$6 == "cw_csrf" {print $7}' "$cj")
curl -sf -b "$cj" -X PUT -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d "{\"current_password\":\"$qa_once\",\"new_password\":\"$PW\"}" "http://127.0.0.1:$port/api/v1/me/password" >/dev/null ||
  die "qa.web's password could not be changed"

# On PostgreSQL the same pages go to screenshots-pg/, beside SQLite's.
SHOTS=$BUILD/screenshots${CW_TEST_PG:+-pg}
mkdir -p "$SHOTS"
cd "$ROOT"
CW_URL="http://127.0.0.1:$port" CW_PASSWORD="$PW" CW_OTHER_CHILD="$other" CHROMIUM="$CHROMIUM" \
  CW_SCREENSHOTS="$SHOTS" \
  node --test --test-concurrency=1 ${CW_TEST_PATTERN:+--test-name-pattern="$CW_TEST_PATTERN"} tests/web/
