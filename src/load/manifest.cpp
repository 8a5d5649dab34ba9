// Decoding a bundle manifest (see manifest.h).
#include "load/manifest.h"

#include "rego/json.h"

namespace trex::load {
namespace {

// Go's name for a JSON value's type in "cannot unmarshal X into ..." errors.
std::string go_json_type(const rego::Value& v) {
  switch (v.kind()) {
    case rego::Kind::Null: return "null";
    case rego::Kind::Boolean: return "bool";
    case rego::Kind::Number: return "number";
    case rego::Kind::String: return "string";
    case rego::Kind::Array: return "array";
    default: return "object";
  }
}

std::string type_error(const rego::Value& v, const std::string& field, const std::string& go_type) {
  return "json: cannot unmarshal " + go_json_type(v) + " into Go struct field Manifest." + field + " of type " +
         go_type;
}

std::string trim_slashes(const std::string& s) {
  size_t b = s.find_first_not_of('/');
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of('/');
  return s.substr(b, e - b + 1);
}

}  // namespace

std::optional<Manifest> parse_manifest(const std::string& text, std::string& error) {
  auto parsed = rego::json::parse(text);
  if (!parsed.ok) {
    error = parsed.error;
    return std::nullopt;
  }
  const rego::Value& doc = parsed.value;
  Manifest m;
  if (doc.is_null()) return m;  // Go decodes `null` into a struct as "nothing set"
  if (!doc.is_object()) {
    error = "json: cannot unmarshal " + go_json_type(doc) + " into Go value of type bundle.Manifest";
    return std::nullopt;
  }
  // A JSON null leaves a Go field at its zero value, so null is accepted everywhere.
  if (const auto* v = doc.get("revision"); v && !v->is_null()) {
    if (!v->is_string()) return error = type_error(*v, "revision", "string"), std::nullopt;
    m.revision = v->as_string();
  }
  if (const auto* v = doc.get("roots"); v && !v->is_null()) {
    if (!v->is_array()) return error = type_error(*v, "roots", "[]string"), std::nullopt;
    m.roots.clear();
    for (const auto& r : v->as_array()) {
      if (!r.is_string()) return error = type_error(r, "roots", "string"), std::nullopt;
      m.roots.push_back(trim_slashes(r.as_string()));
    }
  }
  if (const auto* v = doc.get("rego_version"); v && !v->is_null()) {
    if (!v->is_int()) return error = type_error(*v, "rego_version", "int"), std::nullopt;
    m.rego_version = v->as_int();
  }
  if (const auto* v = doc.get("file_rego_versions"); v && !v->is_null()) {
    if (!v->is_object()) return error = type_error(*v, "file_rego_versions", "map[string]int"), std::nullopt;
    m.file_rego_versions = *v;
  }
  if (const auto* v = doc.get("metadata"); v && !v->is_null()) {
    if (!v->is_object()) return error = type_error(*v, "metadata", "map[string]interface {}"), std::nullopt;
    m.metadata = *v;
  }
  return m;
}

rego::Value Manifest::to_value() const {
  std::vector<rego::Value> root_values;
  for (const auto& r : roots) root_values.push_back(rego::Value::string(r));
  std::vector<rego::ObjectEntry> entries = {
      {rego::Value::string("revision"), rego::Value::string(revision)},
      {rego::Value::string("roots"), rego::Value::array(std::move(root_values))},
  };
  if (rego_version) entries.emplace_back(rego::Value::string("rego_version"), rego::Value::integer(*rego_version));
  if (file_rego_versions.is_object() && file_rego_versions.size() > 0)
    entries.emplace_back(rego::Value::string("file_rego_versions"), file_rego_versions);
  if (metadata.is_object() && metadata.size() > 0)
    entries.emplace_back(rego::Value::string("metadata"), metadata);
  return rego::Value::object(std::move(entries));
}

}  // namespace trex::load
