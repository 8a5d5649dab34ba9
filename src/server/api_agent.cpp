// The agent API: POST /v1/agent/decide (an agent asks before it acts) and POST /v1/agent/outcome (it reports
// what happened). An action is validated against the agent-action schema before anything is evaluated; the
// decision document the policy returns (data.tre.decision by default) becomes
// {"decision_id", "allow", "deny": [{"rule", "msg"}], "requires_approval", "patch", "policy": {"revision", "sha256"}}.
// Anything unexpected fails closed: no answer is ever an allow by default.
#include <deque>
#include <unordered_set>

#include "rego/builtins/jsonschema.h"
#include "rego/json.h"
#include "server/api.h"
#include "server/api_eval.h"
#include "server/api_response.h"
#include "server/decision_record.h"

namespace trex::server {

using rego::Value;

namespace {

const char kSchemaText[] =
#include "server/agent_schema.inc"
    ;

// Compiled once; immutable and shared by every thread.
const rego::jsonschema::Schema& agent_schema() {
  static const auto compiled = [] {
    auto parsed = rego::json::parse(kSchemaText);
    auto c = rego::jsonschema::compile(parsed.value);
    if (!c.schema) throw std::runtime_error("the built-in agent-action schema does not compile: " + c.error);
    return c.schema;
  }();
  return *compiled;
}

// Decision ids handed out recently, so that outcomes can be matched to them (bounded, oldest forgotten).
class RecentDecisions {
 public:
  void add(const std::string& id, size_t capacity) {
    std::lock_guard<std::mutex> lock(mu_);
    if (ids_.insert(id).second) order_.push_back(id);
    while (order_.size() > capacity) {
      ids_.erase(order_.front());
      order_.pop_front();
    }
  }
  bool contains(const std::string& id) const {
    std::lock_guard<std::mutex> lock(mu_);
    return ids_.count(id) > 0;
  }

