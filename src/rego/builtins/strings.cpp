// String built-ins: concat, contains, startswith, endswith, format_int, indexof(_n), lower, upper, replace,
// split, substring, trim*, and the strings.* namespace.
//
// OPA implements these with Go's strings package, so Go's semantics are the spec: positions count code points,
// invalid UTF-8 reads as U+FFFD, cut sets are sets of code points, and replacement follows strings.Replacer.
#include <algorithm>

#include "rego/builtins/registry.h"
#include "rego/builtins/strutil.h"
#include "rego/number.h"

namespace rego {
namespace {

using std::string;
using std::string_view;

[[noreturn]] void fail(string message) { throw BuiltinError{std::move(message), false}; }

Value boolean(bool b) { return Value::boolean(b); }

// ---- Go strings package equivalents ----

bool has_prefix(string_view s, string_view p) { return s.substr(0, p.size()) == p; }
bool has_suffix(string_view s, string_view p) { return s.size() >= p.size() && s.substr(s.size() - p.size()) == p; }

// strings.Count: non-overlapping occurrences; the empty string occurs between every code point.
size_t go_count(string_view s, string_view sub) {
  if (sub.empty()) return text::count_runes(s) + 1;
  size_t n = 0;
  for (size_t pos = s.find(sub); pos != string_view::npos; pos = s.find(sub, pos + sub.size())) ++n;
  return n;
}

// strings.Split / SplitN (n < 0: all). An empty separator splits after each UTF-8 sequence (an invalid byte
// stands alone, unconverted).
std::vector<string> go_split(string_view s, string_view sep, int64_t n) {
  std::vector<string> out;
  if (n == 0) return out;
  if (sep.empty()) {
    for (size_t i = 0; i < s.size();) {
      if (n > 0 && static_cast<int64_t>(out.size()) == n - 1) {
        out.emplace_back(s.substr(i));
        return out;
      }
      const size_t len = text::rune_len(s, i);
      out.emplace_back(s.substr(i, len));
      i += len;
    }
    return out;
  }
  size_t start = 0;
  while (n < 0 || static_cast<int64_t>(out.size()) < n - 1) {
    const size_t pos = s.find(sep, start);
    if (pos == string_view::npos) break;
    out.emplace_back(s.substr(start, pos - start));
    start = pos + sep.size();
  }
  out.emplace_back(s.substr(start));
  return out;
}

// strings.NewReplacer(old1, new1, ...).Replace(s): at each byte position the earliest pair whose old string is
// a prefix wins; an empty old string matches once at each position (Go steps bytewise, as here).
string go_replace(string_view s, const std::vector<std::pair<string, string>>& pairs) {
  if (pairs.size() == 1 && !pairs[0].first.empty()) {  // the common case: plain non-overlapping replace
    const string& old = pairs[0].first;
    string out;
    size_t last = 0;
    for (size_t pos = s.find(old); pos != string_view::npos; pos = s.find(old, last)) {
      out.append(s.substr(last, pos - last));
      out += pairs[0].second;
      last = pos + old.size();
    }
    out.append(s.substr(last));
    return out;
  }
  string out;
  size_t last = 0;
  bool prev_empty = false;
  for (size_t i = 0; i <= s.size();) {
    const std::pair<string, string>* match = nullptr;
    for (const auto& p : pairs) {
      if (p.first.empty() && prev_empty) continue;
      if (has_prefix(s.substr(i), p.first)) {
        match = &p;
        break;
      }
    }
    prev_empty = match != nullptr && match->first.empty();
    if (match != nullptr) {
      out.append(s.substr(last, i - last));
      out += match->second;
      i += match->first.size();
      last = i;
      continue;
    }
    ++i;
  }
  if (last < s.size()) out.append(s.substr(last));
  return out;
}

// strings.Trim / TrimLeft / TrimRight with a cut set of code points.
bool in_cutset(char32_t c, const std::vector<char32_t>& cut) { return std::find(cut.begin(), cut.end(), c) != cut.end(); }

size_t trim_left_pos(string_view s, const std::vector<char32_t>& cut) {
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    if (!in_cutset(text::decode(s, j), cut)) break;
    i = j;
  }
  return i;
}

// End of the text once trailing cut-set code points are removed (scanning forward from `from`).
size_t trim_right_pos(string_view s, size_t from, const std::vector<char32_t>& cut) {
  size_t end = from;
  for (size_t i = from; i < s.size();) {
    if (!in_cutset(text::decode(s, i), cut)) end = i;
  }
  return end;
}

// ---- built-ins ----

// Elements of an array or set of strings (OPA's StringSliceOperand wording, with the caller's type list).
std::vector<string_view> strings_of(const Value& v, size_t index, const char* want) {
  if (!v.is_array() && !v.is_set()) args::type_error(index, want, v);
  const auto& items = v.is_array() ? v.as_array() : v.as_set();
  std::vector<string_view> out;
  out.reserve(items.size());
  for (const auto& e : items) {
    if (!e.is_string()) text::element_error(index, v, "string", e);
    out.emplace_back(e.as_string());
  }
  return out;
}

std::optional<Value> concat(BuiltinArgs a, BuiltinContext&) {
  const string& sep = args::string(a, 0);
  const auto parts = strings_of(a[1], 1, "one of {set, array}");
  if (parts.size() == 1) return a[1].is_array() ? a[1].as_array()[0] : a[1].as_set()[0];
  string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out.append(parts[i]);
  }
  return Value::string(std::move(out));
}

