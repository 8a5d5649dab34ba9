// The Query API: ad-hoc queries (GET ?q=..., POST {"query", "input"}) answered with every solution's
// variable bindings, as OPA's /v1/query.
#include "rego/engine.h"
#include "server/api.h"
#include "server/api_eval.h"
#include "server/api_response.h"
#include "server/decision_record.h"

namespace trex::server {

using rego::Value;

namespace {

bool is_compile_error(const rego::Error& e) {
  return e.code == rego::code::kCompile || e.code == "rego_type_error" || e.code == "rego_unsafe_var_error" ||
         e.code == "rego_recursion_error";
}

// Each solution's bindings without wildcards, as OPA's Query API returns them.
Value bindings_value(const rego::QueryResult& result) {
  std::vector<Value> rows;
  rows.reserve(result.rows.size());
  for (const auto& row : result.rows) {
    std::vector<rego::ObjectEntry> bindings;
    for (const auto& [name, value] : row.bindings)
      if (name.empty() || name[0] != '$') bindings.emplace_back(Value::string(name), value);
    rows.push_back(Value::object(std::move(bindings)));
  }
  return Value::array(std::move(rows));
}

}  // namespace

void handle_query(ServerContext& ctx, const HttpRequest& req, HttpResponse& res) {
  RequestMetrics m;
  RequestMetrics::Timer handler_timer(m, "timer_server_handler_ns");
  const bool pretty = bool_param(req, "pretty");
  rego::QueryOptions opts = query_options(ctx, req);
  std::string query;
  if (req.method == "GET") {
    auto qs = req.params("q");
    if (qs.empty()) return respond_error(res, 400, api_code::kInvalidParameter, "missing parameter 'q'");
    query = std::string(qs.back());
  } else {
    std::string error;
    auto body = parse_json_body(req.body.empty() ? std::string_view("{}") : std::string_view(req.body), error);
    if (!body || !body->is_object()) {
      if (body) error = std::string("json: cannot unmarshal ") + body->type_name() + " into Go value of type types.QueryRequestV1";
      return respond_error(res, 400, api_code::kInvalidParameter,
                           "error(s) occurred while decoding request: " + error);
    }
    if (const Value* q = body->get("query"); q && q->is_string()) query = q->as_string();
    if (const Value* in = body->get("input"); in && !in->is_null()) opts.input = *in;
  }

  auto snap = ctx.store.snapshot();
  const rego::ExplainMode explain = explain_mode(req);
  rego::BufferTracer tracer;
  if (explain != rego::ExplainMode::Off) opts.tracer = &tracer;
  auto start = std::chrono::steady_clock::now();
  rego::QueryResult result = rego::evaluate(*snap->policy, snap->data, query, opts);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ctx.metrics.record_eval(elapsed);
  m.add("timer_rego_query_eval_ns", std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
  handler_timer.stop();

  if (!result.ok()) {
    bool compile = true;
    for (const auto& e : result.errors) compile = compile && is_compile_error(e);
    if (is_parse_error(result.errors))
      respond_error(res, 400, api_code::kInvalidParameter, api_msg::kParseQuery, result.errors);
    else if (compile)
      respond_error(res, 400, api_code::kInvalidParameter, api_msg::kCompileQuery, result.errors);
    else
      respond_eval_error(res, result.errors);
  } else {
    std::vector<rego::ObjectEntry> body;
    if (!result.rows.empty()) body.emplace_back(Value::string("result"), bindings_value(result));
    if (bool_param(req, "metrics") || bool_param(req, "instrument"))
      body.emplace_back(Value::string("metrics"), m.to_value());
    if (explain != rego::ExplainMode::Off)
      body.emplace_back(Value::string("explanation"), rego::explanation_value(tracer.events, explain, pretty));
    respond_json(res, Value::object(std::move(body)), pretty);
  }
  if (ctx.decision_logging()) {
    DecisionEvent event = new_decision_event(ctx, req, *snap, new_decision_id());
    event.query = query;
    event.input = std::move(opts.input);
    event.errors = result.errors;
    event.metrics = m.to_value();
    if (result.ok()) event.result = bindings_value(result);
    answer_after_logging(ctx, *snap, event, res);
  }
}

}  // namespace trex::server
