#!/usr/bin/env bash
# fuzz/run.sh SECONDS [TARGET...]
#
# Runs each fuzz target (all seven by default) for SECONDS, one after the other, one process each (nice'd),
# over its working corpus plus fuzz/seeds/<target>/ and fuzz/regressions/<target>/. Builds nothing: the
# targets must exist in $TREX_FUZZ_BUILD_DIR/fuzz/ (default build-fuzz; see fuzz/README.md).
#
#   TREX_FUZZ_BUILD_DIR   build directory (default: build-fuzz under the repository)
#   TREX_FUZZ_CORPUS      working corpora, one directory per target; new inputs are added there (default:
#                         <build dir>/fuzz-corpus; fill it first with fuzz/make-corpus.sh for a better start)
#   TREX_FUZZ_OUT         logs and crash artifacts (default: <build dir>/fuzz-out)
#   TREX_FUZZ_ARGS        extra libFuzzer flags
#
# Prints, per target, executions, exec/s and the final coverage (cov: edges, ft: features, corp: corpus)
# and exits non-zero when a target crashed, leaked, timed out or ran out of memory; the input that did is
# saved as <out>/artifacts/<target>/crash-… (copy it to fuzz/regressions/<target>/ once fixed).
set -uo pipefail

if [[ $# -lt 1 || ! "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 SECONDS [TARGET...]" >&2
  exit 2
fi
seconds="$1"
shift
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
build="${TREX_FUZZ_BUILD_DIR:-$repo/build-fuzz}"
corpus="${TREX_FUZZ_CORPUS:-$build/fuzz-corpus}"
out="${TREX_FUZZ_OUT:-$build/fuzz-out}"
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(fuzz_rego_parser fuzz_eval_paths fuzz_json_reader fuzz_http_handler fuzz_jwt fuzz_bundle_loader
           fuzz_log_recovery)
fi

dict_for() {
  case "$1" in
    fuzz_rego_parser | fuzz_eval_paths) echo rego.dict ;;
    fuzz_http_handler) echo http.dict ;;
    *) echo json.dict ;;
  esac
}
max_len_for() {
  case "$1" in
    fuzz_jwt) echo 4096 ;;
    fuzz_bundle_loader | fuzz_log_recovery) echo 32768 ;;
    *) echo 16384 ;;
  esac
}

# Leaks are findings too, but LeakSanitizer needs ptrace rights some containers lack; it is on when it works.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:allocator_may_return_null=1:detect_stack_use_after_return=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

status=0
summary=()
for t in "${targets[@]}"; do
  bin="$build/fuzz/$t"
  if [[ ! -x "$bin" ]]; then
    echo "run.sh: $bin not built (cmake -DTREX_FUZZ=ON, then ninja $t)" >&2
    status=1
    summary+=("$t: NOT BUILT")
    continue
  fi
  mkdir -p "$corpus/$t" "$out/artifacts/$t" "$out/logs"
  dirs=("$corpus/$t")  # first: where libFuzzer adds new inputs
  for d in "$here/seeds/$t" "$here/regressions/$t"; do [[ -d "$d" ]] && dirs+=("$d"); done
  log="$out/logs/$t.log"
  echo "=== $t: ${seconds}s over ${dirs[*]}"
  # shellcheck disable=SC2086
  nice -n 10 "$bin" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=3072 -max_len="$(max_len_for "$t")" \
    -dict="$here/dicts/$(dict_for "$t")" -print_final_stats=1 -artifact_prefix="$out/artifacts/$t/" \
    ${TREX_FUZZ_ARGS:-} "${dirs[@]}" >"$log" 2>&1
  rc=$?
  last="$(grep -E '^#[0-9]+' "$log" | tail -n 1)"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  eps="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
  cov="$(grep -oE 'cov: [0-9]+' <<<"$last" | tail -n 1)"
  ft="$(grep -oE 'ft: [0-9]+' <<<"$last" | tail -n 1)"
  corp="$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' <<<"$last" | tail -n 1)"
  line="$t: ${seconds}s, ${execs:-?} execs, ${eps:-?} exec/s, ${cov:-cov: ?}, ${ft:-ft: ?}, ${corp:-corp: ?}"
  if [[ $rc -ne 0 ]]; then
    status=1
    artifact="$(grep -oE "(Test unit written to|artifact_prefix.*; Test unit written to) [^ ]+" "$log" | tail -n 1 | awk '{print $NF}')"
    line="$line — FAILED (exit $rc): $(grep -m1 -E 'ERROR: |SUMMARY: |runtime error|deadly signal|timeout' "$log")"
    [[ -n "$artifact" ]] && line="$line; input saved as $artifact"
    echo "--- tail of $log:"
    tail -n 40 "$log"
  fi
  echo "$line"
  summary+=("$line")
done

echo
echo "=== summary ($(date -u +%Y-%m-%dT%H:%MZ))"
printf '%s\n' "${summary[@]}"
exit $status
