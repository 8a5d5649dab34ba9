// Unit tests for the array, object, encoding, yaml, regex/glob, semver, uuid and net built-ins, called
// directly through the registry. Expected values come from OPA's behaviour (its compliance suite and
// topdown sources).
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <thread>

#include "rego/builtins/registry.h"
#include "rego/json.h"

#include "builtin_call.h"

namespace rego {
namespace {

Value S(std::initializer_list<Value> items) { return Value::set(std::vector<Value>(items)); }

using testing::call;
using testing::error_of;
using testing::eval;
using testing::J;

#define EXPECT_VALUE(expr, json_text) EXPECT_EQ(json::write(expr), json::write(J(json_text)))

// ---------------------------------------------------------------- arrays

TEST(BuiltinsArrays, ConcatSliceReverse) {
  EXPECT_VALUE(eval("array.concat", {J("[1,2]"), J("[3,4]")}), "[1,2,3,4]");
  EXPECT_VALUE(eval("array.slice", {J("[1,2,3,4,5]"), J("1"), J("3")}), "[2,3]");
  EXPECT_VALUE(eval("array.slice", {J("[1,2,3,4,5]"), J("-4"), J("-1")}), "[]");
  EXPECT_VALUE(eval("array.slice", {J("[1,2,3]"), J("2"), J("100")}), "[3]");
  EXPECT_VALUE(eval("array.slice", {J("[1,2,3]"), J("3"), J("1")}), "[]");
  EXPECT_VALUE(eval("array.reverse", {J("[1,[2],3]")}), "[3,[2],1]");
  EXPECT_EQ(error_of("array.concat", {J("{}"), J("[]")}),
            std::make_pair(std::string("operand 1 must be array but got object"), true));
  EXPECT_EQ(error_of("array.concat", {J("[]"), J("{}")}).first, "operand 2 must be array but got object");
}

TEST(BuiltinsArrays, Flatten) {
  EXPECT_VALUE(eval("array.flatten", {J("[[[1],[2,3,[]]],[[4,5]]]")}), "[[1],[2,3,[]],[4,5]]");
  EXPECT_VALUE(eval("array.flatten", {J(R"([[1,2],"s",[3,{"a":"b"}],4.5])")}), R"([1,2,"s",3,{"a":"b"},4.5])");
  EXPECT_EQ(error_of("array.flatten", {J("42")}).first, "operand 1 must be array but got number");
}

// ---------------------------------------------------------------- objects

TEST(BuiltinsObjects, Get) {
  Value obj = J(R"({"a":{"b":"c"},"arr":[10,{"x":1}]})");
  EXPECT_VALUE(eval("object.get", {obj, J(R"("a")"), J("true")}), R"({"b":"c"})");
  EXPECT_VALUE(eval("object.get", {obj, J(R"("b")"), J("true")}), "true");
  EXPECT_VALUE(eval("object.get", {obj, J(R"(["a","b"])"), J("0")}), R"("c")");
  EXPECT_VALUE(eval("object.get", {obj, J(R"(["arr",1,"x"])"), J("0")}), "1");
  EXPECT_VALUE(eval("object.get", {obj, J(R"(["arr","1"])"), J("0")}), "0");  // array indices are numbers
  EXPECT_VALUE(eval("object.get", {obj, J("[]"), J("0")}), json::write(obj));
  Value with_set = Value::object({{str("s"), S({str("m")})}});
  EXPECT_VALUE(eval("object.get", {with_set, J(R"(["s","m"])"), J("0")}), R"("m")");
}

TEST(BuiltinsObjects, KeysRemoveFilter) {
  EXPECT_VALUE(eval("object.keys", {J(R"({"b":1,"a":2})")}), R"(["a","b"])");
  EXPECT_EQ(error_of("object.keys", {J(R"("x")")}).first, "operand 1 must be object but got string");
  Value obj = J(R"({"a":1,"b":{"c":3},"d":4})");
  EXPECT_VALUE(eval("object.remove", {obj, S({str("b"), str("d")})}), R"({"a":1})");
  EXPECT_VALUE(eval("object.remove", {obj, J(R"({"b":1,"d":""})")}), R"({"a":1})");
  EXPECT_VALUE(eval("object.remove", {obj, J(R"(["a"])")}), R"({"b":{"c":3},"d":4})");
  EXPECT_VALUE(eval("object.filter", {obj, S({str("a"), str("d")})}), R"({"a":1,"d":4})");
  EXPECT_VALUE(eval("object.filter", {obj, J("[]")}), "{}");
  EXPECT_EQ(error_of("object.remove", {obj, J(R"("a")")}),
            std::make_pair(std::string("operand 2 must be one of {object, set, array} but got string"), true));
  EXPECT_EQ(error_of("object.filter", {J("null"), J("[]")}).first, "operand 1 must be object but got null");
  // Non-string keys.
  Value k = J("[[7]]");
  Value nonstr = Value::object({{str("a"), J("1")}, {k, J("2")}});
  EXPECT_VALUE(eval("object.remove", {nonstr, S({k})}), R"({"a":1})");
  EXPECT_EQ(eval("object.filter", {nonstr, S({k})}), Value::object({{k, J("2")}}));
}

TEST(BuiltinsObjects, Union) {
  EXPECT_VALUE(eval("object.union", {J(R"({"a":1})"), J(R"({"a":{"b":{"c":1}},"d":7})")}), R"({"a":{"b":{"c":1}},"d":7})");
  EXPECT_VALUE(eval("object.union", {J(R"({"a":{"x":1},"b":2})"), J(R"({"a":{"y":2}})")}), R"({"a":{"x":1,"y":2},"b":2})");
  EXPECT_EQ(error_of("object.union", {J("{}"), J("[1]")}).first, "operand 2 must be object but got array");
  EXPECT_VALUE(eval("object.union_n", {J(R"([{"a":1,"b":2,"c":3},{"foo":"baz","a":"a","b":2,"d":4},{"a":"final A!","e":5.0}])")}),
               R"({"a":"final A!","b":2,"c":3,"d":4,"e":5,"foo":"baz"})");
  EXPECT_VALUE(eval("object.union_n", {J(R"([{"a":{"b":2}},{"a":4},{"a":{"c":3}}])")}), R"({"a":{"c":3}})");
  EXPECT_VALUE(eval("object.union_n", {J("[]")}), "{}");
  EXPECT_EQ(error_of("object.union_n", {J(R"([{"foo":1},"baz"])")}),
            std::make_pair(std::string("operand 1 must be array of objects but got array containing string"), true));
}

TEST(BuiltinsObjects, Subset) {
  auto sub = [](Value a, Value b) { return eval("object.subset", {a, b}).as_bool(); };
  EXPECT_TRUE(sub(J(R"({"a":5,"b":7,"n":{"x":10,"y":15,"s":[6,7,8]}})"), J(R"({"a":5,"n":{"y":15,"s":[7,8]}})")));
  EXPECT_FALSE(sub(J(R"({"a":5})"), J(R"({"a":5,"b":1})")));
  EXPECT_TRUE(sub(S({J("1"), J("2"), J("3")}), S({J("3"), J("2")})));
  EXPECT_FALSE(sub(S({J("1"), S({str("a"), str("b")})}), S({S({str("a")})})));
  EXPECT_TRUE(sub(J("[1,2,3,4,5,6]"), J("[3,4,5]")));
  EXPECT_FALSE(sub(J("[1,2,3,4,5,6]"), J("[4,5,6,8]")));
  EXPECT_TRUE(sub(J("[1,2,3,4,5,6]"), S({J("4"), J("3"), J("2")})));
  EXPECT_FALSE(sub(J("[1,2,3]"), S({J("9")})));
  EXPECT_EQ(error_of("object.subset", {S({J("1")}), J("[1]")}),
            std::make_pair(std::string("both arguments object.subset must be of the same type or array and set"), true));
}

TEST(BuiltinsObjects, JsonFilterRemove) {
  EXPECT_VALUE(eval("json.filter", {J(R"({"a":[{"b":7,"c":8},{"d":9}]})"), S({str("a/0/b"), str("a/1")})}),
               R"({"a":[{"b":7},{"d":9}]})");
  EXPECT_VALUE(eval("json.filter", {J(R"({"a":{"b":{"c":7,"d":8,"x":0}},"e":9})"), S({str("a/b/d"), J(R"(["a","b","c"])")})}),
               R"({"a":{"b":{"c":7,"d":8}}})");
  EXPECT_VALUE(eval("json.remove", {J(R"({"a":{"b":{"c":7,"d":8}},"e":9})"), S({str("a/b/c"), str("e")})}),
               R"({"a":{"b":{"d":8}}})");
  EXPECT_VALUE(eval("json.remove", {J(R"({"a":{"b":7},"c":1})"), S({str("a"), str("a/b")})}), R"({"c":1})");
  EXPECT_VALUE(eval("json.remove", {J(R"({"a":[{"b":7,"c":8},{"d":9}]})"), S({str("a/0/b"), str("a/1")})}),
               R"({"a":[{"c":8}]})");
  EXPECT_VALUE(eval("json.remove", {J(R"({"a~b":1,"c/d":2,"e":3})"), J(R"(["a~0b","/c~1d"])")}), R"({"e":3})");
  EXPECT_EQ(error_of("json.remove", {J(R"({})"), J("22")}).first, "operand 2 must be one of {set, array} but got number");
  EXPECT_EQ(error_of("json.remove", {J(R"({})"), J(R"(["a",{"x":1}])")}).first,
            "operand 2 must be one of {set, array} containing string paths or array of path segments but got object");
  EXPECT_EQ(error_of("json.filter", {J("[]"), J("[]")}).first, "operand 1 must be object but got array");
}

TEST(BuiltinsObjects, JsonPatch) {
  auto patch = [](std::string_view doc, std::string_view ops) { return call("json.patch", {J(doc), J(ops)}); };
  auto expect = [&](std::string_view doc, std::string_view ops, std::string_view want) {
    auto r = patch(doc, ops);
    ASSERT_TRUE(r.has_value()) << ops;
    EXPECT_VALUE(*r, want);
  };
  expect(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])", R"({"baz":"qux","foo":"bar"})");
  expect(R"({"foo":["bar","baz"]})", R"([{"op":"add","path":"/foo/1","value":"qux"}])", R"({"foo":["bar","qux","baz"]})");
  expect(R"({"foo":["bar","qux","baz"]})", R"([{"op":"remove","path":"/foo/1"}])", R"({"foo":["bar","baz"]})");
  expect(R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
         R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])",
         R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})");
  expect(R"({"foo":["all","grass","cows","eat"]})", R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])",
         R"({"foo":["all","cows","eat","grass"]})");
  expect(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":10}])", R"({"/":9,"~1":10})");
  expect(R"([1,2])", R"([{"op":"add","path":"/-","value":3}])", "[1,2,3]");
  expect(R"({})", R"([{"op":"add","path":"","value":[]}])", "[]");
  expect(R"({})", R"([{"op":"add","path":"/","value":1}])", R"({"":1})");
  expect(R"([1,2,3,4])", R"([{"op":"remove","path":"/1"},{"op":"remove","path":"/2"}])", "[1,3]");
  expect(R"({"baz":[{"qux":"hello"}],"bar":1})", R"([{"op":"copy","from":"/baz/0","path":"/boo"}])",
         R"({"baz":[{"qux":"hello"}],"bar":1,"boo":{"qux":"hello"}})");
  expect(R"({"foo":"bar"})", R"([{"op":"replace","path":"","value":{"baz":"qux"}}])", R"({"baz":"qux"})");
  expect(R"({"a":1})", R"([{"op":"add","path":["b"],"value":2}])", R"({"a":1,"b":2})");
  for (auto bad : {R"([{"op":"test","path":"/baz","value":"bar"}])", R"([{"op":"add","path":"/a/b","value":1}])",
                   R"([{"op":"remove","path":"/missing"}])", R"([{"op":"spam","path":"/foo","value":1}])",
                   R"([{"op":"add","value":1}])", R"([{"op":"add","path":"/x"}])", R"([1])"}) {
    EXPECT_FALSE(patch(R"({"baz":"qux"})", bad).has_value()) << bad;
  }
  for (auto bad : {"/00", "/01", "/1e0", "/-1", "/3", "/bar"}) {
    std::string ops = std::string(R"([{"op":"add","path":")") + bad + R"(","value":"x"}])";
    EXPECT_FALSE(patch(R"(["foo","sil"])", ops).has_value()) << bad;
  }
  EXPECT_FALSE(patch("[1,2,3]", R"([{"op":"add","path":"1.2","value":"foo"}])").has_value());
  // Sets: members are their own keys.
  Value set_doc = Value::object({{str("s"), S({str("a")})}});
  auto r = call("json.patch", {set_doc, J(R"([{"op":"add","path":["s","b"],"value":"b"}])")});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, Value::object({{str("s"), S({str("a"), str("b")})}}));
}

