// Value construction, OPA's total order, hashing and lookups.
//
// Heap nodes are private to this file (numbers' BigNumber lives in number.cpp). Every node is immutable once
// built, which is what makes sharing Values between threads safe; the only mutable field is the lazily
// computed hash, an atomic whose races are benign (every thread computes the same number).
//
// GCC 12 at -O2 and above reports a bogus -Wstringop-overflow inside Value::release() when std::sort and friends
// are inlined here: it follows a moved-from Value (kind Null, pointer 0) into the refcount decrement that
// heap() rules out. A null check in value.h's release() also silences it; until then, this file opts out.
// (The pragma must precede the includes: the warning is attributed to the header's lines.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif

#include "rego/value.h"

#include <algorithm>
#include <cstring>
#include <functional>

#include "rego/bytes.h"
#include "rego/number.h"
#include "rego/packed.h"

namespace rego {

namespace {

// 0 means "not computed yet"; a real hash of 0 is remapped so it is never recomputed forever.
size_t finish_hash(size_t h) { return h == 0 ? 0x9e3779b97f4a7c15ull : h; }

size_t mix(size_t seed, size_t h) {
  // boost::hash_combine's 64-bit variant: cheap and good enough to spread sorted element hashes.
  seed ^= h + 0x9e3779b97f4a7c15ull + (seed << 12) + (seed >> 4);
  return seed;
}

using detail::StringNode;
using bytes::same_bytes;
using bytes::same_string;

// Arrays and sets share a layout; the Value's kind tells them apart.
struct ListNode final : detail::Node {
  explicit ListNode(std::vector<Value> v) : items(std::move(v)) {}
  std::vector<Value> items;
  mutable std::atomic<size_t> hash{0};
};

struct ObjectNode final : detail::Node {
  explicit ObjectNode(std::vector<ObjectEntry> v) : entries(std::move(v)) {}
  std::vector<ObjectEntry> entries;
  mutable std::atomic<size_t> hash{0};
};

// A packed member container's view, kept where get() can point to it (see PackedAccess::get).
struct ViewHolder final : detail::Node {
  explicit ViewHolder(Value view) : v(std::move(view)) {}
  Value v;
};

// Orders two strings by their bytes, then by length, as Go compares strings: -1, 0 or 1. Strings and keys are
// mostly short and often share a prefix (ids such as "u017"): up to 16 bytes a byte loop settles them in a few
// steps, where a call to memcmp costs more than the comparison itself.
inline int compare_bytes(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  if (n > 16) {
    int c = std::memcmp(a.data(), b.data(), n);
    if (c != 0) return c < 0 ? -1 : 1;
  } else {
    for (size_t i = 0; i < n; ++i)
      if (a[i] != b[i]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]) ? -1 : 1;
  }
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

// Position of string `key` among `count` keys in OPA's order, or -1. key_at(i, out) sets out to the i-th key
// and returns 0 when it is a string, else -1 or 1 for a key that sorts before or after every string. A small
// object is scanned: rejecting on length first, most probes never reach memcmp, which beats a binary search's
// ordered comparisons at the sizes objects usually have (lookups by name are the evaluator's commonest step).
template <class KeyAt>
ptrdiff_t find_string_key(size_t count, KeyAt key_at, std::string_view key) {
  constexpr size_t kScanLimit = 16;
  std::string_view k;
  if (count <= kScanLimit) {
    for (size_t i = 0; i < count; ++i)
      if (key_at(i, k) == 0 && k.size() == key.size() &&
          (key.empty() || (k[0] == key[0] && same_bytes(k.data(), key.data(), key.size()))))
        return static_cast<ptrdiff_t>(i);
    return -1;
  }
  size_t lo = 0, hi = count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = key_at(mid, k);
    if (c == 0) c = compare_bytes(k, key);
    if (c == 0) return static_cast<ptrdiff_t>(mid);
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

// find_string_key with an optional hint: the hinted position is checked first, and the position found is left
// in it. Without a hint, the plain search.
template <class KeyAt>
ptrdiff_t find_string_key(size_t count, KeyAt key_at, std::string_view key, const KeyHint* hint) {
  if (!hint) return find_string_key(count, key_at, key);
  const size_t at = hint->load();
  std::string_view k;
  if (at < count && key_at(at, k) == 0 && same_string(k, key)) return static_cast<ptrdiff_t>(at);
  ptrdiff_t found = find_string_key(count, key_at, key);
  if (found >= 0) hint->store(static_cast<uint32_t>(found));
  return found;
}

// The keys of an ordinary object, for find_string_key.
struct EntryKeys {
  const std::vector<ObjectEntry>& entries;
  int operator()(size_t i, std::string_view& out) const {
    const Value& k = entries[i].first;
    if (k.kind() != Kind::String) return k.kind() < Kind::String ? -1 : 1;
    out = k.as_string();
    return 0;
  }
};

}  // namespace

// ---- packed views (packed.h) ----

struct PackedAccess {
  static packed::Doc* doc(const Value& v) { return static_cast<packed::Doc*>(v.u_.p); }

