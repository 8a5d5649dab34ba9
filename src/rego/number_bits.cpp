// Big-integer bit operations and base conversion for the bits.* and format_int built-ins.
//
// These are rare and never on a hot path, so they go through decimal text: integer_text() out of a Value,
// Boost's cpp_int for the operation (its bitwise operators emulate two's complement on negative numbers, as
// Go's big.Int does), and number::parse() back into the cheapest exact Value. Machine-size operands take a
// direct int64 path.
#include <boost/multiprecision/cpp_int.hpp>

#include <stdexcept>

#include "rego/number.h"

namespace rego::number {
namespace {

using boost::multiprecision::cpp_int;

cpp_int to_big(const Value& v) { return cpp_int(integer_text(v)); }

Value from_big(const cpp_int& i) {
  if (i >= INT64_MIN && i <= INT64_MAX) return Value::integer(static_cast<int64_t>(i));
  auto v = parse(i.str());
  if (!v) throw std::logic_error("number_bits: unparseable integer text");
  return *v;
}

template <typename SmallOp, typename BigOp>
Value binary(const Value& a, const Value& b, SmallOp small, BigOp big) {
  if (a.is_int() && b.is_int()) return Value::integer(small(a.as_int(), b.as_int()));
  return from_big(big(to_big(a), to_big(b)));
}

}  // namespace

Value bit_and(const Value& a, const Value& b) {
  return binary(a, b, [](int64_t x, int64_t y) { return x & y; },
                [](const cpp_int& x, const cpp_int& y) -> cpp_int { return x & y; });
}

Value bit_or(const Value& a, const Value& b) {
  return binary(a, b, [](int64_t x, int64_t y) { return x | y; },
                [](const cpp_int& x, const cpp_int& y) -> cpp_int { return x | y; });
}

Value bit_xor(const Value& a, const Value& b) {
  return binary(a, b, [](int64_t x, int64_t y) { return x ^ y; },
                [](const cpp_int& x, const cpp_int& y) -> cpp_int { return x ^ y; });
}

Value bit_not(const Value& a) {
  if (a.is_int()) return Value::integer(~a.as_int());
  return from_big(-to_big(a) - 1);
}

Value shift_left(const Value& a, uint64_t bits) {
  if (a.is_int() && a.as_int() == 0) return a;
  return from_big(to_big(a) << bits);
}

Value shift_right(const Value& a, uint64_t bits) {
  if (bits > (uint64_t{1} << 32)) bits = uint64_t{1} << 32;  // every bit of any number we can hold is gone
  if (a.is_int()) {
    const int64_t x = a.as_int();
    if (bits >= 63) return Value::integer(x < 0 ? -1 : 0);
    return Value::integer(x >> bits);  // arithmetic shift: rounds toward negative infinity, as big.Int.Rsh
  }
  return from_big(to_big(a) >> bits);
}

std::string integer_text_base(const Value& n, int base) {
  if (base == 10) return integer_text(n);
  static const char* digits = "0123456789abcdef";
  cpp_int v = to_big(n);
  const bool neg = v < 0;
  if (neg) v = -v;
  std::string out;
  do {
    out.push_back(digits[static_cast<int>(v % base)]);
    v /= base;
  } while (v != 0);
  if (neg) out.push_back('-');
  return std::string(out.rbegin(), out.rend());
}

std::optional<Value> scale_decimal(std::string_view s, uint64_t num, unsigned shift, int places) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  std::string digits;
  int64_t exp = 0;
  size_t ndigits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') digits.push_back(s[i++]), ++ndigits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') digits.push_back(s[i++]), ++ndigits, --exp;
  }
  if (ndigits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
    const size_t start = i;
    int64_t e = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (e > 100000000) return std::nullopt;  // beyond anything the caller lets through
      e = e * 10 + (s[i++] - '0');
    }
    if (i == start) return std::nullopt;
    exp += eneg ? -e : e;
  }
  if (i != s.size()) return std::nullopt;

  cpp_int n(digits);
  n *= num;
  cpp_int d = cpp_int(1) << shift;
  if (exp > 0) n *= boost::multiprecision::pow(cpp_int(10), static_cast<unsigned>(exp));
  if (exp < 0) d *= boost::multiprecision::pow(cpp_int(10), static_cast<unsigned>(-exp));
  if (neg) n = -n;
  if (n % d == 0) return from_big(n / d);
  if (places < 0) return from_big(n / d);  // truncates toward zero
  const cpp_int scale = boost::multiprecision::pow(cpp_int(10), static_cast<unsigned>(places));
  cpp_int q = (n < 0 ? -n : n) * scale;
  cpp_int r = q / d;
  if (2 * (q % d) >= d) ++r;
  std::string text = r.str();
  if (text.size() <= static_cast<size_t>(places)) text.insert(0, static_cast<size_t>(places) + 1 - text.size(), '0');
  text.insert(text.size() - static_cast<size_t>(places), ".");
  if (neg) text.insert(0, "-");
  return parse(text);
}

}  // namespace rego::number