TEST(BuiltinsObjects, Walk) {
  const Builtin* b = builtins().find("walk");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->relation);
  EXPECT_VALUE(eval("walk", {J(R"({"a":[1,{"b":2}]})")}),
               R"([[[],{"a":[1,{"b":2}]}],[["a"],[1,{"b":2}]],[["a",0],1],[["a",1],{"b":2}],[["a",1,"b"],2]])");
  EXPECT_VALUE(eval("walk", {J("1")}), "[[[],1]]");
  Value nested = S({S({J("1"), J("2")})});
  auto w = eval("walk", {nested}).as_array();
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[1], Value::array({Value::array({S({J("1"), J("2")})}), S({J("1"), J("2")})}));
}

TEST(BuiltinsObjects, Reachable) {
  Value g = Value::object({{str("a"), S({str("b"), str("c")})},
                           {str("b"), S({str("d")})},
                           {str("c"), S({str("d")})},
                           {str("d"), Value::empty_set()},
                           {str("e"), S({str("f")})},
                           {str("f"), S({str("e")})},
                           {str("x"), S({str("x")})}});
  EXPECT_EQ(eval("graph.reachable", {g, S({str("b"), str("e")})}), S({str("b"), str("d"), str("e"), str("f")}));
  EXPECT_EQ(eval("graph.reachable", {J(R"({"a":null})"), J(R"(["a"])")}), S({str("a")}));
  EXPECT_EQ(error_of("graph.reachable", {J(R"({"a":[]})"), J(R"("a")")}),
            std::make_pair(std::string("operand 2 must be {array, set} but got string"), true));
  EXPECT_EQ(eval("graph.reachable_paths", {g, S({str("b"), str("e")})}),
            S({J(R"(["b","d"])"), J(R"(["e","f"])")}));
  EXPECT_EQ(eval("graph.reachable_paths", {J(R"({"1":[],"2":["1"],"3":["2"],"4":["3","2"],"5":["4"]})"), J(R"(["5"])")}),
            S({J(R"(["5","4","2","1"])"), J(R"(["5","4","3","2","1"])")}));
  EXPECT_EQ(eval("graph.reachable_paths", {J(R"({"a":["b"],"b":["nonexistent"]})"), S({str("a"), str("b")})}),
            S({J(R"(["a","b"])"), J(R"(["b"])")}));
  EXPECT_EQ(eval("graph.reachable_paths", {J(R"({"a":null})"), J(R"(["a"])")}), S({J(R"(["a"])")}));
}

