// What the Data, Query and (later) agent APIs share around one evaluation: request metrics in OPA's names,
// Data API paths as refs, input parsing with OPA's messages, evaluation options from the configuration,
// provenance, and the decision event.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "rego/engine.h"
#include "rego/trace.h"
#include "server/api.h"

namespace trex::server {

// Per-request metrics as OPA reports them with ?metrics=true (timer_rego_query_eval_ns, ...). Off, nothing is
// recorded and the timers do not read the clock: a request whose metrics nobody reads (no ?metrics, no
// decision log) saves four clock reads.
class RequestMetrics {
 public:
  explicit RequestMetrics(bool on = true) : on_(on) {}
  class Timer {
   public:
    Timer(RequestMetrics& m, const char* name) : m_(m), name_(name) {
      if (m.on_) start_ = std::chrono::steady_clock::now();
    }
    ~Timer() { stop(); }
    void stop();

   private:
    RequestMetrics& m_;
    const char* name_;
    std::chrono::steady_clock::time_point start_;
    bool stopped_ = false;
  };
  void add(const char* name, int64_t value);
  int64_t get(const char* name) const;
  rego::Value to_value() const;

 private:
  // A request records three timers at most: kept inline, so measuring every request allocates nothing.
  boost::container::small_vector<std::pair<const char*, int64_t>, 4> values_;
  bool on_;
};

// A Data API path ("a/b/0", percent-encoded) as ref keys after data: segments decoded, integer segments as
// numbers (OPA's stringPathToRef). False with `error` ("invalid ref term ...") when it cannot be a ref.
bool data_path_keys(std::string_view path, std::vector<rego::Value>& keys, std::string& error);

// data_path_keys, answering 400 invalid_parameter ("invalid path: ...") when the path cannot be a ref.
bool data_path_keys_or_400(std::string_view path, std::vector<rego::Value>& keys, HttpResponse& res);

// "data.a.b[0]" for messages.
std::string data_ref_string(const std::vector<rego::Value>& keys);

// Parses a JSON document from the request; nullopt with OPA's message on malformed input. With `keep`, builds
// only that part of it (rego::json::Projection), failing alike.
std::optional<rego::Value> parse_json_body(std::string_view text, std::string& error,
                                           const rego::json::Projection* keep = nullptr);

// The request body as a document: YAML when the Content-Type mentions yaml (as OPA accepts for Data API
// inputs), JSON otherwise; `keep` as for parse_json_body (JSON only: YAML is built whole).
std::optional<rego::Value> parse_body_document(const HttpRequest& req, std::string& error,
                                               const rego::json::Projection* keep = nullptr);

// OPA's ?explain=notes|fails|full|debug (the first known value); Off when absent or unknown.
rego::ExplainMode explain_mode(const HttpRequest& req);

// Query options from the server configuration and the request (strict-builtin-errors, time limit).
rego::QueryOptions query_options(const ServerContext& ctx, const HttpRequest& req);

// OPA's provenance object: version, build info, bundle revisions.
rego::Value provenance_value(const ServerContext& ctx, const Snapshot& snap);

// A decision event with the request's common fields filled in (id, time, labels, bundles, client, req id).
DecisionEvent new_decision_event(ServerContext& ctx, const HttpRequest& req, const Snapshot& snap,
                                 std::string decision_id);

// The revision a decision record names: the bundle revision(s), or "store-<version>" without bundles.
std::string policy_revision(const Snapshot& snap);

// Fail closed: the decision could not be logged durably, so it is not returned (503).
void respond_log_error(HttpResponse& res, const std::string& error);

// Maps an evaluation failure to OPA's response: 500 internal_error with the engine's errors.
void respond_eval_error(HttpResponse& res, const rego::Errors& errors);

}  // namespace trex::server
