// Evaluator corner cases through the public engine API (engine.h).
#include <atomic>
#include <chrono>

#include <gtest/gtest.h>

#include "rego/engine.h"
#include "rego/json.h"

namespace {

using rego::Value;

Value J(const std::string& text) {
  auto r = rego::json::parse(text);
  EXPECT_TRUE(r.ok) << r.error;
  return r.value;
}

// Evaluates `query` against `module`; returns the first expression's value as JSON, "undefined", or "error:<code>".
std::string eval(const std::string& module, const std::string& query, const std::string& input = "",
                 const std::string& data = "{}") {
  auto c = rego::compile({{"test.rego", module}});
  if (!c.errors.empty()) return "error:" + c.errors[0].code + ":" + c.errors[0].message;
  rego::QueryOptions opts;
  if (!input.empty()) opts.input = J(input);
  opts.strict_builtin_errors = true;
  auto r = rego::evaluate(*c.policy, J(data), query, opts);
  if (!r.errors.empty()) return "error:" + r.errors[0].code;
  if (r.rows.empty()) return "undefined";
  return rego::json::write(r.rows[0].expressions[0].value);
}

TEST(Eval, CompleteRuleAndDefault) {
  const char* m = "package t\ndefault allow := false\nallow if input.user == \"admin\"\n";
  EXPECT_EQ(eval(m, "data.t.allow", R"({"user":"admin"})"), "true");
  EXPECT_EQ(eval(m, "data.t.allow", R"({"user":"bob"})"), "false");
}

TEST(Eval, UndefinedIsNotFalse) {
  const char* m = "package t\np if input.x > 1\n";
  EXPECT_EQ(eval(m, "data.t.p", R"({"x":0})"), "undefined");
  EXPECT_EQ(eval(m, "not data.t.p", R"({"x":0})"), "true");
}

TEST(Eval, PartialSetAndObject) {
  const char* m = "package t\ns contains x if some x in [3, 1, 2, 1]\no[k] := v if { some k, v in {\"a\": 1, \"b\": 2} }\n";
  EXPECT_EQ(eval(m, "data.t.s"), "[1,2,3]");
  EXPECT_EQ(eval(m, "data.t.o"), R"({"a":1,"b":2})");
  EXPECT_EQ(eval(m, "data.t.o.b"), "2");
}

TEST(Eval, ConflictIsAnError) {
  const char* m = "package t\np := 1\np := 2 if true\n";
  EXPECT_EQ(eval(m, "data.t.p"), "error:eval_conflict_error");
}

TEST(Eval, FunctionsElseAndDestructuring) {
  const char* m = R"(package t
f(x) := "big" if x > 10
else := "small"
g([a, b]) := a + b
)";
  EXPECT_EQ(eval(m, "data.t.f(11)"), "\"big\"");
  EXPECT_EQ(eval(m, "data.t.f(1)"), "\"small\"");
  EXPECT_EQ(eval(m, "data.t.g([2, 3])"), "5");
}

TEST(Eval, UnificationBindsBothSides) {
  EXPECT_EQ(eval("package t", "[x, 2] = [1, y]; z := x + y"), "true");
  EXPECT_EQ(eval("package t", "{\"a\": x} = {\"a\": 5}; x == 5"), "true");
}

TEST(Eval, EveryAndSomeIn) {
  const char* m = "package t\nall_pos if every x in input.xs { x > 0 }\n";
  EXPECT_EQ(eval(m, "data.t.all_pos", R"({"xs":[1,2]})"), "true");
  EXPECT_EQ(eval(m, "data.t.all_pos", R"({"xs":[1,-2]})"), "undefined");
}

TEST(Eval, WithReplacesInputDataAndFunctions) {
  const char* m = "package t\np := input.x\nq := data.d\nr := count([1, 2])\n";
  EXPECT_EQ(eval(m, "data.t.p with input.x as 7"), "7");
  EXPECT_EQ(eval(m, "data.t.q with data.d as \"z\""), "\"z\"");
  EXPECT_EQ(eval(m, "data.t.r with count as 9"), "9");
}

