// What the loader hands back: modules, the merged data document, the bundles it read, and errors.
//
// Shared by the CLI (`trex eval -d/-b`, `trex check`) and the server (bundles at start-up, /v1/status,
// /health?bundles, decision provenance). Plain values: nothing here reads files or knows HTTP.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "load/bundle_signing.h"
#include "rego/engine.h"
#include "rego/error.h"
#include "rego/value.h"

namespace trex::load {

struct LoadOptions {
  // Every path is a bundle (a .tar.gz file or a directory read in bundle mode), as OPA's `--bundle`/`-b`.
  bool as_bundles = false;
  // Only .rego files (trex check): data files are skipped.
  bool rego_only = false;
  // How modules are parsed for the manifest-roots check when a bundle's manifest names no rego_version.
  bool v0_compatible = false;
  // Upper bound on the bytes one bundle may expand to (all entries of a .tar.gz together, or each file of a
  // bundle directory): a gzip bomb stops here with an error instead of exhausting memory. OPA's default.
  uint64_t max_bundle_bytes = uint64_t{1} << 30;
  // Put in front of the errors of reading a bundle in bundle mode, not of the roots-overlap error (`opa eval`
  // says "loading error: " for the first, which its rego package raises, and nothing for the second).
  std::string bundle_read_error_prefix;
  // Signed bundles (bundle_signing.h). With a config, every bundle must carry a .signatures.json that verifies
  // with its key; without one, a signed bundle is refused when signed_bundles_need_key (OPA's "verification
  // key not provided": opa run and opa build) and read unchecked otherwise.
  std::optional<VerificationConfig> verification;
  bool signed_bundles_need_key = false;
};

// One bundle as read: what the server reports about it. Its modules and data are in the enclosing Loaded.
struct Bundle {
  std::string name;                // the path as given: OPA names command-line bundles by their path
  std::string revision;            // the manifest's revision, "" without one
  std::vector<std::string> roots;  // without leading/trailing '/'; {""} (everything) without a manifest
  std::optional<int> rego_version;  // the manifest's rego_version (0 or 1), when it names one
  // The manifest as OPA serializes it: {"revision", "roots"} plus "rego_version", "file_rego_versions" and
  // "metadata" when present.
  rego::Value manifest = rego::Value::empty_object();
  std::vector<std::string> module_files;  // filenames of this bundle's modules in Loaded::modules

  // The raw text of the bundle's .signatures.json. Verification (LoadOptions::verification) has already
  // happened when a Bundle exists: bundle.cpp checks the JWT and every file's hash before reading anything.
  std::optional<std::string> signatures_json;
};

struct Loaded {
  std::vector<rego::ModuleText> modules;
  rego::Value data = rego::Value::empty_object();
  std::vector<Bundle> bundles;  // in the order given; empty unless bundles were read
  rego::Errors errors;          // unreadable files, parse and merge errors, bundle errors (OPA's wording)
};

}  // namespace trex::load
