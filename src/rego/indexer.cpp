// Rule indexing: for a document defined by many rules, group the rules by the constant they require of one
// input field (`input.kind == "Pod"`), so evaluation runs only the rules that can match.
#include <map>

#include "rego/compiler.h"

namespace rego::compiler {
namespace {

using ast::Term;
using ast::TermKind;

constexpr size_t kMinRulesToIndex = 8;

// If e is `input.a.b == const` (or `=`, either order), returns the path ["a","b"] and the constant.
bool equality_on_input(const ast::Expr& e, std::vector<Value>& path, Value& constant) {
  if (e.negated || !e.with.empty() || e.kind != ast::ExprKind::Term) return false;
  const Term& t = *e.terms[0];
  if (t.kind != TermKind::Call || t.items.size() != 2) return false;
  if (!(t.resolved_kind == ast::kResolvedEq || t.name == "equal")) return false;
  for (int side = 0; side < 2; ++side) {
    const Term& ref = *t.items[static_cast<size_t>(side)];
    const Term& val = *t.items[static_cast<size_t>(1 - side)];
    if (val.kind != TermKind::Scalar || ref.kind != TermKind::Ref) continue;
    if (ref.items[0]->kind != TermKind::Var || ref.items[0]->slot != ast::kInputRoot) continue;
    path.clear();
    bool ok = ref.items.size() > 1;
    for (size_t i = 1; i < ref.items.size() && ok; ++i) {
      if (ref.items[i]->kind != TermKind::Scalar) ok = false;
      else path.push_back(ref.items[i]->value);
    }
    if (!ok) continue;
    constant = val.value;
    return true;
  }
  return false;
}

void index_node(eval::RuleNode& node) {
  if (node.is_function || node.rules.size() < kMinRulesToIndex) return;
  // The input path most rules test.
  std::map<std::vector<Value>, size_t> counts;
  for (auto& cr : node.rules) {
    if (cr.rule->else_rule) return;
    for (auto& e : cr.rule->body) {
      std::vector<Value> p;
      Value c;
      if (equality_on_input(e, p, c)) counts[p]++;
    }
  }
  if (counts.empty()) return;
  auto best = counts.begin();
  for (auto it = counts.begin(); it != counts.end(); ++it)
    if (it->second > best->second) best = it;
  if (best->second * 2 < node.rules.size()) return;  // not selective enough to pay off
  auto index = std::make_unique<eval::RuleIndex>();
  index->input_path = best->first;
  for (size_t i = 0; i < node.rules.size(); ++i) {
    bool indexed = false;
    for (auto& e : node.rules[i].rule->body) {
      std::vector<Value> p;
      Value c;
      if (equality_on_input(e, p, c) && p == index->input_path) {
        index->by_value[c].push_back(i);
        indexed = true;
        break;
      }
    }
    if (!indexed) index->unindexed.push_back(i);
  }
  node.index = std::move(index);
}

void index_tree(eval::RuleNode& node) {
  index_node(node);
  for (auto& [k, c] : node.children) index_tree(*c);
}

}  // namespace

void build_indexes(CompiledPolicy& policy) { index_tree(policy.root); }

}  // namespace rego::compiler
