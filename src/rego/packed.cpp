// Packed documents: buffers, cache slots and the builder (see packed.h). Reading views is in value.cpp.
#include "rego/packed.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <new>

#include "rego/number.h"

namespace rego::packed {

namespace {

constexpr size_t kMapThreshold = size_t{1} << 20;  // below: heap; above: an anonymous mapping
constexpr size_t kPage = 4096;

size_t round_page(size_t n) { return (n + kPage - 1) & ~(kPage - 1); }

size_t hash_bytes(std::string_view s) { return std::hash<std::string_view>()(s); }

size_t hash_words(const uint32_t* w, uint32_t n) {
  uint64_t h = 0xcbf29ce484222325ull ^ n;
  for (uint32_t i = 0; i < n; ++i) {
    h ^= w[i];
    h *= 0x100000001b3ull;
    h ^= h >> 29;
  }
  return static_cast<size_t>(h);
}

}  // namespace

// ---- Region ----

Region::~Region() {
  if (!p_) return;
  if (mapped_) ::munmap(p_, cap_);
  else std::free(p_);
}

void Region::grow(size_t need) {
  size_t want = std::max({need, cap_ * 2, size_t{256}});
  if (want < kMapThreshold) {
    void* q = std::realloc(p_, want);
    if (!q) throw std::bad_alloc();
    p_ = static_cast<char*>(q);
    cap_ = want;
    return;
  }
  want = round_page(want);
  if (mapped_) {
    void* q = ::mremap(p_, cap_, want, MREMAP_MAYMOVE);
    if (q == MAP_FAILED) throw std::bad_alloc();
    p_ = static_cast<char*>(q);
  } else {
    void* q = ::mmap(nullptr, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (q == MAP_FAILED) throw std::bad_alloc();
    if (size_ != 0) std::memcpy(q, p_, size_);  // at most kMapThreshold bytes, once
    std::free(p_);
    p_ = static_cast<char*>(q);
    mapped_ = true;
  }
  cap_ = want;
}

void Region::shrink_to_fit() {
  if (!p_) return;
  if (mapped_) {
    size_t want = round_page(std::max<size_t>(size_, 1));
    if (want < cap_) {
      void* q = ::mremap(p_, cap_, want, 0);  // shrinking in place never moves
      if (q != MAP_FAILED) cap_ = want;
    }
  } else if (size_ < cap_) {
    void* q = std::realloc(p_, std::max<size_t>(size_, 1));
    if (q) {
      p_ = static_cast<char*>(q);
      cap_ = std::max<size_t>(size_, 1);
    }
  }
}

// ---- ZeroTable ----

ZeroTable::ZeroTable(size_t n) : n_(n) {
  void* q = ::mmap(nullptr, round_page(n * 4), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (q == MAP_FAILED) throw std::bad_alloc();
  p_ = static_cast<uint32_t*>(q);
}

ZeroTable::~ZeroTable() {
  if (p_) ::munmap(p_, round_page(n_ * 4));
}

ZeroTable& ZeroTable::operator=(ZeroTable&& o) noexcept {
  if (this != &o) {
    if (p_) ::munmap(p_, round_page(n_ * 4));
    p_ = o.p_;
    n_ = o.n_;
    o.p_ = nullptr;
    o.n_ = 0;
  }
  return *this;
}

// ---- SlotTable ----

void SlotTable::init(size_t n) {
  n_chunks_ = (n + kChunk - 1) >> kShift;
  chunks_.reset(n_chunks_ ? new std::atomic<Chunk*>[n_chunks_]() : nullptr);
}

std::atomic<detail::Node*>& SlotTable::slot(uint32_t i) {
  std::atomic<Chunk*>& c = chunks_[i >> kShift];
  Chunk* ch = c.load(std::memory_order_acquire);
  if (!ch) {
    auto* fresh = new Chunk();
    if (c.compare_exchange_strong(ch, fresh, std::memory_order_acq_rel, std::memory_order_acquire)) {
      ch = fresh;
    } else {
      delete fresh;  // another thread won; ch now holds its chunk
    }
  }
  return ch->s[i & (kChunk - 1)];
}

size_t SlotTable::allocated_bytes() const {
  size_t n = n_chunks_ * sizeof(std::atomic<Chunk*>);
  for (size_t c = 0; c < n_chunks_; ++c)
    if (chunks_[c].load(std::memory_order_relaxed)) n += sizeof(Chunk);
  return n;
}

SlotTable::~SlotTable() {
  for (size_t c = 0; c < n_chunks_; ++c) delete chunks_[c].load(std::memory_order_relaxed);
}

// ---- Doc ----

Doc::~Doc() {
  // Cached containers hold views of this Doc whose references were given back when they were published (see
  // packed.h). Destroying them now decrements this (dying) Doc's count: park it far from zero first.
  refs.store(1u << 30, std::memory_order_relaxed);
  auto drop = [](detail::Node* n) {
    if (n->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete n;
  };
  container_cache.for_each(drop);
  view_cache.for_each(drop);
  string_cache.for_each(drop);
}

size_t Doc::buffer_bytes() const {
  return tape.capacity() + bytes.capacity() + str_start.capacity() + shapes.capacity() + shape_start.capacity();
}

// ---- Builder ----

Builder::Builder() : doc_(new Doc()) {
  doc_->str_start.push_word(0);
  str_table_ = ZeroTable(1024);
  shape_table_ = ZeroTable(1024);
}

Builder::~Builder() {
  if (doc_ && doc_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete doc_;
}

uint32_t Builder::tape_offset() {
  size_t w = doc_->tape.words();
  if (w >= kPayloadLimit) {
    overflow_ = true;
    return 0;
  }
  return static_cast<uint32_t>(w);
}

void Builder::rehash_strings() {
  ZeroTable next(str_table_.size() * 2);
  size_t mask = next.size() - 1;
  for (size_t k = 0; k < str_table_.size(); ++k) {
    uint32_t e = str_table_[k];
    if (!e) continue;
    size_t i = hash_bytes(doc_->str(e - 1)) & mask;
    while (next[i]) i = (i + 1) & mask;
    next[i] = e;
  }
  str_table_ = std::move(next);
}

uint32_t Builder::intern(std::string_view s) {
  size_t mask = str_table_.size() - 1;
  size_t i = hash_bytes(s) & mask;
  while (uint32_t e = str_table_[i]) {
    if (doc_->str(e - 1) == s) return e - 1;
    i = (i + 1) & mask;
  }
  uint32_t id = doc_->n_strings;
  if (id + 1 >= kPayloadLimit || doc_->bytes.size() + s.size() > UINT32_MAX) {
    overflow_ = true;
    return 0;
  }
  doc_->bytes.append(s.data(), s.size());
  doc_->str_start.push_word(static_cast<uint32_t>(doc_->bytes.size()));
  ++doc_->n_strings;
  str_table_[i] = id + 1;
  if (doc_->n_strings * 10ull > str_table_.size() * 7ull) rehash_strings();
  return id;
}

void Builder::rehash_shapes() {
  ZeroTable next(shape_table_.size() * 2);
  size_t mask = next.size() - 1;
  for (size_t k = 0; k < shape_table_.size(); ++k) {
    uint32_t e = shape_table_[k];
    if (!e) continue;
    size_t i = hash_words(doc_->shape_keys(e - 1), doc_->shape_size(e - 1)) & mask;
    while (next[i]) i = (i + 1) & mask;
    next[i] = e;
  }
  shape_table_ = std::move(next);
}

uint32_t Builder::intern_shape(const uint32_t* keys, uint32_t n) {
  size_t mask = shape_table_.size() - 1;
  size_t i = hash_words(keys, n) & mask;
  while (uint32_t e = shape_table_[i]) {
    uint32_t s = e - 1;
    if (doc_->shape_size(s) == n && std::equal(keys, keys + n, doc_->shape_keys(s))) return s;
    i = (i + 1) & mask;
  }
  uint32_t id = doc_->n_shapes;
  if (doc_->shapes.words() + n + 1 > UINT32_MAX) {
    overflow_ = true;
    return 0;
  }
  doc_->shape_start.push_word(static_cast<uint32_t>(doc_->shapes.words()));
  doc_->shapes.push_word(n);
  doc_->shapes.append(keys, size_t{n} * 4);
  ++doc_->n_shapes;
  shape_table_[i] = id + 1;
  if (doc_->n_shapes * 10ull > shape_table_.size() * 7ull) rehash_shapes();
  return id;
}

void Builder::string(std::string_view s) { stack_.push_back(make_ref(kString, intern(s))); }

bool Builder::number(std::string_view text) {
  auto v = number::parse(text);
  if (!v) return false;
  if (v->num_rep() == NumRep::Int && !v->float_syntax()) {
    int64_t i = v->as_int();
    if (i >= -(int64_t{1} << 28) && i < (int64_t{1} << 28)) {
      stack_.push_back(make_ref(kSmallInt, static_cast<uint32_t>(i) & (kPayloadLimit - 1)));
      return true;
    }
    uint32_t off = tape_offset();
    doc_->tape.append(&i, 8);
    stack_.push_back(make_ref(kInt64, off));
    return true;
  }
  if (v->num_rep() == NumRep::Float && v->float_syntax()) {
    double d = v->as_float_rep();
    uint32_t off = tape_offset();
    doc_->tape.append(&d, 8);
    stack_.push_back(make_ref(kDouble, off));
    return true;
  }
  stack_.push_back(make_ref(kNumText, intern(text)));
  return true;
}

void Builder::close(size_t start, bool object) {
  uint32_t* first = stack_.data() + start;
  size_t n = stack_.size() - start;
  uint32_t index = doc_->n_containers++;
  if (!object) {
    uint32_t off = tape_offset();
    doc_->tape.push_word(static_cast<uint32_t>(n));
    doc_->tape.push_word(index);
    doc_->tape.append(first, n * 4);
    stack_.resize(start);
    stack_.push_back(make_ref(kArray, off));
    return;
  }
  // Members in input order, then sorted by key bytes; equal keys have equal ids (strings are interned).
  members_.clear();
  for (size_t i = 0; i + 1 < n; i += 2) members_.push_back({payload_of(first[i]), first[i + 1]});
  const Doc* d = doc_;
  auto key_less = [d](const Member& a, const Member& b) { return a.key != b.key && d->str(a.key) < d->str(b.key); };
  bool sorted = true;
  for (size_t i = 1; i < members_.size(); ++i) {
    if (!key_less(members_[i - 1], members_[i])) {
      sorted = false;
      break;
    }
  }
  if (!sorted) {
    std::stable_sort(members_.begin(), members_.end(), key_less);
    // On a repeated key the last member wins, as json::parse (and Go) do.
    size_t out = 0;
    for (size_t i = 0; i < members_.size(); ++i) {
      if (out > 0 && members_[out - 1].key == members_[i].key) members_[out - 1] = members_[i];
      else members_[out++] = members_[i];
    }
    members_.resize(out);
  }
  scratch_.clear();
  for (const Member& m : members_) scratch_.push_back(m.key);
  uint32_t shape = intern_shape(scratch_.data(), static_cast<uint32_t>(scratch_.size()));
  uint32_t off = tape_offset();
  doc_->tape.push_word(shape);
  doc_->tape.push_word(index);
  for (const Member& m : members_) doc_->tape.push_word(m.value);
  stack_.resize(start);
  stack_.push_back(make_ref(kObject, off));
}

Value Builder::finish() {
  if (overflow_ || stack_.size() != 1) return Value();
  uint32_t root = stack_.back();
  doc_->tape.shrink_to_fit();
  doc_->bytes.shrink_to_fit();
  doc_->str_start.shrink_to_fit();
  doc_->shapes.shrink_to_fit();
  doc_->shape_start.shrink_to_fit();
  doc_->container_cache.init(doc_->n_containers);
  doc_->string_cache.init(doc_->n_strings);
  doc_->view_cache.init(doc_->n_containers);
  str_table_ = ZeroTable();
  shape_table_ = ZeroTable();
  std::vector<uint32_t>().swap(stack_);
  Value v = value_of(doc_, root);
  return v;  // the builder's own reference to the Doc goes in its destructor
}

}  // namespace rego::packed
