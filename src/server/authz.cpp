// API authorization (authz.h).
#include "server/authz.h"

#include <algorithm>

#include "rego/engine.h"
#include "server/api_eval.h"
#include "server/api_response.h"
#include "server/client_identity.h"

namespace trex::server {

using rego::Value;

namespace {

// OPA's input.headers and input.params: each name maps to the list of its values.
Value multimap(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<rego::ObjectEntry> out;
  for (const auto& [k, v] : pairs) {
    Value key = Value::string(k);
    auto it = std::find_if(out.begin(), out.end(), [&](const rego::ObjectEntry& e) { return e.first == key; });
    if (it == out.end()) {
      out.emplace_back(key, Value::array({Value::string(v)}));
    } else {
      std::vector<Value> values = it->second.as_array();
      values.push_back(Value::string(v));
      it->second = Value::array(std::move(values));
    }
  }
  return Value::object(std::move(out));
}

// "/v1/data/a%2Fb" -> ["v1", "data", "a/b"]
Value path_segments(const std::string& path) {
  std::vector<Value> segs;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    std::string seg = path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    if (!seg.empty()) {
      std::string decoded;
      segs.push_back(Value::string(percent_decode(seg, decoded, false) ? decoded : seg));
    }
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return Value::array(std::move(segs));
}

std::vector<std::string> decision_path(const ServerContext& ctx) {
  std::vector<std::string> out;
  std::string_view d = ctx.config.default_authorization_decision;
  size_t pos = 0;
  while (pos <= d.size()) {
    size_t slash = d.find('/', pos);
    std::string_view seg = d.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (!seg.empty()) out.emplace_back(seg);
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return out;
}

}  // namespace

bool authorize(ServerContext& ctx, const HttpRequest& req, HttpResponse& res) {
  if (!ctx.config.authorization_basic) return true;
  std::vector<rego::ObjectEntry> input;
  input.emplace_back(Value::string("method"), Value::string(req.method));
  input.emplace_back(Value::string("path"), path_segments(req.path));
  input.emplace_back(Value::string("params"), multimap(req.query));
  input.emplace_back(Value::string("headers"), multimap(req.headers));
  if (ctx.config.authentication == Authentication::Token) {
    std::string_view auth = req.header("authorization");
    if (auth.size() > 7 && (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer "))
      input.emplace_back(Value::string("identity"), Value::string(std::string(auth.substr(7))));
  } else if (ctx.config.authentication == Authentication::Tls && req.client_certificates &&
             !req.client_certificates->empty()) {
    if (auto identity = certificate_subject_identity(req.client_certificates->front()))
      input.emplace_back(Value::string("identity"), Value::string(std::move(*identity)));
    input.emplace_back(Value::string("client_certificates"), client_certificates_value(*req.client_certificates));
  }
  if (!req.body.empty() && (req.method == "POST" || req.method == "PUT" || req.method == "PATCH")) {
    std::string ignored;
    if (auto body = parse_json_body(req.body, ignored)) input.emplace_back(Value::string("body"), *body);
  }
  rego::QueryOptions opts = query_options(ctx, req);
  opts.input = Value::object(std::move(input));
  std::vector<Value> keys;
  for (const auto& seg : decision_path(ctx)) keys.push_back(Value::string(seg));
  auto snap = ctx.store.snapshot();
  rego::Errors errors;
  auto decision = rego::evaluate_path(*snap->policy, snap->data, keys, opts, errors);
  if (!errors.empty()) {
    respond_error(res, 500, api_code::kInternal, api_msg::kEvaluation, errors);
    return false;
  }
  if (!decision) {
    respond_error(res, 401, api_code::kUnauthorized, "authorization policy missing or undefined");
    return false;
  }
  if (!(decision->is_boolean() && decision->as_bool())) {
    respond_error(res, 401, api_code::kUnauthorized, "request rejected by administrative policy");
    return false;
  }
  return true;
}

bool guards_authz(const ServerContext& ctx, const std::vector<std::string>& package) {
  if (!ctx.config.authorization_basic) return false;
  std::vector<std::string> decision = decision_path(ctx);
  if (decision.empty()) return false;
  decision.pop_back();  // the package of the decision rule: system.authz
  if (package.size() < decision.size()) return std::equal(package.begin(), package.end(), decision.begin());
  return std::equal(decision.begin(), decision.end(), package.begin());
}

}  // namespace trex::server
