#!/usr/bin/env bash
# OPA's JavaScript client SDK (@styra/opa, pinned by tests/sdk/package-lock.json) against a real trex server.
#
#   sdk_test.sh TREX WORKDIR
#
# Installs the SDK with `npm ci` into WORKDIR (a folder in the build tree: the source tree stays free of
# node_modules; npm's own cache in ~/.npm is used when it has the packages), starts `trex run --server` on a
# free loopback port with tests/sdk/policy, runs sdk_test.mjs against it and stops the server.
#
# Exit codes: 0 pass, 1 fail, 77 skipped (ctest SKIP_RETURN_CODE) when node/npm are missing or the npm
# registry cannot be reached. A skip always says why on stdout; it never counts as a pass.
set -uo pipefail

TREX=${1:?usage: sdk_test.sh TREX WORKDIR}
WORK=${2:?usage: sdk_test.sh TREX WORKDIR}
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../lib/npm_pinned.sh
source "$HERE/../lib/npm_pinned.sh"

require_node 18 "the SDK test (it needs fetch)"

# ---- install the pinned SDK ----
mkdir -p "$WORK"
cp "$HERE/package.json" "$HERE/package-lock.json" "$HERE/sdk_test.mjs" "$WORK/"
npm_ci_pinned "$WORK" "$HERE/package-lock.json" "@styra/opa"

# ---- start trex on a free port ----
# Port 0 lets the kernel choose; trex prints the bound port in its "Initializing server." log line (info).
LOG="$WORK/trex.log"
"$TREX" run --server --addr 127.0.0.1:0 --log-level info --log-format json "$HERE/policy" 2>"$LOG" &
TREX_PID=$!
cleanup() {
  kill "$TREX_PID" 2>/dev/null
  wait "$TREX_PID" 2>/dev/null
}
trap cleanup EXIT

port=""
for _ in $(seq 1 100); do
  port=$(grep -o '"port":[0-9]*' "$LOG" 2>/dev/null | head -n1 | cut -d: -f2)
  [ -n "$port" ] && break
  kill -0 "$TREX_PID" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "FAIL: trex did not start"
  cat "$LOG"
  exit 1
fi

(cd "$WORK" && node sdk_test.mjs "http://127.0.0.1:$port")
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "---- trex log ----"
  tail -n 50 "$LOG"
fi
exit "$rc"
