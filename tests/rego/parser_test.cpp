// The parser: AST shapes for what OPA accepts, OPA's errors (message, row, col) for what it rejects, v0
// syntax, METADATA, locations, and robustness (deep nesting, truncated and mangled input never crash).
#include "rego/parser.h"

#include <gtest/gtest.h>

#include <random>

namespace rego {
namespace {

using ast::ExprKind;
using ast::RuleKind;
using ast::TermKind;

std::shared_ptr<const SourceFile> Src(const std::string& text, const std::string& name = "test.rego") {
  return std::make_shared<SourceFile>(SourceFile{name, text});
}

ast::Module Mod(const std::string& text, bool v0 = false) {
  ParseOptions o;
  o.v0_compatible = v0;
  return parse_module(Src(text), o);
}

ast::Body Q(const std::string& text, bool v0 = false) {
  ParseOptions o;
  o.v0_compatible = v0;
  return parse_query(Src(text, ""), o);
}

std::string T(const std::string& text) { return ast::term_to_string(*parse_term(Src(text, ""))); }

// The expression's term printed (operators as OPA prints them: plus(x, 1)).
std::string E(const ast::Expr& e) { return ast::term_to_string(*e.terms[0]); }

enum class Mode { Module, Query, Term };

Errors ErrorsOf(const std::string& text, Mode mode = Mode::Module, bool v0 = false) {
  ParseOptions o;
  o.v0_compatible = v0;
  try {
    if (mode == Mode::Module) parse_module(Src(text), o);
    else if (mode == Mode::Query) parse_query(Src(text), o);
    else parse_term(Src(text), o);
  } catch (const RegoErrors& e) {
    return e.errors();
  }
  return {};
}

// Expects the first error to be a rego_parse_error with this message at row:col.
void ExpectError(const std::string& text, int row, int col, const std::string& msg, Mode mode = Mode::Module,
                 bool v0 = false) {
  Errors errs = ErrorsOf(text, mode, v0);
  ASSERT_FALSE(errs.empty()) << "parsed: " << text;
  EXPECT_EQ(errs[0].code, "rego_parse_error") << text;
  EXPECT_EQ(errs[0].message, msg) << text;
  EXPECT_EQ(errs[0].location.row, static_cast<uint32_t>(row)) << text << ": " << errs[0].message;
  EXPECT_EQ(errs[0].location.col, static_cast<uint32_t>(col)) << text << ": " << errs[0].message;
}

std::string RefOf(const ast::Rule& r) { return ast::ref_to_string(r.head.ref); }

// ---------------------------------------------------------------- packages and imports

TEST(Parser, Package) {
  EXPECT_EQ(Mod("package a").package, (std::vector<std::string>{"a"}));
  EXPECT_EQ(Mod("package a.b.c").package, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(Mod("package a.b[\"c-d\"].e").package, (std::vector<std::string>{"a", "b", "c-d", "e"}));
  // OPA keeps a leading `data` as a path element.
  EXPECT_EQ(Mod("package data.x").package, (std::vector<std::string>{"data", "x"}));
  // Keywords are allowed in package paths.
  EXPECT_EQ(Mod("package foo.if.not").package, (std::vector<std::string>{"foo", "if", "not"}));
  auto m = Mod("\n\npackage  x.y # comment\n");
  EXPECT_EQ(m.package_loc.row, 3u);
  EXPECT_EQ(m.package_loc.col, 1u);
  EXPECT_TRUE(m.rego_v1);
  EXPECT_TRUE(m.rules.empty());
}

TEST(Parser, Imports) {
  auto m = Mod(
      "package p\n"
      "import rego.v1\n"
      "import future.keywords\n"
      "import future.keywords.in\n"
      "import data.x.y as z\n"
      "import input.foo\n"
      "import data.a[\"b-c\"]\n");
  ASSERT_EQ(m.imports.size(), 6u);
  EXPECT_EQ(ast::ref_to_string(m.imports[0].path), "rego.v1");
  EXPECT_EQ(m.imports[0].path[0]->kind, TermKind::Var);
  EXPECT_EQ(m.imports[0].path[1]->kind, TermKind::Scalar);
  EXPECT_EQ(ast::ref_to_string(m.imports[2].path), "future.keywords[\"in\"]");
  EXPECT_EQ(ast::ref_to_string(m.imports[3].path), "data.x.y");
  EXPECT_EQ(m.imports[3].alias, "z");
  EXPECT_EQ(ast::ref_to_string(m.imports[4].path), "input.foo");
  EXPECT_EQ(m.imports[4].alias, "");
  EXPECT_EQ(ast::ref_to_string(m.imports[5].path), "data.a[\"b-c\"]");
  EXPECT_EQ(m.imports[5].loc.row, 7u);
  EXPECT_EQ(m.imports[5].loc.text(), "import data.a[\"b-c\"]");
}

TEST(Parser, ImportErrors) {
  ExpectError("package p\nimport foo.bar", 2, 8,
              "unexpected import path, must begin with one of: {data, future, input, rego}, got: foo (hint: if this "
              "is unexpected, try updating OPA)");
  ExpectError("package p\nimport data.x.if", 2, 15, "unexpected import path, must not end with a keyword, got: if");
  ExpectError("package p\nimport rego.v3", 2, 8, "invalid import `rego.v3`, must be `rego.v1`");
  ExpectError("package p\nimport future.bar", 2, 8, "invalid import, must be `future.keywords`");
  ExpectError("package p\nimport future.keywords.foo", 2, 8,
              "unexpected keyword, must be one of [contains every if in not]");
  ExpectError("package p\nimport future.keywords as fk", 2, 8, "`future` imports cannot be aliased");
  ExpectError("package p\nimport data.x as 1", 2, 18, "unexpected number token: expected var");
  ExpectError("package p\nimport data.x[1]", 2, 15, "unexpected number token: expecting string");
}

TEST(Parser, PackageErrors) {
  ExpectError("package foo.", 1, 13, "unexpected eof token: expected identifier");
  ExpectError("package 1", 1, 9, "unexpected number token");
  ExpectError("package a[1]", 1, 11, "unexpected number token: expecting string");
  ExpectError("package p\npackage q", 2, 1, "unexpected package");
  ExpectError("p := 1", 1, 1, "package expected");
  ExpectError("import data.x\npackage p", 1, 1, "package expected");
  Errors errs = ErrorsOf("");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].message, "empty module");
  EXPECT_EQ(ErrorsOf("# just a comment\n")[0].message, "empty module");
}

// ---------------------------------------------------------------- rules

TEST(Parser, CompleteRules) {
  auto m = Mod(
      "package p\n"
      "a := 1\n"
      "b = 2\n"
      "c if { true }\n"
      "d := 3 if { true }\n"
      "e if input.x == 1\n"
      "f.g.h := 4\n"
      "i.j if true\n"
      "k[\"l\"] := 5\n");
  ASSERT_EQ(m.rules.size(), 8u);
  const auto& a = *m.rules[0];
  EXPECT_EQ(RefOf(a), "a");
  EXPECT_EQ(a.head.kind, RuleKind::Complete);
  EXPECT_TRUE(a.head.assign);
  EXPECT_EQ(ast::term_to_string(*a.head.value), "1");
  EXPECT_TRUE(a.body.empty());
  EXPECT_FALSE(a.is_default);
  EXPECT_EQ(a.module_file, "test.rego");
  EXPECT_FALSE(m.rules[1]->head.assign);
  const auto& c = *m.rules[2];
  EXPECT_EQ(c.head.kind, RuleKind::Complete);
  EXPECT_EQ(ast::term_to_string(*c.head.value), "true");
  ASSERT_EQ(c.body.size(), 1u);
  EXPECT_EQ(E(c.body[0]), "true");
  EXPECT_EQ(ast::term_to_string(*m.rules[3]->head.value), "3");
  const auto& e = *m.rules[4];
  ASSERT_EQ(e.body.size(), 1u);
  EXPECT_EQ(E(e.body[0]), "equal(input.x, 1)");
  EXPECT_EQ(RefOf(*m.rules[5]), "f.g.h");
  EXPECT_EQ(m.rules[5]->head.kind, RuleKind::Complete);
  EXPECT_EQ(m.rules[5]->head.ref.size(), 3u);
  EXPECT_EQ(RefOf(*m.rules[6]), "i.j");
  EXPECT_EQ(ast::term_to_string(*m.rules[6]->head.value), "true");
  EXPECT_EQ(m.rules[7]->head.kind, RuleKind::Complete);
  EXPECT_EQ(RefOf(*m.rules[7]), "k.l");
}

TEST(Parser, PartialRules) {
  auto m = Mod(
      "package p\n"
      "s contains x if { some x in input.xs }\n"
      "t contains 1\n"
      "o[k] := v if { some k, v in input.o }\n"
      "q[x] if { x := 1 }\n"
      "a.b[c].d := 1 if { c := \"x\" }\n"
      "r.s contains y if { y := 2 }\n");
  ASSERT_EQ(m.rules.size(), 6u);
  const auto& s = *m.rules[0];
  EXPECT_EQ(s.head.kind, RuleKind::PartialSet);
  EXPECT_EQ(RefOf(s), "s");
  ASSERT_TRUE(s.head.key);
  EXPECT_EQ(ast::term_to_string(*s.head.key), "x");
  EXPECT_FALSE(s.head.value);
  const auto& t = *m.rules[1];
  EXPECT_EQ(t.head.kind, RuleKind::PartialSet);
  EXPECT_TRUE(t.body.empty());
  const auto& o = *m.rules[2];
  EXPECT_EQ(o.head.kind, RuleKind::PartialObj);
  EXPECT_EQ(RefOf(o), "o[k]");
  EXPECT_EQ(ast::term_to_string(*o.head.key), "k");
  EXPECT_NE(o.head.key.get(), o.head.ref.back().get());  // no term is shared within the tree
  EXPECT_EQ(ast::term_to_string(*o.head.value), "v");
  // v1: `q[x] if` is a single-value rule at q[x] with value true (a "multi-value object").
  const auto& q = *m.rules[3];
  EXPECT_EQ(q.head.kind, RuleKind::PartialObj);
  EXPECT_EQ(RefOf(q), "q[x]");
  EXPECT_EQ(ast::term_to_string(*q.head.value), "true");
  const auto& a = *m.rules[4];
  EXPECT_EQ(a.head.kind, RuleKind::PartialObj);
  EXPECT_EQ(RefOf(a), "a.b[c].d");
  EXPECT_EQ(m.rules[5]->head.kind, RuleKind::PartialSet);
  EXPECT_EQ(RefOf(*m.rules[5]), "r.s");
}

TEST(Parser, Functions) {
  auto m = Mod(
      "package p\n"
      "f(x, y) := z if { z := x + y }\n"
      "g(x) if { x > 1 }\n"
      "h(_, _) := 1\n"
      "a.b.c(x) := x\n"
      "i(x) = y if { y := x }\n");
  ASSERT_EQ(m.rules.size(), 5u);
  const auto& f = *m.rules[0];
  EXPECT_EQ(f.head.kind, RuleKind::Function);
  EXPECT_EQ(RefOf(f), "f");
  ASSERT_EQ(f.head.args.size(), 2u);
  EXPECT_EQ(f.head.args[0]->name, "x");
  EXPECT_EQ(ast::term_to_string(*f.head.value), "z");
  EXPECT_EQ(E(f.body[0]), "assign(z, plus(x, y))");
  EXPECT_EQ(ast::term_to_string(*m.rules[1]->head.value), "true");
  const auto& h = *m.rules[2];
  ASSERT_EQ(h.head.args.size(), 2u);
  EXPECT_EQ(h.head.args[0]->name, "$_0");
  EXPECT_EQ(h.head.args[1]->name, "$_1");
  EXPECT_EQ(RefOf(*m.rules[3]), "a.b.c");
  EXPECT_EQ(m.rules[3]->head.kind, RuleKind::Function);
  EXPECT_FALSE(m.rules[4]->head.assign);
}

TEST(Parser, DefaultRules) {
  auto m = Mod(
      "package p\n"
      "default allow := false\n"
      "default x = {\"a\": [1]}\n"
      "default f(_) := 1\n"
      "default g(a, b) := [x | x := 1]\n");
  ASSERT_EQ(m.rules.size(), 4u);
  EXPECT_TRUE(m.rules[0]->is_default);
  EXPECT_TRUE(m.rules[0]->body.empty());
  EXPECT_EQ(ast::term_to_string(*m.rules[0]->head.value), "false");
  EXPECT_EQ(m.rules[2]->head.kind, RuleKind::Function);
  EXPECT_EQ(m.rules[0]->loc.row, 2u);
  ExpectError("package p\ndefault p := x", 2, 1, "illegal default rule (value cannot contain var)");
  ExpectError("package p\ndefault p := input.x", 2, 1, "illegal default rule (value cannot contain ref)");
  ExpectError("package p\ndefault f(1) := 1", 2, 1, "illegal default rule (arguments cannot contain number)");
  ExpectError("package p\ndefault f(x, x) := 1", 2, 1, "illegal default rule (arguments cannot be repeated x)");
  // The value is checked, not the ref; the `if` then starts a new (bad) statement.
  ExpectError("package p\ndefault p[x] = 1 if { true }", 2, 18, "unexpected if keyword");
}

TEST(Parser, ElseChains) {
  auto m = Mod(
      "package p\n"
      "a := 1 if { false } else := 2 if { true } else := 3\n"
      "b if { false } else if { true }\n"
      "c := \"x\" if input.a\n"
      "else := \"y\" if input.b\n"
      "f(_) := 1 if { false } else := 2\n");
  ASSERT_EQ(m.rules.size(), 4u);
  const auto& a = *m.rules[0];
  ASSERT_TRUE(a.else_rule);
  EXPECT_EQ(ast::term_to_string(*a.else_rule->head.value), "2");
  EXPECT_EQ(RefOf(*a.else_rule), "a");
  EXPECT_TRUE(a.else_rule->head.assign);
  ASSERT_EQ(a.else_rule->body.size(), 1u);
  ASSERT_TRUE(a.else_rule->else_rule);
  EXPECT_EQ(ast::term_to_string(*a.else_rule->else_rule->head.value), "3");
  EXPECT_TRUE(a.else_rule->else_rule->body.empty());
  EXPECT_FALSE(a.else_rule->else_rule->else_rule);
  EXPECT_EQ(a.else_rule->loc.col, 21u);
  EXPECT_EQ(ast::term_to_string(*m.rules[1]->else_rule->head.value), "true");
  EXPECT_EQ(E(m.rules[2]->else_rule->body[0]), "input.b");
  const auto& f = *m.rules[3];
  ASSERT_TRUE(f.else_rule);
  EXPECT_EQ(f.else_rule->head.kind, RuleKind::Function);
  ASSERT_EQ(f.else_rule->head.args.size(), 1u);
  EXPECT_NE(f.else_rule->head.args[0]->name, f.head.args[0]->name);  // a fresh wildcard
  EXPECT_NE(f.else_rule->head.args[0].get(), f.head.args[0].get());
}

TEST(Parser, ElseErrors) {
  ExpectError("package p\nc[x] := 1 if { x := 1 } else := 2", 2, 25,
              "else keyword cannot be used on rules with variables in head");
  ExpectError("package p\np := 1 if { true } else", 2, 24, "unexpected eof token: expected else value term or rule body");
  ExpectError("package p\np := 1 if { true } else := 2 if", 2, 32, "unexpected eof token: rule body expected");
}

TEST(Parser, IfBraces) {
  // OPA reads what follows `if` as one expression first; braces become a body only when that is a set literal.
  auto m = Mod(
      "package p\n"
      "a if { x := 1; x }\n"
      "b if { input.x }\n"
      "c if {x | x := 1}\n"
      "d if {1} == {1}\n"
      "e if {\"k\": 1}\n");
  ASSERT_EQ(m.rules.size(), 5u);
  EXPECT_EQ(m.rules[0]->body.size(), 2u);
  ASSERT_EQ(m.rules[1]->body.size(), 1u);
  EXPECT_EQ(E(m.rules[1]->body[0]), "input.x");
  ASSERT_EQ(m.rules[2]->body.size(), 1u);
  EXPECT_EQ(m.rules[2]->body[0].terms[0]->kind, TermKind::SetCompr);
  ASSERT_EQ(m.rules[3]->body.size(), 1u);
  EXPECT_EQ(E(m.rules[3]->body[0]), "equal({1}, {1})");
  EXPECT_EQ(m.rules[4]->body[0].terms[0]->kind, TermKind::Object);
  // A set literal, even with modifiers, is re-read as a body.
  ExpectError("package p\nf if { 1, 2 } with input as 1", 2, 9, "unexpected , token: expected \\n or ; or }");
  ExpectError("package p\nf if { 1 } with input as 1", 2, 12, "unexpected with keyword");
}

TEST(Parser, MultipleBodies) {
  auto m = Mod("package p\np if { input.a } { input.b }\n");
  ASSERT_EQ(m.rules.size(), 2u);
  EXPECT_EQ(RefOf(*m.rules[1]), "p");
  EXPECT_EQ(E(m.rules[1]->body[0]), "input.b");
  EXPECT_EQ(m.rules[1]->loc.col, 18u);
}

TEST(Parser, RuleLocations) {
  auto m = Mod("package p\n\nallow if {\n  input.x\n}\n\ndefault d := 1\n");
  EXPECT_EQ(m.rules[0]->loc.row, 3u);
  EXPECT_EQ(m.rules[0]->loc.col, 1u);
  EXPECT_EQ(m.rules[0]->loc.text(), "allow if {\n  input.x\n}");
  EXPECT_EQ(m.rules[0]->head.loc.text(), "allow");
  EXPECT_EQ(m.rules[1]->loc.row, 7u);
}

// ---------------------------------------------------------------- the Rego v1 checks

TEST(Parser, V1Errors) {
  ExpectError("package p\np { true }", 2, 1, "`if` keyword is required before rule body");
  ExpectError("package p\nf(x) { true }", 2, 1, "`if` keyword is required before function body");
  ExpectError("package p\np := 1 if { true } else = 2 { true }", 2, 20, "`if` keyword is required before rule body");
  Errors errs = ErrorsOf("package p\np[x] { x := 1 }");
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_EQ(errs[0].message, "`if` keyword is required before rule body");
  EXPECT_EQ(errs[1].message, "`contains` keyword is required for partial set rules");
  ExpectError("package p\np[x]", 2, 1, "`contains` keyword is required for partial set rules");
  ExpectError("package p\np.q.r", 2, 1, "rule must have value assignment and/or body declaration");
  ExpectError("package p\np", 2, 1, "var cannot be used for rule name");
  ExpectError("package p\n1", 2, 1, "number cannot be used for rule name");
  ExpectError("package p\n\"s\" := 1", 2, 1, "string cannot be used for rule name");
  ExpectError("package p\n[1] = 2", 2, 1, "array cannot be used for rule name");
  ExpectError("package p\nx == 1", 2, 1, "rule name conflicts with built-in function");
  ExpectError("package p\nnot p", 2, 1, "negated expressions cannot be used for rule head");
  ExpectError("package p\nsome x", 2, 1, "'some' declarations cannot be used for rule head");
  ExpectError("package p\np := 1 with input as 2", 2, 1, "expressions using with keyword cannot be used for rule head");
  ExpectError("package p\np := 1; q := 2", 2, 1, "multiple expressions cannot be used for rule head");
  ExpectError("package p\ncontains := 1", 2, 1, "contains keyword cannot be used for rule name");
  ExpectError("package p\ninput", 2, 1, "refs cannot be used for rule head");
}

TEST(Parser, TopLevelExpressionsAsRules) {
  // Statements that are expressions become rules (OPA's ParseRuleFromExpr).
  auto m = Mod("package p\nf(x)\ng(1) = 2\nq.r = 3\n");
  ASSERT_EQ(m.rules.size(), 3u);
  EXPECT_EQ(m.rules[0]->head.kind, RuleKind::Function);
  EXPECT_EQ(ast::term_to_string(*m.rules[0]->head.value), "true");
  EXPECT_EQ(m.rules[1]->head.kind, RuleKind::Function);
  EXPECT_EQ(ast::term_to_string(*m.rules[1]->head.args[0]), "1");
  EXPECT_EQ(RefOf(*m.rules[2]), "q.r");
  EXPECT_EQ(m.rules[2]->head.kind, RuleKind::Complete);
}

// ---------------------------------------------------------------- v0 syntax

TEST(Parser, V0Syntax) {
  auto m = Mod(
      "package p\n"
      "p[x] { x := 1 }\n"
      "q[k] = v { k := \"a\"; v := 2 }\n"
      "f(x) = y { y := x }\n"
      "r { true }\n"
      "s = 1\n"
      "t.u.v { true }\n"
      "default w = false\n"
      "g(x) { x }\n",
      true);
  EXPECT_FALSE(m.rego_v1);
  ASSERT_EQ(m.rules.size(), 8u);
  EXPECT_EQ(m.rules[0]->head.kind, RuleKind::PartialSet);
  EXPECT_EQ(RefOf(*m.rules[0]), "p");
  EXPECT_EQ(ast::term_to_string(*m.rules[0]->head.key), "x");
  EXPECT_EQ(m.rules[1]->head.kind, RuleKind::PartialObj);
  EXPECT_EQ(ast::term_to_string(*m.rules[1]->head.key), "k");
  EXPECT_EQ(m.rules[2]->head.kind, RuleKind::Function);
  EXPECT_EQ(m.rules[3]->head.kind, RuleKind::Complete);
  EXPECT_EQ(ast::term_to_string(*m.rules[3]->head.value), "true");
  EXPECT_EQ(RefOf(*m.rules[5]), "t.u.v");
  EXPECT_TRUE(m.rules[6]->is_default);
}

TEST(Parser, V0Keywords) {
  // Without imports, `in`, `if`, `contains` and `every` are plain names in v0.
  auto b = Q("in := 1; every := 2; contains := 3; if := 4", true);
  ASSERT_EQ(b.size(), 4u);
  EXPECT_EQ(E(b[0]), "assign(in, 1)");
  ExpectError("package p\np if { true }", 2, 1, "var cannot be used for rule name", Mode::Module, true);
  // future.keywords.in enables only `in`.
  auto m = Mod("package p\nimport future.keywords.in\np { 1 in [1] }\n", true);
  EXPECT_EQ(E(m.rules[0]->body[0]), "internal.member_2(1, [1])");
  // future.keywords enables all of them.
  m = Mod("package p\nimport future.keywords\ns contains x if { every y in [1] { y > 0 }; x := 1 }\n", true);
  EXPECT_EQ(m.rules[0]->head.kind, RuleKind::PartialSet);
  EXPECT_EQ(m.rules[0]->body[0].kind, ExprKind::Every);
  // rego.v1 enables all of them and the v1 checks.
  m = Mod("package p\nimport rego.v1\np if { some x in [1]; x == 1 }\n", true);
  EXPECT_TRUE(m.rego_v1);
  ExpectError("package p\nimport rego.v1\np { true }", 3, 1, "`if` keyword is required before rule body", Mode::Module,
              true);
  ExpectError("package p\nimport rego.v1 as r", 2, 8, "`rego` imports cannot be aliased", Mode::Module, true);
}

// ---------------------------------------------------------------- expressions

TEST(Parser, OperatorsDesugar) {
  auto b = Q("x := 1; y = 2; a == b; a != b; a < b; a <= b; a > b; a >= b; a + b; a - b; a * b; a / b; a % b; "
             "a & b; a | b");
  const char* want[] = {"assign(x, 1)", "eq(y, 2)", "equal(a, b)", "neq(a, b)", "lt(a, b)",
                        "lte(a, b)",    "gt(a, b)", "gte(a, b)",   "plus(a, b)", "minus(a, b)",
                        "mul(a, b)",    "div(a, b)", "rem(a, b)",  "and(a, b)",  "or(a, b)"};
  ASSERT_EQ(b.size(), std::size(want));
  for (size_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(b[i].kind, ExprKind::Term);
    EXPECT_EQ(b[i].terms[0]->kind, TermKind::Call);
    EXPECT_EQ(E(b[i]), want[i]);
  }
}

TEST(Parser, Precedence) {
  // As OPA: `in` loosest, then comparisons, then |, &, + -, * / %; all left-associative.
  EXPECT_EQ(E(Q("1 + 2 * 3")[0]), "plus(1, mul(2, 3))");
  EXPECT_EQ(E(Q("1 * 2 + 3")[0]), "plus(mul(1, 2), 3)");
  EXPECT_EQ(E(Q("1 - 2 - 3")[0]), "minus(minus(1, 2), 3)");
  EXPECT_EQ(E(Q("a == b | c")[0]), "equal(a, or(b, c))");
  EXPECT_EQ(E(Q("a | b & c")[0]), "or(a, and(b, c))");
  EXPECT_EQ(E(Q("a & b + c")[0]), "and(a, plus(b, c))");
  EXPECT_EQ(E(Q("a < b == c")[0]), "equal(lt(a, b), c)");
  EXPECT_EQ(E(Q("(1 + 2) * 3")[0]), "mul(plus(1, 2), 3)");
  EXPECT_EQ(E(Q("x := a + b")[0]), "assign(x, plus(a, b))");
  EXPECT_EQ(E(Q("x == y in z")[0]), "internal.member_2(equal(x, y), z)");
  EXPECT_EQ(E(Q("x in y == z")[0]), "internal.member_2(x, equal(y, z))");
  EXPECT_EQ(E(Q("a in b in c")[0]), "internal.member_2(internal.member_2(a, b), c)");
}

TEST(Parser, Membership) {
  auto b = Q("x in xs; k, v in xs; x := 1 in [1]; f(a, b in c)");
  EXPECT_EQ(E(b[0]), "internal.member_2(x, xs)");
  EXPECT_EQ(E(b[1]), "internal.member_3(k, v, xs)");
  EXPECT_EQ(E(b[2]), "assign(x, internal.member_2(1, [1]))");
  EXPECT_EQ(E(b[3]), "f(a, internal.member_2(b, c))");  // argument lists never read `k, v in`
}

TEST(Parser, UnaryMinus) {
  EXPECT_EQ(T("-1"), "-1");
  EXPECT_EQ(T("- 1"), "-1");
  EXPECT_EQ(T("-1.5e3"), "-1500");
  EXPECT_EQ(T("-.5"), "-0.5");
  EXPECT_EQ(T(".5"), "0.5");
  EXPECT_EQ(T("1 - -1"), "minus(1, -1)");
  EXPECT_EQ(T("x-1"), "minus(x, 1)");
  // ast.h: unary minus on anything but a literal is minus(0, x).
  EXPECT_EQ(T("-x"), "minus(0, x)");
  EXPECT_EQ(T("-x.y * 2"), "mul(minus(0, x.y), 2)");
  ExpectError("- }", 1, 3, "unexpected } token: expected number", Mode::Query);
}

TEST(Parser, NotSomeEveryWith) {
  auto b = Q("not input.x\nsome x\nsome a, b\nsome v in xs\nsome k, v in xs\nevery x in xs { x > 0 }\n"
             "every k, v in xs { k; v }\nf(x) with input as 1 with data.a.b as {\"c\": 2}\nnot g with h as i");
  ASSERT_EQ(b.size(), 9u);
  EXPECT_TRUE(b[0].negated);
  EXPECT_EQ(E(b[0]), "input.x");
  EXPECT_EQ(b[1].kind, ExprKind::SomeDecl);
  ASSERT_EQ(b[2].terms.size(), 2u);
  EXPECT_EQ(b[2].terms[1]->name, "b");
  EXPECT_EQ(b[3].kind, ExprKind::SomeIn);
  ASSERT_EQ(b[3].terms.size(), 2u);
  EXPECT_EQ(b[3].terms[0]->name, "v");
  EXPECT_EQ(ast::term_to_string(*b[3].terms[1]), "xs");
  ASSERT_EQ(b[4].terms.size(), 3u);
  EXPECT_EQ(b[4].terms[0]->name, "k");
  EXPECT_EQ(b[5].kind, ExprKind::Every);
  ASSERT_EQ(b[5].terms.size(), 3u);
  EXPECT_TRUE(b[5].terms[0]->kind == TermKind::Scalar && b[5].terms[0]->value.is_null());
  EXPECT_EQ(b[5].terms[1]->name, "x");
  ASSERT_EQ(b[5].body.size(), 1u);
  EXPECT_EQ(b[6].terms[0]->name, "k");
  EXPECT_EQ(b[6].body.size(), 2u);
  ASSERT_EQ(b[7].with.size(), 2u);
  EXPECT_EQ(ast::term_to_string(*b[7].with[0].target), "input");
  EXPECT_EQ(b[7].with[0].target->kind, TermKind::Ref);
  EXPECT_EQ(ast::term_to_string(*b[7].with[1].target), "data.a.b");
  EXPECT_EQ(ast::term_to_string(*b[7].with[1].value), "{\"c\": 2}");
  EXPECT_EQ(b[7].loc.text(), "f(x) with input as 1 with data.a.b as {\"c\": 2}");
  EXPECT_TRUE(b[8].negated);
  EXPECT_EQ(b[8].with[0].target->kind, TermKind::Var);
  EXPECT_EQ(b[8].loc.text(), "not g with h as i");
}

TEST(Parser, BodySeparators) {
  auto m = Mod("package p\np if {\n  a\n  b; c\n\n  d\n}\n");
  ASSERT_EQ(m.rules[0]->body.size(), 4u);
  // Top-level statements in queries end after one expression, as in OPA.
  EXPECT_EQ(Q("a b").size(), 2u);
  ExpectError("package p\np if { a b }", 2, 10, "unexpected identifier token: expected \\n or ; or }");
  ExpectError("package p\np if { a; }", 2, 11, "unexpected } token");
  ExpectError("package p\np { }", 2, 5, "found empty body", Mode::Module, true);
  ExpectError("[x | ]", 1, 6, "found empty body", Mode::Term);
  // As OPA: `p if { }` reads `{}` as an (always true) empty-object expression.
  auto e = Mod("package p\np if { }");
  ASSERT_EQ(e.rules[0]->body.size(), 1u);
  EXPECT_EQ(e.rules[0]->body[0].terms[0]->kind, TermKind::Object);
}

TEST(Parser, ExprLocations) {
  auto b = Q("x := 1\n  y := [1,\n 2]   # c\nnot z with input as {\"a\": 1}; \"é\" == w");
  ASSERT_EQ(b.size(), 4u);
  EXPECT_EQ(b[0].loc.text(), "x := 1");
  EXPECT_EQ(b[1].loc.text(), "y := [1,\n 2]");
  EXPECT_EQ(b[1].loc.row, 2u);
  EXPECT_EQ(b[1].loc.col, 3u);
  EXPECT_EQ(b[2].loc.text(), "not z with input as {\"a\": 1}");
  EXPECT_EQ(b[3].loc.text(), "\"é\" == w");
  EXPECT_EQ(b[3].loc.col, 31u);  // columns count code points, as OPA
  // Term locations cover the term.
  const ast::Term& call = *b[1].terms[0];
  EXPECT_EQ(call.loc.text(), "y := [1,\n 2]");
  EXPECT_EQ(call.items[1]->loc.text(), "[1,\n 2]");
  auto c = Q("f(x, 1)[0].y + (a)");
  EXPECT_EQ(c[0].terms[0]->items[0]->loc.text(), "f(x, 1)[0].y");
  EXPECT_EQ(c[0].terms[0]->items[1]->loc.text(), "(a)");
}

TEST(Parser, Wildcards) {
  auto m = Mod("package p\np if { x := input[_]; _ = x; [_, _] = [1, 2] }\nq if { _ }");
  const auto& body = m.rules[0]->body;
  EXPECT_EQ(body[0].terms[0]->items[1]->items[1]->name, "$_0");
  EXPECT_EQ(body[1].terms[0]->items[0]->name, "$_1");
  EXPECT_EQ(body[2].terms[0]->items[0]->items[0]->name, "$_2");
  EXPECT_EQ(body[2].terms[0]->items[0]->items[1]->name, "$_3");
  EXPECT_EQ(m.rules[1]->body[0].terms[0]->name, "$_4");  // unique per module
  EXPECT_EQ(ast::term_to_string(*body[0].terms[0]), "assign(x, input[_])");
}

// ---------------------------------------------------------------- terms

TEST(Parser, Scalars) {
  auto t = parse_term(Src("null"));
  EXPECT_EQ(t->kind, TermKind::Scalar);
  EXPECT_TRUE(t->value.is_null());
  EXPECT_TRUE(parse_term(Src("true"))->value.as_bool());
  EXPECT_FALSE(parse_term(Src("false"))->value.as_bool());
  EXPECT_EQ(parse_term(Src("42"))->value.as_int(), 42);
  EXPECT_EQ(T("1e2"), "100");
  EXPECT_EQ(T("0.5"), "0.5");
  EXPECT_EQ(T("0e5"), "0");
  // Huge integers stay exact.
  EXPECT_EQ(T("123456789012345678901234567890"), "123456789012345678901234567890");
  EXPECT_TRUE(parse_term(Src("1e400"))->value.is_number());
  ExpectError("1e40000", 1, 1, "number too big", Mode::Term);
  ExpectError("01", 1, 1, "unexpected number token: expected number without leading zero", Mode::Term);
  ExpectError("1.", 1, 1, "expected fraction", Mode::Term);
  ExpectError("1e", 1, 1, "expected exponent", Mode::Term);
  ExpectError("12ab", 1, 1, "illegal number format", Mode::Term);
}

TEST(Parser, Strings) {
  EXPECT_EQ(parse_term(Src(R"("a\"b\\c\/d\n\t")"))->value.as_string(), "a\"b\\c/d\n\t");
  EXPECT_EQ(parse_term(Src(R"("\u00e9")"))->value.as_string(), "\xC3\xA9");
  EXPECT_EQ(parse_term(Src(R"("\ud83d\ude00")"))->value.as_string(), "\xF0\x9F\x98\x80");  // surrogate pair
  EXPECT_EQ(parse_term(Src(R"("\ud800x")"))->value.as_string(), "\xEF\xBF\xBDx");          // lone: U+FFFD
  EXPECT_EQ(parse_term(Src("\"caf\xC3\xA9\""))->value.as_string(), "caf\xC3\xA9");
  EXPECT_EQ(parse_term(Src("`raw\\n\n\"x\"`"))->value.as_string(), "raw\\n\n\"x\"");
  EXPECT_EQ(parse_term(Src("\"\""))->value.as_string(), "");
  Errors errs = ErrorsOf(R"("a\qb")", Mode::Term);
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_EQ(errs[0].message, "illegal escape sequence");
  EXPECT_EQ(errs[1].message, "illegal token");
  ExpectError("\"abc", 1, 1, "non-terminated string", Mode::Term);
  ExpectError("x := \"a\nb\"", 1, 6, "non-terminated string", Mode::Query);
  ExpectError("`abc", 1, 1, "non-terminated string", Mode::Term);
  ExpectError(R"("\u12g4")", 1, 1, R"(illegal string literal: "\u12g4")", Mode::Term);
}

TEST(Parser, Collections) {
  EXPECT_EQ(parse_term(Src("[]"))->kind, TermKind::Array);
  EXPECT_EQ(parse_term(Src("{}"))->kind, TermKind::Object);  // `{}` is the empty object
  auto s = parse_term(Src("set()"));
  EXPECT_EQ(s->kind, TermKind::Set);
  EXPECT_TRUE(s->items.empty());
  EXPECT_EQ(T("[1, \"a\", [true], ]"), "[1, \"a\", [true]]");
  EXPECT_EQ(T("{1, 2, 3}"), "{1, 2, 3}");
  auto o = parse_term(Src("{\"a\": 1, \"b\": [2], x: y}"));
  EXPECT_EQ(o->kind, TermKind::Object);
  ASSERT_EQ(o->items.size(), 6u);
  EXPECT_EQ(ast::term_to_string(*o->items[4]), "x");
  EXPECT_EQ(T("{1 + 2, 3}"), "{plus(1, 2), 3}");
  EXPECT_EQ(T("{\"a\": 1 + 2}"), "{\"a\": plus(1, 2)}");
  EXPECT_EQ(T("[1 + 2, 3]"), "[plus(1, 2), 3]");
  EXPECT_EQ(T("[, 1]"), "[1]");  // leading comma: accepted, as OPA does
}

TEST(Parser, Comprehensions) {
  auto a = parse_term(Src("[x | x := input[_]; x > 1]"));
  EXPECT_EQ(a->kind, TermKind::ArrayCompr);
  EXPECT_EQ(ast::term_to_string(*a->items[0]), "x");
  EXPECT_EQ(a->body.size(), 2u);
  auto s = parse_term(Src("{x | some x in y}"));
  EXPECT_EQ(s->kind, TermKind::SetCompr);
  auto o = parse_term(Src("{k: v | some k, v in y}"));
  EXPECT_EQ(o->kind, TermKind::ObjectCompr);
  ASSERT_EQ(o->items.size(), 2u);
  EXPECT_EQ(ast::term_to_string(*o->items[1]), "v");
  // `{a | b}` is a comprehension, never a set holding `a | b`...
  EXPECT_EQ(parse_term(Src("{1 | 1}"))->kind, TermKind::SetCompr);
  // ... unless it cannot be one.
  EXPECT_EQ(T("{1, 2 | 3}"), "{1, or(2, 3)}");
  EXPECT_EQ(T("[a | b, c]"), "[or(a, b), c]");
  EXPECT_EQ(T("{k + 1: v | v := 1}"), "{plus(k, 1): v | assign(v, 1)}");
  EXPECT_EQ(T("[x | x := [y | y := 1]]"), "[x | assign(x, [y | assign(y, 1)])]");
}

TEST(Parser, RefsAndCalls) {
  auto r = parse_term(Src("input.a[\"b\"][0][x].c"));
  EXPECT_EQ(r->kind, TermKind::Ref);
  ASSERT_EQ(r->items.size(), 6u);
  EXPECT_EQ(r->items[0]->kind, TermKind::Var);
  EXPECT_EQ(r->items[1]->value.as_string(), "a");
  EXPECT_EQ(r->items[4]->kind, TermKind::Var);
  EXPECT_EQ(ast::term_to_string(*r), "input.a.b[0][x].c");
  // Bare roots are refs; other names are vars.
  EXPECT_EQ(parse_term(Src("data"))->kind, TermKind::Ref);
  EXPECT_EQ(parse_term(Src("input"))->kind, TermKind::Ref);
  EXPECT_EQ(parse_term(Src("x"))->kind, TermKind::Var);
  auto c = parse_term(Src("a.b.c(1, x)"));
  EXPECT_EQ(c->kind, TermKind::Call);
  EXPECT_EQ(c->name, "a.b.c");
  EXPECT_EQ(c->items.size(), 2u);
  EXPECT_EQ(parse_term(Src("data.lib.f()"))->name, "data.lib.f");
  auto idx = parse_term(Src("f(x)[0].y"));
  EXPECT_EQ(idx->kind, TermKind::Ref);
  EXPECT_EQ(idx->items[0]->kind, TermKind::Call);
  EXPECT_EQ(T("[1, 2][0]"), "[1, 2][0]");
  EXPECT_EQ(T("x[y + 1]"), "x[plus(y, 1)]");
  // Keywords may follow a dot.
  EXPECT_EQ(T("input.if.in.not"), "input[\"if\"][\"in\"][\"not\"]");
  // Whitespace ends a ref in a body.
  EXPECT_EQ(Q("a [1]").size(), 2u);
  ExpectError("\"s\"[0]", 1, 1, "illegal ref (head cannot be string)", Mode::Term);
  ExpectError("a. b", 1, 3, "unexpected whitespace token: expected identifier", Mode::Term);
  ExpectError("a[1", 1, 4, "unexpected eof token: expected [", Mode::Term);
  ExpectError("f(1 2)", 1, 5, "unexpected number token: expected \",\" or \")\"", Mode::Term);
}

TEST(Parser, TemplateStrings) {
  auto t = parse_term(Src("$\"hello {input.name}, {1 + 2}!\""));
  EXPECT_EQ(t->kind, TermKind::TemplateString);
  ASSERT_EQ(t->items.size(), 5u);
  ASSERT_EQ(t->literal_parts.size(), 5u);
  EXPECT_TRUE(t->literal_parts[0]);
  EXPECT_EQ(t->items[0]->value.as_string(), "hello ");
  EXPECT_FALSE(t->literal_parts[1]);
  EXPECT_EQ(ast::term_to_string(*t->items[1]), "input.name");
  EXPECT_EQ(t->items[2]->value.as_string(), ", ");
  EXPECT_EQ(ast::term_to_string(*t->items[3]), "plus(1, 2)");
  EXPECT_EQ(t->items[4]->value.as_string(), "!");
  EXPECT_EQ(t->loc.text(), "$\"hello {input.name}, {1 + 2}!\"");
  // Escaped braces, unicode escapes, empty parts dropped.
  auto e = parse_term(Src(R"($"\{x\} \u00e9{1}")"));
  ASSERT_EQ(e->items.size(), 2u);
  EXPECT_EQ(e->items[0]->value.as_string(), "{x} \xC3\xA9");
  EXPECT_TRUE(parse_term(Src("$\"\""))->items.empty());
  // Raw template strings span lines and only know `\{`.
  auto r = parse_term(Src("$`a\\n{x}\n\\{y}`"));
  ASSERT_EQ(r->items.size(), 3u);
  EXPECT_EQ(r->items[0]->value.as_string(), "a\\n");
  EXPECT_EQ(r->items[2]->value.as_string(), "\n{y}");
  // Nested.
  EXPECT_EQ(parse_term(Src("$\"{$\"{x}\"}\""))->items[0]->kind, TermKind::TemplateString);
  ExpectError("$\"{x = 1}\"", 1, 4, "unexpected unification ('=') in template-string expression", Mode::Term);
  ExpectError("$\"{x := 1}\"", 1, 4, "unexpected assignment (':=') in template-string expression", Mode::Term);
  ExpectError("$\"{not x}\"", 1, 4, "unexpected negation ('not') in template-string expression", Mode::Term);
  ExpectError("$\"{some x}\"", 1, 4, "unexpected 'some' in template-string expression", Mode::Term);
  ExpectError("$\"{x\"", 1, 5, "non-terminated string", Mode::Term);
  ExpectError("$x", 1, 1, "illegal $ character", Mode::Term);
}

// ---------------------------------------------------------------- errors, as OPA reports them

TEST(Parser, Errors) {
  ExpectError("package p\np if { x := 1 }}", 2, 16, "unexpected } token");
  ExpectError("package p\np := 1 if", 2, 10, "unexpected eof token");
  ExpectError("package p\np := [1, 2", 2, 11, "unexpected eof token: expected \",\" or \"]\"");
  ExpectError("package p\np := {\"a\": 1, \"b\" 2}", 2, 12, "unexpected number token: non-terminated object");
  ExpectError("package p\np := {1 2}", 2, 9, "unexpected number token: non-terminated set");
  ExpectError("package p\np := (1", 2, 8, "non-terminated expression");
  ExpectError("package p\np := 1 +", 2, 9, "unexpected eof token");
  ExpectError("package p\np+1 := 2", 2, 2, "unexpected plus token");
  ExpectError("package p\np := x ! y", 2, 8, "illegal ! character");
  ExpectError("package p\np := @", 2, 6, "illegal token");
  // A top-level statement ends after one expression: `:= 2` is the next (bad) statement.
  ExpectError("package p\nx := 1 := 2", 2, 8, "unexpected assign token");
  ExpectError("x := 1 := 2", 1, 8, "unexpected assign token", Mode::Query);
  ExpectError("package p\np if { x := 1 := 2 }", 2, 15, "unexpected assign token: expected \\n or ; or }");
  ExpectError("package p\np if { some 1 }", 2, 13, "unexpected number token: expected var");
  ExpectError("package p\np if { some x == y }", 2, 20, "unexpected } token: expected `x in xs` or `x, y in xs` expression");
  ExpectError("package p\np if { not some x in y }", 2, 12, "unexpected some keyword: illegal negation of 'some'");
  ExpectError("package p\np if { every x in y }", 2, 21, "unexpected } token: missing body");
  ExpectError("package p\np if { every 1 in y { true } }", 2, 21, "unexpected { token: expected value to be a variable");
  ExpectError("package p\np if { x with 1 as 2 }", 2, 15, "unexpected number token: expected ident");
  ExpectError("package p\np if { x with y 2 }", 2, 17, "unexpected number token: expected as keyword");
  ExpectError("package p\np contains", 2, 11, "unexpected eof token");
  // As OPA: the failed single-expression body is retried as `{ body }`, skipping the token where `{` should be.
  ExpectError("package p\np[x] := 1 if else", 2, 18, "unexpected eof token");
  ExpectError("package p\nf(x) contains 1", 2, 6,
              "unexpected contains keyword: the contains keyword can only be used with multi-value rule definitions "
              "(e.g., f contains <VALUE> { ... })");
  ExpectError("x := \"\xff\"", 1, 6, "illegal utf-8 character", Mode::Query);
  ExpectError(std::string("x := \"a\0b\"", 10), 1, 6, "illegal null character", Mode::Query);
  ExpectError("x := 1 # bad \xff\n", 1, 8, "illegal utf-8 character", Mode::Query);
}

TEST(Parser, ErrorFormatting) {
  Errors errs = ErrorsOf("package p\np { true }");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].to_string(), "test.rego:2: rego_parse_error: `if` keyword is required before rule body");
  EXPECT_EQ(errs[0].location.file_name(), "test.rego");
}

