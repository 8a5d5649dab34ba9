// json.verify_schema / json.match_schema: OPA's output shapes, and the official JSON-Schema-Test-Suite
// (Debian's json-schema-test-suite package) for drafts 4, 6 and 7.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "builtin_call.h"
#include "rego/builtins/jsonschema.h"
#include "rego/builtins/registry.h"
#include "rego/json.h"

namespace rego {
namespace {

using testing::J;
using testing::eval;
using testing::error_message;

void EXPECT_JSON(const Value& got, std::string_view want) { EXPECT_EQ(json::write(got), json::write(J(want))); }

// ---------------------------------------------------------------- verify_schema

TEST(JsonSchemaBuiltins, VerifySchema) {
  EXPECT_JSON(eval("json.verify_schema", {J(R"({"properties": {"id": {"type": "integer"}}})")}), "[true, null]");
  EXPECT_JSON(eval("json.verify_schema", {str(R"({"required": ["id"]})")}), "[true, null]");
  EXPECT_JSON(eval("json.verify_schema", {str("{bad")}), R"([false, "jsonschema: invalid JSON string"])");
  EXPECT_JSON(eval("json.verify_schema", {J("5")}), R"([false, "jsonschema: wrong type, expected string or object"])");
  EXPECT_JSON(eval("json.verify_schema", {J(R"({"properties": {"id": {"type": "UNKNOWN"}}})")}),
              R"([false, "jsonschema: has a primitive type that is NOT VALID -- given: /UNKNOWN/ Expected valid values are:[array boolean integer number null object string]"])");
  struct Case {
    const char* schema;
    const char* error;
  };
  const Case cases[] = {
      {R"({"type": ["string", "string"]})", "string type is duplicated"},
      {R"({"type": 5})", "Invalid type. Expected: type, given: string/array of strings"},
      {R"({"minLength": -1})", "minLength must be greater than or equal to 0"},
      {R"({"minLength": 1.5})", "minLength must be of an integer"},
      {R"({"minLength": 3, "maxLength": 2})", "minLength cannot be greater than maxLength"},
      {R"({"minProperties": 3, "maxProperties": 2})", "minProperties cannot be greater than maxProperties"},
      {R"({"multipleOf": 0})", "multipleOf must be strictly greater than 0"},
      {R"({"minimum": "1"})", "minimum must be of a number"},
      {R"({"required": ["a", "a"]})", "required items must be unique"},
      {R"({"required": "a"})", "required must be of an array"},
      {R"({"enum": [1, 1.0]})", "enum items must be unique"},
      {R"({"properties": 1})", "properties must be of type object"},
      {R"({"pattern": "("})", "pattern must be a valid regex"},
      {R"({"patternProperties": {"(": {}}})", "Invalid regex pattern '('"},
      {R"({"additionalProperties": 1})", "Invalid type. Expected: boolean/valid schema, given: additionalProperties"},
      {R"({"items": 1})", "Invalid type. Expected: valid schema/array of schemas, given: items"},
      {R"({"not": 1})", "not must be of an object"},
      {R"({"uniqueItems": 1})", "uniqueItems must be of a boolean"},
      {R"({"$schema": "http://json-schema.org/draft-04/schema#", "exclusiveMinimum": true})",
       "exclusiveMinimum cannot be used without minimum"},
      {R"({"$schema": "http://json-schema.org/draft-07/schema#", "exclusiveMinimum": true})",
       "Invalid type. Expected: number, given: exclusiveMinimum"},
      {R"({"$schema": "http://json-schema.org/draft-04/schema#", "properties": {"a": true}})",
       "Expected: valid schema, given: Invalid JSON"},
      {R"({"$ref": "#/definitions/missing"})", ""},  // any error text
  };
  for (const auto& c : cases) {
    Value r = eval("json.verify_schema", {J(c.schema)});
    ASSERT_TRUE(r.is_array()) << c.schema;
    EXPECT_EQ(r.as_array()[0], Value::false_value()) << c.schema;
    if (*c.error) {
      EXPECT_EQ(r.as_array()[1], str(std::string("jsonschema: ") + c.error)) << c.schema;
    }
  }
}

// ---------------------------------------------------------------- match_schema

TEST(JsonSchemaBuiltins, MatchSchemaShapes) {
  const Value schema = J(R"({"properties": {"id": {"type": "integer"}}, "required": ["id"]})");
  EXPECT_JSON(eval("json.match_schema", {J(R"({"id": 5})"), schema}), "[true, []]");
  EXPECT_JSON(eval("json.match_schema", {str(R"({"id": 5})"), str(json::write(schema))}), "[true, []]");
  EXPECT_JSON(eval("json.match_schema", {J(R"({"id": 5.0})"), schema}), "[true, []]");
  EXPECT_JSON(eval("json.match_schema", {J(R"({"id": "foo"})"), schema}),
              R"~([false, [{"desc": "Invalid type. Expected: integer, given: string",
                           "error": "id: Invalid type. Expected: integer, given: string",
                           "field": "id", "type": "invalid_type"}]])~");
  EXPECT_JSON(eval("json.match_schema", {J(R"({})"), schema}),
              R"~([false, [{"desc": "id is required", "error": "(root): id is required", "field": "(root)",
                           "type": "required"}]])~");
  EXPECT_EQ(error_message("json.match_schema", {str("{"), schema}), "invalid JSON string");
  EXPECT_EQ(error_message("json.match_schema", {J("{}"), J(R"({"type": "nope"})")}),
            "has a primitive type that is NOT VALID -- given: /nope/ Expected valid values are:[array boolean "
            "integer number null object string]");
  EXPECT_JSON(eval("json.match_schema", {J(R"({"value": "allow"})"), J(R"({"enum": []})")}),
              R"~([false, [{"desc": "(root) must be one of the following: (none)",
                           "error": "(root): (root) must be one of the following: (none)", "field": "(root)",
                           "type": "enum"}]])~");
}

