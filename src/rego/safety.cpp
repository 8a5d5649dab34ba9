// Safety: reorders each body so that every variable is bound before an expression reads it, as OPA's
// compiler does, and reports rego_unsafe_var_error for variables that no order can bind.
//
// An expression is placeable once its inputs are bound. Inputs are the variables it must read: ref heads,
// built-in arguments, captured variables of closures, everything in a negated expression that the rest of the
// body shares. Outputs are what evaluating it binds: ref path variables (iteration), call output operands,
// either side of a unification once the other side can be evaluated, `some ... in` keys and values.
#include <algorithm>
#include <functional>
#include <set>
#include <unordered_map>

#include "rego/builtins/registry.h"
#include "rego/compiler.h"

namespace rego::compiler {
namespace {

using ast::Term;
using ast::TermKind;

class Orderer {
 public:
  Orderer(std::vector<bool>& bound, Errors& errors) : bound_(bound), errors_(errors) {}

  void order(ast::Body& body) {
    // How many expressions mention each slot: a negated expression must wait for shared variables.
    std::unordered_map<int, int> uses;
    for (auto& e : body) {
      std::vector<int> vs;
      expr_vars(e, vs);
      std::sort(vs.begin(), vs.end());
      vs.erase(std::unique(vs.begin(), vs.end()), vs.end());
      for (int v : vs) uses[v]++;
    }
    ast::Body out;
    out.reserve(body.size());
    std::vector<bool> placed(body.size(), false);
    for (size_t n = 0; n < body.size(); ++n) {
      bool progress = false;
      for (size_t i = 0; i < body.size(); ++i) {
        if (placed[i] || !placeable(body[i], uses)) continue;
        bind_expr(body[i]);
        placed[i] = true;
        out.push_back(std::move(body[i]));
        progress = true;
        break;
      }
      if (!progress) {
        for (size_t i = 0; i < body.size(); ++i)
          if (!placed[i]) report_unsafe(body[i]);
        return;
      }
    }
    body = std::move(out);
  }

  // Checks that a (head) term can be evaluated once the body has run; reports its unbound variables otherwise.
  // Ref path variables are fine: they enumerate (`q := xs[_]`).
  void require_bound(const Term& t) {
    if (evaluable(t)) return;
    std::vector<const Term*> vs;
    input_var_terms(t, vs);
    for (auto* v : vs)
      if (!is_bound(v->slot)) unsafe(*v);
  }

 private:
  bool is_bound(int slot) const { return slot < 0 || (static_cast<size_t>(slot) < bound_.size() && bound_[slot]); }
  void bind(int slot) {
    if (slot >= 0) {
      if (static_cast<size_t>(slot) >= bound_.size()) bound_.resize(slot + 1, false);
      bound_[slot] = true;
    }
  }

  void unsafe(const Term& v) {
    if (reported_.insert(v.slot).second) {
      std::string name = v.name.rfind("$_", 0) == 0 ? "_" : v.name;
      errors_.push_back({code::kUnsafeVar, "var " + name + " is unsafe", v.loc});
    }
  }

  // ---- variable collection ----
  // The variables a term reads (not those its refs bind by iteration).
  static void input_var_terms(const Term& t, std::vector<const Term*>& out) {
    if (t.kind == TermKind::Ref) {
      input_var_terms(*t.items[0], out);
      for (size_t i = 1; i < t.items.size(); ++i)
        if (t.items[i]->kind != TermKind::Var && t.items[i]->kind != TermKind::Scalar) input_var_terms(*t.items[i], out);
      return;
    }
    var_terms(t, out);
  }
  static void var_terms(const Term& t, std::vector<const Term*>& out) {
    if (t.kind == TermKind::Var) {
      if (t.slot >= 0) out.push_back(&t);
      return;
    }
    if (t.kind == TermKind::ArrayCompr || t.kind == TermKind::SetCompr || t.kind == TermKind::ObjectCompr) {
      closure_captures(t, t.slot, out);
      return;
    }
    for (auto& i : t.items) var_terms(*i, out);
  }
  // Variables of a closure (comprehension, every body) that belong to an enclosing scope.
  static void closure_captures(const Term& t, int base, std::vector<const Term*>& out) {
    std::vector<const Term*> all;
    for (auto& i : t.items) all_vars(*i, all);
    for (auto& e : t.body) expr_all_vars(e, all);
    for (auto* v : all)
      if (v->slot < base) out.push_back(v);
  }
  static void all_vars(const Term& t, std::vector<const Term*>& out) {
    if (t.kind == TermKind::Var) {
      if (t.slot >= 0) out.push_back(&t);
      return;
    }
    for (auto& i : t.items) all_vars(*i, out);
    for (auto& e : t.body) expr_all_vars(e, out);
  }
  static void expr_all_vars(const ast::Expr& e, std::vector<const Term*>& out) {
    for (auto& t : e.terms) all_vars(*t, out);
    for (auto& b : e.body) expr_all_vars(b, out);
    for (auto& w : e.with) all_vars(*w.value, out);
  }
  static void expr_vars(const ast::Expr& e, std::vector<int>& out) {
    std::vector<const Term*> ts;
    expr_var_terms(e, ts);
    for (auto* t : ts) out.push_back(t->slot);
  }
  static void expr_var_terms(const ast::Expr& e, std::vector<const Term*>& ts) {
    if (e.kind == ast::ExprKind::Every) {
      var_terms(*e.terms[2], ts);
      std::vector<const Term*> all;
      for (auto& b : e.body) expr_all_vars(b, all);
      for (auto* v : all)
        if (v->slot < e.closure_base) ts.push_back(v);
    } else {
      for (auto& t : e.terms) var_terms(*t, ts);
    }
    for (auto& w : e.with) var_terms(*w.value, ts);
  }

