// Packed documents (json::parse_packed): views must be indistinguishable from the Values json::parse builds —
// equality, order, hashing, lookups, iteration, numbers' exact value and float syntax — and safe to read from
// many threads at once.
//
// data/packed-corpus.jsonl holds the data and input documents of OPA's compliance cases (v1/, Apache License
// 2.0), one JSON document per line.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "rego/json.h"
#include "rego/number.h"
#include "rego/packed.h"

namespace rego {
namespace {

Value P(std::string_view text) {
  auto r = json::parse(text);
  EXPECT_TRUE(r.ok) << text << ": " << r.error;
  return r.value;
}

Value PP(std::string_view text) {
  auto r = json::parse_packed(text);
  EXPECT_TRUE(r.ok) << text << ": " << r.error;
  return r.value;
}

std::string W(const Value& v) { return json::write(v); }

int Sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

// Walks a (ordinary) and b (packed) together and checks every observable property.
void ExpectSame(const Value& a, const Value& b, const std::string& where) {
  ASSERT_EQ(a.kind(), b.kind()) << where;
  EXPECT_EQ(Value::compare(a, b), 0) << where;
  EXPECT_EQ(Value::compare(b, a), 0) << where;
  EXPECT_EQ(a.hash(), b.hash()) << where;
  EXPECT_STREQ(a.type_name(), b.type_name()) << where;
  EXPECT_EQ(a.size(), b.size()) << where;
  switch (a.kind()) {
    case Kind::Number:
      EXPECT_EQ(a.num_rep(), b.num_rep()) << where;
      EXPECT_EQ(a.float_syntax(), b.float_syntax()) << where;
      EXPECT_EQ(number::format(a), number::format(b)) << where;
      break;
    case Kind::String:
      EXPECT_EQ(a.as_string(), b.as_string()) << where;
      break;
    case Kind::Boolean:
      EXPECT_EQ(a.as_bool(), b.as_bool()) << where;
      break;
    case Kind::Array: {
      EXPECT_TRUE(b.is_packed_view()) << where;
      const auto& xs = a.as_array();
      const auto& ys = b.as_array();
      ASSERT_EQ(xs.size(), ys.size()) << where;
      for (size_t i = 0; i < xs.size(); ++i) ExpectSame(xs[i], ys[i], where + "[" + std::to_string(i) + "]");
      break;
    }
    case Kind::Object: {
      EXPECT_TRUE(b.is_packed_view()) << where;
      const auto& xs = a.as_object();
      const auto& ys = b.as_object();
      ASSERT_EQ(xs.size(), ys.size()) << where;
      for (size_t i = 0; i < xs.size(); ++i) {
        ExpectSame(xs[i].first, ys[i].first, where + " key");
        ExpectSame(xs[i].second, ys[i].second, where + "." + W(xs[i].first));
        const Value* g = b.get(xs[i].first.as_string());
        ASSERT_NE(g, nullptr) << where;
        EXPECT_EQ(Value::compare(*g, xs[i].second), 0) << where;
        const Value* gv = b.get(xs[i].first);
        ASSERT_NE(gv, nullptr) << where;
        EXPECT_EQ(gv, g) << where;
      }
      EXPECT_EQ(b.get("\x01no such key"), nullptr);
      EXPECT_EQ(b.get(Value::integer(1)), nullptr);
      break;
    }
    default:
      break;
  }
  EXPECT_EQ(W(a), W(b)) << where;
}

std::vector<std::string> Corpus() {
  std::ifstream in(std::string(TREX_REGO_TESTS_DIR) + "/data/packed-corpus.jsonl");
  std::vector<std::string> docs;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) docs.push_back(line);
  // Hand-written cases the compliance documents lack.
  docs.push_back(R"({"b": [1, 2, {"c": null}], "a": {}, "b2": [], "a": true, "z": [[], {}, [[]]]})");
  docs.push_back(R"([1, -1, 0, 268435455, 268435456, -268435456, -268435457, 2147483648, 9223372036854775807,
                     -9223372036854775808, 9223372036854775808, 18446744073709551617, 1.0, 5.0, -0.0, 0.0, 1e2,
                     1E400, -2E+401, 1e-400, 0.1234567890123456789, 25.507, 3.14, 1.5e300, 123456789012345678901234567890])");
  docs.push_back("{\"h\\u00e9llo\": \"\\ud83d\\ude00\", \"\xc3\xa9\": \"\xff bad \xed\xa0\x80\", \"\\ud800\": \"x\\u0000y\","
                 " \"\": \"\", \"\xf0\x9f\x98\x80\": [\"\xe6\x97\xa5\xe6\x9c\xac\"], \"a\": 1, \"A\": 2, \"~\": 3,"
                 " \"<&>\": \"\\u2028 <b>\", \"\\t\": {\"\\n\": [\"\\u007f\"]}}");
  docs.push_back(R"({"k": 1, "k": 2, "j": {"x": 1, "x": {"y": 3}}})");
  docs.push_back(R"([{"name": "a", "id": 1}, {"id": 2, "name": "b"}, {"name": "c"}, {"id": 3, "name": "a", "x": true}])");
  docs.push_back("[]");
  docs.push_back("{}");
  return docs;
}

