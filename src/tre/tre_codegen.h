// The `.tre` rule DSL compiled to Rego: text in, one Rego module's text and errors out (no I/O).
//
// A .tre file becomes ONE module, `package tre.rules`, in which each rule "Name" defines documents under
// data.tre.rules.<snake_case(Name)> with ref heads, so policies/tre/decision.rego collects it like any
// hand-written rule module:
//
//   <r>.deny contains {"rule": "Name", "msg": <r>.message} if { <r>.governs; not <r>.condition_holds }
//   <r>.governs if { <r>.precondition_<line>; ... }       (`<r>.governs := true` without preconditions)
//   <r>.condition_holds if { <r>.condition_<line>; ... }
//   <r>.precondition_<line> if { <expression> }           one per precondition/condition line
//   <r>.message := <deny message>                         default "denied by rule Name" unless a literal
//   <r>.requires_approval if { <r>.governs; not <r>.condition_holds }    with `requires_approval: true`
//
// `import input.action` (and agent, principal, provenance, approvals) gives expressions their names.
//
// The output is line-aligned with the source: every expression sits on its own .tre line (the rule's other
// rules on its `rule "..." {` line, `package` and imports on line 1), so an error the Rego compiler reports
// later (the module's filename is the .tre path) names the right line. compile() validates the module with
// the Rego parser and compiler and maps each error's column back into the .tre expression.
//
// A message that is not a literal (sprintf, template string) falls back to "denied by rule Name" when it is
// undefined, so an undefined message never turns a denial into an allow.
#pragma once

#include <string>

#include "rego/error.h"
#include "tre/tre_parser.h"

namespace trex::tre {

struct CompileResult {
  std::string rego;     // the generated module (also when validation found errors: for inspection)
  rego::Errors errors;  // DSL and Rego errors, located in the .tre file; empty = the module compiles
};

// Parses, generates and validates. `filename` is the .tre path: it names the errors' file.
CompileResult compile(const std::string& filename, const std::string& text);

// The module for parsed rules (no validation). `text` is the .tre source the rules were parsed from.
std::string generate(const std::vector<Rule>& rules, const std::string& text);

}  // namespace trex::tre
