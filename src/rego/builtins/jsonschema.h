// JSON Schema (drafts 4, 6 and 7) for json.verify_schema / json.match_schema, on valijson.
//
// OPA validates with its fork of gojsonschema, and policies match on its output, so this module reproduces
// gojsonschema's behaviour around valijson's engine:
//   * compile: the schema is first checked the way gojsonschema parses it (same checks, same order, same error
//     texts: "has a primitive type that is NOT VALID -- given: /x/ ...", "minLength must be greater than or
//     equal to 0", ...), then rewritten for valijson and compiled by it. The draft comes from "$schema" (draft
//     4/6/7 URLs); without one gojsonschema's "hybrid" draft applies (id or $id, boolean or numeric
//     exclusiveMinimum, every keyword of every draft).
//   * validate: valijson decides whether the document is valid. "type", "enum", "const", "pattern" (RE2, as Go's
//     regexp) and "format" (gojsonschema's checkers) are evaluated by trex's own valijson constraints so that
//     their semantics are gojsonschema's. When the document is invalid, the errors are produced by walking the
//     compiled schema in gojsonschema's order with its error shapes: {error, type, field, desc}, e.g.
//     {"desc": "Invalid type. Expected: integer, given: string", "error": "id: Invalid type. Expected: integer,
//     given: string", "field": "id", "type": "invalid_type"}; anyOf/oneOf report the closest branch's errors.
//
// Remote "$ref"s are resolved only through the Fetcher given to compile(); the built-ins serve the draft 4/6/7
// meta-schemas and nothing else (no network, no files). A compiled Schema is immutable and may be used from
// many threads at once.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "rego/value.h"

namespace rego::jsonschema {

class Schema;

// Returns the document at an absolute URI (without fragment), or nullopt when it cannot be had.
using Fetcher = std::function<std::optional<Value>(const std::string& uri)>;

struct Compiled {
  std::shared_ptr<const Schema> schema;  // null on error
  std::string error;                      // gojsonschema's message, without OPA's "jsonschema: " prefix
};

// Compiles a schema (an object, or a boolean). The draft 4/6/7 meta-schemas are always available to "$ref";
// `fetch` supplies any other remote document.
Compiled compile(const Value& schema, const Fetcher& fetch = {});

struct Outcome {
  bool valid = false;
  Value errors;  // array of {"error", "type", "field", "desc"} objects; empty when valid
};

// Validates a document (sets count as arrays). Throws std::runtime_error for documents nested too deeply.
Outcome validate(const Schema& schema, const Value& document);

// Whether a string satisfies a "format" as gojsonschema checks it (jsonschema_formats.cpp); unknown formats pass.
bool check_format(const std::string& format, const std::string& s);

}  // namespace rego::jsonschema
