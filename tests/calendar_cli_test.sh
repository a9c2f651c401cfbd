#!/usr/bin/env bash
# calendar_cli_test.sh — `caseward calendar` end to end: the three verbs on
# worked examples (the day-by-day reasoning is in tests/calendar_test.c and
# docs/calendar.md), a made-up calendar through --holidays, and the exit
# statuses: 0 ok, 1 for a bad date, a bad calendar file or a date outside the
# calendar, 2 for a wrong command line; every failure is one line on stderr
# and nothing on stdout.
#
# usage: bash tests/calendar_cli_test.sh /path/to/caseward
set -u

CW=${1:?usage: calendar_cli_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "calendar_cli_test: $CW is not executable" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-calendar-test-XXXXXX")
trap 'rm -rf "$T"' EXIT

. "$(dirname "$0")/lib.sh"

# run ARGS...: runs caseward calendar; sets $rc, and $T/out and $T/err.
run() { "$CW" calendar "$@" >"$T/out" 2>"$T/err"; rc=$?; }
err_lines() { wc -l <"$T/err" | tr -d ' '; }
out_is() { [ "$(cat "$T/out")" = "$1" ] && [ "$(wc -l <"$T/out" | tr -d ' ')" = 1 ]; }

# expect ARGS... -- WANT: exit 0, exactly one line WANT on stdout, nothing on stderr.
expect() {
    local args=()
    while [ "$1" != "--" ]; do args+=("$1"); shift; done
    local want=$2
    run "${args[@]}"
    if [ "$rc" -eq 0 ] && out_is "$want" && [ ! -s "$T/err" ]; then ok; else
        bad "calendar ${args[*]}: expected \"$want\", got exit $rc, \"$(head -c 200 "$T/out")\"" \
            "(stderr: $(head -c 200 "$T/err"))"
    fi
}

# expect_fail STATUS NEEDLE ARGS...: exits STATUS, one line on stderr naming
# NEEDLE, nothing on stdout.
expect_fail() {
    local want=$1 needle=$2
    shift 2
    run "$@"
    expect_rc "$want" "calendar $*"
    check "calendar $*: one line on stderr" test "$(err_lines)" = 1
    check "calendar $*: stderr names \"$needle\"" err_has "$needle"
    check "calendar $*: nothing on stdout" test ! -s "$T/out"
}

RANGE="(2010-01-01 to 2035-12-31)"

# ---- help ----
run --help
expect_rc 0 "calendar --help"
check "calendar --help prints its usage" grep -q "^usage: caseward calendar" "$T/out"
check "calendar --help names the verbs" grep -q "add-working-days DATE N" "$T/out"
"$CW" help calendar >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "help calendar"
check "help calendar prints its usage" grep -q "^usage: caseward calendar" "$T/out"
"$CW" --help >"$T/out" 2>&1
rc=$?
expect_rc 0 "--help"
check "--help lists calendar" grep -q "caseward calendar" "$T/out"

# ---- add-working-days ----
expect add-working-days 2024-03-08 1 -- 2024-03-11  # Fri + 1 = Mon
expect add-working-days 2024-03-09 1 -- 2024-03-11  # Sat + 1 = Mon
expect add-working-days 2024-03-28 1 -- 2024-04-02  # Thu before Good Friday + 1
expect add-working-days 2021-12-24 1 -- 2021-12-29  # Christmas 2021 substitutes
expect add-working-days 2022-12-23 3 -- 2022-12-30
expect add-working-days 2022-12-23 4 -- 2023-01-03  # and the New Year substitute
expect add-working-days 2022-05-27 5 -- 2022-06-07  # the Platinum Jubilee weekend
expect add-working-days 2024-02-28 1 -- 2024-02-29  # leap day
expect add-working-days 2023-02-28 1 -- 2023-03-01
expect add-working-days 2024-03-13 42 -- 2024-05-15 # Wales assessment timescale
expect add-working-days 2022-12-15 15 -- 2023-01-10 # ICPC timescale
expect add-working-days 2024-03-11 -1 -- 2024-03-08 # Mon - 1 = Fri
expect add-working-days 2022-06-06 -2 -- 2022-05-31
expect add-working-days 2024-03-09 0 -- 2024-03-09  # N = 0: the date itself, a Saturday
expect add-working-days 2024-12-25 0 -- 2024-12-25
expect add-working-days 2024-03-09 -0 -- 2024-03-09
expect add-working-days 2035-12-28 1 -- 2035-12-31  # the last day of the calendar

# ---- working-days ----
expect working-days 2024-03-13 2024-05-15 -- 42
expect working-days 2024-05-15 2024-03-13 -- -42
expect working-days 2024-03-13 2024-05-14 -- 41
expect working-days 2021-12-24 2021-12-31 -- 3
expect working-days 2024-03-08 2024-03-11 -- 1
expect working-days 2024-03-08 2024-03-10 -- 0
expect working-days 2024-03-11 2024-03-11 -- 0
expect working-days 2023-12-31 2024-12-31 -- 254 # 262 weekdays, 8 bank holidays

# working-days D (add-working-days D N) is N.
for dn in "2024-03-13 42" "2022-12-15 15" "2021-12-24 1" "2022-05-27 5" "2024-03-09 10" \
    "2022-09-16 300" "2010-01-01 1"; do
    set -- $dn
    e=$("$CW" calendar add-working-days "$1" "$2")
    expect working-days "$1" "$e" -- "$2"
done

# ---- is-working-day ----
expect is-working-day 2020-05-04 -- yes # early May 2020 moved to VE Day
expect is-working-day 2020-05-08 -- no
expect is-working-day 2022-05-30 -- yes # spring 2022 moved to 2 June
expect is-working-day 2022-06-02 -- no
expect is-working-day 2022-06-03 -- no
expect is-working-day 2022-09-19 -- no # state funeral
expect is-working-day 2023-05-08 -- no # coronation
expect is-working-day 2011-04-29 -- no # royal wedding
expect is-working-day 2026-12-28 -- no # Boxing Day substitute
expect is-working-day 2024-03-09 -- no # a Saturday
expect is-working-day 2024-03-11 -- yes
expect is-working-day 2024-12-24 -- yes

# ---- --holidays: a made-up calendar that makes Monday 11 March 2024 a holiday ----
cat >"$T/custom.txt" <<'EOF'
# A made-up calendar for tests.
range 2024-01-01 2024-12-31

2024-03-11 Made-up Monday
2024-12-25 Christmas Day
EOF
expect add-working-days 2024-03-08 1 --holidays "$T/custom.txt" -- 2024-03-12
expect --holidays "$T/custom.txt" add-working-days 2024-03-08 1 -- 2024-03-12
expect add-working-days 2024-03-08 1 "--holidays=$T/custom.txt" -- 2024-03-12
expect add-working-days 2024-03-12 -1 --holidays "$T/custom.txt" -- 2024-03-08
expect is-working-day 2024-03-11 --holidays "$T/custom.txt" -- no
# Only what the file lists: 1 January and Easter are working days in it.
expect is-working-day 2024-01-01 --holidays "$T/custom.txt" -- yes
expect is-working-day 2024-03-29 --holidays "$T/custom.txt" -- yes
expect working-days 2024-03-08 2024-03-15 --holidays "$T/custom.txt" -- 4
# ... and the built-in calendar is unaffected.
expect add-working-days 2024-03-08 1 -- 2024-03-11
expect_fail 1 "2025-01-01 is outside the working-day calendar (2024-01-01 to 2024-12-31)" \
    is-working-day 2025-01-01 --holidays "$T/custom.txt"
expect_fail 1 "(2024-01-01 to 2024-12-31)" add-working-days 2024-12-31 1 --holidays "$T/custom.txt"

# The same file with CRLF line endings.
sed 's/$/\r/' "$T/custom.txt" >"$T/crlf.txt"
expect add-working-days 2024-03-08 1 --holidays "$T/crlf.txt" -- 2024-03-12

# A bad calendar file: exit 1, naming the file and the line.
printf 'range 2024-01-01 2024-12-31\n2024-03-09 A Saturday\n' >"$T/sat.txt"
expect_fail 1 "$T/sat.txt:2: the date is a Saturday or Sunday" \
    is-working-day 2024-03-11 --holidays "$T/sat.txt"
printf '2024-03-11 X\nrange 2024-01-01 2024-12-31\n' >"$T/order.txt"
expect_fail 1 "$T/order.txt:1: a holiday before the range line" \
    is-working-day 2024-03-11 --holidays "$T/order.txt"
printf '# nothing\n' >"$T/empty.txt"
expect_fail 1 "$T/empty.txt: no range line" is-working-day 2024-03-11 --holidays "$T/empty.txt"
expect_fail 1 "$T/no-such-file.txt" is-working-day 2024-03-11 --holidays "$T/no-such-file.txt"
expect_fail 2 "--holidays needs a value" is-working-day 2024-03-11 --holidays

# ---- bad dates: exit 1 ----
for d in 2024-02-30 2023-02-29 2024-13-01 2024-00-10 2024-1-01 24-01-01 2024-01-01x yesterday; do
    expect_fail 1 "\"$d\" is not a date" add-working-days "$d" 1
done
expect_fail 1 '"" is not a date' is-working-day ""
expect_fail 1 "FROM: \"2024-02-30\" is not a date" working-days 2024-02-30 2024-03-01
expect_fail 1 "TO: \"2024-02-30\" is not a date" working-days 2024-03-01 2024-02-30

# ---- bad N: exit 2 ----
for n in x 1.5 "" - +1 01 1e3 2147483648 -2147483648; do
    expect_fail 2 "N:" add-working-days 2024-03-08 "$n"
done
expect_fail 2 "unknown option --1" add-working-days 2024-03-08 --1

# ---- wrong command line: exit 2 ----
expect_fail 2 "expected add-working-days DATE N" frobnicate
expect_fail 2 "expected add-working-days DATE N" add-working-days 2024-03-08
expect_fail 2 "expected add-working-days DATE N" is-working-day 2024-03-08 2024-03-09
expect_fail 2 "expected add-working-days DATE N"
expect_fail 2 "unexpected argument" working-days 2024-03-08 2024-03-09 2024-03-10
expect_fail 2 "unknown option --bogus" is-working-day 2024-03-08 --bogus 1

# ---- outside the calendar: exit 1, naming the date and the range ----
expect_fail 1 "2009-12-31 is outside the working-day calendar $RANGE" is-working-day 2009-12-31
expect_fail 1 "2036-01-01 is outside the working-day calendar $RANGE" is-working-day 2036-01-01
expect_fail 1 "2036-01-01 is outside the working-day calendar $RANGE" \
    working-days 2024-01-01 2036-01-01
expect_fail 1 "2009-06-01 is outside" add-working-days 2009-06-01 0
expect_fail 1 "1 working day after 2035-12-31 falls outside the working-day calendar $RANGE" \
    add-working-days 2035-12-31 1
expect_fail 1 "working day before 2010-01-04 falls outside the working-day calendar $RANGE" \
    add-working-days 2010-01-04 -1
expect_fail 1 "$RANGE" add-working-days 2024-01-01 100000

finish calendar_cli_test
