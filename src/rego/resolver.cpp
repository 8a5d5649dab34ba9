// Name resolution: every variable becomes a frame slot, a rule name or import becomes a data/input ref, and
// every call points at its built-in or function. Also checks call arity (rego_type_error).
//
// Scoping follows Rego: a rule (head and body) is one scope; each comprehension and `every` body opens a
// nested scope whose variables are local unless the enclosing scope already has them. `some x` and `x := ...`
// always declare a fresh variable in the current scope; function arguments are locals that shadow rule names.
#include <algorithm>
#include <functional>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "rego/builtins/registry.h"
#include "rego/compiler.h"

namespace rego::compiler {
namespace {

using ast::Term;
using ast::TermKind;
using ast::TermPtr;

struct Scope {
  std::unordered_map<std::string, int> vars;
  Scope* parent = nullptr;
  int find(const std::string& name) const {
    for (const Scope* s = this; s; s = s->parent) {
      auto it = s->vars.find(name);
      if (it != s->vars.end()) return it->second;
    }
    return -1;
  }
};

TermPtr make_var(const std::string& name, int slot, const Location& loc) {
  auto t = std::make_shared<Term>();
  t->kind = TermKind::Var;
  t->name = name;
  t->slot = slot;
  t->loc = loc;
  return t;
}

TermPtr make_string(const std::string& s, const Location& loc) {
  auto t = std::make_shared<Term>();
  t->kind = TermKind::Scalar;
  t->value = Value::string(s);
  t->loc = loc;
  return t;
}

class Resolver {
 public:
  Resolver(const PackageContext& ctx, Errors& errors) : ctx_(ctx), errors_(errors) {
    if (ctx.imports) {
      for (auto& imp : *ctx.imports) {
        if (imp.path.empty() || imp.path[0]->kind != TermKind::Var) continue;
        const std::string& root = imp.path[0]->name;
        if (root != "data" && root != "input") continue;  // future.keywords, rego.v1
        std::string alias = imp.alias;
        if (alias.empty()) {
          auto& last = imp.path.back();
          alias = last->kind == TermKind::Scalar && last->value.is_string() ? last->value.as_string() : last->name;
        }
        imports_[alias] = &imp.path;
      }
    }
  }

  int slots() const { return next_slot_; }

  // ---- scopes ----
  void declare(Scope& s, const std::string& name) {
    if (!s.vars.count(name)) s.vars[name] = next_slot_++;
  }
  bool is_global(const std::string& name) const {
    return name == "data" || name == "input" || imports_.count(name) || is_rule_name(name);
  }

  // Variables an expression declares explicitly: `some`, `some ... in`, the left of `:=`. They are in scope
  // from that expression on (a closure written before the declaration does not see them).
  template <class F>
  void explicit_names(const ast::Expr& e, F&& f) {
    if (e.kind == ast::ExprKind::SomeDecl) {
      for (auto& t : e.terms) collect_vars(*t, f);
    } else if (e.kind == ast::ExprKind::SomeIn) {
      for (size_t i = 0; i + 1 < e.terms.size(); ++i) collect_vars(*e.terms[i], f);
    } else if (e.kind == ast::ExprKind::Term && e.terms.size() == 1 && e.terms[0]->kind == TermKind::Call &&
               e.terms[0]->name == "assign" && e.terms[0]->items.size() == 2) {
      collect_vars(*e.terms[0]->items[0], f);
    }
  }

  // Resolves a body in scope s: implicit variables (those never declared explicitly) belong to the whole
  // body; explicit declarations take effect in order.
  void resolve_scoped_body(ast::Body& body, Scope& s) {
    std::unordered_set<std::string> explicit_set;
    for (auto& e : body) explicit_names(e, [&](const std::string& n) { explicit_set.insert(n); });
    declare_implicit(body, s, explicit_set);
    for (auto& e : body) {
      explicit_names(e, [&](const std::string& n) { declare(s, n); });
      resolve_expr(e, s);
    }
  }