// ---------------------------------------------------------------- encoding

TEST(BuiltinsEncoding, Base64) {
  EXPECT_VALUE(eval("base64.encode", {str("subjects?_d")}), R"("c3ViamVjdHM/X2Q=")");
  EXPECT_VALUE(eval("base64.decode", {str("aGVsbG8=")}), R"("hello")");
  EXPECT_VALUE(eval("base64.decode", {str("aGVs\nbG8=")}), R"("hello")");
  EXPECT_EQ(error_of("base64.decode", {str("aGVsbG8")}), std::make_pair(std::string("illegal base64 data at input byte 4"), false));
  EXPECT_EQ(error_of("base64.decode", {str("a!==")}).first, "illegal base64 data at input byte 1");
  EXPECT_VALUE(eval("base64.is_valid", {str("aGVsbG8=")}), "true");
  EXPECT_VALUE(eval("base64.is_valid", {str("aGVsbG8")}), "false");
  EXPECT_VALUE(eval("base64.is_valid", {J("1")}), "false");
  EXPECT_VALUE(eval("base64url.encode", {str("\xfb\xff")}), R"("-_8=")");
  EXPECT_VALUE(eval("base64url.encode_no_pad", {str("hello")}), R"("aGVsbG8")");
  EXPECT_VALUE(eval("base64url.decode", {str("aGVsbG8")}), R"("hello")");
  EXPECT_VALUE(eval("base64url.decode", {str("aGVsbG8=")}), R"("hello")");
  EXPECT_EQ(error_of("base64url.decode", {str("a")}).first, "illegal base64url string: a");
}

TEST(BuiltinsEncoding, Hex) {
  EXPECT_VALUE(eval("hex.encode", {str("lorem")}), R"("6c6f72656d")");
  EXPECT_VALUE(eval("hex.decode", {str("6c6F72656d")}), R"("lorem")");
  EXPECT_EQ(error_of("hex.decode", {str("fghijkl")}), std::make_pair(std::string("encoding/hex: invalid byte: U+0067 'g'"), false));
  EXPECT_EQ(error_of("hex.decode", {str("abc")}).first, "encoding/hex: odd length hex string");
}

