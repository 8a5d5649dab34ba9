// Which parts of `input` a compiled policy can read (compiler.h's project_input).
//
// A policy reaches input only through the `input` root, which the resolver has marked in every term that names
// it (Term::slot == kInputRoot): as the head of a ref (`input.subject.id`, imports rewritten into such refs) or
// on its own (`x := input`, `walk(input)`). A ref can read no more than the subtree at its constant string
// prefix (`input.resource.tags[i]` reads within input.resource.tags); a bare `input` reads everything. The
// union of those subtrees over every term of every rule (heads, bodies, `else`, comprehensions, `every`,
// `with` targets and values) bounds what any evaluation of the policy's rules can read, so an input built only
// from that part evaluates alike (the rule index reads input paths that are refs in the rules' bodies).
//
// `with input as v` replaces input without reading it, so that target is not counted; `with input.a as v`
// patches input below a, and counts as reading input.a (more than it needs, never less). Queries are compiled
// separately and may read anything: the projection covers the policy's rules only.
#include "rego/compiler.h"

#include <map>
#include <string_view>

namespace rego::compiler {
namespace {

using ast::Term;
using ast::TermKind;

// The paths read so far, as a tree: a node is read whole, or only the members below it.
struct ReadTree {
  bool whole = false;
  std::map<std::string, ReadTree, std::less<>> members;

  // Marks the subtree at the ref's constant string prefix (items[1..]) as read.
  void read(const Term& ref) {
    ReadTree* node = this;
    for (size_t i = 1; i < ref.items.size() && !node->whole; ++i) {
      const Term& key = *ref.items[i];
      if (key.kind != TermKind::Scalar || !key.value.is_string()) break;  // a variable or number key: all below
      node = &node->members[key.value.as_string()];
    }
    node->whole = true;
    node->members.clear();
  }

  json::Projection projection() const {
    json::Projection p;
    p.whole = whole;
    if (whole) return p;
    for (const auto& [key, child] : members) p.members.push_back({key, child.projection()});  // sorted by key
    return p;
  }
};

class InputReads {
 public:
  void rule(const ast::Rule& r) {
    for (const auto& t : r.head.ref) term(*t);
    if (r.head.key) term(*r.head.key);
    for (const auto& t : r.head.args) term(*t);
    for (const ast::Rule* link = &r; link; link = link->else_rule.get()) {
      if (link->head.value) term(*link->head.value);
      body(link->body);
    }
  }

  const ReadTree& tree() const { return tree_; }

 private:
  static bool is_input(const Term& t) { return t.kind == TermKind::Var && t.slot == ast::kInputRoot; }
  // The target of `with input as v`: the variable, or a ref of it alone.
  static bool replaces_input(const Term& target) {
    return is_input(target) || (target.kind == TermKind::Ref && target.items.size() == 1 && is_input(*target.items[0]));
  }

  void body(const ast::Body& b) {
    for (const ast::Expr& e : b) {
      for (const auto& t : e.terms) term(*t);
      body(e.body);
      for (const ast::With& w : e.with) {
        if (!replaces_input(*w.target)) term(*w.target);  // `with input as v` reads nothing of the input it replaces
        term(*w.value);
      }
    }
  }

  void term(const Term& t) {
    if (tree_.whole) return;
    if (is_input(t)) {
      tree_.whole = true;
      return;
    }
    size_t first = 0;
    if (t.kind == TermKind::Ref && !t.items.empty() && is_input(*t.items[0])) {
      tree_.read(t);
      first = 1;  // keys of the ref may read input too: input.a[input.b]
    }
    for (size_t i = first; i < t.items.size(); ++i) term(*t.items[i]);
    body(t.body);
  }

  ReadTree tree_;
};

}  // namespace

json::Projection project_input(const CompiledPolicy& policy) {
  InputReads reads;
  for (const ast::Module& module : policy.modules)
    for (const auto& rule : module.rules) reads.rule(*rule);
  return reads.tree().projection();
}

}  // namespace rego::compiler
