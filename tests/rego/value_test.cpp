// Values: construction invariants, OPA's total order, hashing, lookups, sharing.
#include "rego/value.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <unordered_set>

#include "rego/number.h"

namespace rego {
namespace {

Value I(int64_t i) { return Value::integer(i); }
Value S(const char* s) { return Value::string(s); }
Value A(std::vector<Value> xs) { return Value::array(std::move(xs)); }
Value Set(std::vector<Value> xs) { return Value::set(std::move(xs)); }
Value O(std::vector<ObjectEntry> es) { return Value::object(std::move(es)); }

TEST(Value, KindsOrderAsOpa) {
  // null < boolean < number < string < array < object < set
  std::vector<Value> ordered = {Value::null(), Value::boolean(false), Value::boolean(true), I(-5),
                                Value::floating(0.5), I(1), *number::parse("1e400"), S(""), S("a"), S("b"),
                                A({}), A({I(1)}), O({}), O({{S("a"), I(1)}}), Set({}), Set({I(1)})};
  for (size_t i = 0; i < ordered.size(); ++i) {
    for (size_t j = 0; j < ordered.size(); ++j) {
      int c = Value::compare(ordered[i], ordered[j]);
      int want = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ((c > 0) - (c < 0), want) << i << " vs " << j;
    }
  }
}

TEST(Value, Basics) {
  EXPECT_TRUE(Value().is_null());
  EXPECT_STREQ(Value().type_name(), "null");
  EXPECT_STREQ(Value::boolean(true).type_name(), "boolean");
  EXPECT_STREQ(I(1).type_name(), "number");
  EXPECT_STREQ(Value::floating(1.5).type_name(), "number");
  EXPECT_STREQ(S("x").type_name(), "string");
  EXPECT_STREQ(A({}).type_name(), "array");
  EXPECT_STREQ(O({}).type_name(), "object");
  EXPECT_STREQ(Set({}).type_name(), "set");
  EXPECT_EQ(S("abc").size(), 0u);
  EXPECT_EQ(A({I(1), I(1)}).size(), 2u);
  EXPECT_EQ(I(7).size(), 0u);
  EXPECT_TRUE(Value::true_value().as_bool());
  EXPECT_FALSE(Value::false_value().as_bool());
  EXPECT_EQ(Value::empty_array().size(), 0u);
  EXPECT_TRUE(Value::empty_object().is_object());
  EXPECT_TRUE(Value::empty_set().is_set());
  EXPECT_EQ(Value::string(std::string_view("a\0b", 3)).as_string().size(), 3u);
}

// Key lookups compare keys in words of 8 or 4 bytes (value.cpp's same_bytes): keys of every length up to and
// past 16 bytes, differing from each other only in their first, a middle or their last byte, are each found,
// and a key differing from all of them is not — in plain objects (scanned, up to 16 keys, or searched) and in
// lookups with and without a hint.
TEST(Value, KeysOfEveryLengthAreFoundExactly) {
  for (size_t len = 1; len <= 20; ++len) {
    std::vector<std::string> keys;
    for (size_t pos : std::set<size_t>{0, len / 2, len - 1}) {
      std::string k(len, 'k');
      k[pos] = 'x';
      keys.push_back(k);
    }
    keys.push_back(std::string(len, 'k'));
    std::vector<ObjectEntry> small, large;
    for (size_t i = 0; i < keys.size(); ++i) small.emplace_back(S(keys[i].c_str()), I(static_cast<int64_t>(i)));
    large = small;
    for (int i = 0; i < 20; ++i) large.emplace_back(S(("filler" + std::to_string(i)).c_str()), I(-1));
    for (const Value& obj : {O(small), O(large)}) {
      KeyHint hint;
      for (size_t i = 0; i < keys.size(); ++i) {
        ASSERT_NE(obj.get(keys[i]), nullptr) << keys[i];
        EXPECT_EQ(*obj.get(keys[i]), I(static_cast<int64_t>(i))) << keys[i];
        ASSERT_NE(obj.get(keys[i], hint), nullptr) << keys[i];
        EXPECT_EQ(*obj.get(keys[i], hint), I(static_cast<int64_t>(i))) << keys[i];
      }
      std::string absent(len, 'y');
      EXPECT_EQ(obj.get(absent), nullptr) << absent;
      EXPECT_EQ(obj.get(absent, hint), nullptr) << absent;
    }
  }
}

TEST(Value, StringsCompareAsBytes) {
  EXPECT_LT(S("a"), S("ab"));
  EXPECT_LT(S("B"), S("a"));
  EXPECT_LT(S("z"), S("\xc3\xa9"));  // UTF-8 bytes >= 0x80 sort after ASCII
  EXPECT_EQ(S("same"), S("same"));
  EXPECT_LT(Value::string(std::string_view("a\0", 2)), S("a\x01"));
}

TEST(Value, ArraysElementwiseThenLength) {
  EXPECT_LT(A({I(1), I(2)}), A({I(1), I(3)}));
  EXPECT_LT(A({I(1), I(2)}), A({I(1), I(2), I(0)}));
  EXPECT_LT(A({I(1), I(9), I(9)}), A({I(2)}));
  EXPECT_EQ(A({I(1), Value::floating(2.0)}), A({I(1), I(2)}));
}

TEST(Value, SetsSortAndDedup) {
  Value s = Set({I(3), I(1), S("x"), I(1), Value::floating(3.0), Value::null()});
  ASSERT_EQ(s.size(), 4u);
  EXPECT_TRUE(s.as_set()[0].is_null());
  EXPECT_EQ(s.as_set()[1], I(1));
  EXPECT_EQ(s.as_set()[2], I(3));
  EXPECT_EQ(s.as_set()[3], S("x"));
  EXPECT_TRUE(s.contains(I(3)));
  EXPECT_TRUE(s.contains(Value::floating(1.0)));
  EXPECT_FALSE(s.contains(I(2)));
  EXPECT_FALSE(A({I(1)}).contains(I(1)));
  // Sets compare by their sorted elements, then size.
  EXPECT_EQ(Set({I(2), I(1)}), Set({I(1), I(2)}));
  EXPECT_LT(Set({I(1), I(2)}), Set({I(1), I(3)}));
  EXPECT_LT(Set({I(1), I(2)}), Set({I(1), I(2), I(3)}));
  EXPECT_LT(Set({I(1), I(3)}), Set({I(2)}));
}

TEST(Value, ObjectsSortKeysLastDuplicateWins) {
  Value o = O({{S("b"), I(1)}, {S("a"), I(2)}, {S("b"), I(3)}, {I(7), S("num")}});
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o.as_object()[0].first, I(7));
  EXPECT_EQ(o.as_object()[1].first, S("a"));
  EXPECT_EQ(o.as_object()[2].first, S("b"));
  EXPECT_EQ(*o.get(S("b")), I(3));
  EXPECT_EQ(*o.get("a"), I(2));
  EXPECT_EQ(*o.get(Value::floating(7.0)), S("num"));
  EXPECT_EQ(o.get("c"), nullptr);
  EXPECT_EQ(o.get(""), nullptr);
  EXPECT_EQ(S("a").get("a"), nullptr);
  // String keys only (a JSON object's case): the same order, and the last duplicate still wins.
  Value strings = O({{S("b"), I(1)}, {S("a"), I(2)}, {S("b"), I(3)}, {S(""), I(4)}, {S("a"), I(5)}, {S("ab"), I(6)}});
  ASSERT_EQ(strings.size(), 4u);
  EXPECT_EQ(strings, O({{S(""), I(4)}, {S("a"), I(5)}, {S("ab"), I(6)}, {S("b"), I(3)}}));
  EXPECT_EQ(strings.as_object()[0].first, S(""));
  EXPECT_EQ(strings.as_object()[3].second, I(3));
  Value composite = O({{A({I(1)}), I(1)}, {Set({S("k")}), I(2)}});
  EXPECT_EQ(*composite.get(A({I(1)})), I(1));
  EXPECT_EQ(*composite.get(Set({S("k")})), I(2));
  EXPECT_EQ(composite.get("k"), nullptr);
}

// Lookups by string scan small objects and binary-search big ones (more than 16 keys); keys of other kinds
// sort before strings (null, booleans, numbers) or after them (collections) and must not derail either.
TEST(Value, LookupsInSmallAndBigObjectsWithMixedKeys) {
  for (int n : {3, 16, 17, 40}) {
    std::vector<ObjectEntry> es = {{I(1), S("one")}, {Value::boolean(true), S("t")}, {A({I(1)}), S("arr")}};
    for (int i = 0; i < n; ++i) {
      std::string k = "k" + std::to_string(i * 7 % n);
      es.emplace_back(Value::string(k), I(i));
      es.emplace_back(Value::string(k + "x"), I(-i));
    }
    es.emplace_back(S(""), S("empty"));
    Value o = O(es);
    SCOPED_TRACE(n);
    for (int i = 0; i < n; ++i) {
      std::string k = "k" + std::to_string(i * 7 % n);
      ASSERT_NE(o.get(k), nullptr) << k;
      EXPECT_EQ(*o.get(k), I(i));
      EXPECT_EQ(*o.get(Value::string(k + "x")), I(-i));
    }
    EXPECT_EQ(*o.get(""), S("empty"));
    EXPECT_EQ(*o.get(I(1)), S("one"));
    EXPECT_EQ(*o.get(A({I(1)})), S("arr"));
    EXPECT_EQ(o.get("k"), nullptr);
    EXPECT_EQ(o.get("kx"), nullptr);
    EXPECT_EQ(o.get("zzz"), nullptr);
    EXPECT_EQ(o.get("\x01"), nullptr);
  }
}

TEST(Value, ObjectsCompareKeyThenValuePairwise) {
  // OPA: for each index compare key i, then value i; then by size.
  EXPECT_LT(O({{S("a"), I(1)}, {S("b"), I(2)}}), O({{S("a"), I(1)}, {S("c"), I(0)}}));
  EXPECT_LT(O({{S("a"), I(1)}, {S("b"), I(1)}}), O({{S("a"), I(2)}}));
  EXPECT_LT(O({{S("a"), I(1)}}), O({{S("a"), I(1)}, {S("b"), I(1)}}));
  EXPECT_LT(O({{S("a"), I(9)}}), O({{S("b"), I(0)}}));
  EXPECT_EQ(O({{S("x"), A({I(1)})}, {S("y"), Value::null()}}), O({{S("y"), Value::null()}, {S("x"), A({I(1)})}}));
}

TEST(Value, HashConsistentWithEquality) {
  std::vector<std::pair<Value, Value>> equal = {
      {I(3), Value::floating(3.0)},
      {I(0), Value::floating(-0.0)},
      {A({I(1), S("x")}), A({Value::floating(1.0), S("x")})},
      {Set({I(2), I(1)}), Set({I(1), I(2), I(2)})},
      {O({{S("a"), I(1)}, {S("b"), I(2)}}), O({{S("b"), Value::floating(2.0)}, {S("a"), I(1)}})},
      {*number::parse("18446744073709551616"), Value::floating(18446744073709551616.0)},
      {S("hello"), Value::string(std::string("hello"))},
  };
  for (const auto& [a, b] : equal) {
    EXPECT_EQ(a, b);
    EXPECT_EQ(a.hash(), b.hash());
  }
  EXPECT_NE(A({}).hash(), Set({}).hash());
  EXPECT_NE(A({I(1), I(2)}).hash(), A({I(2), I(1)}).hash());
  std::unordered_set<Value, ValueHash> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(I(i % 100));
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_TRUE(seen.count(Value::floating(42.0)));
}

TEST(Value, CopiesShareNodes) {
  Value a = A({S("x"), S("y")});
  Value b = a;
  EXPECT_EQ(a.node_ptr(), b.node_ptr());
  Value c = std::move(b);
  EXPECT_TRUE(b.is_null());  // NOLINT: moved-from is null by contract
  EXPECT_EQ(c.node_ptr(), a.node_ptr());
  c = a;  // self-equivalent assignment keeps the node alive
  EXPECT_EQ(c.as_array()[1], S("y"));
  c = c;
  EXPECT_EQ(c.as_array().size(), 2u);
  EXPECT_EQ(I(5).node_ptr(), nullptr);
}

TEST(Value, ConcurrentSharingIsSafe) {
  Value shared = O({{S("k"), A({S("v1"), S("v2")})}});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([shared] {
      for (int i = 0; i < 10000; ++i) {
        Value copy = shared;
        Value inner = *copy.get("k");
        EXPECT_EQ(inner.size(), 2u);
        (void)copy.hash();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(shared.get("k")->size(), 2u);
}

TEST(Value, DeepNestingDestroys) {
  Value v = A({});
  for (int i = 0; i < 10000; ++i) v = A({v});
  EXPECT_EQ(v.size(), 1u);
  v = Value();  // releases the whole chain
  EXPECT_TRUE(v.is_null());
}

}  // namespace
}  // namespace rego
