// withTrex(tool, options): a LangChain tool that asks trex before every call.
//
// The guard is a StructuredTool with the wrapped tool's name, description and schema (so models bind it
// exactly as they would bind the tool) whose _call asks POST /v1/agent/decide, applies the policy's patch,
// invokes the wrapped tool (which validates the possibly patched arguments against its own schema again),
// and reports the outcome. The wrapped tool runs as a child run of the guard's run.
import { StructuredTool } from "@langchain/core/tools";
import { ToolMessage, isToolMessage } from "@langchain/core/messages";
import { patchConfig } from "@langchain/core/runnables";
import { TrexClient, TrexDeniedError, TrexError, applyPatch } from "./client.js";
import { findRecorder, provenanceFor } from "./provenance.js";

/**
 * @typedef {import("./client.js").Action} Action
 * @typedef {import("./client.js").AgentRequest} AgentRequest
 * @typedef {import("./provenance.js").TrexProvenanceRecorder} TrexProvenanceRecorder
 * @typedef {import("@langchain/core/runnables").RunnableConfig} RunnableConfig
 */

/**
 * @typedef {object} WithTrexOptions
 * @property {TrexClient | string} [client] a TrexClient, or trex's base URL (default http://localhost:8181)
 * @property {{id: string, model?: string, session?: string} | ((config: RunnableConfig) => {id: string, model?: string, session?: string})} agent
 *   the agent asking; a function of the run's config for per-run values (e.g. the session)
 * @property {{id: string, type?: string, roles?: string[]} | ((config: RunnableConfig) => {id: string, type?: string, roles?: string[]})} principal
 *   on whose behalf it acts
 * @property {string} [actionType] action.type (default "tool_call"), e.g. "transfer"
 * @property {string} [toolName] action.tool (default the tool's name)
 * @property {[string, string]} [moneyArgs] the arguments copied to action.amount / action.currency when
 *   present (default ["amount", "currency"])
 * @property {Partial<Action> | ((args: Record<string, unknown>, config: RunnableConfig) => Partial<Action>)} [action]
 *   more action fields, e.g. target or context
 * @property {Array<{approver: string, token: string}> | ((action: Action, config: RunnableConfig) => Array<{approver: string, token: string}> | undefined | Promise<Array<{approver: string, token: string}> | undefined>)} [approvals]
 *   signed human approvals for the action
 * @property {string} [path] the decision document, e.g. "tre/decision" (default the server's)
 * @property {"throw" | "message"} [onDenied] "throw" (default): the call throws TrexDeniedError;
 *   "message": the call returns an error ToolMessage (status "error") carrying the same text, so the model
 *   reads the denial without the agent loop having to handle errors
 * @property {TrexProvenanceRecorder} [recorder] a recorder to read provenance from when it is not among the
 *   run's callbacks
 * @property {(error: unknown) => void} [onOutcomeError] called when the outcome cannot be reported (default
 *   console.warn)
 */

/**
 * Wraps a LangChain tool so that each call is decided by trex first. See README.md.
 * @template {StructuredTool} T
 * @param {T} tool a StructuredTool, e.g. from `tool()` of @langchain/core/tools
 * @param {WithTrexOptions} options
 * @returns {TrexGuardedTool}
 */
export function withTrex(tool, options) {
  return new TrexGuardedTool(tool, options);
}

export class TrexGuardedTool extends StructuredTool {
  static lc_name() {
    return "TrexGuardedTool";
  }

  /**
   * @param {StructuredTool} tool
   * @param {WithTrexOptions} options
   */
  constructor(tool, options) {
    if (!tool || typeof tool.invoke !== "function" || typeof tool.name !== "string") {
      throw new TypeError("withTrex: expected a LangChain tool (a StructuredTool, e.g. from tool())");
    }
    if (!options?.agent || !options?.principal) throw new TypeError("withTrex: options.agent and options.principal are required");
    // The wrapped tool's response format is applied by the wrapped tool itself (its ToolMessage is passed
    // through), so the guard's own is always "content".
    super({ verboseParsingErrors: tool.verboseParsingErrors, metadata: tool.metadata, extras: tool.extras });
    this.name = tool.name;
    this.description = tool.description;
    this.schema = tool.schema;
    this.returnDirect = tool.returnDirect;
    /** The wrapped tool. */
    this.tool = tool;
    this.options = options;
    this.client = options.client instanceof TrexClient ? options.client : new TrexClient({ url: options.client });
  }

