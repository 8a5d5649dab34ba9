#!/usr/bin/env bash
# Builds trex with AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer) and runs the whole test
# suite under them: unit tests, CLI and server integration tests (their trex processes inherit the sanitizer
# settings through the environment) and the OPA compliance suite.
#
#   bash scripts/sanitize.sh
#
# Uses clang++-14 (TREX_SANITIZE_CXX overrides it) and the build directory build-asan/ (TREX_SANITIZE_BUILD_DIR).
# Extra arguments go to ctest, e.g. `bash scripts/sanitize.sh -R rego_tests` or `-E opa_compliance`.
#
# Every sanitizer report of every process goes to a file in build-asan/sanitizer-reports/ (log_path), so
# reports from processes whose stderr a test swallows (a server started by a Python test, a forked compliance
# case) are not lost: the script prints them all at the end and fails when there is any, even if every test
# passed. Third-party code is exempted at compile time, narrowly, in scripts/sanitizers/ubsan-ignorelist.txt
# (each entry says why); TREX_LSAN_SUPPRESSIONS may name a LeakSanitizer suppressions file.
#
# scripts/test.sh runs this after the normal build and tests; TREX_SKIP_SANITIZE=1 skips it there.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

CXX="${TREX_SANITIZE_CXX:-clang++-14}"
BUILD_DIR="${TREX_SANITIZE_BUILD_DIR:-$ROOT/build-asan}"
JOBS="${TREX_JOBS:-2}"

COMPLIANCE_DIR="${TREX_COMPLIANCE_DIR:-$ROOT/../shared/opa-compliance}"
if [ -d "$COMPLIANCE_DIR" ]; then
  COMPLIANCE_DIR="$(cd "$COMPLIANCE_DIR" && pwd)"
else
  echo "sanitize: no OPA compliance cases at $COMPLIANCE_DIR (set TREX_COMPLIANCE_DIR, see README.md)"
fi

if ! command -v "$CXX" >/dev/null; then
  echo "sanitize: $CXX not found (scripts/install-deps.sh installs clang-14)" >&2
  exit 1
fi

# RelWithDebInfo (-O2 -g): the suite runs much faster than at -O0/-O1, which more than pays for the longer
# compile, and -g gives file:line in the reports. It is also the fuzz build's type, so objects are shared
# through ccache. Benchmarks are not built: they are not tests.
start=$(date +%s)
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTREX_SANITIZE=ON -DTREX_BUILD_BENCH=OFF -DTREX_COMPLIANCE_DIR="$COMPLIANCE_DIR"
nice cmake --build "$BUILD_DIR" -j "$JOBS"
built=$(date +%s)
echo "sanitize: build took $((built - start)) s"

REPORTS="$BUILD_DIR/sanitizer-reports"
rm -rf "$REPORTS"
mkdir -p "$REPORTS"

# Exported, so that every process a test starts (trex servers, trex-compat's forked cases, CLI runs) gets them.
#   detect_leaks=1         LeakSanitizer at exit (processes that _exit or are killed are not checked)
#   halt_on_error=1        the first error ends the process (with -fno-sanitize-recover=all, UBSan too)
#   log_path=...           reports go to REPORTS/<tool>.<pid>, collected below
#   check_initialization_order / strict_init_order  static-initialisation-order bugs
#   detect_stack_use_after_return is left off: it roughly doubles the run time.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:print_stacktrace=1:check_initialization_order=1:strict_init_order=1:detect_odr_violation=2:log_path=$REPORTS/asan:${TREX_EXTRA_ASAN_OPTIONS:-}"
export LSAN_OPTIONS="print_suppressions=0${TREX_LSAN_SUPPRESSIONS:+:suppressions=$TREX_LSAN_SUPPRESSIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$REPORTS/ubsan"
if command -v llvm-symbolizer-14 >/dev/null; then
  export ASAN_SYMBOLIZER_PATH="$(command -v llvm-symbolizer-14)"
fi

# Harness time limits that are tight for code running 2-3x slower: the compliance runner's per-case deadline
# (check-ratchet.sh passes it as --timeout) and the Python server tests' waits (tests/server/harness.py).
export TREX_COMPAT_TIMEOUT="${TREX_COMPAT_TIMEOUT:-30}"
export TREX_TEST_TIME_SCALE="${TREX_TEST_TIME_SCALE:-3}"

set +e
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" "$@"
rc=$?
set -e
echo "sanitize: tests took $(($(date +%s) - built)) s"

shopt -s nullglob
reports=("$REPORTS"/*)
if [ "${#reports[@]}" -gt 0 ]; then
  echo "sanitize: ${#reports[@]} sanitizer report(s) in $REPORTS:" >&2
  for f in "${reports[@]}"; do
    echo "==== $f" >&2
    cat "$f" >&2
  done
  exit 1
fi
if [ "$rc" -ne 0 ]; then
  echo "sanitize: FAILED (ctest exit $rc)" >&2
  exit "$rc"
fi
echo "sanitize: ok (no sanitizer reports)"
