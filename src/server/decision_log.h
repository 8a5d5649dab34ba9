// Decision events: what the API hands to decision logging for every policy decision, in OPA's decision log
// event shape. The server fills an event and gives it to a DecisionSink; sinks (console here; the signed,
// hash-chained file log and remote upload elsewhere) decide what to do with it. Nothing here knows HTTP.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
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
};

// OPA's decision log event JSON (EventV1): decision_id, path, input, result, timestamp (RFC 3339, UTC,
// nanoseconds), metrics, labels, bundles, requested_by, req_id, and error when evaluation failed.
rego::Value decision_event_value(const DecisionEvent& event);

// "2026-11-26T15:53:27.123456789Z"
std::string rfc3339_nano(int64_t unix_ns);

// A random RFC 4122 version 4 UUID, as OPA's decision ids.
std::string new_decision_id();

class DecisionSink {
 public:
  virtual ~DecisionSink() = default;
  // Called on the request's thread after the decision; must be thread-safe and must not throw.
  virtual void log(const DecisionEvent& event) = 0;
};

// OPA's console decision logger: one JSON line per decision on standard output, with the event's fields
// plus "msg": "Decision Log", "level": "info", "time", "type": "openpolicyagent.org/decision_logs".
class ConsoleDecisionSink : public DecisionSink {
 public:
  void log(const DecisionEvent& event) override;

 private:
  std::mutex mu_;  // keeps lines whole when two threads log at once
};

}  // namespace trex::server
