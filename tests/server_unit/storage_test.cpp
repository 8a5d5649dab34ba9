// Storage paths and snapshot transactions (src/server/storage_path.h, store.h).
#include <gtest/gtest.h>

#include <thread>

#include "rego/json.h"
#include "server/store.h"

namespace trex::server {
namespace {

rego::Value J(const char* text) {
  auto r = rego::json::parse(text);
  EXPECT_TRUE(r.ok) << text;
  return r.value;
}

TEST(StoragePath, ParsesAndDecodesSegments) {
  StoragePath p;
  ASSERT_TRUE(parse_storage_path("/a/b%2Fc//0/", p));
  EXPECT_EQ(p, (StoragePath{"a", "b/c", "0"}));
  EXPECT_FALSE(parse_storage_path("/a/%zz", p));
  EXPECT_EQ(path_string({}), "/");
  EXPECT_EQ(path_string({"a", "b"}), "/a/b");
}

TEST(StoragePath, ReadsObjectsAndArrays) {
  auto doc = J(R"({"a": {"b": [10, 20, {"c": true}]}})");
  StorageError err;
  EXPECT_EQ(*storage_read(doc, {"a", "b", "1"}, err), J("20"));
  EXPECT_EQ(*storage_read(doc, {"a", "b", "2", "c"}, err), J("true"));
  EXPECT_FALSE(storage_read(doc, {"a", "x"}, err));
  EXPECT_EQ(err.kind, StorageErrorKind::NotFound);
  EXPECT_EQ(err.message, "storage_not_found_error: /a/x: document does not exist");
  EXPECT_FALSE(storage_read(doc, {"a", "b", "7"}, err));
}

TEST(StoragePath, WritesCopyOnWrite) {
  auto doc = J(R"({"a": {"b": [1, 2]}, "keep": {"x": 1}})");
  StorageError err;
  auto added = storage_write(doc, PatchOp::Add, {"a", "b", "-"}, J("3"), err);
  ASSERT_TRUE(added);
  EXPECT_EQ(*added, J(R"({"a": {"b": [1, 2, 3]}, "keep": {"x": 1}})"));
  EXPECT_EQ(doc, J(R"({"a": {"b": [1, 2]}, "keep": {"x": 1}})"));  // the old root is untouched
  // Untouched subtrees are shared, not copied.
  EXPECT_EQ(added->get("keep")->node_ptr(), doc.get("keep")->node_ptr());

  auto inserted = storage_write(doc, PatchOp::Add, {"a", "b", "0"}, J("0"), err);
  EXPECT_EQ(*inserted, J(R"({"a": {"b": [0, 1, 2]}, "keep": {"x": 1}})"));
  auto replaced = storage_write(doc, PatchOp::Replace, {"keep", "x"}, J("2"), err);
  EXPECT_EQ(*replaced->get("keep"), J(R"({"x": 2})"));
  auto removed = storage_write(doc, PatchOp::Remove, {"a", "b", "0"}, rego::Value(), err);
  EXPECT_EQ(*removed->get("a"), J(R"({"b": [2]})"));

  EXPECT_FALSE(storage_write(doc, PatchOp::Replace, {"keep", "nope"}, J("1"), err));
  EXPECT_EQ(err.kind, StorageErrorKind::NotFound);
  EXPECT_FALSE(storage_write(doc, PatchOp::Add, {"missing", "x"}, J("1"), err));
  EXPECT_FALSE(storage_write(doc, PatchOp::Add, {}, J("[1]"), err));
  EXPECT_EQ(err.kind, StorageErrorKind::InvalidPatch);
}

TEST(StoragePath, MakeDirAndNonEmpty) {
  auto doc = J(R"({"s": 5})");
  StorageError err;
  auto made = storage_make_dir(doc, {"a", "b"}, err);
  ASSERT_TRUE(made);
  EXPECT_EQ(*made, J(R"({"s": 5, "a": {"b": {}}})"));
  EXPECT_FALSE(storage_make_dir(doc, {"s", "t"}, err));
  EXPECT_EQ(err.kind, StorageErrorKind::WriteConflict);
  EXPECT_TRUE(storage_non_empty(doc, {"s"}));
  EXPECT_TRUE(storage_non_empty(doc, {"s", "below"}));  // a scalar above the path
  EXPECT_FALSE(storage_non_empty(*made, {"a", "b", "c"}));
}

TEST(Store, CommitPublishesAndAbortDiscards) {
  Store store;
  auto before = store.snapshot();
  {
    auto txn = store.begin();
    ASSERT_FALSE(txn.write(PatchOp::Add, {"x"}, J("1")));
  }  // no commit
  EXPECT_EQ(store.snapshot(), before);
  {
    auto txn = store.begin();
    ASSERT_FALSE(txn.write(PatchOp::Add, {"x"}, J("1")));
    ASSERT_FALSE(txn.commit());
  }
  EXPECT_EQ(*store.snapshot()->data.get("x"), J("1"));
  EXPECT_EQ(store.snapshot()->version, before->version + 1);
}

TEST(Store, BadPolicyKeepsOldSnapshot) {
  Store store;
  {
    auto txn = store.begin();
    txn.upsert_policy("p.rego", "package p\n\nx := 1\n");
    ASSERT_FALSE(txn.commit());
  }
  auto good = store.snapshot();
  auto txn = store.begin();
  txn.upsert_policy("p.rego", "package p\n\nx := y\n");
  auto err = txn.commit();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, WriteError::Compile);
  EXPECT_EQ(store.snapshot(), good);
}

// The server sends a request off its event loop when the current policy set calls the network.
TEST(Store, KnowsWhetherThePoliciesCallTheNetwork) {
  Store store;
  EXPECT_FALSE(store.policy_calls_network());
  auto commit = [&store](auto&& change) {
    auto txn = store.begin();
    change(txn);
    ASSERT_FALSE(txn.commit());
  };
  commit([](Transaction& txn) { txn.upsert_policy("a.rego", "package a\n\nx := 1\n"); });
  EXPECT_FALSE(store.policy_calls_network());
  commit([](Transaction& txn) {
    txn.upsert_policy("b.rego", "package b\n\nr := http.send({\"method\": \"get\", \"url\": input.u})\n");
  });
  EXPECT_TRUE(store.policy_calls_network());
  commit([](Transaction& txn) { txn.write(PatchOp::Add, {"d"}, rego::Value::integer(1)); });  // data only
  EXPECT_TRUE(store.policy_calls_network());
  commit([](Transaction& txn) { txn.delete_policy("b.rego"); });
  EXPECT_FALSE(store.policy_calls_network());
}

TEST(Store, DataConflictingWithRulesIsRejected) {
  Store store;
  {
    auto txn = store.begin();
    txn.upsert_policy("p.rego", "package p\n\nallow := true\n");
    ASSERT_FALSE(txn.commit());
  }
  auto txn = store.begin();
  ASSERT_FALSE(txn.make_dir({"p"}));
  ASSERT_FALSE(txn.write(PatchOp::Add, {"p", "allow"}, J("false")));
  auto err = txn.commit();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, WriteError::PathConflict);
  ASSERT_EQ(err->errors.size(), 1u);
  EXPECT_EQ(err->errors[0].message, "conflicting rule for data path p/allow found");
}

