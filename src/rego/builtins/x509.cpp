// X.509 built-ins: crypto.x509.parse_certificates, crypto.x509.parse_and_verify_certificates(_with_options),
// crypto.x509.parse_certificate_request, crypto.x509.parse_keypair, crypto.x509.parse_rsa_private_key and
// crypto.parse_private_keys.
//
// Inputs are PEM, base64 of PEM, or base64 of DER, as OPA accepts them (topdown/crypto.go); outputs have the JSON
// shape of Go's x509 types (x509_json.cpp). Parse results are cached by input text (bounded, thread-safe), so a
// policy that inspects the same certificate on every query parses it once.
#include <algorithm>
#include <ctime>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "rego/builtins/crypto_util.h"
#include "rego/builtins/registry.h"
#include "rego/number.h"

namespace rego {
namespace {

using crypto::fail;

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// A cached outcome: a value or OPA's error message.
struct Result {
  Value value;
  std::string error;
};

const Value& unwrap(const std::shared_ptr<const Result>& r) {
  if (!r->error.empty()) fail(r->error);
  return r->value;
}

// ---------------------------------------------------------------- certificates

struct X509Shared {
  void operator()(X509* p) const { X509_free(p); }
};

struct CertList {
  std::vector<std::shared_ptr<X509>> certs;
  std::vector<Value> extended;  // Go JSON plus OPA's URIStrings
  std::vector<Value> plain;     // Go JSON only
  std::string error;
};

// x509.ParseCertificates: concatenated DER certificates.
std::string parse_der_certs(std::string_view der, CertList& out) {
  while (!der.empty()) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
    const unsigned char* start = p;
    X509* x = d2i_X509(nullptr, &p, long(der.size()));
    if (!x) {
      crypto::clear_errors();
      return "x509: malformed certificate";
    }
    size_t used = size_t(p - start);
    std::string_view one = der.substr(0, used);
    der.remove_prefix(used);
    out.certs.emplace_back(x, X509Shared{});
    out.extended.push_back(crypto::certificate_json(x, one, true));
    out.plain.push_back(crypto::certificate_json(x, one, false));
  }
  return "";
}

std::string parse_pem_certs(std::string_view pem, CertList& out) {
  std::string der;
  while (!pem.empty()) {
    std::string_view rest;
    auto block = crypto::pem_decode(pem, rest);
    if (!block) break;
    if (block->type != "CERTIFICATE") return "PEM block type is '" + block->type + "', expected CERTIFICATE";
    pem = rest;
    der += block->bytes;
  }
  return parse_der_certs(der, out);
}

// OPA's getX509CertsFromString.
CertList load_certs(std::string_view input) {
  CertList out;
  if (starts_with(input, "-----BEGIN")) {
    out.error = parse_pem_certs(input, out);
    return out;
  }
  std::string decoded;
  if (auto err = crypto::b64_decode_std(input, decoded); !err.empty()) {
    out.error = err;
    return out;
  }
  out.error = starts_with(decoded, "-----BEGIN") ? parse_pem_certs(decoded, out) : parse_der_certs(decoded, out);
  return out;
}

std::shared_ptr<const CertList> certs_of(std::string_view input) {
  static crypto::TextCache<CertList> cache(256);
  return cache.get(input, [&] { return load_certs(input); });
}

std::optional<Value> parse_certificates(BuiltinArgs a, BuiltinContext&) {
  auto list = certs_of(args::string(a, 0));
  if (!list->error.empty()) fail(list->error);
  return Value::array(list->extended);
}

// x509.VerifyOptions as OPA fills them.
struct VerifyOpts {
  std::string dns_name;
  std::optional<int64_t> current_time_ns;
  std::vector<int> key_usages;  // empty: server auth, as Go assumes
};

int chain_index(const CertList& list, X509* x) {
  for (size_t i = 0; i < list.certs.size(); ++i) {
    if (list.certs[i].get() == x) return int(i);
  }
  return -1;
}

std::vector<int> ext_key_usages(const Value& cert_json) {
  std::vector<int> out;
  const Value* eku = cert_json.get("ExtKeyUsage");
  if (eku && eku->is_array()) {
    for (const auto& u : eku->as_array()) out.push_back(int(u.as_int()));
  }
  return out;
}

// Go's checkChainForKeyUsage: walking down from the root, each certificate that restricts its extended key
// usages must allow at least one requested usage that all the certificates above it allowed.
bool chain_allows(const CertList& list, const std::vector<int>& chain, std::vector<int> usages) {
  if (usages.empty()) usages.push_back(1);  // ExtKeyUsageServerAuth
  for (int u : usages) {
    if (u == 0) return true;  // ExtKeyUsageAny requested
  }
  size_t remaining = usages.size();
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const Value& cert = list.plain[size_t(*it)];
    std::vector<int> eku = ext_key_usages(cert);
    const Value* unknown = cert.get("UnknownExtKeyUsage");
    if (eku.empty() && (!unknown || unknown->is_null())) continue;
    if (std::find(eku.begin(), eku.end(), 0) != eku.end()) continue;
    for (int& requested : usages) {
      if (requested < 0) continue;
      if (std::find(eku.begin(), eku.end(), requested) != eku.end()) continue;
      requested = -1;
      if (--remaining == 0) return false;
    }
  }
  return true;
}

