// trex build: `opa build` for the rego target without optimization — load policies and data (files and
// directories, or bundles with -b), check that the policies compile, and write an OPA bundle (.tar.gz):
//
//   /data.json          all data, merged (OPA writes one data file at the root)
//   /<module path>      each .rego file as read
//   /.signatures.json   with --signing-key: one JWT over the hashes of every file below (bundle_signing.h)
//   /.manifest          {"revision", "roots", "rego_version", "metadata"?}
//
// With -b and --verification-key the input bundles are verified first; a signed input bundle without a
// key is refused, as OPA's build does.
#include <algorithm>
#include <fstream>
#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/signing_flags.h"
#include "load/archive_writer.h"
#include "load/bundle.h"
#include "load/documents.h"
#include "load/files.h"
#include "load/roots.h"
#include "rego/json.h"

namespace trex::cli {
namespace {

const char* kUsage =
    "usage: trex build [flags] <path> [path ...]\n"
    "  -o, --output FILE                    output bundle (default bundle.tar.gz)\n"
    "  -b, --bundle                         load paths as bundles (needed to sign or verify)\n"
    "  -r, --revision REV                   the output bundle's revision\n"
    "      --signing-key KEY                sign: PEM private key file, or the HMAC secret\n"
    "      --signing-alg ALG                RS256 (default), ES256, HS256, ... (signing and verification)\n"
    "      --claims-file FILE               extra JWT claims (JSON object)\n"
    "      --verification-key KEY           verify the input bundles: PEM public key file, or HMAC secret\n"
    "      --verification-key-id ID         id of the verification key (default \"default\"); the signing kid\n"
    "      --scope SCOPE                    scope the input bundles' signatures must carry\n"
    "      --exclude-files-verification P   glob of input files not verified; repeatable\n"
    "      --v0-compatible                  parse policies as Rego v0\n";

std::vector<FlagSpec> flags() {
  std::vector<FlagSpec> f = {{{"--help", "-h"}, false},  {{"--output", "-o"}, true},
                             {{"--bundle", "-b"}, false}, {{"--revision", "-r"}, true},
                             {{"--v0-compatible"}, false}};
  for (auto& s : verification_flag_specs()) f.push_back(s);
  for (auto& s : signing_flag_specs()) f.push_back(s);
  return f;
}

int fail(std::string message) {
  while (!message.empty() && message.back() == '\n') message.pop_back();
  std::cout << "error: " << message << "\n";  // OPA prints command errors on stdout
  return kExitFailed;
}

std::string json(const rego::Value& v) { return rego::json::write(v); }

std::string without_leading_slash(const std::string& s) { return s.substr(std::min(s.find_first_not_of('/'), s.size())); }

// The manifest as Go's json.Marshal(Manifest) writes it: struct field order, empty fields omitted.
std::string manifest_json(const std::string& revision, const std::vector<std::string>& roots, int rego_version,
                          const rego::Value* metadata) {
  std::vector<rego::Value> root_values;
  for (const auto& r : roots) root_values.push_back(rego::Value::string(r));
  std::string out = "{\"revision\":" + json(rego::Value::string(revision)) +
                    ",\"roots\":" + json(rego::Value::array(std::move(root_values))) +
                    ",\"rego_version\":" + std::to_string(rego_version);
  if (metadata && metadata->is_object() && metadata->size() > 0) out += ",\"metadata\":" + json(*metadata);
  return out + "}";
}

}  // namespace

int run_build(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_flags(argv, flags());
  if (!args.error.empty()) return usage_error("build", args.error, kUsage);
  if (args.has("--help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (args.positional.empty()) return usage_error("build", "expected at least one path", kUsage);

  auto verification = verification_from_args(args);
  std::optional<load::SigningConfig> signing;
  std::string error;
  if (!signing_from_args(args, signing, error)) return fail(error);
  const bool bundle_mode = args.has("--bundle");
  if ((verification || signing) && !bundle_mode)
    return fail("enable bundle mode (ie. --bundle) to verify or sign bundle files or directories");
  if (signing && !signing->claims) signing->key_id = args.last("--verification-key-id", "default");

  const bool v0 = args.has("--v0-compatible");
  load::LoadOptions opts;
  opts.v0_compatible = v0;
  opts.verification = verification;
  opts.signed_bundles_need_key = true;
  load::Loaded loaded;
  if (bundle_mode) {
    // Bundles one by one (not load_paths, which would record them under data.system.bundles).
    std::vector<std::string> paths = args.positional;
    std::sort(paths.begin(), paths.end());  // OPA merges bundles in name order
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    for (const auto& p : paths) load::merge_loaded(loaded, load::load_bundle(p, opts), p);
    if (loaded.errors.empty())
      if (auto e = load::check_roots_overlap(loaded.bundles)) loaded.errors.push_back(load::loader_error(*e));
  } else {
    loaded = load::load_paths(args.positional, opts);
    std::sort(loaded.modules.begin(), loaded.modules.end(),
              [](const rego::ModuleText& a, const rego::ModuleText& b) { return a.filename < b.filename; });
  }
  if (!loaded.errors.empty()) return fail("load error: " + errors_text(loaded.errors));
  rego::CompileOptions copts;
  copts.v0_compatible = v0;
  if (auto errors = rego::check(loaded.modules, copts); !errors.empty()) return fail(errors_text(errors));

  // The manifest: a single input bundle keeps its own (revision, roots, metadata); several merge their roots.
  std::vector<std::string> roots{""};
  std::string revision;
  int rego_version = v0 ? 0 : 1;
  const rego::Value* metadata = nullptr;
  if (loaded.bundles.size() == 1) {
    const auto& b = loaded.bundles.front();
    roots = b.roots;
    revision = b.revision;
    if (b.rego_version) rego_version = *b.rego_version;
    metadata = b.manifest.get("metadata");
  } else if (loaded.bundles.size() > 1) {
    roots.clear();
    for (const auto& b : loaded.bundles) roots.insert(roots.end(), b.roots.begin(), b.roots.end());
  }
  if (args.has("--revision")) revision = args.last("--revision");

  load::ArchiveFiles files{{"/data.json", json(loaded.data)}};
  for (const auto& m : loaded.modules) files.emplace_back("/" + without_leading_slash(m.filename), m.text);
  const std::string manifest = manifest_json(revision, roots, rego_version, metadata);

  if (signing) {
    // OPA signs the modules, then data.json, then the manifest.
    std::vector<load::FileHash> hashes;
    for (size_t i = 1; i < files.size(); ++i) hashes.push_back(*load::hash_file({without_leading_slash(files[i].first), files[i].second}, error));
    auto data_hash = load::hash_file({"data.json", files[0].second}, error);
    auto manifest_hash = load::hash_file({".manifest", manifest}, error);
    if (!data_hash || !manifest_hash) return fail(error);
    hashes.push_back(*data_hash);
    hashes.push_back(*manifest_hash);
    auto token = load::sign_files(hashes, *signing, error);
    if (!token) return fail(error);
    files.emplace_back("/.signatures.json", load::signatures_file_text(*token));
  }
  files.emplace_back("/.manifest", manifest);

  std::string archive = load::write_tar_gz(files, error);
  if (archive.empty()) return fail(error);
  const std::string output = args.last("--output", "bundle.tar.gz");
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  if (!out || !out.write(archive.data(), static_cast<std::streamsize>(archive.size())) || !out.flush())
    return fail("open " + output + ": cannot write file");
  return kExitOk;
}

}  // namespace trex::cli