// ---------------------------------------------------------------- queries and terms

TEST(Parser, Queries) {
  auto b = Q("data.x.allow");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(E(b[0]), "data.x.allow");
  EXPECT_EQ(Q("x := input.y; x > 1").size(), 2u);
  EXPECT_EQ(Q("x = 1\ny = 2\n").size(), 2u);
  EXPECT_TRUE(Q("").empty());
  EXPECT_TRUE(Q("  # nothing\n").empty());
  // `p := 1 if ...` is not a rule in a query.
  ExpectError("p if { true }", 1, 3, "unexpected if keyword", Mode::Query);
  ExpectError("x :=", 1, 5, "unexpected eof token", Mode::Query);
}

TEST(Parser, TermEntryPoint) {
  EXPECT_EQ(T("{\"a\": [1, {\"b\": null}]}"), "{\"a\": [1, {\"b\": null}]}");
  EXPECT_EQ(ErrorsOf("1; 2", Mode::Term)[0].message, "expected exactly one term");
  EXPECT_EQ(ErrorsOf("", Mode::Term)[0].message, "expected exactly one term");
}

// ---------------------------------------------------------------- METADATA

TEST(Parser, Annotations) {
  auto m = Mod(
      "# METADATA\n"
      "# title: The package\n"
      "package p\n"
      "\n"
      "# METADATA\n"
      "# title: Allow\n"
      "# description: Allows things\n"
      "# authors:\n"
      "# - Jane Doe <jane@example.com>\n"
      "# - name: Bob\n"
      "# related_resources:\n"
      "# - https://example.com\n"
      "# schemas:\n"
      "# - input: schema.input\n"
      "# custom:\n"
      "#   severity: HIGH\n"
      "#   n: 3\n"
      "#   tags: [a, b]\n"
      "allow if true\n"
      "\n"
      "# just a comment\n"
      "deny if false\n"
      "\n"
      "# METADATA\n"
      "# scope: document\n"
      "# title: Doc\n"
      "d contains 1\n"
      "d contains 2\n");
  ASSERT_EQ(m.annotations.size(), 3u);
  ASSERT_TRUE(m.package_annotations.is_object());
  EXPECT_EQ(m.package_annotations.get("scope")->as_string(), "package");
  EXPECT_EQ(m.package_annotations.get("title")->as_string(), "The package");
  const Value& a = m.rules[0]->annotations;
  ASSERT_TRUE(a.is_object());
  EXPECT_EQ(a.get("scope")->as_string(), "rule");
  EXPECT_EQ(a.get("title")->as_string(), "Allow");
  EXPECT_EQ(a.get("description")->as_string(), "Allows things");
  const Value* authors = a.get("authors");
  ASSERT_TRUE(authors && authors->is_array());
  ASSERT_EQ(authors->as_array().size(), 2u);
  EXPECT_EQ(authors->as_array()[0].get("name")->as_string(), "Jane Doe");
  EXPECT_EQ(authors->as_array()[0].get("email")->as_string(), "jane@example.com");
  EXPECT_EQ(a.get("related_resources")->as_array()[0].get("ref")->as_string(), "https://example.com");
  const Value& schema = a.get("schemas")->as_array()[0];
  EXPECT_EQ(schema.get("path")->as_array()[0].as_string(), "input");
  EXPECT_EQ(schema.get("schema")->as_array()[1].as_string(), "input");
  const Value* custom = a.get("custom");
  ASSERT_TRUE(custom);
  EXPECT_EQ(custom->get("severity")->as_string(), "HIGH");
  EXPECT_EQ(custom->get("n")->as_int(), 3);
  EXPECT_EQ(custom->get("tags")->as_array().size(), 2u);
  EXPECT_TRUE(m.rules[1]->annotations.is_null());
  EXPECT_EQ(m.rules[2]->annotations.get("scope")->as_string(), "document");
  EXPECT_EQ(m.rules[3]->annotations.get("title")->as_string(), "Doc");  // document scope: every rule of d
}

