// regex.*, re_match, glob.match, glob.quote_meta.
//
// OPA uses Go's regexp package, whose syntax and leftmost-first semantics RE2 shares; the loops below
// (FindAll, Split, ReplaceAll, Expand) re-create Go's handling of empty matches on top of RE2::Match.
// Globs (gobwas/glob syntax) are translated to RE2 patterns. Compiled patterns live in a process-wide cache
// that many evaluation threads share: a fixed number of mutex-guarded shards, each bounded in size, holding
// shared_ptr<const RE2> (RE2 objects are thread-safe for matching).
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "rego/builtins/registry.h"

namespace rego {
namespace {

[[noreturn]] void fail(std::string msg) { throw BuiltinError{std::move(msg), false}; }

// ---------------------------------------------------------------- compiled-pattern cache

struct Compiled {
  std::shared_ptr<const RE2> re;  // null on error
  std::string error;
};

class PatternCache {
 public:
  // `build` runs outside any lock; two threads may compile the same pattern once each, which is harmless.
  template <typename Build>
  Compiled get(const std::string& key, Build build) {
    Shard& s = shards_[std::hash<std::string>{}(key) % kShards];
    {
      std::lock_guard<std::mutex> lock(s.mu);
      auto it = s.map.find(key);
      if (it != s.map.end()) return {it->second, {}};
    }
    Compiled c = build();
    if (!c.re) return c;  // errors are not cached
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.map.size() >= kPerShard) s.map.erase(s.map.begin());  // evict an arbitrary entry
    s.map.emplace(key, c.re);
    return c;
  }

 private:
  static constexpr size_t kShards = 16;
  static constexpr size_t kPerShard = 64;
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, std::shared_ptr<const RE2>> map;
  };
  std::array<Shard, kShards> shards_;
};

PatternCache& cache() {
  static PatternCache c;
  return c;
}

// Go's regexp error text for an RE2 error code.
const char* go_error_text(RE2::ErrorCode code) {
  switch (code) {
    case RE2::ErrorBadEscape: return "invalid escape sequence";
    case RE2::ErrorBadCharClass: return "invalid character class";
    case RE2::ErrorBadCharRange: return "invalid character class range";
    case RE2::ErrorMissingBracket: return "missing closing ]";
    case RE2::ErrorMissingParen: return "missing closing )";
    case RE2::ErrorUnexpectedParen: return "unexpected )";
    case RE2::ErrorTrailingBackslash: return "trailing backslash at end of expression";
    case RE2::ErrorRepeatArgument: return "missing argument to repetition operator";
    case RE2::ErrorRepeatSize: return "invalid repeat count";
    case RE2::ErrorRepeatOp: return "invalid nested repetition operator";
    case RE2::ErrorBadPerlOp: return "invalid or unsupported Perl syntax";
    case RE2::ErrorBadUTF8: return "invalid UTF-8";
    case RE2::ErrorBadNamedCapture: return "invalid named capture";
    case RE2::ErrorPatternTooLarge: return "expression too large";
    default: return "regexp/syntax: internal error";
  }
}