// OPA's verifyX509CertificateChain: the first certificate is the root, the last the leaf, the ones between
// intermediates. The verified chain (leaf first) as indexes into list, or nullopt when it does not verify.
std::optional<std::vector<int>> verify_chain(const CertList& list, const VerifyOpts& opts, const BuiltinContext& ctx) {
  if (list.certs.size() < 2) return std::nullopt;
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> untrusted(sk_X509_new_null(),
                                                                       [](STACK_OF(X509)* s) { sk_X509_free(s); });
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> sctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
  X509_STORE_add_cert(store.get(), list.certs.front().get());
  for (size_t i = 1; i + 1 < list.certs.size(); ++i) sk_X509_push(untrusted.get(), list.certs[i].get());
  X509* leaf = list.certs.back().get();
  if (X509_STORE_CTX_init(sctx.get(), store.get(), leaf, untrusted.get()) != 1) {
    crypto::clear_errors();
    return std::nullopt;
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(sctx.get());
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);  // the given root is trusted as it is
  int64_t now_ns = opts.current_time_ns ? *opts.current_time_ns
                                        : (ctx.now_ns != 0 ? ctx.now_ns : int64_t(std::time(nullptr)) * 1000000000);
  int64_t secs = now_ns / 1000000000 - (now_ns % 1000000000 < 0 ? 1 : 0);
  X509_VERIFY_PARAM_set_time(param, time_t(secs));
  if (!opts.dns_name.empty()) {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
    X509_VERIFY_PARAM_set1_host(param, opts.dns_name.data(), opts.dns_name.size());
  }
  if (X509_verify_cert(sctx.get()) != 1) {
    crypto::clear_errors();
    return std::nullopt;
  }
  std::vector<int> chain;
  STACK_OF(X509)* verified = X509_STORE_CTX_get0_chain(sctx.get());
  for (int i = 0; i < sk_X509_num(verified); ++i) {
    int idx = chain_index(list, sk_X509_value(verified, i));
    if (idx < 0) return std::nullopt;
    chain.push_back(idx);
  }
  // Go refuses signatures by MD5, SHA-1 and DSA below the trust anchor.
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    int alg = crypto::signature_algorithm(list.certs[size_t(chain[i])].get());
    if (alg == 1 || alg == 2 || alg == 3 || alg == 7 || alg == 8 || alg == 9) return std::nullopt;
  }
  if (!chain_allows(list, chain, opts.key_usages)) return std::nullopt;
  return chain;
}

Value not_verified() { return Value::array({Value::boolean(false), Value::empty_array()}); }

std::optional<Value> parse_and_verify(BuiltinArgs a, BuiltinContext& ctx) {
  auto list = certs_of(args::string(a, 0));
  if (!list->error.empty()) return not_verified();
  auto chain = verify_chain(*list, VerifyOpts{}, ctx);
  if (!chain) return not_verified();
  std::vector<Value> certs;
  for (int i : *chain) certs.push_back(list->extended[size_t(i)]);
  return Value::array({Value::boolean(true), Value::array(std::move(certs))});
}

