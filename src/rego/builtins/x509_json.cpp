// Go's JSON shapes of x509 objects, built from OpenSSL's parse: OPA's crypto.x509.* built-ins return
// certificates, CSRs and private keys as encoding/json marshals Go's x509.Certificate, x509.CertificateRequest,
// rsa.PrivateKey etc. ([]byte as base64, *big.Int as a number, time.Time as RFC 3339, nil slices as null).
#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <ctime>

#include <openssl/core_names.h>
#include <openssl/x509v3.h>

#include "rego/builtins/crypto_util.h"
#include "rego/number.h"

namespace rego::crypto {
namespace {

// ---------------------------------------------------------------- a minimal DER walker (for the Raw* fields)

struct Tlv {
  uint8_t tag = 0;
  std::string_view full, content;
};

bool next_tlv(std::string_view& in, Tlv& out) {
  if (in.size() < 2) return false;
  size_t len = uint8_t(in[1]), hdr = 2;
  if (len >= 0x80) {
    size_t n = len & 0x7f;
    if (n == 0 || n > 4 || in.size() < 2 + n) return false;
    len = 0;
    for (size_t i = 0; i < n; ++i) len = len << 8 | uint8_t(in[2 + i]);
    hdr = 2 + n;
  }
  if (in.size() - hdr < len) return false;
  out.tag = uint8_t(in[0]);
  out.full = in.substr(0, hdr + len);
  out.content = in.substr(hdr, len);
  in.remove_prefix(hdr + len);
  return true;
}

// The pieces of a signed structure (certificate or CSR): the signed part, the signature bits, and the signed
// part's elements in order.
struct Signed {
  std::string_view tbs, signature;
  std::vector<Tlv> tbs_items;
};

Signed split_signed(std::string_view der) {
  Signed s;
  Tlv outer, tbs, alg, sig;
  if (!next_tlv(der, outer)) return s;
  std::string_view c = outer.content;
  if (!next_tlv(c, tbs) || !next_tlv(c, alg) || !next_tlv(c, sig)) return s;
  s.tbs = tbs.full;
  if (!sig.content.empty()) s.signature = sig.content.substr(1);  // skip the unused-bits octet
  std::string_view t = tbs.content;
  Tlv item;
  while (next_tlv(t, item)) s.tbs_items.push_back(item);
  return s;
}

// ---------------------------------------------------------------- small values

Value b64(std::string_view bytes) { return Value::string(b64_encode(bytes, false, true)); }
Value b64(const ASN1_STRING* s) {
  if (!s) return Value::null();
  return b64(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), size_t(ASN1_STRING_length(s))));
}
std::string_view bytes_of(const ASN1_STRING* s) {
  return std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), size_t(ASN1_STRING_length(s)));
}
Value list_or_null(std::vector<Value> items) { return items.empty() ? Value::null() : Value::array(std::move(items)); }

std::string oid_text(const ASN1_OBJECT* obj) {
  char buf[256];
  int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
  return n > 0 ? std::string(buf, std::min<size_t>(size_t(n), sizeof buf - 1)) : std::string();
}

// An asn1.ObjectIdentifier: [2, 5, 4, 3].
Value oid_ints(const ASN1_OBJECT* obj) {
  std::vector<Value> parts;
  std::string text = oid_text(obj);
  size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    size_t dot = text.find('.', start);
    std::string part = text.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (auto v = number::parse(part)) parts.push_back(*v);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return Value::array(std::move(parts));
}

std::string utf8(const ASN1_STRING* s) {
  unsigned char* out = nullptr;
  int n = ASN1_STRING_to_UTF8(&out, s);
  if (n < 0) {
    clear_errors();
    return std::string(bytes_of(s));
  }
  std::string r(reinterpret_cast<char*>(out), size_t(n));
  OPENSSL_free(out);
  return r;
}

// time.Time in JSON: RFC 3339 in UTC.
Value time_json(const ASN1_TIME* t) {
  struct tm tm {};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return Value::string("0001-01-01T00:00:00Z");
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return Value::string(buf);
}

