#!/usr/bin/env bash
# Builds trex and runs the OPA-compatible server on :8181 with the shipped policies (policies/) and the
# example policy (examples/authz), every decision going to an HSM-signed log. On first run it provisions a
# project-local SoftHSM2 token (in .trex/, ignored by git): a user PIN is generated into .trex/pin (mode
# 0600) unless TREX_HSM_PIN is set, and the log's public key is written to .trex/decision-log.pub.pem.
# Extra arguments are passed to `build/trex` instead, e.g. `bash scripts/run.sh eval '1 + 1'`.
# TREX_ADDR overrides the listen address.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "${TREX_JOBS:-2}" --target trex

if [ "$#" -gt 0 ]; then
  exec build/trex "$@"
fi

STATE="$PWD/.trex"
mkdir -p "$STATE/tokens"
chmod 700 "$STATE"
if [ ! -f "$STATE/softhsm2.conf" ]; then
  printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$STATE/tokens" >"$STATE/softhsm2.conf"
fi
export SOFTHSM2_CONF="$STATE/softhsm2.conf"
if [ -z "${TREX_HSM_PIN:-}" ]; then
  if [ ! -f "$STATE/pin" ]; then
    (umask 077; od -An -N4 -tu4 /dev/urandom | tr -d ' \n' >"$STATE/pin")
  fi
  PIN_LINE="pin_file: $STATE/pin"
else
  PIN_LINE="pin_env: TREX_HSM_PIN"
fi
# Provisioning is idempotent: an existing token and key are kept.
TREX_HSM_PIN="${TREX_HSM_PIN:-$(cat "$STATE/pin")}" build/trex hsm init --token-label trex --key-label trex-log >/dev/null
build/trex hsm pubkey --token-label trex --key-label trex-log >"$STATE/decision-log.pub.pem"

cat >"$STATE/config.yaml" <<YAML
decision_logs:
  console: false
  signed_file:
    path: $STATE/decisions
    durability: sync
  signing:
    pkcs11:
      module: /usr/lib/softhsm/libsofthsm2.so
      token_label: trex
      key_label: trex-log
      $PIN_LINE
YAML

ADDR="${TREX_ADDR:-:8181}"
PORT="${ADDR##*:}"
echo "trex: serving OPA's REST API on $ADDR (Ctrl-C stops it gracefully); decisions are signed into $STATE/decisions"
echo "  try: curl -s localhost:$PORT/v0/data/authz -d @examples/authz/input.json"
echo "       curl -s localhost:$PORT/v1/agent/decide -d @bench/load/agent-action.json"
echo "       build/trex log verify --public-key $STATE/decision-log.pub.pem $STATE/decisions"
exec build/trex run --server --addr "$ADDR" --log-level info --config-file "$STATE/config.yaml" \
  policies/ examples/authz/policy.rego examples/authz/data.json
