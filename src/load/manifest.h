// A bundle's .manifest: decoding it as OPA does (unknown fields ignored, wrong types are errors in Go's
// encoding/json wording) and filling in its defaults.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rego/value.h"

namespace trex::load {

struct Manifest {
  std::string revision;
  std::vector<std::string> roots{""};  // trimmed of '/'; {""} when the manifest names none
  std::optional<int64_t> rego_version;
  rego::Value file_rego_versions;       // object, or null when absent
  rego::Value metadata;                 // object, or null when absent
  // The manifest as OPA's json.Marshal(Manifest) writes it (after defaults): what /v1/status reports.
  rego::Value to_value() const;
};

// Decodes .manifest text. nullopt and `error` set (e.g. "json: cannot unmarshal number into Go struct field
// Manifest.revision of type string") on bad JSON or a field of the wrong type.
std::optional<Manifest> parse_manifest(const std::string& text, std::string& error);

}  // namespace trex::load