// net.IP's text form.
std::string ip_text(const unsigned char* p, size_t n) {
  char buf[INET6_ADDRSTRLEN] = {0};
  static const unsigned char kV4Prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (n == 16 && std::memcmp(p, kV4Prefix, 12) == 0) {
    p += 12;
    n = 4;
  }
  if (n == 4) {
    inet_ntop(AF_INET, p, buf, sizeof buf);
  } else if (n == 16) {
    inet_ntop(AF_INET6, p, buf, sizeof buf);
  } else {
    return "?" + hex_encode(std::string_view(reinterpret_cast<const char*>(p), n));
  }
  return buf;
}

// pkix.Name.
Value name_json(const X509_NAME* name) {
  std::vector<Value> country, org, ou, locality, province, street, postal, names;
  std::string serial, cn;
  for (int i = 0; name && i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    const ASN1_OBJECT* obj = X509_NAME_ENTRY_get_object(e);
    std::string value = utf8(X509_NAME_ENTRY_get_data(e));
    names.push_back(Value::object({{str("Type"), oid_ints(obj)}, {str("Value"), Value::string(value)}}));
    switch (OBJ_obj2nid(obj)) {
      case NID_commonName:
        cn = value;
        break;
      case NID_serialNumber:
        serial = value;
        break;
      case NID_countryName:
        country.push_back(Value::string(value));
        break;
      case NID_localityName:
        locality.push_back(Value::string(value));
        break;
      case NID_stateOrProvinceName:
        province.push_back(Value::string(value));
        break;
      case NID_streetAddress:
        street.push_back(Value::string(value));
        break;
      case NID_organizationName:
        org.push_back(Value::string(value));
        break;
      case NID_organizationalUnitName:
        ou.push_back(Value::string(value));
        break;
      case NID_postalCode:
        postal.push_back(Value::string(value));
        break;
      default:
        break;
    }
  }
  return Value::object({
      {str("Country"), list_or_null(std::move(country))},
      {str("Organization"), list_or_null(std::move(org))},
      {str("OrganizationalUnit"), list_or_null(std::move(ou))},
      {str("Locality"), list_or_null(std::move(locality))},
      {str("Province"), list_or_null(std::move(province))},
      {str("StreetAddress"), list_or_null(std::move(street))},
      {str("PostalCode"), list_or_null(std::move(postal))},
      {str("SerialNumber"), Value::string(serial)},
      {str("CommonName"), Value::string(cn)},
      {str("Names"), list_or_null(std::move(names))},
      {str("ExtraNames"), Value::null()},
  });
}

int public_key_algorithm(EVP_PKEY* key) {
  switch (key ? EVP_PKEY_get_base_id(key) : 0) {
    case EVP_PKEY_RSA:
      return 1;
    case EVP_PKEY_DSA:
      return 2;
    case EVP_PKEY_EC:
      return 3;
    case EVP_PKEY_ED25519:
      return 4;
    default:
      return 0;
  }
}

Value bn_param(EVP_PKEY* key, const char* param) {
  BNPtr bn = pkey_bn(key, param);
  return bn ? bn_value(bn.get()) : Value::null();
}

std::string raw_key(EVP_PKEY* key, bool priv) {
  size_t len = 0;
  int ok = priv ? EVP_PKEY_get_raw_private_key(key, nullptr, &len) : EVP_PKEY_get_raw_public_key(key, nullptr, &len);
  if (ok != 1) return "";
  std::string out(len, '\0');
  unsigned char* p = reinterpret_cast<unsigned char*>(out.data());
  if (priv) {
    EVP_PKEY_get_raw_private_key(key, p, &len);
  } else {
    EVP_PKEY_get_raw_public_key(key, p, &len);
  }
  return out;
}