  // ---- evaluability ----
  // Can the term be evaluated now (all its inputs bound)? Ref path variables are outputs, not inputs.
  bool evaluable(const Term& t) const {
    switch (t.kind) {
      case TermKind::Scalar: return true;
      case TermKind::Var: return is_bound(t.slot);
      case TermKind::Ref:
        if (!evaluable(*t.items[0])) return false;
        for (size_t i = 1; i < t.items.size(); ++i)
          if (!pattern_ok(*t.items[i])) return false;
        return true;
      case TermKind::Call: return call_inputs_bound(t);
      case TermKind::ArrayCompr:
      case TermKind::SetCompr:
      case TermKind::ObjectCompr: {
        std::vector<const Term*> caps;
        closure_captures(t, t.slot, caps);
        for (auto* v : caps)
          if (!is_bound(v->slot)) return false;
        return true;
      }
      default:
        for (auto& i : t.items)
          if (!evaluable(*i)) return false;
        return true;
    }
  }
  // A pattern: its variables get bound (by iterating a ref path, or by unification); what cannot be bound that
  // way (nested refs, calls) must be evaluable on its own.
  bool pattern_ok(const Term& t) const {
    switch (t.kind) {
      case TermKind::Var:
      case TermKind::Scalar: return true;
      case TermKind::Array:
      case TermKind::Object:
        for (auto& i : t.items)
          if (!pattern_ok(*i)) return false;
        return true;
      default: return evaluable(t);
    }
  }
  size_t input_count(const Term& call) const {
    size_t n = call.items.size();
    if (call.resolved_kind == ast::kResolvedMetadataRule || call.resolved_kind == ast::kResolvedMetadataChain) return 0;
    if (call.resolved_kind == ast::kResolvedBuiltin) {
      auto* b = static_cast<const Builtin*>(call.resolved);
      if (n == static_cast<size_t>(b->arity) + 1) return n - 1;
    } else if (call.resolved_kind == ast::kResolvedFunction) {
      auto* f = static_cast<const eval::RuleNode*>(call.resolved);
      if (n == f->arity + 1) return n - 1;
    }
    return n;
  }
  bool call_inputs_bound(const Term& call) const {
    if (call.resolved_kind == ast::kResolvedEq || call.resolved_kind == ast::kResolvedAssign) return eq_placeable(call);
    size_t n = input_count(call);
    for (size_t i = 0; i < n; ++i) {
      const Term& arg = *call.items[i];
      if (evaluable(arg)) continue;
      // `foo == input.foos[foo]`: a variable operand may be bound by iterating a ref in another operand (the
      // evaluator evaluates such operands first).
      if (arg.kind == TermKind::Var && bound_by_sibling_ref(call, n, arg.slot)) continue;
      return false;
    }
    return true;
  }
  static bool in_ref_path(const Term& t, int slot) {
    if (t.kind == TermKind::Ref) {
      for (size_t i = 1; i < t.items.size(); ++i)
        if ((t.items[i]->kind == TermKind::Var && t.items[i]->slot == slot) || in_ref_path(*t.items[i], slot)) return true;
      return false;
    }
    for (auto& i : t.items)
      if (in_ref_path(*i, slot)) return true;
    return false;
  }
  bool bound_by_sibling_ref(const Term& call, size_t n, int slot) const {
    for (size_t j = 0; j < n; ++j) {
      const Term& other = *call.items[j];
      if (other.kind != TermKind::Var && in_ref_path(other, slot) && evaluable(other)) return true;
    }
    return false;
  }
  bool eq_placeable(const Term& call) const {
    if (call.items.size() != 2) return false;
    return unify_placeable(*call.items[0], *call.items[1]);
  }
  bool unify_placeable(const Term& a, const Term& b) const {
    if (evaluable(a) || evaluable(b)) return pattern_ok(a) && pattern_ok(b);
    if (a.kind == b.kind && (a.kind == TermKind::Array || a.kind == TermKind::Object) &&
        a.items.size() == b.items.size()) {
      for (size_t i = 0; i < a.items.size(); ++i)
        if (!unify_placeable(*a.items[i], *b.items[i])) return false;
      return true;
    }
    return false;
  }
  bool placeable(const ast::Expr& e, const std::unordered_map<int, int>& uses) const {
    for (auto& w : e.with)
      if (!evaluable(*w.value)) return false;
    if (e.negated) {
      std::vector<int> vs;
      expr_vars(e, vs);
      for (int v : vs) {
        auto it = uses.find(v);
        if (!is_bound(v) && it != uses.end() && it->second > 1) return false;
      }
    }
    switch (e.kind) {
      case ast::ExprKind::SomeDecl: return true;
      case ast::ExprKind::SomeIn: return evaluable(*e.terms.back());
      case ast::ExprKind::Every: {
        if (!evaluable(*e.terms[2])) return false;
        std::vector<const Term*> all;
        for (auto& b : e.body) expr_all_vars(b, all);
        for (auto* v : all)
          if (v->slot < e.closure_base && !is_bound(v->slot)) return false;
        return true;
      }
      case ast::ExprKind::Term: {
        const Term& t = *e.terms[0];
        if (e.negated && t.kind == TermKind::Call &&
            (t.resolved_kind == ast::kResolvedEq || t.resolved_kind == ast::kResolvedAssign))
          return eq_placeable(t);
        return evaluable(t);
      }
    }
    return false;
  }

