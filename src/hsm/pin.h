// Where the token's user PIN comes from: an environment variable (named in the configuration, default
// TREX_HSM_PIN) or a file readable by its owner only (mode 0600 or stricter). The PIN's value never appears
// in an error message; errors name only the variable or the file.
#pragma once

#include <string>

#include "hsm/bytes.h"

namespace trex::hsm {

inline constexpr const char* kDefaultPinEnv = "TREX_HSM_PIN";

struct PinSource {
  std::string env = kDefaultPinEnv;  // used when file is empty
  std::string file;                  // a file holding the PIN (one trailing newline is ignored)
};

// Reads the PIN into `pin`. False with `error` when the variable is unset or empty, or the file is missing,
// empty or readable by group/others.
bool read_pin(const PinSource& source, SecretString& pin, std::string& error);

}  // namespace trex::hsm
