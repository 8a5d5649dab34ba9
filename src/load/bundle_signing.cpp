// Signed OPA bundles (see bundle_signing.h). The checks and their order follow OPA's bundle.Reader.Read,
// DefaultVerifier.VerifyBundleSignature and VerifyBundleFile.
#include "load/bundle_signing.h"

#include <fnmatch.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "load/canonical_json.h"
#include "load/documents.h"
#include "rego/builtins/crypto_util.h"
#include "rego/json.h"

namespace trex::load {
namespace crypto = rego::crypto;
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string base_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

const EVP_MD* hash_algorithm(const std::string& name) {
  static const std::pair<const char*, const EVP_MD* (*)()> table[] = {
      {"MD5", EVP_md5},         {"SHA-1", EVP_sha1},     {"SHA-224", EVP_sha224},
      {"SHA-256", EVP_sha256},  {"SHA-384", EVP_sha384}, {"SHA-512", EVP_sha512},
      {"SHA-512-224", EVP_sha512_224}, {"SHA-512-256", EVP_sha512_256},
  };
  for (const auto& [n, md] : table)
    if (name == n) return md();
  return nullptr;
}

// The bytes OPA hashes: the canonical encoding for structured files, else the file as it is. OPA's
// util.Unmarshal reads JSON, or YAML when the text is not JSON, for every structured file.
std::optional<std::string> hash_input(const FileRef& file, std::string& error) {
  if (!is_structured_file(file.name)) return std::string(file.bytes);
  std::string json_error;
  if (auto c = canonical_json(file.bytes, json_error)) return c;
  auto doc = parse_document(std::string(file.bytes), error);
  if (!doc) return std::nullopt;
  return canonical_value(*doc);
}

// ---------------------------------------------------------------- keys

using PKeyPtr = std::unique_ptr<EVP_PKEY, crypto::PKeyFree>;

PKeyPtr der_private_key(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  return PKeyPtr(d2i_AutoPrivateKey(nullptr, &p, long(der.size())));  // PKCS#1, SEC1 and PKCS#8
}

// A signing key as OPA's SigningConfig.GetPrivateKey reads it.
std::optional<crypto::JwsKey> signing_key(const SigningConfig& cfg, const crypto::JwsAlg& alg, std::string& error) {
  crypto::JwsKey key;
  if (alg.family == crypto::AlgFamily::HMAC) {
    key.secret = cfg.key;
    return key;
  }
  std::string_view rest;
  auto block = crypto::pem_decode(cfg.key, rest);
  if (!block) {
    error = "failed to parse PEM block containing the key";
    return std::nullopt;
  }
  if (block->type != "RSA PRIVATE KEY" && block->type != "PRIVATE KEY" && block->type != "EC PRIVATE KEY") {
    error = "unsupported key type: " + block->type;
    return std::nullopt;
  }
  PKeyPtr pkey = der_private_key(block->bytes);
  if (!pkey) {
    crypto::clear_errors();
    error = "failed to parse " + block->type;
    return std::nullopt;
  }
  key.pkey = crypto::make_pkey(pkey.release());
  return key;
}

// A verification key as OPA's parseVerificationKey reads it: a secret for HMAC, else PEM (public key,
// certificate or private key); text that is not PEM is taken as raw key bytes (and then fails to verify).
std::optional<crypto::JwsKey> verification_key(const VerificationConfig& cfg, const crypto::JwsAlg& alg,
                                               std::string& error) {
  crypto::JwsKey key;
  std::string_view rest;
  auto block = alg.family == crypto::AlgFamily::HMAC ? std::nullopt : crypto::pem_decode(cfg.key, rest);
  if (!block) {
    key.secret = cfg.key;
    return key;
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(block->bytes.data());
  const long n = long(block->bytes.size());
  EVP_PKEY* pkey = nullptr;
  if (block->type == "RSA PUBLIC KEY") {
    pkey = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, n);
  } else if (block->type == "PUBLIC KEY") {
    pkey = d2i_PUBKEY(nullptr, &p, n);
  } else if (block->type == "RSA PRIVATE KEY" || block->type == "PRIVATE KEY" || block->type == "EC PRIVATE KEY") {
    pkey = der_private_key(block->bytes).release();
  } else if (block->type == "CERTIFICATE") {
    crypto::X509Ptr cert(d2i_X509(nullptr, &p, n));
    if (cert) pkey = X509_get_pubkey(cert.get());
  } else {
    error = "unsupported PEM block type: " + block->type;
    return std::nullopt;
  }
  if (!pkey) {
    crypto::clear_errors();
    error = "failed to parse " + block->type;
    return std::nullopt;
  }
  key.pkey = crypto::make_pkey(pkey);
  return key;
}

// ---------------------------------------------------------------- the JWT's payload

std::string json_text(const rego::Value& v) { return rego::json::write(v); }

// As Go's json.Marshal of the payload map: keys sorted; each file in FileInfo's field order.
std::string payload_json(const std::vector<FileHash>& files, const SigningConfig& cfg) {
  std::map<std::string, std::string> members;
  std::string list = "[";
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    list += (i ? ",{\"name\":" : "{\"name\":") + json_text(rego::Value::string(f.name)) +
            ",\"hash\":" + json_text(rego::Value::string(f.hash)) +
            ",\"algorithm\":" + json_text(rego::Value::string(f.algorithm)) + "}";
  }
  members["files"] = list + "]";
  if (cfg.claims) {
    // Claims are copied over the payload, so a claims file may even replace "files" (as OPA's maps.Copy).
    for (const auto& [k, v] : cfg.claims->as_object()) members[k.is_string() ? k.as_string() : json_text(k)] = json_text(v);
  } else if (!cfg.key_id.empty()) {
    members["keyid"] = json_text(rego::Value::string(cfg.key_id));  // deprecated claim, kept as OPA does
  }
  std::string out = "{";
  for (const auto& [k, v] : members) out += (out.size() > 1 ? "," : "") + json_text(rego::Value::string(k)) + ":" + v;
  return out + "}";
}

