#!/usr/bin/env bash
# Builds trex and runs every test: unit tests, CLI integration tests and the OPA compliance suite
# (measured against the ratchet list compat-tests/expected-pass.txt); then builds it again with
# AddressSanitizer + UndefinedBehaviorSanitizer (clang, build-asan/) and runs the whole suite once more
# under them (scripts/sanitize.sh), and last runs every libFuzzer target for a short, bounded time in that
# same build (fuzz/ci.sh; TREX_FUZZ_SECONDS per target, default 30).
#
#   bash scripts/test.sh
#   TREX_SKIP_SANITIZE=1 bash scripts/test.sh   # the normal build and tests only, no sanitizers or fuzzing
#
# The compliance cases are looked for in $TREX_COMPLIANCE_DIR, else ../shared/opa-compliance next to the
# repository (see README.md for fetching them from OPA's repository).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

bash scripts/install-deps.sh

COMPLIANCE_DIR="${TREX_COMPLIANCE_DIR:-$ROOT/../shared/opa-compliance}"
if [ -d "$COMPLIANCE_DIR" ]; then
  COMPLIANCE_DIR="$(cd "$COMPLIANCE_DIR" && pwd)"
  echo "test: OPA compliance cases from $COMPLIANCE_DIR"
else
  # Not fatal here: the opa_compliance test itself fails and says how to fetch the cases.
  echo "test: no OPA compliance cases at $COMPLIANCE_DIR (set TREX_COMPLIANCE_DIR, see README.md)"
fi

# ccache: paths relative to the repository's parent, and no working directory in the hash, so a fresh clone
# in any folder (CI's) reuses the objects of earlier builds on the same machine. Settings already in the
# environment win.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(cd "$ROOT/.." && pwd)}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"

# Two jobs at most by default: the machines this runs on are small and shared.
JOBS="${TREX_JOBS:-2}"

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTREX_COMPLIANCE_DIR="$COMPLIANCE_DIR"
cmake --build build -j "$JOBS"
ctest --test-dir build --output-on-failure -j "$JOBS"

if [ "${TREX_SKIP_SANITIZE:-0}" = "1" ]; then
  echo "test: sanitizer build skipped (TREX_SKIP_SANITIZE=1)"
else
  TREX_COMPLIANCE_DIR="$COMPLIANCE_DIR" bash scripts/sanitize.sh
  TREX_COMPLIANCE_DIR="$COMPLIANCE_DIR" TREX_FUZZ_SECONDS="${TREX_FUZZ_SECONDS:-30}" bash fuzz/ci.sh build-asan
fi
