// Compile-time operand checks for built-in calls: a literal operand whose kind the built-in's declared type
// does not admit (`count(1)`, `upper(5)`) is a rego_type_error, as OPA's type checker reports it. Operands
// whose kind is only known at evaluation (variables, refs, calls) are checked by the built-in itself.
#include <string>
#include <unordered_map>
#include <vector>

#include "rego/compiler.h"

namespace rego::compiler {
namespace {

// Value kinds as bits: null 1, boolean 2, number 4, string 8, array 16, object 32, set 64.
const std::unordered_map<std::string, std::vector<int>>& signatures() {
  static const std::unordered_map<std::string, std::vector<int>> table = {
#include "rego/builtin_signatures.inc"
  };
  return table;
}

// The kind a literal operand certainly has, or -1 when only evaluation can tell.
int literal_kind(const ast::Term& t) {
  switch (t.kind) {
    case ast::TermKind::Scalar: return 1 << static_cast<int>(t.value.kind());
    case ast::TermKind::Array:
    case ast::TermKind::ArrayCompr: return 16;
    case ast::TermKind::Object:
    case ast::TermKind::ObjectCompr: return 32;
    case ast::TermKind::Set:
    case ast::TermKind::SetCompr: return 64;
    case ast::TermKind::TemplateString: return 8;
    default: return -1;
  }
}

std::string kinds_text(int mask) {
  static const char* const names[] = {"null", "boolean", "number", "string", "array", "object", "set"};
  if (mask == 127) return "any";
  std::string out;
  int n = 0;
  for (int i = 0; i < 7; ++i)
    if (mask & (1 << i)) {
      out += (n++ ? ", " : "");
      out += names[i];
    }
  return n > 1 ? "any<" + out + ">" : out;
}

}  // namespace

void check_operand_kinds(const ast::Term& call, const std::string& name, size_t arity, Errors& errors) {
  auto it = signatures().find(name);
  if (it == signatures().end() || it->second.size() != arity) return;
  const std::vector<int>& want = it->second;
  bool bad = false;
  for (size_t i = 0; i < arity && i < call.items.size(); ++i) {
    int kind = literal_kind(*call.items[i]);
    if (kind >= 0 && !(want[i] & kind)) bad = true;
  }
  if (!bad) return;
  std::string have, wanted;
  for (size_t i = 0; i < arity && i < call.items.size(); ++i) {
    int kind = literal_kind(*call.items[i]);
    have += (i ? ", " : "") + (kind >= 0 ? kinds_text(kind) : std::string("any"));
    wanted += (i ? ", " : "") + kinds_text(want[i]);
  }
  errors.push_back({code::kType, name + ": invalid argument(s)\n\thave: (" + have + ")\n\twant: (" + wanted + ")", call.loc});
}

}  // namespace rego::compiler
