#!/usr/bin/env bash
# Integration tests of the real binaries: `trex` (eval, check, parse, version, usage errors) and the
# compliance tooling (`trex-compat` and compat-tests/check-ratchet.sh) on small fixtures.
#
#   cli_test.sh TREX TREX_COMPAT
#
# Every check runs even after a failure; the script exits 1 if any failed and names each one.
set -uo pipefail

TREX=${1:?usage: cli_test.sh TREX TREX_COMPAT}
COMPAT=${2:?usage: cli_test.sh TREX TREX_COMPAT}
# Absolute paths: the checks run from the fixtures folder.
TREX="$(cd "$(dirname "$TREX")" && pwd)/$(basename "$TREX")"
COMPAT="$(cd "$(dirname "$COMPAT")" && pwd)/$(basename "$COMPAT")"
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
FX="$HERE/fixtures"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$FX"

# shellcheck source=lib.sh
source "$HERE/lib.sh"

# ---- version and usage ----
run "version" 0 "$TREX" version && expect_contains "version" "Version:" "$OUT"
run "no command" 2 "$TREX"
run "unknown command" 2 "$TREX" frobnicate && expect_contains "unknown command" "unknown command" "$ERR"
run "unknown flag" 2 "$TREX" eval --frobnicate 1 && expect_contains "unknown flag" "--frobnicate" "$ERR"
run "eval without query" 2 "$TREX" eval
run "eval bad format" 2 "$TREX" eval -f yaml 1
run "eval help" 0 "$TREX" eval --help && expect_contains "eval help" "usage: trex eval" "$OUT"

# ---- eval: OPA's JSON shape ----
run "eval 1+1" 0 "$TREX" eval '1 + 1' && expect_eq "eval 1+1" '{
  "result": [
    {
      "expressions": [
        {
          "value": 2,
          "text": "1 + 1",
          "location": {
            "row": 1,
            "col": 1
          }
        }
      ]
    }
  ]
}' "$OUT"

run "eval bindings" 0 "$TREX" eval 'x := {"b": [1], "a": set()}' && expect_eq "eval bindings" '{
  "result": [
    {
      "expressions": [
        {
          "value": true,
          "text": "x := {\"b\": [1], \"a\": set()}",
          "location": {
            "row": 1,
            "col": 1
          }
        }
      ],
      "bindings": {
        "x": {
          "a": [],
          "b": [
            1
          ]
        }
      }
    }
  ]
}' "$OUT"

# `1 = 2` is undefined; a lone `false` is not: a one-expression query reports its value, as `opa eval` does.
run "eval undefined" 0 "$TREX" eval '1 = 2' && expect_eq "eval undefined" '{}' "$OUT"
run "eval false is a value" 0 "$TREX" eval -f raw '1 == 2' && expect_eq "eval false is a value" 'false' "$OUT"
run "eval --fail undefined" 1 "$TREX" eval --fail '1 = 2'
run "eval --fail defined" 0 "$TREX" eval --fail 'true'
run "eval --fail-defined" 1 "$TREX" eval --fail-defined 'true'
run "eval --fail-defined undefined" 0 "$TREX" eval --fail-defined '1 = 2'

# ---- eval: loading policies and data ----
echo '{"role": "ops"}' >"$TMP/input.json"
run "eval -d dir" 0 "$TREX" eval -d policies -i "$TMP/input.json" -f raw 'data.app.allow' &&
  expect_eq "eval -d dir" "true" "$OUT"
run "eval data under dir path" 0 "$TREX" eval -d policies -f raw 'data.roles.admins[0]' &&
  expect_eq "eval data under dir path" "root" "$OUT"
run "eval yaml data" 0 "$TREX" eval -d policies -f raw 'data.limits' &&
  expect_eq "eval yaml data" '{"enabled":true,"max":10}' "$OUT"
run "eval data file at root" 0 "$TREX" eval -d policies/roles/data.json -f raw 'data.admins[1]' &&
  expect_eq "eval data file at root" "ops" "$OUT"
run "eval prefixed data" 0 "$TREX" eval -d a.b:policies/roles/data.json -f raw 'count(data.a.b.admins)' &&
  expect_eq "eval prefixed data" "2" "$OUT"
run "eval stdin input" 0 bash -c "echo '{\"role\": \"root\"}' | '$TREX' eval -d policies -I -f raw data.app.allow" &&
  expect_eq "eval stdin input" "true" "$OUT"
run "eval yaml input" 0 bash -c "printf 'role: guest\n' | '$TREX' eval -d policies -I -f raw data.app.allow" &&
  expect_eq "eval yaml input" "false" "$OUT"

