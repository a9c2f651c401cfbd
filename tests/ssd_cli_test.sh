#!/usr/bin/env bash
# ssd_cli_test.sh — the demo England council out to the Standard Safeguarding Dataset and back
# (docs/returns.md, "Standard Safeguarding Dataset: export and import").
#
# `caseward returns ssd` exports the demo council (everything up to 31 March 2027, so all of
# it); `caseward import --from ssd` reads the export into an empty log made with init. The two
# logs must give the same CIN censuses (from <Children> on, with their notes), the same
# measures (every figure of fy2025 and fy2024), the same overdue work and the same integrity
# analytics (without the logs' own entry numbers, which differ between two logs). Prints the rows per table and the time each
# step took. Then: a damaged export is refused naming table, line and column, with nothing
# written; a table caseward does not hold is skipped and named; the export names no one.
#
# usage: bash tests/ssd_cli_test.sh /path/to/caseward
set -u

CW=${1:?usage: ssd_cli_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "ssd_cli_test: $CW is not executable" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-ssd-test-XXXXXX")
trap 'rm -rf "$T"' EXIT

. "$(dirname "$0")/lib.sh"

secs() { date +%s.%N; }
took() { python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

new_db demo
demo=$DB
"$CW" init --db "$demo" --rules england --no-admin >/dev/null 2>"$T/err" &&
    "$CW" demo --db "$demo" --as-of 2026-06-30 >/dev/null 2>"$T/err" ||
    { echo "ssd_cli_test: demo: $(cat "$T/err")" >&2; exit 1; }

t0=$(secs)
run returns ssd --db "$demo" --year 2027 --out "$T/ssd"
expect_rc 0 "returns ssd"
t1=$(secs)
check "the summary names the extension file" out_has "caseward_facts.csv"
check "the person table has the SSD's header" test "$(head -1 "$T/ssd/ssd_person.csv")" = \
    $'pers_person_id,pers_sex,pers_gender,pers_ethnicity,pers_dob,pers_common_child_id,pers_legacy_id,pers_upn_unknown,pers_send_flag,pers_expected_dob,pers_death_date,pers_is_mother,pers_nationality\r'
check "the files are private" test "$(stat -c %a "$T/ssd/ssd_person.csv")" = 600
# no one's name: the professionals' name column is blank, and the extension holds no text
check "no professional is named" python3 - "$T/ssd/ssd_professionals.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
sys.exit(0 if rows and all(r["prof_professional_name"] == "" for r in rows) else 1)
EOF
check "the extension holds no free text" python3 - "$T/ssd/caseward_facts.csv" <<'EOF'
import csv, json, sys
personal = {"given_name", "family_name", "address", "ethnicity", "reason", "views", "analysis",
            "views_not_obtained_reason", "not_seen_alone_reason", "text", "decisions", "actions",
            "conducted_by", "adviser", "name"}
enums = {("looked_after_ended", "reason")}  # a code, not a text
for r in csv.DictReader(open(sys.argv[1], newline="")):
    if r["field"] in personal and (r["event"], r["field"]) not in enums and \
            json.loads(r["value"]) not in (True, None):
        print("a text in caseward_facts.csv:", r, file=sys.stderr)
        sys.exit(1)
EOF

new_db back
back=$DB
"$CW" init --db "$back" --rules england --no-admin >/dev/null
run import --from ssd "$T/ssd" --db "$back"
expect_rc 0 "import --from ssd"
t2=$(secs)
echo "  export: $(took "$t0" "$t1") s; import: $(took "$t1" "$t2") s"
sed 's/^/  /' "$T/out"

# the same CIN censuses, from <Children> on, and the same notes
for year in 2026 2025; do
    for db in demo back; do
        eval "d=\$$db"
        "$CW" returns cin --db "$d" --year $year --la 999 --out "$T/cin-$db" >/dev/null
        sed -n '/<Children>/,$p' "$T/cin-$db/cin-$year.xml" >"$T/cin-$db-$year.xml"
    done
    check "$year: the census has children" grep -q "<LAchildID>" "$T/cin-demo-$year.xml"
    same "$year: the same CIN census" "$T/cin-demo-$year.xml" "$T/cin-back-$year.xml"
    same "$year: the same notes" "$T/cin-demo/cin-$year-notes.csv" "$T/cin-back/cin-$year-notes.csv"
done

# the same SSDA903 (every table and its notes) and the same Annex A lists
for db in demo back; do
    eval "d=\$$db"
    "$CW" returns 903 --db "$d" --year 2026 --out "$T/903-$db" >/dev/null
    "$CW" returns annex-a --db "$d" --year 2026 --out "$T/aa-$db" >/dev/null
done
check "the 903 has episodes" test "$(wc -l <"$T/903-demo/903-2026-episodes.csv")" -gt 5
for f in "$T"/903-demo/*.csv "$T"/aa-demo/*.csv; do
    same "the same $(basename "$f")" "$f" "${f/-demo\//-back/}"
done

# the same measures: every figure
for period in fy2025 fy2024; do
    for db in demo back; do
        eval "d=\$$db"
        "$CW" measures --db "$d" --period $period --json |
            python3 -c 'import json, sys; d = json.load(sys.stdin); print(json.dumps({"children": d["children"], "measures": d["measures"]}, indent=1, sort_keys=True))' \
                >"$T/m-$db-$period.json"
    done
    check "$period: there are figures" grep -q '"numerator"' "$T/m-demo-$period.json"
    same "$period: the same measures" "$T/m-demo-$period.json" "$T/m-back-$period.json"
done

# the same overdue work, but for the log's own entry numbers
for db in demo back; do
    eval "d=\$$db"
    "$CW" overdue --db "$d" --as-of 2026-06-30 --json |
        python3 -c 'import json, sys; print(json.dumps([{k: v for k, v in o.items() if k not in ("started_by", "met_by")} for o in json.load(sys.stdin)], indent=1, sort_keys=True))' \
            >"$T/o-$db.json"
done
check "there is overdue work to compare" grep -q '"rule"' "$T/o-demo.json"
same "the same overdue work" "$T/o-demo.json" "$T/o-back.json"
# the same integrity analytics (a correction's flags too), but for the logs' own entry numbers
for db in demo back; do
    eval "d=\$$db"
    "$CW" integrity --db "$d" --from 2025-04-01 --to 2026-06-30 --json |
        python3 -c '
import json, sys
def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if k not in ("checkpoint", "log")}
    if isinstance(o, list):
        return len(o) if o and all(isinstance(x, int) for x in o) else [strip(x) for x in o]
    return o
print(json.dumps(strip(json.load(sys.stdin)), indent=1, sort_keys=True))' >"$T/i-$db.json"
done
check "there are integrity flags to compare" grep -q '"pattern"' "$T/i-demo.json"
same "the same integrity analytics" "$T/i-demo.json" "$T/i-back.json"
# pasted texts survive the round trip by their fingerprints: a council with many of them
"$CW" init --db "$T/paste.db" --rules england --no-admin >/dev/null &&
    "$CW" demo --db "$T/paste.db" --children 150 --failure-scale 5 --seed 3 --as-of 2026-06-30 >/dev/null &&
    "$CW" returns ssd --db "$T/paste.db" --year 2027 --out "$T/paste-ssd" >/dev/null &&
    "$CW" init --db "$T/paste-back.db" --rules england --no-admin >/dev/null &&
    "$CW" import --from ssd "$T/paste-ssd" --db "$T/paste-back.db" >/dev/null ||
    bad "the pasted-text council's round trip"
for db in paste paste-back; do
    "$CW" integrity --db "$T/$db.db" --from 2024-04-01 --to 2026-06-30 --json |
        python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["summary"]["boilerplate"], sort_keys=True))' >"$T/b-$db.json"
done
check "the council has pasted texts to find" grep -q '"flags": [1-9]' "$T/b-paste.json"
same "the same pasted-text flags after the round trip" "$T/b-paste.json" "$T/b-paste-back.json"
echo "  compared: CIN 2025-26 and 2024-25 ($(grep -c '<LAchildID>' "$T/cin-demo-2026.xml") and $(grep -c '<LAchildID>' "$T/cin-demo-2025.xml") children), measures fy2025 and fy2024 ($(grep -c '"numerator"' "$T/m-demo-fy2025.json") figures each), $(grep -c '"rule"' "$T/o-demo.json") overdue items, $(grep -c '"pattern"' "$T/i-demo.json") integrity flags"

# the SSD as it stood at 31 March 2026 alone gives the same 2025-26 census and fy2025 measures
# (work after that day, corrections after it included, is not in it)
run returns ssd --db "$demo" --year 2026 --out "$T/ssd26"
expect_rc 0 "returns ssd 2026"
check "the 2026 SSD has no later referral" python3 - "$T/ssd26/ssd_cin_episodes.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
sys.exit(0 if rows and all(r["cine_referral_date"] <= "2026-03-31" for r in rows) else 1)
EOF
new_db back26
back26=$DB
"$CW" init --db "$back26" --rules england --no-admin >/dev/null
run import --from ssd "$T/ssd26" --db "$back26"
expect_rc 0 "import --from ssd of 2026"
"$CW" returns cin --db "$back26" --year 2026 --la 999 --out "$T/cin-back26" >/dev/null
sed -n '/<Children>/,$p' "$T/cin-back26/cin-2026.xml" >"$T/cin-back26-2026.xml"
same "2026 from the 2026 SSD: the same CIN census" "$T/cin-demo-2026.xml" "$T/cin-back26-2026.xml"
"$CW" measures --db "$back26" --period fy2025 --json |
    python3 -c 'import json, sys; d = json.load(sys.stdin); print(json.dumps(d["measures"], indent=1, sort_keys=True))' \
        >"$T/m-back26-fy2025.json"
python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["measures"], indent=1, sort_keys=True))' \
    "$T/m-demo-fy2025.json" >"$T/m-demo-fy2025-only.json"
same "fy2025 from the 2026 SSD: the same measures" "$T/m-demo-fy2025-only.json" "$T/m-back26-fy2025.json"

# a damaged export: refused naming table, line and column; nothing written
cp -r "$T/ssd" "$T/bad"
python3 - "$T/bad/ssd_cin_assessments.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
rows[3][5] = "2025-02-30"  # line 4: cina_assessment_auth_date
csv.writer(open(sys.argv[1], "w", newline=""), quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
EOF
new_db bad
bad=$DB
"$CW" init --db "$bad" --rules england --no-admin >/dev/null
run import --from ssd "$T/bad" --db "$bad"
expect_rc 1 "a date that is not a date"
check "the refusal names table, line and column" \
    err_has "nothing imported: ssd_cin_assessments.csv line 4, cina_assessment_auth_date: 2025-02-30 is not a date"
check "nothing written" test "$(DB=$bad sql 'SELECT count(*) FROM entries')" = 0
cp "$T/ssd/ssd_cin_assessments.csv" "$T/bad/"
python3 - "$T/bad/ssd_contacts.csv" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
rows[2][1] = "C9999999"  # line 3: cont_person_id
csv.writer(open(sys.argv[1], "w", newline=""), quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
EOF
run import --from ssd "$T/bad" --db "$bad"
expect_rc 1 "an unknown child"
check "the refusal names the child's row" \
    err_has "ssd_contacts.csv line 3, cont_person_id: C9999999 is not a child in ssd_person (nor in the log)"
check "still nothing written" test "$(DB=$bad sql 'SELECT count(*) FROM entries')" = 0

# a table caseward does not hold: skipped and named, not refused
cp "$T/ssd/ssd_contacts.csv" "$T/bad/"
printf 'csdq_table_id,csdq_person_id,csdq_sdq_completed_date,csdq_sdq_reason,csdq_sdq_score\r\n"1","C0000001","2025-01-01","SDQ1","12"\r\n' >"$T/bad/ssd_sdq_scores.csv"
run import --from ssd "$T/bad" --db "$bad"
expect_rc 0 "an SSD with a table caseward does not hold"
check "the table is named as skipped" out_has "skipped (tables caseward does not hold): ssd_sdq_scores"

# the command line: a format caseward does not import; the old JSON Lines import unchanged
run import --from 903 "$T/ssd" --db "$bad"
expect_rc 2 "an unknown format"
check "the format is named" err_has "903 is not a format caseward imports"
printf '{"type":"team_created","actor":"cli","payload":{"team_id":"JL","name":"JSON Lines"}}\n' >"$T/one.jsonl"
run import --db "$bad" "$T/one.jsonl"
expect_rc 0 "import of JSON Lines, the default"

finish ssd_cli_test
