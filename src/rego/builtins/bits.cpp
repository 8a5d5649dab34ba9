// bits.* built-ins: bitwise and/or/xor/negate and shifts on integers of any size, with Go big.Int semantics
// (negative numbers are infinite two's complement; see number.h).
#include "rego/builtins/registry.h"
#include "rego/number.h"

namespace rego {
namespace {

// OPA's BigIntOperand.
const Value& big_int(BuiltinArgs a, size_t i) {
  const Value& v = a[i];
  if (!v.is_number()) args::type_error(i, "integer", v);
  if (!number::is_integer(v)) {
    throw BuiltinError{"operand " + std::to_string(i + 1) + " must be integer number but got floating-point number",
                       true};
  }
  return v;
}

// Left shifts past this many bits would build numbers of hundreds of megabytes; Go would try and exhaust
// memory, we refuse instead.
constexpr uint64_t kMaxShift = uint64_t{1} << 32;

uint64_t shift_count(BuiltinArgs a) {
  const Value& n = big_int(a, 1);
  if (Value::compare(n, Value::integer(0)) < 0) {
    throw BuiltinError{"operand 2 must be an unsigned integer number but got a negative integer", true};
  }
  auto c = number::to_int64(n);
  return c ? static_cast<uint64_t>(*c) : UINT64_MAX;
}

std::optional<Value> bits_and(BuiltinArgs a, BuiltinContext&) { return number::bit_and(big_int(a, 0), big_int(a, 1)); }
std::optional<Value> bits_or(BuiltinArgs a, BuiltinContext&) { return number::bit_or(big_int(a, 0), big_int(a, 1)); }
std::optional<Value> bits_xor(BuiltinArgs a, BuiltinContext&) { return number::bit_xor(big_int(a, 0), big_int(a, 1)); }
std::optional<Value> bits_negate(BuiltinArgs a, BuiltinContext&) { return number::bit_not(big_int(a, 0)); }

std::optional<Value> bits_lsh(BuiltinArgs a, BuiltinContext&) {
  const Value& x = big_int(a, 0);
  const uint64_t n = shift_count(a);
  if (Value::compare(x, Value::integer(0)) == 0) return Value::integer(0);
  if (n > kMaxShift) throw BuiltinError{"shift count too large", false};
  return number::shift_left(x, n);
}

std::optional<Value> bits_rsh(BuiltinArgs a, BuiltinContext&) {
  const Value& x = big_int(a, 0);
  return number::shift_right(x, shift_count(a));
}

}  // namespace

void register_bits(Registry& r) {
  r.add("bits.and", 2, bits_and);
  r.add("bits.or", 2, bits_or);
  r.add("bits.xor", 2, bits_xor);
  r.add("bits.negate", 1, bits_negate);
  r.add("bits.lsh", 2, bits_lsh);
  r.add("bits.rsh", 2, bits_rsh);
}

}  // namespace rego
