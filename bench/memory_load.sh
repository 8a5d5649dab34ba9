#!/usr/bin/env bash
# Memory benchmark: resident memory of trex holding a 100 MB JSON data document (issue goal: at most 2x the
# document's size). Generates the document (526k user records with roles, tags, numbers; deterministic), then
# reports the peak RSS of `trex eval` loading it and the steady RSS of `trex run --server` after start-up and
# after a few lookups.
#
#   bench/memory_load.sh [BUILD_DIR]      # SIZE_MB (100) sets the document's size
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BUILD=${1:-${BUILD_DIR:-$HERE/../build}}
TREX="$BUILD/trex"
SIZE_MB=${SIZE_MB:-100}
WORK=$(mktemp -d)
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT

python3 - "$WORK/data.json" "$SIZE_MB" <<'PY'
import json, random, sys
random.seed(1)
path, limit = sys.argv[1], int(sys.argv[2]) * 1000 * 1000
roles = ["admin", "dev", "ops", "viewer", "auditor", "billing"]
with open(path, "w") as out:
    out.write('{"users": {')
    size, i = 0, 0
    while size < limit:
        rec = {"name": "user%d" % i, "email": "user%d@example.com" % i, "roles": random.sample(roles, 2),
               "team": "team%d" % (i % 500), "active": i % 3 != 0, "quota": random.randint(0, 100000),
               "score": round(random.random() * 100, 3),
               "tags": {"region": random.choice(["eu", "us", "ap"]), "tier": random.choice(["gold", "silver", "bronze"])}}
        s = ("" if i == 0 else ",") + json.dumps("u%07d" % i) + ":" + json.dumps(rec, separators=(",", ":"))
        out.write(s)
        size += len(s)
        i += 1
    out.write("}}")
PY
BYTES=$(stat -c %s "$WORK/data.json")
echo "document: $BYTES bytes"
ratio() { echo "scale=2; $1 * 1024 / $BYTES" | bc; }

peak=$( { /usr/bin/time -f "%M" "$TREX" eval -d "$WORK/data.json" 'count(data.users)' >/dev/null; } 2>&1 | tail -1)
echo "trex eval peak RSS:            ${peak} KiB  ($(ratio "$peak")x)"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$TREX" run --server --addr "127.0.0.1:$PORT" --log-level error "$WORK/data.json" &
PID=$!
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
rss() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$PID/status"; }
echo "server after start-up:         RSS $(rss) KiB ($(ratio "$(rss)")x), peak $(hwm) KiB ($(ratio "$(hwm)")x)"
for id in u0000042 u0100000 u0300000 u0500000; do curl -s "http://127.0.0.1:$PORT/v1/data/users/$id/email" >/dev/null; done
echo "server after 4 lookups:        RSS $(rss) KiB ($(ratio "$(rss)")x)"
