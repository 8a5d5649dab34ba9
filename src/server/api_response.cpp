// Response builders shared by the API handlers (api_response.h).
#include "server/api_response.h"

#include <strings.h>

#include "rego/json.h"

namespace trex::server {

using rego::Value;

void respond_json(HttpResponse& res, const Value& body, bool pretty, int status) {
  res.status = status;
  res.content_type = "application/json";
  rego::json::WriteOptions wo;
  wo.pretty = pretty;
  res.body.clear();
  rego::json::append(body, res.body, wo);
  res.body.push_back('\n');
}

Value error_value(const rego::Error& e) {
  std::vector<rego::ObjectEntry> fields;
  fields.emplace_back(Value::string("code"), Value::string(e.code.empty() ? "rego_error" : e.code));
  fields.emplace_back(Value::string("message"), Value::string(e.message));
  if (e.location.known()) {
    std::vector<rego::ObjectEntry> loc;
    loc.emplace_back(Value::string("file"), Value::string(e.location.file_name()));
    loc.emplace_back(Value::string("row"), Value::integer(e.location.row));
    loc.emplace_back(Value::string("col"), Value::integer(e.location.col));
    fields.emplace_back(Value::string("location"), Value::object(std::move(loc)));
  }
  return Value::object(std::move(fields));
}

std::string error_body(std::string_view code, std::string_view message, const rego::Errors& errors) {
  std::vector<rego::ObjectEntry> fields;
  fields.emplace_back(Value::string("code"), Value::string(code));
  fields.emplace_back(Value::string("message"), Value::string(message));
  if (!errors.empty()) {
    std::vector<Value> list;
    for (const auto& e : errors) list.push_back(error_value(e));
    fields.emplace_back(Value::string("errors"), Value::array(std::move(list)));
  }
  rego::json::WriteOptions wo;
  wo.pretty = true;
  std::string out = rego::json::write(Value::object(std::move(fields)), wo);
  out.push_back('\n');
  return out;
}

void respond_error(HttpResponse& res, int status, std::string_view code, std::string_view message,
                   const rego::Errors& errors) {
  res.status = status;
  res.content_type = "application/json";
  res.body = error_body(code, message, errors);
}

bool bool_param(const HttpRequest& req, std::string_view name) {
  auto values = req.params(name);
  if (values.empty()) return false;
  if (values.size() == 1 && values[0].empty()) return true;
  for (auto v : values)
    if (v.size() == 4 && strncasecmp(v.data(), "true", 4) == 0) return true;
  return false;
}

bool is_parse_error(const rego::Errors& errors) {
  for (const auto& e : errors)
    if (e.code == rego::code::kParse) return true;
  return false;
}

}  // namespace trex::server
