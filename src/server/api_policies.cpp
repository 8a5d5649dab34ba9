// The Policy API: list, get, put and delete Rego modules by id. A put or delete compiles the whole new
// policy set inside a store transaction; if it fails, the old set stays in force and the compiler's errors
// are returned. In-flight queries keep the snapshot they started with.
#include "rego/engine.h"
#include "server/api.h"
#include "server/api_response.h"
#include "server/authz.h"

namespace trex::server {

using rego::Value;

namespace {

Value policy_value(const ServerContext& ctx, const std::string& id, const std::string& raw) {
  rego::Errors errors;
  auto ast = rego::module_ast({id, raw}, ctx.store.compile_options, errors);
  return Value::object({{Value::string("id"), Value::string(id)},
                        {Value::string("raw"), Value::string(raw)},
                        {Value::string("ast"), ast ? *ast : Value::null()}});
}

std::string not_found_message(const std::string& id) { return "storage_not_found_error: policy id \"" + id + "\""; }

void respond_policy_write_error(HttpResponse& res, const WriteError& e, const char* compile_code) {
  if (e.kind == WriteError::Compile) return respond_error(res, 400, compile_code, api_msg::kCompileModule, e.errors);
  respond_error(res, 400, api_code::kInvalidParameter, e.message, e.errors);
}

// A module whose package lies in a bundle's roots belongs to that bundle (OPA's checkPolicyPackageScope).
std::optional<WriteError> check_package_scope(const Transaction& txn, const std::vector<std::string>& package) {
  return txn.check_scope(package);
}

// The authorization policy cannot be changed through the API it guards.
bool refuse_authz_change(const ServerContext& ctx, const std::vector<std::string>& package, HttpResponse& res) {
  if (!guards_authz(ctx, package)) return false;
  respond_error(res, 403, api_code::kForbidden, "the authorization policy cannot be changed through the API it guards");
  return true;
}

void put_policy(ServerContext& ctx, const HttpRequest& req, HttpResponse& res, const std::string& id) {
  const bool pretty = bool_param(req, "pretty");
  auto txn = ctx.store.begin();
  if (const std::string* existing = txn.policy(id); existing && *existing == req.body) {
    return respond_json(res, Value::empty_object(), pretty);
  }
  rego::Errors errors;
  auto package = rego::module_package({id, req.body}, ctx.store.compile_options, errors);
  if (!package) return respond_error(res, 400, api_code::kInvalidParameter, api_msg::kCompileModule, errors);
  if (refuse_authz_change(ctx, *package, res)) return;
  if (const std::string* old = txn.policy(id)) {  // replacing the authz module under another package counts too
    rego::Errors ignored;
    if (auto old_package = rego::module_package({id, *old}, ctx.store.compile_options, ignored);
        old_package && refuse_authz_change(ctx, *old_package, res))
      return;
  }
  if (auto e = check_package_scope(txn, *package)) return respond_policy_write_error(res, *e, api_code::kInvalidParameter);
  txn.upsert_policy(id, req.body);
  if (auto e = txn.commit()) return respond_policy_write_error(res, *e, api_code::kInvalidParameter);
  respond_json(res, Value::empty_object(), pretty);
}

void delete_policy(ServerContext& ctx, const HttpRequest& req, HttpResponse& res, const std::string& id) {
  auto txn = ctx.store.begin();
  const std::string* existing = txn.policy(id);
  if (!existing) return respond_error(res, 404, api_code::kResourceNotFound, not_found_message(id));
  rego::Errors errors;
  if (auto package = rego::module_package({id, *existing}, ctx.store.compile_options, errors)) {
    if (refuse_authz_change(ctx, *package, res)) return;
    if (auto e = check_package_scope(txn, *package)) return respond_policy_write_error(res, *e, api_code::kInvalidParameter);
  }
  txn.delete_policy(id);
  if (auto e = txn.commit()) return respond_policy_write_error(res, *e, api_code::kInvalidOperation);
  respond_json(res, Value::empty_object(), bool_param(req, "pretty"));
}

}  // namespace

void handle_policies(ServerContext& ctx, const HttpRequest& req, HttpResponse& res, std::string_view raw_id) {
  const bool pretty = bool_param(req, "pretty");
  if (raw_id.empty()) {
    auto snap = ctx.store.snapshot();
    std::vector<Value> list;
    for (const auto& [id, raw] : snap->policies) list.push_back(policy_value(ctx, id, raw));
    return respond_json(res, Value::object({{Value::string("result"), Value::array(std::move(list))}}), pretty);
  }
  std::string id;
  if (!percent_decode(raw_id, id, false)) return respond_error(res, 400, api_code::kInvalidParameter, "bad policy id");
  if (req.method == "PUT") return put_policy(ctx, req, res, id);
  if (req.method == "DELETE") return delete_policy(ctx, req, res, id);
  auto snap = ctx.store.snapshot();
  auto it = snap->policies.find(id);
  if (it == snap->policies.end()) return respond_error(res, 404, api_code::kResourceNotFound, not_found_message(id));
  respond_json(res, Value::object({{Value::string("result"), policy_value(ctx, id, it->second)}}), pretty);
}

}  // namespace trex::server
