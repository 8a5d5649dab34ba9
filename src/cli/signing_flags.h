// The bundle signing and verification flags shared by `trex build`, `trex sign`, `trex run` and `trex eval`,
// as OPA's commands define them:
//   --verification-key KEY          PEM public key (file or text) or HMAC secret; turns verification on
//   --verification-key-id ID        the key's id (default "default")
//   --signing-alg ALG               RS256 (default), RS/PS/ES 256/384/512, HS256/384/512
//   --scope SCOPE                   the scope the signature must carry
//   --exclude-files-verification P  files (glob) not checked; repeatable
//   --signing-key KEY / --claims-file FILE   (build, sign) the private key or HMAC secret, extra JWT claims
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "load/bundle_signing.h"

namespace trex::cli {

// --verification-key, --verification-key-id, --signing-alg, --scope, --exclude-files-verification.
std::vector<FlagSpec> verification_flag_specs();
// --signing-key, --claims-file (with --signing-alg from the verification flags).
std::vector<FlagSpec> signing_flag_specs();

// a's flags followed by b's.
std::vector<FlagSpec> concat_flags(std::vector<FlagSpec> a, const std::vector<FlagSpec>& b);

// The verification config when --verification-key was given, else nullopt.
std::optional<load::VerificationConfig> verification_from_args(const ParsedArgs& args);

// The signing config when --signing-key was given (nullopt otherwise); false and `error` (OPA's text) when
// the flags are incomplete or the claims file cannot be read.
bool signing_from_args(const ParsedArgs& args, std::optional<load::SigningConfig>& out, std::string& error);

}  // namespace trex::cli