// The description of the single error `doc` raises against `schema`.
std::string only_error(const char* schema, const char* doc) {
  Value r = eval("json.match_schema", {str(doc), str(schema)});  // both as JSON text (scalars must be)
  EXPECT_EQ(r.as_array()[0], Value::false_value()) << schema << " " << doc;
  const auto& errs = r.as_array()[1].as_array();
  EXPECT_EQ(errs.size(), 1u) << schema << " " << doc << " " << json::write(r);
  if (errs.empty()) return "";
  return errs[0].get("type")->as_string() + " | " + errs[0].get("error")->as_string();
}

TEST(JsonSchemaBuiltins, ErrorTexts) {
  EXPECT_EQ(only_error(R"({"minimum": 5})", "3"), "number_gte | (root): Must be greater than or equal to 5");
  EXPECT_EQ(only_error(R"({"exclusiveMinimum": 5})", "5"), "number_gt | (root): Must be greater than 5");
  EXPECT_EQ(only_error(R"({"maximum": 1.5})", "3"), "number_lte | (root): Must be less than or equal to 1.5");
  EXPECT_EQ(only_error(R"({"maximum": 1000000})", "1e7"), "number_lte | (root): Must be less than or equal to 1e+06");
  EXPECT_EQ(only_error(R"({"$schema": "http://json-schema.org/draft-04/schema#", "maximum": 3,
                           "exclusiveMaximum": true})", "3"),
            "number_lt | (root): Must be less than 3");
  EXPECT_EQ(only_error(R"({"multipleOf": 2})", "3"), "multiple_of | (root): Must be a multiple of 2");
  EXPECT_EQ(only_error(R"({"minLength": 2})", R"("a")"), "string_gte | (root): String length must be greater than or equal to 2");
  EXPECT_EQ(only_error(R"({"maxLength": 1})", R"("ab")"), "string_lte | (root): String length must be less than or equal to 1");
  EXPECT_EQ(only_error(R"({"pattern": "^a"})", R"("b")"), "pattern | (root): Does not match pattern '^a'");
  EXPECT_EQ(only_error(R"({"format": "email"})", R"("nope")"), "format | (root): Does not match format 'email'");
  EXPECT_EQ(only_error(R"({"format": "date-time"})", R"("2020-13-01T00:00:00Z")"),
            "format | (root): Does not match format 'date-time'");
  EXPECT_EQ(only_error(R"({"minItems": 2})", "[1]"), "array_min_items | (root): Array must have at least 2 items");
  EXPECT_EQ(only_error(R"({"maxItems": 0})", "[1]"), "array_max_items | (root): Array must have at most 0 items");
  EXPECT_EQ(only_error(R"({"uniqueItems": true})", "[1, 2, 1]"), "unique | (root): array items[0,2] must be unique");
  EXPECT_EQ(only_error(R"({"items": [{}], "additionalItems": false})", "[1, 2]"),
            "array_no_additional_items | (root): No additional items allowed on array");
  EXPECT_EQ(only_error(R"({"minProperties": 1})", "{}"), "array_min_properties | (root): Must have at least 1 properties");
  EXPECT_EQ(only_error(R"({"maxProperties": 0})", R"({"a": 1})"), "array_max_properties | (root): Must have at most 0 properties");
  EXPECT_EQ(only_error(R"({"properties": {"a": {}}, "additionalProperties": false})", R"({"a": 1, "b": 2})"),
            "additional_property_not_allowed | (root): Additional property b is not allowed");
  EXPECT_EQ(only_error(R"({"dependencies": {"a": ["b"]}})", R"({"a": 1})"),
            "missing_dependency | (root): Has a dependency on b");
  EXPECT_EQ(only_error(R"({"const": "x"})", R"("y")"), R"(const | (root): (root) does not match: "x")");
  EXPECT_EQ(only_error(R"({"enum": ["a", 1]})", R"("b")"), R"(enum | (root): (root) must be one of the following: "a", 1)");
  EXPECT_EQ(only_error(R"({"not": {}})", "1"), "number_not | (root): Must not validate the schema (not)");
  EXPECT_EQ(only_error("false", "1"), "false | (root): False always fails validation");
  EXPECT_EQ(only_error(R"({"properties": {"a": {"properties": {"b": {"type": ["string", "null"]}}}}})",
                       R"({"a": {"b": 1}})"),
            "invalid_type | a.b: Invalid type. Expected: [string,null], given: integer");
  EXPECT_EQ(only_error(R"({"items": {"type": "string"}})", R"(["a", 2])"),
            "invalid_type | 1: Invalid type. Expected: string, given: integer");
}

