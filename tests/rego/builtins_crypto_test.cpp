// Unit tests for the crypto, x509, JWT/JWK and AWS SigV4 built-ins, called directly through the registry.
// Expected values come from OPA's behaviour (its compliance suite, topdown/crypto.go and tokens.go) and from
// RFC 7515's examples. Keys and certificates are generated here with OpenSSL where a fixture would be long.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "builtin_call.h"
#include "rego/builtins/registry.h"
#include "rego/json.h"

namespace rego {
namespace {

using testing::call;
using testing::context_at;
using testing::eval;
using testing::J;
using testing::error_message;

#define EXPECT_VALUE(expr, json_text) EXPECT_EQ(json::write(expr), json::write(J(json_text)))

Value S(std::string_view s) { return Value::string(s); }

// ---------------------------------------------------------------- OpenSSL fixtures

struct PKeyDel {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Del {
  void operator()(X509* p) const { X509_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, PKeyDel>;
using Cert = std::unique_ptr<X509, X509Del>;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string s(data, size_t(n));
  BIO_free(bio);
  return s;
}

std::string public_pem(EVP_PKEY* k) {
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(b, k);
  return bio_text(b);
}
std::string private_pem_pkcs8(EVP_PKEY* k) {
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
  return bio_text(b);
}
std::string cert_pem(X509* c) {
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, c);
  return bio_text(b);
}

Key ec_key() { return Key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for key, signed by issuer_key (self-signed when issuer is null), valid from `from` for `days`.
Cert make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool ca, long serial,
               const char* san = nullptr, time_t from = 1600000000, long days = 36500) {
  Cert c(X509_new());
  X509_set_version(c.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c.get()), serial);
  X509_time_adj_ex(X509_getm_notBefore(c.get()), 0, 0, &from);
  X509_time_adj_ex(X509_getm_notAfter(c.get()), int(days), 0, &from);
  X509_NAME* name = X509_get_subject_name(c.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("trex"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(c.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(c.get(), key);
  X509* iss = issuer ? issuer : c.get();
  add_ext(c.get(), iss, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_ext(c.get(), iss, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  if (!ca) add_ext(c.get(), iss, NID_ext_key_usage, "serverAuth,clientAuth");
  if (san) add_ext(c.get(), iss, NID_subject_alt_name, san);
  X509_sign(c.get(), issuer_key ? issuer_key : key, EVP_sha256());
  return c;
}

// ---------------------------------------------------------------- hashes and HMACs

TEST(BuiltinsCrypto, Digests) {
  EXPECT_VALUE(eval("crypto.md5", {S("lorem ipsum")}), R"("80a751fde577028640c419000e33eba6")");
  EXPECT_VALUE(eval("crypto.sha1", {S("lorem ipsum")}), R"("bfb7759a67daeb65410490b4d98bb9da7d1ea2ce")");
  EXPECT_VALUE(eval("crypto.sha256", {S("lorem ipsum")}),
               R"("5e2bf57d3f40c4b6df69daf1936cb766f832374b4fc0259a7cbff06e2f70f269")");
  EXPECT_VALUE(eval("crypto.sha256", {S("")}), R"("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")");
  EXPECT_EQ(error_message("crypto.md5", {J("1")}), "operand 1 must be string but got number");
}

TEST(BuiltinsCrypto, Hmac) {
  EXPECT_VALUE(eval("crypto.hmac.md5", {S("foo"), S("bar")}), R"("31b6db9e5eb4addb42f1a6ca07367adc")");
  EXPECT_VALUE(eval("crypto.hmac.sha1", {S("foo"), S("bar")}), R"("85d155c55ed286a300bd1cf124de08d87e914f3a")");
  EXPECT_VALUE(eval("crypto.hmac.sha256", {S("foo"), S("bar")}),
               R"("147933218aaabc0b8b10a2b3a5c34684c8d94341bcf10a4736dc7270f7741851")");
  EXPECT_VALUE(eval("crypto.hmac.sha512", {S("foo"), S("bar")}),
               R"("24257d7210582a65c731ec55159c8184cc24c02489453e58587f71f44c23a2d61b4b72154a89d17b2d49448a8452ea066f4fc56a2bcead45c088572ffccdb3d8")");
  // An empty key is a valid HMAC key.
  EXPECT_VALUE(eval("crypto.hmac.sha256", {S(""), S("")}),
               R"("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")");
  EXPECT_EQ(error_message("crypto.hmac.sha256", {S("x"), J("1")}), "operand 2 must be string but got number");
}

TEST(BuiltinsCrypto, HmacEqual) {
  EXPECT_VALUE(eval("crypto.hmac.equal", {S("abc"), S("abc")}), "true");
  EXPECT_VALUE(eval("crypto.hmac.equal", {S("abc"), S("abd")}), "false");
  EXPECT_VALUE(eval("crypto.hmac.equal", {S("abc"), S("ab")}), "false");
  EXPECT_VALUE(eval("crypto.hmac.equal", {S(""), S("")}), "true");
}

// ---------------------------------------------------------------- JWT decode

TEST(BuiltinsJwt, Decode) {
  Value r = eval("io.jwt.decode", {S("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                                     "eyJuZXciOiJJIGFtIGEgdXNlciBjcmVhdGVkIGZpZWxkIiwiaXNzIjoib3BhIn0."
                                     "6UmjsclVDGD9jcmX_F8RJzVgHtUZuLu2pxkF_UEQCrE")});
  EXPECT_VALUE(r, R"([{"alg":"HS256","typ":"JWT"},{"iss":"opa","new":"I am a user created field"},
                      "e949a3b1c9550c60fd8dc997fc5f112735601ed519b8bbb6a71905fd41100ab1"])");
  EXPECT_EQ(error_message("io.jwt.decode", {S("abc")}), "encoded JWT had no period separators");
  EXPECT_EQ(error_message("io.jwt.decode", {S("a.b")}), "encoded JWT must have 3 sections, found 2");
  EXPECT_EQ(error_message("io.jwt.decode", {S("eyJhbGciOiJIU^%zI1NiI+sInR5cCI6IkpXVCJ9.e30.")}),
            "JWT header had invalid encoding: illegal base64 data at input byte 13");
  // Header "[]" is not an object; "{" is not JSON.
  EXPECT_EQ(error_message("io.jwt.decode", {S("W10.e30.")}), "bad JWT header: decoded JSON type was not an Object");
  EXPECT_EQ(error_message("io.jwt.decode", {S("ew.e30.")}), "bad JWT header: invalid JSON: unexpected end of JSON input");
  EXPECT_EQ(error_message("io.jwt.decode", {J("1")}), "operand 1 must be string but got number");
}

// ---------------------------------------------------------------- JWT signing and verification

// RFC 7515 appendix A.1's HMAC key and A.2's RSA key.
constexpr const char* kOctJwk =
    R"({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})";
constexpr const char* kEd25519Jwk =
    R"({"kty":"OKP","crv":"Ed25519","x":"wEZFfoAj1rFKTLOOmjJjVZlCHwksuvMb2I5y_hg70E8","d":"9XI34uQzYUJfWhDZf_0nYsLMBRVu8a6dFsy60P8uugk"})";

TEST(BuiltinsJwt, EncodeSignRawRfc7515) {
  Value token = eval("io.jwt.encode_sign_raw", {S("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}"),
                                                S("{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n "
                                                  "\"http://example.com/is_root\":true}"),
                                                S(kOctJwk)});
  EXPECT_EQ(token.as_string(),
            "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
            "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
}

TEST(BuiltinsJwt, EncodeSignErrors) {
  auto raw_err = [](const char* header, const char* payload) {
    return error_message("io.jwt.encode_sign_raw", {S(header), S(payload), S(kOctJwk)});
  };
  EXPECT_EQ(raw_err("", "{}"), "missing or invalid 'alg' header: cannot parse JSON: cannot parse empty string");
  EXPECT_EQ(raw_err("e", "{}"),
            "missing or invalid 'alg' header: cannot parse JSON: invalid character 'e' looking for beginning of value");
  EXPECT_EQ(raw_err(R"({"typ:"JWT"})", "{}"),
            "missing or invalid 'alg' header: cannot parse JSON: invalid character 'J' after object key");
  EXPECT_EQ(raw_err("{}", "{}"), "unsupported signature algorithm");
  EXPECT_EQ(raw_err(R"({"alg":"dummy"})", "{}"), "unknown JWS algorithm: dummy");
  EXPECT_EQ(raw_err(R"({"alg":"HS256","typ":"JWT"})", "e"), "type is JWT but payload is not JSON");
  EXPECT_EQ(raw_err(R"({"alg":"HS256","typ":"JWT"})", R"({"a":1,})"), "type is JWT but payload is not JSON");
  // Not JWT-typed: any payload.
  EXPECT_TRUE(call("io.jwt.encode_sign_raw", {S(R"({"alg":"HS256","typ":"text/plain"})"), S("e"), S(kOctJwk)}));
  // A key unfit for the algorithm.
  EXPECT_NE(error_message("io.jwt.encode_sign_raw", {S(R"({"alg":"RS256"})"), S("{}"), S(kOctJwk)}), "");
  EXPECT_EQ(error_message("io.jwt.encode_sign_raw", {S(R"({"alg":"HS256"})"), S("{}"), S(R"({"keys":[]})")}),
            "no keys found in JWK set");
}

TEST(BuiltinsJwt, EdDSARoundTrip) {
  Value token = eval("io.jwt.encode_sign",
                     {J(R"({"alg":"EdDSA","typ":"JWT"})"), J(R"({"iss":"joe"})"), J(kEd25519Jwk)});
  // The public half of the JWK verifies; Ed25519 signatures are deterministic.
  std::string pub = R"({"kty":"OKP","crv":"Ed25519","x":"wEZFfoAj1rFKTLOOmjJjVZlCHwksuvMb2I5y_hg70E8"})";
  EXPECT_VALUE(eval("io.jwt.verify_eddsa", {token, S(pub)}), "true");
  EXPECT_VALUE(eval("io.jwt.decode_verify", {token, Value::object({{S("cert"), S(pub)}})}),
               R"([true,{"alg":"EdDSA","typ":"JWT"},{"iss":"joe"}])");
}

TEST(BuiltinsJwt, EcdsaRoundTripPemAndJwk) {
  Key key = ec_key();
  ASSERT_TRUE(key);
  std::string priv_pem = private_pem_pkcs8(key.get());
  Value jwk = eval("crypto.x509.parse_rsa_private_key", {S(priv_pem)});  // EC keys export as JWKs too
  EXPECT_EQ(jwk.get("kty")->as_string(), "EC");
  EXPECT_EQ(jwk.get("crv")->as_string(), "P-256");
  Value token = eval("io.jwt.encode_sign", {J(R"({"alg":"ES256"})"), J(R"({"sub":"x"})"), jwk});
  // r||s is 64 bytes for P-256.
  std::string sig = token.as_string().substr(token.as_string().rfind('.') + 1);
  EXPECT_EQ(sig.size(), 86u);
  std::string pem = public_pem(key.get());
  EXPECT_VALUE(eval("io.jwt.verify_es256", {token, S(pem)}), "true");
  EXPECT_VALUE(eval("io.jwt.verify_es384", {token, S(pem)}), "false");  // wrong hash
  EXPECT_VALUE(eval("io.jwt.verify_rs256", {token, S(pem)}), "false");  // wrong key type
  // The public JWK (without d) verifies as well.
  std::vector<ObjectEntry> pub;
  for (const auto& [k, v] : jwk.as_object()) {
    if (k.as_string() != "d") pub.emplace_back(k, v);
  }
  EXPECT_VALUE(eval("io.jwt.verify_es256", {token, S(json::write(Value::object(pub)))}), "true");
  EXPECT_VALUE(eval("io.jwt.decode_verify", {token, Value::object({{S("cert"), S(pem)}, {S("alg"), S("ES256")}})}),
               R"([true,{"alg":"ES256"},{"sub":"x"}])");
  EXPECT_VALUE(eval("io.jwt.decode_verify", {token, Value::object({{S("cert"), S(pem)}, {S("alg"), S("ES384")}})}),
               R"([false,{},{}])");
}

TEST(BuiltinsJwt, RsaAndPssRoundTrip) {
  Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(2048)));
  ASSERT_TRUE(key);
  Value jwk = eval("crypto.x509.parse_rsa_private_key", {S(private_pem_pkcs8(key.get()))});
  std::string pem = public_pem(key.get());
  for (const char* alg : {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}) {
    Value token = eval("io.jwt.encode_sign", {Value::object({{S("alg"), S(alg)}}), J(R"({"a":1})"), jwk});
    std::string fn = std::string("io.jwt.verify_") + char(std::tolower(alg[0])) + char(std::tolower(alg[1])) + (alg + 2);
    EXPECT_VALUE(eval(fn, {token, S(pem)}), "true") << alg;
    EXPECT_VALUE(eval("io.jwt.decode_verify", {token, Value::object({{S("cert"), S(pem)}})}),
                 json::write(Value::array({J("true"), Value::object({{S("alg"), S(alg)}}), J(R"({"a":1})")})))
        << alg;
    // Tampered payload.
    std::string t = token.as_string();
    size_t dot = t.find('.');
    std::string tampered = t.substr(0, dot + 1) + "eyJhIjoyfQ" + t.substr(t.find('.', dot + 1));
    EXPECT_VALUE(eval(fn, {S(tampered), S(pem)}), "false") << alg;
  }
}

TEST(BuiltinsJwt, HmacVerify) {
  const char* token =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyIjoiYWxpY2UiLCJhenAiOiJhbGljZSIsInN1Ym9yZGluYXRlcyI6W10sImhyIjpm"
      "YWxzZX0.rz3jTY033z-NrKfwrK89_dcLF7TN4gwCMj-fVBDyLoM";
  EXPECT_VALUE(eval("io.jwt.verify_hs256", {S(token), S("secret")}), "true");
  EXPECT_VALUE(eval("io.jwt.verify_hs256", {S(token), S("wrong")}), "false");
  EXPECT_VALUE(eval("io.jwt.verify_hs512", {S(token), S("secret")}), "false");
  EXPECT_EQ(error_message("io.jwt.verify_hs256", {S("a.b"), S("secret")}), "encoded JWT must have 3 sections, found 2");
  EXPECT_EQ(error_message("io.jwt.verify_hs256", {S(token), J("1")}), "operand 2 must be string but got number");
}

TEST(BuiltinsJwt, KeyErrors) {
  const char* token = "eyJhbGciOiJSUzI1NiJ9.e30.AAAA";
  EXPECT_EQ(error_message("io.jwt.verify_rs256", {S(token), S("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")}),
            "failed to parse a PEM certificate: x509: malformed certificate");
  EXPECT_EQ(error_message("io.jwt.verify_rs256", {S(token), S("-----BEGIN FOO-----\nAAAA\n-----END FOO-----")}),
            "failed to extract a Key from the PEM certificate");
  EXPECT_EQ(error_message("io.jwt.verify_rs256", {S(token), S("-----BEGIN FOO-----\nAAAA\n-----END FOO-----\nx")}),
            "extra data after a PEM certificate block");
  EXPECT_EQ(error_message("io.jwt.verify_rs256", {S(token), S("not a key")}).rfind("failed to parse a JWK key (set): ", 0),
            0u);
}

TEST(BuiltinsJwt, DecodeVerifyConstraints) {
  // HS256 token with {"iss":"xxx","aud":["a","b"],"exp":2000,"nbf":1000}, secret "secret".
  Value token = eval("io.jwt.encode_sign", {J(R"({"alg":"HS256","typ":"JWT"})"),
                                            J(R"({"iss":"xxx","aud":["a","b"],"exp":2000,"nbf":1000})"),
                                            J(R"({"kty":"oct","k":"c2VjcmV0"})")});
  auto dv = [&](std::string_view constraints) {
    return json::write(eval("io.jwt.decode_verify", {token, J(constraints)}));
  };
  std::string ok = json::write(J(R"([true,{"alg":"HS256","typ":"JWT"},{"aud":["a","b"],"exp":2000,"iss":"xxx","nbf":1000}])"));
  std::string no = json::write(J("[false,{},{}]"));
  EXPECT_EQ(dv(R"({"secret":"secret","aud":"a","time":1500000000000})"), ok);
  EXPECT_EQ(dv(R"({"secret":"secret","aud":"b","iss":"xxx","time":1500000000000})"), ok);
  EXPECT_EQ(dv(R"({"secret":"secret","time":1500000000000})"), no);              // token has aud, none asked
  EXPECT_EQ(dv(R"({"secret":"secret","aud":"c","time":1500000000000})"), no);    // wrong audience
  EXPECT_EQ(dv(R"({"secret":"secret","aud":"a","iss":"yyy","time":1500000000000})"), no);
  EXPECT_EQ(dv(R"({"secret":"secret","aud":"a","time":2000000000000})"), no);    // exp is exclusive
  EXPECT_EQ(dv(R"({"secret":"secret","aud":"a","time":999999999999})"), no);     // before nbf
  EXPECT_EQ(dv(R"({"secret":"secret","aud":"a","time":1000000000000})"), ok);    // nbf is inclusive
  EXPECT_EQ(dv(R"({"secret":"wrong","aud":"a","time":1500000000000})"), no);
  EXPECT_EQ(dv(R"({"secret":"secret","aud":"a","alg":"HS512","time":1500000000000})"), no);
  // Without a time constraint, the query's time is used (here: far past exp).
  EXPECT_EQ(json::write(eval("io.jwt.decode_verify", {token, J(R"({"secret":"secret","aud":"a"})")},
                             context_at(int64_t(1700000000) * 1000000000))),
            no);

  auto err = [&](std::string_view constraints) { return error_message("io.jwt.decode_verify", {token, J(constraints)}); };
  EXPECT_EQ(err("{}"), "no key constraint");
  EXPECT_EQ(err(R"({"secret":"s","cert":"{\"kty\":\"oct\",\"k\":\"AA\"}"})"), "duplicate key constraints");
  EXPECT_EQ(err(R"({"secret":"s","foo":1})"), "unknown token validation constraint: foo");
  EXPECT_EQ(err(R"({"secret":1})"), "secret constraint: must be a string");
  EXPECT_EQ(err(R"({"secret":"s","time":"now"})"), "token time constraint: must be a number");
  EXPECT_EQ(err(R"({"secret":"s","time":-1})"), "token time constraint: must not be negative");
  EXPECT_EQ(error_message("io.jwt.decode_verify", {token, J("[]")}), "operand 2 must be object but got array");
}

TEST(BuiltinsJwt, DecodeVerifyJwksKidAndCrit) {
  Key k1 = ec_key(), k2 = ec_key();
  Value jwk1 = eval("crypto.x509.parse_rsa_private_key", {S(private_pem_pkcs8(k1.get()))});
  Value jwk2 = eval("crypto.x509.parse_rsa_private_key", {S(private_pem_pkcs8(k2.get()))});
  auto public_jwk = [](const Value& jwk, const char* kid) {
    std::vector<ObjectEntry> e;
    for (const auto& [k, v] : jwk.as_object()) {
      if (k.as_string() != "d") e.emplace_back(k, v);
    }
    e.emplace_back(S("kid"), S(kid));
    e.emplace_back(S("alg"), S("ES256"));
    return Value::object(std::move(e));
  };
  std::string jwks = json::write(Value::object(
      {{S("keys"), Value::array({public_jwk(jwk1, "one"), public_jwk(jwk2, "two"),
                                 J(R"({"kty":"oct","k":"AA","alg":"A128KW"})")})}}));  // unknown alg: skipped
  Value by_two = eval("io.jwt.encode_sign", {J(R"({"alg":"ES256","kid":"two"})"), J("{}"), jwk2});
  Value two_as_one = eval("io.jwt.encode_sign", {J(R"({"alg":"ES256","kid":"one"})"), J("{}"), jwk2});
  Value no_kid = eval("io.jwt.encode_sign", {J(R"({"alg":"ES256"})"), J("{}"), jwk2});
  Value cert = Value::object({{S("cert"), S(jwks)}});
  EXPECT_EQ(eval("io.jwt.decode_verify", {by_two, cert}).as_array()[0].as_bool(), true);
  EXPECT_EQ(eval("io.jwt.decode_verify", {two_as_one, cert}).as_array()[0].as_bool(), false);  // kid picks key one
  EXPECT_EQ(eval("io.jwt.decode_verify", {no_kid, cert}).as_array()[0].as_bool(), true);       // any key
  EXPECT_VALUE(eval("io.jwt.verify_es256", {by_two, S(jwks)}), "true");
  // An unknown critical header parameter makes the token invalid.
  Value crit = eval("io.jwt.encode_sign", {J(R"({"alg":"ES256","crit":["junk"],"junk":1})"), J("{}"), jwk2});
  EXPECT_EQ(eval("io.jwt.decode_verify", {crit, cert}).as_array()[0].as_bool(), false);
}

TEST(BuiltinsJwt, ConcurrentVerificationSharesCachedKeys) {
  Key key = ec_key();
  Value jwk = eval("crypto.x509.parse_rsa_private_key", {S(private_pem_pkcs8(key.get()))});
  Value token = eval("io.jwt.encode_sign", {J(R"({"alg":"ES256"})"), J(R"({"n":1})"), jwk});
  Value pem = S(public_pem(key.get()));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (call("io.jwt.verify_es256", {token, pem})->as_bool()) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 400);
}

// ---------------------------------------------------------------- x509

TEST(BuiltinsX509, ParseCertificateFields) {
  Key key = ec_key();
  Cert cert = make_cert(key.get(), "leaf.example", nullptr, nullptr, false, 4242,
                        "DNS:leaf.example,DNS:www.leaf.example,URI:spiffe://example.com/svc,IP:10.1.2.3,"
                        "email:ops@example.com");
  std::string pem = cert_pem(cert.get());
  Value certs = eval("crypto.x509.parse_certificates", {S(pem)});
  ASSERT_EQ(certs.as_array().size(), 1u);
  const Value& c = certs.as_array()[0];
  EXPECT_VALUE(*c.get("Subject")->get("CommonName"), R"("leaf.example")");
  EXPECT_VALUE(*c.get("Subject")->get("Organization"), R"(["trex"])");
  EXPECT_VALUE(*c.get("Subject")->get("Names"),
               R"([{"Type":[2,5,4,10],"Value":"trex"},{"Type":[2,5,4,3],"Value":"leaf.example"}])");
  EXPECT_VALUE(*c.get("SerialNumber"), "4242");
  EXPECT_VALUE(*c.get("Version"), "3");
  EXPECT_VALUE(*c.get("DNSNames"), R"(["leaf.example","www.leaf.example"])");
  EXPECT_VALUE(*c.get("URIStrings"), R"(["spiffe://example.com/svc"])");
  EXPECT_VALUE(*c.get("IPAddresses"), R"(["10.1.2.3"])");
  EXPECT_VALUE(*c.get("EmailAddresses"), R"(["ops@example.com"])");
  EXPECT_VALUE(*c.get("URIs"), R"([{"Scheme":"spiffe","Opaque":"","User":null,"Host":"example.com","Path":"/svc",
      "RawPath":"","OmitHost":false,"ForceQuery":false,"RawQuery":"","Fragment":"","RawFragment":""}])");
  EXPECT_VALUE(*c.get("NotBefore"), R"("2020-09-13T12:26:40Z")");
  EXPECT_VALUE(*c.get("KeyUsage"), "1");          // digitalSignature
  EXPECT_VALUE(*c.get("ExtKeyUsage"), "[1,2]");   // serverAuth, clientAuth
  EXPECT_VALUE(*c.get("SignatureAlgorithm"), "10");  // ECDSAWithSHA256
  EXPECT_VALUE(*c.get("PublicKeyAlgorithm"), "3");   // ECDSA
  EXPECT_VALUE(*c.get("BasicConstraintsValid"), "true");
  EXPECT_VALUE(*c.get("IsCA"), "false");
  EXPECT_VALUE(*c.get("MaxPathLen"), "-1");
  EXPECT_TRUE(c.get("PublicKey")->get("X")->is_number());

  // The same certificate as base64 of the PEM and as base64 of the DER.
  unsigned char* der = nullptr;
  int len = i2d_X509(cert.get(), &der);
  std::string der_s(reinterpret_cast<char*>(der), size_t(len));
  OPENSSL_free(der);
  Value b64pem = eval("base64.encode", {S(pem)});
  Value b64der = eval("base64.encode", {S(der_s)});
  EXPECT_EQ(eval("crypto.x509.parse_certificates", {b64pem}), certs);
  EXPECT_EQ(eval("crypto.x509.parse_certificates", {b64der}), certs);
  EXPECT_EQ(c.get("Raw")->as_string(), b64der.as_string());

  EXPECT_EQ(error_message("crypto.x509.parse_certificates", {S("YmFkc3RyaW5n")}), "x509: malformed certificate");
  EXPECT_EQ(error_message("crypto.x509.parse_certificates", {S("foobar")}), "illegal base64 data at input byte 4");
  EXPECT_EQ(error_message("crypto.x509.parse_certificates", {S("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")}),
            "PEM block type is 'PUBLIC KEY', expected CERTIFICATE");
}

TEST(BuiltinsX509, ParseAndVerifyChain) {
  Key root_key = ec_key(), mid_key = ec_key(), leaf_key = ec_key();
  Cert root = make_cert(root_key.get(), "root", nullptr, nullptr, true, 1);
  Cert mid = make_cert(mid_key.get(), "intermediate", root.get(), root_key.get(), true, 2);
  Cert leaf = make_cert(leaf_key.get(), "leaf", mid.get(), mid_key.get(), false, 3, "DNS:leaf.example");
  std::string chain = cert_pem(root.get()) + cert_pem(mid.get()) + cert_pem(leaf.get());
  BuiltinContext now = context_at(int64_t(1700000000) * 1000000000);

  Value r = eval("crypto.x509.parse_and_verify_certificates", {S(chain)}, now);
  ASSERT_TRUE(r.as_array()[0].as_bool());
  std::vector<std::string> cns;
  for (const auto& c : r.as_array()[1].as_array()) cns.push_back(c.get("Subject")->get("CommonName")->as_string());
  EXPECT_EQ(cns, (std::vector<std::string>{"leaf", "intermediate", "root"}));

  // Missing intermediate, a single certificate, garbage: not verified.
  std::string broken = cert_pem(root.get()) + cert_pem(leaf.get());
  EXPECT_VALUE(eval("crypto.x509.parse_and_verify_certificates", {S(broken)}, now), "[false,[]]");
  EXPECT_VALUE(eval("crypto.x509.parse_and_verify_certificates", {S(cert_pem(root.get()))}, now), "[false,[]]");
  EXPECT_VALUE(eval("crypto.x509.parse_and_verify_certificates", {S("garbage")}, now), "[false,[]]");

  auto with = [&](std::string_view opts) {
    return eval("crypto.x509.parse_and_verify_certificates_with_options", {S(chain), J(opts)}, now).as_array()[0];
  };
  EXPECT_VALUE(with(R"({"DNSName":"leaf.example"})"), "true");
  EXPECT_VALUE(with(R"({"DNSName":"other.example"})"), "false");
  EXPECT_VALUE(with(R"({"KeyUsages":["KeyUsageClientAuth"]})"), "true");
  EXPECT_VALUE(with(R"({"KeyUsages":["KeyUsageCodeSigning"]})"), "false");
  EXPECT_VALUE(with(R"({"KeyUsages":["KeyUsageAny"]})"), "true");
  EXPECT_VALUE(with(R"({"CurrentTime":1000000000000000000})"), "false");  // 2001: before NotBefore
  EXPECT_VALUE(with(R"({"CurrentTime":1700000000000000000,"MaxConstraintComparisons":10})"), "true");
  auto opt_err = [&](std::string_view opts) {
    return error_message("crypto.x509.parse_and_verify_certificates_with_options", {S(chain), J(opts)});
  };
  EXPECT_EQ(opt_err(R"({"DNSName":1})"), "'DNSName' should be a string");
  EXPECT_EQ(opt_err(R"({"CurrentTime":"x"})"), "'CurrentTime' should be a number");
  EXPECT_EQ(opt_err(R"({"KeyUsages":"x"})"), "'KeyUsages' should be an Array or Set");
  EXPECT_EQ(opt_err(R"({"KeyUsages":["Nope","KeyUsageAny","Bad"]})"), "invalid entries for 'KeyUsages' found: [Nope Bad]");
  EXPECT_EQ(opt_err(R"({"Foo":1})"), "invalid key option");
}

TEST(BuiltinsX509, KeyPairAndPrivateKeys) {
  Key key = ec_key();
  Cert cert = make_cert(key.get(), "kp", nullptr, nullptr, false, 7);
  std::string cpem = cert_pem(cert.get()), kpem = private_pem_pkcs8(key.get());
  Value kp = eval("crypto.x509.parse_keypair", {S(cpem), S(kpem)});
  unsigned char* der = nullptr;
  int len = i2d_X509(cert.get(), &der);
  std::string der_s(reinterpret_cast<char*>(der), size_t(len));
  OPENSSL_free(der);
  EXPECT_EQ(kp.get("Certificate")->as_array()[0], eval("base64.encode", {S(der_s)}));
  EXPECT_VALUE(*kp.get("Leaf")->get("Subject")->get("CommonName"), R"("kp")");
  EXPECT_TRUE(kp.get("PrivateKey")->get("D")->is_number());

  Key other = ec_key();
  EXPECT_EQ(error_message("crypto.x509.parse_keypair", {S(cpem), S(private_pem_pkcs8(other.get()))}),
            "tls: private key does not match public key");
  EXPECT_EQ(error_message("crypto.x509.parse_keypair", {S(kpem), S(kpem)}),
            "tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs "
            "may have been switched");
  EXPECT_EQ(error_message("crypto.x509.parse_keypair", {S(cpem), S(cpem)}),
            "tls: found a certificate rather than a key in the PEM for the private key");

  // Two keys in one PEM text; base64 of the PEM is accepted too.
  Value keys = eval("crypto.parse_private_keys", {S(kpem + private_pem_pkcs8(other.get()))});
  EXPECT_EQ(keys.as_array().size(), 2u);
  EXPECT_EQ(eval("crypto.parse_private_keys", {eval("base64.encode", {S(kpem)})}).as_array().size(), 1u);
  EXPECT_VALUE(eval("crypto.parse_private_keys", {S("")}), "null");
  EXPECT_VALUE(eval("crypto.parse_private_keys", {S("nope")}), "[]");
  EXPECT_EQ(error_message("crypto.x509.parse_rsa_private_key", {S("")}), "input PEM data was empty");
  EXPECT_EQ(error_message("crypto.x509.parse_rsa_private_key", {S("invalid")}), "illegal base64 data at input byte 4");
  EXPECT_VALUE(eval("crypto.x509.parse_rsa_private_key", {S("-----BEGIN X-----\nAAAA\n-----END X-----\n")}), "null");
}

TEST(BuiltinsX509, CertificateRequest) {
  Key key = ec_key();
  X509_REQ* req = X509_REQ_new();
  X509_NAME* name = X509_REQ_get_subject_name(req);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("csr.example"), -1, -1, 0);
  X509_REQ_set_pubkey(req, key.get());
  X509_REQ_sign(req, key.get(), EVP_sha256());
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509_REQ(b, req);
  X509_REQ_free(req);
  std::string pem = bio_text(b);
  Value csr = eval("crypto.x509.parse_certificate_request", {S(pem)});
  EXPECT_VALUE(*csr.get("Subject")->get("CommonName"), R"("csr.example")");
  EXPECT_VALUE(*csr.get("SignatureAlgorithm"), "10");
  EXPECT_EQ(eval("crypto.x509.parse_certificate_request", {eval("base64.encode", {S(pem)})}), csr);
  EXPECT_EQ(error_message("crypto.x509.parse_certificate_request", {S("foobar")}), "illegal base64 data at input byte 4");
}

// ---------------------------------------------------------------- providers.aws.sign_req

TEST(BuiltinsAws, SignRequest) {
  Value config = J(R"({"aws_access_key":"MYAWSACCESSKEYGOESHERE","aws_secret_access_key":"MYAWSSECRETACCESSKEYGOESHERE",
                       "aws_service":"s3","aws_region":"us-east-1"})");
  Value signed_req = eval("providers.aws.sign_req",
                          {J(R"({"method":"get","url":"http://example.com"})"), config, J("1451311705000000000")});
  EXPECT_VALUE(signed_req, R"({"method":"get","url":"http://example.com","headers":{
      "Authorization":"AWS4-HMAC-SHA256 Credential=MYAWSACCESSKEYGOESHERE/20151228/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=0047a7016c81e5c7f29cd522f97e911e04fc472fced0aee7916cbc287ad6c8e3",
      "host":"example.com",
      "x-amz-content-sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "x-amz-date":"20151228T140825Z"}})");
  EXPECT_EQ(error_message("providers.aws.sign_req",
                     {J(R"({"method":"get","url":"http://example.com"})"), J(R"({"aws_service":"s3"})"), J("0")}),
            R"(operand 2 missing required AWS config parameters(s): {"aws_access_key", "aws_region", "aws_secret_access_key"})");
  EXPECT_EQ(error_message("providers.aws.sign_req", {J(R"({"url":"http://example.com"})"), config, J("0")}),
            R"(operand 1 missing required request parameters(s): {"method"})");
  EXPECT_EQ(error_message("providers.aws.sign_req", {J(R"({"method":"get","url":"x","bogus":1})"), config, J("0")}),
            R"(operand 1 invalid request parameters(s): {"bogus"})");
  EXPECT_EQ(error_message("providers.aws.sign_req", {J(R"({"method":"get","url":"x"})"), config, J("1.5")}),
            "operand 3 could not convert time_ns value into a unix timestamp");
}

}  // namespace
}  // namespace rego
