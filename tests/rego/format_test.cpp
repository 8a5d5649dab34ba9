// The formatter (rego/format.h): exact output for representative modules, as `opa fmt` prints them.
#include "rego/format.h"

#include <gtest/gtest.h>

namespace rego {
namespace {

std::string Fmt(const std::string& text) {
  return format_module(std::make_shared<SourceFile>(SourceFile{"test.rego", text}));
}

// Formats `in`, expects `want`, and expects `want` to be a fixed point.
void Expect(const std::string& in, const std::string& want) {
  EXPECT_EQ(Fmt(in), want);
  EXPECT_EQ(Fmt(want), want) << "not idempotent";
}

TEST(Format, PackageImportsSortedWithinGroups) {
  Expect("package   a.b\nimport data.z\nimport input.x as y   # why\nimport data.a\n\nimport future.keywords.in\n",
         "package a.b\n\nimport data.a\nimport data.z\nimport input.x as y # why\n\nimport future.keywords.in\n");
}

TEST(Format, PackagePathQuoting) {
  Expect("package a[\"b-c\"].d\n", "package a[\"b-c\"].d\n");
}

TEST(Format, RulesIfContainsAssign) {
  Expect("package p\np = 1\nq contains x if { some x in [1,2] }\nr[k] = v if { some k, v in {\"a\": 1} }\n",
         "package p\n\np := 1\nq contains x if some x in [1, 2]\nr[k] := v if some k, v in {\"a\": 1}\n");
}

TEST(Format, AdjacentOneLinersStayGrouped) {
  Expect("package p\na := 1\nb := 2\n\nc := 3\n", "package p\n\na := 1\nb := 2\n\nc := 3\n");
}

TEST(Format, BodiesAndBlankLines) {
  Expect("package p\nallow if {\n  input.user == \"alice\"\n\n\n  count(input.items)>0\n}\n",
         "package p\n\nallow if {\n\tinput.user == \"alice\"\n\n\tcount(input.items) > 0\n}\n");
}

TEST(Format, SingleExpressionBodyOnHeadRowStaysInline) {
  Expect("package p\nf(x) = y if { y := x+1*2 }\ng(x) := true if x > 1\n",
         "package p\n\nf(x) := y if y := x + (1 * 2)\ng(x) if x > 1\n");
}

TEST(Format, DefaultAndFunctions) {
  Expect("package p\ndefault allow := false\nf(x, y) := z if {\n  z := x * y\n}\n",
         "package p\n\ndefault allow := false\n\nf(x, y) := z if {\n\tz := x * y\n}\n");
}

TEST(Format, ElseChains) {
  Expect("package p\nv := 1 if {\n  input.a\n} else := 2 if {\n  input.b\n} else := 3\n",
         "package p\n\nv := 1 if {\n\tinput.a\n} else := 2 if {\n\tinput.b\n} else := 3\n");
  Expect("package p\nf(x) := 1 if {\n  x > 1\n}\n\nelse := 2\n", "package p\n\nf(x) := 1 if {\n\tx > 1\n}\n\nelse := 2\n");
}

TEST(Format, Comprehensions) {
  Expect("package p\nr := [x | some x in input.xs; x > 1]\ns := {x: y |\n  some x, y in input.m\n}\nt := {x | x := 1}\n",
         "package p\n\nr := [x | some x in input.xs; x > 1]\ns := {x: y |\n\tsome x, y in input.m\n}\n\n"
         "t := {x | x := 1}\n");
}

TEST(Format, CollectionsMultiLineWhenSourceWas) {
  Expect("package p\nobj := {\n  \"a\": 1, \"b\": 2,\n  \"c\": [1,\n   2]}\nk := {1, 2}\ne := set()\n",
         "package p\n\nobj := {\n\t\"a\": 1, \"b\": 2,\n\t\"c\": [\n\t\t1,\n\t\t2,\n\t],\n}\n\nk := {1, 2}\ne := set()\n");
}

TEST(Format, EveryAndSome) {
  Expect("package p\ne if {\n  every x in [1,2] { x > 0 }\n  every k, v in {\"a\": 1} {\n    k == \"a\"\n    v == 1\n  }\n  some y\n  y = 1\n}\n",
         "package p\n\ne if {\n\tevery x in [1, 2] { x > 0 }\n\tevery k, v in {\"a\": 1} {\n\t\tk == \"a\"\n\t\tv == 1\n\t}\n"
         "\tsome y\n\ty = 1\n}\n");
}

TEST(Format, WithModifiers) {
  Expect("package p\nw if { allow with input as {\"u\": 1} with data.b as 1 }\n"
         "x if {\n  allow with input as 1\n    with data.c as 2\n}\n",
         // OPA groups a rule with the next when both have at most one body expression and sit on adjacent rows.
         "package p\n\nw if allow with input as {\"u\": 1} with data.b as 1\n"
         "x if {\n\tallow with input as 1\n\t\twith data.c as 2\n}\n");
}

TEST(Format, LiteralsAsWritten) {
  Expect("package p\nraw := `a\\b`\nn := 1.50e3\ns := \"\\u0041\"\nz := -1\nt if not deny\n",
         "package p\n\nraw := `a\\b`\nn := 1.50e3\ns := \"\\u0041\"\nz := -1\nt if not deny\n");
}

TEST(Format, RefsNormalized) {
  Expect("package p\nx := input[\"a\"][\"b-c\"][y] if { y := 1 }\n",
         "package p\n\nx := input.a[\"b-c\"][y] if y := 1\n");
}

TEST(Format, MembershipParenthesizedInLists) {
  // `k, v in xs` needs parens in a comma list, `v in xs` does not (the parser reads them apart).
  Expect("package p\nx := [1, (1 in [2])]\ny := 1 in [1]\nz := {(1, 2 in [2])}\nw if f((1, 2 in [2]))\n",
         "package p\n\nx := [1, 1 in [2]]\ny := 1 in [1]\nz := {(1, 2 in [2])}\nw if f((1, 2 in [2]))\n");
}

TEST(Format, CommentsKeptInPlace) {
  Expect("# head\npackage p\n\n# about allow\nallow if {\n  # inside\n  true # trailing\n  # before close\n}\n# end\n",
         "# head\npackage p\n\n# about allow\nallow if {\n\t# inside\n\ttrue # trailing\n\t# before close\n}\n\n# end\n");
}

TEST(Format, CommentsStayOutOfBracelessBodies) {
  // The body below has no braces: the comment before the next rule must not be pulled into it.
  Expect("package p\nallow if\n  input.x\n\n# about deny\ndeny if {\n  s := `}{`\n  # before close\n}\n",
         "package p\n\nallow if {\n\tinput.x\n}\n\n# about deny\ndeny if {\n\ts := `}{`\n\t# before close\n}\n");
}

TEST(Format, CollectionWithCommentsOnOneElementRowIsKeptVerbatim) {
  // One element row, but a comment inside: OPA writes the source text as it is; the comment appears once.
  Expect("package p\nx := {\"a\": [ # c\n  # d\n  1]} # e\n", "package p\n\nx := {\"a\": [ # c\n  # d\n  1]} # e\n");
}

TEST(Format, MetadataBlocksKept) {
  Expect("# METADATA\n# title: pkg\npackage p\n\n# METADATA\n# title: allow\n# description: yes\nallow := true\n",
         "# METADATA\n# title: pkg\npackage p\n\n# METADATA\n# title: allow\n# description: yes\nallow := true\n");
}

TEST(Format, TwoTermHeadsKeepBracketsUnlessRefHeadsAreUsed) {
  Expect("package p\nobj.x := 1\nobj[\"y\"] := 2\n", "package p\n\nobj[\"x\"] := 1\nobj[\"y\"] := 2\n");
  Expect("package p\na.b.c := 1\nobj[\"y\"] := 2\n", "package p\n\na.b.c := 1\nobj.y := 2\n");
}

TEST(Format, SomeDeclarationKeepsRows) {
  Expect("package p\nv if {\n  some a, b, # c1\n    c\n  a = b\n}\n",
         "package p\n\nv if {\n\tsome a, b, # c1\n\t\tc\n\ta = b\n}\n");
}

TEST(Format, ObjectComprehensionKeyPulledUp) {
  Expect("package p\nx := {\n  k: v | some k, v in input\n}\n", "package p\n\nx := {k: v |\n\tsome k, v in input\n}\n");
}

TEST(Format, ParseErrorsThrow) { EXPECT_THROW(Fmt("package p\nallow if {\n"), RegoErrors); }

}  // namespace
}  // namespace rego
