// Shared helpers for the crypto built-ins (see crypto_util.h).
#include "rego/builtins/crypto_util.h"

#include <array>
#include <cstdio>
#include <cstring>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include "rego/number.h"

namespace rego::crypto {

// ---------------------------------------------------------------- base64

namespace {

constexpr std::string_view kStd = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

using DecodeMap = std::array<int8_t, 256>;

DecodeMap make_map(std::string_view alphabet) {
  DecodeMap m;
  m.fill(-1);
  for (size_t i = 0; i < alphabet.size(); ++i) m[uint8_t(alphabet[i])] = int8_t(i);
  return m;
}

std::string corrupt(size_t at) { return "illegal base64 data at input byte " + std::to_string(at); }
bool is_newline(char c) { return c == '\n' || c == '\r'; }

// Go's padded decoder (encoding/base64): quanta of four, '\r'/'\n' skipped, '=' padding required.
std::string go_b64_decode(std::string_view src, const DecodeMap& map, std::string& out) {
  out.clear();
  size_t si = 0;
  while (true) {
    uint32_t buf[4] = {0, 0, 0, 0};
    int len = 4;
    bool end = false;
    for (int j = 0; j < 4; ++j) {
      if (si == src.size()) {
        if (j == 0) return "";
        return corrupt(si - j);
      }
      char in = src[si++];
      if (map[uint8_t(in)] >= 0) {
        buf[j] = uint32_t(map[uint8_t(in)]);
        continue;
      }
      if (is_newline(in)) {
        --j;
        continue;
      }
      if (in != '=' || j < 2) return corrupt(si - 1);
      if (j == 2) {
        while (si < src.size() && is_newline(src[si])) ++si;
        if (si == src.size()) return corrupt(src.size());
        if (src[si] != '=') return corrupt(si - 1);
        ++si;
      }
      while (si < src.size() && is_newline(src[si])) ++si;
      if (si < src.size()) return corrupt(si);
      len = j;
      end = true;
      break;
    }
    uint32_t v = (buf[0] << 18) | (buf[1] << 12) | (buf[2] << 6) | buf[3];
    out += char(v >> 16);
    if (len > 2) out += char((v >> 8) & 0xff);
    if (len > 3) out += char(v & 0xff);
    if (end) return "";
  }
}

}  // namespace

std::string b64_encode(std::string_view in, bool url, bool pad) {
  std::string_view alphabet = url ? kUrl : kStd;
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += alphabet[(v >> s) & 63];
  }
  size_t rest = in.size() - i;
  if (rest > 0) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (rest == 2) v |= uint8_t(in[i + 1]) << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (rest == 2) out += alphabet[(v >> 6) & 63];
    if (pad) out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

std::string b64_decode_std(std::string_view in, std::string& out) {
  static const DecodeMap map = make_map(kStd);
  return go_b64_decode(in, map, out);
}

std::string b64url_decode_opa(std::string_view in, std::string& out) {
  static const DecodeMap map = make_map(kUrl);
  std::string s(in);
  if (s.empty() || s.back() != '=') {
    switch (s.size() % 4) {
      case 0:
        break;
      case 2:
        s += "==";
        break;
      case 3:
        s += "=";
        break;
      default:
        return "illegal base64url string: " + s;
    }
  }
  return go_b64_decode(s, map, out);
}

bool b64_decode_any(std::string_view in, std::string& out) {
  static const DecodeMap map = [] {
    DecodeMap m = make_map(kStd);
    m[uint8_t('-')] = 62;
    m[uint8_t('_')] = 63;
    return m;
  }();
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  out.clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int8_t v = map[uint8_t(c)];
    if (v < 0) return false;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xff);
    }
  }
  return bits < 6;  // a lone trailing symbol carries no whole byte: malformed
}

std::string hex_encode(std::string_view in) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(in.size() * 2);
  for (unsigned char c : in) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// ---------------------------------------------------------------- Go's JSON syntax errors

namespace {

// Go's scanner quoteChar: the offending byte as a quoted rune.
std::string quote_char(unsigned char c) {
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  switch (c) {
    case '\a':
      return "'\\a'";
    case '\b':
      return "'\\b'";
    case '\f':
      return "'\\f'";
    case '\n':
      return "'\\n'";
    case '\r':
      return "'\\r'";
    case '\t':
      return "'\\t'";
    case '\v':
      return "'\\v'";
    case '\\':
      return "'\\\\'";
    default:
      break;
  }
  char buf[16];
  if (c < 0x20 || c == 0x7f) {
    std::snprintf(buf, sizeof buf, "'\\x%02x'", c);
    return buf;
  }
  if (c < 0x80) return std::string("'") + char(c) + "'";
  if (c < 0xa1 || c == 0xad) {
    std::snprintf(buf, sizeof buf, "'\\u%04x'", c);
    return buf;
  }
  std::string s = "'";
  s += char(0xc0 | (c >> 6));
  s += char(0x80 | (c & 0x3f));
  return s + "'";
}

struct GoJsonScanner {
  std::string_view s;
  size_t i = 0;
  std::string err;
  int depth = 0;

