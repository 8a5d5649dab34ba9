// Internal to the formatter (format*.cpp): the Formatter class, split by what it writes: the module, imports
// and rules (format.cpp), bodies and expressions (format_exprs.cpp), terms and collections (format_terms.cpp).
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "rego/ast.h"
#include "rego/format_layout.h"

namespace rego::fmt_detail {

using ast::Expr;
using ast::ExprKind;
using ast::Rule;
using ast::Term;
using ast::TermKind;
using ast::TermPtr;

// The last row a location covers.
inline uint32_t end_row(const Location& l) {
  if (!l.known()) return 0;
  std::string t = l.text();
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ' || t.back() == '\t' || t.back() == '\r')) t.pop_back();
  return l.row + static_cast<uint32_t>(std::count(t.begin(), t.end(), '\n'));
}

inline bool var_compatible(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

inline bool is_keyword(const std::string& s) {
  static const char* kw[] = {"not", "package", "import", "as",   "default", "else",     "with", "null",
                             "true", "false",  "some",   "in",   "contains", "if",      "every"};
  return std::any_of(std::begin(kw), std::end(kw), [&](const char* k) { return s == k; });
}

// Built-ins OPA prints infix: the operator text, by call name (all binary; `in` is handled apart).
inline const char* infix_of(const std::string& name) {
  static const std::map<std::string, const char*> ops = {
      {"eq", "="},   {"assign", ":="}, {"equal", "=="}, {"neq", "!="},  {"lt", "<"},    {"lte", "<="},
      {"gt", ">"},   {"gte", ">="},    {"plus", "+"},   {"minus", "-"}, {"mul", "*"},   {"div", "/"},
      {"rem", "%"},  {"and", "&"},     {"or", "|"}};
  auto it = ops.find(name);
  return it == ops.end() ? nullptr : it->second;
}

inline bool is_member(const Term& t) {
  return t.kind == TermKind::Call && (t.name == "internal.member_2" || t.name == "internal.member_3");
}
// `k, v in xs` inside a comma list (collection, call arguments) needs parens; `v in xs` does not.
inline bool is_member3(const Term& t) { return t.kind == TermKind::Call && t.name == "internal.member_3"; }
inline bool is_union(const Term& t) { return t.kind == TermKind::Call && t.name == "or" && t.items.size() == 2; }
inline bool starts_with_paren(const Term& t) {
  if (!t.loc.known() || !t.loc.file || t.loc.offset >= t.loc.file->text.size()) return false;
  return t.loc.file->text[t.loc.offset] == '(';
}

// Writes one module; run() once.
// The row of the bracket closing the first `open` found in src[from, limit), skipping strings and comments;
// `row` is the row at `from`. 0 when there is none.
inline uint32_t closing_row(const std::string& src, size_t from, size_t limit, uint32_t row, char open, char close) {
  limit = std::min(limit, src.size());
  int depth = 0;
  for (size_t i = from; i < limit; ++i) {
    char c = src[i];
    if (c == '\n') {
      ++row;
    } else if (c == '"' || c == '`') {  // a string: skip to its end (raw strings may span rows)
      for (++i; i < limit && src[i] != c; ++i) {
        if (src[i] == '\\' && c == '"') ++i;
        else if (src[i] == '\n') ++row;
      }
    } else if (c == '#') {
      while (i + 1 < limit && src[i + 1] != '\n') ++i;
    } else if (c == open) {
      ++depth;
    } else if (c == close && depth > 0 && --depth == 0) {
      return row;
    }
  }
  return 0;
}

class Formatter {
 public:
  Formatter(const ast::Module& m, std::deque<Comment> comments) : m_(m), w_(std::move(comments)) {}
  std::string run();

 private:
  // ---- module level ----
  void write_package();
  bool bracketed_in_source(const std::string& s) const;
  static std::vector<std::string> import_key(const ast::Import& i);
  void write_imports(std::vector<const ast::Import*> imps);
  bool groupable_one_liner(const Rule& r) const;
  void write_rules(const std::vector<const Rule*>& rules);

  // ---- rules ----
  static bool is_true(const TermPtr& t);
  static bool same_loc(const Location& a, const Location& b);
  // The row of the `}` closing the rule's body: the brace matching the first `{` after the head.
  uint32_t body_close_row(const Rule& r) const;
  void write_rule(const Rule& r, bool is_else);
  static bool is_set_expr(const Expr& e);
  void write_else(const Rule& r);
  void write_head(const Rule& r, bool is_else, bool expanded_const);
  void write_body(const ast::Body& body);

  // ---- expressions ----
  void write_expr(const Expr& e);
  void write_withs(const Expr& e);
  void write_with(const ast::With& w, bool indented);
  // A call as a whole expression: infix operators spaced, `in` sugared, others as name(args).
  void write_call_expr(const Term& t);
  void write_plain_call(const Term& t);
  void write_in(const std::vector<TermPtr>& ops, bool parens);

  // ---- terms ----
  void write_term(const Term& t, bool parens = false);
  // A single-line collection with a comment inside cannot be laid out without moving the comment: it is
  // written as in the source, as OPA does.
  bool fallback_unformatted(const Term& t);
  bool multiline_items(const Term& t) const;
  static std::string var_name(const std::string& n);
  void write_scalar(const Term& t);
  // A ref's head and path: `.x` for names, `["x"]` otherwise, `[x]` for variables.
  void write_ref_items(const std::vector<TermPtr>& items, bool import);
  // A call nested in another term. Infix operands are parenthesized (OPA's formatter does not weigh
  // precedence), `in` included, as `a in b in c` would otherwise re-associate.
  void write_call_term(const Term& t, bool parens);
  void write_object(const Term& t);
  void write_list(const std::vector<TermPtr>& items, const Location& loc, uint32_t close, bool paren_unions);
  // Elements on one source row stay on one output row; more than one row (or a break right after the opening
  // bracket) makes the collection multi-line, one row per source row, with a trailing comma.
  void write_iterable(size_t n, const std::function<uint32_t(size_t)>& row_of, uint32_t start_row, uint32_t close,
                      bool first_spans_rows, const std::function<void(size_t)>& write_one);
  void write_compr(const Term& head, const ast::Body& body, const Location& loc, uint32_t head_row = 0);
  void write_compr_body(const ast::Body& body, uint32_t head_row, const Location& compr);
  // The row of the bracket closing the first `open` in a location's text.
  static uint32_t close_row(const Location& l, char open, char close);

  const ast::Module& m_;
  Layout w_;
  bool ref_heads_ = false;
};

}  // namespace rego::fmt_detail
