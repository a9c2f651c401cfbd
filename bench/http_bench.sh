#!/usr/bin/env bash
# The HTTP benchmark (make bench): wrk on loopback against caseward's API,
# beside nginx serving a static file of the same size in the same run, so the
# figure is a ratio to a well-known server on the same machine rather than a
# bare number. Measures, at 64 connections and 2 wrk threads:
#   - nginx: a static file as large as the child record below;
#   - caseward: GET /api/v1/children/{id} (each read is recorded in the log);
#   - caseward: POST /api/v1/commands/case_note (an append to the log);
# then reports requests per second, p50 and p99 latency, and the server's
# memory. Targets: GET >= 0.5 x the nginx rate; p99 < 10 ms.
#
# On PostgreSQL (--pg, or --db postgresql://...; docs/postgres.md, "Benchmarks") the same,
# and then two `caseward serve` on the same database behind nginx as a load balancer (an
# upstream of the two, keepalive connections), beside one server behind the same nginx:
# GET and POST again, signed in with an API token (`caseward token add`), since sessions live
# in each server's memory and nginx sends a client to either. Each server's memory is
# reported. Afterwards `caseward verify --db` must pass on the log both servers appended to,
# or the benchmark fails.
#
# Usage: bench/http_bench.sh BUILD_DIR [--children N] [--db PATH|URI] [--pg URI]
#                            [--duration SECONDS] [--password PW] [--summary FILE]
#   BUILD_DIR      holds the caseward binary (build it Release)
#   --children N   the demo council's size when one is created (default 2000)
#   --pg URI       a PostgreSQL server (a role that may CREATE DATABASE): the
#                  council is made in a new database there, dropped at the end
#   --summary FILE append a line per measurement to FILE as it is taken (tab-
#                  separated: label, requests/s, p50 ms, p99 ms, non-2xx/3xx
#                  answers, socket errors), for bench/pg_bench.sh
#   --db PATH      use this council instead of a temporary one: created there
#                  (caseward demo) if the file does not exist, reused if it
#                  does and has sign-ins. The benchmark appends to it (case
#                  notes and record_accessed entries): use one you can throw
#                  away. This is how to measure the national-size council,
#                  which takes minutes to create:
#                    bench/http_bench.sh build-bench --children 500000 \
#                        --db /var/tmp/national.db
#                  A postgresql:// URI is a database on a server: its council is
#                  used if it has one, else made there; either way the signing
#                  key is the file CASEWARD_KEY_FILE names.
#   --duration S   seconds of wrk per measurement (default 10)
#   --password PW  the demo sign-ins' password (default "bench password 123";
#                  a council made by `make run` uses "caseward demo only")
#
# A missed target is a figure, not a failure; but if wrk saw any response
# that was not 2xx or 3xx the figures measured errors, and it exits 1.
# Needs wrk, nginx (nginx-light) and curl, and psql on PostgreSQL (scripts/install-deps). Prints
# no response bodies: the records are invented, but the habit matters.
set -euo pipefail

BENCH_NAME=http_bench
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || usage
build=$1
shift
children=2000
db=
duration=10
password="bench password 123"
server=
summary=
while [ $# -gt 0 ]; do
  case $1 in
    --children) children=${2:?}; shift 2 ;;
    --db) db=${2:?}; shift 2 ;;
    --pg) server=${2:?}; shift 2 ;;
    --summary) summary=${2:?}; shift 2 ;;
    --duration) duration=${2:?}; shift 2 ;;
    --password) password=${2:?}; shift 2 ;;
    *) usage ;;
  esac
done
bin=$build/caseward
[ -x "$bin" ] || die "no caseward binary in $build (build it first)"
[ -z "$server" ] || [ -z "$db" ] || die "--pg makes its own database: give --pg or --db, not both"
case $db in postgres://* | postgresql://*) pg=1 ;; *) pg=0 ;; esac
[ -z "$server" ] || pg=1
tools="wrk nginx curl"
[ "$pg" = 0 ] || tools="$tools psql"
for tool in $tools; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
    die "$tool is not installed (scripts/install-deps)"
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
# A build with CW_SANITIZE=ON runs several times slower: say so, loudly.
if ldd "$bin" 2>/dev/null | grep -q 'libasan'; then
  echo "http_bench: WARNING: $bin is built with AddressSanitizer (CW_SANITIZE=ON);" \
    "its figures are not the server's" >&2
fi

# Everything this run makes lives in one private directory: the council (if
# temporary), the session cookie, nginx's config and the server's log.
umask 077
tmp=$(mktemp -d "${TMPDIR:-/tmp}/caseward-http-bench.XXXXXX")
cw_pid=
cw2_pid=
nginx_pid=
made_db= # the database this run made on the --pg server, dropped at the end

