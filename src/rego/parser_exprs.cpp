// Bodies and expressions: OPA's parseQuery, parseLiteral, parseExpr, parseWith, parseSome and parseEvery.
#include "rego/parser_impl.h"

namespace rego::parser_detail {

bool Parser::parse_body(Tok end, ast::Body& out) {
  Depth depth(*this);
  if (!depth) return false;
  return parse_query_stmt(false, end, out);
}

// Expressions separated by ';' or newlines, up to `end` (not consumed). With require_semi (top-level
// statements) one expression ends the statement unless a ';' follows.
bool Parser::parse_query_stmt(bool require_semi, Tok end, ast::Body& out) {
  if (kind() == end) {
    error(tok_loc(), "found empty body");
    return false;
  }
  for (;;) {
    ast::Expr e;
    if (!parse_literal(e)) return false;
    out.push_back(std::move(e));
    if (kind() == Tok::Semicolon) {
      scan();
      continue;
    }
    if (kind() == end || require_semi) return true;
    if (!tok().nl_before) {
      // Don't pile a second error onto one already reported.
      if (!has_errors()) illegal(std::string("expected \\n or ; or ") + lex::token_name(end));
      return false;
    }
  }
}

bool Parser::parse_literal(ast::Expr& out) {
  const Location start = tok_loc();
  bool ok;
  bool negated = false;
  if (lex::is_keyword(kind()) && [&] {
        Token n = peek();
        return !n.space_before && (n.kind == Tok::Dot || n.kind == Tok::LBrack);
      }()) {
    st_.tok.kind = Tok::Ident;  // a keyword heading a ref: `not.x`, `input.in` is handled by parse_ref
    ok = parse_literal_expr(false, out);
  } else {
    if (kind() == Tok::Not) {
      Token n = peek();
      if (n.space_before || (n.kind != Tok::Dot && n.kind != Tok::LBrack)) {
        scan();
        negated = true;
      }
    }
    if (negated && rego_v2_import_ && kind() == Tok::LBrace) {
      ok = parse_not_body(out);
      if (ok) out.loc = span_from(start);
      return ok;
    }
    switch (kind()) {
      case Tok::Some:
        if (negated) {
          illegal("illegal negation of 'some'");
          return false;
        }
        ok = parse_some(out);
        break;
      case Tok::Every:
        if (negated) {
          illegal("illegal negation of 'every'");
          return false;
        }
        ok = parse_every(out);
        break;
      default:
        ok = parse_literal_expr(negated, out);
    }
  }
  // The expression's location spans all of its text (`not` and `with` included): the evaluator quotes it.
  if (ok) out.loc = span_from(start);
  return ok;
}

bool Parser::parse_literal_expr(bool negated, ast::Expr& out) {
  if (!parse_expr(out)) return false;
  out.negated = negated;
  if (kind() == Tok::With) return parse_with(out.with);
  return true;
}

bool Parser::parse_expr(ast::Expr& out) {
  TermPtr lhs = parse_infix(true);
  if (!lhs) return false;
  out.kind = ast::ExprKind::Term;
  if (kind() == Tok::Assign || kind() == Tok::Unify) {
    const char* op = kind() == Tok::Assign ? "assign" : "eq";
    scan();
    TermPtr rhs = parse_infix(true);
    if (!rhs) return false;
    Location loc = span_from(lhs->loc);
    out.terms.push_back(make_call(op, {std::move(lhs), std::move(rhs)}, loc));
    return true;
  }
  out.terms.push_back(std::move(lhs));
  return true;
}

bool Parser::parse_with(std::vector<ast::With>& out) {
  for (;;) {
    ast::With w;
    const Location start = tok_loc();
    scan();
    if (kind() != Tok::Ident) {
      illegal("expected ident");
      return false;
    }
    w.target = parse_term();
    if (!w.target) return false;
    if (w.target->kind != TermKind::Ref && w.target->kind != TermKind::Var) illegal("expected with target path");
    if (kind() != Tok::As) {
      illegal("expected as keyword");
      return false;
    }
    scan();
    w.value = parse_infix(true);
    if (!w.value) return false;
    w.loc = span_from(start);
    out.push_back(std::move(w));
    if (kind() != Tok::With) return true;
  }
}

bool Parser::parse_some(ast::Expr& out) {
  // First try `some x in xs` / `some k, v in xs`; otherwise it is a declaration `some a, b`.
  const State s = save();
  scan();
  if (TermPtr term = parse_infix(true)) {
    if (term->kind == TermKind::Call) {
      if (term->name == "internal.member_2" || term->name == "internal.member_3") {
        if (term->items.size() != (term->name == "internal.member_2" ? 2u : 3u)) {
          illegal("illegal domain");
          return false;
        }
      } else {
        illegal("expected `x in xs` or `x, y in xs` expression");
        return false;
      }
      out.kind = ast::ExprKind::SomeIn;
      out.terms = std::move(term->items);
      if (kind() == Tok::With) return parse_with(out.with);
      return true;
    }
  }
  restore(s);
  out.kind = ast::ExprKind::SomeDecl;
  for (;;) {
    scan();
    if (kind() != Tok::Ident) {
      illegal("expected var");
      return false;
    }
    out.terms.push_back(parse_var());
    scan();
    if (kind() != Tok::Comma) return true;
  }
}

bool Parser::parse_every(ast::Expr& out) {
  const Location start = tok_loc();
  scan();
  TermPtr term = parse_infix(true);
  if (!term) return false;
  const char* shape = "expected `x[, y] in xs { ... }` expression";
  if (term->kind != TermKind::Call) {
    illegal(shape);
    return false;
  }
  TermPtr key, value, domain;
  if (term->name == "internal.member_2") {
    if (term->items.size() != 2) {
      illegal("illegal domain");
      return false;
    }
    value = term->items[0];
    domain = term->items[1];
    key = make(TermKind::Scalar, start);  // null: no key
  } else if (term->name == "internal.member_3") {
    if (term->items.size() != 3) {
      illegal("illegal domain");
      return false;
    }
    key = term->items[0];
    value = term->items[1];
    domain = term->items[2];
    if (key->kind != TermKind::Var) {
      illegal("expected key to be a variable");
      return false;
    }
  } else {
    illegal(shape);
    return false;
  }
  if (value->kind != TermKind::Var) {
    illegal("expected value to be a variable");
    return false;
  }
  if (kind() != Tok::LBrace) {
    illegal("missing body");
    return false;
  }
  scan();
  if (!parse_body(Tok::RBrace, out.body)) return false;
  scan();
  out.kind = ast::ExprKind::Every;
  out.terms = {std::move(key), std::move(value), std::move(domain)};
  if (kind() == Tok::With) return parse_with(out.with);
  return true;
}

// `not { a; b }` (rego.v2): true when the body has no solution. Desugared to
// `not gt(count([true | a; b]), 0)`, which the evaluator already knows.
bool Parser::parse_not_body(ast::Expr& out) {
  const Location start = tok_loc();
  scan();
  auto compr = make(TermKind::ArrayCompr, start);
  if (!parse_body(Tok::RBrace, compr->body)) return false;
  scan();
  auto yes = make(TermKind::Scalar, start);
  yes->value = Value::boolean(true);
  compr->items.push_back(yes);
  auto count = make(TermKind::Call, start);
  count->name = "count";
  count->items.push_back(compr);
  auto zero = make(TermKind::Scalar, start);
  zero->value = Value::integer(0);
  auto gt = make(TermKind::Call, start);
  gt->name = "gt";
  gt->items = {count, zero};
  out.kind = ast::ExprKind::Term;
  out.negated = true;
  out.terms = {gt};
  if (kind() == Tok::With) return parse_with(out.with);
  return true;
}

}  // namespace rego::parser_detail