TEST(Eval, BaseAndVirtualDocumentsMerge) {
  const char* m = "package a.b\nv := 1\n";
  EXPECT_EQ(eval(m, "data.a", "", R"({"a":{"base":2}})"), R"({"b":{"v":1},"base":2})");
}

TEST(Eval, BodiesAreReorderedForSafety) {
  const char* m = "package t\np := y if { y = x; x = 3 }\n";
  EXPECT_EQ(eval(m, "data.t.p"), "3");
}

TEST(Eval, UnsafeVariableIsACompileError) {
  auto c = rego::compile({{"t.rego", "package t\np if { x > 1 }\n"}});
  ASSERT_FALSE(c.errors.empty());
  EXPECT_EQ(c.errors[0].code, "rego_unsafe_var_error");
}

TEST(Eval, UnknownFunctionIsATypeError) {
  auto c = rego::compile({{"t.rego", "package t\np if nosuch(1)\n"}});
  ASSERT_FALSE(c.errors.empty());
  EXPECT_EQ(c.errors[0].code, "rego_type_error");
}

TEST(Eval, StrictBuiltinErrors) {
  EXPECT_EQ(eval("package t", "1 / 0"), "error:eval_builtin_error");
}

TEST(Eval, ComprehensionsCaptureOuterVariables) {
  const char* m = "package t\np := [y | some y in [1, 2, 3]; y > x] if x := 1\n";
  EXPECT_EQ(eval(m, "data.t.p"), "[2,3]");
}

TEST(Eval, RuleIndexSelectsMatchingRules) {
  std::string m = "package k\n";
  for (int i = 0; i < 50; ++i)
    m += "deny contains " + std::to_string(i) + " if input.kind == \"K" + std::to_string(i) + "\"\n";
  m += "deny contains \"any\" if input.kind\n";
  EXPECT_EQ(eval(m, "data.k.deny", R"({"kind":"K7"})"), R"([7,"any"])");
  EXPECT_EQ(eval(m, "data.k.deny", R"({"kind":"none"})"), R"(["any"])");
}

}  // namespace

namespace {

TEST(Eval, SingleExpressionQueryKeepsFalse) {
  const char* m = "package t\ndefault allow := false\nallow if input.x == 1\n";
  EXPECT_EQ(eval(m, "data.t.allow", R"({"x":2})"), "false");
  EXPECT_EQ(eval(m, "data.t.allow; true", R"({"x":2})"), "undefined");
}

TEST(Eval, TemplateStrings) {
  const char* m = "package t\na := input.a\np := $\"v={a with input as {\"a\": 42}} s={ {1} } u={input.none}\"\n";
  EXPECT_EQ(eval(m, "data.t.p", "{}"), R"("v=42 s={1} u=\u003cundefined\u003e")");
}

TEST(Eval, ComputedFunctionArgumentsUnifyAfterTheBody) {
  const char* m = "package t\nf($\"{x}!\") := 1 if x := \"hi\"\n";
  EXPECT_EQ(eval(m, "data.t.f(\"hi!\")"), "1");
  EXPECT_EQ(eval(m, "data.t.f(\"no\")"), "undefined");
}

TEST(Eval, NegatedBodyUnderRegoV2) {
  const char* m = "package t\nimport rego.v2\np if { not { input.a; input.b } }\n";
  EXPECT_EQ(eval(m, "data.t.p", R"({"a":true,"b":false})"), "true");
  EXPECT_EQ(eval(m, "data.t.p", R"({"a":true,"b":true})"), "undefined");
}

TEST(Eval, MocksDoNotApplyInsideMocks) {
  const char* m = R"(package t
mock_count(x) := count(x) + 100
p := n if n := count([1, 2]) with count as mock_count
)";
  EXPECT_EQ(eval(m, "data.t.p"), "102");
}

