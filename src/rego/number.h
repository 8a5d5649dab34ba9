// Rego numbers: parsing, formatting and exact arithmetic.
//
// Numbers are Values of Kind::Number held as int64 (fast path), double, or BigNumber (mantissa * 10^exp, exact)
// when neither can hold the number exactly (see value.h). Every function here picks the cheapest representation
// that is exact: int64 overflow promotes to Big, a Big result that fits int64 demotes again.
//
// OPA's semantics: integer arithmetic is exact at any size; as soon as a non-integer takes part the result is
// computed in double precision (as OPA's big.Float conversions of float64 do). Comparison is always exact.
#pragma once

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

}  // namespace rego::number
