// Rules and functions: evaluating every definition of a document, else chains, defaults, conflicts, caching.
#include <algorithm>
#include <map>

#include "rego/eval.h"

namespace rego::eval {

using ast::Term;
using ast::TermKind;

namespace {

// Marks the rule being evaluated (for rego.metadata.*) for the lifetime of the scope.
struct RuleScope {
  std::vector<const ast::Rule*>& stack;
  RuleScope(std::vector<const ast::Rule*>& s, const ast::Rule* r) : stack(s) { stack.push_back(r); }
  ~RuleScope() { stack.pop_back(); }
};

// Builds the object a set of partial-object / ref-head definitions produce, key path by key path.
struct TreeBuilder {
  struct Entry {
    std::optional<Value> leaf;
    std::map<Value, Entry> children;
    std::vector<Value> set_items;  // `a.b[c] contains x`
    bool is_set = false;
  };
  Entry root;

  // Returns false on a conflict (two different values at one key).
  bool insert(const std::vector<Value>& path, const Value& v, bool as_set_item) {
    Entry* e = &root;
    for (const auto& key : path) {
      if (e->leaf) return false;
      e = &e->children[key];
    }
    if (as_set_item) {
      if (e->leaf || !e->children.empty()) return false;
      e->is_set = true;
      e->set_items.push_back(v);
      return true;
    }
    if (!e->children.empty() || e->is_set) return false;
    if (e->leaf) return *e->leaf == v;
    e->leaf = v;
    return true;
  }

