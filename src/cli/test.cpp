// trex test: run the Rego unit tests (rules named test_*) found in files and directories, as `opa test`.
//
// Exit codes are OPA's: 0 when every test passed; 2 when a test failed, errored or was skipped (skipped tests
// exit 0 with -z), and when coverage is below --threshold; 1 when files do not load or compile, the --run
// expression is invalid, --fail-on-empty found no test, or (with --coverage) a test failed or errored.
// Command-line usage errors exit 2, as in every trex verb.
#include <re2/re2.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/coverage.h"
#include "cli/output.h"
#include "cli/test_report.h"
#include "cli/test_runner.h"
#include "load/files.h"
#include "rego/engine.h"
#include "rego/outline.h"
#include "server/storage_path.h"

namespace trex::cli {
namespace {

const char* kUsage =
    "usage: trex test [flags] <path> [path ...]\n"
    "\n"
    "Runs every rule whose name starts with test_ in the .rego files found in the paths (directories\n"
    "recursively, with .json and .yaml files as data); rules named todo_test_* are reported as skipped.\n"
    "\n"
    "  -v, --verbose              print every test's result, print() output and the trace of failures\n"
    "  -r, --run REGEX            run only tests whose path (data.pkg.test_name) matches REGEX\n"
    "  -f, --format FORMAT        pretty (default) or json\n"
    "  -c, --coverage             print OPA's coverage report (JSON) instead of the test results\n"
    "      --threshold PERCENT    exit 2 when coverage is below PERCENT (0-100; implies --coverage)\n"
    "      --timeout DURATION     per-test timeout, Go's duration syntax (default 5s)\n"
    "      --fail-on-empty        exit 1 when no test ran\n"
    "  -z, --exit-zero-on-skipped skipped tests do not make the exit status non-zero\n"
    "      --explain MODE         trace failures: fails, full, notes, debug (implies --verbose)\n"
    "  -b, --bundle               load the paths as bundles (.tar.gz files or directories)\n"
    "      --v0-compatible        parse the files as Rego v0\n"
    "      --v1-compatible        parse the files as Rego v1 (the default)\n";

const std::vector<FlagSpec> kFlags = {
    {{"--help", "-h"}, false},
    {{"--verbose", "-v"}, false},
    {{"--run", "-r"}, true},
    {{"--format", "-f"}, true},
    {{"--coverage", "-c"}, false},
    {{"--threshold"}, true},
    {{"--timeout"}, true},
    {{"--fail-on-empty"}, false},
    {{"--exit-zero-on-skipped", "-z"}, false},
    {{"--explain"}, true},
    {{"--bundle", "-b"}, false},
    {{"--v0-compatible"}, false},
    {{"--v1-compatible"}, false},
};

// OPA's loader.Errors text (load and parse errors both come from OPA's loader).
std::string loading_errors_text(const rego::Errors& errors) {
  if (errors.size() == 1) return "1 error occurred during loading: " + errors[0].to_string() + "\n";
  std::string out = std::to_string(errors.size()) + " errors occurred during loading:\n";
  for (const auto& e : errors) out += e.to_string() + "\n";
  return out;
}

struct Settings {
  bool verbose = false;
  bool coverage = false;
  bool skip_exit_zero = false;
  double threshold = 0;
};

// --coverage: OPA's JSONCoverageReporter. Failures and errors replace the report; coverage below the
// threshold is an error of its own (exit 2).
int report_coverage(const std::vector<TestResult>& results, const CoverageTracer& tracer,
                    const std::vector<rego::ModuleOutline>& modules, const Settings& s, int exit_code) {
  std::vector<TestResult> failures;
  for (const auto& r : results) {
    if (!r.error.empty()) {
      std::cerr << error_text(r.error) << "\n";
      return kExitFailed;
    }
    if (r.fail) failures.push_back(r);
  }
  if (!failures.empty()) {
    PrettyReporter pretty(std::cout, s.verbose);
    for (const auto& f : failures) pretty.add(f);
    pretty.finish();
    std::cerr << result_line(failures.front()) << "\n\n";
    return kExitFailed;
  }
  const CoverageReport report = coverage_report(tracer, modules);
  if (report.coverage < s.threshold) {
    std::cerr << threshold_error(report, s.threshold, s.verbose) << "\n";
    return kExitUsage;  // OPA's exit status for a missed threshold is 2, as for failing tests
  }
  std::cout << coverage_json(report);
  return exit_code;
}

}  // namespace

int run_test(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_flags(argv, kFlags);
  if (!args.error.empty()) return usage_error("test", args.error, kUsage);
  if (args.has("--help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (args.positional.empty()) return usage_error("test", "specify at least one file", kUsage);

  Settings s;
  s.verbose = args.has("--verbose") || args.has("--explain");
  s.coverage = args.has("--coverage");
  s.skip_exit_zero = args.has("--exit-zero-on-skipped");
  const std::string format = args.last("--format", "pretty");
  if (format == "gobench") {
    // As OPA: gobench is only for --bench, which trex does not have.
    std::cerr << "cannot use output format gobench without running benchmarks (--bench)\n";
    return kExitOk;
  }
  if (format != "pretty" && format != "json")
    return usage_error("test", "invalid --format " + format + " (pretty, json)", kUsage);

  std::optional<rego::ExplainMode> explain;
  if (args.has("--explain")) {
    explain = rego::parse_explain_mode(args.last("--explain"));
    if (!explain || *explain == rego::ExplainMode::Off)
      return usage_error("test", "invalid --explain " + args.last("--explain") + " (fails, full, notes, debug)",
                         kUsage);
  }
  if (args.has("--threshold")) {
    try {
      size_t used = 0;
      const std::string t = args.last("--threshold");
      s.threshold = std::stod(t, &used);
      if (used != t.size()) throw std::invalid_argument(t);
    } catch (const std::exception&) {
      return usage_error("test", "invalid --threshold " + args.last("--threshold"), kUsage);
    }
    if (!(s.threshold >= 0 && s.threshold <= 100)) {
      std::cerr << "Code coverage threshold must be between 0 and 100\n";
      return kExitFailed;
    }
    if (s.threshold > 0) s.coverage = true;
  }
  RunOptions ropts;
  if (args.has("--timeout")) {
    int64_t ns = 0;
    if (!parse_go_duration(args.last("--timeout"), ns) || ns < 0)
      return usage_error("test", "invalid --timeout " + args.last("--timeout") + " (e.g. 10s, 1m, 500ms)", kUsage);
    if (ns > 0) ropts.timeout = std::chrono::nanoseconds(ns);  // 0 = unset: OPA's 5s
  }
  const bool v0 = args.has("--v0-compatible");
  const bool bundles = args.has("--bundle");

  load::LoadOptions lopts;
  lopts.v0_compatible = v0;
  lopts.as_bundles = bundles;
  load::Loaded loaded = load::load_paths(args.positional, lopts);
  if (!loaded.errors.empty()) {
    std::cerr << loading_errors_text(loaded.errors);
    return kExitFailed;
  }
  rego::CompileOptions copts;
  copts.v0_compatible = v0;
  copts.rename_duplicate_tests = true;
  rego::Errors parse_errors;
  const std::vector<rego::ModuleOutline> outlines = rego::outline_modules(loaded.modules, copts, parse_errors);
  if (!parse_errors.empty()) {
    std::cerr << loading_errors_text(parse_errors);
    return kExitFailed;
  }

  std::unique_ptr<re2::RE2> filter;
  if (args.has("--run") && !args.last("--run").empty()) {
    filter = std::make_unique<re2::RE2>(args.last("--run"), re2::RE2::Quiet);
    if (!filter->ok()) {
      std::cerr << "error parsing regexp: " << filter->error() << "\n";
      return kExitFailed;
    }
    ropts.filter = filter.get();
  }

  auto compiled = rego::compile(loaded.modules, copts);
  if (compiled.policy) {
    // OPA's test compiler checks rules against the loaded data (WithPathConflictsCheck), as the server does.
    compiled.errors = rego::check_path_conflicts(*compiled.policy, [&](const std::vector<std::string>& path) {
      return server::storage_non_empty(loaded.data, path);
    });
  }
  if (!compiled.errors.empty() || !compiled.policy) {
    std::cerr << errors_text(compiled.errors);
    return kExitFailed;
  }

  // Modules in file-name order, tests in source order. (OPA runs them in parallel and reports modules in
  // whatever order they finish.)
  std::vector<rego::ModuleOutline> ordered = outlines;
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.file < b.file; });

  CoverageTracer cover;
  if (s.coverage) ropts.coverage = &cover;
  ropts.trace = s.verbose && !s.coverage;
  ropts.explain = explain;

  int exit_code = kExitOk;
  size_t ran = 0;
  std::vector<TestResult> results;
  PrettyReporter pretty(std::cout, s.verbose);
  const bool stream = !s.coverage && format == "pretty";
  run_tests(*compiled.policy, loaded.data, ordered, ropts, [&](TestResult&& r) {
    ++ran;
    if (!r.pass() && !(r.skip && s.skip_exit_zero)) exit_code = kExitUsage;  // OPA's 2 for failed tests
    if (stream) pretty.add(r);
    else results.push_back(std::move(r));
  });

  if (s.coverage) {
    // As OPA, which passes the cover reporter the modules it loaded from paths and none in bundle mode: with
    // --bundle, only covered lines are reported.
    const int code = report_coverage(results, cover, bundles ? std::vector<rego::ModuleOutline>{} : outlines, s,
                                     exit_code);
    if (code != exit_code) return code;
  } else if (stream) {
    pretty.finish();
  } else {
    std::cout << json_report(results);
  }

  if (ran == 0 && args.has("--fail-on-empty")) {
    std::cerr << "no tests were run\n";
    return kExitFailed;
  }
  return exit_code;
}

}  // namespace trex::cli
