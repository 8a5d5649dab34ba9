// The Rego formatter (format.h). Walks the parsed module in source order and lays it out as OPA's formatter
// does; source rows decide where a collection, call or comprehension breaks over lines and where comments go.
#include "rego/format.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

#include "rego/ast.h"
#include "rego/format_layout.h"
#include "rego/json.h"
#include "rego/parser.h"

namespace rego {
namespace {

using ast::Expr;
using ast::ExprKind;
using ast::Rule;
using ast::Term;
using ast::TermKind;
using ast::TermPtr;
using fmt_detail::Comment;
using fmt_detail::Layout;

// The last row a location covers.
uint32_t end_row(const Location& l) {
  if (!l.known()) return 0;
  std::string t = l.text();
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ' || t.back() == '\t' || t.back() == '\r')) t.pop_back();
  return l.row + static_cast<uint32_t>(std::count(t.begin(), t.end(), '\n'));
}

bool var_compatible(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool is_keyword(const std::string& s) {
  static const char* kw[] = {"not", "package", "import", "as",   "default", "else",     "with", "null",
                             "true", "false",  "some",   "in",   "contains", "if",      "every"};
  return std::any_of(std::begin(kw), std::end(kw), [&](const char* k) { return s == k; });
}

// Built-ins OPA prints infix: the operator text, by call name (all binary; `in` is handled apart).
const char* infix_of(const std::string& name) {
  static const std::map<std::string, const char*> ops = {
      {"eq", "="},   {"assign", ":="}, {"equal", "=="}, {"neq", "!="},  {"lt", "<"},    {"lte", "<="},
      {"gt", ">"},   {"gte", ">="},    {"plus", "+"},   {"minus", "-"}, {"mul", "*"},   {"div", "/"},
      {"rem", "%"},  {"and", "&"},     {"or", "|"}};
  auto it = ops.find(name);
  return it == ops.end() ? nullptr : it->second;
}

bool is_member(const Term& t) {
  return t.kind == TermKind::Call && (t.name == "internal.member_2" || t.name == "internal.member_3");
}
// `k, v in xs` inside a comma list (collection, call arguments) needs parens; `v in xs` does not.
bool is_member3(const Term& t) { return t.kind == TermKind::Call && t.name == "internal.member_3"; }
bool is_union(const Term& t) { return t.kind == TermKind::Call && t.name == "or" && t.items.size() == 2; }
bool starts_with_paren(const Term& t) {
  if (!t.loc.known() || !t.loc.file || t.loc.offset >= t.loc.file->text.size()) return false;
  return t.loc.file->text[t.loc.offset] == '(';
}

class Formatter {
 public:
  Formatter(const ast::Module& m, std::deque<Comment> comments) : m_(m), w_(std::move(comments)) {}

  std::string run() {
    // As OPA: when some rule needs a ref head (a ref longer than two, or `p.q contains x`), every head is
    // printed as a ref (`p.q`); otherwise a two-term head keeps the bracket form `p["q"]`, `p[x]`.
    for (const auto& r : m_.rules) {
      size_t n = r->head.ref.size();
      if (n > 2 || (n == 2 && r->head.kind == ast::RuleKind::PartialSet)) ref_heads_ = true;
    }
    write_package();
    // Imports and rules in source order; a run of imports is one import block (sorted within its groups).
    struct Item {
      uint32_t offset;
      const ast::Import* imp;
      const Rule* rule;
    };
    std::vector<Item> items;
    for (const auto& i : m_.imports) items.push_back({i.loc.offset, &i, nullptr});
    for (const auto& r : m_.rules) items.push_back({r->loc.offset, nullptr, r.get()});
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.offset < b.offset; });
    for (size_t i = 0; i < items.size();) {
      std::vector<const ast::Import*> imps;
      for (; i < items.size() && items[i].imp; ++i) imps.push_back(items[i].imp);
      write_imports(imps);
      std::vector<const Rule*> rules;
      for (; i < items.size() && items[i].rule; ++i) rules.push_back(items[i].rule);
      write_rules(rules);
    }
    return w_.finish();
  }

