// The formatter over real modules: every .rego in the repository (policies/, examples/, tests/) and every
// module of the OPA compliance suite that parses as Rego v1. For each: the formatted text parses, its AST
// (as `opa parse` JSON, locations aside) is the original's, and formatting it again changes nothing.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "rego/engine.h"
#include "rego/format.h"

namespace rego {
namespace {

namespace fs = std::filesystem;

struct Counts {
  size_t parsed = 0, skipped = 0, failed = 0;
  std::vector<std::string> failures;
};

// The AST as JSON, minus what formatting is meant to change: a rule head's `=` becomes `:=` (the "assign"
// flag), and the parser names a template string's generated variable after its byte offset.
std::string ast_json(const std::string& name, const std::string& text, bool& ok) {
  std::string json;
  Errors errors;
  ok = parse_to_json({name, text}, CompileOptions{}, json, errors);
  static const std::regex assign(R"("assign":\s*true,?\s*)"), tpl(R"(\$tpl[0-9]+)");
  json = std::regex_replace(json, assign, "");
  return std::regex_replace(json, tpl, "$$tpl");
}

void check_module(const std::string& name, const std::string& text, Counts& c) {
  bool ok = false;
  std::string before = ast_json(name, text, ok);
  if (!ok) {
    ++c.skipped;  // not Rego v1 (or meant not to parse)
    return;
  }
  ++c.parsed;
  std::string why;
  try {
    std::string once = format_module(std::make_shared<SourceFile>(SourceFile{name, text}));
    std::string after = ast_json(name, once, ok);
    if (!ok) {
      why = "formatted text does not parse:\n" + once;
    } else if (after != before) {
      why = "AST changed:\n" + once;
    } else {
      std::string twice = format_module(std::make_shared<SourceFile>(SourceFile{name, once}));
      if (twice != once) why = "not idempotent:\n" + once + "\n--- again:\n" + twice;
    }
  } catch (const std::exception& e) {
    why = std::string("threw: ") + e.what();
  }
  if (!why.empty()) {
    ++c.failed;
    c.failures.push_back(name + ": " + why);
  }
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void report(const char* what, const Counts& c) {
  std::cout << what << ": " << c.parsed << " modules formatted, " << c.skipped << " not v1 (skipped), " << c.failed
            << " failed\n";
  // The first few in full; the names of all.
  for (size_t i = 0; i < c.failures.size(); ++i) {
    if (i < 10) ADD_FAILURE() << c.failures[i];
    else std::cout << "  also failed: " << c.failures[i].substr(0, c.failures[i].find('\n')) << "\n";
  }
}

TEST(FormatCorpus, RepositoryRegoFiles) {
  Counts c;
  for (const char* dir : {"policies", "examples", "tests"}) {
    fs::path root = fs::path(TREX_SOURCE_DIR) / dir;
    if (!fs::exists(root)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.is_regular_file() && e.path().extension() == ".rego") check_module(e.path().string(), slurp(e.path()), c);
    }
  }
  report("repository .rego files", c);
  EXPECT_GT(c.parsed, 10u);
  EXPECT_EQ(c.failed, 0u);
}

TEST(FormatCorpus, ComplianceSuiteModules) {
  fs::path root = fs::path(TREX_COMPLIANCE_DIR) / "v1";
  if (!fs::exists(root)) GTEST_SKIP() << "no compliance suite at " << root;
  Counts c;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().extension() != ".yaml") continue;
    YAML::Node doc = YAML::LoadFile(e.path().string());
    size_t n = 0;
    for (const auto& tc : doc["cases"]) {
      for (const auto& m : tc["modules"]) {
        check_module(e.path().filename().string() + "#" + std::to_string(n++), m.as<std::string>(), c);
      }
    }
  }
  report("compliance suite modules", c);
  EXPECT_GT(c.parsed, 1000u);
  EXPECT_EQ(c.failed, 0u);
}

}  // namespace
}  // namespace rego
