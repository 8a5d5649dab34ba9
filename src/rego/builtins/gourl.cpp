// Go's net/url Parse/ResolveReference (see gourl.h).
#include "rego/builtins/gourl.h"
#include "rego/builtins/strutil.h"

#include <arpa/inet.h>

#include <cctype>
#include <stdexcept>

namespace rego::gourl {
namespace {

enum class Mode { Path, PathSegment, Host, Zone, UserPassword, QueryComponent, Fragment };

// A parse failure carrying Go's inner error text; parse() wraps it as `parse "<url>": <text>`.
struct Fail {
  std::string message;
};

bool ishex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

unsigned char unhex(char c) {
  if (c >= '0' && c <= '9') return static_cast<unsigned char>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<unsigned char>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<unsigned char>(c - 'A' + 10);
  return 0;
}

bool should_escape(unsigned char c, Mode mode) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return false;
  if (mode == Mode::Host || mode == Mode::Zone) {
    switch (c) {
      case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',': case ';':
      case '=': case ':': case '[': case ']': case '<': case '>': case '"':
        return false;
      default:
        break;
    }
  }
  switch (c) {
    case '-': case '_': case '.': case '~':
      return false;
    case '$': case '&': case '+': case ',': case '/': case ':': case ';': case '=': case '?': case '@':
      switch (mode) {
        case Mode::Path: return c == '?';
        case Mode::PathSegment: return c == '/' || c == ';' || c == ',' || c == '?';
        case Mode::UserPassword: return c == '@' || c == '/' || c == '?' || c == ':';
        case Mode::QueryComponent: return true;
        case Mode::Fragment: return false;
        default: break;
      }
      break;
    default:
      break;
  }
  if (mode == Mode::Fragment) {
    switch (c) {
      case '!': case '(': case ')': case '*':
        return false;
      default:
        break;
    }
  }
  return true;
}

std::string unescape(std::string_view s, Mode mode) {
  size_t n = 0;
  bool has_plus = false;
  for (size_t i = 0; i < s.size();) {
    switch (s[i]) {
      case '%': {
        ++n;
        if (i + 2 >= s.size() || !ishex(s[i + 1]) || !ishex(s[i + 2])) {
          std::string_view bad = s.substr(i, 3);
          throw Fail{"invalid URL escape " + text::quote(bad)};
        }
        if (mode == Mode::Host && unhex(s[i + 1]) < 8 && s.substr(i, 3) != "%25")
          throw Fail{"invalid URL escape " + text::quote(s.substr(i, 3))};
        if (mode == Mode::Zone) {
          unsigned char v = static_cast<unsigned char>(unhex(s[i + 1]) << 4 | unhex(s[i + 2]));
          if (s.substr(i, 3) != "%25" && v != ' ' && should_escape(v, Mode::Host))
            throw Fail{"invalid URL escape " + text::quote(s.substr(i, 3))};
        }
        i += 3;
        break;
      }
      case '+':
        has_plus = mode == Mode::QueryComponent;
        ++i;
        break;
      default:
        if ((mode == Mode::Host || mode == Mode::Zone) && static_cast<unsigned char>(s[i]) < 0x80 &&
            should_escape(static_cast<unsigned char>(s[i]), mode))
          throw Fail{"invalid character " + text::quote(s.substr(i, 1)) + " in host name"};
        ++i;
    }
  }
  if (n == 0 && !has_plus) return std::string(s);
  std::string t;
  t.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      t += static_cast<char>(unhex(s[i + 1]) << 4 | unhex(s[i + 2]));
      i += 2;
    } else if (s[i] == '+') {
      t += mode == Mode::QueryComponent ? ' ' : '+';
    } else {
      t += s[i];
    }
  }
  return t;
}

std::string escape(std::string_view s, Mode mode) {
  static const char* upper = "0123456789ABCDEF";
  std::string t;
  t.reserve(s.size());
  for (unsigned char c : s) {
    if (c == ' ' && mode == Mode::QueryComponent) {
      t += '+';
    } else if (should_escape(c, mode)) {
      t += '%';
      t += upper[c >> 4];
      t += upper[c & 15];
    } else {
      t += static_cast<char>(c);
    }
  }
  return t;
}

