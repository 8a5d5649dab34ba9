// Capabilities files (capabilities.h).
#include "cli/capabilities.h"

#include "load/documents.h"

namespace trex::cli {

std::optional<Capabilities> read_capabilities(const std::string& path, std::string& error) {
  auto text = load::read_file(path, error);
  if (!text) return std::nullopt;
  auto doc = load::parse_document(*text, error);
  if (!doc) {
    error = "capabilities file " + path + ": " + error;
    return std::nullopt;
  }
  if (!doc->is_object()) {
    error = "capabilities file " + path + ": not an object";
    return std::nullopt;
  }
  Capabilities out;
  if (const rego::Value* allow = doc->get("allow_net"); allow && !allow->is_null()) {
    if (!allow->is_array()) {
      error = "capabilities file " + path + ": allow_net must be a list of host names";
      return std::nullopt;
    }
    out.allow_net.emplace();
    for (const auto& host : allow->as_array()) {
      if (!host.is_string()) {
        error = "capabilities file " + path + ": allow_net must be a list of host names";
        return std::nullopt;
      }
      out.allow_net->push_back(host.as_string());
    }
  }
  return out;
}

}  // namespace trex::cli
