// Reading and writing inside a JSON document tree by path, with the semantics and error texts of OPA's
// in-memory store (storage/inmem): add / remove / replace, arrays indexed by position or "-" (append).
// Values are immutable, so a write returns a new root that shares every untouched subtree with the old one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rego/value.h"

namespace trex::server {

using StoragePath = std::vector<std::string>;

enum class PatchOp { Add, Remove, Replace };

enum class StorageErrorKind {
  NotFound,       // storage_not_found_error: 404 resource_not_found
  InvalidPatch,   // storage_invalid_patch_error: 400 invalid_parameter
  WriteConflict,  // storage_write_conflict_error: OPA answers 404 resource_conflict
};

struct StorageError {
  StorageErrorKind kind;
  std::string message;  // "storage_not_found_error: /a/b: document does not exist"
};

// "/a/b" for messages ("/" for the root).
std::string path_string(const StoragePath& path);

// Splits "/a/b%2Fc/0" (or "a/b") into decoded segments; false on a malformed escape.
bool parse_storage_path(std::string_view text, StoragePath& out);

// The document at path, or nullopt (error set) when it does not exist.
std::optional<rego::Value> storage_read(const rego::Value& root, const StoragePath& path, StorageError& error);

// Applies one operation; nullopt (error set) when it cannot be applied.
std::optional<rego::Value> storage_write(const rego::Value& root, PatchOp op, const StoragePath& path,
                                         const rego::Value& value, StorageError& error);

// OPA's storage.MakeDir: creates empty objects along path where nothing exists yet; a non-object on the
// way is a write conflict.
std::optional<rego::Value> storage_make_dir(const rego::Value& root, const StoragePath& path, StorageError& error);

// OPA's storage.NonEmpty, used by the rule/data conflict check: the exact path exists, or a prefix of it
// holds something other than an object.
bool storage_non_empty(const rego::Value& root, const StoragePath& path);

}  // namespace trex::server