  // After placing e, everything it mentions is bound (negated expressions bind nothing outside).
  void bind_expr(ast::Expr& e) {
    order_closures(e);
    if (e.negated || e.kind == ast::ExprKind::SomeDecl) return;
    if (e.kind == ast::ExprKind::Every) return;
    std::vector<const Term*> ts;
    for (auto& t : e.terms) var_terms(*t, ts);
    for (auto* t : ts) bind(t->slot);
  }

  // Orders nested closure bodies with what is bound at this point.
  void order_closures(ast::Expr& e) {
    if (e.kind == ast::ExprKind::Every) {
      std::vector<bool> inner = bound_;
      for (int i = 0; i < 2; ++i)
        if (e.terms[i]->kind == TermKind::Var && e.terms[i]->slot >= 0) {
          if (static_cast<size_t>(e.terms[i]->slot) >= inner.size()) inner.resize(e.terms[i]->slot + 1, false);
          inner[e.terms[i]->slot] = true;
        }
      Orderer o(inner, errors_);
      o.order(e.body);
      for (auto& t : e.terms) closures_in(*t);
    } else {
      for (auto& t : e.terms) closures_in(*t);
    }
    for (auto& w : e.with) closures_in(*w.value);
  }
  void closures_in(Term& t) {
    if (t.kind == TermKind::ArrayCompr || t.kind == TermKind::SetCompr || t.kind == TermKind::ObjectCompr) {
      std::vector<bool> inner = bound_;
      Orderer o(inner, errors_);
      o.order(t.body);
      for (auto& i : t.items) {
        closures_in_with(o, *i);
        o.require_bound(*i);
      }
      return;
    }
    for (auto& i : t.items) closures_in(*i);
  }
  static void closures_in_with(Orderer& o, Term& t) { o.closures_in(t); }

  void report_unsafe(const ast::Expr& e) {
    std::vector<const Term*> ts;
    expr_var_terms(e, ts);
    bool any = false;
    for (auto* t : ts)
      if (!is_bound(t->slot)) {
        unsafe(*t);
        any = true;
      }
    if (!any) errors_.push_back({code::kUnsafeVar, "expression is unsafe", e.loc});
  }

  std::vector<bool>& bound_;
  Errors& errors_;
  std::set<int> reported_;
};

}  // namespace

void order_body(ast::Body& body, std::vector<bool>& bound, Errors& errors) {
  Orderer o(bound, errors);
  o.order(body);
}

void order_rule(ast::Rule& rule, Errors& errors) {
  for (ast::Rule* r = &rule; r; r = r->else_rule.get()) {
    std::vector<bool> bound(rule.num_slots, false);
    Orderer o(bound, errors);
    // Function arguments are bound by the call.
    std::vector<const Term*> args;
    for (auto& a : rule.head.args) {
      std::function<void(const Term&)> mark = [&](const Term& t) {
        if (t.kind == TermKind::Var && t.slot >= 0) bound[t.slot] = true;
        for (auto& i : t.items) mark(*i);
      };
      mark(*a);
    }
    o.order(r->body);
    for (size_t i = 1; i < rule.head.ref.size(); ++i) o.require_bound(*rule.head.ref[i]);
    if (rule.head.key) o.require_bound(*rule.head.key);
    if (r->head.value) o.require_bound(*r->head.value);
  }
}

}  // namespace rego::compiler
