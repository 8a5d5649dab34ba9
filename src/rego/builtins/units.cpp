// units.parse and units.parse_bytes (OPA's topdown/parse_units.go and parse_bytes.go).
//
// Both split "10.5Ki" into an amount and a unit the way OPA does. units.parse computes exactly (OPA uses big.Rat,
// so "0.0005K" is exactly 0.5); units.parse_bytes multiplies in Go's default big.Float precision (a 64-bit
// mantissa) and truncates, which an x87 long double reproduces bit for bit.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "rego/builtins/registry.h"
#include "rego/number.h"

namespace rego {
namespace {

using std::string;
using std::string_view;

[[noreturn]] void fail(const char* fn, const string& msg) {
  // OPA's own message carries the name; the evaluator adds it once more, as OPA's does.
  throw BuiltinError{string(fn) + ": " + msg, false};
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// OPA caps exponent digits at 6; we also refuse exponents whose numbers would take seconds to build.
constexpr int kMaxExponentDigits = 6;
constexpr long kMaxExponent = 100000;

struct Split {
  string num, unit;
  bool exponent_too_large = false;
};

// OPA's extractNumAndUnit: the amount runs over digits, '.', '+', '-' and an 'e'/'E' that starts an exponent.
Split extract_num_and_unit(string_view s) {
  Split out;
  size_t first_non_num = string_view::npos;
  for (size_t idx = 0; idx < s.size(); ++idx) {
    const char r = s[idx];
    if (!is_digit(r) && r != '.' && r != 'e' && r != 'E' && r != '+' && r != '-') {
      first_non_num = idx;
      break;
    }
    if (r == 'e' || r == 'E') {
      if (idx == s.size() - 1 || (!is_digit(s[idx + 1]) && s[idx + 1] != '+' && s[idx + 1] != '-')) {
        first_non_num = idx;
        break;
      }
      if (s[idx + 1] == '+' || s[idx + 1] == '-') ++idx;
      size_t exp_end = idx + 1;
      long value = 0;
      for (; exp_end < s.size() && is_digit(s[exp_end]); ++exp_end) {
        if (value <= kMaxExponent) value = value * 10 + (s[exp_end] - '0');
      }
      if (exp_end - (idx + 1) > kMaxExponentDigits || value > kMaxExponent) {
        out.exponent_too_large = true;
        return out;
      }
    }
  }
  if (first_non_num == string_view::npos) {
    out.num = string(s);
  } else if (first_non_num > 0) {
    out.num = string(s.substr(0, first_non_num));
    out.unit = string(s.substr(first_non_num));
  } else {
    out.unit = string(s);
  }
  return out;
}

string without_quotes(string_view s) {
  string out;
  for (char c : s) {
    if (c != '"') out.push_back(c);
  }
  return out;
}

string ascii_lower(string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::optional<Value> units_parse(BuiltinArgs a, BuiltinContext&) {
  static const char* fn = "units.parse";
  const string s = without_quotes(args::string(a, 0));
  if (s.find(' ') != string::npos) fail(fn, "spaces not allowed in resource strings");
  Split sp = extract_num_and_unit(s);
  if (sp.exponent_too_large) fail(fn, "exponent too large");
  if (sp.num.empty()) fail(fn, "no amount provided");
  // Only the letters after the first are case-insensitive, so that 'm' (milli) and 'M' (mega) differ.
  string unit = sp.unit;
  if (unit.size() > 1) unit = unit.substr(0, 1) + ascii_lower(unit.substr(1));

  uint64_t mul = 1;
  unsigned shift = 0;
  if (unit == "m") {
    // OPA multiplies by the float64 nearest 0.001 (big.Rat.SetFloat64), exactly 1152921504606847 / 2^60, and
    // rounds the result to 10 decimals; we do the same so 500m == 0.5 exactly as in OPA.
    mul = 1152921504606847ULL;
    shift = 60;
  } else if (unit.empty()) {
    mul = 1;
  } else {
    static const std::pair<const char*, uint64_t> table[] = {
        {"k", 1000ULL},       {"K", 1000ULL},       {"ki", 1ULL << 10},   {"Ki", 1ULL << 10},
        {"M", 1000000ULL},    {"mi", 1ULL << 20},   {"Mi", 1ULL << 20},   {"g", 1000000000ULL},
        {"G", 1000000000ULL}, {"gi", 1ULL << 30},   {"Gi", 1ULL << 30},   {"t", 1000000000000ULL},
        {"T", 1000000000000ULL}, {"ti", 1ULL << 40}, {"Ti", 1ULL << 40},  {"p", 1000000000000000ULL},
        {"P", 1000000000000000ULL}, {"pi", 1ULL << 50}, {"Pi", 1ULL << 50}, {"e", 1000000000000000000ULL},
        {"E", 1000000000000000000ULL}, {"ei", 1ULL << 60}, {"Ei", 1ULL << 60},
    };
    bool found = false;
    for (const auto& [name, value] : table) {
      if (unit == name) {
        mul = value;
        found = true;
      }
    }
    if (!found) fail(fn, "unit " + unit + " not recognized");
  }
  auto v = number::scale_decimal(sp.num, mul, shift, 10);
  if (!v) fail(fn, "could not parse amount to a number");
  return v;
}

// big.Float's SetString grammar: optional sign, digits with at most one '.', at least one digit, optional exponent.
bool float_syntax(string_view s) {
  size_t i = 0, digits = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const size_t start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == start) return false;
  }
  return i == s.size();
}

std::optional<Value> units_parse_bytes(BuiltinArgs a, BuiltinContext&) {
  static const char* fn = "units.parse_bytes";
  const string s = ascii_lower(without_quotes(args::string(a, 0)));
  if (s.find(' ') != string::npos) fail(fn, "spaces not allowed in resource strings");
  Split sp = extract_num_and_unit(s);
  if (sp.exponent_too_large) fail(fn, "exponent too large");
  if (sp.num.empty()) fail(fn, "no byte amount provided");

  static const std::pair<const char*, uint64_t> table[] = {
      {"", 1},
      {"kb", 1000ULL}, {"k", 1000ULL}, {"kib", 1ULL << 10}, {"ki", 1ULL << 10},
      {"mb", 1000000ULL}, {"m", 1000000ULL}, {"mib", 1ULL << 20}, {"mi", 1ULL << 20},
      {"gb", 1000000000ULL}, {"g", 1000000000ULL}, {"gib", 1ULL << 30}, {"gi", 1ULL << 30},
      {"tb", 1000000000000ULL}, {"t", 1000000000000ULL}, {"tib", 1ULL << 40}, {"ti", 1ULL << 40},
      {"pb", 1000000000000000ULL}, {"p", 1000000000000000ULL}, {"pib", 1ULL << 50}, {"pi", 1ULL << 50},
      {"eb", 1000000000000000000ULL}, {"e", 1000000000000000000ULL}, {"eib", 1ULL << 60}, {"ei", 1ULL << 60},
  };
  uint64_t mul = 0;
  for (const auto& [name, value] : table) {
    if (sp.unit == name) mul = value;
  }
  if (mul == 0) fail(fn, "byte unit " + sp.unit + " not recognized");
  if (!float_syntax(sp.num)) fail(fn, "could not parse byte amount to a number");

  if constexpr (std::numeric_limits<long double>::digits == 64) {
    // Both steps round to a 64-bit mantissa, half to even, exactly as big.Float at its default precision.
    const long double amount = std::strtold(sp.num.c_str(), nullptr);
    const long double total = std::trunc(amount * static_cast<long double>(mul));
    if (std::isfinite(total)) {
      char buf[5000];
      std::snprintf(buf, sizeof buf, "%.0Lf", total);
      if (auto v = number::parse(buf)) return v;
    }
  }
  // Without a 64-bit-mantissa long double (or past its range): exact, then truncated.
  auto v = number::scale_decimal(sp.num, mul, 0, -1);
  if (!v) fail(fn, "could not parse byte amount to a number");
  return v;
}

}  // namespace

void register_units(Registry& r) {
  r.add("units.parse", 1, units_parse);
  r.add("units.parse_bytes", 1, units_parse_bytes);
}

}  // namespace rego
