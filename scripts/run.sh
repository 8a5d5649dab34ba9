#!/usr/bin/env bash
# Builds trex and runs the OPA-compatible server on :8181 with the shipped policies (policies/) and the
# example policy (examples/authz), every decision going to an HSM-signed log (scripts/serve.sh). On first run
# it provisions a project-local SoftHSM2 token (in .trex/, ignored by git): a user PIN is generated into
# .trex/pin (mode 0600) unless TREX_HSM_PIN is set, and the log's public key goes to .trex/decision-log.pub.pem.
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

exec bash scripts/serve.sh
