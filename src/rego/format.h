// `opa fmt` for trex: a Rego v1 module's source text to its canonical formatting, as OPA's formatter
// (v1/format) prints it: tab indentation, `if`/`contains`/`:=`, imports sorted within their blank-line groups,
// one blank line between rules (adjacent one-liners stay grouped), collections and comprehensions multi-line
// when the source was, operators spaced, comments kept where they were.
//
// Text in, text out: no file I/O here (the CLI reads and writes files). The layout follows the parsed AST and
// its source locations, so the output parses to the same AST (locations aside).
#pragma once

#include <memory>
#include <string>

#include "rego/error.h"

namespace rego {

// The formatted module. Throws RegoErrors when the source does not parse (as Rego v1).
std::string format_module(std::shared_ptr<const SourceFile> source);

}  // namespace rego
