// The signed log writer with a real SoftHSM2 token: format of the lines, sync group commit, async
// batching and back-pressure, fail-closed signing, rotation. Each log is checked with the verifier.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "hsm/json_scan.h"
#include "hsm/log_format.h"
#include "hsm/log_verifier.h"
#include "hsm/signed_log.h"
#include "hsm/bytes.h"
#include "temp_token.h"
#include "test_signers.h"

namespace trex::hsm {
namespace {

using testing::ControlledSigner;
using testing::read_log;
using testing::shared_signer;
using testing::shared_token;

SignedLogOptions options(Durability d) {
  SignedLogOptions o;
  o.dir = shared_token().new_log_dir();
  o.durability = d;
  o.log_name = "test-log";
  return o;
}

VerifyReport verify(const std::string& dir) { return verify_log(dir, shared_signer()->public_key()); }

std::string record(int i) { return R"({"decision_id":"d-)" + std::to_string(i) + R"(","result":true})"; }

TEST(SignedLog, LinesHaveTheExactFormat) {
  auto o = options(Durability::Sync);
  std::string error;
  auto log = SignedLog::open(o, shared_signer(), error);
  ASSERT_TRUE(log) << error;
  ASSERT_TRUE(log->append("decision", R"({"decision_id":"a", "n": 1.50e3})", error)) << error;
  log->close();

  auto lines = read_log(o.dir);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].file, o.dir + "/decisions-00000000000000000000.jsonl");
  EXPECT_EQ(lines[0].text, std::string(R"({"seq":0,"prev":")") + std::string(kZeroHash) +
                               R"(","kind":"decision","decision_id":"a","n":1.50e3})");
  // The checkpoint: prev = SHA-256 of line 0; its JWS payload carries this seq and head.
  LineHeader h;
  ASSERT_TRUE(parse_line(lines[1].text, h, error)) << error;
  EXPECT_EQ(h.seq, 1u);
  EXPECT_EQ(h.kind, "checkpoint");
  EXPECT_EQ(h.prev, sha256_hex(lines[0].text));
  std::string header_b64 = h.jws.substr(0, h.jws.find('.')), header;
  ASSERT_TRUE(base64url_decode(header_b64, header));
  EXPECT_EQ(header, R"({"alg":"ES256","kid":")" + shared_signer()->kid() + R"("})");
  std::string payload_b64 = h.jws.substr(h.jws.find('.') + 1, h.jws.rfind('.') - h.jws.find('.') - 1), payload;
  ASSERT_TRUE(base64url_decode(payload_b64, payload));
  std::vector<JsonField> f;
  ASSERT_TRUE(scan_object(payload, f, error));
  EXPECT_EQ(find_field(f, "log")->text, "test-log");
  EXPECT_EQ(find_field(f, "seq")->text, "1");
  EXPECT_EQ(find_field(f, "head")->text, h.prev);
  EXPECT_EQ(find_field(f, "ts")->text.size(), 24u);  // 2026-11-26T15:53:27.123Z
  EXPECT_EQ(find_field(f, "recovered_bytes"), nullptr);
  EXPECT_TRUE(verify(o.dir).ok()) << verify(o.dir).summary();
}

TEST(SignedLog, LightSyncLoadGivesEachDecisionItsOwnCheckpoint) {
  auto o = options(Durability::Sync);
  std::string error;
  auto log = SignedLog::open(o, shared_signer(), error);
  ASSERT_TRUE(log) << error;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->append(i % 2 ? "outcome" : "decision", record(i), error)) << error;
  EXPECT_EQ(log->stats().checkpoints, 5u);
  EXPECT_EQ(log->stats().records, 5u);
  log->close();
  auto r = verify(o.dir);
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(r.lines, 10u);
  EXPECT_EQ(r.decisions, 3u);
  EXPECT_EQ(r.outcomes, 2u);
  EXPECT_EQ(r.checkpoints, 5u);
}

TEST(SignedLog, SyncGroupCommitSharesCheckpointsAcrossThreads) {
  auto o = options(Durability::Sync);
  o.max_batch = 8;
  auto slow = std::make_shared<ControlledSigner>(shared_signer());
  slow->delay_ms = 5;  // while one checkpoint is signed, the other threads' records queue up
  std::string error;
  auto log = SignedLog::open(o, slow, error);
  ASSERT_TRUE(log) << error;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      std::string e;
      for (int i = 0; i < 20; ++i)
        if (log->append("decision", record(t * 100 + i), e)) ++ok;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 160);
  auto st = log->stats();
  EXPECT_EQ(st.records, 160u);
  EXPECT_LT(st.checkpoints, 100u) << "no group commit happened";
  log->close();

  // No batch is larger than max_batch.
  size_t run = 0, longest = 0;
  for (const auto& l : read_log(o.dir)) {
    run = l.text.find("\"kind\":\"checkpoint\"") != std::string::npos ? 0 : run + 1;
    longest = std::max(longest, run);
  }
  EXPECT_LE(longest, 8u);
  EXPECT_GT(longest, 1u);
  auto r = verify(o.dir);
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(r.decisions, 160u);
}

