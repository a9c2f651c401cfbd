# lib.sh — what every shell test shares: the tally of checks and the ways to run caseward.
# A test sets CW (the binary) and T (its scratch folder) and then sources this file:
#   . "$(dirname "$0")/lib.sh"
# and ends with `finish NAME`, which prints the tally and fails if any check failed.

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# check NAME CMD...: passes if CMD succeeds.
check() { local name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }

# run ARGS...: runs caseward; sets $rc, and $T/out and $T/err.
run() { "$CW" "$@" >"$T/out" 2>"$T/err"; rc=$?; }
# expect_rc WANT NAME: checks the last run's exit status.
expect_rc() {
    if [ "$rc" -eq "$1" ]; then ok; else
        bad "$2: exit $rc, expected $1 (stderr: $(head -c 300 "$T/err"))"
    fi
}
out_has() { grep -qF -- "$1" "$T/out"; }
err_has() { grep -qF -- "$1" "$T/err"; }

# finish NAME: the tally, and the test's exit status.
finish() {
    echo "$1: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
