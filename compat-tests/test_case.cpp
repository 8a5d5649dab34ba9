// Loading OPA compliance cases from YAML (see test_case.h).
#include "test_case.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>

#include "load/yaml_value.h"

namespace compat {
namespace fs = std::filesystem;

namespace {

std::string relative_path(const std::string& root, const std::string& file) {
  std::error_code ec;
  fs::path rel = fs::relative(fs::path(file), fs::path(root), ec);
  if (ec || rel.empty() || *rel.begin() == "..") return fs::path(file).filename().string();
  return rel.generic_string();
}

std::string category_of(const std::string& root, const std::string& rel) {
  auto slash = rel.find('/');
  if (slash != std::string::npos) return rel.substr(0, slash);
  // A file directly under the root: the root folder's name.
  fs::path dir = fs::absolute(fs::path(root)).lexically_normal();
  std::string name = dir.filename().string();
  if (name.empty()) name = dir.parent_path().filename().string();  // "dir/" has an empty filename
  return name.empty() ? "." : name;
}

bool has_v0_component(const std::string& file) {
  for (const auto& part : fs::absolute(fs::path(file)).lexically_normal())
    if (part == "v0") return true;
  return false;
}

bool truthy(const YAML::Node& n) {
  if (!n || n.IsNull()) return false;
  rego::Value v = trex::load::yaml::to_value(n);
  return v.is_boolean() ? v.as_bool() : !v.is_null();
}

std::string text_of(const YAML::Node& n) {
  // Strings as written; anything else (a number in a want_error, say) as its scalar text.
  if (n.IsScalar()) return n.Scalar();
  return YAML::Dump(n);
}

// A field's text, absent when the key is missing or null (`want_error:` with no value is not "").
std::optional<std::string> opt_text(const YAML::Node& n) {
  if (!n || n.IsNull()) return std::nullopt;
  return text_of(n);
}

void fill(TestCase& tc, const YAML::Node& entry) {
  tc.note = opt_text(entry["note"]).value_or("");
  tc.query = opt_text(entry["query"]).value_or("");
  if (const auto& mods = entry["modules"]; mods && mods.IsSequence())
    for (const auto& m : mods) tc.modules.push_back(text_of(m));
  if (entry["data"] && !entry["data"].IsNull()) {
    tc.data = trex::load::yaml::to_value(entry["data"]);
    if (!tc.data->is_object()) throw trex::load::yaml::YamlError("data must be a map");
  }
  // `input: null` is no input at all, as OPA's loader reads it into a nil pointer.
  if (entry["input"] && !entry["input"].IsNull()) tc.input = trex::load::yaml::to_value(entry["input"]);
  tc.input_term = opt_text(entry["input_term"]);
  if (const auto& want = entry["want_result"]; want && !want.IsNull()) {
    std::vector<rego::Value> rows;
    if (want.IsSequence()) {
      for (const auto& row : want) rows.push_back(trex::load::yaml::to_value(row));
    } else {
      throw trex::load::yaml::YamlError("want_result must be a list of binding maps");
    }
    tc.want_result = std::move(rows);
  }
  tc.want_error = opt_text(entry["want_error"]);
  tc.want_error_code = opt_text(entry["want_error_code"]);
  tc.strict_error = truthy(entry["strict_error"]);
  tc.sort_bindings = truthy(entry["sort_bindings"]);
  tc.ignore_generated_vars = truthy(entry["ignore_generated_vars"]);
  if (const auto& skip = entry["skip"]; skip && !skip.IsNull()) {
    rego::Value v = trex::load::yaml::to_value(skip);
    if (v.is_string()) tc.skip = v.as_string();
    else if (v.is_boolean() && v.as_bool()) tc.skip = "skip: true";
  }
}

}  // namespace

std::vector<TestCase> load_cases(const std::string& root, const std::string& file) {
  std::vector<TestCase> out;
  const std::string rel = relative_path(root, file);
  // v0 cases carry a "v0/" prefix (unless their path has it already) so that a v0 copy of a v1 case, as
  // OPA's repository has for most of them, never shares the v1 case's id.
  const bool v0 = has_v0_component(file);
  const std::string prefix = v0 && rel.rfind("v0/", 0) != 0 ? "v0/" : "";
  TestCase base;
  base.file = file;
  base.category = category_of(root, rel);
  base.v0 = v0;

  YAML::Node doc;
  try {
    doc = YAML::LoadFile(file);
  } catch (const std::exception& e) {
    TestCase tc = base;
    tc.note = "(file)";
    tc.id = prefix + rel + "::(file)";
    tc.load_error = std::string("cannot read cases: ") + e.what();
    out.push_back(std::move(tc));
    return out;
  }
  YAML::Node cases = doc["cases"];
  if (!cases || !cases.IsSequence()) return out;  // not a case file (e.g. a stray YAML file): nothing to run

  // Notes repeat inside a few of OPA's files; the second "x" becomes "x #2" so ids stay unique.
  std::map<std::string, int> seen;
  size_t index = 0;
  for (const auto& entry : cases) {
    TestCase tc = base;
    try {
      fill(tc, entry);
    } catch (const std::exception& e) {
      tc.load_error = std::string("cannot read case: ") + e.what();
    }
    if (tc.note.empty()) tc.note = "#" + std::to_string(index);
    int n = ++seen[tc.note];
    std::string note_id = tc.note;
    for (char& c : note_id)
      if (c == '\n' || c == '\r') c = ' ';  // ids are one line each in expected-pass.txt
    tc.id = prefix + rel + "::" + note_id + (n > 1 ? " #" + std::to_string(n) : "");
    out.push_back(std::move(tc));
    ++index;
  }
  return out;
}

}  // namespace compat
