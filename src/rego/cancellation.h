// Cancellation of one query: the caller's flag (QueryOptions::cancel) and its deadline
// (QueryOptions::deadline), checked by the evaluator every so many steps and by built-ins that loop for long on
// their own (numbers.range over a huge span), so that a query under a time limit cannot outlive it inside one
// built-in call. Both sides throw eval_cancel_error, which ends the query (OPA's topdown.Halt).
#pragma once

#include <atomic>
#include <chrono>

namespace rego {

struct Cancellation {
  const std::atomic<bool>* flag = nullptr;           // set by the caller to stop the query; may be null
  std::chrono::steady_clock::time_point deadline{};  // the clock's epoch = no deadline

  // Why the query must stop — "caller cancelled query execution" or "query timed out: …" — or null to go on.
  const char* reason() const {
    if (flag && flag->load(std::memory_order_relaxed)) return "caller cancelled query execution";
    if (deadline != std::chrono::steady_clock::time_point{} && std::chrono::steady_clock::now() > deadline)
      return "query timed out: the evaluation time limit was reached";
    return nullptr;
  }
};

}  // namespace rego
