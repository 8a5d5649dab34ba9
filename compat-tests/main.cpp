// trex-compat: runs OPA's YAML compliance cases against the trex engine.
//
//   trex-compat [--report FILE.json] [--list-passing FILE] [--filter SUBSTR] [--verbose] [--no-fork]
//               [--timeout SECONDS] [--general-evaluation] [--projected-input] DIR_OR_FILE...
//
// --general-evaluation runs every expression through the evaluator's general path (no in-place forms,
// QueryOptions::general_evaluation), so both paths are held to OPA's expected results. --projected-input
// reads each case's input as the server's Data API reads a request body, pruned to the part the policy's rules
// read (compat::RunMode::projected_input), so that pruning is held to them too.
//
// Every *.yaml / *.yml below the given paths is read as a case file. Cases under a folder named v0 run in
// Rego v0 mode. Each case runs isolated (see isolate.h). Exit status: 0 when every case ran passed or was
// skipped, 1 when any failed, 2 on usage errors.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "isolate.h"
#include "report.h"
#include "run_case.h"
#include "test_case.h"

namespace fs = std::filesystem;

namespace {

struct Options {
  std::string report;
  std::string list_passing;
  std::string filter;
  bool verbose = false;
  bool fork = true;
  compat::RunMode mode;
  compat::Deadlines deadlines;
  std::vector<std::string> paths;
};

void usage(std::ostream& out) {
  out << "usage: trex-compat [--report FILE.json] [--list-passing FILE] [--filter SUBSTR] [--verbose]\n"
         "                   [--no-fork] [--timeout SECONDS] [--general-evaluation] [--projected-input] DIR_OR_FILE...\n"
         "Runs OPA's YAML compliance cases (*.yaml, *.yml, searched recursively) against trex.\n"
         "Case ids are <path below the given root>::<note>; cases below a folder named v0 run as Rego v0\n"
         "and their ids start with v0/.\n";
}

bool parse_args(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        std::cerr << "trex-compat: " << name << " needs a value\n";
        return nullptr;
      }
      return argv[++i];
    };
    if (a == "--report") {
      const char* v = value("--report");
      if (!v) return false;
      o.report = v;
    } else if (a == "--list-passing") {
      const char* v = value("--list-passing");
      if (!v) return false;
      o.list_passing = v;
    } else if (a == "--filter") {
      const char* v = value("--filter");
      if (!v) return false;
      o.filter = v;
    } else if (a == "--timeout") {
      const char* v = value("--timeout");
      if (!v) return false;
      try {
        o.deadlines.soft_seconds = std::max(1, std::stoi(v));
      } catch (const std::exception&) {
        std::cerr << "trex-compat: --timeout needs a number of seconds\n";
        return false;
      }
      o.deadlines.hard_seconds = o.deadlines.soft_seconds * 3;
    } else if (a == "--verbose" || a == "-v") {
      o.verbose = true;
    } else if (a == "--no-fork") {
      o.fork = false;
    } else if (a == "--general-evaluation") {
      o.mode.general_evaluation = true;
    } else if (a == "--projected-input") {
      o.mode.projected_input = true;
    } else if (a == "--help" || a == "-h") {
      usage(std::cout);
      std::exit(0);
    } else if (a.size() > 1 && a[0] == '-') {
      std::cerr << "trex-compat: unknown flag " << a << "\n";
      return false;
    } else {
      o.paths.push_back(a);
    }
  }
  if (o.paths.empty()) {
    std::cerr << "trex-compat: give at least one directory or file of cases\n";
    return false;
  }
  return true;
}

bool is_case_file(const fs::path& p) {
  auto ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml";
}

// All case files of one path, sorted so runs (and reports) are reproducible.
bool collect(const std::string& path, std::string& root, std::vector<std::string>& files) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    fs::path parent = fs::path(path).parent_path();
    root = (parent.empty() ? fs::path(".") : parent).string();
    files.push_back(path);
    return true;
  }
  if (!fs::is_directory(path, ec)) {
    std::cerr << "trex-compat: no such file or directory: " << path << "\n";
    return false;
  }
  root = path;
  for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && is_case_file(it->path())) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options opts;
  if (!parse_args(argc, argv, opts)) {
    usage(std::cerr);
    return 2;
  }

  std::vector<compat::TestCase> cases;
  for (const auto& path : opts.paths) {
    std::string root;
    std::vector<std::string> files;
    if (!collect(path, root, files)) return 2;
    for (const auto& file : files) {
      for (auto& tc : compat::load_cases(root, file)) {
        if (!opts.filter.empty() && tc.id.find(opts.filter) == std::string::npos) continue;
        cases.push_back(std::move(tc));
      }
    }
  }

  const auto start = std::chrono::steady_clock::now();
  std::vector<compat::CaseResult> results;
  results.reserve(cases.size());
  for (const auto& tc : cases) {
    compat::CaseFn fn = [&tc, &opts](const std::atomic<bool>* cancel) {
      return compat::run_case(tc, cancel, opts.mode);
    };
    compat::Outcome out = opts.fork ? compat::run_forked(fn, opts.deadlines) : compat::run_in_process(fn, opts.deadlines);
    results.push_back({&tc, std::move(out)});
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  int status = 0;
  std::string error;
  if (!opts.report.empty() && !compat::write_report(opts.report, results, error)) {
    std::cerr << "trex-compat: " << error << "\n";
    status = 2;
  }
  if (!opts.list_passing.empty() && !compat::write_passing(opts.list_passing, results, error)) {
    std::cerr << "trex-compat: " << error << "\n";
    status = 2;
  }
  std::cout << cases.size() << " cases in " << static_cast<int>(seconds * 1000) / 1000.0 << " s\n";
  compat::print_summary(std::cout, results, opts.verbose);
  if (status != 0) return status;
  return compat::count(results).failed == 0 ? 0 : 1;
}
