// The part of input a policy's rules can read (compiler: input_projection.cpp), and the Data API's reading of
// a request body pruned to it (rego::request_projection with json::parse): every way a rule can reach input
// must widen the projection, and a body read so must evaluate exactly as the whole body does.
#include <gtest/gtest.h>

#include "rego/engine.h"
#include "rego/json.h"

namespace {

// "*" for a whole value; {a:*,b:{c:*}} for the members kept.
std::string render(const rego::json::Projection& p) {
  if (p.whole) return "*";
  std::string s = "{";
  for (size_t i = 0; i < p.members.size(); ++i)
    s += (i ? "," : "") + p.members[i].key + ":" + render(p.members[i].value);
  return s + "}";
}

std::shared_ptr<const rego::CompiledPolicy> compile(const std::string& modules) {
  auto c = rego::compile({{"test.rego", "package t\n" + modules}});
  EXPECT_TRUE(c.errors.empty()) << modules << ": " << (c.errors.empty() ? "" : c.errors[0].message);
  return c.policy;
}

// The projection of input (the request body's "input" member) for `modules`.
std::string input_reads(const std::string& modules) {
  auto policy = compile(modules);
  if (!policy) return "compile error";
  const rego::json::Projection& body = rego::request_projection(*policy);
  EXPECT_FALSE(body.whole);
  EXPECT_EQ(body.members.size(), 1u);
  if (body.whole || body.members.size() != 1 || body.members[0].key != "input") return "bad body projection";
  return render(body.members[0].value);
}

TEST(InputProjection, RefsKeepTheSubtreeAtTheirConstantPrefix) {
  EXPECT_EQ(input_reads("p if input.a.b == 1"), "{a:{b:*}}");
  EXPECT_EQ(input_reads("p if input.a[\"b-c\"]"), "{a:{b-c:*}}");
  EXPECT_EQ(input_reads("p if input.a[x] == 1"), "{a:*}");   // a variable key: all of a
  EXPECT_EQ(input_reads("p if input.a[0] == 1"), "{a:*}");   // a number key: all of a
  EXPECT_EQ(input_reads("p if input.a.b\nq := input.a"), "{a:*}");
  EXPECT_EQ(input_reads("q := input.a\np if input.a.b"), "{a:*}");
  EXPECT_EQ(input_reads("p if input.a.b.c\nq if input.a.d"), "{a:{b:{c:*},d:*}}");
  EXPECT_EQ(input_reads("p if input.a[input.k] == 1"), "{a:*,k:*}");
  EXPECT_EQ(input_reads("p := 1"), "{}");  // nothing of input is read (its presence still counts)
}

TEST(InputProjection, BareInputReadsEverything) {
  EXPECT_EQ(input_reads("p := input"), "*");
  EXPECT_EQ(input_reads("p if input[x] == 1"), "*");
  EXPECT_EQ(input_reads("p if input.a\nq := object.get(input, \"b\", 0)"), "*");
  EXPECT_EQ(input_reads("p if { print(input) }"), "*");
  EXPECT_EQ(input_reads("p contains x if walk(input, x)"), "*");
  EXPECT_EQ(input_reads("p if some x in input"), "*");
}

TEST(InputProjection, EveryPlaceARuleHoldsTermsCounts) {
  EXPECT_EQ(input_reads("p := [x | some x in input.xs]"), "{xs:*}");
  EXPECT_EQ(input_reads("p := {k: 1 | some k in input.ks; k != input.skip}"), "{ks:*,skip:*}");
  EXPECT_EQ(input_reads("p if every x in input.xs { x > input.min }"), "{min:*,xs:*}");
  EXPECT_EQ(input_reads("p := 1 if input.a else := input.b"), "{a:*,b:*}");
  EXPECT_EQ(input_reads("p := 1 if input.a else := 2 if input.c"), "{a:*,c:*}");
  EXPECT_EQ(input_reads("q[input.k] := input.v"), "{k:*,v:*}");
  EXPECT_EQ(input_reads("s contains input.e"), "{e:*}");
  EXPECT_EQ(input_reads("p := $\"hello {input.name}\""), "{name:*}");
  EXPECT_EQ(input_reads("f(x) := x.id\np := f(input.user)"), "{user:*}");
  EXPECT_EQ(input_reads("f(x) if input.a == x"), "{a:*}");
  EXPECT_EQ(input_reads("p if input.kind == \"a\"\np if input.kind == \"b\"\np if input.kind == \"c\""),
            "{kind:*}");  // an indexed rule set
  EXPECT_EQ(input_reads("default p := false\np if not input.deny"), "{deny:*}");
}

TEST(InputProjection, ImportsOfInputCountAsTheRefsTheyName) {
  EXPECT_EQ(input_reads("import input.subject as s\np if s.id == \"u\""), "{subject:{id:*}}");
  EXPECT_EQ(input_reads("import input.subject\np := subject"), "{subject:*}");
}

TEST(InputProjection, WithReplacesWithoutReadingButPatchesCount) {
  // `with input as v`: the original input is not read; the replacement's own refs are.
  EXPECT_EQ(input_reads("q if input.x\np if q with input as {\"x\": 1}"), "{x:*}");
  EXPECT_EQ(input_reads("q if input.x\np if q with input as input.z"), "{x:*,z:*}");
  // `with input.a.b as v` patches the original below a.b: counted as reading it.
  EXPECT_EQ(input_reads("q if input.a.c\np if q with input.a.b as 1"), "{a:{b:*,c:*}}");
  EXPECT_EQ(input_reads("q := data.d\np := x if { x := q with data.d as input.y }"), "{y:*}");
}

// data.t.<rule> for a request body, read whole or pruned to the policy's projection.
std::string eval_body(const rego::CompiledPolicy& policy, const std::string& body, bool projected,
                      const std::string& rule = "p") {
  auto doc = projected ? rego::json::parse(body, rego::request_projection(policy)) : rego::json::parse(body);
  if (!doc.ok) return "parse error: " + doc.error;
  rego::QueryOptions opts;
  if (const rego::Value* in = doc.value.get("input"); in && !in->is_null()) opts.input = *in;
  rego::Errors errors;
  auto v = rego::evaluate_path(policy, rego::Value::empty_object(),
                               {rego::Value::string("t"), rego::Value::string(rule)}, opts, errors);
  if (!errors.empty()) return "error: " + errors[0].code;
  return v ? rego::json::write(*v) : "undefined";
}

void expect_same(const std::string& modules, const std::string& body, const std::string& expected,
                 const std::string& rule = "p") {
  auto policy = compile(modules);
  ASSERT_TRUE(policy);
  EXPECT_EQ(eval_body(*policy, body, /*projected=*/false, rule), expected) << modules << " on " << body;
  EXPECT_EQ(eval_body(*policy, body, /*projected=*/true, rule), expected) << "projected: " << modules << " on " << body;
}

TEST(InputProjection, PrunedBodiesEvaluateAsWholeOnes) {
  const std::string m =
      "p := {\"id\": input.user.id, \"roles\": input.user.roles, \"n\": count(input.items)}\n"
      "q if input.user.id == \"u1\"\n"
      "r := object.keys(input.user)\n";
  const std::string body =
      R"({"input": {"user": {"id": "u1", "roles": ["a", "b"], "email": "x@y", "meta": {"k": [1, {"z": 2}]}},
          "items": [{"a": 1}, {"b": 2}], "noise": {"deep": [1, 2, [3, {"x": "\u00e9\ud83d\ude00"}]]}},
          "other": [true, null, -1.5e3]})";
  expect_same(m, body, R"({"id":"u1","n":2,"roles":["a","b"]})");
  expect_same(m, body, "true", "q");
  expect_same(m, body, R"(["email","id","meta","roles"])", "r");  // r reads all of user
  // Input missing, null, or not an object where the policy expects members.
  expect_same("p := input.a.b", R"({})", "undefined");
  expect_same("p := input.a.b", R"({"input": null})", "undefined");
  expect_same("p := count(input)", R"({"input": [1, 2, 3]})", "3");
  expect_same("p := input.a", R"({"input": "text"})", "undefined");
  expect_same("p := input.a", R"({"input": {"a": [{"b": 1}]}})", R"([{"b":1}])");
  expect_same("p := input.a.b", R"({"input": {"a": [{"b": 1}]}})", "undefined");
  expect_same("p := input.a.b", R"({"input": {"a": 5}})", "undefined");
  expect_same("p := 1", R"({"input": 7})", "1");
  // A repeated key keeps its last value; an escaped or invalid-UTF-8 key is matched as decoded.
  expect_same("p := input.a", R"({"input": {"a": 1, "b": 2, "a": 3}})", "3");
  expect_same("p := input.a", R"({"input": {"\u0061": 4}})", "4");
  expect_same("p := input[\"\uFFFD\"]", "{\"input\": {\"\xff\": 5}}", "5");
  expect_same("p := input.a\nq := input[\"\uFFFD\"]", "{\"input\": {\"\xff\": 5, \"a\": 6}}", "5", "q");
  // A patch below a part the projection drops.
  expect_same("q := input.a\np := x if { x := q with input.a.b as 1 }", R"({"input": {"a": {"c": 2}, "d": 3}})",
              R"({"b":1,"c":2})");
  expect_same("q := input.a.b\np := x if { x := input.a.c; q == 1 with input.a.b as 1 }",
              R"({"input": {"a": {"c": 2, "b": 0}}})", "2");
}