TEST(BuiltinsEncoding, UrlQuery) {
  EXPECT_VALUE(eval("urlquery.encode", {str("a=b+1 c~")}), R"("a%3Db%2B1+c~")");
  EXPECT_VALUE(eval("urlquery.decode", {str("a%3Db%2B1+c")}), R"("a=b+1 c")");
  EXPECT_EQ(error_of("urlquery.decode", {str("a%zz")}).first, R"(invalid URL escape "%zz")");
  EXPECT_VALUE(eval("urlquery.encode_object", {J(R"({"c":"d","a":"b"})")}), R"("a=b&c=d")");
  EXPECT_VALUE(eval("urlquery.encode_object", {J(R"({"a":["b+1","c+2"]})")}), R"("a=b%2B1&a=c%2B2")");
  EXPECT_VALUE(eval("urlquery.encode_object", {Value::object({{str("a"), S({str("b+1")})}})}), R"("a=b%2B1")");
  EXPECT_EQ(error_of("urlquery.encode_object", {J(R"({"a":1})")}).first,
            "operand 1 values must be string, array[string], or set[string]");
  EXPECT_VALUE(eval("urlquery.decode_object", {str("a=value_a1&b=value_b&a=value_a2")}),
               R"({"a":["value_a1","value_a2"],"b":["value_b"]})");
  EXPECT_VALUE(eval("urlquery.decode_object", {str("a=value_a1&b")}), R"({"a":["value_a1"],"b":[""]})");
  EXPECT_VALUE(eval("urlquery.decode_object", {str("")}), "{}");
}

