// JSON Web Token built-ins: io.jwt.decode, io.jwt.verify_{hs,rs,ps,es}{256,384,512}, io.jwt.verify_eddsa,
// io.jwt.decode_verify, io.jwt.encode_sign and io.jwt.encode_sign_raw.
//
// Behaviour and error messages follow OPA's topdown/tokens.go. Keys (PEM certificates, PEM public keys, JWKs and
// JWK sets) are parsed once and cached by their text (jwk.cpp).
#include <charconv>

#include "rego/builtins/crypto_util.h"
#include "rego/builtins/registry.h"
#include "rego/json.h"
#include "rego/number.h"

namespace rego {
namespace {

using crypto::fail;

// The three base64url sections of a compact JWS.
struct Token {
  std::string header, payload, signature;
  std::string signing_input() const { return header + "." + payload; }
};

// OPA's decodeJWT.
Token split_token(const Value& v) {
  if (!v.is_string()) args::type_error(0, "string", v);
  const std::string& s = v.as_string();
  if (s.find('.') == std::string::npos) fail("encoded JWT had no period separators");
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    parts.push_back(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (parts.size() != 3) fail("encoded JWT must have 3 sections, found " + std::to_string(parts.size()));
  return Token{std::move(parts[0]), std::move(parts[1]), std::move(parts[2])};
}

// OPA's extractJSONObject: the JSON text as an object.
Value json_object(const std::string& text) {
  auto r = json::parse(text);
  if (!r.ok) {
    std::string err = crypto::go_json_error(text);
    fail("invalid JSON: " + (err.empty() ? r.error : err));
  }
  if (!r.value.is_object()) fail("decoded JSON type was not an Object");
  return std::move(r.value);
}

Value decode_header(const Token& t) {
  std::string bytes;
  if (auto err = crypto::b64url_decode_opa(t.header, bytes); !err.empty()) {
    fail("JWT header had invalid encoding: " + err);
  }
  Value header;
  try {
    header = json_object(bytes);
  } catch (const BuiltinError& e) {
    fail("bad JWT header: " + e.message);
  }
  // RFC 7516 section 9: an "enc" member makes it a JWE.
  if (header.get("enc")) fail("JWT is a JWE object, which is not supported");
  return header;
}

std::string decode_payload(const Token& t) {
  std::string bytes;
  if (auto err = crypto::b64url_decode_opa(t.payload, bytes); !err.empty()) {
    fail("JWT payload had invalid encoding: " + err);
  }
  return bytes;
}

std::string decode_signature(const Token& t) {
  std::string bytes;
  if (auto err = crypto::b64url_decode_opa(t.signature, bytes); !err.empty()) fail(err);
  return bytes;
}

// The JOSE header parameters OPA interprets (parseTokenHeader).
struct Header {
  std::string alg, kid, typ, cty;
  std::vector<std::string> crit, unknown;

  // RFC 7515: alg is required, and every critical parameter must be understood.
  bool valid() const {
    if (alg.empty()) return false;
    for (const auto& u : unknown) {
      for (const auto& c : crit) {
        if (u == c) return false;
      }
    }
    return true;
  }
};

Header parse_header(const Value& header) {
  Header h;
  for (const auto& [k, v] : header.as_object()) {
    const std::string& name = k.as_string();
    std::string* field = name == "alg"   ? &h.alg
                         : name == "kid" ? &h.kid
                         : name == "typ" ? &h.typ
                         : name == "cty" ? &h.cty
                                         : nullptr;
    if (field) {
      if (!v.is_string()) fail(name + ": must be a string");
      *field = v.as_string();
    } else if (name == "crit") {
      if (!v.is_array()) fail("crit: must be a list");
      for (const auto& e : v.as_array()) {
        if (e.is_string()) h.crit.push_back(e.as_string());
      }
      if (h.crit.empty()) fail("crit: must be a nonempty list");
    } else {
      h.unknown.push_back(name);
    }
  }
  return h;
}

// ---------------------------------------------------------------- io.jwt.decode

Value decode_token(const Value& jwt) {
  Token t = split_token(jwt);
  Value header = decode_header(t);
  std::string payload = decode_payload(t);
  if (const Value* cty = header.get("cty"); cty && cty->is_string() && cty->as_string() == "JWT") {
    // A nested token, quoted as jwt.io does: strip the quotes and decode the inner one.
    size_t b = payload.find_first_not_of("\"'");
    size_t e = payload.find_last_not_of("\"'");
    return decode_token(Value::string(b == std::string::npos ? std::string() : payload.substr(b, e - b + 1)));
  }
  Value claims = json_object(payload);
  std::string sig;
  if (auto err = crypto::b64url_decode_opa(t.signature, sig); !err.empty()) {
    fail("JWT signature had invalid encoding: " + err);
  }
  return Value::array({std::move(header), std::move(claims), Value::string(crypto::hex_encode(sig))});
}

std::optional<Value> jwt_decode(BuiltinArgs a, BuiltinContext&) { return decode_token(a[0]); }

// ---------------------------------------------------------------- io.jwt.verify_*

const crypto::JwsKey* key_by_kid(const std::vector<crypto::JwsKey>& keys, const std::string& kid) {
  for (const auto& k : keys) {
    if (k.kid == kid) return &k;
  }
  return nullptr;
}

// OPA's builtinJWTVerify: a token checked against a certificate, public key or JWK (set) with one algorithm.
template <const char* Alg, bool PssAuto>
std::optional<Value> jwt_verify_asym(BuiltinArgs a, BuiltinContext&) {
  static const crypto::JwsAlg* alg = crypto::find_alg(Alg);
  Token t = split_token(a[0]);
  auto keys = crypto::keys_from_cert_or_jwk(args::string(a, 1));
  std::string sig = decode_signature(t);
  Header h = parse_header(decode_header(t));
  std::string input = t.signing_input();
  // io.jwt.verify_es* splits the signature in half whatever the curve, as OPA does.
  auto verify = [&](const crypto::JwsKey& k) { return crypto::jws_verify(k, *alg, input, sig, PssAuto, false); };
  if (!h.kid.empty()) {
    if (const auto* k = key_by_kid(*keys, h.kid)) return Value::boolean(verify(*k));
  }
  for (const auto& k : *keys) {
    if (!k.alg.empty() && k.alg != h.alg) continue;
    if (verify(k)) return Value::boolean(true);
  }
  return Value::boolean(false);
}

template <const EVP_MD* (*Md)()>
std::optional<Value> jwt_verify_hs(BuiltinArgs a, BuiltinContext&) {
  args::string(a, 0);
  const std::string& secret = args::string(a, 1);
  Token t = split_token(a[0]);
  std::string mac = crypto::hmac(Md(), secret, t.signing_input());
  return Value::boolean(crypto::constant_time_equal(decode_signature(t), mac));
}

constexpr char kRS256[] = "RS256", kRS384[] = "RS384", kRS512[] = "RS512";
constexpr char kPS256[] = "PS256", kPS384[] = "PS384", kPS512[] = "PS512";
constexpr char kES256[] = "ES256", kES384[] = "ES384", kES512[] = "ES512";
constexpr char kEdDSA[] = "EdDSA";

// ---------------------------------------------------------------- io.jwt.decode_verify

struct Constraints {
  std::shared_ptr<const std::vector<crypto::JwsKey>> keys;
  std::string secret, alg, iss, aud;
  double time = -1;
};

double constraint_time(const Value& v) {
  if (!v.is_number()) fail("token time constraint: must be a number");
  double t = number::to_double(v);
  if (t < 0) fail("token time constraint: must not be negative");
  return t;
}

Constraints parse_constraints(const std::vector<ObjectEntry>& obj, const BuiltinContext& ctx) {
  Constraints c;
  for (const auto& entry : obj) {
    // Not a structured binding: clang 14 cannot capture those in the lambda below.
    const Value& k = entry.first;
    const Value& v = entry.second;
    std::string name = k.is_string() ? k.as_string() : json::write(k);
    auto string_constraint = [&](std::string& where) {
      if (!v.is_string()) fail(name + " constraint: must be a string");
      where = v.as_string();
    };
    if (name == "cert") {
      if (!v.is_string()) fail("cert constraint: must be a string");
      c.keys = crypto::keys_from_cert_or_jwk(v.as_string());
    } else if (name == "secret") {
      string_constraint(c.secret);
    } else if (name == "alg") {
      string_constraint(c.alg);
    } else if (name == "iss") {
      string_constraint(c.iss);
    } else if (name == "aud") {
      string_constraint(c.aud);
    } else if (name == "time") {
      c.time = constraint_time(v);
    } else {
      fail("unknown token validation constraint: " + name);
    }
  }
  if (c.time == -1) c.time = double(ctx.now_ns);
  int key_constraints = (c.keys ? 1 : 0) + (c.secret.empty() ? 0 : 1);
  if (key_constraints > 1) fail("duplicate key constraints");
  if (key_constraints < 1) fail("no key constraint");
  return c;
}

bool verify_with_constraints(const Constraints& c, const Header& h, const std::string& input,
                             const std::string& sig) {
  const crypto::JwsAlg* alg = crypto::find_alg(h.alg);
  if (!alg) return false;
  if (c.keys) {
    if (!h.kid.empty()) {
      if (const auto* k = key_by_kid(*c.keys, h.kid)) return crypto::jws_verify(*k, *alg, input, sig);
    }
    for (const auto& k : *c.keys) {
      if (!k.alg.empty() && k.alg != h.alg) continue;
      if (crypto::jws_verify(k, *alg, input, sig)) return true;
    }
    return false;
  }
  crypto::JwsKey secret;
  secret.secret = c.secret;
  return crypto::jws_verify(secret, *alg, input, sig);
}

bool equal_fold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// seconds as OPA compares them: the float64 formatted in its shortest form, read back as a number.
Value seconds_value(double ns) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, ns / 1e9);
  auto v = number::parse(std::string_view(buf, size_t(r.ptr - buf)));
  return v ? *v : number::from_double(ns / 1e9);
}

bool valid_audience(const Value& aud, const std::string& want) {
  if (aud.is_string()) return aud.as_string() == want;
  if (!aud.is_array()) return false;
  for (const auto& e : aud.as_array()) {
    if (e.is_string() && e.as_string() == want) return true;
  }
  return false;
}

std::optional<Value> jwt_decode_verify(BuiltinArgs a, BuiltinContext& ctx) {
  const auto& obj = args::object(a, 1);
  static const Value unverified = Value::array({Value::boolean(false), Value::empty_object(), Value::empty_object()});
  Constraints c = parse_constraints(obj, ctx);

  Value jwt = a[0];
  Value header;
  std::string payload;
  while (true) {
    Token t = split_token(jwt);
    header = decode_header(t);
    Header h = parse_header(header);
    if (!h.valid()) return unverified;
    if (!c.alg.empty() && c.alg != h.alg) return unverified;
    std::string sig = decode_signature(t);
    if (!verify_with_constraints(c, h, t.signing_input(), sig)) return unverified;
    payload = decode_payload(t);
    if (!equal_fold(h.cty, "JWT")) break;
    jwt = Value::string(payload);  // nested token: verify the inner one too
  }
  Value claims = json_object(payload);

  if (!c.iss.empty()) {
    const Value* iss = claims.get("iss");
    if (!iss || !iss->is_string() || iss->as_string() != c.iss) return unverified;
  }
  if (const Value* aud = claims.get("aud")) {
    if (!valid_audience(*aud, c.aud)) return unverified;
  } else if (!c.aud.empty()) {
    return unverified;
  }
  if (const Value* exp = claims.get("exp")) {
    if (!exp->is_number()) fail("exp value must be a number");
    if (number::compare(seconds_value(c.time), *exp) != -1) return unverified;
  }
  if (const Value* nbf = claims.get("nbf")) {
    if (!nbf->is_number()) fail("nbf value must be a number");
    if (number::compare(seconds_value(c.time), *nbf) == -1) return unverified;
  }
  return Value::array({Value::boolean(true), std::move(header), std::move(claims)});
}

// ---------------------------------------------------------------- io.jwt.encode_sign*

std::string encode_sign(const std::string& header_text, const std::string& payload_text, const std::string& jwk) {
  auto key = crypto::signing_key_from_jwk(jwk);
  if (header_text.empty()) fail("missing or invalid 'alg' header: cannot parse JSON: cannot parse empty string");
  if (auto err = crypto::go_json_error(header_text); !err.empty()) {
    fail("missing or invalid 'alg' header: cannot parse JSON: " + err);
  }
  auto parsed = json::parse(header_text);
  std::string alg_name, typ;
  if (parsed.ok && parsed.value.is_object()) {
    if (const Value* v = parsed.value.get("alg"); v && v->is_string()) alg_name = v->as_string();
    if (const Value* v = parsed.value.get("typ"); v && v->is_string()) typ = v->as_string();
  }
  if (alg_name.empty()) fail("unsupported signature algorithm");
  const crypto::JwsAlg* alg = crypto::find_alg(alg_name);
  if (!alg) fail("unknown JWS algorithm: " + alg_name);
  if (typ == "JWT" && !crypto::go_json_error(payload_text).empty()) fail("type is JWT but payload is not JSON");
  std::string input = crypto::b64_encode(header_text, true, false) + "." + crypto::b64_encode(payload_text, true, false);
  std::string sig = crypto::jws_sign(*key, *alg, input);
  return input + "." + crypto::b64_encode(sig, true, false);
}

std::optional<Value> jwt_encode_sign_raw(BuiltinArgs a, BuiltinContext&) {
  const std::string& jwk = args::string(a, 2);
  const std::string& header = args::string(a, 0);
  const std::string& payload = args::string(a, 1);
  return Value::string(encode_sign(header, payload, jwk));
}

std::optional<Value> jwt_encode_sign(BuiltinArgs a, BuiltinContext&) {
  return Value::string(encode_sign(json::write(a[0]), json::write(a[1]), json::write(a[2])));
}

}  // namespace