std::optional<Value> contains(BuiltinArgs a, BuiltinContext&) {
  return boolean(args::string(a, 0).find(args::string(a, 1)) != string::npos);
}

std::optional<Value> startswith(BuiltinArgs a, BuiltinContext&) {
  return boolean(has_prefix(args::string(a, 0), args::string(a, 1)));
}

std::optional<Value> endswith(BuiltinArgs a, BuiltinContext&) {
  return boolean(has_suffix(args::string(a, 0), args::string(a, 1)));
}

// The number is truncated toward zero first (format_int(15.5, 16) == "f").
std::optional<Value> format_int(BuiltinArgs a, BuiltinContext&) {
  const Value& n = args::number(a, 0);
  const Value& base = args::number(a, 1);
  int b = 0;
  for (int candidate : {2, 8, 10, 16}) {
    if (base.is_int() && base.as_int() == candidate) b = candidate;
  }
  if (b == 0) throw BuiltinError{"operand 2 must be one of {2, 8, 10, 16}", true};
  const Value whole = number::is_integer(n) ? n
                      : Value::compare(n, Value::integer(0)) < 0 ? number::ceil(n)
                                                                  : number::floor(n);
  return Value::string(number::integer_text_base(whole, b));
}

// Code-point index of the first match of `search` in `base`, or -1.
int64_t rune_index(const std::vector<char32_t>& base, const std::vector<char32_t>& search, size_t from) {
  if (search.size() > base.size()) return -1;
  for (size_t i = from; i + search.size() <= base.size(); ++i) {
    if (std::equal(search.begin(), search.end(), base.begin() + static_cast<ptrdiff_t>(i))) {
      return static_cast<int64_t>(i);
    }
  }
  return -1;
}

std::optional<Value> indexof(BuiltinArgs a, BuiltinContext&) {
  const string& base = args::string(a, 0);
  const string& search = args::string(a, 1);
  if (search.empty()) fail("empty search character");
  if (text::is_ascii(base) && text::is_ascii(search)) {
    const size_t pos = base.find(search);
    return Value::integer(pos == string::npos ? -1 : static_cast<int64_t>(pos));
  }
  return Value::integer(rune_index(text::runes(base), text::runes(search), 0));
}

// Every (overlapping) match position, in code points.
std::optional<Value> indexof_n(BuiltinArgs a, BuiltinContext&) {
  const string& base = args::string(a, 0);
  const string& search = args::string(a, 1);
  if (search.empty()) fail("empty search character");
  const auto b = text::runes(base);
  const auto s = text::runes(search);
  std::vector<Value> out;
  for (int64_t i = rune_index(b, s, 0); i >= 0; i = rune_index(b, s, static_cast<size_t>(i) + 1)) {
    out.push_back(Value::integer(i));
  }
  return Value::array(std::move(out));
}

template <char32_t (*Map)(char32_t)>
std::optional<Value> map_case(BuiltinArgs a, BuiltinContext&) {
  const string& s = args::string(a, 0);
  string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) text::encode(Map(text::decode(s, i)), out);
  if (out == s) return a[0];
  return Value::string(std::move(out));
}

