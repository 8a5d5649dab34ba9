// array.* built-ins: concat, slice, reverse, flatten.
#include <algorithm>

#include "rego/builtins/registry.h"

namespace rego {
namespace {

std::optional<Value> array_concat(BuiltinArgs a, BuiltinContext&) {
  const auto& x = args::array(a, 0);
  const auto& y = args::array(a, 1);
  if (y.empty()) return a[0];
  if (x.empty()) return a[1];
  std::vector<Value> out;
  out.reserve(x.size() + y.size());
  out.insert(out.end(), x.begin(), x.end());
  out.insert(out.end(), y.begin(), y.end());
  return Value::array(std::move(out));
}

// Indices are clamped rather than rejected, as OPA does: stop to [0, len], start to [0, stop].
std::optional<Value> array_slice(BuiltinArgs a, BuiltinContext&) {
  const auto& arr = args::array(a, 0);
  int64_t start = args::integer(a, 1);
  int64_t stop = args::integer(a, 2);
  const int64_t len = static_cast<int64_t>(arr.size());
  stop = std::clamp<int64_t>(stop, 0, len);
  start = std::clamp<int64_t>(start, 0, stop);
  if (start == 0 && stop == len) return a[0];
  return Value::array(std::vector<Value>(arr.begin() + start, arr.begin() + stop));
}

std::optional<Value> array_reverse(BuiltinArgs a, BuiltinContext&) {
  const auto& arr = args::array(a, 0);
  return Value::array(std::vector<Value>(arr.rbegin(), arr.rend()));
}

// Flattens exactly one level: nested arrays inside nested arrays are kept.
std::optional<Value> array_flatten(BuiltinArgs a, BuiltinContext&) {
  const auto& arr = args::array(a, 0);
  std::vector<Value> out;
  out.reserve(arr.size());
  for (const auto& v : arr) {
    if (v.is_array()) {
      const auto& inner = v.as_array();
      out.insert(out.end(), inner.begin(), inner.end());
    } else {
      out.push_back(v);
    }
  }
  return Value::array(std::move(out));
}

}  // namespace

void register_arrays(Registry& r) {
  r.add("array.concat", 2, array_concat);
  r.add("array.slice", 3, array_slice);
  r.add("array.reverse", 1, array_reverse);
  r.add("array.flatten", 1, array_flatten);
}

}  // namespace rego
