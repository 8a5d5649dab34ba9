// What the signed log needs from a key: an ES256 signature over a JWS signing input, the key id and the
// public key. The production implementation is Pkcs11Signer (the private key never leaves the token);
// tests substitute failing or software signers through this interface.
#pragma once

#include <string>
#include <string_view>

namespace trex::hsm {

class Signer {
 public:
  virtual ~Signer() = default;
  // The JWS "alg" this signer produces ("ES256").
  virtual std::string alg() const = 0;
  // The JWS "kid" (see ec_key.h for how it is derived).
  virtual std::string kid() const = 0;
  virtual std::string public_key_pem() const = 0;
  // Signs `signing_input` (BASE64URL(header) '.' BASE64URL(payload)); `signature` receives the raw JWS
  // signature bytes (r‖s for ES256). Thread-safe. False with `error` (never containing a PIN) on failure.
  virtual bool sign(std::string_view signing_input, std::string& signature, std::string& error) = 0;
};

}  // namespace trex::hsm
