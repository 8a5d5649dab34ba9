// Arithmetic built-ins (plus, minus, mul, div, rem, abs, round, ceil, floor), numbers.range(_step) and rand.intn.
//
// Exactness lives in number.h; this file only checks operands and words errors as OPA's topdown/arithmetic.go
// and numbers.go do.
#include <random>

#include "rego/builtins/registry.h"
#include "rego/error.h"
#include "rego/number.h"

namespace rego {
namespace {

[[noreturn]] void fail(std::string message) { throw BuiltinError{std::move(message), false}; }

std::optional<Value> plus(BuiltinArgs a, BuiltinContext&) {
  return number::add(args::number(a, 0), args::number(a, 1));
}

// `-` is both number subtraction and set difference; OPA picks the error by what the operands could still be.
std::optional<Value> minus(BuiltinArgs a, BuiltinContext&) {
  const Value& x = a[0];
  const Value& y = a[1];
  if (x.is_number() && y.is_number()) return number::subtract(x, y);
  if (x.is_set() && y.is_set()) {
    std::vector<Value> out;
    for (const auto& e : x.as_set()) {
      if (!y.contains(e)) out.push_back(e);
    }
    return Value::set_sorted(std::move(out));
  }
  if (!x.is_number() && !x.is_set()) args::type_error(0, "one of {number, set}", x);
  if (y.is_number()) args::type_error(1, "set", y);
  args::type_error(1, "number", y);
}

std::optional<Value> mul(BuiltinArgs a, BuiltinContext&) {
  return number::multiply(args::number(a, 0), args::number(a, 1));
}

std::optional<Value> div(BuiltinArgs a, BuiltinContext&) {
  auto r = number::divide(args::number(a, 0), args::number(a, 1));
  if (!r) fail("divide by zero");
  return r;
}

// Modulo exists for integers only (4.0 counts as one); a fraction on either side is an error even when the
// divisor is zero.
std::optional<Value> rem(BuiltinArgs a, BuiltinContext&) {
  const Value& x = args::number(a, 0);
  const Value& y = args::number(a, 1);
  if (!number::is_integer(x) || !number::is_integer(y)) fail("modulo on floating-point number");
  auto r = number::remainder(x, y);
  if (!r) fail("modulo by zero");
  return r;
}

std::optional<Value> abs_(BuiltinArgs a, BuiltinContext&) { return number::abs(args::number(a, 0)); }
std::optional<Value> round_(BuiltinArgs a, BuiltinContext&) { return number::round(args::number(a, 0)); }
std::optional<Value> ceil_(BuiltinArgs a, BuiltinContext&) { return number::ceil(args::number(a, 0)); }
std::optional<Value> floor_(BuiltinArgs a, BuiltinContext&) { return number::floor(args::number(a, 0)); }

// OPA's BigIntOperand: any whole number, however large.
const Value& big_integer(BuiltinArgs a, size_t i) {
  const Value& v = a[i];
  if (!v.is_number()) args::type_error(i, "integer", v);
  if (!number::is_integer(v)) {
    throw BuiltinError{"operand " + std::to_string(i + 1) + " must be integer number but got floating-point number",
                       true};
  }
  return v;
}

// Every this many numbers, a range checks whether its query was cancelled or timed out: a span of 10^12 would
// otherwise run (and allocate) far past any deadline inside this one call.
constexpr uint64_t kCancelCheckInterval = 1 << 16;

[[noreturn]] void range_timed_out(const char* name) {
  throw RegoError(code::kCancel, std::string(name) + ": timed out before generating all numbers in range");
}

// Inclusive range from x toward y (descending when x > y) in steps of `step` (> 0). `name` is the built-in's,
// for the timeout error (OPA's text).
Value make_range(const Value& x, const Value& y, const Value& step, const BuiltinContext& ctx, const char* name) {
  std::vector<Value> out;
  auto sx = number::to_int64(x), sy = number::to_int64(y), ss = number::to_int64(step);
  if (sx && sy && ss) {
    // Machine-size fast path. Bounds are checked before stepping so the counter never overflows.
    const int64_t from = *sx, to = *sy, st = *ss;
    const uint64_t span = from <= to ? static_cast<uint64_t>(to) - static_cast<uint64_t>(from)
                                     : static_cast<uint64_t>(from) - static_cast<uint64_t>(to);
    const uint64_t n = span / static_cast<uint64_t>(st) + 1;
    out.reserve(static_cast<size_t>(std::min<uint64_t>(n, 1u << 20)));
    for (uint64_t k = 0; k < n; ++k) {
      if ((k + 1) % kCancelCheckInterval == 0 && ctx.cancel.reason()) range_timed_out(name);
      const uint64_t off = k * static_cast<uint64_t>(st);
      out.push_back(Value::integer(from <= to ? static_cast<int64_t>(static_cast<uint64_t>(from) + off)
                                              : static_cast<int64_t>(static_cast<uint64_t>(from) - off)));
    }
    return Value::array(std::move(out));
  }
  const bool ascending = Value::compare(x, y) <= 0;
  for (Value i = x; ascending ? Value::compare(i, y) <= 0 : Value::compare(i, y) >= 0;
       i = ascending ? number::add(i, step) : number::subtract(i, step)) {
    if ((out.size() + 1) % kCancelCheckInterval == 0 && ctx.cancel.reason()) range_timed_out(name);
    out.push_back(i);
  }
  return Value::array(std::move(out));
}

std::optional<Value> numbers_range(BuiltinArgs a, BuiltinContext& ctx) {
  const Value& x = big_integer(a, 0);
  const Value& y = big_integer(a, 1);
  return make_range(x, y, Value::integer(1), ctx, "numbers.range");
}

std::optional<Value> numbers_range_step(BuiltinArgs a, BuiltinContext& ctx) {
  // OPA checks the step first when all three are machine integers, and last otherwise; the error is the same.
  const Value& x = big_integer(a, 0);
  const Value& y = big_integer(a, 1);
  const Value& step = big_integer(a, 2);
  if (Value::compare(step, Value::integer(0)) <= 0) fail("numbers.range_step: step must be a positive integer");
  return make_range(x, y, step, ctx, "numbers.range_step");
}

// Non-deterministic, but the same (str, n) within one query yields the same number (OPA caches per query; the
// evaluator memoises calls of built-ins registered as non-deterministic).
std::optional<Value> rand_intn(BuiltinArgs a, BuiltinContext&) {
  args::string(a, 0);
  int64_t n = args::integer(a, 1);
  if (n == 0) return Value::integer(0);
  if (n < 0) n = n == INT64_MIN ? INT64_MAX : -n;
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<int64_t> dist(0, n - 1);
  return Value::integer(dist(rng));
}

}  // namespace

void register_numbers(Registry& r) {
  r.add("plus", 2, plus);
  r.add("minus", 2, minus);
  r.add("mul", 2, mul);
  r.add("div", 2, div);
  r.add("rem", 2, rem);
  r.add("abs", 1, abs_);
  r.add("round", 1, round_);
  r.add("ceil", 1, ceil_);
  r.add("floor", 1, floor_);
  r.add("numbers.range", 2, numbers_range);
  r.add("numbers.range_step", 3, numbers_range_step);
  r.add("rand.intn", 2, rand_intn, /*nondeterministic=*/true);
}

}  // namespace rego
