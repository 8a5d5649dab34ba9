// The bridge between the server's decision sinks and the HSM-signed log: reads the `decision_logs.signed_file`
// and `decision_logs.signing.pkcs11` configuration, opens the PKCS#11 signer and the signed log, and appends
// every decision/outcome record. Lives in the CLI because it is the one place allowed to know both sides:
// the server knows no PKCS#11, the hsm library no Rego.
//
//   decision_logs:
//     signed_file: {path: ./decisions, durability: sync|async, max_batch: 256, max_delay_ms: 5,
//                   queue_capacity: 65536, overflow: error|drop, segment_bytes: 67108864}
//     signing:
//       pkcs11: {module: /usr/lib/softhsm/libsofthsm2.so, token_label: trex, key_label: trex-log,
//                pin_env: TREX_HSM_PIN, pin_file: ""}
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "hsm/pkcs11_signer.h"
#include "hsm/signed_log.h"
#include "rego/value.h"
#include "server/decision_log.h"

namespace trex::cli {

struct SignedLogConfig {
  hsm::SignedLogOptions log;
  hsm::Pkcs11Config pkcs11;
};

// nullopt when no signed_file is configured; `error` set when the configuration is wrong.
std::optional<SignedLogConfig> signed_log_config(const rego::Value& config, std::string& error);

// Opens the signer and the log. When the token or the log cannot be opened, the sink still exists but fails
// every record with that error (fail closed: the server answers 503, health shows decision_logs ERROR).
// `on_state` receives "OK" / "ERROR" and a message whenever the sink's health changes.
std::shared_ptr<server::DecisionSink> open_signed_log_sink(
    const SignedLogConfig& config, std::function<void(const std::string& state, const std::string& msg)> on_state);

}  // namespace trex::cli