  // Calls f for each variable name outside nested closures.
  template <class F>
  void collect_vars(const Term& t, F&& f) {
    switch (t.kind) {
      case TermKind::Var: f(t.name); break;
      case TermKind::ArrayCompr:
      case TermKind::SetCompr:
      case TermKind::ObjectCompr: break;  // a closure: its own scope
      case TermKind::Call:
        for (auto& i : t.items) collect_vars(*i, f);
        break;
      default:
        for (auto& i : t.items) collect_vars(*i, f);
    }
  }

  void declare_implicit(ast::Body& body, Scope& s, const std::unordered_set<std::string>& explicit_set) {
    auto add = [&](const std::string& n) {
      if (!explicit_set.count(n) && s.find(n) < 0 && !is_global(n)) declare(s, n);
    };
    for (auto& e : body) {
      if (e.kind == ast::ExprKind::Every) {
        collect_vars(*e.terms[2], add);
        continue;
      }
      for (auto& t : e.terms) collect_vars(*t, add);
      for (auto& w : e.with)
        if (!names_function(*w.value, s)) collect_vars(*w.value, add);
    }
  }

  // A `with` value naming a function or built-in (`with count as mock_count`) is not a variable.
  bool names_function(const Term& v, const Scope& s) const {
    std::string name = target_name(v);
    if (name.empty() || s.find(name) >= 0) return false;
    std::string first = name.substr(0, name.find('.'));
    if (ctx_.policy->functions.count(qualify(name))) return true;
    return !is_rule_name(first) && !imports_.count(first) && builtins().find(name) != nullptr;
  }

  // ---- resolution ----
  void resolve_expr(ast::Expr& e, Scope& s) {
    if (e.kind == ast::ExprKind::Every) {
      resolve_term(e.terms[2], s);
      Scope inner{{}, &s};
      e.closure_base = next_slot_;
      for (int i = 0; i < 2; ++i)
        if (e.terms[i]->kind == TermKind::Var) declare(inner, e.terms[i]->name);
      for (int i = 0; i < 2; ++i)
        if (e.terms[i]->kind == TermKind::Var) resolve_term(e.terms[i], inner);
      resolve_scoped_body(e.body, inner);
    } else {
      for (auto& t : e.terms) resolve_term(t, s);
    }
    for (auto& w : e.with) {
      resolve_with_target(w, s);
      resolve_with_value(w.value, s);
    }
    e.shape = classify_expr(e);
  }

  void resolve_with_target(ast::With& w, Scope& s) {
    Term& t = *w.target;
    std::string name = target_name(t);
    if (name == "input" || name.rfind("input.", 0) == 0 || name == "data" || name.rfind("data.", 0) == 0) {
      if (t.kind == TermKind::Var) {
        t.slot = name == "data" ? ast::kDataRoot : ast::kInputRoot;
      } else {
        resolve_term(w.target, s);
      }
      // A `with data.f as ...` whose target is a function is a function replacement.
      if (name.rfind("data.", 0) == 0) {
        auto fn = ctx_.policy->functions.find(name);
        if (fn != ctx_.policy->functions.end()) {
          t.resolved = fn->second;
          t.resolved_kind = ast::kResolvedFunction;
        }
      }
      return;
    }
    // A function or built-in name.
    if (!resolve_function_name(t, name, w.loc, /*check_arity_args=*/-1))
      errors_.push_back({code::kType, "with keyword target must reference existing input, data, or a function",
                         w.loc});
  }

  void resolve_with_value(TermPtr& v, Scope& s) {
    if (names_function(*v, s)) {
      resolve_function_name(*v, target_name(*v), v->loc, -1);
      return;
    }
    resolve_term(v, s);
  }

