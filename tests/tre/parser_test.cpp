// The .tre parser: the rules it reads, and every syntax error with its line and column.
#include <gtest/gtest.h>

#include "tre/tre_parser.h"

namespace {

using trex::tre::parse;

// "line:col: message" of every error, in order.
std::vector<std::string> errors_of(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& e : parse("t.tre", text).errors) {
    EXPECT_EQ(e.code, "rego_parse_error");
    EXPECT_EQ(e.location.file_name(), "t.tre");
    out.push_back(std::to_string(e.location.row) + ":" + std::to_string(e.location.col) + ": " + e.message);
  }
  return out;
}

TEST(TreParser, ReadsRulesWithTheirFields) {
  auto r = parse("t.tre", R"(# leading comment
rule "NoHighValueTransfers" {   # trailing comment
  precondition: action.type == "transfer"   # not part of the expression
  condition: action.amount <= 10000
  condition: count([1,
      2]) == 2
  deny: "Transfers over $10,000 require human approval"
  requires_approval: true
}

rule "Second rule" {
	condition: true
	deny: `raw # not a comment`
}
)");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].message;
  ASSERT_EQ(r.rules.size(), 2u);
  const auto& a = r.rules[0];
  EXPECT_EQ(a.name, "NoHighValueTransfers");
  EXPECT_EQ(a.ident, "no_high_value_transfers");
  EXPECT_EQ(a.line, 2u);
  ASSERT_EQ(a.preconditions.size(), 1u);
  EXPECT_EQ(a.preconditions[0].text, "action.type == \"transfer\"");
  EXPECT_EQ(a.preconditions[0].line, 3u);
  EXPECT_EQ(a.preconditions[0].col, 17u);
  EXPECT_EQ(a.preconditions[0].field_col, 3u);
  ASSERT_EQ(a.conditions.size(), 2u);
  EXPECT_EQ(a.conditions[1].text, "count([1,\n      2]) == 2");
  EXPECT_EQ(a.conditions[1].end_line, 6u);
  EXPECT_EQ(a.deny.text, "\"Transfers over $10,000 require human approval\"");
  EXPECT_TRUE(a.requires_approval);
  const auto& b = r.rules[1];
  EXPECT_EQ(b.ident, "second_rule");
  EXPECT_TRUE(b.preconditions.empty());
  EXPECT_EQ(b.deny.text, "`raw # not a comment`");
  EXPECT_EQ(b.deny.col, 8u);  // a tab is one column, as in OPA
  EXPECT_FALSE(b.requires_approval);
}

TEST(TreParser, SnakeCase) {
  EXPECT_EQ(trex::tre::snake_case("NoHighValueTransfers"), "no_high_value_transfers");
  EXPECT_EQ(trex::tre::snake_case("NoPIIEgress"), "no_pii_egress");
  EXPECT_EQ(trex::tre::snake_case("HTTPCalls"), "http_calls");
  EXPECT_EQ(trex::tre::snake_case("Tool allow-list"), "tool_allow_list");
  EXPECT_EQ(trex::tre::snake_case("rule_2 x"), "rule_2_x");
}

TEST(TreParser, EmptyFileHasNoRules) {
  auto r = parse("t.tre", "# only a comment\n\n");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_TRUE(r.rules.empty());
}

TEST(TreParser, UnknownField) {
  EXPECT_EQ(errors_of("rule \"A\" {\n  color: red\n  condition: true\n  deny: \"x\"\n}\n"),
            std::vector<std::string>{"2:3: unknown field \"color\" (precondition, condition, deny or requires_approval)"});
}

TEST(TreParser, MissingColon) {
  EXPECT_EQ(errors_of("rule \"A\" {\n  condition true\n  condition: true\n  deny: \"x\"\n}\n"),
            std::vector<std::string>{"2:13: expected : after condition"});
}

TEST(TreParser, MissingDenyAndCondition) {
  EXPECT_EQ(errors_of("\nrule \"A\" {\n  precondition: true\n}\n"),
            (std::vector<std::string>{"2:1: rule \"A\" needs at least one condition", "2:1: rule \"A\" needs a deny message"}));
}

TEST(TreParser, TwoDenies) {
  EXPECT_EQ(errors_of("rule \"A\" {\n  condition: true\n  deny: \"x\"\n    deny: \"y\"\n}\n"),
            std::vector<std::string>{"4:5: a rule has exactly one deny (the first is at line 3)"});
}