TEST(InputProjection, MalformedDroppedPartsFailAsTheWholeBodyDoes) {
  auto policy = compile("p := input.a");
  ASSERT_TRUE(policy);
  for (const char* body : {
           R"({"input": {"a": 1, "b": [1, 2,]}})",
           R"({"input": {"a": 1, "b": "\u12"}})",
           R"({"input": {"b": tru, "a": 1}})",
           R"({"input": {"a": 1, "b": 01}})",
           R"({"input": {"a": 1, "b": {"c" 1}}})",
           "{\"input\": {\"a\": 1, \"b\": \"x\x01\"}}",
           R"({"input": {"a": 1, "b": "\q"}})",
           R"({"input": {"a": 1}, "other": [})",
           R"({"input": {"a": 1}} trailing)",
           R"({"input": {"a": 1, "b": 1.}})",
           R"({"input": {"a": 1, "b": -}})",
           R"({"input": {"a": 1, "b": [}]}})",
           R"({"input": {"a": 1, "b": {"c": 1,}}})",
           R"({"input": {"a": 1, "b": )",
       }) {
    auto whole = rego::json::parse(body);
    auto pruned = rego::json::parse(body, rego::request_projection(*policy));
    EXPECT_FALSE(whole.ok) << body;
    EXPECT_FALSE(pruned.ok) << body;
    EXPECT_EQ(pruned.error, whole.error) << body;
  }
  std::string deep = R"({"input": {"a": 1, "b": )" + std::string(20, '[') + std::string(20, ']') + "}}";
  EXPECT_EQ(rego::json::parse(deep, rego::request_projection(*policy), 10).error,
            rego::json::parse(deep, 10).error);  // nesting limit holds in dropped parts too
  EXPECT_FALSE(rego::json::parse(deep, 10).ok);
}

}  // namespace