// OPA's extractVerifyOpts.
VerifyOpts verify_options(const std::vector<ObjectEntry>& options) {
  static const std::pair<const char*, int> kUsages[] = {
      {"KeyUsageAny", 0},
      {"KeyUsageServerAuth", 1},
      {"KeyUsageClientAuth", 2},
      {"KeyUsageCodeSigning", 3},
      {"KeyUsageEmailProtection", 4},
      {"KeyUsageIPSECEndSystem", 5},
      {"KeyUsageIPSECTunnel", 6},
      {"KeyUsageIPSECUser", 7},
      {"KeyUsageTimeStamping", 8},
      {"KeyUsageOCSPSigning", 9},
      {"KeyUsageMicrosoftServerGatedCrypto", 10},
      {"KeyUsageNetscapeServerGatedCrypto", 11},
      {"KeyUsageMicrosoftCommercialCodeSigning", 12},
      {"KeyUsageMicrosoftKernelCodeSigning", 13},
  };
  auto trim_quotes = [](std::string s) {
    size_t b = s.find_first_not_of('"'), e = s.find_last_not_of('"');
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  VerifyOpts opts;
  for (const auto& [k, v] : options) {
    if (!k.is_string()) continue;
    const std::string& key = k.as_string();
    if (key == "DNSName") {
      if (!v.is_string()) fail("'DNSName' should be a string");
      opts.dns_name = trim_quotes(v.as_string());
    } else if (key == "CurrentTime") {
      if (!v.is_number()) fail("'CurrentTime' should be a number");
      auto ns = number::to_int64(v);
      if (!ns || !number::is_integer(v)) fail("'CurrentTime' should be a valid int64 number");
      opts.current_time_ns = *ns;
    } else if (key == "MaxConstraintComparisons") {
      if (!v.is_number()) fail("'MaxConstraintComparisons' should be a number");
      if (!number::is_integer(v) || !number::to_int64(v)) fail("'MaxConstraintComparisons' should be a valid number");
    } else if (key == "KeyUsages") {
      if (!v.is_array() && !v.is_set()) fail("'KeyUsages' should be an Array or Set");
      std::vector<std::string> invalid;
      for (const auto& u : v.is_array() ? v.as_array() : v.as_set()) {
        if (!u.is_string()) continue;
        std::string name = trim_quotes(u.as_string());
        auto it = std::find_if(std::begin(kUsages), std::end(kUsages), [&](const auto& p) { return name == p.first; });
        if (it == std::end(kUsages)) {
          invalid.push_back(name);
        } else {
          opts.key_usages.push_back(it->second);
        }
      }
      if (!invalid.empty()) {
        std::string list;
        for (const auto& s : invalid) list += (list.empty() ? "" : " ") + s;
        fail("invalid entries for 'KeyUsages' found: [" + list + "]");
      }
    } else {
      fail("invalid key option");
    }
  }
  return opts;
}

std::optional<Value> parse_and_verify_with_options(BuiltinArgs a, BuiltinContext& ctx) {
  const std::string& input = args::string(a, 0);
  const auto& options = args::object(a, 1);
  auto list = certs_of(input);
  if (!list->error.empty()) return not_verified();
  auto chain = verify_chain(*list, verify_options(options), ctx);
  if (!chain) return not_verified();
  std::vector<Value> certs;
  for (int i : *chain) certs.push_back(list->plain[size_t(i)]);
  return Value::array({Value::boolean(true), Value::array(std::move(certs))});
}

// ---------------------------------------------------------------- certificate requests

Result load_csr(std::string_view input) {
  Result r;
  std::string bytes(input);
  if (!starts_with(input, "-----BEGIN CERTIFICATE REQUEST-----")) {
    if (auto err = crypto::b64_decode_std(input, bytes); !err.empty()) {
      r.error = err;
      return r;
    }
  }
  std::string_view rest;
  if (auto block = crypto::pem_decode(bytes, rest)) {
    if (block->type != "CERTIFICATE REQUEST") {
      r.error = "invalid PEM-encoded certificate signing request";
      return r;
    }
    bytes = block->bytes;
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data());
  X509_REQ* req = d2i_X509_REQ(nullptr, &p, long(bytes.size()));
  if (!req || size_t(p - reinterpret_cast<const unsigned char*>(bytes.data())) != bytes.size()) {
    crypto::clear_errors();
    if (req) X509_REQ_free(req);
    r.error = "x509: malformed certificate request";
    return r;
  }
  r.value = crypto::certificate_request_json(req, bytes);
  X509_REQ_free(req);
  return r;
}

std::optional<Value> parse_certificate_request(BuiltinArgs a, BuiltinContext&) {
  static crypto::TextCache<Result> cache(128);
  const std::string& input = args::string(a, 0);
  return unwrap(cache.get(input, [&] { return load_csr(input); }));
}

// ---------------------------------------------------------------- private keys

crypto::PKey parse_key_der(std::string_view der, int type) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* key = nullptr;
  if (type == 0) {  // PKCS #8
    PKCS8_PRIV_KEY_INFO* p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, long(der.size()));
    if (p8) {
      key = EVP_PKCS82PKEY(p8);
      PKCS8_PRIV_KEY_INFO_free(p8);
    }
  } else {
    key = d2i_PrivateKey(type, nullptr, &p, long(der.size()));
  }
  if (!key) {
    crypto::clear_errors();
    return nullptr;
  }
  return crypto::make_pkey(key);
}

