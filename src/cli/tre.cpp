// trex tre compile FILE: the Rego module a .tre rule file compiles to (src/tre), or its errors with
// file:line:column (exit 1). The same compilation runs whenever a .tre file is loaded (-d, bundles, the server).
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "tre/tre_codegen.h"

namespace trex::cli {
namespace {

const char* kUsage =
    "usage: trex tre compile <file.tre>\n"
    "  prints the Rego module the rule file compiles to (package tre.rules), or its errors (exit 1)\n";

}  // namespace

int run_tre(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (args.size() != 2 || args[0] != "compile") return usage_error("tre", "expected: compile <file.tre>", kUsage);
  std::ifstream in(args[1], std::ios::binary);
  if (!in) {
    std::cerr << "trex tre: cannot read " << args[1] << "\n";
    return kExitFailed;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto result = tre::compile(args[1], text.str());
  if (!result.errors.empty()) {
    for (const auto& e : result.errors) std::cerr << tre::error_text(e) << "\n";
    return kExitFailed;
  }
  std::cout << result.rego;
  return kExitOk;
}

}  // namespace trex::cli
