// libFuzzer target: JWS/JWT parsing and verification.
//  - the io.jwt.* built-ins, called directly through the registry (no parser, no evaluator): decode,
//    verify_hs256/384/512, verify_es256/rs256/ps256 with fixed keys, decode_verify with fixed or fuzzed
//    constraints, and verify_rs256/es256 with a fuzzed key text (PEM, certificate, JWK or JWK set);
//  - the signed decision log's own compact-JWS reader (hsm/jws.h: jws_verify) with a fixed P-256 key.
//
// Input: the token, optionally followed by LF and an "extra" part. The extra part is used as the key text of
// a second verification, as the protected header of an HS256 encode_sign_raw, and, when it is a JSON object,
// as decode_verify's constraints as given. Built-ins report bad input by throwing BuiltinError; anything else
// escaping is a finding.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_keys.h"
#include "hsm/ec_key.h"
#include "hsm/jws.h"
#include "rego/builtins/registry.h"
#include "rego/json.h"

namespace {

using rego::Value;

constexpr int64_t kNowNs = 1764000000000000000;  // fixed "now" (2025-11-24): exp/nbf checks are deterministic

std::optional<Value> call(const char* name, std::vector<Value> args) {
  const rego::Builtin* b = rego::builtins().find(name);
  if (!b || static_cast<size_t>(b->arity) != args.size()) __builtin_trap();
  rego::BuiltinContext ctx;
  ctx.now_ns = kNowNs;
  try {
    return b->fn(rego::BuiltinArgs(args.data(), args.size()), ctx);
  } catch (const rego::BuiltinError&) {
    return std::nullopt;
  }
}

const std::shared_ptr<trex::hsm::PublicKey>& log_key() {
  static std::shared_ptr<trex::hsm::PublicKey> key = [] {
    std::string error;
    auto k = trex::hsm::PublicKey::from_pem(trex_fuzz::kEcPublicPem, error);
    if (!k) __builtin_trap();
    return k;
  }();
  return key;
}

Value obj(std::vector<std::pair<const char*, Value>> members) {
  std::vector<rego::ObjectEntry> entries;
  for (auto& [k, v] : members) entries.push_back({Value::string(k), std::move(v)});
  return Value::object(std::move(entries));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16 * 1024) return -1;
  std::string_view all(reinterpret_cast<const char*>(data), size);
  size_t nl = all.find('\n');
  std::string token(all.substr(0, nl));
  std::optional<std::string> extra;
  if (nl != std::string_view::npos) extra = std::string(all.substr(nl + 1));

  Value tok = Value::string(token);
  Value secret = Value::string(trex_fuzz::kHmacSecret);
  Value ec_pub = Value::string(trex_fuzz::kEcPublicPem);
  Value rsa_pub = Value::string(trex_fuzz::kRsaPublicPem);

  call("io.jwt.decode", {tok});
  call("io.jwt.verify_hs256", {tok, secret});
  call("io.jwt.verify_hs384", {tok, secret});
  call("io.jwt.verify_hs512", {tok, secret});
  call("io.jwt.verify_es256", {tok, ec_pub});
  call("io.jwt.verify_rs256", {tok, rsa_pub});
  call("io.jwt.verify_ps256", {tok, rsa_pub});
  call("io.jwt.decode_verify", {tok, obj({{"secret", secret}})});
  call("io.jwt.decode_verify", {tok, obj({{"cert", ec_pub}, {"time", Value::integer(kNowNs)}})});
  call("io.jwt.decode_verify", {tok, obj({{"cert", rsa_pub}, {"alg", Value::string("RS256")}})});

  if (extra) {
    Value key = Value::string(*extra);
    call("io.jwt.verify_rs256", {tok, key});
    call("io.jwt.verify_es256", {tok, key});
    call("io.jwt.verify_eddsa", {tok, key});
    auto constraints = rego::json::parse(*extra, 50);
    if (constraints.ok && constraints.value.is_object()) call("io.jwt.decode_verify", {tok, constraints.value});
    // Signing with a fuzzed header and payload and the fixed HMAC key; what is signed must verify.
    Value jwk = Value::string(R"({"kty":"oct","k":"ZnV6ei1zZWNyZXQ"})");  // base64url("fuzz-secret")
    auto signed_token = call("io.jwt.encode_sign_raw", {Value::string(*extra), tok, jwk});
    if (signed_token && signed_token->is_string()) call("io.jwt.decode", {*signed_token});
  }

  std::string payload, kid, error;
  trex::hsm::jws_verify(token, *log_key(), payload, kid, error);
  return 0;
}
