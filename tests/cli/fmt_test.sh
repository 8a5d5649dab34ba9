#!/usr/bin/env bash
# Integration tests of `trex fmt` (OPA's `opa fmt`) on scratch files: stdout by default, -l/--list, -d/--diff,
# -w/--write, --fail, directory walks (.rego only), stdin, parse errors; and the shipped policies are formatted.
#
#   fmt_test.sh TREX SOURCE_DIR
set -uo pipefail

TREX=${1:?usage: fmt_test.sh TREX SOURCE_DIR}
SRC=${2:?usage: fmt_test.sh TREX SOURCE_DIR}
TREX="$(cd "$(dirname "$TREX")" && pwd)/$(basename "$TREX")"
HERE="$(cd "$(dirname "$0")" && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
source "$HERE/lib.sh"

mkdir -p "$TMP/tree/sub"
printf 'package p\n\nallow if {\n\tinput.x == 1\n}\n' >"$TMP/tree/good.rego"
printf 'package   q\nallow if { input.x==1 }\n' >"$TMP/tree/sub/ugly.rego"
printf 'not rego at all' >"$TMP/tree/notes.txt"
FORMATTED=$'package q\n\nallow if input.x == 1'

run "fmt prints formatted source" 0 "$TREX" fmt "$TMP/tree/sub/ugly.rego"
expect_eq "fmt output" "$FORMATTED" "$OUT"

run "fmt --list on a tree" 0 "$TREX" fmt --list "$TMP/tree"
expect_eq "only the unformatted file is listed" "$TMP/tree/sub/ugly.rego" "$OUT"
run "fmt -l --fail" 2 "$TREX" fmt -l --fail "$TMP/tree"
expect_contains "--fail says why" "unexpected diff" "$ERR"
run "fmt --fail on a formatted file" 0 "$TREX" fmt --fail "$TMP/tree/good.rego"
expect_eq "--fail alone prints the source" "$(cat "$TMP/tree/good.rego")" "$OUT"
run "fmt --fail on an unformatted file" 2 "$TREX" fmt --fail "$TMP/tree/sub/ugly.rego"

run "fmt --diff" 0 "$TREX" fmt --diff "$TMP/tree"
expect_contains "diff header" "--- a/$TMP/tree/sub/ugly.rego" "$OUT"
expect_contains "diff removes" "-allow if { input.x==1 }" "$OUT"
expect_contains "diff adds" "+allow if input.x == 1" "$OUT"
run "fmt -d --fail" 2 "$TREX" fmt -d --fail "$TMP/tree/sub/ugly.rego"

run "fmt -w" 0 "$TREX" fmt -w "$TMP/tree"
expect_eq "file rewritten" "$FORMATTED" "$(cat "$TMP/tree/sub/ugly.rego")"
run "fmt --list after -w" 0 "$TREX" fmt --list "$TMP/tree"
expect_eq "nothing left to list" "" "$OUT"
expect_eq "non-rego files untouched" "not rego at all" "$(cat "$TMP/tree/notes.txt")"

checks=$((checks + 1))
got="$(printf 'package s\nx:=1\n' | "$TREX" fmt)"
expect_eq "stdin to stdout" $'package s\n\nx := 1' "$got"

printf 'package bad\nallow if {\n' >"$TMP/bad.rego"
run "fmt on a parse error" 2 "$TREX" fmt "$TMP/bad.rego"
expect_contains "parse error reported" "rego_parse_error" "$ERR"
run "fmt on a missing path" 1 "$TREX" fmt "$TMP/missing.rego"
run "fmt with an unknown flag" 2 "$TREX" fmt --bogus

run "shipped policies are formatted" 0 "$TREX" fmt --list --fail "$SRC/policies" "$SRC/examples"
expect_eq "no policy needs formatting" "" "$OUT"

echo "$checks checks, $failures failures"
[ "$failures" -eq 0 ]