  static Value build(const Entry& e) {
    if (e.leaf) return *e.leaf;
    if (e.is_set) return Value::set(e.set_items);
    std::vector<ObjectEntry> entries;
    entries.reserve(e.children.size());
    for (const auto& [k, c] : e.children) entries.emplace_back(k, build(c));
    return Value::object_sorted(std::move(entries));
  }
};

std::optional<Value> first_value(Evaluator& ev, const Term& t, Frame& f) {
  std::optional<Value> out;
  ev.eval_term(t, f, [&](const Value& v) {
    out = v;
    return false;
  });
  return out;
}

}  // namespace

std::optional<Value> Evaluator::default_value(const RuleNode& node) {
  const ast::Rule& rule = *node.default_rule;
  Frame frame(rule.num_slots);
  if (trace_) [[unlikely]] trace_default(rule, node.path, frame);
  return first_value(*this, *rule.head.value, frame);
}

const std::optional<Value>& Evaluator::rule_value(const RuleNode& node) {
  if (trace_) [[unlikely]] trace_index(node, index_matches(node), node.all_ground_same);
  if (const std::optional<Value>* cached = cache_->rule(node.id)) return *cached;
  uint32_t& in_progress = root_memo_.get()->in_progress(node.id);
  if (in_progress > 0) fail(code::kRecursion, "rule " + node.path + " is recursive", {});
  if (++depth_ > kMaxDepth) fail(code::kInternal, "evaluation too deeply nested", {});
  ++in_progress;

  std::optional<Value> complete;
  TreeBuilder tree;
  bool is_set = false, is_tree = false;

  // With an index, only the rules whose input constant matches (plus the unindexed ones) can succeed.
  std::vector<size_t> candidates;
  const std::vector<size_t>* selected = nullptr;
  if (node.index) {
    const Value* v = has_input_ ? &input_ : nullptr;
    for (const auto& key : node.index->input_path) v = v && v->is_object() ? v->get(key) : nullptr;
    const std::vector<size_t>* matching = nullptr;
    if (v) {
      auto it = node.index->by_value.find(*v);
      if (it != node.index->by_value.end()) matching = &it->second;
    }
    if (!matching) {
      selected = &node.index->unindexed;
    } else if (node.index->unindexed.empty()) {
      selected = matching;
    } else {
      candidates = *matching;
      candidates.insert(candidates.end(), node.index->unindexed.begin(), node.index->unindexed.end());
      std::sort(candidates.begin(), candidates.end());
      selected = &candidates;
    }
  }
  size_t count = selected ? selected->size() : node.rules.size();
  // One frame serves every definition in turn: each leaves it clean, every binding its body made undone.
  FrameLease lease(*this, node.frame_slots);
  Frame& frame = *lease;
  // Every definition gives the same constant (`allow if ...`, `denied if ...`): the first body that succeeds
  // decides, and none of the general loop's bookkeeping (values, sets, object trees) is needed.
  const bool first_success_decides = node.all_ground_same && !trace_;
  for (size_t ci = 0; first_success_decides && ci < count && !complete; ++ci) {
    const ast::Rule& rule = *node.rules[selected ? (*selected)[ci] : ci].rule;
    RuleScope in_rule(rule_stack_, &rule);
    eval_body(rule.body, 0, frame, [&] {
      complete = rule.head.value ? rule.head.value->value : Value::true_value();
      return false;
    });
  }
  for (size_t ci = 0; !first_success_decides && ci < count; ++ci) {
    const CompiledRule& cr = node.rules[selected ? (*selected)[ci] : ci];
    const ast::Rule& rule = *cr.rule;
    RuleScope in_rule(rule_stack_, &rule);
    bool stop_all = false;
    for (const ast::Rule* r = &rule; r; r = r->else_rule.get()) {
      bool produced = false;
      std::optional<TraceQuery> traced;
      if (trace_) [[unlikely]] {
        register_names(rule);
        traced.emplace(*this, frame, &rule);
        trace_rule(TraceOp::Enter, *r, node.path);
      }
      auto solution = [&] {
        produced = true;
        switch (rule.head.kind) {
          case ast::RuleKind::PartialSet: {
            if (cr.suffix.empty()) {  // `p contains x`: x joins the set
              eval_term(*rule.head.key, frame, [&](const Value& item) {
                is_set = true;
                tree.root.is_set = true;
                // Sets of a few elements are the rule (roles, reasons): one allocation instead of growing by doubling.
                if (tree.root.set_items.empty()) tree.root.set_items.reserve(8);
                tree.root.set_items.push_back(item);
                return true;
              });
              return true;
            }
            // `a.b[c] contains x`: x joins the set at the path the keys name.
            std::vector<Value> path;
            auto add = [&](const Value& item) {
              is_tree = true;
              if (!tree.insert(path, item, true)) fail(code::kConflict, "object keys must be unique", rule.loc);
              return true;
            };
            std::vector<Value> keys(cr.suffix.size());
            eval_terms(cr.suffix, keys, frame, [&] {
              path = keys;
              return eval_term(*rule.head.key, frame, add);
            });
            return true;
          }
          case ast::RuleKind::Complete:
          case ast::RuleKind::PartialObj:
          case ast::RuleKind::Function: break;
        }
        if (cr.suffix.empty()) {
          auto accept = [&](const Value& v) {
            if (complete && *complete != v)
              fail(code::kConflict,
                   "complete rules must not produce multiple outputs: rule " + node.path + " produced conflicting values",
                   rule.loc);
            complete = v;
            return true;
          };
          if (r->head.value) eval_term(*r->head.value, frame, accept);
          else accept(Value::boolean(true));
          if (node.all_ground_same) stop_all = true;
          return !cr.ground_value;
        }
        is_tree = true;
        std::vector<Value> keys(cr.suffix.size());
        eval_terms(cr.suffix, keys, frame, [&] {
          return eval_term(*r->head.value, frame, [&](const Value& v) {
            if (!tree.insert(keys, v, false)) fail(code::kConflict, "object keys must be unique", rule.loc);
            return true;
          });
        });
        return true;
      };
      if (trace_) [[unlikely]] {
        eval_body(r->body, 0, frame, [&] {
          trace_rule(TraceOp::Exit, *r, node.path);
          bool more = solution();
          trace_rule(TraceOp::Redo, *r, node.path);
          return more;
        });
      } else {
        eval_body(r->body, 0, frame, solution);
      }
      if (produced) break;
    }
    if (stop_all) break;
  }

  std::optional<Value> result;
  if (complete) {
    result = std::move(complete);
  } else if (is_set && !is_tree) {
    result = Value::set(std::move(tree.root.set_items));
  } else if (is_tree) {
    result = TreeBuilder::build(tree.root);
  } else if (node.default_rule && node.default_rule->head.value) {
    result = default_value(node);
  } else if (!node.rules.empty()) {
    // No definition succeeded: partial sets and objects are empty, complete rules undefined.
    const auto& head = node.rules[0].rule->head;
    if (head.kind == ast::RuleKind::PartialSet && node.rules[0].suffix.empty()) result = Value::empty_set();
    else if (!node.rules[0].suffix.empty()) result = Value::empty_object();
  }
  --in_progress;
  --depth_;
  // Moved into the memo and read from there: a rule's value is often a document from base data (a user's
  // record), whose node every server thread shares; each copy of it is an atomic increment on that node.
  cache_->store_rule(node.id, std::move(result));
  return *cache_->rule(node.id);
}

bool Evaluator::bind_params(const ast::Rule& rule, FunctionArgs args, size_t i, Frame& frame, Cont k) {
  if (i == args.size()) return k();
  const Term& param = *rule.head.args[i];
  if (param.kind == TermKind::Var && param.slot >= 0 && !frame.bound[static_cast<size_t>(param.slot)]) {
    // A plain parameter names the argument, which the caller holds until the call returns: no copy.
    size_t m = mark();
    bind_borrowed(frame, param.slot, args[i]);
    bool more = bind_params(rule, args, i + 1, frame, k);
    undo(m);
    return more;
  }
  return unify_value(param, *args[i], frame, [&] { return bind_params(rule, args, i + 1, frame, k); });
}

// The general path's arguments (evaluated into an array of Values, as built-ins take them), pointed at.
bool Evaluator::call_function(const Term& call, const RuleNode& fn, BuiltinArgs args, ValueCont k) {
  constexpr size_t kInline = 8;
  const Value* inline_args[kInline];
  std::vector<const Value*> more;
  const Value** pointers = inline_args;
  if (args.size() > kInline) {
    more.resize(args.size());
    pointers = more.data();
  }
  for (size_t i = 0; i < args.size(); ++i) pointers[i] = &args[i];
  return call_function(call, fn, FunctionArgs(pointers, args.size()), k);
}

bool Evaluator::call_function(const Term& call, const RuleNode& fn, FunctionArgs args, ValueCont k) {
  if (++depth_ > kMaxDepth) fail(code::kInternal, "evaluation too deeply nested (function " + fn.path + ")", call.loc);
  if (trace_) [[unlikely]] {
    size_t matched = 0;
    for (const CompiledRule& cr : fn.rules) matched += cr.rule->head.args.size() == args.size();
    trace_index(fn, matched, false);
  }
  std::optional<Value> result;
  FrameLease lease(*this, fn.frame_slots);
  Frame& frame = *lease;
  // Every definition gives the same constant (`matches(actions, a) if a in actions`): the first body that
  // succeeds decides, without the general loop's value bookkeeping.
  const bool first_success_decides = fn.all_ground_same && !trace_;
  for (size_t ri = 0; first_success_decides && ri < fn.rules.size() && !result; ++ri) {
    const ast::Rule& rule = *fn.rules[ri].rule;
    if (rule.head.args.size() != args.size()) continue;
    RuleScope in_rule(rule_stack_, &rule);
    bind_params(rule, args, 0, frame, [&] {
      return eval_body(rule.body, 0, frame, [&] {
        result = rule.head.value ? rule.head.value->value : Value::true_value();
        return false;
      });
    });
  }
  for (size_t ri = 0; !first_success_decides && ri < fn.rules.size(); ++ri) {
    const CompiledRule& cr = fn.rules[ri];
    const ast::Rule& rule = *cr.rule;
    if (rule.head.args.size() != args.size()) continue;
    RuleScope in_rule(rule_stack_, &rule);
    for (const ast::Rule* r = &rule; r; r = r->else_rule.get()) {
      bool produced = false;
      std::optional<TraceQuery> traced;
      if (trace_) [[unlikely]] {
        register_names(rule);
        traced.emplace(*this, frame, &rule);
        trace_rule(TraceOp::Enter, *r, fn.path);
      }
      bind_params(rule, args, 0, frame, [&] {
        return eval_body(r->body, 0, frame, [&] {
          if (trace_) [[unlikely]] trace_rule(TraceOp::Exit, *r, fn.path);
          auto accept = [&](const Value& v) {
            produced = true;
            if (result && *result != v)
              fail(code::kConflict,
                   "functions must not produce multiple outputs for same inputs: function " + fn.path +
                       " produced conflicting values for the same inputs",
                   call.loc);
            result = v;
            return true;
          };
          if (r->head.value) eval_term(*r->head.value, frame, accept);
          else accept(Value::boolean(true));
          if (trace_) [[unlikely]] trace_rule(TraceOp::Redo, *r, fn.path);
          return !cr.ground_value;
        });
      });
      if (produced) break;
    }
    // Every definition gives the same constant: the first that succeeds decides (OPA's early exit).
    if (result && fn.all_ground_same) break;
  }
  if (!result && fn.default_rule && fn.default_rule->head.value) result = default_value(fn);
  --depth_;
  if (!result) return true;
  return k(*result);
}

}  // namespace rego::eval
