#!/usr/bin/env bash
# retention_test.sh — retention rules, the `caseward retention` report, legal holds,
# and destruction as approved erasures (issue 13, docs/privacy.md "Retention").
#
# Children are constructed with known dates of birth and histories, and the report's due
# dates are computed here from those dates and the rules' periods (rules/retention-
# wales.txt): a looked-after child's record to the 75th birthday (Care Planning,
# Placement and Case Review (Wales) Regulations 2015 reg 64(1)); a care and support case
# to the 25th birthday, or the 26th if the child was 17 or older at closure (the
# council's schedule); a contact that led to no further action 6 years after closure
# (the council's schedule); the longest period wins. A legal hold blocks destruction:
# the proposal and the approval are refused while it is in force, and allowed once it
# is lifted. `--propose` proposes every due child not on hold; the data protection
# officer approves; the report then no longer lists them.
#
# usage: bash tests/retention_test.sh /path/to/caseward
set -u

CW=${1:?usage: retention_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "retention_test: $CW is not executable" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "retention_test: needs the sqlite3 shell" >&2; exit 1; }
command -v python3 >/dev/null || { echo "retention_test: needs python3" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-retention-test-XXXXXX")
trap 'rm -rf "$T"' EXIT

. "$(dirname "$0")/lib.sh"
size() { sqlite3 "$DB" 'SELECT count(*) FROM entries'; }
append() { "$CW" append --db "$DB" - >"$T/out" 2>"$T/err"; rc=$?; }
# report [ARGS]: the report as JSON in $T/rep.json
report() { "$CW" retention --db "$DB" --as-of "$AS_OF" --json "$@" >"$T/rep.json" 2>"$T/err"; rc=$?; }
# field CHILD KEY: the report's KEY for CHILD ("absent" if the child is not listed)
field() {
    python3 - "$T/rep.json" "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
row = [r for r in d["due"] if r["child_id"] == sys.argv[2]]
if not row:
    print("absent")
else:
    v = row[0]
    for k in sys.argv[3].split("."):
        v = v[k] if isinstance(v, dict) else None
    print("null" if v is None else v)
EOF
}
# birthday DOB N: the N-th birthday of DOB
birthday() { python3 -c "import sys; y,m,d = sys.argv[1].split('-'); print('%04d-%s-%s' % (int(y) + int(sys.argv[2]), m, d))" "$1" "$2"; }

DB=$T/c.db
AS_OF=2026-12-01
"$CW" demo --db "$DB" --children 8 --seed 5 --as-of 2026-11-30 >/dev/null 2>"$T/err" ||
    { echo "retention_test: demo failed: $(cat "$T/err")" >&2; exit 1; }
TM=$(sqlite3 "$DB" "SELECT staff_id FROM staff WHERE role = 'team_manager' ORDER BY staff_id LIMIT 1")
HOS=$(sqlite3 "$DB" "SELECT staff_id FROM staff WHERE role = 'head_of_service' LIMIT 1")
check "the demo has a team manager and a head of service" [ -n "$TM" ] && [ -n "$HOS" ]

# ---- constructed children (recorded by a manager: no sign-off pending) ----
reg() { # reg ID DOB
    printf '{"type":"child_registered","actor":"%s","payload":{"child_id":"%s","given_name":"Test","family_name":"Child %s","date_of_birth":"%s","gender":"female","language":"english"}}\n' "$TM" "$1" "$1" "$2"
}
ev() { # ev TYPE JSON-PAYLOAD
    printf '{"type":"%s","actor":"%s","payload":%s}\n' "$1" "$TM" "$2"
}
assess() { # assess CHILD ID DATE OUTCOME
    ev assessment_started "{\"assessment_id\":\"$2\",\"child_id\":\"$1\",\"date\":\"$3\"}"
    ev assessment_completed "{\"assessment_id\":\"$2\",\"date\":\"$3\",\"child_seen\":true,\"child_seen_date\":\"$3\",\"views\":\"said things\",\"analysis\":\"an analysis\",\"outcome\":\"$4\"}"
}
close() { ev case_closed "{\"child_id\":\"$1\",\"date\":\"$2\",\"reason\":\"work done\"}"; }
looked_after() { # looked_after CHILD FROM TO
    ev looked_after_started "{\"child_id\":\"$1\",\"date\":\"$2\",\"placement_id\":\"P-$1\",\"placement_type\":\"foster\"}"
    ev looked_after_ended "{\"child_id\":\"$1\",\"date\":\"$3\",\"reason\":\"age_18\"}"
}
LA_DOB=1940-03-15     # R1: looked after; 75th birthday in 2015
CIN17_DOB=1990-06-01  # R2: care and support, closed at 17: 26th birthday
CIN15_DOB=1991-06-01  # R3: care and support, closed at 15: 25th birthday
NFA_CLOSED=2010-05-07 # R4: a contact, no further action, closed: 6 years on
BOTH_DOB=1945-02-01   # R5: care and support, then looked after: the 75th wins over the 25th
YOUNG_DOB=1960-07-01  # R6: looked after; 75th birthday in 2035: not yet due
{
    reg R1 $LA_DOB; looked_after R1 1950-01-10 1958-03-15; close R1 1958-03-20
    reg R2 $CIN17_DOB; assess R2 A-R2 2007-01-10 care_and_support_plan; close R2 2007-07-01
    reg R3 $CIN15_DOB; assess R3 A-R3 2006-01-10 care_and_support_plan; close R3 2006-07-01
    reg R4 2000-01-01
    ev contact_received '{"contact_id":"K-R4","child_id":"R4","date":"2010-05-05","source":"school","reason":"worried"}'
    ev contact_decided '{"contact_id":"K-R4","date":"2010-05-06","outcome":"no_further_action"}'
    close R4 $NFA_CLOSED
    reg R5 $BOTH_DOB; assess R5 A-R5 1955-01-10 looked_after; looked_after R5 1956-01-10 1963-02-01
    close R5 1963-02-05
    reg R6 $YOUNG_DOB; looked_after R6 1970-01-10 1978-07-01; close R6 1978-07-05
    reg R7 1940-01-01 # open: never due
    ev contact_received '{"contact_id":"K-R7","child_id":"R7","date":"1950-05-05","source":"school","reason":"worried"}'
    printf '{"type":"staff_added","actor":"admin","payload":{"staff_id":"dpo.x1","name":"Dee Protect","role":"data_protection_officer"}}\n'
} >"$T/kids.jsonl"
append <"$T/kids.jsonl"
check "the constructed children are recorded: $(head -c 300 "$T/err")" [ $rc = 0 ]

# ---- the report's due dates ----
report
check "the report runs: $(cat "$T/err")" [ $rc = 0 ]
check "looked after: the 75th birthday (reg 64(1))" [ "$(field R1 due)" = "$(birthday $LA_DOB 75)" ]
check "... under the looked-after rule" [ "$(field R1 rule)" = looked_after_case_record ]
check "... a statutory minimum" [ "$(field R1 basis)" = statutory ]
check "... citing the Welsh regulation" grep -q "SI 2015/1818), reg 64(1)" <(field R1 source)
check "care and support closed at 17: the 26th birthday" [ "$(field R2 due)" = "$(birthday $CIN17_DOB 26)" ]
check "... the council's schedule" [ "$(field R2 basis)" = schedule ]
check "care and support closed at 15: the 25th birthday" [ "$(field R3 due)" = "$(birthday $CIN15_DOB 25)" ]
check "contact, no further action: 6 years after closure" [ "$(field R4 due)" = "$(birthday $NFA_CLOSED 6)" ]
check "... under the contact rule" [ "$(field R4 rule)" = contact_no_further_action ]
check "the longest period wins (75th over 25th)" [ "$(field R5 due)" = "$(birthday $BOTH_DOB 75)" ]
check "... the looked-after rule" [ "$(field R5 rule)" = looked_after_case_record ]
check "not yet due: not listed" [ "$(field R6 due)" = absent ]
check "an open case: not listed" [ "$(field R7 due)" = absent ]
"$CW" retention --db "$DB" --as-of "$(birthday $YOUNG_DOB 75)" --json >"$T/rep.json" 2>"$T/err"
check "due on its 75th birthday exactly" [ "$(field R6 due)" = "$(birthday $YOUNG_DOB 75)" ]
"$CW" retention --db "$DB" --as-of 2016-05-06 --json >"$T/rep.json" 2>"$T/err"
check "the day before the contact's due date: not listed" [ "$(field R4 due)" = absent ]
"$CW" retention --db "$DB" --as-of $AS_OF --rules england --json >"$T/rep.json" 2>"$T/err"
check "England: reg 50 of the 2010 regulations" grep -q "SI 2010/959), reg 50(1)" <(field R1 source)
"$CW" retention --db "$DB" --as-of $AS_OF >"$T/text" 2>"$T/err"
check "the text report lists R1 with its rule" grep -q "^R1 .*due $(birthday $LA_DOB 75)  looked_after_case_record" "$T/text"
check "the text report prints no name" [ "$(grep -c "Test\|Child R" "$T/text")" = 0 ]

# A council's own rules file: contacts kept 1 year after closure.
printf 'nation ours\nrule short contact_only closure 1 schedule Our schedule, para 1\n' >"$T/ours.txt"
report --rules-file "$T/ours.txt"
check "a council's own file: its period" [ "$(field R4 due)" = "$(birthday $NFA_CLOSED 1)" ]
check "... and only its rules" [ "$(field R1 due)" = absent ]

# ---- bad input ----
"$CW" retention --db "$DB" --as-of 2026-02-30 >"$T/out" 2>"$T/err"
check "a wrong date: usage error" [ $? = 2 ]
check "... naming it" grep -q -- '--as-of: "2026-02-30" is not a date' "$T/err"
"$CW" retention --db "$DB" --as-of $AS_OF --rules scotland >"$T/out" 2>"$T/err"
check "unknown rules: usage error" [ $? = 2 ]
check "... naming them and the choices" grep -q 'retention rules "scotland": no such built-in rules (wales, england)' "$T/err"
"$CW" retention --db "$DB" >"$T/out" 2>"$T/err"
check "no --as-of: refused" grep -q -- "--as-of is required" "$T/err"
"$CW" retention --db "$DB" --as-of $AS_OF --propose >"$T/out" 2>"$T/err"
check "--propose without --actor: refused" grep -q -- "--actor" "$T/err"
"$CW" retention --db "$DB" --as-of 2999-01-01 --propose --actor "$TM" >"$T/out" 2>"$T/err"
check "--propose for a day after today: refused" grep -q "after today" "$T/err"
printf 'rule x looked_after birthday seventy statutory src\n' >"$T/bad.txt"
"$CW" retention --db "$DB" --as-of $AS_OF --rules-file "$T/bad.txt" >"$T/out" 2>"$T/err"
check "a bad rules file: the line and the value" grep -q 'bad.txt:1: rule x: "seventy" is not a number of years' "$T/err"
printf 'rule x looked_after birthday 75 statutory\n' >"$T/bad.txt"
"$CW" retention --db "$DB" --as-of $AS_OF --rules-file "$T/bad.txt" >"$T/out" 2>"$T/err"
check "a rule without its source is refused" grep -q "the source is required" "$T/err"

# ---- legal holds: who, and what they check ----
n=$(size)
append < <(ev legal_hold_placed '{"hold_id":"H1","child_id":"R1","date":"2026-11-01","kind":"litigation","reason":"a claim"}')
check "a team manager may not place a hold" grep -q "only the head of service or the data protection officer" "$T/err"
append < <(printf '{"type":"legal_hold_placed","actor":"%s","payload":{"hold_id":"H0","child_id":"NOPE","date":"2026-11-01","kind":"inquiry","reason":"r"}}\n' "$HOS")
check "a hold on an unknown child is refused" grep -q "no child NOPE is registered" "$T/err"
append < <(printf '{"type":"legal_hold_placed","actor":"%s","payload":{"hold_id":"H0","child_id":"R1","date":"2026-11-01","kind":"inquiry","reason":"r","until":"2026-10-01"}}\n' "$HOS")
check "a hold ending before it starts is refused" grep -q "until: 2026-10-01 is before" "$T/err"
append < <(printf '{"type":"legal_hold_lifted","actor":"dpo.x1","payload":{"hold_id":"H9","date":"2026-11-01","reason":"r"}}\n')
check "lifting an unknown hold is refused" grep -q "no legal hold H9" "$T/err"
check "nothing recorded by the refusals" [ "$(size)" = "$n" ]
append < <(printf '{"type":"legal_hold_placed","actor":"%s","payload":{"hold_id":"H1","child_id":"R1","date":"2026-11-01","kind":"litigation","reason":"a claim against the council"}}\n' "$HOS")
check "the head of service places a hold on R1: $(cat "$T/err")" [ $rc = 0 ]
report
check "the report says the hold stops R1" [ "$(field R1 hold.hold_id)" = H1 ]
check "... and its kind" [ "$(field R1 hold.kind)" = litigation ]
check "... and no hold on R2" [ "$(field R2 hold)" = null ]

# A hold blocks destruction: the proposal is refused, naming the hold.
append < <(ev erasure_proposed '{"erasure_id":"E-R1","child_id":"R1","date":"2026-12-01","lawful_basis":"retention_schedule","reason":"due"}')
check "a legal hold blocks a retention proposal" [ $rc != 0 ]
check "... naming the hold, its kind and date" grep -q "R1's record is under legal hold H1 (litigation) since 2026-11-01: it cannot be destroyed until the hold is lifted" "$T/err"
append < <(ev erasure_proposed '{"erasure_id":"E-R1","child_id":"R1","date":"2026-12-01","lawful_basis":"erasure_request","reason":"asked"}')
check "... and a request for erasure" grep -q "under legal hold H1" "$T/err"
append < <(ev erasure_proposed '{"erasure_id":"F-R1","child_id":"R1","date":"2026-12-01","lawful_basis":"recorded_in_error","reason":"wrong file"}')
check "a correction of the record (recorded_in_error) is still possible: $(cat "$T/err")" [ $rc = 0 ]
append < <(printf '{"type":"erasure_declined","actor":"dpo.x1","payload":{"erasure_id":"F-R1","date":"2026-12-01","reason":"not wrong"}}\n')
check "(declined)" [ $rc = 0 ]

# An inquiry's hold on every child: --propose proposes nothing.
append < <(printf '{"type":"legal_hold_placed","actor":"dpo.x1","payload":{"hold_id":"H2","date":"2026-11-15","kind":"inquiry","reason":"the inquiry"}}\n')
check "the officer places a hold on every child: $(cat "$T/err")" [ $rc = 0 ]
report
check "every child due is stopped by it" [ "$(field R2 hold.hold_id)" = H2 ]
check "... as a hold on every child" [ "$(field R2 hold.every_child)" = True ]
n=$(size)
"$CW" retention --db "$DB" --as-of $AS_OF --propose --actor "$TM" >"$T/out" 2>"$T/err"
check "--propose under a council-wide hold: $(cat "$T/err")" grep -q "^0 erasures proposed" "$T/out"
check "... records nothing" [ "$(size)" = "$n" ]
append < <(printf '{"type":"legal_hold_lifted","actor":"%s","payload":{"hold_id":"H2","date":"2026-11-30","reason":"the inquiry reported"}}\n' "$HOS")
check "the inquiry's hold is lifted: $(cat "$T/err")" [ $rc = 0 ]
append < <(printf '{"type":"legal_hold_lifted","actor":"%s","payload":{"hold_id":"H2","date":"2026-11-30","reason":"again"}}\n' "$HOS")
check "a hold is lifted once" grep -q "H2 has already been lifted" "$T/err"

# ---- --propose, then the officer approves ----
report
want=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for r in d["due"] if r["hold"] is None and r["proposed"] is None))' "$T/rep.json")
check "children due and not on hold" [ "$want" -ge 4 ]
"$CW" retention --db "$DB" --as-of $AS_OF --propose --actor "$TM" >"$T/out" 2>"$T/err"
check "--propose: $(cat "$T/err")" grep -q "^$want erasures proposed" "$T/out"
report
check "R2 is now proposed" [ "$(field R2 proposed)" != null ]
check "R1 (on hold) is not" [ "$(field R1 proposed)" = null ]
sqlite3 "$DB" "SELECT count(*) FROM records WHERE kind = 'erasure' AND status = 'retention_schedule' AND closed_on IS NULL" >"$T/n"
check "one proposal each, under the retention schedule" [ "$(cat "$T/n")" = "$want" ]
"$CW" retention --db "$DB" --as-of $AS_OF --propose --actor "$TM" >"$T/out" 2>"$T/err"
check "proposing again adds nothing" grep -q "^0 erasures proposed" "$T/out"
P2=$(field R2 proposed)
P3=$(field R3 proposed)
reason=$("$CW" chronology --db "$DB" --child R2 | grep erasure_proposed)
check "the proposal names the rule and its source" grep -q "care_and_support_record (council schedule: Council schedule" <<<"$reason"

