// rego.parse_module(filename, text): the module's AST as OPA's JSON shape (see ast_json.h). A parse error is
// a built-in error carrying the parser's message ("rego_parse_error: unexpected eof token: ...").
#include <memory>

#include "rego/ast_json.h"
#include "rego/builtins/registry.h"
#include "rego/parser.h"

namespace rego {
namespace {

std::optional<Value> parse_module_builtin(BuiltinArgs a, BuiltinContext&) {
  const std::string& name = args::string(a, 0);
  const std::string& text = args::string(a, 1);
  auto src = std::make_shared<SourceFile>(SourceFile{name, text});
  try {
    return ast::module_to_value(parse_module(src));
  } catch (const RegoErrors& e) {
    const Error& first = e.errors().front();
    throw BuiltinError{first.to_string()};
  } catch (const RegoError& e) {
    throw BuiltinError{e.error().to_string()};
  }
}

}  // namespace

void register_rego_module(Registry& r) { r.add("rego.parse_module", 2, parse_module_builtin); }

}  // namespace rego