  bool eof() const { return i >= s.size(); }
  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  }
  bool bad(const char* context) {
    if (eof()) {
      err = "unexpected end of JSON input";
    } else {
      err = "invalid character " + quote_char(uint8_t(s[i])) + " " + context;
    }
    return false;
  }
  static bool digit(char c) { return c >= '0' && c <= '9'; }
  static bool hexdigit(char c) { return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

  bool literal(std::string_view word) {
    for (size_t k = 1; k < word.size(); ++k) {
      ++i;
      if (eof() || s[i] != word[k]) {
        std::string ctx = "in literal " + std::string(word) + " (expecting '" + word[k] + "')";
        return bad(ctx.c_str());
      }
    }
    ++i;
    return true;
  }
  bool string() {
    ++i;  // opening quote
    while (true) {
      if (eof()) return bad("");
      unsigned char c = uint8_t(s[i]);
      if (c == '"') {
        ++i;
        return true;
      }
      if (c < 0x20) return bad("in string literal");
      if (c == '\\') {
        ++i;
        if (eof()) return bad("");
        char e = s[i];
        if (e == 'u') {
          for (int k = 0; k < 4; ++k) {
            ++i;
            if (eof() || !hexdigit(s[i])) return bad("in \\u hexadecimal character escape");
          }
        } else if (std::strchr("\"\\/bfnrt", e) == nullptr || e == 0) {
          return bad("in string escape code");
        }
      }
      ++i;
    }
  }
  bool number() {
    if (s[i] == '-') {
      ++i;
      if (eof() || !digit(s[i])) return bad("in numeric literal");
    }
    if (s[i] == '0') {
      ++i;
    } else {
      while (!eof() && digit(s[i])) ++i;
    }
    if (!eof() && s[i] == '.') {
      ++i;
      if (eof() || !digit(s[i])) return bad("after decimal point in numeric literal");
      while (!eof() && digit(s[i])) ++i;
    }
    if (!eof() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (!eof() && (s[i] == '+' || s[i] == '-')) ++i;
      if (eof() || !digit(s[i])) return bad("in exponent of numeric literal");
      while (!eof() && digit(s[i])) ++i;
    }
    return true;
  }
  bool value() {
    ws();
    if (eof()) return bad("");
    char c = s[i];
    if (c == '{' || c == '[') {
      if (++depth > 10000) {
        err = "exceeded max depth";
        return false;
      }
      bool ok = c == '{' ? object() : array();
      --depth;
      return ok;
    }
    if (c == '"') return string();
    if (c == '-' || digit(c)) return number();
    if (c == 't') return literal("true");
    if (c == 'f') return literal("false");
    if (c == 'n') return literal("null");
    return bad("looking for beginning of value");
  }
  bool object() {
    ++i;
    ws();
    if (!eof() && s[i] == '}') {
      ++i;
      return true;
    }
    while (true) {
      ws();
      if (eof() || s[i] != '"') return bad("looking for beginning of object key string");
      if (!string()) return false;
      ws();
      if (eof() || s[i] != ':') return bad("after object key");
      ++i;
      if (!value()) return false;
      ws();
      if (eof()) return bad("");
      if (s[i] == ',') {
        ++i;
        continue;
      }
      if (s[i] == '}') {
        ++i;
        return true;
      }
      return bad("after object key:value pair");
    }
  }
  bool array() {
    ++i;
    ws();
    if (!eof() && s[i] == ']') {
      ++i;
      return true;
    }
    while (true) {
      if (!value()) return false;
      ws();
      if (eof()) return bad("");
      if (s[i] == ',') {
        ++i;
        continue;
      }
      if (s[i] == ']') {
        ++i;
        return true;
      }
      return bad("after array element");
    }
  }
};

}  // namespace

std::string go_json_error(std::string_view text) {
  GoJsonScanner sc;
  sc.s = text;
  if (!sc.value()) return sc.err;
  sc.ws();
  if (!sc.eof()) sc.bad("after top-level value");
  return sc.err;
}

// ---------------------------------------------------------------- PEM

