// JSON Web Keys (RFC 7517) over OpenSSL 3: parsing JWKs and JWK sets into keys for JWS signing/verification,
// OPA's "certificate, public key or JWK" key argument, and exporting private keys as JWKs.
//
// Parsed keys are cached by their text (bounded LRU, thread-safe), so a policy that verifies tokens against the
// same key on every query parses it once.
#include <cstring>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "rego/builtins/crypto_util.h"
#include "rego/json.h"

namespace rego::crypto {
namespace {

struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct PKeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct BnCtxFree {
  void operator()(BN_CTX* p) const { BN_CTX_free(p); }
};

const std::string* member(const Value& obj, std::string_view name) {
  const Value* v = obj.get(name);
  return v && v->is_string() ? &v->as_string() : nullptr;
}

// A base64url member decoded to bytes; nullopt when absent; throws when malformed.
std::optional<std::string> bytes_member(const Value& obj, std::string_view name, bool required) {
  const std::string* s = member(obj, name);
  if (!s) {
    if (required) fail("required field " + std::string(name) + " is missing");
    return std::nullopt;
  }
  std::string out;
  if (!b64_decode_any(*s, out)) fail("failed to decode field " + std::string(name));
  return out;
}

BNPtr to_bn(const std::string& bytes) {
  return BNPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), int(bytes.size()), nullptr));
}

PKey from_params(const char* type, OSSL_PARAM_BLD* bld, bool priv) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  std::unique_ptr<EVP_PKEY_CTX, PKeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    clear_errors();
    return nullptr;
  }
  return make_pkey(key);
}

PKey rsa_key(const Value& jwk) {
  auto n = bytes_member(jwk, "n", true), e = bytes_member(jwk, "e", true);
  auto d = bytes_member(jwk, "d", false);
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  BNPtr bn_n = to_bn(*n), bn_e = to_bn(*e);
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get());
  BNPtr bn_d, p, q, dp, dq, qi;
  if (d) {
    bn_d = to_bn(*d);
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_D, bn_d.get());
    auto sp = bytes_member(jwk, "p", false), sq = bytes_member(jwk, "q", false);
    if (sp && sq) {
      p = to_bn(*sp);
      q = to_bn(*sq);
      std::unique_ptr<BN_CTX, BnCtxFree> bctx(BN_CTX_new());
      auto crt = [&](const char* name, BNPtr& out, auto compute) {
        if (auto v = bytes_member(jwk, name, false)) {
          out = to_bn(*v);
        } else {
          out.reset(BN_new());
          compute(out.get());
        }
      };
      crt("dp", dp, [&](BIGNUM* r) {
        BNPtr pm1(BN_dup(p.get()));
        BN_sub_word(pm1.get(), 1);
        BN_mod(r, bn_d.get(), pm1.get(), bctx.get());
      });
      crt("dq", dq, [&](BIGNUM* r) {
        BNPtr qm1(BN_dup(q.get()));
        BN_sub_word(qm1.get(), 1);
        BN_mod(r, bn_d.get(), qm1.get(), bctx.get());
      });
      crt("qi", qi, [&](BIGNUM* r) { BN_mod_inverse(r, q.get(), p.get(), bctx.get()); });
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, p.get());
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, q.get());
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, dp.get());
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, dq.get());
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qi.get());
    }
  }
  PKey key = from_params("RSA", bld.get(), d.has_value());
  if (!key) fail("failed to create RSA key from JWK");
  return key;
}

struct Curve {
  const char* jwk_name;
  const char* group;
  size_t bytes;
};
constexpr Curve kCurves[] = {{"P-256", "prime256v1", 32}, {"P-384", "secp384r1", 48}, {"P-521", "secp521r1", 66}};

