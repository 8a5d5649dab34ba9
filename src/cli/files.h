// Loading policies and data from the file system, as OPA's loader does for `opa eval -d` and `opa check`.
//
//   - a .rego file becomes a module named by its path as given;
//   - a .json / .yaml / .yml file is a data document: given directly it merges at the root of `data`; found
//     while walking a directory it merges under the directory's path relative to that directory
//     (root/a/b/x.json -> data.a.b);
//   - "a.b:path" loads path under data.a.b;
//   - other files found in a directory walk are ignored; given directly they are an error.
// Documents merge deeply; two different non-object values at one path are a merge error.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rego/engine.h"
#include "rego/error.h"
#include "rego/value.h"

namespace trex::cli {

struct Loaded {
  std::vector<rego::ModuleText> modules;
  rego::Value data = rego::Value::empty_object();
  rego::Errors errors;  // files that could not be read or parsed, merge conflicts
};

// Loads every path. With rego_only, data files are skipped (trex check).
Loaded load_paths(const std::vector<std::string>& paths, bool rego_only = false);

// Reads a whole file. nullopt (and `error` set, in OPA's wording) when it cannot be read.
std::optional<std::string> read_file(const std::string& path, std::string& error);

// Reads all of standard input.
std::string read_stdin();

// A JSON document, or YAML when the text is not valid JSON (as OPA's util.Unmarshal).
std::optional<rego::Value> parse_document(const std::string& text, std::string& error);

}  // namespace trex::cli
