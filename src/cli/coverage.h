// trex test --coverage: OPA's cover package. A tracer records the rows evaluation reached (an expression
// evaluated, a rule that produced a value: OPA's Eval and Exit events); the report sets them against the rows
// of every rule head and expression of the modules (rego/outline.h) and prints OPA's JSON:
//   {"files": {file: {"covered": [{"start": {"row"}, "end": {"row"}}], "not_covered": [...],
//    "covered_lines", "not_covered_lines", "coverage"}}, "covered_lines", "not_covered_lines", "coverage"}
// with empty members left out of a file's entry, as Go's omitempty does.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "rego/outline.h"
#include "rego/trace.h"

namespace trex::cli {

class CoverageTracer : public rego::Tracer {
 public:
  void event(rego::TraceEvent&& e) override;
  const std::map<std::string, std::set<uint32_t>>& hits() const { return hits_; }

 private:
  std::map<std::string, std::set<uint32_t>> hits_;
};

struct CoverageRange {
  uint32_t start = 0;
  uint32_t end = 0;
};

struct FileCoverage {
  std::vector<CoverageRange> covered;
  std::vector<CoverageRange> not_covered;
  int covered_lines = 0;
  int not_covered_lines = 0;
  double coverage = 0;
};

struct CoverageReport {
  std::map<std::string, FileCoverage> files;
  int covered_lines = 0;
  int not_covered_lines = 0;
  double coverage = 0;
};

CoverageReport coverage_report(const CoverageTracer& tracer, const std::vector<rego::ModuleOutline>& modules);

// The report as Go's json.Encoder with two-space indentation writes it (ending in a newline).
std::string coverage_json(const CoverageReport& report);

// OPA's CoverageThresholdError text: "Code coverage threshold not met: got 66.67 instead of 80.00", and with
// details (-v) "\nLines not covered:" and "\n\tfile:row" / "\n\tfile:start-end" per range.
std::string threshold_error(const CoverageReport& report, double threshold, bool details);

}  // namespace trex::cli