# Stops a process we started: SIGTERM, up to 20 s to finish, then SIGKILL.
stop() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 200; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop "$cw_pid"
  stop "$cw2_pid"
  stop "$nginx_pid"
  if [ -n "$made_db" ]; then
    psql -X -q -d "$server" -c "DROP DATABASE IF EXISTS $made_db" >/dev/null 2>&1 ||
      echo "http_bench: could not drop the database $made_db" >&2
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the council -------------------------------------------------------------
# with_db URI NAME: URI naming the database NAME instead of its own.
with_db() { printf '%s' "$1" | sed -E "s|^(postgres(ql)?://[^/?]*)(/[^?]*)?|\1/$2|"; }
# psql_db SQL: one value from the council's database.
psql_db() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
if [ -n "$server" ]; then
  made_db=cw_http_bench_$$
  psql -X -q -v ON_ERROR_STOP=1 -d "$server" \
    -c "CREATE DATABASE $made_db ENCODING 'UTF8' TEMPLATE template0" >/dev/null ||
    { made_db=; die "cannot create a database on the --pg server"; }
  db=$(with_db "$server" "$made_db")
  export CASEWARD_KEY_FILE=$tmp/council.key
elif [ -z "$db" ]; then
  mkdir "$tmp/council"
  db=$tmp/council/caseward.db
fi
if [ "$pg" = 1 ]; then
  [ -n "${CASEWARD_KEY_FILE:-}" ] || die "a postgresql:// --db needs CASEWARD_KEY_FILE (its signing key)"
  if [ "$(psql_db "SELECT to_regclass('accounts') IS NOT NULL")" = t ]; then
    accounts=$(psql_db 'SELECT count(*) FROM accounts')
    [ "$accounts" -gt 0 ] 2>/dev/null ||
      die "the database has no sign-ins; make it with: caseward demo --db URI --accounts PASSWORD"
    children=$(psql_db 'SELECT count(*) FROM children')
  else
    echo "http_bench: creating a demo council of $children children (seed 1) on PostgreSQL"
    "$bin" demo --db "$db" --children "$children" --seed 1 --accounts "$password" \
      >"$tmp/demo.log" 2>&1 || { tail -5 "$tmp/demo.log" >&2; die "caseward demo failed"; }
  fi
  # The API token the two servers behind nginx both know (it is in the database; a session
  # is in one server's memory). Made before either server starts.
  "$bin" token add "bench-$$" --user head.of.service --scope write --db "$db" >"$tmp/token.out" 2>&1 ||
    { tail -3 "$tmp/token.out" >&2; die "caseward token add failed"; }
  token=$(grep -o 'cwt_[A-Za-z0-9_-]*' "$tmp/token.out" | head -1 || true)
  rm -f "$tmp/token.out"
  [ -n "$token" ] || die "caseward token add printed no token"
elif [ -f "$db" ]; then
  accounts=$(sqlite3 "$db" 'SELECT count(*) FROM accounts' 2>/dev/null || echo 0)
  [ "$accounts" -gt 0 ] 2>/dev/null ||
    die "$db has no sign-ins; make it with: caseward demo --db PATH --accounts PASSWORD"
  children=$(sqlite3 "$db" 'SELECT count(*) FROM children' 2>/dev/null || echo "?")
else
  echo "http_bench: creating a demo council of $children children (seed 1)"
  "$bin" demo --db "$db" --children "$children" --seed 1 --accounts "$password" \
    >"$tmp/demo.log" 2>&1 || { tail -5 "$tmp/demo.log" >&2; die "caseward demo failed"; }
fi

# --- the servers -------------------------------------------------------------
cw_port=$(free_port $((18000 + $$ % 1000)))
cw=http://127.0.0.1:$cw_port
# The server writes one access-log line per request to stderr; keep it here. wrk's 64
# connections and nginx's (keepalive 64) all come from 127.0.0.1: no limit per address
# (caseward's default is 32; docs/deploy.md, behind a proxy).
"$bin" serve --db "$db" --listen "127.0.0.1:$cw_port" --max-per-address 0 2>"$tmp/serve.log" &
cw_pid=$!
wait_for "$cw/healthz" "$cw_pid" 300 || {
  tail -5 "$tmp/serve.log" >&2
  die "caseward serve did not answer /healthz"
}
# A process's memory in MiB: rss_mib FIELD [PID] (VmRSS, VmHWM; the first server's).
rss_mib() { awk -v k="$1:" '$1 == k { printf "%.0f", $2 / 1024 }' "/proc/${2:-$cw_pid}/status"; }
# Its memory with the council loaded, before any request (even the sign-in).
rss_start=$(rss_mib VmRSS)
# On PostgreSQL, the second server's port: it starts after the first server's own runs, so
# that those are one server's, as on SQLite.
[ "$pg" = 0 ] || cw2_port=$(free_port $((cw_port + 1)))

