// .tre files through the loader: a directory walk and a bundle directory both turn them into modules named
// by the .tre path; a broken .tre is a load error located in the .tre file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "load/files.h"
#include "rego/json.h"

namespace {
namespace fs = std::filesystem;

class TreLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tre_load_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                        "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    auto p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  fs::path dir_;
};

const char* kRule = "rule \"Small\" {\n  condition: action.amount < 10\n  deny: \"too much\"\n}\n";

TEST_F(TreLoad, TreFileInADirectoryBecomesAModule) {
  std::string path = write("rules.tre", kRule);
  write("other.rego", "package other\nx := 1\n");
  write("ignored.txt", "not a policy");
  auto loaded = trex::load::load_paths({dir_.string()});
  ASSERT_TRUE(loaded.errors.empty()) << loaded.errors[0].to_string();
  ASSERT_EQ(loaded.modules.size(), 2u);
  EXPECT_EQ(loaded.modules[1].filename, path);  // sorted: other.rego, rules.tre
  EXPECT_NE(loaded.modules[1].text.find("small.deny contains"), std::string::npos);

  auto policy = rego::compile(loaded.modules);
  ASSERT_TRUE(policy.errors.empty());
  rego::QueryOptions opts;
  opts.input = rego::json::parse(R"({"action": {"amount": 50}})").value;
  auto r = rego::evaluate(*policy.policy, loaded.data, "count(data.tre.rules.small.deny)", opts);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].expressions[0].value, rego::Value::integer(1));
}

TEST_F(TreLoad, BrokenTreIsALoadErrorInTheTreFile) {
  std::string path = write("bad.tre", "rule \"A\" {\n  condition: 1 <\n  deny: \"x\"\n}\n");
  auto loaded = trex::load::load_paths({path});
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0].location.file_name(), path);
  EXPECT_EQ(loaded.errors[0].location.row, 2u);
  EXPECT_EQ(loaded.errors[0].code, "rego_parse_error");
  EXPECT_TRUE(loaded.modules.empty());
}

TEST_F(TreLoad, TreInABundleDirectory) {
  write(".manifest", R"({"revision": "r1", "roots": ["tre"]})");
  write("rules.tre", kRule);
  trex::load::LoadOptions opts;
  opts.as_bundles = true;
  auto loaded = trex::load::load_paths({dir_.string()}, opts);
  ASSERT_TRUE(loaded.errors.empty()) << loaded.errors[0].to_string();
  ASSERT_EQ(loaded.modules.size(), 1u);
  EXPECT_NE(loaded.modules[0].filename.find("rules.tre"), std::string::npos);
  EXPECT_NE(loaded.modules[0].text.find("package tre.rules"), std::string::npos);

  write("rules.tre", "rule \"A\" {\n  deny: \"x\"\n}\n");
  loaded = trex::load::load_paths({dir_.string()}, opts);
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_NE(loaded.errors[0].message.find("rules.tre:1:1: rego_parse_error: rule \"A\" needs at least one condition"),
            std::string::npos)
      << loaded.errors[0].message;
}

}  // namespace