// Go accepts "(?<name>" as well as "(?P<name>"; this RE2 only the latter, so rewrite outside classes.
std::string go_to_re2(std::string_view pat) {
  std::string out;
  bool in_class = false;
  for (size_t i = 0; i < pat.size(); ++i) {
    char c = pat[i];
    if (c == '\\' && i + 1 < pat.size()) {
      out += c;
      out += pat[++i];
    } else if (in_class) {
      if (c == ']') in_class = false;
      out += c;
    } else if (c == '[') {
      in_class = true;
      out += c;
      if (i + 1 < pat.size() && pat[i + 1] == '^') out += pat[++i];
      if (i + 1 < pat.size() && pat[i + 1] == ']') out += pat[++i];  // a leading ']' is literal
    } else if (pat.substr(i, 3) == "(?<" && i + 3 < pat.size() && pat[i + 3] != '=' && pat[i + 3] != '!') {
      out += "(?P<";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

Compiled compile_re(const std::string& pattern) {
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(64 << 20);
  auto re = std::make_shared<const RE2>(go_to_re2(pattern), opts);
  if (!re->ok()) {
    return {nullptr, std::string("error parsing regexp: ") + go_error_text(re->error_code()) + ": `" +
                         re->error_arg() + "`"};
  }
  return {re, {}};
}

std::shared_ptr<const RE2> regexp(const std::string& pattern) {
  Compiled c = cache().get("r:" + pattern, [&] { return compile_re(pattern); });
  if (!c.re) fail(c.error);
  return c.re;
}

// ---------------------------------------------------------------- Go's match loops over RE2

using Groups = std::vector<re2::StringPiece>;

size_t rune_width(std::string_view s, size_t pos) {
  unsigned char c = s[pos];
  size_t w = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  return pos + w > s.size() ? 1 : w;
}

// Go's allMatches: successive leftmost-first matches; an empty match right after the previous match is
// skipped. n < 0 means all. Each delivered match is the whole match plus its groups.
template <typename Deliver>
void all_matches(const RE2& re, std::string_view text, int64_t n, Deliver deliver) {
  int ngroups = re.NumberOfCapturingGroups() + 1;
  Groups g(static_cast<size_t>(ngroups));
  int64_t count = 0;
  long prev_end = -1;
  size_t pos = 0;
  while ((n < 0 || count < n) && pos <= text.size()) {
    if (!re.Match(re2::StringPiece(text.data(), text.size()), pos, text.size(), RE2::UNANCHORED, g.data(),
                  ngroups)) {
      break;
    }
    size_t start = size_t(g[0].data() - text.data());
    size_t end = start + g[0].size();
    bool accept = true;
    if (end == pos) {
      if (long(start) == prev_end) accept = false;
      pos = pos < text.size() ? pos + rune_width(text, pos) : text.size() + 1;
    } else {
      pos = end;
    }
    prev_end = long(end);
    if (accept) {
      deliver(g);
      ++count;
    }
  }
}

Value group_text(const re2::StringPiece& p) { return Value::string(std::string_view(p.data() ? p.data() : "", p.size())); }

std::optional<Value> regex_match(BuiltinArgs a, BuiltinContext&) {
  const std::string& pattern = args::string(a, 0);
  const std::string& text = args::string(a, 1);
  return Value::boolean(RE2::PartialMatch(text, *regexp(pattern)));
}

std::optional<Value> regex_is_valid(BuiltinArgs a, BuiltinContext&) {
  if (!a[0].is_string()) return Value::boolean(false);
  return Value::boolean(cache().get("r:" + a[0].as_string(), [&] { return compile_re(a[0].as_string()); }).re != nullptr);
}

std::optional<Value> regex_find_n(BuiltinArgs a, BuiltinContext&) {
  const std::string& pattern = args::string(a, 0);
  const std::string& text = args::string(a, 1);
  int64_t n = args::integer(a, 2);
  auto re = regexp(pattern);
  std::vector<Value> out;
  all_matches(*re, text, n, [&](const Groups& g) { out.push_back(group_text(g[0])); });
  return Value::array(std::move(out));
}

std::optional<Value> regex_find_all_string_submatch_n(BuiltinArgs a, BuiltinContext&) {
  const std::string& pattern = args::string(a, 0);
  const std::string& text = args::string(a, 1);
  int64_t n = args::integer(a, 2);
  auto re = regexp(pattern);
  std::vector<Value> out;
  all_matches(*re, text, n, [&](const Groups& g) {
    std::vector<Value> inner;
    for (const auto& p : g) inner.push_back(group_text(p));
    out.push_back(Value::array(std::move(inner)));
  });
  return Value::array(std::move(out));
}

// Go's Regexp.Split(s, -1).
std::optional<Value> regex_split(BuiltinArgs a, BuiltinContext&) {
  const std::string& pattern = args::string(a, 0);
  const std::string& text = args::string(a, 1);
  auto re = regexp(pattern);
  if (!pattern.empty() && text.empty()) return Value::array({Value::string("")});
  std::vector<Value> out;
  size_t beg = 0, end = 0;
  all_matches(*re, text, -1, [&](const Groups& g) {
    size_t ms = size_t(g[0].data() - text.data());
    end = ms;
    if (ms + g[0].size() != 0) out.push_back(Value::string(text.substr(beg, end - beg)));
    beg = ms + g[0].size();
  });
  if (end != text.size()) out.push_back(Value::string(text.substr(beg)));
  return Value::array(std::move(out));
}

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80); }

// Go's Regexp.Expand: $n, ${n}, $name, ${name}; "$$" is a dollar; a malformed reference is literal "$".
void expand(std::string& dst, std::string_view tmpl, const RE2& re, const Groups& g) {
  while (!tmpl.empty()) {
    size_t d = tmpl.find('$');
    if (d == std::string_view::npos) break;
    dst.append(tmpl.substr(0, d));
    tmpl.remove_prefix(d + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      dst += '$';
      tmpl.remove_prefix(1);
      continue;
    }
    std::string_view name, rest;
    bool ok = false;
    if (!tmpl.empty() && tmpl[0] == '{') {
      size_t i = 1;
      while (i < tmpl.size() && is_name_char(tmpl[i])) ++i;
      if (i > 1 && i < tmpl.size() && tmpl[i] == '}') {
        name = tmpl.substr(1, i - 1);
        rest = tmpl.substr(i + 1);
        ok = true;
      }
    } else {
      size_t i = 0;
      while (i < tmpl.size() && is_name_char(tmpl[i])) ++i;
      if (i > 0) {
        name = tmpl.substr(0, i);
        rest = tmpl.substr(i);
        ok = true;
      }
    }
    if (!ok) {
      dst += '$';
      continue;
    }
    tmpl = rest;
    long num = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (name.size() > 1 && name[0] == '0') num = -1;  // no leading zeros
    if (num >= 0) {
      if (size_t(num) < g.size() && g[size_t(num)].data()) dst.append(g[size_t(num)].data(), g[size_t(num)].size());
      continue;
    }
    for (const auto& [idx, gname] : re.CapturingGroupNames()) {
      if (gname == name) {
        if (size_t(idx) < g.size() && g[size_t(idx)].data()) dst.append(g[size_t(idx)].data(), g[size_t(idx)].size());
        break;
      }
    }
  }
  dst.append(tmpl);
}

// Go's ReplaceAllString: no replacement for an empty match right after the previous match.
std::optional<Value> regex_replace(BuiltinArgs a, BuiltinContext&) {
  const std::string& src = args::string(a, 0);
  const std::string& pattern = args::string(a, 1);
  const std::string& repl = args::string(a, 2);
  auto re = regexp(pattern);
  int ngroups = re->NumberOfCapturingGroups() + 1;
  Groups g(static_cast<size_t>(ngroups));
  std::string out;
  size_t last_end = 0, search = 0;
  bool changed = false;
  while (search <= src.size()) {
    if (!re->Match(src, search, src.size(), RE2::UNANCHORED, g.data(), ngroups)) break;
    size_t start = size_t(g[0].data() - src.data()), end = start + g[0].size();
    out.append(src, last_end, start - last_end);
    if (end > last_end || start == 0) {
      expand(out, repl, *re, g);
      changed = true;
    }
    last_end = end;
    size_t width = search < src.size() ? rune_width(src, search) : 1;
    if (search + width > end) {
      search += width;
    } else if (search + 1 > end) {
      ++search;
    } else {
      search = end;
    }
  }
  if (!changed) return a[0];
  out.append(src, last_end, std::string::npos);
  return Value::string(std::move(out));
}

// Go's regexp.QuoteMeta.
std::string go_quote_meta(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// strconv.Quote, enough for error messages.
std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

// gorilla/mux-style templates: literal text with delimited regular expressions, e.g. "urn:{.*}".
Compiled compile_template(const std::string& tpl, char open, char close) {
  std::vector<size_t> idxs;
  int level = 0;
  size_t idx = 0;
  for (size_t i = 0; i < tpl.size(); ++i) {
    if (tpl[i] == open) {
      if (++level == 1) idx = i;
    } else if (tpl[i] == close) {
      if (--level == 0) {
        idxs.push_back(idx);
        idxs.push_back(i + 1);
      } else if (level < 0) {
        return {nullptr, "unbalanced braces in " + go_quote(tpl)};
      }
    }
  }
  if (level != 0) return {nullptr, "unbalanced braces in " + go_quote(tpl)};
  std::string pattern = "^";
  size_t end = 0;
  for (size_t i = 0; i < idxs.size(); i += 2) {
    std::string raw = tpl.substr(end, idxs[i] - end);
    end = idxs[i + 1];
    std::string patt = tpl.substr(idxs[i] + 1, end - 1 - (idxs[i] + 1));
    pattern += go_quote_meta(raw) + "(" + patt + ")";
    Compiled var = compile_re("^" + patt + "$");
    if (!var.re) return var;
  }
  pattern += go_quote_meta(tpl.substr(end)) + "$";
  return compile_re(pattern);
}

std::optional<Value> regex_template_match(BuiltinArgs a, BuiltinContext&) {
  const std::string& tpl = args::string(a, 0);
  const std::string& text = args::string(a, 1);
  const std::string& start = args::string(a, 2);
  const std::string& end = args::string(a, 3);
  // OPA reports the start delimiter's length in both messages.
  if (start.size() != 1) fail("start delimiter has to be exactly one character long but is " + std::to_string(start.size()) + " long");
  if (end.size() != 1) fail("end delimiter has to be exactly one character long but is " + std::to_string(start.size()) + " long");
  Compiled c = cache().get("t:" + start + end + tpl, [&] { return compile_template(tpl, start[0], end[0]); });
  if (!c.re) fail(c.error);
  return Value::boolean(RE2::PartialMatch(text, *c.re));
}

// ---------------------------------------------------------------- regex.globs_match (glob-intersection)

// One element of a glob-intersection pattern: a character set, optionally repeated (* or +).
struct GToken {
  bool negated = false;
  std::vector<std::pair<uint32_t, uint32_t>> ranges;  // inclusive code point ranges
  char repeat = 0;                                    // 0, '*' or '+'
};

uint32_t next_cp(std::string_view s, size_t& i) {
  size_t w = rune_width(s, i);
  unsigned char c = s[i];
  uint32_t cp = w == 1 ? c : w == 2 ? c & 0x1f : w == 3 ? c & 0x0f : c & 0x07;
  for (size_t k = 1; k < w; ++k) cp = (cp << 6) | (uint8_t(s[i + k]) & 0x3f);
  i += w;
  return cp;
}

std::vector<GToken> parse_gi(std::string_view s) {
  std::vector<GToken> out;
  size_t i = 0;
  while (i < s.size()) {
    GToken t;
    char c = s[i];
    if (c == '*' || c == '+') {
      if (out.empty() || out.back().repeat) fail("invalid glob: repetition without a preceding element");
      out.back().repeat = c;
      ++i;
      continue;
    }
    if (c == '.') {
      t.negated = true;  // the complement of nothing: any character
      ++i;
    } else if (c == '[') {
      ++i;
      if (i < s.size() && s[i] == '^') {
        t.negated = true;
        ++i;
      }
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == ']') {
          closed = true;
          ++i;
          break;
        }
        if (s[i] == '\\') ++i;
        if (i >= s.size()) break;
        uint32_t lo = next_cp(s, i), hi = lo;
        if (i + 1 < s.size() && s[i] == '-' && s[i + 1] != ']') {
          ++i;
          if (s[i] == '\\') ++i;
          if (i >= s.size()) break;
          hi = next_cp(s, i);
        }
        t.ranges.emplace_back(lo, hi);
      }
      if (!closed) fail("invalid glob: unterminated character class");
    } else {
      if (c == '\\') {
        ++i;
        if (i >= s.size()) fail("invalid glob: trailing backslash");
      }
      uint32_t cp = next_cp(s, i);
      t.ranges.emplace_back(cp, cp);
    }
    out.push_back(std::move(t));
  }
  return out;
}

