// Reopening a signed log: the chain continues; a torn last line is cut and reported in the next
// checkpoint; records left without a checkpoint get one; a damaged complete line stops the writer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "hsm/bytes.h"
#include "hsm/json_scan.h"
#include "hsm/log_format.h"
#include "hsm/log_verifier.h"
#include "hsm/signed_log.h"
#include "temp_token.h"
#include "test_signers.h"

namespace trex::hsm {
namespace {

using testing::read_log;
using testing::shared_signer;
using testing::shared_token;
using testing::write_segment;

std::string write_log(int records, SignedLogOptions& o) {
  o.dir = shared_token().new_log_dir();
  std::string error;
  auto log = SignedLog::open(o, shared_signer(), error);
  EXPECT_TRUE(log) << error;
  for (int i = 0; i < records; ++i)
    EXPECT_TRUE(log->append("decision", R"({"decision_id":"r)" + std::to_string(i) + "\"}", error)) << error;
  log->close();
  return o.dir + "/" + segment_name(0);
}

std::string payload_of(const std::string& line) {
  LineHeader h;
  std::string error, payload;
  EXPECT_TRUE(parse_line(line, h, error)) << error;
  size_t a = h.jws.find('.'), b = h.jws.rfind('.');
  EXPECT_TRUE(base64url_decode(h.jws.substr(a + 1, b - a - 1), payload));
  return payload;
}

TEST(Recovery, ReopenContinuesTheChain) {
  SignedLogOptions o;
  write_log(2, o);
  std::string error;
  auto log = SignedLog::open(o, shared_signer(), error);
  ASSERT_TRUE(log) << error;
  EXPECT_EQ(log->recovered().next_seq, 4u);
  EXPECT_EQ(log->recovered().cut_bytes, 0u);
  ASSERT_TRUE(log->append("decision", "{}", error)) << error;
  log->close();
  auto lines = read_log(o.dir);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[4].text.substr(0, 10), R"({"seq":4,")");
  auto r = verify_log(o.dir, shared_signer()->public_key());
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(r.recoveries, 0u);
}

TEST(Recovery, TornLastLineIsCutAndReported) {
  SignedLogOptions o;
  std::string seg = write_log(2, o);
  const std::string torn = R"({"seq":4,"prev":"ab12","kind":"deci)";
  { std::ofstream(seg, std::ios::app | std::ios::binary) << torn; }
  auto size_before = std::filesystem::file_size(seg);

  std::string error;
  auto log = SignedLog::open(o, shared_signer(), error);
  ASSERT_TRUE(log) << error;
  EXPECT_EQ(log->recovered().cut_bytes, torn.size());
  log->close();  // the recovery checkpoint is written even with no new record
  auto lines = read_log(o.dir);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_GT(std::filesystem::file_size(seg), size_before - torn.size());
  std::vector<JsonField> f;
  ASSERT_TRUE(scan_object(payload_of(lines[4].text), f, error)) << error;
  ASSERT_TRUE(find_field(f, "recovered_bytes"));
  EXPECT_EQ(find_field(f, "recovered_bytes")->text, std::to_string(torn.size()));

  // The chain continues from the last good line.
  log = SignedLog::open(o, shared_signer(), error);
  ASSERT_TRUE(log) << error;
  ASSERT_TRUE(log->append("decision", "{}", error)) << error;
  log->close();
  auto r = verify_log(o.dir, shared_signer()->public_key());
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(r.recoveries, 1u);
  EXPECT_EQ(r.lines, 7u);
}

TEST(Recovery, RecordsWithoutACheckpointGetOne) {
  SignedLogOptions o;
  std::string seg = write_log(2, o);
  auto lines = read_log(o.dir);
  lines.pop_back();  // a crash after the records but before their checkpoint
  std::vector<std::string> texts;
  for (auto& l : lines) texts.push_back(l.text);
  write_segment(seg, texts);
  EXPECT_FALSE(verify_log(o.dir, shared_signer()->public_key()).ok());

  std::string error;
  auto log = SignedLog::open(o, shared_signer(), error);
  ASSERT_TRUE(log) << error;
  EXPECT_EQ(log->recovered().uncovered, 1u);
  log->close();
  auto r = verify_log(o.dir, shared_signer()->public_key());
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(r.checkpoints, 2u);
}

TEST(Recovery, RefusesToAppendAfterADamagedLine) {
  SignedLogOptions o;
  std::string seg = write_log(2, o);
  auto lines = read_log(o.dir);
  std::vector<std::string> texts;
  for (auto& l : lines) texts.push_back(l.text);
  texts[1].replace(texts[1].find("\"seq\":1"), 7, "\"seq\":9");
  write_segment(seg, texts);
  std::string error;
  EXPECT_FALSE(SignedLog::open(o, shared_signer(), error));
  EXPECT_NE(error.find("seq 1"), std::string::npos) << error;
}

TEST(Recovery, ContinuesInTheLastOfSeveralSegments) {
  SignedLogOptions o;
  o.segment_bytes = 400;
  write_log(4, o);
  std::string error;
  auto log = SignedLog::open(o, shared_signer(), error);
  ASSERT_TRUE(log) << error;
  EXPECT_EQ(log->recovered().next_seq, 8u);
  ASSERT_TRUE(log->append("outcome", "{}", error)) << error;
  log->close();
  auto r = verify_log(o.dir, shared_signer()->public_key());
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_GE(r.segments, 2u);
  EXPECT_EQ(r.lines, 10u);
}

}  // namespace
}  // namespace trex::hsm
