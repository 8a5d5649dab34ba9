// trex parse: print one module's AST as `opa parse --format json` does.
//
// Only the JSON format exists (OPA's default "pretty" tree printer has no trex counterpart yet), so JSON
// is the default here.
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "load/documents.h"
#include "load/files.h"
#include "cli/output.h"
#include "rego/engine.h"

namespace trex::cli {
namespace {

const char* kUsage =
    "usage: trex parse [flags] <file>\n"
    "  -f, --format FORMAT    json (the only format so far)\n"
    "      --v0-compatible    parse the file as Rego v0\n";

const std::vector<FlagSpec> kFlags = {
    {{"--help", "-h"}, false},
    {{"--format", "-f"}, true},
    {{"--v0-compatible"}, false},
};

}  // namespace

int run_parse(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_flags(argv, kFlags);
  if (!args.error.empty()) return usage_error("parse", args.error, kUsage);
  if (args.has("--help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (args.positional.empty()) return usage_error("parse", "no source file specified", kUsage);
  if (args.positional.size() > 1) return usage_error("parse", "specify exactly one file", kUsage);
  const std::string format = args.last("--format", "json");
  if (format != "json") return usage_error("parse", "unsupported --format " + format + " (only json)", kUsage);

  const std::string& path = args.positional.front();
  std::string error;
  auto text = load::read_file(path, error);
  if (!text) {
    rego::Error e;
    e.message = error;
    std::cerr << errors_json({e});
    return kExitFailed;
  }
  rego::CompileOptions opts;
  opts.v0_compatible = args.has("--v0-compatible");
  std::string json;
  rego::Errors errors;
  if (!rego::parse_to_json({path, std::move(*text)}, opts, json, errors)) {
    std::cerr << errors_json(errors);
    return kExitFailed;
  }
  std::cout << json;
  if (json.empty() || json.back() != '\n') std::cout << '\n';
  return kExitOk;
}

}  // namespace trex::cli