TEST(Packed, SameAsParseOnCorpus) {
  auto docs = Corpus();
  ASSERT_GT(docs.size(), 100u);
  for (const auto& text : docs) {
    Value a = P(text);
    Value b = PP(text);
    // Written before anything is built (the writer reads the packed buffer directly), then compared in depth.
    for (bool pretty : {false, true}) {
      for (bool html : {false, true}) {
        EXPECT_EQ(json::write(a, {pretty, html}), json::write(b, {pretty, html})) << text;
      }
    }
    ExpectSame(a, b, text.substr(0, 80));
  }
}

TEST(Packed, OrderAndHashAgreeAcrossDocuments) {
  auto docs = Corpus();
  std::vector<Value> plain, packed;
  for (const auto& text : docs) {
    plain.push_back(P(text));
    packed.push_back(PP(text));
  }
  for (size_t i = 0; i < docs.size(); ++i) {
    for (size_t j = 0; j < docs.size(); ++j) {
      int want = Sign(Value::compare(plain[i], plain[j]));
      ASSERT_EQ(Sign(Value::compare(packed[i], packed[j])), want) << docs[i] << " vs " << docs[j];
      ASSERT_EQ(Sign(Value::compare(plain[i], packed[j])), want) << docs[i] << " vs " << docs[j];
      ASSERT_EQ(Sign(Value::compare(packed[i], plain[j])), want) << docs[i] << " vs " << docs[j];
    }
  }
  // Sets and objects built from views behave as with ordinary values.
  Value s1 = Value::set(plain), s2 = Value::set(packed);
  EXPECT_EQ(s1, s2);
  EXPECT_EQ(s1.hash(), s2.hash());
  for (const Value& v : plain) EXPECT_TRUE(s2.contains(v));
  for (const Value& v : packed) EXPECT_TRUE(s1.contains(v));
}

TEST(Packed, NumbersKeepValueAndSyntax) {
  Value a = P("[268435455, 268435456, -268435456, -268435457, 9223372036854775807, 1.0, 5.0, 1e2, 1E400, 25.507]");
  Value b = PP("[268435455, 268435456, -268435456, -268435457, 9223372036854775807, 1.0, 5.0, 1e2, 1E400, 25.507]");
  const auto& xs = b.as_array();
  EXPECT_EQ(xs[0].as_int(), 268435455);
  EXPECT_EQ(xs[1].as_int(), 268435456);
  EXPECT_EQ(xs[2].as_int(), -268435456);
  EXPECT_EQ(xs[3].as_int(), -268435457);
  EXPECT_EQ(xs[4].as_int(), INT64_MAX);
  EXPECT_TRUE(xs[5].is_int());
  EXPECT_TRUE(xs[5].float_syntax());
  EXPECT_FALSE(xs[0].float_syntax());
  EXPECT_EQ(xs[8].num_rep(), NumRep::Big);
  EXPECT_EQ(xs[9].num_rep(), NumRep::Float);
  EXPECT_TRUE(xs[9].float_syntax());
  ExpectSame(a, b, "numbers");
}

TEST(Packed, ScalarsAndErrors) {
  EXPECT_FALSE(PP("5").is_packed_view());
  EXPECT_EQ(PP(" \"x\" ").as_string(), "x");
  EXPECT_TRUE(PP("null").is_null());
  for (const char* bad : {"{\"a\":", "[1,]", "{\"a\" 1}", "[1] x", "", "[\"\\x\"]", "{\"a\":01}"}) {
    auto x = json::parse(bad);
    auto y = json::parse_packed(bad);
    EXPECT_FALSE(y.ok) << bad;
    EXPECT_EQ(x.error, y.error) << bad;
  }
  auto deep = json::parse_packed(std::string(20, '[') + std::string(20, ']'), 10);
  EXPECT_FALSE(deep.ok);
}