void register_jwt(Registry& r) {
  r.add("io.jwt.decode", 1, jwt_decode);
  r.add("io.jwt.verify_rs256", 2, jwt_verify_asym<kRS256, false>);
  r.add("io.jwt.verify_rs384", 2, jwt_verify_asym<kRS384, false>);
  r.add("io.jwt.verify_rs512", 2, jwt_verify_asym<kRS512, false>);
  r.add("io.jwt.verify_ps256", 2, jwt_verify_asym<kPS256, true>);
  r.add("io.jwt.verify_ps384", 2, jwt_verify_asym<kPS384, true>);
  r.add("io.jwt.verify_ps512", 2, jwt_verify_asym<kPS512, true>);
  r.add("io.jwt.verify_es256", 2, jwt_verify_asym<kES256, false>);
  r.add("io.jwt.verify_es384", 2, jwt_verify_asym<kES384, false>);
  r.add("io.jwt.verify_es512", 2, jwt_verify_asym<kES512, false>);
  r.add("io.jwt.verify_eddsa", 2, jwt_verify_asym<kEdDSA, false>);
  r.add("io.jwt.verify_hs256", 2, jwt_verify_hs<EVP_sha256>);
  r.add("io.jwt.verify_hs384", 2, jwt_verify_hs<EVP_sha384>);
  r.add("io.jwt.verify_hs512", 2, jwt_verify_hs<EVP_sha512>);
  r.add("io.jwt.decode_verify", 2, jwt_decode_verify);
  r.add("io.jwt.encode_sign_raw", 3, jwt_encode_sign_raw);
  r.add("io.jwt.encode_sign", 3, jwt_encode_sign);
}

}  // namespace rego
