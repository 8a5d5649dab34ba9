// SHA-256, hex, base64url and SecretString (see bytes.h).
#include "hsm/bytes.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace trex::hsm {

Sha256 sha256(std::string_view data) {
  Sha256 out{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  Sha256 d = sha256(data);
  return hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}
}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (rest == 2) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

bool base64url_decode(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 == 1) return false;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = decode_char(c);
    if (v < 0) return false;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((acc >> bits) & 0xff));
    }
  }
  // Leftover bits must be zero, so that every byte string has exactly one encoding.
  return (acc & ((1u << bits) - 1)) == 0;
}

namespace {

// Zeros every byte a string owns, including those past size() (a moved-from short string keeps its old
// characters in its in-object buffer).
void wipe(std::string& s) {
  if (s.capacity() > 0) {
    s.resize(s.capacity());
    OPENSSL_cleanse(s.data(), s.size());
  }
  s.clear();
}

}  // namespace

SecretString::SecretString(std::string value) : value_(std::move(value)) { wipe(value); }

SecretString::SecretString(SecretString&& other) noexcept : value_(std::move(other.value_)) { other.clear(); }

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    clear();
    value_ = std::move(other.value_);
    other.clear();
  }
  return *this;
}

// The whole buffer, not just size(): a shorter value may have been assigned over a longer one.
void SecretString::clear() { wipe(value_); }

}  // namespace trex::hsm
