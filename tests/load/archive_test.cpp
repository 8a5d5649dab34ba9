// Reading .tar.gz safely: corrupt input, unsafe entry names, the size bound (load/archive.h, load/bundle.h).
#include "load/archive.h"

#include <gtest/gtest.h>

#include <random>

#include "load/bundle.h"
#include "test_bundles.h"

namespace trex::load {
namespace {

using testing::tar_gz;
using testing::TempDir;

constexpr uint64_t kGiB = uint64_t{1} << 30;

TEST(Archive, ReadsRegularFilesInOrder) {
  auto r = read_tar_gz_bytes(tar_gz({{"/b.txt", "B"}, {"a/c.txt", "CC"}}), kGiB);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[0].name, "/b.txt");
  EXPECT_EQ(r.entries[1].name, "a/c.txt");
  EXPECT_EQ(r.entries[1].bytes, "CC");
}

TEST(Archive, GarbageIsAnError) {
  auto r = read_tar_gz_bytes("this is not an archive at all", kGiB);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("archive read failed"), std::string::npos) << r.error;
}

TEST(Archive, EmptyInputIsAnError) { EXPECT_FALSE(read_tar_gz_bytes("", kGiB).ok()); }

// Cut inside the entries (incompressible bytes keep the cut there). A cut in the zero padding after the
// tar's end-of-archive marker loses nothing, and is not an error: the reader never gets that far.
TEST(Archive, TruncatedArchiveIsAnError) {
  std::string noise(100000, '\0');
  std::mt19937 rng(42);
  for (auto& c : noise) c = static_cast<char>(rng());
  std::string whole = tar_gz({{"/data.json", noise}, {"/p.rego", "package p"}});
  for (size_t cut : {whole.size() / 3, whole.size() / 2, size_t{12}}) {
    auto r = read_tar_gz_bytes(whole.substr(0, cut), kGiB);
    EXPECT_FALSE(r.ok()) << "cut at " << cut;
  }
}

TEST(Archive, FlippedBytesNeverCrash) {
  std::string whole = tar_gz({{"/a/data.json", R"({"k": [1, 2, 3]})"}, {"/a/p.rego", "package a\np := 1\n"}});
  for (size_t i = 0; i < whole.size(); i += 3) {
    std::string bad = whole;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    (void)read_tar_gz_bytes(bad, kGiB);  // any outcome but a crash
  }
}

TEST(Archive, ParentSegmentsAreRejected) {
  for (const char* name : {"../evil/data.json", "a/../../x.rego", "/..", "a/.."}) {
    auto r = read_tar_gz_bytes(tar_gz({{"/ok.txt", "1"}, {name, "{}"}}), kGiB);
    EXPECT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.error, std::string("unsafe path in archive: '") + name + "'");
  }
  // A name that merely contains dots is fine.
  EXPECT_TRUE(read_tar_gz_bytes(tar_gz({{"a/..b/c..", "1"}}), kGiB).ok());
}

TEST(Archive, SizeLimitBoundsTheWholeArchive) {
  std::string bomb = tar_gz({{"/a", std::string(3000, 'a')}, {"/b", std::string(3000, 'b')}});
  EXPECT_TRUE(read_tar_gz_bytes(bomb, 6000).ok());
  auto r = read_tar_gz_bytes(bomb, 5999);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error, "bundle exceeds the size limit of 5999 bytes (at file '/b')");
}

TEST(BundleArchive, ErrorsNameTheBundle) {
  TempDir tmp;
  std::string corrupt = tmp.write("corrupt.tar.gz", "\x1f\x8b garbage");
  Loaded l = load_bundle_file(corrupt);
  ASSERT_EQ(l.errors.size(), 1u);
  EXPECT_EQ(l.errors[0].message.rfind("bundle " + corrupt + ": bundle read failed: archive read failed: ", 0), 0u)
      << l.errors[0].message;
  EXPECT_TRUE(l.bundles.empty());

  std::string traversal = tmp.write("t.tar.gz", tar_gz({{"../../etc/data.json", "{}"}}));
  EXPECT_EQ(load_bundle_file(traversal).errors.at(0).message,
            "bundle " + traversal + ": bundle read failed: unsafe path in archive: '../../etc/data.json'");

  LoadOptions small;
  small.max_bundle_bytes = 10;
  std::string big = tmp.write("big.tar.gz", tar_gz({{"/data.json", R"({"k": "0123456789"})"}}));
  EXPECT_NE(load_bundle_file(big, small).errors.at(0).message.find("size limit of 10 bytes"), std::string::npos);
  EXPECT_TRUE(load_bundle_file(big).errors.empty());
}

TEST(BundleArchive, DirectoryFilesAreBoundToo) {
  TempDir tmp;
  std::string dir = tmp.write_tree("d", {{"data.json", R"({"k": "0123456789"})"}});
  LoadOptions small;
  small.max_bundle_bytes = 10;
  EXPECT_NE(load_bundle_dir(dir, small).errors.at(0).message.find("exceeds configured size_limit_bytes (10 bytes)"),
            std::string::npos);
}

}  // namespace
}  // namespace trex::load
