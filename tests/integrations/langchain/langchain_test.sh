#!/usr/bin/env bash
# The LangChain JS integration (integrations/langchain) in a LangChain agent loop against a real trex server.
#
#   langchain_test.sh TREX WORKDIR
#
# Copies the package (package.json, the pinned package-lock.json, src/) and langchain_test.mjs into WORKDIR
# (a folder in the build tree: the source tree stays free of node_modules), installs @langchain/core from
# the npm registry with `npm ci` (npm's cache in ~/.npm is used when it has the packages), and runs the test,
# which starts `trex run --server` itself on a free loopback port with the shipped policies.
#
# Exit codes: 0 pass, 1 fail, 77 skipped (ctest SKIP_RETURN_CODE) when node/npm are missing or the npm
# registry cannot be reached. A skip always says why on stdout; it never counts as a pass.
set -uo pipefail

TREX=${1:?usage: langchain_test.sh TREX WORKDIR}
WORK=${2:?usage: langchain_test.sh TREX WORKDIR}
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
PKG="$ROOT/integrations/langchain"
SKIP=77
# The test runs from WORK: name the binary absolutely.
[ -x "$TREX" ] || { echo "FAIL: $TREX is not an executable"; exit 1; }
TREX="$(cd "$(dirname "$TREX")" && pwd)/$(basename "$TREX")"

skip() {
  echo "SKIP: $*"
  exit "$SKIP"
}

# Node comes from outside Debian's base install (see tests/sdk/sdk_test.sh), so it is not a hard dependency.
command -v node >/dev/null 2>&1 || skip "node not found (install nodejs >= 20 and npm to run the LangChain test)"
command -v npm >/dev/null 2>&1 || skip "npm not found (install npm to run the LangChain test)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || skip "node $(node --version) is too old: @langchain/core 1.x needs node >= 20"

# ---- the package and the test, then the pinned dependencies (skipped when this lock file is installed) ----
mkdir -p "$WORK"
rm -rf "$WORK/src"
cp -R "$PKG/src" "$WORK/src"
cp "$PKG/package.json" "$PKG/package-lock.json" "$HERE/langchain_test.mjs" "$WORK/"
stamp="$WORK/node_modules/.trex-lock-stamp"
if ! [ -f "$stamp" ] || ! cmp -s "$stamp" "$PKG/package-lock.json"; then
  echo "installing @langchain/core from the npm registry into $WORK"
  # --prefer-offline: use npm's cache without revalidating, so a warm cache needs no network at all.
  if ! (cd "$WORK" && timeout 300 npm ci --prefer-offline --no-audit --no-fund --loglevel=error) >"$WORK/npm.log" 2>&1; then
    cat "$WORK/npm.log"
    if grep -qE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network|socket hang up|getaddrinfo' "$WORK/npm.log"; then
      skip "cannot reach the npm registry to install @langchain/core (no network?); see the npm output above"
    fi
    echo "FAIL: npm ci failed (not a network error; see above)"
    exit 1
  fi
  cp "$PKG/package-lock.json" "$stamp"
fi

cd "$WORK" && exec node langchain_test.mjs "$TREX" "$ROOT/policies"