 private:
  // ---- module level ----
  void write_package() {
    w_.insert_comments(m_.package_loc.row);
    w_.start_line();
    w_.write("package ");
    for (size_t i = 0; i < m_.package.size(); ++i) {
      const std::string& s = m_.package[i];
      if (i == 0) {
        w_.write(s);
      } else if (var_compatible(s) && !(is_keyword(s) && bracketed_in_source(s))) {
        w_.write("." + s);  // keywords too (`package a.not`), unless the source wrote `["not"]`
      } else {
        w_.write("[" + json::write(Value::string(s)) + "]");
      }
    }
    w_.blank_line();
  }

  bool bracketed_in_source(const std::string& s) const {
    return m_.package_loc.text().find("[\"" + s + "\"]") != std::string::npos;
  }

  static std::vector<std::string> import_key(const ast::Import& i) {
    std::vector<std::string> k;
    for (const auto& t : i.path) k.push_back(t->kind == TermKind::Var ? t->name : t->value.is_string() ? t->value.as_string() : "");
    return k;
  }

  void write_imports(std::vector<const ast::Import*> imps) {
    if (imps.empty()) return;
    // A comment on an import's row stays with that import when the group is sorted.
    std::map<const ast::Import*, std::string> trailing;
    std::deque<Comment> rest;
    for (const auto& c : w_.pending()) {
      auto it = std::find_if(imps.begin(), imps.end(), [&](const ast::Import* i) { return i->loc.row == c.row; });
      if (it != imps.end()) trailing[*it] = c.text; else rest.push_back(c);
    }
    w_.replace_pending(std::move(rest));
    std::vector<std::vector<const ast::Import*>> groups{{imps[0]}};
    for (size_t i = 1; i < imps.size(); ++i) {
      if (imps[i]->loc.row - groups.back().back()->loc.row > 1) groups.emplace_back();
      groups.back().push_back(imps[i]);
    }
    for (auto& g : groups) {
      w_.insert_comments(g[0]->loc.row);
      std::stable_sort(g.begin(), g.end(), [](const ast::Import* a, const ast::Import* b) {
        auto ka = import_key(*a), kb = import_key(*b);
        if (ka != kb) return ka < kb;
        return a->alias < b->alias;
      });
      for (const auto* i : g) {
        w_.start_line();
        w_.write("import ");
        write_ref_items(i->path, true);
        if (!i->alias.empty()) w_.write(" as " + i->alias);
        if (auto it = trailing.find(i); it != trailing.end()) w_.write(" " + it->second);
        w_.end_line();
      }
      w_.blank_line();
    }
  }

  bool groupable_one_liner(const Rule& r) const { return r.body.size() <= 1 && !r.is_default; }

  void write_rules(const std::vector<const Rule*>& rules) {
    for (size_t i = 0; i < rules.size(); ++i) {
      w_.insert_comments(rules[i]->loc.row);
      write_rule(*rules[i], false);
      if (i + 1 < rules.size() && groupable_one_liner(*rules[i]) && groupable_one_liner(*rules[i + 1]) &&
          rules[i + 1]->loc.row == rules[i]->loc.row + 1) {
        continue;  // adjacent one-liners stay together, as OPA keeps them
      }
      w_.blank_line();
    }
  }

  // ---- rules ----
  static bool is_true(const TermPtr& t) {
    return t && t->kind == TermKind::Scalar && t->value.is_boolean() && t->value.as_bool();
  }
  static bool same_loc(const Location& a, const Location& b) { return a.offset == b.offset && a.length == b.length; }

