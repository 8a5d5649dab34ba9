// Shared helpers for the crypto, x509, JWT/JWK and AWS built-ins: Go-compatible base64 and PEM decoding, a
// Go-style JSON syntax checker (for Go's error wording), a bounded thread-safe cache for parsed keys, OpenSSL
// RAII handles, and JWS signing/verification over OpenSSL 3.
//
// Internal to builtins/, plus the loader's bundle signing (load/bundle_signing.cpp), which reuses the JWS,
// PEM and digest helpers rather than keeping a second copy, and the server's client-certificate identity
// (server/client_identity.cpp), which reuses certificate_json.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "rego/builtins/registry.h"
#include "rego/value.h"

namespace rego::crypto {

[[noreturn]] inline void fail(std::string msg) { throw BuiltinError{std::move(msg), false}; }

// ---------------------------------------------------------------- encodings (Go's standard library)

// encoding/base64: std or URL alphabet, with or without '=' padding.
std::string b64_encode(std::string_view in, bool url, bool pad);
// base64.StdEncoding.DecodeString: "" on success, else Go's message ("illegal base64 data at input byte 4").
std::string b64_decode_std(std::string_view in, std::string& out);
// OPA's base64url.decode: missing padding restored (RFC 7515 appendix C), then URLEncoding.DecodeString.
std::string b64url_decode_opa(std::string_view in, std::string& out);
// Lenient decoding as JWK libraries do: either alphabet, padding optional. false on malformed input.
bool b64_decode_any(std::string_view in, std::string& out);

std::string hex_encode(std::string_view in);

// encoding/json's syntax error for `text` ("invalid character 'e' looking for beginning of value",
// "unexpected end of JSON input"), or "" when it is valid JSON.
std::string go_json_error(std::string_view text);

// ---------------------------------------------------------------- PEM (encoding/pem.Decode)

struct PemBlock {
  std::string type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string bytes;
};

// The first PEM block in data and the rest after it; nullopt (rest = data) when there is none.
std::optional<PemBlock> pem_decode(std::string_view data, std::string_view& rest);

// ---------------------------------------------------------------- OpenSSL handles

struct PKeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BNFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using PKey = std::shared_ptr<EVP_PKEY>;  // shared: cached keys are used by many threads at once
using X509Ptr = std::unique_ptr<X509, X509Free>;
using BNPtr = std::unique_ptr<BIGNUM, BNFree>;

inline PKey make_pkey(EVP_PKEY* p) { return PKey(p, PKeyFree{}); }

// Clears OpenSSL's thread-local error queue (after an expected failure).
void clear_errors();

// A BIGNUM as an exact Rego number (Go's big.Int in JSON), and as unpadded big-endian base64url (JWK).
Value bn_value(const BIGNUM* bn);
std::string bn_b64url(const BIGNUM* bn, size_t pad_to = 0);
BNPtr pkey_bn(const EVP_PKEY* key, const char* param);  // null when absent

// Digest / HMAC helpers (raw bytes).
std::string digest(const EVP_MD* md, std::string_view data);
std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data);
bool constant_time_equal(std::string_view a, std::string_view b);

// ---------------------------------------------------------------- a bounded, thread-safe cache keyed by text

// Least-recently-used cache of immutable values keyed by the text they were parsed from (keys, certificates).
// Built-ins run concurrently: every method takes the one mutex, held only for the map operations.
template <class V>
class TextCache {
 public:
  explicit TextCache(size_t capacity, size_t max_key_bytes = 1 << 20)
      : capacity_(capacity), max_key_bytes_(max_key_bytes) {}

