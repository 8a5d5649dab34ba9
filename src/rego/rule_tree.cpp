// Merges every module's rules into the tree of rule nodes (policy.h), keyed by document path.
#include "rego/compiler.h"

namespace rego::compiler {
namespace {

eval::RuleNode* child_of(eval::RuleNode* node, const Value& key) {
  auto& slot = node->children[key];
  if (!slot) {
    slot = std::make_unique<eval::RuleNode>();
    slot->key = key;
    ast::Term key_term;
    key_term.value = key;
    slot->path = node->path + (key.is_string() ? "." + key.as_string() : "[" + ast::term_to_string(key_term) + "]");
  }
  return slot.get();
}

bool mark_rules_below(eval::RuleNode& node) {
  bool below = node.has_rules || node.is_package;
  for (auto& [k, child] : node.children) below |= mark_rules_below(*child);
  node.has_rules_below = below;
  return below;
}

bool is_ground_term(const ast::Term& t) {
  switch (t.kind) {
    case ast::TermKind::Scalar: return true;
    case ast::TermKind::Array:
    case ast::TermKind::Set:
    case ast::TermKind::Object:
      for (auto& i : t.items)
        if (!is_ground_term(*i)) return false;
      return true;
    default: return false;
  }
}

}  // namespace

void build_rule_tree(CompiledPolicy& policy, Errors& errors) {
  policy.root.key = Value::string("data");
  policy.root.path = "data";
  for (auto& module : policy.modules) {
    eval::RuleNode* pkg = &policy.root;
    for (auto& seg : module.package) pkg = child_of(pkg, Value::string(seg));
    pkg->is_package = true;
    for (auto& rule_ptr : module.rules) {
      ast::Rule& rule = *rule_ptr;
      for (ast::Rule* r = &rule; r; r = r->else_rule.get()) r->module = &module;
      auto& ref = rule.head.ref;
      if (ref.empty() || ref[0]->kind != ast::TermKind::Var) {
        errors.push_back({code::kCompile, "rule head must start with a name", rule.loc});
        continue;
      }
      eval::RuleNode* node = child_of(pkg, Value::string(ref[0]->name));
      size_t i = 1;
      for (; i < ref.size() && ref[i]->kind == ast::TermKind::Scalar; ++i) {
        // The last ground item of a partial-object head is its key, not a node (`p["k"] := v` in v0).
        if (rule.head.kind == ast::RuleKind::PartialObj && i + 1 == ref.size()) break;
        node = child_of(node, ref[i]->value);
      }
      eval::CompiledRule cr;
      cr.rule = &rule;
      cr.suffix.assign(ref.begin() + static_cast<long>(i), ref.end());
      if (rule.head.kind == ast::RuleKind::PartialObj && cr.suffix.empty() && rule.head.key)
        cr.suffix.push_back(rule.head.key);
      // A function's value is `true` when its head names none (`f(x) if ...`).
      const bool value_ground = rule.head.value && is_ground_term(*rule.head.value);
      cr.ground_value = (rule.head.kind == ast::RuleKind::Complete && value_ground) ||
                        (rule.head.kind == ast::RuleKind::Function && (!rule.head.value || value_ground));
      if (rule.head.kind == ast::RuleKind::Function) {
        if (node->has_rules && !node->is_function) {
          errors.push_back({code::kType, "conflicting rules " + node->path + " found", rule.loc});
          continue;
        }
        node->is_function = true;
        node->arity = rule.head.args.size();
        policy.functions[node->path] = node;
      } else if (node->is_function) {
        errors.push_back({code::kType, "conflicting rules " + node->path + " found", rule.loc});
        continue;
      }
      node->has_rules = true;
      if (rule.is_default) {
        if (node->default_rule) {
          errors.push_back({code::kType, "multiple default rules " + node->path + " found", rule.loc});
          continue;
        }
        node->default_rule = &rule;
      } else {
        node->rules.push_back(std::move(cr));
      }
    }
  }
  mark_rules_below(policy.root);
  // A node whose definitions are all complete with one constant value can stop at the first success.
  // Also numbers the nodes, so per-query caches can be flat arrays indexed by RuleNode::id.
  std::vector<eval::RuleNode*> stack{&policy.root};
  policy.node_count = 0;
  while (!stack.empty()) {
    auto* n = stack.back();
    stack.pop_back();
    n->id = policy.node_count++;
    for (auto& [k, c] : n->children) {
      stack.push_back(c.get());
      if (k.is_string()) n->named_children.push_back({k.as_string(), c.get()});
    }
    if (n->rules.empty()) continue;
    // Stops at the first rule that differs: rules[0] is checked first, so it is ground when compared against (a
    // partial set rule, `p contains x`, is not, and may share the node with `p if ...` here, before the
    // conflict is reported). A function without a head value has the value true.
    auto value_of = [](const eval::CompiledRule& r) {
      return r.rule->head.value ? r.rule->head.value->value : Value::boolean(true);
    };
    bool same = true;
    for (auto& r : n->rules) {
      if (!r.ground_value || !r.suffix.empty() || r.rule->else_rule ||
          (r.rule->head.value && r.rule->head.value->kind != ast::TermKind::Scalar) ||
          value_of(r) != value_of(n->rules[0])) {
        same = false;
        break;
      }
    }
    n->all_ground_same = same;
  }
}

}  // namespace rego::compiler
