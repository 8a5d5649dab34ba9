// Type tests (is_*, type_name), comparison operators and the `in` membership operators.
//
// Comparisons use OPA's total order over all values (Value::compare), so `1 < "a"` is true and never an error.
#include "rego/builtins/registry.h"
#include "rego/number.h"

namespace rego {

bool member_of(const Value& x, const Value& coll) {
  switch (coll.kind()) {
    case Kind::Set: return coll.contains(x);
    case Kind::Array:
      for (const auto& e : coll.as_array())
        if (e == x) return true;
      return false;
    case Kind::Object:
      for (const auto& [k, v] : coll.as_object())
        if (v == x) return true;
      return false;
    default: return false;
  }
}

namespace {

template <Kind K>
std::optional<Value> is_kind(BuiltinArgs a, BuiltinContext&) {
  return Value::boolean(a[0].kind() == K);
}

std::optional<Value> type_name(BuiltinArgs a, BuiltinContext&) { return Value::string(a[0].type_name()); }

std::optional<Value> equal(BuiltinArgs a, BuiltinContext&) { return Value::boolean(a[0] == a[1]); }
std::optional<Value> neq(BuiltinArgs a, BuiltinContext&) { return Value::boolean(a[0] != a[1]); }
std::optional<Value> lt(BuiltinArgs a, BuiltinContext&) { return Value::boolean(Value::compare(a[0], a[1]) < 0); }
std::optional<Value> lte(BuiltinArgs a, BuiltinContext&) { return Value::boolean(Value::compare(a[0], a[1]) <= 0); }
std::optional<Value> gt(BuiltinArgs a, BuiltinContext&) { return Value::boolean(Value::compare(a[0], a[1]) > 0); }
std::optional<Value> gte(BuiltinArgs a, BuiltinContext&) { return Value::boolean(Value::compare(a[0], a[1]) >= 0); }

std::optional<Value> member_2(BuiltinArgs a, BuiltinContext&) { return Value::boolean(member_of(a[0], a[1])); }

// `k, v in coll`: array index k holds v, object key k maps to v, or (sets) k is an element and k == v.
std::optional<Value> member_3(BuiltinArgs a, BuiltinContext&) {
  const Value& key = a[0];
  const Value& val = a[1];
  const Value& coll = a[2];
  switch (coll.kind()) {
    case Kind::Set:
      return Value::boolean(coll.contains(key) && key == val);
    case Kind::Array: {
      if (!key.is_number()) return Value::boolean(false);
      auto i = number::to_int64(key);
      const auto& items = coll.as_array();
      if (!i || *i < 0 || static_cast<uint64_t>(*i) >= items.size()) return Value::boolean(false);
      return Value::boolean(items[static_cast<size_t>(*i)] == val);
    }
    case Kind::Object: {
      const Value* v = coll.get(key);
      return Value::boolean(v != nullptr && *v == val);
    }
    default:
      return Value::boolean(false);
  }
}

}  // namespace

void register_types(Registry& r) {
  r.add("is_number", 1, is_kind<Kind::Number>);
  r.add("is_string", 1, is_kind<Kind::String>);
  r.add("is_boolean", 1, is_kind<Kind::Boolean>);
  r.add("is_array", 1, is_kind<Kind::Array>);
  r.add("is_set", 1, is_kind<Kind::Set>);
  r.add("is_object", 1, is_kind<Kind::Object>);
  r.add("is_null", 1, is_kind<Kind::Null>);
  r.add("type_name", 1, type_name);
  r.add("equal", 2, equal);
  r.add("neq", 2, neq);
  r.add("lt", 2, lt);
  r.add("lte", 2, lte);
  r.add("gt", 2, gt);
  r.add("gte", 2, gte);
  r.add("internal.member_2", 2, member_2);
  r.add("internal.member_3", 3, member_3);
}

}  // namespace rego
