// Signed OPA bundles: producing and checking `.signatures.json` as OPA's bundle/sign.go, verify.go and
// hash.go do.
//
//   .signatures.json   {"signatures": ["<JWS compact>"]}   exactly one JWT
//   JWT payload        {"files": [{"name", "hash", "algorithm": "SHA-256"}...], "keyid"?, "scope"?, claims...}
//   file hash          hex SHA-256 of the raw bytes, or for structured files (data.json, data.yaml,
//                      .manifest) of their canonical encoding (canonical_json.h)
//   file name          the path inside the bundle without a leading "/" (tarballs), or the directory
//                      joined in front of it (directory bundles), as OPA names them
//
// Keys: PEM private keys (PKCS#1, PKCS#8, SEC1) for signing; PEM public keys, certificates or private keys for
// verification; for HS256/384/512 the key text is the secret. A key argument naming an existing file is read
// from it, as OPA does. JWS signing and verification reuse the built-ins' OpenSSL helpers.
// Nothing here throws: errors are returned as OPA's texts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rego/value.h"

namespace trex::load {

// How bundles are verified (OPA's VerificationConfig with one key, as the command line configures it).
struct VerificationConfig {
  std::string key;                 // PEM text or HMAC secret (already read from a file)
  std::string key_id = "default";  // the id the key is configured under (--verification-key-id)
  std::string algorithm = "RS256";
  std::string scope;                       // must equal the JWT's "scope" claim (both may be empty)
  std::vector<std::string> exclude_files;  // glob patterns of files not checked (--exclude-files-verification)
};

struct SigningConfig {
  std::string key;  // PEM text or HMAC secret (already read from a file)
  std::string algorithm = "RS256";
  std::string key_id;  // when set: the JWT header's "kid" and the (deprecated) "keyid" claim
  std::optional<rego::Value> claims;  // extra payload claims (--claims-file); they replace "keyid"
};

// One file of a bundle as verification and signing see it.
struct FileRef {
  std::string name;  // without leading "/"
  std::string_view bytes;
};

// A key argument as OPA's flags take it: the contents of the file it names, else the text itself.
std::string read_key_argument(const std::string& arg);

// True for the files OPA hashes by their canonical encoding.
bool is_structured_file(const std::string& name);

// One entry of the JWT's "files" (OPA's FileInfo).
struct FileHash {
  std::string name;
  std::string hash;  // lower-case hex
  std::string algorithm = "SHA-256";
};

// A file's SHA-256 entry; nullopt and `error` when a structured file does not parse.
std::optional<FileHash> hash_file(const FileRef& file, std::string& error);

// A signed JWT over the files' hashes; nullopt and `error` on a bad key or algorithm.
std::optional<std::string> sign_files(const std::vector<FileHash>& files, const SigningConfig& cfg,
                                      std::string& error);

// The files of a bundle on disk (a directory or a .tar.gz) hashed as `opa sign --bundle` hashes them: every
// regular file except signatures files, named as verification will name them. nullopt and `error` when the
// bundle cannot be read or a structured file does not parse.
std::optional<std::vector<FileHash>> hash_bundle_files(const std::string& path, std::string& error);

// The .signatures.json text OPA writes for one token (json.MarshalIndent with a one-space indent).
std::string signatures_file_text(const std::string& token);

// Checks a bundle's files against its signatures (files named "*signatures.json" are the signatures).
//   cfg == nullptr: a signed bundle is refused ("verification key not provided") when `need_key`, else
//   accepted unchecked; an unsigned bundle is always accepted.
//   cfg != nullptr: the bundle must be signed, its JWT verify with the key, and every other file be listed
//   with a matching hash; every listed file must be present.
// Returns the error text (OPA's) or nullopt when the bundle may be read.
std::optional<std::string> verify_bundle(const std::vector<FileRef>& files, const VerificationConfig* cfg,
                                         bool need_key);

}  // namespace trex::load
