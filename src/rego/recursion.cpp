// Recursion check: a rule or function may not depend on itself, directly or through others
// (rego_recursion_error), as OPA forbids. Dependencies are found by walking every data reference and call;
// a reference with a variable in it (`data.pkg[x]`) depends on every rule it could reach.
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "rego/compiler.h"

namespace rego::compiler {
namespace {

using ast::Term;
using ast::TermKind;
using eval::RuleNode;

void rule_nodes_below(const RuleNode& n, std::set<const RuleNode*>& out) {
  if (n.has_rules) out.insert(&n);
  for (auto& [k, c] : n.children)
    if (c->has_rules_below) rule_nodes_below(*c, out);
}

class DependencyCollector {
 public:
  DependencyCollector(const CompiledPolicy& policy, std::set<const RuleNode*>& out) : policy_(policy), out_(out) {}

  void term(const Term& t) {
    if (t.kind == TermKind::Ref && t.items[0]->kind == TermKind::Var && t.items[0]->slot == ast::kDataRoot) {
      data_ref(t);
      for (size_t i = 1; i < t.items.size(); ++i) term(*t.items[i]);
      return;
    }
    if (t.kind == TermKind::Call && t.resolved_kind == ast::kResolvedFunction)
      out_.insert(static_cast<const RuleNode*>(t.resolved));
    if (t.kind == TermKind::Var && t.slot == ast::kDataRoot) rule_nodes_below(policy_.root, out_);
    for (auto& i : t.items) term(*i);
    body(t.body);
  }
  void body(const ast::Body& b) {
    for (auto& e : b) {
      for (auto& t : e.terms) term(*t);
      body(e.body);
      for (auto& w : e.with) term(*w.value);
    }
  }

 private:
  void data_ref(const Term& ref) { match(policy_.root, ref, 1); }

  // The rules a ref can reach from `node` on, item i: a constant item follows one child, any other item
  // (a variable, a call) may be any child; a rule reached on the way is a dependency (its value is indexed).
  void match(const RuleNode& node, const Term& ref, size_t i) {
    if (node.has_rules) {
      out_.insert(&node);
      return;
    }
    if (i == ref.items.size()) {
      rule_nodes_below(node, out_);
      return;
    }
    const Term& p = *ref.items[i];
    if (p.kind == TermKind::Scalar) {
      if (const RuleNode* c = node.child(p.value)) match(*c, ref, i + 1);
      return;
    }
    for (auto& [k, c] : node.children)
      if (c->has_rules_below) match(*c, ref, i + 1);
  }

  const CompiledPolicy& policy_;
  std::set<const RuleNode*>& out_;
};

}  // namespace

void check_recursion(const CompiledPolicy& policy, Errors& errors) {
  std::map<const RuleNode*, std::set<const RuleNode*>> deps;
  std::map<const RuleNode*, const ast::Rule*> first_rule;
  std::function<void(const RuleNode&)> collect = [&](const RuleNode& n) {
    if (n.has_rules) {
      auto& d = deps[&n];
      DependencyCollector dc(policy, d);
      auto add_rule = [&](const ast::Rule& rule) {
        if (!first_rule.count(&n)) first_rule[&n] = &rule;
        for (const ast::Rule* r = &rule; r; r = r->else_rule.get()) {
          dc.body(r->body);
          if (r->head.value) dc.term(*r->head.value);
        }
        if (rule.head.key) dc.term(*rule.head.key);
        for (auto& t : rule.head.ref) dc.term(*t);
      };
      for (auto& cr : n.rules) add_rule(*cr.rule);
      if (n.default_rule) add_rule(*n.default_rule);
    }
    for (auto& [k, c] : n.children) collect(*c);
  };
  collect(policy.root);

  // Depth-first search for a cycle, reporting each recursive rule once.
  std::map<const RuleNode*, int> state;  // 0 new, 1 on stack, 2 done
  std::vector<const RuleNode*> stack;
  std::set<const RuleNode*> reported;
  std::function<void(const RuleNode*)> visit = [&](const RuleNode* n) {
    state[n] = 1;
    stack.push_back(n);
    for (const RuleNode* d : deps[n]) {
      if (state[d] == 1) {
        if (reported.insert(d).second) {
          std::string path;
          auto it = std::find(stack.begin(), stack.end(), d);
          for (; it != stack.end(); ++it) path += (*it)->path + " -> ";
          path += d->path;
          const ast::Rule* r = first_rule[d];
          errors.push_back({code::kRecursion, "rule " + d->path + " is recursive: " + path, r ? r->loc : Location{}});
        }
      } else if (state[d] == 0) {
        visit(d);
      }
    }
    stack.pop_back();
    state[n] = 2;
  };
  for (auto& [n, d] : deps)
    if (state[n] == 0) visit(n);
}

}  // namespace rego::compiler