# Sign in as the head of service, who may read and record on every child.
login=$(curl -s -D "$tmp/login.headers" -H 'Content-Type: application/json' \
  -d "{\"username\":\"head.of.service\",\"password\":\"$password\"}" "$cw/api/v1/session" ||
  true)
session=$(sed -n 's/^Set-Cookie: cw_session=\([^;]*\);.*/\1/Ip' "$tmp/login.headers" | tr -d '\r')
csrf=$(printf '%s' "$login" | sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
if [ -z "$session" ] || [ -z "$csrf" ]; then
  die "cannot sign in as head.of.service (is the password \"$password\"?)"
fi
cookie="cw_session=$session"

# A child to read and write on: the first open case, else the first child.
curl -sf -o "$tmp/children.json" -H "Cookie: $cookie" "$cw/api/v1/children" ||
  die "GET /api/v1/children failed"
child=$(grep -o '"child_id":"[^"]*"[^}]*"case_status":"open"' "$tmp/children.json" |
  head -1 | sed 's/^"child_id":"\([^"]*\)".*/\1/' || true)
[ -n "$child" ] ||
  child=$(grep -o '"child_id":"[^"]*"' "$tmp/children.json" | head -1 | cut -d'"' -f4 || true)
rm -f "$tmp/children.json"
[ -n "$child" ] || die "GET /api/v1/children listed no child"

# Check both requests once, and learn the size of the child's record.
read -r code size < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' \
  -H "Cookie: $cookie" "$cw/api/v1/children/$child")
[ "$code" = 200 ] || die "GET /api/v1/children/{id} answered $code, not 200"
note="{\"child_id\":\"$child\",\"date\":\"$(date -u +%F)\",\"text\":\"Benchmark note.\"}"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" \
  -H 'Content-Type: application/json' -d "$note" "$cw/api/v1/commands/case_note")
[ "$code" = 201 ] || die "POST /api/v1/commands/case_note answered $code, not 201"

# nginx serves a file of the same size from its own config in $tmp/nginx.
# Its workers may run as nobody (when we are root): the directory they read
# is world-readable, the rest of $tmp is not listable.
mkdir -p "$tmp/nginx/www"
chmod 711 "$tmp" "$tmp/nginx"
chmod 755 "$tmp/nginx/www"
head -c "$size" /dev/zero | tr '\0' x >"$tmp/nginx/www/record.json"
chmod 644 "$tmp/nginx/www/record.json"
nginx_port=$(free_port $((cw_port + 2)))
# On PostgreSQL, two more ports: a load balancer in front of the first server alone, and
# one in front of both (round robin), each keeping its connections to them open as wrk
# keeps its own (without keepalive each request would be a new connection, and a new
# thread in caseward).
lb=
if [ "$pg" = 1 ]; then
  lb1_port=$(free_port $((nginx_port + 1)))
  lb2_port=$(free_port $((lb1_port + 1)))
  lb="
  upstream one { server 127.0.0.1:$cw_port; keepalive 64; }
  upstream two { server 127.0.0.1:$cw_port; server 127.0.0.1:$cw2_port; keepalive 64; }
  server {
    listen 127.0.0.1:$lb1_port;
    location / { proxy_pass http://one; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
  }
  server {
    listen 127.0.0.1:$lb2_port;
    location / { proxy_pass http://two; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
  }"
fi
cat >"$tmp/nginx/nginx.conf" <<CONF
daemon off;
worker_processes auto;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events {}
http {
  access_log off;
  default_type application/json;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $tmp/nginx/www;
  }$lb
}
CONF
"$nginx_bin" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" &
nginx_pid=$!
wait_for "http://127.0.0.1:$nginx_port/record.json" "$nginx_pid" 10 || {
  tail -5 "$tmp/nginx/error.log" >&2
  die "nginx did not start"
}

# The requests as wrk scripts: they hold the session, so they stay in $tmp
# (0600) rather than on wrk's command line, where ps would show them.
cat >"$tmp/get.lua" <<LUA
wrk.headers["Cookie"] = "$cookie"
LUA
cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Cookie"] = "$cookie"
wrk.headers["X-CSRF-Token"] = "$csrf"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$note'
LUA
if [ "$pg" = 1 ]; then
  cat >"$tmp/tget.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $token"
LUA
  cat >"$tmp/tpost.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$note'
LUA
fi
# through PORT: both requests through the balancer on PORT once, with the token.
through() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$1/api/v1/children/$child")
  [ "$code" = 200 ] || die "GET through nginx with the token answered $code, not 200"
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "$note" "http://127.0.0.1:$1/api/v1/commands/case_note")
  [ "$code" = 201 ] || die "POST through nginx with the token answered $code, not 201"
}

