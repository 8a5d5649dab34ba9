// The HTTP side of the integration: trex's agent API (POST /v1/agent/decide, POST /v1/agent/outcome), the
// errors a guarded tool throws, and JSON Patch. No LangChain imports here, so it can be used on its own.

/**
 * @typedef {{rule: string, msg: string}} Denial
 * @typedef {{op: string, path: string, value?: unknown, from?: string}} PatchOperation
 * @typedef {{
 *   decision_id: string, allow: boolean, deny: Denial[], requires_approval: boolean,
 *   patch: PatchOperation[] | null, policy?: {revision?: string, sha256?: string}
 * }} Decision
 * @typedef {{
 *   type: string, tool?: string, arguments?: Record<string, unknown>, amount?: number, currency?: string,
 *   target?: {type: string, id: string, attributes?: object}, context?: object
 * }} Action
 * @typedef {{
 *   instruction: string, reasoning?: Array<string | {step?: number, thought: string, tool?: string, observation?: string}>,
 *   conversation_id?: string, trace_id?: string, framework?: string, [key: string]: unknown
 * }} Provenance
 * @typedef {{
 *   action: Action, agent: {id: string, model?: string, session?: string},
 *   principal: {id: string, type?: string, roles?: string[]}, provenance: Provenance,
 *   approvals?: Array<{approver: string, token: string}>
 * }} AgentRequest
 */

/**
 * trex could not be asked, or answered with an error (4xx/5xx, OPA's {"code", "message", "errors"} shape),
 * or its answer could not be used. A guarded tool that throws this did not run: the integration fails closed.
 */
export class TrexError extends Error {
  /**
   * @param {string} message
   * @param {{status?: number, body?: unknown, cause?: unknown}} [details]
   */
  constructor(message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "TrexError";
    /** HTTP status, 0 when trex could not be reached. */
    this.status = details.status ?? 0;
    /** The parsed error body, when there was one. */
    this.body = details.body;
  }
}

/**
 * The policy refused the tool call; the tool did not run. `rule` and `msg` are the first denial; `deny`
 * holds them all. The message reads "Denied by trex policy: <rule>: <msg>" so that it makes sense as the
 * content of an error ToolMessage shown to the model.
 */
export class TrexDeniedError extends Error {
  /**
   * @param {Decision} decision
   * @param {string} [tool]
   */
  constructor(decision, tool) {
    const deny = Array.isArray(decision.deny) ? decision.deny : [];
    // A decision may refuse without naming a rule (allow: false and an empty deny set).
    const first = deny[0] ?? { rule: "", msg: "not allowed by policy" };
    const reasons = deny.length ? deny.map((d) => `${d.rule}: ${d.msg}`).join("; ") : first.msg;
    super(`Denied by trex policy: ${reasons}${tool ? ` (tool ${tool})` : ""} [decision ${decision.decision_id}]`);
    this.name = "TrexDeniedError";
    /** @type {string} the first denying rule, e.g. "NoHighValueTransfers" */
    this.rule = first.rule;
    /** @type {string} its message, e.g. "Transfers over $10,000 require human approval" */
    this.msg = first.msg;
    /** @type {Denial[]} every denial */
    this.deny = deny;
    /** @type {string} the decision id, as in trex's decision log */
    this.decisionId = decision.decision_id;
    /** @type {boolean} whether a human approval could lift the denial */
    this.requiresApproval = Boolean(decision.requires_approval);
    /** @type {Decision} */
    this.decision = decision;
  }
}