TEST(Eval, RecursionIsACompileError) {
  auto c = rego::compile({{"t.rego", "package t\np if q\nq if p\n"}});
  ASSERT_FALSE(c.errors.empty());
  EXPECT_EQ(c.errors[0].code, "rego_recursion_error");
}

TEST(Eval, IntegerKeysNameBaseDocumentKeys) {
  EXPECT_EQ(eval("package t\np := data.d[2]\n", "data.t.p", "", R"({"d":{"2":"two"}})"), "\"two\"");
}

// Refs the compiler resolved through the rule tree (ast::kResolvedRuleRef / kResolvedBaseRef) must read what
// the general walk reads: base data at a rule's own path wins over the rule, `with data...` replaces either,
// and a ref into plain base data next to packages still finds it.
TEST(Eval, ResolvedDataRefsMatchTheTreeWalk) {
  const char* m = "package t\nr := 1\nq := data.t.r\ns := r\nb := data.d.x\nw := x if x := data.t.r with data.t.r as 3\n";
  EXPECT_EQ(eval(m, "data.t.q"), "1");
  EXPECT_EQ(eval(m, "data.t.s"), "1");
  EXPECT_EQ(eval(m, "data.t.q", "", R"({"t":{"r":2}})"), "2");
  EXPECT_EQ(eval(m, "data.t.s", "", R"({"t":{"r":2}})"), "2");
  EXPECT_EQ(eval(m, "data.t.b", "", R"({"d":{"x":"base"}})"), "\"base\"");
  EXPECT_EQ(eval(m, "data.t.w"), "3");
  EXPECT_EQ(eval(m, "data.t.q with data.t.r as 4"), "4");
  EXPECT_EQ(eval(m, "data.t.b with data.d as {\"x\": 5}", "", R"({"d":{"x":"base"}})"), "5");
}

// Literals of constants are built once by the compiler; they must behave as the literals built each time.
TEST(Eval, ConstantLiterals) {
  const char* m = R"(package t
nested := {"c": set(), "a": [1, {"b": {3, 2, 3}}]}
in_set if input.x in {"read", "export"}
in_array if input.x in ["read", 1.0]
obj_eq if {"k": [1, 2]} == {"k": [1, 2]}
pattern := y if [1, y] = [1, 2]
dup := {"a": 1, "a": 1}
)";
  EXPECT_EQ(eval(m, "data.t.nested"), R"({"a":[1,{"b":[2,3]}],"c":[]})");
  EXPECT_EQ(eval(m, "data.t.in_set", R"({"x":"export"})"), "true");
  EXPECT_EQ(eval(m, "data.t.in_set", R"({"x":"write"})"), "undefined");
  EXPECT_EQ(eval(m, "data.t.in_array", R"({"x":1})"), "true");  // 1 == 1.0
  EXPECT_EQ(eval(m, "data.t.obj_eq"), "true");
  EXPECT_EQ(eval(m, "data.t.pattern"), "2");
  EXPECT_EQ(eval(m, "[1, [2]][1][0]"), "2");
}

// Functions whose definitions all give one constant stop at the first that succeeds (OPA's early exit); ones
// that give different values must still report their conflict.
TEST(Eval, FunctionDefinitionsWithConstantValues) {
  const char* m = R"(package t
f(x) if x > 1
f(x) if x > 0
g(x) := 1 if x > 0
g(x) := 2 if x > 1
h(xs) if {
	some x in xs
	x > 1
}
)";
  EXPECT_EQ(eval(m, "data.t.f(2)"), "true");
  EXPECT_EQ(eval(m, "data.t.f(1)"), "true");
  EXPECT_EQ(eval(m, "data.t.f(0)"), "undefined");
  EXPECT_EQ(eval(m, "data.t.g(1)"), "1");
  EXPECT_EQ(eval(m, "data.t.g(2)"), "error:eval_conflict_error");
  EXPECT_EQ(eval(m, "data.t.h([1, 2, 3])"), "true");
  EXPECT_EQ(eval(m, "data.t.h([1])"), "undefined");
}