bool valid_optional_port(std::string_view port) {
  if (port.empty()) return true;
  if (port[0] != ':') return false;
  for (char b : port.substr(1))
    if (b < '0' || b > '9') return false;
  return true;
}

bool valid_userinfo(std::string_view s) {
  for (unsigned char r : s) {
    if ((r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')) continue;
    switch (r) {
      case '-': case '.': case '_': case ':': case '~': case '!': case '$': case '&': case '\'': case '(':
      case ')': case '*': case '+': case ',': case ';': case '=': case '%': case '@':
        continue;
      default:
        return false;  // includes every non-ASCII byte, as Go's rune loop rejects non-ASCII runes
    }
  }
  return true;
}

bool valid_encoded(std::string_view s, Mode mode) {
  for (unsigned char c : s) {
    switch (c) {
      case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',': case ';':
      case '=': case ':': case '@': case '[': case ']': case '%':
        break;
      default:
        if (should_escape(c, mode)) return false;
    }
  }
  return true;
}

std::string parse_host(std::string_view host) {
  if (!host.empty() && host[0] == '[') {
    size_t i = host.rfind(']');
    if (i == std::string_view::npos) throw Fail{"missing ']' in host"};
    std::string_view colon_port = host.substr(i + 1);
    if (!valid_optional_port(colon_port)) throw Fail{"invalid port " + text::quote(colon_port) + " after host"};
    std::string unescaped;
    size_t zone = host.substr(0, i).find("%25");
    if (zone != std::string_view::npos) {
      std::string h1 = unescape(host.substr(0, zone), Mode::Host);
      std::string h2 = unescape(host.substr(zone, i - zone), Mode::Zone);
      std::string h3 = unescape(host.substr(i), Mode::Host);
      unescaped = h1 + h2 + h3;
    } else {
      unescaped = unescape(host, Mode::Host);
    }
    // Only an IPv6 address (IPv4-mapped included, bare IPv4 not) may be bracketed, with a non-empty zone when
    // there is one (Go 1.24+, netip.ParseAddr).
    size_t close = unescaped.rfind(']');
    std::string literal = unescaped.substr(1, close - 1);
    std::string addr = literal.substr(0, literal.find('%'));
    unsigned char buf[16];
    if (inet_pton(AF_INET6, addr.c_str(), buf) != 1) throw Fail{"invalid host: ParseAddr(" + text::quote(literal) + "): invalid IP address"};
    if (literal.find('%') != std::string::npos && literal.find('%') + 1 == literal.size())
      throw Fail{"invalid host: ParseAddr(" + text::quote(literal) + "): zone must be a non-empty string"};
    return unescaped;
  } else {
    size_t i = host.rfind(':');
    if (i != std::string_view::npos) {
      std::string_view colon_port = host.substr(i);
      if (!valid_optional_port(colon_port)) throw Fail{"invalid port " + text::quote(colon_port) + " after host"};
    }
  }
  return unescape(host, Mode::Host);
}

void parse_authority(std::string_view authority, URL& u) {
  size_t i = authority.rfind('@');
  u.host = parse_host(i == std::string_view::npos ? authority : authority.substr(i + 1));
  if (i == std::string_view::npos) return;
  std::string_view userinfo = authority.substr(0, i);
  if (!valid_userinfo(userinfo)) throw Fail{"net/url: invalid userinfo"};
  Userinfo ui;
  size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) {
    ui.username = unescape(userinfo, Mode::UserPassword);
  } else {
    ui.username = unescape(userinfo.substr(0, colon), Mode::UserPassword);
    ui.password = unescape(userinfo.substr(colon + 1), Mode::UserPassword);
    ui.password_set = true;
  }
  u.user = std::move(ui);
}

void set_path(URL& u, std::string_view p) {
  u.path = unescape(p, Mode::Path);
  u.raw_path = escape(u.path, Mode::Path) == p ? std::string() : std::string(p);
}

void set_fragment(URL& u, std::string_view f) {
  u.fragment = unescape(f, Mode::Fragment);
  u.raw_fragment = escape(u.fragment, Mode::Fragment) == f ? std::string() : std::string(f);
}

// getScheme: (scheme, rest).
std::pair<std::string, std::string_view> get_scheme(std::string_view raw) {
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) continue;
    if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
      if (i == 0) return {"", raw};
      continue;
    }
    if (c == ':') {
      if (i == 0) throw Fail{"missing protocol scheme"};
      return {std::string(raw.substr(0, i)), raw.substr(i + 1)};
    }
    return {"", raw};
  }
  return {"", raw};
}