TEST(Parser, AnnotationErrors) {
  ExpectError("package p\n# METADATA\n# scope: package\np := 1", 2, 1,
              "annotation scope 'package' must be applied to package (have rule)");
  ExpectError("package p\n# METADATA\n# scope: rule\nimport data.x", 2, 1,
              "annotation scope 'rule' must be applied to rule (have import)");
  ExpectError("package p\n# METADATA\n# scope: bogus\np := 1", 2, 1,
              "invalid annotation scope 'bogus'. Use one of 'rule', 'document', 'package', or 'subpackages'");
  ExpectError("package p\n# METADATA\np := 1", 2, 1, "expected METADATA block, found whitespace");
  ExpectError("package p\n# METADATA\n# entrypoint: true\n# scope: rule\np := 1", 2, 1,
              "annotation entrypoint applied to non-document or package scope 'rule'");
  Errors errs = ErrorsOf("package p\n# METADATA\n# title: [x\np := 1");
  ASSERT_FALSE(errs.empty());
  EXPECT_EQ(errs[0].code, "rego_parse_error");
  EXPECT_EQ(errs[0].message.rfind("yaml: ", 0), 0u);
}

// ---------------------------------------------------------------- printing

TEST(Parser, Printing) {
  EXPECT_EQ(T("data.a[\"b-c\"][x].d"), "data.a[\"b-c\"][x].d");
  EXPECT_EQ(T("\"tab\\there\""), "\"tab\\there\"");
  EXPECT_EQ(T("[x | some x in [1]; not x]"), "[x | some x in [1]; not x]");
  EXPECT_EQ(T("{x | every y in z { y }}"), "{x | every y in z { y }}");
  EXPECT_EQ(T("[x | x = 1 with input as 2]"), "[x | x = 1 with input as 2]");
  EXPECT_EQ(T("set()"), "set()");
  EXPECT_EQ(T("$\"a{x}\\{\""), "$\"a{x}\\{\"");
  std::vector<ast::TermPtr> ref = parse_term(Src("data.x[\"y z\"][1]"))->items;
  EXPECT_EQ(ast::ref_to_string(ref), "data.x[\"y z\"][1]");
}

