// object.* built-ins, json.filter/remove/patch, walk, graph.reachable(_paths).
//
// Values are immutable, so every edit rebuilds only the spine of the document from the root to the edited
// node; untouched subtrees are shared. Objects and sets are kept sorted by Value, so merges are linear walks
// over two sorted entry lists.
#include <algorithm>
#include <cctype>
#include <deque>
#include <functional>
#include <map>
#include <set>

#include "rego/builtins/registry.h"
#include "rego/number.h"

namespace rego {
namespace {

bool less(const Value& a, const Value& b) { return Value::compare(a, b) < 0; }

// ---------------------------------------------------------------- path lookup (OPA's Value.Find)

// Whole-number index of a path segment, as OPA's Number.Int() (non-integers are not indices).
std::optional<int64_t> index_of(const Value& key) {
  if (!key.is_number() || !number::is_integer(key)) return std::nullopt;
  return number::to_int64(key);
}

// Follows `path` from `root`: object keys, array indices (numbers only) and set members (the member itself).
const Value* find_path(const Value& root, const std::vector<Value>& path) {
  const Value* cur = &root;
  for (const auto& key : path) {
    switch (cur->kind()) {
      case Kind::Object:
        cur = cur->get(key);
        if (!cur) return nullptr;
        break;
      case Kind::Array: {
        auto i = index_of(key);
        const auto& arr = cur->as_array();
        if (!i || *i < 0 || *i >= static_cast<int64_t>(arr.size())) return nullptr;
        cur = &arr[static_cast<size_t>(*i)];
        break;
      }
      case Kind::Set: {
        const auto& items = cur->as_set();
        auto it = std::lower_bound(items.begin(), items.end(), key, less);
        if (it == items.end() || *it != key) return nullptr;
        cur = &*it;
        break;
      }
      default:
        return nullptr;
    }
  }
  return cur;
}

// ---------------------------------------------------------------- object.*

std::optional<Value> object_get(BuiltinArgs a, BuiltinContext&) {
  const Value& obj = a[0];
  args::object(a, 0);
  if (!a[1].is_array()) {
    if (const Value* v = obj.get(a[1])) return *v;
    return a[2];
  }
  const auto& path = a[1].as_array();
  if (path.empty()) return obj;
  if (const Value* v = find_path(obj, path)) return *v;
  return a[2];
}

std::optional<Value> object_keys(BuiltinArgs a, BuiltinContext&) {
  const auto& entries = args::object(a, 0);
  std::vector<Value> keys;
  keys.reserve(entries.size());
  for (const auto& [k, v] : entries) keys.push_back(k);
  return Value::set_sorted(std::move(keys));  // object keys are already sorted and unique
}

// The keys operand of object.remove/object.filter: an array, set or object (its keys), as a sorted set.
Value key_set_operand(BuiltinArgs a, size_t i) {
  const Value& v = a[i];
  switch (v.kind()) {
    case Kind::Array:
      return Value::set(v.as_array());
    case Kind::Set:
      return v;
    case Kind::Object: {
      std::vector<Value> keys;
      for (const auto& [k, val] : v.as_object()) keys.push_back(k);
      return Value::set_sorted(std::move(keys));
    }
    default:
      throw BuiltinError{"operand " + std::to_string(i + 1) + " must be one of {object, set, array} but got " +
                             v.type_name(),
                         true};
  }
}

// Keeps the entries whose key is (keep=true) or is not (keep=false) in `keys`.
Value select_entries(const std::vector<ObjectEntry>& entries, const Value& keys, bool keep) {
  std::vector<ObjectEntry> out;
  for (const auto& e : entries) {
    if (keys.contains(e.first) == keep) out.push_back(e);
  }
  return Value::object_sorted(std::move(out));
}

std::optional<Value> object_remove(BuiltinArgs a, BuiltinContext&) {
  const auto& entries = args::object(a, 0);
  return select_entries(entries, key_set_operand(a, 1), false);
}

std::optional<Value> object_filter(BuiltinArgs a, BuiltinContext&) {
  const auto& entries = args::object(a, 0);
  return select_entries(entries, key_set_operand(a, 1), true);
}

// Recursive merge: keys of both sides; where both values are objects they merge, otherwise the right wins.
Value merge_objects(const Value& left, const Value& right) {
  const auto& l = left.as_object();
  const auto& r = right.as_object();
  if (r.empty()) return left;
  if (l.empty()) return right;
  std::vector<ObjectEntry> out;
  out.reserve(l.size() + r.size());
  size_t i = 0, j = 0;
  while (i < l.size() || j < r.size()) {
    int c = i == l.size() ? 1 : j == r.size() ? -1 : Value::compare(l[i].first, r[j].first);
    if (c < 0) {
      out.push_back(l[i++]);
    } else if (c > 0) {
      out.push_back(r[j++]);
    } else {
      const Value& lv = l[i].second;
      const Value& rv = r[j].second;
      out.emplace_back(r[j].first, lv.is_object() && rv.is_object() ? merge_objects(lv, rv) : rv);
      ++i;
      ++j;
    }
  }
  return Value::object_sorted(std::move(out));
}

std::optional<Value> object_union(BuiltinArgs a, BuiltinContext&) {
  args::object(a, 0);
  args::object(a, 1);
  if (a[0] == a[1]) return a[0];
  return merge_objects(a[0], a[1]);
}

// A left fold of object.union: the same "last wins, objects merge" result OPA's back-to-front merge with
// frozen keys computes.
std::optional<Value> object_union_n(BuiltinArgs a, BuiltinContext&) {
  const auto& arr = args::array(a, 0);
  for (const auto& v : arr) {
    if (!v.is_object()) {
      throw BuiltinError{std::string("operand 1 must be array of objects but got array containing ") + v.type_name(),
                         true};
    }
  }
  Value result = Value::empty_object();
  for (const auto& v : arr) result = merge_objects(result, v);
  return result;
}

// ---------------------------------------------------------------- object.subset

bool is_subset(const Value& super, const Value& sub);

bool object_subset(const Value& super, const Value& sub) {
  for (const auto& [key, sub_v] : sub.as_object()) {
    const Value* super_v = super.get(key);
    if (!super_v) return false;
    if (*super_v == sub_v) continue;
    bool nested = (super_v->is_object() && sub_v.is_object()) || (super_v->is_set() && sub_v.is_set()) ||
                  (super_v->is_array() && sub_v.is_array());
    if (!nested || !is_subset(*super_v, sub_v)) return false;
  }
  return true;
}

// Sets are compared by membership only: there is no well-defined way to match nested members up.
bool set_subset(const Value& super, const Value& sub) {
  for (const auto& v : sub.as_set()) {
    if (!super.contains(v)) return false;
  }
  return true;
}

// The sub array must appear contiguously in the super array.
bool array_subset(const std::vector<Value>& super, const std::vector<Value>& sub) {
  if (sub.size() > super.size()) return false;
  if (sub.empty()) return true;
  auto it = std::search(super.begin(), super.end(), sub.begin(), sub.end(),
                        [](const Value& x, const Value& y) { return x == y; });
  return it != super.end();
}

// As OPA: counts matching array elements (duplicates count again) until every set member is accounted for;
// an empty set is a subset of any non-empty array, but not of an empty one.
bool array_set_subset(const std::vector<Value>& super, const Value& sub) {
  size_t unmatched = sub.as_set().size();
  for (const auto& v : super) {
    if (sub.contains(v)) --unmatched;
    if (unmatched == 0) return true;
  }
  return false;
}

bool is_subset(const Value& super, const Value& sub) {
  if (super.is_object() && sub.is_object()) return object_subset(super, sub);
  if (super.is_set() && sub.is_set()) return set_subset(super, sub);
  if (super.is_array() && sub.is_array()) return array_subset(super.as_array(), sub.as_array());
  if (super.is_array() && sub.is_set()) return array_set_subset(super.as_array(), sub);
  return false;
}

std::optional<Value> object_subset_fn(BuiltinArgs a, BuiltinContext&) {
  const Value& super = a[0];
  const Value& sub = a[1];
  bool valid = (super.is_object() && sub.is_object()) || (super.is_set() && sub.is_set()) ||
               (super.is_array() && (sub.is_array() || sub.is_set()));
  if (!valid) throw BuiltinError{"both arguments object.subset must be of the same type or array and set", true};
  return Value::boolean(is_subset(super, sub));
}

// ---------------------------------------------------------------- JSON paths (json.filter/remove/patch)

using Path = std::vector<Value>;

// A path is a "/"-separated JSON pointer string (leading slashes ignored, ~1 and ~0 unescaped) or an array of
// segments. nullopt for any other type.
std::optional<Path> parse_path(const Value& p) {
  Path out;
  if (p.is_array()) return p.as_array();
  if (!p.is_string()) return std::nullopt;
  std::string_view s = p.as_string();
  if (s.empty()) return out;
  s.remove_prefix(std::min(s.find_first_not_of('/'), s.size()));
  size_t start = 0;
  while (true) {
    size_t end = s.find('/', start);
    std::string part(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    std::string unescaped;
    // "~1" first, then "~0", as OPA does.
    for (size_t i = 0; i < part.size(); ++i) {
      if (part[i] == '~' && i + 1 < part.size() && part[i + 1] == '1') {
        unescaped += '/';
        ++i;
      } else {
        unescaped += part[i];
      }
    }
    part.clear();
    for (size_t i = 0; i < unescaped.size(); ++i) {
      if (unescaped[i] == '~' && i + 1 < unescaped.size() && unescaped[i + 1] == '0') {
        part += '~';
        ++i;
      } else {
        part += unescaped[i];
      }
    }
    out.push_back(Value::string(std::move(part)));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

std::vector<Path> json_paths_operand(BuiltinArgs a) {
  const Value& v = a[1];
  if (!v.is_array() && !v.is_set()) {
    throw BuiltinError{std::string("operand 2 must be one of {set, array} but got ") + v.type_name(), true};
  }
  std::vector<Path> paths;
  for (const auto& p : v.is_array() ? v.as_array() : v.as_set()) {
    auto path = parse_path(p);
    if (!path) {
      throw BuiltinError{std::string("operand 2 must be one of {set, array} containing string paths or array of "
                                     "path segments but got ") +
                             p.type_name(),
                         true};
    }
    paths.push_back(std::move(*path));
  }
  return paths;
}

// The paths as a tree: a leaf (the end of some path) is null, an inner node an object of its children. A
// shorter path wins over a longer one sharing its prefix ("a" and "a/b" select all of "a").
struct PathTree {
  bool leaf = false;
  std::map<Value, PathTree, decltype(&less)> children{&less};

  Value to_value() const {
    if (leaf) return Value::null();
    std::vector<ObjectEntry> entries;
    entries.reserve(children.size());
    for (const auto& [k, child] : children) entries.emplace_back(k, child.to_value());
    return Value::object_sorted(std::move(entries));
  }
};

Value paths_to_tree(const std::vector<Path>& paths) {
  PathTree root;
  for (const auto& path : paths) {
    if (path.empty()) continue;
    PathTree* node = &root;
    bool done = false;
    for (size_t i = 0; i + 1 < path.size() && !done; ++i) {
      PathTree& child = node->children[path[i]];
      if (child.leaf) done = true;
      node = &child;
    }
    if (!done) {
      PathTree& last = node->children[path.back()];
      last.leaf = true;
      last.children.clear();
    }
  }
  return root.to_value();
}

// OPA's Object.Filter: keeps what the filter tree selects. Array elements are selected by string indices.
Value filter_value(const Value& v, const Value& filter) {
  if (filter.is_null()) return v;
  switch (v.kind()) {
    case Kind::Array: {
      std::vector<Value> out;
      const auto& arr = v.as_array();
      for (size_t i = 0; i < arr.size(); ++i) {
        if (const Value* sub = filter.get(std::string_view(std::to_string(i)))) out.push_back(filter_value(arr[i], *sub));
      }
      return Value::array(std::move(out));
    }
    case Kind::Set: {
      std::vector<Value> out;
      for (const auto& e : v.as_set()) {
        if (const Value* sub = filter.get(e)) out.push_back(filter_value(e, *sub));
      }
      return Value::set(std::move(out));
    }
    case Kind::Object: {
      std::vector<ObjectEntry> out;
      for (const auto& [k, val] : v.as_object()) {
        if (const Value* sub = filter.get(k)) out.emplace_back(k, filter_value(val, *sub));
      }
      return Value::object_sorted(std::move(out));
    }
    default:
      return v;
  }
}

std::optional<Value> json_filter(BuiltinArgs a, BuiltinContext&) {
  args::object(a, 0);
  return filter_value(a[0], paths_to_tree(json_paths_operand(a)));
}

// Removes what the tree's leaves select; nullopt means "removed". Array elements shift left to close gaps.
std::optional<Value> remove_value(const Value& v, const Value* tree) {
  if (!tree) return v;
  if (tree->is_null()) return std::nullopt;
  if (!tree->is_object()) return v;
  switch (v.kind()) {
    case Kind::Object: {
      std::vector<ObjectEntry> out;
      for (const auto& [k, val] : v.as_object()) {
        if (auto r = remove_value(val, tree->get(k))) out.emplace_back(k, std::move(*r));
      }
      return Value::object_sorted(std::move(out));
    }
    case Kind::Set: {
      std::vector<Value> out;
      for (const auto& e : v.as_set()) {
        if (auto r = remove_value(e, tree->get(e))) out.push_back(std::move(*r));
      }
      return Value::set(std::move(out));
    }
    case Kind::Array: {
      std::vector<Value> out;
      const auto& arr = v.as_array();
      for (size_t i = 0; i < arr.size(); ++i) {
        if (auto r = remove_value(arr[i], tree->get(std::string_view(std::to_string(i))))) out.push_back(std::move(*r));
      }
      return Value::array(std::move(out));
    }
    default:
      return v;
  }
}

std::optional<Value> json_remove(BuiltinArgs a, BuiltinContext&) {
  args::object(a, 0);
  Value tree = paths_to_tree(json_paths_operand(a));
  return remove_value(a[0], &tree);
}

// ---------------------------------------------------------------- json.patch (RFC 6902, as OPA's EditTree)

// An array position from a path segment: an integer number, or a decimal string without leading zeros;
// "-" means the end. nullopt when the segment cannot index an array.
std::optional<int64_t> patch_index(const Value& key, size_t len) {
  if (key.is_number()) return index_of(key);
  if (!key.is_string()) return std::nullopt;
  const std::string& s = key.as_string();
  if (s == "-") return static_cast<int64_t>(len);
  // strconv.ParseInt(s, 10, 64): optional sign, then decimal digits.
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size() || s.size() - i > 18) return std::nullopt;
  for (size_t j = i; j < s.size(); ++j) {
    if (!std::isdigit(static_cast<unsigned char>(s[j]))) return std::nullopt;
  }
  if (s != "0" && s[0] == '0') return std::nullopt;  // leading zeros are not allowed in JSON paths
  int64_t n = std::stoll(s.substr(i));
  return s[0] == '-' ? -n : n;
}

struct PatchFailed {};

// The child of a container at `key` (must exist).
const Value& child_at(const Value& node, const Value& key) {
  switch (node.kind()) {
    case Kind::Object:
      if (const Value* v = node.get(key)) return *v;
      break;
    case Kind::Set: {
      const auto& items = node.as_set();
      auto it = std::lower_bound(items.begin(), items.end(), key, less);
      if (it != items.end() && *it == key) return *it;
      break;
    }
    case Kind::Array: {
      const auto& arr = node.as_array();
      auto i = patch_index(key, arr.size());
      if (i && *i >= 0 && *i < static_cast<int64_t>(arr.size())) return arr[static_cast<size_t>(*i)];
      break;
    }
    default:
      break;
  }
  throw PatchFailed{};
}

// `node` with its child at `key` replaced by `child` (the key exists).
Value replace_child(const Value& node, const Value& key, Value child) {
  switch (node.kind()) {
    case Kind::Object: {
      std::vector<ObjectEntry> entries = node.as_object();
      for (auto& e : entries) {
        if (e.first == key) e.second = std::move(child);
      }
      return Value::object_sorted(std::move(entries));
    }
    case Kind::Set: {
      std::vector<Value> items;
      for (const auto& e : node.as_set()) {
        if (e != key) items.push_back(e);
      }
      items.push_back(std::move(child));
      return Value::set(std::move(items));
    }
    default: {
      std::vector<Value> items = node.as_array();
      items[static_cast<size_t>(*patch_index(key, items.size()))] = std::move(child);
      return Value::array(std::move(items));
    }
  }
}

using LeafEdit = std::function<Value(const Value& container, const Value& key)>;

// Descends path[0..n-2], applies `edit` to the container with the last key, rebuilds the spine.
Value edit_at(const Value& node, const Path& path, size_t depth, const LeafEdit& edit) {
  if (depth + 1 == path.size()) return edit(node, path[depth]);
  const Value& child = child_at(node, path[depth]);
  return replace_child(node, path[depth], edit_at(child, path, depth + 1, edit));
}

Value insert_into(const Value& container, const Value& key, const Value& value) {
  switch (container.kind()) {
    case Kind::Object: {
      std::vector<ObjectEntry> entries = container.as_object();
      entries.emplace_back(key, value);
      return Value::object(std::move(entries));  // last entry wins on a duplicate key
    }
    case Kind::Set: {
      if (key != value) throw PatchFailed{};
      std::vector<Value> items = container.as_set();
      items.push_back(value);
      return Value::set(std::move(items));
    }
    case Kind::Array: {
      std::vector<Value> items = container.as_array();
      auto i = patch_index(key, items.size());
      if (!i || *i < 0 || *i > static_cast<int64_t>(items.size())) throw PatchFailed{};
      items.insert(items.begin() + *i, value);
      return Value::array(std::move(items));
    }
    default:
      throw PatchFailed{};
  }
}

Value delete_from(const Value& container, const Value& key) {
  switch (container.kind()) {
    case Kind::Object: {
      if (!container.get(key)) throw PatchFailed{};
      std::vector<ObjectEntry> entries;
      for (const auto& e : container.as_object()) {
        if (e.first != key) entries.push_back(e);
      }
      return Value::object_sorted(std::move(entries));
    }
    case Kind::Set: {
      if (!container.contains(key)) throw PatchFailed{};
      std::vector<Value> items;
      for (const auto& e : container.as_set()) {
        if (e != key) items.push_back(e);
      }
      return Value::set_sorted(std::move(items));
    }
    case Kind::Array: {
      std::vector<Value> items = container.as_array();
      auto i = patch_index(key, items.size());
      if (!i || *i < 0 || *i >= static_cast<int64_t>(items.size())) throw PatchFailed{};
      items.erase(items.begin() + *i);
      return Value::array(std::move(items));
    }
    default:
      throw PatchFailed{};
  }
}

// The document under edit; nullopt once the root itself was removed.
using Doc = std::optional<Value>;

void patch_insert(Doc& doc, const Path& path, const Value& value) {
  if (path.empty()) {
    doc = value;
    return;
  }
  if (!doc) throw PatchFailed{};
  doc = edit_at(*doc, path, 0, [&](const Value& c, const Value& k) { return insert_into(c, k, value); });
}

void patch_delete(Doc& doc, const Path& path) {
  if (!doc) throw PatchFailed{};
  if (path.empty()) {
    doc.reset();
    return;
  }
  doc = edit_at(*doc, path, 0, delete_from);
}

Value patch_get(const Doc& doc, const Path& path) {
  if (!doc) throw PatchFailed{};
  const Value* cur = &*doc;
  for (const auto& key : path) cur = &child_at(*cur, key);
  return *cur;
}

const Value& patch_attr(const Value& op, const char* name) {
  if (const Value* v = op.get(std::string_view(name))) return *v;
  throw PatchFailed{};
}

void apply_patch(Doc& doc, const Value& op) {
  if (!op.is_object()) throw PatchFailed{};
  const Value& name_v = patch_attr(op, "op");
  if (!name_v.is_string()) throw PatchFailed{};
  const std::string& name = name_v.as_string();
  if (name != "add" && name != "remove" && name != "replace" && name != "move" && name != "copy" && name != "test") {
    throw PatchFailed{};
  }
  // Attributes are checked in OPA's order: path, then from (move/copy), then value (add/replace/test).
  const Value& path_v = patch_attr(op, "path");
  std::optional<Value> from_v, value;
  if (name == "move" || name == "copy") from_v = patch_attr(op, "from");
  if (name == "add" || name == "replace" || name == "test") value = patch_attr(op, "value");
  auto path = parse_path(path_v);
  if (!path) throw PatchFailed{};

  if (name == "add") {
    patch_insert(doc, *path, *value);
  } else if (name == "remove") {
    patch_delete(doc, *path);
  } else if (name == "replace") {
    patch_delete(doc, *path);
    patch_insert(doc, *path, *value);
  } else if (name == "test") {
    if (patch_get(doc, *path) != *value) throw PatchFailed{};
  } else {
    auto from = parse_path(*from_v);
    if (!from) throw PatchFailed{};
    Value chunk = patch_get(doc, *from);
    if (name == "move") patch_delete(doc, *from);
    patch_insert(doc, *path, chunk);
  }
}

// Any failure (bad operation, missing path, failed test) makes the result undefined, as in OPA.
std::optional<Value> json_patch(BuiltinArgs a, BuiltinContext&) {
  const auto& ops = args::array(a, 1);
  Doc doc = a[0];
  try {
    for (const auto& op : ops) apply_patch(doc, op);
  } catch (const PatchFailed&) {
    return std::nullopt;
  }
  return doc;
}

// ---------------------------------------------------------------- walk

// Pre-order: the node itself, then its children (array indices, object keys and set members in order).
void walk_into(const Value& v, std::vector<Value>& path, std::vector<Value>& out) {
  out.push_back(Value::array({Value::array(path), v}));
  auto descend = [&](const Value& key, const Value& child) {
    path.push_back(key);
    walk_into(child, path, out);
    path.pop_back();
  };
  switch (v.kind()) {
    case Kind::Array: {
      const auto& arr = v.as_array();
      for (size_t i = 0; i < arr.size(); ++i) descend(Value::integer(static_cast<int64_t>(i)), arr[i]);
      break;
    }
    case Kind::Object:
      for (const auto& [k, child] : v.as_object()) descend(k, child);
      break;
    case Kind::Set:
      for (const auto& e : v.as_set()) descend(e, e);
      break;
    default:
      break;
  }
}

std::optional<Value> walk(BuiltinArgs a, BuiltinContext&) {
  std::vector<Value> path, out;
  walk_into(a[0], path, out);
  return Value::array(std::move(out));
}

// ---------------------------------------------------------------- graph.reachable(_paths)

// Vertices of an edge list or initial-vertex operand (arrays and sets; anything else has none).
const std::vector<Value>& vertices(const Value& v) {
  static const std::vector<Value> none;
  if (v.is_array()) return v.as_array();
  if (v.is_set()) return v.as_set();
  return none;
}

const std::vector<Value>& initial_vertices(BuiltinArgs a) {
  if (!a[1].is_array() && !a[1].is_set()) {
    throw BuiltinError{std::string("operand 2 must be {array, set} but got ") + a[1].type_name(), true};
  }
  return vertices(a[1]);
}

std::optional<Value> graph_reachable(BuiltinArgs a, BuiltinContext&) {
  args::object(a, 0);
  const Value& graph = a[0];
  std::deque<Value> queue(initial_vertices(a).begin(), initial_vertices(a).end());
  std::set<Value, decltype(&less)> reached(&less);
  while (!queue.empty()) {
    Value node = std::move(queue.front());
    queue.pop_front();
    if (reached.count(node)) continue;
    const Value* edges = graph.get(node);
    if (!edges) continue;  // vertices missing from the graph are not reached
    reached.insert(node);
    for (const auto& n : vertices(*edges)) {
      if (!reached.count(n)) queue.push_back(n);
    }
  }
  return Value::set_sorted(std::vector<Value>(reached.begin(), reached.end()));
}

// Depth-first enumeration of maximal paths; a path ends at a leaf, at a vertex missing from the graph (which
// is left out), or where it would revisit a vertex already on it.
void build_paths(const Value& graph, const Value& root, std::vector<Value> path, std::vector<Value> on_path,
                 std::vector<Value>& out) {
  const Value* edges = graph.get(root);
  if (!edges) {
    out.push_back(Value::array(std::move(path)));
    return;
  }
  path.push_back(root);
  const auto& next = vertices(*edges);
  if (next.empty()) {
    out.push_back(Value::array(std::move(path)));
    return;
  }
  on_path.push_back(root);
  for (const auto& n : next) {
    if (std::find(on_path.begin(), on_path.end(), n) != on_path.end()) {
      out.push_back(Value::array(path));
    } else {
      build_paths(graph, n, path, on_path, out);
    }
  }
}

std::optional<Value> graph_reachable_paths(BuiltinArgs a, BuiltinContext&) {
  args::object(a, 0);
  const Value& graph = a[0];
  std::vector<Value> out;
  for (const auto& node : initial_vertices(a)) {
    const Value* edges = graph.get(node);
    if (!edges) continue;
    const auto& next = vertices(*edges);
    if (next.empty()) {
      out.push_back(Value::array({node}));
      continue;
    }
    for (const auto& n : next) build_paths(graph, n, {node}, {node}, out);
  }
  return Value::set(std::move(out));
}

}  // namespace

void register_objects(Registry& r) {
  r.add("object.get", 3, object_get);
  r.add("object.keys", 1, object_keys);
  r.add("object.remove", 2, object_remove);
  r.add("object.filter", 2, object_filter);
  r.add("object.union", 2, object_union);
  r.add("object.union_n", 1, object_union_n);
  r.add("object.subset", 2, object_subset_fn);
  r.add("json.filter", 2, json_filter);
  r.add("json.remove", 2, json_remove);
  r.add("json.patch", 2, json_patch);
  r.add_relation("walk", 1, walk);
  r.add("graph.reachable", 2, graph_reachable);
  r.add("graph.reachable_paths", 2, graph_reachable_paths);
}

}  // namespace rego
