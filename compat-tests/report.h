// What a compliance run prints and writes: the per-category summary, the JSON report, the passing list.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "run_case.h"
#include "test_case.h"

namespace compat {

struct CaseResult {
  const TestCase* tc = nullptr;
  Outcome outcome;
};

struct Totals {
  size_t passed = 0, failed = 0, skipped = 0;
  size_t total() const { return passed + failed + skipped; }
};

Totals count(const std::vector<CaseResult>& results);

// Per-category counts, failing ids (with details when verbose), then exactly one final line:
// "compliance: P passed, F failed" (+ ", S skipped" when any were skipped).
void print_summary(std::ostream& out, const std::vector<CaseResult>& results, bool verbose);

// {"total","passed","failed","skipped","cases":[{"id","category","file","note","status","detail"}]}
bool write_report(const std::string& path, const std::vector<CaseResult>& results, std::string& error);

// The ids of the passing cases, sorted, one per line.
bool write_passing(const std::string& path, const std::vector<CaseResult>& results, std::string& error);

}  // namespace compat