  // The row of the `}` closing the rule's body: the brace matching the first `{` after the head.
  uint32_t body_close_row(const Rule& r) const {
    const std::string& src = r.loc.file->text;
    size_t i = r.head.loc.offset + r.head.loc.length;
    size_t stop = std::min<size_t>(src.size(), r.loc.offset + r.loc.length);
    if (!r.body.empty() && r.body[0].loc.known()) stop = std::max<size_t>(stop, r.body.back().loc.offset);
    uint32_t row = r.head.loc.row + static_cast<uint32_t>(std::count(src.begin() + r.head.loc.offset, src.begin() + i, '\n'));
    while (i < src.size() && src[i] != '{') { if (src[i] == '\n') ++row; ++i; }
    int depth = 0;
    bool in_str = false;
    for (; i < src.size(); ++i) {
      char c = src[i];
      if (c == '\n') ++row;
      if (in_str) {
        if (c == '\\') ++i;
        else if (c == '"') in_str = false;
        continue;
      }
      if (c == '"') in_str = true;
      else if (c == '#') { while (i + 1 < src.size() && src[i + 1] != '\n') ++i; }
      else if (c == '{') ++depth;
      else if (c == '}' && --depth == 0) return row;
    }
    return 0;
  }

  void write_rule(const Rule& r, bool is_else) {
    if (!is_else) w_.start_line();
    if (r.is_default) w_.write("default ");
    const bool expanded_const = r.body.empty() && !r.else_rule;
    write_head(r, is_else, expanded_const);
    if (r.body.empty()) {
      w_.end_line();
      return;
    }
    w_.write(" if");
    if (r.body.size() == 1 && r.body[0].loc.row == end_row(r.head.loc) && !is_set_expr(r.body[0])) {
      w_.write(" ");
      write_expr(r.body[0]);
      w_.end_line();
      if (r.else_rule) write_else(r);
      return;
    }
    w_.write(" {");
    w_.end_line();
    w_.up();
    write_body(r.body);
    w_.insert_comments(body_close_row(r));
    w_.down();
    w_.start_line();
    w_.write("}");
    if (r.else_rule) write_else(r);
  }

  static bool is_set_expr(const Expr& e) {
    return !e.negated && e.kind == ExprKind::Term && e.terms[0]->kind == TermKind::Set;
  }

  void write_else(const Rule& r) {
    const Rule& e = *r.else_rule;
    // `} else` stays on the closing line when it was written there; an `else` starting its own line is kept so.
    const std::string& src = r.loc.file->text;
    size_t line_start = src.rfind('\n', e.loc.offset == 0 ? 0 : e.loc.offset - 1);
    line_start = line_start == std::string::npos ? 0 : line_start + 1;
    std::string before = src.substr(line_start, e.loc.offset - line_start);
    bool was_inline = before.find_first_not_of(" \t") != std::string::npos;
    bool comment_above = (!w_.pending().empty() && w_.pending().front().row < e.head.loc.row) || w_.has_trailing();
    if (!comment_above && was_inline) {
      w_.write(" ");
    } else {
      w_.blank_line();
      w_.start_line();
    }
    w_.insert_comments(e.head.loc.row);
    if (comment_above && !was_inline) w_.start_line();
    write_rule(e, true);
  }

  void write_head(const Rule& r, bool is_else, bool expanded_const) {
    const ast::RuleHead& h = r.head;
    if (is_else) {
      w_.write("else");
    } else if (ref_heads_ || h.ref.size() != 2) {
      write_ref_items(h.ref, false);
    } else {
      write_ref_items({h.ref[0]}, false);
      w_.write("[");
      const Term& k = *h.ref[1];
      if (k.kind == TermKind::Scalar) w_.write(json::write(k.value));
      else write_term(k);
      w_.write("]");
    }
    if (!h.args.empty() && !is_else) {  // an else shares its rule's arguments and never repeats them
      w_.write("(");
      write_list(h.args, h.loc, close_row(h.loc, '(', ')'), false);
      w_.write(")");
    }
    const bool has_key = h.key != nullptr;
    if (h.kind == ast::RuleKind::PartialSet) {
      w_.write(" contains ");
      write_term(*h.key);
      return;
    }
    if (!h.value) return;
    if (!(h.kind == ast::RuleKind::PartialObj && has_key) && is_true(h.value) && !expanded_const && !r.is_default) return;
    // An omitted value (generated `true`) is not printed, except for ref-head constants where v1 needs it.
    const bool v1_ref_const = expanded_const && h.args.empty() && h.kind != ast::RuleKind::PartialObj;
    if (same_loc(h.loc, h.value->loc) && !is_else && is_true(h.value) && !v1_ref_const) return;
    w_.write(" := ");
    write_term(*h.value);
  }

