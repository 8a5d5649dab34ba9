// Statements: OPA's parsePackage, parseImport (with the future/rego.v1 keyword imports), parseRules,
// parseHead and parseElse.
#include <algorithm>
#include <functional>

#include "rego/parser_impl.h"

namespace rego::parser_detail {
namespace {

constexpr unsigned kKwIn = 1, kKwEvery = 2, kKwContains = 4, kKwIf = 8;
constexpr unsigned kAllFuture = kKwIn | kKwEvery | kKwContains | kKwIf;

bool is_string(const Term& t) { return t.kind == TermKind::Scalar && t.value.is_string(); }

bool ref_is_ground(const std::vector<TermPtr>& ref) {
  for (size_t i = 1; i < ref.size(); ++i)
    if (!is_ground(*ref[i])) return false;
  return true;
}

// OPA's IsKeywordInRegoVersion.
bool is_keyword_in(std::string_view s, bool v1) {
  static const char* const kBase[] = {"not", "package", "import", "as", "default", "else",
                                      "with", "null", "true", "false", "some"};
  for (const char* k : kBase)
    if (s == k) return true;
  return v1 && (s == "if" || s == "contains" || s == "in" || s == "every");
}

void set_locations(Term& t, const Location& loc) {
  t.loc = loc;
  for (auto& i : t.items) set_locations(*i, loc);
}

}  // namespace

bool Parser::parse_package(Stmt& out) {
  if (kind() != Tok::Package) return false;
  const Location start = tok_loc();
  Token n = peek();
  if (!n.space_before && (n.kind == Tok::Dot || n.kind == Tok::LBrack)) return false;  // `package.x`: a ref
  scan();
  if (kind() != Tok::Ident && !lex::is_keyword(kind())) {
    illegal();
    return false;
  }
  st_.tok.kind = Tok::Ident;
  TermPtr term = parse_term();
  if (!term) {
    if (!has_errors()) error(tok_loc(), "expected path");
    return false;
  }
  if (term->kind == TermKind::Var) {
    out.package = {term->name};
  } else if (term->kind == TermKind::Ref) {
    const auto& items = term->items;
    if (items[0]->kind != TermKind::Var) {
      error(items[0]->loc, std::string("unexpected ") + value_name(*items[0]) + " token: expecting var");
      return false;
    }
    out.package.push_back(items[0]->name);
    for (size_t i = 1; i < items.size(); ++i) {
      if (!is_string(*items[i])) {
        error(items[i]->loc, std::string("unexpected ") + value_name(*items[i]) + " token: expecting string");
        return false;
      }
      out.package.push_back(items[i]->value.as_string());
    }
  } else {
    illegal();
    return false;
  }
  out.kind = Stmt::Kind::Package;
  out.loc = span_from(start);
  return true;
}

bool Parser::parse_import(Stmt& out) {
  if (kind() != Tok::Import) return false;
  const Location start = tok_loc();
  Token n = peek();
  if (!n.space_before && (n.kind == Tok::Dot || n.kind == Tok::LBrack)) return false;  // `import.x`: a ref
  scan();
  if (kind() != Tok::Ident && !lex::is_keyword(kind())) {
    illegal();
    return false;
  }
  st_.tok.kind = Tok::Ident;
  // Future keywords are plain names inside an import path (`import future.keywords.in`).
  suppress_future_ = true;
  TermPtr term = parse_term();
  suppress_future_ = false;
  auto& path = out.import.path;
  if (term && term->kind == TermKind::Var) {
    path = {term};
  } else if (term && term->kind == TermKind::Ref) {
    for (size_t i = 1; i < term->items.size(); ++i) {
      if (!is_string(*term->items[i])) {
        error(term->items[i]->loc,
              std::string("unexpected ") + value_name(*term->items[i]) + " token: expecting string");
        return false;
      }
    }
    path = term->items;
  }
  if (path.empty()) {
    error(tok_loc(), "expected path");
    return false;
  }
  out.path_loc = term->loc;
  const std::string root = path[0]->kind == TermKind::Var ? path[0]->name : std::string();
  if (root != "data" && root != "input" && root != "future" && root != "rego") {
    error(term->loc, "unexpected import path, must begin with one of: {data, future, input, rego}, got: " +
                         ast::term_to_string(*path[0]) + " (hint: if this is unexpected, try updating OPA)");
    return false;
  }
  if (kind() == Tok::As) {
    scan();
    if (kind() != Tok::Ident) {
      illegal("expected var");
      return false;
    }
    TermPtr alias = parse_term();
    if (!alias || alias->kind != TermKind::Var) {
      illegal("expected var");
      return false;
    }
    out.import.alias = alias->name;
  } else if (path.size() == 1) {
    if (is_keyword_in(path[0]->name, v1()))
      error(path[0]->loc, "unexpected import path, must not end with a keyword, got: " + path[0]->name);
  } else if (root != "future") {
    const std::string& last = path.back()->value.as_string();
    if (is_keyword_in(last, v1()))
      error(path.back()->loc, "unexpected import path, must not end with a keyword, got: " + last);
  }
  out.kind = Stmt::Kind::Import;
  out.loc = span_from(start);
  out.import.loc = out.loc;
  return true;
}

void Parser::apply_import(const Stmt& st) {
  const auto& path = st.import.path;
  const std::string& root = path[0]->name;
  if (root == "rego") {
    const bool v2 = path.size() == 2 && is_string(*path[1]) && path[1]->value.as_string() == "v2";
    if (!v2 && (path.size() != 2 || !is_string(*path[1]) || path[1]->value.as_string() != "v1")) {
      error(st.path_loc, "invalid import `" + ast::ref_to_string(path) + "`, must be `rego.v1`");
      return;
    }
    // `rego.v2` (newer OPA) is v1 plus negated bodies: `not { a; b }`.
    if (v2) rego_v2_import_ = true;
    if (v1()) return;  // a no-op in Rego v1
    if (!st.import.alias.empty()) {
      error(st.path_loc, "`rego` imports cannot be aliased");
      return;
    }
    rego_v1_import_ = true;
    future_keywords_ = kAllFuture;
  } else if (root == "future") {
    if (path.size() == 1 || !is_string(*path[1]) || path[1]->value.as_string() != "keywords") {
      error(st.path_loc, "invalid import, must be `future.keywords`");
      return;
    }
    if (!st.import.alias.empty()) {
      error(st.path_loc, "`future` imports cannot be aliased");
      return;
    }
    unsigned bits = kAllFuture;
    if (path.size() == 3) {
      if (!is_string(*path[2])) {
        error(st.path_loc, "invalid import, must be `future.keywords.x`, e.g. `import future.keywords.in`");
        return;
      }
      const std::string& kw = path[2]->value.as_string();
      if (kw == "in") bits = kKwIn;
      else if (kw == "every") bits = kKwEvery | kKwIn;  // `every` needs `in`
      else if (kw == "contains") bits = kKwContains;
      else if (kw == "if") bits = kKwIf;
      else if (kw == "not") bits = 0;  // newer OPA: `not` is a keyword already
      else {
        error(st.path_loc, "unexpected keyword, must be one of [contains every if in not]");
        return;
      }
    }
    future_keywords_ |= bits;
  }
}

// ---- rules ----

TermPtr Parser::parse_head_finish(TermPtr head) {
  scan();
  if (!tok().space_before) {
    switch (kind()) {
      case Tok::Add: case Tok::Sub: case Tok::Mul: case Tok::Quo: case Tok::Rem: case Tok::And: case Tok::Or:
      case Tok::Equal: case Tok::Neq: case Tok::Gt: case Tok::Gte: case Tok::Lt: case Tok::Lte:
        illegal();
        break;
      default:
        break;
    }
  }
  // Unlike in bodies, whitespace may separate a rule name from its `[key]`, `.x` or `(args)`.
  if (kind() == Tok::LParen || kind() == Tok::Dot || kind() == Tok::LBrack) return parse_ref(std::move(head));
  if (head->name == "data" || head->name == "input") {
    auto ref = make(TermKind::Ref, head->loc);
    ref->items.push_back(std::move(head));
    return ref;
  }
  return head;
}

bool Parser::parse_head(bool is_default, HeadP& head, bool& uses_contains) {
  const Location start = tok_loc();
  TermPtr ref = parse_head_finish(parse_var());
  if (!ref) {
    illegal("expected rule head name");
    return false;
  }
  switch (ref->kind) {
    case TermKind::Var:
      head.ref = {ref};
      break;
    case TermKind::Ref:
      head.ref = ref->items;
      break;
    case TermKind::Call:
      head.ref = call_operator(*ref);
      head.args = ref->items;
      head.is_call = true;
      break;
    default:
      return false;
  }
  if (head.ref[0]->kind != TermKind::Var) {
    illegal("rule head ref " + ast::ref_to_string(head.ref) + " invalid");
    return false;
  }
  const std::string name = ast::ref_to_string(head.ref);
  switch (kind()) {
    case Tok::Contains:
      if (head.is_call)
        illegal("the contains keyword can only be used with multi-value rule definitions (e.g., " + name +
                " contains <VALUE> { ... })");
      scan();
      head.key = parse_infix(true);
      if (!head.key) {
        illegal("expected rule key term (e.g., " + name + " contains <VALUE> { ... })");
        return false;
      }
      uses_contains = true;
      head.loc = span_from(start);
      return true;
    case Tok::Unify:
      scan();
      head.value = parse_infix(true);
      if (!head.value) {
        illegal("expected rule value term (e.g., " + name + "[%!s(<nil>)] = <VALUE> { ... })");
        return false;
      }
      break;
    case Tok::Assign:
      scan();
      head.assign = true;
      head.value = parse_infix(true);
      if (!head.value) {
        if (!head.args.empty())
          illegal("expected function value term (e.g., " + name + "(...) := <VALUE> { ... })");
        else if (head.key)
          illegal("expected partial rule value term (e.g., " + name + "[...] := <VALUE> { ... })");
        else if (is_default)
          illegal("expected default rule value term (e.g., default " + name + " := <VALUE>)");
        else
          illegal("expected rule value term (e.g., " + name + " := <VALUE> { ... })");
        return false;
      }
      break;
    default:
      break;
  }
  head.loc = span_from(start);
  if (!head.value && !head.key && (head.ref.size() != 2 || !head.args.empty())) {
    head.generated_value = true;
    head.value = make_bool(true, head.loc);
  }
  return true;
}

// OPA's validateDefaultRuleValue / validateDefaultRuleArgs.
bool Parser::validate_default(const HeadP& head, const Location& rule_loc) {
  if (!head.value) {
    error(rule_loc, "illegal default rule (must have a value)");
    return false;
  }
  bool valid = true;
  std::function<void(const Term&)> walk = [&](const Term& t) {
    switch (t.kind) {
      case TermKind::ArrayCompr: case TermKind::SetCompr: case TermKind::ObjectCompr:
        return;  // closures may use variables
      case TermKind::Ref: case TermKind::Var: case TermKind::Call:
        error(rule_loc, std::string("illegal default rule (value cannot contain ") + value_name(t) + ")");
        valid = false;
        return;
      default:
        for (auto& i : t.items) walk(*i);
    }
  };
  walk(*head.value);
  std::vector<std::string> seen;
  for (auto& a : head.args) {
    if (a->kind != TermKind::Var) {
      error(rule_loc, std::string("illegal default rule (arguments cannot contain ") + value_name(*a) + ")");
      valid = false;
    } else if (std::find(seen.begin(), seen.end(), a->name) != seen.end()) {
      error(rule_loc, "illegal default rule (arguments cannot be repeated " + a->name + ")");
      valid = false;
    } else {
      seen.push_back(a->name);
    }
  }
  return valid;
}

// Turns a parsed head into the AST's, deciding the rule kind (ast.h).
ast::RulePtr Parser::make_rule(HeadP head, RuleFlags flags, const Location& loc) {
  auto rule = std::make_shared<ast::Rule>();
  rule->loc = loc;
  rule->module_file = file_->name;
  ast::RuleHead& h = rule->head;
  h.loc = head.loc;
  h.assign = head.assign;
  h.args = std::move(head.args);
  flags.generated_value = head.generated_value;
  if (!h.args.empty()) {
    h.kind = ast::RuleKind::Function;
  } else if (head.key && !head.value) {
    h.kind = ast::RuleKind::PartialSet;  // OPA's multi-value rule
    h.key = std::move(head.key);
    flags.multi_value = true;
  } else {
    h.kind = ast::RuleKind::Complete;
    for (size_t i = 1; i < head.ref.size(); ++i) {
      if (head.ref[i]->kind != TermKind::Scalar) {
        h.kind = ast::RuleKind::PartialObj;
        // A copy, so that no term is shared between two places of the tree.
        h.key = deep_copy(head.ref.back());
        break;
      }
    }
  }
  h.ref = std::move(head.ref);
  h.value = std::move(head.value);
  flags_.emplace_back(rule.get(), flags);
  return rule;
}

bool Parser::parse_rules(std::vector<ast::RulePtr>& out) {
  const Location start = tok_loc();
  scan_ahead_ref();  // a keyword may name the first part of a ref head: `contains.x := 1`
  bool is_default = false;
  if (kind() == Tok::Default) {
    scan();
    is_default = true;
    scan_ahead_ref();
  }
  if (kind() != Tok::Ident) return false;
  HeadP head;
  bool uses_contains = false;
  if (!parse_head(is_default, head, uses_contains)) return false;
  RuleFlags flags;
  flags.has_contains = uses_contains;

  if (is_default) {
    Location loc = span_from(start);
    if (!validate_default(head, loc)) return false;
    auto rule = make_rule(std::move(head), flags, loc);
    rule->is_default = true;  // body stays empty: unconditionally true
    out.push_back(std::move(rule));
    return true;
  }

  const bool has_if = kind() == Tok::If;
  if (has_if && !uses_contains && head.ref.size() == 2) {
    // `p[x] if ...` is a single-value rule at p[x] (value true unless given).
    const TermPtr& v = head.ref[1];
    if ((!is_ground(*v) || v->kind == TermKind::Ref) && head.args.empty()) head.key = v;
    if (!head.value) {
      head.generated_value = true;
      head.value = make_bool(true, head.loc);
    } else if (head.ref[0]->kind != TermKind::Var) {
      return false;
    }
  }
  if (!has_if && !uses_contains && head.args.empty() && head.ref.size() == 2) {
    // Back-compat: `p[x] { ... }` is a multi-value (set) rule p.
    if (head.ref[0]->kind != TermKind::Var) return false;
    head.key = head.ref[1];
    if (!head.value) head.ref.pop_back();
  }

  ast::Body body;
  if (has_if) {
    flags.has_if = true;
    scan();
    if (kind() == Tok::LBrace && parse_braced_body_fast(body)) {
      // same result as OPA's order below, without parsing the first expression twice
    } else {
      body.clear();
      const State s = save();
      ast::Expr e;
      // `p if expr`; but `p if { true }` would read as a set literal, which is never false: a body then.
      bool single = parse_literal(e) && !(e.kind == ast::ExprKind::Term && e.terms[0]->kind == TermKind::Set);
      if (single) {
        body.push_back(std::move(e));
      } else {
        restore(s);
        scan();  // the '{', as OPA assumes
        if (!parse_body(Tok::RBrace, body)) return false;
        scan();
      }
    }
  } else if (kind() == Tok::LBrace) {
    scan();
    if (!parse_body(Tok::RBrace, body)) return false;
    scan();
  } else if (uses_contains) {
    flags.generated_body = true;
    Location loc = head.loc;
    out.push_back(make_rule(std::move(head), flags, loc));
    return true;
  } else {
    return false;  // not a rule: the caller tries a body (`p := 1`, `p[x]`, ...)
  }

  ast::RulePtr else_rule;
  if (kind() == Tok::Else && !scan_ahead_ref()) {
    if (head.ref.size() > 1 && !ref_is_ground(head.ref)) {
      error(tok_loc(), "else keyword cannot be used on rules with variables in head");
      return false;
    }
    if (head.key) {
      error(tok_loc(), "else keyword cannot be used on multi-value rules");
      return false;
    }
    else_rule = parse_else(head);
    if (!else_rule) return false;
  }

  HeadP chained_head = head;  // for `p { a } { b }`: each body defines the same head again
  auto rule = make_rule(std::move(head), flags, span_from(start));
  rule->body = std::move(body);
  rule->else_rule = std::move(else_rule);
  const bool has_else = rule->else_rule != nullptr;
  out.push_back(std::move(rule));

  while (kind() == Tok::LBrace) {
    if (has_else) {
      error(tok_loc(), "expected else keyword");
      return false;
    }
    const Location loc = tok_loc();
    scan();
    ast::Body next_body;
    if (!parse_body(Tok::RBrace, next_body)) return false;
    scan();
    const Location next_loc = span_from(loc);
    HeadP h = chained_head;
    for (auto* list : {&h.ref, &h.args}) {
      for (auto& t : *list) {
        t = deep_copy(t);
        if (t->kind == TermKind::Var && t->name.rfind("$_", 0) == 0) t->name = fresh_wildcard();
      }
    }
    h.key = deep_copy(h.key);
    h.value = deep_copy(h.value);
    // As OPA: the repeated head is located at its body.
    for (auto* list : {&h.ref, &h.args})
      for (auto& t : *list) set_locations(*t, next_loc);
    if (h.key) set_locations(*h.key, next_loc);
    if (h.value) set_locations(*h.value, next_loc);
    h.loc = next_loc;
    RuleFlags f = flags;
    f.generated_body = false;
    auto next = make_rule(std::move(h), f, next_loc);
    next->body = std::move(next_body);
    out.push_back(std::move(next));
  }
  return true;
}

// `p if { ... }`: OPA first reads what follows `if` as one expression and takes it as the body unless it is a
// set literal (`{ x }`), in which case it re-reads the braces as a body. Parsing the braces as a body directly
// gives the same result whenever the expression reading could only have been a set literal: the braces hold
// no comprehension (`{x | ...}`), no object (those never parse as bodies), and nothing after the closing
// brace continues an expression. Otherwise this restores and the caller follows OPA's order exactly.
// At '{'. On success the token after '}' is current.
bool Parser::parse_braced_body_fast(ast::Body& body) {
  const State s = save();
  scan();
  bool ok = false;
  if (kind() != Tok::RBrace) {
    const State first = save();
    TermPtr lone = parse_term();
    const bool comprehension = lone && kind() == Tok::Or;
    restore(first);
    if (!comprehension && parse_body(Tok::RBrace, body)) {
      scan();
      switch (kind()) {
        case Tok::LParen: case Tok::Dot: case Tok::LBrack: case Tok::Comma: case Tok::In:
        case Tok::Assign: case Tok::Unify: case Tok::With:
        case Tok::Equal: case Tok::Neq: case Tok::Lt: case Tok::Gt: case Tok::Lte: case Tok::Gte:
        case Tok::Or: case Tok::And: case Tok::Add: case Tok::Sub: case Tok::Mul: case Tok::Quo: case Tok::Rem:
          break;  // `{ ... } == x`: an expression after all
        default:
          ok = true;
      }
    }
  }
  if (!ok) restore(s);
  return ok;
}

// At `else`. `head` is the head of the rule the chain starts from.
ast::RulePtr Parser::parse_else(const HeadP& head) {
  Depth depth(*this);  // else chains nest (rule->else_rule->...)
  if (!depth) return nullptr;
  const Location start = tok_loc();
  HeadP h;
  h.ref.reserve(head.ref.size());
  for (auto& t : head.ref) h.ref.push_back(deep_copy(t));
  for (auto& t : head.args) {
    h.args.push_back(deep_copy(t));
    if (h.args.back()->kind == TermKind::Var && h.args.back()->name.rfind("$_", 0) == 0)
      h.args.back()->name = fresh_wildcard();
  }
  h.is_call = head.is_call;
  h.assign = head.assign;
  h.loc = start;
  RuleFlags flags;  // OPA's Head.Copy drops the keywords: an else needs its own `if`
  scan();
  switch (kind()) {
    case Tok::LBrace:
    case Tok::If:  // no value: true
      h.generated_value = true;
      h.value = make_bool(true, start);
      break;
    case Tok::Assign:
    case Tok::Unify:
      h.assign = kind() == Tok::Assign;
      scan();
      h.value = parse_infix(true);
      if (!h.value) return nullptr;
      h.loc = span_from(start);
      break;
    default:
      illegal("expected else value term or rule body");
      return nullptr;
  }
  ast::Body body;
  const bool has_if = kind() == Tok::If;
  if (!has_if && kind() != Tok::LBrace) {
    flags.generated_body = true;
    return make_rule(std::move(h), flags, span_from(start));
  }
  if (has_if) {
    flags.has_if = true;
    scan();
  }
  if (kind() == Tok::LBrace) {
    scan();
    if (!parse_body(Tok::RBrace, body)) return nullptr;
    scan();
  } else if (kind() != Tok::Eof) {
    ast::Expr e;
    if (!parse_literal(e)) return nullptr;
    body.push_back(std::move(e));
  } else {
    illegal("rule body expected");
    return nullptr;
  }
  ast::RulePtr next;
  if (kind() == Tok::Else) {
    next = parse_else(head);
    if (!next) return nullptr;
  }
  auto rule = make_rule(std::move(h), flags, span_from(start));
  rule->body = std::move(body);
  rule->else_rule = std::move(next);
  return rule;
}

}  // namespace rego::parser_detail
