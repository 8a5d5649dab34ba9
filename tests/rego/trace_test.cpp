// Evaluation tracing (trace.h) through the public engine API: event order, query nesting, lineage filters
// (notes, fails) and the explanation's JSON and pretty forms, checked against OPA's topdown behaviour.
#include <gtest/gtest.h>

#include <algorithm>

#include "rego/engine.h"
#include "rego/json.h"
#include "rego/trace.h"

namespace {

using rego::ExplainMode;
using rego::Trace;
using rego::TraceEvent;
using rego::TraceNodeType;
using rego::TraceOp;

// Evaluates `query` against `module` with a buffer tracer; returns the raw events.
Trace trace_of(const std::string& module, const std::string& query, const std::string& input = "") {
  auto c = rego::compile({{"t.rego", module}});
  EXPECT_TRUE(c.errors.empty()) << (c.errors.empty() ? "" : c.errors[0].message);
  if (!c.policy) return {};
  rego::BufferTracer tracer;
  rego::QueryOptions opts;
  opts.tracer = &tracer;
  if (!input.empty()) opts.input = rego::json::parse(input).value;
  auto r = rego::evaluate(*c.policy, rego::Value::empty_object(), query, opts);
  EXPECT_TRUE(r.ok());
  return tracer.events;
}

// "Op text" per event, e.g. "Eval x = 1"; notes as "Note msg".
std::vector<std::string> ops(const Trace& t) {
  std::vector<std::string> out;
  for (const auto& e : t)
    out.push_back(std::string(rego::trace_op_name(e.op)) + " " +
                  (e.op == TraceOp::Note ? e.message : e.message.empty() ? e.node_text : e.node_text + " " + e.message));
  return out;
}

using Lines = std::vector<std::string>;

TEST(Trace, QueryEnterEvalExitRedo) {
  Trace t = rego::filter_trace(trace_of("package t\n", "x := 1; x > 0"), ExplainMode::Full);
  EXPECT_EQ(ops(t), (Lines{"Enter x = 1; gt(x, 0)", "Eval x = 1", "Eval gt(x, 0)", "Exit x = 1; gt(x, 0)",
                           "Redo x = 1; gt(x, 0)", "Redo gt(x, 0)", "Redo x = 1"}));
  for (const auto& e : t) {
    EXPECT_EQ(e.query_id, 0u);
    EXPECT_EQ(e.parent_id, 0u);
  }
  EXPECT_EQ(t[0].type, TraceNodeType::Body);
  EXPECT_EQ(t[1].type, TraceNodeType::Expr);
}

TEST(Trace, AssignmentShowsAsOpaCompilesIt) {
  Trace t = rego::filter_trace(trace_of("package t\n", "x := input with input as 2"), ExplainMode::Full);
  ASSERT_GE(t.size(), 2u);
  EXPECT_EQ(t[1].node_text, "x = input with input as 2");
}

TEST(Trace, DebugKeepsUnifyFullDropsIt) {
  Trace raw = trace_of("package t\n", "x := 1");
  size_t unify = 0;
  for (const auto& e : raw) unify += e.op == TraceOp::Unify;
  EXPECT_EQ(unify, 1u);
  EXPECT_EQ(rego::filter_trace(raw, ExplainMode::Debug).size(), raw.size());
  EXPECT_EQ(rego::filter_trace(raw, ExplainMode::Full).size(), raw.size() - 1);
  EXPECT_TRUE(rego::filter_trace(raw, ExplainMode::Off).empty());
}

TEST(Trace, FailingExpressionHasNoExit) {
  Trace t = rego::filter_trace(trace_of("package t\n", "x := 1; x == 2"), ExplainMode::Full);
  EXPECT_EQ(ops(t), (Lines{"Enter x = 1; equal(x, 2)", "Eval x = 1", "Eval equal(x, 2)", "Fail equal(x, 2)",
                           "Redo x = 1"}));
}

TEST(Trace, RuleIsAChildQuery) {
  const char* m = "package t\np if {\n\tx := 2\n\tx > 1\n}\n";
  Trace t = rego::filter_trace(trace_of(m, "data.t.p"), ExplainMode::Full);
  EXPECT_EQ(ops(t), (Lines{"Enter data.t.p", "Eval data.t.p", "Index data.t.p (matched 1 rule, early exit)",
                           "Enter data.t.p", "Eval x = 2", "Eval gt(x, 1)", "Exit data.t.p", "Redo data.t.p",
                           "Redo gt(x, 1)", "Redo x = 2", "Exit data.t.p", "Redo data.t.p", "Redo data.t.p"}));
  // The rule's events belong to query 1, whose parent is the top-level query 0.
  ASSERT_EQ(t[3].type, TraceNodeType::Rule);
  EXPECT_EQ(t[3].query_id, 1u);
  EXPECT_EQ(t[3].parent_id, 0u);
  EXPECT_EQ(t[4].query_id, 1u);
  EXPECT_EQ(t[3].file, "t.rego");
  EXPECT_EQ(t[3].row, 2u);
  EXPECT_EQ(t[4].row, 3u);
  // Locals: x is bound when `x > 1` is evaluated, not before `x := 2`.
  EXPECT_TRUE(t[4].locals.empty());
  ASSERT_EQ(t[5].locals.size(), 1u);
  EXPECT_EQ(t[5].locals[0].first, "x");
  EXPECT_EQ(t[5].locals[0].second, rego::Value::integer(2));
}

TEST(Trace, NegationIsAChildQuery) {
  Trace t = rego::filter_trace(trace_of("package t\n", "not 1 == 2"), ExplainMode::Full);
  EXPECT_EQ(ops(t), (Lines{"Enter not equal(1, 2)", "Eval not equal(1, 2)", "Enter equal(1, 2)", "Eval equal(1, 2)",
                           "Fail equal(1, 2)", "Exit not equal(1, 2)", "Redo not equal(1, 2)"}));
  EXPECT_EQ(t[2].query_id, 1u);
  EXPECT_EQ(t[2].parent_id, 0u);
  // A negation that finds its body true fails the expression.
  Trace f = rego::filter_trace(trace_of("package t\n", "not 1 == 1"), ExplainMode::Full);
  EXPECT_EQ(ops(f).back(), "Fail not equal(1, 1)");
}

TEST(Trace, ComprehensionIsAClosure) {
  Trace t = rego::filter_trace(trace_of("package t\n", "x := [y | y := 1]"), ExplainMode::Full);
  EXPECT_EQ(ops(t), (Lines{"Enter x = [y | assign(y, 1)]", "Eval x = [y | assign(y, 1)]", "Enter y = 1",
                           "Eval y = 1", "Exit y = 1", "Redo y = 1", "Redo y = 1", "Exit x = [y | assign(y, 1)]",
                           "Redo x = [y | assign(y, 1)]", "Redo x = [y | assign(y, 1)]"}));
  EXPECT_EQ(t[2].query_id, 1u);
  EXPECT_EQ(t[2].type, TraceNodeType::Body);
}

TEST(Trace, EveryIteratesItsDomainAsAQuery) {
  Trace t = rego::filter_trace(trace_of("package t\n", "every x in [1, 2] { x > 1 }"), ExplainMode::Full);
  auto o = ops(t);
  ASSERT_GE(o.size(), 4u);
  EXPECT_EQ(o[2], "Enter every x in [1, 2] { gt(x, 1) }");
  EXPECT_EQ(t[2].query_id, 1u);
  EXPECT_EQ(o[3], "Enter gt(x, 1)");
  EXPECT_EQ(t[3].query_id, 2u);
  EXPECT_EQ(t[3].parent_id, 1u);
  EXPECT_EQ(o[5], "Fail gt(x, 1)");
  // The first member fails the body, so the domain query fails and the query with it.
  EXPECT_NE(std::find(o.begin(), o.end(), "Fail every x in [1, 2] { gt(x, 1) }"), o.end());
  EXPECT_EQ(o.back(), "Fail every x in [1, 2] { gt(x, 1) }");
}

TEST(Trace, FunctionCallEntersItsRule) {
  const char* m = "package t\nf(x) := y if {\n\ty := x + 1\n}\n";
  Trace t = rego::filter_trace(trace_of(m, "data.t.f(1, z)"), ExplainMode::Full);
  auto o = ops(t);
  ASSERT_GE(o.size(), 6u);
  EXPECT_EQ(o[2], "Index data.t.f (matched 1 rule)");
  EXPECT_EQ(o[3], "Enter data.t.f");
  EXPECT_EQ(o[4], "Eval y = plus(x, 1)");
  EXPECT_EQ(o[5], "Exit data.t.f");
  EXPECT_EQ(t[3].query_id, 1u);
}

TEST(Trace, TraceBuiltinMakesNotesWithTheirLineage) {
  const char* m =
      "package t\n"
      "allow if {\n\ttrace(\"checking\")\n\tq\n}\n"
      "q if {\n\ttrace(\"in q\")\n}\n";
  Trace raw = trace_of(m, "data.t.allow");
  Trace notes = rego::filter_trace(raw, ExplainMode::Notes);
  EXPECT_EQ(ops(notes), (Lines{"Enter data.t.allow", "Enter data.t.allow", "Note checking", "Enter data.t.q",
                               "Note in q"}));
  // Each note carries the query it was made in: q's body is a grandchild of the query.
  EXPECT_EQ(notes[2].query_id, 1u);
  EXPECT_EQ(notes[4].query_id, 2u);
  EXPECT_EQ(notes[4].parent_id, 1u);
  EXPECT_EQ(notes[4].row, 7u);
}

TEST(Trace, DefaultRuleEnteredWhenNothingElseMatched) {
  const char* m = "package t\ndefault allow := false\nallow if input.x == 1\n";
  Trace t = rego::filter_trace(trace_of(m, "data.t.allow", R"({"x":2})"), ExplainMode::Full);
  auto o = ops(t);
  ASSERT_GE(o.size(), 9u);
  EXPECT_EQ(o[5], "Fail equal(input.x, 1)");
  EXPECT_EQ(o[6], "Enter data.t.allow");
  EXPECT_EQ(t[6].row, 2u);  // the default rule's line
  EXPECT_EQ(t[6].query_id, 2u);
  EXPECT_EQ(o[7], "Exit data.t.allow");
}

TEST(Trace, FailsKeepsTheFailuresAndTheirLineage) {
  const char* m = "package t\nallow if {\n\tinput.user == \"alice\"\n}\n";
  Trace fails = rego::filter_trace(trace_of(m, "data.t.allow", R"({"user":"bob"})"), ExplainMode::Fails);
  EXPECT_EQ(ops(fails), (Lines{"Enter data.t.allow", "Enter data.t.allow", "Fail equal(input.user, \"alice\")",
                               "Fail data.t.allow"}));
}

TEST(Trace, NoTracerNoEventsSameAnswer) {
  auto c = rego::compile({{"t.rego", "package t\np if trace(\"x\")\n"}});
  ASSERT_TRUE(c.policy);
  auto r = rego::evaluate(*c.policy, rego::Value::empty_object(), "data.t.p");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].expressions[0].value, rego::Value::boolean(true));
}

