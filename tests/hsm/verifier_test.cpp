// The verifier names the right line for each kind of tampering: an edited, deleted, inserted or
// reordered line, a cut before the last checkpoint, a forged signature, another key, a missing segment.
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <filesystem>

#include "hsm/ec_key.h"
#include "hsm/jws.h"
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

// 12 records in batches of 4: lines 0-3 records, 4 checkpoint, 5-8, 9 checkpoint, 10-13, 14 checkpoint.
class VerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SignedLogOptions o;
    o.dir = dir_ = shared_token().new_log_dir();
    o.durability = Durability::Async;
    o.max_batch = 4;
    o.max_delay_ms = 10000;
    std::string error;
    auto log = SignedLog::open(o, shared_signer(), error);
    ASSERT_TRUE(log) << error;
    for (int i = 0; i < 12; ++i)
      ASSERT_TRUE(log->append(i % 3 == 2 ? "outcome" : "decision", R"({"decision_id":"id-)" + std::to_string(i) +
                                                                       R"(","allow":true})",
                              error));
    log->close();
    for (auto& l : read_log(dir_)) lines_.push_back(l.text);
    ASSERT_EQ(lines_.size(), 15u);
    ASSERT_NE(lines_[4].find("checkpoint"), std::string::npos);
    ASSERT_NE(lines_[14].find("checkpoint"), std::string::npos);
    segment_ = dir_ + "/" + segment_name(0);
  }

  VerifyReport rewrite_and_verify(const std::vector<std::string>& lines) {
    write_segment(segment_, lines);
    return verify_log(dir_, shared_signer()->public_key());
  }

  void expect_fault(const VerifyReport& r, size_t line, uint64_t seq, const std::string& words) {
    ASSERT_FALSE(r.ok()) << "tampering not detected";
    EXPECT_EQ(r.fault->file, segment_name(0));
    EXPECT_EQ(r.fault->line, line) << r.summary();
    EXPECT_EQ(r.fault->seq, seq) << r.summary();
    EXPECT_NE(r.fault->message.find(words), std::string::npos) << r.summary();
  }

  std::string dir_, segment_;
  std::vector<std::string> lines_;
};

TEST_F(VerifierTest, AcceptsTheUntouchedLogWithCounts) {
  auto r = verify_log(dir_, shared_signer()->public_key());
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(r.lines, 15u);
  EXPECT_EQ(r.decisions, 8u);
  EXPECT_EQ(r.outcomes, 4u);
  EXPECT_EQ(r.checkpoints, 3u);
  EXPECT_EQ(r.summary(), "15 lines (8 decisions, 4 outcomes, 3 checkpoints) in 1 segment");
}

TEST_F(VerifierTest, EditedLine) {
  auto lines = lines_;
  lines[6].replace(lines[6].find("\"allow\":true"), 12, "\"allow\":false");  // record seq 6
  expect_fault(rewrite_and_verify(lines), 7, 6, "altered");
}

TEST_F(VerifierTest, EditedLastRecordBeforeACheckpoint) {
  auto lines = lines_;
  lines[13].replace(lines[13].find("id-11"), 5, "id-99");
  expect_fault(rewrite_and_verify(lines), 14, 13, "altered");
}

TEST_F(VerifierTest, DeletedLine) {
  auto lines = lines_;
  lines.erase(lines.begin() + 7);
  expect_fault(rewrite_and_verify(lines), 8, 7, "missing");
}

TEST_F(VerifierTest, InsertedLine) {
  auto lines = lines_;
  lines.insert(lines.begin() + 3, lines[2]);  // a replayed copy of seq 2 after itself
  expect_fault(rewrite_and_verify(lines), 4, 3, "found seq 2");
}

TEST_F(VerifierTest, ReorderedLines) {
  auto lines = lines_;
  std::swap(lines[10], lines[11]);
  expect_fault(rewrite_and_verify(lines), 11, 10, "found seq 11");
}

TEST_F(VerifierTest, TruncatedBeforeTheLastCheckpoint) {
  auto lines = lines_;
  lines.resize(12);  // keeps records 10 and 11, drops 12, 13 and the checkpoint 14
  expect_fault(rewrite_and_verify(lines), 11, 10, "not covered");
}