# --- the runs ----------------------------------------------------------------
# Runs wrk (64 connections, 2 threads) and prints one report line: LABEL,
# then requests/s, p50 and p99 in ms, non-2xx responses and socket errors.
errors=0
measure() {
  local label=$1 out
  shift
  out=$(wrk -t2 -c64 -d"${duration}s" --latency "$@")
  kill -0 "$cw_pid" 2>/dev/null || die "caseward serve stopped during the run"
  [ -z "$cw2_pid" ] || kill -0 "$cw2_pid" 2>/dev/null ||
    die "the second caseward serve stopped during the run"
  kill -0 "$nginx_pid" 2>/dev/null || die "nginx stopped during the run"
  printf '%s\n' "$out" | awk -v label="$label" '
    function ms(t) {          # wrk prints 812.00us, 1.23ms, 2.01s, 1.50m
      if (t ~ /us$/) return t / 1000
      if (t ~ /ms$/) return t + 0
      if (t ~ /m$/) return t * 60000
      if (t ~ /s$/) return t * 1000
      return t
    }
    /^ *50%/ { p50 = ms($2) }
    /^ *99%/ { p99 = ms($2) }
    /^Requests\/sec:/ { rps = $2 }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { sub(/^ *Socket errors: */, ""); sock = $0 }
    END {
      printf "%s\t%.0f\t%.2f\t%.2f\t%d\t%s\n", label, rps, p50, p99, bad + 0, sock
    }' | tee -a "${summary:-/dev/null}"
}

# Each write is fsync'd, so the file system matters: name it.
if [ "$pg" = 1 ]; then
  # The server's data directory (a superuser may ask), else only that it is PostgreSQL.
  datadir=$(psql_db 'SHOW data_directory' 2>/dev/null || true)
  fs="PostgreSQL"
  [ -z "$datadir" ] || fs="PostgreSQL, its data on $(df --output=fstype "$datadir" 2>/dev/null | tail -1 || echo unknown)"
else
  fs=$(df --output=fstype "$db" 2>/dev/null | tail -1 || echo unknown)
fi
# Unmeasured first: 2 s of GETs on each server, so that every server has opened the readers
# its 64 connections need (one database connection each on PostgreSQL, which takes longer to
# open than a SQLite handle) before the figures are taken.
wrk -t2 -c64 -d2s -s "$tmp/get.lua" "$cw/api/v1/children/$child" >/dev/null
echo "http_bench: measuring, $duration s each (the council is on $fs)"
static=$(measure nginx "http://127.0.0.1:$nginx_port/record.json")
get=$(measure get -s "$tmp/get.lua" "$cw/api/v1/children/$child")
post=$(measure post -s "$tmp/post.lua" "$cw/api/v1/commands/case_note")
rss_end=$(rss_mib VmRSS)
hwm=$(rss_mib VmHWM)
if [ "$pg" = 1 ]; then
  through "$lb1_port"
  get1=$(measure get1 -s "$tmp/tget.lua" "http://127.0.0.1:$lb1_port/api/v1/children/$child")
  post1=$(measure post1 -s "$tmp/tpost.lua" "http://127.0.0.1:$lb1_port/api/v1/commands/case_note")
  # The second server on the same database, warmed as the first was.
  "$bin" serve --db "$db" --listen "127.0.0.1:$cw2_port" --max-per-address 0 2>"$tmp/serve2.log" &
  cw2_pid=$!
  wait_for "http://127.0.0.1:$cw2_port/healthz" "$cw2_pid" 300 || {
    tail -5 "$tmp/serve2.log" >&2
    die "the second caseward serve did not answer /healthz"
  }
  rss2_start=$(rss_mib VmRSS "$cw2_pid")
  wrk -t2 -c64 -d2s -s "$tmp/tget.lua" "http://127.0.0.1:$cw2_port/api/v1/children/$child" >/dev/null
  through "$lb2_port"
  get2=$(measure get2 -s "$tmp/tget.lua" "http://127.0.0.1:$lb2_port/api/v1/children/$child")
  post2=$(measure post2 -s "$tmp/tpost.lua" "http://127.0.0.1:$lb2_port/api/v1/commands/case_note")
  rss1_end=$(rss_mib VmRSS)
  hwm1=$(rss_mib VmHWM)
  rss2_end=$(rss_mib VmRSS "$cw2_pid")
  hwm2=$(rss_mib VmHWM "$cw2_pid")
  # What each server says of the log (a server that found it failing refuses every write).
  health1=$(curl -s "$cw/healthz" || true)
  health2=$(curl -s "http://127.0.0.1:$cw2_port/healthz" || true)
  # The log both servers appended to, whole: stop them (each finishes its writes), verify.
  stop "$cw_pid"
  cw_pid=
  stop "$cw2_pid"
  cw2_pid=
  entries=$(psql_db 'SELECT count(*) FROM entries')
  if "$bin" verify --db "$db" >"$tmp/verify.log" 2>&1; then
    verified="passed ($entries entries)"
  else
    verified="FAILED ($entries entries): $(tail -3 "$tmp/verify.log" | tr '\n' ' ')"
  fi