TEST(BuiltinsEncoding, Json) {
  EXPECT_VALUE(eval("json.marshal", {Value::array({Value::object({{str("foo"), S({J("3"), J("1"), J("2")})}})})}),
               R"("[{\"foo\":[1,2,3]}]")");
  EXPECT_EQ(eval("json.marshal_with_options", {J(R"({"a":[1,{}]})"), J(R"({"pretty":true})")}).as_string(),
            "{\n\t\"a\": [\n\t\t1,\n\t\t{}\n\t]\n}");
  EXPECT_EQ(eval("json.marshal_with_options", {J(R"({"a":1})"), J(R"({"indent":"  ","prefix":"> "})")}).as_string(),
            "> {\n>   \"a\": 1\n> }");
  EXPECT_EQ(eval("json.marshal_with_options", {J(R"({"a":1})"), J(R"({"indent":"  ","pretty":false})")}).as_string(),
            R"({"a":1})");
  EXPECT_EQ(error_of("json.marshal_with_options", {J("1"), J(R"({"bad":1})")}),
            std::make_pair(std::string("operand 2 object contained unknown key bad"), true));
  EXPECT_VALUE(eval("json.unmarshal", {str(R"({"a":[1,2.5]})")}), R"({"a":[1,2.5]})");
  EXPECT_THROW(call("json.unmarshal", {str("{")}), BuiltinError);
  EXPECT_VALUE(eval("json.is_valid", {str(R"({"json": "ok"})")}), "true");
  EXPECT_VALUE(eval("json.is_valid", {str("plainstring")}), "false");
  EXPECT_VALUE(eval("json.is_valid", {J("1")}), "false");
}

// ---------------------------------------------------------------- yaml

TEST(BuiltinsYaml, Marshal) {
  auto y = [](std::string_view json_text) { return eval("yaml.marshal", {J(json_text)}).as_string(); };
  EXPECT_EQ(y(R"({"b":[1,2],"a":{"c":"d"}})"), "a:\n  c: d\nb:\n- 1\n- 2\n");
  EXPECT_EQ(y(R"([{"foo":[1,2,3]}])"), "- foo:\n  - 1\n  - 2\n  - 3\n");
  EXPECT_EQ(y(R"([[1,2],[]])"), "- - 1\n  - 2\n- []\n");
  EXPECT_EQ(y(R"({"a":{},"b":null,"c":true,"d":1.5})"), "a: {}\nb: null\nc: true\nd: 1.5\n");
  EXPECT_EQ(y(R"({"s":"true","t":"123","u":"","v":"a: b","w":"- x","x":"it's"})"),
            "s: \"true\"\nt: \"123\"\nu: \"\"\nv: 'a: b'\nw: '- x'\nx: it's\n");
  EXPECT_EQ(y(R"({"m":"line1\nline2"})"), "m: |-\n  line1\n  line2\n");
  EXPECT_EQ(y(R"({"t":"a\tb"})"), "t: \"a\\tb\"\n");
  EXPECT_EQ(y(R"("foo")"), "foo\n");
  EXPECT_EQ(y(R"({"a10":1,"a9":2})"), "a9: 2\na10: 1\n");
  EXPECT_EQ(y(R"({"big":1234567.5})"), "big: 1.2345675e+06\n");
}

TEST(BuiltinsYaml, UnmarshalAndValid) {
  EXPECT_VALUE(eval("yaml.unmarshal", {str("foo:\n- qux: bar\n- baz: 2\n")}), R"({"foo":[{"qux":"bar"},{"baz":2}]})");
  EXPECT_VALUE(eval("yaml.unmarshal", {str("a: yes\nb: ~\nc: 0x10\nd: '1'\ne: 1.5\nf: 1_000\n")}),
               R"({"a":true,"b":null,"c":16,"d":"1","e":1.5,"f":1000})");
  EXPECT_VALUE(eval("yaml.unmarshal", {str("1: a\ntrue: b\n")}), R"({"1":"a","true":"b"})");
  Value round = eval("yaml.marshal", {J(R"([{"foo":[1,2,3]}])")});
  EXPECT_VALUE(eval("yaml.unmarshal", {round}), R"([{"foo":[1,2,3]}])");
  auto valid = [](std::string_view s) { return eval("yaml.is_valid", {str(s)}).as_bool(); };
  EXPECT_TRUE(valid("foo:\n  - qux: bar\n  - baz: 2"));
  EXPECT_FALSE(valid("foo:\n  - qux: bar\n  - baz: {"));
  EXPECT_TRUE(valid(R"({"json": "ok"})"));
  EXPECT_FALSE(valid("  test:\ntest1: hello\n"));
  EXPECT_FALSE(valid("a: 1\n---\n\tb: 2\n"));
  EXPECT_TRUE(valid("a: 1\n---\nb: 2\n"));
  EXPECT_VALUE(eval("yaml.is_valid", {J("1")}), "false");
}

// ---------------------------------------------------------------- regex and glob

TEST(BuiltinsRegex, MatchFindSplit) {
  EXPECT_VALUE(eval("regex.match", {str(R"(^[a-z]+\[[0-9]+\]$)"), str("foo[1]")}), "true");
  EXPECT_VALUE(eval("re_match", {str(""), str("x")}), "true");
  EXPECT_EQ(error_of("regex.match", {str("$^[[["), str("x")}).first, "error parsing regexp: missing closing ]: `[[[`");
  EXPECT_VALUE(eval("regex.is_valid", {str(".+")}), "true");
  EXPECT_VALUE(eval("regex.is_valid", {str("++")}), "false");
  EXPECT_VALUE(eval("regex.is_valid", {J("10")}), "false");
  EXPECT_VALUE(eval("regex.find_n", {str("a."), str("paranormal"), J("-1")}), R"(["ar","an","al"])");
  EXPECT_VALUE(eval("regex.find_n", {str("a."), str("paranormal"), J("2")}), R"(["ar","an"])");
  EXPECT_VALUE(eval("regex.find_n", {str("a*"), str("baaab"), J("-1")}), R"(["","aaa",""])");
  EXPECT_VALUE(eval("regex.find_all_string_submatch_n", {str("a(x*)b"), str("-ab-axb-"), J("-1")}), R"([["ab",""],["axb","x"]])");
  EXPECT_VALUE(eval("regex.find_all_string_submatch_n", {str("[^aouiye]([aouiye])([^aouiye])?"), str("somestri"), J("-1")}),
               R"([["som","o","m"],["ri","i",""]])");
  EXPECT_VALUE(eval("regex.split", {str(R"(^[a-z]+\[[0-9]+\]$)"), str("")}), R"([""])");
  EXPECT_VALUE(eval("regex.split", {str("^[a-z]+"), str("foobar baz")}), R"(["", " baz"])");
  EXPECT_VALUE(eval("regex.split", {str("[a-z]+$"), str("foobar baz")}), R"(["foobar ", ""])");
  EXPECT_VALUE(eval("regex.split", {str("^[a-z ]+$"), str("foobar baz")}), R"(["", ""])");
  EXPECT_VALUE(eval("regex.split", {str("a"), str("banana")}), R"(["b","n","n",""])");
  EXPECT_VALUE(eval("regex.split", {str(""), str("abc")}), R"(["a","b","c"])");
  EXPECT_VALUE(eval("regex.match", {str("(?<year>[0-9]{4})"), str("in 2024")}), "true");
}

TEST(BuiltinsRegex, Replace) {
  EXPECT_VALUE(eval("regex.replace", {str("-wy-wxxy-"), str("w(x*)y"), str("0")}), R"("-0-0-")");
  EXPECT_VALUE(eval("regex.replace", {str("foo"), str("(foo)"), str("$1$1")}), R"("foofoo")");
  EXPECT_VALUE(eval("regex.replace", {str("foo"), str("(?P<w>o)"), str("[${w}]")}), R"("f[o][o]")");
  EXPECT_VALUE(eval("regex.replace", {str("abc"), str("x*"), str("-")}), R"("-a-b-c-")");
  EXPECT_VALUE(eval("regex.replace", {str("foo"), str("o"), str("$1x$$")}), R"("f$$")");
  EXPECT_THROW(call("regex.replace", {str("foo"), str("["), str("$1")}), BuiltinError);
}

TEST(BuiltinsRegex, TemplateAndGlobsMatch) {
  EXPECT_VALUE(eval("regex.template_match", {str("urn:foo:{.*}"), str("urn:foo:bar:baz"), str("{"), str("}")}), "true");
  EXPECT_VALUE(eval("regex.template_match", {str("urn:foo.bar:<[0-9]{2}>"), str("urn:foo.bar:12"), str("<"), str(">")}), "true");
  EXPECT_VALUE(eval("regex.template_match", {str("urn:foo.bar:<[0-9]{2}>"), str("urn:fooxbar:12"), str("<"), str(">")}), "false");
  EXPECT_EQ(error_of("regex.template_match", {str("urn:{"), str("x"), str("{"), str("}")}).first, R"(unbalanced braces in "urn:{")");
  EXPECT_EQ(error_of("regex.template_match", {str("x"), str("x"), str("{{"), str("}")}).first,
            "start delimiter has to be exactly one character long but is 2 long");
  auto gm = [](const char* a, const char* b) { return eval("regex.globs_match", {str(a), str(b)}).as_bool(); };
  EXPECT_TRUE(gm("a.a.", ".b.b"));
  EXPECT_FALSE(gm("[a-z]+", "[0-9]+"));
  EXPECT_TRUE(gm("[a-z]+", "[0-9]*x"));
  EXPECT_FALSE(gm("[^a]", "a"));
  EXPECT_TRUE(gm(".*", "abc"));
  EXPECT_FALSE(gm("a+", "b*"));
  EXPECT_TRUE(gm("a*", "b*"));
}

TEST(BuiltinsGlob, Match) {
  auto g = [](const char* pattern, Value delims, const char* text) {
    return eval("glob.match", {str(pattern), delims, str(text)}).as_bool();
  };
  Value none = Value::null(), dflt = J("[]");
  EXPECT_TRUE(g("*:github:com", J(R"([":"])"), "api:github:com"));
  EXPECT_FALSE(g("*.github.com", J(R"(["."])"), "api.not-github.com"));
  EXPECT_FALSE(g("[abc]at", dflt, "fat"));
  EXPECT_TRUE(g("[!abc]at", dflt, "fat"));
  EXPECT_TRUE(g("[a-c]at", dflt, "bat"));
  EXPECT_FALSE(g("[!a-c]at", dflt, "bat"));
  EXPECT_FALSE(g("?at", J(R"(["f"])"), "fat"));
  EXPECT_TRUE(g("{cat,bat,[fr]at}", dflt, "rat"));
  EXPECT_FALSE(g("{cat,bat,[fr]at}", dflt, "at"));
  EXPECT_FALSE(g("*", dflt, "foo.bar"));
  EXPECT_TRUE(g("*", none, "foo.bar"));
  EXPECT_FALSE(g("?", none, ""));
  EXPECT_FALSE(g("a/*/b", none, "a/b"));
  EXPECT_TRUE(g("a/**/b", none, "a//b"));
  EXPECT_FALSE(g("**/x", none, "x"));
  EXPECT_TRUE(g("{**/,}x", none, "x"));
  EXPECT_TRUE(g("***", J(R"(["."])"), ""));
  EXPECT_FALSE(g("*?*", J(R"([".","/"])"), "api.github.com"));
  EXPECT_FALSE(g("*", J(R"([".","/"])"), "a/b"));
  EXPECT_TRUE(g("\\*", none, "*"));
  EXPECT_FALSE(g("\\*", none, "a"));
  EXPECT_TRUE(g("ü?", none, "üß"));
  EXPECT_THROW(call("glob.match", {str("[abc"), none, str("a")}), BuiltinError);
  EXPECT_EQ(error_of("glob.match", {str("a"), J("1"), str("a")}).first, "operand 2 must be one of {array, null} but got number");
  EXPECT_VALUE(eval("glob.quote_meta", {str("*.github.com")}), R"("\\*.github.com")");
  EXPECT_VALUE(eval("glob.quote_meta", {str("[a]{b}?\\")}), R"("\\[a\\]\\{b\\}\\?\\\\")");
}

TEST(BuiltinsRegex, CacheIsThreadSafe) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 300; ++i) {
        std::string pat = "^x" + std::to_string((i * 7 + t) % 200) + "$";
        std::vector<Value> args = {str(pat), str("x" + std::to_string((i * 7 + t) % 200))};
        BuiltinContext ctx;
        auto r = builtins().find("regex.match")->fn(BuiltinArgs(args.data(), args.size()), ctx);
        if (!r || !r->as_bool()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// ---------------------------------------------------------------- semver, uuid

TEST(BuiltinsSemver, ValidAndCompare) {
  for (auto ok : {"0.0.0", "1.2.3-0", "1.2.3-0a", "1.2.3+01", "v1.2.3", "1.0.0-alpha.1+build.5"}) {
    EXPECT_TRUE(eval("semver.is_valid", {str(ok)}).as_bool()) << ok;
  }
  for (auto bad : {"01.2.3", "1.02.3", "1.2.03", "1.2.3-01", "1.2.3-alpha.01", "1.2.3-", "1.2.3+", "1", "1.2"}) {
    EXPECT_FALSE(eval("semver.is_valid", {str(bad)}).as_bool()) << bad;
  }
  EXPECT_VALUE(eval("semver.is_valid", {J("1")}), "false");
  auto cmp = [](const char* a, const char* b) { return eval("semver.compare", {str(a), str(b)}).as_int(); };
  EXPECT_EQ(cmp("1.0.0", "2.0.0"), -1);
  EXPECT_EQ(cmp("2.0.0", "1.0.0"), 1);
  EXPECT_EQ(cmp("1.2.3-0", "1.2.3-1"), -1);
  EXPECT_EQ(cmp("1.2.3+01", "1.2.3+2"), 0);
  EXPECT_EQ(cmp("1.0.0-alpha", "1.0.0"), -1);
  EXPECT_EQ(cmp("1.0.0-alpha.1", "1.0.0-alpha.beta"), -1);
  EXPECT_EQ(cmp("1.0.0-beta.11", "1.0.0-beta.2"), 1);
  EXPECT_EQ(cmp("1.0.0-alpha.1", "1.0.0-alpha"), 1);
  EXPECT_EQ(error_of("semver.compare", {str("1"), str("1.0.0")}),
            std::make_pair(std::string(R"(operand 1: string "1" is not a valid SemVer)"), false));
  EXPECT_EQ(error_of("semver.compare", {str("1.2.3"), str("1.2.3-01")}).first,
            R"(operand 2: string "1.2.3-01" is not a valid SemVer)");
}

TEST(BuiltinsUuid, Rfc4122AndParse) {
  const Builtin* b = builtins().find("uuid.rfc4122");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->nondeterministic);
  std::unordered_map<std::string, Value> memo;
  BuiltinContext ctx;
  ctx.memo = &memo;
  std::vector<Value> args = {str("key")};
  Value u1 = *b->fn(BuiltinArgs(args.data(), 1), ctx);
  Value u2 = *b->fn(BuiltinArgs(args.data(), 1), ctx);
  EXPECT_EQ(u1, u2);
  const std::string& s = u1.as_string();
  ASSERT_EQ(s.size(), 36u);
  EXPECT_EQ(s[14], '4');
  EXPECT_NE(std::string("89ab").find(s[19]), std::string::npos);
  EXPECT_VALUE(eval("uuid.parse", {u1}), R"({"variant":"RFC4122","version":4})");
  EXPECT_VALUE(eval("uuid.parse", {str("{00000000-0000-4000-8000-000000000000}")}), R"({"variant":"RFC4122","version":4})");
  EXPECT_VALUE(eval("uuid.parse", {str("6bea8ef2d3d33cd184e09bab06a52ece")}), R"({"variant":"RFC4122","version":3})");
  EXPECT_VALUE(eval("uuid.parse", {str("urn:uuid:000003e8-48b9-21ee-b200-325096b39f47")}),
               R"({"clocksequence":12800,"domain":"Person","id":1000,"macvariables":"local:unicast",)"
               R"("nodeid":"32-50-96-b3-9f-47","time":1693566990121469600,"variant":"RFC4122","version":2})");
  EXPECT_FALSE(call("uuid.parse", {str("not-a-uuid")}).has_value());
}

// ---------------------------------------------------------------- net

TEST(BuiltinsNet, ContainsIntersects) {
  auto c = [](const char* a, const char* b) { return eval("net.cidr_contains", {str(a), str(b)}).as_bool(); };
  EXPECT_TRUE(c("10.0.0.0/8", "10.1.0.0/24"));
  EXPECT_TRUE(c("10.0.0.0/8", "10.1.2.3"));
  EXPECT_FALSE(c("10.0.0.0/8", "11.1.2.3"));
  EXPECT_FALSE(c("10.0.0.0/24", "10.0.0.0/23"));
  EXPECT_TRUE(c("2001:4860:4860::8888/32", "2001:4860:4860:1234::8888/40"));
  EXPECT_TRUE(c("2001:4860:4860::8888/32", "2001:4860:4860:1234:5678:1234:5678:8888/128"));
  EXPECT_TRUE(c("1.2.3.0/24", "::ffff:1.2.3.4"));
  EXPECT_EQ(error_of("net.cidr_contains", {str("not-a-cidr"), str("192.168.1.67")}).first, "invalid CIDR address: not-a-cidr");
  EXPECT_EQ(error_of("net.cidr_contains", {str("192.168.1.0/28"), str("not-a-cidr")}).first,
            "not a valid textual representation of an IP address or CIDR: not-a-cidr");
  EXPECT_EQ(error_of("net.cidr_contains", {str("1.0.0.0/8"), J("1")}),
            std::make_pair(std::string("operand 1 must be string but got number"), true));
  auto i = [](const char* a, const char* b) { return eval("net.cidr_intersects", {str(a), str(b)}).as_bool(); };
  EXPECT_TRUE(i("fd1e:5bfe:8af3:9ddc::/64", "fd1e:5bfe:8af3:9ddc:1111::/72"));
  EXPECT_FALSE(i("fd1e:5bfe:8af3:9ddc::/64", "2001:4860:4860::8888/32"));
  EXPECT_TRUE(eval("net.cidr_overlap", {str("10.0.0.0/8"), str("10.0.0.1")}).as_bool());
}

TEST(BuiltinsNet, ValidExpandMerge) {
  auto v = [](const char* s) { return eval("net.cidr_is_valid", {str(s)}).as_bool(); };
  EXPECT_TRUE(v("192.168.1.0/24"));
  EXPECT_TRUE(v("2002::1234:abcd:ffff:c0a8:101/64"));
  EXPECT_FALSE(v(""));
  EXPECT_FALSE(v("192.168.1.2"));
  EXPECT_FALSE(v("192.168.01.2/24"));
  EXPECT_FALSE(v("1.2.3.4/33"));
  EXPECT_EQ(eval("net.cidr_expand", {str("192.168.1.1/30")}),
            S({str("192.168.1.0"), str("192.168.1.1"), str("192.168.1.2"), str("192.168.1.3")}));
  EXPECT_EQ(eval("net.cidr_expand", {str("2001:db8::/127")}), S({str("2001:db8::"), str("2001:db8::1")}));
  EXPECT_EQ(error_of("net.cidr_expand", {str("192.168.1.1/33")}).first, "invalid CIDR address: 192.168.1.1/33");
  auto m = [](Value in) { return eval("net.cidr_merge", {in}); };
  EXPECT_EQ(m(J(R"(["192.0.128.0/24","192.0.129.0/24"])")), S({str("192.0.128.0/23")}));
  EXPECT_EQ(m(J(R"(["192.0.128.0/24","192.0.130.0/24"])")), S({str("192.0.128.0/24"), str("192.0.130.0/24")}));
  EXPECT_EQ(m(J(R"(["10.0.0.0/8","10.1.0.0/16"])")), S({str("10.0.0.0/8")}));
  EXPECT_EQ(m(J(R"(["1.0.0.0/24","1.0.1.0/24","1.0.2.0/24"])")), S({str("1.0.0.0/23"), str("1.0.2.0/24")}));
  EXPECT_EQ(m(J(R"(["2601:600:8a80:207e:a57d:7567:e2c9:e7b3/64","2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128"])")),
            S({str("2601:600:8a80:207e::/64")}));
  EXPECT_EQ(m(J(R"(["2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128","2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128"])")),
            S({str("2601:600:8a80:207e:a57d:7567:e2c9:e7b3/128")}));
  EXPECT_EQ(error_of("net.cidr_merge", {J(R"(["2601:600:8a80:207e:a57d:7567:e2c9:e7b3"])")}).first,
            "IPv6 invalid: needs prefix length");
}

TEST(BuiltinsNet, ContainsMatchesAndLookup) {
  EXPECT_EQ(eval("net.cidr_contains_matches", {J(R"(["1.1.2.0/24","1.1.1.0/24"])"), J(R"(["1.1.1.1","1.1.2.1"])")}),
            S({J("[0,1]"), J("[1,0]")}));
  EXPECT_EQ(eval("net.cidr_contains_matches", {J(R"([["1.1.2.0/24",1],"1.1.1.0/24"])"), J(R"(["1.1.1.1","1.1.2.1"])")}),
            S({J("[0,1]"), J("[1,0]")}));
  EXPECT_EQ(eval("net.cidr_contains_matches", {str("1.1.1.0/24"), J(R"({"k":"1.1.1.9"})")}), S({J(R"(["1.1.1.0/24","k"])")}));
  EXPECT_EQ(error_of("net.cidr_contains_matches", {S({J(R"(["1.1.1.0/24","bar"])")}), S({J("1")})}).first,
            "operand 2: element must be string or non-empty array");
  EXPECT_EQ(eval("net.lookup_ip_addr", {str("10.0.0.0")}), S({str("10.0.0.0")}));
  EXPECT_EQ(eval("net.lookup_ip_addr", {str("::")}), S({str("::")}));
}


// ---------------------------------------------------------------- time

TEST(BuiltinsTime, ParseAndRange) {
  auto rfc = [](const char* s) { return eval("time.parse_rfc3339_ns", {str(s)}); };
  EXPECT_EQ(rfc("1677-09-21T00:12:43.145224192-00:00"), Value::integer(INT64_MIN));
  EXPECT_EQ(rfc("1970-01-01T00:00:00-00:00"), Value::integer(0));
  EXPECT_EQ(rfc("2017-06-02T19:00:00-07:00"), Value::integer(1496455200000000000));
  EXPECT_EQ(rfc("2262-04-11T23:47:16.854775807-00:00"), Value::integer(INT64_MAX));
  EXPECT_EQ(error_of("time.parse_rfc3339_ns", {str("1677-09-21T00:12:43.145224191-00:00")}).first, "time outside of valid range");
  EXPECT_EQ(error_of("time.parse_rfc3339_ns", {str("2262-04-11T23:47:16.854775808-00:00")}).first, "time outside of valid range");
  EXPECT_THROW(call("time.parse_rfc3339_ns", {str("2017-06-02")}), BuiltinError);
  EXPECT_EQ(eval("time.parse_ns", {str("2006-01-02"), str("2020-02-02")}), Value::integer(1580601600000000000));
  EXPECT_EQ(eval("time.parse_ns", {str("RFC1123Z"), str("Sat, 03 Dec 2022 00:10:53 +0530")}), Value::integer(1670006453000000000));
  EXPECT_EQ(eval("time.parse_ns", {str("Jan 2 3:04PM 2006"), str("Feb 3 4:05PM 2021")}),
            eval("time.parse_rfc3339_ns", {str("2021-02-03T16:05:00Z")}));
  EXPECT_THROW(call("time.parse_ns", {str("2006-01-02"), str("2021-02-30")}), BuiltinError);
  EXPECT_EQ(eval("time.parse_duration_ns", {str("100ms")}), Value::integer(100000000));
  EXPECT_EQ(eval("time.parse_duration_ns", {str("-1h2m3.5s")}), Value::integer(-3723500000000));
  EXPECT_EQ(error_of("time.parse_duration_ns", {str("1")}).first, R"(time: missing unit in duration "1")");
  EXPECT_EQ(error_of("time.parse_duration_ns", {str("1x")}).first, R"(time: unknown unit "x" in duration "1x")");
}

TEST(BuiltinsTime, CalendarAndZones) {
  EXPECT_VALUE(eval("time.date", {J("1517814000000000000")}), "[2018,2,5]");
  EXPECT_EQ(error_of("time.date", {J("1582977600000000000000")}).first, "timestamp too big");
  EXPECT_VALUE(eval("time.clock", {J(R"([1517832000000000000,"America/New_York"])")}), "[7,0,0]");
  EXPECT_VALUE(eval("time.clock", {J("1582977600000000000")}), "[12,0,0]");
  EXPECT_VALUE(eval("time.weekday", {J("1518177600000000000")}), R"("Friday")");
  EXPECT_VALUE(eval("time.add_date", {J("1585852421593912000"), J("3"), J("9"), J("12")}), "1705257221593912000");
  EXPECT_EQ(error_of("time.add_date", {J("0"), J("2262"), J("1"), J("1")}).first, "time outside of valid range");
  Value t = J("1670006453141828752");
  EXPECT_VALUE(eval("time.format", {t}), R"("2022-12-02T18:40:53.141828752Z")");
  EXPECT_VALUE(eval("time.format", {Value::array({t, str("Asia/Kolkata")})}), R"("2022-12-03T00:10:53.141828752+05:30")");
  EXPECT_VALUE(eval("time.format", {Value::array({t, str("Asia/Kolkata"), str("Mon Jan 02 15:04:05 -0700 2006")})}),
               R"("Sat Dec 03 00:10:53 +0530 2022")");
  EXPECT_VALUE(eval("time.format", {Value::array({t, str("Asia/Kolkata"), str("RFC1123Z")})}), R"("Sat, 03 Dec 2022 00:10:53 +0530")");
  EXPECT_VALUE(eval("time.format", {Value::array({t, str("America/New_York"), str("RFC1123")})}), R"("Fri, 02 Dec 2022 13:40:53 EST")");
  EXPECT_VALUE(eval("time.format", {Value::array({J("1656000000000000000"), str("Europe/Berlin"), str("15:04 MST")})}), R"("18:00 CEST")");
  EXPECT_EQ(error_of("time.format", {Value::array({t, str("Nowhere/Zone")})}).first, "unknown time zone Nowhere/Zone");
  auto parse = [](const char* d) { return eval("time.parse_ns", {str("2006-01-02"), str(d)}); };
  EXPECT_VALUE(eval("time.diff", {parse("2020-02-02"), parse("2020-03-01")}), "[0,0,28,0,0,0]");
  EXPECT_VALUE(eval("time.diff", {parse("2021-02-02"), parse("2021-03-01")}), "[0,0,27,0,0,0]");
  EXPECT_VALUE(eval("time.diff", {parse("2004-02-29"), parse("2005-03-01")}), "[1,0,1,0,0,0]");
  EXPECT_VALUE(eval("time.diff", {Value::array({J("60000000000"), str("UTC")}), Value::array({J("0"), str("Asia/Shanghai")})}),
               "[0,0,0,0,1,0]");
}

}  // namespace
}  // namespace rego
