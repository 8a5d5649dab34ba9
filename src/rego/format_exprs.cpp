// The formatter's bodies and expressions (format_impl.h): `some`, `every`, `not`, `with`, calls and `in`.
#include "rego/format_impl.h"

namespace rego::fmt_detail {

void Formatter::write_body(const ast::Body& body) {
  if (!body.empty()) w_.insert_comments(body[0].loc.row);
  for (size_t i = 0; i < body.size(); ++i) {
    if (i > 0 && body[i].loc.row > end_row(body[i - 1].loc) + 1) w_.blank_line();
    w_.start_line();
    write_expr(body[i]);
    w_.end_line();
  }
}

void Formatter::write_expr(const Expr& e) {
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

void Formatter::write_withs(const Expr& e) {
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

void Formatter::write_with(const ast::With& w, bool indented) {
  w_.insert_comments(w.loc.row);
  if (!indented) w_.write(" ");
  w_.write("with ");
  write_term(*w.target);
  w_.write(" as ");
  write_term(*w.value);
}

// A call as a whole expression: infix operators spaced, `in` sugared, others as name(args).
void Formatter::write_call_expr(const Term& t) {
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

void Formatter::write_plain_call(const Term& t) {
  w_.write(t.name);
  w_.write("(");
  write_list(t.items, t.loc, close_row(t.loc, '(', ')'), false);
  w_.write(")");
}

void Formatter::write_in(const std::vector<TermPtr>& ops, bool parens) {
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

}  // namespace rego::fmt_detail
