// OPA's REST API over the store and the engine: routing (api.cpp) and one file per API — api_data.cpp
// (Data API v1 and v0), api_policies.cpp, api_query.cpp, api_system.cpp (health, config, status, metrics,
// index), api_agent.cpp (agent decisions and outcomes). Handlers are functions from HttpRequest to
// HttpResponse over a shared ServerContext; they run on the transport's threads concurrently, reading the
// store's current snapshot without locks.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <string>
#include <vector>

#include "server/blocking_pool.h"
#include "server/config.h"
#include "server/decision_log.h"
#include "server/http_message.h"
#include "server/logger.h"
#include "server/metrics.h"
#include "server/store.h"

namespace trex::server {

// Plugin states as OPA reports them in /health?plugins and /v1/status ("OK", "NOT_READY", "ERROR").
// Plugins (bundle, decision_logs, status...) set their state when it changes; rarely written, so a mutex.
class PluginStates {
 public:
  void set(const std::string& name, const std::string& state) {
    std::lock_guard<std::mutex> lock(mu_);
    states_[name] = state;
  }
  std::map<std::string, std::string> get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return states_;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> states_;
};

// What the bundle plugin knows of each downloaded bundle, for /v1/status (OPA's bundle status): times as
// Unix nanoseconds (0 = never), the last error as code/message/errors ("" = none).
struct BundleStatus {
  std::string name;
  std::string active_revision;
  int64_t last_request_ns = 0;
  int64_t last_successful_request_ns = 0;
  int64_t last_successful_download_ns = 0;
  int64_t last_successful_activation_ns = 0;
  int http_code = 0;
  std::string code;
  std::string message;
  std::vector<std::string> errors;
};

class BundleStatuses {
 public:
  void set(const BundleStatus& s) {
    std::lock_guard<std::mutex> lock(mu_);
    statuses_[s.name] = s;
  }
  std::map<std::string, BundleStatus> get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return statuses_;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, BundleStatus> statuses_;
};

struct ServerContext {
  Store store;
  ServerConfig config;
  ServerMetrics metrics;
  PluginStates plugins;
  BundleStatuses bundle_status;  // downloaded bundles (bundle_plugin.h); startup bundles are not in it
  std::vector<std::shared_ptr<DecisionSink>> decision_sinks;  // empty = decision logging off
  std::chrono::system_clock::time_point started = std::chrono::system_clock::now();
  std::atomic<uint64_t> next_req_id{1};
  std::function<void(const std::string&)> print;  // print() output from policies; null discards
  std::string version;                              // trex's version, for provenance and labels
  Logger* logger = nullptr;                         // request logging at info level; null = none
  // Where requests that may wait on the network are served (blocking_pool.h); null = on the calling thread.
  std::unique_ptr<BlockingPool> blocking;
  // Set once the shutdown grace period is over: every query still running ends with eval_cancel_error (an
  // http.send waiting on a slow host included) instead of holding up the exit.
  std::atomic<bool> cancel_queries{false};

  bool decision_logging() const { return !decision_sinks.empty(); }
};

// Routes one request to its handler and records it in the metrics. A request that evaluates a policy calling
// the network (rego::calls_network), and every Query API request (an ad-hoc query may call it itself), is
// answered later from ctx.blocking, so that the event loop calling this never waits on a remote host.
void handle_request(ServerContext& ctx, const HttpRequest& req, HttpResponse& res);

// ---- the handlers (path is the rest of the URL path after the API prefix, still percent-encoded) ----
void handle_v1_data(ServerContext& ctx, const HttpRequest& req, HttpResponse& res, std::string_view path);
void handle_v0_data(ServerContext& ctx, const HttpRequest& req, HttpResponse& res, std::string_view path);
void handle_policies(ServerContext& ctx, const HttpRequest& req, HttpResponse& res, std::string_view id);
void handle_query(ServerContext& ctx, const HttpRequest& req, HttpResponse& res);
void handle_health(ServerContext& ctx, const HttpRequest& req, HttpResponse& res, std::string_view sub);
void handle_config(ServerContext& ctx, const HttpRequest& req, HttpResponse& res);
void handle_status(ServerContext& ctx, const HttpRequest& req, HttpResponse& res);
void handle_metrics(ServerContext& ctx, const HttpRequest& req, HttpResponse& res);
void handle_index(ServerContext& ctx, const HttpRequest& req, HttpResponse& res);
void handle_agent(ServerContext& ctx, const HttpRequest& req, HttpResponse& res, std::string_view sub);

}  // namespace trex::server