  /**
   * @param {unknown} input the arguments, parsed by the tool's schema
   * @param {any} runManager
   * @param {RunnableConfig & {toolCall?: {id?: string, name: string, args: object, type?: string}}} config
   */
  async _call(input, runManager, config = {}) {
    const o = this.options;
    const toolCall = config.toolCall;
    // A string-input Tool's schema turns the call into a string; the action's arguments are an object.
    const wrapped = input === null || typeof input !== "object" || Array.isArray(input);
    const args = wrapped ? { input } : /** @type {Record<string, unknown>} */ (input);

    /** @type {Action} */
    const action = { type: o.actionType ?? "tool_call", tool: o.toolName ?? this.name, arguments: args };
    const [amountArg, currencyArg] = o.moneyArgs ?? ["amount", "currency"];
    // Copied whatever their type: an amount the schema rejects (a string, say) must fail the request, not
    // slip past amount-based rules by being left out.
    if (args[amountArg] !== undefined) action.amount = /** @type {number} */ (args[amountArg]);
    if (args[currencyArg] !== undefined) action.currency = /** @type {string} */ (args[currencyArg]);
    Object.assign(action, typeof o.action === "function" ? o.action(args, config) : o.action);

    const recorder = o.recorder ?? findRecorder(runManager);
    const provenance = provenanceFor(config, recorder, {
      runId: config.metadata?.trace_id ?? runManager?.runId,
      toolCallId: toolCall?.id,
    });
    if (!provenance.instruction) {
      // trex's schema requires the instruction; say how to provide it rather than relay a 400.
      throw new TrexError(
        `trex: no instruction for the call to ${this.name}: set config.metadata.instruction or pass a ` +
          "TrexProvenanceRecorder in the run's callbacks (the tool did not run)",
      );
    }
    /** @type {AgentRequest} */
    const request = {
      action,
      agent: typeof o.agent === "function" ? o.agent(config) : o.agent,
      principal: typeof o.principal === "function" ? o.principal(config) : o.principal,
      provenance,
    };
    const approvals = typeof o.approvals === "function" ? await o.approvals(action, config) : o.approvals;
    if (approvals?.length) request.approvals = approvals;

    // Throws TrexError when trex is unreachable or answers 4xx/5xx: the tool does not run (fail closed).
    const decision = await this.client.decide(request, { path: o.path, signal: config.signal });
    if (!decision.allow) {
      const denied = new TrexDeniedError(decision, this.name);
      if (o.onDenied !== "message") throw denied;
      return toolCall?.id
        ? new ToolMessage({ status: "error", content: denied.message, tool_call_id: toolCall.id, name: this.name })
        : denied.message;
    }

    let callArgs = args;
    if (Array.isArray(decision.patch) && decision.patch.length) {
      // The patch addresses the decision's input document (/action/arguments/...); the tool gets the
      // patched action's arguments.
      const patched = applyPatch(request, decision.patch);
      if (!patched?.action?.arguments || typeof patched.action.arguments !== "object") {
        throw new TrexError(`trex: the policy's patch left no action.arguments for ${this.name} (the tool did not run)`);
      }
      callArgs = patched.action.arguments;
    }
    const toolInput = wrapped ? callArgs.input : callArgs;

    const childConfig = patchConfig(config, { callbacks: runManager?.getChild() });
    delete childConfig.toolCall;
    let output;
    try {
      // With the model's tool call the wrapped tool answers with its own ToolMessage (its response format,
      // artifact and status intact), which the guard returns as is.
      output = await this.tool.invoke(toolCall ? { ...toolCall, args: toolInput } : toolInput, childConfig);
    } catch (e) {
      await this.#report(decision.decision_id, "failed", { error: String(e?.message ?? e) });
      throw e;
    }
    const message = isToolMessage(output) ? output : undefined;
    const failed = message?.status === "error";
    await this.#report(decision.decision_id, failed ? "failed" : "succeeded", jsonable(message ? message.content : output));
    return output;
  }

  // The tool has run by now; failing the call because the report did not arrive would invite the agent to
  // run it again. So the failure is reported to onOutcomeError instead of thrown.
  async #report(decisionId, status, result) {
    try {
      await this.client.outcome(decisionId, status, result);
    } catch (e) {
      (this.options.onOutcomeError ?? ((err) => console.warn(`trex: outcome of decision ${decisionId} not recorded: ${err?.message ?? err}`)))(e);
    }
  }
}

function jsonable(value) {
  if (value === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(value));
  } catch {
    return String(value);
  }
}