PKey ec_key(const Value& jwk) {
  const std::string* crv = member(jwk, "crv");
  if (!crv) fail("required field crv is missing");
  const Curve* curve = nullptr;
  for (const auto& c : kCurves) {
    if (*crv == c.jwk_name) curve = &c;
  }
  if (!curve) fail("unsupported elliptic curve " + *crv);
  auto x = bytes_member(jwk, "x", true), y = bytes_member(jwk, "y", true);
  auto d = bytes_member(jwk, "d", false);
  if (x->size() > curve->bytes || y->size() > curve->bytes) fail("invalid EC key coordinates");
  std::string point = "\x04";
  point += std::string(curve->bytes - x->size(), '\0') + *x;
  point += std::string(curve->bytes - y->size(), '\0') + *y;
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve->group, 0);
  OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  BNPtr bn_d;
  if (d) {
    bn_d = to_bn(*d);
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, bn_d.get());
  }
  PKey key = from_params("EC", bld.get(), d.has_value());
  if (!key) fail("failed to create EC key from JWK");
  return key;
}

PKey okp_key(const Value& jwk) {
  const std::string* crv = member(jwk, "crv");
  if (!crv || *crv != "Ed25519") fail("unsupported OKP curve " + (crv ? *crv : std::string()));
  auto x = bytes_member(jwk, "x", true);
  auto d = bytes_member(jwk, "d", false);
  EVP_PKEY* key = nullptr;
  if (d) {
    key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(d->data()),
                                       d->size());
  } else {
    key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x->data()),
                                      x->size());
  }
  if (!key) {
    clear_errors();
    fail("failed to create Ed25519 key from JWK");
  }
  return make_pkey(key);
}

JwsKey parse_key(const Value& jwk) {
  if (!jwk.is_object()) fail("a JWK must be a JSON object");
  const std::string* kty = member(jwk, "kty");
  if (!kty) fail("required field kty is missing");
  JwsKey key;
  if (*kty == "RSA") {
    key.pkey = rsa_key(jwk);
  } else if (*kty == "EC") {
    key.pkey = ec_key(jwk);
  } else if (*kty == "OKP") {
    key.pkey = okp_key(jwk);
  } else if (*kty == "oct") {
    auto k = bytes_member(jwk, "k", true);
    key.secret = std::move(*k);
  } else {
    fail("invalid key type from JSON (" + *kty + ")");
  }
  if (const std::string* alg = member(jwk, "alg")) key.alg = *alg;
  if (const std::string* kid = member(jwk, "kid")) key.kid = *kid;
  return key;
}

struct KeySet {
  std::vector<JwsKey> keys;
  std::string error;
};

// The keys of a certificate, public key or JWK (set), or OPA's error for it.
KeySet load_cert_or_jwk(std::string_view text) {
  KeySet out;
  std::string_view rest;
  if (auto block = pem_decode(text, rest)) {
    if (!rest.empty()) {
      out.error = "extra data after a PEM certificate block";
      return out;
    }
    const unsigned char* p = reinterpret_cast<const unsigned char*>(block->bytes.data());
    const unsigned char* end = p + block->bytes.size();
    if (block->type == "CERTIFICATE") {
      X509Ptr cert(d2i_X509(nullptr, &p, long(block->bytes.size())));
      if (!cert || p != end) {
        clear_errors();
        out.error = cert ? "failed to parse a PEM certificate: x509: trailing data"
                         : "failed to parse a PEM certificate: x509: malformed certificate";
        return out;
      }
      EVP_PKEY* key = X509_get_pubkey(cert.get());
      if (!key) {
        clear_errors();
        out.error = "failed to parse a PEM certificate: x509: unsupported public key";
        return out;
      }
      out.keys.push_back(JwsKey{make_pkey(key), "", "", ""});
      return out;
    }
    if (block->type == "PUBLIC KEY") {
      EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, long(block->bytes.size()));
      if (!key || p != end) {
        clear_errors();
        if (key) EVP_PKEY_free(key);
        out.error = "failed to parse a PEM public key: x509: failed to parse public key";
        return out;
      }
      out.keys.push_back(JwsKey{make_pkey(key), "", "", ""});
      return out;
    }
    out.error = "failed to extract a Key from the PEM certificate";
    return out;
  }
  try {
    for (auto& key : parse_jwk_set(text)) {
      if (!key.alg.empty() && !find_alg(key.alg)) continue;  // an algorithm OPA does not know
      out.keys.push_back(std::move(key));
    }
  } catch (const BuiltinError& e) {
    out.error = "failed to parse a JWK key (set): " + e.message;
  }
  return out;
}

