// Shared evaluation plumbing of the APIs (api_eval.h).
#include "server/api_eval.h"

#include <charconv>

#include "load/yaml_value.h"
#include "rego/json.h"
#include "server/api_response.h"

namespace trex::server {

using rego::Value;

void RequestMetrics::Timer::stop() {
  if (stopped_ || !m_.on_) return;
  stopped_ = true;
  m_.add(name_, std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count());
}

void RequestMetrics::add(const char* name, int64_t value) {
  if (!on_) return;
  for (auto& [n, v] : values_)
    if (std::string_view(n) == name) {
      v += value;
      return;
    }
  values_.emplace_back(name, value);
}

int64_t RequestMetrics::get(const char* name) const {
  for (const auto& [n, v] : values_)
    if (std::string_view(n) == name) return v;
  return 0;
}

Value RequestMetrics::to_value() const {
  std::vector<rego::ObjectEntry> out;
  for (const auto& [n, v] : values_) out.emplace_back(Value::string(n), Value::integer(v));
  return Value::object(std::move(out));
}

bool data_path_keys(std::string_view path, std::vector<Value>& keys, std::string& error) {
  // Clients ask for the same few decisions over and over: each thread keeps the last path it split.
  thread_local std::string last_path;
  thread_local std::vector<Value> last_keys;
  if (path == last_path) {  // right for the empty path on first use too: it splits into no keys
    keys = last_keys;
    return true;
  }
  keys.clear();
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    std::string_view seg = path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    pos = slash == std::string_view::npos ? path.size() + 1 : slash + 1;
    if (seg.empty()) continue;
    std::string decoded;
    if (!percent_decode(seg, decoded, false)) decoded = std::string(seg);  // as url.PathUnescape failing
    if (decoded.find('"') != std::string::npos) {
      error = "invalid ref term '" + decoded + "'";
      return false;
    }
    int64_t n = 0;
    const char* b = decoded.data();
    const char* e = b + decoded.size();
    auto [p, ec] = std::from_chars(b, e, n);
    if (ec == std::errc() && p == e) keys.push_back(Value::integer(n));
    else keys.push_back(Value::string(std::move(decoded)));
  }
  last_path = path;
  last_keys = keys;
  return true;
}

bool data_path_keys_or_400(std::string_view path, std::vector<Value>& keys, HttpResponse& res) {
  std::string error;
  if (data_path_keys(path, keys, error)) return true;
  respond_error(res, 400, api_code::kInvalidParameter, "invalid path: " + error);
  return false;
}

std::string data_ref_string(const std::vector<Value>& keys) {
  std::string out = "data";
  for (const auto& k : keys) {
    if (k.is_string()) {
      const std::string& s = k.as_string();
      bool ident = !s.empty() && !std::isdigit(static_cast<unsigned char>(s[0]));
      for (char c : s) ident = ident && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
      out += ident ? "." + s : "[" + rego::json::write(k) + "]";
    } else {
      out += "[" + rego::json::write(k) + "]";
    }
  }
  return out;
}

std::optional<Value> parse_json_body(std::string_view text, std::string& error,
                                     const rego::json::Projection* keep) {
  auto parsed = keep ? rego::json::parse(text, *keep) : rego::json::parse(text);
  if (!parsed.ok) {
    error = parsed.error;
    return std::nullopt;
  }
  return parsed.value;
}

std::optional<Value> parse_body_document(const HttpRequest& req, std::string& error,
                                         const rego::json::Projection* keep) {
  if (req.header("content-type").find("yaml") == std::string_view::npos)
    return parse_json_body(req.body, error, keep);
  try {
    return load::yaml::parse(req.body);
  } catch (const load::yaml::YamlError& e) {
    error = e.what();
    return std::nullopt;
  }
}

rego::ExplainMode explain_mode(const HttpRequest& req) {
  for (auto v : req.params("explain")) {
    auto mode = rego::parse_explain_mode(v);
    if (mode && *mode != rego::ExplainMode::Off) return *mode;
  }
  return rego::ExplainMode::Off;
}

rego::QueryOptions query_options(const ServerContext& ctx, const HttpRequest& req) {
  rego::QueryOptions opts;
  opts.strict_builtin_errors = bool_param(req, "strict-builtin-errors");
  if (ctx.config.query_timeout.count() > 0) opts.deadline = std::chrono::steady_clock::now() + ctx.config.query_timeout;
  opts.cancel = &ctx.cancel_queries;
  if (ctx.print) opts.print = ctx.print;
  opts.allow_net = ctx.config.allow_net;
  return opts;
}

Value provenance_value(const ServerContext& ctx, const Snapshot& snap) {
  std::vector<rego::ObjectEntry> f;
  f.emplace_back(Value::string("version"), Value::string(ctx.version));
  f.emplace_back(Value::string("build_commit"), Value::string(""));
  f.emplace_back(Value::string("build_timestamp"), Value::string(""));
  f.emplace_back(Value::string("build_hostname"), Value::string(""));
  if (!snap.bundles.empty()) {
    std::vector<rego::ObjectEntry> b;
    for (const auto& bundle : snap.bundles)
      b.emplace_back(Value::string(bundle.name),
                     Value::object({{Value::string("revision"), Value::string(bundle.revision)}}));
    f.emplace_back(Value::string("bundles"), Value::object(std::move(b)));
  }
  return Value::object(std::move(f));
}

DecisionEvent new_decision_event(ServerContext& ctx, const HttpRequest& req, const Snapshot& snap,
                                 std::string decision_id) {
  DecisionEvent e;
  e.decision_id = std::move(decision_id);
  e.timestamp_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  e.labels = ctx.config.labels;
  for (const auto& b : snap.bundles) e.bundles.emplace_back(b.name, b.revision);
  e.policy_sha256 = snap.policy_sha256;
  e.policy_revision = policy_revision(snap);
  e.requested_by = req.remote_addr;
  e.req_id = ctx.next_req_id.fetch_add(1, std::memory_order_relaxed);
  return e;
}

std::string policy_revision(const Snapshot& snap) {
  std::string out;
  for (const auto& b : snap.bundles) out += (out.empty() ? "" : ",") + b.revision;
  return out.empty() ? "store-" + std::to_string(snap.version) : out;
}

void respond_log_error(HttpResponse& res, const std::string& error) {
  respond_error(res, 503, api_code::kInternal, "decision log unavailable: " + error);
}

void respond_eval_error(HttpResponse& res, const rego::Errors& errors) {
  respond_error(res, 500, api_code::kInternal, api_msg::kEvaluation, errors);
}

}  // namespace trex::server