TEST(Trace, PrettyLinesAsOpaPrintsThem) {
  const char* m = "package t\np if {\n\ttrace(\"hi \\\"there\\\"\")\n}\n";
  auto lines = rego::pretty_trace_lines(rego::filter_trace(trace_of(m, "data.t.p"), ExplainMode::Notes));
  EXPECT_EQ(lines, (Lines{"query:1      Enter data.t.p", "t.rego:2     | Enter data.t.p",
                          "t.rego:3     | | Note \"hi \\\"there\\\"\""}));
  EXPECT_EQ(rego::pretty_trace(rego::Trace{}), "");
}

TEST(Trace, ExplanationJsonShape) {
  const char* m = "package t\np if {\n\tx := 1\n\ttrace(\"n\")\n}\n";
  Trace raw = trace_of(m, "data.t.p");
  rego::Value v = rego::explanation_value(raw, ExplainMode::Notes, false);
  ASSERT_TRUE(v.is_array());
  ASSERT_EQ(v.as_array().size(), 3u);
  const rego::Value& enter = v.as_array()[0];
  EXPECT_EQ(rego::json::write(*enter.get(rego::Value::string("op"))), "\"enter\"");
  EXPECT_EQ(rego::json::write(*enter.get(rego::Value::string("query_id"))), "0");
  EXPECT_EQ(rego::json::write(*enter.get(rego::Value::string("type"))), "\"body\"");
  // The query body as OPA's AST JSON: an array of expressions with index and terms.
  EXPECT_EQ(rego::json::write(*enter.get(rego::Value::string("node"))),
            R"([{"index":0,"terms":{"type":"ref","value":[{"type":"var","value":"data"},)"
            R"({"type":"string","value":"t"},{"type":"string","value":"p"}]}}])");
  EXPECT_EQ(enter.get(rego::Value::string("message")), nullptr);
  const rego::Value& rule = v.as_array()[1];
  EXPECT_EQ(rego::json::write(*rule.get(rego::Value::string("type"))), "\"rule\"");
  EXPECT_EQ(rego::json::write(*rule.get(rego::Value::string("parent_id"))), "0");
  const rego::Value& note = v.as_array()[2];
  EXPECT_EQ(rego::json::write(*note.get(rego::Value::string("op"))), "\"note\"");
  EXPECT_EQ(rego::json::write(*note.get(rego::Value::string("message"))), "\"n\"");
  EXPECT_EQ(rego::json::write(*note.get(rego::Value::string("type"))), "\"\"");
  EXPECT_TRUE(note.get(rego::Value::string("node"))->is_null());
  // Locals of a full trace: x bound to 1 when trace() is evaluated, as {key: var term, value: value term}.
  rego::Value full = rego::explanation_value(raw, ExplainMode::Full, false);
  bool seen = false;
  for (const auto& e : full.as_array()) {
    if (rego::json::write(*e.get(rego::Value::string("op"))) != "\"eval\"") continue;
    std::string locals = rego::json::write(*e.get(rego::Value::string("locals")));
    if (locals != "[]") {
      EXPECT_EQ(locals, R"([{"key":{"type":"var","value":"x"},"value":{"type":"number","value":1}}])");
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
  // Pretty: the lines as a JSON array of strings.
  EXPECT_EQ(rego::explanation_json(raw, ExplainMode::Notes, true),
            R"(["query:1      Enter data.t.p","t.rego:2     | Enter data.t.p","t.rego:4     | | Note \"n\""])");
}

TEST(Trace, EvalJsonUsesGoFieldNames) {
  Trace raw = rego::filter_trace(trace_of("package t\n", "x := [1]; x[0] == 1"), ExplainMode::Full);
  rego::Value v = rego::eval_explanation_value(raw);
  ASSERT_EQ(v.as_array().size(), raw.size());
  const rego::Value& enter = v.as_array()[0];
  EXPECT_EQ(rego::json::write(*enter.get(rego::Value::string("Op"))), "\"Enter\"");
  EXPECT_EQ(rego::json::write(*enter.get(rego::Value::string("QueryID"))), "0");
  EXPECT_TRUE(enter.get(rego::Value::string("Locals"))->is_null());
  EXPECT_EQ(rego::json::write(*enter.get(rego::Value::string("Location"))), R"({"col":1,"file":"","row":1})");
  // The second Eval sees x bound: ast.ValueMap's {name, type, value}, collections holding terms.
  EXPECT_EQ(rego::json::write(*v.as_array()[2].get(rego::Value::string("Locals"))),
            R"([{"name":"x","type":"array","value":[{"type":"number","value":1}]}])");
}

TEST(Trace, ExplainModes) {
  EXPECT_EQ(rego::parse_explain_mode("notes"), ExplainMode::Notes);
  EXPECT_EQ(rego::parse_explain_mode("fails"), ExplainMode::Fails);
  EXPECT_EQ(rego::parse_explain_mode("full"), ExplainMode::Full);
  EXPECT_EQ(rego::parse_explain_mode("debug"), ExplainMode::Debug);
  EXPECT_EQ(rego::parse_explain_mode("off"), ExplainMode::Off);
  EXPECT_FALSE(rego::parse_explain_mode("everything").has_value());
}

}  // namespace