TEST(JsonSchemaBuiltins, CompositeErrors) {
  // anyOf: the error, then the closest branch's errors.
  Value r = eval("json.match_schema", {J(R"({"a": "x"})"),
                                       J(R"({"anyOf": [{"required": ["b", "c"]},
                                                       {"properties": {"a": {"type": "integer"}}}]})")});
  EXPECT_JSON(r, R"~([false, [
      {"desc": "Must validate at least one schema (anyOf)", "error": "(root): Must validate at least one schema (anyOf)",
       "field": "(root)", "type": "number_any_of"},
      {"desc": "Invalid type. Expected: integer, given: string", "error": "a: Invalid type. Expected: integer, given: string",
       "field": "a", "type": "invalid_type"}]])~");
  // if/then/else
  r = eval("json.match_schema", {str("5"), J(R"({"if": {"minimum": 10}, "else": {"multipleOf": 2}})")});
  EXPECT_JSON(r, R"~([false, [
      {"desc": "Must validate \"else\" as \"if\" was not valid", "error": "(root): Must validate \"else\" as \"if\" was not valid",
       "field": "(root)", "type": "condition_else"},
      {"desc": "Must be a multiple of 2", "error": "(root): Must be a multiple of 2", "field": "(root)", "type": "multiple_of"}]])~");
  // allOf: every failing branch's errors, then allOf's own.
  r = eval("json.match_schema", {str("5"), J(R"({"allOf": [{"minimum": 6}, {"maximum": 4}]})")});
  const auto& errs = r.as_array()[1].as_array();
  ASSERT_EQ(errs.size(), 3u);
  EXPECT_EQ(*errs[2].get("type"), str("number_all_of"));
}

