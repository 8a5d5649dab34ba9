// The Rego parser: source text to AST (ast.h).
//
// Parses Rego v1 (OPA 1.x's default) and, with v0_compatible, OPA 0.x syntax (`p[x] { ... }` partial sets,
// bodies without `if`, `contains`/`if`/`in`/`every` keywords only after `import future.keywords...` or
// `import rego.v1`). Errors are thrown as RegoErrors with code rego_parse_error and the file:row:col of the
// first offending token; the parser never crashes on bad input and bounds its recursion depth.
#pragma once

#include <memory>
#include <string>

#include "rego/ast.h"

namespace rego {

struct ParseOptions {
  bool v0_compatible = false;
  size_t max_depth = 1000;  // nesting of terms/bodies before "too deeply nested" is reported
};

// Throws RegoErrors.
ast::Module parse_module(std::shared_ptr<const SourceFile> source, const ParseOptions& opts = {});
// A query: one or more expressions separated by `;` or newlines. Throws RegoErrors.
ast::Body parse_query(std::shared_ptr<const SourceFile> source, const ParseOptions& opts = {});
// A single term (used for `input_term` in test cases and `with` values). Throws RegoErrors.
ast::TermPtr parse_term(std::shared_ptr<const SourceFile> source, const ParseOptions& opts = {});

}  // namespace rego