// *rsa.PublicKey, *ecdsa.PublicKey (whose elliptic.Curve marshals as {}), ed25519.PublicKey, *dsa.PublicKey.
Value public_key_json(EVP_PKEY* key) {
  switch (public_key_algorithm(key)) {
    case 1:
      return Value::object(
          {{str("N"), bn_param(key, OSSL_PKEY_PARAM_RSA_N)}, {str("E"), bn_param(key, OSSL_PKEY_PARAM_RSA_E)}});
    case 2:
      return Value::object({{str("Parameters"), Value::object({{str("P"), bn_param(key, OSSL_PKEY_PARAM_FFC_P)},
                                                               {str("Q"), bn_param(key, OSSL_PKEY_PARAM_FFC_Q)},
                                                               {str("G"), bn_param(key, OSSL_PKEY_PARAM_FFC_G)}})},
                            {str("Y"), bn_param(key, OSSL_PKEY_PARAM_PUB_KEY)}});
    case 3:
      return Value::object({{str("Curve"), Value::empty_object()},
                            {str("X"), bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X)},
                            {str("Y"), bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y)}});
    case 4:
      return b64(raw_key(key, false));
    default:
      return Value::null();
  }
}

int signature_algorithm_of(int nid, int pss_md) {
  switch (nid) {
    case NID_md2WithRSAEncryption:
      return 1;
    case NID_md5WithRSAEncryption:
      return 2;
    case NID_sha1WithRSAEncryption:
    case NID_sha1WithRSA:
      return 3;
    case NID_sha256WithRSAEncryption:
      return 4;
    case NID_sha384WithRSAEncryption:
      return 5;
    case NID_sha512WithRSAEncryption:
      return 6;
    case NID_dsaWithSHA1:
      return 7;
    case NID_dsa_with_SHA256:
      return 8;
    case NID_ecdsa_with_SHA1:
      return 9;
    case NID_ecdsa_with_SHA256:
      return 10;
    case NID_ecdsa_with_SHA384:
      return 11;
    case NID_ecdsa_with_SHA512:
      return 12;
    case NID_rsassaPss:
      return pss_md == NID_sha384 ? 14 : pss_md == NID_sha512 ? 15 : 13;
    case NID_ED25519:
      return 16;
    default:
      return 0;
  }
}

// ---------------------------------------------------------------- URLs (net/url.URL's JSON)

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out += char(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string escape_path(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || std::strchr("-_.~$&+,/:;=@", c)) {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Value url_json(const std::string& raw) {
  std::string rest = raw, scheme, opaque, host, path, raw_path, query, fragment, raw_fragment;
  bool user = false, omit_host = false, force_query = false;
  if (size_t hash = rest.find('#'); hash != std::string::npos) {
    raw_fragment = rest.substr(hash + 1);
    fragment = unescape(raw_fragment);
    if (raw_fragment == fragment) raw_fragment.clear();
    rest.resize(hash);
  }
  size_t i = 0;
  if (!rest.empty() && std::isalpha(static_cast<unsigned char>(rest[0]))) {
    while (i < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[i])) || std::strchr("+-.", rest[i]))) ++i;
    if (i < rest.size() && rest[i] == ':') {
      scheme = rest.substr(0, i);
      for (auto& c : scheme) c = char(std::tolower(static_cast<unsigned char>(c)));
      rest = rest.substr(i + 1);
    }
  }
  if (size_t q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    force_query = query.empty();
    rest.resize(q);
  }
  if (!scheme.empty() && (rest.empty() || rest[0] != '/')) {
    opaque = rest;
    rest.clear();
  } else if (rest.rfind("//", 0) == 0) {
    size_t slash = rest.find('/', 2);
    std::string authority = rest.substr(2, slash == std::string::npos ? std::string::npos : slash - 2);
    rest = slash == std::string::npos ? std::string() : rest.substr(slash);
    if (size_t at = authority.rfind('@'); at != std::string::npos) {
      user = true;
      authority = authority.substr(at + 1);
    }
    host = unescape(authority);
  } else if (!scheme.empty() && !rest.empty() && rest[0] == '/') {
    omit_host = true;
  }
  path = unescape(rest);
  if (escape_path(path) != rest) raw_path = rest;
  return Value::object({{str("Scheme"), Value::string(scheme)},
                        {str("Opaque"), Value::string(opaque)},
                        {str("User"), user ? Value::empty_object() : Value::null()},
                        {str("Host"), Value::string(host)},
                        {str("Path"), Value::string(path)},
                        {str("RawPath"), Value::string(raw_path)},
                        {str("OmitHost"), Value::boolean(omit_host)},
                        {str("ForceQuery"), Value::boolean(force_query)},
                        {str("RawQuery"), Value::string(query)},
                        {str("Fragment"), Value::string(fragment)},
                        {str("RawFragment"), Value::string(raw_fragment)}});
}