// OPA's getPrivateKeysFromPEMData: RSA (PKCS #1), PKCS #8 and EC private-key blocks, in order; the input may be
// base64 of the PEM text.
std::string private_keys_from_pem(std::string data, std::vector<crypto::PKey>& out) {
  std::string decoded;
  if (crypto::b64_decode_std(data, decoded).empty()) data = decoded;
  std::string_view rest = data;
  while (!rest.empty()) {
    size_t in_len = rest.size();
    std::string_view next;
    auto block = crypto::pem_decode(rest, next);
    rest = next;
    if (in_len == rest.size()) break;
    if (!block) continue;
    crypto::PKey key;
    if (block->type == "RSA PRIVATE KEY") {
      key = parse_key_der(block->bytes, EVP_PKEY_RSA);
      if (!key) return "x509: failed to parse private key";
    } else if (block->type == "PRIVATE KEY") {
      key = parse_key_der(block->bytes, 0);
      if (!key) return "x509: failed to parse private key";
    } else if (block->type == "EC PRIVATE KEY") {
      key = parse_key_der(block->bytes, EVP_PKEY_EC);
      if (!key) return "x509: failed to parse EC private key";
    } else {
      continue;
    }
    out.push_back(std::move(key));
  }
  return "";
}

std::optional<Value> parse_private_keys(BuiltinArgs a, BuiltinContext&) {
  static crypto::TextCache<Result> cache(128);
  const std::string& input = args::string(a, 0);
  if (input.empty()) return Value::null();
  return unwrap(cache.get(input, [&] {
    Result r;
    std::vector<crypto::PKey> keys;
    r.error = private_keys_from_pem(input, keys);
    std::vector<Value> items;
    for (const auto& k : keys) items.push_back(crypto::private_key_json(k.get()));
    r.value = Value::array(std::move(items));
    return r;
  }));
}

std::optional<Value> parse_rsa_private_key(BuiltinArgs a, BuiltinContext&) {
  static crypto::TextCache<Result> cache(128);
  const std::string& input = args::string(a, 0);
  if (input.empty()) fail("input PEM data was empty");
  return unwrap(cache.get(input, [&] {
    Result r;
    std::string pem = input;
    if (!starts_with(input, "-----BEGIN")) {
      if (auto err = crypto::b64_decode_std(input, pem); !err.empty()) {
        r.error = err;
        return r;
      }
    }
    std::vector<crypto::PKey> keys;
    r.error = private_keys_from_pem(pem, keys);
    if (!r.error.empty()) return r;
    if (keys.empty()) return r;  // null
    try {
      r.value = crypto::private_key_jwk(keys.front().get());
    } catch (const BuiltinError& e) {
      r.error = e.message;
    }
    return r;
  }));
}

// ---------------------------------------------------------------- key pairs (tls.X509KeyPair)

