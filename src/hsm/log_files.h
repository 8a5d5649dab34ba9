// File-system helpers of the signed log: listing segments in log order, reading a file, writing all bytes,
// fsync of a file and of its directory (so that a new segment's name is durable too).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace trex::hsm {

struct SegmentFile {
  std::string name;  // decisions-<20 digits>.jsonl
  std::string path;
  uint64_t first_seq = 0;
};

// The directory's segment files sorted by name (= by first seq); other files are ignored.
bool list_segments(const std::string& dir, std::vector<SegmentFile>& segments, std::string& error);
bool read_file(const std::string& path, std::string& content, std::string& error);
// write(2) until every byte is out (EINTR-safe).
bool write_all(int fd, const char* data, size_t size, std::string& error);
bool fsync_dir(const std::string& dir, std::string& error);
// Creates the directory (and its parents) when missing.
bool ensure_dir(const std::string& dir, std::string& error);

}  // namespace trex::hsm