TEST(Packed, ViewsAreDistinctNodesAndOutliveTheRoot) {
  Value child;
  Value other;
  {
    Value root = PP(R"({"a": {"x": [1, 2]}, "b": {"x": [1, 2]}, "c": {"x": [1, 3]}})");
    EXPECT_NE(root.get("a")->node_ptr(), root.get("b")->node_ptr());
    EXPECT_EQ(*root.get("a"), *root.get("b"));
    EXPECT_NE(*root.get("a"), *root.get("c"));
    EXPECT_LT(*root.get("a"), *root.get("c"));
    Value copy = *root.get("a");
    EXPECT_EQ(copy.node_ptr(), root.get("a")->node_ptr());
    child = *root.get("a")->get("x");
    other = *root.get("c");
    EXPECT_EQ(child.size(), 2u);
    EXPECT_EQ(root.size(), 3u);
  }
  // The root and its caches are gone; the views keep the document alive.
  EXPECT_EQ(W(child), "[1,2]");
  EXPECT_EQ(W(other), R"({"x":[1,3]})");
  EXPECT_EQ(child.as_array()[1].as_int(), 2);
}

TEST(Packed, SizeDoesNotMaterialize) {
  Value root = PP(R"({"users": {"a": {"n": 1}, "b": {"n": 2}, "c": {"n": 3}}, "list": [1, 2, 3, 4]})");
  auto before = packed::stats(root);
  EXPECT_EQ(before.containers, 6u);
  EXPECT_EQ(before.shapes, 3u);  // {list,users}, {a,b,c}, and {n} shared by three records; arrays have none
  EXPECT_EQ(root.size(), 2u);
  const Value& users = *root.get("users");
  EXPECT_EQ(users.size(), 3u);
  EXPECT_EQ(root.get("list")->size(), 4u);
}

TEST(Packed, LookupsBeforeAndAfterBuildingTheObject) {
  const char* text = R"({"users": {"a": {"n": 1, "r": [1, {"x": "y"}]}, "b": {"n": 2, "r": []}}, "s": "str", "n": 5})";
  Value plain = P(text);
  Value root = PP(text);
  // Before anything is built: members that are containers come from the lookup path.
  const Value* a = root.get("users")->get("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a, root.get("users")->get("a"));  // stable
  EXPECT_EQ(*a, *plain.get("users")->get("a"));
  EXPECT_EQ(W(*a->get("r")), "[1,{\"x\":\"y\"}]");
  EXPECT_EQ(root.get("users")->get("c"), nullptr);
  EXPECT_EQ(root.get("users")->get(""), nullptr);
  EXPECT_EQ(root.get("users")->get(Value::integer(1)), nullptr);
  EXPECT_EQ(root.get("s")->as_string(), "str");  // a scalar member builds the object
  EXPECT_EQ(root.get(Value::string("n"))->as_int(), 5);
  // After the object is built, lookups agree.
  ExpectSame(plain, root, "after");
  EXPECT_EQ(*root.get("users")->get("a"), *a);
}

// Objects of more than 16 keys are binary-searched, before they are built (container members do not build
// them) and after (a scalar member does).
TEST(Packed, LookupsInABigObject) {
  std::string text = "{";
  for (int i = 0; i < 40; ++i) text += (i ? ",\"u" : "\"u") + std::to_string(100 + i * 13 % 40) + "\": [" + std::to_string(i) + "]";
  text += ", \"\": \"empty\"}";
  Value root = PP(text);
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE(pass);
    for (int i = 0; i < 40; ++i) {
      const Value* v = root.get("u" + std::to_string(100 + i * 13 % 40));
      ASSERT_NE(v, nullptr);
      EXPECT_EQ(W(*v), "[" + std::to_string(i) + "]");
    }
    EXPECT_EQ(root.get("u1"), nullptr);
    EXPECT_EQ(root.get("u1400"), nullptr);
    EXPECT_EQ(root.get("v"), nullptr);
    EXPECT_EQ(root.get("")->as_string(), "empty");  // builds the object for the second pass
  }
  ExpectSame(P(text), root, "big object");
}