# A hold placed after the proposal stops its approval.
append < <(printf '{"type":"legal_hold_placed","actor":"%s","payload":{"hold_id":"H3","child_id":"R2","date":"2026-12-01","kind":"police_investigation","reason":"police asked"}}\n' "$HOS")
check "a hold on R2 after its proposal" [ $rc = 0 ]
append < <(printf '{"type":"erasure_approved","actor":"dpo.x1","payload":{"erasure_id":"%s","date":"2026-12-01"}}\n' "$P2")
check "a legal hold blocks the approval" grep -q "R2's record is under legal hold H3 (police_investigation) since 2026-12-01" "$T/err"
check "... and nothing of R2 is erased" \
    [ "$(sqlite3 "$DB" "SELECT given_name IS NOT NULL FROM children WHERE child_id = 'R2'")" = 1 ]
python3 - "$T/rep.json" >"$T/approve.jsonl" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["due"]:
    if r["proposed"] and r["child_id"] != "R2":
        print(json.dumps({"type": "erasure_approved", "actor": "dpo.x1",
                          "payload": {"erasure_id": r["proposed"], "date": "2026-12-01"}}))
EOF
append <"$T/approve.jsonl"
check "the officer approves the rest: $(head -c 300 "$T/err")" [ $rc = 0 ]
report
check "R3, destroyed, is no longer listed" [ "$(field R3 due)" = absent ]
check "nor R4" [ "$(field R4 due)" = absent ]
check "nor R5" [ "$(field R5 due)" = absent ]
check "R3's names are gone" \
    [ "$(sqlite3 "$DB" "SELECT given_name IS NULL FROM children WHERE child_id = 'R3'")" = 1 ]