TEST(Store, BundleRootsOwnTheirPaths) {
  Store store;
  auto txn = store.begin();
  txn.set_bundles({{"b1", "rev", {"apps/billing"}}});
  EXPECT_TRUE(txn.check_scope({"apps", "billing", "x"}));
  EXPECT_TRUE(txn.check_scope({"apps"}));  // writing a parent would overwrite the bundle's data
  EXPECT_FALSE(txn.check_scope({"apps", "search"}));
  auto root = txn.check_scope({});
  ASSERT_TRUE(root);
  EXPECT_EQ(root->message, "can't write to document root with bundle roots configured");
}

TEST(Store, ReadersSeeWholeSnapshotsWhileWritersCommit) {
  Store store;
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    while (!stop) {
      auto snap = store.snapshot();
      const rego::Value* a = snap->data.get("a");
      const rego::Value* b = snap->data.get("b");
      if ((a == nullptr) != (b == nullptr) || (a && !(*a == *b))) torn++;
    }
  });
  for (int i = 0; i < 300; ++i) {
    auto txn = store.begin();
    ASSERT_FALSE(txn.write(PatchOp::Add, {"a"}, rego::Value::integer(i)));
    ASSERT_FALSE(txn.write(PatchOp::Add, {"b"}, rego::Value::integer(i)));
    ASSERT_FALSE(txn.commit());
  }
  stop = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0);
}

}  // namespace
}  // namespace trex::server
