// YAML documents to Rego values (see yaml_value.h).
#include "load/yaml_value.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <regex>
#include <string_view>
#include <vector>

#include "rego/number.h"

namespace trex::load::yaml {

namespace {

bool one_of(std::string_view s, std::initializer_list<std::string_view> options) {
  for (auto o : options)
    if (s == o) return true;
  return false;
}

// A float64 as Go's encoding/json prints it (shortest text that reads back exactly), then read as a Rego
// number: that is what OPA ends up with for a YAML float.
rego::Value from_float64(double d) {
  if (!std::isfinite(d)) throw YamlError("YAML value " + std::to_string(d) + " cannot be represented in JSON");
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  if (ec != std::errc()) throw YamlError("cannot format number");
  if (auto n = rego::number::parse(std::string_view(buf, end - buf))) return *n;
  return rego::number::from_double(d);
}

// Go's strconv.ParseInt/ParseUint with base 0 on text without underscores: sign, then 0x/0o/0b prefixes or a
// leading 0 for octal. Returns the value as a Rego number, or nullopt when the text is not an integer.
std::optional<rego::Value> parse_go_int(std::string_view s) {
  bool neg = false;
  std::string_view digits = s;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    neg = digits[0] == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty()) return std::nullopt;
  int base = 10;
  if (digits.size() > 1 && digits[0] == '0') {
    char p = digits[1];
    if (p == 'x' || p == 'X') base = 16, digits.remove_prefix(2);
    else if (p == 'o' || p == 'O') base = 8, digits.remove_prefix(2);
    else if (p == 'b' || p == 'B') base = 2, digits.remove_prefix(2);
    else base = 8, digits.remove_prefix(1);
  }
  if (digits.empty()) return std::nullopt;
  uint64_t u = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), u, base);
  if (ptr != digits.data() + digits.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // Beyond uint64 go-yaml falls back to float64 (only for decimal text that matches its float pattern).
    return std::nullopt;
  }
  if (ec != std::errc()) return std::nullopt;
  if (!neg) {
    if (u <= static_cast<uint64_t>(INT64_MAX)) return rego::Value::integer(static_cast<int64_t>(u));
    return rego::number::parse(std::to_string(u));  // uint64 range: exact
  }
  if (u <= static_cast<uint64_t>(INT64_MAX) + 1) {
    return rego::Value::integer(u == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<int64_t>(u));
  }
  return std::nullopt;  // below int64: ParseInt fails, ParseUint rejects the sign; float fallback
}

// A plain scalar resolved as go-yaml v2 does (resolve.go).
rego::Value resolve_plain(const std::string& text) {
  if (one_of(text, {"", "~", "null", "Null", "NULL"})) return rego::Value::null();
  if (one_of(text, {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}))
    return rego::Value::boolean(true);
  if (one_of(text, {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}))
    return rego::Value::boolean(false);
  if (one_of(text, {".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
                    "-.INF"}))
    throw YamlError("YAML value " + text + " cannot be represented in JSON");

  char c = text[0];
  if (!(c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'))) return rego::Value::string(text);

  std::string plain;
  plain.reserve(text.size());
  for (char ch : text)
    if (ch != '_') plain.push_back(ch);
  if (auto i = parse_go_int(plain)) return *i;
  static const std::regex float_re(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  if (std::regex_match(plain, float_re)) {
    // strtod, not from_chars: from_chars rejects a leading '+' and ".5"-style text is fine for both.
    errno = 0;
    double d = std::strtod(plain.c_str(), nullptr);
    if (errno != ERANGE) return from_float64(d);
  }
  return rego::Value::string(text);
}

rego::Value scalar(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  const std::string& text = node.Scalar();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return rego::Value::string(text);
  if (tag == "tag:yaml.org,2002:null") return rego::Value::null();
  // "?" (plain) and the explicit core tags (!!int, !!float, !!bool) resolve the same way.
  rego::Value v = resolve_plain(text);
  if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float") {
    if (!v.is_number()) throw YamlError("cannot decode !!" + tag.substr(tag.rfind(':') + 1) + " `" + text + "`");
  } else if (tag == "tag:yaml.org,2002:bool") {
    if (!v.is_boolean()) throw YamlError("cannot decode !!bool `" + text + "`");
  }
  return v;
}

// Map keys become strings, as sigs.k8s.io/yaml does when it turns YAML into JSON.
rego::Value key_string(const YAML::Node& key) {
  if (key.IsNull()) return rego::Value::string("null");
  if (!key.IsScalar()) throw YamlError("YAML map keys must be scalars");
  rego::Value v = scalar(key);
  switch (v.kind()) {
    case rego::Kind::String: return v;
    case rego::Kind::Boolean: return rego::Value::string(v.as_bool() ? "true" : "false");
    case rego::Kind::Number: return rego::Value::string(rego::number::format(v));
    default: return rego::Value::string("null");
  }
}

rego::Value convert(const YAML::Node& node, int depth);

void merge_into(std::vector<rego::ObjectEntry>& entries, const YAML::Node& from, int depth) {
  // `<<: *anchor` merges a map (or a list of maps) without overriding keys already present.
  auto add = [&](const YAML::Node& map) {
    if (!map.IsMap()) throw YamlError("map merge requires a map or a sequence of maps");
    for (const auto& kv : map) {
      rego::Value k = key_string(kv.first);
      bool present = false;
      for (const auto& e : entries)
        if (e.first == k) present = true;
      if (!present) entries.emplace_back(std::move(k), convert(kv.second, depth + 1));
    }
  };
  if (from.IsSequence()) {
    for (const auto& m : from) add(m);
  } else {
    add(from);
  }
}

rego::Value convert(const YAML::Node& node, int depth) {
  if (depth > 1000) throw YamlError("YAML document nested too deeply");
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return rego::Value::null();
    case YAML::NodeType::Scalar:
      return scalar(node);
    case YAML::NodeType::Sequence: {
      std::vector<rego::Value> items;
      items.reserve(node.size());
      for (const auto& item : node) items.push_back(convert(item, depth + 1));
      return rego::Value::array(std::move(items));
    }
    case YAML::NodeType::Map: {
      std::vector<rego::ObjectEntry> entries;
      std::vector<YAML::Node> merges;
      for (const auto& kv : node) {
        if (kv.first.IsScalar() && kv.first.Tag() == "?" && kv.first.Scalar() == "<<") {
          merges.push_back(kv.second);
          continue;
        }
        entries.emplace_back(key_string(kv.first), convert(kv.second, depth + 1));
      }
      for (const auto& m : merges) merge_into(entries, m, depth);
      return rego::Value::object(std::move(entries));
    }
  }
  return rego::Value::null();
}

}  // namespace

rego::Value to_value(const YAML::Node& node) {
  try {
    return convert(node, 0);
  } catch (const YAML::Exception& e) {
    throw YamlError(e.what());
  }
}

rego::Value parse(const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw YamlError(e.what());
  }
  return to_value(root);
}

}  // namespace trex::load::yaml