// Positive ranges of a token's set, sorted.
std::vector<std::pair<uint32_t, uint32_t>> positive(const GToken& t) {
  auto r = t.ranges;
  std::sort(r.begin(), r.end());
  if (!t.negated) return r;
  std::vector<std::pair<uint32_t, uint32_t>> out;
  uint32_t next = 0;
  for (const auto& [lo, hi] : r) {
    if (lo > next) out.emplace_back(next, lo - 1);
    next = std::max(next, hi + 1);
  }
  if (next <= 0x10ffff) out.emplace_back(next, 0x10ffff);
  return out;
}

bool sets_intersect(const GToken& a, const GToken& b) {
  for (const auto& [alo, ahi] : positive(a)) {
    for (const auto& [blo, bhi] : positive(b)) {
      if (alo <= bhi && blo <= ahi) return true;
    }
  }
  return false;
}

// Is there a string both patterns match? A search over pairs of positions (NFA product construction).
bool globs_intersect(const std::vector<GToken>& x, const std::vector<GToken>& y) {
  std::vector<char> seen((x.size() + 1) * (y.size() + 1), 0);
  std::vector<std::pair<size_t, size_t>> stack{{0, 0}};
  auto push = [&](size_t i, size_t j) {
    char& s = seen[i * (y.size() + 1) + j];
    if (!s) {
      s = 1;
      stack.emplace_back(i, j);
    }
  };
  seen[0] = 1;
  while (!stack.empty()) {
    auto [i, j] = stack.back();
    stack.pop_back();
    if (i == x.size() && j == y.size()) return true;
    // Epsilon moves: skip an optional (*) element.
    if (i < x.size() && x[i].repeat == '*') push(i + 1, j);
    if (j < y.size() && y[j].repeat == '*') push(i, j + 1);
    if (i < x.size() && j < y.size() && sets_intersect(x[i], y[j])) {
      // Consume one common character; a repeated element may stay put.
      bool xr = x[i].repeat != 0, yr = y[j].repeat != 0;
      push(i + 1, j + 1);
      if (xr) push(i, j + 1);
      if (yr) push(i + 1, j);
      if (xr && yr) push(i, j);
    }
  }
  return false;
}

