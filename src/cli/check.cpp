// trex check: parse and compile Rego files, reporting every error (silent on success), as `opa check`.
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
    "usage: trex check [flags] <path> [path ...]\n"
    "  -f, --format FORMAT    pretty (default) or json\n"
    "      --v0-compatible    parse the files as Rego v0\n";

const std::vector<FlagSpec> kFlags = {
    {{"--help", "-h"}, false},
    {{"--format", "-f"}, true},
    {{"--v0-compatible"}, false},
};

}  // namespace

int run_check(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_flags(argv, kFlags);
  if (!args.error.empty()) return usage_error("check", args.error, kUsage);
  if (args.has("--help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (args.positional.empty()) return usage_error("check", "specify at least one file", kUsage);
  const std::string format = args.last("--format", "pretty");
  if (format != "pretty" && format != "json")
    return usage_error("check", "invalid --format " + format + " (pretty, json)", kUsage);

  load::LoadOptions lopts;
  lopts.rego_only = true;
  load::Loaded loaded = load::load_paths(args.positional, lopts);
  rego::Errors errors = loaded.errors;
  if (errors.empty()) {
    rego::CompileOptions opts;
    opts.v0_compatible = args.has("--v0-compatible");
    errors = rego::check(loaded.modules, opts);
  }
  if (errors.empty()) return kExitOk;
  // OPA prints check errors on stderr in either format.
  std::cerr << (format == "json" ? errors_json(errors) : errors_text(errors));
  return kExitFailed;
}

}  // namespace trex::cli
