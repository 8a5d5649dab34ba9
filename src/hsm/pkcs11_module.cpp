// Loading a PKCS#11 module and talking to a token (see pkcs11_module.h).
#include "hsm/pkcs11_module.h"

#include <dlfcn.h>

#include <cstdio>
#include <map>
#include <mutex>

namespace trex::hsm::p11 {

std::string rv_text(CK_RV rv) {
  const char* name = nullptr;
  switch (rv) {
    case CKR_OK: name = "CKR_OK"; break;
    case CKR_GENERAL_ERROR: name = "CKR_GENERAL_ERROR"; break;
    case CKR_FUNCTION_FAILED: name = "CKR_FUNCTION_FAILED"; break;
    case CKR_ARGUMENTS_BAD: name = "CKR_ARGUMENTS_BAD"; break;
    case CKR_ATTRIBUTE_TYPE_INVALID: name = "CKR_ATTRIBUTE_TYPE_INVALID"; break;
    case CKR_ATTRIBUTE_VALUE_INVALID: name = "CKR_ATTRIBUTE_VALUE_INVALID"; break;
    case CKR_DEVICE_ERROR: name = "CKR_DEVICE_ERROR"; break;
    case CKR_DEVICE_MEMORY: name = "CKR_DEVICE_MEMORY"; break;
    case CKR_DEVICE_REMOVED: name = "CKR_DEVICE_REMOVED"; break;
    case CKR_KEY_HANDLE_INVALID: name = "CKR_KEY_HANDLE_INVALID"; break;
    case CKR_KEY_TYPE_INCONSISTENT: name = "CKR_KEY_TYPE_INCONSISTENT"; break;
    case CKR_MECHANISM_INVALID: name = "CKR_MECHANISM_INVALID"; break;
    case CKR_OBJECT_HANDLE_INVALID: name = "CKR_OBJECT_HANDLE_INVALID"; break;
    case CKR_OPERATION_ACTIVE: name = "CKR_OPERATION_ACTIVE"; break;
    case CKR_PIN_INCORRECT: name = "CKR_PIN_INCORRECT"; break;
    case CKR_PIN_INVALID: name = "CKR_PIN_INVALID"; break;
    case CKR_PIN_LEN_RANGE: name = "CKR_PIN_LEN_RANGE"; break;
    case CKR_PIN_EXPIRED: name = "CKR_PIN_EXPIRED"; break;
    case CKR_PIN_LOCKED: name = "CKR_PIN_LOCKED"; break;
    case CKR_SESSION_CLOSED: name = "CKR_SESSION_CLOSED"; break;
    case CKR_SESSION_HANDLE_INVALID: name = "CKR_SESSION_HANDLE_INVALID"; break;
    case CKR_SESSION_READ_ONLY_EXISTS: name = "CKR_SESSION_READ_ONLY_EXISTS"; break;
    case CKR_SESSION_EXISTS: name = "CKR_SESSION_EXISTS"; break;
    case CKR_SLOT_ID_INVALID: name = "CKR_SLOT_ID_INVALID"; break;
    case CKR_TOKEN_NOT_PRESENT: name = "CKR_TOKEN_NOT_PRESENT"; break;
    case CKR_TOKEN_NOT_RECOGNIZED: name = "CKR_TOKEN_NOT_RECOGNIZED"; break;
    case CKR_TOKEN_WRITE_PROTECTED: name = "CKR_TOKEN_WRITE_PROTECTED"; break;
    case CKR_USER_ALREADY_LOGGED_IN: name = "CKR_USER_ALREADY_LOGGED_IN"; break;
    case CKR_USER_NOT_LOGGED_IN: name = "CKR_USER_NOT_LOGGED_IN"; break;
    case CKR_USER_PIN_NOT_INITIALIZED: name = "CKR_USER_PIN_NOT_INITIALIZED"; break;
    case CKR_USER_TYPE_INVALID: name = "CKR_USER_TYPE_INVALID"; break;
    case CKR_USER_ANOTHER_ALREADY_LOGGED_IN: name = "CKR_USER_ANOTHER_ALREADY_LOGGED_IN"; break;
    case CKR_CRYPTOKI_NOT_INITIALIZED: name = "CKR_CRYPTOKI_NOT_INITIALIZED"; break;
    case CKR_CRYPTOKI_ALREADY_INITIALIZED: name = "CKR_CRYPTOKI_ALREADY_INITIALIZED"; break;
    case CKR_BUFFER_TOO_SMALL: name = "CKR_BUFFER_TOO_SMALL"; break;
    case CKR_TEMPLATE_INCOMPLETE: name = "CKR_TEMPLATE_INCOMPLETE"; break;
    case CKR_TEMPLATE_INCONSISTENT: name = "CKR_TEMPLATE_INCONSISTENT"; break;
    case CKR_DOMAIN_PARAMS_INVALID: name = "CKR_DOMAIN_PARAMS_INVALID"; break;
    default: break;
  }
  char code[32];
  std::snprintf(code, sizeof code, "0x%lx", static_cast<unsigned long>(rv));
  return name ? std::string(name) + " (" + code + ")" : std::string("CKR ") + code;
}

std::string trim_padded(const unsigned char* text, size_t size) {
  std::string s(reinterpret_cast<const char*>(text), size);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

namespace {
// One Module per path and process: PKCS#11 allows a single C_Initialize per process.
std::mutex g_modules_mu;
std::map<std::string, std::weak_ptr<Module>>& modules() {
  static std::map<std::string, std::weak_ptr<Module>> m;
  return m;
}
}  // namespace

std::shared_ptr<Module> Module::load(const std::string& path, std::string& error) {
  std::lock_guard<std::mutex> lock(g_modules_mu);
  if (auto existing = modules()[path].lock()) return existing;

  std::shared_ptr<Module> m(new Module());
  m->path_ = path;
  m->handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (m->handle_ == nullptr) {
    const char* why = ::dlerror();
    error = "cannot load PKCS#11 module " + path + ": " + (why ? why : "dlopen failed");
    return nullptr;
  }
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(m->handle_, "C_GetFunctionList"));
  if (get_list == nullptr) {
    error = "PKCS#11 module " + path + " has no C_GetFunctionList";
    return nullptr;
  }
  CK_RV rv = get_list(&m->f_);
  if (rv != CKR_OK || m->f_ == nullptr) {
    error = "PKCS#11 module " + path + ": C_GetFunctionList failed: " + rv_text(rv);
    return nullptr;
  }
  // OS locking: the module may be called from several threads (each signer serialises its own session).
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  rv = m->f_->C_Initialize(&args);
  if (rv == CKR_OK) {
    m->finalize_ = true;
  } else if (rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {  // another library in this process initialised it
    error = "PKCS#11 module " + path + ": C_Initialize failed: " + rv_text(rv);
    return nullptr;
  }
  modules()[path] = m;
  return m;
}

Module::~Module() {
  if (f_ != nullptr && finalize_) f_->C_Finalize(nullptr);
  if (handle_ != nullptr) ::dlclose(handle_);
}

namespace {
bool slot_list(CK_FUNCTION_LIST* f, std::vector<CK_SLOT_ID>& slots, std::string& error) {
  CK_ULONG count = 0;
  CK_RV rv = f->C_GetSlotList(CK_TRUE, nullptr, &count);
  if (rv == CKR_OK) {
    slots.resize(count);
    rv = f->C_GetSlotList(CK_TRUE, slots.data(), &count);
    slots.resize(count);
  }
  if (rv != CKR_OK) error = "C_GetSlotList failed: " + rv_text(rv);
  return rv == CKR_OK;
}
}  // namespace

bool Module::find_token(std::string_view label, CK_SLOT_ID& slot, std::string& error) {
  std::vector<CK_SLOT_ID> slots;
  if (!slot_list(f_, slots, error)) return false;
  int found = 0;
  for (CK_SLOT_ID s : slots) {
    CK_TOKEN_INFO info{};
    if (f_->C_GetTokenInfo(s, &info) != CKR_OK) continue;
    if (!(info.flags & CKF_TOKEN_INITIALIZED)) continue;
    if (trim_padded(info.label, sizeof info.label) == label) {
      if (found++ == 0) slot = s;
    }
  }
  if (found == 0) {
    error = "no PKCS#11 token labelled \"" + std::string(label) + "\" in " + path_;
    return false;
  }
  if (found > 1) {
    error = "several PKCS#11 tokens are labelled \"" + std::string(label) + "\" in " + path_;
    return false;
  }
  return true;
}

bool Module::find_free_slot(CK_SLOT_ID& slot, std::string& error) {
  std::vector<CK_SLOT_ID> slots;
  if (!slot_list(f_, slots, error)) return false;
  for (CK_SLOT_ID s : slots) {
    CK_TOKEN_INFO info{};
    if (f_->C_GetTokenInfo(s, &info) == CKR_OK && !(info.flags & CKF_TOKEN_INITIALIZED)) {
      slot = s;
      return true;
    }
  }
  error = "no free (uninitialised) token slot in " + path_;
  return false;
}

std::unique_ptr<Session> Session::open(std::shared_ptr<Module> module, CK_SLOT_ID slot, bool read_write,
                                       std::string& error) {
  std::unique_ptr<Session> s(new Session());
  CK_FLAGS flags = CKF_SERIAL_SESSION | (read_write ? CKF_RW_SESSION : 0);
  CK_RV rv = module->f()->C_OpenSession(slot, flags, nullptr, nullptr, &s->handle_);
  if (rv != CKR_OK) {
    error = "C_OpenSession failed: " + rv_text(rv);
    return nullptr;
  }
  s->module_ = std::move(module);
  return s;
}

Session::~Session() {
  if (module_) module_->f()->C_CloseSession(handle_);
}

bool Session::login(CK_USER_TYPE user_type, const std::string& pin, std::string& error) {
  CK_RV rv = f()->C_Login(handle_, user_type, reinterpret_cast<CK_UTF8CHAR*>(const_cast<char*>(pin.data())),
                          pin.size());
  if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) return true;
  const char* who = user_type == CKU_SO ? "SO" : "user";
  if (rv == CKR_PIN_INCORRECT)
    error = std::string("wrong ") + who + " PIN for the token (" + rv_text(rv) + ")";
  else
    error = std::string("C_Login as ") + who + " failed: " + rv_text(rv);
  return false;
}

void Session::logout() { f()->C_Logout(handle_); }

bool Session::find_key(CK_OBJECT_CLASS cls, std::string_view label, CK_OBJECT_HANDLE& object, std::string& error) {
  CK_KEY_TYPE key_type = CKK_EC;
  CK_ATTRIBUTE tmpl[] = {
      {CKA_CLASS, &cls, sizeof cls},
      {CKA_LABEL, const_cast<char*>(label.data()), label.size()},
      {CKA_KEY_TYPE, &key_type, sizeof key_type},
  };
  CK_RV rv = f()->C_FindObjectsInit(handle_, tmpl, 3);
  if (rv != CKR_OK) {
    error = "C_FindObjectsInit failed: " + rv_text(rv);
    return false;
  }
  CK_OBJECT_HANDLE found[2];
  CK_ULONG count = 0;
  rv = f()->C_FindObjects(handle_, found, 2, &count);
  f()->C_FindObjectsFinal(handle_);
  if (rv != CKR_OK) {
    error = "C_FindObjects failed: " + rv_text(rv);
    return false;
  }
  const char* what = cls == CKO_PRIVATE_KEY ? "EC private key" : "EC public key";
  if (count == 0) {
    error = std::string("no ") + what + " labelled \"" + std::string(label) + "\" on the token";
    return false;
  }
  if (count > 1) {
    error = std::string("several ") + what + "s are labelled \"" + std::string(label) + "\" on the token";
    return false;
  }
  object = found[0];
  return true;
}

bool Session::get_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type, std::string& value,
                            std::string& error) {
  CK_ATTRIBUTE attr{type, nullptr, 0};
  CK_RV rv = f()->C_GetAttributeValue(handle_, object, &attr, 1);
  if (rv == CKR_OK && attr.ulValueLen != CK_UNAVAILABLE_INFORMATION) {
    value.assign(attr.ulValueLen, '\0');
    attr.pValue = value.data();
    rv = f()->C_GetAttributeValue(handle_, object, &attr, 1);
    value.resize(attr.ulValueLen);
  }
  if (rv != CKR_OK || attr.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(type));
    error = std::string("C_GetAttributeValue(") + buf + ") failed: " + rv_text(rv);
    return false;
  }
  return true;
}

bool Session::sign_ecdsa(CK_OBJECT_HANDLE key, std::string_view digest, std::string& signature, std::string& error) {
  CK_MECHANISM mech{CKM_ECDSA, nullptr, 0};
  CK_RV rv = f()->C_SignInit(handle_, &mech, key);
  if (rv != CKR_OK) {
    error = "C_SignInit(CKM_ECDSA) failed: " + rv_text(rv);
    return false;
  }
  // P-256 signatures are 64 bytes; a larger buffer tolerates modules that size by the key in bits.
  unsigned char buf[256];
  CK_ULONG len = sizeof buf;
  rv = f()->C_Sign(handle_, reinterpret_cast<CK_BYTE*>(const_cast<char*>(digest.data())), digest.size(), buf, &len);
  if (rv != CKR_OK) {
    error = "C_Sign(CKM_ECDSA) failed: " + rv_text(rv);
    return false;
  }
  signature.assign(reinterpret_cast<char*>(buf), len);
  return true;
}

}  // namespace trex::hsm::p11
