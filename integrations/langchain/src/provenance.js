// Provenance: the instruction that set the agent going and the reasoning that led to a tool call.
//
// Two sources, merged by provenanceFor():
//  1. The RunnableConfig's metadata (`metadata.instruction`, `metadata.reasoning`, `metadata.conversation_id`):
//     explicit, set by the application where it starts the run; metadata is inherited by every child run, so
//     it reaches the tool. It wins over anything recorded.
//  2. A TrexProvenanceRecorder callback handler passed in the run's callbacks. It sees what the chat model
//     sees (handleChatModelStart: the conversation so far) and what it answers (handleLLMEnd), so it can name
//     the human message that triggered the call and the model's intermediate messages (its text, its
//     reasoning/thinking blocks, earlier tool calls with their results) without the application doing more
//     than adding it to `callbacks`.
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";

// Marks recorders without instanceof, which fails when two copies of this package are installed.
const RECORDER = Symbol.for("trex.langchain.provenanceRecorder");

/** Longest observation (tool result) copied into the reasoning, in characters. */
const MAX_OBSERVATION = 2000;

/**
 * Records the conversation a chat model was given and its answer, for the provenance of the tool calls that
 * answer asks for. Use one recorder per agent run or conversation (it keeps only the latest model call), and
 * pass it in the callbacks of both the model and the tools, e.g. `agent.invoke(input, {callbacks: [recorder]})`.
 */
export class TrexProvenanceRecorder extends BaseCallbackHandler {
  name = "trex_provenance_recorder";

  // The tool's decision reads what handleLLMEnd stored: LangChain runs handlers in the background unless
  // they ask to be awaited, and then the tool could be asked about before the model's answer was recorded.
  awaitHandlers = true;

  /** @type {unknown[]} the messages of the latest chat model call */
  messages = [];

  /** @type {unknown} the latest chat model answer (an AIMessage) */
  output = undefined;

  get [RECORDER]() {
    return true;
  }

  /** @param {unknown} _llm @param {unknown[][]} messages */
  handleChatModelStart(_llm, messages) {
    this.messages = Array.isArray(messages?.[0]) ? [...messages[0]] : [];
    this.output = undefined;
  }

  /** @param {{generations?: Array<Array<{message?: unknown, text?: string}>>}} output */
  handleLLMEnd(output) {
    const generation = output?.generations?.[0]?.[0];
    this.output = generation?.message ?? (generation?.text ? { type: "ai", content: generation.text } : undefined);
  }

  /**
   * The instruction (the latest human message) and reasoning (what the model said and did since) recorded.
   * @returns {{instruction?: string, reasoning: Array<string | {step: number, thought: string, tool?: string, observation?: string}>}}
   */
  provenance() {
    const transcript = this.output === undefined ? this.messages : [...this.messages, this.output];
    let start = -1;
    for (let i = transcript.length - 1; i >= 0 && start < 0; i--) if (messageType(transcript[i]) === "human") start = i;
    if (start < 0) return { reasoning: [] };
    const instruction = text(transcript[start].content).trim() || undefined;

    // Tool results answer earlier tool calls: pair them by tool_call_id so each call reads as one step.
    const results = new Map();
    for (const m of transcript.slice(start + 1)) {
      if (messageType(m) === "tool" && m.tool_call_id) results.set(m.tool_call_id, text(m.content));
    }
    const reasoning = [];
    let step = 0;
    const last = transcript.length - 1;
    transcript.slice(start + 1).forEach((m, k) => {
      if (messageType(m) !== "ai") return;
      const thought = [thinking(m), text(m.content)].filter(Boolean).join("\n").trim();
      if (thought) reasoning.push({ step: step++, thought });
      // The latest answer's tool calls are the action being decided, not reasoning about it.
      if (start + 1 + k === last && this.output !== undefined) return;
      for (const call of m.tool_calls ?? []) {
        const entry = { step: step++, thought: `called ${call.name}(${JSON.stringify(call.args ?? {})})`, tool: call.name };
        if (results.has(call.id)) entry.observation = truncate(results.get(call.id));
        reasoning.push(entry);
      }
    });
    return { instruction, reasoning };
  }
}

