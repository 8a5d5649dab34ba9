// From decision to record: applies OPA's decision-log policies — drop (`data.system.log.drop` true: the
// event is not logged) and mask (`data.system.log.mask`: JSON pointers to erase, or {"op": "upsert"|"remove",
// "path", "value"} operations on /input and /result) — evaluated against the snapshot that made the decision,
// then hands the record to every sink. A sink that cannot keep it makes the call fail, so the API can fail
// closed (503) instead of answering with a decision nobody can prove.
#pragma once

#include <string>

#include "server/api.h"

namespace trex::server {

// Logs the decision, then answers: `res`, already the final response, becomes a deferred one (see
// HttpResponse::later) that is sent once every sink has kept the record — for the signed log in sync mode,
// once its line and covering checkpoint are fsynced; when a sink cannot keep it, a 503 goes out instead
// (fail closed). Without decision logging, or when the drop policy drops the event, `res` is left as is.
void answer_after_logging(ServerContext& ctx, const Snapshot& snap, const DecisionEvent& event, HttpResponse& res);

// The same for an outcome line (kind "outcome": what the agent reports after acting on a decision).
void answer_after_logging_outcome(ServerContext& ctx, const rego::Value& outcome, HttpResponse& res);

// The agent-action fields (action, agent, principal, provenance) of an input that follows the agent-action
// schema, copied into the event; inputs of any other shape are left alone.
// `validated`: the caller has already checked the schema (the agent endpoint), so it is not checked twice.
void attach_agent_fields(DecisionEvent& event, const rego::Value& input, bool validated = false);

// Whether a document validates against policies/schemas/agent-action.v1.json (api_agent.cpp).
bool follows_agent_action_schema(const rego::Value& document);

}  // namespace trex::server
