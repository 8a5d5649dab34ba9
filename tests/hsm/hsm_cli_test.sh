#!/usr/bin/env bash
# trex hsm init / pubkey and trex log verify, end to end on a throw-away SoftHSM2 token: exit codes,
# idempotent init, the PIN never printed, and verify failing on a tampered log or the wrong key.
# usage: hsm_cli_test.sh TREX_BIN HSM_WRITE_LOG_BIN
set -uo pipefail
TREX=$1
WRITE_LOG=$2
WORK=$(mktemp -d /tmp/trex-hsm-cli-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$WORK" > "$WORK/softhsm2.conf"
export SOFTHSM2_CONF="$WORK/softhsm2.conf"
export TREX_HSM_PIN="cli-PIN-31337"
export TREX_TEST_TOKEN_LABEL=clitest TREX_TEST_KEY_LABEL=clikey
unset TREX_HSM_SO_PIN

pass=0 fail=0
check() {  # check NAME EXPECTED_RC ACTUAL_RC [grep-pattern file]
  local name=$1 want=$2 got=$3
  if [ "$want" != "$got" ]; then
    echo "FAIL: $name: exit $got, want $want"; fail=$((fail + 1)); return
  fi
  if [ $# -ge 5 ] && ! grep -q -- "$4" "$5"; then
    echo "FAIL: $name: output lacks '$4':"; cat "$5"; fail=$((fail + 1)); return
  fi
  echo "ok: $name"; pass=$((pass + 1))
}
no_pin() {  # no_pin NAME FILE...
  if grep -q -- "$TREX_HSM_PIN" "${@:2}" || grep -q -- "wrong-PIN-424242" "${@:2}"; then
    echo "FAIL: $1: a PIN was printed"; fail=$((fail + 1))
  else
    echo "ok: $1"; pass=$((pass + 1))
  fi
}

"$TREX" hsm init --token-label clitest --key-label clikey >"$WORK/init1.out" 2>&1
check "hsm init creates token and key" 0 $? 'key "clikey": created' "$WORK/init1.out"
grep -q 'SO PIN (generated' "$WORK/init1.out"; check "generated SO PIN printed once" 0 $?
"$TREX" hsm init --token-label clitest --key-label clikey >"$WORK/init2.out" 2>&1
check "hsm init is idempotent" 0 $? 'already present' "$WORK/init2.out"
grep -q 'SO PIN' "$WORK/init2.out"; check "no SO PIN the second time" 1 $?
no_pin "init prints no user PIN" "$WORK/init1.out" "$WORK/init2.out"

"$TREX" hsm pubkey --token-label clitest --key-label clikey >"$WORK/pub.pem" 2>"$WORK/pub.err"
check "hsm pubkey prints PEM" 0 $? 'BEGIN PUBLIC KEY' "$WORK/pub.pem"
openssl pkey -pubin -in "$WORK/pub.pem" -noout 2>/dev/null; check "pubkey PEM parses with openssl" 0 $?
env -u TREX_HSM_PIN "$TREX" hsm pubkey --token-label clitest --key-label clikey >"$WORK/pub2.pem" 2>&1
check "hsm pubkey needs no PIN" 0 $?
cmp -s "$WORK/pub.pem" "$WORK/pub2.pem"; check "same key both ways" 0 $?

TREX_HSM_PIN=wrong-PIN-424242 "$TREX" hsm init --token-label clitest --key-label clikey >"$WORK/wrong.out" 2>&1
check "wrong PIN fails" 1 $? 'CKR_PIN_INCORRECT' "$WORK/wrong.out"
no_pin "wrong-PIN error shows no PIN" "$WORK/wrong.out"
"$TREX" hsm pubkey --token-label nosuch >"$WORK/nosuch.out" 2>&1
check "unknown token fails" 1 $? 'no PKCS#11 token labelled "nosuch"' "$WORK/nosuch.out"
"$TREX" hsm pubkey --module "$WORK/missing.so" >"$WORK/nomod.out" 2>&1
check "missing module fails" 1 $? 'cannot load PKCS#11 module' "$WORK/nomod.out"
"$TREX" hsm frobnicate >/dev/null 2>&1; check "unknown hsm subcommand is a usage error" 2 $?

"$WRITE_LOG" "$WORK/log" 12 sync 2>"$WORK/write.err"; check "write a log" 0 $?
"$TREX" log verify --public-key "$WORK/pub.pem" "$WORK/log" >"$WORK/verify.out" 2>&1
check "verify accepts the log" 0 $? '24 lines (9 decisions, 3 outcomes, 12 checkpoints)' "$WORK/verify.out"

cp -r "$WORK/log" "$WORK/tampered"
SEG=$(ls "$WORK/tampered"/decisions-*.jsonl | head -1)
sed -i '5s/"result":true/"result":false/' "$SEG"
"$TREX" log verify --public-key "$WORK/pub.pem" "$WORK/tampered" >"$WORK/tampered.out" 2>&1
check "verify names the edited line" 1 $? 'decisions-00000000000000000000.jsonl:5 (seq 4)' "$WORK/tampered.out"

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null | openssl pkey -pubout >"$WORK/other.pem" 2>/dev/null
"$TREX" log verify --public-key "$WORK/other.pem" "$WORK/log" >"$WORK/other.out" 2>&1
check "verify rejects the wrong key" 1 $? 'does not verify' "$WORK/other.out"
"$TREX" log verify "$WORK/log" >/dev/null 2>&1; check "verify without --public-key is a usage error" 2 $?
"$TREX" log verify --public-key "$WORK/missing.pem" "$WORK/log" >/dev/null 2>&1; check "unreadable key file" 2 $?

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
