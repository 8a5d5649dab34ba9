// libFuzzer target: the signed decision log's readers on arbitrary log contents — hsm/log_verifier.h
// (verify_log: every line, chain, checkpoint JWS with a fixed P-256 public key) and hsm/log_recovery.h
// (recover_log: finding the tail, cutting a torn last line), plus the line parser (log_format.h parse_line)
// and the JSON scanner (json_scan.h) on every line.
//
// Both readers are file based, so the input is written to a fresh log directory on /dev/shm (tmpfs, so
// fsync costs nothing) for every run: segments are separated by a form feed byte (0x0c); a segment is named
// after the seq of its first line when that line parses (decisions-<seq>.jsonl), else after its position,
// so seeds taken from real multi-segment logs keep their names. The verifier runs first (it only reads),
// then recovery (which may cut a torn line), then the verifier again over what recovery left.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_keys.h"
#include "hsm/ec_key.h"
#include "hsm/json_scan.h"
#include "hsm/log_format.h"
#include "hsm/log_recovery.h"
#include "hsm/log_verifier.h"

namespace fs = std::filesystem;
using namespace trex::hsm;

namespace {

const PublicKey& key() {
  static std::shared_ptr<PublicKey> k = [] {
    std::string error;
    auto p = PublicKey::from_pem(trex_fuzz::kEcPublicPem, error);
    if (!p) __builtin_trap();
    return p;
  }();
  return *k;
}

// Never destroyed, so the cleanup at exit below can still use it.
const std::string& work_dir() {
  static const std::string* dir = [] {
    std::string base = fs::exists("/dev/shm") ? "/dev/shm" : fs::temp_directory_path().string();
    return new std::string(base + "/trex-fuzz-log-" + std::to_string(::getpid()));
  }();
  return *dir;
}

struct Cleanup {
  ~Cleanup() {
    std::error_code ec;
    fs::remove_all(work_dir(), ec);
  }
} cleanup_at_exit;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 128 * 1024) return -1;
  std::string_view all(reinterpret_cast<const char*>(data), size);

  // In-memory parsers on every line.
  for (size_t start = 0; start < all.size();) {
    size_t nl = all.find('\n', start);
    std::string_view line = all.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    LineHeader h;
    std::string error;
    parse_line(line, h, error);
    std::vector<JsonField> fields;
    scan_object(line, fields, error);
    std::string compact;
    normalize_record(line, compact, error);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }

  const std::string& dir = work_dir();
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) __builtin_trap();

  std::set<uint64_t> used;
  uint64_t position = 0;
  for (size_t start = 0; start <= all.size() && used.size() < 8; ++position) {
    size_t ff = all.find('\f', start);
    std::string_view seg = all.substr(start, ff == std::string_view::npos ? std::string_view::npos : ff - start);
    uint64_t first = position;
    LineHeader h;
    std::string error;
    if (parse_line(seg.substr(0, seg.find('\n')), h, error)) first = h.seq;
    if (used.insert(first).second) {
      std::ofstream out(dir + "/" + segment_name(first), std::ios::binary);
      out.write(seg.data(), static_cast<std::streamsize>(seg.size()));
    }
    if (ff == std::string_view::npos) break;
    start = ff + 1;
  }

  VerifyOptions options;
  VerifyReport before = verify_log(dir, key(), options);
  options.expected_log = "trex";
  verify_log(dir, key(), options);
  (void)before.summary();

  LogTail tail;
  std::string error;
  bool recovered = recover_log(dir, tail, error);
  VerifyReport after = verify_log(dir, key());
  // A log that verifies is recoverable, and recovery leaves it verifying.
  if (before.ok() && !recovered) {
    std::fprintf(stderr, "a verifying log does not recover: %s\n", error.c_str());
    __builtin_trap();
  }
  if (before.ok() && !after.ok()) {
    std::fprintf(stderr, "recovery broke a verifying log: %s\n", after.summary().c_str());
    __builtin_trap();
  }
  return 0;
}
