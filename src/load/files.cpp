// Loading policies and data from files and directories (see files.h).
#include "load/files.h"

#include <algorithm>
#include <filesystem>

#include "load/bundle.h"
#include "load/documents.h"
#include "load/roots.h"
#include "tre/tre_codegen.h"

namespace trex::load {
namespace fs = std::filesystem;

namespace {

enum class FileKind { Rego, Tre, Data, Bundle, Other };

FileKind kind_of(const fs::path& p) {
  auto ext = p.extension().string();
  if (ext == ".rego") return FileKind::Rego;
  if (ext == ".tre") return FileKind::Tre;
  if (ext == ".json" || ext == ".yaml" || ext == ".yml") return FileKind::Data;
  if (p.filename().string().size() > 7 && p.string().compare(p.string().size() - 7, 7, ".tar.gz") == 0)
    return FileKind::Bundle;
  return FileKind::Other;
}

class Loader {
 public:
  explicit Loader(const LoadOptions& opts) : opts_(opts) {}

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
      case FileKind::Tre: load_tre(path); break;
      case FileKind::Data:
        if (!opts_.rego_only) load_data(path, prefix);
        break;
      case FileKind::Bundle:
        if (!opts_.rego_only) load_tarball(path, prefix);
        break;
      case FileKind::Other:
        if (top && !opts_.rego_only) out_.errors.push_back(loader_error(path + ": unrecognized file extension"));
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

  // A .tre rule file (src/tre) loads as the Rego module it compiles to, named by the .tre path, so that
  // evaluation, `check` and error messages point at the .tre file (the generated module is line-aligned).
  void load_tre(const std::string& path) {
    std::string error;
    auto text = read_file(path, error);
    if (!text) {
      out_.errors.push_back(loader_error(error));
      return;
    }
    auto compiled = tre::compile(path, *text);
    if (!compiled.errors.empty()) {
      for (auto& e : compiled.errors) out_.errors.push_back(std::move(e));
      return;
    }
    out_.modules.push_back({path, std::move(compiled.rego)});
  }

  void load_data(const std::string& path, const std::vector<std::string>& prefix) {
    std::string error;
    auto text = read_file(path, error);
    if (!text) {
      out_.errors.push_back(loader_error(error));
      return;
    }
    auto doc = parse_data_file(path, std::move(*text), error);
    if (!doc) {
      out_.errors.push_back(loader_error(path + ": " + error));
      return;
    }
    if (prefix.empty() && !doc->is_object()) {
      out_.errors.push_back(loader_error(path + ": data at the root must be an object, got " + doc->type_name()));
      return;
    }
    auto merged = merge_documents(out_.data, nest(prefix, std::move(*doc)));
    if (!merged) {
      out_.errors.push_back(loader_error(path + ": merge error"));
      return;
    }
    out_.data = std::move(*merged);
  }

  // A tarball met in plain mode: OPA's loader reads it as a bundle, puts the manifest in its data at
  // system.bundle.manifest and merges the whole under the path's prefix, without naming a bundle.
  void load_tarball(const std::string& path, const std::vector<std::string>& prefix) {
    Loaded b = load_bundle_file(path, opts_);
    if (!b.bundles.empty()) {
      auto with_manifest = merge_documents(b.data, nest({"system", "bundle", "manifest"}, b.bundles[0].manifest));
      if (with_manifest) b.data = std::move(*with_manifest);
      b.bundles.clear();
    }
    b.data = nest(prefix, std::move(b.data));
    merge_loaded(out_, std::move(b), path);
  }

  const LoadOptions& opts_;
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

// Bundle mode: each path once, in the order given; `data` as OPA's store holds it once they are activated. The roots of all of them must be disjoint, which is
// checked before their data is merged (overlapping bundles would otherwise show up as merge errors).
Loaded load_bundles(const std::vector<std::string>& paths, const LoadOptions& opts) {
  Loaded out;
  std::vector<std::string> seen;
  std::vector<Loaded> bundles;
  std::vector<Bundle> infos;
  for (const auto& arg : paths) {
    std::string path = arg.rfind("file://", 0) == 0 ? arg.substr(7) : arg;
    if (std::find(seen.begin(), seen.end(), path) != seen.end()) continue;
    seen.push_back(path);
    bundles.push_back(load_bundle(path, opts));
    for (auto& e : bundles.back().errors) {
      e.message = opts.bundle_read_error_prefix + e.message;
      out.errors.push_back(std::move(e));
    }
    for (const auto& b : bundles.back().bundles) infos.push_back(b);
  }
  if (!out.errors.empty()) return out;
  if (auto overlap = check_roots_overlap(infos)) {
    out.errors.push_back(loader_error(*overlap));
    return out;
  }
  for (size_t i = 0; i < bundles.size(); ++i) merge_loaded(out, std::move(bundles[i]), seen[i]);
  // Activating a bundle also records it in OPA's store, where policies can read it:
  // data.system.bundles[name] = {"etag": "", "manifest": ...} (no etag for a bundle read from disk).
  std::vector<rego::ObjectEntry> recorded;
  for (const auto& b : infos)
    recorded.emplace_back(rego::Value::string(b.name),
                          rego::Value::object({{rego::Value::string("etag"), rego::Value::string("")},
                                               {rego::Value::string("manifest"), b.manifest}}));
  merge_loaded(out, Loaded{{}, nest({"system", "bundles"}, rego::Value::object(std::move(recorded))), {}, {}},
               "system.bundles");
  return out;
}

}  // namespace

Loaded load_paths(const std::vector<std::string>& paths, const LoadOptions& opts) {
  if (opts.as_bundles) return load_bundles(paths, opts);
  Loader loader(opts);
  for (const auto& arg : paths) {
    std::string path = arg;
    if (path.rfind("file://", 0) == 0) path = path.substr(7);
    auto [prefix, file] = split_prefix(path);
    loader.load(file, prefix, true);
  }
  return loader.take();
}

void merge_loaded(Loaded& into, Loaded from, const std::string& what) {
  for (auto& m : from.modules) into.modules.push_back(std::move(m));
  for (auto& b : from.bundles) into.bundles.push_back(std::move(b));
  for (auto& e : from.errors) into.errors.push_back(std::move(e));
  if (auto merged = merge_documents(into.data, from.data)) into.data = std::move(*merged);
  else into.errors.push_back(loader_error(what + ": merge error"));
}

}  // namespace trex::load