TEST_F(VerifierTest, TornFinalLine) {
  std::filesystem::resize_file(segment_, std::filesystem::file_size(segment_) - 5);
  auto r = verify_log(dir_, shared_signer()->public_key());
  expect_fault(r, 15, 14, "torn");
}

TEST_F(VerifierTest, BadSignature) {
  auto lines = lines_;
  size_t sig = lines[9].rfind('.') + 10;
  lines[9][sig] = lines[9][sig] == 'A' ? 'B' : 'A';
  expect_fault(rewrite_and_verify(lines), 10, 9, "signature");
}

TEST_F(VerifierTest, CheckpointMovedToAnotherPlace) {
  // A valid signature over another position: the payload's seq/head don't match this line.
  auto lines = lines_;
  std::string jws4 = lines[4].substr(lines[4].find("\"jws\":"));
  lines[9] = lines[9].substr(0, lines[9].find("\"jws\":")) + jws4;
  expect_fault(rewrite_and_verify(lines), 10, 9, "payload's seq");
}

TEST_F(VerifierTest, WrongKey) {
  EVP_PKEY* other = EVP_EC_gen("P-256");
  ASSERT_TRUE(other);
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(other, &der);
  std::string error;
  auto key = PublicKey::from_der(std::string(reinterpret_cast<char*>(der), size_t(n)), error);
  OPENSSL_free(der);
  EVP_PKEY_free(other);
  ASSERT_TRUE(key) << error;
  auto r = verify_log(dir_, *key);
  expect_fault(r, 5, 4, "does not verify");
}

TEST_F(VerifierTest, ExtraFieldOnACheckpointLine) {
  auto lines = lines_;
  lines[14].insert(lines[14].size() - 1, ",\"note\":1");
  expect_fault(rewrite_and_verify(lines), 15, 14, "exactly");
}

TEST_F(VerifierTest, MissingSegment) {
  SignedLogOptions o;
  o.dir = shared_token().new_log_dir();
  o.segment_bytes = 300;
  std::string error;
  auto log = SignedLog::open(o, shared_signer(), error);
  ASSERT_TRUE(log) << error;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(log->append("decision", "{}", error)) << error;
  log->close();
  ASSERT_TRUE(verify_log(o.dir, shared_signer()->public_key()).ok());
  std::filesystem::remove(o.dir + "/" + segment_name(2));
  auto r = verify_log(o.dir, shared_signer()->public_key());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.fault->file, segment_name(4));
  EXPECT_EQ(r.fault->seq, 2u);
  EXPECT_NE(r.fault->message.find("segment is missing"), std::string::npos) << r.summary();
}

TEST_F(VerifierTest, UnknownPayloadFieldsAreIgnored) {
  // A newer writer's checkpoint with a payload field this verifier doesn't know, properly signed.
  LineHeader h;
  std::string error, jws;
  ASSERT_TRUE(parse_line(lines_[14], h, error)) << error;
  CheckpointPayload p{"trex", 14, h.prev, rfc3339_now(), 0};
  std::string payload = checkpoint_payload_json(p);
  payload.insert(payload.size() - 1, ",\"future\":{\"a\":[1,2]}");
  ASSERT_TRUE(jws_sign(*shared_signer(), payload, jws, error)) << error;
  auto lines = lines_;
  lines[14] = make_line(14, h.prev, "checkpoint", "{\"jws\":\"" + jws + "\"}");
  auto r = rewrite_and_verify(lines);
  EXPECT_TRUE(r.ok()) << r.summary();

  // And the same payload with a wrong head is still caught.
  p.head = std::string(kZeroHash);
  ASSERT_TRUE(jws_sign(*shared_signer(), checkpoint_payload_json(p), jws, error)) << error;
  lines[14] = make_line(14, h.prev, "checkpoint", "{\"jws\":\"" + jws + "\"}");
  expect_fault(rewrite_and_verify(lines), 15, 14, "head");
}

TEST(Verifier, EmptyDirectoryIsAFault) {
  auto r = verify_log(shared_token().new_log_dir(), shared_signer()->public_key());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.fault->message.find("no segment files"), std::string::npos);
}

}  // namespace
}  // namespace trex::hsm