// `x in {a, b}` with elements to evaluate is answered element by element; it must agree with the set built.
TEST(Eval, MembershipInLiteralCollections) {
  const char* m = R"(package t
in_set if input.x in {input.a, "*"}
in_array if input.x in [input.a, 2]
not_in if not input.x in {input.a, "*"}
undefined_element if input.x in {input.x, input.missing}
set_value := input.x in {input.a, "*"}
)";
  EXPECT_EQ(eval(m, "data.t.in_set", R"({"x":"q","a":"q"})"), "true");
  EXPECT_EQ(eval(m, "data.t.in_set", R"({"x":"*","a":"q"})"), "true");
  EXPECT_EQ(eval(m, "data.t.in_set", R"({"x":"z","a":"q"})"), "undefined");
  EXPECT_EQ(eval(m, "data.t.in_array", R"({"x":2.0,"a":"q"})"), "true");
  EXPECT_EQ(eval(m, "data.t.not_in", R"({"x":"z","a":"q"})"), "true");
  EXPECT_EQ(eval(m, "data.t.not_in", R"({"x":"q","a":"q"})"), "undefined");
  // An undefined element makes the literal, and so the test, undefined, even after a match; under `not`, true.
  EXPECT_EQ(eval(m, "data.t.undefined_element", R"({"x":"q"})"), "undefined");
  EXPECT_EQ(eval(m, "not input.x in {input.x, input.missing}", R"({"x":"q"})"), "true");
  EXPECT_EQ(eval(m, "data.t.set_value", R"({"x":"z","a":"q"})"), "false");
  EXPECT_EQ(eval(m, "input.x in {input.a, \"*\"}", R"({"x":"z","a":"q"})"), "false");  // a query shows false
  EXPECT_EQ(eval(m, "input.x in {input.a, \"*\"}", R"({"a":"q"})"), "undefined");
}

// The evaluator memoises where constant ref prefixes (input.a, data.x.y) lead; neither a `with` nor the
// expressions after it may see stale ones.
TEST(Eval, RefPrefixesFollowWithReplacements) {
  const char* m = R"(package t
r := input.a.b
d := data.x.y.z
in_with := [x, inner, z] if {
	x := r
	inner := r with input.a.b as 5
	z := r
}
after_with := [inner, z] if {
	inner := r with input.a.b as 5
	z := input.a.b
}
data_after_with := [inner, z] if {
	inner := d with data.x.y as {"z": 9}
	z := data.x.y.z
}
data_with := [x, inner, z] if {
	x := d
	inner := d with data.x.y as {"z": 9}
	z := d
}
)";
  EXPECT_EQ(eval(m, "data.t.in_with", R"({"a":{"b":1}})"), "[1,5,1]");
  // A rule's document read through a path, before, under and after a `with` (each from its own memo).
  const char* doc = "package t\nr := {\"a\": [input.x]}\ns := [r.a[0], y, r.a[0]] if y := r.a[0] with input.x as 5\n";
  EXPECT_EQ(eval(doc, "data.t.s", R"({"x":1})"), "[1,5,1]");
  EXPECT_EQ(eval(doc, "data.t.r.a[0] with input.x as 7", R"({"x":1})"), "7");
  EXPECT_EQ(eval(m, "data.t.data_with", "", R"({"x":{"y":{"z":1}}})"), "[1,9,1]");
  EXPECT_EQ(eval(m, "data.t.after_with", R"({"a":{"b":1}})"), "[5,1]");
  EXPECT_EQ(eval(m, "data.t.data_after_with", "", R"({"x":{"y":{"z":1}}})"), "[9,1]");
  EXPECT_EQ(eval(m, "data.t.r with input.a as {\"b\": 7}", R"({"a":{"b":1}})"), "7");
}

}  // namespace

