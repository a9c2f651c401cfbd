#!/usr/bin/env bash
# annexa_cli_test.sh — Ofsted's Annex A lists of the demo England council, as a data team
# opens them (docs/returns.md, "Ofsted Annex A").
#
# `caseward returns annex-a` writes eleven lists and the notes. Each list: UTF-8 with a BOM,
# CRLF line ends, the template's header row exactly, every row as wide as the header, rows in
# Child Unique ID order (then by the list's own date), every date column dd/mm/yyyy or blank,
# no cell a spreadsheet would run as a formula, Allocated Worker a staff id (never a name).
# Lists 2 and 11 (early help, adopters: caseward records neither) are headers only. Then
# --as-of moves the lists, and bad uses are refused in words.
#
# usage: bash tests/annexa_cli_test.sh /path/to/caseward
set -u

CW=${1:?usage: annexa_cli_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "annexa_cli_test: $CW is not executable" >&2; exit 1; }
command -v python3 >/dev/null || { echo "annexa_cli_test: needs python3" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-annexa-test-XXXXXX")
trap 'rm -rf "$T"' EXIT

. "$(dirname "$0")/lib.sh"

new_db demo
"$CW" init --db "$DB" --rules england --no-admin >/dev/null 2>"$T/err" &&
    "$CW" demo --db "$DB" >/dev/null 2>"$T/err" ||
    { echo "annexa_cli_test: demo: $(cat "$T/err")" >&2; exit 1; }
sql "SELECT staff_id FROM staff" >"$T/staff"
sql "SELECT name FROM staff" >"$T/names"

run returns annex-a --db "$DB" --year 2026 --out "$T/lists"
expect_rc 0 "returns annex-a"
check "it says what it wrote" out_has "annex-a-2026-list-11-adopters.csv annex-a-2026-notes.csv"

python3 - "$T/lists" "$T/staff" "$T/names" 2026-03-31 <<'EOF' || bad "the lists (above)"
import csv, datetime, io, os, re, sys

out, staff, names, as_of = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
staff = set(open(staff).read().split())
names = {n for n in open(names).read().splitlines() if n}
C = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
D = ["Does the Child have a Disability"]
A = ["Allocated Team", "Allocated Worker"]
LISTS = {
    "01-contacts": C + ["Date of Contact", "Contact Source"],
    "02-early-help": C + ["Assessment start date", "Assessment completion date",
                          "Organisation completing assessment"],
    "03-referrals": C + ["Date of referral", "Referral Source", "Referral NFA?",
                         "Number of Referrals in Last 12 Months"] + A,
    "04-assessments": C + D + ["Continuous Assessment Start Date",
                               "Child Seen During Continuous Assessment",
                               "Continuous Assessment Date of Authorisation",
                               "Was the child assessed as requiring LA children's social care support?"] + A,
    "05-section-47": C + D + ["Strategy discussion initiating Section 47 Enquiry Start Date",
                              "Was an Initial Child Protection Conference deemed unnecessary?",
                              "Date of Initial Child Protection Conference",
                              "Did the Initial Child Protection Conference Result in a Child Protection Plan",
                              "Number of Section 47 Enquiries in the last 12 months",
                              "Number of ICPCs in the last 12 months"] + A,
    "06-children-in-need": C + D + ["CIN Start Date", "Primary Need Code", "Date Child Was Last Seen",
                                    "CIN Closure Date", "Reason for Closure", "Case Status"] + A,
    "07-child-protection": C + D + ["Child Protection Plan Start Date", "Initial Category of Abuse",
                                    "Latest Category of Abuse", "Date of the Last Statutory Visit",
                                    "Was the Child Seen Alone?", "Date of latest review conference",
                                    "Child Protection Plan End Date",
                                    "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
                                    "Number of Previous Child Protection Plans"] + A,
    "08-children-in-care": C + ["Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)"] + D + [
        "Date Started to be Looked After", "Child's Category of Need",
        "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
        "Start date of current legal status", "Child's Legal Status", "Date of Latest Statutory Review",
        "Date of Last Social Work Visit", "What is the permanence plan for this child?",
        "Date of Last IRO Visit / Contact to the Child", "Date of Last Health Assessment",
        "Date of Last Dental Check", "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After", "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement", "Placement Type", "Placement Provider",
        "Placement postcode", "URN of Placement", "Placement Location", "LA of Placement",
        "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
        "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
        "Was the child offered a Return Interview after their last missing episode (Y/N)?",
        "Did the child accept a Return Interview after their last missing episode (Y/N)?"] + A,
    "09-care-leavers": C + ["Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)"] + D + A + [
        "Allocated Personal Advisor", "Eligibility Category", "Latest Pathway Plan Review Date",
        "LA in Touch", "Latest Date of Contact", "Type of Accommodation",
        "Suitability of Accommodation", "Activity Status"],
    "10-adoption": ["Child Unique ID", "Family identifier", "Gender", "Ethnicity", "Date of Birth",
                    "Age of Child (Years)"] + D + [
        "Date the Child Entered Care", "Date of Decision that Child Should be Placed for Adoption",
        "Date of Placement Order", "Date of Matching Child and Prospective Adopters",
        "Date Placed for Adoption", "Date of Adoption Order",
        "Date of Decision that Child Should No Longer be Placed for Adoption",
        "Reason Why Child No Longer Placed for Adoption",
        "Date the child was placed for fostering in FFA or concurrent planning placement"],
    "11-adopters": ["Individual adopter identifier", "Family identifier", "Gender", "Ethnicity",
                    "Disability", "Is the (prospective) adopter fostering for adoption?",
                    "Date enquiry received", "Date Stage 1 started", "Date Stage 1 ended",
                    "Date Stage 2 started", "Date Stage 2 ended", "Date application submitted",
                    "Date application approved", "Date adopter matched with child(ren)",
                    "Date child/children placed with adopter(s)", "No. of children placed",
                    "Date of Adoption Order", "Date of leaving adoption process",
                    "Reason for leaving adoption process"],
}
# the column that orders a child's rows (None: one row per child); list 5 is in the order
# of its enquiries' starts, which no column gives
ORDER = {"01-contacts": 5, "03-referrals": 5, "04-assessments": 6, "06-children-in-need": 6,
         "07-child-protection": 6, "08-children-in-care": None, "09-care-leavers": None,
         "10-adoption": None}
want = sorted(["annex-a-2026-list-%s.csv" % k for k in LISTS] + ["annex-a-2026-notes.csv"])
assert sorted(os.listdir(out)) == want, sorted(os.listdir(out))
as_of = datetime.date.fromisoformat(as_of)

def day(s):
    assert re.fullmatch(r"\d\d/\d\d/\d\d\d\d", s), s
    return datetime.datetime.strptime(s, "%d/%m/%Y").date()

rows_in = {}
for key, header in LISTS.items():
    name = "annex-a-2026-list-%s.csv" % key
    raw = open(os.path.join(out, name), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf"), name + ": no byte-order mark"
    text = raw[3:].decode("utf-8")
    lines = text.split("\r\n")
    assert lines[-1] == "" and "\n" not in "".join(lines), name + ": not CRLF throughout"
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == header, (name, rows[0])
    rows_in[key] = len(rows) - 1
    dates = [i for i, h in enumerate(header) if "date" in h.lower()]
    last = None
    for r in rows[1:]:
        assert len(r) == len(header), (name, r)
        for c in r:
            assert not c or c[0] not in "=+-@\t\r", (name, c)
            assert c not in names, (name, "a name", c)
        for i in dates:
            if r[i]:
                d = day(r[i])
                assert header[i] == "Date of Birth" or d <= as_of, (name, header[i], r[i])
        if "Allocated Worker" in header and r[header.index("Allocated Worker")]:
            assert r[header.index("Allocated Worker")] in staff, (name, r)
        if key in ORDER:
            k = (r[0], day(r[ORDER[key]]) if ORDER[key] is not None else None)
            assert last is None or (k > last if ORDER[key] is None else k >= last), (name, last, k)
            last = k
        else:
            assert last is None or r[0] >= last, (name, last, r[0])
            last = r[0]
assert rows_in["02-early-help"] == 0 and rows_in["11-adopters"] == 0, rows_in
for k in ("01-contacts", "03-referrals", "04-assessments", "05-section-47",
          "06-children-in-need", "07-child-protection", "08-children-in-care"):
    assert rows_in[k] > 0, (k, "the demo has none")
notes = open(os.path.join(out, "annex-a-2026-notes.csv"), encoding="utf-8", newline="").read()
assert notes.startswith("child,field,note\r\n")
assert '"","List 08: Placement postcode","the placement postcode is recorded (personal), but Annex A does not read it yet: blank"' in notes
print("annexa_cli_test: rows", rows_in)
EOF
ok

# Another inspection date: its periods are in the notes, and nothing after it is listed.
run returns annex-a --db "$DB" --year 2026 --out "$T/sep" --as-of 2025-09-30
expect_rc 0 "--as-of"
check "the notes give the periods" grep -qF \
    '"","Annex A","as at 2025-09-30 (the inspection date); six months: 2025-04-01 to 2025-09-30; twelve months: 2024-10-01 to 2025-09-30"' \
    "$T/sep/annex-a-2026-notes.csv"
python3 - "$T/sep/annex-a-2026-list-01-contacts.csv" <<'EOF' || bad "--as-of: contacts in its six months"
import csv, datetime, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))[1:]
assert rows
for r in rows:
    d = datetime.datetime.strptime(r[5], "%d/%m/%Y").date()
    assert datetime.date(2025, 4, 1) <= d <= datetime.date(2025, 9, 30), r
EOF
ok

run returns annex-a --db "$DB" --year 2026 --out "$T/bad" --as-of 2025-02-30
expect_rc 2 "an impossible --as-of"
check "it says why" err_has "--as-of: 2025-02-30 is not a date"
run returns cin --db "$DB" --year 2026 --out "$T/bad" --as-of 2025-09-30
expect_rc 2 "--as-of for the census"
check "it says why" err_has "--as-of: only annex-a"
run returns --help
check "the help names annex-a" out_has "annex-a  Ofsted's Annex A lists"

finish annexa_cli_test