// ---------------------------------------------------------------- robustness

TEST(Parser, DeepNesting) {
  for (const char* open : {"[", "(", "{\"a\": ", "f(", "x[", "[x | ", "$\"{", "every x in y { "}) {
    std::string s;
    for (int i = 0; i < 10000; ++i) s += open;
    Errors errs = ErrorsOf(s, Mode::Query);
    ASSERT_FALSE(errs.empty()) << open;
    EXPECT_EQ(errs[0].message, "max parsing recursion depth exceeded") << open;
  }
  // Long operator chains nest too (left-deep trees).
  std::string chain = "1";
  for (int i = 0; i < 20000; ++i) chain += " + 1";
  EXPECT_EQ(ErrorsOf(chain, Mode::Query)[0].message, "max parsing recursion depth exceeded");
  // Within the bound, deep nesting parses.
  std::string ok = std::string(400, '[') + std::string(400, ']');
  EXPECT_EQ(parse_term(Src(ok))->kind, TermKind::Array);
  // The bound is configurable.
  ParseOptions o;
  o.max_depth = 5;
  EXPECT_THROW(parse_query(Src("[[[[[[[1]]]]]]]"), o), RegoErrors);
}

TEST(Parser, PathologicalBacktracking) {
  // Each level can only be told apart from a comprehension at its comma: stays fast (terms are cached).
  std::string s;
  for (int i = 0; i < 200; ++i) s += "{a | ";
  s += "a";
  for (int i = 0; i < 200; ++i) s += ", b}";
  auto t = parse_term(Src(s));
  EXPECT_EQ(t->kind, TermKind::Set);
}

