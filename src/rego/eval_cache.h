// Per-query memo of rule values and merged documents, as flat arrays indexed by RuleNode::id, and of where
// the policy's constant ref prefixes lead (indexed by RefPrefix id, see policy.h).
//
// Internal to the evaluator. A query evaluates the same few rules over and over (every reference to `user`
// in a policy asks for data.authz.user again), so the memo is on the hottest path there is: a lookup here is
// one array index, where a hash map keyed by node pointer hashed and, on every first store, allocated.
//
// The arrays are sized by the policy's node count, which may be thousands, while one query touches a few
// dozen nodes. So a memo is never built per query: it is leased from a per-thread pool and handed back
// cleared, and clearing resets only the slots the query touched. Once a thread has served one query of a
// policy, the next allocates nothing here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "rego/value.h"

namespace rego::eval {

class NodeMemo {
 public:
  // The cached value of node `id`: nullptr when not computed yet, else the value (nullopt = undefined).
  const std::optional<Value>* rule(uint32_t id) const { return slots_[id].rule_known ? &slots_[id].rule : nullptr; }
  const std::optional<Value>* document(uint32_t id) const {
    return slots_[id].doc_known ? &slots_[id].doc : nullptr;
  }
  void store_rule(uint32_t id, std::optional<Value> v) {
    Slot& s = touch(id);
    s.rule = std::move(v);
    s.rule_known = true;
  }
  void store_document(uint32_t id, std::optional<Value> v) {
    Slot& s = touch(id);
    s.doc = std::move(v);
    s.doc_known = true;
  }
  // Evaluations of node `id` in progress (a rule that needs its own value is recursive).
  uint32_t& in_progress(uint32_t id) { return touch(id).in_progress; }

  // Where constant ref prefix `id` (policy.h's RefPrefix) leads: valid while `generation` is the evaluation's
  // current one. Generations are unique per thread, so these slots are never cleared, only outdated.
  struct PrefixSlot {
    uint64_t generation = 0;
    const Value* value = nullptr;
  };
  PrefixSlot& prefix(uint32_t id) { return prefixes_[id]; }
  // A generation no earlier evaluation on this thread has used.
  static uint64_t new_generation();

  // Owns a leased memo; hands it back to its thread's pool on destruction.
  class Lease {
   public:
    // Slots for `nodes` rule nodes and (the root memo of an evaluation) `prefixes` ref prefixes.
    explicit Lease(size_t nodes, size_t prefixes = 0);
    ~Lease();
    Lease(Lease&& o) noexcept : memo_(std::exchange(o.memo_, nullptr)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    NodeMemo* get() const { return memo_; }

   private:
    NodeMemo* memo_;
  };

 private:
  struct Slot {
    std::optional<Value> rule;
    std::optional<Value> doc;
    uint32_t in_progress = 0;
    bool rule_known = false;
    bool doc_known = false;
    bool touched = false;
  };
  Slot& touch(uint32_t id) {
    Slot& s = slots_[id];
    if (!s.touched) {
      s.touched = true;
      touched_.push_back(id);
    }
    return s;
  }
  void clear() {
    for (uint32_t id : touched_) slots_[id] = Slot();
    touched_.clear();
  }

  std::vector<Slot> slots_;
  std::vector<uint32_t> touched_;
  std::vector<PrefixSlot> prefixes_;
};

}  // namespace rego::eval