fi

# --- the report --------------------------------------------------------------
# Prints a result line; $1 is measure's output, $2 the name, $3 the suffix.
line() {
  local rps p50 p99 bad sock
  IFS=$'\t' read -r _ rps p50 p99 bad sock <<<"$1"
  printf '  %-32s %7s req/s  p50 %6s ms  p99 %6s ms%s\n' "$2" "$rps" "$p50" "$p99" "$3"
  if [ "$bad" -gt 0 ]; then
    echo "    ERRORS: $bad responses were not 2xx or 3xx; these figures measured errors"
    errors=1
  fi
  [ -z "$sock" ] || echo "    socket errors: $sock"
}
field() { cut -f"$2" <<<"$1"; }
# What the servers answered other than 2xx and 3xx, by status, from their access logs.
statuses() {
  cat "$tmp"/serve*.log 2>/dev/null | grep -o '"status":[0-9]*' | cut -d: -f2 | grep -v '^[23]' |
    sort | uniq -c | awk '{ printf "%s%s x %s", (NR > 1 ? ", " : ""), $2, $1 }'
}
ratio=$(awk -v a="$(field "$get" 2)" -v b="$(field "$static" 2)" \
  'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
# "met" or "NOT met": whether the awk condition $1 holds.
met() {
  if awk "BEGIN { exit !($1) }"; then echo met; else echo "NOT met"; fi
}

echo
backend=SQLite
[ "$pg" = 0 ] || backend=PostgreSQL
echo "http, $backend ($children children, 64 connections, 2 wrk threads, $duration s each)"
line "$static" "nginx static file ($size bytes)" ""
line "$get" "caseward GET child record" "  ratio $ratio (target >= 0.5)"
line "$post" "caseward POST case_note" "  (p99 target < 10 ms)"
echo "  caseward server memory: RSS $rss_end MiB after the runs (VmHWM $hwm MiB;" \
  "$rss_start MiB when started)"
echo "  targets: GET >= 0.5 x nginx $(met "$ratio >= 0.5"); p99 < 10 ms" \
  "GET $(met "$(field "$get" 4) < 10"), POST $(met "$(field "$post" 4) < 10")"
if [ "$pg" = 1 ]; then
  echo "behind nginx (proxy, keepalive to the servers), signed in with an API token"
  line "$get1" "GET child record, 1 server" ""
  line "$post1" "POST case_note, 1 server" ""
  line "$get2" "GET child record, 2 servers" "  ($(awk -v a="$(field "$get2" 2)" \
    -v b="$(field "$get1" 2)" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') x 1 server)"
  line "$post2" "POST case_note, 2 servers" "  ($(awk -v a="$(field "$post2" 2)" \
    -v b="$(field "$post1" 2)" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') x 1 server)"
  echo "  server 1 memory: RSS $rss1_end MiB after the runs (VmHWM $hwm1 MiB; $rss_start MiB when started)"
  echo "  server 2 memory: RSS $rss2_end MiB after the runs (VmHWM $hwm2 MiB; $rss2_start MiB when started)"
  for h in "1 $health1" "2 $health2"; do
    case ${h#* } in
      *'"status":"ok"'*) ;;
      *) echo "  server ${h%% *} /healthz: ${h#* }"; errors=1 ;;
    esac
  done
  echo "  caseward verify --db of the log both appended to: $verified"
  case $verified in passed*) ;; *) errors=1 ;; esac
fi
if [ "$errors" != 0 ]; then
  echo "  the servers answered: $(statuses) (besides 2xx and 3xx; the rest were wrk's timeouts)"
  exit 1
fi