// One KeyHint serves one lookup site for every object it meets (evaluator refs such as `x.name`): objects of
// other shapes, without the key, smaller than the hinted position, packed before and after their elements are
// built, and ordinary ones must all answer as a lookup without a hint does.
TEST(Packed, HintedLookupsAcrossShapes) {
  const std::string text = R"([{"name": "a", "id": 1}, {"zone": 2, "name": "b", "age": 3, "id": 4},
    {"id": 5}, {}, {"k1": 1, "k2": 2, "k3": 3, "k4": 4, "k5": 5, "name": "c"}, {"name": "d"}, [1], "s"])";
  for (const Value& doc : {P(text), PP(text)}) {
    for (int round = 0; round < 2; ++round) {  // the second round after as_object() built every packed object
      KeyHint name_hint, id_hint;
      for (int pass = 0; pass < 3; ++pass) {
        for (const Value& item : doc.as_array()) {
          for (const char* key : {"name", "id", "missing"}) {
            const KeyHint& hint = key[0] == 'i' ? id_hint : name_hint;  // "missing" shares name's hint
            const Value* plain = item.get(key);
            const Value* hinted = item.get(key, hint);
            ASSERT_EQ(plain == nullptr, hinted == nullptr) << W(item) << " " << key;
            if (plain) {
              EXPECT_EQ(*plain, *hinted) << W(item) << " " << key;
            }
          }
        }
      }
      for (const Value& item : doc.as_array())
        if (item.is_object()) item.as_object();
    }
  }
  KeyHint far;
  far.store(1000);
  EXPECT_EQ(*P(R"({"x": 1})").get("x", far), Value::integer(1));
  EXPECT_EQ(far.load(), 0u);
}

TEST(Packed, ConsumingOverloadOnABigText) {
  // Past 8 MiB the consuming overload gives the read pages back as it goes.
  std::string text = "{\"users\": {";
  for (int i = 0; i < 120000; ++i) {
    if (i) text += ",";
    text += "\"u" + std::to_string(1000000 + i) + "\": {\"name\": \"user" + std::to_string(i) +
            "\", \"roles\": [\"dev\", \"ops\"], \"quota\": " + std::to_string(i * 7919) + ", \"score\": " +
            std::to_string(i % 100) + ".25, \"tags\": {\"region\": \"eu\", \"tier\": \"gold\"}}";
  }
  text += "}}";
  ASSERT_GT(text.size(), size_t{8} << 20);
  Value a = P(text);
  auto r = json::parse_packed(std::string(text));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(a, r.value);
  EXPECT_EQ(a.hash(), r.value.hash());
  EXPECT_EQ(W(a), W(r.value));
  const auto& users = a.get("users")->as_object();
  for (size_t i = 0; i < users.size(); i += 997) {
    ExpectSame(users[i].second, *r.value.get("users")->get(users[i].first), users[i].first.as_string());
  }
}

TEST(Packed, ConcurrentReadersMaterializeTheSameContainers) {
  std::string text = "{\"users\": {";
  for (int i = 0; i < 2000; ++i) {
    if (i) text += ",";
    text += "\"u" + std::to_string(i) + "\": {\"name\": \"n" + std::to_string(i % 50) +
            "\", \"roles\": [\"a\", \"b\", {\"deep\": [" + std::to_string(i) + "]}], \"n\": " + std::to_string(i) + "}";
  }
  text += "}, \"list\": [";
  for (int i = 0; i < 3000; ++i) text += (i ? ",[" : "[") + std::to_string(i) + ", {\"k\": \"v\"}]";
  text += "]}";
  Value plain = P(text);
  size_t want_hash = plain.hash();
  std::string want_json = W(plain);
  for (int round = 0; round < 5; ++round) {
    Value root = PP(text);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        // Different threads touch the same containers in different orders and through different accessors.
        const Value& users = *root.get("users");
        if (t < 4) {  // lookups first, racing with the threads that build the objects
          for (int k = 0; k < 2000; ++k) {
            int i = (t % 2) ? 1999 - k : k;
            const Value* u = users.get("u" + std::to_string(i));
            if (!u || *u->get("n") != Value::integer(i)) failures++;
            if (u && u->get("roles")->as_array()[2].get("deep")->size() != 1) failures++;
          }
        }
        const auto& es = users.as_object();
        for (size_t k = 0; k < es.size(); ++k) {
          size_t i = (t % 2) ? es.size() - 1 - k : k;
          const Value& u = es[i].second;
          const Value* roles = u.get("roles");
          if (!roles || roles->as_array().size() != 3) failures++;
          if (roles && roles->as_array()[2].get("deep")->as_array()[0] != *u.get("n")) failures++;
          if (u.hash() != plain.get("users")->get(es[i].first)->hash()) failures++;
        }
        if (Value(root) != plain) failures++;
        if (root.hash() != want_hash) failures++;
        if (W(root) != want_json) failures++;
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
  }
}

}  // namespace
}  // namespace rego
