// A temporary SoftHSM2 token (see temp_token.h).
#include "temp_token.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "hsm/provision.h"

namespace trex::hsm::testing {

std::unique_ptr<TempToken> TempToken::create(std::string& error) {
  auto t = std::unique_ptr<TempToken>(new TempToken());
  char tmpl[] = "/tmp/trex-hsm-test-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    error = "mkdtemp failed";
    return nullptr;
  }
  t->dir_ = tmpl;
  std::filesystem::create_directories(t->dir_ + "/tokens");
  const std::string conf = t->dir_ + "/softhsm2.conf";
  std::ofstream(conf) << "directories.tokendir = " << t->dir_ << "/tokens\n"
                      << "objectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n";
  ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
  ::setenv("TREX_HSM_PIN", kTestPin, 1);

  t->config_.module = kDefaultPkcs11Module;
  t->config_.token_label = "trex-test";
  t->config_.key_label = "trex-test-log";
  t->config_.pin.env = "TREX_HSM_PIN";

  SecretString user{std::string(kTestPin)}, so{std::string("so-pin-0815")};
  ProvisionRequest req{t->config_.module, t->config_.token_label, t->config_.key_label, &user, &so};
  ProvisionResult result;
  if (!provision_token(req, result, error)) return nullptr;
  t->idle_config_ = t->config_;
  t->idle_config_.token_label = "trex-test-idle";
  req.token_label = t->idle_config_.token_label;
  if (!provision_token(req, result, error)) return nullptr;
  return t;
}

TempToken::~TempToken() {
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string TempToken::new_log_dir() {
  std::string d = dir_ + "/log" + std::to_string(++log_dirs_);
  std::filesystem::create_directories(d);
  return d;
}

TempToken& shared_token() {
  static std::unique_ptr<TempToken> token = [] {
    std::string error;
    auto t = TempToken::create(error);
    if (!t) throw std::runtime_error("cannot create a SoftHSM2 test token: " + error);
    return t;
  }();
  return *token;
}

std::shared_ptr<Pkcs11Signer> shared_signer() {
  static std::shared_ptr<Pkcs11Signer> signer = [] {
    std::string error;
    auto s = Pkcs11Signer::open(shared_token().config(), error);
    if (!s) throw std::runtime_error("cannot open the test signer: " + error);
    return s;
  }();
  return signer;
}

}  // namespace trex::hsm::testing
