# lib.sh — what the benchmark scripts share. A script sets BENCH_NAME (its name in messages)
# and sources this file:
#   BENCH_NAME=soak
#   . "$(dirname "$0")/lib.sh"

# usage: the script's own "Usage:" comment block, then exit 2.
usage() {
  sed -n 's/^# \{0,1\}//; /^Usage:/,/^$/p' "$0" | sed '$d' >&2
  exit 2
}
die() {
  echo "$BENCH_NAME: $*" >&2
  exit 1
}

# A free loopback port near $1: nothing answers a connection to it.
free_port() {
  local p
  for ((p = $1; p < $1 + 200; p++)); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  die "no free port from $1"
}

# Waits until URL answers 200, while process $2 lives (up to $3 seconds).
wait_for() {
  local url=$1 pid=$2 secs=$3 i
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)" = 200 ] && return 0
    sleep 0.1
  done
  return 1
}
