// Routing (api.h): OPA's routes, 405 for a known resource with a method it does not serve, 404 otherwise.
#include "server/api.h"

#include "server/api_response.h"
#include "server/authz.h"

namespace trex::server {

namespace {

// Matches "/prefix" exactly or "/prefix/rest"; sets rest (without the slash) on a match.
bool match_prefix(std::string_view path, std::string_view prefix, std::string_view& rest) {
  if (path.substr(0, prefix.size()) != prefix) return false;
  if (path.size() == prefix.size()) {
    rest = {};
    return true;
  }
  if (path[prefix.size()] != '/') return false;
  rest = path.substr(prefix.size() + 1);
  return true;
}

void method_not_allowed(HttpResponse& res) {
  res.status = 405;
  res.content_type.clear();
  res.body.clear();
}

// Immutable mode: nothing but a new bundle may change policies or data, so every write is refused up front.
bool refuse_write(const ServerContext& ctx, std::string_view m, HttpResponse& res) {
  if (!ctx.config.immutable || !(m == "PUT" || m == "PATCH" || m == "DELETE")) return false;
  respond_error(res, 403, api_code::kForbidden,
                "trex runs in immutable mode: policies and data change only by deploying a new signed bundle");
  return true;
}

Handler route(ServerContext& ctx, const HttpRequest& req, HttpResponse& res) {
  std::string_view path = req.path;
  std::string_view m = req.method;
  std::string_view rest;
  if (match_prefix(path, "/v1/data", rest)) {
    if (refuse_write(ctx, m, res)) return Handler::V1Data;
    if (m == "GET" || m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE") {
      handle_v1_data(ctx, req, res, rest);
    } else {
      method_not_allowed(res);
    }
    return Handler::V1Data;
  }
  if (match_prefix(path, "/v0/data", rest)) {
    if (m == "POST") handle_v0_data(ctx, req, res, rest);
    else method_not_allowed(res);
    return Handler::V0Data;
  }
  if (match_prefix(path, "/v1/policies", rest)) {
    bool list = rest.empty();
    if (!list && refuse_write(ctx, m, res)) return Handler::V1Policies;
    if ((list && m == "GET") || (!list && (m == "GET" || m == "PUT" || m == "DELETE"))) {
      handle_policies(ctx, req, res, rest);
    } else {
      method_not_allowed(res);
    }
    return Handler::V1Policies;
  }
  if (match_prefix(path, "/v1/query", rest)) {
    if (rest.empty() && (m == "GET" || m == "POST")) handle_query(ctx, req, res);
    else method_not_allowed(res);
    return Handler::V1Query;
  }
  if (match_prefix(path, "/v1/agent", rest)) {
    if ((rest == "decide" || rest == "outcome") && m == "POST") {
      handle_agent(ctx, req, res, rest);
    } else if (rest == "decide" || rest == "outcome") {
      method_not_allowed(res);
    } else {
      respond_error(res, 404, api_code::kResourceNotFound, "unknown agent endpoint: " + std::string(path));
    }
    return Handler::Agent;
  }
  if (match_prefix(path, "/health", rest) && m == "GET") {
    handle_health(ctx, req, res, rest);
    return Handler::Health;
  }
  if (path == "/v1/config" && m == "GET") {
    handle_config(ctx, req, res);
    return Handler::V1Config;
  }
  if (path == "/v1/status" && m == "GET") {
    handle_status(ctx, req, res);
    return Handler::V1Status;
  }
  if (path == "/metrics" && m == "GET") {
    handle_metrics(ctx, req, res);
    return Handler::Metrics;
  }
  if (path == "/") {
    if (m == "GET") {
      handle_index(ctx, req, res);
    } else if (m == "POST") {
      // OPA's unversioned POST: the v0 Data API at the configured default decision.
      std::string_view decision = ctx.config.default_decision;
      while (!decision.empty() && decision.front() == '/') decision.remove_prefix(1);
      handle_v0_data(ctx, req, res, decision);
    } else {
      method_not_allowed(res);
    }
    return Handler::Index;
  }
  res.status = 404;
  res.content_type = "text/plain; charset=utf-8";
  res.body = "404 page not found\n";
  return Handler::Catch;
}

}  // namespace

namespace {

bool logging_requests(const ServerContext& ctx) { return ctx.logger && ctx.logger->enabled(LogLevel::Info); }

// What a request log line names of the request (kept apart so a deferred answer need not copy the body).
struct RequestSummary {
  std::string remote_addr, method, path;
};

void log_request(ServerContext& ctx, const RequestSummary& req, const HttpResponse& res,
                 std::chrono::steady_clock::duration elapsed) {
  if (!logging_requests(ctx)) return;
  using rego::Value;
  ctx.logger->log(LogLevel::Info, "Request served.",
                  {{"client_addr", Value::string(req.remote_addr)},
                   {"req_method", Value::string(req.method)},
                   {"req_path", Value::string(req.path)},
                   {"resp_status", Value::integer(res.status)},
                   {"resp_bytes", Value::integer(static_cast<int64_t>(res.body.size()))},
                   {"resp_duration", Value::floating(std::chrono::duration<double, std::milli>(elapsed).count())}});
}

// An answer over server.limits.max_response_bytes is not sent: the client gets OPA's error shape instead.
void limit_response_size(const ServerContext& ctx, HttpResponse& res) {
  if (res.body.size() <= ctx.config.max_response_bytes) return;
  const size_t size = res.body.size();
  res.headers.clear();
  respond_error(res, 500, api_code::kInternal,
                "response of " + std::to_string(size) + " bytes exceeds server.limits.max_response_bytes (" +
                    std::to_string(ctx.config.max_response_bytes) + ")");
}

// Routes the request and records it (handle_request, on whichever thread answers it).
void serve_request(ServerContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto start = std::chrono::steady_clock::now();
  Handler h = authorize(ctx, req, res) ? route(ctx, req, res) : Handler::Catch;
  if (res.later) {
    // Measured when the answer is known, not when the handler returned.
    auto inner = std::move(res.later);
    res.later = [&ctx, inner = std::move(inner), start, h,
                 summary = RequestSummary{req.remote_addr, req.method, req.path}](auto complete) {
      inner([&ctx, complete = std::move(complete), start, h, summary](HttpResponse done) {
        limit_response_size(ctx, done);
        auto elapsed = std::chrono::steady_clock::now() - start;
        ctx.metrics.record_request(h, summary.method, done.status, elapsed);
        log_request(ctx, summary, done, elapsed);
        complete(std::move(done));
      });
    };
    return;
  }
  limit_response_size(ctx, res);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ctx.metrics.record_request(h, req.method, res.status, elapsed);
  if (logging_requests(ctx)) log_request(ctx, {req.remote_addr, req.method, req.path}, res, elapsed);
}

// Whether answering may wait on the network: the request evaluates policy (Data API reads, v0 and the
// unversioned POST, the agent API) and some rule calls the network; or it is a Query API request.
bool may_wait_on_network(const ServerContext& ctx, const HttpRequest& req) {
  if (req.method != "GET" && req.method != "POST") return false;
  std::string_view rest;
  const std::string_view path = req.path;
  if (match_prefix(path, "/v1/query", rest)) return true;
  if (!match_prefix(path, "/v1/data", rest) && !match_prefix(path, "/v0/data", rest) &&
      !match_prefix(path, "/v1/agent", rest) && path != "/")
    return false;
  return ctx.store.policy_calls_network();
}

}  // namespace

void handle_request(ServerContext& ctx, const HttpRequest& req, HttpResponse& res) {
  if (!ctx.blocking || !may_wait_on_network(ctx, req)) return serve_request(ctx, req, res);
  res.later = [&ctx, req](std::function<void(HttpResponse)> complete) {
    ctx.blocking->post([&ctx, req, complete = std::move(complete)] {
      HttpResponse out;
      try {
        serve_request(ctx, req, out);
      } catch (const std::exception& e) {  // as the transport answers a handler's exception
        out = HttpResponse{};
        respond_error(out, 500, api_code::kInternal, std::string("internal error: ") + e.what());
      }
      if (out.later) out.later(complete);  // the answer waits on its decision log too
      else complete(std::move(out));
    });
  };
}

}  // namespace trex::server
