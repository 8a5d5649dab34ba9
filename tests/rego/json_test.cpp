// JSON: parsing into Values, errors, and Go encoding/json-compatible output.
#include "rego/json.h"

#include <gtest/gtest.h>

#include "rego/number.h"

namespace rego {
namespace {

// "head" followed by n zeros and then "tail" (built with append: GCC 12 misfires -Wrestrict on "lit" + string).
std::string Zeros(const char* head, size_t n, const char* tail = "") {
  std::string s = head;
  s.append(n, '0');
  s += tail;
  return s;
}

Value P(std::string_view text) {
  auto r = json::parse(text);
  EXPECT_TRUE(r.ok) << text << ": " << r.error;
  return r.value;
}

std::string W(const Value& v, bool pretty = false, bool html = true) {
  return json::write(v, json::WriteOptions{pretty, html});
}

std::string RoundTrip(std::string_view text) { return W(P(text)); }

TEST(JsonParse, Scalars) {
  EXPECT_TRUE(P("null").is_null());
  EXPECT_TRUE(P("true").as_bool());
  EXPECT_FALSE(P(" false ").as_bool());
  EXPECT_EQ(P("12").as_int(), 12);
  EXPECT_EQ(P("-1.5").num_rep(), NumRep::Float);
  EXPECT_EQ(P("\"h\\u00e9llo\\n\"").as_string(), "h\xc3\xa9llo\n");
  EXPECT_EQ(P("\"\\ud83d\\ude00\"").as_string(), "\xf0\x9f\x98\x80");
  EXPECT_EQ(P("\"a\\u0000b\"").as_string(), std::string("a\0b", 3));
}

TEST(JsonParse, NumbersStayExact) {
  EXPECT_EQ(P("18446744073709551617").num_rep(), NumRep::Big);
  EXPECT_EQ(RoundTrip("[18446744073709551617, 0.1234567890123456789, 1e-400, 1.0, 1e2]"),
            Zeros("[18446744073709551617,0.1234567890123456789,0.", 399, "1,1,100]"));
  EXPECT_EQ(RoundTrip("123456789012345678901234567890"), "123456789012345678901234567890");
  // Beyond double range: still exact (RapidJSON 1.1.0 would reject these).
  EXPECT_EQ(RoundTrip("[1e400, -2E+401]"), Zeros("[1", 400, ",-2") + Zeros("", 401, "]"));
  EXPECT_EQ(RoundTrip(Zeros("1", 500)), Zeros("1", 500));
}

TEST(JsonParse, Collections) {
  Value v = P(R"({"b": [1, 2, {"c": null}], "a": {}, "b2": [], "a": true})");
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.size(), 3u);
  EXPECT_TRUE(v.get("a")->as_bool());  // last duplicate wins, as Go's decoder
  EXPECT_EQ(v.get("b")->size(), 3u);
  EXPECT_TRUE(v.get("b")->as_array()[2].get("c")->is_null());
  EXPECT_EQ(W(v), R"({"a":true,"b":[1,2,{"c":null}],"b2":[]})");
}

TEST(JsonParse, WhitespaceOfEveryKindAndLength) {
  // Indentation runs shorter and longer than the eight bytes the reader skips at once, ending at the text's
  // end or at any token; tabs, CRs and CRLF line ends; and bytes that are not JSON whitespace.
  for (size_t n : {0, 1, 7, 8, 9, 16, 17}) {
    std::string pad(n, ' ');
    std::string text = "\n" + pad + "{\n" + pad + "\"a\"\n" + pad + ":\r\n" + pad + "[\t1,\n" + pad + "2\n" + pad +
                       "]\n" + pad + "}\n" + pad;
    EXPECT_EQ(W(P(text)), R"({"a":[1,2]})") << n;
  }
  EXPECT_FALSE(json::parse("[1,\n        \x0b2]").ok);  // vertical tab
  EXPECT_FALSE(json::parse("[1,\n        \f2]").ok);    // form feed
  EXPECT_FALSE(json::parse("\n\x01").ok);
  EXPECT_EQ(json::parse("[1,\n         x]").error, "invalid JSON at offset 13: Invalid value.");  // after 9 spaces
}

TEST(JsonParse, StringsOfEveryLengthWithEachKindOfByteAnywhere) {
  // The reader scans strings 16 and 8 bytes at a time: a byte that ends the plain run (quote, backslash, control
  // character) or is not ASCII is found at every place in a run, in the first step, the last, or the bytes
  // after the last whole step, and with the text ending right after the string or later.
  for (size_t n = 0; n <= 40; ++n) {
    for (size_t at = 0; at < n; ++at) {
      const std::string before(at, 'a'), after(n - at - 1, 'b');
      for (const char* tail : {"", "  "}) {
        auto text = [&](const std::string& middle) { return "\"" + before + middle + after + "\"" + tail; };
        EXPECT_EQ(P(text("\\n")).as_string(), before + "\n" + after) << n << " " << at;
        EXPECT_EQ(P(text("\\\"")).as_string(), before + "\"" + after) << n << " " << at;
        EXPECT_EQ(P(text("\xc3\xa9")).as_string(), before + "\xc3\xa9" + after) << n << " " << at;  // é
        EXPECT_EQ(P(text("\xff")).as_string(), before + "\xef\xbf\xbd" + after) << n << " " << at;
        EXPECT_EQ(P(text("\x7f")).as_string(), before + "\x7f" + after) << n << " " << at;  // DEL is no control
        EXPECT_EQ(P(text(" ")).as_string(), before + " " + after) << n << " " << at;
        for (char control : {'\x01', '\x1f', '\t', '\n'}) {
          auto r = json::parse(text(std::string(1, control)));
          EXPECT_EQ(r.error, "invalid JSON at offset " + std::to_string(at + 1) + ": Invalid encoding in string.")
              << n << " " << at;
        }
      }
    }
  }
}

TEST(JsonParse, UnpairedSurrogatesBecomeReplacement) {
  // Go's decoder (and so OPA) substitutes U+FFFD rather than failing.
  EXPECT_EQ(P(R"("\ud800")").as_string(), "\xef\xbf\xbd");
  EXPECT_EQ(P(R"("\udc00x")").as_string(), "\xef\xbf\xbdx");
  EXPECT_EQ(P(R"("\ud800\u0041")").as_string(), "\xef\xbf\xbd" "A");
  EXPECT_EQ(P(R"("\ud800\ud83d\ude00")").as_string(), "\xef\xbf\xbd\xf0\x9f\x98\x80");
}

TEST(JsonParse, InvalidUtf8BecomesReplacement) {
  EXPECT_EQ(P("\"a\xff" "b\"").as_string(), "a\xef\xbf\xbd" "b");
  EXPECT_EQ(P("\"\xed\xa0\x80\"").as_string(), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // encoded surrogate
}

TEST(JsonParse, Errors) {
  for (const char* bad : {"", "[1,", "{\"a\" 1}", "[1 2]", "tru", "{\"a\":1,}", "[1] x", "01", "\"abc", "{1:2}",
                          "-", "1.", "[\"\x01\"]", "NaN"}) {
    auto r = json::parse(bad);
    EXPECT_FALSE(r.ok) << bad;
    EXPECT_NE(r.error.find("offset"), std::string::npos) << r.error;
  }
  auto r = json::parse("[1 2]");
  EXPECT_EQ(r.error, "invalid JSON at offset 3: Missing a comma or ']' after an array element.");
  EXPECT_EQ(json::parse("  ").error, "invalid JSON at offset 2: The document is empty.");
  EXPECT_EQ(json::parse("{\"a\" 1}").error, "invalid JSON at offset 5: Missing a colon after a name of object member.");
  EXPECT_EQ(json::parse("[1] 2").error,
            "invalid JSON at offset 4: The document root must not be followed by other values.");
  EXPECT_EQ(json::parse("\"\\x\"").error, "invalid JSON at offset 1: Invalid escape character in string.");
}

// Strings are scanned 8 bytes at a time: whatever ends a run (closing quote, escape, control character,
// non-ASCII byte to check) must be found at every position within a word and across words.
TEST(JsonParse, StringRunsEndAtEveryPosition) {
  // The string first in an array with a long one after it, so that every stop is met with a whole word ahead.
  auto first = [](const std::string& text) {
    return P("[\"" + text + "\", \"" + std::string(24, 'z') + "\"]").as_array()[0].as_string();
  };
  for (size_t n = 0; n < 20; ++n) {
    const std::string run(n, 'a');
    EXPECT_EQ(first(run), run) << n;
    EXPECT_EQ(first(run + "\\nb"), run + "\nb") << n;
    EXPECT_EQ(first(run + "\\\"b"), run + "\"b") << n;
    EXPECT_EQ(first(run + "\xc3\xa9" "b"), run + "\xc3\xa9" "b") << n;
    EXPECT_EQ(first(run + "\xff" "b"), run + "\xef\xbf\xbd" "b") << n;  // checked, and replaced
    EXPECT_EQ(P("\"" + run + "\"").as_string(), run) << n;                // near the end: byte by byte
    auto bad = json::parse("[\"" + run + "\x01" + std::string(24, 'z') + "\"]");
    EXPECT_FALSE(bad.ok) << n;
    EXPECT_NE(bad.error.find("offset " + std::to_string(n + 2) + ":"), std::string::npos) << bad.error;
  }
}

// Object keys are shared between documents through a per-thread cache: keys that meet in one slot of it, keys
// of every length, and keys read again must all come back as written.
TEST(JsonParse, KeysRepeatedAcrossDocuments) {
  std::vector<std::string> keys;
  for (int i = 0; i < 3000; ++i) keys.push_back("k" + std::to_string(i * 7919 % 10007) + std::string(i % 50, 'x'));
  for (int round = 0; round < 2; ++round) {
    std::string doc = "{";
    for (size_t i = 0; i < keys.size(); ++i) doc += (i ? ",\"" : "\"") + keys[i] + "\":" + std::to_string(i);
    doc += "}";
    Value v = P(doc);
    ASSERT_EQ(v.size(), keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      const Value* got = v.get(keys[i]);
      ASSERT_NE(got, nullptr) << keys[i];
      EXPECT_EQ(got->as_int(), static_cast<int64_t>(i)) << keys[i];
    }
  }
  // Small objects are sorted as they are read; a repeated key keeps its last value there too.
  EXPECT_EQ(W(P(R"({"id": 1, "ip": 2, "id": 3, "i": 4, "": 5})")), R"({"":5,"i":4,"id":3,"ip":2})");
  // Bytes order as unsigned: a key starting with a UTF-8 lead byte sorts after ASCII ones.
  EXPECT_EQ(W(P("{\"\xc3\xa9\": 1, \"za\": 2, \"z\": 3, \"a\": 4}")), "{\"a\":4,\"z\":3,\"za\":2,\"\xc3\xa9\":1}");
}

// Short string values go through the same cache as keys (and share its slots with them): values of every
// length around the cutoff, values equal to keys, and values read again must all come back as written.
TEST(JsonParse, ShortStringValuesRepeatedAcrossDocuments) {
  std::vector<std::string> strings;
  for (int i = 0; i < 2000; ++i) strings.push_back("v" + std::to_string(i * 7919 % 10007) + std::string(i % 20, 'y'));
  for (int round = 0; round < 2; ++round) {
    std::string doc = "[";
    for (size_t i = 0; i < strings.size(); ++i) doc += (i ? ",{\"" : "{\"") + strings[i] + "\":\"" + strings[i] + "\"}";
    doc += "]";
    Value v = P(doc);
    ASSERT_EQ(v.size(), strings.size());
    for (size_t i = 0; i < strings.size(); ++i) {
      const Value* got = v.as_array()[i].get(strings[i]);
      ASSERT_NE(got, nullptr) << strings[i];
      EXPECT_EQ(got->as_string(), strings[i]);
    }
  }
}

TEST(JsonParse, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  auto r = json::parse(deep + std::string(100000, ']'));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("JSON nesting too deep"), std::string::npos) << r.error;

  std::string ok(10000, '[');
  auto r2 = json::parse(ok + std::string(10000, ']'));
  EXPECT_TRUE(r2.ok) << r2.error;

  // Writing and comparing the deepest accepted document must not exhaust the stack either.
  EXPECT_EQ(json::write(r2.value).size(), 20000u);
  EXPECT_EQ(r2.value, json::parse(ok + std::string(10000, ']')).value);

  auto r3 = json::parse("[[[1]]]", 2);
  EXPECT_FALSE(r3.ok);
  EXPECT_TRUE(json::parse("[[1]]", 2).ok);
}

TEST(JsonWrite, GoStringEscaping) {
  EXPECT_EQ(W(Value::string("a\"b\\c\n\r\t")), R"("a\"b\\c\n\r\t")");
  EXPECT_EQ(W(Value::string("\b\f")), R"("\b\f")");
  EXPECT_EQ(W(Value::string(std::string("\x01\x1f\x7f", 3))), "\"\\u0001\\u001f\x7f\"");
  EXPECT_EQ(W(Value::string(std::string_view("\0", 1))), R"("\u0000")");
  EXPECT_EQ(W(Value::string("<a href='x'>&</a>")), R"("\u003ca href='x'\u003e\u0026\u003c/a\u003e")");
  EXPECT_EQ(W(Value::string("<&>"), false, false), R"("<&>")");
  EXPECT_EQ(W(Value::string("\xe2\x80\xa8\xe2\x80\xa9")), R"("\u2028\u2029")");
  EXPECT_EQ(W(Value::string("caf\xc3\xa9 \xf0\x9f\x98\x80")), "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
  EXPECT_EQ(W(Value::string("bad\xff\xc3")), R"("bad\ufffd\ufffd")");
  EXPECT_EQ(W(Value::string("/")), R"("/")");
}

TEST(JsonWrite, CompactValues) {
  Value v = Value::object({{Value::string("s"), Value::set({Value::integer(3), Value::integer(1)})},
                           {Value::string("n"), Value::floating(2.5)},
                           {Value::string("f"), Value::floating(3.0)},
                           {Value::string("z"), Value::null()},
                           {Value::string("b"), Value::boolean(false)}});
  EXPECT_EQ(W(v), R"({"b":false,"f":3,"n":2.5,"s":[1,3],"z":null})");
  EXPECT_EQ(W(Value::empty_array()), "[]");
  EXPECT_EQ(W(Value::empty_object()), "{}");
  EXPECT_EQ(W(Value::empty_set()), "[]");
}

TEST(JsonWrite, NonStringKeysAsJsonText) {
  Value v = Value::object({{Value::integer(1), Value::string("one")},
                           {Value::string("0x"), Value::string("str")},
                           {Value::array({Value::integer(1), Value::string("<")}), Value::boolean(true)},
                           {Value::null(), Value::integer(0)}});
  // Keys become the strings 1, 0x, [1,"\u003c"] and null (escaped once more as keys), sorted as strings.
  EXPECT_EQ(W(v), R"({"0x":"str","1":"one","[1,\"\\u003c\"]":true,"null":0})");
  // A number key and an equal string key collide; the later one in value order (the string) wins.
  Value clash = Value::object({{Value::integer(1), Value::string("num")}, {Value::string("1"), Value::string("str")}});
  EXPECT_EQ(W(clash), R"({"1":"str"})");
}

TEST(JsonWrite, PrettyLikeMarshalIndent) {
  Value v = P(R"({"a": [1, {"b": []}], "c": {}, "d": "x"})");
  EXPECT_EQ(W(v, true),
            "{\n"
            "  \"a\": [\n"
            "    1,\n"
            "    {\n"
            "      \"b\": []\n"
            "    }\n"
            "  ],\n"
            "  \"c\": {},\n"
            "  \"d\": \"x\"\n"
            "}");
  EXPECT_EQ(W(Value::integer(1), true), "1");
  EXPECT_EQ(W(Value::empty_array(), true), "[]");
}

TEST(JsonWrite, AppendsToExistingBuffer) {
  std::string out = "x=";
  json::append(Value::integer(5), out);
  EXPECT_EQ(out, "x=5");
}

TEST(JsonRoundTrip, Documents) {
  for (const char* doc : {R"({"a":[1,2.5,"x",null,true,false,{"b":{}}],"c":"\u003c\u2028"})", R"([])", R"("")",
                          R"([[[[]]]])", R"({"":{"":[""]}})", R"([0.1,-0.000001,1e-07,1.5e-300,100000000000000000000])"}) {
    EXPECT_EQ(RoundTrip(doc), doc);
  }
}

}  // namespace
}  // namespace rego
