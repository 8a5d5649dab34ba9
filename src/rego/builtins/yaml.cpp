// yaml.marshal, yaml.unmarshal, yaml.is_valid.
//
// OPA converts through sigs.k8s.io/yaml, i.e. go-yaml v2 (YAML 1.1 scalar resolution: yes/no/on/off are
// booleans, 0x/0o/leading-zero integers, ...). Parsing uses yaml-cpp for the syntax and resolves plain scalars
// with go-yaml's rules here. Output is produced by a small emitter that mirrors go-yaml v2's (libyaml's) block
// style byte for byte: two-space indents, sequences inside mappings not indented, scalar quoting chosen the
// same way, long scalars folded at column 80.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <regex>

#include "rego/builtins/registry.h"
#include "rego/json.h"
#include "rego/number.h"

namespace rego {
namespace {

[[noreturn]] void fail(std::string msg) { throw BuiltinError{std::move(msg), false}; }

// ---------------------------------------------------------------- go-yaml v2 scalar resolution

enum class Tag { Str, Null, Bool, Int, Float, Timestamp, Merge };

struct Resolved {
  Tag tag = Tag::Str;
  bool b = false;
  Value num;  // Int/Float
};

bool all_of(std::string_view s, const char* const* list) {
  for (; *list; ++list) {
    if (s == *list) return true;
  }
  return false;
}

// Go's strconv.ParseInt/ParseUint with base 0 ("0x", "0o", "0b" prefixes, leading "0" octal), sign allowed.
bool go_parse_int(std::string_view s, bool allow_sign, bool& neg, unsigned __int128& mag) {
  neg = false;
  if (allow_sign && !s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  int base = 10;
  if (s.size() > 1 && s[0] == '0') {
    char p = char(std::tolower(static_cast<unsigned char>(s[1])));
    if (p == 'x' || p == 'o' || p == 'b') {
      base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
    if (s.empty()) return false;
  }
  mag = 0;
  for (char c : s) {
    int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
            : std::isalpha(static_cast<unsigned char>(c)) ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                                                          : 99;
    if (d >= base) return false;
    mag = mag * base + d;
    if (mag > (unsigned __int128)UINT64_MAX) return false;
  }
  return true;
}

bool looks_like_timestamp(std::string_view s) {
  static const std::regex re(
      R"(^\d{4}-\d{1,2}-\d{1,2}(([Tt]| +)\d{1,2}:\d{1,2}:\d{1,2}(\.\d*)?( *(Z|[-+]\d{1,2}(:\d{2})?))?)?$)");
  return std::regex_match(s.begin(), s.end(), re);
}

bool is_base60_float(std::string_view s) {
  static const std::regex re(R"(^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$)");
  return std::regex_match(s.begin(), s.end(), re);
}

Resolved resolve_plain(std::string_view in) {
  static const char* const kTrue[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", nullptr};
  static const char* const kFalse[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", nullptr};
  static const char* const kNull[] = {"", "~", "null", "Null", "NULL", nullptr};
  static const char* const kNan[] = {".nan", ".NaN", ".NAN", nullptr};
  static const char* const kInf[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", nullptr};
  static const char* const kNegInf[] = {"-.inf", "-.Inf", "-.INF", nullptr};
  Resolved r;
  auto tagged = [](Tag t) {
    Resolved x;
    x.tag = t;
    return x;
  };
  if (all_of(in, kTrue) || all_of(in, kFalse)) {
    r.tag = Tag::Bool;
    r.b = all_of(in, kTrue);
    return r;
  }
  if (all_of(in, kNull)) return tagged(Tag::Null);
  if (all_of(in, kNan) || all_of(in, kInf) || all_of(in, kNegInf)) return tagged(Tag::Float);  // not representable
  if (in == "<<") return tagged(Tag::Merge);
  char c = in[0];
  if (c == '.') {
    double d;
    auto [p, ec] = std::from_chars(in.data(), in.data() + in.size(), d);
    if (ec == std::errc() && p == in.data() + in.size()) return {Tag::Float, false, number::from_double(d)};
    return r;
  }
  if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-')) return r;
  if (looks_like_timestamp(in)) return tagged(Tag::Timestamp);
  std::string plain;
  for (char ch : in) {
    if (ch != '_') plain += ch;
  }
  bool neg;
  unsigned __int128 mag;
  if (go_parse_int(plain, true, neg, mag)) {
    if (!neg && mag <= (unsigned __int128)INT64_MAX) return {Tag::Int, false, Value::integer(int64_t(mag))};
    if (neg && mag <= (unsigned __int128)INT64_MAX + 1) {
      return {Tag::Int, false, mag == (unsigned __int128)INT64_MAX + 1 ? Value::integer(INT64_MIN) : Value::integer(-int64_t(mag))};
    }
    if (!neg) return {Tag::Int, false, *number::parse(std::to_string(uint64_t(mag)))};
  }
  static const std::regex float_re(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  if (std::regex_match(plain, float_re)) {
    const char* b = plain.c_str() + (plain[0] == '+' ? 1 : 0);
    double d = std::strtod(b, nullptr);
    if (std::isinf(d)) return tagged(Tag::Float);
    return {Tag::Float, false, number::from_double(d)};
  }
  return r;
}

// ---------------------------------------------------------------- yaml.unmarshal

bool is_str_tag(const std::string& tag) { return tag == "!" || tag == "!!str" || tag == "tag:yaml.org,2002:str"; }

Value to_value(const YAML::Node& n);

// JSON object keys, as sigs.k8s.io/yaml converts them.
std::string key_string(const YAML::Node& k) {
  if (!k.IsScalar()) {
    if (k.IsNull()) fail("error converting YAML to JSON: unsupported map key: null");
    fail("error converting YAML to JSON: yaml: invalid map key");
  }
  Value v = to_value(k);
  switch (v.kind()) {
    case Kind::String:
      return v.as_string();
    case Kind::Boolean:
      return v.as_bool() ? "true" : "false";
    case Kind::Number:
      return number::format(v);
    default:
      fail("error converting YAML to JSON: unsupported map key: null");
  }
}

Value scalar_value(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (is_str_tag(n.Tag())) return Value::string(s);
  Resolved r = resolve_plain(s);
  switch (r.tag) {
    case Tag::Null:
      return Value::null();
    case Tag::Bool:
      return Value::boolean(r.b);
    case Tag::Int:
    case Tag::Float:
      if (r.num.is_null()) fail("json: unsupported value: " + s);
      return r.num;
    default:
      return Value::string(s);
  }
}

Value to_value(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return Value::null();
    case YAML::NodeType::Scalar:
      return scalar_value(n);
    case YAML::NodeType::Sequence: {
      std::vector<Value> items;
      for (const auto& e : n) items.push_back(to_value(e));
      return Value::array(std::move(items));
    }
    case YAML::NodeType::Map: {
      std::vector<ObjectEntry> entries;
      for (const auto& kv : n) entries.emplace_back(Value::string(key_string(kv.first)), to_value(kv.second));
      return Value::object(std::move(entries));  // a later duplicate key wins, as in Go's map assignment
    }
  }
  return Value::null();
}

// Counts explicit document markers ("---" / "..." at the start of a line).
size_t document_markers(std::string_view s) {
  size_t count = 0;
  for (size_t i = 0; i < s.size(); i = s.find('\n', i) == std::string_view::npos ? s.size() : s.find('\n', i) + 1) {
    std::string_view line = s.substr(i, 3);
    if ((line == "---" || line == "...") &&
        (i + 3 == s.size() || s[i + 3] == ' ' || s[i + 3] == '\n' || s[i + 3] == '\r' || s[i + 3] == '\t')) {
      ++count;
    }
  }
  return count;
}

// Parses every document (an error anywhere makes the text invalid, as in OPA); returns the first. yaml-cpp
// silently starts a new document where content follows a finished one without a "---"; libyaml rejects that.
std::vector<YAML::Node> load_all(const std::string& text) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    fail("yaml: " + e.msg + " (line " + std::to_string(e.mark.line + 1) + ")");
  }
  if (docs.size() > 1 && docs.size() - 1 > document_markers(text)) {
    fail("yaml: did not find expected <document start>");
  }
  return docs;
}

std::optional<Value> yaml_unmarshal(BuiltinArgs a, BuiltinContext&) {
  auto docs = load_all(args::string(a, 0));
  if (docs.empty()) return Value::null();
  return to_value(docs.front());
}

std::optional<Value> yaml_is_valid(BuiltinArgs a, BuiltinContext&) {
  if (!a[0].is_string()) return Value::boolean(false);
  try {
    auto docs = load_all(a[0].as_string());
    for (const auto& d : docs) to_value(d);
  } catch (const BuiltinError&) {
    return Value::boolean(false);
  }
  return Value::boolean(true);
}

// ---------------------------------------------------------------- yaml.marshal (go-yaml v2 emitter)

// Go's strconv.FormatFloat(f, 'g', -1, 64).
std::string go_format_g(double d) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int exp = std::stoi(sci.substr(e + 1));
  std::string out = neg ? "-" : "";
  // Shortest formatting switches to %e when the exponent is below -4 or at least 6 (Go's eprec).
  if (exp < -4 || exp >= 6) {
    out += digits[0];
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    return out + eb;
  }
  if (exp < 0) return out + "0." + std::string(size_t(-exp - 1), '0') + digits;
  if (digits.size() <= size_t(exp) + 1) return out + digits + std::string(size_t(exp) + 1 - digits.size(), '0');
  return out + digits.substr(0, size_t(exp) + 1) + "." + digits.substr(size_t(exp) + 1);
}

// A number as go-yaml prints what it parsed from the JSON text: integers verbatim, everything else as a float.
std::string number_text(const Value& n) {
  std::string t = number::format(n);
  bool neg;
  unsigned __int128 mag;
  if (t.find_first_of(".eE") == std::string::npos && go_parse_int(t, true, neg, mag)) {
    if (!neg || mag <= (unsigned __int128)INT64_MAX + 1) return t;
  }
  return go_format_g(number::to_double(n));
}

// Decodes one UTF-8 code point at s[i] (advancing i); invalid bytes decode as themselves.
uint32_t next_cp(std::string_view s, size_t& i) {
  unsigned char c = s[i];
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (i + len > s.size()) len = 1;
  uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (uint8_t(s[i + k]) & 0x3f);
  i += len;
  return cp;
}

bool yaml_printable(uint32_t c) {
  return c == 0x0a || (c >= 0x20 && c <= 0x7e) || c == 0x85 || (c >= 0xa0 && c <= 0xd7ff) ||
         (c >= 0xe000 && c <= 0xfffd && c != 0xfeff) || (c >= 0x10000 && c <= 0x10ffff);
}
bool is_break(uint32_t c) { return c == '\r' || c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029; }
bool is_blankz(uint32_t c) { return c == ' ' || c == '\t' || is_break(c) || c == 0; }

enum class Style { Plain, Single, Double, Literal };

// libyaml's yaml_emitter_analyze_scalar, reduced to the verdicts the style choice needs.
struct Analysis {
  bool multiline = false, block_plain = true, single_ok = true, block_ok = true;
};

Analysis analyze(std::string_view s) {
  Analysis an;
  if (s.empty()) {
    an.block_plain = false;  // never plain: resolves to null anyway
    an.block_ok = false;
    return an;
  }
  std::vector<uint32_t> cps;
  for (size_t i = 0; i < s.size();) cps.push_back(next_cp(s, i));
  bool block_ind = false, leading_space = false, leading_break = false, trailing_space = false,
       trailing_break = false, break_space = false, space_break = false, special = false, line_breaks = false;
  if (s.substr(0, 3) == "---" || s.substr(0, 3) == "...") block_ind = true;
  bool preceded_ws = true, prev_space = false, prev_break = false;
  for (size_t i = 0; i < cps.size(); ++i) {
    uint32_t c = cps[i];
    bool followed_ws = i + 1 >= cps.size() || is_blankz(cps[i + 1]);
    if (i == 0) {
      if (std::strchr("#,[]{}&*!|>'\"%@`", int(c)) && c < 0x80 && c != 0) block_ind = true;
      if ((c == '?' || c == ':') && followed_ws) block_ind = true;
      if (c == '-' && followed_ws) block_ind = true;
    } else {
      if (c == ':' && followed_ws) block_ind = true;
      if (c == '#' && preceded_ws) block_ind = true;
    }
    if (!yaml_printable(c)) special = true;
    if (is_break(c)) line_breaks = true;
    if (c == ' ') {
      if (i == 0) leading_space = true;
      if (i + 1 == cps.size()) trailing_space = true;
      if (prev_break) break_space = true;
      prev_space = true;
      prev_break = false;
    } else if (is_break(c)) {
      if (i == 0) leading_break = true;
      if (i + 1 == cps.size()) trailing_break = true;
      if (prev_space) space_break = true;
      prev_break = true;
      prev_space = false;
    } else {
      prev_space = prev_break = false;
    }
    preceded_ws = is_blankz(c);
  }
  an.multiline = line_breaks;
  if (leading_space || leading_break || trailing_space || trailing_break) an.block_plain = false;
  if (trailing_space) an.block_ok = false;
  if (break_space) an.block_plain = an.single_ok = false;
  if (space_break || special) an.block_plain = an.single_ok = an.block_ok = false;
  if (line_breaks) an.block_plain = false;
  if (block_ind) an.block_plain = false;
  return an;
}

// go-yaml's choice for a string: plain unless it would read back as another type, literal if multi-line; then
// libyaml downgrades to single and double quotes when the text cannot be written that way.
Style choose_style(std::string_view s, bool simple_key) {
  Resolved r = resolve_plain(s);
  bool can_plain = r.tag == Tag::Str && !is_base60_float(s);
  Style st = s.find('\n') != std::string_view::npos ? Style::Literal : can_plain ? Style::Plain : Style::Double;
  Analysis an = analyze(s);
  if (st == Style::Plain && (!an.block_plain || (s.empty() && simple_key))) st = Style::Single;
  if (st == Style::Single && !an.single_ok) st = Style::Double;
  if (st == Style::Literal && (!an.block_ok || simple_key)) st = Style::Double;
  return st;
}

class Emitter {
 public:
  std::string out;

  void document(const Value& v) {
    node(v, -1, Ctx::Root);
    if (column_ != 0) put_break();
  }

 private:
  enum class Ctx { Root, MapValue, SeqItem };
  static constexpr int kWidth = 80;
  int column_ = 0;
  bool whitespace_ = true;  // last written char is whitespace (or nothing yet)

  void put(std::string_view s) {
    out += s;
    for (size_t i = 0; i < s.size();) {
      next_cp(s, i);
      ++column_;
    }
    whitespace_ = false;
  }
  void put_break() {
    out += '\n';
    column_ = 0;
    whitespace_ = true;
  }
  // libyaml's write_indent: a fresh line (unless already at its start), then spaces up to `indent`.
  void indent_to(int indent) {
    if (column_ != 0) put_break();
    while (column_ < indent) {
      out += ' ';
      ++column_;
    }
    whitespace_ = true;
  }
  void space_if_needed() {
    if (!whitespace_) {
      out += ' ';
      ++column_;
    }
  }

  // `indent` is the enclosing collection's indent (-1 at the root).
  void node(const Value& v, int indent, Ctx ctx) {
    bool empty_coll = (v.is_object() || v.is_array() || v.is_set()) && v.size() == 0;
    if (v.is_object() && !empty_coll) return mapping(v, ctx == Ctx::Root ? 0 : indent + 2, ctx);
    if ((v.is_array() || v.is_set()) && !empty_coll) {
      // A sequence that is a mapping value is not indented (libyaml's "indentless" sequence).
      int seq_indent = ctx == Ctx::Root ? 0 : ctx == Ctx::MapValue ? indent : indent + 2;
      return sequence(v.is_array() ? v.as_array() : v.as_set(), seq_indent, ctx);
    }
    int scalar_indent = indent < 0 ? 2 : indent + 2;
    if (empty_coll) {
      space_if_needed();
      put(v.is_object() ? "{}" : "[]");
      return;
    }
    scalar(scalar_text(v), scalar_indent, false, v.is_string());
  }

  static std::string scalar_text(const Value& v) {
    switch (v.kind()) {
      case Kind::Null:
        return "null";
      case Kind::Boolean:
        return v.as_bool() ? "true" : "false";
      case Kind::Number:
        return number_text(v);
      default:
        return v.as_string();
    }
  }

  void mapping(const Value& obj, int indent, Ctx ctx) {
    std::vector<std::pair<std::string, const Value*>> entries;
    for (const auto& [k, v] : obj.as_object()) entries.emplace_back(k.is_string() ? k.as_string() : json::write(k), &v);
    std::stable_sort(entries.begin(), entries.end(), [](const auto& x, const auto& y) { return key_less(x.first, y.first); });
    bool first = true;
    for (const auto& [k, v] : entries) {
      if (!(first && ctx == Ctx::SeqItem)) indent_to(indent);
      first = false;
      scalar(k, indent, true, true);
      put(":");
      node(*v, indent, Ctx::MapValue);
    }
  }

  void sequence(const std::vector<Value>& items, int indent, Ctx ctx) {
    bool first = true;
    for (const auto& item : items) {
      if (!(first && ctx == Ctx::SeqItem)) indent_to(indent);
      first = false;
      space_if_needed();
      put("-");
      node(item, indent, Ctx::SeqItem);
    }
  }

  // yaml.v2's key order: a "natural" order in which digit runs compare numerically and letters sort after
  // other characters.
  static bool key_less(const std::string& a, const std::string& b) {
    std::vector<uint32_t> ar, br;
    for (size_t i = 0; i < a.size();) ar.push_back(next_cp(a, i));
    for (size_t i = 0; i < b.size();) br.push_back(next_cp(b, i));
    auto letter = [](uint32_t c) { return (c < 0x80 && std::isalpha(int(c))) || c >= 0xc0; };
    auto digit = [](uint32_t c) { return c >= '0' && c <= '9'; };
    for (size_t i = 0; i < ar.size() && i < br.size(); ++i) {
      if (ar[i] == br[i]) continue;
      bool al = letter(ar[i]), bl = letter(br[i]);
      if (al && bl) return ar[i] < br[i];
      if (al || bl) return bl;
      int64_t an = 0, bn = 0;
      if (ar[i] == '0' || br[i] == '0') {
        for (size_t j = i; j-- > 0 && digit(ar[j]);) {
          if (ar[j] != '0') {
            an = bn = 1;
            break;
          }
        }
      }
      size_t ai = i, bi = i;
      for (; ai < ar.size() && digit(ar[ai]); ++ai) an = an * 10 + int64_t(ar[ai] - '0');
      for (; bi < br.size() && digit(br[bi]); ++bi) bn = bn * 10 + int64_t(br[bi] - '0');
      if (an != bn) return an < bn;
      if (ai != bi) return ai < bi;
      return ar[i] < br[i];
    }
    return ar.size() < br.size();
  }

  void scalar(const std::string& s, int indent, bool simple_key, bool is_string) {
    Style st = is_string ? choose_style(s, simple_key) : Style::Plain;
    bool breaks = !simple_key;
    switch (st) {
      case Style::Plain:
        return plain(s, indent, breaks);
      case Style::Single:
        return single_quoted(s, indent, breaks);
      case Style::Double:
        return double_quoted(s, indent, breaks);
      case Style::Literal:
        return literal(s, indent);
    }
  }

  void fold(int indent) {
    put_break();
    while (column_ < indent) {
      out += ' ';
      ++column_;
    }
  }

  std::vector<std::pair<uint32_t, std::string_view>> chars(std::string_view s) {
    std::vector<std::pair<uint32_t, std::string_view>> cs;
    for (size_t i = 0; i < s.size();) {
      size_t start = i;
      uint32_t c = next_cp(s, i);
      cs.emplace_back(c, s.substr(start, i - start));
    }
    return cs;
  }

  void plain(std::string_view s, int indent, bool breaks) {
    space_if_needed();
    auto cs = chars(s);
    bool spaces = false;
    for (size_t i = 0; i < cs.size(); ++i) {
      if (cs[i].first == ' ') {
        bool next_space = i + 1 < cs.size() && cs[i + 1].first == ' ';
        if (breaks && !spaces && column_ > kWidth && !next_space) {
          fold(indent);
        } else {
          put(" ");
        }
        spaces = true;
      } else {
        put(cs[i].second);
        spaces = false;
      }
    }
  }

  void single_quoted(std::string_view s, int indent, bool breaks) {
    space_if_needed();
    put("'");
    auto cs = chars(s);
    bool spaces = false;
    for (size_t i = 0; i < cs.size(); ++i) {
      if (cs[i].first == ' ') {
        bool next_space = i + 1 < cs.size() && cs[i + 1].first == ' ';
        if (breaks && !spaces && column_ > kWidth && i != 0 && i + 1 != cs.size() && !next_space) {
          fold(indent);
        } else {
          put(" ");
        }
        spaces = true;
      } else {
        if (cs[i].first == '\'') put("'");
        put(cs[i].second);
        spaces = false;
      }
    }
    put("'");
  }

  void double_quoted(std::string_view s, int indent, bool breaks) {
    space_if_needed();
    put("\"");
    auto cs = chars(s);
    bool spaces = false;
    for (size_t i = 0; i < cs.size(); ++i) {
      uint32_t c = cs[i].first;
      if (!yaml_printable(c) || c == 0xfeff || is_break(c) || c == '"' || c == '\\') {
        put(escape(c));
        spaces = false;
      } else if (c == ' ') {
        if (breaks && !spaces && column_ > kWidth && i != 0 && i + 1 != cs.size()) {
          fold(indent);
          if (i + 1 < cs.size() && cs[i + 1].first == ' ') put("\\");
        } else {
          put(" ");
        }
        spaces = true;
      } else {
        put(cs[i].second);
        spaces = false;
      }
    }
    put("\"");
  }

  static std::string escape(uint32_t c) {
    switch (c) {
      case 0: return "\\0";
      case 7: return "\\a";
      case 8: return "\\b";
      case 9: return "\\t";
      case 10: return "\\n";
      case 11: return "\\v";
      case 12: return "\\f";
      case 13: return "\\r";
      case 27: return "\\e";
      case '"': return "\\\"";
      case '\\': return "\\\\";
      case 0x85: return "\\N";
      case 0xa0: return "\\_";
      case 0x2028: return "\\L";
      case 0x2029: return "\\P";
      default: break;
    }
    char buf[16];
    if (c <= 0xff) {
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
    } else if (c <= 0xffff) {
      std::snprintf(buf, sizeof buf, "\\u%04X", c);
    } else {
      std::snprintf(buf, sizeof buf, "\\U%08X", c);
    }
    return buf;
  }

  void literal(std::string_view s, int indent) {
    space_if_needed();
    std::string hdr = "|";
    if (s[0] == ' ' || s[0] == '\n') hdr += "2";
    if (s.back() != '\n') {
      hdr += "-";
    } else if (s.size() == 1 || s[s.size() - 2] == '\n') {
      hdr += "+";
    }
    put(hdr);
    put_break();
    bool at_line_start = true;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\n') {
        put_break();
        at_line_start = true;
        continue;
      }
      if (at_line_start) {
        while (column_ < indent) {
          out += ' ';
          ++column_;
        }
        at_line_start = false;
      }
      out += s[i];
      if ((uint8_t(s[i]) & 0xc0) != 0x80) ++column_;
      whitespace_ = false;
    }
    if (s.back() == '\n') whitespace_ = true;
  }
};

std::optional<Value> yaml_marshal(BuiltinArgs a, BuiltinContext&) {
  Emitter e;
  e.document(a[0]);
  return Value::string(std::move(e.out));
}

}  // namespace

void register_yaml(Registry& r) {
  r.add("yaml.marshal", 1, yaml_marshal);
  r.add("yaml.unmarshal", 1, yaml_unmarshal);
  r.add("yaml.is_valid", 1, yaml_is_valid);
}

}  // namespace rego
