// P-256 public keys and ES256 verification (see ec_key.h).
#include "hsm/ec_key.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>

#include "hsm/bytes.h"

namespace trex::hsm {

namespace {

// DER of the namedCurve OID prime256v1 (1.2.840.10045.3.1.7), as CKA_EC_PARAMS holds it.
constexpr unsigned char kP256Oid[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
// The fixed DER prefix of a P-256 SubjectPublicKeyInfo: SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 },
// BIT STRING (66 bytes: no unused bits, then the 65-byte uncompressed point) }.
constexpr unsigned char kP256SpkiPrefix[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
                                             0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01,
                                             0x07, 0x03, 0x42, 0x00};

EVP_PKEY* as_pkey(void* p) { return static_cast<EVP_PKEY*>(p); }

}  // namespace

std::string key_id(std::string_view spki_der) {
  Sha256 d = sha256(spki_der);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

PublicKey::~PublicKey() { EVP_PKEY_free(as_pkey(pkey_)); }

std::shared_ptr<PublicKey> PublicKey::from_der(std::string_view der, std::string& error) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  EVP_PKEY* pkey = d2i_PUBKEY(nullptr, &p, long(der.size()));
  if (pkey == nullptr || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    EVP_PKEY_free(pkey);
    error = "not a valid DER SubjectPublicKeyInfo";
    return nullptr;
  }
  char group[64] = {0};
  size_t group_len = 0;
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC ||
      !EVP_PKEY_get_utf8_string_param(pkey, "group", group, sizeof group, &group_len) ||
      std::string(group) != "prime256v1") {
    EVP_PKEY_free(pkey);
    error = "the public key is not an ECDSA P-256 key";
    return nullptr;
  }
  std::shared_ptr<PublicKey> key(new PublicKey());
  key->pkey_ = pkey;
  // Re-encode so that der() and kid() are canonical whatever encoding came in.
  unsigned char* out = nullptr;
  int n = i2d_PUBKEY(pkey, &out);
  if (n <= 0) {
    error = "cannot encode the public key";
    return nullptr;
  }
  key->der_.assign(reinterpret_cast<char*>(out), size_t(n));
  OPENSSL_free(out);
  key->kid_ = key_id(key->der_);
  return key;
}

std::shared_ptr<PublicKey> PublicKey::from_pem(std::string_view pem, std::string& error) {
  BIO* bio = BIO_new_mem_buf(pem.data(), int(pem.size()));
  EVP_PKEY* pkey = bio ? PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  if (pkey == nullptr) {
    error = "no PEM public key (-----BEGIN PUBLIC KEY-----) found";
    return nullptr;
  }
  unsigned char* out = nullptr;
  int n = i2d_PUBKEY(pkey, &out);
  EVP_PKEY_free(pkey);
  if (n <= 0) {
    error = "cannot encode the public key";
    return nullptr;
  }
  std::string der(reinterpret_cast<char*>(out), size_t(n));
  OPENSSL_free(out);
  return from_der(der, error);
}

std::shared_ptr<PublicKey> PublicKey::from_pem_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path;
    return nullptr;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  auto key = from_pem(ss.str(), error);
  if (!key) error = path + ": " + error;
  return key;
}

std::shared_ptr<PublicKey> PublicKey::from_ec_point(std::string_view ec_params, std::string_view ec_point,
                                                    std::string& error) {
  if (ec_params != std::string_view(reinterpret_cast<const char*>(kP256Oid), sizeof kP256Oid)) {
    error = "the token key is not on curve P-256 (CKA_EC_PARAMS is not prime256v1)";
    return nullptr;
  }
  std::string_view point = ec_point;
  // PKCS#11 says DER OCTET STRING (04 41 <65 bytes>); some modules return the bare point (65 bytes).
  if (point.size() == 67 && uint8_t(point[0]) == 0x04 && uint8_t(point[1]) == 0x41) point.remove_prefix(2);
  if (point.size() != 65 || uint8_t(point[0]) != 0x04) {
    error = "CKA_EC_POINT is not an uncompressed P-256 point";
    return nullptr;
  }
  std::string der(reinterpret_cast<const char*>(kP256SpkiPrefix), sizeof kP256SpkiPrefix);
  der.append(point);
  return from_der(der, error);  // d2i_PUBKEY checks that the point is on the curve
}

std::string PublicKey::pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  std::string out;
  if (bio && PEM_write_bio_PUBKEY(bio, as_pkey(pkey_))) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    out.assign(data, size_t(n));
  }
  BIO_free(bio);
  return out;
}

bool PublicKey::verify_es256(std::string_view message, std::string_view signature) const {
  if (signature.size() != 64) return false;
  // JWS carries r‖s; OpenSSL verifies the DER ECDSA-Sig-Value.
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(signature.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(signature.data()) + 32, 32, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || !ECDSA_SIG_set0(sig, r, s)) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return false;
  }
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (der_len <= 0) return false;

  bool ok = false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, as_pkey(pkey_)) == 1) {
    ok = EVP_DigestVerify(ctx, der, size_t(der_len), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
  }
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  return ok;
}

}  // namespace trex::hsm