std::optional<Value> replace(BuiltinArgs a, BuiltinContext&) {
  const string& s = args::string(a, 0);
  const string& old = args::string(a, 1);
  const string& repl = args::string(a, 2);
  string out = go_replace(s, {{old, repl}});
  if (out == s) return a[0];
  return Value::string(std::move(out));
}

Value string_array(std::vector<string> parts) {
  std::vector<Value> out;
  out.reserve(parts.size());
  for (auto& p : parts) out.push_back(Value::string(std::move(p)));
  return Value::array(std::move(out));
}

std::optional<Value> split(BuiltinArgs a, BuiltinContext&) {
  const string& s = args::string(a, 0);
  const string& sep = args::string(a, 1);
  if (s.find(sep) == string::npos) return Value::array({a[0]});
  return string_array(go_split(s, sep, -1));
}

// n > 0: the first n pieces (the last not holding the rest, unlike Go's SplitN); n < 0: the last |n| pieces.
std::optional<Value> split_n(BuiltinArgs a, BuiltinContext&) {
  const string& s = args::string(a, 0);
  const string& sep = args::string(a, 1);
  const int64_t n = args::integer(a, 2);
  if (n >= 0) {
    auto parts = go_split(s, sep, n == INT64_MAX ? -1 : n + 1);
    if (static_cast<int64_t>(parts.size()) > n) parts.resize(static_cast<size_t>(n));
    return string_array(std::move(parts));
  }
  auto parts = go_split(s, sep, -1);
  const int64_t len = static_cast<int64_t>(parts.size());
  const int64_t start = n < -len ? 0 : len + n;
  parts.erase(parts.begin(), parts.begin() + start);
  return string_array(std::move(parts));
}

std::optional<Value> substring(BuiltinArgs a, BuiltinContext&) {
  const string& s = args::string(a, 0);
  const int64_t start = args::integer(a, 1);
  const int64_t length = args::integer(a, 2);
  if (start < 0) fail("negative offset");
  if (text::is_ascii(s)) {
    const auto size = static_cast<int64_t>(s.size());
    if (start >= size) return Value::string("");
    if (length < 0) return Value::string(s.substr(static_cast<size_t>(start)));
    if (start == 0 && length >= size) return a[0];
    return Value::string(s.substr(static_cast<size_t>(start), static_cast<size_t>(std::min(length, size - start))));
  }
  const auto r = text::runes(s);
  const auto size = static_cast<int64_t>(r.size());
  if (start >= size) return Value::string("");
  const int64_t end = length < 0 ? size : std::min(size, start + std::min(length, size));
  if (start == 0 && end == size) return a[0];
  return Value::string(text::from_runes(r.data() + start, r.data() + end));
}

// Returns the argument itself when nothing changed (cheap, and keeps identity as OPA does).
std::optional<Value> same_or(BuiltinArgs a, string_view s, size_t from, size_t to) {
  if (from == 0 && to == s.size()) return a[0];
  return Value::string(s.substr(from, to - from));
}

std::optional<Value> trim(BuiltinArgs a, BuiltinContext&) {
  const string& s = args::string(a, 0);
  const auto cut = text::runes(args::string(a, 1));
  const size_t from = trim_left_pos(s, cut);
  return same_or(a, s, from, trim_right_pos(s, from, cut));
}

std::optional<Value> trim_left(BuiltinArgs a, BuiltinContext&) {
  const string& s = args::string(a, 0);
  const auto cut = text::runes(args::string(a, 1));
  return same_or(a, s, trim_left_pos(s, cut), s.size());
}

std::optional<Value> trim_right(BuiltinArgs a, BuiltinContext&) {
  const string& s = args::string(a, 0);
  const auto cut = text::runes(args::string(a, 1));
  return same_or(a, s, 0, trim_right_pos(s, 0, cut));
}

std::optional<Value> trim_prefix(BuiltinArgs a, BuiltinContext&) {
  const string& s = args::string(a, 0);
  const string& p = args::string(a, 1);
  return has_prefix(s, p) ? same_or(a, s, p.size(), s.size()) : a[0];
}

