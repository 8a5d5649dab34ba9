// trex fmt: format Rego files as `opa fmt` does (cmd/fmt.go): formatted source to stdout, or rewrite files
// in place (-w), list files that would change (-l), show a diff (-d); --fail makes a pending change an error.
// Directories are walked for .rego files. Without paths, stdin is formatted to stdout.
// Exit codes as OPA's: 2 for a file that fails to parse and for --fail with a change, 1 for stdin errors.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/unified_diff.h"
#include "load/documents.h"
#include "rego/format.h"

namespace trex::cli {
namespace {

const char* kUsage =
    "usage: trex fmt [flags] [path...]\n"
    "  -w, --write    overwrite the original source file\n"
    "  -l, --list     list all files who would change when formatted\n"
    "  -d, --diff     only display a diff of the changes\n"
    "      --fail     non zero exit code on reformat\n";

const std::vector<FlagSpec> kFlags = {
    {{"--help", "-h"}, false}, {{"--write", "-w"}, false}, {{"--list", "-l"}, false},
    {{"--diff", "-d"}, false}, {{"--fail"}, false},
};

struct Params {
  bool write = false, list = false, diff = false, fail = false;
};

// The first error stops the walk, as OPA's filepath.Walk callback does. Returns the exit code (0 = go on).
int format_file(const Params& p, const std::string& path) {
  std::string error;
  auto text = load::read_file(path, error);
  if (!text) {
    std::cerr << "failed to open file: " << error << "\n";
    return kExitUsage;
  }
  std::string formatted;
  try {
    formatted = rego::format_module(std::make_shared<rego::SourceFile>(rego::SourceFile{path, *text}));
  } catch (const rego::RegoErrors& e) {
    std::cerr << "failed to format Rego source file: " << e.errors().size() << " error"
              << (e.errors().size() == 1 ? "" : "s") << " occurred:\n";
    for (const auto& err : e.errors()) std::cerr << err.to_string() << "\n";
    return kExitUsage;
  }
  const bool changed = formatted != *text;
  if (p.fail && !p.list && !p.diff && changed) {
    std::cerr << "unexpected diff\n";
    return kExitUsage;
  }
  if (p.list || p.diff) {
    if (!changed) return kExitOk;
    if (p.list) std::cout << path << "\n";
    else std::cout << unified_diff(path, *text, formatted);
    if (p.fail) {
      std::cerr << "unexpected diff\n";
      return kExitUsage;
    }
    return kExitOk;
  }
  if (p.write) {
    if (!changed) return kExitOk;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << formatted;
    if (!out) {
      std::cerr << "failed to open file for writing: " << path << "\n";
      return kExitUsage;
    }
    return kExitOk;
  }
  std::cout << formatted;
  return kExitOk;
}

int format_path(const Params& p, const std::string& root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    if (!fs::exists(root, ec)) {
      std::cerr << "lstat " << root << ": no such file or directory\n";
      return kExitFailed;
    }
    return fs::path(root).extension() == ".rego" ? format_file(p, root) : kExitOk;
  }
  // Lexical order, as Go's filepath.Walk visits entries.
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".rego") files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    if (int rc = format_file(p, f); rc != kExitOk) return rc;
  }
  return kExitOk;
}

}  // namespace

int run_fmt(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_flags(argv, kFlags);
  if (!args.error.empty()) return usage_error("fmt", args.error, kUsage);
  if (args.has("--help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  Params p{args.has("--write"), args.has("--list"), args.has("--diff"), args.has("--fail")};
  if (args.positional.empty()) {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    try {
      std::cout << rego::format_module(std::make_shared<rego::SourceFile>(rego::SourceFile{"stdin", text}));
    } catch (const rego::RegoErrors& e) {
      for (const auto& err : e.errors()) std::cerr << err.to_string() << "\n";
      return kExitFailed;
    }
    return kExitOk;
  }
  for (const auto& path : args.positional) {
    if (int rc = format_path(p, path); rc != kExitOk) return rc;
  }
  return kExitOk;
}

}  // namespace trex::cli
