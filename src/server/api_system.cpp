// The operational endpoints: Health API (/health, its bundles/plugins checks, and /health/<path> answered
// by the policy at data.system.health.<path>), Config API, Status API, Prometheus metrics, and the index.
#include "rego/engine.h"
#include "server/api.h"
#include "server/api_eval.h"
#include "server/api_response.h"

namespace trex::server {

using rego::Value;

namespace {

void respond_health(HttpResponse& res, const std::string& error) {
  if (error.empty()) return respond_json(res, Value::empty_object(), false);
  respond_json(res, Value::object({{Value::string("error"), Value::string(error)}}), false, 500);
}

// /health/<path>: the policy at data.system.health.<path> must be true. Its input tells plugin states.
void health_policy(ServerContext& ctx, const HttpRequest& req, HttpResponse& res, std::string_view sub) {
  auto states = ctx.plugins.get();
  std::vector<rego::ObjectEntry> state_entries;
  bool all_ok = true;
  for (const auto& [name, state] : states) {
    state_entries.emplace_back(Value::string(name), Value::string(state));
    all_ok = all_ok && state == "OK";
  }
  rego::QueryOptions opts = query_options(ctx, req);
  opts.input = Value::object({{Value::string("plugin_state"), Value::object(std::move(state_entries))},
                              {Value::string("plugins_ready"), Value::boolean(all_ok)}});
  std::vector<Value> keys;
  if (!data_path_keys_or_400("system/health/" + std::string(sub), keys, res)) return;
  auto snap = ctx.store.snapshot();
  rego::Errors errors;
  auto result = rego::evaluate_path(*snap->policy, snap->data, keys, opts, errors);
  std::string query = data_ref_string(keys);
  if (!errors.empty()) return respond_health(res, errors.front().to_string());
  if (!result) return respond_health(res, "health check (" + query + ") was undefined");
  if (!(result->is_boolean() && result->as_bool()))
    return respond_health(res, "health check (" + query + ") returned unexpected value");
  respond_health(res, "");
}

}  // namespace

void handle_health(ServerContext& ctx, const HttpRequest& req, HttpResponse& res, std::string_view sub) {
  if (!sub.empty()) return health_policy(ctx, req, res, sub);
  // The server must be able to evaluate a trivial query at all.
  auto snap = ctx.store.snapshot();
  if (!rego::evaluate(*snap->policy, snap->data, "true").ok())
    return respond_health(res, "unable to perform evaluation");
  auto states = ctx.plugins.get();
  if (bool_param(req, "bundles") || bool_param(req, "bundle")) {
    auto it = states.find("bundle");
    if (it != states.end() && it->second != "OK") return respond_health(res, "one or more bundles are not activated");
  }
  if (bool_param(req, "plugins")) {
    auto excluded = req.params("exclude-plugin");
    for (const auto& [name, state] : states) {
      if (std::find(excluded.begin(), excluded.end(), name) != excluded.end()) continue;
      if (state != "OK") return respond_health(res, "one or more plugins are not up");
    }
  }
  respond_health(res, "");
}

void handle_config(ServerContext& ctx, const HttpRequest& req, HttpResponse& res) {
  respond_json(res, Value::object({{Value::string("result"), active_config(ctx.config)}}), bool_param(req, "pretty"));
}

void handle_status(ServerContext& ctx, const HttpRequest& req, HttpResponse& res) {
  auto snap = ctx.store.snapshot();
  auto downloaded = ctx.bundle_status.get();
  auto ts = [](int64_t ns) { return Value::string(rfc3339_nano(ns)); };
  std::vector<rego::ObjectEntry> bundles;
  for (const auto& b : snap->bundles) {
    if (downloaded.count(b.name)) continue;  // reported below, with its download state
    bundles.emplace_back(Value::string(b.name),
                         Value::object({{Value::string("name"), Value::string(b.name)},
                                        {Value::string("active_revision"), Value::string(b.revision)},
                                        {Value::string("last_successful_activation"),
                                         ts(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                ctx.started.time_since_epoch())
                                                .count())}}));
  }
  // Bundles of the bundle plugin, as OPA reports them: times only once they happened, the last error.
  for (const auto& [name, st] : downloaded) {
    std::vector<rego::ObjectEntry> e;
    e.emplace_back(Value::string("name"), Value::string(name));
    e.emplace_back(Value::string("active_revision"), Value::string(st.active_revision));
    for (auto [key, ns] : {std::pair{"last_request", st.last_request_ns},
                           std::pair{"last_successful_request", st.last_successful_request_ns},
                           std::pair{"last_successful_download", st.last_successful_download_ns},
                           std::pair{"last_successful_activation", st.last_successful_activation_ns}})
      if (ns != 0) e.emplace_back(Value::string(key), ts(ns));
    if (st.http_code != 0) e.emplace_back(Value::string("http_code"), Value::integer(st.http_code));
    if (!st.code.empty()) {
      e.emplace_back(Value::string("code"), Value::string(st.code));
      e.emplace_back(Value::string("message"), Value::string(st.message));
      std::vector<Value> errs;
      for (const auto& m : st.errors) errs.push_back(Value::string(m));
      if (!errs.empty()) e.emplace_back(Value::string("errors"), Value::array(std::move(errs)));
    }
    bundles.emplace_back(Value::string(name), Value::object(std::move(e)));
  }
  std::vector<rego::ObjectEntry> plugins;
  for (const auto& [name, state] : ctx.plugins.get())
    plugins.emplace_back(Value::string(name), Value::object({{Value::string("state"), Value::string(state)}}));
  Value result = Value::object(
      {{Value::string("labels"), ctx.config.labels},
       {Value::string("bundles"), Value::object(std::move(bundles))},
       {Value::string("plugins"), Value::object(std::move(plugins))},
       {Value::string("metrics"),
        Value::object({{Value::string("trex"),
                        Value::object({{Value::string("http_requests_total"),
                                        Value::integer(static_cast<int64_t>(ctx.metrics.total_requests()))},
                                       {Value::string("store_version"),
                                        Value::integer(static_cast<int64_t>(snap->version))}})}})}});
  respond_json(res, Value::object({{Value::string("result"), std::move(result)}}), bool_param(req, "pretty"));
}

void handle_metrics(ServerContext& ctx, const HttpRequest&, HttpResponse& res) {
  res.status = 200;
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  res.body = ctx.metrics.prometheus_text();
}

void handle_index(ServerContext& ctx, const HttpRequest&, HttpResponse& res) {
  res.status = 200;
  res.content_type = "text/html; charset=utf-8";
  res.body = "<html><head><title>trex</title></head><body>\n<pre>trex " + ctx.version +
             " - Open Policy Agent compatible policy server</pre>\n"
             "<p>APIs: /v1/data, /v1/policies, /v1/query, /health, /v1/config, /v1/status, /metrics</p>\n"
             "</body></html>\n";
}

}  // namespace trex::server