TEST(JsonSchemaBuiltins, CacheIsSharedAcrossThreads) {
  const Value schema = J(R"({"type": "object", "properties": {"n": {"type": "integer", "minimum": 0}}})");
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        Value doc = Value::object({{str("n"), Value::integer((i + t) % 3 - 1)}});
        Value r = eval("json.match_schema", {doc, schema});
        bool want = (i + t) % 3 - 1 >= 0;
        if (r.as_array()[0] != Value::boolean(want)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// ---------------------------------------------------------------- the JSON-Schema-Test-Suite

const char* kSuiteDir = "/usr/share/json-schema-test-suite";

std::optional<Value> read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = json::parse(ss.str());
  if (!r.ok) return std::nullopt;
  return r.value;
}

// Cases (file stem / group description / test description) that fail, with the reason. Each is a known gap of
// valijson 1.0 or a place where trex deliberately follows gojsonschema (OPA) rather than the spec.
const std::set<std::string> kKnownFailures = {
#include "jsonschema_known_failures.inc"
};

struct SuiteCount {
  int passed = 0, failed = 0, known = 0, fixed = 0;
};

SuiteCount run_draft(const std::string& draft, const char* schema_uri, std::vector<std::string>& unexpected,
                     std::vector<std::string>& now_passing) {
  SuiteCount count;
  const std::filesystem::path dir = std::filesystem::path(kSuiteDir) / "tests" / draft;
  const std::filesystem::path remotes = std::filesystem::path(kSuiteDir) / "remotes";
  jsonschema::Fetcher fetch = [&](const std::string& uri) -> std::optional<Value> {
    const std::string prefix = "http://localhost:1234/";
    if (uri.rfind(prefix, 0) != 0) return std::nullopt;
    return read_json(remotes / uri.substr(prefix.size()));
  };
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    auto groups = read_json(file);
    if (!groups || !groups->is_array()) {
      ADD_FAILURE() << "cannot read " << file;
      continue;
    }
    for (const auto& group : groups->as_array()) {
      Value schema = *group.get("schema");
      if (schema.is_object() && !schema.get("$schema")) {
        std::vector<ObjectEntry> e(schema.as_object().begin(), schema.as_object().end());
        e.emplace_back(str("$schema"), str(schema_uri));
        schema = Value::object(std::move(e));
      }
      auto compiled = jsonschema::compile(schema, fetch);
      for (const auto& test : group.get("tests")->as_array()) {
        std::string stem = std::filesystem::relative(file, dir).replace_extension().string();
        std::string id = draft + "/" + stem + " / " + group.get("description")->as_string() + " / " +
                         test.get("description")->as_string();
        bool want = test.get("valid")->as_bool();
        bool ok = false;
        if (compiled.schema) {
          try {
            ok = jsonschema::validate(*compiled.schema, *test.get("data")).valid == want;
          } catch (const std::exception&) {
            ok = false;
          }
        }
        bool known = kKnownFailures.count(id) > 0;
        if (ok) {
          ++count.passed;
          if (known) {
            ++count.fixed;
            now_passing.push_back(id);
          }
        } else {
          ++count.failed;
          if (known) {
            ++count.known;
          } else {
            unexpected.push_back(id + (compiled.schema ? "" : "  [compile: " + compiled.error + "]"));
          }
        }
      }
    }
  }
  return count;
}

TEST(JsonSchemaTestSuite, Drafts4To7) {
  if (!std::filesystem::exists(std::filesystem::path(kSuiteDir) / "tests"))
    GTEST_SKIP() << "json-schema-test-suite is not installed (" << kSuiteDir << ")";
  const std::pair<const char*, const char*> drafts[] = {
      {"draft4", "http://json-schema.org/draft-04/schema#"},
      {"draft6", "http://json-schema.org/draft-06/schema#"},
      {"draft7", "http://json-schema.org/draft-07/schema#"},
  };
  std::vector<std::string> unexpected, now_passing;
  int total_passed = 0, total = 0;
  for (const auto& [draft, uri] : drafts) {
    SuiteCount c = run_draft(draft, uri, unexpected, now_passing);
    total_passed += c.passed;
    total += c.passed + c.failed;
    std::cout << "[ suite    ] " << draft << ": " << c.passed << "/" << (c.passed + c.failed) << " passed ("
              << c.known << " known failures)\n";
  }
  std::cout << "[ suite    ] total: " << total_passed << "/" << total << " passed\n";
  for (const auto& id : now_passing) std::cout << "[ suite    ] now passes (drop from known failures): " << id << "\n";
  for (const auto& id : unexpected) ADD_FAILURE() << "unexpected failure: " << id;
}

}  // namespace
}  // namespace rego
