// Signing inside a PKCS#11 token (see pkcs11_signer.h).
#include "hsm/pkcs11_signer.h"

#include "hsm/bytes.h"
#include "hsm/pkcs11_module.h"

namespace trex::hsm {

namespace {

std::unique_ptr<p11::Session> open_token(const Pkcs11Config& config, std::string& error) {
  auto module = p11::Module::load(config.module, error);
  if (!module) return nullptr;
  CK_SLOT_ID slot = 0;
  if (!module->find_token(config.token_label, slot, error)) return nullptr;
  return p11::Session::open(module, slot, /*read_write=*/false, error);
}

std::shared_ptr<PublicKey> public_key_of(p11::Session& session, const std::string& label, std::string& error) {
  CK_OBJECT_HANDLE pub = 0;
  if (!session.find_key(CKO_PUBLIC_KEY, label, pub, error)) return nullptr;
  std::string params, point;
  if (!session.get_attribute(pub, CKA_EC_PARAMS, params, error)) return nullptr;
  if (!session.get_attribute(pub, CKA_EC_POINT, point, error)) return nullptr;
  return PublicKey::from_ec_point(params, point, error);
}

}  // namespace

std::shared_ptr<Pkcs11Signer> Pkcs11Signer::open(const Pkcs11Config& config, std::string& error) {
  std::shared_ptr<Pkcs11Signer> signer(new Pkcs11Signer());
  signer->config_ = config;
  if (!signer->connect(error)) return nullptr;
  return signer;
}

bool Pkcs11Signer::connect(std::string& error) {
  session_.reset();
  auto session = open_token(config_, error);
  if (!session) return false;
  {
    SecretString pin;
    if (!read_pin(config_.pin, pin, error)) return false;
    if (!session->login(CKU_USER, pin.value(), error)) return false;
  }  // the PIN is wiped here
  CK_OBJECT_HANDLE key = 0;
  if (!session->find_key(CKO_PRIVATE_KEY, config_.key_label, key, error)) return false;
  auto public_key = public_key_of(*session, config_.key_label, error);
  if (!public_key) return false;
  if (public_key_ && public_key->der() != public_key_->der()) {
    error = "the key \"" + config_.key_label + "\" on the token changed since the log was opened";
    return false;
  }
  if (!public_key_) public_key_ = std::move(public_key);  // set once: kid() etc. read it without the lock
  private_key_ = key;
  session_ = std::move(session);
  return true;
}

// Login state belongs to the token, shared by every session of the process: logging out here would log
// out other signers too. Closing the session is enough (the token logs out with its last session).
Pkcs11Signer::~Pkcs11Signer() = default;

namespace {
// Failures after which a new session (and login) may succeed: the token was re-inserted, the module
// restarted, or another user of the token logged out.
bool reconnectable(const std::string& error) {
  for (const char* rv : {"CKR_SESSION_HANDLE_INVALID", "CKR_SESSION_CLOSED", "CKR_USER_NOT_LOGGED_IN",
                         "CKR_OBJECT_HANDLE_INVALID", "CKR_KEY_HANDLE_INVALID", "CKR_DEVICE_REMOVED",
                         "CKR_TOKEN_NOT_PRESENT"})
    if (error.find(rv) != std::string::npos) return true;
  return false;
}
}  // namespace

bool Pkcs11Signer::sign(std::string_view signing_input, std::string& signature, std::string& error) {
  Sha256 digest = sha256(signing_input);
  std::string_view d(reinterpret_cast<const char*>(digest.data()), digest.size());
  std::lock_guard<std::mutex> lock(mu_);
  bool ok = session_ && session_->sign_ecdsa(private_key_, d, signature, error);
  if (!ok && (!session_ || reconnectable(error))) {
    std::string why;
    if (!connect(why)) {
      error = (error.empty() ? "" : error + "; reconnecting failed: ") + why;
      return false;
    }
    ok = session_->sign_ecdsa(private_key_, d, signature, error);
  }
  if (!ok) return false;
  if (signature.size() != 64) {
    error = "the token returned a " + std::to_string(signature.size()) + "-byte ECDSA signature (expected 64)";
    return false;
  }
  return true;
}

std::shared_ptr<PublicKey> read_token_public_key(const Pkcs11Config& config, std::string& error) {
  auto session = open_token(config, error);
  if (!session) return nullptr;
  std::string first_error;
  if (auto key = public_key_of(*session, config.key_label, first_error)) return key;
  // Some tokens mark public keys CKA_PRIVATE: try again logged in, when a PIN is at hand.
  SecretString pin;
  std::string pin_error;
  if (!read_pin(config.pin, pin, pin_error)) {
    error = first_error;
    return nullptr;
  }
  if (!session->login(CKU_USER, pin.value(), error)) return nullptr;
  pin.clear();
  return public_key_of(*session, config.key_label, error);  // no C_Logout: see ~Pkcs11Signer
}

}  // namespace trex::hsm
