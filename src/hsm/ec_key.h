// ECDSA P-256 public keys and ES256 signatures with OpenSSL: what a verifier needs with the public key
// alone, and how the signer turns a token's CKA_EC_POINT into a PEM SubjectPublicKeyInfo.
//
// The key id (JWS "kid") is base64url(SHA-256(DER SubjectPublicKeyInfo)), unpadded: 43 characters that
// anyone holding the PEM can recompute (`openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary`).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace trex::hsm {

class PublicKey {
 public:
  // From the DER SubjectPublicKeyInfo, or from a PEM "PUBLIC KEY" block. Only P-256 keys are accepted.
  static std::shared_ptr<PublicKey> from_der(std::string_view der, std::string& error);
  static std::shared_ptr<PublicKey> from_pem(std::string_view pem, std::string& error);
  static std::shared_ptr<PublicKey> from_pem_file(const std::string& path, std::string& error);
  // From PKCS#11's CKA_EC_PARAMS (must name P-256) and CKA_EC_POINT (a DER OCTET STRING holding the
  // uncompressed point, or — as some modules return it — the bare point).
  static std::shared_ptr<PublicKey> from_ec_point(std::string_view ec_params, std::string_view ec_point,
                                                  std::string& error);
  ~PublicKey();

  const std::string& der() const { return der_; }
  std::string pem() const;
  const std::string& kid() const { return kid_; }

  // ES256: `signature` is raw r‖s (64 bytes) over SHA-256(message).
  bool verify_es256(std::string_view message, std::string_view signature) const;

 private:
  PublicKey() = default;
  void* pkey_ = nullptr;  // EVP_PKEY*, kept opaque so this header needs no OpenSSL include
  std::string der_;
  std::string kid_;
};

// The key id of a DER SubjectPublicKeyInfo (see above).
std::string key_id(std::string_view spki_der);

}  // namespace trex::hsm
