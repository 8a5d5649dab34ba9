// hsm_write_log DIR N [sync|async]: appends N decision records to the signed log in DIR, signing with the
// token named by TREX_TEST_TOKEN_LABEL / TREX_TEST_KEY_LABEL (PIN in TREX_HSM_PIN). For the CLI test,
// which has no server to produce decisions yet.
#include <cstdlib>
#include <iostream>
#include <string>

#include "hsm/pkcs11_signer.h"
#include "hsm/signed_log.h"

int main(int argc, char** argv) {
  using namespace trex::hsm;
  if (argc < 3) {
    std::cerr << "usage: hsm_write_log DIR N [sync|async]\n";
    return 2;
  }
  Pkcs11Config config;
  if (const char* v = std::getenv("TREX_TEST_TOKEN_LABEL")) config.token_label = v;
  if (const char* v = std::getenv("TREX_TEST_KEY_LABEL")) config.key_label = v;
  std::string error;
  auto signer = Pkcs11Signer::open(config, error);
  if (!signer) {
    std::cerr << "hsm_write_log: " << error << "\n";
    return 1;
  }
  SignedLogOptions options;
  options.dir = argv[1];
  options.durability = argc > 3 && std::string(argv[3]) == "async" ? Durability::Async : Durability::Sync;
  auto log = SignedLog::open(options, signer, error);
  if (!log) {
    std::cerr << "hsm_write_log: " << error << "\n";
    return 1;
  }
  int n = std::atoi(argv[2]);
  for (int i = 0; i < n; ++i) {
    std::string record = R"({"decision_id":"cli-)" + std::to_string(i) + R"(","path":"authz/allow","result":true})";
    if (!log->append(i % 4 == 3 ? "outcome" : "decision", record, error)) {
      std::cerr << "hsm_write_log: " << error << "\n";
      return 1;
    }
  }
  if (!log->flush(error)) {
    std::cerr << "hsm_write_log: " << error << "\n";
    return 1;
  }
  return 0;
}