// ---------------------------------------------------------------- extensions

struct AltNames {
  std::vector<Value> dns, email, ip, uris, uri_strings;
};

void collect_alt_names(const GENERAL_NAMES* names, AltNames& out) {
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    switch (gn->type) {
      case GEN_DNS:
        out.dns.push_back(Value::string(bytes_of(gn->d.dNSName)));
        break;
      case GEN_EMAIL:
        out.email.push_back(Value::string(bytes_of(gn->d.rfc822Name)));
        break;
      case GEN_IPADD:
        out.ip.push_back(Value::string(ip_text(ASN1_STRING_get0_data(gn->d.iPAddress),
                                               size_t(ASN1_STRING_length(gn->d.iPAddress)))));
        break;
      case GEN_URI: {
        std::string uri(bytes_of(gn->d.uniformResourceIdentifier));
        out.uris.push_back(url_json(uri));
        out.uri_strings.push_back(Value::string(uri));
        break;
      }
      default:
        break;
    }
  }
}

Value extension_json(X509_EXTENSION* ext) {
  return Value::object({{str("Id"), oid_ints(X509_EXTENSION_get_object(ext))},
                        {str("Critical"), Value::boolean(X509_EXTENSION_get_critical(ext) > 0)},
                        {str("Value"), b64(X509_EXTENSION_get_data(ext))}});
}

int ext_key_usage(const ASN1_OBJECT* obj) {
  static const std::pair<const char*, int> kUsages[] = {
      {"2.5.29.37.0", 0},           {"1.3.6.1.5.5.7.3.1", 1},      {"1.3.6.1.5.5.7.3.2", 2},
      {"1.3.6.1.5.5.7.3.3", 3},     {"1.3.6.1.5.5.7.3.4", 4},      {"1.3.6.1.5.5.7.3.5", 5},
      {"1.3.6.1.5.5.7.3.6", 6},     {"1.3.6.1.5.5.7.3.7", 7},      {"1.3.6.1.5.5.7.3.8", 8},
      {"1.3.6.1.5.5.7.3.9", 9},     {"1.3.6.1.4.1.311.10.3.3", 10}, {"2.16.840.1.113730.4.1", 11},
      {"1.3.6.1.4.1.311.2.1.22", 12}, {"1.3.6.1.4.1.311.61.1.1", 13},
  };
  std::string text = oid_text(obj);
  for (const auto& [oid, usage] : kUsages) {
    if (text == oid) return usage;
  }
  return -1;
}

