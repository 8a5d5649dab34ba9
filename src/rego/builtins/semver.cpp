// semver.is_valid, semver.compare: Semantic Versioning 2.0.0 (https://semver.org), with an optional "v"
// prefix; numeric identifiers may not have leading zeros.
#include <regex>

#include "rego/builtins/registry.h"
#include "rego/json.h"

namespace rego {
namespace {

struct Version {
  int64_t major = 0, minor = 0, patch = 0;
  std::string pre;  // pre-release ("" when none); build metadata is ignored for precedence
};

std::optional<int64_t> parse_num(const std::string& s) {
  if (s.size() > 18) return std::nullopt;  // beyond int64 (Go's ParseInt fails)
  return std::stoll(s);
}

std::optional<Version> parse_semver(const std::string& text) {
  static const std::regex re(
      R"(^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*))"
      R"((?:-((?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?)"
      R"((?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$)");
  std::smatch m;
  if (!std::regex_match(text, m, re)) return std::nullopt;
  auto major = parse_num(m[1]), minor = parse_num(m[2]), patch = parse_num(m[3]);
  if (!major || !minor || !patch) return std::nullopt;
  return Version{*major, *minor, *patch, m[4]};
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// Compares dot-separated identifiers: numeric ones numerically and below alphanumeric ones, alphanumeric
// ones in ASCII order; a longer list wins when all shared identifiers are equal.
int compare_pre(std::string_view a, std::string_view b) {
  while (true) {
    size_t da = a.find('.'), db = b.find('.');
    std::string_view ia = a.substr(0, da), ib = b.substr(0, db);
    bool na = all_digits(ia), nb = all_digits(ib);
    if (na != nb) return na ? -1 : 1;
    if (na) {
      if (ia.size() != ib.size()) return ia.size() < ib.size() ? -1 : 1;  // no leading zeros: length orders
    }
    if (ia != ib) return ia < ib ? -1 : 1;
    bool more_a = da != std::string_view::npos, more_b = db != std::string_view::npos;
    if (!more_a || !more_b) return more_a == more_b ? 0 : more_a ? 1 : -1;
    a.remove_prefix(da + 1);
    b.remove_prefix(db + 1);
  }
}

int compare(const Version& a, const Version& b) {
  if (a.major != b.major) return a.major < b.major ? -1 : 1;
  if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
  if (a.pre == b.pre) return 0;
  if (a.pre.empty()) return 1;  // a release ranks above its pre-releases
  if (b.pre.empty()) return -1;
  return compare_pre(a.pre, b.pre);
}

std::optional<Value> semver_is_valid(BuiltinArgs a, BuiltinContext&) {
  return Value::boolean(a[0].is_string() && parse_semver(a[0].as_string()).has_value());
}

std::optional<Value> semver_compare(BuiltinArgs a, BuiltinContext&) {
  const std::string& sa = args::string(a, 0);
  const std::string& sb = args::string(a, 1);
  auto va = parse_semver(sa);
  if (!va) throw BuiltinError{"operand 1: string " + json::write(a[0]) + " is not a valid SemVer", false};
  auto vb = parse_semver(sb);
  if (!vb) throw BuiltinError{"operand 2: string " + json::write(a[1]) + " is not a valid SemVer", false};
  return Value::integer(compare(*va, *vb));
}

}  // namespace

void register_semver(Registry& r) {
  r.add("semver.is_valid", 1, semver_is_valid);
  r.add("semver.compare", 2, semver_compare);
}

}  // namespace rego