 private:
  mutable std::mutex mu_;
  std::unordered_set<std::string> ids_;
  std::deque<std::string> order_;
};

RecentDecisions& recent_decisions() {
  static RecentDecisions recent;
  return recent;
}

void respond_schema_errors(HttpResponse& res, const Value& errors) {
  std::vector<Value> list;
  for (const auto& e : errors.as_array()) {
    const Value* field = e.get("field");
    const Value* msg = e.get("error");
    const Value* type = e.get("type");
    const Value* desc = e.get("desc");
    std::string name = field && field->is_string() ? field->as_string() : "(root)";
    // gojsonschema reports a missing property at its parent ("agent: id is required"); name the property.
    static const std::string kRequired = " is required";
    if (type && type->is_string() && type->as_string() == "required" && desc && desc->is_string() &&
        desc->as_string().size() > kRequired.size() && desc->as_string().ends_with(kRequired)) {
      std::string prop = desc->as_string().substr(0, desc->as_string().size() - kRequired.size());
      name = name == "(root)" ? prop : name + "." + prop;
    }
    list.push_back(Value::object({{Value::string("code"), Value::string("agent_action_invalid")},
                                  {Value::string("field"), Value::string(name)},
                                  {Value::string("message"), msg ? *msg : Value::string("invalid")}}));
  }
  rego::json::WriteOptions wo;
  wo.pretty = true;
  res.status = 400;
  res.content_type = "application/json";
  res.body = rego::json::write(
      Value::object({{Value::string("code"), Value::string(api_code::kInvalidParameter)},
                     {Value::string("message"), Value::string("agent action does not match the agent-action.v1 schema")},
                     {Value::string("errors"), Value::array(std::move(list))}}),
      wo);
  res.body.push_back('\n');
}

// deny entries as [{"rule", "msg"}]: objects keep their rule and msg; a plain string is a message whose rule
// the policy did not name.
Value normalize_deny(const Value* deny) {
  std::vector<Value> out;
  if (!deny) return Value::empty_array();
  const auto& items = deny->is_set() ? deny->as_set() : deny->is_array() ? deny->as_array() : std::vector<Value>{};
  for (const auto& d : items) {
    if (d.is_object()) {
      const Value* rule = d.get("rule");
      const Value* msg = d.get("msg");
      out.push_back(Value::object({{Value::string("rule"), rule ? *rule : Value::null()},
                                   {Value::string("msg"), msg ? *msg : Value::null()}}));
    } else {
      out.push_back(Value::object({{Value::string("rule"), Value::null()}, {Value::string("msg"), d}}));
    }
  }
  return Value::array(std::move(out));
}

void decide(ServerContext& ctx, const HttpRequest& req, HttpResponse& res) {
  std::string error;
  auto action = parse_json_body(req.body, error);
  if (!action) return respond_error(res, 400, api_code::kInvalidParameter, "malformed agent action: " + error);
  auto outcome = rego::jsonschema::validate(agent_schema(), *action);
  if (!outcome.valid) return respond_schema_errors(res, outcome.errors);

  auto paths = req.params("path");
  std::string path(paths.empty() ? std::string_view(ctx.config.agent_decision) : paths.back());
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  std::vector<Value> keys;
  if (!data_path_keys_or_400(path, keys, res)) return;

  rego::QueryOptions opts = query_options(ctx, req);
  opts.input = *action;
  auto snap = ctx.store.snapshot();
  rego::Errors errors;
  auto start = std::chrono::steady_clock::now();
  auto doc = rego::evaluate_path(*snap->policy, snap->data, keys, opts, errors);
  ctx.metrics.record_eval(std::chrono::steady_clock::now() - start);

  if (errors.empty() && !doc) {
    errors.push_back({api_code::kUndefinedDocument, "decision " + data_ref_string(keys) + " is undefined", {}});
  } else if (errors.empty() && !(doc->is_object() && doc->get("allow") && doc->get("allow")->is_boolean())) {
    errors.push_back({api_code::kInternal,
                      "decision " + data_ref_string(keys) + " must be an object with a boolean \"allow\"", {}});
  }
  const std::string decision_id = new_decision_id();
  Value deny = errors.empty() ? normalize_deny(doc->get("deny")) : Value::empty_array();
  // A decision that names a denying rule is never an allow, whatever "allow" says.
  const bool allow = errors.empty() && doc->get("allow")->as_bool() && deny.size() == 0;

  if (!errors.empty()) {
    respond_error(res, 500, api_code::kInternal, api_msg::kEvaluation, errors);
  } else {
    const Value* needs_approval = doc->get("requires_approval");
    const Value* patch = doc->get("patch");
    respond_json(res,
                 Value::object({{Value::string("decision_id"), Value::string(decision_id)},
                                {Value::string("allow"), Value::boolean(allow)},
                                {Value::string("deny"), deny},
                                {Value::string("requires_approval"),
                                 Value::boolean(needs_approval && needs_approval->is_boolean() && needs_approval->as_bool())},
                                {Value::string("patch"), patch ? *patch : Value::null()},
                                {Value::string("policy"),
                                 Value::object({{Value::string("revision"), Value::string(policy_revision(*snap))},
                                                {Value::string("sha256"), Value::string(snap->policy_sha256)}})}}),
                 bool_param(req, "pretty"));
  }
  recent_decisions().add(decision_id, ctx.config.agent_max_tracked_decisions);
  DecisionEvent event = new_decision_event(ctx, req, *snap, decision_id);
  event.path = path;
  event.input = *action;
  event.result = std::move(doc);
  event.errors = std::move(errors);
  event.allow = allow;
  event.deny = std::move(deny);
  attach_agent_fields(event, *action, /*validated=*/true);
  answer_after_logging(ctx, *snap, event, res);
}

void report_outcome(ServerContext& ctx, const HttpRequest& req, HttpResponse& res) {
  std::string error;
  auto body = parse_json_body(req.body, error);
  if (!body) return respond_error(res, 400, api_code::kInvalidParameter, "malformed outcome: " + error);
  const Value* id = body->is_object() ? body->get("decision_id") : nullptr;
  const Value* status = body->is_object() ? body->get("status") : nullptr;
  if (!id || !id->is_string() || !status || !status->is_string())
    return respond_error(res, 400, api_code::kInvalidParameter,
                         "an outcome needs a string \"decision_id\" and a string \"status\"");
  if (!recent_decisions().contains(id->as_string()))
    return respond_error(res, 404, api_code::kResourceNotFound, "unknown decision_id: " + id->as_string());
  const Value* result = body->get("result");
  auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  Value record = Value::object({{Value::string("decision_id"), *id},
                                {Value::string("status"), *status},
                                {Value::string("result"), result ? *result : Value::null()},
                                {Value::string("timestamp"), Value::string(rfc3339_nano(now))},
                                {Value::string("requested_by"), Value::string(req.remote_addr)}});
  respond_json(res, Value::object({{Value::string("decision_id"), *id}, {Value::string("recorded"), Value::boolean(true)}}),
               bool_param(req, "pretty"));
  answer_after_logging_outcome(ctx, record, res);
}

}  // namespace

bool follows_agent_action_schema(const Value& document) {
  try {
    return rego::jsonschema::validate(agent_schema(), document).valid;
  } catch (const std::exception&) {  // nested too deeply to validate: not an agent action
    return false;
  }
}

void handle_agent(ServerContext& ctx, const HttpRequest& req, HttpResponse& res, std::string_view sub) {
  if (sub == "decide") return decide(ctx, req, res);
  if (sub == "outcome") return report_outcome(ctx, req, res);
}

}  // namespace trex::server