export class TrexClient {
  /**
   * @param {{url?: string, token?: string, timeoutMs?: number, fetch?: typeof fetch}} [options]
   *   url: trex's base URL (default http://localhost:8181); token: sent as a bearer token;
   *   timeoutMs: per request (default 10000); fetch: a fetch implementation (default the global one).
   */
  constructor(options = {}) {
    this.url = (options.url ?? "http://localhost:8181").replace(/\/+$/, "");
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 10000;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /**
   * @param {string} path
   * @param {unknown} body
   * @param {AbortSignal} [signal]
   * @returns {Promise<any>}
   */
  async #post(path, body, signal) {
    const headers = { "content-type": "application/json" };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let res;
    let text;
    try {
      res = await this.fetch(this.url + path, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      text = await res.text();
    } catch (e) {
      throw new TrexError(`trex: cannot reach ${this.url}${path}: ${e?.cause?.code ?? e?.message ?? e}`, { cause: e });
    }
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    if (!res.ok) {
      const detail =
        parsed && typeof parsed === "object"
          ? [parsed.code, parsed.message, ...(parsed.errors ?? []).map((e) => e.field ? `${e.field}: ${e.message}` : e.message)]
              .filter(Boolean)
              .join(": ")
          : String(parsed);
      throw new TrexError(`trex: HTTP ${res.status} from ${path}: ${detail}`, { status: res.status, body: parsed });
    }
    return parsed;
  }

  /**
   * POST /v1/agent/decide. Throws TrexError for anything but a well-formed decision (fail closed).
   * @param {AgentRequest} request
   * @param {{path?: string, signal?: AbortSignal}} [options] path: the decision document (default the
   *   server's, data.tre.decision), e.g. "tre/decision"
   * @returns {Promise<Decision>}
   */
  async decide(request, options = {}) {
    const query = options.path ? `?path=${encodeURIComponent(options.path)}` : "";
    const decision = await this.#post(`/v1/agent/decide${query}`, request, options.signal);
    if (!decision || typeof decision !== "object" || typeof decision.allow !== "boolean" || typeof decision.decision_id !== "string") {
      throw new TrexError(`trex: malformed decision: ${JSON.stringify(decision)}`, { status: 200, body: decision });
    }
    return decision;
  }

  /**
   * POST /v1/agent/outcome: what happened after acting on a decision.
   * @param {string} decisionId
   * @param {string} status e.g. "succeeded", "failed"
   * @param {unknown} [result]
   */
  async outcome(decisionId, status, result) {
    return this.#post("/v1/agent/outcome", { decision_id: decisionId, status, result: result ?? null });
  }
}

/**
 * Applies a JSON Patch (RFC 6902: add, remove, replace, move, copy, test) to a deep copy of `document`.
 * Throws TrexError when an operation cannot be applied: a policy's patch that does not fit the action must
 * stop the call rather than let it run unpatched.
 * @template T
 * @param {T} document
 * @param {PatchOperation[]} patch
 * @returns {T}
 */
export function applyPatch(document, patch) {
  const root = { "": structuredClone(document) };
  for (const op of patch) {
    const fail = (why) => {
      throw new TrexError(`trex: cannot apply the policy's patch ${JSON.stringify(op)}: ${why}`);
    };
    const locate = (pointer) => {
      if (typeof pointer !== "string" || (pointer !== "" && !pointer.startsWith("/"))) fail("bad JSON pointer");
      const parts = ["", ...(pointer === "" ? [] : pointer.slice(1).split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~")))];
      let parent = root;
      for (const p of parts.slice(0, -1)) {
        parent = parent?.[Array.isArray(parent) ? index(parent, p, false) : p];
        if (parent === null || typeof parent !== "object") fail(`${pointer} does not exist`);
      }
      return { parent, key: parts[parts.length - 1] };
    };
    const index = (arr, key, forAdd) => {
      if (forAdd && key === "-") return arr.length;
      if (!/^(0|[1-9][0-9]*)$/.test(key)) fail(`bad array index ${key}`);
      const i = Number(key);
      if (i > arr.length || (!forAdd && i === arr.length)) fail(`array index ${key} out of range`);
      return i;
    };
    const get = (pointer) => {
      const { parent, key } = locate(pointer);
      if (Array.isArray(parent)) return parent[index(parent, key, false)];
      if (!Object.hasOwn(parent, key)) fail(`${pointer} does not exist`);
      return parent[key];
    };
    const remove = (pointer) => {
      const { parent, key } = locate(pointer);
      if (Array.isArray(parent)) return parent.splice(index(parent, key, false), 1)[0];
      if (!Object.hasOwn(parent, key)) fail(`${pointer} does not exist`);
      const old = parent[key];
      delete parent[key];
      return old;
    };
    const add = (pointer, value) => {
      const { parent, key } = locate(pointer);
      if (Array.isArray(parent)) parent.splice(index(parent, key, true), 0, value);
      else parent[key] = value;
    };
    switch (op?.op) {
      case "add":
        add(op.path, structuredClone(op.value));
        break;
      case "remove":
        remove(op.path);
        break;
      case "replace":
        remove(op.path);
        add(op.path, structuredClone(op.value));
        break;
      case "move":
        add(op.path, remove(op.from));
        break;
      case "copy":
        add(op.path, structuredClone(get(op.from)));
        break;
      case "test":
        if (!deepEqual(get(op.path), op.value)) fail("test failed");
        break;
      default:
        fail("unknown op");
    }
  }
  return root[""];
}

/** JSON equality (object key order does not matter). */
function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}
