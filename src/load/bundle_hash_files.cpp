// Hashing a bundle on disk for `trex sign` (see bundle_signing.h: hash_bundle_files). Names follow OPA's
// loaders: a tarball's entry name without the leading '/', a directory's files with the directory in front
// ("bundle/a/policy.rego"), so that the bundle verifies when it is loaded from the same path.
#include <algorithm>
#include <filesystem>

#include "load/archive.h"
#include "load/bundle_signing.h"
#include "load/documents.h"

namespace trex::load {
namespace fs = std::filesystem;
namespace {

std::string signed_name(const std::string& path) { return path.substr(std::min(path.find_first_not_of('/'), path.size())); }

bool skip(const std::string& name) {
  return name.size() >= 15 && name.compare(name.size() - 15, 15, "signatures.json") == 0;
}

}  // namespace

std::optional<std::vector<FileHash>> hash_bundle_files(const std::string& path, std::string& error) {
  std::vector<FileHash> out;
  auto add = [&](const std::string& name, const std::string& bytes) {
    if (skip(name)) return true;
    auto h = hash_file({signed_name(name), bytes}, error);
    if (!h) return false;
    out.push_back(std::move(*h));
    return true;
  };
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> paths;
    regular_files_below(path, paths);
    const fs::path root = fs::path(path).lexically_normal();
    for (const auto& p : paths) {
      auto bytes = read_file(p.string(), error);
      if (!bytes) return std::nullopt;
      std::string name = (root / p.lexically_relative(path)).lexically_normal().generic_string();
      if (!add(name, *bytes)) return std::nullopt;
    }
    return out;
  }
  auto archive = read_tar_gz(path, uint64_t{1} << 30);
  if (!archive.ok()) {
    error = "bundle read failed: " + archive.error;
    return std::nullopt;
  }
  for (const auto& e : archive.entries)
    if (!add(e.name, e.bytes)) return std::nullopt;
  return out;
}

}  // namespace trex::load
