#!/usr/bin/env bash
# Integration tests of `trex test` (OPA's `opa test`) on the fixtures in tests/cli/fixtures/test_verb:
#   pass/         three passing tests, data from data.json, `with` mocks of input and data
#   mixed/        pass, fail (with print output), undefined, error (conflict), todo_ skip, non-boolean, duplicate
#   cover/        a policy half exercised by its tests: known covered / not-covered rows
#   slow/         a test that outruns a short --timeout
#   bad_parse/, bad_compile/, conflict/ (a rule over loaded data), v0/
#
#   test_verb_test.sh TREX
#
# Every check runs even after a failure; the script exits 1 if any failed and names each one.
set -uo pipefail

TREX=${1:?usage: test_verb_test.sh TREX}
TREX="$(cd "$(dirname "$TREX")" && pwd)/$(basename "$TREX")"
HERE="$(cd "$(dirname "$0")" && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$HERE/fixtures/test_verb"

# shellcheck source=lib.sh
source "$HERE/lib.sh"

expect_absent() {  # NAME NEEDLE HAYSTACK
  checks=$((checks + 1))
  case "$3" in
    *"$2"*) fail "$1: unexpected '$2'" "$3" ;;
  esac
}

# Durations vary: "(12.3µs)" becomes "(DUR)".
no_durations() { sed -E 's/\([0-9.]+(ns|µs|ms|s)\)/(DUR)/g'; }

# python_check NAME SCRIPT: runs SCRIPT with the last stdout on stdin; it prints nothing when all is well.
python_check() {
  checks=$((checks + 1))
  local msg
  msg="$(printf '%s' "$OUT" | python3 -c "$2" 2>&1)"
  [ -z "$msg" ] || fail "$1" "$msg"
}

# ---- passing tests: only the summary; data from data.json; input and data mocks ----
run "pass" 0 "$TREX" test pass && expect_eq "pass output" "PASS: 3/3" "$OUT"
run "pass files" 0 "$TREX" test pass/authz.rego pass/authz_test.rego pass/data.json &&
  expect_eq "pass files output" "PASS: 3/3" "$OUT"
run "pass bundle" 0 "$TREX" test --bundle pass && expect_eq "pass bundle output" "PASS: 3/3" "$OUT"
# Loaded from a parent folder, data.json lands under data.pass: the test relying on it fails.
mkdir -p "$TMP/parent" && cp -r pass "$TMP/parent/"
run "data under its folder" 2 "$TREX" test "$TMP/parent" &&
  expect_contains "data under its folder" "data.authz_test.test_get_allowed: FAIL" "$OUT" &&
  expect_contains "data under its folder" "FAIL: 1/3" "$OUT"

# ---- failing, erroring, skipped: OPA's pretty report ----
run "mixed" 2 "$TREX" test mixed
expect_eq "mixed report" "mixed/mixed_test.rego:7:
data.mixed.test_fail: FAIL (DUR)

  checking 3

mixed/mixed_test.rego:12:
data.mixed.test_undefined: FAIL (DUR)
mixed/mixed_test.rego:16:
data.mixed.test_error: ERROR (DUR)
  mixed/mixed_test.rego:22: eval_conflict_error: complete rules must not produce multiple outputs: rule data.mixed.conflict produced conflicting values
mixed/mixed_test.rego:24:
data.mixed.todo_test_later: SKIPPED
mixed/mixed_test.rego:28:
data.mixed.test_not_true: FAIL (DUR)
mixed/mixed_test.rego:30:
data.mixed.test_dup: FAIL (DUR)
--------------------------------------------------------------------------------
PASS: 2/8
FAIL: 4/8
SKIPPED: 1/8
ERROR: 1/8" "$(printf '%s' "$OUT" | no_durations)"

