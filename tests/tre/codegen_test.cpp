// The .tre code generator: the module it writes, Rego errors mapped back to .tre line:col, and what the
// generated rules decide when evaluated.
#include <gtest/gtest.h>

#include "rego/engine.h"
#include "rego/json.h"
#include "tre/tre_codegen.h"

namespace {

using trex::tre::compile;

const char* kExample = R"(# comments
rule "NoHighValueTransfers" {
  precondition: action.type == "transfer"
  condition: action.amount <= 10000
  deny: "Transfers over $10,000 require human approval"
}
)";

TEST(TreCodegen, GeneratesLineAlignedModule) {
  auto r = compile("x.tre", kExample);
  ASSERT_TRUE(r.errors.empty()) << trex::tre::error_text(r.errors[0]);
  EXPECT_EQ(r.rego,
            "package tre.rules import input.action import input.agent import input.principal import input.provenance "
            "import input.approvals # comments\n"
            "no_high_value_transfers.governs if { no_high_value_transfers.precondition_3 } "
            "no_high_value_transfers.condition_holds if { no_high_value_transfers.condition_4 } "
            "no_high_value_transfers.deny contains {\"rule\": \"NoHighValueTransfers\", \"msg\": "
            "no_high_value_transfers.message} if { no_high_value_transfers.governs; not "
            "no_high_value_transfers.condition_holds }\n"
            "  no_high_value_transfers.precondition_3 if { action.type == \"transfer\" }\n"
            "  no_high_value_transfers.condition_4 if { action.amount <= 10000 }\n"
            "  no_high_value_transfers.message := \"Transfers over $10,000 require human approval\"\n"
            "\n");
}

std::string first_error(const std::string& text) {
  auto r = compile("x.tre", text);
  if (r.errors.empty()) return "no error";
  EXPECT_EQ(r.errors[0].location.file_name(), "x.tre");
  return trex::tre::error_text(r.errors[0]);
}

TEST(TreCodegen, RegoErrorsPointIntoTheTreSource) {
  EXPECT_EQ(first_error("rule \"A\" {\n  condition: action.amount <= = 3\n  deny: \"no\"\n}\n"),
            "x.tre:2:31: rego_parse_error: unexpected eq token");
  EXPECT_EQ(first_error("rule \"A\" {\n  condition: true\n  condition: 1 < x\n  deny: \"no\"\n}\n"),
            "x.tre:3:18: rego_unsafe_var_error: var x is unsafe");
  EXPECT_EQ(first_error("rule \"A\" {\n  precondition: foo.bar(1)\n  condition: true\n  deny: \"no\"\n}\n"),
            "x.tre:2:17: rego_type_error: undefined function foo.bar");
  // On a continuation line, columns are the source's own.
  EXPECT_EQ(first_error("rule \"A\" {\n  condition: count([\n      1, y,\n  ]) > 0\n  deny: \"no\"\n}\n"),
            "x.tre:3:10: rego_unsafe_var_error: var y is unsafe");
  EXPECT_EQ(first_error("rule \"A\" {\n  condition: true\n  deny: sprintf(\"%v\", [z])\n}\n"),
            "x.tre:3:24: rego_unsafe_var_error: var z is unsafe");
}

TEST(TreCodegen, DenyMustBeAString) {
  EXPECT_EQ(first_error("rule \"A\" {\n  condition: true\n  deny: 42\n}\n"),
            "x.tre:3:9: rego_parse_error: deny is a string literal, a template string or sprintf(format, [values])");
  EXPECT_EQ(first_error("rule \"A\" {\n  condition: true\n  deny: upper(\"x\")\n}\n"),
            "x.tre:3:9: rego_parse_error: deny is a string literal, a template string or sprintf(format, [values])");
  EXPECT_EQ(first_error("rule \"A\" {\n  condition: true\n  deny: sprintf(\"%s\", [\"x\"])\n}\n"), "no error");
}

// data.tre.rules for the input, with the generated module and nothing else loaded.
rego::Value rules_for(const std::string& tre, const std::string& input_json) {
  auto r = compile("x.tre", tre);
  EXPECT_TRUE(r.errors.empty());
  auto policy = rego::compile({{"x.tre", r.rego}});
  EXPECT_TRUE(policy.errors.empty()) << policy.errors[0].to_string();
  rego::QueryOptions opts;
  opts.input = rego::json::parse(input_json).value;
  auto result = rego::evaluate(*policy.policy, rego::Value::empty_object(), "data.tre.rules", opts);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.rows.size(), 1u);
  return result.rows.empty() ? rego::Value::null() : result.rows[0].expressions[0].value;
}

std::string deny_of(const std::string& tre, const std::string& input_json, const char* ident) {
  auto v = rules_for(tre, input_json);
  auto rule = v.get(ident);
  if (!rule) return "no rule";
  auto deny = rule->get("deny");
  return deny ? rego::json::write(*deny) : "undefined";
}

TEST(TreCodegen, PreconditionSelectsConditionDenies) {
  const char* id = "no_high_value_transfers";
  EXPECT_EQ(deny_of(kExample, R"({"action": {"type": "transfer", "amount": 20000}})", id),
            R"([{"msg":"Transfers over $10,000 require human approval","rule":"NoHighValueTransfers"}])");
  EXPECT_EQ(deny_of(kExample, R"({"action": {"type": "transfer", "amount": 200}})", id), "[]");
  EXPECT_EQ(deny_of(kExample, R"({"action": {"type": "trade", "amount": 20000}})", id), "[]");
  // An undefined condition (no amount) fails: a governed action without an amount is denied.
  EXPECT_EQ(deny_of(kExample, R"({"action": {"type": "transfer"}})", id),
            R"([{"msg":"Transfers over $10,000 require human approval","rule":"NoHighValueTransfers"}])");
}

TEST(TreCodegen, RequiresApprovalAndMessageFallback) {
  const char* tre = R"(rule "Tools" {
  condition: action.tool in {"a", "b"}
  deny: sprintf("tool %s by %s", [action.tool, agent.id])
  requires_approval: true
}
)";
  EXPECT_EQ(deny_of(tre, R"({"action": {"tool": "c"}, "agent": {"id": "bot"}})", "tools"),
            R"([{"msg":"tool c by bot","rule":"Tools"}])");
  // The message is undefined without an agent id: the rule still denies, with the fallback message.
  EXPECT_EQ(deny_of(tre, R"({"action": {"tool": "c"}})", "tools"), R"([{"msg":"denied by rule Tools","rule":"Tools"}])");
  auto v = rules_for(tre, R"({"action": {"tool": "c"}})");
  EXPECT_EQ(rego::json::write(*v.get("tools")->get("requires_approval")), "true");
  v = rules_for(tre, R"({"action": {"tool": "a"}})");
  EXPECT_FALSE(v.get("tools")->get("requires_approval"));
}

}  // namespace
