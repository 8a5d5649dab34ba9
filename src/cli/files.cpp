// Loading policies and data from files and directories (see files.h).
#include "cli/files.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/yaml_value.h"
#include "rego/json.h"

namespace trex::cli {
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

std::optional<rego::Value> parse_document(const std::string& text, std::string& error) {
  auto parsed = rego::json::parse(text);
  if (parsed.ok) return parsed.value;
  try {
    return trex::yaml::parse(text);
  } catch (const trex::yaml::YamlError& e) {
    // Not YAML either: report it as the JSON error when the text looks like JSON, else the YAML one.
    auto first = text.find_first_not_of(" \t\r\n");
    bool looks_json = first != std::string::npos && (text[first] == '{' || text[first] == '[');
    error = looks_json ? parsed.error : e.what();
    return std::nullopt;
  }
}

namespace {

enum class FileKind { Rego, Data, Other };

FileKind kind_of(const fs::path& p) {
  auto ext = p.extension().string();
  if (ext == ".rego") return FileKind::Rego;
  if (ext == ".json" || ext == ".yaml" || ext == ".yml") return FileKind::Data;
  return FileKind::Other;
}

rego::Error loader_error(std::string message) {
  rego::Error e;
  e.message = std::move(message);
  return e;
}

// Deep merge of b into a. nullopt on a conflict (two different non-objects at one path).
std::optional<rego::Value> merge(const rego::Value& a, const rego::Value& b) {
  if (!a.is_object() || !b.is_object()) return std::nullopt;
  std::vector<rego::ObjectEntry> out = a.as_object();
  for (const auto& [k, v] : b.as_object()) {
    auto it = std::find_if(out.begin(), out.end(), [&](const rego::ObjectEntry& e) { return e.first == k; });
    if (it == out.end()) {
      out.emplace_back(k, v);
      continue;
    }
    auto merged = merge(it->second, v);
    if (!merged) return std::nullopt;
    it->second = std::move(*merged);
  }
  return rego::Value::object(std::move(out));
}

// doc nested under path: {"a": {"b": doc}}.
rego::Value nest(const std::vector<std::string>& path, rego::Value doc) {
  for (auto it = path.rbegin(); it != path.rend(); ++it)
    doc = rego::Value::object({{rego::Value::string(*it), std::move(doc)}});
  return doc;
}

class Loader {
 public:
  explicit Loader(bool rego_only) : rego_only_(rego_only) {}

  void load(const std::string& path, const std::vector<std::string>& prefix, bool top) {
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      out_.errors.push_back(loader_error("stat " + path + ": no such file or directory"));
      return;
    }
    if (fs::is_directory(status)) {
      std::vector<fs::path> entries;
      for (const auto& entry : fs::directory_iterator(path, ec)) entries.push_back(entry.path());
      std::sort(entries.begin(), entries.end());  // deterministic module order and merge errors
      for (const auto& entry : entries) {
        std::vector<std::string> sub = prefix;
        if (fs::is_directory(entry, ec)) sub.push_back(entry.filename().string());
        load(entry.string(), sub, false);
      }
      return;
    }
    switch (kind_of(path)) {
      case FileKind::Rego: load_rego(path); break;
      case FileKind::Data:
        if (!rego_only_) load_data(path, prefix);
        break;
      case FileKind::Other:
        if (top && !rego_only_) out_.errors.push_back(loader_error(path + ": unrecognized file extension"));
        break;
    }
  }

  Loaded take() { return std::move(out_); }

 private:
  void load_rego(const std::string& path) {
    std::string error;
    auto text = read_file(path, error);
    if (!text) {
      out_.errors.push_back(loader_error(error));
      return;
    }
    out_.modules.push_back({path, std::move(*text)});
  }

  void load_data(const std::string& path, const std::vector<std::string>& prefix) {
    std::string error;
    auto text = read_file(path, error);
    if (!text) {
      out_.errors.push_back(loader_error(error));
      return;
    }
    std::optional<rego::Value> doc;
    if (fs::path(path).extension() == ".json") {
      auto parsed = rego::json::parse_packed(std::move(*text));
      if (parsed.ok) doc = std::move(parsed.value);
      else error = parsed.error;
    } else {
      try {
        doc = trex::yaml::parse(*text);
      } catch (const trex::yaml::YamlError& e) {
        error = e.what();
      }
    }
    if (!doc) {
      out_.errors.push_back(loader_error(path + ": " + error));
      return;
    }
    if (prefix.empty() && !doc->is_object()) {
      out_.errors.push_back(loader_error(path + ": data at the root must be an object, got " + doc->type_name()));
      return;
    }
    auto merged = merge(out_.data, nest(prefix, std::move(*doc)));
    if (!merged) {
      out_.errors.push_back(loader_error(path + ": merge error"));
      return;
    }
    out_.data = std::move(*merged);
  }

  bool rego_only_;
  Loaded out_;
};

// "a.b:path/to/file" -> ({"a","b"}, "path/to/file"), as OPA's loader.SplitPrefix. A path that exists as
// written is never split, and neither is a URL-like "x://".
std::pair<std::vector<std::string>, std::string> split_prefix(const std::string& arg) {
  std::error_code ec;
  auto colon = arg.find(':');
  if (colon == std::string::npos || colon == 0 || fs::exists(arg, ec) || arg.compare(colon, 3, "://") == 0)
    return {{}, arg};
  std::vector<std::string> parts;
  std::string head = arg.substr(0, colon);
  size_t start = 0;
  while (true) {
    auto dot = head.find('.', start);
    parts.push_back(head.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return {parts, arg.substr(colon + 1)};
}

}  // namespace

Loaded load_paths(const std::vector<std::string>& paths, bool rego_only) {
  Loader loader(rego_only);
  for (const auto& arg : paths) {
    std::string path = arg;
    if (path.rfind("file://", 0) == 0) path = path.substr(7);
    auto [prefix, file] = split_prefix(path);
    loader.load(file, prefix, true);
  }
  return loader.take();
}

}  // namespace trex::cli
