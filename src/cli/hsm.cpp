// trex hsm init | pubkey: provision the PKCS#11 token that signs the decision log, and print its public
// key for auditors (`trex log verify --public-key`). PINs come from environment variables or a 0600 file,
// never from the command line (where every process listing would show them).
#include <cstdlib>
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/signed_decision_log.h"
#include "load/documents.h"
#include "hsm/pin.h"
#include "hsm/pkcs11_signer.h"
#include "hsm/provision.h"

namespace trex::cli {
namespace {

const char* kUsage =
    "usage: trex hsm init   [flags]   provision a token and an ECDSA P-256 signing key (idempotent)\n"
    "       trex hsm pubkey [flags]   print the signing key's public key (PEM SubjectPublicKeyInfo)\n"
    "  --module PATH       PKCS#11 module (default /usr/lib/softhsm/libsofthsm2.so; SoftHSM2 reads\n"
    "                      SOFTHSM2_CONF)\n"
    "  --token-label L     token label (default trex)\n"
    "  --key-label K       key pair label, CKA_LABEL (default trex-log)\n"
    "  --pin-env NAME      variable holding the user PIN (default TREX_HSM_PIN)\n"
    "  --pin-file FILE     file holding the user PIN (mode 0600), instead of --pin-env\n"
    "  --so-pin-env NAME   init: variable holding the SO PIN (default TREX_HSM_SO_PIN; when unset and the\n"
    "                      token must be created, a PIN is generated and printed once)\n"
    "  -c, --config-file F take the module, labels and PIN source from the server configuration's\n"
    "                      decision_logs.signing.pkcs11 (flags given as well override it)\n";

const std::vector<FlagSpec> kFlags = {
    {{"--help", "-h"}, false},    {{"--module"}, true},  {{"--token-label"}, true}, {{"--key-label"}, true},
    {{"--pin-env"}, true},        {{"--pin-file"}, true}, {{"--so-pin-env"}, true},
    {{"--config-file", "-c"}, true},
};

// The token settings: defaults, then the server configuration file's decision_logs.signing.pkcs11 when
// --config-file is given, then the flags. False with `error` when the file cannot be used.
bool config_from(const ParsedArgs& args, hsm::Pkcs11Config& c, std::string& error) {
  if (args.has("--config-file")) {
    auto text = load::read_file(args.last("--config-file"), error);
    if (!text) return false;
    auto doc = load::parse_document(*text, error);
    if (!doc) {
      error = "config file " + args.last("--config-file") + ": " + error;
      return false;
    }
    auto signed_cfg = signed_log_config(*doc, error);
    if (!signed_cfg) {
      if (error.empty()) error = "config file " + args.last("--config-file") + " has no decision_logs.signed_file";
      return false;
    }
    c = signed_cfg->pkcs11;
  }
  c.module = args.last("--module", c.module);
  c.token_label = args.last("--token-label", c.token_label);
  c.key_label = args.last("--key-label", c.key_label);
  c.pin.env = args.last("--pin-env", c.pin.env);
  c.pin.file = args.last("--pin-file", c.pin.file);
  return true;
}

// SoftHSM fails C_Initialize with a bare CKR_GENERAL_ERROR when its configuration is unusable.
std::string with_hint(const std::string& error, const std::string& module) {
  if (module.find("softhsm") == std::string::npos || error.find("C_Initialize") == std::string::npos) return error;
  const char* conf = std::getenv("SOFTHSM2_CONF");
  return error + " (check SOFTHSM2_CONF=" + (conf ? conf : "/etc/softhsm/softhsm2.conf") +
         " and that its directories.tokendir exists)";
}

int fail(const std::string& message) {
  std::cerr << "trex hsm: " << message << "\n";
  return kExitFailed;
}

int init(const ParsedArgs& args) {
  hsm::Pkcs11Config c;
  if (std::string error; !config_from(args, c, error)) return usage_error("hsm", error, kUsage);
  std::string error;
  hsm::SecretString user_pin;
  if (!hsm::read_pin(c.pin, user_pin, error)) return fail(error);

  std::string so_env = args.last("--so-pin-env", "TREX_HSM_SO_PIN");
  hsm::SecretString so_pin;
  bool so_generated = false;
  if (const char* v = std::getenv(so_env.c_str()); v && *v) {
    so_pin = hsm::SecretString(std::string(v));
  } else {
    so_pin = hsm::random_pin(16);
    so_generated = true;
  }

  hsm::ProvisionRequest req{c.module, c.token_label, c.key_label, &user_pin, &so_pin};
  hsm::ProvisionResult result;
  if (!hsm::provision_token(req, result, error)) return fail(with_hint(error, c.module));

  std::cout << "token \"" << c.token_label << "\": " << (result.token_created ? "created" : "already present")
            << "\n";
  if (result.token_created && so_generated) {
    // The only time this PIN is ever shown: the token's security officer needs it to reset the user PIN.
    std::cout << "SO PIN (generated, shown only now; store it safely): " << so_pin.value() << "\n";
  }
  std::cout << "key \"" << c.key_label << "\": " << (result.key_created ? "created" : "already present")
            << " (ECDSA P-256)\n"
            << "kid: " << result.public_key->kid() << "\n"
            << result.public_key->pem();
  return kExitOk;
}

int pubkey(const ParsedArgs& args) {
  hsm::Pkcs11Config c;
  if (std::string error; !config_from(args, c, error)) return usage_error("hsm", error, kUsage);
  std::string error;
  auto key = hsm::read_token_public_key(c, error);
  if (!key) return fail(with_hint(error, c.module));
  std::cout << key->pem();
  return kExitOk;
}

}  // namespace

int run_hsm(const std::vector<std::string>& argv) {
  if (argv.empty()) return usage_error("hsm", "specify a subcommand (init, pubkey)", kUsage);
  const std::string sub = argv[0];
  if (sub == "--help" || sub == "-h") {
    std::cout << kUsage;
    return kExitOk;
  }
  ParsedArgs args = parse_flags(std::vector<std::string>(argv.begin() + 1, argv.end()), kFlags);
  if (!args.error.empty()) return usage_error("hsm", args.error, kUsage);
  if (args.has("--help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (!args.positional.empty()) return usage_error("hsm", "unexpected argument " + args.positional[0], kUsage);
  if (sub == "init") return init(args);
  if (sub == "pubkey") return pubkey(args);
  return usage_error("hsm", "unknown subcommand \"" + sub + "\" (init, pubkey)", kUsage);
}

}  // namespace trex::cli