  void write_body(const ast::Body& body) {
    if (!body.empty()) w_.insert_comments(body[0].loc.row);
    for (size_t i = 0; i < body.size(); ++i) {
      if (i > 0 && body[i].loc.row > end_row(body[i - 1].loc) + 1) w_.blank_line();
      w_.start_line();
      write_expr(body[i]);
      w_.end_line();
    }
  }

  // ---- expressions ----
  void write_expr(const Expr& e) {
    w_.insert_comments(e.loc.row);
    if (!w_.is_inline()) w_.start_line();
    if (e.negated) w_.write("not ");
    switch (e.kind) {
      case ExprKind::SomeDecl: {
        // Variables keep their source rows; continuation rows are indented one more level.
        w_.write("some ");
        uint32_t row = e.loc.row;
        for (size_t i = 0; i < e.terms.size(); ++i) {
          if (e.terms[i]->loc.row > row) {
            w_.end_line();
            w_.start_line();
            w_.write("\t");
            row = e.terms[i]->loc.row;
          } else if (i > 0) {
            w_.write(" ");
          }
          write_term(*e.terms[i]);
          if (i + 1 < e.terms.size()) w_.write(",");
        }
        break;
      }
      case ExprKind::SomeIn:
        w_.write("some ");
        write_in(e.terms, false);
        break;
      case ExprKind::Every: {
        w_.write("every ");
        if (!(e.terms[0]->kind == TermKind::Scalar && e.terms[0]->value.is_null())) {
          write_term(*e.terms[0]);
          w_.write(", ");
        }
        write_term(*e.terms[1]);
        w_.write(" in ");
        write_term(*e.terms[2]);
        w_.write(" {");
        write_compr_body(e.body, e.loc.row, e.loc);
        if (e.body.size() == 1 && e.body[0].loc.row == e.loc.row) w_.write(" ");
        w_.write("}");
        break;
      }
      case ExprKind::Term: {
        const Term& t = *e.terms[0];
        if (t.kind == TermKind::Call) write_call_expr(t);
        else write_term(t);
        break;
      }
    }
    write_withs(e);
  }

  void write_withs(const Expr& e) {
    if (e.with.empty()) return;
    // The row where the expression's own terms end (before the first `with`).
    uint32_t last_row = e.loc.row;
    if (e.loc.known() && e.with[0].loc.known() && e.with[0].loc.offset > e.loc.offset) {
      Location l = e.loc;
      l.length = e.with[0].loc.offset - e.loc.offset;
      last_row = end_row(l);
    }
    size_t i = 0;
    if (e.with[0].loc.row == last_row) {
      write_with(e.with[0], false);
      last_row = e.with[0].loc.row;
      i = 1;
    }
    bool indented = false;
    for (; i < e.with.size(); ++i) {
      bool indent = e.with[i].loc.row > last_row;
      if (indent) {
        if (!indented) w_.up();
        indented = true;
        w_.end_line();
        w_.start_line();
        last_row = e.with[i].loc.row;
      }
      write_with(e.with[i], indent);
    }
    if (indented) w_.down();
  }

  void write_with(const ast::With& w, bool indented) {
    w_.insert_comments(w.loc.row);
    if (!indented) w_.write(" ");
    w_.write("with ");
    write_term(*w.target);
    w_.write(" as ");
    write_term(*w.value);
  }