std::optional<Value> regex_globs_match(BuiltinArgs a, BuiltinContext&) {
  const std::string& g1 = args::string(a, 0);
  const std::string& g2 = args::string(a, 1);
  return Value::boolean(globs_intersect(parse_gi(g1), parse_gi(g2)));
}

// ---------------------------------------------------------------- glob.match (gobwas/glob)

std::string re_literal(uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\x{%X}", cp);
  return buf;
}

class GlobCompiler {
 public:
  GlobCompiler(std::string_view pattern, const std::vector<uint32_t>& delims) : s_(pattern) {
    if (delims.empty()) {
      any_ = "(?s:.)";
    } else {
      any_ = "[^";
      for (uint32_t d : delims) any_ += re_literal(d);
      any_ += "]";
    }
  }

  // The RE2 pattern, or throws BuiltinError with the glob error.
  std::string compile() {
    std::string out = "(?s)";
    sequence(out, false);
    return out;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
  std::string any_;  // one non-delimiter character

  // Reads until the end (or, inside {...}, until ',' or '}' which are left unread).
  void sequence(std::string& out, bool in_terms) {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (in_terms && (c == ',' || c == '}')) return;
      ++i_;
      switch (c) {
        case '{':
          terms(out);
          break;
        case '[':
          char_class(out);
          break;
        case '?':
          out += any_;
          break;
        case '*':
          if (i_ < s_.size() && s_[i_] == '*') {
            ++i_;
            out += "(?s:.)*";
          } else {
            out += any_ + "*";
          }
          break;
        case '\\':
          if (i_ >= s_.size()) fail("trailing backslash");
          out += re_literal(next_cp(s_, i_));
          break;
        default:
          --i_;
          out += re_literal(next_cp(s_, i_));
      }
    }
  }