# ---- eval --explain: OPA's pretty trace before the result, "explanation" in JSON ----
# The location column is as wide as the widest location ("$TMP/tr.rego:3") plus four, then a space.
printf 'package tr\n\nallow if {\n\ttrace("checking")\n\tinput.x == 1\n}\n' >"$TMP/tr.rego"
echo '{"x": 1}' >"$TMP/tr.json"
run "eval explain notes" 0 "$TREX" eval -d "$TMP/tr.rego" -i "$TMP/tr.json" -f pretty --explain=notes data.tr.allow &&
  expect_eq "eval explain notes" "$(printf '%-*s ' $((${#TMP} + 14)) query:1)Enter data.tr.allow
$TMP/tr.rego:3     | Enter data.tr.allow
$TMP/tr.rego:4     | | Note \"checking\"
true" "$OUT"
echo '{"x": 2}' >"$TMP/tr2.json"
run "eval explain fails" 0 "$TREX" eval -d "$TMP/tr.rego" -i "$TMP/tr2.json" -f pretty --explain fails data.tr.allow &&
  expect_contains "eval explain fails" "| | Fail equal(input.x, 1)" "$OUT"
run "eval explain full json" 0 "$TREX" eval --explain=full 'x := 1' &&
  expect_contains "eval explain full json" '"explanation": [' "$OUT" &&
  expect_contains "eval explain full json op" '"Op": "Enter"' "$OUT"
run "eval explain off" 0 "$TREX" eval --explain=off -f raw 'trace("x")' && expect_eq "eval explain off" "true" "$OUT"
run "eval explain bad mode" 2 "$TREX" eval --explain=everything 1 && expect_contains "eval explain bad mode" "--explain" "$ERR"
run "eval set values" 0 "$TREX" eval -d policies -f raw 'data.app.names' &&
  expect_eq "eval set values" '["a","b","c"]' "$OUT"
run "eval raw strings" 0 "$TREX" eval -f raw '"a"; "b"' && expect_eq "eval raw strings" "a b" "$OUT"
run "eval pretty value" 0 "$TREX" eval -f pretty '[1]' && expect_eq "eval pretty value" '[
  1
]' "$OUT"
run "eval pretty undefined" 0 "$TREX" eval -f pretty '1 = 2' && expect_eq "eval pretty undefined" "undefined" "$OUT"
run "eval pretty table" 0 "$TREX" eval -f pretty 'x := [1, 2][_]' && expect_eq "eval pretty table" '+---+
| x |
+---+
| 1 |
| 2 |
+---+' "$OUT"
run "eval v0" 0 "$TREX" eval --v0-compatible -d v0 -f raw 'data.legacy.p' && expect_eq "eval v0" '["a","b"]' "$OUT"
run "eval v0 rejected in v1" 2 "$TREX" eval -d v0 'data.legacy.p' &&
  expect_contains "eval v0 rejected in v1" "rego_parse_error" "$OUT"
run "eval missing file" 2 "$TREX" eval -d nope.rego 'true' && expect_contains "eval missing file" "nope.rego" "$OUT"
run "eval missing input" 2 "$TREX" eval -i nope.json 'true'

# ---- eval: bundles (-b) ----
echo '{"items": ["apple", "pear"]}' >"$TMP/cart.json"
run "eval -b dir" 0 "$TREX" eval -b bundle -i "$TMP/cart.json" -f raw 'data.shop.total' &&
  expect_eq "eval -b dir" "8" "$OUT"
tar -czf "$TMP/shop.tar.gz" -C bundle .
run "eval -b tar.gz" 0 "$TREX" eval --bundle "$TMP/shop.tar.gz" -f raw \
  '[data.shop.prices.pear, data.system.bundles[_].manifest.revision]' &&
  expect_eq "eval -b tar.gz" '[5,"fixture-1"]' "$OUT"
mkdir -p "$TMP/stray/other"
printf '{"roots": ["shop"]}' >"$TMP/stray/.manifest"
echo '{}' >"$TMP/stray/other/data.json"
run "eval -b data outside roots" 2 "$TREX" eval -b "$TMP/stray" 'true' &&
  expect_contains "eval -b data outside roots" \
    "loading error: bundle $TMP/stray: manifest roots [shop] do not permit data at path '/other'" "$OUT"
rm -rf "$TMP/stray/other"
run "eval -b overlapping roots" 2 "$TREX" eval -b bundle -b "$TMP/stray" 'true' &&
  expect_contains "eval -b overlapping roots" \
    "detected overlapping roots in manifests for these bundles: [$TMP/stray, bundle] (root shop is in multiple bundles)" "$OUT"
echo 'not gzip' >"$TMP/corrupt.tar.gz"
run "eval -b corrupt" 2 "$TREX" eval -b "$TMP/corrupt.tar.gz" 'true' &&
  expect_contains "eval -b corrupt" "bundle read failed: archive read failed" "$OUT"