  // "a.b.c" for a Var or a Ref of string scalars; "" otherwise.
  static std::string target_name(const Term& t) {
    if (t.kind == TermKind::Var) return t.name;
    if (t.kind != TermKind::Ref || t.items.empty() || t.items[0]->kind != TermKind::Var) return "";
    std::string s = t.items[0]->name;
    for (size_t i = 1; i < t.items.size(); ++i) {
      if (t.items[i]->kind != TermKind::Scalar || !t.items[i]->value.is_string()) return "";
      s += "." + t.items[i]->value.as_string();
    }
    return s;
  }

  // Turns a dotted name into its full name: imports and package rules become "data.…".
  std::string qualify(const std::string& name) const {
    std::string first = name.substr(0, name.find('.'));
    std::string rest = first.size() < name.size() ? name.substr(first.size()) : "";
    auto imp = imports_.find(first);
    if (imp != imports_.end()) {
      std::string s = (*imp->second)[0]->name;
      for (size_t i = 1; i < imp->second->size(); ++i) {
        auto& it = (*imp->second)[i];
        s += "." + (it->value.is_string() ? it->value.as_string() : it->name);
      }
      return s + rest;
    }
    if (is_rule_name(first)) {
      std::string s = "data";
      for (auto& p : ctx_.package) s += "." + p;
      return s + "." + name;
    }
    return name;
  }

  bool resolve_function_name(Term& t, const std::string& name, const Location& loc, int nargs) {
    std::string full = qualify(name);
    if (full.rfind("data.", 0) == 0) {
      auto fn = ctx_.policy->functions.find(full);
      if (fn == ctx_.policy->functions.end()) return false;
      t.resolved = fn->second;
      t.resolved_kind = ast::kResolvedFunction;
      if (nargs >= 0 && nargs != static_cast<int>(fn->second->arity) &&
          nargs != static_cast<int>(fn->second->arity) + 1)
        errors_.push_back({code::kType, "function " + full + " has arity " + std::to_string(fn->second->arity) +
                                            ", got " + std::to_string(nargs) + " arguments",
                           loc});
      return true;
    }
    if (full == "eq" || full == "assign") {
      t.resolved_kind = full == "eq" ? ast::kResolvedEq : ast::kResolvedAssign;
      return true;
    }
    if (full == "print" || full == "internal.print") {
      t.resolved_kind = ast::kResolvedPrint;
      return true;
    }
    if (full == "rego.metadata.rule" || full == "rego.metadata.chain") {
      t.resolved_kind = full == "rego.metadata.rule" ? ast::kResolvedMetadataRule : ast::kResolvedMetadataChain;
      if (nargs > 1) errors_.push_back({code::kType, full + ": arity mismatch: takes no arguments", loc});
      return true;
    }
    const Builtin* b = builtins().find(full);
    if (!b) return false;
    t.resolved = b;
    t.resolved_kind = ast::kResolvedBuiltin;
    if (b->waits_on_network && ctx_.calls_network) *ctx_.calls_network = true;
    if (nargs >= 0 && nargs != b->arity && nargs != b->arity + 1)
      errors_.push_back({code::kType, full + ": arity mismatch\n\thave: " + std::to_string(nargs) +
                                          " arguments\n\twant: " + std::to_string(b->arity) + " arguments",
                         loc});
    else if (nargs >= 0)
      check_operand_kinds(t, full, static_cast<size_t>(b->arity), errors_);
    return true;
  }

  // Replaces a global var (or a ref headed by one) with the data/input ref it names.
  void rewrite_global(TermPtr& t, const std::string& name, std::vector<TermPtr> rest) {
    std::vector<TermPtr> items;
    auto imp = imports_.find(name);
    if (imp != imports_.end()) {
      for (auto& p : *imp->second) items.push_back(p);
      items[0] = make_var(items[0]->name, items[0]->name == "data" ? ast::kDataRoot : ast::kInputRoot, t->loc);
    } else {
      items.push_back(make_var("data", ast::kDataRoot, t->loc));
      for (auto& p : ctx_.package) items.push_back(make_string(p, t->loc));
      items.push_back(make_string(name, t->loc));
    }
    for (auto& r : rest) items.push_back(r);
    auto ref = std::make_shared<Term>();
    ref->kind = TermKind::Ref;
    ref->loc = t->loc;
    ref->items = std::move(items);
    t = ref;
  }

