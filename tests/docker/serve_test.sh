#!/usr/bin/env bash
# The container's entrypoint and runtime stage, checked without a Docker engine (none runs on CI machines):
#   1. every shared library of the trex binary comes from a package docker/runtime-packages.txt installs;
#   2. the Dockerfile builds with scripts/install-deps.sh and starts scripts/serve.sh;
#   3. scripts/serve.sh itself, run as the image runs it: it provisions a SoftHSM2 token in a fresh state
#      directory, serves the shipped policies, signs decisions; `trex log verify` accepts the log.
# Usage: serve_test.sh TREX_BINARY
set -uo pipefail
TREX="$1"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }

# 1. runtime libraries
PKGS=$(grep -v '^#' "$ROOT/docker/runtime-packages.txt")
for lib in $(ldd "$TREX" | awk '/=>/ {print $3}'); do
  pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -1 | cut -d: -f1)
  [ -z "$pkg" ] && pkg=$(dpkg -S "$lib" 2>/dev/null | head -1 | cut -d: -f1)
  if [ -z "$pkg" ]; then fail "no package owns $lib"; continue; fi
  if ! grep -qx "$pkg" <<<"$PKGS"; then fail "$lib comes from $pkg, missing from docker/runtime-packages.txt"; fi
done
[ "$FAILS" -eq 0 ] && pass "every shared library of trex is installed by the runtime stage"

# 2. the Dockerfile uses the scripts CI runs
grep -q 'bash scripts/install-deps.sh' "$ROOT/docker/Dockerfile" || fail "Dockerfile does not build with scripts/install-deps.sh"
grep -q 'serve.sh' "$ROOT/docker/Dockerfile" || fail "Dockerfile does not start scripts/serve.sh"
grep -q 'runtime-packages.txt' "$ROOT/docker/Dockerfile" || fail "Dockerfile does not install docker/runtime-packages.txt"

# 3. the entrypoint
if [ ! -e /usr/lib/softhsm/libsofthsm2.so ]; then
  echo "SKIP: SoftHSM2 not installed"; exit 77
fi
STATE=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'kill $PID 2>/dev/null; rm -rf "$STATE"' EXIT
(cd "$ROOT" && TREX_STATE="$STATE" TREX_BIN="$TREX" TREX_ADDR="127.0.0.1:$PORT" bash scripts/serve.sh policies/ \
   >"$STATE.out" 2>&1) &
PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
body=$(curl -s "http://127.0.0.1:$PORT/v1/agent/decide" -d @"$ROOT/bench/load/agent-action.json")
if grep -q '"allow":true' <<<"$body"; then pass "serve.sh serves the shipped policies"; else fail "decide: $body"; fi
[ "$(stat -c %a "$STATE/pin")" = "600" ] && pass "generated PIN file is 0600" || fail "PIN file mode $(stat -c %a "$STATE/pin")"
kill -TERM "$PID"; wait "$PID" 2>/dev/null
if "$TREX" log verify --public-key "$STATE/decision-log.pub.pem" "$STATE/decisions" >"$STATE/verify.out" 2>&1; then
  pass "the signed log verifies: $(tail -1 "$STATE/verify.out")"
else
  fail "log verify: $(cat "$STATE/verify.out")"
fi
if grep -q "$(cat "$STATE/pin")" "$STATE.out" "$STATE/config.yaml"; then fail "the PIN leaked into the output or config"; else pass "PIN not in output or config"; fi
rm -f "$STATE.out"
[ "$FAILS" -eq 0 ] || { echo "$FAILS failure(s)"; exit 1; }
