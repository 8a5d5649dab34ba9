// Path reads and copy-on-write updates of document trees (storage_path.h), after OPA's storage/inmem.
#include "server/storage_path.h"

#include <charconv>

#include "server/http_message.h"

namespace trex::server {
namespace {

using rego::Value;

StorageError not_found(const StoragePath& path, size_t upto, const char* hint = "document does not exist") {
  StoragePath prefix(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(upto));
  return {StorageErrorKind::NotFound, "storage_not_found_error: " + path_string(prefix) + ": " + hint};
}

// A path segment as an array index: digits only, in range [0, limit). "-" is not an index here.
std::optional<size_t> array_index(const std::string& seg, size_t limit) {
  if (seg.empty() || seg.size() > 18) return std::nullopt;
  size_t idx = 0;
  auto [p, ec] = std::from_chars(seg.data(), seg.data() + seg.size(), idx);
  if (ec != std::errc() || p != seg.data() + seg.size() || idx >= limit) return std::nullopt;
  return idx;
}

// Replaces the child at `seg` of an object or array (which must exist) with `child`.
Value with_child(const Value& parent, const std::string& seg, const Value& child) {
  if (parent.is_object()) {
    std::vector<rego::ObjectEntry> entries = parent.as_object();
    Value key = Value::string(seg);
    for (auto& e : entries)
      if (e.first == key) {
        e.second = child;
        return Value::object_sorted(std::move(entries));
      }
    entries.emplace_back(std::move(key), child);
    return Value::object(std::move(entries));
  }
  std::vector<Value> items = parent.as_array();
  items[*array_index(seg, items.size())] = child;
  return Value::array(std::move(items));
}

// Applies op at the last segment of path, given the parent document.
std::optional<Value> apply_leaf(const Value& parent, PatchOp op, const StoragePath& path, const Value& value,
                                StorageError& error) {
  const std::string& seg = path.back();
  size_t depth = path.size() - 1;
  if (parent.is_object()) {
    Value key = Value::string(seg);
    const Value* existing = parent.get(key);
    if (op != PatchOp::Add && !existing) {
      error = not_found(path, path.size());
      return std::nullopt;
    }
    std::vector<rego::ObjectEntry> entries;
    entries.reserve(parent.size() + 1);
    for (const auto& e : parent.as_object()) {
      if (e.first == key) {
        if (op != PatchOp::Remove) entries.emplace_back(e.first, value);
      } else {
        entries.push_back(e);
      }
    }
    if (!existing) entries.emplace_back(key, value);
    return existing ? Value::object_sorted(std::move(entries)) : Value::object(std::move(entries));
  }
  if (parent.is_array()) {
    std::vector<Value> items = parent.as_array();
    if (op == PatchOp::Add && seg == "-") {
      items.push_back(value);
      return Value::array(std::move(items));
    }
    auto idx = array_index(seg, op == PatchOp::Add ? items.size() + 1 : items.size());
    if (!idx) {
      bool numeric = !seg.empty() && seg.find_first_not_of("0123456789") == std::string::npos;
      error = numeric ? not_found(path, path.size(), "array index out of range")
                      : StorageError{StorageErrorKind::NotFound,
                                     "storage_not_found_error: " + path_string(path) + ": array index must be integer"};
      return std::nullopt;
    }
    auto pos = items.begin() + static_cast<std::ptrdiff_t>(*idx);
    if (op == PatchOp::Add) items.insert(pos, value);
    else if (op == PatchOp::Replace) *pos = value;
    else items.erase(pos);
    return Value::array(std::move(items));
  }
  error = not_found(path, depth + 1);
  return std::nullopt;
}

std::optional<Value> write_at(const Value& node, PatchOp op, const StoragePath& path, size_t i, const Value& value,
                              StorageError& error) {
  if (i + 1 == path.size()) return apply_leaf(node, op, path, value, error);
  const Value* child = nullptr;
  if (node.is_object()) {
    child = node.get(path[i]);
  } else if (node.is_array()) {
    if (auto idx = array_index(path[i], node.size())) child = &node.as_array()[*idx];
  }
  if (!child) {
    error = not_found(path, i + 1);
    return std::nullopt;
  }
  auto updated = write_at(*child, op, path, i + 1, value, error);
  if (!updated) return std::nullopt;
  return with_child(node, path[i], *updated);
}

}  // namespace

std::string path_string(const StoragePath& path) {
  if (path.empty()) return "/";
  std::string out;
  for (const auto& p : path) out += "/" + p;
  return out;
}

bool parse_storage_path(std::string_view text, StoragePath& out) {
  out.clear();
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t slash = text.find('/', pos);
    std::string_view seg = text.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (!seg.empty()) {
      std::string decoded;
      if (!percent_decode(seg, decoded, false)) return false;
      out.push_back(std::move(decoded));
    }
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return true;
}

std::optional<Value> storage_read(const Value& root, const StoragePath& path, StorageError& error) {
  const Value* node = &root;
  for (size_t i = 0; i < path.size(); ++i) {
    const Value* next = nullptr;
    if (node->is_object()) {
      next = node->get(path[i]);
    } else if (node->is_array()) {
      if (auto idx = array_index(path[i], node->size())) next = &node->as_array()[*idx];
    }
    if (!next) {
      error = not_found(path, i + 1);
      return std::nullopt;
    }
    node = next;
  }
  return *node;
}

std::optional<Value> storage_write(const Value& root, PatchOp op, const StoragePath& path, const Value& value,
                                   StorageError& error) {
  if (path.empty()) {
    if (op == PatchOp::Remove || !value.is_object()) {
      error = {StorageErrorKind::InvalidPatch, "storage_invalid_patch_error: root must be object"};
      return std::nullopt;
    }
    return value;
  }
  return write_at(root, op, path, 0, value, error);
}

std::optional<Value> storage_make_dir(const Value& root, const StoragePath& path, StorageError& error) {
  Value current = root;
  for (size_t i = 0; i < path.size(); ++i) {
    StoragePath prefix(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(i + 1));
    StorageError ignored;
    auto existing = storage_read(current, prefix, ignored);
    if (existing) {
      if (!existing->is_object()) {
        error = {StorageErrorKind::WriteConflict,
                 "storage_write_conflict_error: " + path_string(prefix) + ": path refers to non-object document"};
        return std::nullopt;
      }
      continue;
    }
    auto next = storage_write(current, PatchOp::Add, prefix, Value::empty_object(), error);
    if (!next) return std::nullopt;
    current = std::move(*next);
  }
  return current;
}

bool storage_non_empty(const Value& root, const StoragePath& path) {
  if (path.empty()) return true;
  StorageError ignored;
  if (storage_read(root, path, ignored)) return true;
  for (size_t i = path.size() - 1; i > 0; --i) {
    StoragePath prefix(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(i));
    if (auto v = storage_read(root, prefix, ignored)) return !v->is_object();
  }
  return false;
}

}  // namespace trex::server
