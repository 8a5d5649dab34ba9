// Loading policies and data from the file system, as OPA's loader does for `opa eval -d/-b` and `opa check`.
//
// Plain mode (`-d`):
//   - a .rego file becomes a module named by its path as given;
//   - a .json / .yaml / .yml file is a data document: given directly it merges at the root of `data`; found
//     while walking a directory it merges under the directory's path relative to that directory
//     (root/a/b/x.json -> data.a.b);
//   - a .tar.gz file is read as a bundle whose modules and data join the rest (its manifest lands at
//     data.system.bundle.manifest), as OPA's loader does; it is not a named bundle;
//   - "a.b:path" loads path under data.a.b;
//   - other files found in a directory walk are ignored; given directly they are an error.
// Documents merge deeply; two different non-object values at one path are a merge error.
//
// Bundle mode (LoadOptions::as_bundles, `-b`): every path is a bundle (bundle.h); the same path twice is read
// once; bundles whose roots overlap are an error (OPA's). As OPA's activation does, each bundle is recorded
// at data.system.bundles[<name>] = {"etag": "", "manifest": ...}.
#pragma once

#include <string>
#include <vector>

#include "load/loaded.h"

namespace trex::load {

Loaded load_paths(const std::vector<std::string>& paths, const LoadOptions& opts = {});

// Adds `from` to `into`: modules and bundles appended, data merged (a conflict is an error naming `what`),
// errors appended.
void merge_loaded(Loaded& into, Loaded from, const std::string& what);

}  // namespace trex::load
