// Core built-ins called directly through the registry: numbers, aggregates, types, sets, strings, sprintf,
// casts, bits, units and strings.render_template. Expected values and error texts are OPA's.
#include <gtest/gtest.h>

#include "rego/builtins/registry.h"
#include "rego/json.h"
#include "rego/number.h"

namespace rego {
namespace {

Value J(const std::string& text) {
  auto r = json::parse(text);
  EXPECT_TRUE(r.ok) << text << ": " << r.error;
  return r.value;
}

Value S(const std::string& s) { return Value::string(s); }

Value N(const std::string& text) {
  auto v = number::parse(text);
  EXPECT_TRUE(v.has_value()) << text;
  return v ? *v : Value();
}

Value set_of(std::vector<Value> items) { return Value::set(std::move(items)); }

std::optional<Value> call(const std::string& name, std::vector<Value> args) {
  const Builtin* b = builtins().find(name);
  if (b == nullptr) {
    ADD_FAILURE() << "no built-in " << name;
    return std::nullopt;
  }
  EXPECT_EQ(b->arity, static_cast<int>(args.size())) << name;
  BuiltinContext ctx;
  return b->fn(BuiltinArgs(args.data(), args.size()), ctx);
}

// The result as JSON text ("undefined" when there is none).
std::string R(const std::string& name, std::vector<Value> args) {
  auto v = call(name, std::move(args));
  return v ? json::write(*v) : "undefined";
}

// The result as a Rego string (for built-ins returning strings).
std::string Str(const std::string& name, std::vector<Value> args) {
  auto v = call(name, std::move(args));
  if (!v || !v->is_string()) {
    ADD_FAILURE() << name << " did not return a string";
    return {};
  }
  return v->as_string();
}

struct Err {
  std::string message;
  bool type_error = false;
};

Err E(const std::string& name, std::vector<Value> args) {
  try {
    auto v = call(name, std::move(args));
    ADD_FAILURE() << name << " did not fail, returned " << (v ? json::write(*v) : "undefined");
  } catch (const BuiltinError& e) {
    return {e.message, e.type_error};
  }
  return {};
}

std::string fmt(const std::string& format, const std::string& args_json) {
  return Str("sprintf", {S(format), J(args_json)});
}

// ---- registry ----

TEST(Registry, FindsAndRejectsUnknown) {
  ASSERT_NE(builtins().find("plus"), nullptr);
  EXPECT_EQ(builtins().find("plus")->arity, 2);
  EXPECT_EQ(builtins().find("no.such.builtin"), nullptr);
  EXPECT_TRUE(builtins().find("rand.intn")->nondeterministic);
  EXPECT_FALSE(builtins().find("plus")->nondeterministic);
}

TEST(Registry, DuplicateNameThrows) {
  Registry r;
  r.add("x", 1, nullptr);
  EXPECT_THROW(r.add("x", 1, nullptr), std::logic_error);
}

TEST(Registry, ArgHelperMessages) {
  std::vector<Value> a = {N("1"), S("x"), J("{}")};
  BuiltinArgs args(a.data(), a.size());
  try {
    args::string(args, 0);
    FAIL();
  } catch (const BuiltinError& e) {
    EXPECT_EQ(e.message, "operand 1 must be string but got number");
    EXPECT_TRUE(e.type_error);
  }
  try {
    args::array_or_set(args, 2);
    FAIL();
  } catch (const BuiltinError& e) {
    EXPECT_EQ(e.message, "operand 3 must be one of {array, set} but got object");
  }
  std::vector<Value> f = {N("1.5")};
  try {
    args::integer(BuiltinArgs(f.data(), f.size()), 0);
    FAIL();
  } catch (const BuiltinError& e) {
    EXPECT_EQ(e.message, "operand 1 must be integer number but got floating-point number");
  }
}

// ---- numbers ----

TEST(Numbers, Arithmetic) {
  EXPECT_EQ(R("plus", {N("1"), N("2")}), "3");
  EXPECT_EQ(R("plus", {N("18446744073709551617"), N("1")}), "18446744073709551618");
  EXPECT_EQ(R("plus", {N("1.5"), N("2.5")}), "4");
  EXPECT_EQ(R("minus", {N("-18446744073709551617"), N("1")}), "-18446744073709551618");
  EXPECT_EQ(R("mul", {N("2147483647"), N("2147483647")}), "4611686014132420609");
  EXPECT_EQ(R("div", {N("1"), N("4")}), "0.25");
  EXPECT_EQ(R("div", {N("6"), N("3")}), "2");
  EXPECT_EQ(R("rem", {N("-17"), N("5")}), "-2");
  EXPECT_EQ(R("rem", {N("17"), N("-5")}), "2");
  EXPECT_EQ(R("rem", {N("4.0"), N("3")}), "1");
  EXPECT_EQ(R("rem", {N("10"), N("18446744073709551616")}), "10");
  EXPECT_EQ(R("abs", {N("-9223372036854775808")}), "9223372036854775808");
  EXPECT_EQ(R("round", {N("2.5")}), "3");
  EXPECT_EQ(R("round", {N("-2.5")}), "-3");
  EXPECT_EQ(R("ceil", {N("1.2")}), "2");
  EXPECT_EQ(R("floor", {N("-1.2")}), "-2");
}

TEST(Numbers, Errors) {
  auto e = E("div", {N("1"), N("0")});
  EXPECT_EQ(e.message, "divide by zero");
  EXPECT_FALSE(e.type_error);
  EXPECT_EQ(E("div", {N("1"), N("0.0")}).message, "divide by zero");
  EXPECT_EQ(E("rem", {N("1"), N("0")}).message, "modulo by zero");
  EXPECT_EQ(E("rem", {N("1.5"), N("0")}).message, "modulo on floating-point number");
  e = E("plus", {S("a"), N("1")});
  EXPECT_EQ(e.message, "operand 1 must be number but got string");
  EXPECT_TRUE(e.type_error);
  EXPECT_EQ(E("mul", {N("1"), J("[]")}).message, "operand 2 must be number but got array");
}

TEST(Numbers, MinusIsAlsoSetDifference) {
  EXPECT_EQ(R("minus", {set_of({N("1"), N("2"), S("c")}), set_of({S("c"), N("1")})}), "[2]");
  EXPECT_EQ(E("minus", {set_of({N("1")}), N("1")}).message, "operand 2 must be set but got number");
  EXPECT_EQ(E("minus", {N("1"), set_of({N("1")})}).message, "operand 2 must be number but got set");
  EXPECT_EQ(E("minus", {S("a"), N("1")}).message, "operand 1 must be one of {number, set} but got string");
}

TEST(Numbers, Range) {
  EXPECT_EQ(R("numbers.range", {N("-2"), N("3")}), "[-2,-1,0,1,2,3]");
  EXPECT_EQ(R("numbers.range", {N("2"), N("-1")}), "[2,1,0,-1]");
  EXPECT_EQ(R("numbers.range", {N("0"), N("0")}), "[0]");
  EXPECT_EQ(R("numbers.range", {N("18446744073709551616"), N("18446744073709551617")}),
            "[18446744073709551616,18446744073709551617]");
  EXPECT_EQ(R("numbers.range_step", {N("0"), N("10"), N("2")}), "[0,2,4,6,8,10]");
  EXPECT_EQ(R("numbers.range_step", {N("0"), N("-10"), N("2")}), "[0,-2,-4,-6,-8,-10]");
  EXPECT_EQ(R("numbers.range_step", {N("2"), N("5"), N("2")}), "[2,4]");
  EXPECT_EQ(R("numbers.range_step", {N("0"), N("10"), N("99999999999999999999")}), "[0]");
  EXPECT_EQ(E("numbers.range_step", {N("0"), N("10"), N("-2")}).message,
            "numbers.range_step: step must be a positive integer");
  EXPECT_EQ(E("numbers.range", {N("1.5"), N("2")}).message,
            "operand 1 must be integer number but got floating-point number");
  EXPECT_EQ(E("numbers.range", {N("1"), S("2")}).message, "operand 2 must be integer but got string");
}

TEST(Numbers, RandIntn) {
  auto v = call("rand.intn", {S("seed"), N("10")});
  ASSERT_TRUE(v && v->is_int());
  EXPECT_GE(v->as_int(), 0);
  EXPECT_LT(v->as_int(), 10);
  EXPECT_EQ(R("rand.intn", {S("x"), N("0")}), "0");
}

// ---- aggregates ----

TEST(Aggregates, Count) {
  EXPECT_EQ(R("count", {J("[1,2,3]")}), "3");
  EXPECT_EQ(R("count", {J("{\"a\":1}")}), "1");
  EXPECT_EQ(R("count", {S("aåäö")}), "4");
  EXPECT_EQ(R("count", {set_of({N("1"), N("2")})}), "2");
  EXPECT_EQ(E("count", {N("1")}).message, "operand 1 must be one of {array, object, set, string} but got number");
}

TEST(Aggregates, SumProduct) {
  EXPECT_EQ(R("sum", {J("[1,2,3,4]")}), "10");
  EXPECT_EQ(R("sum", {J("[]")}), "0");
  EXPECT_EQ(R("sum", {J("[9223372036854775807, 1]")}), "9223372036854775808");
  EXPECT_EQ(R("sum", {J("[1, 2.5]")}), "3.5");
  EXPECT_EQ(R("product", {set_of({N("1"), N("2"), N("3"), N("4")})}), "24");
  EXPECT_EQ(R("product", {J("[18446744073709551617, 2]")}), "36893488147419103234");
  EXPECT_EQ(R("product", {J("[]")}), "1");
  EXPECT_EQ(E("sum", {J("[1, \"a\"]")}).message, "operand 1 must be array of numbers but got array containing string");
  EXPECT_EQ(E("sum", {set_of({S("a")})}).message, "operand 1 must be set of numbers but got set containing string");
  EXPECT_EQ(E("sum", {J("{}")}).message, "operand 1 must be one of {set, array} but got object");
}

TEST(Aggregates, MaxMinSort) {
  EXPECT_EQ(R("max", {J("[1, 4, 2]")}), "4");
  EXPECT_EQ(R("min", {J("[3, 2, 1, 4, 6, -7, 10]")}), "-7");
  EXPECT_EQ(R("max", {J("[]")}), "undefined");
  EXPECT_EQ(R("min", {set_of({})}), "undefined");
  EXPECT_EQ(R("max", {J("[1, \"a\", null]")}), "\"a\"");
  EXPECT_EQ(R("sort", {J("[4, 3, \"a\", null, 1]")}), "[null,1,3,4,\"a\"]");
  EXPECT_EQ(R("sort", {set_of({N("2"), N("1")})}), "[1,2]");
}

TEST(Aggregates, AllAny) {
  EXPECT_EQ(R("all", {J("[true, true]")}), "true");
  EXPECT_EQ(R("all", {J("[true, 1]")}), "false");
  EXPECT_EQ(R("all", {J("[]")}), "true");
  EXPECT_EQ(R("any", {J("[false, true]")}), "true");
  EXPECT_EQ(R("any", {set_of({})}), "false");
  EXPECT_EQ(E("any", {S("x")}).message, "operand 1 must be one of {array, set} but got string");
}

// ---- types, comparison, membership ----

TEST(Types, TestsAndNames) {
  EXPECT_EQ(R("is_string", {S("x")}), "true");
  EXPECT_EQ(R("is_string", {Value::boolean(false)}), "false");
  EXPECT_EQ(R("is_set", {J("[1]")}), "false");
  EXPECT_EQ(R("is_null", {Value()}), "true");
  EXPECT_EQ(R("type_name", {set_of({N("1")})}), "\"set\"");
  EXPECT_EQ(R("type_name", {J("{}")}), "\"object\"");
  EXPECT_EQ(R("type_name", {Value::boolean(true)}), "\"boolean\"");
}

TEST(Types, Comparison) {
  EXPECT_EQ(R("lt", {N("1"), S("a")}), "true");
  EXPECT_EQ(R("equal", {N("1"), N("1.0")}), "true");
  EXPECT_EQ(R("neq", {N("28857836529306024611913"), N("28857836529306024611912")}), "true");
  EXPECT_EQ(R("gte", {J("[1,2]"), J("[1]")}), "true");
  EXPECT_EQ(R("gt", {Value(), Value::boolean(false)}), "false");
  EXPECT_EQ(R("lte", {S("a"), S("a")}), "true");
}

TEST(Types, Membership) {
  EXPECT_EQ(R("internal.member_2", {N("1"), set_of({N("1")})}), "true");
  EXPECT_EQ(R("internal.member_2", {N("1"), J("[1]")}), "true");
  EXPECT_EQ(R("internal.member_2", {N("1"), J("{\"foo\": 1}")}), "true");
  EXPECT_EQ(R("internal.member_2", {S("foo"), J("{\"foo\": 1}")}), "false");
  EXPECT_EQ(R("internal.member_2", {S("a"), S("abc")}), "false");
  EXPECT_EQ(R("internal.member_3", {S("foo"), N("1"), J("{\"foo\": 1}")}), "true");
  EXPECT_EQ(R("internal.member_3", {N("1"), S("two"), J("[\"one\", \"two\"]")}), "true");
  EXPECT_EQ(R("internal.member_3", {N("2"), S("two"), J("[\"one\", \"two\"]")}), "false");
  EXPECT_EQ(R("internal.member_3", {N("1"), N("1"), set_of({N("1")})}), "true");
  EXPECT_EQ(R("internal.member_3", {N("1"), N("2"), set_of({N("1")})}), "false");
}

// ---- sets ----

TEST(Sets, Algebra) {
  Value s123 = set_of({N("1"), N("2"), N("3")});
  Value s234 = set_of({N("2"), N("3"), N("4")});
  EXPECT_EQ(R("and", {s123, s234}), "[2,3]");
  EXPECT_EQ(R("or", {s123, s234}), "[1,2,3,4]");
  EXPECT_EQ(R("set_diff", {s123, s234}), "[1]");
  EXPECT_EQ(R("intersection", {set_of({s123, s234, set_of({N("3")})})}), "[3]");
  EXPECT_EQ(R("intersection", {set_of({})}), "[]");
  EXPECT_EQ(R("union", {set_of({s123, s234})}), "[1,2,3,4]");
  EXPECT_EQ(R("union", {set_of({})}), "[]");
  EXPECT_EQ(E("and", {s123, J("[]")}).message, "operand 2 must be set but got array");
  EXPECT_EQ(E("union", {set_of({N("1")})}).message, "operand 1 must be set but got number");
}

// ---- strings ----

TEST(Strings, Basics) {
  EXPECT_EQ(Str("concat", {S("/"), J("[\"\", \"foo\", \"bar\"]")}), "/foo/bar");
  EXPECT_EQ(Str("concat", {S(","), set_of({S("1"), S("2"), S("3")})}), "1,2,3");
  EXPECT_EQ(Str("concat", {S(","), J("[]")}), "");
  EXPECT_EQ(E("concat", {S(","), J("[1]")}).message, "operand 2 must be array of strings but got array containing number");
  EXPECT_EQ(E("concat", {S(","), S("x")}).message, "operand 2 must be one of {set, array} but got string");
  EXPECT_EQ(R("contains", {S("abcdefgh"), S("defg")}), "true");
  EXPECT_EQ(R("startswith", {S("abc"), S("ab")}), "true");
  EXPECT_EQ(R("endswith", {S("abc"), S("bc")}), "true");
  EXPECT_EQ(Str("lower", {S("AbÇ")}), "abç");
  EXPECT_EQ(Str("upper", {S("abçß")}), "ABÇß");
  EXPECT_EQ(Str("strings.reverse", {S("åbc")}), "cbå");
}

TEST(Strings, FormatInt) {
  EXPECT_EQ(Str("format_int", {N("15.5"), N("16")}), "f");
  EXPECT_EQ(Str("format_int", {N("-15"), N("2")}), "-1111");
  EXPECT_EQ(Str("format_int", {N("3.1"), N("10")}), "3");
  EXPECT_EQ(Str("format_int", {N("18446744073709551616"), N("16")}), "10000000000000000");
  EXPECT_EQ(E("format_int", {N("1"), N("3")}).message, "operand 2 must be one of {2, 8, 10, 16}");
}

TEST(Strings, IndexOf) {
  EXPECT_EQ(R("indexof", {S("μx"), S("x")}), "1");
  EXPECT_EQ(R("indexof", {S("μ"), S("μμ")}), "-1");
  EXPECT_EQ(R("indexof", {S("skön var våren"), S("vår")}), "9");
  EXPECT_EQ(R("indexof", {S("abc"), S("z")}), "-1");
  EXPECT_EQ(R("indexof_n", {S("dogcatdogcat"), S("cat")}), "[3,9]");
  EXPECT_EQ(R("indexof_n", {S("aaa"), S("aa")}), "[0,1]");
  EXPECT_EQ(E("indexof", {S("abc"), S("")}).message, "empty search character");
}

TEST(Strings, Replace) {
  EXPECT_EQ(Str("replace", {S("foo...bar"), S(".."), S(",,")}), "foo,,.bar");
  EXPECT_EQ(Str("replace", {S("ab"), S(""), S("X")}), "XaXbX");
  EXPECT_EQ(Str("strings.replace_n", {J("{\"info\": \"X\", \"anotherinfo\": \"Y\"}"), S("anotherinfo")}), "Y");
  EXPECT_EQ(Str("strings.replace_n", {J("{\"a\": \"YY\", \"bba\": \"bX\"}"), S("bbab")}), "bXb");
  EXPECT_EQ(Str("strings.replace_n", {J("{\"ab\": \"b\", \"b\": \"Y\"}"), S("baaabbbba")}), "YaabYYYa");
  EXPECT_EQ(Str("strings.replace_n", {J("{\"a\": \"b\", \"b\": \"a\"}"), S("abba")}), "baab");
  EXPECT_EQ(Str("strings.replace_n", {J("{\"a\": \"Xa\", \"ab\": \"X\", \"ba\": \"bYa\", \"aaa\": \"X\"}"), S("aaaaab")}),
            "XaXaXaXaXab");
  EXPECT_EQ(Str("strings.replace_n", {J("{\"aab\": \"Y\", \"a\": \"\", \"b\": \"\"}"), S("bbaab")}), "");
  EXPECT_EQ(Str("strings.replace_n", {J("{\"\": \"X\"}"), S("")}), "X");
  EXPECT_EQ(Str("strings.replace_n", {J("{\"\": \"X\", \"a\": \"Y\"}"), S("ab")}), "XYXbX");
  EXPECT_EQ(Str("strings.replace_n", {J("{\"\": \"-\", \"é\": \"e\"}"), S("aéb")}), "-a-e-b-");
  EXPECT_EQ(E("strings.replace_n", {J("{\"f\": 100}"), S("foo")}).message,
            "operand 1 non-string value found in pattern object");
  EXPECT_EQ(E("strings.replace_n", {Value::object({{N("2"), S("x")}}), S("foo")}).message,
            "operand 1 non-string key found in pattern object");
  EXPECT_EQ(E("strings.replace_n", {J("{\"foo\": \"baz\"}"), N("100")}).message,
            "operand 2 must be string but got number");
}

TEST(Strings, Split) {
  EXPECT_EQ(R("split", {S("foo.bar.baz"), S(".")}), "[\"foo\",\"bar\",\"baz\"]");
  EXPECT_EQ(R("split", {S(""), S(".")}), "[\"\"]");
  EXPECT_EQ(R("split", {S("test"), S("")}), "[\"t\",\"e\",\"s\",\"t\"]");
  EXPECT_EQ(R("split", {S(""), S("")}), "[]");
  EXPECT_EQ(R("strings.split_n", {S("a.b.c.d"), S("."), N("2")}), "[\"a\",\"b\"]");
  EXPECT_EQ(R("strings.split_n", {S("a.b.c.d"), S("."), N("10")}), "[\"a\",\"b\",\"c\",\"d\"]");
  EXPECT_EQ(R("strings.split_n", {S("a.b.c.d"), S("."), N("0")}), "[]");
  EXPECT_EQ(R("strings.split_n", {S("a.b.c.d"), S("."), N("-2")}), "[\"c\",\"d\"]");
  EXPECT_EQ(R("strings.split_n", {S("a.b.c.d"), S("."), N("-10")}), "[\"a\",\"b\",\"c\",\"d\"]");
  EXPECT_EQ(R("strings.split_n", {S("abc"), S(""), N("2")}), "[\"a\",\"b\"]");
  EXPECT_EQ(R("strings.split_n", {S("abc"), S(""), N("-2")}), "[\"b\",\"c\"]");
  EXPECT_EQ(R("strings.split_n", {S(""), S("."), N("2")}), "[\"\"]");
  EXPECT_EQ(E("strings.split_n", {S("a.b.c"), S("."), N("1.5")}).message,
            "operand 3 must be integer number but got floating-point number");
}

TEST(Strings, Substring) {
  EXPECT_EQ(Str("substring", {S("abcdefgh"), N("2"), N("-1")}), "cdefgh");
  EXPECT_EQ(Str("substring", {S("aåäö"), N("2"), N("-1")}), "äö");
  EXPECT_EQ(Str("substring", {S("abcdefgh"), N("2"), N("10000")}), "cdefgh");
  EXPECT_EQ(Str("substring", {S("abcdefghåäö"), N("2"), N("10000")}), "cdefghåäö");
  EXPECT_EQ(Str("substring", {S("åäö"), N("4"), N("-1")}), "");
  EXPECT_EQ(Str("substring", {S("åäöx"), N("1"), N("2")}), "äö");
  EXPECT_EQ(E("substring", {S("abc"), N("-1"), N("1")}).message, "negative offset");
}

TEST(Strings, Trim) {
  EXPECT_EQ(Str("trim", {S("...foo.bar..."), S(".o")}), "foo.bar");
  EXPECT_EQ(Str("trim", {S(""), S(".")}), "");
  EXPECT_EQ(Str("trim", {S("åxå"), S("å")}), "x");
  EXPECT_EQ(Str("trim_left", {S("..a.."), S(".")}), "a..");
  EXPECT_EQ(Str("trim_right", {S("..a.."), S(".")}), "..a");
  EXPECT_EQ(Str("trim_right", {S("...."), S(".")}), "");
  EXPECT_EQ(Str("trim_prefix", {S("foobar"), S("foo")}), "bar");
  EXPECT_EQ(Str("trim_suffix", {S("foobar"), S("bar")}), "foo");
  EXPECT_EQ(Str("trim_space", {S(" \t\n x y \u00a0")}), "x y");
  EXPECT_EQ(Str("trim_space", {S("   ")}), "");
}

TEST(Strings, CountAndAffixMatch) {
  EXPECT_EQ(R("strings.count", {S("cheese"), S("e")}), "3");
  EXPECT_EQ(R("strings.count", {S("dummy"), S("")}), "6");
  EXPECT_EQ(R("strings.count", {S("11111"), S("11")}), "2");
  EXPECT_EQ(R("strings.any_prefix_match", {J("[\"a/b/c\", \"e/f/g\"]"), J("[\"d/\", \"e/f/g\"]")}), "true");
  EXPECT_EQ(R("strings.any_prefix_match", {J("[]"), S("a")}), "false");
  EXPECT_EQ(R("strings.any_prefix_match", {J("[\"a\"]"), S("")}), "true");
  EXPECT_EQ(R("strings.any_suffix_match", {S("a/b/c"), J("[\"/c\"]")}), "true");
  EXPECT_EQ(E("strings.any_prefix_match", {J("[1]"), S("a")}).message,
            "operand 1 must be array of strings but got array containing number");
  EXPECT_EQ(E("strings.any_suffix_match", {S("a"), N("1")}).message,
            "operand 2 must be one of {string, set, array} but got number");
}

// ---- sprintf ----

TEST(Sprintf, CommonVerbs) {
  EXPECT_EQ(fmt("hi %s", "[\"there\"]"), "hi there");
  EXPECT_EQ(fmt("hi %02X.%02X", "[127, 1]"), "hi 7F.01");
  EXPECT_EQ(fmt("hi %.2f", "[3.1415]"), "hi 3.14");
  EXPECT_EQ(fmt("%d", "[42]"), "42");
  EXPECT_EQ(fmt("%5d|%-5d|%05d", "[42, 42, -42]"), "   42|42   |-0042");
  EXPECT_EQ(fmt("%x %X %o %b %#x %#o", "[255, 255, 8, 5, 255, 8]"), "ff FF 10 101 0xff 010");
  EXPECT_EQ(fmt("%+d % d", "[5, 5]"), "+5  5");
  EXPECT_EQ(fmt("%e %E %g", "[123456.789, 0.000012, 1e21]"), "1.234568e+05 1.200000E-05 1e+21");
  EXPECT_EQ(fmt("%v %v %v", "[1.5, 100000.5, 0.0001]"), "1.5 100000.5 0.0001");
  EXPECT_EQ(fmt("%v", "[1e-05]"), "1e-05");
  EXPECT_EQ(fmt("%8.3f|%-8.2f|", "[3.14159, 2.5]"), "   3.142|2.50    |");
  EXPECT_EQ(fmt("%q", "[\"a\\\"b\"]"), "\"a\\\"b\"");
  EXPECT_EQ(fmt("%5s|%-5s|%.2s", "[\"ab\", \"ab\", \"abc\"]"), "   ab|ab   |ab");
  EXPECT_EQ(fmt("%x", "[\"hi\"]"), "6869");
  EXPECT_EQ(fmt("100%%", "[]"), "100%");
  EXPECT_EQ(fmt("%c", "[65]"), "A");
  EXPECT_EQ(fmt("%U", "[65]"), "U+0041");
  EXPECT_EQ(fmt("%[2]s %[1]s", "[\"a\", \"b\"]"), "b a");
  EXPECT_EQ(fmt("%*d", "[4, 7]"), "   7");
  EXPECT_EQ(fmt("%T %T %T", "[1, 1.5, \"s\"]"), "int64 float64 string");
}

TEST(Sprintf, FlagsAndFloats) {
  EXPECT_EQ(fmt("%6.2f|%08.3f|%+.1e", "[-1.5, -3.14159, 12345.678]"), " -1.50|-003.142|+1.2e+04");
  EXPECT_EQ(fmt("%g %g %.3g %.10g", "[0.00001234, 123456789.5, 1234.5678, 1234.5678]"),
            "1.234e-05 1.234567895e+08 1.23e+03 1234.5678");
  EXPECT_EQ(fmt("%v %v", "[1e25, 2.5e-7]"), "1e+25 2.5e-07");
  EXPECT_EQ(fmt("%x %X %b", "[0.75, 0.5, 1.5]"), "0x1.8p-01 0X1P-01 6755399441055744p-52");
  EXPECT_EQ(fmt("%#v|%-8q|%05s|% x|%+q", "[\"a\", \"ab\", \"ab\", \"hi\", \"é\"]"),
            "\"a\"|\"ab\"    |000ab|68 69|\"\\u00e9\"");
  EXPECT_EQ(fmt("%x %#b %O %+v %q %#U", "[-255, 5, 8, 5, 65, 128512]"), "-ff 0b101 0o10 5 'A' U+1F600 '😀'");
  EXPECT_EQ(fmt("%+v", "[18446744073709551616]"), "+18446744073709551616");
  EXPECT_EQ(fmt("x", "[\"a\", 1.5]"), "x%!(EXTRA string=a, float64=1.5)");
  EXPECT_EQ(fmt("%.0d|%5.0d|", "[0, 0]"), "|     |");
  EXPECT_EQ(fmt("%#.3g|%#g", "[1.5, 2.5]"), "1.50|2.50000");
}

TEST(Sprintf, CompositesAndNonStrings) {
  EXPECT_EQ(fmt("hi %v", "[[\"there\", 5, 3.14]]"), "hi [\"there\", 5, 3.14]");
  EXPECT_EQ(fmt("%v", "[{\"a\": 1, \"b\": [true, null]}]"), "{\"a\": 1, \"b\": [true, null]}");
  EXPECT_EQ(Str("sprintf", {S("%v"), Value::array({set_of({N("2"), N("1")})})}), "{1, 2}");
  EXPECT_EQ(Str("sprintf", {S("%v"), Value::array({set_of({})})}), "set()");
  EXPECT_EQ(fmt("hi %s", "[true]"), "hi true");
  EXPECT_EQ(fmt("%v", "[null]"), "null");
  EXPECT_EQ(fmt("%d", "[\"x\"]"), "%!d(string=x)");
  EXPECT_EQ(fmt("%s", "[5]"), "%!s(int64=5)");
  EXPECT_EQ(fmt("%d", "[1.5]"), "%!d(float64=1.5)");
  EXPECT_EQ(fmt("%.2f", "[5]"), "%!f(int64=5)");
  EXPECT_EQ(fmt("%t", "[true]"), "%!t(string=true)");
}

TEST(Sprintf, BigIntegers) {
  EXPECT_EQ(fmt("%s", "[123456789123456789123]"), "123456789123456789123");
  EXPECT_EQ(fmt("%v", "[1208925819614629174706175]"), "1208925819614629174706175");
  EXPECT_EQ(fmt("%d", "[-18446744073709551618]"), "-18446744073709551618");
  EXPECT_EQ(fmt("%x", "[18446744073709551616]"), "10000000000000000");
  EXPECT_EQ(fmt("%25d|", "[18446744073709551616]"), "     18446744073709551616|");
  EXPECT_EQ(fmt("%f", "[18446744073709551616]"), "%!f(big.Int=18446744073709551616)");
  EXPECT_EQ(Str("sprintf", {S("%v"), Value::array({number::add(N("18446744073709551617"), N("1"))})}),
            "18446744073709551618");
}

TEST(Sprintf, GoErrorNotations) {
  EXPECT_EQ(fmt("%s %s", "[\"a\"]"), "a %!s(MISSING)");
  EXPECT_EQ(fmt("%s", "[\"a\", 1]"), "a%!(EXTRA int64=1)");
  EXPECT_EQ(fmt("%", "[]"), "%!(NOVERB)");
  EXPECT_EQ(fmt("%[3]d", "[1]"), "%!d(BADINDEX)");
  EXPECT_EQ(fmt("%*d", "[\"x\", 1]"), "%!(BADWIDTH)1");
}

TEST(Sprintf, OperandErrors) {
  EXPECT_EQ(E("sprintf", {N("1"), J("[]")}).message, "operand 1 must be string but got number");
  EXPECT_EQ(E("sprintf", {S("%s"), S("x")}).message, "operand 2 must be array but got string");
}

// ---- casts ----

TEST(Casts, ToNumber) {
  EXPECT_EQ(R("to_number", {S("3")}), "3");
  EXPECT_EQ(R("to_number", {S("-1.5e2")}), "-150");
  EXPECT_EQ(R("to_number", {S("+.5")}), "0.5");
  EXPECT_EQ(R("to_number", {S("007")}), "7");
  EXPECT_EQ(R("to_number", {S("18446744073709551617")}), "18446744073709551617");
  EXPECT_EQ(R("to_number", {Value()}), "0");
  EXPECT_EQ(R("to_number", {Value::boolean(true)}), "1");
  EXPECT_EQ(R("to_number", {N("2.5")}), "2.5");
  auto e = E("to_number", {S("broken")});
  EXPECT_EQ(e.message, "strconv.ParseFloat: parsing \"broken\": invalid syntax");
  EXPECT_FALSE(e.type_error);
  EXPECT_EQ(E("to_number", {S("1e400")}).message, "strconv.ParseFloat: parsing \"1e400\": value out of range");
  EXPECT_EQ(E("to_number", {S("-Inf")}).message, "operand 1 must be valid number string but got string");
  EXPECT_EQ(E("to_number", {J("[]")}).message, "operand 1 must be one of {null, boolean, number, string} but got array");
}

TEST(Casts, Deprecated) {
  EXPECT_EQ(R("cast_array", {set_of({N("2"), N("1")})}), "[1,2]");
  EXPECT_EQ(R("cast_set", {J("[2,1,2]")}), "[1,2]");
  EXPECT_EQ(R("cast_string", {S("x")}), "\"x\"");
  EXPECT_EQ(E("cast_boolean", {S("x")}).message, "operand 1 must be boolean but got string");
  EXPECT_EQ(E("cast_array", {S("x")}).message, "operand 1 must be one of {array, set} but got string");
  EXPECT_EQ(R("cast_null", {Value()}), "null");
  EXPECT_EQ(R("cast_object", {J("{}")}), "{}");
}

// ---- bits ----

TEST(Bits, Operations) {
  EXPECT_EQ(R("bits.or", {N("7"), N("9")}), "15");
  EXPECT_EQ(R("bits.and", {N("50"), N("0")}), "0");
  EXPECT_EQ(R("bits.and", {N("-6"), N("3")}), "2");
  EXPECT_EQ(R("bits.xor", {N("42"), N("3")}), "41");
  EXPECT_EQ(R("bits.negate", {N("42")}), "-43");
  EXPECT_EQ(R("bits.lsh", {N("2147483647"), N("1")}), "4294967294");
  EXPECT_EQ(R("bits.lsh", {N("9223372036854775807"), N("1")}), "18446744073709551614");
  EXPECT_EQ(R("bits.rsh", {N("8"), N("3")}), "1");
  EXPECT_EQ(R("bits.rsh", {N("-7"), N("1")}), "-4");
  EXPECT_EQ(R("bits.rsh", {N("18446744073709551616"), N("64")}), "1");
  EXPECT_EQ(R("bits.and", {N("-18446744073709551617"), N("18446744073709551615")}), "18446744073709551615");
  EXPECT_EQ(E("bits.and", {N("7.2"), N("42")}).message, "operand 1 must be integer number but got floating-point number");
  EXPECT_EQ(E("bits.lsh", {N("7"), N("-1")}).message,
            "operand 2 must be an unsigned integer number but got a negative integer");
  EXPECT_EQ(E("bits.or", {N("7"), S("x")}).message, "operand 2 must be integer but got string");
}

// ---- units ----

TEST(Units, Parse) {
  EXPECT_EQ(R("units.parse", {S("500m")}), "0.5");
  EXPECT_EQ(R("units.parse", {S("0.0005K")}), "0.5");
  EXPECT_EQ(R("units.parse", {S("0.0000005M")}), "0.5");
  EXPECT_EQ(R("units.parse", {S("\"100TI\"")}), "109951162777600");
  EXPECT_EQ(R("units.parse", {S(".0")}), "0");
  EXPECT_EQ(R("units.parse", {S("1.1Ki")}), "1126.4");
  EXPECT_EQ(R("units.parse", {S("10E")}), "10000000000000000000");
  EXPECT_EQ(R("units.parse", {S("10ei")}), "11529215046068469760");
  EXPECT_EQ(R("units.parse", {S("100m")}), "0.1");
  EXPECT_EQ(E("units.parse", {S("")}).message, "units.parse: no amount provided");
  EXPECT_EQ(E("units.parse", {S("G")}).message, "units.parse: no amount provided");
  EXPECT_EQ(E("units.parse", {S("0.0.0")}).message, "units.parse: could not parse amount to a number");
  EXPECT_EQ(E("units.parse", {S("100 k")}).message, "units.parse: spaces not allowed in resource strings");
  EXPECT_EQ(E("units.parse", {S("10e10000000Ei")}).message, "units.parse: exponent too large");
  EXPECT_EQ(E("units.parse", {S("10x")}).message, "units.parse: unit x not recognized");
}

TEST(Units, ParseBytes) {
  EXPECT_EQ(R("units.parse_bytes", {S("10KIB")}), "10240");
  EXPECT_EQ(R("units.parse_bytes", {S("1.1KiB")}), "1126");
  EXPECT_EQ(R("units.parse_bytes", {S("1.1KB")}), "1100");
  EXPECT_EQ(R("units.parse_bytes", {S(".5KB")}), "500");
  EXPECT_EQ(R("units.parse_bytes", {S("10eib")}), "11529215046068469760");
  EXPECT_EQ(R("units.parse_bytes", {S("1e3KB")}), "1000000");
  EXPECT_EQ(R("units.parse_bytes", {S("1e-2KB")}), "10");
  EXPECT_EQ(R("units.parse_bytes", {S("3.2E2MiB")}), "335544320");
  EXPECT_EQ(R("units.parse_bytes", {S("5e6")}), "5000000");
  EXPECT_EQ(R("units.parse_bytes", {S("5E")}), "5000000000000000000");
  EXPECT_EQ(E("units.parse_bytes", {S("GB")}).message, "units.parse_bytes: no byte amount provided");
  EXPECT_EQ(E("units.parse_bytes", {S(".5.2")}).message, "units.parse_bytes: could not parse byte amount to a number");
  EXPECT_EQ(E("units.parse_bytes", {S(" 327MiB ")}).message, "units.parse_bytes: spaces not allowed in resource strings");
  EXPECT_EQ(E("units.parse_bytes", {S("1xb")}).message, "units.parse_bytes: byte unit xb not recognized");
}

// ---- strings.render_template ----

TEST(RenderTemplate, Fields) {
  EXPECT_EQ(Str("strings.render_template", {S("hello {{.name}}!"), J("{\"name\": \"world\"}")}), "hello world!");
  EXPECT_EQ(Str("strings.render_template", {S("{{.a.b}} {{ .n }}"), J("{\"a\": {\"b\": [1, \"x\"]}, \"n\": 2.5}")}),
            "[1 x] 2.5");
  EXPECT_EQ(Str("strings.render_template", {S("{{.m}}|{{.z}}"), J("{\"m\": {\"b\": 1, \"a\": null}, \"z\": null}")}),
            "map[a:<nil> b:1]|<no value>");
  EXPECT_EQ(Str("strings.render_template", {S("a  {{- .x -}}  b{{/* note */}}"), J("{\"x\": 1}")}), "a1b");
}

TEST(RenderTemplate, Blocks) {
  const Value vars = J("{\"ok\": true, \"no\": false, \"items\": [\"a\", \"b\"], \"empty\": [], \"o\": {\"k\": \"v\"}}");
  EXPECT_EQ(Str("strings.render_template", {S("{{if .ok}}yes{{else}}no{{end}}"), vars}), "yes");
  EXPECT_EQ(Str("strings.render_template", {S("{{if .no}}1{{else if .ok}}2{{else}}3{{end}}"), vars}), "2");
  EXPECT_EQ(Str("strings.render_template", {S("{{range .items}}<{{.}}>{{end}}"), vars}), "<a><b>");
  EXPECT_EQ(Str("strings.render_template", {S("{{range .empty}}x{{else}}none{{end}}"), vars}), "none");
  EXPECT_EQ(Str("strings.render_template", {S("{{with .o}}{{.k}}{{end}}"), vars}), "v");
}

TEST(RenderTemplate, Errors) {
  EXPECT_EQ(E("strings.render_template", {S("{{.name}}"), J("{}")}).message,
            "template: template:1:2: executing \"template\" at <.name>: map has no entry for key \"name\"");
  EXPECT_EQ(E("strings.render_template", {S("x"), J("[]")}).message, "operand 2 must be object but got array");
  EXPECT_FALSE(E("strings.render_template", {S("{{if .a}}"), J("{\"a\": 1}")}).message.empty());
}

}  // namespace
}  // namespace rego
