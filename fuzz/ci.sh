#!/usr/bin/env bash
# fuzz/ci.sh [BUILD-DIR]   (default: build-asan)
#
# The fuzzing step of CI: in an already-configured clang build directory (scripts/sanitize.sh's ASan build;
# configured here if it does not exist yet) turns on TREX_FUZZ, builds the fuzz targets, runs the regression
# tests (every input kept in fuzz/regressions/<target>/, through ctest) and then each target for a short,
# bounded time: TREX_FUZZ_SECONDS per target (default 30), one target at a time.
# Fails when a target does not build, a regression input crashes, or fuzzing finds a crash (the input is
# kept under BUILD-DIR/fuzz-out/artifacts/ and its path printed).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
BUILD="${1:-build-asan}"
SECONDS_PER_TARGET="${TREX_FUZZ_SECONDS:-30}"
JOBS="${TREX_JOBS:-2}"

# clang 14 and its libFuzzer/sanitizer runtime (Debian: libclang-rt-14-dev), from the project's one package list.
if ! command -v clang++-14 >/dev/null ||
   [[ -z "$(ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null)" ]]; then
  bash scripts/install-deps.sh
fi

COMPLIANCE_DIR="${TREX_COMPLIANCE_DIR:-$ROOT/../shared/opa-compliance}"
if [[ -f "$BUILD/CMakeCache.txt" ]]; then
  cmake -S . -B "$BUILD" -DTREX_FUZZ=ON
else
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTREX_FUZZ=ON -DTREX_BUILD_BENCH=OFF -DTREX_COMPLIANCE_DIR="$COMPLIANCE_DIR"
fi
nice cmake --build "$BUILD" --target fuzz_targets -j "$JOBS"

echo "fuzz-ci: regression inputs"
ctest --test-dir "$BUILD/fuzz" --output-on-failure -L fuzz

# Repository seeds only: the compliance-suite corpus (thousands of inputs) alone takes longer to replay than a
# short run lasts. Set TREX_FUZZ_COMPLIANCE_SEEDS=1 for the full corpus.
echo "fuzz-ci: seed corpora"
corpus="$BUILD/fuzz-corpus"
TREX_FUZZ_COMPLIANCE_SEEDS="${TREX_FUZZ_COMPLIANCE_SEEDS:-0}" TREX_COMPLIANCE_DIR="$COMPLIANCE_DIR" \
  bash fuzz/make-corpus.sh "$corpus" "$BUILD" >/dev/null

echo "fuzz-ci: ${SECONDS_PER_TARGET}s per target"
TREX_FUZZ_BUILD_DIR="$BUILD" TREX_FUZZ_CORPUS="$corpus" TREX_FUZZ_OUT="$BUILD/fuzz-out" \
  bash fuzz/run.sh "$SECONDS_PER_TARGET"