Result load_keypair(const std::string& cert_in, const std::string& key_in) {
  Result r;
  auto pem_or_der = [&](const std::string& in, std::string& out) {
    out = in;
    if (!starts_with(in, "-----BEGIN ")) return crypto::b64_decode_std(in, out);
    return std::string();
  };
  std::string cert_text, key_text;
  if (r.error = pem_or_der(cert_in, cert_text); !r.error.empty()) return r;
  if (r.error = pem_or_der(key_in, key_text); !r.error.empty()) return r;

  std::vector<std::string> cert_ders, skipped;
  if (!starts_with(cert_text, "-----BEGIN ")) {
    cert_ders.push_back(cert_text);  // DER
  } else {
    std::string_view rest = cert_text;
    while (auto block = crypto::pem_decode(rest, rest)) {
      if (block->type == "CERTIFICATE") {
        cert_ders.push_back(std::move(block->bytes));
      } else {
        skipped.push_back(block->type);
      }
    }
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& t : v) s += (s.empty() ? "" : " ") + t;
    return "[" + s + "]";
  };
  if (cert_ders.empty()) {
    if (skipped.empty()) {
      r.error = "tls: failed to find any PEM data in certificate input";
    } else if (skipped.size() == 1 && skipped[0].size() >= 11 &&
               skipped[0].compare(skipped[0].size() - 11, 11, "PRIVATE KEY") == 0) {
      r.error =
          "tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may "
          "have been switched";
    } else {
      r.error = "tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM blocks of "
                "the following types: " + join(skipped);
    }
    return r;
  }

  std::string key_der;
  if (!starts_with(key_text, "-----BEGIN ")) {
    key_der = key_text;
  } else {
    skipped.clear();
    std::string_view rest = key_text;
    bool found = false;
    while (auto block = crypto::pem_decode(rest, rest)) {
      const std::string& t = block->type;
      if (t == "PRIVATE KEY" || (t.size() > 12 && t.compare(t.size() - 12, 12, " PRIVATE KEY") == 0)) {
        key_der = std::move(block->bytes);
        found = true;
        break;
      }
      skipped.push_back(t);
    }
    if (!found) {
      if (skipped.empty()) {
        r.error = "tls: failed to find any PEM data in key input";
      } else if (skipped.size() == 1 && skipped[0] == "CERTIFICATE") {
        r.error = "tls: found a certificate rather than a key in the PEM for the private key";
      } else {
        r.error = "tls: failed to find PEM block with type ending in \"PRIVATE KEY\" in key input after skipping "
                  "PEM blocks of the following types: " + join(skipped);
      }
      return r;
    }
  }

  const unsigned char* p = reinterpret_cast<const unsigned char*>(cert_ders[0].data());
  std::unique_ptr<X509, X509Shared> leaf(d2i_X509(nullptr, &p, long(cert_ders[0].size())));
  if (!leaf) {
    crypto::clear_errors();
    r.error = "x509: malformed certificate";
    return r;
  }
  crypto::PKey key = parse_key_der(key_der, EVP_PKEY_RSA);
  if (!key) key = parse_key_der(key_der, 0);
  if (!key) key = parse_key_der(key_der, EVP_PKEY_EC);
  if (!key) {
    r.error = "tls: failed to parse private key";
    return r;
  }
  EVP_PKEY* pub = X509_get0_pubkey(leaf.get());
  int pub_type = pub ? EVP_PKEY_get_base_id(pub) : 0;
  if (pub_type != EVP_PKEY_RSA && pub_type != EVP_PKEY_EC && pub_type != EVP_PKEY_ED25519) {
    r.error = "tls: unknown public key algorithm";
    return r;
  }
  if (pub_type != EVP_PKEY_get_base_id(key.get())) {
    r.error = "tls: private key type does not match public key type";
    return r;
  }
  if (EVP_PKEY_eq(pub, key.get()) != 1) {
    crypto::clear_errors();
    r.error = "tls: private key does not match public key";
    return r;
  }
  std::vector<Value> certs;
  for (const auto& der : cert_ders) certs.push_back(Value::string(crypto::b64_encode(der, false, true)));
  r.value = Value::object({
      {str("Certificate"), Value::array(std::move(certs))},
      {str("PrivateKey"), crypto::private_key_json(key.get())},
      {str("SupportedSignatureAlgorithms"), Value::null()},
      {str("OCSPStaple"), Value::null()},
      {str("SignedCertificateTimestamps"), Value::null()},
      {str("Leaf"), crypto::certificate_json(leaf.get(), cert_ders[0], false)},
  });
  return r;
}

std::optional<Value> parse_keypair(BuiltinArgs a, BuiltinContext&) {
  static crypto::TextCache<Result> cache(128);
  const std::string& cert = args::string(a, 0);
  const std::string& key = args::string(a, 1);
  std::string cache_key = std::to_string(cert.size()) + ":" + cert + key;
  return unwrap(cache.get(cache_key, [&] { return load_keypair(cert, key); }));
}

}  // namespace

void register_x509(Registry& r) {
  r.add("crypto.x509.parse_certificates", 1, parse_certificates);
  r.add("crypto.x509.parse_and_verify_certificates", 1, parse_and_verify);
  r.add("crypto.x509.parse_and_verify_certificates_with_options", 2, parse_and_verify_with_options);
  r.add("crypto.x509.parse_certificate_request", 1, parse_certificate_request);
  r.add("crypto.x509.parse_keypair", 2, parse_keypair);
  r.add("crypto.x509.parse_rsa_private_key", 1, parse_rsa_private_key);
  r.add("crypto.parse_private_keys", 1, parse_private_keys);
}

}  // namespace rego
