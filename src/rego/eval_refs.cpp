// References: indexing into values, and walking the data tree where base documents and rules meet.
#include <algorithm>

#include "rego/eval.h"

namespace rego::eval {

using ast::Term;
using ast::TermKind;

namespace {

// coll[key] for one ground key; nullptr when undefined.
const Value* lookup(const Value& coll, const Value& key) {
  switch (coll.kind()) {
    case Kind::Object: return coll.get(key);
    case Kind::Array: {
      if (!key.is_number()) return nullptr;
      int64_t i;
      if (key.is_int()) i = key.as_int();
      else return nullptr;
      const auto& items = coll.as_array();
      if (i < 0 || static_cast<size_t>(i) >= items.size()) return nullptr;
      return &items[static_cast<size_t>(i)];
    }
    case Kind::Set: {
      const auto& items = coll.as_set();
      auto it = std::lower_bound(items.begin(), items.end(), key, [](const Value& a, const Value& b) { return a < b; });
      return it != items.end() && *it == key ? &*it : nullptr;
    }
    default: return nullptr;
  }
}

// Base documents are JSON: their object keys are strings, and OPA's storage reads a number in a data path as
// its decimal text (`data.users[2]` finds key "2").
const Value* lookup_base(const Value& coll, const Value& key) {
  const Value* v = lookup(coll, key);
  if (!v && coll.is_object() && key.is_int()) v = coll.get(std::to_string(key.as_int()));
  return v;
}

}  // namespace

// Inlined into its two callers (eval_ref, direct_value): as a call with out-parameters it costs eval_ref, the
// evaluator's commonest step, about 5% more instructions.
[[gnu::always_inline]] inline Evaluator::RefStart Evaluator::ref_start(const Term& ref, Frame& f,
                                                                        const Value*& start, size_t& from,
                                                                        bool& base_doc) {
  const Term& head = *ref.items[0];
  from = 1;
  base_doc = false;
  if (head.slot == ast::kDataRoot) {
    if (ref.resolved_kind == 0 || !overridden_.empty()) return RefStart::Walk;
    // What walk_tree would do for a ref the compiler resolved (ast.h), without walking the rule tree again.
    base_doc = true;
    if (ref.resolved_kind == ast::kResolvedBaseRef) {
      start = &data_;
      if (ref.prefix_id) {
        start = prefix_value(ref.prefix_id);
        from = ref.const_prefix;
      }
    } else {
      // Base data at the rule's own path overrides the rule, as in walk_tree; the path usually ends early.
      if (ref.prefix_id) {
        start = prefix_value(ref.prefix_id);
        from = ref.resolved_depth;
      } else {
        start = &data_;
        for (from = 1; start && from < ref.resolved_depth; ++from) start = lookup_base(*start, ref.items[from]->value);
      }
      if (!start) {
        // The rule's document, read in place from the memo: its slot is filled once and lives as long as the
        // memo, which outlives this expression's evaluation (a `with` gets a memo of its own). A rule with no
        // rules below it has its value for document: rule_value's slot.
        const RuleNode& node = *static_cast<const RuleNode*>(ref.resolved);
        const std::optional<Value>* memo = node.children.empty() ? cache_->rule(node.id) : cache_->document(node.id);
        if (!memo) memo = rule_document(node);
        if (!memo || !*memo) return RefStart::Undefined;
        start = &**memo;
        from = ref.resolved_depth;
        base_doc = false;
      }
    }
  } else if (head.slot == ast::kInputRoot) {
    if (!has_input_) return RefStart::Undefined;
    start = &input_;
    if (ref.prefix_id) {
      start = prefix_value(ref.prefix_id);
      from = ref.const_prefix;
    }
  } else {
    const Value* v = var_value(head, f);
    if (!v) unbound(head);
    start = v;  // the variable stays bound, and its value where it is, while the ref is read
  }
  return start ? RefStart::At : RefStart::Undefined;
}

[[gnu::always_inline]] inline size_t Evaluator::lookup_keys(const Term& ref, size_t from, Frame& f, bool base_doc,
                                                             const Value*& v) {
  auto find = base_doc ? lookup_base : lookup;
  for (size_t i = from; i < ref.items.size(); ++i) {
    const Term& p = *ref.items[i];
    const Value* key;
    if (p.kind == TermKind::Scalar) {
      // A constant string key, the commonest step of a path (`user.roles`): looked up from its hint.
      if (p.value.is_string() && v->is_object()) {
        v = v->get(p.value.as_string(), p.key_hint);
        if (!v) return i;
        continue;
      }
      key = &p.value;
    } else if (p.kind == TermKind::Var && p.slot >= 0 && f.bound[static_cast<size_t>(p.slot)]) {
      key = f.bound[static_cast<size_t>(p.slot)];
    } else if (p.kind == TermKind::Ref) {
      // A key that is itself a ref with one value (`data.users[input.user]`): read in place, where
      // index_value would evaluate it through a continuation. v stays valid meanwhile: it points into input,
      // data, a bound variable or a memo slot, none of which evaluating the key moves.
      if (!direct_value(p, f, key)) return i;
      if (!key) {
        v = nullptr;
        return i;
      }
    } else {
      return i;
    }
    // A string key into an object (`roles[r]` with r a name) names a member whether or not v is base data:
    // straight to the object's search, without lookup's dispatch. (A set's element is found by lookup.)
    v = key->is_string() && v->is_object() ? v->get(std::string_view(key->as_string())) : find(*v, *key);
    if (!v) return i;
  }
  return ref.items.size();
}

bool Evaluator::eval_ref(const Term& ref, Frame& f, ValueCont k) {
  const Term& head = *ref.items[0];
  if (head.kind != TermKind::Var) return eval_term(head, f, [&](const Value& v) { return index_value(v, ref, 1, f, k); });
  const Value* v = nullptr;
  size_t from;
  bool base_doc;
  switch (ref_start(ref, f, v, from, base_doc)) {
    case RefStart::Undefined: return true;
    case RefStart::Walk: return walk_tree(policy_.root, &data_, ref, 1, f, k);
    case RefStart::At: break;
  }
  // Keys that are constants or bound variables name one member each: look them up in a loop, and leave the
  // rest of the path (a key to enumerate or to compute) to index_value.
  size_t i = lookup_keys(ref, from, f, base_doc, v);
  if (!v) return true;
  return i < ref.items.size() ? index_value(*v, ref, i, f, k, base_doc) : k(*v);
}

bool Evaluator::direct_value(const Term& t, Frame& f, const Value*& out) {
  switch (t.kind) {
    case TermKind::Scalar: out = &t.value; return true;
    case TermKind::Var:
      if (t.slot >= 0) {
        out = var_value(t, f);
        return out != nullptr;
      }
      if (t.slot != ast::kInputRoot) return false;
      out = has_input_ ? &input_ : nullptr;
      return true;
    case TermKind::Ref: {
      if (t.items[0]->kind != TermKind::Var) return false;
      size_t from;
      bool base_doc;
      switch (ref_start(t, f, out, from, base_doc)) {
        case RefStart::Undefined: out = nullptr; return true;
        case RefStart::Walk: return false;
        case RefStart::At: break;
      }
      size_t i = lookup_keys(t, from, f, base_doc, out);
      return !out || i == t.items.size();
    }
    case TermKind::Array:
    case TermKind::Set:
    case TermKind::Object:
      if (!t.constant_literal) return false;
      out = &t.literal_value;
      return true;
    default: return false;
  }
}

// ref_start's memo miss (a rule not computed yet in this evaluation), kept out of ref_start, which is inlined
// into the evaluator's commonest steps (direct_value, eval_ref).
const std::optional<Value>* Evaluator::rule_document(const RuleNode& node) {
  if (node.children.empty()) {
    // No rules below this one: its document is its value, which rule_value memoises (what node_document would
    // return, without the copy).
    rule_value(node);
    return cache_->rule(node.id);
  }
  // node_document memoises every rule node's document (no `with data` is in force here); only a function,
  // which has none, is left out.
  node_document(node, nullptr);
  return cache_->document(node.id);
}

void Evaluator::unbound(const Term& var) { fail(code::kInternal, "var " + var.name + " is unbound", var.loc); }

const Value* Evaluator::lookup_prefix(uint32_t id) {
  const RefPrefix& p = policy_.ref_prefixes[id];
  const Value* parent = p.parent == kInputPrefix  ? (has_input_ ? &input_ : nullptr)
                        : p.parent == kDataPrefix ? &data_
                                                  : prefix_value(p.parent);
  const Value* v = parent ? (p.base_doc ? lookup_base : lookup)(*parent, p.key) : nullptr;
  root_memo_.get()->prefix(id) = NodeMemo::PrefixSlot{root_generation_, v};
  return v;
}

bool Evaluator::index_value(const Value& v, const Term& ref, size_t i, Frame& f, ValueCont k, bool base_doc) {
  if (i == ref.items.size()) return k(v);
  const Term& p = *ref.items[i];
  auto find = base_doc ? lookup_base : lookup;
  if (p.kind == TermKind::Scalar) {
    const Value* next = find(v, p.value);
    return next ? index_value(*next, ref, i + 1, f, k, base_doc) : true;
  }
  if (p.kind == TermKind::Var && p.slot >= 0) {
    if (f.bound[static_cast<size_t>(p.slot)]) {
      const Value* next = find(v, *f.bound[static_cast<size_t>(p.slot)]);
      return next ? index_value(*next, ref, i + 1, f, k, base_doc) : true;
    }
    // Iterate, binding the variable to each key.
    return for_each_member(v, [&](const Value& key, const Value& elem) {
      bind(f, p.slot, key);
      size_t m = trail_.size() - 1;
      bool r = index_value(elem, ref, i + 1, f, k, base_doc);
      undo(m);
      return r;
    });
  }
  if (is_ground(p, f) || p.kind == TermKind::Ref || p.kind == TermKind::Call) {
    return eval_term(p, f, [&](const Value& key) {
      const Value* next = find(v, key);
      return next ? index_value(*next, ref, i + 1, f, k, base_doc) : true;
    });
  }
  // A pattern such as [x, y]: unify it with each key.
  return for_each_member(v, [&](const Value& key, const Value& elem) {
    return unify_value(p, key, f, [&] { return index_value(elem, ref, i + 1, f, k, base_doc); });
  });
}

bool Evaluator::walk_tree(const RuleNode& node, const Value* base, const Term& ref, size_t i, Frame& f, ValueCont k) {
  bool overridden = !overridden_.empty() && std::find(overridden_.begin(), overridden_.end(), &node) != overridden_.end();
  if (!node.has_rules_below || overridden) return base ? index_value(*base, ref, i, f, k, true) : true;
  if (node.has_rules || i == ref.items.size()) {
    std::optional<Value> doc = node_document(node, base);
    if (!doc) return true;
    Value hold = *doc;
    return index_value(hold, ref, i, f, k);
  }
  const Term& p = *ref.items[i];
  auto descend = [&](const Value& key) {
    const Value* sub = base ? lookup_base(*base, key) : nullptr;
    const RuleNode* child = node.child(key);
    if (child && !(sub && child->has_rules)) return child->is_function ? true : walk_tree(*child, sub, ref, i + 1, f, k);
    return sub ? index_value(*sub, ref, i + 1, f, k, true) : true;
  };
  if (p.kind == TermKind::Scalar) return descend(p.value);
  if (p.kind == TermKind::Var && p.slot >= 0 && f.bound[static_cast<size_t>(p.slot)])
    return descend(*f.bound[static_cast<size_t>(p.slot)]);
  if (p.kind == TermKind::Var && p.slot >= 0) {
    // Iterate over the keys of both the base document and the rules.
    std::vector<Value> keys;
    for (const auto& [key, child] : node.children)
      if (!child->is_function) keys.push_back(key);
    if (base && base->is_object())
      for (const auto& [key, val] : base->as_object())
        if (!node.child(key)) keys.push_back(key);
    std::sort(keys.begin(), keys.end());
    for (const auto& key : keys) {
      bind(f, p.slot, key);
      size_t m = trail_.size() - 1;
      bool r = descend(key);
      undo(m);
      if (!r) return false;
    }
    return true;
  }
  // Any other key expression: evaluate it (binding what it binds), then descend.
  return eval_term(p, f, [&](const Value& key) { return descend(key); });
}

std::optional<Value> Evaluator::node_document(const RuleNode& node, const Value* base) {
  bool overridden = !overridden_.empty() && std::find(overridden_.begin(), overridden_.end(), &node) != overridden_.end();
  if (!node.has_rules_below || overridden) return base ? std::optional<Value>(*base) : std::nullopt;
  if (node.is_function) return std::nullopt;
  if (const std::optional<Value>* cached = cache_->document(node.id)) return *cached;
  std::optional<Value> result;
  if (node.has_rules) {
    result = rule_value(node);
    if (result && !node.children.empty() && result->is_object()) {
      std::vector<ObjectEntry> entries = result->as_object();
      for (const auto& [key, child] : node.children) {
        std::optional<Value> d = node_document(*child, nullptr);
        if (d) entries.emplace_back(key, *d);
      }
      result = Value::object(std::move(entries));
    }
  } else {
    // Base documents and the virtual documents below merge; where a rule and a base document share a key,
    // the base document wins (as OPA's storage overlay does).
    std::vector<ObjectEntry> entries;
    if (base && base->is_object())
      for (const auto& [key, val] : base->as_object()) {
        const RuleNode* child = node.child(key);
        if (!child || child->has_rules) entries.emplace_back(key, val);
      }
    for (const auto& [key, child] : node.children) {
      if (child->is_function) continue;
      const Value* sub = base ? lookup(*base, key) : nullptr;
      if (sub && child->has_rules) continue;
      std::optional<Value> d = node_document(*child, sub);
      if (d) entries.emplace_back(key, *d);
    }
    result = Value::object(std::move(entries));
  }
  cache_->store_document(node.id, result);
  return result;
}

}  // namespace rego::eval