  static Value view(Kind kind, detail::Node* d, uint32_t off) {
    Value v;
    v.kind_ = kind;
    v.view_ = true;
    v.off_ = off;
    v.u_.p = d;
    return v;
  }

  // The shared StringNode of string id (made once per Doc), as a new reference.
  static Value string_of(packed::Doc* d, uint32_t id) {
    std::atomic<detail::Node*>& slot = d->string_cache.slot(id);
    detail::Node* n = slot.load(std::memory_order_acquire);
    if (!n) {
      auto* fresh = new StringNode(std::string(d->str(id)));
      if (slot.compare_exchange_strong(n, fresh, std::memory_order_acq_rel, std::memory_order_acquire)) n = fresh;
      else delete fresh;
    }
    n->refs.fetch_add(1, std::memory_order_relaxed);
    Value v;
    v.kind_ = Kind::String;
    v.u_.p = n;
    return v;
  }

  // The Value of a ref; views take a reference to d and are counted in `views`.
  static Value child(packed::Doc* d, uint32_t ref, uint32_t& views) {
    uint32_t payload = packed::payload_of(ref);
    switch (packed::tag_of(ref)) {
      case packed::kSmallInt:
        return Value::integer(static_cast<int32_t>(ref) >> 3);
      case packed::kString:
        return string_of(d, payload);
      case packed::kArray:
      case packed::kObject:
        d->refs.fetch_add(1, std::memory_order_relaxed);
        ++views;
        return view(packed::tag_of(ref) == packed::kArray ? Kind::Array : Kind::Object, d, payload);
      case packed::kInt64: {
        int64_t i;
        std::memcpy(&i, d->words() + payload, 8);
        return Value::integer(i);
      }
      case packed::kDouble: {
        double x;
        std::memcpy(&x, d->words() + payload, 8);
        Value v = Value::floating(x);
        v.set_float_syntax();
        return v;
      }
      case packed::kNumText: {
        auto v = number::parse(d->str(payload));
        return v ? std::move(*v) : Value();  // the builder checked the text
      }
      default:
        return payload == 2 ? Value::boolean(true) : payload == 1 ? Value::boolean(false) : Value();
    }
  }

  // Publishes a freshly built node in slot, or discards it if another thread got there first.
  template <class N>
  static const N* publish(packed::Doc* d, std::atomic<detail::Node*>& slot, N* fresh, uint32_t views) {
    detail::Node* expected = nullptr;
    if (slot.compare_exchange_strong(expected, fresh, std::memory_order_acq_rel, std::memory_order_acquire)) {
      // The cached node's views must not keep the Doc alive (the Doc owns the cache): give their references back.
      // The caller holds a reference of its own, so the count stays above zero.
      if (views) d->refs.fetch_sub(views, std::memory_order_relaxed);
      return fresh;
    }
    delete fresh;  // its views release the references they took
    return static_cast<const N*>(expected);
  }

  static const ListNode* list(const Value& v) {
    return v.view_ ? list_view(v) : static_cast<const ListNode*>(v.u_.p);
  }
  static const ObjectNode* object(const Value& v) {
    return v.view_ ? object_view(v) : static_cast<const ObjectNode*>(v.u_.p);
  }