// The decoded payload fields verification uses (OPA's DecodedSignature), with Go's unmarshal errors.
struct DecodedSignature {
  std::string keyid;
  std::string scope;
  std::vector<FileHash> files;
};

std::optional<std::string> string_field(const rego::Value& obj, const char* field, const char* go_field,
                                        std::string& out) {
  const rego::Value* v = obj.get(field);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string())
    return std::string("json: cannot unmarshal ") + v->type_name() + " into Go struct field " + go_field +
           " of type string";
  out = v->as_string();
  return std::nullopt;
}

std::optional<std::string> decode_payload(const std::string& text, DecodedSignature& out) {
  auto parsed = rego::json::parse(text);
  if (!parsed.ok) {
    std::string go_error = crypto::go_json_error(text);
    return go_error.empty() ? parsed.error : go_error;
  }
  const rego::Value& v = parsed.value;
  if (!v.is_object()) return std::string("json: cannot unmarshal ") + v.type_name() + " into Go value of type bundle.DecodedSignature";
  if (auto e = string_field(v, "keyid", "DecodedSignature.keyid", out.keyid)) return e;
  if (auto e = string_field(v, "scope", "DecodedSignature.scope", out.scope)) return e;
  const rego::Value* files = v.get("files");
  if (!files || files->is_null()) return std::nullopt;
  if (!files->is_array())
    return std::string("json: cannot unmarshal ") + files->type_name() +
           " into Go struct field DecodedSignature.files of type []bundle.FileInfo";
  for (const auto& f : files->as_array()) {
    FileHash fh;
    fh.algorithm.clear();
    if (!f.is_object())
      return std::string("json: cannot unmarshal ") + f.type_name() +
             " into Go struct field DecodedSignature.files of type bundle.FileInfo";
    if (auto e = string_field(f, "name", "DecodedSignature.files.name", fh.name)) return e;
    if (auto e = string_field(f, "hash", "DecodedSignature.files.hash", fh.hash)) return e;
    if (auto e = string_field(f, "algorithm", "DecodedSignature.files.algorithm", fh.algorithm)) return e;
    out.files.push_back(std::move(fh));
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- verification steps

// OPA's verifyJWTSignature: the key by id, the signature, then the scope.
std::optional<std::string> verify_jwt(const std::string& token, const VerificationConfig& cfg, DecodedSignature& ds) {
  auto dot1 = token.find('.');
  auto dot2 = dot1 == std::string::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string::npos || token.find('.', dot2 + 1) != std::string::npos)
    return "failed to parse JWS: invalid number of segments";
  std::string header_json, payload, sig;
  if (auto e = crypto::b64url_decode_opa(std::string_view(token).substr(0, dot1), header_json); !e.empty())
    return "failed to base64 decode JWT headers: " + e;
  auto header = rego::json::parse(header_json);
  if (!header.ok || !header.value.is_object())
    return "failed to parse JWT headers: " +
           (header.ok ? "json: cannot unmarshal " + std::string(header.value.type_name()) +
                            " into Go value of type map[string]interface {}"
                      : crypto::go_json_error(header_json));
  if (auto e = crypto::b64url_decode_opa(std::string_view(token).substr(dot1 + 1, dot2 - dot1 - 1), payload); !e.empty())
    return e;
  if (auto e = decode_payload(payload, ds)) return e;

  // The key id: the configured one, else the header's kid, else the deprecated keyid claim.
  std::string key_id = cfg.key_id;
  if (const rego::Value* kid = header.value.get("kid"); key_id.empty() && kid && kid->is_string()) key_id = kid->as_string();
  if (key_id.empty()) key_id = ds.keyid;
  if (key_id.empty()) return "verification key ID is empty";
  if (key_id != cfg.key_id) return "verification key corresponding to ID " + key_id + " not found";

  const crypto::JwsAlg* alg = crypto::find_alg(cfg.algorithm);
  if (!alg) return "unknown signature algorithm: " + cfg.algorithm;
  std::string error;
  auto key = verification_key(cfg, *alg, error);
  if (!key) return error;
  // The token must be signed with the configured algorithm: a header naming another one (e.g. "none", or
  // HS256 with a public key as the secret) is never tried.
  const rego::Value* hdr_alg = header.value.get("alg");
  bool verified = hdr_alg && hdr_alg->is_string() && hdr_alg->as_string() == alg->name &&
                  crypto::b64url_decode_opa(std::string_view(token).substr(dot2 + 1), sig).empty() &&
                  crypto::jws_verify(*key, *alg, std::string_view(token).substr(0, dot2), sig);
  if (!verified) return "could not verify message using any of the signatures or keys";
  if (ds.scope != cfg.scope) return "scope mismatch";
  return std::nullopt;
}

std::optional<std::string> hex_decode(const std::string& hex, std::string& out) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      char bad = hi < 0 ? hex[i] : hex[i + 1];
      char buf[64];
      std::snprintf(buf, sizeof buf, "encoding/hex: invalid byte: U+%04X '%c'", unsigned(static_cast<unsigned char>(bad)), bad);
      return std::string(buf);
    }
    out += static_cast<char>(hi << 4 | lo);
  }
  if (hex.size() % 2) return std::string("encoding/hex: odd length hex string");
  return std::nullopt;
}

