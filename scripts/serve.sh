#!/usr/bin/env bash
# Starts the trex server with every decision signed into an HSM-backed log: provisions a SoftHSM2 token in
# $TREX_STATE on first run (idempotent), writes the server's configuration there and runs
# `trex run --server`. Used by scripts/run.sh and as the Docker image's entrypoint, and exercised by the
# tests (tests/docker/serve_test.sh), so the container starts exactly as CI checks.
#
#   TREX_STATE    state directory (token, PIN file, config, decisions)   default: ./.trex
#   TREX_BIN      the trex binary                                        default: build/trex
#   TREX_ADDR     listen address                                         default: :8181
#   TREX_HSM_PIN  the token's user PIN; when unset one is generated into $TREX_STATE/pin (mode 0600)
#   arguments     the policy/data paths to serve                         default: policies/ + examples/authz
set -euo pipefail

STATE="${TREX_STATE:-$PWD/.trex}"
TREX="${TREX_BIN:-build/trex}"
PATHS=("$@")
if [ "${#PATHS[@]}" -eq 0 ]; then PATHS=(policies/ examples/authz/policy.rego examples/authz/data.json); fi
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
TREX_HSM_PIN="${TREX_HSM_PIN:-$(cat "$STATE/pin")}" "$TREX" hsm init --token-label trex --key-label trex-log >/dev/null
"$TREX" hsm pubkey --token-label trex --key-label trex-log >"$STATE/decision-log.pub.pem"

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
echo "       $TREX log verify --public-key $STATE/decision-log.pub.pem $STATE/decisions"
exec "$TREX" run --server --addr "$ADDR" --log-level info --config-file "$STATE/config.yaml" "${PATHS[@]}"