  // A call as a whole expression: infix operators spaced, `in` sugared, others as name(args).
  void write_call_expr(const Term& t) {
    if (is_member(t)) return write_in(t.items, false);
    const char* op = infix_of(t.name);
    if (op && t.items.size() == 2) {
      write_term(*t.items[0]);
      w_.write(std::string(" ") + op + " ");
      write_term(*t.items[1]);
      return;
    }
    if (op && t.items.size() == 3) {  // plus(a, b, c) is c = a + b
      write_term(*t.items[2]);
      w_.write(" = ");
      write_term(*t.items[0]);
      w_.write(std::string(" ") + op + " ");
      write_term(*t.items[1]);
      return;
    }
    write_plain_call(t);
  }

  void write_plain_call(const Term& t) {
    w_.write(t.name);
    w_.write("(");
    write_list(t.items, t.loc, close_row(t.loc, '(', ')'), false);
    w_.write(")");
  }

  void write_in(const std::vector<TermPtr>& ops, bool parens) {
    if (parens) w_.write("(");
    if (ops.size() == 3) {
      write_term(*ops[0], true);
      w_.write(", ");
    }
    write_term(*ops[ops.size() - 2], true);
    w_.write(" in ");
    write_term(*ops.back(), true);
    if (parens) w_.write(")");
  }

  // ---- terms ----
  void write_term(const Term& t, bool parens = false) {
    if (t.loc.known() && !t.loc.text().empty() && t.loc.file && fallback_unformatted(t)) return;
    w_.insert_comments(t.loc.row);
    if (!w_.is_inline()) w_.start_line();
    switch (t.kind) {
      case TermKind::Scalar: write_scalar(t); break;
      case TermKind::Var: w_.write(var_name(t.name)); break;
      case TermKind::Ref: write_ref_items(t.items, false); break;
      case TermKind::Array:
        w_.write("[");
        write_list(t.items, t.loc, close_row(t.loc, '[', ']'), true);
        w_.write("]");
        break;
      case TermKind::Set:
        if (t.items.empty()) {
          w_.write("set()");
          break;
        }
        w_.write("{");
        write_list(t.items, t.loc, close_row(t.loc, '{', '}'), true);
        w_.write("}");
        break;
      case TermKind::Object: write_object(t); break;
      case TermKind::ArrayCompr:
        w_.write("[");
        write_compr(*t.items[0], t.body, t.loc);
        w_.write("]");
        break;
      case TermKind::SetCompr:
        w_.write("{");
        write_compr(*t.items[0], t.body, t.loc);
        w_.write("}");
        break;
      case TermKind::ObjectCompr: {
        // The key is pulled up to the opening brace; a body not on that row goes on rows of its own.
        w_.write("{");
        bool p = is_union(*t.items[0]) || is_member3(*t.items[0]);
        if (p) w_.write("(");
        write_term(*t.items[0]);
        if (p) w_.write(")");
        w_.write(": ");
        write_compr(*t.items[1], t.body, t.loc, t.loc.row);
        w_.write("}");
        break;
      }
      case TermKind::Call: write_call_term(t, parens); break;
      case TermKind::TemplateString: w_.write(t.loc.text()); break;  // as written
    }
    if (!w_.is_inline()) w_.start_line();
  }

  // A single-line collection with a comment inside cannot be laid out without moving the comment: it is
  // written as in the source, as OPA does.
  bool fallback_unformatted(const Term& t) {
    if (t.kind != TermKind::Array && t.kind != TermKind::Set && t.kind != TermKind::Object) return false;
    uint32_t last = end_row(t.loc);
    if (last == t.loc.row || !w_.has_comment_between(t.loc.row, last)) return false;
    if (multiline_items(t)) return false;
    w_.insert_comments(t.loc.row);
    w_.write(t.loc.text());
    w_.skip_comments_before(last);
    return true;
  }
  bool multiline_items(const Term& t) const {
    uint32_t prev = t.loc.row;
    size_t step = t.kind == TermKind::Object ? 2 : 1;
    for (size_t i = 0; i < t.items.size(); i += step) {
      if (t.items[i]->loc.row > prev) return true;
      prev = t.items[i]->loc.row;
    }
    return false;
  }

