// Go's net/url, as far as the built-ins need it: Parse (uri.parse, uri.is_valid, http.send, the JSON-schema
// "uri" formats), ResolveReference (http.send redirects) and the escaping rules behind them.
//
// A port of Go's algorithm, not an RFC 3986 parser: Go accepts and rejects exactly what it does (a relative
// reference whose first segment holds a colon is an error, a port must be digits, hosts may only %-encode
// non-ASCII bytes, ...), and its error texts are reproduced because OPA returns them verbatim
// (`parse "http://h:x": invalid port ":x" after host`). Internal to the engine.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rego::gourl {

struct Userinfo {
  std::string username;
  std::string password;
  bool password_set = false;
};

struct URL {
  std::string scheme;  // lower-cased
  std::string opaque;  // encoded opaque data (scheme:opaque)
  std::optional<Userinfo> user;
  std::string host;  // host or host:port ([v6]:port keeps its brackets)
  std::string path;  // decoded
  std::string raw_path;  // encoded hint, only when it differs from the default encoding of path
  bool force_query = false;
  std::string raw_query;
  std::string fragment;
  std::string raw_fragment;

  std::string hostname() const;      // host without port and brackets
  std::string port() const;          // digits after the last colon, or ""
  std::string escaped_path() const;  // EscapedPath()
  std::string request_uri() const;   // RequestURI(): path?query as sent on the request line
  std::string string() const;        // String()
};

// url.Parse. On failure returns nullopt and, when `error` is given, stores Go's *url.Error text:
// `parse "<url>": <reason>`.
std::optional<URL> parse(std::string_view raw, std::string* error = nullptr);

// (*URL).ResolveReference: `ref` resolved against the absolute `base` (RFC 3986 section 5.2).
URL resolve_reference(const URL& base, const URL& ref);

// url.QueryUnescape / url.PathUnescape; nullopt on a malformed escape.
std::optional<std::string> query_unescape(std::string_view s);
std::string query_escape(std::string_view s);

}  // namespace rego::gourl
