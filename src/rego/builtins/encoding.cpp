// Encoding built-ins: base64.*, base64url.*, hex.*, urlquery.*, json.marshal*, json.unmarshal, json.is_valid.
//
// Decoders follow Go's standard library (encoding/base64, encoding/hex, net/url) byte for byte, including
// their error messages, because OPA surfaces those messages verbatim.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "rego/builtins/crypto_util.h"
#include "rego/builtins/registry.h"
#include "rego/json.h"

namespace rego {
namespace {

[[noreturn]] void fail(std::string msg) { throw BuiltinError{std::move(msg), false}; }

// ---------------------------------------------------------------- base64 (Go's encoding/base64, in crypto_util)

std::optional<Value> base64_encode(BuiltinArgs a, BuiltinContext&) {
  return Value::string(crypto::b64_encode(args::string(a, 0), /*url=*/false, /*pad=*/true));
}

std::optional<Value> base64_decode(BuiltinArgs a, BuiltinContext&) {
  std::string out;
  if (auto err = crypto::b64_decode_std(args::string(a, 0), out); !err.empty()) fail(err);
  return Value::string(std::move(out));
}

std::optional<Value> base64_is_valid(BuiltinArgs a, BuiltinContext&) {
  if (!a[0].is_string()) return Value::boolean(false);
  std::string out;
  return Value::boolean(crypto::b64_decode_std(a[0].as_string(), out).empty());
}

std::optional<Value> base64url_encode(BuiltinArgs a, BuiltinContext&) {
  return Value::string(crypto::b64_encode(args::string(a, 0), /*url=*/true, /*pad=*/true));
}

std::optional<Value> base64url_encode_no_pad(BuiltinArgs a, BuiltinContext&) {
  return Value::string(crypto::b64_encode(args::string(a, 0), /*url=*/true, /*pad=*/false));
}

// Accepts unpadded input too (RFC 7515 appendix C), as OPA does.
std::optional<Value> base64url_decode(BuiltinArgs a, BuiltinContext&) {
  std::string out;
  if (auto err = crypto::b64url_decode_opa(args::string(a, 0), out); !err.empty()) fail(err);
  return Value::string(std::move(out));
}

// ---------------------------------------------------------------- hex (Go's encoding/hex)

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's "%#U" of a byte widened to a rune: "U+0067 'g'", the quoted character only when printable.
std::string go_rune_u(uint8_t b) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", b);
  std::string s = buf;
  bool printable = (b >= 0x20 && b < 0x7f) || (b >= 0xa1 && b != 0xad);
  if (printable) {
    s += " '";
    if (b < 0x80) {
      s += char(b);
    } else {
      s += char(0xc0 | (b >> 6));
      s += char(0x80 | (b & 0x3f));
    }
    s += "'";
  }
  return s;
}

std::optional<Value> hex_encode(BuiltinArgs a, BuiltinContext&) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::string& s = args::string(a, 0);
  std::string out;
  out.reserve(s.size() * 2);
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return Value::string(std::move(out));
}

std::optional<Value> hex_decode(BuiltinArgs a, BuiltinContext&) {
  const std::string& s = args::string(a, 0);
  std::string out;
  size_t j = 1;
  for (; j < s.size(); j += 2) {
    int hi = hex_digit(s[j - 1]), lo = hex_digit(s[j]);
    if (hi < 0) fail("encoding/hex: invalid byte: " + go_rune_u(uint8_t(s[j - 1])));
    if (lo < 0) fail("encoding/hex: invalid byte: " + go_rune_u(uint8_t(s[j])));
    out += char(hi << 4 | lo);
  }
  if (s.size() % 2 == 1) {
    // Go reports an invalid final character before the odd length.
    if (hex_digit(s[j - 1]) < 0) fail("encoding/hex: invalid byte: " + go_rune_u(uint8_t(s[j - 1])));
    fail("encoding/hex: odd length hex string");
  }
  return Value::string(std::move(out));
}

// ---------------------------------------------------------------- urlquery (Go's net/url)

