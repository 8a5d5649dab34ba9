// The per-thread pool behind NodeMemo::Lease (eval_cache.h).
#include "rego/eval_cache.h"

namespace rego::eval {
namespace {

// A few per thread cover nesting (`with` and mocks lease their own memo); more are freed, not kept.
constexpr size_t kPoolLimit = 8;
thread_local std::vector<std::unique_ptr<NodeMemo>> pool;

}  // namespace

NodeMemo::Lease::Lease(size_t nodes, size_t prefixes) {
  if (pool.empty()) {
    memo_ = new NodeMemo();
  } else {
    memo_ = pool.back().release();
    pool.pop_back();
  }
  if (memo_->slots_.size() < nodes) memo_->slots_.resize(nodes);
  if (memo_->prefixes_.size() < prefixes) memo_->prefixes_.resize(prefixes);
}

uint64_t NodeMemo::new_generation() {
  thread_local uint64_t last = 0;
  return ++last;
}

NodeMemo::Lease::~Lease() {
  if (!memo_) return;
  memo_->clear();
  if (pool.size() < kPoolLimit) pool.emplace_back(memo_);
  else delete memo_;
}

}  // namespace rego::eval