  static std::string var_name(const std::string& n) { return n.rfind("$_", 0) == 0 ? "_" : n; }

  void write_scalar(const Term& t) {
    std::string text = t.loc.known() ? t.loc.text() : std::string();
    if (t.value.is_string()) {
      if (!text.empty() && text[0] == '`') return w_.write(text);
      size_t q = text.find_first_of("\"`");
      if (q != std::string::npos && (text.back() == '"' || text.back() == '`')) return w_.write(text.substr(q));
      return w_.write(json::write(t.value));
    }
    if (t.value.is_number() && !text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-')) {
      return w_.write(text);  // numbers as written
    }
    w_.write(json::write(t.value));
  }

  // A ref's head and path: `.x` for names, `["x"]` otherwise, `[x]` for variables.
  void write_ref_items(const std::vector<TermPtr>& items, bool import) {
    for (size_t i = 0; i < items.size(); ++i) {
      const Term& p = *items[i];
      if (i == 0) {
        if (p.kind == TermKind::Var) w_.write(var_name(p.name));
        else write_term(p, p.kind == TermKind::Call && starts_with_paren(p));
        continue;
      }
      if (p.kind == TermKind::Scalar && p.value.is_string()) {
        const std::string& s = p.value.as_string();
        std::string text = p.loc.known() ? p.loc.text() : std::string();
        bool quoted = !text.empty() && text[0] == '"';
        if (!var_compatible(s) || (is_keyword(s) && quoted && !import)) {
          w_.write("[" + json::write(p.value) + "]");
        } else {
          w_.write("." + s);
        }
      } else if (p.kind == TermKind::Var) {
        w_.write("[" + var_name(p.name) + "]");
      } else {
        w_.write("[");
        write_term(p);
        w_.write("]");
      }
    }
  }

  // A call nested in another term. Infix operands are parenthesized (OPA's formatter does not weigh
  // precedence); an `in` is parenthesized wherever it is nested, as `a, b in c` and `a in b in c` would
  // otherwise re-associate (OPA only does so for the three-operand form).
  void write_call_term(const Term& t, bool parens) {
    if (is_member(t)) return write_in(t.items, parens);
    const char* op = infix_of(t.name);
    if (!op || t.items.size() != 2) return write_plain_call(t);
    if (parens) w_.write("(");
    write_term(*t.items[0], true);
    w_.write(std::string(" ") + op + " ");
    write_term(*t.items[1], true);
    if (parens) w_.write(")");
  }

  void write_object(const Term& t) {
    w_.write("{");
    std::vector<std::pair<const Term*, const Term*>> pairs;
    for (size_t i = 0; i + 1 < t.items.size(); i += 2) pairs.push_back({t.items[i].get(), t.items[i + 1].get()});
    write_iterable(pairs.size(), [&](size_t i) { return pairs[i].first->loc.row; }, t.loc.row,
                   close_row(t.loc, '{', '}'), [&](size_t i) {
                     bool pk = is_union(*pairs[i].first) || is_member3(*pairs[i].first);
                     bool pv = is_union(*pairs[i].second) || is_member3(*pairs[i].second);
                     if (pk) w_.write("(");
                     write_term(*pairs[i].first);
                     if (pk) w_.write(")");
                     w_.write(": ");
                     if (pv) w_.write("(");
                     write_term(*pairs[i].second);
                     if (pv) w_.write(")");
                   });
    w_.write("}");
  }

  void write_list(const std::vector<TermPtr>& items, const Location& loc, uint32_t close, bool paren_unions) {
    write_iterable(items.size(), [&](size_t i) { return items[i]->loc.row ? items[i]->loc.row : loc.row; }, loc.row,
                   close, [&](size_t i) {
                     const Term& t = *items[i];
                     bool p = (is_union(t) && (paren_unions || starts_with_paren(t))) || is_member3(t);
                     if (p) w_.write("(");
                     write_term(t);
                     if (p) w_.write(")");
                   });
  }

