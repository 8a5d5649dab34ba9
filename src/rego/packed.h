// Packed documents: a big JSON document held in one compact, immutable, reference-counted buffer.
//
// Base data documents loaded from files can be hundreds of megabytes; as ordinary Values every string, array
// and object is its own heap node (about ten times the JSON text). json::parse_packed builds a packed::Doc
// instead, and the document's arrays and objects are Values that are *views* into it (value.h): same Kind,
// u_.p pointing to the Doc, the container's word offset in the padding bytes.
//
// Layout (all little-endian 32-bit words; "ref" = tag in the low 3 bits, payload above):
//   tape      arrays    [count][cache index][ref × count]
//             objects   [shape id][cache index][value ref × count]       (values in the shape's key order)
//             Int64     [lo][hi]            Double [lo][hi]              (8 bytes, read with memcpy)
//   strings   every distinct string once (keys, values, and the text of numbers kept as text): bytes + start
//             offsets; a ref names a string by id
//   shapes    distinct sorted key lists of objects: [count][key string id × count]; objects with the same keys
//             (the common case: records) share one, so each entry costs 4 bytes
// Objects' keys are sorted by bytes and unique (the last duplicate wins, as json::parse does). Numbers keep
// exactly what json::parse gives: small integers inline, int64 and float-syntax doubles as 8-byte records,
// anything else (big numbers, "5.0") as its text, parsed again by number::parse when read.
//
// Reading is in value.cpp: accessors that must return references (as_array/as_object) build the container's
// elements once (children stay views, strings are shared per string id) and publish them in the Doc's cache
// slots with compare-and-swap, so any number of threads may read one Doc at once. The Doc is never mutated
// otherwise. Cached containers hold views of their own Doc without owning a reference (their count is
// subtracted once published), so caches never keep a Doc alive.
//
// Internal to the engine: only value.cpp and json.cpp use this header.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rego/value.h"

namespace rego::packed {

enum Tag : uint32_t {
  kSmallInt = 0,  // payload: signed 29-bit integer
  kString = 1,    // payload: string id
  kArray = 2,     // payload: tape word offset
  kObject = 3,    // payload: tape word offset
  kInt64 = 4,     // payload: tape word offset of an 8-byte int64
  kDouble = 5,    // payload: tape word offset of an 8-byte double (float syntax)
  kNumText = 6,   // payload: string id of the number's text
  kSpecial = 7,   // payload: 0 null, 1 false, 2 true
};
constexpr uint32_t kPayloadLimit = 1u << 29;

inline uint32_t tag_of(uint32_t ref) { return ref & 7u; }
inline uint32_t payload_of(uint32_t ref) { return ref >> 3; }
inline uint32_t make_ref(uint32_t tag, uint32_t payload) { return (payload << 3) | tag; }

// A growable byte buffer. Small buffers live on the heap; past 1 MiB it moves to its own anonymous mapping and
// grows with mremap, so growing never copies and never holds two copies resident (std::vector's doubling would
// briefly need the old and the new buffer).
class Region {
 public:
  Region() = default;
  ~Region();
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;

  const char* data() const { return p_; }
  char* data() { return p_; }
  size_t size() const { return size_; }
  size_t capacity() const { return cap_; }
  void append(const void* src, size_t n) {
    if (size_ + n > cap_) grow(size_ + n);
    if (n != 0) std::memcpy(p_ + size_, src, n);
    size_ += n;
  }
  void push_word(uint32_t w) { append(&w, sizeof w); }
  uint32_t word(size_t i) const {
    uint32_t w;
    std::memcpy(&w, p_ + i * 4, 4);
    return w;
  }
  size_t words() const { return size_ / 4; }
  void shrink_to_fit();

 private:
  void grow(size_t need);
  char* p_ = nullptr;
  size_t size_ = 0;
  size_t cap_ = 0;
  bool mapped_ = false;
};

// Lazily allocated chunks of atomic node pointers: slot i is created (zero) on first use, with compare-and-swap.
class SlotTable {
 public:
  static constexpr unsigned kShift = 10;
  static constexpr uint32_t kChunk = 1u << kShift;

  SlotTable() = default;
  ~SlotTable();
  SlotTable(const SlotTable&) = delete;
  SlotTable& operator=(const SlotTable&) = delete;

  void init(size_t n);
  std::atomic<detail::Node*>& slot(uint32_t i);
  // The node in slot i, or nullptr; never allocates.
  detail::Node* peek(uint32_t i) const {
    Chunk* ch = chunks_[i >> kShift].load(std::memory_order_acquire);
    return ch ? ch->s[i & (kChunk - 1)].load(std::memory_order_acquire) : nullptr;
  }
  // Calls f(node) for every filled slot (for the Doc's destructor).
  template <class F>
  void for_each(F f) {
    for (size_t c = 0; c < n_chunks_; ++c) {
      Chunk* ch = chunks_[c].load(std::memory_order_acquire);
      if (!ch) continue;
      for (auto& s : ch->s) {
        detail::Node* n = s.load(std::memory_order_acquire);
        if (n) f(n);
      }
    }
  }
  size_t allocated_bytes() const;