const char* kSample =
    "# METADATA\n# title: x\npackage a.b[\"c\"]\nimport rego.v1\nimport data.x as y\n"
    "default allow := false\n"
    "allow if {\n  some x in input.xs\n  x.y == \"z\\u00e9\"\n  not deny[x]\n  count([v | v := x.w[_]; v > 1.5e3]) < 10\n"
    "  every k, v in x.m { k != v }\n  f(x) with input.a as {\"b\": set()}\n}\n"
    "deny contains m if { m := $\"bad {input.u} \\{}\"; `raw` != m }\n"
    "f(a, _) := b if { b := a * -2 % 3 | 1 & 2 } else := 0\n"
    "o[k] := {k: v | some k, v in input} if true\n";

TEST(Parser, SampleParses) {
  auto m = Mod(kSample);
  EXPECT_EQ(m.rules.size(), 5u);
}

TEST(Parser, TruncatedInputNeverCrashes) {
  std::string s = kSample;
  for (size_t n = 0; n <= s.size(); ++n) {
    try {
      Mod(s.substr(0, n));
    } catch (const RegoErrors& e) {
      ASSERT_FALSE(e.errors().empty());
      for (auto& err : e.errors()) {
        EXPECT_EQ(err.code, "rego_parse_error");
        EXPECT_LE(err.location.offset, n);
      }
    }
  }
}

