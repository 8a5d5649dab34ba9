// OPA's own TypeScript/JavaScript client SDK (@styra/opa) against a running trex server: the evaluate calls
// and the health check an application makes, with the values they must return.
//
//   node sdk_test.mjs http://127.0.0.1:PORT
//
// sdk_test.sh installs the pinned SDK next to this file (in the build tree), starts trex on
// tests/sdk/policy and runs it. Every check runs even after a failure; exits 1 if any failed.
import assert from "node:assert/strict";
import { OPAClient } from "@styra/opa";
import { OpaApiClient } from "@styra/opa/sdk/index.js";
import { SDKError, ServerError } from "@styra/opa/sdk/models/errors";

const url = process.argv[2];
if (!url) {
  console.error("usage: node sdk_test.mjs http://HOST:PORT");
  process.exit(2);
}

const opa = new OPAClient(url);
let failures = 0;
let checks = 0;

async function check(name, fn) {
  checks++;
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}\n     ${String(e?.stack ?? e).split("\n").join("\n     ")}`);
  }
}

function skip(name, why) {
  console.log(`SKIP ${name}: ${why}`);
}

// ---- evaluate: POST /v1/data/{path} with {"input": ...} ----
await check("evaluate allow with input (granted)", async () => {
  assert.equal(await opa.evaluate("sdktest/authz/allow", { user: "alice", action: "delete" }), true);
});
await check("evaluate allow with input (denied, the default rule)", async () => {
  assert.equal(await opa.evaluate("sdktest/authz/allow", { user: "bob", action: "write" }), false);
});
await check("evaluate an object document", async () => {
  assert.deepEqual(await opa.evaluate("sdktest/authz/roles", { user: "carol" }), ["editor", "viewer"]);
});
await check("evaluate with fromResult", async () => {
  const n = await opa.evaluate("sdktest/authz/roles", { user: "carol" }, { fromResult: (r) => r.length });
  assert.equal(n, 2);
});
await check("evaluate with a ToInput object", async () => {
  const req = { toInput: () => ({ user: "carol", action: "write" }) };
  assert.equal(await opa.evaluate("sdktest/authz/allow", req), true);
});

// ---- evaluate without input: GET /v1/data/{path} ----
await check("evaluate without input (GET)", async () => {
  assert.deepEqual(await opa.evaluate("sdktest/authz/summary"), { users: 3, roles: 3 });
});
await check("evaluate base data", async () => {
  assert.deepEqual(await opa.evaluate("sdktest/permissions/viewer"), ["read"]);
});
await check("evaluate an undefined document gives undefined", async () => {
  assert.equal(await opa.evaluate("sdktest/authz/no_such_rule", { user: "alice" }), undefined);
});

// ---- an evaluation error: the 500 body must parse as the SDK's ServerError ----
await check("evaluate surfaces eval_conflict_error as ServerError", async () => {
  await assert.rejects(opa.evaluate("sdktest/authz/conflict", { conflict: true }), (e) => {
    assert.ok(e instanceof ServerError, `expected ServerError, got ${e?.constructor?.name}: ${e}`);
    assert.equal(e.code, "internal_error");
    assert.equal(e.errors?.[0]?.code, "eval_conflict_error");
    return true;
  });
});

// ---- evaluateDefault: POST / with the raw input, OPA's default decision (system/main) ----
await check("evaluateDefault", async () => {
  assert.deepEqual(await opa.evaluateDefault({ user: "alice", action: "read" }), { allowed: true, user: "alice" });
});
await check("evaluateDefault (denied)", async () => {
  assert.deepEqual(await opa.evaluateDefault({ user: "bob", action: "delete" }), { allowed: false, user: "bob" });
});

// ---- evaluateBatch ----
// The SDK's native batch call is POST /v1/batch/data/{path}: an Enterprise OPA endpoint that open-source OPA
// does not have, and neither does trex (a 404). With `fallback: true` the SDK notices the 404 and sends one
// POST /v1/data/{path} per input instead, which is what it does against OPA; that path is checked here.
const batchInputs = {
  a: { user: "alice", action: "write" },
  b: { user: "bob", action: "write" },
  c: { user: "carol", action: "read" },
};
let nativeBatch = false;
try {
  const res = await new OPAClient(url).evaluateBatch("sdktest/authz/allow", batchInputs);
  nativeBatch = true;
  await check("evaluateBatch (native /v1/batch/data)", async () => {
    assert.deepEqual(res, { a: true, b: false, c: true });
  });
} catch (e) {
  if (e instanceof SDKError && e.httpMeta?.response?.status === 404) {
    skip("evaluateBatch (native)", "trex has no POST /v1/batch/data/{path} (Enterprise OPA's batch API; not in OPA)");
  } else {
    failures++;
    console.log(`FAIL evaluateBatch (native): unexpected error ${e?.constructor?.name}: ${e}`);
  }
}
if (!nativeBatch) {
  await check("evaluateBatch with fallback (sequential /v1/data)", async () => {
    const res = await opa.evaluateBatch("sdktest/authz/allow", batchInputs, { fallback: true });
    assert.deepEqual(res, { a: true, b: false, c: true });
  });
  await check("evaluateBatch with fallback and rejectMixed", async () => {
    const res = await opa.evaluateBatch("sdktest/authz/roles", { x: { user: "bob" } }, { fallback: true, rejectMixed: true });
    assert.deepEqual(res, { x: ["viewer"] });
  });
}

// ---- health: GET /health (the high-level OPAClient has no health call; the generated client does) ----
const api = new OpaApiClient({ serverURL: url });
await check("health", async () => {
  const res = await api.health();
  assert.equal(res.httpMeta.response.status, 200);
  assert.deepEqual(res.healthyServer, {});
});
await check("health with bundles and plugins", async () => {
  const res = await api.health(true, true);
  assert.equal(res.httpMeta.response.status, 200);
  assert.deepEqual(res.healthyServer, {});
});

console.log(`${checks - failures}/${checks} checks passed`);
process.exit(failures === 0 ? 0 : 1);
