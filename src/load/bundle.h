// Reading OPA bundles: a gzipped tarball, or a directory read in bundle mode (OPA's bundle format).
//
//   .manifest                        revision, roots (default [""] = all of data), metadata, rego_version
//   <dir>/data.json|data.yaml|.yml   data placed at <dir> (a/b/data.json -> data.a.b)
//   *.rego                           modules, named as OPA names them: the entry name for a tarball
//                                    ("/a/policy.rego"), the directory joined to it for a directory
//                                    ("bundle/a/policy.rego")
//   .signatures.json                 verified before anything else is read when LoadOptions::verification
//                                    is set (bundle_signing.h); kept as Bundle::signatures_json
//   anything else                    ignored (other .json files included, as in OPA)
//
// Then every data path and every module's package must lie under a root of the manifest. Errors are OPA's
// texts, prefixed "bundle <name>: " as OPA's loader does. Each function returns a Loaded holding exactly this
// bundle (its modules, its data, one entry in `bundles`), or errors. Nothing here throws.
#pragma once

#include <string>

#include "load/loaded.h"

namespace trex::load {

// A directory or a .tar.gz file, whichever `path` is.
Loaded load_bundle(const std::string& path, const LoadOptions& opts = {});
Loaded load_bundle_file(const std::string& path, const LoadOptions& opts = {});
Loaded load_bundle_dir(const std::string& path, const LoadOptions& opts = {});
// A .tar.gz already in memory (e.g. downloaded by the server), named `name`.
Loaded load_bundle_bytes(const std::string& name, const std::string& bytes, const LoadOptions& opts = {});

}  // namespace trex::load