check "R2 is still listed, on hold" [ "$(field R2 hold.hold_id)" = H3 ]

# Lifting the hold allows it.
append < <(printf '{"type":"legal_hold_lifted","actor":"dpo.x1","payload":{"hold_id":"H3","date":"2026-12-01","reason":"no charge"}}\n')
append < <(printf '{"type":"erasure_approved","actor":"dpo.x1","payload":{"erasure_id":"%s","date":"2026-12-01"}}\n' "$P2")
check "once the hold is lifted, the approval goes through: $(cat "$T/err")" [ $rc = 0 ]
append < <(printf '{"type":"legal_hold_lifted","actor":"dpo.x1","payload":{"hold_id":"H1","date":"2026-12-01","reason":"settled"}}\n')
"$CW" retention --db "$DB" --as-of $AS_OF --propose --actor "$TM" >"$T/out" 2>"$T/err"
check "R1 is proposed once its hold is lifted" grep -q "^1 erasure proposed" "$T/out"
report
append < <(printf '{"type":"erasure_approved","actor":"dpo.x1","payload":{"erasure_id":"%s","date":"2026-12-01"}}\n' "$(field R1 proposed)")
check "... and approved" [ $rc = 0 ]
report
check "no constructed child is listed any more" \
    [ "$(python3 -c 'import json,sys; print(sum(1 for r in json.load(open(sys.argv[1]))["due"] if r["child_id"].startswith("R")))' "$T/rep.json")" = 0 ]

# ---- the holds table is a projection: rebuild gives the same rows ----
sqlite3 "$DB" "SELECT * FROM legal_holds ORDER BY hold_id" >"$T/holds-before"
check "the holds table has the three holds, lifted" [ "$(grep -c '|' "$T/holds-before")" = 3 ]
check "... H2 on every child (no child_id)" grep -q "^H2||inquiry|2026-11-15||" "$T/holds-before"
"$CW" rebuild --db "$DB" >/dev/null 2>"$T/err" || bad "rebuild: $(cat "$T/err")"
sqlite3 "$DB" "SELECT * FROM legal_holds ORDER BY hold_id" >"$T/holds-after"
check "rebuild: the same holds" cmp -s "$T/holds-before" "$T/holds-after"
"$CW" verify --db "$DB" >"$T/out" 2>"$T/err" || bad "verify --db: $(cat "$T/err" "$T/out")"

finish retention_test
