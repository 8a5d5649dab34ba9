// libFuzzer target: OPA bundle loading from a tar.gz byte buffer (load/bundle.h load_bundle_bytes, over
// load/archive.h read_tar_gz_bytes): manifest, roots, data files (JSON, YAML), modules, signatures.
//
// Two input forms:
//  - bytes starting with the gzip magic (1f 8b) are the .tar.gz itself (the archive reader and libarchive
//    on corrupt, truncated, hostile archives);
//  - anything else is a list of entries as text, written into a .tar.gz with trex's archive writer first, so
//    mutations reach the bundle logic instead of dying in the gzip CRC:
//        === /.manifest
//        {"roots": ["a"]}
//        === /a/data.json
//        {"x": 1}
//    Content runs to the next line starting with "=== " (its final LF not included). An entry
//    "/.signatures.json" whose content is exactly SIGN is replaced by a valid HS256 signature over the other
//    entries with the fixed fuzz secret, so the signed path (hashes, canonical JSON) is reached too.
// Each bundle is loaded twice: unverified with Rego v1 defaults, and verified with the HS256 secret and
// v0-compatible module parsing. Bad bundles must give errors, never crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_keys.h"
#include "load/archive_writer.h"
#include "load/bundle.h"
#include "load/bundle_signing.h"

namespace {

using namespace trex::load;

constexpr uint64_t kMaxBundleBytes = 4 << 20;  // gzip bombs stop here (the loader's own limit)

void load_both(const std::string& bytes) {
  LoadOptions plain;
  plain.max_bundle_bytes = kMaxBundleBytes;
  Loaded a = load_bundle_bytes("fuzz.tar.gz", bytes, plain);
  if (a.errors.empty() && a.bundles.size() != 1) __builtin_trap();  // one bundle read, or errors

  LoadOptions verified;
  verified.max_bundle_bytes = kMaxBundleBytes;
  verified.v0_compatible = true;
  VerificationConfig cfg;
  cfg.key = trex_fuzz::kHmacSecret;
  cfg.algorithm = "HS256";
  verified.verification = cfg;
  Loaded b = load_bundle_bytes("fuzz.tar.gz", bytes, verified);
  if (b.errors.empty() && b.bundles.size() != 1) __builtin_trap();
}

ArchiveFiles parse_entries(std::string_view text) {
  ArchiveFiles files;
  // Content before the first "=== " line is ignored; each header line names one entry.
  size_t pos = text.substr(0, 4) == "=== " ? 0 : text.find("\n=== ");
  if (pos == std::string_view::npos) return files;
  if (pos != 0) pos += 1;
  while (pos < text.size() && files.size() < 64) {
    size_t eol = text.find('\n', pos);
    std::string name(text.substr(pos + 4, eol == std::string_view::npos ? std::string_view::npos : eol - pos - 4));
    if (eol == std::string_view::npos) {
      files.emplace_back(std::move(name), "");
      break;
    }
    size_t next = text.find("\n=== ", eol);
    size_t end = next == std::string_view::npos ? text.size() : next;
    std::string content(end > eol ? text.substr(eol + 1, end - eol - 1) : std::string_view());
    files.emplace_back(std::move(name), std::move(content));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return files;
}

void sign_if_asked(ArchiveFiles& files) {
  size_t sig = files.size();
  for (size_t i = 0; i < files.size(); ++i)
    if (files[i].first == "/.signatures.json" && files[i].second == "SIGN") sig = i;
  if (sig == files.size()) return;
  std::vector<FileHash> hashes;
  for (size_t i = 0; i < files.size(); ++i) {
    if (i == sig) continue;
    std::string name = files[i].first;
    while (!name.empty() && name.front() == '/') name.erase(0, 1);
    std::string error;
    auto h = hash_file(FileRef{name, files[i].second}, error);
    if (h) hashes.push_back(std::move(*h));
  }
  SigningConfig cfg;
  cfg.key = trex_fuzz::kHmacSecret;
  cfg.algorithm = "HS256";
  std::string error;
  auto token = sign_files(hashes, cfg, error);
  if (!token) __builtin_trap();  // a fixed key and algorithm must sign
  files[sig].second = signatures_file_text(*token);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256 * 1024) return -1;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
    load_both(bytes);
    return 0;
  }
  ArchiveFiles files = parse_entries(bytes);
  if (files.empty()) return 0;
  sign_if_asked(files);
  std::string error;
  std::string tgz = write_tar_gz(files, error);
  if (tgz.empty()) return 0;  // names the writer refuses (empty, NUL...)
  load_both(tgz);
  return 0;
}
