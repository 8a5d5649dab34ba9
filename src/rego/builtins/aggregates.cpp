// Aggregates over collections: count, sum, product, max, min, sort, all, any (OPA's topdown/aggregates.go).
#include <algorithm>
#include <numeric>

#include "rego/builtins/registry.h"
#include "rego/builtins/strutil.h"
#include "rego/number.h"

namespace rego {
namespace {

// The elements of an array or set argument, with OPA's wording for anything else ("one of {set, array}" here,
// unlike args::array_or_set's "{array, set}": the order differs per built-in in OPA).
const std::vector<Value>& set_or_array(BuiltinArgs a, const char* want) {
  const Value& v = a[0];
  if (v.is_array()) return v.as_array();
  if (v.is_set()) return v.as_set();
  args::type_error(0, want, v);
}

std::optional<Value> count(BuiltinArgs a, BuiltinContext&) {
  const Value& v = a[0];
  switch (v.kind()) {
    case Kind::Array:
    case Kind::Object:
    case Kind::Set:
      return Value::integer(static_cast<int64_t>(v.size()));
    case Kind::String:
      return Value::integer(static_cast<int64_t>(text::count_runes(v.as_string())));
    default:
      args::type_error(0, "one of {array, object, set, string}", v);
  }
}

// Folds the numbers of an array or set with op, starting from init. Integers stay exact at any size (number.h).
template <typename Op>
Value fold_numbers(BuiltinArgs a, Value init, Op op) {
  const auto& items = set_or_array(a, "one of {set, array}");
  Value acc = std::move(init);
  for (const auto& x : items) {
    if (!x.is_number()) text::element_error(0, a[0], "number", x);
    acc = op(acc, x);
  }
  return acc;
}

std::optional<Value> sum(BuiltinArgs a, BuiltinContext&) {
  return fold_numbers(a, Value::integer(0), [](const Value& x, const Value& y) { return number::add(x, y); });
}

std::optional<Value> product(BuiltinArgs a, BuiltinContext&) {
  return fold_numbers(a, Value::integer(1), [](const Value& x, const Value& y) { return number::multiply(x, y); });
}

std::optional<Value> max(BuiltinArgs a, BuiltinContext&) {
  const auto& items = set_or_array(a, "one of {set, array}");
  if (items.empty()) return std::nullopt;
  if (a[0].is_set()) return items.back();  // sets are sorted
  return *std::max_element(items.begin(), items.end(),
                           [](const Value& x, const Value& y) { return Value::compare(x, y) < 0; });
}

std::optional<Value> min(BuiltinArgs a, BuiltinContext&) {
  const auto& items = set_or_array(a, "one of {set, array}");
  if (items.empty()) return std::nullopt;
  if (a[0].is_set()) return items.front();
  return *std::min_element(items.begin(), items.end(),
                           [](const Value& x, const Value& y) { return Value::compare(x, y) < 0; });
}

std::optional<Value> sort(BuiltinArgs a, BuiltinContext&) {
  const auto& items = set_or_array(a, "one of {set, array}");
  if (a[0].is_set()) return Value::array(items);
  // Sorting positions rather than Values: no reference-count traffic while sorting (and GCC 12 misreads Value
  // swaps inside std::sort as out-of-bounds atomic writes).
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t x, size_t y) { return Value::compare(items[x], items[y]) < 0; });
  std::vector<Value> out;
  out.reserve(items.size());
  for (size_t i : order) out.push_back(items[i]);
  return Value::array(std::move(out));
}

std::optional<Value> all(BuiltinArgs a, BuiltinContext&) {
  const auto& items = set_or_array(a, "one of {array, set}");
  const bool res = std::all_of(items.begin(), items.end(), [](const Value& v) { return v.is_boolean() && v.as_bool(); });
  return Value::boolean(res);
}

std::optional<Value> any(BuiltinArgs a, BuiltinContext&) {
  const auto& items = set_or_array(a, "one of {array, set}");
  const bool res = std::any_of(items.begin(), items.end(), [](const Value& v) { return v.is_boolean() && v.as_bool(); });
  return Value::boolean(res);
}

}  // namespace

void register_aggregates(Registry& r) {
  r.add("count", 1, count);
  r.add("sum", 1, sum);
  r.add("product", 1, product);
  r.add("max", 1, max);
  r.add("min", 1, min);
  r.add("sort", 1, sort);
  r.add("all", 1, all);
  r.add("any", 1, any);
}

}  // namespace rego
