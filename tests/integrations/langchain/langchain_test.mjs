// trex's LangChain JS integration (integrations/langchain) driving LangChain tools from an agent loop
// against a real trex server with the shipped policies (policies/: payments-agent may call
// payments.transfer; a transfer over 10,000 is denied by NoHighValueTransfers).
//
//   node langchain_test.mjs TREX_BINARY POLICIES_DIR
//
// langchain_test.sh copies this file next to the package in the build tree and installs the pinned
// @langchain/core there. Every check runs even after a failure; exits 1 if any failed.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import { z } from "zod";
import { TrexClient, TrexDeniedError, TrexError, TrexProvenanceRecorder, applyPatch, withTrex } from "trex-langchain";

const [trexBin, policies] = process.argv.slice(2);
if (!trexBin || !policies) {
  console.error("usage: node langchain_test.mjs TREX_BINARY POLICIES_DIR");
  process.exit(2);
}

let failures = 0;
async function check(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}\n     ${String(e?.stack ?? e).split("\n").join("\n     ")}`);
  }
}

// ---- a real trex server on a free loopback port, every decision in the HSM-signed log ----
// A throw-away SoftHSM2 token for this run (its own SOFTHSM2_CONF), as scripts/serve.sh provisions one.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trex-langchain-"));
const stdoutPath = path.join(tmp, "stdout");
const stderrPath = path.join(tmp, "stderr");
const logDir = path.join(tmp, "decisions");
const pubKeyPath = path.join(tmp, "pub.pem");
fs.mkdirSync(path.join(tmp, "tokens"));
fs.writeFileSync(path.join(tmp, "softhsm2.conf"),
                 `directories.tokendir = ${path.join(tmp, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n`);
const hsmEnv = { ...process.env, SOFTHSM2_CONF: path.join(tmp, "softhsm2.conf"), TREX_HSM_PIN: "271828",
                 TREX_HSM_SO_PIN: "31415926" };
execFileSync(trexBin, ["hsm", "init", "--token-label", "lc", "--key-label", "log"], { env: hsmEnv });
fs.writeFileSync(pubKeyPath, execFileSync(trexBin, ["hsm", "pubkey", "--token-label", "lc", "--key-label", "log"],
                                          { env: hsmEnv }));
fs.writeFileSync(path.join(tmp, "config.yaml"), `decision_logs:
  signed_file: {path: "${logDir}", durability: sync}
  signing:
    pkcs11: {module: /usr/lib/softhsm/libsofthsm2.so, token_label: lc, key_label: log, pin_env: TREX_HSM_PIN}
`);
const server = spawn(
  trexBin,
  ["run", "--server", "--addr", "127.0.0.1:0", "--log-level", "info", "--config-file", path.join(tmp, "config.yaml"),
   policies],
  { stdio: ["ignore", fs.openSync(stdoutPath, "w"), fs.openSync(stderrPath, "w")], env: hsmEnv },
);
let spawnError;
server.on("error", (e) => (spawnError = e));
// On an early exit (a crash before the orderly stop below) there is no time to wait for a graceful stop.
process.on("exit", () => server.exitCode === null && server.signalCode === null && server.kill("SIGKILL"));

async function serverPort() {
  for (let i = 0; i < 200; i++) {
    if (spawnError) throw new Error(`cannot start ${trexBin}: ${spawnError.message}`);
    if (server.exitCode !== null) throw new Error(`trex exited (${server.exitCode}): ${fs.readFileSync(stderrPath, "utf8")}`);
    for (const line of fs.readFileSync(stderrPath, "utf8").split("\n")) {
      try {
        const rec = JSON.parse(line);
        if (rec.msg === "Initializing server.") return rec.port;
      } catch {}
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`trex did not start: ${fs.readFileSync(stderrPath, "utf8")}`);
}
const url = `http://127.0.0.1:${await serverPort()}`;
const client = new TrexClient({ url });

// The decision log as this test reads it: the HSM-signed log, after `trex log verify` has accepted it with
// the token's public key alone (every line, the hash chain, every checkpoint signature, coverage).
function decisionLog() {
  const verified = execFileSync(trexBin, ["log", "verify", "--public-key", pubKeyPath, logDir], { encoding: "utf8" });
  if (!verified.startsWith("ok:")) throw new Error(`trex log verify: ${verified}`);
  const records = fs
    .readdirSync(logDir)
    .sort()
    .flatMap((name) => fs.readFileSync(path.join(logDir, name), "utf8").split("\n").filter(Boolean))
    .map((line) => JSON.parse(line));
  return {
    decisions: records.filter((r) => r.kind === "decision"),
    outcomes: records.filter((r) => r.kind === "outcome"),
  };
}

// ---- a chat model that answers from a script of AIMessages with tool calls ----
// @langchain/core's fake chat models do not fit an agent loop: FakeListChatModel binds tools but answers
// only text, and FakeStreamingChatModel answers the same tool calls on every turn. So this is the minimal
// BaseChatModel that does: each call returns the next scripted message.
class ScriptedToolCallingModel extends BaseChatModel {
  /** @param {AIMessage[]} script */
  constructor(script) {
    super({});
    this.script = [...script];
    this.boundTools = [];
  }
  _llmType() {
    return "scripted-tool-calling";
  }
  bindTools(tools) {
    this.boundTools = tools;
    return this;
  }
  async _generate() {
    const message = this.script.shift();
    if (!message) throw new Error("the script has no more answers");
    return { generations: [{ message, text: typeof message.content === "string" ? message.content : "" }] };
  }
}

const call = (id, name, args) => ({ id, name, args, type: "tool_call" });

// A minimal agent loop, as LangGraph's ToolNode runs tools: an error thrown by a tool becomes an error
// ToolMessage the model reads on its next turn.
async function runAgent(model, tools, messages, config) {
  const bound = model.bindTools(tools);
  const byName = new Map(tools.map((t) => [t.name, t]));
  const errors = [];
  for (let turn = 0; turn < 10; turn++) {
    const ai = await bound.invoke(messages, config);
    messages.push(ai);
    if (!ai.tool_calls?.length) return { messages, errors };
    for (const tc of ai.tool_calls) {
      try {
        messages.push(await byName.get(tc.name).invoke({ ...tc, type: "tool_call" }, config));
      } catch (e) {
        errors.push(e);
        messages.push(new ToolMessage({ content: `Error: ${e.message}`, status: "error", tool_call_id: tc.id, name: tc.name }));
      }
    }
  }
  throw new Error("the agent did not finish");
}

// ---- the tools: side effects land in an in-memory ledger ----
const ledger = [];
const transferImpl = tool(
  async ({ to, amount, currency, reference }) => {
    ledger.push({ to, amount, currency, reference });
    return `transfer t-${ledger.length}: ${amount} ${currency} to ${to}`;
  },
  {
    name: "payments_transfer",
    description: "Send money to a counterparty",
    schema: z.object({
      to: z.string(),
      amount: z.number().positive(),
      currency: z.string().length(3),
      reference: z.string().optional(),
    }),
  },
);
const lookupImpl = tool(async ({ invoice }) => JSON.stringify({ invoice, payee: "ACME", amount: 250, currency: "USD", due: "today" }), {
  name: "payments_lookup",
  description: "Look an invoice up",
  // A JSON schema rather than zod: the guard passes either through.
  schema: { type: "object", properties: { invoice: { type: "string" } }, required: ["invoice"] },
});
const AGENT = { id: "payments-agent", model: "scripted", session: "s-langchain" };
const PRINCIPAL = { id: "cfo", type: "user" };
const guard = (t, extra) => withTrex(t, { client, agent: AGENT, principal: PRINCIPAL, ...extra });
const transfer = guard(transferImpl, { actionType: "transfer", toolName: "payments.transfer" });
const lookup = guard(lookupImpl, { toolName: "payments.lookup" });

const INSTRUCTION = "Pay ACME's invoice 42, then wire 50,000 USD to Globex for the Q3 retainer.";

await check("an agent loop: the allowed transfer runs, the denied one does not", async () => {
  const model = new ScriptedToolCallingModel([
    new AIMessage({ content: "I'll look invoice 42 up first.", tool_calls: [call("call_lookup_1", "payments_lookup", { invoice: "42" })] }),
    new AIMessage({
      content: "Invoice 42 is 250 USD to ACME, due today: paying it.",
      tool_calls: [call("call_transfer_1", "payments_transfer", { to: "ACME", amount: 250, currency: "USD", reference: "invoice 42" })],
    }),
    new AIMessage({
      content: "Now the Globex retainer of 50,000 USD.",
      tool_calls: [call("call_transfer_2", "payments_transfer", { to: "Globex", amount: 50000, currency: "USD" })],
    }),
    new AIMessage("ACME is paid. The Globex wire needs a human approval first."),
  ]);
  const recorder = new TrexProvenanceRecorder();
  const { messages, errors } = await runAgent(
    model,
    [lookup, transfer],
    [new SystemMessage("You are a payments agent."), new HumanMessage(INSTRUCTION)],
    { callbacks: [recorder], metadata: { conversation_id: "conv-langchain-1" } },
  );

  // The guards bind like the tools they wrap.
  assert.deepEqual(model.boundTools.map((t) => t.name), ["payments_lookup", "payments_transfer"]);
  assert.deepEqual(toJsonSchema(model.boundTools[1].schema), toJsonSchema(transferImpl.schema));

  // Side effects: the allowed transfer happened, the denied one did not.
  assert.deepEqual(ledger, [{ to: "ACME", amount: 250, currency: "USD", reference: "invoice 42" }]);
  const toolMessages = messages.filter((m) => m.getType() === "tool");
  assert.equal(toolMessages.length, 3);
  const [, paid, refused] = toolMessages;
  assert.equal(paid.status, "success");
  assert.equal(paid.tool_call_id, "call_transfer_1");
  assert.equal(paid.content, "transfer t-1: 250 USD to ACME");
  assert.equal(refused.status, "error");
  assert.equal(refused.tool_call_id, "call_transfer_2");
  assert.match(refused.content, /NoHighValueTransfers: Transfers over \$10,000 require human approval/);

  assert.equal(errors.length, 1);
  const denied = errors[0];
  assert.ok(denied instanceof TrexDeniedError);
  assert.equal(denied.rule, "NoHighValueTransfers");
  assert.equal(denied.msg, "Transfers over $10,000 require human approval");
  assert.equal(denied.requiresApproval, true);
  assert.match(denied.decisionId, /^[0-9a-f-]{36}$/);

  // The decision log: both decisions, with the instruction and the reasoning that led to them.
  const { decisions, outcomes } = decisionLog();
  const allowed = decisions.find((d) => d.provenance?.tool_call_id === "call_transfer_1");
  assert.ok(allowed, "the allowed transfer's decision is logged");
  assert.equal(allowed.outcome.allow, true);
  assert.deepEqual(allowed.action, {
    type: "transfer",
    tool: "payments.transfer",
    arguments: { to: "ACME", amount: 250, currency: "USD", reference: "invoice 42" },
    amount: 250,
    currency: "USD",
  });
  assert.deepEqual(allowed.agent, AGENT);
  assert.equal(allowed.provenance.instruction, INSTRUCTION);
  assert.equal(allowed.provenance.framework, "langchain");
  assert.equal(allowed.provenance.conversation_id, "conv-langchain-1");
  assert.match(allowed.provenance.trace_id, /^[0-9a-f-]{36}$/);
  assert.deepEqual(allowed.provenance.reasoning, [
    { step: 0, thought: "I'll look invoice 42 up first." },
    {
      step: 1,
      thought: 'called payments_lookup({"invoice":"42"})',
      tool: "payments_lookup",
      observation: '{"invoice":"42","payee":"ACME","amount":250,"currency":"USD","due":"today"}',
    },
    { step: 2, thought: "Invoice 42 is 250 USD to ACME, due today: paying it." },
  ]);
  const outcome = outcomes.find((o) => o.decision_id === allowed.decision_id);
  assert.ok(outcome, "the allowed transfer's outcome is logged");
  assert.equal(outcome.status, "succeeded");
  assert.equal(outcome.result, "transfer t-1: 250 USD to ACME");

  const refusedRecord = decisions.find((d) => d.decision_id === denied.decisionId);
  assert.ok(refusedRecord, "the denied transfer's decision is logged");
  assert.equal(refusedRecord.provenance.tool_call_id, "call_transfer_2");
  assert.equal(refusedRecord.outcome.allow, false);
  assert.deepEqual(refusedRecord.outcome.deny, [{ rule: "NoHighValueTransfers", msg: "Transfers over $10,000 require human approval" }]);
  assert.equal(refusedRecord.provenance.instruction, INSTRUCTION);
  assert.equal(refusedRecord.provenance.reasoning.at(-1).thought, "Now the Globex retainer of 50,000 USD.");
  assert.ok(refusedRecord.provenance.reasoning.some((r) => r.tool === "payments_transfer" && r.observation === "transfer t-1: 250 USD to ACME"));
  assert.equal(outcomes.find((o) => o.decision_id === denied.decisionId), undefined, "nothing ran, so no outcome");
});

await check("provenance from the run's metadata; onDenied: 'message' returns an error ToolMessage", async () => {
  ledger.length = 0;
  const soft = guard(transferImpl, { actionType: "transfer", toolName: "payments.transfer", onDenied: "message" });
  const metadata = { instruction: "Wire Initech the 20k from the contract", reasoning: ["the contract says 20,000 EUR"] };
  const msg = await soft.invoke(call("call_m1", "payments_transfer", { to: "Initech", amount: 20000, currency: "EUR" }), { metadata });
  assert.ok(msg instanceof ToolMessage);
  assert.equal(msg.status, "error");
  assert.equal(msg.tool_call_id, "call_m1");
  assert.match(msg.content, /NoHighValueTransfers: Transfers over \$10,000 require human approval/);
  assert.deepEqual(ledger, []);

  // Called with plain arguments (no tool call), a tool answers with its content.
  const out = await soft.invoke({ to: "Initech", amount: 99, currency: "EUR" }, { metadata: { instruction: "Pay Initech 99 EUR" } });
  assert.equal(out, "transfer t-1: 99 EUR to Initech");
  assert.equal(ledger.length, 1);

  const record = decisionLog().decisions.find((d) => d.provenance?.tool_call_id === "call_m1");
  assert.ok(record);
  assert.equal(record.provenance.instruction, metadata.instruction);
  assert.deepEqual(record.provenance.reasoning, metadata.reasoning);
  assert.equal(record.outcome.allow, false);
});

await check("a policy's patch is applied to the arguments before the tool runs", async () => {
  ledger.length = 0;
  const rego = `package tre.rules.langchain_test_patch

patch contains {"op": "add", "path": "/action/arguments/reference", "value": "reviewed-by-trex"} if {
	input.action.tool == "payments.transfer"
	not input.action.arguments.reference
}

patch contains {"op": "replace", "path": "/action/arguments/no_such_field", "value": 1} if {
	input.action.arguments.to == "Broken Co"
}
`;
  const put = await fetch(`${url}/v1/policies/langchain_test_patch`, { method: "PUT", body: rego });
  assert.equal(put.status, 200, await put.text());
  try {
    const metadata = { instruction: "Pay Hooli 120 USD" };
    assert.equal(await transfer.invoke({ to: "Hooli", amount: 120, currency: "USD" }, { metadata }), "transfer t-1: 120 USD to Hooli");
    assert.deepEqual(ledger, [{ to: "Hooli", amount: 120, currency: "USD", reference: "reviewed-by-trex" }]);
    // A patch that does not apply stops the call.
    await assert.rejects(transfer.invoke({ to: "Broken Co", amount: 5, currency: "USD" }, { metadata }), (e) => e instanceof TrexError && /patch/.test(e.message));
    assert.equal(ledger.length, 1);
  } finally {
    await fetch(`${url}/v1/policies/langchain_test_patch`, { method: "DELETE" });
  }
});

await check("fail closed: trex unreachable, 4xx and 5xx answers, no instruction", async () => {
  ledger.length = 0;
  const metadata = { instruction: "Pay ACME 10 USD" };
  const args = { to: "ACME", amount: 10, currency: "USD" };
  const down = withTrex(transferImpl, { client: "http://127.0.0.1:1", agent: AGENT, principal: PRINCIPAL, actionType: "transfer" });
  await assert.rejects(down.invoke(args, { metadata }), (e) => e instanceof TrexError && e.status === 0);
  const badAgent = guard(transferImpl, { actionType: "transfer", toolName: "payments.transfer", agent: { id: "" } });
  await assert.rejects(badAgent.invoke(args, { metadata }), (e) => e instanceof TrexError && e.status === 400 && /agent\.id/.test(e.message));
  // A decision document without a boolean "allow" is an error (500), never an allow.
  const badPath = guard(transferImpl, { actionType: "transfer", toolName: "payments.transfer", path: "tre/config" });
  await assert.rejects(badPath.invoke(args, { metadata }), (e) => e instanceof TrexError && e.status >= 500);
  await assert.rejects(transfer.invoke(args), (e) => e instanceof TrexError && /instruction/.test(e.message));
  // A non-numeric amount is sent as is, so the schema refuses it rather than amount rules missing it.
  const loose = guard(tool(async () => ledger.push("loose"), { name: "loose_transfer", schema: { type: "object", properties: {} } }), {
    actionType: "transfer",
    toolName: "payments.transfer",
  });
  await assert.rejects(loose.invoke({ amount: "50000", currency: "USD" }, { metadata }), (e) => e instanceof TrexError && e.status === 400);
  assert.deepEqual(ledger, []);
});

await check("a tool that fails is reported as a failed outcome", async () => {
  const broken = guard(
    tool(
      async () => {
        throw new Error("bank offline");
      },
      { name: "payments_transfer", schema: z.object({ to: z.string(), amount: z.number(), currency: z.string() }) },
    ),
    { actionType: "transfer", toolName: "payments.transfer" },
  );
  await assert.rejects(
    broken.invoke(call("call_broken", "payments_transfer", { to: "ACME", amount: 1, currency: "USD" }), { metadata: { instruction: "Pay ACME 1 USD" } }),
    /bank offline/,
  );
  const { decisions, outcomes } = decisionLog();
  const record = decisions.find((d) => d.provenance?.tool_call_id === "call_broken");
  assert.ok(record);
  const outcome = outcomes.find((o) => o.decision_id === record.decision_id);
  assert.equal(outcome?.status, "failed");
  assert.deepEqual(outcome.result, { error: "bank offline" });
});

await check("content_and_artifact tools keep their artifact", async () => {
  const quote = guard(
    tool(async ({ invoice }) => [`invoice ${invoice}: 250 USD`, { pdf: "invoice-42.pdf" }], {
      name: "payments_lookup",
      schema: z.object({ invoice: z.string() }),
      responseFormat: "content_and_artifact",
    }),
    { toolName: "payments.lookup" },
  );
  const msg = await quote.invoke(call("call_art", "payments_lookup", { invoice: "42" }), { metadata: { instruction: "Find invoice 42" } });
  assert.ok(msg instanceof ToolMessage);
  assert.equal(msg.content, "invoice 42: 250 USD");
  assert.deepEqual(msg.artifact, { pdf: "invoice-42.pdf" });
});

await check("applyPatch: RFC 6902 operations on a copy", async () => {
  const doc = { action: { arguments: { a: 1, list: [1, 2], "x/y": 0 } } };
  const patched = applyPatch(doc, [
    { op: "add", path: "/action/arguments/memo", value: "m" },
    { op: "replace", path: "/action/arguments/a", value: 2 },
    { op: "add", path: "/action/arguments/list/-", value: 3 },
    { op: "remove", path: "/action/arguments/list/0" },
    { op: "move", from: "/action/arguments/x~1y", path: "/action/arguments/z" },
    { op: "copy", from: "/action/arguments/a", path: "/action/arguments/b" },
    { op: "test", path: "/action/arguments/list", value: [2, 3] },
  ]);
  assert.deepEqual(patched, { action: { arguments: { a: 2, list: [2, 3], memo: "m", z: 0, b: 2 } } });
  assert.equal(doc.action.arguments.a, 1);
  assert.throws(() => applyPatch(doc, [{ op: "test", path: "/action/arguments/a", value: 5 }]), TrexError);
  assert.throws(() => applyPatch(doc, [{ op: "remove", path: "/action/nothing" }]), TrexError);
  assert.throws(() => applyPatch(doc, [{ op: "add", path: "/action/arguments/list/7", value: 0 }]), TrexError);
  assert.throws(() => applyPatch(doc, [{ op: "frobnicate", path: "/action" }]), TrexError);
});

// Stop the server. A server that ignores SIGTERM would keep this process alive (the child's handle) and
// outlive it once killed, so after a grace period it is killed for good and the hang reported.
const stopped = new Promise((resolve) => server.once("exit", resolve));
server.kill("SIGTERM");
const timer = setTimeout(() => {
  console.log("WARN trex did not exit within 15s of SIGTERM; killing it");
  server.kill("SIGKILL");
}, 15000);
await stopped;
clearTimeout(timer);
if (failures) {
  console.log(`---- trex stderr ----\n${fs.readFileSync(stderrPath, "utf8").split("\n").slice(-30).join("\n")}`);
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
console.log("all checks passed");
