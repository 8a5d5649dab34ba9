// Writing a gzipped tar archive (libarchive): what `trex build` emits as an OPA bundle.
//
// Entries are regular files (mode 0644) written in the order given, names exactly as given (OPA's bundles
// use a leading "/": "/data.json", "/.manifest"). Nothing here throws.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace trex::load {

using ArchiveFiles = std::vector<std::pair<std::string, std::string>>;  // entry name, bytes

// The .tar.gz bytes, or "" and `error` set.
std::string write_tar_gz(const ArchiveFiles& files, std::string& error);

}  // namespace trex::load
