// The PKCS#11 signer against a real SoftHSM2 token: signatures verify with the exported public key alone,
// the kid is the documented hash, errors are clear and never contain a PIN.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include "hsm/bytes.h"
#include "hsm/ec_key.h"
#include "hsm/jws.h"
#include "hsm/json_scan.h"
#include "hsm/pkcs11_signer.h"
#include "temp_token.h"

namespace trex::hsm {
namespace {

using testing::kTestPin;
using testing::shared_signer;
using testing::shared_token;

constexpr const char* kWrongPin = "wr0ng-PIN-9981";

TEST(Pkcs11Signer, SignatureVerifiesWithTheExportedPublicKey) {
  auto signer = shared_signer();
  std::string sig, error;
  ASSERT_TRUE(signer->sign("header.payload", sig, error)) << error;
  EXPECT_EQ(sig.size(), 64u);  // raw r‖s, as JWS ES256 requires

  // Round trip through the PEM that `trex hsm pubkey` prints.
  auto exported = read_token_public_key(shared_token().config(), error);
  ASSERT_TRUE(exported) << error;
  auto key = PublicKey::from_pem(exported->pem(), error);
  ASSERT_TRUE(key) << error;
  EXPECT_TRUE(key->verify_es256("header.payload", sig));
  EXPECT_FALSE(key->verify_es256("header.payloaD", sig));
  std::string bad = sig;
  bad[10] ^= 1;
  EXPECT_FALSE(key->verify_es256("header.payload", bad));
}

TEST(Pkcs11Signer, KidIsBase64urlSha256OfTheDerPublicKey) {
  auto signer = shared_signer();
  const std::string& der = signer->public_key().der();
  Sha256 d = sha256(der);
  EXPECT_EQ(signer->kid(), base64url_encode(std::string(reinterpret_cast<const char*>(d.data()), d.size())));
  EXPECT_EQ(signer->kid().size(), 43u);
  EXPECT_EQ(der.size(), 91u);  // a P-256 SubjectPublicKeyInfo
}

TEST(Pkcs11Signer, CompactJwsVerifiesAndRejectsTampering) {
  auto signer = shared_signer();
  std::string jws, error;
  ASSERT_TRUE(jws_sign(*signer, R"({"log":"t","seq":1})", jws, error)) << error;
  std::string payload, kid;
  ASSERT_TRUE(jws_verify(jws, signer->public_key(), payload, kid, error)) << error;
  EXPECT_EQ(payload, R"({"log":"t","seq":1})");
  EXPECT_EQ(kid, signer->kid());

  // Another payload under the same signature.
  std::string forged = jws;
  size_t dot1 = forged.find('.'), dot2 = forged.rfind('.');
  forged.replace(dot1 + 1, dot2 - dot1 - 1, base64url_encode(R"({"log":"t","seq":2})"));
  EXPECT_FALSE(jws_verify(forged, signer->public_key(), payload, kid, error));
  EXPECT_NE(error.find("signature"), std::string::npos) << error;
}

TEST(Pkcs11Signer, SignsFromSeveralThreads) {
  auto signer = shared_signer();
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        std::string msg = "m" + std::to_string(t) + "-" + std::to_string(i), sig, error;
        if (signer->sign(msg, sig, error) && signer->public_key().verify_es256(msg, sig)) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 100);
}

// Every way of failing to open the signer: each error is specific, and none contains a PIN.
TEST(Pkcs11Signer, ErrorsAreClearAndNeverContainThePin) {
  shared_token();
  ::setenv("TREX_TEST_WRONG_PIN", kWrongPin, 1);
  std::vector<std::string> errors;
  auto attempt = [&](Pkcs11Config c) {
    std::string error;
    auto s = Pkcs11Signer::open(c, error);
    EXPECT_FALSE(s);
    errors.push_back(error);
    return error;
  };

  Pkcs11Config wrong_pin = shared_token().idle_config();
  wrong_pin.pin.env = "TREX_TEST_WRONG_PIN";
  std::string e = attempt(wrong_pin);
  EXPECT_NE(e.find("CKR_PIN_INCORRECT"), std::string::npos) << e;
  EXPECT_NE(e.find("wrong user PIN"), std::string::npos) << e;

  Pkcs11Config no_module = shared_token().config();
  no_module.module = "/nonexistent/libpkcs11.so";
  e = attempt(no_module);
  EXPECT_NE(e.find("cannot load PKCS#11 module /nonexistent/libpkcs11.so"), std::string::npos) << e;

  Pkcs11Config no_token = shared_token().config();
  no_token.token_label = "no-such-token";
  e = attempt(no_token);
  EXPECT_NE(e.find("no PKCS#11 token labelled \"no-such-token\""), std::string::npos) << e;

  Pkcs11Config no_key = shared_token().config();
  no_key.key_label = "no-such-key";
  e = attempt(no_key);
  EXPECT_NE(e.find("no EC private key labelled \"no-such-key\""), std::string::npos) << e;

  Pkcs11Config unset = shared_token().config();
  unset.pin.env = "TREX_TEST_UNSET_PIN_VARIABLE";
  e = attempt(unset);
  EXPECT_NE(e.find("TREX_TEST_UNSET_PIN_VARIABLE"), std::string::npos) << e;

  for (const auto& err : errors) {
    EXPECT_EQ(err.find(kTestPin), std::string::npos) << err;
    EXPECT_EQ(err.find(kWrongPin), std::string::npos) << err;
  }
}

TEST(Pkcs11Signer, PinFileMustBeOwnerOnly) {
  std::string path = shared_token().dir() + "/pin.txt";
  std::ofstream(path) << kTestPin << "\n";
  Pkcs11Config c = shared_token().config();
  c.pin.file = path;
  std::string error;

  ::chmod(path.c_str(), 0644);
  EXPECT_FALSE(Pkcs11Signer::open(c, error));
  EXPECT_NE(error.find("chmod 600"), std::string::npos) << error;
  EXPECT_EQ(error.find(kTestPin), std::string::npos) << error;

  ::chmod(path.c_str(), 0600);
  auto signer = Pkcs11Signer::open(c, error);
  ASSERT_TRUE(signer) << error;
  std::string sig;
  EXPECT_TRUE(signer->sign("x", sig, error)) << error;
}

TEST(SecretString, ClearWipesAndEmpties) {
  SecretString s(std::string("secret-value-longer-than-small-buffer"));
  EXPECT_EQ(s.value(), "secret-value-longer-than-small-buffer");
  s.clear();
  EXPECT_TRUE(s.empty());
  SecretString moved(std::string("abc"));
  SecretString to = std::move(moved);
  EXPECT_EQ(to.value(), "abc");
  EXPECT_TRUE(moved.empty());
}

TEST(Base64url, RoundTripsAndRejectsPaddingAndJunk) {
  for (std::string s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\xff\xfe\x00", 3)}) {
    std::string back;
    ASSERT_TRUE(base64url_decode(base64url_encode(s), back));
    EXPECT_EQ(back, s);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  std::string out;
  EXPECT_FALSE(base64url_decode("Zm9v=", out));
  EXPECT_FALSE(base64url_decode("Zm+v", out));
  EXPECT_FALSE(base64url_decode("Zh", out));  // non-zero leftover bits: not canonical
}

}  // namespace
}  // namespace trex::hsm