 private:
  struct Chunk {
    std::atomic<detail::Node*> s[kChunk];
  };
  std::unique_ptr<std::atomic<Chunk*>[]> chunks_;
  size_t n_chunks_ = 0;
};

struct Doc final : detail::Node {
  Region tape;       // 32-bit words
  Region bytes;      // string bytes
  Region str_start;  // uint32 per string id, plus one past the end
  Region shapes;     // 32-bit words: [count][key ids]
  Region shape_start;  // uint32 word offset per shape id
  uint32_t n_strings = 0;
  uint32_t n_containers = 0;
  uint32_t n_shapes = 0;
  SlotTable container_cache;  // per container cache index: its materialized ListNode / ObjectNode
  SlotTable string_cache;     // per string id: its StringNode
  SlotTable view_cache;       // per container cache index: a node holding a stable view of it (for get())

  ~Doc() override;

  const uint32_t* words() const { return reinterpret_cast<const uint32_t*>(tape.data()); }
  std::string_view str(uint32_t id) const {
    const auto* s = reinterpret_cast<const uint32_t*>(str_start.data());
    return std::string_view(bytes.data() + s[id], s[id + 1] - s[id]);
  }
  uint32_t shape_size(uint32_t shape) const { return shape_words()[shape_offset(shape)]; }
  const uint32_t* shape_keys(uint32_t shape) const { return shape_words() + shape_offset(shape) + 1; }
  // Number of elements of the container at word offset off.
  uint32_t array_size(uint32_t off) const { return words()[off]; }
  uint32_t object_size(uint32_t off) const { return shape_size(words()[off]); }
  // Bytes held by the buffers (not counting materialized caches).
  size_t buffer_bytes() const;

 private:
  const uint32_t* shape_words() const { return reinterpret_cast<const uint32_t*>(shapes.data()); }
  uint32_t shape_offset(uint32_t shape) const { return reinterpret_cast<const uint32_t*>(shape_start.data())[shape]; }
};

// A zeroed table of 32-bit entries in its own anonymous mapping, so that freeing it gives the memory back to
// the system (a big vector freed late in loading would stay in malloc's heap).
class ZeroTable {
 public:
  ZeroTable() = default;
  explicit ZeroTable(size_t n);
  ~ZeroTable();
  ZeroTable(ZeroTable&& o) noexcept : p_(o.p_), n_(o.n_) {
    o.p_ = nullptr;
    o.n_ = 0;
  }
  ZeroTable& operator=(ZeroTable&& o) noexcept;
  uint32_t& operator[](size_t i) { return p_[i]; }
  size_t size() const { return n_; }

 private:
  uint32_t* p_ = nullptr;
  size_t n_ = 0;
};

// Builds a Doc bottom-up, as json.cpp's reader meets values: scalars and finished containers are pushed on a
// stack of refs; close() turns the top of the stack into an array or object. Objects push key then value.
class Builder {
 public:
  Builder();
  ~Builder();
  size_t mark() const { return stack_.size(); }
  void string(std::string_view s);
  void key(std::string_view s) { string(s); }  // keys are strings like any other (each kept once per Doc)
  bool number(std::string_view text);  // false if text is not a number
  void special(uint32_t which) { stack_.push_back(make_ref(kSpecial, which)); }
  void close(size_t start, bool object);
  // The document as a Value (a view for arrays and objects); nullopt-like: ok=false when the document was too
  // big for 32-bit offsets (the caller falls back to ordinary Values).
  bool overflowed() const { return overflow_; }
  Value finish();

 private:
  uint32_t intern(std::string_view s);
  uint32_t intern_shape(const uint32_t* keys, uint32_t n);
  uint32_t tape_offset();
  void rehash_strings();
  void rehash_shapes();

  Doc* doc_;
  std::vector<uint32_t> stack_;
  ZeroTable str_table_;    // open addressing: string id + 1, 0 empty
  ZeroTable shape_table_;  // open addressing: shape id + 1, 0 empty
  struct Member {
    uint32_t key;
    uint32_t value;
  };
  std::vector<Member> members_;
  std::vector<uint32_t> scratch_;
  bool overflow_ = false;
};

// Sizes of the packed document v is a view into (for tests and measurements); all zero for other values.
struct Stats {
  size_t tape_bytes = 0, string_bytes = 0, table_bytes = 0;  // table: string starts, shapes
  uint32_t strings = 0, containers = 0, shapes = 0;
  size_t cache_slot_bytes = 0;  // allocated cache chunks (not the cached nodes themselves)
};
Stats stats(const Value& v);

// The Doc and the ref of a packed view (value.cpp); nullptr for other values. For readers that walk a document
// without building anything (json.cpp's writer).
const Doc* doc_of(const Value& v, uint32_t& ref);

// The Value for a ref of doc (value.cpp): scalars as ordinary Values, containers as views.
Value value_of(Doc* doc, uint32_t ref);

}  // namespace rego::packed