TEST(Parser, MangledInputNeverCrashes) {
  std::mt19937 rng(42);
  const std::string alphabet = "{}[]()\"`$:=,;.|&+-*/%<>! \n\t#_aifn0123456789\\\xC3\xA9\xff";
  std::string base = kSample;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string s = base;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t pos = rng() % (s.size() + 1);
      char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0: s.insert(pos, 1, c); break;
        case 1: if (pos < s.size()) s.erase(pos, 1); break;
        default: if (pos < s.size()) s[pos] = c; break;
      }
    }
    try {
      Mod(s, iter % 2 == 1);
    } catch (const RegoErrors& e) {
      ASSERT_FALSE(e.errors().empty());
    }
  }
}

}  // namespace
}  // namespace rego

// `import rego.v2` (newer OPA) brings negated bodies: `not { a; b }`.
TEST(Parser, NegatedBodyUnderRegoV2) {
  auto src = std::make_shared<rego::SourceFile>(
      rego::SourceFile{"t.rego", "package p\nimport rego.v2\np if {\n\tnot { input.a; input.b }\n}\n"});
  rego::ast::Module m = rego::parse_module(src);
  ASSERT_EQ(m.rules.size(), 1u);
  const auto& e = m.rules[0]->body.at(0);
  EXPECT_TRUE(e.negated);
  ASSERT_EQ(e.terms.at(0)->kind, rego::ast::TermKind::Call);
  EXPECT_EQ(e.terms[0]->name, "gt");
}
