// trex test's reports, in the shapes of OPA's tester reporters (v1/tester/reporter.go):
//   - pretty: each non-passing test (every test with -v) as "file:row:" and "data.pkg.test_x: FAIL (1.2ms)",
//     print() output indented below it, errors below that; with -v a FAILURES section with each failure's
//     trace; then a line of 80 dashes and the PASS/FAIL/SKIPPED/ERROR counts;
//   - json: the array of results with Go's field names and order (duration in nanoseconds, output base64).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "cli/test_runner.h"

namespace trex::cli {

// Go's time.Duration.String(): "0s", "850ns", "1.417µs", "12.5ms", "1m30.25s".
std::string go_duration(int64_t ns);

// Parses a Go duration ("5s", "1m30s", "250ms", "1.5h"); false when malformed.
bool parse_go_duration(const std::string& text, int64_t& ns);

// Go's base64.StdEncoding (how encoding/json writes a []byte).
std::string base64(const std::string& bytes);

// Streams results as they arrive (OPA prints each test line at once) and the summary at the end.
class PrettyReporter {
 public:
  PrettyReporter(std::ostream& out, bool verbose) : out_(out), verbose_(verbose) {}
  void add(const TestResult& r);
  void finish();

 private:
  std::ostream& out_;
  bool verbose_;
  bool dirty_ = false;
  int pass_ = 0, fail_ = 0, skip_ = 0, errors_ = 0;
  std::string last_file_;
  std::vector<TestResult> failures_;
};

// `data.pkg.test_x: FAIL (1.2ms)` (`: SKIPPED` without a duration), as OPA's Result.String without sub-results.
std::string result_line(const TestResult& r);

// The error as Go's %v prints it: "file:row: code: message", or OPA's "N errors occurred:" list.
std::string error_text(const rego::Errors& errors);

// json.MarshalIndent of OPA's []*tester.Result, ending in a newline.
std::string json_report(const std::vector<TestResult>& results);

}  // namespace trex::cli
