// From decision to record: applies OPA's decision-log policies — drop (`data.system.log.drop` true: the
// event is not logged) and mask (`data.system.log.mask`: JSON pointers to erase, or {"op": "upsert"|"remove",
// "path", "value"} operations on /input and /result) — evaluated against the snapshot that made the decision,
// then hands the record to every sink. A sink that cannot keep it makes the call fail, so the API can fail
// closed (503) instead of answering with a decision nobody can prove.
#pragma once

#include <string>

#include "server/api.h"

namespace trex::server {

// True when the record was kept by every sink (or dropped by policy); false with `error` otherwise.
bool record_decision(ServerContext& ctx, const Snapshot& snap, const DecisionEvent& event, std::string& error);

// Records an outcome line (kind "outcome": what the agent reports after acting on a decision).
bool record_outcome(ServerContext& ctx, const rego::Value& outcome, std::string& error);

// The agent-action fields of an input that follows the agent-action schema (an object with "action" and
// "agent" objects, and "principal"/"provenance" when present), copied into the event.
void attach_agent_fields(DecisionEvent& event, const rego::Value& input);

}  // namespace trex::server