// OPA's VerifyBundleFile: listed, with an algorithm, and the digest matching.
std::optional<std::string> verify_file(const FileRef& file, std::map<std::string, FileHash>& listed) {
  auto it = listed.find(file.name);
  if (it == listed.end()) return "file " + file.name + " not included in bundle signature";
  const FileHash& want = it->second;
  if (want.algorithm.empty()) return "no hashing algorithm provided for file " + file.name;
  const EVP_MD* md = hash_algorithm(want.algorithm);
  if (!md) return "unsupported hashing algorithm: " + want.algorithm;
  std::string error;
  auto input = hash_input(file, error);
  if (!input) return error;
  std::string got = crypto::digest(md, *input);
  std::string want_bytes;
  if (auto e = hex_decode(want.hash, want_bytes)) return e;
  if (want_bytes != got)
    return file.name + ": digest mismatch (want: " + crypto::hex_encode(want_bytes) + ", got: " + crypto::hex_encode(got) + ")";
  listed.erase(it);
  return std::nullopt;
}

bool excluded(const std::string& name, const std::vector<std::string>& patterns) {
  // Go's filepath.Match: '*' and '?' never match '/' (FNM_PATHNAME).
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return fnmatch(p.c_str(), name.c_str(), FNM_PATHNAME) == 0; });
}

bool is_signatures_file(const std::string& name) { return ends_with(name, "signatures.json"); }

}  // namespace

std::string read_key_argument(const std::string& arg) {
  if (arg.rfind("-----BEGIN", 0) == 0) return arg;
  std::error_code ec;
  if (std::filesystem::is_regular_file(arg, ec)) {
    std::string error;
    if (auto text = read_file(arg, error)) return *text;
  }
  return arg;
}

bool is_structured_file(const std::string& name) {
  // OPA's IsStructuredDoc: data.yml is not in the list, so it is hashed by its bytes.
  const std::string base = base_name(name);
  return base == "data.json" || base == "data.yaml" || base == "signatures.json" || base == ".manifest";
}

