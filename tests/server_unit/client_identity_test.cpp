// Client-certificate identities (client_identity.h): the subject as Go's pkix.Name prints it, checked against
// OPA's own identifier tests and Go's RDNSequence rules, on certificates made here with OpenSSL.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <string>
#include <utility>
#include <vector>

#include "server/client_identity.h"

namespace trex::server {
namespace {

// A self-signed certificate with these subject attributes (in this order), as DER.
std::string certificate_der(const std::vector<std::pair<std::string, std::string>>& subject, long serial = 7) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  for (const auto& [field, value] : subject)
    X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.data()),
                               static_cast<int>(value.size()), -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  unsigned char* buf = nullptr;
  int len = i2d_X509(cert, &buf);
  std::string der(reinterpret_cast<const char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  X509_free(cert);
  EVP_PKEY_free(key);
  return der;
}

std::string identity(const std::vector<std::pair<std::string, std::string>>& subject) {
  return certificate_subject_identity(certificate_der(subject)).value_or("<unparsed>");
}

TEST(ClientIdentity, OpasIdentifierCases) {
  EXPECT_EQ(identity({{"CN", "my-client"}}), "CN=my-client");
  EXPECT_EQ(identity({{"O", "Torchwood"}, {"OU", "opa-client-01"}}), "OU=opa-client-01,O=Torchwood");
  EXPECT_EQ(identity({{"C", "GB"}, {"O", "Example Org"}, {"OU", "Example Org Unit"}, {"serialNumber", "3064486355086639231"}}),
            "SERIALNUMBER=3064486355086639231,OU=Example Org Unit,O=Example Org,C=GB");
}

TEST(ClientIdentity, GoOrderNotCertificateOrder) {
  // Go rebuilds the sequence from pkix.Name's fields (C, ST, L, STREET, POSTALCODE, O, OU, CN, SERIALNUMBER)
  // and prints it backwards, whatever order the certificate had.
  EXPECT_EQ(identity({{"CN", "svc"}, {"O", "Acme"}, {"postalCode", "94000"}, {"street", "1 Main"}, {"L", "SF"},
                      {"ST", "CA"}, {"C", "US"}}),
            "CN=svc,O=Acme,POSTALCODE=94000,STREET=1 Main,L=SF,ST=CA,C=US");
  // Several values of one type share an RDN; CN and SERIALNUMBER keep the last value only.
  EXPECT_EQ(identity({{"OU", "a"}, {"CN", "first"}, {"OU", "b"}, {"CN", "second"}}), "CN=second,OU=a+OU=b");
  // Types pkix.Name has no field for are not printed.
  EXPECT_EQ(identity({{"DC", "example"}, {"emailAddress", "x@example.com"}, {"CN", "x"}}), "CN=x");
  EXPECT_EQ(identity({}), "");
}

TEST(ClientIdentity, Rfc2253Escapes) {
  EXPECT_EQ(identity({{"CN", "Smith, John"}}), "CN=Smith\\, John");
  EXPECT_EQ(identity({{"CN", "a+b\"c\\d<e>f;g"}}), "CN=a\\+b\\\"c\\\\d\\<e\\>f\\;g");
  EXPECT_EQ(identity({{"CN", " padded "}}), "CN=\\ padded\\ ");
  EXPECT_EQ(identity({{"CN", "#1 and #2"}}), "CN=\\#1 and #2");
  EXPECT_EQ(identity({{"CN", "Zoë"}}), "CN=Zoë");
}

TEST(ClientIdentity, CertificatesInGosShape) {
  rego::Value certs = client_certificates_value({certificate_der({{"CN", "alice"}, {"O", "Acme"}}, 4242), "junk"});
  ASSERT_TRUE(certs.is_array());
  ASSERT_EQ(certs.as_array().size(), 1u);  // what does not parse is left out
  const rego::Value& cert = certs.as_array()[0];
  EXPECT_EQ(*cert.get("Subject")->get("CommonName"), rego::Value::string("alice"));
  EXPECT_EQ(*cert.get("Subject")->get("Organization"), rego::Value::array({rego::Value::string("Acme")}));
  EXPECT_EQ(*cert.get("SerialNumber"), rego::Value::integer(4242));
  EXPECT_TRUE(cert.get("Raw") && cert.get("Raw")->is_string());
  EXPECT_FALSE(cert.get("URIStrings"));  // OPA's crypto.x509.parse_certificates extra, not Go's marshal
  EXPECT_FALSE(certificate_subject_identity("junk"));
}

}  // namespace
}  // namespace trex::server