/**
 * @param {unknown} handler
 * @returns {handler is TrexProvenanceRecorder}
 */
export function isProvenanceRecorder(handler) {
  return Boolean(handler && handler[RECORDER] === true && typeof handler.provenance === "function");
}

/**
 * The recorder among a run's callback handlers (the tool run's handlers include the inheritable ones passed
 * in the config's callbacks), if any.
 * @param {{handlers?: unknown[], inheritableHandlers?: unknown[]} | undefined} runManager
 */
export function findRecorder(runManager) {
  for (const h of [...(runManager?.handlers ?? []), ...(runManager?.inheritableHandlers ?? [])]) {
    if (isProvenanceRecorder(h)) return h;
  }
  return undefined;
}

/**
 * The provenance sent with a tool call: metadata first, then the recorder, then `fallback`.
 * @param {{metadata?: Record<string, any>, configurable?: Record<string, any>}} config the tool's RunnableConfig
 * @param {TrexProvenanceRecorder | undefined} recorder
 * @param {{runId?: string, toolCallId?: string}} ids
 * @returns {import("./client.js").Provenance}
 */
export function provenanceFor(config, recorder, ids) {
  const metadata = config?.metadata ?? {};
  const recorded = recorder ? recorder.provenance() : { reasoning: [] };
  /** @type {import("./client.js").Provenance} */
  const provenance = { instruction: nonEmpty(metadata.instruction) ?? recorded.instruction };
  const reasoning = metadata.reasoning !== undefined ? [metadata.reasoning].flat() : recorded.reasoning;
  if (reasoning.length) provenance.reasoning = reasoning;
  // LangGraph names the conversation thread_id; a plain run may say conversation_id in its metadata.
  const conversation = nonEmpty(metadata.conversation_id) ?? nonEmpty(config?.configurable?.thread_id) ?? nonEmpty(metadata.thread_id);
  if (conversation) provenance.conversation_id = conversation;
  if (ids.runId) provenance.trace_id = ids.runId;
  if (ids.toolCallId) provenance.tool_call_id = ids.toolCallId;
  provenance.framework = "langchain";
  return provenance;
}

function nonEmpty(v) {
  return typeof v === "string" && v.trim() !== "" ? v : typeof v === "number" ? String(v) : undefined;
}

function messageType(m) {
  if (!m || typeof m !== "object") return undefined;
  const type = typeof m.getType === "function" ? m.getType() : typeof m._getType === "function" ? m._getType() : m.type;
  if (type === "generic" || type === "chat") return { user: "human", assistant: "ai" }[m.role] ?? m.role;
  return type;
}

/** The text of a message's content: a string, or the text blocks of a content array. */
function text(content) {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((b) => (typeof b === "string" ? b : b?.type === "text" && typeof b.text === "string" ? b.text : ""))
    .filter(Boolean)
    .join("\n");
}

/** Reasoning the provider returned apart from the text: thinking/reasoning blocks, reasoning_content. */
function thinking(m) {
  const parts = [];
  if (Array.isArray(m.content)) {
    for (const b of m.content) {
      if (b?.type === "thinking" && typeof b.thinking === "string") parts.push(b.thinking); // Anthropic
      if (b?.type === "reasoning") {
        if (typeof b.reasoning === "string") parts.push(b.reasoning); // LangChain's standard block
        for (const s of Array.isArray(b.summary) ? b.summary : []) if (typeof s?.text === "string") parts.push(s.text); // OpenAI
      }
    }
  }
  if (typeof m.additional_kwargs?.reasoning_content === "string") parts.push(m.additional_kwargs.reasoning_content);
  return parts.join("\n");
}

function truncate(s) {
  return s.length > MAX_OBSERVATION ? `${s.slice(0, MAX_OBSERVATION)}…` : s;
}
