// OPA's canonical encoding of structured bundle files (see canonical_json.h).
//
// A small reader of its own rather than rego::json::parse: OPA hashes numbers by the text they were written
// with ("1.0" stays "1.0"), which a parsed Value no longer knows. Strings go through trex's JSON writer,
// which escapes as Go does (\u2028, invalid UTF-8 as \ufffd, no HTML escaping here).
#include "load/canonical_json.h"
#include "rego/utf8.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "rego/json.h"

namespace trex::load {
namespace {

constexpr size_t kMaxDepth = 1000;  // recursion bound: deeper documents are refused, never a stack overflow

std::string go_string(const std::string& s) {
  rego::json::WriteOptions opts;
  opts.escape_html = false;
  return rego::json::write(rego::Value::string(s), opts);
}


class Canonicalizer {
 public:
  explicit Canonicalizer(std::string_view text) : s_(text) {}

  std::optional<std::string> run(std::string& error) {
    std::string out;
    skip_ws();
    if (!value(out, 0)) {
      error = error_.empty() ? "unexpected end of JSON input" : error_;
      return std::nullopt;
    }
    skip_ws();
    if (pos_ != s_.size()) {
      error = "invalid character '" + std::string(1, s_[pos_]) + "' after top-level value";
      return std::nullopt;
    }
    return out;
  }

 private:
  bool fail(const std::string& what) {
    if (error_.empty()) error_ = pos_ >= s_.size() ? "unexpected end of JSON input" : what;
    return false;
  }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool literal(std::string_view word, std::string& out) {
    if (s_.substr(pos_, word.size()) != word) return fail("invalid literal");
    pos_ += word.size();
    out += word;
    return true;
  }

  bool value(std::string& out, size_t depth) {
    if (depth > kMaxDepth) return fail("exceeded max depth");
    if (pos_ >= s_.size()) return fail("");
    char c = s_[pos_];
    if (c == '{') return object(out, depth);
    if (c == '[') return array(out, depth);
    if (c == '"') {
      std::string str;
      if (!string(str)) return false;
      out += go_string(str);
      return true;
    }
    if (c == 't') return literal("true", out);
    if (c == 'f') return literal("false", out);
    if (c == 'n') return literal("null", out);
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) return number(out);
    return fail("invalid character '" + std::string(1, c) + "' looking for beginning of value");
  }

  // JSON's number grammar; the text is kept as written (Go's json.Number).
  bool number(std::string& out) {
    size_t start = pos_;
    auto digits = [&] {
      size_t b = pos_;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      return pos_ > b;
    };
    if (s_[pos_] == '-') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '0') ++pos_;
    else if (!digits()) return fail("invalid number");
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digits()) return fail("invalid number");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digits()) return fail("invalid number");
    }
    out.append(s_.substr(start, pos_ - start));
    return true;
  }

  bool hex4(uint32_t& r) {
    if (pos_ + 4 > s_.size()) return fail("invalid escape");
    r = 0;
    for (int i = 0; i < 4; ++i) {
      char h = s_[pos_++];
      r <<= 4;
      if (h >= '0' && h <= '9') r |= uint32_t(h - '0');
      else if (h >= 'a' && h <= 'f') r |= uint32_t(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') r |= uint32_t(h - 'A' + 10);
      else return fail("invalid character in \\u escape");
    }
    return true;
  }

  // Decodes a string literal to UTF-8; unpaired surrogates become U+FFFD, as Go's decoder does.
  bool string(std::string& out) {
    ++pos_;  // opening quote
    while (pos_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return fail("invalid character in string literal");
      if (c != '\\') {
        out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      if (++pos_ >= s_.size()) break;
      char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t r = 0;
          if (!hex4(r)) return false;
          if (r >= 0xD800 && r < 0xDC00) {
            uint32_t lo = 0;
            size_t save = pos_;
            if (s_.substr(pos_, 2) == "\\u" && (pos_ += 2, hex4(lo)) && lo >= 0xDC00 && lo < 0xE000) {
              r = 0x10000 + ((r - 0xD800) << 10) + (lo - 0xDC00);
            } else {
              error_.clear();
              pos_ = save;
              r = 0xFFFD;
            }
          } else if (r >= 0xDC00 && r < 0xE000) {
            r = 0xFFFD;
          }
          rego::append_utf8(out, r);
          break;
        }
        default: return fail("invalid character in string escape code");
      }
    }
    return fail("");
  }

  bool array(std::string& out, size_t depth) {
    ++pos_;
    out += '[';
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      out += ']';
      return true;
    }
    for (bool first = true;; first = false) {
      if (!first) out += ',';
      skip_ws();
      if (!value(out, depth + 1)) return false;
      skip_ws();
      if (pos_ >= s_.size()) return fail("");
      if (s_[pos_] == ']') {
        ++pos_;
        out += ']';
        return true;
      }
      if (s_[pos_++] != ',') return fail("invalid character after array element");
    }
  }

  bool object(std::string& out, size_t depth) {
    ++pos_;
    std::map<std::string, std::string> members;  // decoded key -> canonical value; a repeated key: last wins
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      out += "{}";
      return true;
    }
    while (true) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') return fail("invalid character looking for beginning of object key string");
      std::string key;
      if (!string(key)) return false;
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_++] != ':') return fail("invalid character after object key");
      skip_ws();
      std::string v;
      if (!value(v, depth + 1)) return false;
      members[key] = std::move(v);
      skip_ws();
      if (pos_ >= s_.size()) return fail("");
      char c = s_[pos_++];
      if (c == '}') break;
      if (c != ',') return fail("invalid character after object key:value pair");
    }
    out += '{';
    bool first = true;
    for (const auto& [k, v] : members) {  // std::map orders keys bytewise, as Go's sort.Strings
      if (!first) out += ',';
      first = false;
      out += go_string(k);
      out += ':';
      out += v;
    }
    out += '}';
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

std::optional<std::string> canonical_json(std::string_view text, std::string& error) {
  // A UTF-8 byte order mark is not part of the document (OPA's util.Unmarshal strips it).
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return Canonicalizer(text).run(error);
}

std::string canonical_value(const rego::Value& v) {
  // Compact, keys sorted, Go's string escaping: trex's writer already prints exactly the walk's shape.
  rego::json::WriteOptions opts;
  opts.escape_html = false;
  return rego::json::write(v, opts);
}

}  // namespace trex::load
