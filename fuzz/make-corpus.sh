#!/usr/bin/env bash
# fuzz/make-corpus.sh OUT-DIR [BUILD-DIR]
#
# Builds the seed corpora of the fuzz targets in OUT-DIR/<target>/ from
#   - the OPA compliance suite (not copied into the repository): TREX_COMPLIANCE_DIR, default
#     /work/shared/opa-compliance, else ../shared/opa-compliance beside the repository; its v1/ (and v0/)
#     YAML cases give Rego modules and queries (parser), data/input/want_result documents (JSON reader),
#     Policy/Data/Query API requests (HTTP handler), the JWTs they contain (JWT) and small text-form bundles
#     (bundle loader);
#   - the repository: policies/, examples/ and test fixtures (.rego, .json, bundles);
#   - fuzz/seeds/<target>/ (hand-written seeds);
#   - BUILD-DIR/fuzz/fuzz_gen_seeds when built (signed logs, signed JWTs and bundles made with the fuzz keys).
# TREX_FUZZ_COMPLIANCE_SEEDS=0 leaves the compliance suite out (a small corpus for short CI runs).
# Files are named by the SHA-1 of their content (as libFuzzer names corpus files), so re-runs add no duplicates.
# Needs python3 with PyYAML for the compliance part (skipped with a warning otherwise).
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 OUT-DIR [BUILD-DIR]" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
out="$1"
build="${2:-}"
compliance="${TREX_COMPLIANCE_DIR:-}"
if [[ "${TREX_FUZZ_COMPLIANCE_SEEDS:-1}" == 0 ]]; then
  compliance=""  # repository seeds only (CI: a small corpus that loads in seconds)
elif [[ -z "$compliance" ]]; then
  for c in /work/shared/opa-compliance "$repo/../shared/opa-compliance"; do
    if [[ -d "$c/v1" ]]; then compliance="$c"; break; fi
  done
fi

targets=(fuzz_rego_parser fuzz_eval_paths fuzz_json_reader fuzz_http_handler fuzz_jwt fuzz_bundle_loader
         fuzz_log_recovery)
for t in "${targets[@]}"; do mkdir -p "$out/$t"; done

# Hand-written seeds.
for t in "${targets[@]}"; do
  if [[ -d "$here/seeds/$t" ]]; then cp -f "$here/seeds/$t"/* "$out/$t/" 2>/dev/null || true; fi
done

# Seeds that need trex itself.
if [[ -n "$build" && -x "$build/fuzz/fuzz_gen_seeds" ]]; then
  ASAN_OPTIONS=detect_leaks=0 "$build/fuzz/fuzz_gen_seeds" "$out" "$repo"
else
  echo "make-corpus: no fuzz_gen_seeds (pass the build dir) — signed logs and bundle archives skipped" >&2
fi

python3 - "$out" "$repo" "$compliance" <<'PY'
import hashlib, json, os, re, sys, urllib.parse

out, repo, compliance = sys.argv[1], sys.argv[2], sys.argv[3]
MAX = 64 * 1024
counts = {}

def put(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if not data or len(data) > MAX:
        return
    name = hashlib.sha1(data).hexdigest()
    path = os.path.join(out, target, name)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
        counts[target] = counts.get(target, 0) + 1

JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")

def jdump(v):
    return json.dumps(v, sort_keys=False, ensure_ascii=False)

def http_requests(case, module_texts):
    reqs = []
    for i, m in enumerate(module_texts[:3]):
        reqs.append("PUT /v1/policies/case%d.rego HTTP/1.1\ncontent-type: text/plain\n\n%s" % (i, m))
    if "data" in case and isinstance(case["data"], dict):
        reqs.append("PUT /v1/data/case HTTP/1.1\ncontent-type: application/json\n\n" + jdump(case["data"]))
    q = case.get("query", "")
    if isinstance(q, str) and q:
        m = re.match(r"\s*data\.([A-Za-z0-9_.]+)\s*=\s*x\s*$", q)
        body = {"input": case["input"]} if "input" in case else {}
        if m:
            reqs.append("POST /v1/data/%s?pretty=true HTTP/1.1\ncontent-type: application/json\n\n%s" %
                        (m.group(1).replace(".", "/"), jdump(body)))
        reqs.append("GET /v1/query?q=%s HTTP/1.1\n\n" % urllib.parse.quote(q))
    return "\n~~~\n".join(reqs)

if compliance and os.path.isdir(os.path.join(compliance, "v1")):
    try:
        import yaml
    except ImportError:
        yaml = None
        print("make-corpus: python3 yaml module missing — compliance seeds skipped", file=sys.stderr)
    if yaml:
        for sub in ("v1", "v0"):
            base = os.path.join(compliance, sub)
            for root, _, files in os.walk(base):
                for fn in sorted(files):
                    if not fn.endswith((".yaml", ".yml")):
                        continue
                    path = os.path.join(root, fn)
                    raw = open(path, encoding="utf-8", errors="surrogateescape").read()
                    for tok in JWT.findall(raw):
                        put("fuzz_jwt", tok)
                    try:
                        doc = yaml.safe_load(raw)
                    except Exception:
                        continue
                    for case in (doc or {}).get("cases", []) or []:
                        mods = [m for m in (case.get("modules") or []) if isinstance(m, str)]
                        for m in mods:
                            put("fuzz_rego_parser", m)
                            put("fuzz_eval_paths", m)
                        q = case.get("query")
                        if isinstance(q, str):
                            put("fuzz_rego_parser", q)
                        it = case.get("input_term")
                        if isinstance(it, str):
                            put("fuzz_rego_parser", it)
                        for key in ("data", "input", "want_result"):
                            if key in case:
                                try:
                                    put("fuzz_json_reader", jdump(case[key]))
                                except (TypeError, ValueError):
                                    pass
                        put("fuzz_http_handler", http_requests(case, mods))
                        if mods:
                            parts = []
                            if isinstance(case.get("data"), dict):
                                parts.append("=== /data.json\n" + jdump(case["data"]))
                            parts += ["=== /m%d.rego\n%s" % (i, m) for i, m in enumerate(mods[:4])]
                            put("fuzz_bundle_loader", "\n".join(parts) + "\n")

# Repository files.
skip_dirs = {".git", "node_modules", "fuzz"}
for root, dirs, files in os.walk(repo):
    dirs[:] = [d for d in dirs if d not in skip_dirs and not d.startswith("build")]
    for fn in files:
        path = os.path.join(root, fn)
        try:
            data = open(path, "rb").read()
        except OSError:
            continue
        if fn.endswith(".rego"):
            put("fuzz_rego_parser", data)
            put("fuzz_eval_paths", data)
            put("fuzz_bundle_loader", b"=== /" + os.path.relpath(path, repo).encode() + b"\n" + data)
        elif fn.endswith(".json") and "package-lock" not in fn:
            put("fuzz_json_reader", data)
        elif fn.endswith((".tar.gz", ".tgz")):
            put("fuzz_bundle_loader", data)
        elif fn.endswith(".jsonl"):
            for line in data.splitlines()[:200]:
                put("fuzz_json_reader", line)

for t in sorted(counts):
    print("make-corpus: %-20s +%d seeds" % (t, counts[t]))
PY

for t in "${targets[@]}"; do
  echo "make-corpus: $t: $(find "$out/$t" -type f | wc -l) files"
done
