# Shared by the tests that run JavaScript against trex (tests/sdk, tests/integrations/langchain): source it,
# then call require_node and npm_ci_pinned. Exit code 77 is ctest's SKIP_RETURN_CODE; a skip always says why
# on stdout and never counts as a pass.

skip() {
  echo "SKIP: $*"
  exit 77
}

# require_node MIN_MAJOR WHAT: skips unless node >= MIN_MAJOR and npm are installed. Node comes from outside
# Debian's base install (Debian 12 ships nodejs 18 and npm as separate packages; this machine has
# NodeSource's nodejs, which conflicts with Debian's npm), so it is not a hard dependency.
require_node() {
  local min=$1 what=$2
  command -v node >/dev/null 2>&1 || skip "node not found (install nodejs >= $min and npm to run $what)"
  command -v npm >/dev/null 2>&1 || skip "npm not found (install npm to run $what)"
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge "$min" ] || skip "node $(node --version) is too old: $what needs node >= $min"
}

# npm_ci_pinned WORKDIR LOCKFILE PACKAGE: `npm ci` in WORKDIR (which holds package.json and a copy of LOCKFILE),
# skipped when the same lock file was installed there already. A network failure skips (naming PACKAGE);
# any other npm failure fails the test.
npm_ci_pinned() {
  local work=$1 lock=$2 package=$3
  local stamp="$work/node_modules/.trex-lock-stamp"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$lock"; then return 0; fi
  echo "installing $package from the npm registry into $work"
  # --prefer-offline: use npm's cache without revalidating, so a warm cache needs no network at all.
  if ! (cd "$work" && timeout 300 npm ci --prefer-offline --no-audit --no-fund --loglevel=error) >"$work/npm.log" 2>&1; then
    cat "$work/npm.log"
    if grep -qE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network|socket hang up|getaddrinfo' "$work/npm.log"; then
      skip "cannot reach the npm registry to install $package (no network?); see the npm output above"
    fi
    echo "FAIL: npm ci failed (not a network error; see above)"
    exit 1
  fi
  cp "$lock" "$stamp"
}
