#!/usr/bin/env bash
# walesla_cli_test.sh — Wales' looked after children census (caseward returns wales-lac) of
# the demo Welsh council. The Welsh Government publishes no validator for the census (and its
# 2025-26 guidance was not reachable: docs/returns.md, "Wales: the looked-after children
# census"), so this checks what can be checked without one: the four forms and the notes are
# written, each with its header row, CRLF line ends and the council's number in every row; the
# forms have rows; every code is in the Welsh lists the return uses; an episode's dates are in
# order and its REC is given exactly when it has ended; the same log gives the same bytes.
#
# usage: bash tests/walesla_cli_test.sh /path/to/caseward
set -u

CW=${1:?usage: walesla_cli_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "walesla_cli_test: $CW is not executable" >&2; exit 1; }
command -v python3 >/dev/null || { echo "walesla_cli_test: needs python3" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-walesla-test-XXXXXX")
trap 'rm -rf "$T"' EXIT

. "$(dirname "$0")/lib.sh"

DB=$T/wales.db
"$CW" init --db "$DB" --rules wales --la-code 664 --no-admin >/dev/null 2>"$T/err" &&
    "$CW" demo --db "$DB" --as-of 2026-06-30 >/dev/null 2>"$T/err" ||
    { echo "walesla_cli_test: demo: $(cat "$T/err")" >&2; exit 1; }

run returns wales-lac --db "$DB" --year 2026 --out "$T/r"
expect_rc 0 "returns wales-lac"
check "the command says what it wrote" out_has "wales-lac-2026-episodes.csv"
for f in children episodes adoptions care-leavers notes; do
    check "$f file" test -s "$T/r/wales-lac-2026-$f.csv"
done

python3 - "$T/r" >"$T/verdict" <<'PY'
import csv, datetime, os, sys
d = sys.argv[1]
HEAD = {
    "children": "LA,CHILD,SEX,DOB,ETHNICITY,UASC,DATE_UASC_CEASED",
    "episodes": "LA,CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC,HOME_POST,PL_POST",
    "adoptions": "LA,CHILD,DOB,DATE_DECISION,DATE_MATCH,DATE_PLACED,DATE_ADOPTED,FOSTER_CARERS,"
                 "NB_ADOPTERS,SEX_ADOPTERS,LS_ADOPTERS,ETHNICITY_ADOPTERS",
    "care-leavers": "LA,CHILD,DOB,CATEGORY,CATEGORY_DATE,ACCOMMODATED_BY_LA,CONTACT_DATE,"
                    "IN_TOUCH,ACTIVITY,ACCOMMODATION",
}
LS = set("C1 C2 D1 E1 J1 J2 J3 L1 L2 L3 V1 V2 W1".split())
RNE = set("S L P B".split())
PLACE = set("F1 F2 F3 F4 F5 F6 A3 A4 A5 A6 A8 P1 P2 P3 H1 H21 H22 H3 H4 H5 "
            "R1 R2 R3 R5 S1 Z1".split())
REC = set("X1 E11 E12 E2 E3 E4 E43 E44 E5 E6 E7 E8 E9 E10".split())
CIN = set("N1 N2 N3 N4 N5 N6 N7 N8".split())

def day(s):
    return datetime.datetime.strptime(s, "%d/%m/%Y").date()

def bad(msg):
    print("BAD: " + msg)

rows = {}
for name, head in HEAD.items():
    raw = open(os.path.join(d, "wales-lac-2026-%s.csv" % name), "rb").read()
    raw.decode("utf-8")
    if raw.count(b"\n") != raw.count(b"\r\n"):
        bad(name + ": a line not ended by CRLF")
    lines = raw.decode().split("\r\n")
    if lines[0] != head:
        bad(name + ": header " + lines[0])
    rows[name] = list(csv.DictReader(lines[0:1] + [l for l in lines[1:] if l]))
    print("%s: %d rows" % (name, len(rows[name])))
    if not rows[name]:
        bad(name + ": no rows")
    for r in rows[name]:
        if r["LA"] != "664":
            bad(name + ": LA " + r["LA"])
kids = {r["CHILD"] for r in rows["children"]}
for r in rows["children"]:
    if r["SEX"] not in ("1", "2"):
        bad("SEX " + r["SEX"])
    day(r["DOB"])
for r in rows["episodes"]:
    if r["CHILD"] not in kids:
        bad("an episode's child is not in the children form: " + r["CHILD"])
    for col, allowed in (("RNE", RNE), ("LS", LS), ("PLACE", PLACE), ("CIN", CIN)):
        if r[col] not in allowed:
            bad("%s %s: %s %r" % (r["CHILD"], r["DECOM"], col, r[col]))
    if r["DEC"]:
        if r["REC"] not in REC:
            bad("%s %s: REC %r" % (r["CHILD"], r["DECOM"], r["REC"]))
        if day(r["DEC"]) < day(r["DECOM"]):
            bad("%s %s: ends before it starts" % (r["CHILD"], r["DECOM"]))
    elif r["REC"]:
        bad("%s %s: a REC with no DEC" % (r["CHILD"], r["DECOM"]))
for r in rows["adoptions"]:
    if r["CHILD"] not in kids or r["FOSTER_CARERS"] not in ("0", "1"):
        bad("adoption " + str(r))
for r in rows["care-leavers"]:
    if r["CHILD"] not in kids or r["CATEGORY"] not in ("", "1", "2", "3", "4"):
        bad("care leaver " + str(r))
print("PLACE codes:", " ".join(sorted({r["PLACE"] for r in rows["episodes"]})))
print("REC codes:", " ".join(sorted({r["REC"] for r in rows["episodes"] if r["REC"]})))
PY
cat "$T/verdict"
check "the forms are as the census asks ($(grep BAD "$T/verdict" | head -3))" \
    sh -c "! grep -q BAD '$T/verdict'"

# the same log, the same return
run returns wales-lac --db "$DB" --year 2026 --out "$T/again"
expect_rc 0 "again"
for f in "$T"/r/*.csv; do
    same "the same return: $(basename "$f")" "$f" "$T/again/$(basename "$f")"
done

# a log with no la_code: the census needs the council's number
"$CW" init --db "$T/nola.db" --rules wales --no-admin >/dev/null 2>&1
run returns wales-lac --db "$T/nola.db" --year 2026 --out "$T/nola"
expect_rc 2 "no council number"
check "the refusal names the council's number" err_has "local authority number"

finish walesla_cli_test