void name_constraints(X509* x, std::vector<ObjectEntry>& out) {
  int crit = 0;
  auto* nc = static_cast<NAME_CONSTRAINTS*>(X509_get_ext_d2i(x, NID_name_constraints, &crit, nullptr));
  std::vector<Value> lists[2][4];  // [permitted|excluded][dns, ip, email, uri]
  if (nc) {
    const STACK_OF(GENERAL_SUBTREE)* trees[2] = {nc->permittedSubtrees, nc->excludedSubtrees};
    for (int t = 0; t < 2; ++t) {
      for (int i = 0; trees[t] && i < sk_GENERAL_SUBTREE_num(trees[t]); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_SUBTREE_value(trees[t], i)->base;
        if (gn->type == GEN_DNS) {
          lists[t][0].push_back(Value::string(bytes_of(gn->d.dNSName)));
        } else if (gn->type == GEN_IPADD) {
          const unsigned char* p = ASN1_STRING_get0_data(gn->d.iPAddress);
          size_t n = size_t(ASN1_STRING_length(gn->d.iPAddress)) / 2;
          lists[t][1].push_back(Value::object(
              {{str("IP"), Value::string(ip_text(p, n))},
               {str("Mask"), b64(std::string_view(reinterpret_cast<const char*>(p + n), n))}}));
        } else if (gn->type == GEN_EMAIL) {
          lists[t][2].push_back(Value::string(bytes_of(gn->d.rfc822Name)));
        } else if (gn->type == GEN_URI) {
          lists[t][3].push_back(Value::string(bytes_of(gn->d.uniformResourceIdentifier)));
        }
      }
    }
    NAME_CONSTRAINTS_free(nc);
  } else {
    clear_errors();
  }
  out.emplace_back(str("PermittedDNSDomainsCritical"), Value::boolean(nc && crit > 0));
  const char* names[2][4] = {
      {"PermittedDNSDomains", "PermittedIPRanges", "PermittedEmailAddresses", "PermittedURIDomains"},
      {"ExcludedDNSDomains", "ExcludedIPRanges", "ExcludedEmailAddresses", "ExcludedURIDomains"}};
  for (int t = 0; t < 2; ++t) {
    for (int k = 0; k < 4; ++k) out.emplace_back(str(names[t][k]), list_or_null(std::move(lists[t][k])));
  }
}

// Go's key-usage bits: bit i of the BIT STRING becomes 1 << i.
int key_usage_bits(uint32_t ku) {
  if (ku == UINT32_MAX) return 0;
  int out = 0;
  for (int i = 0; i < 8; ++i) {
    if (ku & (0x80u >> i)) out |= 1 << i;
  }
  if (ku & 0x8000u) out |= 1 << 8;
  return out;
}

bool handled_by_go(const std::string& oid) {
  static const char* const kHandled[] = {"2.5.29.14", "2.5.29.15", "2.5.29.17", "2.5.29.19", "2.5.29.30",
                                         "2.5.29.31", "2.5.29.32", "2.5.29.33", "2.5.29.35", "2.5.29.36",
                                         "2.5.29.37", "2.5.29.54", "1.3.6.1.5.5.7.1.1"};
  for (const char* h : kHandled) {
    if (oid == h) return true;
  }
  return false;
}

}  // namespace

int signature_algorithm(X509* cert) {
  int md = 0, pk = 0, bits = 0;
  uint32_t flags = 0;
  if (X509_get_signature_info(cert, &md, &pk, &bits, &flags) != 1) clear_errors();
  return signature_algorithm_of(X509_get_signature_nid(cert), md);
}

