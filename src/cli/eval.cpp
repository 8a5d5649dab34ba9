// trex eval: evaluate a Rego query against policies, data and input, printing OPA's output shapes.
#include <iostream>

#include "cli/args.h"
#include "cli/capabilities.h"
#include "cli/commands.h"
#include "load/documents.h"
#include "load/files.h"
#include "cli/output.h"
#include "cli/signing_flags.h"
#include "rego/engine.h"

namespace trex::cli {
namespace {

const char* kUsage =
    "usage: trex eval [flags] <query>\n"
    "  -d, --data PATH            load .rego, .json and .yaml files (directories recursively); repeatable\n"
    "  -b, --bundle PATH          load a bundle (.tar.gz file or directory); repeatable\n"
    "  -i, --input FILE           input document (JSON or YAML)\n"
    "  -I, --stdin-input          read the input document from stdin\n"
    "  -f, --format FORMAT        json (default), pretty, raw, values, bindings\n"
    "      --v0-compatible        parse policies and the query as Rego v0\n"
    "      --strict-builtin-errors  treat the first built-in error as fatal\n"
    "      --fail                 exit 1 when the result is undefined\n"
    "      --fail-defined         exit 1 when the result is defined\n"
    "      --explain MODE         trace the evaluation: off, notes, fails, full, debug (json and pretty)\n"
    "      --capabilities FILE    OPA capabilities JSON; its allow_net limits the hosts http.send and\n"
    "                             net.lookup_ip_addr may reach (without it, or without allow_net: any host)\n"
    "      --verification-key KEY  verify signed bundles (-b): PEM public key file, or HMAC secret; also\n"
    "                              --verification-key-id, --signing-alg, --scope, --exclude-files-verification\n";

const std::vector<FlagSpec> kFlags = {
    {{"--help", "-h"}, false},
    {{"--data", "-d"}, true},
    {{"--bundle", "-b"}, true},
    {{"--input", "-i"}, true},
    {{"--stdin-input", "-I"}, false},
    {{"--format", "-f"}, true},
    {{"--v0-compatible"}, false},
    {{"--strict-builtin-errors"}, false},
    {{"--fail"}, false},
    {{"--fail-defined"}, false},
    {{"--explain"}, true},
    {{"--capabilities"}, true},
};

// Prints errors the way the chosen format does: JSON on stdout, or OPA's text on stderr.
void print_errors(const std::string& format, const rego::Errors& errors) {
  if (format == "json") std::cout << errors_json(errors);
  else std::cerr << errors_text(errors);
}

}  // namespace

int run_eval(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_flags(argv, concat_flags(kFlags, verification_flag_specs()));
  if (!args.error.empty()) return usage_error("eval", args.error, kUsage);
  if (args.has("--help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (args.positional.empty()) return usage_error("eval", "specify a query argument", kUsage);
  if (args.positional.size() > 1) return usage_error("eval", "specify at most one query argument", kUsage);
  const std::string format = args.last("--format", "json");
  if (format != "json" && format != "pretty" && format != "raw" && format != "values" && format != "bindings")
    return usage_error("eval", "invalid --format " + format + " (json, pretty, raw, values, bindings)", kUsage);
  if (args.has("--fail") && args.has("--fail-defined"))
    return usage_error("eval", "specify --fail or --fail-defined but not both", kUsage);
  if (args.has("--stdin-input") && args.has("--input"))
    return usage_error("eval", "specify --stdin-input or --input but not both", kUsage);
  const bool v0 = args.has("--v0-compatible");
  const auto explain = rego::parse_explain_mode(args.last("--explain", "off"));
  if (!explain)
    return usage_error("eval", "invalid --explain " + args.last("--explain") + " (off, notes, fails, full, debug)",
                       kUsage);

  // The input document: a problem here is a usage-level error in OPA (plain text on stderr, exit 2).
  std::optional<rego::Value> input;
  if (args.has("--input") || args.has("--stdin-input")) {
    std::string text, error;
    if (args.has("--stdin-input")) {
      text = load::read_stdin();
    } else if (auto t = load::read_file(args.last("--input"), error)) {
      text = std::move(*t);
    } else {
      std::cerr << error << "\n";
      return kExitUsage;
    }
    input = load::parse_document(text, error);
    if (!input) {
      std::cerr << "unable to parse input: " << error << "\n";
      return kExitUsage;
    }
  }

  load::LoadOptions lopts;
  lopts.v0_compatible = v0;
  load::Loaded loaded = load::load_paths(args.values("--data"), lopts);
  if (loaded.errors.empty() && args.has("--bundle")) {
    lopts.as_bundles = true;
    lopts.verification = verification_from_args(args);  // without a key, signed bundles are read unchecked
    lopts.bundle_read_error_prefix = "loading error: ";  // as `opa eval` words them
    load::merge_loaded(loaded, load::load_paths(args.values("--bundle"), lopts), "bundles");
  }
  if (!loaded.errors.empty()) {
    print_errors(format, loaded.errors);
    return kExitUsage;
  }

  rego::CompileOptions copts;
  copts.v0_compatible = v0;
  auto compiled = rego::compile(loaded.modules, copts);
  if (!compiled.errors.empty() || !compiled.policy) {
    print_errors(format, compiled.errors);
    return kExitUsage;
  }

  rego::QueryOptions qopts;
  if (args.has("--capabilities")) {
    std::string error;
    auto caps = read_capabilities(args.last("--capabilities"), error);
    if (!caps) return usage_error("eval", error, kUsage);
    if (caps->allow_net) qopts.allow_net = std::make_shared<const std::vector<std::string>>(*caps->allow_net);
  }
  qopts.input = std::move(input);
  qopts.v0_compatible = v0;
  qopts.strict_builtin_errors = args.has("--strict-builtin-errors");
  // print() goes to stderr, as `opa eval` does.
  qopts.print = [](const std::string& line) {
    std::cerr << line;
    if (line.empty() || line.back() != '\n') std::cerr << '\n';
  };
  rego::BufferTracer tracer;
  if (*explain != rego::ExplainMode::Off) qopts.tracer = &tracer;
  rego::QueryResult result = rego::evaluate(*compiled.policy, loaded.data, args.positional.front(), qopts);

  if (!result.ok()) {
    print_errors(format, result.errors);
    return kExitUsage;
  }
  // As opa eval: the filtered trace goes under "explanation" in JSON, and before the result in pretty form.
  const rego::Trace trace = rego::filter_trace(tracer.events, *explain);
  if (format == "json" && *explain != rego::ExplainMode::Off)
    std::cout << with_explanation(result_json(result), rego::eval_explanation_value(trace));
  else if (format == "json") std::cout << result_json(result);
  else if (format == "pretty") std::cout << rego::pretty_trace(trace) << result_pretty(result);
  else if (format == "raw") std::cout << result_raw(result);
  else if (format == "values") std::cout << result_values(result);
  else std::cout << result_bindings(result);

  const bool defined = !result.rows.empty();
  if ((args.has("--fail") && !defined) || (args.has("--fail-defined") && defined)) return kExitFailed;
  return kExitOk;
}

}  // namespace trex::cli
