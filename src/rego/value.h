// Rego values: null, boolean, number, string, array, object, set.
//
// A Value is a small (16-byte) immutable handle. Scalars live inline; strings and collections live in
// reference-counted heap nodes that are never mutated after construction, so a Value may be copied and shared
// between threads freely (copying bumps an atomic count, nothing more).
//
// Ordering and equality follow OPA's total order (ast/compare.go):
//   null < boolean < number < string < array < object < set
// numbers compare by the exact number they denote (1 == 1.0 == 1e0), arrays element-wise then by length,
// objects by their sorted keys then values, sets by their sorted elements.
//
// Objects keep their entries sorted by key and sets their elements sorted, so iteration order, equality and
// JSON output are all deterministic and lookups are binary searches. Object keys may be any Value.
//
// This header never includes Boost.Multiprecision: big numbers are behind a pointer (number.cpp).
//
// Packed documents (packed.h): a big JSON document read with json::parse_packed lives in one compact immutable
// buffer, and its arrays and objects are *views* into it — Values of the same Kind whose node pointer is the
// buffer and whose offset (in the padding bytes) says where in it. Every accessor works on views; the ones that
// return references (as_array, as_object) build the container's elements once, shallowly, and cache them in the
// buffer (thread-safely), so code outside value.cpp never sees the difference. Strings and numbers are never
// views.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rego {

enum class Kind : uint8_t { Null = 0, Boolean = 1, Number = 2, String = 3, Array = 4, Object = 5, Set = 6 };

// How a number is held. Int and Float are the fast paths; Big holds any number neither can hold exactly
// (integers beyond int64, decimals such as 1e400 or 0.1234567890123456789) as mantissa * 10^exponent.
enum class NumRep : uint8_t { Int = 0, Float = 1, Big = 2 };

class Value;
struct BigNumber;  // defined in number.cpp (Boost.Multiprecision lives there only)

// Where one lookup site (a constant key in a compiled policy) last found its key: the objects a site sees
// are mostly records of one shape, with the key at one position, so Value::get tries that position first and
// skips the search. Shared by every thread evaluating the policy, hence relaxed atomics: a stale hint, or one
// another thread just wrote, costs nothing but the ordinary search. Copying copies the position.
class KeyHint {
 public:
  KeyHint() = default;
  KeyHint(const KeyHint& o) : pos_(o.load()) {}
  KeyHint& operator=(const KeyHint& o) {
    store(o.load());
    return *this;
  }
  uint32_t load() const { return pos_.load(std::memory_order_relaxed); }
  void store(uint32_t pos) const { pos_.store(pos, std::memory_order_relaxed); }

 private:
  mutable std::atomic<uint32_t> pos_{0};
};

using ObjectEntry = std::pair<Value, Value>;

namespace detail {
struct Node {
  mutable std::atomic<uint32_t> refs{1};
  virtual ~Node() = default;
};
// A string's node, here rather than in value.cpp so that as_string() (on every key lookup and string
// built-in) is inline.
struct StringNode final : Node {
  explicit StringNode(std::string v) : s(std::move(v)) {}
  explicit StringNode(std::string_view v) : s(v) {}
  std::string s;
  mutable std::atomic<size_t> hash{0};
};
}  // namespace detail

class Value {
 public:
  Value() noexcept : kind_(Kind::Null), rep_(NumRep::Int), float_syntax_(false), view_(false), off_(0) { u_.i = 0; }
  ~Value() { release(); }
  Value(const Value& o) noexcept
      : kind_(o.kind_), rep_(o.rep_), float_syntax_(o.float_syntax_), view_(o.view_), off_(o.off_), u_(o.u_) {
    retain();
  }
  Value(Value&& o) noexcept
      : kind_(o.kind_), rep_(o.rep_), float_syntax_(o.float_syntax_), view_(o.view_), off_(o.off_), u_(o.u_) {
    o.kind_ = Kind::Null;
    o.rep_ = NumRep::Int;
    o.u_.i = 0;
  }
  Value& operator=(const Value& o) noexcept {
    if (this != &o) {
      o.retain();
      release();
      kind_ = o.kind_;
      rep_ = o.rep_;
      float_syntax_ = o.float_syntax_;
      view_ = o.view_;
      off_ = o.off_;
      u_ = o.u_;
    }
    return *this;
  }
  Value& operator=(Value&& o) noexcept {
    if (this != &o) {
      release();
      kind_ = o.kind_;
      rep_ = o.rep_;
      float_syntax_ = o.float_syntax_;
      view_ = o.view_;
      off_ = o.off_;
      u_ = o.u_;
      o.kind_ = Kind::Null;
      o.rep_ = NumRep::Int;
      o.u_.i = 0;
    }
    return *this;
  }

  // ---- construction ----
  static Value null() { return Value(); }
  static Value boolean(bool b);
  static Value integer(int64_t i);
  static Value floating(double d);  // NaN/Inf are not Rego numbers: callers must check (see number.h)
  static Value string(std::string s);
  static Value string(std::string_view s);  // builds the node's string in place (no temporary std::string)
  static Value string(const char* s) { return string(std::string_view(s)); }
  static Value array(std::vector<Value> items);
  // Sorts and de-duplicates.
  static Value set(std::vector<Value> items);
  // Sorts by key; on duplicate keys the last entry wins.
  static Value object(std::vector<ObjectEntry> entries);
  // The same for n (key, value) pairs laid out one after the other in pairs[0..2n), which are moved from.
  static Value object_from_pairs(Value* pairs, size_t n);
  // For callers that already hold sorted, unique input (skips the sort).
  static Value set_sorted(std::vector<Value> items);
  static Value object_sorted(std::vector<ObjectEntry> entries);
  static Value big(BigNumber* owned);  // takes ownership; used by number.cpp

