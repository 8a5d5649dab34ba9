// Pkcs11Signer: ES256 signatures made inside a PKCS#11 token (SoftHSM2 in tests, a real HSM in
// production) with CKM_ECDSA over SHA-256(signing input) computed here. The private key never leaves the
// token; the PIN is read, used for C_Login and wiped. One session per signer, serialised by a mutex; a
// lost session (token re-inserted, session closed) is reopened once per failing signature, with the PIN
// read again from its source.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "hsm/ec_key.h"
#include "hsm/pin.h"
#include "hsm/signer.h"

namespace trex::hsm {

inline constexpr const char* kDefaultPkcs11Module = "/usr/lib/softhsm/libsofthsm2.so";

struct Pkcs11Config {
  std::string module = kDefaultPkcs11Module;  // path of the PKCS#11 module (.so)
  std::string token_label = "trex";
  std::string key_label = "trex-log";
  PinSource pin;  // where the user PIN comes from (env var TREX_HSM_PIN by default)
};

namespace p11 {
class Module;
class Session;
}  // namespace p11

class Pkcs11Signer : public Signer {
 public:
  // Loads the module, finds the token by label, logs in as the user and finds the EC P-256 key pair by
  // CKA_LABEL. Null with a clear `error`: module missing, token not found, wrong PIN (CKR_PIN_INCORRECT),
  // key missing, key not P-256.
  static std::shared_ptr<Pkcs11Signer> open(const Pkcs11Config& config, std::string& error);
  ~Pkcs11Signer() override;

  std::string alg() const override { return "ES256"; }
  std::string kid() const override { return public_key_->kid(); }  // fixed after open()
  std::string public_key_pem() const override { return public_key_->pem(); }
  const PublicKey& public_key() const { return *public_key_; }
  bool sign(std::string_view signing_input, std::string& signature, std::string& error) override;

 private:
  Pkcs11Signer() = default;
  // (Re)opens the session, logs in (reading the PIN again) and finds the key pair. Called under mu_ after a
  // failure that a new session may cure (token re-inserted, session closed); the key must not change.
  bool connect(std::string& error);

  Pkcs11Config config_;
  std::mutex mu_;  // PKCS#11 sessions are single-threaded: one C_SignInit/C_Sign pair at a time
  std::unique_ptr<p11::Session> session_;
  unsigned long private_key_ = 0;  // CK_OBJECT_HANDLE
  std::shared_ptr<PublicKey> public_key_;
};

// The public key of the token's key pair, read without logging in when the token exposes public objects
// (and with the PIN from `config.pin` when it is set and the key is not visible otherwise).
std::shared_ptr<PublicKey> read_token_public_key(const Pkcs11Config& config, std::string& error);

}  // namespace trex::hsm
