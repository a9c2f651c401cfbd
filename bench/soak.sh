#!/usr/bin/env bash
# The soak (make soak): wrk for minutes against `caseward serve` on a demo council, with a
# mixed read/write profile, the server's memory and answers sampled as it runs. It fails
# (exit 1) on any answer that is not 2xx, a socket error, a server that stops, or memory that
# keeps growing after warm-up.
#
# Each request is chosen at random, per request, by one wrk script (signed in as the head of
# service, who may read and record on every child):
#   30%  GET  /api/v1/children/{id}            a child's record (each read is recorded in the
#                                              log: a record_accessed entry, by design)
#   10%  GET  /api/v1/children/{id}/chronology  (recorded too)
#   10%  GET  /api/v1/children?limit=100        the children list, a page
#   10%  GET  /api/v1/teams/{team}/caseload     a team's caseload (the manager's dashboard)
#    5%  GET  /api/v1/overdue                   overdue work across the council
#    5%  GET  /api/v1/signals                   safeguarding signals across the council
#    2%  GET  /api/v1/measures                  the performance measures (at most two are
#                                              computed at once: the rest wait their turn)
#   18%  POST /api/v1/commands/case_note        a write
#   10%  POST /api/v1/commands/statutory_visit  a write
# on children with open cases (up to 500 of them) and every team.
#
# Every SAMPLE seconds (more when the machine is busy: the time column is the real one) it
# prints a line: time, the server's VmRSS, split into RssAnon (its heap and stacks: what a
# leak grows) and RssFile (the program, its libraries and files it maps: pages the kernel
# may drop and read again, so VmRSS goes down as well as up), requests/s and error answers
# (4xx and 5xx) in the interval (from the server's /metrics, whose own requests are counted
# too), and the entries in the log. At the end, the answers by status as wrk saw them.
#
# The memory bound is on RssAnon: with the first third of the run as warm-up (the threads
# and the pool of database connections open, their caches fill), the largest RssAnon of the
# last third must not exceed the largest of the first third x 1.25 + 48 MiB. What may still
# grow after warm-up without being a leak: SQLite's page caches (store_sqlite.c: up to 64 MiB
# for each connection, the writer's and each pooled reader's, one reader per request in
# flight), which keep filling slowly because the file grows all through the run (every look
# at a record appends an entry, by design), and malloc's per-thread arenas. On the runs
# measured for issue 18 (500 and 1000 children, 90-120 s, 32 connections, on a busy
# machine) RssAnon rose 16-64 MiB after the first third, within the bound. A leak grows
# with the requests, without end: at 300 requests/s, 1 KiB a request is 59 MiB in 200 s.
# The caches' ceiling is far above the bound (64 MiB x up to 64 pooled readers), so a long
# run on a large council can exceed the bound without a leak: the table shows whether the
# growth is levelling off (caches) or steady (a leak).
#
# Usage: bench/soak.sh BUILD_DIR [--seconds N] [--children N] [--connections N]
#                      [--threads N] [--sample N]
#   BUILD_DIR        holds the caseward binary (a Release or RelWithDebInfo build)
#   --seconds N      how long wrk runs (default 300)
#   --children N     the demo council's size (default 1000; made with --seed 1)
#   --connections N  wrk's connections (default 32)
#   --threads N      wrk's threads (default 2)
#   --sample N       seconds between samples (default 5)
# Needs wrk and curl (scripts/install-deps --bench). Prints no response bodies.
set -euo pipefail

BENCH_NAME=soak
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || usage
build=$1
shift
seconds=300
children=1000
connections=32
threads=2
sample=5
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=${2:?}; shift 2 ;;
    --children) children=${2:?}; shift 2 ;;
    --connections) connections=${2:?}; shift 2 ;;
    --threads) threads=${2:?}; shift 2 ;;
    --sample) sample=${2:?}; shift 2 ;;
    *) usage ;;
  esac
done
for n in "$seconds" "$children" "$connections" "$threads" "$sample"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "not a positive number: $n"
done
[ "$seconds" -ge $((3 * sample)) ] || die "--seconds must be at least three samples"
bin=$build/caseward
[ -x "$bin" ] || die "no caseward binary in $build (build it first)"
for tool in wrk curl; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/install-deps --bench)"
done
if ldd "$bin" 2>/dev/null | grep -q 'libasan'; then
  echo "soak: WARNING: $bin is built with AddressSanitizer (CW_SANITIZE=ON): its memory" \
    "and rates are not the server's" >&2
fi

# Everything this run makes lives in one private directory: the council, the wrk script
# (it holds the session) and the server's log.
umask 077
tmp=$(mktemp -d "${TMPDIR:-/tmp}/caseward-soak.XXXXXX")
cw_pid=
wrk_pid=
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
  stop "$wrk_pid"
  stop "$cw_pid"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the council and the server ------------------------------------------------
