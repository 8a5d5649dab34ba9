// What the server asks of a compiled policy's rule tree (engine.h): which paths rules define, and whether
// base data written by the Data API would collide with them.
#include <functional>

#include "rego/engine.h"
#include "rego/policy.h"

namespace rego {
namespace {

using eval::RuleNode;

Location first_location(const RuleNode& node) {
  if (!node.rules.empty() && node.rules.front().rule) return node.rules.front().rule->loc;
  if (node.default_rule) return node.default_rule->loc;
  return {};
}

// Walks the constant-keyed part of the tree: a non-string key (a dynamic head like `p[x]`) ends the walk,
// as OPA's conflict check stops at refs it cannot name.
void collect(const RuleNode& node, std::vector<std::string>& path, std::vector<RulePath>& out) {
  if (node.has_rules) out.push_back({path, first_location(node)});
  for (const auto& [key, child] : node.children) {
    if (!key.is_string()) continue;
    path.push_back(key.as_string());
    collect(*child, path, out);
    path.pop_back();
  }
}

}  // namespace

std::vector<RulePath> rule_paths(const CompiledPolicy& policy) {
  std::vector<RulePath> out;
  std::vector<std::string> path;
  collect(policy.root, path, out);
  return out;
}

bool calls_network(const CompiledPolicy& policy) { return policy.calls_network; }

const json::Projection& request_projection(const CompiledPolicy& policy) { return policy.request_projection; }

bool has_rules_at(const CompiledPolicy& policy, const std::vector<std::string>& path) {
  const RuleNode* node = &policy.root;
  for (const auto& key : path) {
    if (node->has_rules) return true;  // a rule above defines this document too
    node = node->child(Value::string(key));
    if (!node) return false;
  }
  return node->has_rules || node->has_rules_below;
}

Errors check_path_conflicts(const CompiledPolicy& policy,
                            const std::function<bool(const std::vector<std::string>&)>& exists) {
  Errors errors;
  for (const auto& rp : rule_paths(policy)) {
    if (rp.path.empty() || !exists(rp.path)) continue;
    std::string joined;
    for (const auto& p : rp.path) joined += (joined.empty() ? "" : "/") + p;
    errors.push_back(Error{code::kCompile, "conflicting rule for data path " + joined + " found", rp.location});
  }
  return errors;
}

}  // namespace rego
