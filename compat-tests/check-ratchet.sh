#!/usr/bin/env bash
# The compliance ratchet: every case listed in EXPECTED_FILE must still pass.
#
#   check-ratchet.sh RUNNER COMPLIANCE_DIR EXPECTED_FILE [RUNNER_FLAG...]
#
# Runs RUNNER (trex-compat) over COMPLIANCE_DIR/v1 and COMPLIANCE_DIR/v0 (when present), prints the
# per-category summary and the "compliance: ..." line, and fails listing every expected case that no longer
# passes. Cases that pass but are not listed yet only produce a hint to run update-ratchet.sh: the list
# grows on purpose, in a commit, never silently. Set TREX_COMPAT_REPORT=FILE.json to keep the full report.
# TREX_COMPAT_TIMEOUT=SECONDS sets the runner's per-case deadline (--timeout; the default is 10 s, the hard
# kill at three times that): the sanitizer build (scripts/sanitize.sh) runs slower and raises it.
# RUNNER_FLAGs go to the runner as they are (ctest's opa_compliance_general passes --general-evaluation).
set -uo pipefail

if [ "$#" -lt 3 ]; then
  echo "usage: $0 RUNNER COMPLIANCE_DIR EXPECTED_FILE [RUNNER_FLAG...]" >&2
  exit 2
fi
runner=$1
dir=$2
expected=$3
shift 3
runner_flags=("$@")

roots=()
[ -d "$dir/v1" ] && roots+=("$dir/v1")
[ -d "$dir/v0" ] && roots+=("$dir/v0")
if [ "${#roots[@]}" -eq 0 ]; then
  echo "ratchet: no OPA compliance cases found at '$dir' (expected $dir/v1)." >&2
  echo "ratchet: fetch them as README.md describes and set TREX_COMPLIANCE_DIR (cmake -DTREX_COMPLIANCE_DIR=...)." >&2
  exit 1
fi
if [ ! -x "$runner" ]; then
  echo "ratchet: runner '$runner' is not an executable" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
report=${TREX_COMPAT_REPORT:-$tmp/report.json}

timeout_args=()
[ -n "${TREX_COMPAT_TIMEOUT:-}" ] && timeout_args=(--timeout "$TREX_COMPAT_TIMEOUT")

"$runner" "${timeout_args[@]}" "${runner_flags[@]}" --list-passing "$tmp/passing.txt" --report "$report" "${roots[@]}"
rc=$?
# 0 = all passed, 1 = some failed (normal while the engine grows); anything else means the runner broke.
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
  echo "ratchet: the runner failed (exit $rc)" >&2
  exit 1
fi

export LC_ALL=C
touch "$expected"
grep -v -e '^[[:space:]]*$' -e '^#' "$expected" | sort -u > "$tmp/expected.txt"
sort -u "$tmp/passing.txt" > "$tmp/passing.sorted"

comm -23 "$tmp/expected.txt" "$tmp/passing.sorted" > "$tmp/regressed.txt"
comm -13 "$tmp/expected.txt" "$tmp/passing.sorted" > "$tmp/new.txt"

if [ -s "$tmp/new.txt" ]; then
  echo "ratchet: $(wc -l < "$tmp/new.txt") passing cases are not in $(basename "$expected") yet;" \
       "run compat-tests/update-ratchet.sh to add them"
fi
if [ -s "$tmp/regressed.txt" ]; then
  echo "ratchet: FAILED: $(wc -l < "$tmp/regressed.txt") cases listed in $expected no longer pass:" >&2
  sed 's/^/  /' "$tmp/regressed.txt" >&2
  exit 1
fi
echo "ratchet: ok ($(wc -l < "$tmp/expected.txt") expected cases pass)"
