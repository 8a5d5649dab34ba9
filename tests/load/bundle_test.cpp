// Reading OPA bundles: data placement, modules, manifests, roots checks (load/bundle.h).
#include "load/bundle.h"

#include <gtest/gtest.h>

#include "load/files.h"
#include "rego/json.h"
#include "test_bundles.h"

namespace trex::load {
namespace {

using testing::Files;
using testing::tar_gz;
using testing::TempDir;

std::string json(const rego::Value& v) { return rego::json::write(v); }

std::string first_error(const Loaded& l) { return l.errors.empty() ? "" : l.errors[0].message; }

std::vector<std::string> module_names(const Loaded& l) {
  std::vector<std::string> out;
  for (const auto& m : l.modules) out.push_back(m.filename);
  return out;
}

const Files kBundle = {
    {"/.manifest", R"({"revision": "rev-7", "roots": ["a", "/c/"], "metadata": {"team": "x"}})"},
    {"/a/b/data.json", R"({"v": 1})"},
    {"/a/b/policy.rego", "package a.b\nallow if input.x == 1\n"},
    {"/c/data.yaml", "enabled: yes\nlimit: 0x10\n"},
    {"/a/other.json", R"({"ignored": true})"},
    {"/README.md", "not part of the bundle"},
};

TEST(BundleFile, DataModulesAndManifest) {
  TempDir tmp;
  std::string path = tmp.write("b.tar.gz", tar_gz(kBundle));
  Loaded l = load_bundle_file(path);
  ASSERT_TRUE(l.errors.empty()) << first_error(l);
  EXPECT_EQ(json(l.data), R"({"a":{"b":{"v":1}},"c":{"enabled":true,"limit":16}})");
  EXPECT_EQ(module_names(l), std::vector<std::string>{"/a/b/policy.rego"});
  EXPECT_EQ(l.modules[0].text, "package a.b\nallow if input.x == 1\n");
  ASSERT_EQ(l.bundles.size(), 1u);
  const Bundle& b = l.bundles[0];
  EXPECT_EQ(b.name, path);
  EXPECT_EQ(b.revision, "rev-7");
  EXPECT_EQ(b.roots, (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(json(b.manifest), R"({"metadata":{"team":"x"},"revision":"rev-7","roots":["a","c"]})");
  EXPECT_EQ(b.module_files, std::vector<std::string>{"/a/b/policy.rego"});
  EXPECT_FALSE(b.signatures_json.has_value());
}

TEST(BundleFile, NamesWithoutLeadingSlashAsTarWritesThem) {
  TempDir tmp;
  std::string path = tmp.write("b.tar.gz", tar_gz({{"./data.json", R"({"top": 1})"},
                                                   {"./x/y/data.json", "[1, 2]"},
                                                   {"x/p.rego", "package x\np := 1\n"}}));
  Loaded l = load_bundle_file(path);
  ASSERT_TRUE(l.errors.empty()) << first_error(l);
  EXPECT_EQ(json(l.data), R"({"top":1,"x":{"y":[1,2]}})");
  EXPECT_EQ(module_names(l), std::vector<std::string>{"x/p.rego"});
  EXPECT_EQ(l.bundles[0].roots, std::vector<std::string>{""});  // no manifest: everything
  EXPECT_EQ(json(l.bundles[0].manifest), R"({"revision":"","roots":[""]})");
}

TEST(BundleFile, SignaturesAreKeptNotRead) {
  TempDir tmp;
  std::string path =
      tmp.write("b.tar.gz", tar_gz({{"/.signatures.json", R"({"signatures": ["x.y.z"]})"}, {"/data.json", "{}"}}));
  Loaded l = load_bundle_file(path);
  ASSERT_TRUE(l.errors.empty()) << first_error(l);
  ASSERT_TRUE(l.bundles[0].signatures_json.has_value());
  EXPECT_EQ(*l.bundles[0].signatures_json, R"({"signatures": ["x.y.z"]})");
  EXPECT_EQ(json(l.data), "{}");
}

TEST(BundleDir, SameRulesModulesNamedUnderTheDirectory) {
  TempDir tmp;
  std::string dir = tmp.write_tree("bdir", kBundle);
  Loaded l = load_bundle_dir(dir);
  ASSERT_TRUE(l.errors.empty()) << first_error(l);
  EXPECT_EQ(json(l.data), R"({"a":{"b":{"v":1}},"c":{"enabled":true,"limit":16}})");
  EXPECT_EQ(module_names(l), std::vector<std::string>{dir + "/a/b/policy.rego"});
  EXPECT_EQ(l.bundles[0].revision, "rev-7");
  EXPECT_EQ(l.bundles[0].name, dir);
}

TEST(BundleDir, LoadBundlePicksDirectoryOrFile) {
  TempDir tmp;
  std::string dir = tmp.write_tree("d", {{"data.yml", "k: [1, two]\n"}});
  std::string file = tmp.write("f.tar.gz", tar_gz({{"/data.json", R"({"j": null})"}}));
  EXPECT_EQ(json(load_bundle(dir).data), R"({"k":[1,"two"]})");
  EXPECT_EQ(json(load_bundle(file).data), R"({"j":null})");
  Loaded missing = load_bundle(tmp.path("nope"));
  EXPECT_EQ(first_error(missing),
            "error reading \"" + tmp.path("nope") + "\": stat " + tmp.path("nope") + ": no such file or directory");
}

TEST(BundleRoots, DataOutsideRootsIsRejected) {
  TempDir tmp;
  std::string path = tmp.write("b.tar.gz", tar_gz({{"/.manifest", R"({"roots": ["a/b"]})"},
                                                   {"/a/b/data.json", R"({"ok": 1})"},
                                                   {"/a/c/data.json", R"({"bad": 1})"}}));
  Loaded l = load_bundle_file(path);
  EXPECT_EQ(first_error(l), "bundle " + path +
                                ": manifest roots [a/b] do not permit data at path '/a/c/bad' (hint: check bundle "
                                "directory structure)");
  EXPECT_TRUE(l.bundles.empty());
  EXPECT_TRUE(l.modules.empty());
}

TEST(BundleRoots, ModulePackageOutsideRootsIsRejected) {
  TempDir tmp;
  std::string path = tmp.write("b.tar.gz", tar_gz({{"/.manifest", R"({"roots": ["a", "b"]})"},
                                                   {"/a/ok.rego", "package a.x\np := 1\n"},
                                                   {"/z/bad.rego", "package z.y\np := 1\n"}}));
  Loaded l = load_bundle_file(path);
  EXPECT_EQ(first_error(l), "bundle " + path + ": manifest roots [a b] do not permit 'package z.y' in module '/z/bad.rego'");
}

TEST(BundleRoots, OverlappingRootsInOneManifest) {
  TempDir tmp;
  std::string path = tmp.write("b.tar.gz", tar_gz({{"/.manifest", R"({"roots": ["a", "a/b"]})"}}));
  EXPECT_EQ(first_error(load_bundle_file(path)), "bundle " + path + ": manifest has overlapped roots: 'a' and 'a/b'");
}

TEST(BundleManifest, WrongTypesAreDecodeErrors) {
  TempDir tmp;
  std::string path = tmp.write("b.tar.gz", tar_gz({{"/.manifest", R"({"revision": 7})"}}));
  EXPECT_EQ(first_error(load_bundle_file(path)),
            "bundle " + path +
                ": bundle load failed on manifest decode: json: cannot unmarshal number into Go struct field "
                "Manifest.revision of type string");
  std::string bad_json = tmp.write("c.tar.gz", tar_gz({{"/.manifest", "{"}}));
  EXPECT_NE(first_error(load_bundle_file(bad_json)).find("bundle load failed on manifest decode: "), std::string::npos);
}

TEST(BundleData, RootDataMustBeAnObjectAndParse) {
  TempDir tmp;
  std::string arr = tmp.write("a.tar.gz", tar_gz({{"/data.json", "[1]"}}));
  EXPECT_EQ(first_error(load_bundle_file(arr)), "bundle " + arr + ": bundle load failed on /data.json: root value must be object");
  std::string broken = tmp.write("b.tar.gz", tar_gz({{"/x/data.yaml", "a: [1\n"}}));
  EXPECT_NE(first_error(load_bundle_file(broken)).find("bundle load failed on /x/data.yaml: "), std::string::npos);
}

TEST(BundleData, ConflictingFilesAreAnInsertError) {
  TempDir tmp;
  std::string path = tmp.write("b.tar.gz", tar_gz({{"/a/data.json", R"({"k": 1})"}, {"/a/data.yaml", "k: 2\n"}}));
  EXPECT_EQ(first_error(load_bundle_file(path)),
            "bundle " + path + ": bundle load failed on /a/data.yaml: failed to insert data file from path a");
}

TEST(BundleRegoVersion, ManifestVersionIsKept) {
  TempDir tmp;
  std::string path = tmp.write("b.tar.gz", tar_gz({{"/.manifest", R"({"rego_version": 0, "roots": ["p"]})"},
                                                   {"/p.rego", "package p\nq[x] { x := 1 }\n"}}));
  Loaded l = load_bundle_file(path);
  ASSERT_TRUE(l.errors.empty()) << first_error(l);
  EXPECT_EQ(l.bundles[0].rego_version, 0);
  EXPECT_EQ(json(l.bundles[0].manifest), R"({"rego_version":0,"revision":"","roots":["p"]})");
}

TEST(BundleModules, UnparsableModuleIsLeftToTheCompiler) {
  TempDir tmp;
  std::string path = tmp.write("b.tar.gz", tar_gz({{"/.manifest", R"({"roots": ["a"]})"}, {"/x.rego", "package"}}));
  Loaded l = load_bundle_file(path);
  EXPECT_TRUE(l.errors.empty()) << first_error(l);
  EXPECT_EQ(module_names(l), std::vector<std::string>{"/x.rego"});
}

}  // namespace
}  // namespace trex::load
