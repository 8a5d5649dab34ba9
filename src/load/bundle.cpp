// Reading OPA bundles (see bundle.h). The file-by-file rules follow OPA's bundle.Reader.Read; the checks
// after reading follow Manifest.validateAndInjectDefaults.
#include "load/bundle.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "load/archive.h"
#include "load/bundle_signing.h"
#include "load/documents.h"
#include "load/manifest.h"
#include "load/roots.h"
#include "tre/tre_codegen.h"

namespace trex::load {
namespace fs = std::filesystem;
namespace {

// One file of a bundle: `path` is its name inside the bundle ("/a/data.json" or "a/data.json"), `full` what
// OPA shows in messages and module names (the directory joined in front for directory bundles).
struct BundleFile {
  std::string path;
  std::string full;
  std::string bytes;
};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string base_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Where a data file's document goes: its directory, without leading '/' and '.' (OPA's getNormalizedPath).
std::vector<std::string> data_key(const std::string& path) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash);
  dir.erase(0, dir.find_first_not_of("/."));
  std::vector<std::string> key;
  if (dir.empty()) return key;
  size_t start = 0;
  while (true) {
    auto next = dir.find('/', start);
    key.push_back(dir.substr(start, next - start));
    if (next == std::string::npos) return key;
    start = next + 1;
  }
}

std::string package_text(const std::vector<std::string>& package) {
  std::string out = "package";
  for (size_t i = 0; i < package.size(); ++i) {
    const auto& p = package[i];
    bool ident = !p.empty() && !std::isdigit(static_cast<unsigned char>(p[0])) &&
                 std::all_of(p.begin(), p.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
    out += ident ? (i ? "." : " ") + p : (i ? "" : " ") + std::string("[\"") + p + "\"]";
  }
  return out;
}

std::string join_path(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
  return out;
}

class BundleReader {
 public:
  BundleReader(std::string name, const LoadOptions& opts) : name_(std::move(name)), opts_(opts) {}

  Loaded read(std::vector<BundleFile> files) {
    if (!verify_signatures(files)) return fail();
    for (auto& f : files)
      if (!read_file(f)) return fail();
    if (!validate()) return fail();
    bundle_.name = name_;
    bundle_.revision = manifest_.revision;
    bundle_.roots = manifest_.roots;
    if (manifest_.rego_version) bundle_.rego_version = static_cast<int>(*manifest_.rego_version);
    bundle_.manifest = manifest_.to_value();
    for (const auto& m : out_.modules) bundle_.module_files.push_back(m.filename);
    out_.bundles.push_back(std::move(bundle_));
    return std::move(out_);
  }

  Loaded fail() {
    Loaded failed;
    failed.errors.push_back(loader_error("bundle " + name_ + ": " + error_));
    return failed;
  }

 private:
  // Signed bundles are checked before anything in them is parsed or accepted (bundle_signing.h). Files are
  // named as OPA's signatures name them: without the leading '/', directory bundles with the directory.
  bool verify_signatures(const std::vector<BundleFile>& files) {
    std::vector<FileRef> refs;
    for (const auto& f : files) refs.push_back({f.full.substr(std::min(f.full.find_first_not_of('/'), f.full.size())), f.bytes});
    auto e = verify_bundle(refs, opts_.verification ? &*opts_.verification : nullptr, opts_.signed_bundles_need_key);
    return !e || error(std::move(*e));
  }

  bool read_file(BundleFile& f) {
    if (ends_with(f.path, ".rego")) {
      out_.modules.push_back({f.full, std::move(f.bytes)});
      relative_module_paths_.push_back(f.path);
      return true;
    }
    if (ends_with(f.path, ".tre")) {  // a .tre rule file is the Rego module it compiles to (src/tre)
      auto compiled = tre::compile(f.full, f.bytes);
      if (!compiled.errors.empty())
        return error("bundle load failed on " + f.full + ": " + tre::error_text(compiled.errors.front()));
      out_.modules.push_back({f.full, std::move(compiled.rego)});
      relative_module_paths_.push_back(f.path);
      return true;
    }
    const std::string base = base_name(f.path);
    if (ends_with(f.path, "signatures.json")) {
      bundle_.signatures_json = std::move(f.bytes);
      return true;
    }
    if (base == "data.json" || base == "data.yaml" || base == "data.yml") return read_data(f);
    if (ends_with(f.path, ".manifest")) {
      std::string err;
      auto m = parse_manifest(f.bytes, err);
      if (!m) return error("bundle load failed on manifest decode: " + err);
      manifest_ = std::move(*m);
    }
    return true;  // everything else (wasm, plans, other files) is not ours to read
  }

  bool read_data(const BundleFile& f) {
    std::string err;
    auto doc = parse_data_file(f.path, f.bytes, err);
    if (!doc) return error("bundle load failed on " + f.full + ": " + err);
    auto key = data_key(f.path);
    if (key.empty() && !doc->is_object()) return error("bundle load failed on " + f.path + ": root value must be object");
    auto merged = merge_documents(out_.data, nest(key, std::move(*doc)));
    if (!merged)
      return error("bundle load failed on " + f.path + ": failed to insert data file from path " + join_path(key));
    out_.data = std::move(*merged);
    return true;
  }

  bool validate() {
    const auto& roots = manifest_.roots;
    if (auto e = check_manifest_roots(roots)) return error(*e);
    rego::CompileOptions copts;
    copts.v0_compatible = opts_.v0_compatible;
    if (manifest_.rego_version) {
      if (*manifest_.rego_version != 0 && *manifest_.rego_version != 1 && !relative_module_paths_.empty())
        return error("unknown bundle rego-version " + std::to_string(*manifest_.rego_version) + " for file '" +
                     relative_module_paths_.front() + "'");
      copts.v0_compatible = *manifest_.rego_version == 0;
    }
    for (const auto& m : out_.modules) {
      // A module that does not parse is left to the compiler, which reports the error with its location.
      rego::Errors parse_errors;
      auto package = rego::module_package(m, copts, parse_errors);
      if (package && !root_paths_contain(roots, join_path(*package)))
        return error("manifest roots " + format_roots(roots) + " do not permit '" + package_text(*package) +
                     "' in module '" + m.filename + "'");
    }
    if (auto e = check_data_roots(roots, out_.data)) return error(*e);
    return true;
  }

  bool error(std::string message) {
    error_ = std::move(message);
    return false;
  }

  std::string name_;
  const LoadOptions& opts_;
  Manifest manifest_;
  Bundle bundle_;
  Loaded out_;
  std::vector<std::string> relative_module_paths_;
  std::string error_;
};

Loaded single_error(std::string message) {
  Loaded out;
  out.errors.push_back(loader_error(std::move(message)));
  return out;
}

Loaded from_archive(const std::string& name, ArchiveResult archive, const LoadOptions& opts) {
  if (!archive.ok()) return single_error("bundle " + name + ": bundle read failed: " + archive.error);
  std::vector<BundleFile> files;
  for (auto& e : archive.entries) files.push_back({e.name, e.name, std::move(e.bytes)});
  return BundleReader(name, opts).read(std::move(files));
}

}  // namespace