URL parse_inner(std::string_view raw) {
  for (unsigned char b : raw)
    if (b < ' ' || b == 0x7f) throw Fail{"net/url: invalid control character in URL"};
  URL u;
  if (raw == "*") {
    u.path.assign(1, '*');
    return u;
  }
  auto [scheme, rest] = get_scheme(raw);
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  u.scheme = scheme;

  size_t qcount = 0;
  for (char c : rest) qcount += c == '?';
  if (!rest.empty() && rest.back() == '?' && qcount == 1) {
    u.force_query = true;
    rest = rest.substr(0, rest.size() - 1);
  } else {
    size_t q = rest.find('?');
    if (q != std::string_view::npos) {
      u.raw_query = std::string(rest.substr(q + 1));
      rest = rest.substr(0, q);
    }
  }

  if (rest.empty() || rest[0] != '/') {
    if (!u.scheme.empty()) {
      u.opaque = std::string(rest);
      return u;
    }
    std::string_view segment = rest.substr(0, rest.find('/'));
    if (segment.find(':') != std::string_view::npos) throw Fail{"first path segment in URL cannot contain colon"};
  }

  bool starts_slash2 = rest.size() >= 2 && rest[0] == '/' && rest[1] == '/';
  bool starts_slash3 = rest.size() >= 3 && starts_slash2 && rest[2] == '/';
  if ((!u.scheme.empty() || !starts_slash3) && starts_slash2) {
    std::string_view authority = rest.substr(2);
    std::string_view after;
    size_t i = authority.find('/');
    if (i != std::string_view::npos) {
      after = authority.substr(i);
      authority = authority.substr(0, i);
    }
    parse_authority(authority, u);
    rest = after;
  }
  set_path(u, rest);
  return u;
}

std::pair<std::string, std::string> split_host_port(const std::string& host_port) {
  std::string host = host_port, port;
  size_t colon = host.rfind(':');
  if (colon != std::string::npos && valid_optional_port(std::string_view(host).substr(colon))) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return {host, port};
}

std::string resolve_path(const std::string& base, const std::string& ref) {
  std::string full;
  if (ref.empty()) {
    full = base;
  } else if (ref[0] != '/') {
    size_t i = base.rfind('/');
    full = (i == std::string::npos ? std::string() : base.substr(0, i + 1)) + ref;
  } else {
    full = ref;
  }
  if (full.empty()) return "";
  std::string dst = "/";
  bool first = true;
  std::string_view remaining = full;
  std::string_view elem;
  bool found = true;
  while (found) {
    size_t slash = remaining.find('/');
    found = slash != std::string_view::npos;
    elem = found ? remaining.substr(0, slash) : remaining;
    remaining = found ? remaining.substr(slash + 1) : std::string_view();
    if (elem == ".") {
      first = false;
      continue;
    }
    if (elem == "..") {
      std::string str = dst.substr(1);
      size_t index = str.rfind('/');
      dst.assign(1, '/');
      if (index == std::string::npos) {
        first = true;
      } else {
        dst += str.substr(0, index);
      }
    } else {
      if (!first) dst += '/';
      dst += elem;
      first = false;
    }
  }
  if (elem == "." || elem == "..") dst += '/';
  if (dst.size() > 1 && dst[1] == '/') dst = dst.substr(1);
  return dst;
}

}  // namespace

std::string URL::hostname() const { return split_host_port(host).first; }
std::string URL::port() const { return split_host_port(host).second; }

