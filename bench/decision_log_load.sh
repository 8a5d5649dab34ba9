#!/usr/bin/env bash
# Decision-logging benchmark: agent decisions/s with logging off, with the HSM-signed log in `async` mode and
# in `sync` mode (each answer waits for its line and a covering signed checkpoint to be fsynced), in one run,
# against a throw-away SoftHSM2 token this script provisions. Also prints the token's signatures/s.
#
#   bench/decision_log_load.sh [BUILD_DIR]    # needs trex (and bench/trex_hsm_bench) built, wrk, softhsm2
#
# wrk POSTs one agent action (bench/load/agent-action.json) to /v1/agent/decide with the shipped policies
# (policies/) at full speed: $THREADS threads, $CONNS keep-alive connections, $DURATION seconds after a
# warm-up. Goal (issue 5): async >= 90% and sync >= 50% of the logging-off throughput. The machine's cores
# are shared by wrk and trex, so absolute numbers are low; the ratios are the point.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
BUILD=${1:-${BUILD_DIR:-$REPO/build}}
TREX="$BUILD/trex"
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-2}
THREADS=${THREADS:-2}
CONNS=${CONNS:-32}
PORT=${PORT:-28281}
[ -x "$TREX" ] || { echo "missing $TREX: build it first" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 2; }
[ -e /usr/lib/softhsm/libsofthsm2.so ] || { echo "SoftHSM2 not found (apt-get install softhsm2)" >&2; exit 2; }

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

mkdir -p "$WORK/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$WORK/tokens" >"$WORK/softhsm2.conf"
export SOFTHSM2_CONF="$WORK/softhsm2.conf" TREX_HSM_PIN=246810 TREX_HSM_SO_PIN=13579135
"$TREX" hsm init --token-label bench --key-label log >/dev/null

config() {  # $1 = off | async | sync
  [ "$1" = off ] && { echo "{}"; return; }
  cat <<YAML
decision_logs:
  signed_file: {path: "$WORK/log-$1", durability: $1, max_batch: 256, max_delay_ms: ${MAX_DELAY_MS:-5}}
  signing:
    pkcs11: {module: /usr/lib/softhsm/libsofthsm2.so, token_label: bench, key_label: log, pin_env: TREX_HSM_PIN}
YAML
}

run_mode() {  # prints "decisions/s p50_ms p99_ms"
  config "$1" >"$WORK/config-$1.yaml"
  "$TREX" run --server --addr "127.0.0.1:$PORT" --log-level error --config-file "$WORK/config-$1.yaml" \
    "$REPO/policies" >"$WORK/server-$1.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.05; done
  local url="http://127.0.0.1:$PORT/v1/agent/decide"
  BENCH_INPUT="$HERE/load/agent-action.json" wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" -s "$HERE/load/post.lua" "$url" >/dev/null
  BENCH_INPUT="$HERE/load/agent-action.json" wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$HERE/load/post.lua" "$url" >"$WORK/wrk-$1.txt"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk-$1.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk-$1.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk-$1.txt")
  local non2xx
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$WORK/wrk-$1.txt")
  echo "$rps $p50 $p99 ${non2xx:-0}"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $THREADS wrk threads, $CONNS connections, ${DURATION}s per mode"
declare -A R
for mode in off async sync; do R[$mode]=$(run_mode "$mode"); done
for mode in async sync; do
  if [ -d "$WORK/log-$mode" ]; then
    "$TREX" hsm pubkey --token-label bench --key-label log >"$WORK/pub.pem"
    echo "log-$mode: $("$TREX" log verify --public-key "$WORK/pub.pem" "$WORK/log-$mode" | tail -1)"
  fi
done
off=$(echo "${R[off]}" | cut -d' ' -f1)
printf '%-8s %12s %10s %10s %8s %8s\n' mode decisions/s p50 p99 non-2xx "vs off"
for mode in off async sync; do
  read -r rps p50 p99 bad <<<"${R[$mode]}"
  printf '%-8s %12s %10s %10s %8s %7.0f%%\n' "$mode" "$rps" "$p50" "$p99" "$bad" "$(echo "100 * $rps / $off" | bc -l)"
done
if [ -x "$BUILD/bench/trex_hsm_bench" ]; then
  echo "token signatures/s (trex_hsm_bench):"
  "$BUILD/bench/trex_hsm_bench" 2000 2>/dev/null | grep -i -E "sign" | head -3
fi
