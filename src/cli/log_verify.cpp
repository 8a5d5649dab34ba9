// trex log verify: check a signed decision log directory with the public key alone (see
// hsm/log_verifier.h). Exit 0 with the counts when every line, link, signature and coverage holds; exit 1
// naming the first bad line (file, line, seq) otherwise; exit 2 on usage errors.
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "hsm/ec_key.h"
#include "hsm/log_verifier.h"

namespace trex::cli {
namespace {

const char* kUsage =
    "usage: trex log verify --public-key PUB.pem [--log-name NAME] DIR\n"
    "  --public-key FILE   the signing key's public key (PEM, from `trex hsm pubkey`)\n"
    "  --log-name NAME     require every checkpoint to name this log\n";

const std::vector<FlagSpec> kFlags = {
    {{"--help", "-h"}, false},
    {{"--public-key"}, true},
    {{"--log-name"}, true},
};

}  // namespace

int run_log(const std::vector<std::string>& argv) {
  if (argv.empty() || (argv[0] != "verify" && argv[0] != "--help" && argv[0] != "-h"))
    return usage_error("log", argv.empty() ? "specify a subcommand (verify)" : "unknown subcommand \"" + argv[0] + "\"",
                       kUsage);
  if (argv[0] != "verify") {
    std::cout << kUsage;
    return kExitOk;
  }
  ParsedArgs args = parse_flags(std::vector<std::string>(argv.begin() + 1, argv.end()), kFlags);
  if (!args.error.empty()) return usage_error("log", args.error, kUsage);
  if (args.has("--help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (!args.has("--public-key")) return usage_error("log", "--public-key is required", kUsage);
  if (args.positional.size() != 1) return usage_error("log", "specify one log directory", kUsage);

  std::string error;
  auto key = hsm::PublicKey::from_pem_file(args.last("--public-key"), error);
  if (!key) {
    std::cerr << "trex log verify: " << error << "\n";
    return kExitUsage;
  }
  hsm::VerifyOptions options;
  options.expected_log = args.last("--log-name");
  hsm::VerifyReport report = hsm::verify_log(args.positional[0], *key, options);
  if (!report.ok()) {
    std::cerr << "trex log verify: FAILED at " << report.summary() << "\n";
    return kExitFailed;
  }
  std::cout << "ok: " << report.summary() << "\n";
  return kExitOk;
}

}  // namespace trex::cli
