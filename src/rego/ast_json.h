// The AST as OPA serialises it (`opa parse --format json`, `rego.parse_module`): every term is
// {"type": ..., "value": ...}; calls are [operator-ref, args...]; rules have "head" and "body".
// Locations are left out, as `opa parse` does by default.
#pragma once

#include "rego/ast.h"
#include "rego/value.h"

namespace rego::ast {

Value module_to_value(const Module& m);
Value term_to_value(const Term& t);
Value body_to_value(const Body& b);
Value expr_to_value(const Expr& e, size_t index);  // index: the expression's position in its body
Value rule_to_value(const Rule& r);

}  // namespace rego::ast