namespace {

// Go's getLine: the line up to '\n' with trailing spaces, tabs and '\r' removed, and the rest after it.
std::pair<std::string_view, std::string_view> get_line(std::string_view data) {
  size_t nl = data.find('\n');
  std::string_view line, rest;
  if (nl == std::string_view::npos) {
    line = data;
  } else {
    line = data.substr(0, nl);
    rest = data.substr(nl + 1);
  }
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
  return {line, rest};
}

std::string_view trim_space(std::string_view s) {
  auto sp = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  while (!s.empty() && sp(s.front())) s.remove_prefix(1);
  while (!s.empty() && sp(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<PemBlock> pem_decode(std::string_view data, std::string_view& rest_out) {
  constexpr std::string_view kStart = "\n-----BEGIN ";
  constexpr std::string_view kEnd = "\n-----END ";
  constexpr std::string_view kEol = "-----";
  std::string_view rest = data;
  rest_out = data;
  while (true) {
    if (rest.substr(0, kStart.size() - 1) == kStart.substr(1)) {
      rest.remove_prefix(kStart.size() - 1);
    } else if (size_t at = rest.find(kStart); at != std::string_view::npos) {
      rest.remove_prefix(at + kStart.size());
    } else {
      return std::nullopt;
    }
    auto [type_line, after_type] = get_line(rest);
    rest = after_type;
    if (type_line.size() < kEol.size() || type_line.substr(type_line.size() - kEol.size()) != kEol) continue;
    type_line.remove_suffix(kEol.size());

    PemBlock block;
    block.type = std::string(type_line);
    bool truncated = false;
    while (true) {
      if (rest.empty()) {
        truncated = true;
        break;
      }
      auto [line, next] = get_line(rest);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) break;
      block.headers.emplace_back(std::string(trim_space(line.substr(0, colon))),
                                 std::string(trim_space(line.substr(colon + 1))));
      rest = next;
    }
    if (truncated) return std::nullopt;

    size_t end_index, end_trailer_index;
    if (block.headers.empty() && rest.substr(0, kEnd.size() - 1) == kEnd.substr(1)) {
      end_index = 0;
      end_trailer_index = kEnd.size() - 1;
    } else {
      end_index = rest.find(kEnd);
      if (end_index == std::string_view::npos) continue;
      end_trailer_index = end_index + kEnd.size();
    }
    std::string_view end_trailer = rest.substr(end_trailer_index);
    size_t trailer_len = type_line.size() + kEol.size();
    if (end_trailer.size() < trailer_len) continue;
    std::string_view rest_of_end_line = end_trailer.substr(trailer_len);
    end_trailer = end_trailer.substr(0, trailer_len);
    if (end_trailer.substr(0, type_line.size()) != type_line || end_trailer.substr(type_line.size()) != kEol) continue;
    if (!get_line(rest_of_end_line).first.empty()) continue;

    std::string b64;
    for (char c : rest.substr(0, end_index)) {
      if (c != ' ' && c != '\t') b64 += c;
    }
    if (!b64_decode_std(b64, block.bytes).empty()) continue;
    rest_out = get_line(rest.substr(end_index + kEnd.size() - 1)).second;
    return block;
  }
}

// ---------------------------------------------------------------- OpenSSL helpers

void clear_errors() { ERR_clear_error(); }

Value bn_value(const BIGNUM* bn) {
  char* dec = BN_bn2dec(bn);
  if (!dec) return Value::integer(0);
  auto v = number::parse(dec);
  OPENSSL_free(dec);
  return v ? *v : Value::integer(0);
}

std::string bn_b64url(const BIGNUM* bn, size_t pad_to) {
  size_t n = size_t(BN_num_bytes(bn));
  if (pad_to > n) n = pad_to;
  std::string bytes(n, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(bytes.data()), int(n));
  return b64_encode(bytes, true, false);
}

BNPtr pkey_bn(const EVP_PKEY* key, const char* param) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, param, &bn) != 1) {
    clear_errors();
    return nullptr;
  }
  return BNPtr(bn);
}

