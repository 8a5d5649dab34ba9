// One compliance case: compile, evaluate, judge (semantics of OPA's topdown/exported_test.go testRun).
#include "run_case.h"

#include <optional>

#include "compare.h"
#include "rego/engine.h"
#include "rego/json.h"

namespace compat {

const char* status_name(Status s) {
  switch (s) {
    case Status::Pass: return "pass";
    case Status::Skip: return "skip";
    case Status::Fail: break;
  }
  return "fail";
}

namespace {

// One line, bounded: details end up in a terminal and in a JSON report.
std::string one_line(std::string s, size_t limit = 600) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (s.size() > limit) {
    s.resize(limit);
    s += "...";
  }
  return s;
}

std::string first_error(const rego::Errors& errs) {
  std::string s = errs.front().to_string();
  if (errs.size() > 1) s += " (+" + std::to_string(errs.size() - 1) + " more)";
  return s;
}

// The value of `input_term` (Rego term text): evaluated as a query against an empty policy.
std::optional<rego::Value> eval_input_term(const TestCase& tc, const std::atomic<bool>* cancel, bool general_evaluation,
                                           std::string& why) {
  rego::CompileOptions copts;
  copts.v0_compatible = tc.v0;
  auto empty = rego::compile({}, copts);
  if (!empty.errors.empty()) {
    why = "compiling an empty policy for input_term: " + first_error(empty.errors);
    return std::nullopt;
  }
  rego::QueryOptions qopts;
  qopts.v0_compatible = tc.v0;
  qopts.cancel = cancel;
  qopts.general_evaluation = general_evaluation;
  // A named variable, not the bare term: a bare `false` would make the expression undefined.
  static const std::string var = "trex_input_term";
  auto result = rego::evaluate(*empty.policy, rego::Value::empty_object(), var + " := (" + *tc.input_term + ")", qopts);
  if (!result.ok()) {
    why = "evaluating input_term: " + first_error(result.errors);
    return std::nullopt;
  }
  if (result.rows.size() != 1) {
    why = "input_term is undefined";
    return std::nullopt;
  }
  for (const auto& [name, value] : result.rows[0].bindings)
    if (name == var) return value;
  why = "input_term produced no binding";
  return std::nullopt;
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// Judges errors against want_error / want_error_code. Returns a failure detail, or nullopt when fine.
std::optional<std::string> judge_errors(const TestCase& tc, const rego::Errors& errs) {
  const bool wants_error = tc.want_error || tc.want_error_code;
  if (errs.empty()) {
    if (wants_error)
      return "want error " + (tc.want_error_code ? *tc.want_error_code + " " : std::string()) +
             (tc.want_error ? "\"" + *tc.want_error + "\" " : std::string()) + "but got success";
    return std::nullopt;
  }
  if (!wants_error) return "unexpected error: " + first_error(errs);
  if (tc.want_error_code && errs.front().code != *tc.want_error_code)
    return "want error code " + *tc.want_error_code + " but got: " + first_error(errs);
  if (tc.want_error) {
    // OPA matches against err.Error(): "file:row: code: message". Accept the bare message too.
    for (const auto& e : errs)
      if (contains(e.to_string(), *tc.want_error) || contains(e.message, *tc.want_error)) return std::nullopt;
    return "want error containing \"" + *tc.want_error + "\" but got: " + first_error(errs);
  }
  return std::nullopt;
}

Outcome judge(const TestCase& tc, const rego::Errors& errs, const std::vector<rego::ResultRow>& rows) {
  if (!tc.want_result && !tc.want_error && !tc.want_error_code)
    return {Status::Fail, "case has none of want_result, want_error_code, want_error"};
  if (!errs.empty() && errs.front().code == rego::code::kCancel)
    return {Status::Fail, "timed out (cancelled): " + first_error(errs)};
  if (auto why = judge_errors(tc, errs)) return {Status::Fail, one_line(*why)};
  if (tc.want_result) {
    std::vector<std::vector<std::pair<std::string, rego::Value>>> bindings;
    bindings.reserve(rows.size());
    for (const auto& row : rows) bindings.push_back(row.bindings);
    rego::Value want = expected_set(*tc.want_result);
    rego::Value got = actual_set(bindings, tc.sort_bindings);
    if (want != got) return {Status::Fail, one_line("want " + brief(want) + " got " + brief(got))};
  }
  return {Status::Pass, ""};
}

// The case's input read back from JSON text pruned to what the policy's rules read (RunMode::projected_input);
// the input itself when the case is not one to prune.
rego::Value projected(const TestCase& tc, const rego::CompiledPolicy& policy, const rego::Value& input) {
  if (tc.query.find("input") != std::string::npos) return input;
  std::string body = "{\"input\":" + rego::json::write(input, {false, false}) + "}";
  auto whole = rego::json::parse(body);
  if (!whole.ok || !whole.value.get("input") || *whole.value.get("input") != input) return input;  // sets, ...
  auto pruned = rego::json::parse(body, rego::request_projection(policy));
  if (!pruned.ok || !pruned.value.get("input")) return rego::Value::string("projection lost the input");
  return *pruned.value.get("input");
}

Outcome run(const TestCase& tc, const std::atomic<bool>* cancel, const RunMode& mode) {
  if (tc.load_error) return {Status::Fail, one_line(*tc.load_error)};
  if (tc.skip) return {Status::Skip, one_line(*tc.skip)};

  std::vector<rego::ModuleText> modules;
  modules.reserve(tc.modules.size());
  for (size_t i = 0; i < tc.modules.size(); ++i)
    modules.push_back({"test-" + std::to_string(i) + ".rego", tc.modules[i]});

  rego::CompileOptions copts;
  copts.v0_compatible = tc.v0;
  auto compiled = rego::compile(modules, copts);
  // OPA's runner requires the modules to compile; an expected error at compile time still counts as the
  // error (the code and message then decide), so a compile error is judged like an evaluation error.
  if (!compiled.errors.empty()) return judge(tc, compiled.errors, {});
  if (!compiled.policy) return {Status::Fail, "compile returned neither a policy nor errors"};

  rego::QueryOptions qopts;
  qopts.v0_compatible = tc.v0;
  qopts.strict_builtin_errors = tc.strict_error;
  qopts.cancel = cancel;
  qopts.general_evaluation = mode.general_evaluation;
  if (tc.input_term) {
    std::string why;
    auto input = eval_input_term(tc, cancel, mode.general_evaluation, why);
    if (!input) return {Status::Fail, one_line(why)};
    qopts.input = std::move(*input);
  } else if (tc.input) {
    qopts.input = mode.projected_input ? projected(tc, *compiled.policy, *tc.input) : *tc.input;
  }

  const rego::Value& data = tc.data ? *tc.data : rego::Value::empty_object();
  auto result = rego::evaluate(*compiled.policy, data, tc.query, qopts);
  return judge(tc, result.errors, result.rows);
}

}  // namespace

Outcome run_case(const TestCase& tc, const std::atomic<bool>* cancel, const RunMode& mode) {
  try {
    return run(tc, cancel, mode);
  } catch (const std::exception& e) {
    return {Status::Fail, one_line(std::string("exception: ") + e.what())};
  } catch (...) {
    return {Status::Fail, "unknown exception"};
  }
}

}  // namespace compat
