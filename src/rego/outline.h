// What tooling needs to know of parsed modules without evaluating them: the test rules `trex test` runs and
// the source rows coverage reports on (OPA's tester and cover packages).
//
// Test rules follow OPA's tester: a rule is a test when a name in its head's ground prefix starts with
// "test_" (skipped when it starts with "todo_test_"); its name is the head ref up to that term. As OPA's
// runner does, the second and later definitions of one test in one package are renamed "test_x#01",
// "test_x#02", ... (CompileOptions::rename_duplicate_tests applies the same renaming when compiling), so each
// definition runs and reports on its own. Modules are parsed here, never evaluated; nothing here does I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rego/engine.h"
#include "rego/error.h"

namespace rego {

struct TestRule {
  std::string package;  // OPA's package path string: data.a.b, data.a["b-c"]
  std::string name;     // the head ref up to the test name: test_x, a.test_x, test_x#01
  std::string query;    // the query evaluating just this definition: data.a.b.test_x, data.a.b["test_x#01"]
  bool skip = false;    // todo_test_*
  Location location;    // the rule's
};

struct ModuleOutline {
  std::string file;
  std::vector<TestRule> tests;       // in source order
  // Rows coverage counts as not covered when no evaluation reached them (OPA's cover.Report): every rule's
  // head row (else branches included) and the row of every expression, nested ones too, except `some`
  // declarations. Unsorted, may repeat.
  std::vector<uint32_t> rule_rows;
  std::vector<uint32_t> expr_rows;
};

// One outline per module, in the order given. Parse errors are returned through `errors` (the outlines of
// modules that parsed are still returned).
std::vector<ModuleOutline> outline_modules(const std::vector<ModuleText>& modules, const CompileOptions& opts,
                                           Errors& errors);

}  // namespace rego

namespace rego::ast {
struct Module;
// OPA's rewriteDuplicateTestNames over parsed modules, in order (engine.cpp when rename_duplicate_tests).
void rename_duplicate_tests(std::vector<Module>& modules);
}  // namespace rego::ast
