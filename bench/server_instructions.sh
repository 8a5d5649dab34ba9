#!/usr/bin/env bash
# Instructions per request of the servers of bench/server_load.sh, counted by callgrind: the no-op server,
# trex with a policy that decides nothing (bench/load/floor.rego) and trex with the benchmark's policy
# (bench/load/authz.rego). Unlike req/s on a shared machine, the counts are the same from run to run (within
# a fraction of a percent), so they show what a change to trex gains or loses.
#
#   bench/server_instructions.sh [BUILD_DIR]    # BUILD_DIR (or $BUILD_DIR) holds trex and bench/noop_server
#
# Builds nothing. Needs valgrind, wrk and curl. Each server runs under callgrind; wrk (1 thread, $CONNS
# keep-alive connections) warms it up for $WARMUP s, the counters are zeroed, wrk runs $DURATION s more, and
# the instructions of all the server's threads in that window are divided by the requests wrk completed.
# Counts are user-space instructions only: the kernel's share of a request (the sockets) is not in them.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
BUILD=${1:-${BUILD_DIR:-$REPO/build}}
DURATION=${DURATION:-4}
WARMUP=${WARMUP:-2}
CONNS=${CONNS:-4}
LOAD="$HERE/load"
command -v valgrind >/dev/null && command -v callgrind_control >/dev/null ||
  { echo "valgrind not found (apt-get install valgrind)" >&2; exit 2; }
OUT=$(mktemp -d)
RUN_PREFIX="valgrind --tool=callgrind --log-file=$OUT/valgrind.log --callgrind-out-file=$OUT/callgrind.out"
READY_TIMEOUT_S=60  # a server under valgrind starts tens of times slower
# shellcheck source=server_common.sh
source "$HERE/server_common.sh"
trap 'stop_server; rm -rf "$OUT"' EXIT

run_wrk() { wrk -t1 -c"$CONNS" -d"$1s" -s "$LOAD/post.lua" "$URL" | sed -n 's/^RESULT requests=\([0-9]*\).*/\1/p'; }

# count NAME: loads the running server for the measured window; prints NAME and instructions per request.
count() {
  local name=$1 requests total=0 n
  run_wrk "$WARMUP" >/dev/null
  rm -f "$OUT"/callgrind.out.*
  callgrind_control -z "$SERVER_PID" >/dev/null 2>&1
  requests=$(run_wrk "$DURATION")
  callgrind_control -d "$SERVER_PID" >/dev/null 2>&1
  # One dump file per dump (all threads together unless --separate-threads): add every file's total.
  for f in "$OUT"/callgrind.out.*; do
    n=$(sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$f" | head -1)
    total=$((total + ${n:-0}))
  done
  [ "${requests:-0}" -gt 0 ] || { echo "no requests completed for $name" >&2; exit 1; }
  printf '%-32s %8d requests %10d instructions/request\n' "$name" "$requests" $((total / requests))
  eval "INSTR_$2=$((total / requests))"
}

echo "server instructions per request (callgrind; wrk 1 thread, $CONNS connections, ${DURATION}s after ${WARMUP}s)"
start_noop
count "noop_server" noop
stop_server
start_trex "$LOAD/floor.rego"
check_decision
count "trex, floor.rego (no policy work)" floor
stop_server
start_trex
check_decision
count "trex, authz.rego (the benchmark)" authz
stop_server
awk -v n="$INSTR_noop" -v f="$INSTR_floor" -v a="$INSTR_authz" 'BEGIN {
  printf "trex over noop: %d before any rule (body, routing, response), %d evaluating authz.rego\n", f - n, a - f }'
