// Bundle signing and verification flags (see signing_flags.h).
#include "cli/signing_flags.h"

#include "load/documents.h"

namespace trex::cli {

std::vector<FlagSpec> verification_flag_specs() {
  return {{{"--verification-key"}, true},
          {{"--verification-key-id"}, true},
          {{"--signing-alg"}, true},
          {{"--scope"}, true},
          {{"--exclude-files-verification"}, true}};
}

std::vector<FlagSpec> signing_flag_specs() { return {{{"--signing-key"}, true}, {{"--claims-file"}, true}}; }

std::vector<FlagSpec> concat_flags(std::vector<FlagSpec> a, const std::vector<FlagSpec>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::optional<load::VerificationConfig> verification_from_args(const ParsedArgs& args) {
  if (args.last("--verification-key").empty()) return std::nullopt;
  load::VerificationConfig cfg;
  cfg.key = load::read_key_argument(args.last("--verification-key"));
  cfg.key_id = args.last("--verification-key-id", "default");
  cfg.algorithm = args.last("--signing-alg", "RS256");
  cfg.scope = args.last("--scope");
  cfg.exclude_files = args.values("--exclude-files-verification");
  return cfg;
}

bool signing_from_args(const ParsedArgs& args, std::optional<load::SigningConfig>& out, std::string& error) {
  const std::string key = args.last("--signing-key");
  if (key.empty()) {
    if (!args.last("--claims-file").empty()) {
      error = "specify the secret (HMAC) or path of the PEM file containing the private key (RSA and ECDSA)";
      return false;
    }
    out.reset();
    return true;
  }
  load::SigningConfig cfg;
  cfg.key = load::read_key_argument(key);
  cfg.algorithm = args.last("--signing-alg", "RS256");
  if (const std::string claims = args.last("--claims-file"); !claims.empty()) {
    auto text = load::read_file(claims, error);
    if (!text) return false;
    auto doc = load::parse_document(*text, error);
    if (!doc) return false;
    if (!doc->is_object()) {
      error = std::string("json: cannot unmarshal ") + doc->type_name() + " into Go value of type map[string]interface {}";
      return false;
    }
    cfg.claims = std::move(*doc);
  }
  out = std::move(cfg);
  return true;
}

}  // namespace trex::cli
