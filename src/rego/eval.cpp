// Bodies, expressions, unification, `with`, `some ... in` and `every`.
#include "rego/eval.h"

#include <algorithm>

#include "rego/error.h"

namespace rego::eval {

using ast::Term;
using ast::TermKind;

void Evaluator::fail(const char* code, std::string message, const Location& loc) {
  throw RegoError(code, std::move(message), loc);
}

void Evaluator::check_cancel() {
  if (const char* why = opts_.cancel.reason()) throw RegoError(code::kCancel, why);
}

const Value* Evaluator::var_value(const Term& v, const Frame& f) const {
  if (v.slot >= 0) return f.bound[static_cast<size_t>(v.slot)];
  if (v.slot == ast::kInputRoot) return has_input_ ? &input_ : nullptr;
  return nullptr;
}

void Evaluator::run(const ast::Body& body, Frame& frame, FunctionRef<bool(Frame&)> k) {
  top_body_ = &body;
  if (trace_) [[unlikely]] {
    // The query is query 0, its own parent (OPA numbers the top-level query so).
    register_names(body);
    trace_frame_ = &frame;
    trace_names_ = &names_for(&body);
    trace_body(TraceOp::Enter, body);
    eval_body(body, 0, frame, [&] {
      trace_body(TraceOp::Exit, body);
      bool more = k(frame);
      trace_body(TraceOp::Redo, body);
      return more;
    });
    return;
  }
  eval_body(body, 0, frame, [&] { return k(frame); });
}

namespace {

// One step of a ref into a plain value: an object's member, an array's element at an integer key, a set's
// member (a set indexed by its member yields the member). Null when there is none.
const Value* child_of(const Value* v, const Value& key) {
  if (!v) return nullptr;
  if (v->is_object()) return v->get(key);
  if (v->is_array()) {
    if (!key.is_int() || key.as_int() < 0 || static_cast<size_t>(key.as_int()) >= v->size()) return nullptr;
    return &v->as_array()[static_cast<size_t>(key.as_int())];
  }
  if (v->is_set()) {
    const auto& items = v->as_set();
    auto it = std::lower_bound(items.begin(), items.end(), key);
    return it != items.end() && *it == key ? &*it : nullptr;
  }
  return nullptr;
}

}  // namespace

namespace {
// The buffers an evaluation grows (undo trail, rule stack, recycled frames), kept per thread between
// evaluations so that a query allocates none of them once its thread has served one. An evaluation nested
// in another on the same thread finds the spares taken and starts with empty buffers.
struct SpareBuffers {
  std::vector<std::pair<Frame*, int>> trail;
  std::vector<const ast::Rule*> rule_stack;
  std::vector<std::unique_ptr<Frame>> frames;
};
thread_local SpareBuffers spares;
}  // namespace

void Evaluator::adopt_spare_buffers() {
  trail_.swap(spares.trail);
  rule_stack_.swap(spares.rule_stack);
  free_frames_.swap(spares.frames);
}

Evaluator::~Evaluator() {
  // Every binding is made through the trail, so an empty trail means every frame is clean. After an error
  // the trail may still hold bindings: then the frames are freed rather than kept.
  if (!trail_.empty()) {
    trail_.clear();
    free_frames_.clear();
  }
  rule_stack_.clear();
  if (trail_.capacity() > spares.trail.capacity()) trail_.swap(spares.trail);
  if (rule_stack_.capacity() > spares.rule_stack.capacity()) rule_stack_.swap(spares.rule_stack);
  if (free_frames_.size() > spares.frames.size()) free_frames_.swap(spares.frames);
}

std::optional<Value> Evaluator::document(const std::vector<Value>& path) {
  const RuleNode* node = &policy_.root;
  const Value* base = &data_;
  Value holder;
  for (size_t i = 0; i < path.size(); ++i) {
    if (node && !node->has_rules) {
      const RuleNode* c = node->child(path[i]);
      base = child_of(base, path[i]);
      node = c;
      continue;
    }
    // Below a rule: index into its value.
    std::optional<Value> v = node ? node_document(*node, base) : (base ? std::optional<Value>(*base) : std::nullopt);
    if (!v) return std::nullopt;
    holder = *v;
    node = nullptr;
    base = &holder;
    for (; i < path.size(); ++i) {
      const Value* next = child_of(base, path[i]);
      if (!next) return std::nullopt;
      holder = *next;
      base = &holder;
    }
    return holder;
  }
  if (node) return node_document(*node, base);
  if (base) return *base;
  return std::nullopt;
}

bool Evaluator::eval_expr(const ast::Expr& e, Frame& f, Cont k, bool with_applied) {
  if ((++steps_ & 1023) == 0) check_cancel();
  if (!e.with.empty() && !with_applied) {
    std::vector<NodeMemo::Lease> caches;
    WithState outer = save_state();
    bool r = apply_with(e, 0, f, caches, outer, k);
    restore_state(outer);
    return r;
  }
  if (e.negated) {
    size_t m = mark();
    bool found = false;
    if (trace_) [[unlikely]] {
      found = trace_negation(e, f);
    } else {
      eval_expr_inner(e, f, [&] {
        found = true;
        return false;
      });
    }
    undo(m);
    if (found) return true;
    if (track_exprs_ && top_body_ && &e >= top_body_->data() && &e < top_body_->data() + top_body_->size())
      expr_values_[static_cast<size_t>(&e - top_body_->data())] = Value::boolean(true);
    return k();
  }
  return eval_expr_inner(e, f, k);
}

// Applies the i-th `with` modifier, then the rest, then evaluates the expression. The continuation runs with
// the modifiers lifted: they apply to this expression only.
bool Evaluator::apply_with(const ast::Expr& e, size_t i, Frame& f, std::vector<NodeMemo::Lease>& caches,
                           const WithState& outer, Cont k) {
  if (i == e.with.size()) {
    return eval_expr(e, f, [&] {
      WithState cur = save_state();
      restore_state(outer);
      bool r = k();
      restore_state(cur);
      return r;
    }, /*with_applied=*/true);
  }
  const ast::With& w = e.with[i];
  const Term& target = *w.target;
  // The replacement value (the first, as `with` values are single-valued).
  auto value_of = [&](const Term& t) -> std::optional<Value> {
    std::optional<Value> out;
    eval_term(t, f, [&](const Value& v) {
      out = v;
      return false;
    });
    return out;
  };
  caches.emplace_back(policy_.node_count);
  if (target.resolved_kind == ast::kResolvedBuiltin || target.resolved_kind == ast::kResolvedFunction) {
    replaced_[target.resolved] = Replacement{w.value.get(), &f};
    cache_ = caches.back().get();
    return apply_with(e, i + 1, f, caches, outer, k);
  }
  // input... or data... : the path below the root.
  std::vector<Value> path;
  const Term* head = target.kind == TermKind::Ref ? target.items[0].get() : &target;
  if (target.kind == TermKind::Ref) {
    for (size_t j = 1; j < target.items.size(); ++j) {
      std::optional<Value> key = value_of(*target.items[j]);
      if (!key) return true;
      path.push_back(*key);
    }
  }
  std::optional<Value> v = value_of(*w.value);
  if (!v) return true;
  auto upsert = [](auto&& self, const Value& doc, const std::vector<Value>& p, size_t j, const Value& val) -> Value {
    if (j == p.size()) return val;
    std::vector<ObjectEntry> entries;
    if (doc.is_object()) entries = doc.as_object();
    const Value* cur = doc.is_object() ? doc.get(p[j]) : nullptr;
    Value child = self(self, cur ? *cur : Value::empty_object(), p, j + 1, val);
    bool replaced = false;
    for (auto& [ek, ev] : entries)
      if (ek == p[j]) {
        ev = child;
        replaced = true;
      }
    if (!replaced) entries.emplace_back(p[j], child);
    return Value::object(std::move(entries));
  };
  if (head->slot == ast::kInputRoot) {
    root_generation_ = NodeMemo::new_generation();
    input_ = upsert(upsert, has_input_ ? input_ : Value::empty_object(), path, 0, *v);
    has_input_ = true;
  } else {
    root_generation_ = NodeMemo::new_generation();
    data_ = upsert(upsert, data_, path, 0, *v);
    const RuleNode* node = &policy_.root;
    for (auto& p : path) {
      node = node->child(p);
      if (!node) break;
    }
    if (node) overridden_.push_back(node);
  }
  cache_ = caches.back().get();
  return apply_with(e, i + 1, f, caches, outer, k);
}

bool Evaluator::eval_expr_inner(const ast::Expr& e, Frame& f, Cont k) {
  bool top_level = track_exprs_ && top_body_ && &e >= top_body_->data() && &e < top_body_->data() + top_body_->size();
  auto record = [&](const Value& v) {
    if (top_level) expr_values_[static_cast<size_t>(&e - top_body_->data())] = v;
  };
  // A query of one expression reports its value even when it is false (`opa eval 'data.x.allow'`); in a
  // body, false fails the expression.
  // Not under `not`: `not 1 == 2` must see the false and succeed.
  const bool keep_false = top_level && top_body_->size() == 1 && !e.negated;
  switch (e.kind) {
    case ast::ExprKind::SomeDecl: record(Value::boolean(true)); return k();
    case ast::ExprKind::SomeIn: return eval_some_in(e, f, [&] { record(Value::boolean(true)); return k(); });
    case ast::ExprKind::Every: return eval_every(e, f, [&] { record(Value::boolean(true)); return k(); });
    case ast::ExprKind::Term: break;
  }
  const Term& t = *e.terms[0];
  if (t.kind == TermKind::Call) {
    if (t.resolved_kind == ast::kResolvedEq || t.resolved_kind == ast::kResolvedAssign) {
      return unify(*t.items[0], *t.items[1], f, [&] {
        record(Value::boolean(true));
        return k();
      });
    }
    size_t nargs = t.items.size();
    // `x in {a, b}` / `x in [a, b]` with a literal collection: compared element by element, without building
    // the collection (a set would be sorted and allocated on every evaluation).
    if (t.resolved_kind == ast::kResolvedBuiltin && nargs == 2 && !t.items[1]->constant_literal &&
        (t.items[1]->kind == TermKind::Set || t.items[1]->kind == TermKind::Array) && !trace_ && replaced_.empty()) {
      switch (member_of_literal(t, f)) {
        case Membership::NotApplicable: break;
        case Membership::Undefined: return true;
        case Membership::No:
          if (!keep_false) return true;
          record(Value::boolean(false));
          return k();
        case Membership::Yes: record(Value::boolean(true)); return k();
      }
    }
    // The commonest test, a built-in whose operands are constants, bound variables or refs without keys to
    // enumerate (`input.context.hour >= data.rbac.business_hours.start`): operands read in place and the
    // built-in called, without a continuation per operand. Anything else takes the general path below.
    if (t.resolved_kind == ast::kResolvedBuiltin && !trace_ && replaced_.empty() && nargs <= ast::kMaxInlineOperands &&
        nargs == static_cast<size_t>(static_cast<const Builtin*>(t.resolved)->arity)) {
      const Value* operands[ast::kMaxInlineOperands];
      Value args[ast::kMaxInlineOperands];
      switch (read_operands(t, f, operands)) {
        case Operands::Undefined: return true;  // an undefined operand: the expression fails, as in eval_call_args
        case Operands::General: break;
        case Operands::Ready:
          for (size_t i = 0; i < nargs; ++i) args[i] = *operands[i];
          return call_builtin(t, *static_cast<const Builtin*>(t.resolved), BuiltinArgs(args, nargs), [&](const Value& v) {
            if (v.is_boolean() && !v.as_bool() && !keep_false) return true;
            record(v);
            return k();
          });
      }
    }
    size_t arity = nargs;
    if (t.resolved_kind == ast::kResolvedBuiltin) arity = static_cast<size_t>(static_cast<const Builtin*>(t.resolved)->arity);
    else if (t.resolved_kind == ast::kResolvedFunction) arity = static_cast<const RuleNode*>(t.resolved)->arity;
    else if (t.resolved_kind == ast::kResolvedMetadataRule || t.resolved_kind == ast::kResolvedMetadataChain) arity = 0;
    if (t.resolved_kind != ast::kResolvedPrint && nargs == arity + 1) {
      return eval_call(t, f, [&](const Value& v) {
        return unify_value(*t.items.back(), v, f, [&] {
          record(Value::boolean(true));
          return k();
        });
      });
    }
    return eval_call(t, f, [&](const Value& v) {
      if (v.is_boolean() && !v.as_bool() && !keep_false) return true;
      record(v);
      return k();
    });
  }
  return eval_term(t, f, [&](const Value& v) {
    if (v.is_boolean() && !v.as_bool() && !keep_false) return true;
    record(v);
    return k();
  });
}

Evaluator::Membership Evaluator::member_of_literal(const Term& call, Frame& f) {
  static const Builtin* const member_2 = builtins().find("internal.member_2");
  if (call.resolved != member_2) return Membership::NotApplicable;
  const Term& coll = *call.items[1];
  const Value* x;
  if (!direct_value(*call.items[0], f, x)) return Membership::NotApplicable;
  bool found = false, undefined = !x;
  // Every element is read even after a match: a literal with an undefined element is undefined as a whole.
  for (const auto& item : coll.items) {
    const Value* v;
    if (!direct_value(*item, f, v)) return Membership::NotApplicable;
    if (!v) undefined = true;
    else if (!found && !undefined && *v == *x) found = true;
  }
  if (undefined) return Membership::Undefined;
  return found ? Membership::Yes : Membership::No;
}

bool Evaluator::eval_some_in(const ast::Expr& e, Frame& f, Cont k) {
  const Term* key = e.terms.size() == 3 ? e.terms[0].get() : nullptr;
  const Term& val = *e.terms[e.terms.size() - 2];
  return eval_term(*e.terms.back(), f, [&](const Value& coll) {
    return for_each_member(coll, [&](const Value& kk, const Value& vv) {
      if (key) return unify_value(*key, kk, f, [&] { return unify_value(val, vv, f, k); });
      return unify_value(val, vv, f, k);
    });
  });
}

bool Evaluator::eval_every(const ast::Expr& e, Frame& f, Cont k) {
  const Term* key = e.terms[0]->kind == TermKind::Scalar && e.terms[0]->value.is_null() ? nullptr : e.terms[0].get();
  const Term& val = *e.terms[1];
  return eval_term(*e.terms[2], f, [&](const Value& coll) {
    bool all = true;
    auto check = [&](const Value& kk, const Value& vv) {
      size_t m = mark();
      bool ok = false;
      auto body = [&] {
        auto done = [&] {
          ok = true;
          return false;
        };
        if (trace_) [[unlikely]] return trace_closure(e.body, f, done);
        return eval_body(e.body, 0, f, done);
      };
      if (key) unify_value(*key, kk, f, [&] { return unify_value(val, vv, f, body); });
      else unify_value(val, vv, f, body);
      undo(m);
      if (trace_) [[unlikely]] trace_every(TraceOp::Redo, e);
      return ok;
    };
    // A domain that is not a collection makes `every` false (OPA: it is not iterable).
    if (!coll.is_collection()) return true;
    if (trace_) [[unlikely]] {
      // OPA iterates the domain as a query of its own, with the body a closure below it.
      {
        TraceQuery domain(*this, f, nullptr);
        trace_every(TraceOp::Enter, e);
        all = for_each_member(coll, check);
        trace_every(all ? TraceOp::Exit : TraceOp::Fail, e);
      }
      return all ? k() : true;
    }
    all = for_each_member(coll, check);
    return all ? k() : true;
  });
}

namespace {
// A term that unification can bind (it holds unbound variables in pattern positions).
bool has_unbound_pattern(const Term& t, const Frame& f) {
  switch (t.kind) {
    case TermKind::Var: return t.slot >= 0 && !f.bound[static_cast<size_t>(t.slot)];
    case TermKind::Array:
    case TermKind::Object:
      for (auto& i : t.items)
        if (has_unbound_pattern(*i, f)) return true;
      return false;
    default: return false;
  }
}
}  // namespace

bool Evaluator::unify(const Term& a, const Term& b, Frame& f, Cont k) {
  if (a.kind == TermKind::Array && b.kind == TermKind::Array && a.items.size() == b.items.size() &&
      has_unbound_pattern(a, f) && has_unbound_pattern(b, f)) {
    // Element-wise: [x, 1] = [2, y].
    auto step = [&](auto&& self, size_t i) -> bool {
      if (i == a.items.size()) return k();
      return unify(*a.items[i], *b.items[i], f, [&] { return self(self, i + 1); });
    };
    return step(step, 0);
  }
  if (a.kind == TermKind::Object && b.kind == TermKind::Object && a.items.size() == b.items.size() &&
      has_unbound_pattern(a, f) && has_unbound_pattern(b, f)) {
    // Key by key: {"x": x, "y": 2} = {"x": 1, "y": y}. Keys are ground in both.
    std::vector<Value> akeys(a.items.size() / 2), bkeys(b.items.size() / 2);
    for (size_t i = 0; i < akeys.size(); ++i) {
      bool ok = false;
      eval_term(*a.items[2 * i], f, [&](const Value& v) { akeys[i] = v; ok = true; return false; });
      eval_term(*b.items[2 * i], f, [&](const Value& v) { bkeys[i] = v; ok = ok && true; return false; });
      if (!ok) return true;
    }
    std::vector<size_t> match(akeys.size());
    for (size_t i = 0; i < akeys.size(); ++i) {
      size_t j = 0;
      while (j < bkeys.size() && bkeys[j] != akeys[i]) ++j;
      if (j == bkeys.size()) return true;
      match[i] = j;
    }
    auto step = [&](auto&& self, size_t i) -> bool {
      if (i == akeys.size()) return k();
      return unify(*a.items[2 * i + 1], *b.items[2 * match[i] + 1], f, [&] { return self(self, i + 1); });
    };
    return step(step, 0);
  }
  if (has_unbound_pattern(a, f)) {
    if (a.kind == TermKind::Var && has_unbound_pattern(b, f) && b.kind == TermKind::Var)
      fail(code::kInternal, "cannot unify two unbound variables " + a.name + " and " + b.name, a.loc);
    return eval_term(b, f, [&](const Value& v) { return unify_value(a, v, f, k); });
  }
  return eval_term(a, f, [&](const Value& v) { return unify_value(b, v, f, k); });
}

bool Evaluator::unify_value(const Term& t, const Value& v, Frame& f, Cont k) {
  switch (t.kind) {
    case TermKind::Var: {
      if (t.slot < 0) {
        const Value* cur = var_value(t, f);
        if (t.slot == ast::kDataRoot) {
          auto d = document({});
          return d && *d == v ? k() : true;
        }
        return cur && *cur == v ? k() : true;
      }
      size_t s = static_cast<size_t>(t.slot);
      if (f.bound[s]) return *f.bound[s] == v ? k() : true;
      bind(f, t.slot, v);
      size_t m = trail_.size() - 1;
      bool r = k();
      undo(m);
      return r;
    }
    case TermKind::Scalar: return t.value == v ? k() : true;
    case TermKind::Array: {
      if (!v.is_array() || v.as_array().size() != t.items.size()) return true;
      const auto& items = v.as_array();
      auto step = [&](auto&& self, size_t i) -> bool {
        if (i == items.size()) return k();
        return unify_value(*t.items[i], items[i], f, [&] { return self(self, i + 1); });
      };
      return step(step, 0);
    }
    case TermKind::Object: {
      if (!v.is_object() || v.as_object().size() * 2 != t.items.size()) return true;
      auto step = [&](auto&& self, size_t i) -> bool {
        if (i == t.items.size()) return k();
        return eval_term(*t.items[i], f, [&](const Value& key) {
          const Value* found = v.get(key);
          if (!found) return true;
          return unify_value(*t.items[i + 1], *found, f, [&] { return self(self, i + 2); });
        });
      };
      return step(step, 0);
    }
    default:
      return eval_term(t, f, [&](const Value& x) { return x == v ? k() : true; });
  }
}

}  // namespace rego::eval
