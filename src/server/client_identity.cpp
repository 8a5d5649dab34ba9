// Client-certificate identities (client_identity.h).
#include "server/client_identity.h"

#include <openssl/objects.h>
#include <openssl/x509.h>

#include "rego/builtins/crypto_util.h"

namespace trex::server {

namespace {

using rego::crypto::X509Ptr;

X509Ptr parse_der(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

// The attribute types of Go's pkix.Name, in the order ToRDNSequence appends them; String() prints the
// sequence backwards, so the serial number and common name come first.
struct NameAttribute {
  int nid;
  const char* label;
  bool single;  // CommonName and SerialNumber hold one value (the last one seen), the others a list
};
constexpr NameAttribute kGoNameOrder[] = {
    {NID_countryName, "C", false},        {NID_stateOrProvinceName, "ST", false},
    {NID_localityName, "L", false},       {NID_streetAddress, "STREET", false},
    {NID_postalCode, "POSTALCODE", false}, {NID_organizationName, "O", false},
    {NID_organizationalUnitName, "OU", false}, {NID_commonName, "CN", true},
    {NID_serialNumber, "SERIALNUMBER", true},
};

// RFC 2253 escaping as Go's RDNSequence.String does it.
std::string escape_value(const std::string& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    bool escape = c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' || c == ';' ||
                  (c == ' ' && (i == 0 || i + 1 == v.size())) || (c == '#' && i == 0);
    if (escape) out += '\\';
    out += c;
  }
  return out;
}

std::vector<std::string> values_of(X509_NAME* name, int nid) {
  std::vector<std::string> out;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)) != nid) continue;
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
    if (len < 0) continue;
    out.emplace_back(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
  }
  return out;
}

}  // namespace

std::optional<std::string> certificate_subject_identity(std::string_view der) {
  X509Ptr cert = parse_der(der);
  if (!cert) return std::nullopt;
  X509_NAME* subject = X509_get_subject_name(cert.get());
  std::vector<std::string> rdns;  // in Go's sequence order
  for (const auto& attr : kGoNameOrder) {
    std::vector<std::string> values = values_of(subject, attr.nid);
    if (values.empty()) continue;
    if (attr.single) values.erase(values.begin(), values.end() - 1);
    std::string rdn;
    for (const auto& v : values) rdn += (rdn.empty() ? "" : "+") + std::string(attr.label) + "=" + escape_value(v);
    rdns.push_back(std::move(rdn));
  }
  std::string out;
  for (auto it = rdns.rbegin(); it != rdns.rend(); ++it) out += (out.empty() ? "" : ",") + *it;
  return out;
}

rego::Value client_certificates_value(const std::vector<std::string>& ders) {
  std::vector<rego::Value> certs;
  for (const auto& der : ders)
    if (X509Ptr cert = parse_der(der)) certs.push_back(rego::crypto::certificate_json(cert.get(), der, false));
  return rego::Value::array(std::move(certs));
}

}  // namespace trex::server