  // The cached value for `key`, building it with make() (outside the lock) on a miss.
  std::shared_ptr<const V> get(std::string_view key, const std::function<V()>& make) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = map_.find(key);
      if (it != map_.end()) {
        order_.splice(order_.begin(), order_, it->second.second);
        return it->second.first;
      }
    }
    auto value = std::make_shared<const V>(make());
    if (key.size() > max_key_bytes_) return value;
    std::lock_guard<std::mutex> lock(mu_);
    std::string k(key);
    if (map_.find(key) != map_.end()) return value;
    order_.push_front(k);
    map_.emplace(std::move(k), std::make_pair(value, order_.begin()));
    while (map_.size() > capacity_) {
      map_.erase(order_.back());
      order_.pop_back();
    }
    return value;
  }

 private:
  size_t capacity_;
  size_t max_key_bytes_;
  std::mutex mu_;
  std::list<std::string> order_;  // most recent first
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::pair<std::shared_ptr<const V>, std::list<std::string>::iterator>, Hash,
                     std::equal_to<>>
      map_;
};

// ---------------------------------------------------------------- JWS keys and algorithms

enum class AlgFamily { HMAC, RSA, PSS, ECDSA, EdDSA };

struct JwsAlg {
  const char* name;  // "RS256"
  AlgFamily family;
  const EVP_MD* (*md)();  // null for EdDSA
};

// The algorithms OPA knows (RS/PS/ES/HS 256/384/512 and EdDSA); null for any other name.
const JwsAlg* find_alg(std::string_view name);

// A key usable for JWS: an asymmetric key (public or private) or an HMAC secret, with the JWK's alg and kid.
struct JwsKey {
  PKey pkey;           // null for a secret
  std::string secret;  // HMAC key bytes when pkey is null
  std::string alg;
  std::string kid;
  bool is_secret() const { return !pkey; }
};

// Verifies sig over input with key under alg. Any mismatch (key type, signature shape) is simply false.
// pss_auto_salt: accept any PSS salt length (Go's rsa.VerifyPSS with nil options); else salt = hash length.
// strict_ec: an ECDSA signature must be exactly twice the curve size (else it is split in half, as OPA's
// io.jwt.verify_es* does).
bool jws_verify(const JwsKey& key, const JwsAlg& alg, std::string_view input, std::string_view sig,
                bool pss_auto_salt = false, bool strict_ec = true);
// Signs input; throws BuiltinError when the key does not suit the algorithm.
std::string jws_sign(const JwsKey& key, const JwsAlg& alg, std::string_view input);

// ---------------------------------------------------------------- JWK (jwk.cpp)

// Parses a JWK or a JWK set ({"keys": [...]}) into keys. Throws BuiltinError with the parse problem.
std::vector<JwsKey> parse_jwk_set(std::string_view text);

// OPA's getKeysFromCertOrJWK: a PEM certificate, a PEM public key, or a JWK (set). Cached by text; throws
// BuiltinError with OPA's messages. Keys of a set with an algorithm OPA does not know are skipped.
std::shared_ptr<const std::vector<JwsKey>> keys_from_cert_or_jwk(std::string_view text);

// The first key of a JWK (set) for signing (io.jwt.encode_sign*), cached by text.
std::shared_ptr<const JwsKey> signing_key_from_jwk(std::string_view text);

// A private key as a JWK object (crypto.x509.parse_rsa_private_key): RSA and EC keys.
Value private_key_jwk(EVP_PKEY* key);

// ---------------------------------------------------------------- Go's JSON shapes of x509 objects (x509_json.cpp)

// x509.Certificate as encoding/json marshals it; with_uri_strings adds OPA's extra "URIStrings" field.
// der is the certificate's encoding (for the Raw* fields).
Value certificate_json(X509* cert, std::string_view der, bool with_uri_strings);
// x509.CertificateRequest as encoding/json marshals it.
Value certificate_request_json(X509_REQ* req, std::string_view der);
// A crypto.PrivateKey (*rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey) as encoding/json marshals it.
Value private_key_json(EVP_PKEY* key);
// x509's signature-algorithm enum for a certificate (SHA256WithRSA = 4, ...).
int signature_algorithm(X509* cert);

}  // namespace rego::crypto
