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

# new_db NAME: the database a test works in, into $DB: $T/NAME.db, or when the suite runs on
# PostgreSQL (tests/with-pg sets CW_TEST_PG to a throwaway server's URI) a new, empty database
# there, with CASEWARD_KEY_FILE=$T/NAME.key (a URI has no key file beside it).
new_db() {
    if [ -z "${CW_TEST_PG:-}" ]; then
        DB=$T/$1.db
        return
    fi
    local name="t$$_$1"
    psql -X -q -v ON_ERROR_STOP=1 -d "$CW_TEST_PG" \
        -c "CREATE DATABASE \"$name\" ENCODING 'UTF8' TEMPLATE template0 STRATEGY FILE_COPY" >/dev/null ||
        { echo "new_db: cannot create database $name" >&2; return 1; }
    DB=$(printf '%s' "$CW_TEST_PG" | sed "s|^postgresql:///[^?]*?|postgresql:///$name?|")
    export CASEWARD_KEY_FILE=$T/$1.key
}
# sql QUERY: the rows of one query on $DB, columns "|"-separated, as sqlite3 prints them.
sql() {
    if [ -n "${CW_TEST_PG:-}" ]; then
        psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" -c "$1"
    else
        sqlite3 "$DB" "$1"
    fi
}
# same NAME FILE1 FILE2: passes if the two files are the same; otherwise shows the differences.
same() {
    if cmp -s "$2" "$3"; then ok; else bad "$1:"; diff "$2" "$3" | head -20 | sed 's/^/    /' >&2; fi
}
# serve_port LOG: the port a `caseward serve --listen 127.0.0.1:0` writing its stderr to LOG
# says it listens on, waiting up to 10 s for it; prints nothing if it never says.
serve_port() {
    local p= _
    for _ in $(seq 1 200); do
        p=$(sed -n 's/.* on port \([0-9]*\);.*/\1/p' "$1" 2>/dev/null | head -1)
        [ -n "$p" ] && break
        sleep 0.05
    done
    printf '%s' "$p"
}