  // Elements on one source row stay on one output row; more than one row (or a break right after the opening
  // bracket) makes the collection multi-line, one row per source row, with a trailing comma.
  void write_iterable(size_t n, const std::function<uint32_t(size_t)>& row_of, uint32_t start_row, uint32_t close,
                      const std::function<void(size_t)>& write_one) {
    if (n == 0) return;
    std::vector<std::vector<size_t>> lines{{}};
    uint32_t last = start_row;
    for (size_t i = 0; i < n; ++i) {
      if (row_of(i) > last && i > 0) lines.emplace_back();
      last = row_of(i);
      lines.back().push_back(i);
    }
    const bool multiline = lines.size() > 1 || row_of(0) > start_row;
    if (multiline) {
      w_.delay_trailing();
      w_.end_line();
      w_.up();
      w_.start_line();
    }
    for (size_t l = 0; l < lines.size(); ++l) {
      for (size_t k = 0; k < lines[l].size(); ++k) {
        if (k > 0) w_.write(", ");
        write_one(lines[l][k]);
      }
      if (l + 1 < lines.size()) {
        w_.write(",");
        w_.end_line();
        w_.start_line();
      }
    }
    if (multiline) {
      w_.write(",");
      w_.end_line();
      w_.insert_comments(close);
      w_.down();
      w_.start_line();
    }
  }

  void write_compr(const Term& head, const ast::Body& body, const Location& loc, uint32_t head_row = 0) {
    if (head_row == 0) head_row = head.loc.row;
    if (head_row > loc.row) {
      w_.end_line();
      w_.start_line();
    }
    bool parens = head.kind == TermKind::Call && (is_union(head) || is_member3(head) || starts_with_paren(head));
    write_term(head, parens);
    w_.write(" |");
    write_compr_body(body, head_row, loc);
  }

  void write_compr_body(const ast::Body& body, uint32_t head_row, const Location& compr) {
    bool multi = !body.empty() && body[0].loc.row > head_row;
    for (size_t i = 1; i < body.size() && !multi; ++i) multi = body[i].loc.row > body[i - 1].loc.row;
    uint32_t close = end_row(compr);
    if (multi) {
      w_.end_line();
      w_.up();
      write_body(body);
      w_.insert_comments(close);
      w_.down();
      w_.start_line();
      return;
    }
    w_.write(" ");
    for (size_t i = 0; i < body.size(); ++i) {
      if (i > 0) w_.write("; ");
      write_expr(body[i]);
    }
    w_.insert_comments(close);
  }

  // The row of the bracket closing the first `open` in a location's text.
  static uint32_t close_row(const Location& l, char open, char close) {
    if (!l.known()) return 0;
    std::string t = l.text();
    size_t i = t.find(open);
    if (i == std::string::npos) return 0;
    int depth = 0;
    uint32_t row = l.row + static_cast<uint32_t>(std::count(t.begin(), t.begin() + i, '\n'));
    bool in_str = false;
    for (; i < t.size(); ++i) {
      char c = t[i];
      if (c == '\n') ++row;
      if (in_str) {
        if (c == '\\') ++i;
        else if (c == '"') in_str = false;
        continue;
      }
      if (c == '"') in_str = true;
      else if (c == open) ++depth;
      else if (c == close && --depth == 0) return row;
    }
    return 0;
  }

  const ast::Module& m_;
  Layout w_;
  bool ref_heads_ = false;
};

}  // namespace

std::string format_module(std::shared_ptr<const SourceFile> source) {
  ast::Module m = parse_module(source);
  std::deque<Comment> comments;
  for (const auto& c : m.comments) {
    std::string text = c.text();
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    comments.push_back({c.row, std::move(text)});
  }
  return Formatter(m, std::move(comments)).run();
}

}  // namespace rego