  void terms(std::string& out) {
    out += "(?:";
    while (true) {
      sequence(out, true);
      if (i_ >= s_.size()) fail("unexpected end of input");
      char c = s_[i_++];
      if (c == '}') break;
      out += "|";
    }
    out += ")";
  }

  uint32_t class_char() {
    if (i_ >= s_.size()) fail("unexpected end of input");
    return next_cp(s_, i_);
  }

  void char_class(std::string& out) {
    bool negated = false;
    if (i_ < s_.size() && s_[i_] == '!') {
      negated = true;
      ++i_;
    }
    std::string set;
    if (i_ >= s_.size()) fail("unexpected end of input");
    size_t save = i_;
    uint32_t lo = class_char();
    if (i_ < s_.size() && s_[i_] == '-') {
      ++i_;
      uint32_t hi = class_char();
      if (class_char() != ']') fail("expected close range character");
      set = re_literal(lo) + "-" + re_literal(hi);
    } else {
      i_ = save;
      while (true) {
        if (i_ >= s_.size()) fail("unexpected end of input");
        if (s_[i_] == ']') {
          ++i_;
          break;
        }
        if (s_[i_] == '\\') {
          ++i_;
          if (i_ >= s_.size()) fail("unexpected end of input");
        }
        set += re_literal(next_cp(s_, i_));
      }
    }
    if (set.empty()) {
      out += negated ? "(?s:.)" : "[^\\x00-\\x{10FFFF}]";
    } else {
      out += (negated ? "[^" : "[") + set + "]";
    }
  }
};

