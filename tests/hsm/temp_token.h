// A throw-away SoftHSM2 token for tests and benchmarks: a temporary directory with its own softhsm2.conf
// (SOFTHSM2_CONF is pointed at it), a token and an ECDSA P-256 key pair provisioned through trex's own
// provisioning code, and the user PIN in TREX_HSM_PIN. Removed when destroyed.
#pragma once

#include <memory>
#include <string>

#include "hsm/pkcs11_signer.h"

namespace trex::hsm::testing {

inline constexpr const char* kTestPin = "t3st-PIN-4711";

class TempToken {
 public:
  // Null with `error` when SoftHSM2 is missing or provisioning fails.
  static std::unique_ptr<TempToken> create(std::string& error);
  ~TempToken();

  const std::string& dir() const { return dir_; }
  const Pkcs11Config& config() const { return config_; }
  // A second token nobody in the process is logged in to. PKCS#11 login state is per token and process:
  // once any session is logged in, C_Login answers CKR_USER_ALREADY_LOGGED_IN whatever the PIN, so PIN
  // checks need a token of their own.
  const Pkcs11Config& idle_config() const { return idle_config_; }
  // A fresh empty directory under dir() for a log.
  std::string new_log_dir();

 private:
  std::string dir_;
  Pkcs11Config config_;
  Pkcs11Config idle_config_;
  int log_dirs_ = 0;
};

// One token per process, created on first use (PKCS#11 modules are initialised once per process, and
// SoftHSM reads SOFTHSM2_CONF only then).
TempToken& shared_token();
std::shared_ptr<Pkcs11Signer> shared_signer();

}  // namespace trex::hsm::testing
