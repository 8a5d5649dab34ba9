#!/usr/bin/env bash
# Builds trex and runs it. Today trex is a command-line Rego evaluator (trex eval/check/parse); this
# script evaluates the shipped example policy as a demonstration. Extra arguments are passed to
# `build/trex` instead, e.g. `bash scripts/run.sh eval '1 + 1'`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "${TREX_JOBS:-2}" --target trex

if [ "$#" -gt 0 ]; then
  exec build/trex "$@"
fi

EXAMPLE=examples/authz
echo "trex: evaluating the example policy $EXAMPLE/policy.rego against $EXAMPLE/input.json"
echo "\$ build/trex eval -d $EXAMPLE/policy.rego -d $EXAMPLE/data.json -i $EXAMPLE/input.json --format pretty data.authz"
build/trex eval -d "$EXAMPLE/policy.rego" -d "$EXAMPLE/data.json" -i "$EXAMPLE/input.json" --format pretty data.authz
echo
echo "trex is a command-line evaluator for now (trex eval | check | parse | version);"
echo "the OPA-compatible server is not part of this build yet."
