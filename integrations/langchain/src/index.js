// trex for LangChain JS: guard tools with trex's agent decisions. See README.md.
export { withTrex, TrexGuardedTool } from "./with_trex.js";
export { TrexProvenanceRecorder, provenanceFor } from "./provenance.js";
export { TrexClient, TrexError, TrexDeniedError, applyPatch } from "./client.js";