// url.QueryEscape: unreserved bytes kept, space as '+', everything else %XX.
std::string query_escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// strconv.Quote for the short fragments url.EscapeError carries.
std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += char(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out + "\"";
}

// url.QueryUnescape; the error message on a malformed escape, or "".
std::string query_unescape(std::string_view s, std::string& out) {
  out.clear();
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || hex_digit(s[i + 1]) < 0 || hex_digit(s[i + 2]) < 0) {
        return "invalid URL escape " + go_quote(s.substr(i, 3));
      }
      out += char(hex_digit(s[i + 1]) << 4 | hex_digit(s[i + 2]));
      i += 2;
    } else if (c == '+') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return "";
}

std::optional<Value> urlquery_encode(BuiltinArgs a, BuiltinContext&) {
  return Value::string(query_escape(args::string(a, 0)));
}

std::optional<Value> urlquery_decode(BuiltinArgs a, BuiltinContext&) {
  std::string out;
  if (auto err = query_unescape(args::string(a, 0), out); !err.empty()) fail(err);
  return Value::string(std::move(out));
}

// Object keys as Go's JSON conversion names them: strings as they are, anything else as its JSON text.
std::string key_text(const Value& k) { return k.is_string() ? k.as_string() : json::write(k); }

// url.Values.Encode: keys sorted, each value as key=value in order, joined with '&'.
std::optional<Value> urlquery_encode_object(BuiltinArgs a, BuiltinContext&) {
  const auto& entries = args::object(a, 0);
  std::vector<std::pair<std::string, std::vector<std::string>>> params;
  for (const auto& [k, v] : entries) {
    std::vector<std::string> values;
    if (v.is_string()) {
      values.push_back(v.as_string());
    } else if (v.is_array() || v.is_set()) {
      for (const auto& e : v.is_array() ? v.as_array() : v.as_set()) {
        if (!e.is_string()) throw BuiltinError{"operand 1 values must be string, array[string], or set[string]", true};
        values.push_back(e.as_string());
      }
    } else {
      throw BuiltinError{"operand 1 values must be string, array[string], or set[string]", true};
    }
    params.emplace_back(key_text(k), std::move(values));
  }
  std::sort(params.begin(), params.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::string out;
  for (const auto& [k, values] : params) {
    std::string ek = query_escape(k);
    for (const auto& v : values) {
      if (!out.empty()) out += '&';
      out += ek + "=" + query_escape(v);
    }
  }
  return Value::string(std::move(out));
}

// url.ParseQuery: '&'-separated key=value pairs; semicolons and bad escapes are errors (the first reported).
std::optional<Value> urlquery_decode_object(BuiltinArgs a, BuiltinContext&) {
  std::string_view q = args::string(a, 0);
  std::vector<std::pair<std::string, std::vector<Value>>> params;
  std::string first_error;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (part.empty()) continue;
    if (part.find(';') != std::string_view::npos) {
      if (first_error.empty()) first_error = "invalid semicolon separator in query";
      continue;
    }
    size_t eq = part.find('=');
    std::string key, value;
    std::string err = query_unescape(part.substr(0, eq), key);
    if (err.empty() && eq != std::string_view::npos) err = query_unescape(part.substr(eq + 1), value);
    if (!err.empty()) {
      if (first_error.empty()) first_error = err;
      continue;
    }
    auto it = std::find_if(params.begin(), params.end(), [&](const auto& p) { return p.first == key; });
    if (it == params.end()) it = params.insert(params.end(), {key, {}});
    it->second.push_back(Value::string(std::move(value)));
  }
  if (!first_error.empty()) fail(first_error);
  std::vector<ObjectEntry> entries;
  for (auto& [k, values] : params) entries.emplace_back(Value::string(k), Value::array(std::move(values)));
  return Value::object(std::move(entries));
}

// ---------------------------------------------------------------- json.*

std::optional<Value> json_marshal(BuiltinArgs a, BuiltinContext&) { return Value::string(json::write(a[0])); }

