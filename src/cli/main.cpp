// trex: the command-line entry point. Dispatches to one verb per file (eval.cpp, check.cpp, parse.cpp).
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace trex::cli {
namespace {

constexpr const char* kOpaCompat = "1.20.2";

const char* kUsage =
    "usage: trex <command> [flags] [args]\n"
    "\n"
    "trex is a native implementation of Open Policy Agent (Rego v1).\n"
    "\n"
    "commands:\n"
    "  eval      evaluate a Rego query\n"
    "  check     check Rego source files for parse and compile errors\n"
    "  parse     print the AST of a Rego source file as JSON\n"
    "  run       start the OPA-compatible REST API server (run --server)\n"
    "  hsm       provision the decision-log signing token; print its public key\n"
    "  log       verify a signed decision log (log verify)\n"
    "  tre       compile a .tre rule file to Rego (tre compile FILE)\n"
    "  build     build an OPA bundle (.tar.gz), optionally signed\n"
    "  sign      write a .signatures.json for bundles\n"
    "  test      run Rego unit tests (test_* rules)\n"
    "  fmt       format Rego source files\n"
    "  version   print the version\n"
    "\n"
    "Run 'trex <command> --help' for the flags of a command.\n";

int version() {
  std::cout << "Version: " << kTrexVersion << "\n"
            << "Rego: v1 (v0 with --v0-compatible), compatible with OPA " << kOpaCompat << "\n";
  return kExitOk;
}

}  // namespace

int usage_error(const std::string& verb, const std::string& message, const char* usage) {
  std::cerr << "trex " << verb << ": " << message << "\n" << usage;
  return kExitUsage;
}

}  // namespace trex::cli

int main(int argc, char** argv) {
  using namespace trex::cli;
  if (argc < 2) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string verb = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);

  struct Verb {
    const char* name;
    int (*run)(const std::vector<std::string>&);
  };
  static const Verb verbs[] = {{"eval", run_eval}, {"check", run_check}, {"parse", run_parse}, {"run", run_run},
                                {"hsm", run_hsm},   {"log", run_log}, {"tre", run_tre},
                                {"build", run_build}, {"sign", run_sign}, {"test", run_test}, {"fmt", run_fmt}};

  if (verb == "version" || verb == "--version") return version();
  if (verb == "help" || verb == "--help" || verb == "-h") {
    std::cout << kUsage;
    return kExitOk;
  }
  try {
    for (const auto& v : verbs) {
      if (verb == v.name) return v.run(args);
    }
  } catch (const std::exception& e) {
    // The engine returns errors as values; this only catches the unexpected (allocation failure, I/O).
    std::cerr << "trex " << verb << ": internal error: " << e.what() << "\n";
    return kExitUsage;
  }
  std::cerr << "trex: unknown command \"" << verb << "\"\n" << kUsage;
  return kExitUsage;
}
