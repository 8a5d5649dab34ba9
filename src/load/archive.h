// Reading the regular files of a gzipped tar archive into memory (libarchive), safely.
//
// Knows nothing of bundles: it returns each entry's name and bytes. It must never crash or write to disk, so:
//   - corrupt or truncated input is an error, never an abort;
//   - an entry name with a ".." segment (or a NUL, or empty) is rejected — a bundle reader that later joins
//     names to a directory must not be led outside it. A leading "/" is kept: OPA writes bundles that way
//     ("/data.json") and the name is only ever read relative to the bundle root;
//   - the bytes of all entries together are bounded by `max_bytes` (a gzip bomb is an error);
//   - only regular files are returned; directories, symlinks, hard links and devices are skipped, as OPA's
//     tarball loader reads only regular files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace trex::load {

struct ArchiveEntry {
  std::string name;  // as stored in the archive, e.g. "/a/data.json" or "a/policy.rego"
  std::string bytes;
};

struct ArchiveResult {
  std::vector<ArchiveEntry> entries;  // in archive order
  std::string error;                  // non-empty = failed; entries are then incomplete
  bool ok() const { return error.empty(); }
};

ArchiveResult read_tar_gz(const std::string& path, uint64_t max_bytes);
// The same from bytes in memory (tests, and the server's downloaded bundles).
ArchiveResult read_tar_gz_bytes(const std::string& bytes, uint64_t max_bytes);

}  // namespace trex::load