Loaded load_bundle(const std::string& path, const LoadOptions& opts) {
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return single_error("error reading \"" + path + "\": stat " + path + ": no such file or directory");
  return fs::is_directory(st) ? load_bundle_dir(path, opts) : load_bundle_file(path, opts);
}

Loaded load_bundle_file(const std::string& path, const LoadOptions& opts) {
  return from_archive(path, read_tar_gz(path, opts.max_bundle_bytes), opts);
}

Loaded load_bundle_bytes(const std::string& name, const std::string& bytes, const LoadOptions& opts) {
  return from_archive(name, read_tar_gz_bytes(bytes, opts.max_bundle_bytes), opts);
}

Loaded load_bundle_dir(const std::string& path, const LoadOptions& opts) {
  std::vector<fs::path> paths;
  regular_files_below(path, paths);
  const fs::path root = fs::path(path).lexically_normal();
  std::vector<BundleFile> files;
  for (const auto& p : paths) {
    std::error_code ec;
    auto size = fs::file_size(p, ec);
    if (!ec && size > opts.max_bundle_bytes)
      return single_error("bundle " + path + ": bundle file " + p.string() + " size (" + std::to_string(size) +
                          " bytes) exceeds configured size_limit_bytes (" + std::to_string(opts.max_bundle_bytes) +
                          " bytes)");
    std::string err;
    auto bytes = read_file(p.string(), err);
    if (!bytes) return single_error("bundle " + path + ": " + err);
    // Inside the bundle a file is "/a/b.rego" (OPA's chrooted path); in messages and module names the
    // directory comes first, as OPA's WithBaseDir does ("bundle/a/b.rego").
    std::string inside = "/" + p.lexically_relative(path).generic_string();
    std::string full = (root / inside.substr(1)).lexically_normal().generic_string();
    files.push_back({inside, full, std::move(*bytes)});
  }
  return BundleReader(path, opts).read(std::move(files));
}

}  // namespace trex::load
