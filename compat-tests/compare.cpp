// Result comparison as OPA's compliance runner does it (see compare.h).
#include "compare.h"

#include <algorithm>

#include "rego/json.h"
#include "rego/number.h"

namespace compat {

rego::Value normalise(const rego::Value& v) {
  switch (v.kind()) {
    case rego::Kind::Number:
      if (rego::number::is_integer(v)) return v;
      return rego::number::from_double(rego::number::to_double(v));
    case rego::Kind::Array:
    case rego::Kind::Set: {
      // A set becomes the array of its elements in the set's (sorted) order, as ast.JSON does.
      const auto& items = v.is_array() ? v.as_array() : v.as_set();
      std::vector<rego::Value> out;
      out.reserve(items.size());
      for (const auto& item : items) out.push_back(normalise(item));
      return rego::Value::array(std::move(out));
    }
    case rego::Kind::Object: {
      std::vector<rego::ObjectEntry> out;
      out.reserve(v.size());
      for (const auto& [k, val] : v.as_object()) {
        // JSON object keys are strings: any other key becomes its JSON text.
        rego::Value key = k.is_string() ? k : rego::Value::string(rego::json::write(normalise(k)));
        out.emplace_back(std::move(key), normalise(val));
      }
      return rego::Value::object(std::move(out));
    }
    default:
      return v;
  }
}

namespace {

// The array's elements in OPA's order, duplicates kept. Sorts pointers rather than Values: cheaper, and
// GCC 12 -O3 reports a false -Wstringop-overflow when it inlines Value swaps into std::sort.
rego::Value sorted_array(const rego::Value& array) {
  const auto& items = array.as_array();
  std::vector<const rego::Value*> order;
  order.reserve(items.size());
  for (const auto& item : items) order.push_back(&item);
  std::stable_sort(order.begin(), order.end(), [](const rego::Value* a, const rego::Value* b) { return *a < *b; });
  std::vector<rego::Value> out;
  out.reserve(order.size());
  for (const auto* item : order) out.push_back(*item);
  return rego::Value::array(std::move(out));
}

}  // namespace

rego::Value expected_set(const std::vector<rego::Value>& want_result) {
  std::vector<rego::Value> rows;
  rows.reserve(want_result.size());
  for (const auto& row : want_result) rows.push_back(normalise(row.is_null() ? rego::Value::empty_object() : row));
  return rego::Value::set(std::move(rows));
}

rego::Value actual_set(const std::vector<std::vector<std::pair<std::string, rego::Value>>>& rows,
                       bool sort_bindings) {
  std::vector<rego::Value> out;
  out.reserve(rows.size());
  for (const auto& bindings : rows) {
    std::vector<rego::ObjectEntry> entries;
    for (const auto& [name, value] : bindings) {
      if (name.empty() || name[0] == '$' || name.rfind("__", 0) == 0) continue;
      rego::Value v = normalise(value);
      if (sort_bindings && v.is_array()) v = sorted_array(v);
      entries.emplace_back(rego::Value::string(name), std::move(v));
    }
    out.push_back(rego::Value::object(std::move(entries)));
  }
  return rego::Value::set(std::move(out));
}

std::string brief(const rego::Value& v, size_t limit) {
  std::string s = rego::json::write(v);
  if (s.size() > limit) {
    s.resize(limit);
    s += "...";
  }
  return s;
}

}  // namespace compat