  [[gnu::noinline]] static const ListNode* list_view(const Value& v) {
    packed::Doc* d = doc(v);
    const uint32_t* w = d->words() + v.off_;
    // Built once per container; after that, peek() is the whole cost (slot() may allocate a chunk).
    if (detail::Node* n = d->container_cache.peek(w[1])) return static_cast<const ListNode*>(n);
    std::atomic<detail::Node*>& slot = d->container_cache.slot(w[1]);
    if (detail::Node* n = slot.load(std::memory_order_acquire)) return static_cast<const ListNode*>(n);
    uint32_t count = w[0];
    std::vector<Value> items;
    items.reserve(count);
    uint32_t views = 0;
    for (uint32_t i = 0; i < count; ++i) items.push_back(child(d, w[2 + i], views));
    return publish(d, slot, new ListNode(std::move(items)), views);
  }

  [[gnu::noinline]] static const ObjectNode* object_view(const Value& v) {
    packed::Doc* d = doc(v);
    const uint32_t* w = d->words() + v.off_;
    if (detail::Node* n = d->container_cache.peek(w[1])) return static_cast<const ObjectNode*>(n);
    std::atomic<detail::Node*>& slot = d->container_cache.slot(w[1]);
    if (detail::Node* n = slot.load(std::memory_order_acquire)) return static_cast<const ObjectNode*>(n);
    uint32_t count = d->shape_size(w[0]);
    const uint32_t* keys = d->shape_keys(w[0]);
    std::vector<ObjectEntry> entries;
    entries.reserve(count);
    uint32_t views = 0;
    for (uint32_t i = 0; i < count; ++i) entries.emplace_back(string_of(d, keys[i]), child(d, w[2 + i], views));
    return publish(d, slot, new ObjectNode(std::move(entries)), views);
  }

  // Object lookup without building the object: a search of its keys in the Doc (from the hint's position, when
  // there is one). A container member comes back as its (cached) stable view; a scalar member needs the
  // object's elements built, as as_object() does.
  static const Value* get(const Value& v, std::string_view key, const KeyHint* hint) {
    packed::Doc* d = doc(v);
    const uint32_t* w = d->words() + v.off_;
    if (const auto* built = static_cast<const ObjectNode*>(d->container_cache.peek(w[1]))) {
      ptrdiff_t i = find_string_key(built->entries.size(), EntryKeys{built->entries}, key, hint);
      return i < 0 ? nullptr : &built->entries[static_cast<size_t>(i)].second;
    }
    const uint32_t* keys = d->shape_keys(w[0]);
    auto key_at = [&](size_t i, std::string_view& out) {
      out = d->str(keys[i]);
      return 0;
    };
    ptrdiff_t i = find_string_key(d->shape_size(w[0]), key_at, key, hint);
    if (i < 0) return nullptr;
    uint32_t ref = w[2 + i];
    uint32_t tag = packed::tag_of(ref);
    if (tag == packed::kArray || tag == packed::kObject) return &member_view(d, ref)->v;
    return &object_view(v)->entries[static_cast<size_t>(i)].second;
  }

  // A stable Value for the container at ref, made once per container.
  static const ViewHolder* member_view(packed::Doc* d, uint32_t ref) {
    uint32_t off = packed::payload_of(ref);
    if (detail::Node* n = d->view_cache.peek(d->words()[off + 1])) return static_cast<const ViewHolder*>(n);
    std::atomic<detail::Node*>& slot = d->view_cache.slot(d->words()[off + 1]);
    if (detail::Node* n = slot.load(std::memory_order_acquire)) return static_cast<const ViewHolder*>(n);
    uint32_t views = 0;
    auto* fresh = new ViewHolder(child(d, ref, views));
    return publish(d, slot, fresh, views);
  }

  static size_t size(const Value& v) {
    packed::Doc* d = doc(v);
    return v.kind_ == Kind::Object ? d->object_size(v.off_) : d->array_size(v.off_);
  }