# -v: every result, then each failure with its trace (notes and failed expressions).
run "verbose" 2 "$TREX" test -v mixed
expect_contains "verbose pass line" "mixed/mixed_test.rego:3:
data.mixed.test_pass: PASS (" "$OUT"
# Each definition of a duplicated test runs alone: the first fails, the second (renamed #01) passes.
expect_contains "verbose dup first" "data.mixed.test_dup: FAIL (" "$OUT"
expect_contains "verbose dup second" "data.mixed.test_dup#01: PASS (" "$OUT"
expect_contains "verbose failures" "--------------------------------------------------------------------------------
FAILURES
--------------------------------------------------------------------------------
data.mixed.test_fail: FAIL (" "$OUT"
expect_contains "verbose failed expr" "| | Fail equal(plus(1, 1), 3)" "$OUT"
expect_contains "verbose undefined trace" "| | Fail input.missing" "$OUT"
run "explain full" 2 "$TREX" test --explain full -r test_fail mixed &&
  expect_contains "explain full" "| | Eval equal(plus(1, 1), 3)" "$OUT"

# ---- --run filters on data.pkg.test_name; --fail-on-empty; -z ----
run "run filter" 0 "$TREX" test -r 'mixed\.test_pass$' mixed && expect_eq "run filter" "PASS: 1/1" "$OUT"
run "run filter alternatives" 2 "$TREX" test --run 'test_(pass|fail)$' mixed &&
  expect_eq "run filter alternatives" "PASS: 1/2
FAIL: 1/2" "$(printf '%s' "$OUT" | tail -2)"
run "run no match" 0 "$TREX" test -r 'nothing_matches' mixed && expect_eq "run no match" "" "$OUT"
run "fail on empty" 1 "$TREX" test -r 'nothing_matches' --fail-on-empty mixed &&
  expect_eq "fail on empty" "no tests were run" "$ERR"
run "bad regex" 1 "$TREX" test -r '(' mixed && expect_contains "bad regex" "error parsing regexp" "$ERR"
run "skipped exits 2" 2 "$TREX" test -r todo_ mixed && expect_contains "skipped" "SKIPPED: 1/1" "$OUT"
run "skipped -z" 0 "$TREX" test -z -r todo_ mixed
run "duplicate rename filter" 0 "$TREX" test -r '"test_dup#01"' mixed &&
  expect_eq "duplicate rename filter" "PASS: 1/1" "$OUT"

# ---- --format json: OPA's array of results, its field order, base64 output ----
run "json" 2 "$TREX" test --format json -r 'test_fail|test_error|todo_|test_pass' mixed
python_check "json shape" '
import base64, json, sys
doc = json.load(sys.stdin, object_pairs_hook=lambda kv: kv)
res = [dict(r) for r in doc]
names = [r["name"] for r in res]
if names != ["test_pass", "test_fail", "test_error", "todo_test_later"]: print("names", names)
order = [[k for k, _ in r] for r in doc]
want = [["location", "package", "name", "duration"],
        ["location", "package", "name", "output", "duration", "fail"],
        ["error", "location", "package", "name", "duration"],
        ["location", "package", "name", "duration", "skip"]]
if order != want: print("field order", order)
loc = dict(res[0]["location"])
if loc != {"file": "mixed/mixed_test.rego", "row": 3, "col": 1}: print("location", loc)
if res[0]["package"] != "data.mixed": print("package", res[0]["package"])
if base64.b64decode(res[1]["output"]) != b"checking 3\n": print("output", res[1]["output"])
if res[1]["fail"] is not True: print("fail flag")
err = dict(res[2]["error"])
if err["code"] != "eval_conflict_error" or dict(err["location"])["row"] != 22: print("error", err)
if res[3]["skip"] is not True or res[3]["duration"] != 0: print("skip", res[3])
if not all(isinstance(r["duration"], int) for r in res): print("durations")
'
run "json empty" 0 "$TREX" test -f json -r nothing mixed && expect_eq "json empty" "[]" "$OUT"
run "bad format" 2 "$TREX" test -f yaml mixed

# ---- --coverage: OPA's report for cover/ (calc.rego rows 7-8, 15 and 19 never evaluated; row 22, `some i`,
# is neither covered nor not covered) ----
run "coverage" 0 "$TREX" test --coverage cover
python_check "coverage numbers" '
import json, sys
doc = json.load(sys.stdin)
calc = doc["files"]["cover/calc.rego"]
rng = lambda rs: [(r["start"]["row"], r["end"]["row"]) for r in rs]
if rng(calc["covered"]) != [(3, 4), (11, 12), (16, 17), (21, 21), (23, 23)]: print("covered", rng(calc["covered"]))
if rng(calc["not_covered"]) != [(7, 8), (15, 15), (19, 19)]: print("not covered", rng(calc["not_covered"]))
if (calc["covered_lines"], calc["not_covered_lines"], calc["coverage"]) != (8, 4, 66.66666666666667): print("calc", calc)
test = doc["files"]["cover/calc_test.rego"]
if "not_covered" in test or test["coverage"] != 100 or test["covered_lines"] != 8: print("test file", test)
if (doc["covered_lines"], doc["not_covered_lines"], doc["coverage"]) != (16, 4, 80): print("totals", doc)
'
expect_contains "coverage indentation" '{
  "files": {
    "cover/calc.rego": {
      "covered": [
        {
          "start": {
            "row": 3
          },' "$OUT"
run "threshold met" 0 "$TREX" test --threshold 80 cover
run "threshold missed" 2 "$TREX" test --threshold 80.5 cover &&
  expect_eq "threshold missed" "Code coverage threshold not met: got 80.00 instead of 80.50" "$ERR" &&
  expect_eq "threshold missed stdout" "" "$OUT"
run "threshold missed -v" 2 "$TREX" test -v --threshold 90 cover &&
  expect_eq "threshold missed -v" "Code coverage threshold not met: got 80.00 instead of 90.00
Lines not covered:
	cover/calc.rego:7-8
	cover/calc.rego:15
	cover/calc.rego:19" "$ERR"
run "threshold range" 1 "$TREX" test --threshold 101 cover &&
  expect_eq "threshold range" "Code coverage threshold must be between 0 and 100" "$ERR"
run "coverage with failure" 1 "$TREX" test --coverage -r 'test_(pass|fail)$' mixed &&
  expect_contains "coverage with failure" "data.mixed.test_fail: FAIL (" "$ERR" &&
  expect_absent "coverage with failure" '"files"' "$OUT"
run "coverage with error" 1 "$TREX" test --coverage -r 'test_error' mixed &&
  expect_contains "coverage with error" "eval_conflict_error" "$ERR"

# ---- --timeout: the per-test deadline is an evaluation error ----
run "timeout" 2 "$TREX" test --timeout 50ms slow &&
  expect_contains "timeout" "data.slow.test_slow: ERROR (" "$OUT" &&
  expect_contains "timeout error" "  eval_cancel_error: context deadline exceeded" "$OUT"
run "bad timeout" 2 "$TREX" test --timeout 5 slow

# ---- load and compile errors exit 1; usage errors 2 ----
run "missing path" 1 "$TREX" test does-not-exist &&
  expect_eq "missing path" "1 error occurred during loading: stat does-not-exist: no such file or directory" "$ERR"
run "parse error" 1 "$TREX" test bad_parse &&
  expect_contains "parse error" "1 error occurred during loading: bad_parse/broken_test.rego:4: rego_parse_error: unexpected eof token" "$ERR"
run "compile error" 1 "$TREX" test bad_compile &&
  expect_eq "compile error" "1 error occurred: bad_compile/unsafe_test.rego:4: rego_unsafe_var_error: var y is unsafe" "$ERR"
# A rule defined where the loaded data already has a value is a compile error, as OPA's path conflict check.
run "data conflict" 1 "$TREX" test conflict &&
  expect_eq "data conflict" "1 error occurred: conflict/p.rego:3: rego_compile_error: conflicting rule for data path conflict/x found" "$ERR"
run "no path" 2 "$TREX" test
run "help" 0 "$TREX" test --help && expect_contains "help" "usage: trex test" "$OUT"

# ---- Rego v0 ----
run "v0 rejected in v1" 1 "$TREX" test v0
run "v0 compatible" 0 "$TREX" test --v0-compatible v0 && expect_eq "v0 compatible" "PASS: 1/1" "$OUT"

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