password="soak password 123"
db=$tmp/council/caseward.db
mkdir "$tmp/council"
echo "soak: creating a demo council of $children children (seed 1)"
"$bin" demo --db "$db" --children "$children" --seed 1 --accounts "$password" \
  >"$tmp/demo.log" 2>&1 || { tail -5 "$tmp/demo.log" >&2; die "caseward demo failed"; }

port=$(free_port $((19000 + $$ % 1000)))
cw=http://127.0.0.1:$port
# The access log (a line per request) would be hundreds of MB over a long run: keep only
# the lines of answers that were not 2xx, took a second or more, or were abandoned by wrk
# (its timeout), and whatever else the server says.
# wrk's connections all come from 127.0.0.1: no limit per address (as behind a proxy).
"$bin" serve --db "$db" --listen "127.0.0.1:$port" --max-per-address 0 \
  2> >(grep --line-buffered -v -E '"status":2[0-9][0-9],"ms":[0-9]{1,3}\.[0-9]+,"bytes":[0-9]+}$' \
    >"$tmp/serve.log") &
cw_pid=$!
wait_for "$cw/healthz" "$cw_pid" 300 || {
  tail -5 "$tmp/serve.log" >&2
  die "caseward serve did not answer /healthz"
}

login=$(curl -s -D "$tmp/login.headers" -H 'Content-Type: application/json' \
  -d "{\"username\":\"head.of.service\",\"password\":\"$password\"}" "$cw/api/v1/session" ||
  true)