TEST(TreParser, UnterminatedStrings) {
  EXPECT_EQ(errors_of("rule \"A\" {\n  condition: x == \"abc\n  deny: \"x\"\n}\n"),
            std::vector<std::string>{"2:19: unterminated string"});
  EXPECT_EQ(errors_of("rule \"A {\n  condition: true\n  deny: \"x\"\n}\n"),
            std::vector<std::string>{"1:6: unterminated string"});
  EXPECT_EQ(errors_of("rule \"A\" {\n  condition: true\n  deny: `x\n}\n"),
            std::vector<std::string>{"3:9: unterminated raw string"});
}

TEST(TreParser, DuplicateRuleNames) {
  std::string rule = "{\n  condition: true\n  deny: \"x\"\n}\n";
  EXPECT_EQ(errors_of("rule \"A\" " + rule + "rule \"A\" " + rule),
            std::vector<std::string>{"5:1: duplicate rule name \"A\" (first defined at line 1)"});
  EXPECT_EQ(errors_of("rule \"Tool List\" " + rule + "  rule \"ToolList\" " + rule),
            std::vector<std::string>{"5:3: rule \"ToolList\" and rule \"Tool List\" (line 1) both become tre.rules.tool_list"});
}

TEST(TreParser, BadNames) {
  std::string rule = " {\n  condition: true\n  deny: \"x\"\n}\n";
  EXPECT_EQ(errors_of("rule \"bad!\"" + rule),
            std::vector<std::string>{"1:10: a rule's name holds letters, digits, spaces, _ and -, not '!'"});
  EXPECT_EQ(errors_of("rule \"\"" + rule), std::vector<std::string>{"1:7: a rule's name may not be empty"});
  EXPECT_EQ(errors_of("rule \"9x\"" + rule), std::vector<std::string>{"1:7: a rule's name starts with a letter"});
  EXPECT_EQ(errors_of("rule \"Input\"" + rule),
            std::vector<std::string>{"1:7: rule name \"Input\" becomes the reserved name input"});
  EXPECT_EQ(errors_of("rule A" + rule), std::vector<std::string>{"1:6: expected the rule's name as a string after rule"});
  EXPECT_EQ(errors_of("rule \"A\"\n  condition: true\n}\n"), std::vector<std::string>{"1:9: expected { after the rule's name"});
}

TEST(TreParser, Brackets) {
  EXPECT_EQ(errors_of("rule \"A\" {\n  condition: count([1, 2)\n  deny: \"x\"\n}\n"),
            std::vector<std::string>{"2:25: unexpected ), expected ] to close [ at 2:20"});
  // A value cannot close the generated rule body it is placed in.
  EXPECT_EQ(errors_of("rule \"A\" {\n  condition: true } x if {\n  deny: \"x\"\n}\n"),
            std::vector<std::string>{"2:19: unexpected } (nothing to close)"});
  EXPECT_EQ(errors_of("rule \"A\" {\n  condition: f(1,\n  deny: \"x\"\n}\n"),
            std::vector<std::string>{"2:15: ( is never closed"});
  EXPECT_EQ(errors_of("rule \"A\" {\n  condition: f([1,\n  deny: \"x\""),
            (std::vector<std::string>{"1:1: rule \"A\" is missing its closing }", "2:16: [ is never closed"}));
}

TEST(TreParser, MissingClosingBrace) {
  EXPECT_EQ(errors_of("rule \"A\" {\n  condition: true\n  deny: \"x\"\nrule \"B\" {\n  condition: true\n  deny: \"x\"\n}\n"),
            std::vector<std::string>{"1:1: rule \"A\" is missing its closing }"});
  EXPECT_EQ(errors_of("rule \"A\" {\n  condition: true\n  deny: \"x\"\n"),
            std::vector<std::string>{"1:1: rule \"A\" is missing its closing }"});
}

TEST(TreParser, StrayText) {
  EXPECT_EQ(errors_of("allow := true\n"), std::vector<std::string>{"1:1: expected rule \"Name\" { or a comment"});
  EXPECT_EQ(errors_of("rule \"A\" {\n  condition: true\n  deny: \"x\"\n} x\n"),
            std::vector<std::string>{"4:2: nothing may follow a rule's closing }"});
  EXPECT_EQ(errors_of("rule \"A\" {\n  condition: true\n  deny: \"x\"\n  requires_approval: yes\n}\n"),
            std::vector<std::string>{"4:22: requires_approval is true or false, not yes"});
  EXPECT_EQ(errors_of("rule \"A\" {\n  condition:\n  deny: \"x\"\n}\n"),
            (std::vector<std::string>{"1:1: rule \"A\" needs at least one condition", "2:13: condition needs a value"}));
}

}  // namespace