Value certificate_json(X509* x, std::string_view der, bool with_uri_strings) {
  Signed s = split_signed(der);
  // tbs items: [version], serial, signature alg, issuer, validity, subject, spki, ...
  size_t first = !s.tbs_items.empty() && s.tbs_items[0].tag == 0xa0 ? 1 : 0;
  auto raw_item = [&](size_t i) { return i < s.tbs_items.size() ? b64(s.tbs_items[i].full) : Value::null(); };
  EVP_PKEY* pub = X509_get0_pubkey(x);
  std::vector<ObjectEntry> e;
  e.emplace_back(str("Raw"), b64(der));
  e.emplace_back(str("RawTBSCertificate"), b64(s.tbs));
  e.emplace_back(str("RawSubjectPublicKeyInfo"), raw_item(first + 5));
  e.emplace_back(str("RawSubject"), raw_item(first + 4));
  e.emplace_back(str("RawIssuer"), raw_item(first + 2));
  e.emplace_back(str("Signature"), b64(s.signature));
  e.emplace_back(str("SignatureAlgorithm"), Value::integer(signature_algorithm(x)));
  e.emplace_back(str("PublicKeyAlgorithm"), Value::integer(public_key_algorithm(pub)));
  e.emplace_back(str("PublicKey"), public_key_json(pub));
  e.emplace_back(str("Version"), Value::integer(X509_get_version(x) + 1));
  {
    BNPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), nullptr));
    e.emplace_back(str("SerialNumber"), serial ? bn_value(serial.get()) : Value::null());
  }
  e.emplace_back(str("Issuer"), name_json(X509_get_issuer_name(x)));
  e.emplace_back(str("Subject"), name_json(X509_get_subject_name(x)));
  e.emplace_back(str("NotBefore"), time_json(X509_get0_notBefore(x)));
  e.emplace_back(str("NotAfter"), time_json(X509_get0_notAfter(x)));
  e.emplace_back(str("KeyUsage"), Value::integer(key_usage_bits(X509_get_key_usage(x))));

  std::vector<Value> exts, unhandled;
  for (int i = 0; i < X509_get_ext_count(x); ++i) {
    X509_EXTENSION* ext = X509_get_ext(x, i);
    exts.push_back(extension_json(ext));
    if (X509_EXTENSION_get_critical(ext) > 0 && !handled_by_go(oid_text(X509_EXTENSION_get_object(ext)))) {
      unhandled.push_back(oid_ints(X509_EXTENSION_get_object(ext)));
    }
  }
  e.emplace_back(str("Extensions"), list_or_null(std::move(exts)));
  e.emplace_back(str("ExtraExtensions"), Value::null());
  e.emplace_back(str("UnhandledCriticalExtensions"), list_or_null(std::move(unhandled)));

  std::vector<Value> eku, unknown_eku;
  if (auto* usages = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(x, NID_ext_key_usage, nullptr, nullptr))) {
    for (int i = 0; i < sk_ASN1_OBJECT_num(usages); ++i) {
      const ASN1_OBJECT* obj = sk_ASN1_OBJECT_value(usages, i);
      int u = ext_key_usage(obj);
      if (u >= 0) {
        eku.push_back(Value::integer(u));
      } else {
        unknown_eku.push_back(oid_ints(obj));
      }
    }
    EXTENDED_KEY_USAGE_free(usages);
  }
  e.emplace_back(str("ExtKeyUsage"), list_or_null(std::move(eku)));
  e.emplace_back(str("UnknownExtKeyUsage"), list_or_null(std::move(unknown_eku)));

  bool bc_valid = false, is_ca = false;
  int64_t max_path = 0;
  if (auto* bc = static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(x, NID_basic_constraints, nullptr, nullptr))) {
    bc_valid = true;
    is_ca = bc->ca != 0;
    max_path = bc->pathlen ? ASN1_INTEGER_get(bc->pathlen) : -1;
    BASIC_CONSTRAINTS_free(bc);
  }
  e.emplace_back(str("BasicConstraintsValid"), Value::boolean(bc_valid));
  e.emplace_back(str("IsCA"), Value::boolean(is_ca));
  e.emplace_back(str("MaxPathLen"), Value::integer(max_path));
  e.emplace_back(str("MaxPathLenZero"), Value::boolean(bc_valid && max_path == 0));
  e.emplace_back(str("SubjectKeyId"), b64(X509_get0_subject_key_id(x)));
  e.emplace_back(str("AuthorityKeyId"), b64(X509_get0_authority_key_id(x)));

  std::vector<Value> ocsp, issuers;
  if (auto* aia = static_cast<AUTHORITY_INFO_ACCESS*>(X509_get_ext_d2i(x, NID_info_access, nullptr, nullptr))) {
    for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia); ++i) {
      const ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia, i);
      if (ad->location->type != GEN_URI) continue;
      Value uri = Value::string(bytes_of(ad->location->d.uniformResourceIdentifier));
      int nid = OBJ_obj2nid(ad->method);
      if (nid == NID_ad_OCSP) ocsp.push_back(uri);
      if (nid == NID_ad_ca_issuers) issuers.push_back(uri);
    }
    AUTHORITY_INFO_ACCESS_free(aia);
  }
  e.emplace_back(str("OCSPServer"), list_or_null(std::move(ocsp)));
  e.emplace_back(str("IssuingCertificateURL"), list_or_null(std::move(issuers)));

  AltNames alt;
  if (auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr))) {
    collect_alt_names(names, alt);
    GENERAL_NAMES_free(names);
  }
  e.emplace_back(str("DNSNames"), list_or_null(std::move(alt.dns)));
  e.emplace_back(str("EmailAddresses"), list_or_null(std::move(alt.email)));
  e.emplace_back(str("IPAddresses"), list_or_null(std::move(alt.ip)));
  e.emplace_back(str("URIs"), list_or_null(std::move(alt.uris)));
  if (with_uri_strings) e.emplace_back(str("URIStrings"), list_or_null(std::move(alt.uri_strings)));

  name_constraints(x, e);

  std::vector<Value> crl;
  if (auto* dps = static_cast<CRL_DIST_POINTS*>(X509_get_ext_d2i(x, NID_crl_distribution_points, nullptr, nullptr))) {
    for (int i = 0; i < sk_DIST_POINT_num(dps); ++i) {
      const DIST_POINT* dp = sk_DIST_POINT_value(dps, i);
      if (!dp->distpoint || dp->distpoint->type != 0) continue;
      const GENERAL_NAMES* full = dp->distpoint->name.fullname;
      for (int k = 0; k < sk_GENERAL_NAME_num(full); ++k) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(full, k);
        if (gn->type == GEN_URI) crl.push_back(Value::string(bytes_of(gn->d.uniformResourceIdentifier)));
      }
    }
    CRL_DIST_POINTS_free(dps);
  }
  e.emplace_back(str("CRLDistributionPoints"), list_or_null(std::move(crl)));

  std::vector<Value> policy_ids, policies;
  if (auto* cp = static_cast<CERTIFICATEPOLICIES*>(X509_get_ext_d2i(x, NID_certificate_policies, nullptr, nullptr))) {
    for (int i = 0; i < sk_POLICYINFO_num(cp); ++i) {
      const ASN1_OBJECT* id = sk_POLICYINFO_value(cp, i)->policyid;
      policy_ids.push_back(oid_ints(id));
      policies.push_back(Value::string(oid_text(id)));
    }
    CERTIFICATEPOLICIES_free(cp);
  }
  clear_errors();
  e.emplace_back(str("PolicyIdentifiers"), list_or_null(std::move(policy_ids)));
  e.emplace_back(str("Policies"), list_or_null(std::move(policies)));
  // Go 1.24's policy-constraint fields, at their zero values.
  for (const char* f : {"InhibitAnyPolicy", "InhibitPolicyMapping", "RequireExplicitPolicy"}) {
    e.emplace_back(str(f), Value::integer(0));
    e.emplace_back(Value::string(std::string(f) + "Zero"), Value::boolean(false));
  }
  e.emplace_back(str("PolicyMappings"), Value::null());
  return Value::object(std::move(e));
}

