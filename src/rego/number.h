// Rego numbers: parsing, formatting and exact arithmetic.
//
// Numbers are Values of Kind::Number held as int64 (fast path), double, or BigNumber (mantissa * 10^exp, exact)
// when neither can hold the number exactly (see value.h). Every function here picks the cheapest representation
// that is exact: int64 overflow promotes to Big, a Big result that fits int64 demotes again.
//
// OPA's semantics: integer arithmetic is exact at any size; as soon as a non-integer takes part the result is
// computed in double precision (as OPA's big.Float conversions of float64 do). Comparison is always exact.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rego/value.h"

namespace rego::number {

// Parses a JSON/Rego number literal ("12", "-1.5e3", "1e400"). nullopt if the text is not a number.
std::optional<Value> parse(std::string_view text);

// Formats as OPA prints numbers in JSON: integers in full, integral doubles without a fraction
// ("4", not "4.0"), other doubles in the shortest form that reads back exactly.
std::string format(const Value& n);
void append_format(const Value& n, std::string& out);

// Exact comparison of two numbers (both must be numbers).
int compare(const Value& a, const Value& b);
size_t hash(const Value& n);  // equal numbers hash equally, whatever their representation

bool is_integer(const Value& n);             // denotes a whole number (3, 3.0, 1e400)
std::optional<int64_t> to_int64(const Value& n);  // exact whole number within int64
double to_double(const Value& n);            // nearest double (may be +-inf for huge Big)
Value from_double(double d);                 // integral doubles within int64 become Int

// Arithmetic. nullopt from divide/remainder means "divide by zero"; callers raise OPA's error.
Value add(const Value& a, const Value& b);
Value subtract(const Value& a, const Value& b);
Value multiply(const Value& a, const Value& b);
std::optional<Value> divide(const Value& a, const Value& b);
// Remainder of integers (sign of the dividend, as Go's big.Int.Rem). Caller checks both are integers.
std::optional<Value> remainder(const Value& a, const Value& b);
Value negate(const Value& a);
Value abs(const Value& a);
Value floor(const Value& a);
Value ceil(const Value& a);
Value round(const Value& a);  // half away from zero, as Go's math.Round

// Decimal text of a whole number of any size (for big-integer built-ins such as format_int, bits.*).
std::string integer_text(const Value& n);

// ---- Extra exact operations (number_bits.cpp; added for the bits.*, format_int and units.* built-ins) ----
// Operands must be whole numbers (is_integer). Negative numbers behave as infinite two's complement, as Go's
// big.Int does: bit_and(-6, 3) == 2, shift_right(-7, 1) == -4 (rounds toward negative infinity).
Value bit_and(const Value& a, const Value& b);
Value bit_or(const Value& a, const Value& b);
Value bit_xor(const Value& a, const Value& b);
Value bit_not(const Value& a);
Value shift_left(const Value& a, uint64_t bits);
Value shift_right(const Value& a, uint64_t bits);
// Digits of a whole number in base 2, 8, 10 or 16 (lowercase), with a leading '-' when negative.
std::string integer_text_base(const Value& n, int base);
// Exactly decimal * num / 2^shift, where decimal is "[+-]digits[.digits][(e|E)[+-]digits]" (at least one digit;
// ".5" and "5." allowed). A whole result comes back as an integer; otherwise it is truncated toward zero
// (places < 0) or rounded half away from zero to `places` decimals. nullopt when decimal is not of that form.
std::optional<Value> scale_decimal(std::string_view decimal, uint64_t num, unsigned shift, int places);

}  // namespace rego::number
