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

// Compiles the case's modules, evaluates its query and compares. Never throws. `cancel` (may be null) is
// handed to the engine so a watchdog can stop a runaway evaluation. general_evaluation: evaluate without the
// evaluator's in-place forms (QueryOptions::general_evaluation).
Outcome run_case(const TestCase& tc, const std::atomic<bool>* cancel, bool general_evaluation = false);

}  // namespace compat