  // Prepares a ref into input or data for evaluation without searching: numbers the constant prefix of an
  // input ref (RefPrefix); follows a data ref's constant string prefix through the rule tree (see
  // kResolvedBaseRef/kResolvedRuleRef), mirroring Evaluator::walk_tree — a data ref that ends among the
  // packages (a merged document) or meets a function keeps the general walk.
  void resolve_root_ref(Term& ref) const {
    if (ref.items[0]->kind != TermKind::Var) return;
    int root = ref.items[0]->slot;
    if (root != ast::kDataRoot && root != ast::kInputRoot) return;
    uint32_t prefix = 1;
    while (prefix < ref.items.size() && ref.items[prefix]->kind == TermKind::Scalar) ++prefix;
    if (root == ast::kInputRoot) {
      number_prefix(ref, prefix, eval::kInputPrefix, false);
      return;
    }
    const eval::RuleNode* node = &ctx_.policy->root;
    for (size_t i = 1; i < ref.items.size(); ++i) {
      const Term& item = *ref.items[i];
      if (item.kind != TermKind::Scalar || !item.value.is_string()) return;
      node = node->child(item.value);
      if (!node || !node->has_rules_below) {
        ref.resolved_kind = ast::kResolvedBaseRef;
        number_prefix(ref, prefix, eval::kDataPrefix, true);
        return;
      }
      if (node->has_rules) {
        if (node->is_function) return;
        ref.resolved_kind = ast::kResolvedRuleRef;
        ref.resolved = node;
        ref.resolved_depth = static_cast<uint32_t>(i + 1);
        // The rule's own path in base data, which wins over the rule where present (usually absent).
        number_prefix(ref, ref.resolved_depth, eval::kDataPrefix, true);
        return;
      }
    }
  }

  // Gives ref the id of its constant items[1..end) below root (see RefPrefix), when compiling rules.
  void number_prefix(Term& ref, uint32_t end, uint32_t root, bool base_doc) const {
    if (!ctx_.prefixes || end < 2) return;
    uint32_t id = root;
    for (uint32_t i = 1; i < end; ++i) id = ctx_.prefixes->intern(id, ref.items[i]->value, base_doc);
    ref.prefix_id = id;
    ref.const_prefix = end;
  }

  void resolve_term(TermPtr& t, Scope& s) {
    switch (t->kind) {
      case TermKind::Scalar: return;
      case TermKind::Var: {
        int slot = s.find(t->name);
        if (slot >= 0) {
          t->slot = slot;
        } else if (t->name == "data") {
          t->slot = ast::kDataRoot;
        } else if (t->name == "input") {
          t->slot = ast::kInputRoot;
        } else if (is_global(t->name)) {
          rewrite_global(t, t->name, {});
          resolve_term(t, s);
        } else {
          declare(s, t->name);
          t->slot = s.find(t->name);
        }
        return;
      }
      case TermKind::Ref: {
        auto& head = t->items[0];
        if (head->kind == TermKind::Var && s.find(head->name) < 0 && head->name != "data" &&
            head->name != "input" && is_global(head->name)) {
          std::vector<TermPtr> rest(t->items.begin() + 1, t->items.end());
          std::string name = head->name;
          rewrite_global(t, name, std::move(rest));
        }
        // Flatten a ref whose head is itself a ref (import rewrite of a ref head).
        if (t->items[0]->kind == TermKind::Ref) {
          auto inner = t->items[0];
          std::vector<TermPtr> items = inner->items;
          items.insert(items.end(), t->items.begin() + 1, t->items.end());
          t->items = std::move(items);
        }
        for (auto& i : t->items) resolve_term(i, s);
        resolve_root_ref(*t);
        return;
      }
      case TermKind::Call: {
        for (auto& i : t->items) resolve_term(i, s);
        if (!resolve_function_name(*t, t->name, t->loc, static_cast<int>(t->items.size())))
          errors_.push_back({code::kType, "undefined function " + t->name, t->loc});
        return;
      }
      case TermKind::ArrayCompr:
      case TermKind::SetCompr:
      case TermKind::ObjectCompr: {
        Scope inner{{}, &s};
        t->slot = next_slot_;
        resolve_scoped_body(t->body, inner);
        auto add = [&](const std::string& n) {
          if (inner.find(n) < 0 && !is_global(n)) declare(inner, n);
        };
        for (auto& i : t->items) collect_vars(*i, add);
        for (auto& i : t->items) resolve_term(i, inner);
        return;
      }
      default:
        for (auto& i : t->items) resolve_term(i, s);
        fold_constant_literal(*t);
        return;
    }
  }

