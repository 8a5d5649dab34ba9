// uri.parse / uri.is_valid (Go's net/url.Parse semantics), opa.runtime and trace.
#include <gtest/gtest.h>

#include "builtin_call.h"
#include "rego/builtins/gourl.h"
#include "rego/builtins/registry.h"
#include "rego/json.h"

namespace rego {
namespace {

using testing::call;
using testing::J;

// uri.parse's result as JSON text, or "error: <message>".
std::string parse(const std::string& uri) {
  try {
    auto v = call("uri.parse", {str(uri)});
    return v ? json::write(*v) : "undefined";
  } catch (const BuiltinError& e) {
    return "error: " + e.message;
  }
}

bool valid(const Value& v) { return call("uri.is_valid", {v})->as_bool(); }

TEST(UriBuiltins, ParseLikeGo) {
  struct Case {
    const char* uri;
    const char* want;  // JSON, or nullptr for an error
  };
  const Case cases[] = {
      {"http://h", R"({"hostname":"h","scheme":"http"})"},
      {"HTTP://H", R"({"hostname":"H","scheme":"http"})"},
      {"a+b-c.d://h", R"({"hostname":"h","scheme":"a+b-c.d"})"},
      {"1abc://h", nullptr},
      {"://h", nullptr},
      {"foo:", R"({"scheme":"foo"})"},
      {"foo:bar", R"({"scheme":"foo"})"},
      {"http://h:8080", R"({"hostname":"h","port":"8080","scheme":"http"})"},
      {"http://h:", R"({"hostname":"h","scheme":"http"})"},
      {"http://h:abc", nullptr},
      {"http://:8080", R"({"port":"8080","scheme":"http"})"},
      {"http://h:80:90", R"({"hostname":"h:80","port":"90","scheme":"http"})"},
      {"http://u:p@h:1/x", R"({"hostname":"h","path":"/x","port":"1","raw_path":"/x","scheme":"http"})"},
      {"http://", R"({"scheme":"http"})"},
      {"http:///p", R"({"path":"/p","raw_path":"/p","scheme":"http"})"},
      {"//h/p", R"({"hostname":"h","path":"/p","raw_path":"/p"})"},
      {"//user@/p", R"({"path":"/p","raw_path":"/p"})"},
      {"http://[::1]:80", R"({"hostname":"::1","port":"80","scheme":"http"})"},
      {"http://[fe80::1%25en0]", R"({"hostname":"fe80::1%en0","scheme":"http"})"},
      {"https://[::ffff:192.0.2.1]:8443/p",
       R"({"hostname":"::ffff:192.0.2.1","path":"/p","port":"8443","raw_path":"/p","scheme":"https"})"},
      {"http://[%FF::1]/", nullptr},
      {"http://[fe80::1%25]", nullptr},
      {"http://[::1", nullptr},
      {"http://[::1]:bad", nullptr},
      {"http://h/a%20b", R"({"hostname":"h","path":"/a b","raw_path":"/a b","scheme":"http"})"},
      {"http://h/%2Fx", R"({"hostname":"h","path":"//x","raw_path":"/%2Fx","scheme":"http"})"},
      {"http://h/%41", R"({"hostname":"h","path":"/A","raw_path":"/%41","scheme":"http"})"},
      {"http://h/bad%2", nullptr},
      {"http://h/%", nullptr},
      {"rel/path", R"({"path":"rel/path","raw_path":"rel/path"})"},
      {"http://h?", R"({"hostname":"h","scheme":"http"})"},
      {"http://h/p#f?q", R"({"fragment":"f?q","hostname":"h","path":"/p","raw_path":"/p","scheme":"http"})"},
      {"http://h/p?%20=%26#%2e",
       R"({"fragment":".","hostname":"h","path":"/p","raw_path":"/p","raw_query":"%20=%26","scheme":"http"})"},
      {"opaque:x?q#f", R"({"fragment":"f","raw_query":"q","scheme":"opaque"})"},
      {"file:/etc/hosts", R"({"path":"/etc/hosts","raw_path":"/etc/hosts","scheme":"file"})"},
      {"cache_object:foo/bar", nullptr},
      {"", "{}"},
      {"*", R"({"path":"*","raw_path":"*"})"},
      {"ht tp://h", nullptr},
      {"h ttp", R"({"path":"h ttp","raw_path":"h ttp"})"},
  };
  for (const auto& c : cases) {
    std::string got = parse(c.uri);
    if (c.want) {
      EXPECT_EQ(got, c.want) << c.uri;
      EXPECT_EQ(valid(str(c.uri)), *c.uri != '\0') << c.uri;
    } else {
      EXPECT_EQ(got.rfind("error: parse ", 0), 0u) << c.uri << " -> " << got;
      EXPECT_FALSE(valid(str(c.uri))) << c.uri;
    }
  }
  EXPECT_EQ(parse("http://h:abc"), R"(error: parse "http://h:abc": invalid port ":abc" after host)");
  EXPECT_EQ(parse("://h"), R"(error: parse "://h": missing protocol scheme)");
  EXPECT_EQ(parse("http://h/%zz"), R"(error: parse "http://h/%zz": invalid URL escape "%zz")");
  EXPECT_FALSE(valid(Value::integer(42)));
}

TEST(UriBuiltins, ResolveReference) {
  auto base = gourl::parse("http://a/b/c/d;p?q");
  ASSERT_TRUE(base);
  auto res = [&](const char* ref) { return gourl::resolve_reference(*base, *gourl::parse(ref)).string(); };
  // RFC 3986 section 5.4.1
  EXPECT_EQ(res("g"), "http://a/b/c/g");
  EXPECT_EQ(res("./g"), "http://a/b/c/g");
  EXPECT_EQ(res("g/"), "http://a/b/c/g/");
  EXPECT_EQ(res("/g"), "http://a/g");
  EXPECT_EQ(res("//g"), "http://g");
  EXPECT_EQ(res("?y"), "http://a/b/c/d;p?y");
  EXPECT_EQ(res("#s"), "http://a/b/c/d;p?q#s");
  EXPECT_EQ(res(""), "http://a/b/c/d;p?q");
  EXPECT_EQ(res("../g"), "http://a/b/g");
  EXPECT_EQ(res("../../../g"), "http://a/g");
}

TEST(RuntimeBuiltins, OpaRuntime) {
  EXPECT_EQ(*call("opa.runtime", {}), Value::empty_object());
  BuiltinContext ctx;
  ctx.runtime = J(R"({"env": {"HOME": "/root"}, "version": "x",
                      "config": {"services": {"s": {"url": "u", "credentials": {"bearer": {"token": "t"}}}},
                                 "keys": {"k": {"key": "secret", "private_key": "pk", "algorithm": "RS256"}},
                                 "labels": {"a": "b"}}})");
  EXPECT_EQ(json::write(*call("opa.runtime", {}, ctx)),
            json::write(J(R"({"env": {"HOME": "/root"}, "version": "x",
                              "config": {"services": {"s": {"url": "u"}},
                                         "keys": {"k": {"algorithm": "RS256"}},
                                         "labels": {"a": "b"}}})")));
  ctx.runtime = J(R"({"config": {"services": [{"name": "a", "credentials": {}}]}})");
  EXPECT_EQ(json::write(*call("opa.runtime", {}, ctx)), R"({"config":{"services":[{"name":"a"}]}})");
  const Builtin* b = builtins().find("opa.runtime");
  EXPECT_TRUE(b->nondeterministic);
  EXPECT_EQ(b->arity, 0);
}

TEST(RuntimeBuiltins, Trace) {
  EXPECT_EQ(*call("trace", {str("note")}), Value::true_value());
  EXPECT_THROW(call("trace", {Value::integer(1)}), BuiltinError);
}

}  // namespace
}  // namespace rego
