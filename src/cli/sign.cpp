// trex sign: `opa sign` — write a .signatures.json for bundles (directories or .tar.gz files given with
// --bundle): one JWT over the SHA-256 of every file in them (bundle_signing.h). The file goes to the
// directory named by -o/--output-file-path (default: the current directory); to sign a bundle directory in
// place, pass the directory itself (`trex sign --bundle dir -o dir ...`). Files are named as the loader
// names them when the bundle is loaded from the same path ("dir/a/policy.rego").
#include <fstream>
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/signing_flags.h"
#include "load/bundle_signing.h"

namespace trex::cli {
namespace {

const char* kUsage =
    "usage: trex sign --bundle --signing-key KEY [flags] <path> [path ...]\n"
    "  -b, --bundle                  load paths as bundle files or root directories (required)\n"
    "      --signing-key KEY         PEM private key file (RSA, ECDSA), or the HMAC secret\n"
    "      --signing-alg ALG         RS256 (default), ES256, HS256, ...\n"
    "      --claims-file FILE        extra JWT claims (JSON object)\n"
    "  -o, --output-file-path DIR    where to write .signatures.json (default .)\n";

std::vector<FlagSpec> flags() {
  std::vector<FlagSpec> f = {{{"--help", "-h"}, false},
                             {{"--bundle", "-b"}, false},
                             {{"--signing-alg"}, true},
                             {{"--output-file-path", "-o"}, true}};
  for (auto& s : signing_flag_specs()) f.push_back(s);
  return f;
}

int fail(const std::string& message) {
  std::cout << "error: " << message << "\n";  // as OPA, on stdout
  return kExitFailed;
}

}  // namespace

int run_sign(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_flags(argv, flags());
  if (!args.error.empty()) return usage_error("sign", args.error, kUsage);
  if (args.has("--help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  // OPA's validateSignParams, in its order and wording.
  if (args.positional.empty()) return usage_error("sign", "specify atleast one path containing policy and/or data files", kUsage);
  if (args.last("--signing-key").empty())
    return usage_error("sign", "specify the secret (HMAC) or path of the PEM file containing the private key (RSA and ECDSA)", kUsage);
  if (!args.has("--bundle")) return usage_error("sign", "enable bundle mode (ie. --bundle) to sign bundle files or directories", kUsage);

  std::optional<load::SigningConfig> signing;
  std::string error;
  if (!signing_from_args(args, signing, error)) return fail(error);
  std::vector<load::FileHash> files;
  for (const auto& path : args.positional) {
    auto hashes = load::hash_bundle_files(path, error);
    if (!hashes) return fail(error);
    files.insert(files.end(), hashes->begin(), hashes->end());
  }
  auto token = load::sign_files(files, *signing, error);  // no key id: OPA's sign sets none
  if (!token) return fail(error);
  std::string dir = args.last("--output-file-path", ".");
  std::string out_path = dir.empty() ? ".signatures.json" : dir + "/.signatures.json";
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out || !(out << load::signatures_file_text(*token)) || !out.flush())
    return fail("open " + out_path + ": cannot write file");
  return kExitOk;
}

}  // namespace trex::cli