namespace {

TEST(Eval, RegoMetadataRuleAndChain) {
  const char* m = R"(# METADATA
# title: The package
package t

# METADATA
# title: Allow rule
allow := rego.metadata.rule().title

chain := [e.path | some e in rego.metadata.chain()]
)";
  EXPECT_EQ(eval(m, "data.t.allow"), "\"Allow rule\"");
  EXPECT_EQ(eval(m, "data.t.chain"), R"([["data","t","chain"],["data","t"]])");
}

}  // namespace

namespace {

TEST(Eval, RegoParseModuleGivesOpasAstShape) {
  EXPECT_EQ(eval("package t", R"(rego.parse_module("a.rego", "package a.b\np := 1").package.path[2].value)"), "\"b\"");
  EXPECT_EQ(eval("package t", R"(rego.parse_module("a.rego", "package a\np := 1").rules[0].head.value)"),
            R"({"type":"number","value":1})");
  EXPECT_EQ(eval("package t", R"(rego.parse_module("a.rego", "package a."))"), "error:eval_builtin_error");
}

}  // namespace

namespace {

TEST(Eval, OperandBoundByAnotherOperandsRef) {
  const char* m = "package t\np if {\n\tsome foo\n\tfoo == input.foos[foo]\n}\n";
  EXPECT_EQ(eval(m, "data.t.p", R"({"foos":{"foo":"foo"}})"), "true");
  EXPECT_EQ(eval(m, "data.t.p", R"({"foos":["foo"]})"), "undefined");
}

}  // namespace

namespace {

TEST(Eval, LiteralOperandOfTheWrongKindIsACompileTimeTypeError) {
  auto bad = rego::compile({{"t.rego", "package t\np := count(1)\n"}});
  ASSERT_FALSE(bad.errors.empty());
  EXPECT_EQ(bad.errors[0].code, "rego_type_error");
  EXPECT_NE(bad.errors[0].message.find("count: invalid argument(s)"), std::string::npos);
  // Kinds only known at evaluation are the built-in's to check.
  EXPECT_TRUE(rego::compile({{"t.rego", "package t\np := count(input.x)\nq := upper(\"a\")\n"}}).errors.empty());
}

}  // namespace

// A deadline stops a query even inside one long built-in call: numbers.range over 10^12 numbers checks it as it
// goes (OPA's Halt with eval_cancel_error) instead of allocating until memory runs out. The cancel flag too.
TEST(Eval, DeadlineAndCancelStopLongRanges) {
  auto c = rego::compile({{"test.rego", "package t\n"}});
  ASSERT_TRUE(c.errors.empty());
  for (const char* name : {"numbers.range", "numbers.range_step"}) {
    const std::string step = std::string(name) == "numbers.range_step" ? ", 1" : "";
    for (const char* bounds : {"1, 1000000000000", "100000000000000000000000, 1"}) {
      rego::QueryOptions opts;
      opts.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
      auto r = rego::evaluate(*c.policy, J("{}"), std::string("count(") + name + "(" + bounds + step + "))", opts);
      ASSERT_EQ(r.errors.size(), 1u) << name << "(" << bounds << ")";
      EXPECT_EQ(r.errors[0].code, "eval_cancel_error");
      EXPECT_EQ(r.errors[0].message, std::string(name) + ": timed out before generating all numbers in range");
    }
  }
  std::atomic<bool> cancelled{true};
  rego::QueryOptions opts;
  opts.cancel = &cancelled;
  auto r = rego::evaluate(*c.policy, J("{}"), "count(numbers.range(1, 1000000000000))", opts);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].code, "eval_cancel_error");
  // Without a deadline a range of ordinary size is unaffected.
  EXPECT_EQ(eval("package t\n", "count(numbers.range(1, 200000))"), "200000");
}
