// Running one case so that nothing it does can take the whole run down.
//
// By default each case runs in a forked child: a crash (SIGSEGV, abort, stack overflow) or a hang in the
// engine costs that one case, reported as a failure with the signal or "killed after N s". The child gets a
// soft deadline (the engine's cancel flag is raised, so a well-behaved evaluation stops with
// eval_cancel_error) and the parent a hard one (SIGKILL). In-process mode (for debuggers) keeps only the
// soft deadline, raised by a watchdog thread.
#pragma once

#include <atomic>
#include <functional>

#include "run_case.h"

namespace compat {

using CaseFn = std::function<Outcome(const std::atomic<bool>* cancel)>;

struct Deadlines {
  int soft_seconds = 10;  // raise the cancel flag
  int hard_seconds = 30;  // kill the child (fork mode only)
};

Outcome run_forked(const CaseFn& fn, const Deadlines& d);
Outcome run_in_process(const CaseFn& fn, const Deadlines& d);

}  // namespace compat
