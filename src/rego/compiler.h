// The compiler: parsed modules in, one immutable CompiledPolicy out (see policy.h).
//
// Steps, in order (each in its own file):
//   rule_tree.cpp  merge modules into the tree of rule nodes keyed by document path
//   resolver.cpp   resolve names (locals to frame slots; rule names and imports to data refs; calls to
//                  built-ins or functions) and check arity; classify each expression for the evaluator's
//                  in-place forms (expr_shape.cpp)
//   safety.cpp     order each body so every variable is bound before it is read (rego_unsafe_var_error)
//   recursion.cpp  reject rules that depend on themselves (rego_recursion_error)
//   indexer.cpp    build equality indexes over rules keyed on input fields
//   input_projection.cpp  find the part of input the rules can read
// Errors are collected and thrown together as RegoErrors.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "rego/ast.h"
#include "rego/policy.h"

namespace rego {

// Throws RegoErrors.
std::shared_ptr<CompiledPolicy> compile_modules(std::vector<ast::Module> modules, bool v0_compatible);

// A query compiled against a policy.
struct CompiledQuery {
  ast::Body body;
  int num_slots = 0;
  std::vector<std::pair<std::string, int>> user_vars;  // named query variables (sorted by name) and their slots
  std::shared_ptr<const SourceFile> source;
};

// Throws RegoErrors.
CompiledQuery compile_query(const CompiledPolicy& policy, ast::Body body, std::shared_ptr<const SourceFile> src);

namespace compiler {

// Internal steps (see above).
void build_rule_tree(CompiledPolicy& policy, Errors& errors);
void resolve_rules(CompiledPolicy& policy, Errors& errors);
void check_recursion(const CompiledPolicy& policy, Errors& errors);
void build_indexes(CompiledPolicy& policy);
// The part of input the policy's rules can read (input_projection.cpp).
json::Projection project_input(const CompiledPolicy& policy);

// Numbers the constant ref prefixes of a policy's rules (policy.h's RefPrefix) as the resolver meets them.
class RefPrefixInterner {
 public:
  explicit RefPrefixInterner(std::vector<eval::RefPrefix>& table) : table_(table) {}
  uint32_t intern(uint32_t parent, const Value& key, bool base_doc);

 private:
  std::vector<eval::RefPrefix>& table_;
  std::map<std::pair<uint32_t, Value>, uint32_t> index_;
};

// Resolution context of one package (shared by resolver and query compilation).
struct PackageContext {
  std::vector<std::string> package;                 // {"a","b"} for data.a.b
  const std::vector<ast::Import>* imports = nullptr;
  const CompiledPolicy* policy = nullptr;
  const eval::RuleNode* package_node = nullptr;     // may be null (query with no package)
  const std::set<std::string>* rule_names = nullptr; // first names of the package's rules (may be null)
  // Rules only (a query is compiled against a finished, shared policy): numbers constant ref prefixes.
  RefPrefixInterner* prefixes = nullptr;
  // Set to true when a call resolves to a built-in that waits on the network (Builtin::waits_on_network).
  bool* calls_network = nullptr;
};

// Resolves names and allocates slots in one rule (head and body). Returns the slot count.
int resolve_rule(ast::Rule& rule, const PackageContext& ctx, Errors& errors);
// Resolves a query body; fills user_vars. Returns the slot count.
int resolve_query(ast::Body& body, const PackageContext& ctx, std::vector<std::pair<std::string, int>>& user_vars,
                  Errors& errors);

// Reports literal operands of a built-in call whose kind its declared type does not admit (builtin_types.cpp).
void check_operand_kinds(const ast::Term& call, const std::string& name, size_t arity, Errors& errors);

// The in-place form the evaluator may use for e (ast.h's ExprShape; expr_shape.cpp). Call with e's terms
// resolved.
ast::ExprShape classify_expr(const ast::Expr& e);

// Reorders a body (and nested bodies) for safety. `bound` holds the slots already bound on entry.
// Reports rego_unsafe_var_error for variables no ordering can bind.
void order_body(ast::Body& body, std::vector<bool>& bound, Errors& errors);
void order_rule(ast::Rule& rule, Errors& errors);

}  // namespace compiler
}  // namespace rego
