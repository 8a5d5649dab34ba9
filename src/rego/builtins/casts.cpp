// to_number and the deprecated cast_* built-ins (OPA's topdown/casts.go). The casts are Rego v0 only, but stay
// registered so v0 policies keep compiling; the compiler decides whether a policy may call them.
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "rego/builtins/registry.h"
#include "rego/builtins/strutil.h"
#include "rego/number.h"

namespace rego {
namespace {

using std::string;
using std::string_view;

// Go's strconv.ParseFloat error text ("strconv.ParseFloat: parsing \"x\": invalid syntax").
[[noreturn]] void parse_float_error(string_view s, const char* why) {
  throw BuiltinError{"strconv.ParseFloat: parsing " + text::quote(s) + ": " + why, false};
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Decimal text in Go's ParseFloat syntax ("+.5", "5.", "007", "1E3") rewritten in JSON number syntax, or ""
// when it is not decimal syntax at all.
string decimal_as_json(string_view s) {
  size_t i = 0;
  string out;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    if (s[i] == '-') out.push_back('-');
    ++i;
  }
  string whole, frac;
  while (i < s.size() && is_digit(s[i])) whole.push_back(s[i++]);
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) frac.push_back(s[i++]);
  }
  if (whole.empty() && frac.empty()) return {};
  const size_t nz = whole.find_first_not_of('0');
  out += nz == string::npos ? "0" : whole.substr(nz);
  if (!frac.empty()) out += "." + frac;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    string exp = "e";
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp.push_back(s[i++]);
    const size_t digits_at = i;
    while (i < s.size() && is_digit(s[i])) exp.push_back(s[i++]);
    if (i == digits_at) return {};
    out += exp;
  }
  return i == s.size() ? out : string();
}

Value string_to_number(const Value& arg) {
  const string& s = arg.as_string();
  // Go's ParseFloat reads "Inf" and "NaN", which are not Rego numbers.
  string lowered;
  for (char c : s.substr(std::min(s.find_first_not_of("+-"), s.size()))) {
    lowered.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (lowered == "inf" || lowered == "infinity" || lowered == "nan") {
    args::type_error(0, "valid number string", arg);
  }
  const string json = decimal_as_json(s);
  if (!json.empty()) {
    // Too large for a float64 is ParseFloat's range error, even though the number itself could be held exactly.
    errno = 0;
    const double d = std::strtod(json.c_str(), nullptr);
    if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL)) parse_float_error(s, "value out of range");
    if (auto v = number::parse(json)) return *v;
    return number::from_double(d);
  }
  // Hexadecimal floats ("0x1p-2") are the rest of ParseFloat's syntax; strtod reads the same form.
  const bool hex = s.find("0x") != string::npos || s.find("0X") != string::npos;
  if (hex && s.find_first_of("pP") != string::npos && s.find('_') == string::npos) {
    char* end = nullptr;
    errno = 0;
    const double d = std::strtod(s.c_str(), &end);
    if (end == s.c_str() + s.size()) {
      if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL)) parse_float_error(s, "value out of range");
      return number::from_double(d);
    }
  }
  parse_float_error(s, "invalid syntax");
}

std::optional<Value> to_number(BuiltinArgs a, BuiltinContext&) {
  const Value& v = a[0];
  switch (v.kind()) {
    case Kind::Null: return Value::integer(0);
    case Kind::Boolean: return Value::integer(v.as_bool() ? 1 : 0);
    case Kind::Number: return v;
    case Kind::String: return string_to_number(v);
    default: args::type_error(0, "one of {null, boolean, number, string}", v);
  }
}

std::optional<Value> cast_array(BuiltinArgs a, BuiltinContext&) {
  if (a[0].is_array()) return a[0];
  if (a[0].is_set()) return Value::array(a[0].as_set());
  args::type_error(0, "one of {array, set}", a[0]);
}

std::optional<Value> cast_set(BuiltinArgs a, BuiltinContext&) {
  if (a[0].is_set()) return a[0];
  if (a[0].is_array()) return Value::set(a[0].as_array());
  args::type_error(0, "one of {array, set}", a[0]);
}

template <Kind K>
std::optional<Value> cast_same(BuiltinArgs a, BuiltinContext&) {
  static const char* names[] = {"null", "boolean", "number", "string", "array", "object", "set"};
  if (a[0].kind() != K) args::type_error(0, names[static_cast<int>(K)], a[0]);
  return a[0];
}

}  // namespace

void register_casts(Registry& r) {
  r.add("to_number", 1, to_number);
  r.add("cast_array", 1, cast_array);
  r.add("cast_set", 1, cast_set);
  r.add("cast_string", 1, cast_same<Kind::String>);
  r.add("cast_boolean", 1, cast_same<Kind::Boolean>);
  r.add("cast_null", 1, cast_same<Kind::Null>);
  r.add("cast_object", 1, cast_same<Kind::Object>);
}

}  // namespace rego
