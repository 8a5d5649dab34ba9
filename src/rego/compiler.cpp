// The compiler's driver: runs the steps of compiler.h in order and gathers their errors.
#include "rego/compiler.h"

namespace rego {

std::shared_ptr<CompiledPolicy> compile_modules(std::vector<ast::Module> modules, bool v0_compatible) {
  auto policy = std::make_shared<CompiledPolicy>();
  policy->modules = std::move(modules);
  policy->v0_compatible = v0_compatible;
  Errors errors;
  compiler::build_rule_tree(*policy, errors);
  if (!errors.empty()) throw RegoErrors(std::move(errors));
  compiler::resolve_rules(*policy, errors);
  if (!errors.empty()) throw RegoErrors(std::move(errors));
  for (auto& module : policy->modules)
    for (auto& rule : module.rules) compiler::order_rule(*rule, errors);
  if (!errors.empty()) throw RegoErrors(std::move(errors));
  compiler::check_recursion(*policy, errors);
  if (!errors.empty()) throw RegoErrors(std::move(errors));
  compiler::build_indexes(*policy);
  policy->input_projection = compiler::project_input(*policy);
  policy->request_projection.whole = false;
  policy->request_projection.members.push_back({"input", policy->input_projection});
  return policy;
}

CompiledQuery compile_query(const CompiledPolicy& policy, ast::Body body, std::shared_ptr<const SourceFile> src) {
  CompiledQuery q;
  q.source = std::move(src);
  Errors errors;
  compiler::PackageContext ctx;
  ctx.policy = &policy;
  q.num_slots = compiler::resolve_query(body, ctx, q.user_vars, errors);
  if (!errors.empty()) throw RegoErrors(std::move(errors));
  std::vector<bool> bound(static_cast<size_t>(q.num_slots), false);
  compiler::order_body(body, bound, errors);
  if (!errors.empty()) throw RegoErrors(std::move(errors));
  q.body = std::move(body);
  return q;
}
}  // namespace rego