std::string URL::escaped_path() const {
  if (!raw_path.empty() && valid_encoded(raw_path, Mode::Path)) {
    try {
      if (unescape(raw_path, Mode::Path) == path) return raw_path;
    } catch (const Fail&) {
    }
  }
  if (path == "*") return "*";
  return escape(path, Mode::Path);
}

std::string URL::request_uri() const {
  std::string result = opaque;
  if (result.empty()) {
    result = escaped_path();
    if (result.empty()) result.assign(1, '/');
  } else if (result.rfind("//", 0) == 0) {
    result = scheme + ":" + result;
  }
  if (force_query || !raw_query.empty()) result += "?" + raw_query;
  return result;
}

std::string URL::string() const {
  std::string buf;
  if (!scheme.empty()) {
    buf += scheme;
    buf += ':';
  }
  if (!opaque.empty()) {
    buf += opaque;
  } else {
    if (!scheme.empty() || !host.empty() || user) {
      if (!host.empty() || !path.empty() || user) buf += "//";
      if (user) {
        buf += escape(user->username, Mode::UserPassword);
        if (user->password_set) {
          buf += ':';
          buf += escape(user->password, Mode::UserPassword);
        }
        buf += '@';
      }
      if (!host.empty()) buf += escape(host, Mode::Host);
    }
    std::string p = escaped_path();
    if (!p.empty() && p[0] != '/' && !host.empty()) buf += '/';
    if (buf.empty()) {
      std::string_view segment = std::string_view(p).substr(0, p.find('/'));
      if (segment.find(':') != std::string_view::npos) buf += "./";
    }
    buf += p;
  }
  if (force_query || !raw_query.empty()) buf += "?" + raw_query;
  if (!fragment.empty()) {
    buf += '#';
    std::string f;
    bool used_raw = false;
    if (!raw_fragment.empty() && valid_encoded(raw_fragment, Mode::Fragment)) {
      try {
        if (unescape(raw_fragment, Mode::Fragment) == fragment) {
          f = raw_fragment;
          used_raw = true;
        }
      } catch (const Fail&) {
      }
    }
    buf += used_raw ? f : escape(fragment, Mode::Fragment);
  }
  return buf;
}

std::optional<URL> parse(std::string_view raw, std::string* error) {
  size_t hash = raw.find('#');
  std::string_view u = hash == std::string_view::npos ? raw : raw.substr(0, hash);
  URL url;
  try {
    url = parse_inner(u);
  } catch (const Fail& f) {
    if (error) *error = "parse " + text::quote(u) + ": " + f.message;
    return std::nullopt;
  }
  if (hash == std::string_view::npos) return url;
  std::string_view frag = raw.substr(hash + 1);
  if (frag.empty()) return url;
  try {
    set_fragment(url, frag);
  } catch (const Fail& f) {
    if (error) *error = "parse " + text::quote(raw) + ": " + f.message;
    return std::nullopt;
  }
  return url;
}

URL resolve_reference(const URL& base, const URL& ref) {
  URL url = ref;
  if (ref.scheme.empty()) url.scheme = base.scheme;
  if (!ref.scheme.empty() || !ref.host.empty() || ref.user) {
    set_path(url, resolve_path(ref.escaped_path(), ""));
    return url;
  }
  if (!ref.opaque.empty()) {
    url.user.reset();
    url.host.clear();
    url.path.clear();
    return url;
  }
  if (ref.path.empty() && !ref.force_query && ref.raw_query.empty()) {
    url.raw_query = base.raw_query;
    if (ref.fragment.empty()) {
      url.fragment = base.fragment;
      url.raw_fragment = base.raw_fragment;
    }
  }
  url.host = base.host;
  url.user = base.user;
  set_path(url, resolve_path(base.escaped_path(), ref.escaped_path()));
  return url;
}

std::optional<std::string> query_unescape(std::string_view s) {
  try {
    return unescape(s, Mode::QueryComponent);
  } catch (const Fail&) {
    return std::nullopt;
  }
}

std::string query_escape(std::string_view s) { return escape(s, Mode::QueryComponent); }

}  // namespace rego::gourl
