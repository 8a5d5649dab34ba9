// Printing query results and errors in the shapes `opa eval` / `opa check` print them.
//
// JSON output is written by hand around rego::json (which prints values): OPA's envelopes keep Go struct
// field order ("expressions" before "bindings", "value", "text", "location"; "message", "code", "location"),
// whereas rego::json sorts object keys. Indentation is two spaces, as Go's json.Encoder.SetIndent("", "  ").
#pragma once

#include <string>

#include "rego/engine.h"
#include "rego/error.h"

namespace trex::cli {

// {"result":[{"expressions":[...],"bindings":{...}}]}, or {} when undefined. Ends with a newline.
std::string result_json(const rego::QueryResult& result);
// result_json's document with an "explanation" member added last (`opa eval --explain --format json`).
std::string with_explanation(const std::string& json_doc, const rego::Value& explanation);

// {"errors":[{"message","code","location":{"file","row","col"}}]}. Ends with a newline.
std::string errors_json(const rego::Errors& errors);

// "1 error occurred: file:row: code: message" / "N errors occurred:\n...". Ends with a newline.
std::string errors_text(const rego::Errors& errors);

// --format pretty: one value as indented JSON, a table of bindings, or "undefined". Ends with a newline.
std::string result_pretty(const rego::QueryResult& result, size_t limit = 80);

// --format raw: per row, expression values separated by spaces, strings without quotes.
std::string result_raw(const rego::QueryResult& result);

// --format values / bindings: per row, the expression values as an array / the bindings as an object.
std::string result_values(const rego::QueryResult& result);
std::string result_bindings(const rego::QueryResult& result);

}  // namespace trex::cli
