// The compiled policy: every module merged into one tree of rules, keyed by document path.
//
// Internal to the engine (engine.h keeps CompiledPolicy opaque). The compiler (compiler.cpp) builds it; the
// evaluator (eval*.cpp) only reads it. After compile() returns nothing in here changes, so any number of
// evaluations share one instance without locks.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rego/ast.h"
#include "rego/json.h"
#include "rego/value.h"

namespace rego {

namespace eval {

// One rule definition as the evaluator sees it: the rule plus where its head lands below its tree node.
struct CompiledRule {
  const ast::Rule* rule = nullptr;
  // Head ref items after the node's ground prefix: empty for `p := v` and `p contains x`; [k] for `p[k] := v`;
  // [c, "d"] for `a.b[c].d := v`.
  std::vector<ast::TermPtr> suffix;
  // The head value is a constant (a function without one has the value true): one solution of the body is
  // enough.
  bool ground_value = false;
};

// An equality index over the rules of one node: rules whose body tests `input.x.y == <constant>` are grouped
// by that constant, so a lookup runs only the matching group plus the rules that have no such test.
struct RuleIndex {
  std::vector<Value> input_path;                   // ["kind"] for input.kind
  std::map<Value, std::vector<size_t>> by_value;   // constant -> indexes into RuleNode::rules
  std::vector<size_t> unindexed;                   // rules without the test (always run)
};

struct RuleNode {
  Value key;                        // this node's key in its parent (a string for package/rule names)
  std::string path;                 // "data.a.b" for messages
  std::map<Value, std::unique_ptr<RuleNode>> children;
  std::vector<CompiledRule> rules;  // definitions whose ground prefix is exactly this node
  const ast::Rule* default_rule = nullptr;
  bool is_function = false;
  size_t arity = 0;                 // functions
  int frame_slots = 0;              // the slots of the largest definition (compiler: resolve_rules)
  bool has_rules = false;           // rules or a default here
  bool has_rules_below = false;     // any rule or package in this subtree (else the subtree is plain base data)
  bool is_package = false;          // a module declares this package (it exists, as {}, even without rules)
  bool all_ground_same = false;     // every definition (complete rule or function) has the same constant value
  std::unique_ptr<RuleIndex> index; // null when not worth it
  uint32_t id = 0;                  // dense number of this node in its policy (indexes per-query caches)

  // The children with string keys (package and rule names) in a flat array, for child(); filled once the
  // tree is complete (rule_tree.cpp).
  struct NamedChild {
    std::string_view name;
    const RuleNode* node;
  };
  std::vector<NamedChild> named_children;

  const RuleNode* child(const Value& k) const {
    // Evaluation asks for children by string key on every data reference it cannot resolve at compile time:
    // a scan that rejects on length and first byte before comparing bytes beats the ordered descent's
    // Value::compare at the few children a node has (a package holds a few dozen rules at most, typically).
    if (k.is_string() && children.size() <= 32) {
      std::string_view want = k.as_string();
      for (const NamedChild& c : named_children)
        if (c.name.size() == want.size() && (want.empty() || (c.name[0] == want[0] && c.name == want))) return c.node;
      return nullptr;
    }
    auto it = children.find(k);
    return it == children.end() ? nullptr : it->second.get();
  }
};

// A constant path below input or below base data that refs share: input.context in input.context.ip and
// input.context.hour, data.rbac.roles in data.rbac.roles[r]. The resolver numbers them (ast::Term::prefix_id),
// so an evaluation looks each one up once however many refs pass through it (Evaluator::prefix_value).
struct RefPrefix {
  uint32_t parent = 0;    // kInputPrefix, kDataPrefix, or the id of the path one key shorter
  Value key;
  bool base_doc = false;  // below data: a number key also names its decimal text, as OPA's storage reads it
};
inline constexpr uint32_t kInputPrefix = 0;  // ids 0 and 1 stand for the roots themselves
inline constexpr uint32_t kDataPrefix = 1;

}  // namespace eval

class CompiledPolicy {
 public:
  std::vector<ast::Module> modules;   // owns every AST node the tree points into
  eval::RuleNode root;                // the node for `data`
  uint32_t node_count = 1;            // RuleNode ids are 0 .. node_count-1 (the root is 0)
  std::unordered_map<std::string, const eval::RuleNode*> functions;  // "data.a.f" -> node
  std::vector<eval::RefPrefix> ref_prefixes{2};  // by ast::Term::prefix_id; 0 and 1 are the roots
  bool v0_compatible = false;
  // Some rule calls a built-in that waits on the network (http.send, net.lookup_ip_addr).
  bool calls_network = false;
  // The part of input the rules can read (input_projection.cpp), and of a request body {"input": ...}: its
  // input member, so projected.
  json::Projection input_projection;
  json::Projection request_projection;
};

}  // namespace rego