Value certificate_request_json(X509_REQ* req, std::string_view der) {
  Signed s = split_signed(der);
  // info items: version, subject, spki, [0] attributes
  auto raw_item = [&](size_t i) { return i < s.tbs_items.size() ? b64(s.tbs_items[i].full) : Value::null(); };
  EVP_PKEY* pub = X509_REQ_get0_pubkey(req);
  std::vector<ObjectEntry> e;
  e.emplace_back(str("Raw"), b64(der));
  e.emplace_back(str("RawTBSCertificateRequest"), b64(s.tbs));
  e.emplace_back(str("RawSubjectPublicKeyInfo"), raw_item(2));
  e.emplace_back(str("RawSubject"), raw_item(1));
  e.emplace_back(str("Version"), Value::integer(X509_REQ_get_version(req)));
  e.emplace_back(str("Signature"), b64(s.signature));
  e.emplace_back(str("SignatureAlgorithm"), Value::integer(signature_algorithm_of(X509_REQ_get_signature_nid(req), 0)));
  e.emplace_back(str("PublicKeyAlgorithm"), Value::integer(public_key_algorithm(pub)));
  e.emplace_back(str("PublicKey"), public_key_json(pub));
  e.emplace_back(str("Subject"), name_json(X509_REQ_get_subject_name(req)));

  std::vector<Value> exts, ext_atvs;
  bool any_critical = false;
  AltNames alt;
  if (STACK_OF(X509_EXTENSION)* stack = X509_REQ_get_extensions(req)) {
    for (int i = 0; i < sk_X509_EXTENSION_num(stack); ++i) {
      X509_EXTENSION* ext = sk_X509_EXTENSION_value(stack, i);
      exts.push_back(extension_json(ext));
      any_critical = any_critical || X509_EXTENSION_get_critical(ext) > 0;
      ext_atvs.push_back(Value::object({{str("Type"), oid_ints(X509_EXTENSION_get_object(ext))},
                                        {str("Value"), b64(X509_EXTENSION_get_data(ext))}}));
      if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) == NID_subject_alt_name) {
        if (auto* names = static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext))) {
          collect_alt_names(names, alt);
          GENERAL_NAMES_free(names);
        }
      }
    }
    sk_X509_EXTENSION_pop_free(stack, X509_EXTENSION_free);
  }
  clear_errors();
  // Go's deprecated Attributes only holds an extension request without critical flags.
  std::vector<Value> attributes;
  if (!exts.empty() && !any_critical) {
    attributes.push_back(Value::object({{str("Type"), Value::array({Value::integer(1), Value::integer(2),
                                                                    Value::integer(840), Value::integer(113549),
                                                                    Value::integer(1), Value::integer(9),
                                                                    Value::integer(14)})},
                                        {str("Value"), Value::array({Value::array(std::move(ext_atvs))})}}));
  }
  e.emplace_back(str("Attributes"), list_or_null(std::move(attributes)));
  e.emplace_back(str("Extensions"), list_or_null(std::move(exts)));
  e.emplace_back(str("ExtraExtensions"), Value::null());
  e.emplace_back(str("DNSNames"), list_or_null(std::move(alt.dns)));
  e.emplace_back(str("EmailAddresses"), list_or_null(std::move(alt.email)));
  e.emplace_back(str("IPAddresses"), list_or_null(std::move(alt.ip)));
  e.emplace_back(str("URIs"), list_or_null(std::move(alt.uris)));
  return Value::object(std::move(e));
}