std::string digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  static const char kEmpty = 0;
  HMAC(md, key.empty() ? &kEmpty : key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// ---------------------------------------------------------------- JWS

const JwsAlg* find_alg(std::string_view name) {
  static const JwsAlg kAlgs[] = {
      {"HS256", AlgFamily::HMAC, EVP_sha256}, {"HS384", AlgFamily::HMAC, EVP_sha384},
      {"HS512", AlgFamily::HMAC, EVP_sha512}, {"RS256", AlgFamily::RSA, EVP_sha256},
      {"RS384", AlgFamily::RSA, EVP_sha384},  {"RS512", AlgFamily::RSA, EVP_sha512},
      {"PS256", AlgFamily::PSS, EVP_sha256},  {"PS384", AlgFamily::PSS, EVP_sha384},
      {"PS512", AlgFamily::PSS, EVP_sha512},  {"ES256", AlgFamily::ECDSA, EVP_sha256},
      {"ES384", AlgFamily::ECDSA, EVP_sha384}, {"ES512", AlgFamily::ECDSA, EVP_sha512},
      {"EdDSA", AlgFamily::EdDSA, nullptr},
  };
  for (const auto& a : kAlgs) {
    if (name == a.name) return &a;
  }
  return nullptr;
}

namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

bool key_suits(const JwsKey& key, AlgFamily family) {
  if (family == AlgFamily::HMAC) return key.is_secret();
  if (key.is_secret()) return false;
  int id = EVP_PKEY_get_base_id(key.pkey.get());
  switch (family) {
    case AlgFamily::RSA:
      return id == EVP_PKEY_RSA;
    case AlgFamily::PSS:
      return id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS;
    case AlgFamily::ECDSA:
      return id == EVP_PKEY_EC;
    case AlgFamily::EdDSA:
      return id == EVP_PKEY_ED25519;
    default:
      return false;
  }
}

size_t ec_field_bytes(EVP_PKEY* key) { return (size_t(EVP_PKEY_get_bits(key)) + 7) / 8; }

// Sets up a digest sign/verify context for alg on key (not HMAC).
bool init_ctx(EVP_MD_CTX* ctx, EVP_PKEY* key, const JwsAlg& alg, bool sign, int pss_salt) {
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = alg.md ? alg.md() : nullptr;
  int ok = sign ? EVP_DigestSignInit(ctx, &pctx, md, nullptr, key) : EVP_DigestVerifyInit(ctx, &pctx, md, nullptr, key);
  if (ok != 1) return false;
  if (alg.family == AlgFamily::RSA) {
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
      return false;
  } else if (alg.family == AlgFamily::PSS) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1) return false;
    if (EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss_salt) != 1) return false;
    if (EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1) return false;
  }
  return true;
}

}  // namespace

bool jws_verify(const JwsKey& key, const JwsAlg& alg, std::string_view input, std::string_view sig,
                bool pss_auto_salt, bool strict_ec) {
  if (!key_suits(key, alg.family)) return false;
  if (alg.family == AlgFamily::HMAC) return constant_time_equal(hmac(alg.md(), key.secret, input), sig);

  std::string der;
  if (alg.family == AlgFamily::ECDSA) {
    // JWS carries r||s; OpenSSL wants a DER ECDSA-Sig-Value.
    size_t n = strict_ec ? ec_field_bytes(key.pkey.get()) : sig.size() / 2;
    if (strict_ec && sig.size() != 2 * n) return false;
    if (n == 0) return false;
    ECDSA_SIG* es = ECDSA_SIG_new();
    BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()), int(n), nullptr);
    BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data() + n), int(sig.size() - n), nullptr);
    ECDSA_SIG_set0(es, r, s);
    unsigned char* p = nullptr;
    int len = i2d_ECDSA_SIG(es, &p);
    ECDSA_SIG_free(es);
    if (len <= 0) return false;
    der.assign(reinterpret_cast<char*>(p), size_t(len));
    OPENSSL_free(p);
    sig = der;
  }
  MdCtx ctx(EVP_MD_CTX_new());
  bool ok = init_ctx(ctx.get(), key.pkey.get(), alg, false,
                     pss_auto_salt ? RSA_PSS_SALTLEN_AUTO : RSA_PSS_SALTLEN_DIGEST) &&
            EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  if (!ok) clear_errors();
  return ok;
}

std::string jws_sign(const JwsKey& key, const JwsAlg& alg, std::string_view input) {
  if (!key_suits(key, alg.family)) {
    fail(std::string("failed to sign payload: invalid key type for algorithm ") + alg.name);
  }
  if (alg.family == AlgFamily::HMAC) return hmac(alg.md(), key.secret, input);
  MdCtx ctx(EVP_MD_CTX_new());
  size_t len = 0;
  std::string sig;
  bool ok = init_ctx(ctx.get(), key.pkey.get(), alg, true, RSA_PSS_SALTLEN_DIGEST) &&
            EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()) == 1;
  if (ok) {
    sig.resize(len);
    ok = EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                        reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    sig.resize(len);
  }
  if (!ok) {
    clear_errors();
    fail(std::string("failed to sign payload using ") + alg.name);
  }
  if (alg.family == AlgFamily::ECDSA) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, long(sig.size()));
    if (!es) fail("failed to sign payload using ecdsa");
    size_t n = ec_field_bytes(key.pkey.get());
    std::string out(2 * n, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(out.data()), int(n));
    BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(out.data() + n), int(n));
    ECDSA_SIG_free(es);
    return out;
  }
  return sig;
}

}  // namespace rego::crypto