session=$(sed -n 's/^Set-Cookie: cw_session=\([^;]*\);.*/\1/Ip' "$tmp/login.headers" | tr -d '\r')
csrf=$(printf '%s' "$login" | sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
if [ -z "$session" ] || [ -z "$csrf" ]; then
  die "cannot sign in as head.of.service"
fi
cookie="cw_session=$session"

# The children with open cases (up to 500) and the teams, as Lua lists.
curl -sf -o "$tmp/children.json" -H "Cookie: $cookie" "$cw/api/v1/children?limit=5000" ||
  die "GET /api/v1/children failed"
kids=$(grep -o '"child_id":"[^"]*"[^}]*"case_status":"open"' "$tmp/children.json" |
  sed 's/^"child_id":"\([^"]*\)".*/"\1"/' | head -500 | paste -sd, || true)
[ -n "$kids" ] || die "GET /api/v1/children listed no open case"
curl -sf -o "$tmp/teams.json" -H "Cookie: $cookie" "$cw/api/v1/teams" ||
  die "GET /api/v1/teams failed"
teams=$(grep -o '"team_id":"[^"]*"' "$tmp/teams.json" | cut -d'"' -f4 | sort -u |
  sed 's/.*/"&"/' | paste -sd, || true)
[ -n "$teams" ] || die "GET /api/v1/teams listed no team"
rm -f "$tmp/children.json" "$tmp/teams.json"
today=$(date -u +%F)

cat >"$tmp/soak.lua" <<LUA
local kids = {$kids}
local teams = {$teams}
local cookie = "$cookie"
local csrf = "$csrf"
local today = "$today"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  math.randomseed(os.time() * 100 + id)
  statuses = {}
  wrk.headers["Cookie"] = cookie
end

local function get(path)
  return wrk.format("GET", path, {["Cookie"] = cookie})
end

local function post(kind, body)
  return wrk.format("POST", "/api/v1/commands/" .. kind, {
    ["Cookie"] = cookie, ["X-CSRF-Token"] = csrf, ["Content-Type"] = "application/json"
  }, body)
end

local n = 0
function request()
  n = n + 1
  local kid = kids[math.random(#kids)]
  local r = math.random(100)
  if r <= 30 then
    return get("/api/v1/children/" .. kid)
  elseif r <= 40 then
    return get("/api/v1/children/" .. kid .. "/chronology")
  elseif r <= 50 then
    return get("/api/v1/children?limit=100&after=" .. kids[math.random(#kids)])
  elseif r <= 60 then
    return get("/api/v1/teams/" .. teams[math.random(#teams)] .. "/caseload")
  elseif r <= 65 then
    return get("/api/v1/overdue")
  elseif r <= 70 then
    return get("/api/v1/signals")
  elseif r <= 72 then
    return get("/api/v1/measures")
  elseif r <= 90 then
    return post("case_note", '{"child_id":"' .. kid .. '","date":"' .. today ..
      '","text":"Soak note ' .. n .. '."}')
  else
    return post("statutory_visit", '{"child_id":"' .. kid .. '","date":"' .. today ..
      '","seen":true,"seen_alone":true,"location":"home","views":"Soak visit ' .. n .. '."}')
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for status, count in pairs(t:get("statuses")) do
      all[status] = (all[status] or 0) + count
    end
  end
  local keys = {}
  for status in pairs(all) do table.insert(keys, status) end
  table.sort(keys)
  for _, status in ipairs(keys) do
    io.write(string.format("status %d %d\n", status, all[status]))
  end
  local e = summary.errors
  io.write(string.format("socket %d %d %d %d %d\n", e.connect, e.read, e.write, e.timeout,
    e.status))
  io.write(string.format("latency %.2f %.2f %.2f\n", latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
LUA

# Check the profile's kinds of request once each before the run: a mistake in the script
# would otherwise show as thousands of errors.
kid1=${kids%%,*}
kid1=${kid1//\"/}
team1=${teams%%,*}
team1=${team1//\"/}
for path in "children/$kid1" "children/$kid1/chronology" "children?limit=100" \
  "teams/$team1/caseload" overdue signals measures; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$cw/api/v1/$path")
  [ "$code" = 200 ] || die "GET /api/v1/${path%%\?*} answered $code, not 200"
done
for body in "case_note {\"child_id\":\"$kid1\",\"date\":\"$today\",\"text\":\"Soak note.\"}" \
  "statutory_visit {\"child_id\":\"$kid1\",\"date\":\"$today\",\"seen\":true,\"seen_alone\":true,\"location\":\"home\",\"views\":\"Soak visit.\"}"; do
  code=$(curl -s -o "$tmp/answer" -w '%{http_code}' -H "Cookie: $cookie" \
    -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -d "${body#* }" \
    "$cw/api/v1/commands/${body%% *}")
  [ "$code" = 201 ] || die "POST /api/v1/commands/${body%% *} answered $code, not 201:" \
    "$(grep -o '"message":"[^"]*"' "$tmp/answer" || true)"
done
rm -f "$tmp/answer"

# --- the run -------------------------------------------------------------------
# A process's memory in MiB: mib FIELD (VmRSS, RssAnon, RssFile, VmHWM).
mib() { awk -v k="$1:" '$1 == k { printf "%.0f", $2 / 1024 }' "/proc/$cw_pid/status"; }
# The server's counters: 2xx, 4xx and 5xx answers so far, and the log's entries.
metrics() {
  curl -sf "$cw/metrics" | awk '
    index($1, "caseward_http_requests_total{class=\"2xx\"}") == 1 { ok = $2 }
    index($1, "caseward_http_requests_total{class=\"4xx\"}") == 1 { bad += $2 }
    index($1, "caseward_http_requests_total{class=\"5xx\"}") == 1 { bad += $2 }
    $1 == "caseward_log_entries" { entries = $2 }
    END { printf "%d %d %d\n", ok, bad, entries }'
}

echo "soak: $seconds s of wrk, $connections connections, $threads threads, on $children" \
  "children (the council is on $(df --output=fstype "$db" | tail -1)); a line every $sample s"
read -r ok0 bad0 entries0 < <(metrics)
rss0=$(mib VmRSS)
anon0=$(mib RssAnon)
wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s -s "$tmp/soak.lua" "$cw" \
  >"$tmp/wrk.out" 2>&1 &
wrk_pid=$!
printf '%8s %8s %8s %8s %9s %7s %9s\n' "time s" "RSS MiB" "anon" "file" "req/s" \
  "errors" "entries"
printf '%8d %8d %8d %8d %9s %7s %9d\n' 0 "$rss0" "$anon0" "$(mib RssFile)" - - "$entries0"
start=$(date +%s.%N)
last_ok=$ok0
last_bad=$bad0
last_t=$start
samples=$tmp/samples # time, RssAnon
: >"$samples"
died=0
while kill -0 "$wrk_pid" 2>/dev/null; do
  sleep "$sample"
  kill -0 "$cw_pid" 2>/dev/null || { died=1; break; }
  kill -0 "$wrk_pid" 2>/dev/null || break
  now=$(date +%s.%N)
  read -r ok bad entries < <(metrics) || { ok=$last_ok; bad=$last_bad; entries=0; }
  rss=$(mib VmRSS)
  anon=$(mib RssAnon)
  t=$(awk -v a="$now" -v b="$start" 'BEGIN { printf "%d", a - b + 0.5 }')
  rate=$(awk -v n=$((ok + bad - last_ok - last_bad)) -v a="$now" -v b="$last_t" \
    'BEGIN { printf "%.0f", n / (a - b) }')
  printf '%8d %8d %8d %8d %9s %7d %9d\n' "$t" "$rss" "$anon" "$(mib RssFile)" "$rate" \
    $((bad - last_bad)) "$entries"
  echo "$t $anon" >>"$samples"
  last_ok=$ok
  last_bad=$bad
  last_t=$now
done
wait "$wrk_pid" || true
wrk_pid=
if [ "$died" != 0 ] || ! kill -0 "$cw_pid" 2>/dev/null; then
  tail -5 "$tmp/serve.log" >&2
  die "caseward serve stopped during the run"
fi
# The memory as the run ended, so that the last third always has a sample.
anon=$(mib RssAnon)
echo "$seconds $anon" >>"$samples"
printf '%8s %8d %8d %8d %9s %7s %9s\n' end "$(mib VmRSS)" "$anon" "$(mib RssFile)" - - -

# --- the verdict ---------------------------------------------------------------
read -r ok bad entries < <(metrics)
hwm=$(mib VmHWM)
health=$(curl -s "$cw/healthz" || true)
echo
echo "soak: $((ok + bad - ok0 - bad0)) requests answered, $((entries - entries0)) entries" \
  "appended; VmRSS $(mib VmRSS) MiB at the end ($rss0 MiB before the run, VmHWM $hwm MiB)"
awk '/^latency/ { printf "  latency: p50 %s ms, p99 %s ms, max %s ms\n", $2, $3, $4 }' \
  "$tmp/wrk.out"
awk '/^Requests\/sec:/ { printf "  wrk: %s requests/s over the run\n", $2 }' "$tmp/wrk.out"
echo "  answers by status (wrk):"
awk '/^status / { printf "    %s x %s\n", $2, $3 }' "$tmp/wrk.out"
fail=0
if ! grep -q '^status ' "$tmp/wrk.out"; then
  echo "  wrk reported nothing:"
  sed 's/^/    /' "$tmp/wrk.out"
  fail=1
fi
bad_answers=$(awk '/^status / && ($2 < 200 || $2 > 299) { n += $3 } END { print n + 0 }' \
  "$tmp/wrk.out")
# The server's own count as well: an answer to a request wrk had given up on (its timeout)
# reaches no Lua script, but it is in /metrics and in the server's log.
server_bad=$((bad - bad0))
if [ "$bad_answers" -gt 0 ] || [ "$server_bad" -gt 0 ]; then
  echo "  ERRORS: $bad_answers answers to wrk were not 2xx ($server_bad 4xx and 5xx by the" \
    "server's count); the server's log of them (routes only):"
  grep -o '"route":"[^"]*","status":[0-9]*' "$tmp/serve.log" | grep -v '"status":2' |
    sort | uniq -c | sort -rn | head -10 | sed 's/^/    /'
  fail=1
fi
read -r _ conn rd wr to _ < <(grep '^socket ' "$tmp/wrk.out" || echo "socket 0 0 0 0 0")
if [ $((conn + rd + wr + to)) -gt 0 ]; then
  echo "  ERRORS: socket errors: connect $conn, read $rd, write $wr, timeout $to (no answer" \
    "within 10 s)"
  fail=1
fi
# The slow answers (a second or more), by route, from the server's log: where the time went.
slow=$(grep '"status":' "$tmp/serve.log" | awk -F'"route":"|","status":|,"ms":|,"bytes":' '
  $4 + 0 >= 1000 { n[$2]++; if ($4 + 0 > max[$2]) max[$2] = $4 + 0 }
  END { for (r in n) printf "%6d x %-45s (longest %.1f s)\n", n[r], r, max[r] / 1000 }' |
  sort -rn | head -10 || true) # none at all (grep finds no line) is no failure
if [ -n "$slow" ]; then
  echo "  answers that took 1 s or more, by route (the server's log):"
  while IFS= read -r line; do echo "  $line"; done <<<"$slow"
fi
case $health in
  *'"status":"ok"'*) ;;
  *) echo "  ERRORS: /healthz answered: $health"; fail=1 ;;
esac
# Anything else the server said (besides starting): an integrity failure, a writer's error.
said=$(grep -v -e '"status":' -e '^caseward: serving ' -e '^caseward: the web application ' \
  "$tmp/serve.log" | head -5 || true)
if [ -n "$said" ]; then
  echo "  the server said:"
  while IFS= read -r line; do echo "    $line"; done <<<"$said"
fi
# The memory bound (above): the first third's largest RssAnon against the last third's.
read -r first last bound < <(awk -v s="$seconds" '
  $1 <= s / 3 && $2 > f { f = $2 }
  $1 > 2 * s / 3 && $2 > l { l = $2 }
  END { printf "%d %d %d\n", f, l, f * 1.25 + 48 }' "$samples")
if [ "$last" -gt "$bound" ]; then
  echo "  MEMORY: RssAnon reached $last MiB in the last third, over the bound $bound MiB" \
    "(first third's largest $first MiB x 1.25 + 48)"
  fail=1
else
  echo "  memory: RssAnon's largest $last MiB in the last third, within the bound $bound MiB" \
    "(first third's largest $first MiB x 1.25 + 48)"
fi
if [ "$fail" != 0 ]; then
  echo "soak: FAILED"
  exit 1
fi
echo "soak: passed"
