// The Rego formatter (format.h): the module, its imports and rules. Walks the parsed module in source order and
// lays it out as OPA's formatter does; source rows decide where a collection, call or comprehension breaks over
// lines and where comments go. Expressions: format_exprs.cpp; terms: format_terms.cpp.
#include "rego/format.h"

#include "rego/format_impl.h"
#include "rego/json.h"
#include "rego/parser.h"

namespace rego {
namespace fmt_detail {

std::string Formatter::run() {
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

void Formatter::write_package() {
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

bool Formatter::bracketed_in_source(const std::string& s) const {
  return m_.package_loc.text().find("[\"" + s + "\"]") != std::string::npos;
}

std::vector<std::string> Formatter::import_key(const ast::Import& i) {
  std::vector<std::string> k;
  for (const auto& t : i.path) {
    k.push_back(t->kind == TermKind::Var ? t->name : t->value.is_string() ? t->value.as_string() : "");
  }
  return k;
}

void Formatter::write_imports(std::vector<const ast::Import*> imps) {
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

bool Formatter::groupable_one_liner(const Rule& r) const { return r.body.size() <= 1 && !r.is_default; }

void Formatter::write_rules(const std::vector<const Rule*>& rules) {
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

bool Formatter::is_true(const TermPtr& t) {
  return t && t->kind == TermKind::Scalar && t->value.is_boolean() && t->value.as_bool();
}

bool Formatter::same_loc(const Location& a, const Location& b) { return a.offset == b.offset && a.length == b.length; }

// The row of the `}` closing the rule's body: the brace matching the first `{` after the head.
uint32_t Formatter::body_close_row(const Rule& r) const {
  const std::string& src = r.loc.file->text;
  const size_t from = r.head.loc.offset + r.head.loc.length;
  // Only a `{` before the first expression opens the body: `p if\n\tx` has no braces at all.
  const size_t first = r.body.empty() ? from : r.body[0].loc.offset;
  if (src.find('{', from) >= first) return end_row(r.body.back().loc);
  const uint32_t row = r.head.loc.row + static_cast<uint32_t>(std::count(src.begin() + r.head.loc.offset,
                                                                           src.begin() + from, '\n'));
  return closing_row(src, from, src.size(), row, '{', '}');
}

void Formatter::write_rule(const Rule& r, bool is_else) {
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

bool Formatter::is_set_expr(const Expr& e) {
  return !e.negated && e.kind == ExprKind::Term && e.terms[0]->kind == TermKind::Set;
}

void Formatter::write_else(const Rule& r) {
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

void Formatter::write_head(const Rule& r, bool is_else, bool expanded_const) {
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

}  // namespace fmt_detail

std::string format_module(std::shared_ptr<const SourceFile> source) {
  ast::Module m = parse_module(source);
  std::deque<fmt_detail::Comment> comments;
  for (const auto& c : m.comments) {
    std::string text = c.text();
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();  // as OPA
    comments.push_back({c.row, std::move(text)});
  }
  return fmt_detail::Formatter(m, std::move(comments)).run();
}

}  // namespace rego
