// Running one compliance case against the engine and judging the outcome as OPA's runner does.
#pragma once

#include <atomic>
#include <string>

#include "test_case.h"

namespace compat {

enum class Status { Pass, Fail, Skip };

struct Outcome {
  Status status = Status::Fail;
  std::string detail;  // one line: why it failed (empty on pass)
};

const char* status_name(Status s);

// Ways to run the cases other than the default, each held to the same expected results.
struct RunMode {
  // Evaluate without the evaluator's in-place forms (QueryOptions::general_evaluation).
  bool general_evaluation = false;
  // Read the case's input as the Data API reads a request body: written as {"input": ...} and parsed back
  // pruned to the part the policy's rules read (rego::request_projection). Only where that changes nothing
  // else: not when the query itself names input (a query may read any of it), not for inputs given as Rego
  // terms or that JSON cannot carry unchanged.
  bool projected_input = false;
};

// Compiles the case's modules, evaluates its query and compares. Never throws. `cancel` (may be null) is
// handed to the engine so a watchdog can stop a runaway evaluation.
Outcome run_case(const TestCase& tc, const std::atomic<bool>* cancel, const RunMode& mode = {});

}  // namespace compat