  static const Value& empty_array();
  static const Value& empty_object();
  static const Value& empty_set();
  static const Value& true_value();
  static const Value& false_value();

  // ---- inspection ----
  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  bool is_boolean() const { return kind_ == Kind::Boolean; }
  bool is_number() const { return kind_ == Kind::Number; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_array() const { return kind_ == Kind::Array; }
  bool is_object() const { return kind_ == Kind::Object; }
  bool is_set() const { return kind_ == Kind::Set; }
  bool is_collection() const { return kind_ >= Kind::Array; }

  bool as_bool() const { return u_.b; }
  // A number written with a fraction or an exponent ("5.0", "1e25") even though it holds a whole number.
  // OPA keeps a number's text, and sprintf formats such numbers as floats; equality ignores this.
  bool float_syntax() const { return float_syntax_; }
  void set_float_syntax() { float_syntax_ = kind_ == Kind::Number; }
  NumRep num_rep() const { return rep_; }
  bool is_int() const { return kind_ == Kind::Number && rep_ == NumRep::Int; }
  int64_t as_int() const { return u_.i; }        // only when is_int()
  double as_float_rep() const { return u_.d; }   // only when num_rep()==Float
  const BigNumber& as_big() const;               // only when num_rep()==Big

  const std::string& as_string() const;
  const std::vector<Value>& as_array() const;      // arrays
  const std::vector<Value>& as_set() const;        // sets (sorted, unique)
  const std::vector<ObjectEntry>& as_object() const;  // objects (sorted by key, unique keys)

  // Number of elements of a collection, or of bytes... no: of a string's code points is count()'s job.
  size_t size() const;

  // Object lookup (nullptr when absent or not an object).
  const Value* get(const Value& key) const;
  const Value* get(std::string_view key) const;
  // The same, trying the hint's position first and leaving the key's position in it.
  const Value* get(std::string_view key, const KeyHint& hint) const;
  // Set membership.
  bool contains(const Value& item) const;

  // "null", "boolean", "number", "string", "array", "object", "set" — as OPA's type_name.
  const char* type_name() const;

  bool operator==(const Value& o) const { return equal(*this, o); }
  bool operator!=(const Value& o) const { return !equal(*this, o); }
  bool operator<(const Value& o) const { return compare(*this, o) < 0; }

  // OPA's total order: negative, zero or positive.
  static int compare(const Value& a, const Value& b);
  // compare(a, b) == 0, answered sooner where it can be: strings of different lengths differ without reading
  // their bytes (membership tests and `==` compare names far more often than they order them).
  static bool equal(const Value& a, const Value& b);
  size_t hash() const;

  // Identity of the heap node (for caches); nullptr for inline scalars. For a packed view, its place in the
  // packed buffer.
  const void* node_ptr() const {
    if (view_) return view_identity();
    return heap() ? u_.p : nullptr;
  }

  // True for an array or object that is a view into a packed document (see packed.h). Informational only.
  bool is_packed_view() const { return view_; }
  // For packed.cpp only: a view of the container at word offset `off` of packed document `doc` (an Array or
  // Object kind). Takes one reference to doc.
  static Value packed_view(Kind kind, detail::Node* doc, uint32_t off);

 private:
  friend struct PackedAccess;  // value.cpp's packed-view helpers
  const void* view_identity() const;

  // rep_ is Int for every kind but Number (constructors start from Value(), moves reset it), so rep_ == Big
  // implies a Number. Tested as two separate bytes: written as (kind_ == Number && rep_ == Big), GCC merged the
  // two into one 16-bit load, which stalls when the bytes were just stored one by one (a Value built and
  // dropped at once; 10% of rule_value's time by perf's samples).
  bool heap() const { return kind_ >= Kind::String || rep_ == NumRep::Big; }
  void retain() const {
    if (heap()) u_.p->refs.fetch_add(1, std::memory_order_relaxed);
  }
  void release() {
    // The null check is redundant for valid values but keeps GCC 12's -Wstringop-overflow quiet at -O2.
    if (heap() && u_.p != nullptr && u_.p->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete u_.p;
  }

  Kind kind_;
  NumRep rep_;
  bool float_syntax_;
  bool view_;     // an Array/Object view into a packed document: u_.p is the document, off_ the place in it
  uint32_t off_;  // 0 unless view_
  union Payload {
    bool b;
    int64_t i;
    double d;
    detail::Node* p;
  } u_;
};

static_assert(sizeof(Value) == 16, "Value must stay 16 bytes");

inline const std::string& Value::as_string() const { return static_cast<const detail::StringNode*>(u_.p)->s; }

struct ValueHash {
  size_t operator()(const Value& v) const { return v.hash(); }
};

// Convenience builders.
inline Value str(std::string_view s) { return Value::string(s); }

}  // namespace rego