  static uint32_t offset(const Value& v) { return v.off_; }
  static bool same_node(const Value& a, const Value& b) { return a.u_.p == b.u_.p && a.off_ == b.off_; }
};

Value Value::packed_view(Kind kind, detail::Node* doc, uint32_t off) { return PackedAccess::view(kind, doc, off); }

const void* Value::view_identity() const { return PackedAccess::doc(*this)->words() + off_; }

packed::Stats packed::stats(const Value& v) {
  packed::Stats s;
  if (!v.is_packed_view()) return s;
  const packed::Doc* d = PackedAccess::doc(v);
  s.tape_bytes = d->tape.capacity();
  s.string_bytes = d->bytes.capacity();
  s.table_bytes = d->str_start.capacity() + d->shapes.capacity() + d->shape_start.capacity();
  s.strings = d->n_strings;
  s.containers = d->n_containers;
  s.shapes = d->n_shapes;
  s.cache_slot_bytes =
      d->container_cache.allocated_bytes() + d->string_cache.allocated_bytes() + d->view_cache.allocated_bytes();
  return s;
}

const packed::Doc* packed::doc_of(const Value& v, uint32_t& ref) {
  if (!v.is_packed_view()) return nullptr;
  ref = packed::make_ref(v.kind() == Kind::Array ? packed::kArray : packed::kObject, PackedAccess::offset(v));
  return PackedAccess::doc(v);
}

Value packed::value_of(packed::Doc* d, uint32_t ref) {
  uint32_t views = 0;
  return PackedAccess::child(d, ref, views);  // a view keeps its reference: it is the caller's
}

namespace {

// Kind ranks used by the hash seed so e.g. [] and set() (both empty) hash differently.
constexpr size_t kKindSeed[] = {0x51ed270b, 0x1f83d9ab, 0x5be0cd19, 0x6a09e667, 0x3c6ef372, 0xa54ff53a, 0x510e527f};

int compare_lists(const std::vector<Value>& a, const std::vector<Value>& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    int c = Value::compare(a[i], b[i]);
    if (c != 0) return c;
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

// OPA (ast/compare.go, Object.Compare): walk both sorted key lists together, comparing key i then value i;
// the first difference decides, otherwise the shorter object is smaller.
int compare_objects(const std::vector<ObjectEntry>& a, const std::vector<ObjectEntry>& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    int c = Value::compare(a[i].first, b[i].first);
    if (c != 0) return c;
    c = Value::compare(a[i].second, b[i].second);
    if (c != 0) return c;
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

bool less_value(const Value& a, const Value& b) { return Value::compare(a, b) < 0; }

// Object keys in OPA's order. String keys (all of JSON's) compare as bytes, without compare()'s dispatch.
int compare_keys(const Value& a, const Value& b) {
  if (a.kind() == Kind::String && b.kind() == Kind::String) return compare_bytes(a.as_string(), b.as_string());
  return Value::compare(a, b);
}

}  // namespace

// ---- construction ----

Value Value::boolean(bool b) {
  Value v;
  v.kind_ = Kind::Boolean;
  v.u_.i = 0;
  v.u_.b = b;
  return v;
}

Value Value::integer(int64_t i) {
  Value v;
  v.kind_ = Kind::Number;
  v.rep_ = NumRep::Int;
  v.u_.i = i;
  return v;
}

Value Value::floating(double d) {
  Value v;
  v.kind_ = Kind::Number;
  v.rep_ = NumRep::Float;
  v.u_.d = d;
  return v;
}

Value Value::string(std::string s) {
  Value v;
  v.kind_ = Kind::String;
  v.u_.p = new StringNode(std::move(s));
  return v;
}

Value Value::string(std::string_view s) {
  Value v;
  v.kind_ = Kind::String;
  v.u_.p = new StringNode(s);
  return v;
}

Value Value::array(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::Array;
  v.u_.p = new ListNode(std::move(items));
  return v;
}

Value Value::set_sorted(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::Set;
  v.u_.p = new ListNode(std::move(items));
  return v;
}

namespace {
// Orders up to 16 string keys, key_of(0..n-1), as an object keeps them: writes the positions to keep, in key
// order, to `kept` and returns how many. JSON objects come with their keys in author order: a stable insertion
// sort of (key, position) pairs is cheap to compare and to move, keeps equal keys in input order, and of each
// run of equal keys the last, the one that wins (as in Go's decoder), is kept.
constexpr size_t kSmallObject = 16;
template <class KeyOf>
size_t order_small_string_keys(size_t n, KeyOf key_of, size_t* kept) {
  struct Keyed {
    std::string_view key;
    size_t pos;
  };
  // Keys mostly differ in their first byte: compared there before a full (memcmp) comparison, which orders
  // bytes as unsigned, as this does.
  auto less = [](std::string_view a, std::string_view b) {
    if (!a.empty() && !b.empty() && a[0] != b[0])
      return static_cast<unsigned char>(a[0]) < static_cast<unsigned char>(b[0]);
    return a < b;
  };
  Keyed order[kSmallObject];
  for (size_t i = 0; i < n; ++i) {
    Keyed moving{key_of(i), i};
    size_t j = i;
    for (; j > 0 && less(moving.key, order[j - 1].key); --j) order[j] = order[j - 1];
    order[j] = moving;
  }
  size_t count = 0;
  for (size_t i = 0; i < n; ++i)
    if (i + 1 == n || order[i + 1].key != order[i].key) kept[count++] = order[i].pos;
  return count;
}

// The elements of `items` at positions kept[0..count), in that order, moved into a vector of their own.
template <class T>
std::vector<T> take_kept(std::vector<T>& items, const size_t* kept, size_t count) {
  std::vector<T> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) out.push_back(std::move(items[kept[i]]));
  return out;
}
}  // namespace

Value Value::set(std::vector<Value> items) {
  // Sorted input is common (sets built from other sets, comprehensions over sorted collections): check first.
  bool sorted_unique = true;
  for (size_t i = 1; i < items.size(); ++i) {
    if (compare(items[i - 1], items[i]) >= 0) {
      sorted_unique = false;
      break;
    }
  }
  if (sorted_unique) return set_sorted(std::move(items));
  if (items.size() <= kSmallObject &&
      std::all_of(items.begin(), items.end(), [](const Value& v) { return v.is_string(); })) {
    // A few strings (a partial set of names: roles, reasons) are ordered as an object's keys are, on their
    // bytes, without Value::compare's dispatch per comparison (which sorting took twice as long).
    auto key_of = [&](size_t i) -> std::string_view { return items[i].as_string(); };
    size_t kept[kSmallObject];
    const size_t count = order_small_string_keys(items.size(), key_of, kept);
    return set_sorted(take_kept(items, kept, count));
  }
  std::sort(items.begin(), items.end(), less_value);
  auto same = [](const Value& a, const Value& b) { return compare(a, b) == 0; };
  items.erase(std::unique(items.begin(), items.end(), same), items.end());
  return set_sorted(std::move(items));
}

Value Value::object(std::vector<ObjectEntry> entries) {
  bool sorted_unique = true;
  for (size_t i = 1; i < entries.size(); ++i) {
    if (compare_keys(entries[i - 1].first, entries[i].first) >= 0) {
      sorted_unique = false;
      break;
    }
  }
  if (!sorted_unique && entries.size() <= kSmallObject &&
      std::all_of(entries.begin(), entries.end(), [](const ObjectEntry& e) { return e.first.is_string(); })) {
    auto key_of = [&](size_t i) -> std::string_view { return entries[i].first.as_string(); };
    size_t kept[kSmallObject];
    const size_t count = order_small_string_keys(entries.size(), key_of, kept);
    return object_sorted(take_kept(entries, kept, count));
  }
  if (!sorted_unique) {
    // A stable sort keeps duplicates in input order, so the last of each run is the entry that "wins".
    // Objects are mostly small (JSON documents' keys in author order): insertion sort is stable and, unlike
    // std::stable_sort, needs no temporary buffer.
    auto key_less = [](const ObjectEntry& a, const ObjectEntry& b) { return compare_keys(a.first, b.first) < 0; };
    if (entries.size() <= 16) {
      for (size_t i = 1; i < entries.size(); ++i) {
        if (!key_less(entries[i], entries[i - 1])) continue;
        ObjectEntry moving = std::move(entries[i]);
        size_t j = i;
        for (; j > 0 && key_less(moving, entries[j - 1]); --j) entries[j] = std::move(entries[j - 1]);
        entries[j] = std::move(moving);
      }
    } else {
      std::stable_sort(entries.begin(), entries.end(), key_less);
    }
    size_t out = 0;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (out > 0 && compare_keys(entries[out - 1].first, entries[i].first) == 0) {
        entries[out - 1] = std::move(entries[i]);
      } else {
        if (out != i) entries[out] = std::move(entries[i]);
        ++out;
      }
    }
    entries.resize(out);
  }
  return object_sorted(std::move(entries));
}

Value Value::object_from_pairs(Value* pairs, size_t n) {
  std::vector<ObjectEntry> entries;
  bool string_keys = n <= kSmallObject;
  for (size_t i = 0; string_keys && i < n; ++i) string_keys = pairs[2 * i].is_string();
  if (string_keys) {
    // Straight into key order: each entry is moved once.
    auto key_of = [&](size_t i) -> std::string_view { return pairs[2 * i].as_string(); };
    size_t kept[kSmallObject];
    const size_t count = order_small_string_keys(n, key_of, kept);
    entries.reserve(count);
    for (size_t i = 0; i < count; ++i)
      entries.emplace_back(std::move(pairs[2 * kept[i]]), std::move(pairs[2 * kept[i] + 1]));
    return object_sorted(std::move(entries));
  }
  entries.reserve(n);
  for (size_t i = 0; i < n; ++i) entries.emplace_back(std::move(pairs[2 * i]), std::move(pairs[2 * i + 1]));
  return object(std::move(entries));
}

Value Value::object_sorted(std::vector<ObjectEntry> entries) {
  Value v;
  v.kind_ = Kind::Object;
  v.u_.p = new ObjectNode(std::move(entries));
  return v;
}

const Value& Value::empty_array() {
  static const Value v = array({});
  return v;
}
const Value& Value::empty_object() {
  static const Value v = object_sorted({});
  return v;
}
const Value& Value::empty_set() {
  static const Value v = set_sorted({});
  return v;
}
const Value& Value::true_value() {
  static const Value v = boolean(true);
  return v;
}
const Value& Value::false_value() {
  static const Value v = boolean(false);
  return v;
}

// ---- inspection ----

const std::vector<Value>& Value::as_array() const { return PackedAccess::list(*this)->items; }
const std::vector<Value>& Value::as_set() const { return static_cast<const ListNode*>(u_.p)->items; }
const std::vector<ObjectEntry>& Value::as_object() const { return PackedAccess::object(*this)->entries; }

size_t Value::size() const {
  if (view_) return PackedAccess::size(*this);
  switch (kind_) {
    case Kind::Array:
    case Kind::Set:
      return static_cast<const ListNode*>(u_.p)->items.size();
    case Kind::Object:
      return static_cast<const ObjectNode*>(u_.p)->entries.size();
    default:
      return 0;
  }
}

const Value* Value::get(const Value& key) const {
  if (kind_ != Kind::Object) return nullptr;
  // String keys (nearly every lookup) compare as bytes, without Value::compare's dispatch on each probe.
  if (key.is_string()) return get(std::string_view(key.as_string()));
  if (view_) return nullptr;  // packed keys are strings
  const auto& es = as_object();
  size_t lo = 0, hi = es.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = compare(es[mid].first, key);
    if (c == 0) return &es[mid].second;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return nullptr;
}

// Two functions rather than one with an optional hint: folded into one, evaluation took 2% more instructions
// (BM_ServerLoadRule/5), the unhinted lookups paying for the hinted path's code.
const Value* Value::get(std::string_view key) const {
  if (kind_ != Kind::Object) return nullptr;
  if (view_) return PackedAccess::get(*this, key, nullptr);
  const auto& es = static_cast<const ObjectNode*>(u_.p)->entries;
  ptrdiff_t i = find_string_key(es.size(), EntryKeys{es}, key);
  return i < 0 ? nullptr : &es[static_cast<size_t>(i)].second;
}

const Value* Value::get(std::string_view key, const KeyHint& hint) const {
  if (kind_ != Kind::Object) return nullptr;
  if (view_) return PackedAccess::get(*this, key, &hint);
  const auto& es = static_cast<const ObjectNode*>(u_.p)->entries;
  ptrdiff_t i = find_string_key(es.size(), EntryKeys{es}, key, &hint);
  return i < 0 ? nullptr : &es[static_cast<size_t>(i)].second;
}

bool Value::contains(const Value& item) const {
  if (kind_ != Kind::Set) return false;
  const auto& xs = as_set();
  size_t lo = 0, hi = xs.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = compare(xs[mid], item);
    if (c == 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

const char* Value::type_name() const {
  switch (kind_) {
    case Kind::Null: return "null";
    case Kind::Boolean: return "boolean";
    case Kind::Number: return "number";
    case Kind::String: return "string";
    case Kind::Array: return "array";
    case Kind::Object: return "object";
    case Kind::Set: return "set";
  }
  return "unknown";
}

// ---- order and hashing ----

bool Value::equal(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return false;
  if (a.kind_ == Kind::String) {
    return a.u_.p == b.u_.p || same_string(a.as_string(), b.as_string());
  }
  return compare(a, b) == 0;
}

int Value::compare(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return a.kind_ < b.kind_ ? -1 : 1;
  switch (a.kind_) {
    case Kind::Null:
      return 0;
    case Kind::Boolean:
      return a.u_.b == b.u_.b ? 0 : (a.u_.b ? 1 : -1);  // false < true
    case Kind::Number:
      if (a.rep_ == NumRep::Int && b.rep_ == NumRep::Int) {
        return a.u_.i < b.u_.i ? -1 : (a.u_.i > b.u_.i ? 1 : 0);
      }
      return number::compare(a, b);
    case Kind::String:
      if (a.u_.p == b.u_.p) return 0;
      return compare_bytes(a.as_string(), b.as_string());
    case Kind::Array:
    case Kind::Set:
      if (PackedAccess::same_node(a, b)) return 0;
      return compare_lists(PackedAccess::list(a)->items, PackedAccess::list(b)->items);
    case Kind::Object:
      if (PackedAccess::same_node(a, b)) return 0;
      return compare_objects(PackedAccess::object(a)->entries, PackedAccess::object(b)->entries);
  }
  return 0;
}

size_t Value::hash() const {
  switch (kind_) {
    case Kind::Null:
      return kKindSeed[0];
    case Kind::Boolean:
      return u_.b ? 0x2545f4914f6cdd1dull : kKindSeed[1];
    case Kind::Number:
      return number::hash(*this);
    case Kind::String: {
      auto* n = static_cast<const StringNode*>(u_.p);
      size_t h = n->hash.load(std::memory_order_relaxed);
      if (h == 0) {
        h = finish_hash(std::hash<std::string_view>()(n->s));
        n->hash.store(h, std::memory_order_relaxed);
      }
      return h;
    }
    case Kind::Array:
    case Kind::Set: {
      auto* n = PackedAccess::list(*this);
      size_t h = n->hash.load(std::memory_order_relaxed);
      if (h == 0) {
        h = kKindSeed[static_cast<int>(kind_)];
        for (const Value& x : n->items) h = mix(h, x.hash());
        h = finish_hash(h);
        n->hash.store(h, std::memory_order_relaxed);
      }
      return h;
    }
    case Kind::Object: {
      auto* n = PackedAccess::object(*this);
      size_t h = n->hash.load(std::memory_order_relaxed);
      if (h == 0) {
        h = kKindSeed[5];
        for (const auto& [k, v] : n->entries) h = mix(mix(h, k.hash()), v.hash());
        h = finish_hash(h);
        n->hash.store(h, std::memory_order_relaxed);
      }
      return h;
    }
  }
  return 0;
}

}  // namespace rego
