// Hashing built-ins: crypto.md5, crypto.sha1, crypto.sha256, crypto.hmac.{md5,sha1,sha256,sha512} and
// crypto.hmac.equal. Digests are returned as lowercase hex, as OPA does.
#include <openssl/evp.h>

#include "rego/builtins/crypto_util.h"
#include "rego/builtins/registry.h"

namespace rego {
namespace {

template <const EVP_MD* (*Md)()>
std::optional<Value> hash_builtin(BuiltinArgs a, BuiltinContext&) {
  return Value::string(crypto::hex_encode(crypto::digest(Md(), args::string(a, 0))));
}

// crypto.hmac.<hash>(message, key)
template <const EVP_MD* (*Md)()>
std::optional<Value> hmac_builtin(BuiltinArgs a, BuiltinContext&) {
  const std::string& message = args::string(a, 0);
  const std::string& key = args::string(a, 1);
  return Value::string(crypto::hex_encode(crypto::hmac(Md(), key, message)));
}

// Constant-time comparison (Go's hmac.Equal): the time taken does not depend on where the inputs differ.
std::optional<Value> hmac_equal(BuiltinArgs a, BuiltinContext&) {
  const std::string& mac1 = args::string(a, 0);
  const std::string& mac2 = args::string(a, 1);
  return Value::boolean(crypto::constant_time_equal(mac1, mac2));
}

}  // namespace

void register_crypto(Registry& r) {
  r.add("crypto.md5", 1, hash_builtin<EVP_md5>);
  r.add("crypto.sha1", 1, hash_builtin<EVP_sha1>);
  r.add("crypto.sha256", 1, hash_builtin<EVP_sha256>);
  r.add("crypto.hmac.md5", 2, hmac_builtin<EVP_md5>);
  r.add("crypto.hmac.sha1", 2, hmac_builtin<EVP_sha1>);
  r.add("crypto.hmac.sha256", 2, hmac_builtin<EVP_sha256>);
  r.add("crypto.hmac.sha512", 2, hmac_builtin<EVP_sha512>);
  r.add("crypto.hmac.equal", 2, hmac_equal);
}

}  // namespace rego
