// The byte stream OPA hashes for a bundle's structured files (data.json, data.yaml, .manifest), so a
// signature does not depend on whitespace or key order (OPA's bundle/hash.go walk):
//   object: "{" key ":" value ("," key ":" value)* "}" with keys sorted bytewise;
//   array:  "[" value ("," value)* "]";
//   scalar: as Go's json.Encoder writes it without HTML escaping; numbers keep the text they were written
//           with (OPA decodes with UseNumber).
// Used by bundle signing and verification only. Nothing here throws.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "rego/value.h"

namespace trex::load {

// The canonical form of JSON text; nullopt and `error` set (Go's encoding/json wording) when it is not JSON.
std::optional<std::string> canonical_json(std::string_view text, std::string& error);

// The canonical form of a value already parsed (YAML documents; numbers in trex's JSON format).
std::string canonical_value(const rego::Value& v);

}  // namespace trex::load