  // Marks an Array/Set/Object literal of constants as such and builds its value (see Term::literal_value).
  static void fold_constant_literal(Term& t) {
    if (t.kind != TermKind::Array && t.kind != TermKind::Set && t.kind != TermKind::Object) return;
    std::vector<Value> items;
    items.reserve(t.items.size());
    for (const auto& item : t.items) {
      if (item->kind == TermKind::Scalar) items.push_back(item->value);
      else if (item->constant_literal) items.push_back(item->literal_value);
      else return;
    }
    if (t.kind == TermKind::Array) {
      t.literal_value = Value::array(std::move(items));
    } else if (t.kind == TermKind::Set) {
      t.literal_value = Value::set(std::move(items));
    } else {
      t.literal_value = Value::object_from_pairs(items.data(), items.size() / 2);
    }
    t.constant_literal = true;
  }

  // A function argument that is not a pattern (a template string, a ref, a call) cannot be unified before
  // the body binds its variables: like OPA, replace it with a fresh variable and unify the two at the end of
  // every body of the chain (the safety check then places the unification where it can run).
  static void lift_computed_args(ast::Rule& rule) {
    for (size_t i = 0; i < rule.head.args.size(); ++i) {
      TermPtr& arg = rule.head.args[i];
      if (!is_computed(*arg)) continue;
      std::string name = "__arg" + std::to_string(i) + "__";
      for (ast::Rule* r = &rule; r; r = r->else_rule.get()) {
        auto eq = std::make_shared<Term>();
        eq->kind = TermKind::Call;
        eq->name = "eq";
        eq->loc = arg->loc;
        eq->items = {make_var(name, -1, arg->loc), arg};
        ast::Expr e;
        e.loc = arg->loc;
        e.generated = true;
        e.terms.push_back(eq);
        r->body.push_back(std::move(e));
        if (r != &rule && i < r->head.args.size()) r->head.args[i] = make_var(name, -1, arg->loc);
      }
      arg = make_var(name, -1, arg->loc);
    }
  }
  static bool is_computed(const Term& t) {
    switch (t.kind) {
      case TermKind::Var:
      case TermKind::Scalar: return false;
      case TermKind::Array:
      case TermKind::Object:
      case TermKind::Set:
        for (auto& i : t.items)
          if (is_computed(*i)) return true;
        return false;
      default: return true;
    }
  }