Value private_key_json(EVP_PKEY* key) {
  switch (public_key_algorithm(key)) {
    case 1:
      return Value::object({
          {str("N"), bn_param(key, OSSL_PKEY_PARAM_RSA_N)},
          {str("E"), bn_param(key, OSSL_PKEY_PARAM_RSA_E)},
          {str("D"), bn_param(key, OSSL_PKEY_PARAM_RSA_D)},
          {str("Primes"),
           Value::array({bn_param(key, OSSL_PKEY_PARAM_RSA_FACTOR1), bn_param(key, OSSL_PKEY_PARAM_RSA_FACTOR2)})},
          {str("Precomputed"), Value::object({{str("Dp"), bn_param(key, OSSL_PKEY_PARAM_RSA_EXPONENT1)},
                                              {str("Dq"), bn_param(key, OSSL_PKEY_PARAM_RSA_EXPONENT2)},
                                              {str("Qinv"), bn_param(key, OSSL_PKEY_PARAM_RSA_COEFFICIENT1)},
                                              {str("CRTValues"), Value::empty_array()}})},
      });
    case 3:
      return Value::object({{str("Curve"), Value::empty_object()},
                            {str("X"), bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X)},
                            {str("Y"), bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y)},
                            {str("D"), bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY)}});
    case 4:
      return b64(raw_key(key, true) + raw_key(key, false));  // ed25519.PrivateKey: seed || public key
    default:
      return Value::null();
  }
}

}  // namespace rego::crypto
