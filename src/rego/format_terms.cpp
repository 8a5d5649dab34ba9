// The formatter's terms (format_impl.h): scalars as written, refs, collections (one output row per source row),
// comprehensions and nested calls.
#include "rego/format_impl.h"
#include "rego/number.h"

#include "rego/json.h"

namespace rego::fmt_detail {

void Formatter::write_term(const Term& t, bool parens) {
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
bool Formatter::fallback_unformatted(const Term& t) {
  if (t.kind != TermKind::Array && t.kind != TermKind::Set && t.kind != TermKind::Object) return false;
  uint32_t last = end_row(t.loc);
  if (last == t.loc.row || !w_.has_comment_between(t.loc.row, last)) return false;
  if (multiline_items(t)) return false;
  w_.insert_comments(t.loc.row);
  w_.drop_trailing_within(t.loc.row, last);
  w_.write(t.loc.text());
  w_.skip_comments_before(last);
  w_.insert_comments(last);  // a comment after the closing bracket stays on its line
  return true;
}

bool Formatter::multiline_items(const Term& t) const {
  uint32_t prev = t.loc.row;
  size_t step = t.kind == TermKind::Object ? 2 : 1;
  for (size_t i = 0; i < t.items.size(); i += step) {
    if (t.items[i]->loc.row > prev) return true;
    prev = t.items[i]->loc.row;
  }
  return false;
}

std::string Formatter::var_name(const std::string& n) { return n.rfind("$_", 0) == 0 ? "_" : n; }

void Formatter::write_scalar(const Term& t) {
  std::string text = t.loc.known() ? t.loc.text() : std::string();
  if (t.value.is_string()) {
    if (!text.empty() && text[0] == '`') return w_.write(text);
    size_t q = text.find_first_of("\"`");
    if (q != std::string::npos && (text.back() == '"' || text.back() == '`')) return w_.write(text.substr(q));
    return w_.write(json::write(t.value));
  }
  // Numbers as written — when the source text is a number literal: the 0 of a unary minus (minus(0, x), ast.h)
  // is located at the '-' alone, which must print as 0 wherever that term ends up (a rule head's arguments too).
  if (t.value.is_number() && !text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-') &&
      number::parse(text)) {
    return w_.write(text);
  }
  w_.write(json::write(t.value));
}

// A ref's head and path: `.x` for names, `["x"]` otherwise, `[x]` for variables.
void Formatter::write_ref_items(const std::vector<TermPtr>& items, bool import) {
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
void Formatter::write_call_term(const Term& t, bool parens) {
  if (is_member(t)) return write_in(t.items, parens);
  // Unary minus on a non-number, `-x`: the parser's minus(0, x), whose 0 is located at the '-' (ast.h). Written
  // as an infix minus, that 0 would print as its source text "-" and give `- - x`, which does not parse.
  const Term* zero = t.name == "minus" && t.items.size() == 2 ? t.items[0].get() : nullptr;
  if (zero && zero->kind == TermKind::Scalar && zero->loc.known() && zero->loc.text() == "-") {
    if (parens) w_.write("(");
    w_.write("-");
    write_term(*t.items[1], true);
    if (parens) w_.write(")");
    return;
  }
  const char* op = infix_of(t.name);
  if (!op || t.items.size() != 2) return write_plain_call(t);
  if (parens) w_.write("(");
  write_term(*t.items[0], true);
  w_.write(std::string(" ") + op + " ");
  write_term(*t.items[1], true);
  if (parens) w_.write(")");
}

void Formatter::write_object(const Term& t) {
  w_.write("{");
  std::vector<std::pair<const Term*, const Term*>> pairs;
  for (size_t i = 0; i + 1 < t.items.size(); i += 2) pairs.push_back({t.items[i].get(), t.items[i + 1].get()});
  const bool spans = !pairs.empty() && end_row(pairs[0].second->loc) > pairs[0].first->loc.row;
  write_iterable(pairs.size(), [&](size_t i) { return pairs[i].first->loc.row; }, t.loc.row,
                 close_row(t.loc, '{', '}'), spans, [&](size_t i) {
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

void Formatter::write_list(const std::vector<TermPtr>& items, const Location& loc, uint32_t close, bool paren_unions) {
  const bool spans = !items.empty() && end_row(items[0]->loc) > items[0]->loc.row;
  write_iterable(items.size(), [&](size_t i) { return items[i]->loc.row ? items[i]->loc.row : loc.row; }, loc.row,
                 close, spans, [&](size_t i) {
                   const Term& t = *items[i];
                   bool p = (is_union(t) && (paren_unions || starts_with_paren(t))) || is_member3(t);
                   if (p) w_.write("(");
                   write_term(t);
                   if (p) w_.write(")");
                 });
}

// Elements on one source row stay on one output row; more than one row (or a break right after the opening
// bracket) makes the collection multi-line, one row per source row, with a trailing comma.
void Formatter::write_iterable(size_t n, const std::function<uint32_t(size_t)>& row_of, uint32_t start_row,
                               uint32_t close, bool first_spans_rows, const std::function<void(size_t)>& write_one) {
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
    // As OPA, a comment on the opening row follows the first element's row, unless that element spans rows
    // (a multi-line raw string): there it would land inside the element and move again on the next run.
    if (!first_spans_rows) w_.delay_trailing();
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

void Formatter::write_compr(const Term& head, const ast::Body& body, const Location& loc, uint32_t head_row) {
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

void Formatter::write_compr_body(const ast::Body& body, uint32_t head_row, const Location& compr) {
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
uint32_t Formatter::close_row(const Location& l, char open, char close) {
  if (!l.known() || !l.file) return 0;
  return closing_row(l.file->text, l.offset, size_t{l.offset} + l.length, l.row, open, close);
}

}  // namespace rego::fmt_detail
