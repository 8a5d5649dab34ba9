// Reopening an existing signed log after a restart or a crash: find where the chain ends, cut a torn last
// line (a crash mid-write leaves bytes without a final '\n'), and check the chain of the last segment so
// that appending continues from a good line. A damaged complete line is not "repaired": that is
// tampering or corruption for `trex log verify` to name, and recovery refuses to write after it.
#pragma once

#include <cstdint>
#include <string>

namespace trex::hsm {

struct LogTail {
  uint64_t next_seq = 0;      // seq of the next line
  std::string prev;           // hex SHA-256 of the last line (64 zeros for an empty log)
  std::string segment_path;   // the segment to append to; "" when a new one must be created
  uint64_t segment_size = 0;  // its size after recovery
  uint64_t cut_bytes = 0;     // bytes of a torn last line removed
  uint64_t uncovered = 0;     // decision/outcome lines after the last checkpoint (need a checkpoint)
};

// Creates `dir` when missing. False with `error` (naming file and seq) when a complete line of the last
// segment is malformed or breaks the chain, or the segment names disagree with the lines.
bool recover_log(const std::string& dir, LogTail& tail, std::string& error);

}  // namespace trex::hsm