std::vector<uint32_t> glob_delimiters(BuiltinArgs a) {
  const Value& d = a[1];
  if (d.is_null()) return {};
  if (!d.is_array()) throw BuiltinError{std::string("operand 2 must be one of {array, null} but got ") + d.type_name(), true};
  std::vector<uint32_t> out;
  for (const auto& e : d.as_array()) {
    if (!e.is_string()) {
      throw BuiltinError{std::string("operand 2 must be array of strings but got array containing ") + e.type_name(), true};
    }
    const std::string& s = e.as_string();
    size_t i = 0;
    uint32_t cp = s.empty() ? 0 : next_cp(s, i);
    if (s.empty() || i != s.size()) throw BuiltinError{"operand 2 must be array of runes but got array containing string", true};
    out.push_back(cp);
  }
  if (out.empty()) out.push_back('.');
  return out;
}

std::optional<Value> glob_match(BuiltinArgs a, BuiltinContext&) {
  const std::string& pattern = args::string(a, 0);
  std::vector<uint32_t> delims = glob_delimiters(a);
  const std::string& text = args::string(a, 2);
  std::string key = "g:";
  for (uint32_t d : delims) key += std::to_string(d) + ",";
  key += ":" + pattern;
  Compiled c = cache().get(key, [&]() -> Compiled {
    std::string re;
    try {
      re = GlobCompiler(pattern, delims).compile();
    } catch (const BuiltinError& e) {
      return {nullptr, e.message};
    }
    return compile_re(re);
  });
  if (!c.re) fail(c.error);
  return Value::boolean(RE2::FullMatch(text, *c.re));
}

// gobwas/glob's QuoteMeta: a backslash before each of * ? \ [ ] { }.
std::optional<Value> glob_quote_meta(BuiltinArgs a, BuiltinContext&) {
  const std::string& s = args::string(a, 0);
  std::string out;
  for (char c : s) {
    if (std::string_view("*?\\[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return Value::string(std::move(out));
}

}  // namespace

void register_regex(Registry& r) {
  r.add("regex.match", 2, regex_match);
  r.add("re_match", 2, regex_match);
  r.add("regex.is_valid", 1, regex_is_valid);
  r.add("regex.split", 2, regex_split);
  r.add("regex.find_n", 3, regex_find_n);
  r.add("regex.find_all_string_submatch_n", 3, regex_find_all_string_submatch_n);
  r.add("regex.replace", 3, regex_replace);
  r.add("regex.template_match", 4, regex_template_match);
  r.add("regex.globs_match", 2, regex_globs_match);
  r.add("glob.match", 3, glob_match);
  r.add("glob.quote_meta", 1, glob_quote_meta);
}

}  // namespace rego
