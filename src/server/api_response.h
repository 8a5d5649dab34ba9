// Building the API's responses as OPA's server writes them: JSON bodies (compact, or indented with
// `?pretty=true`) ending in a newline, and errors in OPA's shape
// {"code": "invalid_parameter", "message": ..., "errors": [{"code", "message", "location"}]}.
#pragma once

#include <string>
#include <string_view>

#include "rego/error.h"
#include "rego/value.h"
#include "server/http_message.h"

namespace trex::server {

// OPA's API error codes (server/types).
namespace api_code {
inline constexpr const char* kInternal = "internal_error";
inline constexpr const char* kUnauthorized = "unauthorized";
inline constexpr const char* kInvalidParameter = "invalid_parameter";
inline constexpr const char* kInvalidOperation = "invalid_operation";
inline constexpr const char* kResourceNotFound = "resource_not_found";
inline constexpr const char* kResourceConflict = "resource_conflict";
inline constexpr const char* kUndefinedDocument = "undefined_document";
inline constexpr const char* kForbidden = "forbidden";  // trex: a write refused in immutable mode (403)
}  // namespace api_code

// OPA's messages (server/types).
namespace api_msg {
inline constexpr const char* kCompileModule = "error(s) occurred while compiling module(s)";
inline constexpr const char* kParseQuery = "error(s) occurred while parsing query";
inline constexpr const char* kCompileQuery = "error(s) occurred while compiling query";
inline constexpr const char* kEvaluation = "error(s) occurred while evaluating query";
inline constexpr const char* kInputKeyMissing = "'input' key missing from the request";
}  // namespace api_msg

// 200 with a JSON body.
void respond_json(HttpResponse& res, const rego::Value& body, bool pretty, int status = 200);

// An error in OPA's shape; `errors` become the detailed "errors" list (omitted when empty).
void respond_error(HttpResponse& res, int status, std::string_view code, std::string_view message,
                   const rego::Errors& errors = {});

// The error body alone (indented as OPA's ErrorV1.Bytes, with a trailing newline).
std::string error_body(std::string_view code, std::string_view message, const rego::Errors& errors = {});

// One engine error as OPA's ast.Error / topdown.Error JSON object.
rego::Value error_value(const rego::Error& e);

// OPA's getBoolParam: absent = false; present without value = true; otherwise true when any value is "true"
// (case-insensitive).
bool bool_param(const HttpRequest& req, std::string_view name);

// Whether an error code comes from compiling (type/unsafe/recursion/compile errors), not parsing or evaluating.
bool is_parse_error(const rego::Errors& errors);

}  // namespace trex::server
