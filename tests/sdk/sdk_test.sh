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
SKIP=77

skip() {
  echo "SKIP: $*"
  exit "$SKIP"
}

# Node comes from outside Debian's base install (Debian 12 ships nodejs 18 and npm as separate packages;
# this machine has NodeSource's nodejs, which conflicts with Debian's npm), so it is not a hard dependency.
command -v node >/dev/null 2>&1 || skip "node not found (install nodejs >= 18 and npm to run the SDK test)"
command -v npm >/dev/null 2>&1 || skip "npm not found (install npm to run the SDK test)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 18 ] || skip "node $(node --version) is too old: the SDK needs fetch (node >= 18)"

# ---- install the pinned SDK (skipped when the same lock file was already installed) ----
mkdir -p "$WORK"
cp "$HERE/package.json" "$HERE/package-lock.json" "$HERE/sdk_test.mjs" "$WORK/"
stamp="$WORK/node_modules/.trex-lock-stamp"
if ! [ -f "$stamp" ] || ! cmp -s "$stamp" "$HERE/package-lock.json"; then
  echo "installing @styra/opa from the npm registry into $WORK"
  # --prefer-offline: use npm's cache without revalidating, so a warm cache needs no network at all.
  if ! (cd "$WORK" && timeout 300 npm ci --prefer-offline --no-audit --no-fund --loglevel=error) >"$WORK/npm.log" 2>&1; then
    cat "$WORK/npm.log"
    if grep -qE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network|socket hang up|getaddrinfo' "$WORK/npm.log"; then
      skip "cannot reach the npm registry to install @styra/opa (no network?); see the npm output above"
    fi
    echo "FAIL: npm ci failed (not a network error; see above)"
    exit 1
  fi
  cp "$HERE/package-lock.json" "$stamp"
fi

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
