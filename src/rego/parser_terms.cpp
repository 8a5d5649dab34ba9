// Terms and infix expressions: OPA's parseTerm, parseRef, parseCall, parseArray, parseSetOrObject and the
// precedence chain parseTermIn > parseTermRelation > parseTermOr > parseTermAnd > parseTermArith >
// parseTermFactor (so `|` binds tighter than `==`, and `in` is the loosest of all, exactly as OPA).
#include <cstring>

#include "rego/number.h"
#include "rego/parser_impl.h"

namespace rego::parser_detail {
namespace {

// Binary operator levels, loosest first. 0: not a binary operator.
constexpr int kRelation = 1;

int binary_level(Tok t) {
  switch (t) {
    case Tok::Equal: case Tok::Neq: case Tok::Lt: case Tok::Gt: case Tok::Lte: case Tok::Gte: return 1;
    case Tok::Or: return 2;
    case Tok::And: return 3;
    case Tok::Add: case Tok::Sub: return 4;
    case Tok::Mul: case Tok::Quo: case Tok::Rem: return 5;
    default: return 0;
  }
}

bool can_start_operand(Tok t) {
  switch (t) {
    case Tok::Ident: case Tok::Contains: case Tok::LParen: case Tok::LBrack: case Tok::LBrace:
    case Tok::String: case Tok::RawString: case Tok::TemplatePart: case Tok::TemplateEnd:
    case Tok::RawTemplatePart: case Tok::RawTemplateEnd:
      return true;
    default:
      return false;
  }
}

// OPA rejects numbers whose binary exponent exceeds 1e5 in magnitude ("number too big"), i.e. roughly
// |x| >= 10^30103 or a non-zero |x| < 10^-30102.
bool number_too_big(std::string_view lit, bool fraction_only) {
  size_t epos = lit.find_first_of("eE");
  std::string_view mant = lit.substr(0, epos);
  int64_t exp = 0;
  if (epos != std::string_view::npos) {
    size_t i = epos + 1;
    bool neg = false;
    if (i < lit.size() && (lit[i] == '+' || lit[i] == '-')) neg = lit[i++] == '-';
    for (; i < lit.size(); ++i) {
      if (exp < 1000000000) exp = exp * 10 + (lit[i] - '0');
    }
    if (neg) exp = -exp;
  }
  std::string_view ip, fp;
  if (fraction_only) {
    fp = mant;
  } else {
    size_t dot = mant.find('.');
    ip = mant.substr(0, dot);
    if (dot != std::string_view::npos) fp = mant.substr(dot + 1);
  }
  int64_t first = -1, idx = 0;
  for (char c : ip) {
    if (c != '0') { first = idx; break; }
    ++idx;
  }
  if (first < 0) {
    for (char c : fp) {
      if (c != '0') { first = idx; break; }
      ++idx;
    }
  }
  if (first < 0) return false;  // zero
  int64_t e10 = static_cast<int64_t>(ip.size()) - first + exp;
  return e10 > 30103 || e10 < -30102;
}

bool is_root_document(const Term& t) { return t.kind == TermKind::Var && (t.name == "data" || t.name == "input"); }

std::string call_name(const std::vector<TermPtr>& op) {
  bool dotted = !op.empty() && op[0]->kind == TermKind::Var;
  for (size_t i = 1; dotted && i < op.size(); ++i)
    dotted = op[i]->kind == TermKind::Scalar && op[i]->value.is_string();
  if (!dotted) return ast::ref_to_string(op);
  std::string name = op[0]->name;
  for (size_t i = 1; i < op.size(); ++i) {
    name += '.';
    name += op[i]->value.as_string();
  }
  return name;
}

}  // namespace

TermPtr Parser::make(TermKind k, const Location& loc) const {
  auto t = std::make_shared<Term>();
  t->kind = k;
  t->loc = loc;
  return t;
}

TermPtr Parser::make_call(std::string name, std::vector<TermPtr> args, const Location& loc) const {
  auto t = make(TermKind::Call, loc);
  t->name = std::move(name);
  t->items = std::move(args);
  return t;
}

TermPtr Parser::make_bool(bool b, const Location& loc) const {
  auto t = make(TermKind::Scalar, loc);
  t->value = Value::boolean(b);
  return t;
}

std::string Parser::fresh_wildcard() { return "$_" + std::to_string(st_.wildcard++); }

std::vector<TermPtr> Parser::call_operator(const Term& call) const {
  for (auto it = call_ops_.rbegin(); it != call_ops_.rend(); ++it)
    if (it->first.get() == &call) return it->second->items;
  // Operator calls (`a + b`) carry no operator ref: rebuild it from the dotted name, as OPA holds it.
  std::vector<TermPtr> ref;
  std::string_view name = call.name;
  size_t dot = name.find('.');
  auto head = make(TermKind::Var, call.loc);
  head->name = std::string(name.substr(0, dot));
  ref.push_back(head);
  while (dot != std::string_view::npos) {
    size_t next = name.find('.', dot + 1);
    auto s = make(TermKind::Scalar, call.loc);
    s->value = Value::string(name.substr(dot + 1, next == std::string_view::npos ? next : next - dot - 1));
    ref.push_back(s);
    dot = next;
  }
  return ref;
}

TermPtr Parser::parse_var() {
  auto t = make(TermKind::Var, tok_loc());
  std::string_view l = lit();
  if (l == "_") {
    t->name = fresh_wildcard();
  } else {
    t->name = std::string(l);
  }
  return t;
}

TermPtr Parser::parse_term() {
  Depth depth(*this);
  if (!depth) return nullptr;
  // Only collections can be re-parsed often enough to matter (comprehension fallbacks); cache just those.
  // The cache work lives out of line: this function is on every level of recursion, so its frame is kept small.
  if (kind() == Tok::LBrack || kind() == Tok::LBrace) return parse_term_cached();
  bool finished = false;
  TermPtr t = parse_primary(finished);
  return finished ? t : parse_term_finish(std::move(t));
}

TermPtr Parser::parse_term_cached() {
  const uint32_t key = tok().offset;
  TermPtr t;
  if (cache_lookup(key, t)) return t;
  const size_t errors_before = errors_.size();
  t = parse_term_finish(kind() == Tok::LBrack ? parse_array() : parse_set_or_object());
  cache_store(key, t, errors_before);
  return t;
}

bool Parser::cache_lookup(uint32_t key, TermPtr& out) {
  auto it = cache_.find(key);
  if (it == cache_.end()) return false;
  State post = it->second.post;
  errors_.insert(errors_.end(), it->second.errors.begin(), it->second.errors.end());
  post.nerrors = static_cast<uint32_t>(errors_.size());
  restore(post);
  out = it->second.term;
  return true;
}

void Parser::cache_store(uint32_t key, const TermPtr& t, size_t errors_before) {
  CacheEntry e{t, save(), Errors(errors_.begin() + static_cast<long>(errors_before), errors_.end())};
  cache_[key] = std::move(e);
}

// Parses the term starting at the current token and leaves its last token current (OPA's convention), unless
// `finished` is set, in which case the term is complete and the token after it is current.
TermPtr Parser::parse_primary(bool& finished) {
  switch (kind()) {
    case Tok::Null: {
      auto t = make(TermKind::Scalar, tok_loc());
      return t;
    }
    case Tok::True:
    case Tok::False:
      return make_bool(kind() == Tok::True, tok_loc());
    case Tok::Sub:
      return parse_minus(finished);
    case Tok::Dot:
    case Tok::Number:
      return parse_number();
    case Tok::String:
    case Tok::RawString:
      return parse_string();
    case Tok::TemplatePart:
    case Tok::TemplateEnd:
      return parse_template(false);
    case Tok::RawTemplatePart:
    case Tok::RawTemplateEnd:
      return parse_template(true);
    case Tok::Ident:
    case Tok::Contains:  // `contains` is only a keyword in rule heads
      return parse_var();
    case Tok::LBrack:
      return parse_array();
    case Tok::LBrace:
      return parse_set_or_object();
    case Tok::LParen:
      return parse_paren();
    default:
      illegal();
      return nullptr;
  }
}

// A negative number literal, or (beyond OPA) unary minus on any other operand: minus(0, x), as ast.h specifies.
TermPtr Parser::parse_minus(bool& finished) {
  Token next = peek();
  if (next.kind == Tok::Number || next.kind == Tok::Dot || !can_start_operand(next.kind)) return parse_number();
  const Location start = tok_loc();
  scan();
  TermPtr operand = parse_term();
  if (!operand) return nullptr;
  finished = true;
  auto zero = make(TermKind::Scalar, start);
  zero->value = Value::integer(0);
  return make_call("minus", {zero, operand}, span_from(start));
}

// `( expr )`: the term located at its parentheses. Leaves ')' current.
TermPtr Parser::parse_paren() {
  const Location start = tok_loc();
  scan();
  TermPtr r = parse_infix(true);
  if (!r) return nullptr;
  if (kind() != Tok::RParen) {
    error(tok_loc(), "non-terminated expression");
    return nullptr;
  }
  r->loc = start;
  r->loc.length = tok().end - start.offset;
  return r;
}

TermPtr Parser::parse_term_finish(TermPtr head) {
  if (!head) return nullptr;
  scan();
  if (!tok().space_before && (kind() == Tok::LParen || kind() == Tok::Dot || kind() == Tok::LBrack))
    return parse_ref(std::move(head));
  if (is_root_document(*head)) {
    auto ref = make(TermKind::Ref, head->loc);
    ref->items.push_back(std::move(head));
    return ref;
  }
  return head;
}

TermPtr Parser::parse_ref(TermPtr head) {
  const Location start = head->loc;
  switch (head->kind) {
    case TermKind::Var: case TermKind::Array: case TermKind::Object: case TermKind::Set:
    case TermKind::ArrayCompr: case TermKind::SetCompr: case TermKind::ObjectCompr: case TermKind::Call:
      break;
    default:
      error(head->loc, std::string("illegal ref (head cannot be ") + value_name(*head) + ")");
  }
  std::vector<TermPtr> items{std::move(head)};
  Nesting nested(*this);
  auto make_ref = [&] {
    auto ref = make(TermKind::Ref, span_from(start));
    ref->items = std::move(items);
    return ref;
  };
  for (;;) {
    switch (kind()) {
      case Tok::Dot: {
        Token dot = tok();
        scan();
        if (tok().space_before) {
          Location ws = loc_of(dot);
          ws.offset = dot.end;
          ws.col += 1;
          ws.length = 1;
          error(ws, "unexpected whitespace token: expected identifier");
          return nullptr;
        }
        if (kind() != Tok::Ident && !lex::is_keyword(kind())) {
          illegal("expected identifier");
          return nullptr;
        }
        auto s = make(TermKind::Scalar, tok_loc());
        s->value = Value::string(lit());
        items.push_back(std::move(s));
        scan();
        if (tok().space_before) return make_ref();
        break;
      }
      case Tok::LBrack: {
        scan();
        TermPtr t = parse_infix(true);
        if (!t) return nullptr;
        if (kind() != Tok::RBrack) {
          illegal("expected [");  // sic: OPA names the opening bracket
          return nullptr;
        }
        items.push_back(std::move(t));
        scan();
        if (tok().space_before) return make_ref();
        break;
      }
      case Tok::LParen: {
        TermPtr call = parse_call(make_ref(), start);
        if (!call) return nullptr;
        if (tok().space_before || (kind() != Tok::Dot && kind() != Tok::LBrack)) return call;
        // f(x).y, f(x)[0]: the call nests one level deeper in the tree with each `.g(...)` that follows.
        if (!nested.enter()) return nullptr;
        items.clear();
        items.push_back(std::move(call));
        break;
      }
      default:
        return make_ref();
    }
  }
}

// At '('. Leaves the token after ')' current.
TermPtr Parser::parse_call(TermPtr op, const Location& start) {
  scan();
  TermPtr call;
  if (kind() == Tok::RParen) {
    if (op->items.size() == 1 && op->items[0]->kind == TermKind::Var && op->items[0]->name == "set") {
      call = make(TermKind::Set, start);  // set(): the empty set
    } else {
      call = make_call(call_name(op->items), {}, start);
      call_ops_.emplace_back(call, op);
    }
  } else {
    std::vector<TermPtr> args;
    if (!parse_term_list(Tok::RParen, args)) return nullptr;
    call = make_call(call_name(op->items), std::move(args), start);
    call_ops_.emplace_back(call, op);
  }
  call->loc.length = tok().end - start.offset;
  scan();
  return call;
}

bool Parser::parse_term_list(Tok end, std::vector<TermPtr>& out) {
  if (kind() == end) return true;
  for (;;) {
    TermPtr t = parse_infix(false);
    if (!t) return false;
    out.push_back(std::move(t));
    if (kind() == end) return true;
    if (kind() == Tok::Comma) {
      scan();
      if (kind() == end) return true;
      continue;
    }
    illegal(std::string("expected \",\" or \"") + lex::token_name(end) + "\"");
    return false;
  }
}

TermPtr Parser::parse_number() {
  Location loc = tok_loc();
  std::string prefix;
  if (kind() == Tok::Sub) {
    prefix = "-";
    scan();
    if (kind() != Tok::Number && kind() != Tok::Dot) {
      illegal("expected number");
      return nullptr;
    }
  }
  if (kind() == Tok::Dot) {
    prefix += '.';
    scan();
    if (kind() != Tok::Number) {
      illegal("expected number");
      return nullptr;
    }
  }
  std::string_view l = lit();
  const bool fraction_only = !prefix.empty() && prefix.back() == '.';
  if (!fraction_only && l.size() > 1 && l[0] == '0') {
    bool decimal = l[1] == '.';
    bool scientific = l.size() > 2 && (l[1] == 'e' || l[1] == 'E');
    if (!decimal && !scientific) {
      illegal("expected number without leading zero");
      return nullptr;
    }
  }
  if (number_too_big(l, fraction_only)) {
    error(tok_loc(), "number too big");
    return nullptr;
  }
  std::string text = prefix;
  if (fraction_only) text.insert(text.size() - 1, "0");  // ".5" is not JSON
  text += l;
  auto v = number::parse(text);
  if (!v) {
    illegal("invalid float");
    return nullptr;
  }
  auto t = make(TermKind::Scalar, loc);
  t->loc.length = tok().end - loc.offset;
  t->value = std::move(*v);
  return t;
}

TermPtr Parser::parse_string() {
  std::string_view inner = lex_.text(tok().lit_off, tok().lit_len);
  auto t = make(TermKind::Scalar, tok_loc());
  if (kind() == Tok::RawString || inner.find('\\') == std::string_view::npos) {
    t->value = Value::string(inner);
    return t;
  }
  bool ok = true;
  std::string s = unescape_json_string(inner, false, ok);
  if (!ok) {
    error(tok_loc(), "illegal string literal: " + std::string(lit()));
    return nullptr;
  }
  t->value = Value::string(std::move(s));
  return t;
}

TermPtr Parser::parse_template(bool raw) {
  const Location start = tok_loc();
  auto t = make(TermKind::TemplateString, start);
  for (;;) {
    const Tok k = kind();
    const bool is_part = raw ? (k == Tok::RawTemplatePart || k == Tok::RawTemplateEnd)
                             : (k == Tok::TemplatePart || k == Tok::TemplateEnd);
    if (!is_part) {
      error(tok_loc(), "expected template-string part");
      return nullptr;
    }
    std::string_view inner = lex_.text(tok().lit_off, tok().lit_len);
    std::string s;
    if (raw || inner.find('\\') == std::string_view::npos) {
      // Raw template strings know one escape only: `\{`.
      s.reserve(inner.size());
      for (size_t i = 0; i < inner.size(); ++i) {
        if (raw && inner[i] == '\\' && i + 1 < inner.size() && inner[i + 1] == '{') continue;
        s += inner[i];
      }
    } else {
      bool ok = true;
      s = unescape_json_string(inner, true, ok);
      if (!ok) {
        error(tok_loc(), "illegal template-string part: " + std::string(lit()));
        return nullptr;
      }
    }
    if (!s.empty()) {
      auto part = make(TermKind::Scalar, tok_loc());
      part->value = Value::string(std::move(s));
      t->items.push_back(std::move(part));
      t->literal_parts.push_back(true);
    }
    if (k == Tok::TemplateEnd || k == Tok::RawTemplateEnd) break;

    scan();
    ast::Expr e;
    if (!parse_literal(e)) {
      error(tok_loc(), "invalid template-string expression");
      return nullptr;
    }
    const Term* call = e.kind == ast::ExprKind::Term && e.terms[0]->kind == TermKind::Call ? e.terms[0].get() : nullptr;
    if (e.negated) {
      error(e.loc, "unexpected negation ('not') in template-string expression");
      return nullptr;
    }
    if (call && call->name == "eq" && call->items.size() == 2) {
      error(e.loc, "unexpected unification ('=') in template-string expression");
      return nullptr;
    }
    if (call && call->name == "assign" && call->items.size() == 2) {
      error(e.loc, "unexpected assignment (':=') in template-string expression");
      return nullptr;
    }
    if (e.kind == ast::ExprKind::Every) {
      error(e.loc, "unexpected 'every' in template-string expression");
      return nullptr;
    }
    if (e.kind != ast::ExprKind::Term) {
      error(e.loc, "unexpected 'some' in template-string expression");
      return nullptr;
    }
    if (!e.with.empty()) {
      // A term cannot carry `with` modifiers: wrap the expression as `{$tplN | $tplN = term with ...}`,
      // marked so the evaluator interpolates the set's elements (see ast.h, TemplateString).
      std::string var = "$tpl" + std::to_string(e.loc.offset);
      auto head = make(TermKind::Var, e.loc);
      head->name = var;
      auto lhs = make(TermKind::Var, e.loc);
      lhs->name = var;
      auto eq = make(TermKind::Call, e.loc);
      eq->name = "eq";
      eq->items = {lhs, e.terms[0]};
      e.terms = {eq};
      auto compr = make(TermKind::SetCompr, e.loc);
      compr->name = ast::kTemplateWithMarker;
      compr->items.push_back(head);
      compr->body.push_back(std::move(e));
      t->items.push_back(std::move(compr));
      t->literal_parts.push_back(false);
      if (kind() != Tok::RBrace) {
        error(tok_loc(), "expected } to end template string expression");
        return nullptr;
      }
      scan_template_continue(raw);
      continue;
    }
    t->items.push_back(std::move(e.terms[0]));
    t->literal_parts.push_back(false);
    if (kind() != Tok::RBrace) {
      error(tok_loc(), "expected } to end template string expression");
      return nullptr;
    }
    scan_template_continue(raw);
  }
  t->loc.length = tok().end - start.offset;
  return t;
}

TermPtr Parser::finish_collection(TermPtr t, const Location& start) const {
  t->loc = start;
  t->loc.length = tok().end - start.offset;
  return t;
}

TermPtr Parser::parse_array() {
  const Location start = tok_loc();
  scan();
  if (kind() == Tok::RBrack) return finish_collection(make(TermKind::Array, start), start);
  bool maybe_compr = true;
  if (kind() == Tok::Comma) {  // `[, x]`: accepted for compatibility, as OPA does
    maybe_compr = false;
    scan();
  }
  const State s = save();
  // A lone term first: `[x | body]` must be a comprehension, not an array holding `x | body`.
  TermPtr head = parse_term();
  if (!head) return nullptr;
  auto array = [&](std::vector<TermPtr> items) {
    auto t = make(TermKind::Array, start);
    t->items = std::move(items);
    return finish_collection(std::move(t), start);
  };
  switch (kind()) {
    case Tok::RBrack:
      return array({std::move(head)});
    case Tok::Comma: {
      scan();
      std::vector<TermPtr> items{std::move(head)};
      if (!parse_term_list(Tok::RBrack, items)) return nullptr;
      return array(std::move(items));
    }
    case Tok::Or:
      if (maybe_compr) {
        scan();
        ast::Body body;
        if (parse_body(Tok::RBrack, body)) {
          auto t = make(TermKind::ArrayCompr, start);
          t->items.push_back(std::move(head));
          t->body = std::move(body);
          return finish_collection(std::move(t), start);
        }
        if (kind() != Tok::Comma) return nullptr;
        restore(s);  // `[a | b, c]`: an array after all
        std::vector<TermPtr> items;
        if (!parse_term_list(Tok::RBrack, items)) return nullptr;
        return array(std::move(items));
      }
      break;
    default:
      break;
  }
  std::vector<TermPtr> items;
  head = parse_infix_from(std::move(head), false);
  if (!head) return nullptr;
  items.push_back(std::move(head));
  if (kind() == Tok::Comma) {
    scan();
    if (!parse_term_list(Tok::RBrack, items)) return nullptr;
    return array(std::move(items));
  }
  if (kind() == Tok::RBrack) return array(std::move(items));
  illegal("expected \",\" or \"]\"");
  return nullptr;
}

TermPtr Parser::parse_set_or_object() {
  const Location start = tok_loc();
  scan();
  if (kind() == Tok::RBrace) return finish_collection(make(TermKind::Object, start), start);
  bool maybe_compr = true;
  if (kind() == Tok::Comma) {
    maybe_compr = false;
    scan();
  }
  const State s = save();
  // A lone term first: `{a | b}` is a set comprehension, not a set holding `a | b`.
  TermPtr head = parse_term();
  if (!head) return nullptr;
  switch (kind()) {
    case Tok::Or:
      if (maybe_compr) return parse_set(s, std::move(head), true, start);
      break;
    case Tok::RBrace:
    case Tok::Comma:
      return parse_set(s, std::move(head), maybe_compr, start);
    case Tok::Colon:
      return parse_object(std::move(head), maybe_compr, start);
    default:
      break;
  }
  head = parse_infix_from(std::move(head), false);
  if (!head) return nullptr;
  switch (kind()) {
    case Tok::RBrace:
    case Tok::Comma:
      return parse_set(s, std::move(head), false, start);
    case Tok::Colon:
      return parse_object(std::move(head), maybe_compr, start);  // maybe `{a + 1: b | ...}`
    default:
      illegal("non-terminated set");
      return nullptr;
  }
}

TermPtr Parser::parse_set(const State& s, TermPtr head, bool maybe_compr, const Location& start) {
  auto set = [&](std::vector<TermPtr> items) {
    auto t = make(TermKind::Set, start);
    t->items = std::move(items);
    return finish_collection(std::move(t), start);
  };
  switch (kind()) {
    case Tok::RBrace:
      return set({std::move(head)});
    case Tok::Comma: {
      scan();
      std::vector<TermPtr> items{std::move(head)};
      if (!parse_term_list(Tok::RBrace, items)) return nullptr;
      return set(std::move(items));
    }
    case Tok::Or: {
      if (maybe_compr) {
        scan();
        ast::Body body;
        if (parse_body(Tok::RBrace, body)) {
          auto t = make(TermKind::SetCompr, start);
          t->items.push_back(std::move(head));
          t->body = std::move(body);
          return finish_collection(std::move(t), start);
        }
        if (kind() != Tok::Comma) return nullptr;
      }
      restore(s);  // `{a | b, c}`: a set after all
      std::vector<TermPtr> items;
      if (!parse_term_list(Tok::RBrace, items)) return nullptr;
      return set(std::move(items));
    }
    default:
      return nullptr;
  }
}

// At ':' after the first key.
TermPtr Parser::parse_object(TermPtr key, bool maybe_compr, const Location& start) {
  scan();
  const State s = save();
  TermPtr v = parse_term();
  if (!v) return nullptr;
  bool maybe_relation = true;
  bool attempted = false;
  if (maybe_compr) {
    switch (kind()) {
      case Tok::RBrace:
      case Tok::Comma:
        maybe_relation = false;
        [[fallthrough]];
      case Tok::Or: {
        attempted = true;
        if (TermPtr t = parse_object_finish(key, v, true, start)) return t;
        break;
      }
      default:
        break;
    }
  }
  if (maybe_relation) {
    // OPA restores and re-parses the value as an infix expression; without a failed attempt in between, the
    // value parsed so far is exactly that expression's first operand.
    if (attempted) {
      restore(s);
      v = parse_infix(false);
    } else {
      v = parse_infix_from(std::move(v), false);
    }
    if (!v) return nullptr;
    if (kind() == Tok::RBrace || kind() == Tok::Comma) return parse_object_finish(key, std::move(v), false, start);
  } else {
    restore(s);
  }
  illegal("non-terminated object");
  return nullptr;
}

TermPtr Parser::parse_object_finish(TermPtr key, TermPtr val, bool maybe_compr, const Location& start) {
  switch (kind()) {
    case Tok::RBrace: {
      auto t = make(TermKind::Object, start);
      t->items = {std::move(key), std::move(val)};
      return finish_collection(std::move(t), start);
    }
    case Tok::Or:
      if (maybe_compr) {
        scan();
        ast::Body body;
        if (parse_body(Tok::RBrace, body)) {
          auto t = make(TermKind::ObjectCompr, start);
          t->items = {std::move(key), std::move(val)};
          t->body = std::move(body);
          return finish_collection(std::move(t), start);
        }
      } else {
        illegal("non-terminated object");
      }
      return nullptr;
    case Tok::Comma: {
      scan();
      std::vector<TermPtr> items{std::move(key), std::move(val)};
      if (!parse_pair_list(Tok::RBrace, items)) return nullptr;
      auto t = make(TermKind::Object, start);
      t->items = std::move(items);
      return finish_collection(std::move(t), start);
    }
    default:
      return nullptr;
  }
}

bool Parser::parse_pair_list(Tok end, std::vector<TermPtr>& out) {
  if (kind() == end) return true;
  for (;;) {
    TermPtr k = parse_infix(false);
    if (!k) return false;
    if (kind() != Tok::Colon) {
      illegal("expected \":\"");
      return false;
    }
    scan();
    TermPtr v = parse_infix(false);
    if (!v) return false;
    out.push_back(std::move(k));
    out.push_back(std::move(v));
    if (kind() == end) return true;
    if (kind() == Tok::Comma) {
      scan();
      if (kind() == end) return true;
      continue;
    }
    illegal(std::string("expected \",\" or \"") + lex::token_name(end) + "\"");
    return false;
  }
}

// ---- infix expressions ----

TermPtr Parser::parse_infix(bool key_val) {
  Depth depth(*this);
  if (!depth) return nullptr;
  return parse_in(parse_binary(kRelation), key_val);
}

TermPtr Parser::parse_infix_from(TermPtr first, bool key_val) {
  Depth depth(*this);
  if (!depth) return nullptr;
  return parse_in(continue_binary(std::move(first), kRelation), key_val);
}

// `x in xs` and `k, v in xs` (only where key_val: a `,` there cannot mean anything else).
TermPtr Parser::parse_in(TermPtr lhs, bool key_val) {
  if (!lhs) return nullptr;
  Nesting nested(*this);  // each `in` nests the left operand one level deeper
  for (;;) {
    if (key_val && kind() == Tok::Comma) {
      const State s = save();
      scan();
      TermPtr mhs = parse_binary(kRelation);
      if (mhs && kind() == Tok::In) {
        scan();
        if (TermPtr rhs = parse_binary(kRelation)) {
          if (!nested.enter()) return nullptr;
          lhs = make_call("internal.member_3", {lhs, std::move(mhs), std::move(rhs)}, span_from(lhs->loc));
          if (kind() == Tok::In) continue;
          return lhs;
        }
      }
      restore(s);
    }
    scan_ahead_ref();
    if (kind() != Tok::In) return lhs;
    if (!nested.enter()) return nullptr;
    scan();
    TermPtr rhs = parse_binary(kRelation);
    if (!rhs) return lhs;  // as OPA: the error is recorded, the operand stands
    lhs = make_call("internal.member_2", {lhs, std::move(rhs)}, span_from(lhs->loc));
    if (kind() != Tok::In) return lhs;
  }
}

TermPtr Parser::parse_binary(int level) {
  TermPtr lhs = parse_term();
  if (!lhs) return nullptr;
  return continue_binary(std::move(lhs), level);
}

// Precedence climbing over OPA's left-associative levels.
TermPtr Parser::continue_binary(TermPtr lhs, int level) {
  if (!lhs) return nullptr;
  Nesting nested(*this);  // each operator nests the left operand one level deeper
  for (;;) {
    const int op_level = binary_level(kind());
    if (op_level == 0 || op_level < level) return lhs;
    if (!nested.enter()) return nullptr;
    const char* op = lex::token_name(kind());  // OPA's token names are the built-in names: plus, equal, ...
    scan();
    TermPtr rhs = parse_binary(op_level + 1);
    if (!rhs) return lhs;  // as OPA: the error is recorded, the operand stands
    Location loc = span_from(lhs->loc);
    lhs = make_call(op, {std::move(lhs), std::move(rhs)}, loc);
  }
}

}  // namespace rego::parser_detail
