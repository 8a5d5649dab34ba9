# Sourced by bench/server_load.sh and bench/server_instructions.sh: the two servers of the server benchmarks
# (trex and bench/noop_server) started on one free loopback port, waited for, and stopped.
#
# Needs BUILD (holding trex and bench/noop_server) and LOAD (bench/load) set; sets TREX, NOOP, PORT, URL_PATH,
# URL and BENCH_INPUT. RUN_PREFIX (empty by default) goes before each server's command line, e.g. valgrind.

TREX="$BUILD/trex"
NOOP="$BUILD/bench/noop_server"
URL_PATH=/v1/data/authz/allow
export BENCH_INPUT="$LOAD/input.json"
RUN_PREFIX=${RUN_PREFIX:-}
READY_TIMEOUT_S=${READY_TIMEOUT_S:-10}

for bin in "$TREX" "$NOOP"; do
  [ -x "$bin" ] || { echo "missing $bin: build it first (ninja -C $BUILD trex noop_server)" >&2; exit 2; }
done
for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "$tool not found (apt-get install $tool)" >&2; exit 2; }
done

# A free loopback port, the same for both servers (a connect that is refused means nobody listens).
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -z "${PORT:-}" ]; then
  PORT=28181
  while ! port_free "$PORT"; do PORT=$((PORT + 1)); done
fi
URL="http://127.0.0.1:$PORT$URL_PATH"

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
trap stop_server EXIT

wait_ready() {  # until the server answers on $PORT ($READY_TIMEOUT_S seconds at most)
  for _ in $(seq 1 $((READY_TIMEOUT_S * 10))); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited" >&2; return 1; }
    sleep 0.1
  done
  echo "server not ready on port $PORT" >&2
  return 1
}

# Both servers run one event loop per core (trex has no setting for it; noop_server's default matches).
# start_trex [FILE...]: the policy and data files to serve (default: the benchmark's policy and data). The
# files, not the folder: bench/load also holds input.json and post.lua, which are not policy data.
start_trex() {
  [ $# -gt 0 ] || set -- "$LOAD/authz.rego" "$LOAD/data.json"
  $RUN_PREFIX "$TREX" run --server --addr "127.0.0.1:$PORT" --log-level error "$@" &
  SERVER_PID=$!
  wait_ready
}
start_noop() {
  $RUN_PREFIX "$NOOP" --addr "127.0.0.1:$PORT" >/dev/null &
  SERVER_PID=$!
  wait_ready
}

# The decision the server gives for the benchmark's request must be {"result":true} (a server that denies or
# fails would be measured doing something else).
check_decision() {
  local answer
  answer=$(curl -s -X POST -H 'Content-Type: application/json' --data-binary "@$BENCH_INPUT" "$URL")
  if [ "$answer" != '{"result":true}' ]; then
    echo "unexpected decision: $answer (want {\"result\":true})" >&2
    exit 1
  fi
}
