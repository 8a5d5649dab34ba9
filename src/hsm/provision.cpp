// Token and key provisioning through PKCS#11 (see provision.h). PINs go to the module only, never on a
// command line (softhsm2-util would put them in every process listing).
#include "hsm/provision.h"

#include <openssl/rand.h>

#include <cstring>

#include "hsm/pkcs11_module.h"

namespace trex::hsm {

namespace {

constexpr unsigned char kP256Oid[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};

CK_UTF8CHAR* pin_ptr(const SecretString& pin) {
  return reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(pin.value().data()));
}

bool init_token(const std::shared_ptr<p11::Module>& module, const ProvisionRequest& req, CK_SLOT_ID& slot, std::string& error) {
  if (req.so_pin == nullptr || req.so_pin->empty()) {
    error = "an SO PIN is needed to initialise the token";
    return false;
  }
  if (req.token_label.size() > 32) {
    error = "a token label has at most 32 bytes";
    return false;
  }
  CK_SLOT_ID free_slot = 0;
  if (!module->find_free_slot(free_slot, error)) return false;
  unsigned char label[32];
  std::memset(label, ' ', sizeof label);
  std::memcpy(label, req.token_label.data(), req.token_label.size());
  CK_RV rv = module->f()->C_InitToken(free_slot, pin_ptr(*req.so_pin), req.so_pin->value().size(), label);
  if (rv != CKR_OK) {
    error = "C_InitToken failed: " + p11::rv_text(rv);
    return false;
  }
  // SoftHSM moves an initialised token to a slot numbered after its serial: look it up again by label.
  if (!module->find_token(req.token_label, slot, error)) return false;
  auto session = p11::Session::open(module, slot, /*read_write=*/true, error);
  if (!session) return false;
  if (!session->login(CKU_SO, req.so_pin->value(), error)) return false;
  rv = module->f()->C_InitPIN(session->handle(), pin_ptr(*req.user_pin), req.user_pin->value().size());
  session->logout();
  if (rv != CKR_OK) {
    error = "C_InitPIN failed: " + p11::rv_text(rv);
    return false;
  }
  return true;
}

bool generate_key_pair(p11::Session& session, const std::string& label, std::string& error) {
  CK_MECHANISM mech{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_OBJECT_CLASS pub_class = CKO_PUBLIC_KEY, priv_class = CKO_PRIVATE_KEY;
  CK_KEY_TYPE key_type = CKK_EC;
  char* lbl = const_cast<char*>(label.data());
  CK_ATTRIBUTE pub[] = {
      {CKA_CLASS, &pub_class, sizeof pub_class},
      {CKA_KEY_TYPE, &key_type, sizeof key_type},
      {CKA_TOKEN, &yes, sizeof yes},
      {CKA_PRIVATE, &no, sizeof no},  // so that `trex hsm pubkey` can read it without the PIN
      {CKA_VERIFY, &yes, sizeof yes},
      {CKA_EC_PARAMS, const_cast<unsigned char*>(kP256Oid), sizeof kP256Oid},
      {CKA_LABEL, lbl, label.size()},
  };
  CK_ATTRIBUTE priv[] = {
      {CKA_CLASS, &priv_class, sizeof priv_class},
      {CKA_KEY_TYPE, &key_type, sizeof key_type},
      {CKA_TOKEN, &yes, sizeof yes},
      {CKA_PRIVATE, &yes, sizeof yes},
      {CKA_SENSITIVE, &yes, sizeof yes},
      {CKA_EXTRACTABLE, &no, sizeof no},  // the whole point: the key never leaves the token
      {CKA_SIGN, &yes, sizeof yes},
      {CKA_LABEL, lbl, label.size()},
  };
  CK_OBJECT_HANDLE pub_h = 0, priv_h = 0;
  CK_RV rv = session.f()->C_GenerateKeyPair(session.handle(), &mech, pub, sizeof pub / sizeof pub[0], priv,
                                            sizeof priv / sizeof priv[0], &pub_h, &priv_h);
  if (rv != CKR_OK) {
    error = "C_GenerateKeyPair(CKM_EC_KEY_PAIR_GEN, P-256) failed: " + p11::rv_text(rv);
    return false;
  }
  return true;
}

}  // namespace

bool provision_token(const ProvisionRequest& req, ProvisionResult& result, std::string& error) {
  result = ProvisionResult{};
  if (req.user_pin == nullptr || req.user_pin->empty()) {
    error = "a user PIN is needed";
    return false;
  }
  if (req.token_label.empty() || req.key_label.empty()) {
    error = "a token label and a key label are needed";
    return false;
  }
  auto module = p11::Module::load(req.module, error);
  if (!module) return false;

  CK_SLOT_ID slot = 0;
  std::string not_found;
  if (!module->find_token(req.token_label, slot, not_found)) {
    if (not_found.find("several") != std::string::npos) {
      error = not_found;
      return false;
    }
    if (!init_token(module, req, slot, error)) return false;
    result.token_created = true;
  }

  auto session = p11::Session::open(module, slot, /*read_write=*/true, error);
  if (!session) return false;
  if (!session->login(CKU_USER, req.user_pin->value(), error)) return false;

  CK_OBJECT_HANDLE priv = 0, pub = 0;
  std::string missing;
  bool have_priv = session->find_key(CKO_PRIVATE_KEY, req.key_label, priv, missing);
  bool have_pub = session->find_key(CKO_PUBLIC_KEY, req.key_label, pub, missing);
  if (have_priv != have_pub) {
    error = "the token holds only half of the key pair \"" + req.key_label + "\"; remove it or pick another label";
    session->logout();
    return false;
  }
  if (!have_priv) {
    if (!generate_key_pair(*session, req.key_label, error)) {
      session->logout();
      return false;
    }
    result.key_created = true;
    if (!session->find_key(CKO_PUBLIC_KEY, req.key_label, pub, error)) {
      session->logout();
      return false;
    }
  }
  std::string params, point;
  bool ok = session->get_attribute(pub, CKA_EC_PARAMS, params, error) &&
            session->get_attribute(pub, CKA_EC_POINT, point, error);
  session->logout();
  if (!ok) return false;
  result.public_key = PublicKey::from_ec_point(params, point, error);
  return result.public_key != nullptr;
}

SecretString random_pin(int digits) {
  std::string pin;
  while (int(pin.size()) < digits) {
    unsigned char b = 0;
    if (RAND_bytes(&b, 1) != 1) continue;
    if (b >= 250) continue;  // rejection keeps the digits uniform
    pin.push_back(char('0' + b % 10));
  }
  return SecretString(std::move(pin));
}

}  // namespace trex::hsm
