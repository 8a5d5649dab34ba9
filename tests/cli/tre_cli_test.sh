#!/usr/bin/env bash
# `trex tre compile` and .tre files through the real binary: the generated module (exit 0), located errors
# (exit 1), usage errors (exit 2), and `trex eval`/`trex check` loading a .tre file next to .rego.
#
#   tre_cli_test.sh TREX
set -uo pipefail
TREX=${1:?usage: tre_cli_test.sh TREX}
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /'; failures=$((failures + 1)); }
run() {  # NAME WANT_EXIT CMD...
  local name=$1 want=$2; shift 2
  "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
  local got=$?
  OUT="$(cat "$TMP/out")"; ERR="$(cat "$TMP/err")"
  [ "$got" -eq "$want" ] || fail "$name: exit $got, want $want" "stdout: $OUT
stderr: $ERR"
}
contains() { case "$3" in *"$2"*) ;; *) fail "$1: missing '$2'" "$3" ;; esac; }

cat >"$TMP/ok.tre" <<'TRE'
rule "NoHighValueTransfers" {
  precondition: action.type == "transfer"
  condition: action.amount <= 10000
  deny: "Transfers over $10,000 require human approval"
}
TRE
run "compile ok" 0 "$TREX" tre compile "$TMP/ok.tre"
contains "compile ok" "package tre.rules" "$OUT"
contains "compile ok" 'no_high_value_transfers.deny contains {"rule": "NoHighValueTransfers"' "$OUT"
[ "$(wc -l <"$TMP/out")" -eq "$(wc -l <"$TMP/ok.tre")" ] || fail "compile ok: as many lines as the .tre" "$OUT"

printf 'rule "A" {\n  condition: action.amount <= = 3\n  deny: "no"\n}\n' >"$TMP/bad.tre"
run "compile error" 1 "$TREX" tre compile "$TMP/bad.tre"
[ "$ERR" == "$TMP/bad.tre:2:31: rego_parse_error: unexpected eq token" ] || fail "compile error: text" "$ERR"
[ -z "$OUT" ] || fail "compile error: nothing on stdout" "$OUT"

run "usage" 2 "$TREX" tre frobnicate
run "missing file" 1 "$TREX" tre compile "$TMP/none.tre"
run "shipped example compiles" 0 "$TREX" tre compile "$REPO/examples/tre/financial.tre"

printf '{"action": {"type": "transfer", "amount": 20000}}' >"$TMP/input.json"
run "eval loads .tre" 0 "$TREX" eval -d "$TMP/ok.tre" -i "$TMP/input.json" -f raw 'data.tre.rules.no_high_value_transfers.deny'
contains "eval loads .tre" '"rule":"NoHighValueTransfers"' "$OUT"
run "check a .tre" 1 "$TREX" check "$TMP/bad.tre"
contains "check a .tre" "bad.tre:2: rego_parse_error: unexpected eq token" "$ERR"

[ "$failures" -eq 0 ] && echo "tre CLI: all checks passed" || { echo "tre CLI: $failures failed"; exit 1; }
