// Byte helpers of the signed decision log: SHA-256, lowercase hex, base64url (RFC 4648 §5, no padding, as
// JWS requires) and a string that wipes itself (for PINs). Pure functions over OpenSSL; no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace trex::hsm {

using Sha256 = std::array<uint8_t, 32>;

Sha256 sha256(std::string_view data);
std::string hex(std::string_view bytes);
std::string sha256_hex(std::string_view data);  // lowercase, 64 characters

std::string base64url_encode(std::string_view bytes);
// False on any character outside the base64url alphabet, on '=' padding, or on an impossible length.
bool base64url_decode(std::string_view text, std::string& out);

// A std::string that is overwritten with zeros (OPENSSL_cleanse) when destroyed or cleared, so a PIN does
// not linger in freed heap memory. Not copyable: a secret should have one owner.
class SecretString {
 public:
  SecretString() = default;
  // A short value (std::string's in-object buffer, up to 15 bytes: a typical PIN) is copied, not moved, out of
  // `value`, so the parameter's own buffer is wiped as well.
  explicit SecretString(std::string value);
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;
  SecretString(SecretString&& other) noexcept;
  SecretString& operator=(SecretString&& other) noexcept;
  ~SecretString() { clear(); }

  void clear();
  const std::string& value() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

}  // namespace trex::hsm