std::optional<Value> trim_suffix(BuiltinArgs a, BuiltinContext&) {
  const string& s = args::string(a, 0);
  const string& p = args::string(a, 1);
  return has_suffix(s, p) ? same_or(a, s, 0, s.size() - p.size()) : a[0];
}

std::optional<Value> trim_space(BuiltinArgs a, BuiltinContext&) {
  const string& s = args::string(a, 0);
  size_t from = 0;
  while (from < s.size()) {
    size_t j = from;
    if (!text::is_space(text::decode(s, j))) break;
    from = j;
  }
  size_t to = from, i = from;
  while (i < s.size()) {
    if (!text::is_space(text::decode(s, i))) to = i;
  }
  return same_or(a, s, from, to);
}

std::optional<Value> string_count(BuiltinArgs a, BuiltinContext&) {
  const string& s = args::string(a, 0);
  const string& sub = args::string(a, 1);
  return Value::integer(static_cast<int64_t>(go_count(s, sub)));
}

// Pattern keys are tried in sorted order (the object's own order); an earlier key wins over a longer later one.
std::optional<Value> replace_n(BuiltinArgs a, BuiltinContext&) {
  const auto& patterns = args::object(a, 0);
  const string& s = args::string(a, 1);
  std::vector<std::pair<string, string>> pairs;
  pairs.reserve(patterns.size());
  for (const auto& [k, v] : patterns) {
    if (!k.is_string()) throw BuiltinError{"operand 1 non-string key found in pattern object", true};
    if (!v.is_string()) throw BuiltinError{"operand 1 non-string value found in pattern object", true};
    pairs.emplace_back(k.as_string(), v.as_string());
  }
  if (pairs.empty()) return a[1];
  return Value::string(go_replace(s, pairs));
}

std::optional<Value> reverse(BuiltinArgs a, BuiltinContext&) {
  auto r = text::runes(args::string(a, 0));
  std::reverse(r.begin(), r.end());
  return Value::string(text::from_runes(r.data(), r.data() + r.size()));
}

// A string, or an array or set of strings, as a list of strings.
std::vector<string_view> one_or_many(BuiltinArgs a, size_t i) {
  if (a[i].is_string()) return {a[i].as_string()};
  return strings_of(a[i], i, "one of {string, set, array}");
}

std::optional<Value> any_prefix_match(BuiltinArgs a, BuiltinContext&) {
  const auto strs = one_or_many(a, 0);
  const auto prefixes = one_or_many(a, 1);
  for (auto s : strs) {
    for (auto p : prefixes) {
      if (has_prefix(s, p)) return boolean(true);
    }
  }
  return boolean(false);
}

std::optional<Value> any_suffix_match(BuiltinArgs a, BuiltinContext&) {
  const auto strs = one_or_many(a, 0);
  const auto suffixes = one_or_many(a, 1);
  for (auto s : strs) {
    for (auto p : suffixes) {
      if (has_suffix(s, p)) return boolean(true);
    }
  }
  return boolean(false);
}

}  // namespace

void register_strings(Registry& r) {
  r.add("concat", 2, concat);
  r.add("contains", 2, contains);
  r.add("startswith", 2, startswith);
  r.add("endswith", 2, endswith);
  r.add("format_int", 2, format_int);
  r.add("indexof", 2, indexof);
  r.add("indexof_n", 2, indexof_n);
  r.add("lower", 1, map_case<text::to_lower>);
  r.add("upper", 1, map_case<text::to_upper>);
  r.add("replace", 3, replace);
  r.add("split", 2, split);
  r.add("substring", 3, substring);
  r.add("trim", 2, trim);
  r.add("trim_left", 2, trim_left);
  r.add("trim_right", 2, trim_right);
  r.add("trim_prefix", 2, trim_prefix);
  r.add("trim_suffix", 2, trim_suffix);
  r.add("trim_space", 1, trim_space);
  r.add("strings.any_prefix_match", 2, any_prefix_match);
  r.add("strings.any_suffix_match", 2, any_suffix_match);
  r.add("strings.count", 2, string_count);
  r.add("strings.replace_n", 2, replace_n);
  r.add("strings.reverse", 1, reverse);
  r.add("strings.split_n", 3, split_n);
}

}  // namespace rego