  void resolve_rule(ast::Rule& rule) {
    if (rule.head.kind == ast::RuleKind::Function) lift_computed_args(rule);
    Scope scope;
    auto add = [&](const std::string& n) { declare(scope, n); };
    for (auto& a : rule.head.args) collect_vars(*a, add);
    for (auto& a : rule.head.args) resolve_term(a, scope);
    for (ast::Rule* r = &rule; r; r = r->else_rule.get()) resolve_scoped_body(r->body, scope);
    // Head variables not bound in the body are declared last (and reported unsafe by the safety check).
    auto implicit = [&](const std::string& n) {
      if (scope.find(n) < 0 && !is_global(n)) declare(scope, n);
    };
    for (size_t i = 1; i < rule.head.ref.size(); ++i) collect_vars(*rule.head.ref[i], implicit);
    if (rule.head.key) collect_vars(*rule.head.key, implicit);
    for (ast::Rule* r = &rule; r; r = r->else_rule.get())
      if (r->head.value) collect_vars(*r->head.value, implicit);
    for (size_t i = 1; i < rule.head.ref.size(); ++i) resolve_term(rule.head.ref[i], scope);
    if (rule.head.key) resolve_term(rule.head.key, scope);
    for (ast::Rule* r = &rule; r; r = r->else_rule.get())
      if (r->head.value) resolve_term(r->head.value, scope);
  }

  void resolve_query(ast::Body& body, std::vector<std::pair<std::string, int>>& user_vars) {
    Scope scope;
    resolve_scoped_body(body, scope);
    for (auto& [name, slot] : scope.vars)
      if (!name.empty() && name[0] != '$' && name.rfind("__local", 0) != 0) user_vars.emplace_back(name, slot);
    std::sort(user_vars.begin(), user_vars.end());
  }

 private:
  const PackageContext& ctx_;
  Errors& errors_;
  int next_slot_ = 0;
  std::unordered_map<std::string, const std::vector<TermPtr>*> imports_;
  // The package's rule names: shared, not copied (a resolver is made per rule).
  bool is_rule_name(const std::string& n) const { return ctx_.rule_names && ctx_.rule_names->count(n); }
};

}  // namespace

int resolve_rule(ast::Rule& rule, const PackageContext& ctx, Errors& errors) {
  Resolver r(ctx, errors);
  r.resolve_rule(rule);
  return r.slots();
}

int resolve_query(ast::Body& body, const PackageContext& ctx, std::vector<std::pair<std::string, int>>& user_vars,
                  Errors& errors) {
  Resolver r(ctx, errors);
  r.resolve_query(body, user_vars);
  return r.slots();
}

uint32_t RefPrefixInterner::intern(uint32_t parent, const Value& key, bool base_doc) {
  auto [it, fresh] = index_.try_emplace({parent, key}, static_cast<uint32_t>(table_.size()));
  if (fresh) table_.push_back(eval::RefPrefix{parent, key, base_doc});
  return it->second;
}

void resolve_rules(CompiledPolicy& policy, Errors& errors) {
  RefPrefixInterner prefixes(policy.ref_prefixes);
  std::map<std::vector<std::string>, std::set<std::string>> rule_names;
  for (auto& module : policy.modules)
    for (auto& rule : module.rules)
      if (!rule->head.ref.empty()) rule_names[module.package].insert(rule->head.ref[0]->name);
  for (auto& module : policy.modules) {
    PackageContext ctx;
    ctx.rule_names = &rule_names[module.package];
    ctx.package = module.package;
    ctx.imports = &module.imports;
    ctx.policy = &policy;
    ctx.prefixes = &prefixes;
    ctx.calls_network = &policy.calls_network;
    const eval::RuleNode* node = &policy.root;
    for (auto& seg : module.package) node = node ? node->child(Value::string(seg)) : nullptr;
    ctx.package_node = node;
    for (auto& rule : module.rules) {
      rule->num_slots = resolve_rule(*rule, ctx, errors);
      for (ast::Rule* r = rule->else_rule.get(); r; r = r->else_rule.get()) r->num_slots = rule->num_slots;
    }
  }
  // One frame serves every definition of a node in turn (Evaluator::rule_value): the largest one's size.
  auto size_frames = [](auto& self, eval::RuleNode& node) -> void {
    for (const eval::CompiledRule& cr : node.rules) node.frame_slots = std::max(node.frame_slots, cr.rule->num_slots);
    for (auto& [key, child] : node.children) self(self, *child);
  };
  size_frames(size_frames, policy.root);
}

}  // namespace rego::compiler
