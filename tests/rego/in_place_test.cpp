// The evaluator's in-place forms (eval_body.cpp) against its general path: every case is evaluated both ways
// (QueryOptions::general_evaluation) and both must give OPA's answer. The cases aim at the places where an
// in-place form decides differently from a continuation: undefined operands, `not`, bound and unbound
// variables, `with` replacements, values that are truthy without being true.
#include <gtest/gtest.h>

#include "rego/engine.h"
#include "rego/json.h"

namespace {

// data.t.p of `module` as JSON, "undefined", or "error:<code>"; with general_evaluation as given.
std::string eval_p(const std::string& module, const std::string& input, bool general,
                   const std::string& query = "data.t.p") {
  auto c = rego::compile({{"test.rego", "package t\n" + module}});
  if (!c.errors.empty()) return "compile error:" + c.errors[0].message;
  rego::QueryOptions opts;
  if (!input.empty()) opts.input = rego::json::parse(input).value;
  opts.strict_builtin_errors = true;
  opts.general_evaluation = general;
  auto r = rego::evaluate(*c.policy, rego::json::parse(R"({"base": {"r": 2}})").value, query, opts);
  if (!r.errors.empty()) return "error:" + r.errors[0].code;
  if (r.rows.empty()) return "undefined";
  return rego::json::write(r.rows[0].expressions[0].value);
}

void expect_both(const std::string& module, const std::string& input, const std::string& expected,
                 const std::string& query = "data.t.p") {
  EXPECT_EQ(eval_p(module, input, /*general=*/true, query), expected) << "general path: " << module;
  EXPECT_EQ(eval_p(module, input, /*general=*/false, query), expected) << "in place: " << module;
}

TEST(InPlace, ComparisonsFollowTheTotalOrder) {
  expect_both("p if input.a == 1.0", R"({"a": 1})", "true");
  expect_both("p if input.a < \"x\"", R"({"a": 99})", "true");  // numbers sort before strings
  expect_both("p if input.a >= input.b", R"({"a": [1, 2], "b": [1]})", "true");
  expect_both("p if input.a > input.b", R"({"a": 1, "b": 2})", "undefined");
  expect_both("p if input.a != input.b", R"({"a": {"k": 1}, "b": {"k": 1}})", "undefined");
  expect_both("p if input.a <= 3", R"({"a": 3})", "true");
}

TEST(InPlace, AnUndefinedOperandIsNotFalse) {
  expect_both("p if input.missing != 1", R"({})", "undefined");
  expect_both("p if not input.missing == 1", R"({})", "true");
  expect_both("p if not input.a == 1", R"({"a": 1})", "undefined");
  expect_both("p if not startswith(input.missing, \"a\")", R"({})", "true");
  expect_both("p if \"x\" in {input.missing, \"x\"}", R"({})", "undefined");  // the literal itself is undefined
  expect_both("p if not \"x\" in {input.missing, \"x\"}", R"({})", "true");
  expect_both("p if input.a in {input.b, \"x\"}", R"({"a": "y", "b": "y"})", "true");
}

TEST(InPlace, MembershipLooksAtElementsAndObjectValues) {
  const char* m = "p if input.x in input.coll\nq if input.x in {\"a\", \"b\"}\nr if not input.x in input.coll\n";
  expect_both(m, R"({"x": 2, "coll": [1, 2]})", "true");
  expect_both(m, R"({"x": 2.0, "coll": [1, 2]})", "true");
  expect_both(m, R"({"x": 3, "coll": [1, 2]})", "undefined");
  expect_both(m, R"({"x": "v", "coll": {"k": "v"}})", "true");   // an object's values, not its keys
  expect_both(m, R"({"x": "k", "coll": {"k": "v"}})", "undefined");
  expect_both(m, R"({"x": "a", "coll": "abc"})", "undefined");    // a string holds nothing
  expect_both(m, R"({"x": "a", "coll": "abc"})", "true", "data.t.r");
  expect_both(m, R"({"x": "b"})", "true", "data.t.q");
  expect_both(m, R"({"x": "b"})", "undefined");                   // an undefined collection
  expect_both(m, R"({"x": "b"})", "true", "data.t.r");
  expect_both("s := {1, 2}\np if input.x in s", R"({"x": 1})", "true");
}

TEST(InPlace, TruthIsAnythingButFalse) {
  expect_both("p if input.flag", R"({"flag": 0})", "true");
  expect_both("p if input.flag", R"({"flag": false})", "undefined");
  expect_both("p if not input.flag", R"({"flag": false})", "true");
  expect_both("p if not input.flag", R"({})", "true");
  expect_both("default q := false\np if not q", "", "true");
  expect_both("p if trim(input.s, \" \")", R"({"s": " a "})", "true");  // a string result is truthy
}

TEST(InPlace, BuiltInErrorsAreKept) {
  // strict-builtin-errors: the type error surfaces whichever path evaluated the call.
  expect_both("p if startswith(input.n, \"a\")", R"({"n": 5})", "error:eval_type_error");
  expect_both("p if net.cidr_contains(\"10.0.0.0/8\", input.ip)", R"({"ip": "10.1.2.3"})", "true");
}

TEST(InPlace, BindingsBindOrCompare) {
  expect_both("p := x if { x := input.a; x > 0 }", R"({"a": 3})", "3");
  expect_both("p := x if { x := input.a }", R"({})", "undefined");
  expect_both("p if { x := 1; x = input.a }", R"({"a": 1})", "true");
  expect_both("p if { x := 1; x = input.a }", R"({"a": 2})", "undefined");
  expect_both("p := x if { input.a = x; x == \"v\" }", R"({"a": "v"})", "\"v\"");
  expect_both("p := [x, y] if { x := input.a; y = x }", R"({"a": [1]})", "[[1],[1]]");
}

TEST(InPlace, SomeInEnumeratesEveryMember) {
  expect_both("p contains [i, v] if some i, v in input.xs", R"({"xs": ["a", "b"]})", R"([[0,"a"],[1,"b"]])");
  expect_both("p contains [k, v] if some k, v in input.o", R"({"o": {"x": 1, "y": 2}})", R"([["x",1],["y",2]])");
  expect_both("p contains v if { some v in input.xs; v > 1 }", R"({"xs": [1, 2, 3]})", "[2,3]");
  expect_both("p contains v if some v in {3, 1}", "", "[1,3]");
  expect_both("p contains v if some v in input.n", R"({"n": 5})", "[]");  // not a collection: no members
  expect_both("p contains v if some v in input.missing", R"({})", "[]");
  // Nested generators backtrack into the outer one.
  expect_both("p contains [a, b] if { some a in input.xs; some b in input.xs; a < b }", R"({"xs": [1, 2, 3]})",
              "[[1,2],[1,3],[2,3]]");
  // Members are bound where they lie (Evaluator::bind_borrowed): in a copy of a variable's value, in a set
  // literal, in input while a `with` replaces input for one expression.
  expect_both("p contains v if { o := input.o; some v in o.list }", R"({"o": {"list": ["x", "y"]}})", R"(["x","y"])");
  expect_both("p contains [k, v] if some k, v in {\"a\", \"b\"}", "", R"([["a","a"],["b","b"]])");
  expect_both("q if input.xs[0] == 9\np contains x if { some x in input.xs; q with input as {\"xs\": [9]}; x > 0 }",
              R"({"xs": [1, 2]})", "[1,2]");
  // Early exit: a complete rule stops at its first solution.
  expect_both("p if { some v in input.xs; v == 2 }", R"({"xs": [2, 2, 2]})", "true");
}

TEST(InPlace, FunctionsCalledForTheirTruth) {
  const char* m =
      "allowed(actions, a) if a in actions\n"
      "allowed(actions, _) if \"*\" in actions\n"
      "half(x) := x / 2\n"
      "no(_) := false\n"
      "p if allowed(input.actions, input.action)\n"
      "q if half(input.n)\n"
      "r if not no(input.n)\n"
      "s if not allowed(input.missing, \"read\")\n"
      "yes(_, _) := true\n";
  expect_both(m, R"({"actions": ["read"], "action": "read"})", "true");
  expect_both(m, R"({"actions": ["*"], "action": "write"})", "true");
  expect_both(m, R"({"actions": ["read"], "action": "write"})", "undefined");
  expect_both(m, R"({"actions": ["read"], "action": "write"})", "true", "data.t.p with data.t.allowed as data.t.yes");
  expect_both(m, R"({"n": 0})", "true", "data.t.q");  // 0 is truthy
  expect_both(m, R"({"n": 1})", "true", "data.t.r");  // false fails the call, so `not` holds
  expect_both(m, R"({})", "true", "data.t.s");        // an undefined operand: the call is undefined
}

TEST(InPlace, FunctionParametersBindTheirArguments) {
  // Plain parameters are bound to the caller's arguments without a copy (Evaluator::bind_borrowed); patterns
  // are unified. Arguments from constants, input, iteration members and another function's parameters.
  const char* m =
      "inc(x) := x + 1\n"
      "twice(x) := inc(inc(x))\n"
      "sum([a, b]) := a + b\n"
      "p := twice(input.n)\n"
      "q contains y if { some x in input.xs; y := twice(x) }\n"
      "r := sum([input.n, 10])\n"
      "s if twice(1) == 3\n";
  expect_both(m, R"({"n": 5, "xs": [1, 2]})", "7");
  expect_both(m, R"({"n": 5, "xs": [1, 2]})", "[3,4]", "data.t.q");
  expect_both(m, R"({"n": 5, "xs": [1, 2]})", "15", "data.t.r");
  expect_both(m, "", "true", "data.t.s");
}

TEST(InPlace, WithReplacementsAreSeen) {
  const char* m =
      "p if startswith(input.s, \"x\")\n"
      "q if data.base.r == 1\n"
      "yes(_, _) := true\n";
  expect_both(m, R"({"s": "abc"})", "undefined");
  expect_both(m, R"({"s": "abc"})", "true", "data.t.p with startswith as data.t.yes");
  expect_both(m, R"({"s": "abc"})", "true", "data.t.p with input.s as \"xyz\"");
  expect_both(m, "", "undefined", "data.t.q");
  expect_both(m, "", "true", "data.t.q with data.base.r as 1");
}

TEST(InPlace, RefKeysThatAreRefsAreReadInPlace) {
  const char* m =
      "p := input.m[input.k]\n"
      "q := data.base[k]\n"
      "k := input.k\n"
      "r if input.m[input.k] == 1\n"
      "s := input.arr[input.i]\n"
      "t := input.m[input.ks[input.i]]\n"
      "u contains v if v := input.m[input.ks[_]]\n"
      "names := {\"r\", \"y\"}\n"
      "w := names[input.k]\n"
      "x if { k := input.k; names[k] == \"r\" }\n";
  const char* in = R"({"m": {"r": 1, "z": 3}, "k": "r", "arr": ["a", "b"], "i": 1, "ks": ["r", "z"]})";
  expect_both(m, in, "1");
  expect_both(m, in, "2", "data.t.q");  // a key that is a rule's value, into base data
  expect_both(m, in, "true", "data.t.r");
  expect_both(m, in, "\"b\"", "data.t.s");
  expect_both(m, in, "3", "data.t.t");  // a ref key inside a ref key
  expect_both(m, in, "[1,3]", "data.t.u");  // a key to enumerate: the general path
  expect_both(m, in, "\"r\"", "data.t.w");  // a set indexed by a string: its element
  expect_both(m, in, "true", "data.t.x");
  expect_both(m, R"({"m": {"r": 1}})", "undefined");  // the key is undefined: so is the ref
  expect_both(m, R"({"m": {"r": 1}, "k": "x"})", "undefined");  // a key that names nothing
  expect_both(m, R"({"m": {"r": 1}})", "undefined", "data.t.q");
  expect_both(m, R"({"arr": ["a", "b"], "i": "1"})", "undefined", "data.t.s");  // a string indexes no array
  expect_both(m, R"({"m": {"r": 1}, "ks": ["r"], "i": 5})", "undefined", "data.t.t");
}

TEST(InPlace, RulesOfOneConstantStopAtTheFirstSuccess) {
  const char* m =
      "p if input.x == 1\n"
      "p if input.y == 2\n"
      "q := 7 if input.x == 1\n"
      "q := 7 if input.y == 2\n"
      "default d := false\n"
      "d if input.x == 1\n"
      "d if input.y == 2\n"
      "i if input.kind == \"a\"\n"
      "i if input.kind == \"b\"\n"
      "i if input.any\n";
  expect_both(m, R"({"x": 1})", "true");
  expect_both(m, R"({"y": 2})", "true");  // the second definition decides
  expect_both(m, R"({"x": 0, "y": 0})", "undefined");
  expect_both(m, R"({"y": 2})", "7", "data.t.q");
  expect_both(m, R"({"x": 0})", "undefined", "data.t.q");
  expect_both(m, R"({"x": 0})", "false", "data.t.d");  // none succeeds: the default
  expect_both(m, R"({"y": 2})", "true", "data.t.d");
  expect_both(m, R"({"kind": "b"})", "true", "data.t.i");  // rules indexed on input.kind
  expect_both(m, R"({"kind": "c", "any": true})", "true", "data.t.i");
  expect_both(m, R"({"kind": "c"})", "undefined", "data.t.i");
}

TEST(InPlace, FunctionsOfOneConstantStopAtTheFirstSuccess) {
  const char* m =
      "m(acts, act) if act in acts\n"
      "m(acts, _) if \"*\" in acts\n"
      "p if m(input.acts, input.act)\n"
      "g(x) := 5 if x > 1\n"
      "g(x) := 5 if x < -1\n"
      "q := g(input.n)\n"
      "h([a, b]) if a == b\n"
      "h([a, _]) if a == 0\n"
      "r if h(input.pair)\n";
  expect_both(m, R"({"acts": ["read"], "act": "read"})", "true");
  expect_both(m, R"({"acts": ["*"], "act": "write"})", "true");  // the second definition decides
  expect_both(m, R"({"acts": ["read"], "act": "write"})", "undefined");
  expect_both(m, R"({"n": 3})", "5", "data.t.q");
  expect_both(m, R"({"n": -3})", "5", "data.t.q");
  expect_both(m, R"({"n": 0})", "undefined", "data.t.q");
  expect_both(m, R"({"pair": [1, 1]})", "true", "data.t.r");  // parameters that are patterns unify
  expect_both(m, R"({"pair": [0, 2]})", "true", "data.t.r");
  expect_both(m, R"({"pair": [1, 2]})", "undefined", "data.t.r");
  expect_both(m, R"({"pair": [1, 2, 3]})", "undefined", "data.t.r");
}

}  // namespace
