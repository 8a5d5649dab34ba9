// Reading files and JSON/YAML documents, and merging documents into the data tree, as OPA's loader does.
// Used by the plain-file loader (files.cpp), the bundle reader (bundle.cpp) and the CLI (input documents).
// Nothing here throws.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "rego/error.h"
#include "rego/value.h"

namespace trex::load {

// Reads a whole file. nullopt (and `error` set, in OPA's wording) when it cannot be read.
std::optional<std::string> read_file(const std::string& path, std::string& error);

// Reads all of standard input.
std::string read_stdin();

// Regular files below dir, depth first, each directory's entries in name order (as Go's filepath.Walk, which
// bundle hashing and OPA's directory bundles follow). Symlinks are skipped, as OPA does unless told otherwise.
void regular_files_below(const std::filesystem::path& dir, std::vector<std::filesystem::path>& files);

// A JSON document, or YAML when the text is not valid JSON (as OPA's util.Unmarshal).
std::optional<rego::Value> parse_document(const std::string& text, std::string& error);

// A data file's document: JSON when `name` ends in .json, else YAML.
std::optional<rego::Value> parse_data_file(const std::string& name, std::string text, std::string& error);
// JSON data files of this size and more are read packed (json.h: parse_packed), smaller ones as plain Values.
inline constexpr size_t kPackedDocumentBytes = 1 << 20;

// Deep merge of b into a. nullopt on a conflict (two different non-objects at one path).
std::optional<rego::Value> merge_documents(const rego::Value& a, const rego::Value& b);

// doc nested under path: {"a": {"b": doc}}.
rego::Value nest(const std::vector<std::string>& path, rego::Value doc);

// A loader error: OPA's loader errors carry neither code nor location.
rego::Error loader_error(std::string message);

}  // namespace trex::load
