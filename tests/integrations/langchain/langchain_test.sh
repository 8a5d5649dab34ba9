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
# The test runs from WORK: name the binary absolutely.
[ -x "$TREX" ] || { echo "FAIL: $TREX is not an executable"; exit 1; }
TREX="$(cd "$(dirname "$TREX")" && pwd)/$(basename "$TREX")"

# shellcheck source=../../lib/npm_pinned.sh
source "$HERE/../../lib/npm_pinned.sh"

require_node 20 "the LangChain test (@langchain/core 1.x)"

# ---- the package and the test, then the pinned dependencies ----
mkdir -p "$WORK"
rm -rf "$WORK/src"
cp -R "$PKG/src" "$WORK/src"
cp "$PKG/package.json" "$PKG/package-lock.json" "$HERE/langchain_test.mjs" "$WORK/"
npm_ci_pinned "$WORK" "$PKG/package-lock.json" "@langchain/core"

cd "$WORK" && exec node langchain_test.mjs "$TREX" "$ROOT/policies"
