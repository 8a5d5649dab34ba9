#!/usr/bin/env bash
# Grows the compliance ratchet: rewrites expected-pass.txt as its old contents plus every case that passes
# now. Cases are never dropped here; if one must go (a case changed upstream), remove it by hand and say
# why in the commit.
#
#   compat-tests/update-ratchet.sh [RUNNER [COMPLIANCE_DIR]]
#
# Defaults: build/trex-compat, and $TREX_COMPLIANCE_DIR or ../shared/opa-compliance beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

runner=${1:-build/trex-compat}
dir=${2:-${TREX_COMPLIANCE_DIR:-../shared/opa-compliance}}
expected=compat-tests/expected-pass.txt

roots=()
[ -d "$dir/v1" ] && roots+=("$dir/v1")
[ -d "$dir/v0" ] && roots+=("$dir/v0")
if [ "${#roots[@]}" -eq 0 ]; then
  echo "update-ratchet: no OPA compliance cases at '$dir' (see README.md)" >&2
  exit 1
fi
if [ ! -x "$runner" ]; then
  echo "update-ratchet: build the runner first (cmake --build build --target trex-compat)" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$runner" --list-passing "$tmp/passing.txt" "${roots[@]}" || [ "$?" -eq 1 ]

export LC_ALL=C
touch "$expected"
before=$(grep -c -v -e '^[[:space:]]*$' "$expected" || true)
cat "$expected" "$tmp/passing.txt" | grep -v -e '^[[:space:]]*$' | sort -u > "$tmp/merged.txt"
mv "$tmp/merged.txt" "$expected"
after=$(wc -l < "$expected")
echo "update-ratchet: $expected: $before -> $after cases"
