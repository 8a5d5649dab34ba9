// Loading several paths: bundle mode (-b) with its roots-overlap check, tarballs in plain mode (-d), and the
// root helpers (load/files.h, load/roots.h).
#include "load/files.h"

#include <gtest/gtest.h>

#include "load/roots.h"
#include "rego/json.h"
#include "test_bundles.h"

namespace trex::load {
namespace {

using testing::tar_gz;
using testing::TempDir;

std::string json(const rego::Value& v) { return rego::json::write(v); }
std::string first_error(const Loaded& l) { return l.errors.empty() ? "" : l.errors[0].message; }

LoadOptions bundles() {
  LoadOptions o;
  o.as_bundles = true;
  return o;
}

TEST(LoadBundles, DisjointBundlesMergeAndAreRecorded) {
  TempDir tmp;
  std::string a = tmp.write("a.tar.gz", tar_gz({{"/.manifest", R"({"revision": "1", "roots": ["a"]})"},
                                                {"/a/data.json", R"({"x": 1})"},
                                                {"/a/p.rego", "package a\np := 1\n"}}));
  std::string b = tmp.write_tree("b", {{".manifest", R"({"revision": "2", "roots": ["b"]})"}, {"b/data.yaml", "z: 2\n"}});
  Loaded l = load_paths({a, b, a}, bundles());  // the same path twice is one bundle
  ASSERT_TRUE(l.errors.empty()) << first_error(l);
  ASSERT_EQ(l.bundles.size(), 2u);
  EXPECT_EQ(l.bundles[0].revision, "1");
  EXPECT_EQ(l.bundles[1].revision, "2");
  EXPECT_EQ(l.modules.size(), 1u);
  EXPECT_EQ(json(*l.data.get("a")), R"({"x":1})");
  EXPECT_EQ(json(*l.data.get("b")), R"({"z":2})");
  const rego::Value* recorded = l.data.get("system")->get("bundles")->get(a);
  ASSERT_NE(recorded, nullptr);
  EXPECT_EQ(json(*recorded), R"({"etag":"","manifest":{"revision":"1","roots":["a"]}})");
}

TEST(LoadBundles, OverlappingRootsAreAnError) {
  TempDir tmp;
  std::string a = tmp.write("a.tar.gz", tar_gz({{"/.manifest", R"({"roots": ["x", "shared"]})"}}));
  std::string b = tmp.write("b.tar.gz", tar_gz({{"/.manifest", R"({"roots": ["x/y", "shared"]})"}}));
  Loaded l = load_paths({a, b}, bundles());
  EXPECT_EQ(first_error(l), "detected overlapping roots in manifests for these bundles: [" + a + ", " + b +
                                "] (root shared is in multiple bundles, x overlaps x/y)");
  EXPECT_TRUE(l.modules.empty());
}

TEST(LoadBundles, EmptyRootOverlapsEverything) {
  TempDir tmp;
  std::string all = tmp.write("all.tar.gz", tar_gz({{"/data.json", "{}"}}));
  std::string some = tmp.write("some.tar.gz", tar_gz({{"/.manifest", R"({"roots": ["s"]})"}}));
  EXPECT_EQ(first_error(load_paths({all, some}, bundles())),
            "bundles [" + all + ", " + some + "] have overlapping roots and cannot be activated simultaneously because "
            "bundle(s) [" + all + "] specify empty root paths ('') which overlap with any other bundle root");
}

TEST(LoadBundles, ReadErrorsCarryThePrefix) {
  TempDir tmp;
  LoadOptions o = bundles();
  o.bundle_read_error_prefix = "loading error: ";
  std::string bad = tmp.write("bad.tar.gz", "nope");
  EXPECT_EQ(first_error(load_paths({bad}, o)).rfind("loading error: bundle " + bad + ": bundle read failed: ", 0), 0u);
}

TEST(LoadPlain, TarballInDataModeMergesWithItsManifest) {
  TempDir tmp;
  std::string t = tmp.write("t.tar.gz", tar_gz({{"/.manifest", R"({"revision": "r"})"}, {"/k/data.json", "[1]"}}));
  Loaded l = load_paths({"pre:" + t});
  ASSERT_TRUE(l.errors.empty()) << first_error(l);
  EXPECT_TRUE(l.bundles.empty());
  EXPECT_EQ(json(l.data), R"({"pre":{"k":[1],"system":{"bundle":{"manifest":{"revision":"r","roots":[""]}}}}})");
}

TEST(LoadPlain, DirectoryWalkStillPlacesDataByFolder) {
  TempDir tmp;
  std::string dir = tmp.write_tree("p", {{"a/b/x.json", R"({"v": 1})"}, {"a/y.yaml", "w: on\n"}, {"m.rego", "package m"}});
  Loaded l = load_paths({dir});
  ASSERT_TRUE(l.errors.empty()) << first_error(l);
  EXPECT_EQ(json(l.data), R"({"a":{"b":{"v":1},"w":true}})");
  ASSERT_EQ(l.modules.size(), 1u);
  EXPECT_EQ(l.modules[0].filename, dir + "/m.rego");
}

TEST(Roots, ContainAndOverlap) {
  EXPECT_TRUE(root_paths_contain({""}, "anything/at/all"));
  EXPECT_TRUE(root_paths_contain({"a/b"}, "a/b/c"));
  EXPECT_FALSE(root_paths_contain({"a/b"}, "a/bc"));
  EXPECT_FALSE(root_paths_contain({"a/b"}, "a"));
  EXPECT_TRUE(root_paths_overlap("a", "a/b"));
  EXPECT_FALSE(root_paths_overlap("a/b", "a/c"));
  EXPECT_EQ(format_roots({"a", "b/c"}), "[a b/c]");
}

}  // namespace
}  // namespace trex::load
