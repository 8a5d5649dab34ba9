// Provisioning a token for the signed log: initialise a free token slot (SoftHSM2 offers one; a real HSM
// is provisioned with its vendor's tools) with a label, SO PIN and user PIN, then generate an ECDSA P-256
// key pair inside it (private key sensitive, never extractable). Idempotent: an existing token with the
// label is reused, an existing key pair with the label is kept.
#pragma once

#include <memory>
#include <string>

#include "hsm/bytes.h"
#include "hsm/ec_key.h"

namespace trex::hsm {

struct ProvisionRequest {
  std::string module;
  std::string token_label;
  std::string key_label;
  const SecretString* user_pin = nullptr;  // required
  const SecretString* so_pin = nullptr;    // required only when the token must be initialised
};

struct ProvisionResult {
  bool token_created = false;
  bool key_created = false;
  std::shared_ptr<PublicKey> public_key;
};

bool provision_token(const ProvisionRequest& request, ProvisionResult& result, std::string& error);

// A random PIN of `digits` decimal digits from OpenSSL's CSPRNG (for a generated SO PIN).
SecretString random_pin(int digits);

}  // namespace trex::hsm
