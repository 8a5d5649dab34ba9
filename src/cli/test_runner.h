// trex test's runner: evaluates each test rule as its own query and classifies the outcome as OPA's
// tester.Runner does (pass = exactly `true`; undefined or any other value = FAIL; an evaluation error = ERROR;
// todo_test_* = SKIPPED without evaluating). Knows nothing of output formats (test_report.h does that).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rego/engine.h"
#include "rego/outline.h"
#include "rego/trace.h"

namespace re2 {
class RE2;
}

namespace trex::cli {

struct TestResult {
  std::string file;
  uint32_t row = 0;
  uint32_t col = 0;
  std::string package;  // data.a.b
  std::string name;     // test_x
  int64_t duration_ns = 0;
  bool fail = false;
  bool skip = false;
  rego::Errors error;   // non-empty = ERROR
  std::string output;   // print() output, each call ending in a newline
  rego::Trace trace;    // the filtered trace (verbose or --explain), empty otherwise

  bool pass() const { return !fail && !skip && error.empty(); }
  std::string full_name() const { return package + "." + name; }
};

struct RunOptions {
  const re2::RE2* filter = nullptr;  // --run: only tests whose full path (data.pkg.test_x) matches
  std::chrono::nanoseconds timeout = std::chrono::seconds(5);  // per test, as OPA's default
  // Keep each test's trace, filtered: by `explain` when set, else notes and failures (`opa test -v`).
  bool trace = false;
  std::optional<rego::ExplainMode> explain;
  // Receives every test's events (coverage). As in OPA, it replaces tracing for the failure report.
  rego::Tracer* coverage = nullptr;
};

// Runs the tests of every module, modules in the order given and tests in source order, calling on_result
// as each finishes.
void run_tests(const rego::CompiledPolicy& policy, const rego::Value& data,
               const std::vector<rego::ModuleOutline>& modules, const RunOptions& opts,
               const std::function<void(TestResult&&)>& on_result);

}  // namespace trex::cli