std::optional<FileHash> hash_file(const FileRef& file, std::string& error) {
  auto input = hash_input(file, error);
  if (!input) return std::nullopt;
  return FileHash{file.name, crypto::hex_encode(crypto::digest(EVP_sha256(), *input)), "SHA-256"};
}

std::optional<std::string> sign_files(const std::vector<FileHash>& files, const SigningConfig& cfg,
                                      std::string& error) {
  const crypto::JwsAlg* alg = crypto::find_alg(cfg.algorithm);
  if (!alg) {
    error = "unknown signature algorithm: " + cfg.algorithm;
    return std::nullopt;
  }
  auto key = signing_key(cfg, *alg, error);
  if (!key) return std::nullopt;
  std::vector<rego::ObjectEntry> header{{rego::Value::string("alg"), rego::Value::string(alg->name)}};
  if (!cfg.key_id.empty()) header.emplace_back(rego::Value::string("kid"), rego::Value::string(cfg.key_id));
  std::string input = crypto::b64_encode(json_text(rego::Value::object(std::move(header))), true, false) + "." +
                      crypto::b64_encode(payload_json(files, cfg), true, false);
  try {
    return input + "." + crypto::b64_encode(crypto::jws_sign(*key, *alg, input), true, false);
  } catch (const rego::BuiltinError& e) {  // the helpers report a key unfit for the algorithm by throwing
    error = e.message;
    return std::nullopt;
  }
}

std::string signatures_file_text(const std::string& token) {
  return "{\n \"signatures\": [\n  " + json_text(rego::Value::string(token)) + "\n ]\n}";
}

std::optional<std::string> verify_bundle(const std::vector<FileRef>& files, const VerificationConfig* cfg,
                                         bool need_key) {
  const FileRef* signatures = nullptr;
  for (const auto& f : files)
    if (is_signatures_file(f.name)) signatures = &f;  // the last one read wins, as in OPA

  std::vector<std::string> tokens;
  bool signed_bundle = false;
  if (signatures) {
    auto parsed = rego::json::parse(signatures->bytes);
    if (!parsed.ok) return "bundle load failed on signatures decode: " + crypto::go_json_error(signatures->bytes);
    const rego::Value& v = parsed.value;
    if (!v.is_object())
      return std::string("bundle load failed on signatures decode: json: cannot unmarshal ") + v.type_name() +
             " into Go value of type bundle.SignaturesConfig";
    const rego::Value* list = v.get("signatures");
    const rego::Value* plugin = v.get("plugin");
    if (plugin && plugin->is_string() && !plugin->as_string().empty() && cfg)
      return "no verifier exists under id " + plugin->as_string();
    if (list && !list->is_null()) {
      if (!list->is_array())
        return std::string("bundle load failed on signatures decode: json: cannot unmarshal ") + list->type_name() +
               " into Go struct field SignaturesConfig.signatures of type []string";
      for (const auto& t : list->as_array()) {
        if (!t.is_string())
          return std::string("bundle load failed on signatures decode: json: cannot unmarshal ") + t.type_name() +
                 " into Go struct field SignaturesConfig.signatures of type string";
        tokens.push_back(t.as_string());
      }
      signed_bundle = true;
    }
    if (plugin && plugin->is_string() && !plugin->as_string().empty()) signed_bundle = true;
  }

  if (!signed_bundle) {
    if (cfg && !cfg->key_id.empty()) return std::string("bundle missing .signatures.json file");
    return std::nullopt;
  }
  if (!cfg) return need_key ? std::optional<std::string>("verification key not provided") : std::nullopt;
  if (tokens.empty()) return std::string(".signatures.json: missing JWT (expected exactly one)");
  if (tokens.size() > 1) return std::string(".signatures.json: multiple JWTs not supported (expected exactly one)");

  DecodedSignature ds;
  if (auto e = verify_jwt(tokens.front(), *cfg, ds)) return e;
  std::map<std::string, FileHash> listed;
  for (auto& f : ds.files) listed[f.name] = f;

  for (const auto& f : files) {
    if (is_signatures_file(f.name)) continue;
    if (excluded(f.name, cfg->exclude_files)) {
      listed.erase(f.name);
      continue;
    }
    if (auto e = verify_file(f, listed)) return e;
  }
  if (!listed.empty()) {
    std::string names;
    for (const auto& [name, info] : listed) names += (names.empty() ? "" : " ") + name;
    return "file(s) [" + names + "] specified in bundle signatures but not found in the target bundle";
  }
  return std::nullopt;
}

}  // namespace trex::load
