// Error formatting and source quoting.
#include "rego/error.h"

#include <algorithm>

namespace rego {

std::string Location::text() const {
  // Locations may outlive edits or come from synthetic nodes: clamp rather than trust the range.
  if (!file) return std::string();
  const std::string& src = file->text;
  if (offset >= src.size()) return std::string();
  size_t len = std::min<size_t>(length, src.size() - offset);
  return src.substr(offset, len);
}

std::string Error::to_string() const {
  // OPA (ast.Error.Error): "policy.rego:3: rego_parse_error: unexpected ..."; without a file name the prefix is
  // "row:col" instead, and without a location there is no prefix at all.
  std::string out;
  if (location.known()) {
    std::string name = location.file_name();
    out += name.empty() ? std::to_string(location.row) + ":" + std::to_string(location.col)
                        : name + ":" + std::to_string(location.row);
    out += ": ";
  }
  if (!code.empty()) {
    out += code;
    out += ": ";
  }
  out += message;
  return out;
}

}  // namespace rego