TEST(SignedLog, AsyncBatchesByCountAndFlushCoversEverything) {
  auto o = options(Durability::Async);
  o.max_batch = 50;
  o.max_delay_ms = 1000;  // long: the count must close the batches
  std::string error;
  auto log = SignedLog::open(o, shared_signer(), error);
  ASSERT_TRUE(log) << error;
  for (int i = 0; i < 120; ++i) ASSERT_TRUE(log->append("decision", record(i), error)) << error;
  ASSERT_TRUE(log->flush(error)) << error;
  auto st = log->stats();
  EXPECT_EQ(st.records, 120u);
  EXPECT_LE(st.checkpoints, 4u);  // 50 + 50 + 20 (the flush doesn't wait out the delay)
  EXPECT_GE(st.checkpoints, 3u);
  log->close();
  auto r = verify(o.dir);
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(r.decisions, 120u);
}

TEST(SignedLog, AsyncBatchClosesAfterMaxDelay) {
  auto o = options(Durability::Async);
  o.max_batch = 1000;
  o.max_delay_ms = 20;
  std::string error;
  auto log = SignedLog::open(o, shared_signer(), error);
  ASSERT_TRUE(log) << error;
  ASSERT_TRUE(log->append("decision", record(1), error)) << error;
  EXPECT_EQ(log->stats().checkpoints, 0u);  // waiting for more records
  for (int i = 0; i < 200 && log->stats().checkpoints == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(log->stats().checkpoints, 1u);
}

// The writer is woken for the record that fills a batch (not for every record): a full batch is written
// without waiting out a long max_delay.
TEST(SignedLog, AsyncFullBatchIsWrittenAtOnce) {
  auto o = options(Durability::Async);
  o.max_batch = 10;
  o.max_delay_ms = 10000;
  std::string error;
  auto log = SignedLog::open(o, shared_signer(), error);
  ASSERT_TRUE(log) << error;
  ASSERT_TRUE(log->append("decision", record(0), error)) << error;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the writer now waits for the batch to fill
  EXPECT_EQ(log->stats().checkpoints, 0u);
  for (int i = 1; i < 10; ++i) ASSERT_TRUE(log->append("decision", record(i), error)) << error;
  for (int i = 0; i < 400 && log->stats().checkpoints == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(log->stats().checkpoints, 1u);
  EXPECT_EQ(log->stats().records, 10u);
}

TEST(SignedLog, AsyncFullQueueIsAnErrorOrACountedDrop) {
  for (auto policy : {OverflowPolicy::Error, OverflowPolicy::Drop}) {
    auto o = options(Durability::Async);
    o.queue_capacity = 10;
    o.max_batch = 5;
    o.overflow = policy;
    auto gated = std::make_shared<ControlledSigner>(shared_signer());
    gated->close_gate();
    std::string error;
    auto log = SignedLog::open(o, gated, error);
    ASSERT_TRUE(log) << error;
    int accepted = 0, refused = 0;
    for (int i = 0; i < 30; ++i) {
      if (log->append("decision", record(i), error)) ++accepted;
      else {
        ++refused;
        EXPECT_NE(error.find("queue full"), std::string::npos) << error;
      }
    }
    // At most the queue plus one batch held by the blocked writer.
    EXPECT_LE(accepted, 15);
    EXPECT_EQ(accepted + refused, 30);
    auto st = log->stats();
    if (policy == OverflowPolicy::Drop) EXPECT_EQ(st.dropped, uint64_t(refused));
    else EXPECT_EQ(st.failed, uint64_t(refused));
    gated->open_gate();
    ASSERT_TRUE(log->flush(error)) << error;
    log->close();
    auto r = verify(o.dir);
    ASSERT_TRUE(r.ok()) << r.summary();
    EXPECT_EQ(r.decisions, uint64_t(accepted));
  }
}

TEST(SignedLog, SigningFailureFailsClosedAndRecovers) {
  auto o = options(Durability::Sync);
  auto flaky = std::make_shared<ControlledSigner>(shared_signer());
  std::string error;
  auto log = SignedLog::open(o, flaky, error);
  ASSERT_TRUE(log) << error;
  ASSERT_TRUE(log->append("decision", record(1), error)) << error;
  EXPECT_TRUE(log->healthy());

  flaky->fail = true;
  EXPECT_FALSE(log->append("decision", record(2), error));
  EXPECT_NE(error.find("signing the checkpoint failed"), std::string::npos) << error;
  EXPECT_FALSE(log->healthy());
  EXPECT_NE(log->last_error().find("CKR_DEVICE_REMOVED"), std::string::npos) << log->last_error();
  EXPECT_EQ(read_log(o.dir).size(), 2u) << "an unsigned line reached the file";

  flaky->fail = false;
  ASSERT_TRUE(log->append("decision", record(3), error)) << error;
  EXPECT_TRUE(log->healthy());
  log->close();
  auto r = verify(o.dir);
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(r.decisions, 2u);
}

TEST(SignedLog, AsyncRecordsSurviveASigningOutage) {
  auto o = options(Durability::Async);
  o.max_delay_ms = 1;
  auto flaky = std::make_shared<ControlledSigner>(shared_signer());
  flaky->fail = true;
  std::string error;
  auto log = SignedLog::open(o, flaky, error);
  ASSERT_TRUE(log) << error;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->append("decision", record(i), error)) << error;
  for (int i = 0; i < 200 && log->healthy(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(log->healthy());
  EXPECT_EQ(log->stats().records, 0u);
  flaky->fail = false;
  ASSERT_TRUE(log->flush(error)) << error;
  EXPECT_TRUE(log->healthy());
  log->close();
  auto r = verify(o.dir);
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(r.decisions, 5u);
}

TEST(SignedLog, RejectsBadRecordsAndKinds) {
  auto o = options(Durability::Sync);
  std::string error;
  auto log = SignedLog::open(o, shared_signer(), error);
  ASSERT_TRUE(log) << error;
  EXPECT_FALSE(log->append("checkpoint", "{}", error));
  EXPECT_FALSE(log->append("decision", R"({"seq":5})", error));
  EXPECT_NE(error.find("\"seq\""), std::string::npos) << error;
  EXPECT_FALSE(log->append("decision", R"({"a":1,"a":2})", error));
  EXPECT_FALSE(log->append("decision", R"([1,2])", error));
  EXPECT_FALSE(log->append("decision", R"({"a":1} x)", error));
  EXPECT_FALSE(log->append("decision", "{\"a\":\"\xff\"}", error));  // not UTF-8
  // A pretty-printed record becomes one line; numbers keep their spelling, whatever their size.
  ASSERT_TRUE(log->append("decision", "{\n  \"big\": 123456789012345678901234567890,\n  \"x\": {}\n}", error));
  ASSERT_TRUE(log->append("outcome", "{}", error));
  log->close();
  auto lines = read_log(o.dir);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_NE(lines[0].text.find(R"("kind":"decision","big":123456789012345678901234567890,"x":{}})"), std::string::npos)
      << lines[0].text;
  EXPECT_EQ(lines[2].text.substr(lines[2].text.size() - 17), R"("kind":"outcome"})");
  EXPECT_TRUE(verify(o.dir).ok());
}

TEST(SignedLog, RotatesSegmentsBySize) {
  auto o = options(Durability::Sync);
  o.segment_bytes = 1000;
  std::string error;
  auto log = SignedLog::open(o, shared_signer(), error);
  ASSERT_TRUE(log) << error;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->append("decision", record(i), error)) << error;
  log->close();
  std::vector<SegmentFile> segs;
  ASSERT_TRUE(list_segments(o.dir, segs, error));
  EXPECT_GE(segs.size(), 3u);
  for (size_t i = 1; i < segs.size(); ++i) EXPECT_EQ(segs[i].first_seq % 2, 0u);  // a batch never straddles files
  auto r = verify(o.dir);
  ASSERT_TRUE(r.ok()) << r.summary();
  EXPECT_EQ(r.segments, segs.size());
  EXPECT_EQ(r.lines, 20u);
}

TEST(SignedLog, AppendAsyncAnswersOnceDurableAndSharesCheckpoints) {
  auto o = options(Durability::Sync);
  std::string error;
  auto log = SignedLog::open(o, shared_signer(), error);
  ASSERT_TRUE(log) << error;
  // Many appends without blocking, as a server's event loop makes them: none may be answered before its
  // checkpoint is written, and together they need far fewer checkpoints than records.
  constexpr int kRecords = 200;
  std::atomic<int> answered{0}, failed{0};
  for (int i = 0; i < kRecords; ++i) {
    log->append_async("decision", record(i), [&](bool ok, const std::string&) {
      (ok ? answered : failed)++;
    }, /*compact=*/i % 2 == 0);
  }
  ASSERT_TRUE(log->flush(error)) << error;
  EXPECT_EQ(answered.load(), kRecords);
  EXPECT_EQ(failed.load(), 0);
  log->close();
  auto report = verify(o.dir);
  ASSERT_TRUE(report.ok()) << report.summary();
  EXPECT_EQ(report.decisions, static_cast<uint64_t>(kRecords));
  EXPECT_LT(report.checkpoints, static_cast<uint64_t>(kRecords));  // shared: appends do not wait for each other

  // A "compact" record that is not one object on one line is refused, at once.
  auto o2 = options(Durability::Sync);
  auto log2 = SignedLog::open(o2, shared_signer(), error);
  ASSERT_TRUE(log2) << error;
  bool called = false, ok = true;
  log2->append_async("decision", "{\"a\":1}\n{\"b\":2}", [&](bool k, const std::string&) {
    called = true;
    ok = k;
  }, /*compact=*/true);
  EXPECT_TRUE(called);
  EXPECT_FALSE(ok);
}

TEST(SignedLog, AppendAfterCloseFails) {
  auto o = options(Durability::Sync);
  std::string error;
  auto log = SignedLog::open(o, shared_signer(), error);
  ASSERT_TRUE(log) << error;
  log->close();
  EXPECT_FALSE(log->append("decision", "{}", error));
  EXPECT_NE(error.find("closed"), std::string::npos);
}

}  // namespace
}  // namespace trex::hsm
