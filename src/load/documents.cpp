// Reading files and documents, merging data (see documents.h).
#include "load/documents.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "load/yaml_value.h"
#include "rego/json.h"

namespace trex::load {
namespace fs = std::filesystem;

std::optional<std::string> read_file(const std::string& path, std::string& error) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    error = "read " + path + ": is a directory";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "open " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  // Straight into one buffer of the file's size (a stringstream would hold the text twice at its peak).
  std::string text;
  auto size = fs::file_size(path, ec);
  if (!ec && size > 0) {
    text.resize(static_cast<size_t>(size));
    in.read(text.data(), static_cast<std::streamsize>(size));
    text.resize(static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) {
    error = "read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  // Whatever the size said (special files, a file that grew), read on to the end.
  in.clear();
  text.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    error = "read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  return text;
}

std::string read_stdin() {
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

void regular_files_below(const std::filesystem::path& dir, std::vector<std::filesystem::path>& files) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(dir, ec)) entries.push_back(e.path());
  std::sort(entries.begin(), entries.end());
  for (const auto& p : entries) {
    auto st = fs::symlink_status(p, ec);
    if (fs::is_directory(st)) regular_files_below(p, files);
    else if (fs::is_regular_file(st)) files.push_back(p);
  }
}

std::optional<rego::Value> parse_document(const std::string& text, std::string& error) {
  auto parsed = rego::json::parse(text);
  if (parsed.ok) return parsed.value;
  try {
    return yaml::parse(text);
  } catch (const yaml::YamlError& e) {
    // Not YAML either: report it as the JSON error when the text looks like JSON, else the YAML one.
    auto first = text.find_first_not_of(" \t\r\n");
    bool looks_json = first != std::string::npos && (text[first] == '{' || text[first] == '[');
    error = looks_json ? parsed.error : e.what();
    return std::nullopt;
  }
}

std::optional<rego::Value> parse_data_file(const std::string& name, std::string text, std::string& error) {
  if (fs::path(name).extension() == ".json") {
    // Big data documents are held packed (json.h: parse_packed): compact, and read without keeping the whole
    // text alongside the values. Small ones are plain Values, whose lookups cost less (bench/load's 12 KB
    // document: 6% fewer instructions per evaluation of its policy), at a size where compactness is moot.
    if (text.size() < kPackedDocumentBytes) {
      auto parsed = rego::json::parse(text);
      if (parsed.ok) return std::move(parsed.value);
      error = parsed.error;
      return std::nullopt;
    }
    auto parsed = rego::json::parse_packed(std::move(text));
    if (parsed.ok) return std::move(parsed.value);
    error = parsed.error;
    return std::nullopt;
  }
  try {
    return yaml::parse(text);
  } catch (const yaml::YamlError& e) {
    error = e.what();
    return std::nullopt;
  }
}

std::optional<rego::Value> merge_documents(const rego::Value& a, const rego::Value& b) {
  if (!a.is_object() || !b.is_object()) return std::nullopt;
  std::vector<rego::ObjectEntry> out = a.as_object();
  for (const auto& entry : b.as_object()) {
    const rego::Value& k = entry.first;  // not a structured binding: clang 14 cannot capture those in a lambda
    const rego::Value& v = entry.second;
    auto it = std::find_if(out.begin(), out.end(), [&](const rego::ObjectEntry& e) { return e.first == k; });
    if (it == out.end()) {
      out.emplace_back(k, v);
      continue;
    }
    auto merged = merge_documents(it->second, v);
    if (!merged) return std::nullopt;
    it->second = std::move(*merged);
  }
  return rego::Value::object(std::move(out));
}

rego::Value nest(const std::vector<std::string>& path, rego::Value doc) {
  for (auto it = path.rbegin(); it != path.rend(); ++it)
    doc = rego::Value::object({{rego::Value::string(*it), std::move(doc)}});
  return doc;
}

rego::Error loader_error(std::string message) {
  rego::Error e;
  e.message = std::move(message);
  return e;
}

}  // namespace trex::load