struct SigningKey {
  JwsKey key;
  std::string error;
};

}  // namespace

std::vector<JwsKey> parse_jwk_set(std::string_view text) {
  auto parsed = json::parse(text);
  if (!parsed.ok) {
    std::string err = go_json_error(text);
    fail("failed to unmarshal JWK: " + (err.empty() ? parsed.error : err));
  }
  const Value& v = parsed.value;
  if (!v.is_object()) fail("failed to unmarshal JWK: expected a JSON object");
  std::vector<JwsKey> keys;
  if (const Value* set = v.get("keys")) {
    if (!set->is_array()) fail("failed to unmarshal JWK set: \"keys\" must be an array");
    for (const auto& k : set->as_array()) keys.push_back(parse_key(k));
    return keys;
  }
  keys.push_back(parse_key(v));
  return keys;
}

std::shared_ptr<const std::vector<JwsKey>> keys_from_cert_or_jwk(std::string_view text) {
  static TextCache<KeySet> cache(512);
  auto set = cache.get(text, [&] { return load_cert_or_jwk(text); });
  if (!set->error.empty()) fail(set->error);
  return std::shared_ptr<const std::vector<JwsKey>>(set, &set->keys);
}

std::shared_ptr<const JwsKey> signing_key_from_jwk(std::string_view text) {
  static TextCache<SigningKey> cache(256);
  auto sk = cache.get(text, [&] {
    SigningKey out;
    try {
      auto keys = parse_jwk_set(text);
      if (keys.empty()) {
        out.error = "no keys found in JWK set";
      } else {
        out.key = std::move(keys.front());
      }
    } catch (const BuiltinError& e) {
      out.error = e.message;
    }
    return out;
  });
  if (!sk->error.empty()) fail(sk->error);
  return std::shared_ptr<const JwsKey>(sk, &sk->key);
}

Value private_key_jwk(EVP_PKEY* key) {
  std::vector<ObjectEntry> entries;
  auto add = [&](const char* name, std::string value) { entries.emplace_back(str(name), Value::string(std::move(value))); };
  auto add_bn = [&](const char* name, const char* param, size_t pad = 0) {
    if (BNPtr bn = pkey_bn(key, param)) add(name, bn_b64url(bn.get(), pad));
  };
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      add("kty", "RSA");
      add_bn("n", OSSL_PKEY_PARAM_RSA_N);
      add_bn("e", OSSL_PKEY_PARAM_RSA_E);
      add_bn("d", OSSL_PKEY_PARAM_RSA_D);
      add_bn("p", OSSL_PKEY_PARAM_RSA_FACTOR1);
      add_bn("q", OSSL_PKEY_PARAM_RSA_FACTOR2);
      add_bn("dp", OSSL_PKEY_PARAM_RSA_EXPONENT1);
      add_bn("dq", OSSL_PKEY_PARAM_RSA_EXPONENT2);
      add_bn("qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
      break;
    case EVP_PKEY_EC: {
      char group[64] = {0};
      size_t len = 0;
      EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len);
      const Curve* curve = nullptr;
      for (const auto& c : kCurves) {
        if (std::strcmp(group, c.group) == 0) curve = &c;
      }
      if (!curve) fail("unsupported elliptic curve");
      add("kty", "EC");
      add("crv", curve->jwk_name);
      add_bn("x", OSSL_PKEY_PARAM_EC_PUB_X, curve->bytes);
      add_bn("y", OSSL_PKEY_PARAM_EC_PUB_Y, curve->bytes);
      add_bn("d", OSSL_PKEY_PARAM_PRIV_KEY, curve->bytes);
      break;
    }
    default:
      fail("invalid key type");
  }
  return Value::object(std::move(entries));
}

}  // namespace rego::crypto
