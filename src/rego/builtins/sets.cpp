// Set algebra: `&` (and), `|` (or), intersection and union of a set of sets, and the deprecated set_diff.
//
// Sets hold their elements sorted (value.h), so every operation here is a linear merge whose output is already
// sorted and unique (Value::set_sorted).
#include <algorithm>
#include <iterator>

#include "rego/builtins/registry.h"

namespace rego {
namespace {

bool less(const Value& x, const Value& y) { return Value::compare(x, y) < 0; }

Value intersect(const std::vector<Value>& x, const std::vector<Value>& y) {
  std::vector<Value> out;
  std::set_intersection(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(out), less);
  return Value::set_sorted(std::move(out));
}

Value unite(const std::vector<Value>& x, const std::vector<Value>& y) {
  std::vector<Value> out;
  out.reserve(x.size() + y.size());
  std::set_union(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(out), less);
  return Value::set_sorted(std::move(out));
}

std::optional<Value> and_(BuiltinArgs a, BuiltinContext&) {
  const auto& x = args::set(a, 0);
  const auto& y = args::set(a, 1);
  return intersect(x, y);
}

std::optional<Value> or_(BuiltinArgs a, BuiltinContext&) {
  const auto& x = args::set(a, 0);
  const auto& y = args::set(a, 1);
  if (y.empty()) return a[0];
  if (x.empty()) return a[1];
  return unite(x, y);
}

std::optional<Value> set_diff(BuiltinArgs a, BuiltinContext&) {
  const auto& x = args::set(a, 0);
  const auto& y = args::set(a, 1);
  std::vector<Value> out;
  std::set_difference(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(out), less);
  return Value::set_sorted(std::move(out));
}

// Members of the outer set must themselves be sets; OPA reports a bad member as "operand 1 must be set".
const std::vector<Value>& member_set(const Value& v) {
  if (!v.is_set()) args::type_error(0, "set", v);
  return v.as_set();
}

std::optional<Value> intersection(BuiltinArgs a, BuiltinContext&) {
  const auto& sets = args::set(a, 0);
  if (sets.empty()) return Value::empty_set();
  Value acc = sets.front();
  member_set(acc);
  for (size_t i = 1; i < sets.size(); ++i) acc = intersect(acc.as_set(), member_set(sets[i]));
  return acc;
}

std::optional<Value> union_(BuiltinArgs a, BuiltinContext&) {
  const auto& sets = args::set(a, 0);
  std::vector<Value> all;
  for (const auto& s : sets) {
    const auto& items = member_set(s);
    all.insert(all.end(), items.begin(), items.end());
  }
  return Value::set(std::move(all));
}

}  // namespace

void register_sets(Registry& r) {
  r.add("and", 2, and_);
  r.add("or", 2, or_);
  r.add("intersection", 1, intersection);
  r.add("union", 1, union_);
  r.add("set_diff", 2, set_diff);
}

}  // namespace rego
