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
  signer->session_ = open_token(config, error);
  if (!signer->session_) return nullptr;
  {
    SecretString pin;
    if (!read_pin(config.pin, pin, error)) return nullptr;
    if (!signer->session_->login(CKU_USER, pin.value(), error)) return nullptr;
  }  // the PIN is wiped here
  CK_OBJECT_HANDLE key = 0;
  if (!signer->session_->find_key(CKO_PRIVATE_KEY, config.key_label, key, error)) return nullptr;
  signer->private_key_ = key;
  signer->public_key_ = public_key_of(*signer->session_, config.key_label, error);
  if (!signer->public_key_) return nullptr;
  return signer;
}

Pkcs11Signer::~Pkcs11Signer() {
  if (session_) session_->logout();
}

bool Pkcs11Signer::sign(std::string_view signing_input, std::string& signature, std::string& error) {
  Sha256 digest = sha256(signing_input);
  std::lock_guard<std::mutex> lock(mu_);
  if (!session_->sign_ecdsa(private_key_, std::string_view(reinterpret_cast<const char*>(digest.data()), 32),
                            signature, error))
    return false;
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
  auto key = public_key_of(*session, config.key_label, error);
  session->logout();
  return key;
}

}  // namespace trex::hsm
