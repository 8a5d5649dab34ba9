// A PKCS#11 module loaded with dlopen, and a session on one of its tokens. Internal to src/hsm/: the only
// header that includes the PKCS#11 types (p11-kit's pkcs11.h). Nothing here ever receives a PIN it keeps.
//
// A module is initialised once per process and path (C_Initialize with OS locking) and finalised when the
// last user drops it; PKCS#11 allows only one C_Initialize per process, so every Session shares it.
#pragma once

#include <p11-kit/pkcs11.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace trex::hsm::p11 {

// "CKR_PIN_INCORRECT (0xa0)" — the symbolic name of a return value, for error messages.
std::string rv_text(CK_RV rv);

class Module {
 public:
  // Loads (or reuses) the module at `path`. Null with `error` when it can't be opened or initialised.
  static std::shared_ptr<Module> load(const std::string& path, std::string& error);
  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  CK_FUNCTION_LIST* f() const { return f_; }
  const std::string& path() const { return path_; }

  // The slot whose (initialised) token has the label `label`; an error when none or several do.
  bool find_token(std::string_view label, CK_SLOT_ID& slot, std::string& error);
  // A slot with a token present but not initialised (SoftHSM always offers one), for provisioning.
  bool find_free_slot(CK_SLOT_ID& slot, std::string& error);

 private:
  Module() = default;
  void* handle_ = nullptr;
  CK_FUNCTION_LIST* f_ = nullptr;
  bool finalize_ = false;
  std::string path_;
};

// A session on one token. Not thread-safe by itself: callers serialise (the signer holds a mutex).
class Session {
 public:
  static std::unique_ptr<Session> open(std::shared_ptr<Module> module, CK_SLOT_ID slot, bool read_write,
                                       std::string& error);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // user_type is CKU_USER or CKU_SO. Already being logged in counts as success.
  bool login(CK_USER_TYPE user_type, const std::string& pin, std::string& error);
  void logout();

  // The first object of class `cls` with CKA_LABEL == label (and CKA_KEY_TYPE == CKK_EC for keys).
  bool find_key(CK_OBJECT_CLASS cls, std::string_view label, CK_OBJECT_HANDLE& object, std::string& error);
  bool get_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type, std::string& value, std::string& error);
  // CKM_ECDSA over an already computed digest; the signature is raw r‖s.
  bool sign_ecdsa(CK_OBJECT_HANDLE key, std::string_view digest, std::string& signature, std::string& error);

  CK_SESSION_HANDLE handle() const { return handle_; }
  CK_FUNCTION_LIST* f() const { return module_->f(); }

 private:
  Session() = default;
  std::shared_ptr<Module> module_;
  CK_SESSION_HANDLE handle_ = 0;
};

// Trailing-space padded fixed-width PKCS#11 text (token labels) to a plain string.
std::string trim_padded(const unsigned char* text, size_t size);

}  // namespace trex::hsm::p11
