// The `.tre` rule DSL: source text to a list of rules (no I/O, no Rego semantics beyond bracket matching).
//
// Grammar (one construct per line; `#` starts a comment outside strings; blank lines are ignored):
//
//   file       = { blank | comment | rule }
//   rule       = 'rule' NAME '{' NEWLINE { field | blank | comment } '}' NEWLINE
//   NAME       = '"' letter { letter | digit | ' ' | '_' | '-' } '"'
//   field      = 'precondition' ':' EXPR        zero or more: all must hold for the rule to govern the action
//              | 'condition' ':' EXPR           one or more: all must hold, else the rule denies
//              | 'deny' ':' MESSAGE             exactly one: a Rego string literal ("..." or `...`), a template
//                                               string ($"..."), or a sprintf(format, [args]) call
//              | 'requires_approval' ':' ('true' | 'false')   at most one: a denial asks for human approval
//   EXPR       = Rego expression text up to the end of the line; it continues on the next lines while a
//                ( [ or { is open. Several expressions on one line may be separated by `;` (they share
//                variables); lines do not share variables with each other.
//
// Expressions are Rego over `action`, `agent`, `principal`, `provenance`, `approvals` (input.<name>), `input`
// and `data`. The rule's closing `}` stands on its own line. A rule NAME becomes a Rego identifier in
// snake_case (NoHighValueTransfers -> no_high_value_transfers): two rules of one file may not share it.
//
// Errors are rego::Errors with code rego_parse_error and the .tre file's line and column; parse() reports
// every error it finds and never throws.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rego/error.h"

namespace trex::tre {

// One field's value as written: the source text from its first to its last significant character (a trailing
// comment excluded). A multi-line value keeps its newlines, so later lines keep their source columns.
struct Expression {
  std::string text;
  uint32_t line = 0;        // 1-based line of the first character
  uint32_t col = 0;         // 1-based column of the first character
  uint32_t field_col = 0;   // column of the field name ("condition") on that line
  uint32_t end_line = 0;    // line of the last character
};

struct Rule {
  std::string name;         // as written, without quotes
  std::string ident;        // snake_case(name)
  uint32_t line = 0;        // the `rule "..." {` line
  uint32_t col = 0;         // column of `rule`
  std::vector<Expression> preconditions;
  std::vector<Expression> conditions;
  Expression deny;
  bool requires_approval = false;
};

struct ParseResult {
  std::vector<Rule> rules;
  rego::Errors errors;      // empty = every rule is well-formed
};

// `filename` names the file in error locations.
ParseResult parse(const std::string& filename, const std::string& text);

// "NoHighValueTransfers" -> "no_high_value_transfers", "HTTPCalls" -> "http_calls", "Tool allow-list" ->
// "tool_allow_list".
std::string snake_case(const std::string& name);

// "file.tre:3:17: rego_parse_error: message" (OPA's error text, with the column).
std::string error_text(const rego::Error& e);

// A Location in `file` at (line, col), its byte offset computed from the text.
rego::Location location_at(const std::shared_ptr<const rego::SourceFile>& file, uint32_t line, uint32_t col);

}  // namespace trex::tre
