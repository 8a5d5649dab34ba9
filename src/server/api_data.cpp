// The Data API: v1 reads (GET/POST evaluate the document at a path), v1 writes (PUT, PATCH, DELETE on base
// data through a store transaction) and the v0 read (POST, the body is the input, undefined is a 404).
#include <algorithm>

#include "rego/json.h"
#include "rego/trace.h"
#include "server/api.h"
#include "server/api_eval.h"
#include "server/api_response.h"
#include "server/decision_record.h"

using namespace std::string_view_literals;

namespace trex::server {

using rego::Value;

namespace {

// The input of a v1 POST: the body's "input" member. nullopt input with ok=true when there is none. With
// `keep`, a JSON body's input is built only as far as it names (see rego::request_projection).
bool read_post_input(const HttpRequest& req, const rego::json::Projection* keep, std::optional<Value>& input,
                     std::string& error) {
  std::string_view body = req.body;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return true;
  auto doc = parse_body_document(req, error, keep);
  if (!doc) {
    error = "body contains malformed input document: " + error;
    return false;
  }
  if (!doc->is_object()) {
    error = std::string("body contains malformed input document: json: cannot unmarshal ") + doc->type_name() +
            " into Go value of type types.DataRequestV1";
    return false;
  }
  if (const Value* in = doc->get("input"); in && !in->is_null()) input = *in;
  return true;
}

// Evaluates the document at `path` for a v1 GET or POST and writes OPA's DataResponseV1.
void v1_read(ServerContext& ctx, const HttpRequest& req, HttpResponse& res, std::string_view path, bool is_post) {
  const bool with_metrics = bool_param(req, "metrics") || bool_param(req, "instrument");
  const bool logging = ctx.decision_logging();
  RequestMetrics m(with_metrics || logging);
  RequestMetrics::Timer handler_timer(m, "timer_server_handler_ns");
  const bool pretty = bool_param(req, "pretty");
  const bool with_provenance = bool_param(req, "provenance");

  rego::QueryOptions opts = query_options(ctx, req);
  auto snap = ctx.store.snapshot();
  const rego::ExplainMode explain = explain_mode(req);
  {
    RequestMetrics::Timer t(m, "timer_rego_input_parse_ns");
    std::string error;
    if (is_post) {
      // The input need only be built as far as the policy's rules read it, unless a decision log records it
      // or an explanation may show it whole.
      const bool whole = logging || explain != rego::ExplainMode::Off;
      if (!read_post_input(req, whole ? nullptr : &rego::request_projection(*snap->policy), opts.input, error))
        return respond_error(res, 400, api_code::kInvalidParameter, error);
    } else if (auto inputs = req.params("input"); !inputs.empty()) {
      auto v = parse_json_body(inputs.back(), error);
      if (!v) return respond_error(res, 400, api_code::kInvalidParameter, "parameter contains malformed input document: " + error);
      opts.input = std::move(*v);
    }
  }
  std::vector<Value> keys;
  if (!data_path_keys_or_400(path, keys, res)) return;

  std::string decision_id = logging ? new_decision_id() : std::string();

  rego::Errors errors;
  std::optional<Value> result;
  rego::BufferTracer tracer;
  {
    auto start = std::chrono::steady_clock::now();
    if (explain == rego::ExplainMode::Off) {
      result = rego::evaluate_path(*snap->policy, snap->data, keys, opts, errors);
    } else {
      // Tracing goes through a query, as OPA's explain does; the fast path has no trace hooks.
      opts.tracer = &tracer;
      rego::QueryResult r = rego::evaluate(*snap->policy, snap->data, data_ref_string(keys), opts);
      errors = std::move(r.errors);
      if (errors.empty() && !r.rows.empty()) result = r.rows[0].expressions[0].value;
    }
    auto elapsed = std::chrono::steady_clock::now() - start;
    m.add("timer_rego_query_eval_ns", std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
    ctx.metrics.record_eval(elapsed);
  }
  handler_timer.stop();

  const bool plain_answer = !logging && !with_metrics && !with_provenance && explain == rego::ExplainMode::Off &&
                            !pretty && (!is_post || opts.input);
  if (!errors.empty()) {
    respond_eval_error(res, errors);
  } else if (plain_answer) {
    // The usual answer, {"result": ...} or {}, written straight out (no object built to hold it).
    res.status = 200;
    res.content_type = "application/json";
    res.body.clear();
    if (result) {
      res.body += R"({"result":)"sv;  // string_view literals: no strlen per piece
      rego::json::append(*result, res.body);
      res.body += "}\n"sv;
    } else {
      res.body += "{}\n"sv;
    }
  } else {
    std::vector<rego::ObjectEntry> body;
    if (logging) body.emplace_back(Value::string("decision_id"), Value::string(decision_id));
    if (with_metrics) body.emplace_back(Value::string("metrics"), m.to_value());
    if (with_provenance) body.emplace_back(Value::string("provenance"), provenance_value(ctx, *snap));
    if (result) body.emplace_back(Value::string("result"), *result);
    // OPA explains an undefined result only in full mode.
    if (explain != rego::ExplainMode::Off && (result || explain == rego::ExplainMode::Full))
      body.emplace_back(Value::string("explanation"), rego::explanation_value(tracer.events, explain, pretty));
    if (is_post && !opts.input) {
      body.emplace_back(Value::string("warning"),
                        Value::object({{Value::string("code"), Value::string("api_usage_warning")},
                                       {Value::string("message"), Value::string(api_msg::kInputKeyMissing)}}));
    }
    respond_json(res, Value::object(std::move(body)), pretty);
  }
  if (logging) {
    DecisionEvent event = new_decision_event(ctx, req, *snap, std::move(decision_id));
    event.path = std::string(path);
    event.input = std::move(opts.input);
    event.result = std::move(result);
    event.errors = std::move(errors);
    event.metrics = m.to_value();
    if (event.input) attach_agent_fields(event, *event.input);
    answer_after_logging(ctx, *snap, event, res);
  }
}

void respond_write_error(HttpResponse& res, const WriteError& e, const char* compile_code) {
  switch (e.kind) {
    case WriteError::Storage:
      switch (e.storage.kind) {
        case StorageErrorKind::NotFound:
          return respond_error(res, 404, api_code::kResourceNotFound, e.message);
        case StorageErrorKind::InvalidPatch:
          return respond_error(res, 400, api_code::kInvalidParameter, e.message);
        case StorageErrorKind::WriteConflict:
          return respond_error(res, 404, api_code::kResourceConflict, e.message);
      }
      break;
    case WriteError::BadRequest:
      return respond_error(res, 400, api_code::kInvalidParameter, e.message);
    case WriteError::PathConflict: {
      // OPA writes the ast.Errors' text as the message: "1 error occurred: file:row: code: msg".
      std::string msg = std::to_string(e.errors.size()) + (e.errors.size() == 1 ? " error occurred: " : " errors occurred:");
      for (size_t i = 0; i < e.errors.size(); ++i) msg += (e.errors.size() == 1 ? "" : "\n") + e.errors[i].to_string();
      return respond_error(res, 400, api_code::kInvalidParameter, msg);
    }
    case WriteError::Compile:
      return respond_error(res, 400, compile_code, api_msg::kCompileModule, e.errors);
  }
  respond_error(res, 500, api_code::kInternal, e.message);
}

bool parse_write_path(std::string_view path, StoragePath& out, HttpResponse& res) {
  if (!parse_storage_path(path, out)) {
    respond_error(res, 400, api_code::kInvalidParameter, "bad path: " + std::string(path));
    return false;
  }
  return true;
}

void respond_written(const HttpRequest& req, HttpResponse& res, RequestMetrics& m) {
  if (bool_param(req, "metrics")) {
    respond_json(res, Value::object({{Value::string("metrics"), m.to_value()}}), false);
    return;
  }
  res.status = 204;
  res.content_type.clear();
  res.body.clear();
}

void v1_put(ServerContext& ctx, const HttpRequest& req, HttpResponse& res, std::string_view path) {
  RequestMetrics m;
  RequestMetrics::Timer handler_timer(m, "timer_server_handler_ns");
  std::string error;
  auto value = parse_json_body(req.body, error);
  if (!value) return respond_error(res, 400, api_code::kInvalidParameter, error);
  StoragePath spath;
  if (!parse_write_path(path, spath, res)) return;

  auto txn = ctx.store.begin();
  if (auto e = txn.check_scope(spath)) return respond_write_error(res, *e, api_code::kInvalidParameter);
  Value existing;
  if (txn.read(spath, existing)) {  // absent: create the parents first
    if (!spath.empty()) {
      if (auto e = txn.make_dir(StoragePath(spath.begin(), spath.end() - 1)))
        return respond_write_error(res, *e, api_code::kInvalidParameter);
    }
  } else if (req.header("if-none-match") == "*") {
    res.status = 304;
    res.content_type.clear();
    return;
  }
  if (auto e = txn.write(PatchOp::Add, spath, *value)) return respond_write_error(res, *e, api_code::kInvalidParameter);
  if (auto e = txn.commit()) return respond_write_error(res, *e, api_code::kInvalidParameter);
  handler_timer.stop();
  respond_written(req, res, m);
}

void v1_patch(ServerContext& ctx, const HttpRequest& req, HttpResponse& res, std::string_view path) {
  RequestMetrics m;
  RequestMetrics::Timer handler_timer(m, "timer_server_handler_ns");
  std::string error;
  auto ops = parse_json_body(req.body, error);
  if (!ops) return respond_error(res, 400, api_code::kInvalidParameter, error);
  if (!ops->is_array())
    return respond_error(res, 400, api_code::kInvalidParameter,
                         std::string("json: cannot unmarshal ") + ops->type_name() + " into Go value of type []types.PatchV1");
  std::string root = "/";
  root += std::string(path);
  while (root.size() > 1 && root.back() == '/') root.pop_back();

  struct Op {
    PatchOp op;
    StoragePath path;
    Value value;
  };
  std::vector<Op> parsed;
  for (const auto& item : ops->as_array()) {
    const Value* op = item.is_object() ? item.get("op") : nullptr;
    const Value* p = item.is_object() ? item.get("path") : nullptr;
    const Value* v = item.is_object() ? item.get("value") : nullptr;
    std::string op_name = op && op->is_string() ? op->as_string() : "";
    Op o{PatchOp::Add, {}, v ? *v : Value::null()};
    if (op_name == "add") o.op = PatchOp::Add;
    else if (op_name == "remove") o.op = PatchOp::Remove;
    else if (op_name == "replace") o.op = PatchOp::Replace;
    else return respond_error(res, 400, api_code::kInvalidParameter, "bad patch operation: " + op_name);
    std::string rel = p && p->is_string() ? p->as_string() : "";
    std::string full = root + (root == "/" ? "" : "/") + rel;
    if (!parse_storage_path(full, o.path))
      return respond_error(res, 400, api_code::kInvalidParameter, "bad patch path: " + rel);
    parsed.push_back(std::move(o));
  }
  auto txn = ctx.store.begin();
  for (const auto& o : parsed) {
    if (auto e = txn.check_scope(o.path)) return respond_write_error(res, *e, api_code::kInvalidParameter);
    if (auto e = txn.write(o.op, o.path, o.value)) return respond_write_error(res, *e, api_code::kInvalidParameter);
  }
  if (auto e = txn.commit()) return respond_write_error(res, *e, api_code::kInvalidParameter);
  handler_timer.stop();
  respond_written(req, res, m);
}

void v1_delete(ServerContext& ctx, const HttpRequest& req, HttpResponse& res, std::string_view path) {
  RequestMetrics m;
  RequestMetrics::Timer handler_timer(m, "timer_server_handler_ns");
  StoragePath spath;
  if (!parse_write_path(path, spath, res)) return;
  auto txn = ctx.store.begin();
  if (auto e = txn.check_scope(spath)) return respond_write_error(res, *e, api_code::kInvalidParameter);
  Value existing;
  if (auto e = txn.read(spath, existing)) return respond_write_error(res, *e, api_code::kInvalidParameter);
  if (auto e = txn.write(PatchOp::Remove, spath, Value::null()))
    return respond_write_error(res, *e, api_code::kInvalidParameter);
  if (auto e = txn.commit()) return respond_write_error(res, *e, api_code::kInvalidParameter);
  handler_timer.stop();
  respond_written(req, res, m);
}

}  // namespace

void handle_v1_data(ServerContext& ctx, const HttpRequest& req, HttpResponse& res, std::string_view path) {
  const std::string& m = req.method;
  if (m == "GET") return v1_read(ctx, req, res, path, false);
  if (m == "POST") return v1_read(ctx, req, res, path, true);
  if (m == "PUT") return v1_put(ctx, req, res, path);
  if (m == "PATCH") return v1_patch(ctx, req, res, path);
  if (m == "DELETE") return v1_delete(ctx, req, res, path);
}

void handle_v0_data(ServerContext& ctx, const HttpRequest& req, HttpResponse& res, std::string_view path) {
  rego::QueryOptions opts = query_options(ctx, req);
  opts.strict_builtin_errors = false;
  // The whole body is the input; an empty body is a null input, as OPA decodes it.
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    opts.input = Value::null();
  } else {
    std::string error;
    auto v = parse_body_document(req, error);
    if (!v)
      return respond_error(res, 400, api_code::kInvalidParameter,
                           "unexpected parse error for input: body contains malformed input document: " + error);
    opts.input = std::move(*v);
  }
  std::vector<Value> keys;
  if (!data_path_keys_or_400(path, keys, res)) return;

  auto snap = ctx.store.snapshot();
  rego::Errors errors;
  auto start = std::chrono::steady_clock::now();
  auto result = rego::evaluate_path(*snap->policy, snap->data, keys, opts, errors);
  ctx.metrics.record_eval(std::chrono::steady_clock::now() - start);
  if (!errors.empty()) {
    respond_eval_error(res, errors);
  } else if (!result) {
    std::vector<std::string> spath;
    for (const auto& k : keys) spath.push_back(k.is_string() ? k.as_string() : rego::json::write(k));
    const char* what = rego::has_rules_at(*snap->policy, spath) ? "document undefined" : "document missing";
    respond_error(res, 404, api_code::kUndefinedDocument, std::string(what) + ": " + data_ref_string(keys));
  } else {
    respond_json(res, *result, bool_param(req, "pretty"));
  }
  if (ctx.decision_logging()) {
    DecisionEvent event = new_decision_event(ctx, req, *snap, new_decision_id());
    event.path = std::string(path);
    event.input = std::move(opts.input);
    event.result = std::move(result);
    event.errors = std::move(errors);
    attach_agent_fields(event, *event.input);
    answer_after_logging(ctx, *snap, event, res);
  }
}

}  // namespace trex::server
