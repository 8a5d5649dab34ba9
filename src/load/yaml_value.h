// YAML documents to Rego values, read the way OPA reads YAML (data files, inputs, compliance cases).
//
// OPA converts YAML to JSON with sigs.k8s.io/yaml (go-yaml v2, YAML 1.1 rules) before reading it, so a plain
// (unquoted) scalar resolves as go-yaml v2 resolves it: `yes`/`no`/`on`/`off`/`y`/`n` are booleans, `~` and
// `null` are null, `0x1F`/`0o17`/`017` are integers, `1_000` is 1000, floats go through float64. Quoted and
// block scalars are always strings. Map keys become strings.
//
// Used by the loader (data files), the CLI (inputs) and the compliance runner (cases). Throws YamlError; never
// crashes on bad input (yaml-cpp throws, we translate).
#pragma once

#include <yaml-cpp/yaml.h>

#include <stdexcept>
#include <string>

#include "rego/value.h"

namespace trex::load::yaml {

struct YamlError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One YAML node (already parsed) to a value.
rego::Value to_value(const YAML::Node& node);

// Parses one YAML document. An empty document is null.
rego::Value parse(const std::string& text);

}  // namespace trex::load::yaml