# ---- eval: errors ----
run "eval parse error" 2 "$TREX" eval 'x :=' && {
  expect_contains "eval parse error json" '"errors": [' "$OUT"
  expect_contains "eval parse error code" '"code": "rego_parse_error"' "$OUT"
}
run "eval parse error pretty" 2 "$TREX" eval -f pretty 'x :=' &&
  expect_contains "eval parse error pretty" "1 error occurred: " "$ERR"
echo '{"go": true}' >"$TMP/go.json"
run "eval conflict" 2 "$TREX" eval -d policies -i "$TMP/go.json" 'data.conflict.p' && {
  expect_contains "eval conflict code" '"code": "eval_conflict_error"' "$OUT"
  expect_contains "eval conflict file" '"file": "policies/conflict.rego"' "$OUT"
}
run "eval strict builtin error" 2 "$TREX" eval --strict-builtin-errors 'x := 1 / 0' &&
  expect_contains "eval strict builtin error" "eval_builtin_error" "$OUT"

# ---- check ----
run "check ok" 0 "$TREX" check policies && expect_eq "check ok (silent)" "" "$OUT$ERR"
run "check bad" 1 "$TREX" check bad && {
  expect_contains "check bad prefix" "1 error occurred: bad/bad.rego:" "$ERR"
  expect_contains "check bad code" "rego_parse_error" "$ERR"
}
run "check bad json" 1 "$TREX" check -f json bad && expect_contains "check bad json" '"code": "rego_parse_error"' "$ERR"
run "check v0" 0 "$TREX" check --v0-compatible v0
run "check v0 as v1" 1 "$TREX" check v0

# ---- parse ----
run "parse ok" 0 "$TREX" parse policies/policy.rego && expect_contains "parse ok" '"package"' "$OUT"
run "parse bad" 1 "$TREX" parse bad/bad.rego && expect_contains "parse bad" "rego_parse_error" "$ERR"
run "parse pretty unsupported" 2 "$TREX" parse -f pretty policies/policy.rego

# ---- the shipped example ----
EX="$REPO/examples/authz"
run "example" 0 "$TREX" eval -d "$EX/policy.rego" -d "$EX/data.json" -i "$EX/input.json" -f raw data.authz.allow &&
  expect_eq "example" "true" "$OUT"

# ---- trex-compat and the ratchet ----
run "compat passing" 0 "$COMPAT" --verbose --report "$TMP/report.json" --list-passing "$TMP/passing.txt" \
  compliance/v1 compliance/v0 && {
  expect_contains "compat summary" "compliance: 11 passed, 0 failed, 1 skipped" "$(tail -n 1 <<<"$OUT")"
  expect_eq "compat passing list" "basics/test-basics.yaml::basics/conflict error code
basics/test-basics.yaml::basics/float compared as float
basics/test-basics.yaml::basics/input_term
basics/test-basics.yaml::basics/rule with data and input
basics/test-basics.yaml::basics/scalar binding
basics/test-basics.yaml::basics/sets become arrays
basics/test-basics.yaml::basics/several rows in any order
basics/test-basics.yaml::basics/sort bindings
basics/test-basics.yaml::basics/strict builtin error message
basics/test-basics.yaml::basics/undefined
v0/partialset/test-partialset.yaml::partialset/v0 syntax" "$(cat "$TMP/passing.txt" 2>/dev/null)"
  expect_contains "compat report" '"skipped": 1' "$(cat "$TMP/report.json" 2>/dev/null)"
}
run "compat failing" 1 "$COMPAT" failing && expect_contains "compat failing" "compliance: 0 passed, 6 failed" "$OUT"
run "compat filter" 0 "$COMPAT" --filter 'input_term' compliance/v1 &&
  expect_contains "compat filter" "compliance: 1 passed, 0 failed" "$OUT"
run "compat single file" 0 "$COMPAT" compliance/v0/partialset/test-partialset.yaml
run "compat usage" 2 "$COMPAT"

printf 'basics/test-basics.yaml::basics/scalar binding\nv0/partialset/test-partialset.yaml::partialset/v0 syntax\n' \
  >"$TMP/expected.txt"
run "ratchet ok" 0 "$REPO/compat-tests/check-ratchet.sh" "$COMPAT" compliance "$TMP/expected.txt" &&
  expect_contains "ratchet ok" "ratchet: ok" "$OUT"
echo 'wrong/test-wrong.yaml::wrong/value' >>"$TMP/expected.txt"
run "ratchet regression" 1 "$REPO/compat-tests/check-ratchet.sh" "$COMPAT" failing "$TMP/expected.txt" &&
  expect_contains "ratchet regression" "wrong/test-wrong.yaml::wrong/value" "$ERR"
run "ratchet missing dir" 1 "$REPO/compat-tests/check-ratchet.sh" "$COMPAT" "$TMP/nowhere" "$TMP/expected.txt"

echo "cli tests: $((checks - failures)) of $checks checks passed"
[ "$failures" -eq 0 ]
