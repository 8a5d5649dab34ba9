// Running test rules (see test_runner.h).
#include "cli/test_runner.h"

#include <re2/re2.h>

namespace trex::cli {
namespace {

TestResult run_one(const rego::CompiledPolicy& policy, const rego::Value& data, const rego::TestRule& test,
                   const std::string& file, const RunOptions& opts) {
  TestResult r;
  r.file = file;
  r.row = test.location.row;
  r.col = test.location.col;
  r.package = test.package;
  r.name = test.name;
  if (test.skip) {
    r.skip = true;
    return r;
  }

  rego::BufferTracer buffer;
  rego::QueryOptions qopts;
  // OPA's print hook writes each print() call's text followed by a newline.
  qopts.print = [&r](const std::string& line) {
    r.output += line;
    if (line.empty() || line.back() != '\n') r.output += '\n';
  };
  if (opts.coverage) qopts.tracer = opts.coverage;
  else if (opts.trace) qopts.tracer = &buffer;

  const auto start = std::chrono::steady_clock::now();
  qopts.deadline = start + opts.timeout;
  rego::QueryResult result = rego::evaluate(policy, data, test.query, qopts);
  r.duration_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();

  if (!result.errors.empty()) {
    r.error = std::move(result.errors);
    // The only cancellation here is the per-test deadline; OPA reports its context's error, without location.
    for (auto& e : r.error)
      if (e.code == rego::code::kCancel) e = rego::Error{e.code, "context deadline exceeded", {}};
  } else if (result.rows.empty() || result.rows[0].expressions.empty()) {
    r.fail = true;
  } else {
    const rego::Value& v = result.rows[0].expressions[0].value;
    r.fail = !(v.is_boolean() && v.as_bool());
  }

  if (qopts.tracer == &buffer) {
    r.trace = opts.explain ? rego::filter_trace(buffer.events, *opts.explain)
                           : rego::filter_lineage(buffer.events, [](const rego::TraceEvent& e) {
                               return e.op == rego::TraceOp::Note || e.op == rego::TraceOp::Fail;
                             });
  }
  return r;
}

}  // namespace

void run_tests(const rego::CompiledPolicy& policy, const rego::Value& data,
               const std::vector<rego::ModuleOutline>& modules, const RunOptions& opts,
               const std::function<void(TestResult&&)>& on_result) {
  for (const auto& m : modules) {
    for (const auto& test : m.tests) {
      if (opts.filter && !re2::RE2::PartialMatch(test.query, *opts.filter)) continue;
      on_result(run_one(policy, data, test, m.file, opts));
    }
  }
}

}  // namespace trex::cli