// Go's json.Indent over compact JSON: a newline, the prefix and one indent per level after each opening
// bracket and comma; empty objects and arrays stay "{}" and "[]"; ": " after keys.
std::string go_indent(std::string_view compact, const std::string& prefix, const std::string& indent) {
  std::string out;
  int depth = 0;
  bool in_string = false;
  auto newline = [&] {
    out += '\n';
    out += prefix;
    for (int i = 0; i < depth; ++i) out += indent;
  };
  for (size_t i = 0; i < compact.size(); ++i) {
    char c = compact[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < compact.size()) {
        out += compact[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        out += c;
        break;
      case '{':
      case '[':
        out += c;
        if (i + 1 < compact.size() && (compact[i + 1] == '}' || compact[i + 1] == ']')) {
          out += compact[++i];
        } else {
          ++depth;
          newline();
        }
        break;
      case '}':
      case ']':
        --depth;
        newline();
        out += c;
        break;
      case ',':
        out += c;
        newline();
        break;
      case ':':
        out += ": ";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::optional<Value> json_marshal_with_options(BuiltinArgs a, BuiltinContext&) {
  const auto& opts = args::object(a, 1);
  std::string prefix, indent = "\t";
  bool implicit_pretty = false, explicit_set = false, pretty = false;
  // OPA reports option errors with the option's position among the (sorted) keys as the "operand" number.
  size_t idx = 0;
  for (const auto& [k, v] : opts) {
    std::string at = "operand " + std::to_string(idx) + " must be string but got ";
    if (!k.is_string()) {
      throw BuiltinError{"operand 2 failed to stringify key " + json::write(k) + " at index " + std::to_string(idx) +
                             ": " + at + k.type_name(),
                         true};
    }
    const std::string& key = k.as_string();
    if (key == "prefix" || key == "indent") {
      if (!v.is_string()) throw BuiltinError{"operand 2 key " + key + " failed cast to string: " + at + v.type_name(), true};
      (key == "prefix" ? prefix : indent) = v.as_string();
      implicit_pretty = true;
    } else if (key == "pretty") {
      if (!v.is_boolean()) throw BuiltinError{"operand 2 key pretty failed cast to bool", true};
      explicit_set = true;
      pretty = v.as_bool();
    } else {
      throw BuiltinError{"operand 2 object contained unknown key " + key, true};
    }
    ++idx;
  }
  if (!explicit_set) pretty = implicit_pretty;
  std::string compact = json::write(a[0]);
  if (!pretty) return Value::string(std::move(compact));
  // MarshalIndent does not prefix the first line; OPA adds it.
  return Value::string(prefix + go_indent(compact, prefix, indent));
}

std::optional<Value> json_unmarshal(BuiltinArgs a, BuiltinContext&) {
  auto r = json::parse(args::string(a, 0));
  if (!r.ok) fail(r.error);
  return std::move(r.value);
}

std::optional<Value> json_is_valid(BuiltinArgs a, BuiltinContext&) {
  if (!a[0].is_string()) return Value::boolean(false);
  return Value::boolean(json::parse(a[0].as_string()).ok);
}

}  // namespace

void register_encoding(Registry& r) {
  r.add("base64.encode", 1, base64_encode);
  r.add("base64.decode", 1, base64_decode);
  r.add("base64.is_valid", 1, base64_is_valid);
  r.add("base64url.encode", 1, base64url_encode);
  r.add("base64url.encode_no_pad", 1, base64url_encode_no_pad);
  r.add("base64url.decode", 1, base64url_decode);
  r.add("hex.encode", 1, hex_encode);
  r.add("hex.decode", 1, hex_decode);
  r.add("urlquery.encode", 1, urlquery_encode);
  r.add("urlquery.decode", 1, urlquery_decode);
  r.add("urlquery.encode_object", 1, urlquery_encode_object);
  r.add("urlquery.decode_object", 1, urlquery_decode_object);
  r.add("json.marshal", 1, json_marshal);
  r.add("json.marshal_with_options", 2, json_marshal_with_options);
  r.add("json.unmarshal", 1, json_unmarshal);
  r.add("json.is_valid", 1, json_is_valid);
}

}  // namespace rego
