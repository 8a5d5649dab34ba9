// Verifying a signed decision log with the public key alone (what `trex log verify` and auditors run):
// every line parses; seq runs 0, 1, 2, … across segments (whose names match their first seq); every prev
// is the SHA-256 of the line before; every checkpoint's JWS verifies (ES256) and its payload's seq/head
// match its line; every decision/outcome line is covered by a later checkpoint. Stops at the first fault
// and names it (file, line number, seq). Payload fields it doesn't know are ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "hsm/ec_key.h"

namespace trex::hsm {

struct VerifyFault {
  std::string file;    // segment file name
  size_t line = 0;     // 1-based line number in that file
  uint64_t seq = 0;    // the seq the faulty line has (or should have had)
  std::string message;
};

struct VerifyReport {
  uint64_t lines = 0, decisions = 0, outcomes = 0, checkpoints = 0, segments = 0;
  uint64_t recoveries = 0;  // checkpoints reporting recovered_bytes (restarts after a torn write)
  std::optional<VerifyFault> fault;
  bool ok() const { return !fault.has_value(); }
  // "decisions-….jsonl:12 (seq 11): …" or the counts.
  std::string summary() const;
};

struct VerifyOptions {
  std::string expected_log;  // when set, every checkpoint's "log" must equal it
};

VerifyReport verify_log(const std::string& dir, const PublicKey& key, const VerifyOptions& options = {});

}  // namespace trex::hsm
