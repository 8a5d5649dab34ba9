// Decision events: what the API hands to decision logging for every policy decision, in OPA's decision log
// event shape. The server fills an event and gives it to a DecisionSink; sinks (console here; the signed,
// hash-chained file log and remote upload elsewhere) decide what to do with it. Nothing here knows HTTP.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rego/error.h"
#include "rego/value.h"

namespace trex::server {

struct DecisionEvent {
  std::string decision_id;
  std::string path;   // the document path, as OPA logs it ("authz/allow"), or "" for ad-hoc queries
  std::string query;  // the ad-hoc query (Query API), or ""
  std::optional<rego::Value> input;
  std::optional<rego::Value> result;  // absent = undefined (or an error)
  rego::Errors errors;                // non-empty = the evaluation failed
  int64_t timestamp_ns = 0;           // wall clock, UTC
  rego::Value metrics = rego::Value::empty_object();
  rego::Value labels = rego::Value::empty_object();
  std::vector<std::pair<std::string, std::string>> bundles;  // bundle name -> revision
  std::string requested_by;  // client address
  uint64_t req_id = 0;

  // Agent actions (inputs following policies/schemas/agent-action.v1.json): who acted, what, why.
  rego::Value agent;       // null = not an agent action
  rego::Value action;
  rego::Value principal;
  rego::Value provenance;
  // The outcome in brief: whether it was allowed and which rules denied it (agent decisions).
  std::optional<bool> allow;
  rego::Value deny;  // array of {"rule", "msg"}, null when not an agent decision
  std::string policy_sha256;     // the policy set that decided (Snapshot::policy_sha256)
  std::string policy_revision;   // bundle revision(s), or the store version
};

// OPA's decision log event JSON (EventV1): decision_id, path, input, result, timestamp (RFC 3339, UTC,
// nanoseconds), metrics, labels, bundles, requested_by, req_id, and error when evaluation failed.
rego::Value decision_event_value(const DecisionEvent& event);

// "2026-11-26T15:53:27.123456789Z"
std::string rfc3339_nano(int64_t unix_ns);

// A random RFC 4122 version 4 UUID, as OPA's decision ids.
std::string new_decision_id();

// Where decision records go. `kind` is "decision" or "outcome"; `record` is the finished JSON object (after
// masking). Called on the request's thread; must be thread-safe and must not throw. Returning false (with
// `error`) means the record could not be kept: for a durable sink the server then fails closed and answers
// 503 instead of the decision.
class DecisionSink {
 public:
  virtual ~DecisionSink() = default;
  virtual bool log(std::string_view kind, const rego::Value& record, std::string& error) = 0;
  // The non-blocking form: `done` is called exactly once when the record is kept (or refused), possibly on
  // another thread, so that a request thread need not wait for a disk. The default calls log() at once.
  virtual void log_async(std::string_view kind, const rego::Value& record,
                         std::function<void(bool ok, const std::string& error)> done) {
    std::string error;
    bool ok = log(kind, record, error);
    done(ok, error);
  }
  // For /health and /v1/status: false when the sink cannot currently keep records.
  virtual bool healthy() const { return true; }
};

// OPA's console decision logger: one JSON line per decision on standard output, with the event's fields
// plus "msg": "Decision Log", "level": "info", "time", "type": "openpolicyagent.org/decision_logs".
class ConsoleDecisionSink : public DecisionSink {
 public:
  bool log(std::string_view kind, const rego::Value& record, std::string& error) override;

 private:
  std::mutex mu_;  // keeps lines whole when two threads log at once
};

}  // namespace trex::server
