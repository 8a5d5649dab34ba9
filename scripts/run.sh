#!/usr/bin/env bash
# Builds trex and runs the OPA-compatible server on :8181 with the shipped policies (policies/) and the
# example policy (examples/authz). Extra arguments are passed to `build/trex` instead, e.g.
# `bash scripts/run.sh eval '1 + 1'`. TREX_ADDR overrides the listen address.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "${TREX_JOBS:-2}" --target trex

if [ "$#" -gt 0 ]; then
  exec build/trex "$@"
fi

ADDR="${TREX_ADDR:-:8181}"
echo "trex: serving OPA's REST API on $ADDR (Ctrl-C stops it gracefully)"
echo "  try: curl -s localhost:${ADDR##*:}/v0/data/authz -d @examples/authz/input.json"
echo "       curl -s localhost:${ADDR##*:}/health/ready"
exec build/trex run --server --addr "$ADDR" --log-level info \
  policies/ examples/authz/policy.rego examples/authz/data.json
