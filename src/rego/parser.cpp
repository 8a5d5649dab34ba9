// The parser's entry points, token stream and error reporting, and small helpers shared by parser_*.cpp.
// The statement loop mirrors OPA's Parser.Parse: at each statement try a package, an import, a rule, then a
// plain body (which the module assembly turns into a rule), restoring the state between attempts.
#include <cstring>

#include "rego/parser_impl.h"
#include "rego/utf8.h"

namespace rego {
namespace parser_detail {
namespace {

// Bits of Parser::future_keywords_.
constexpr unsigned kKwIn = 1, kKwEvery = 2, kKwContains = 4, kKwIf = 8;
constexpr unsigned kAllFuture = kKwIn | kKwEvery | kKwContains | kKwIf;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool read_hex4(std::string_view s, size_t i, uint32_t& out) {
  if (i + 4 > s.size()) return false;
  out = 0;
  for (size_t k = 0; k < 4; ++k) {
    int h = hex_value(s[i + k]);
    if (h < 0) return false;
    out = out * 16 + static_cast<uint32_t>(h);
  }
  return true;
}


}  // namespace

// Decodes a JSON string body as Go's json.Unmarshal does (OPA decodes string literals that way): control
// characters are errors, \u escapes may form surrogate pairs, a lone surrogate becomes U+FFFD.
std::string unescape_json_string(std::string_view in, bool brace_escapes, bool& ok) {
  std::string out;
  out.reserve(in.size());
  ok = true;
  for (size_t i = 0; i < in.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c < 0x20) {
      ok = false;
      return out;
    }
    if (c != '\\') {
      out += static_cast<char>(c);
      continue;
    }
    if (++i >= in.size()) {
      ok = false;
      return out;
    }
    switch (in[i]) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case '{':
      case '}':
        if (!brace_escapes) {
          ok = false;
          return out;
        }
        out += in[i];
        break;
      case 'u': {
        uint32_t cp = 0;
        if (!read_hex4(in, i + 1, cp)) {
          ok = false;
          return out;
        }
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDFFF) {
          uint32_t lo = 0;
          if (cp < 0xDC00 && i + 2 < in.size() && in[i + 1] == '\\' && in[i + 2] == 'u' &&
              read_hex4(in, i + 3, lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          } else {
            cp = 0xFFFD;
          }
        }
        append_utf8(out, cp);
        break;
      }
      default:
        ok = false;
        return out;
    }
  }
  return out;
}

const char* value_name(const Term& t) {
  switch (t.kind) {
    case TermKind::Scalar:
      switch (t.value.kind()) {
        case Kind::Null: return "null";
        case Kind::Boolean: return "boolean";
        case Kind::Number: return "number";
        default: return "string";
      }
    case TermKind::Var: return "var";
    case TermKind::Ref: return "ref";
    case TermKind::Array: return "array";
    case TermKind::Set: return "set";
    case TermKind::Object: return "object";
    case TermKind::ArrayCompr: return "arraycomprehension";
    case TermKind::SetCompr: return "setcomprehension";
    case TermKind::ObjectCompr: return "objectcomprehension";
    case TermKind::Call: return "call";
    case TermKind::TemplateString: return "templatestring";
  }
  return "term";
}

bool is_ground(const Term& t) {
  switch (t.kind) {
    case TermKind::Scalar: return true;
    case TermKind::Ref:  // as OPA: a ref is ground when its path is; the head does not count
      for (size_t i = 1; i < t.items.size(); ++i)
        if (!is_ground(*t.items[i])) return false;
      return true;
    case TermKind::Array:
    case TermKind::Set:
    case TermKind::Object:
    case TermKind::Call:
      for (auto& i : t.items)
        if (!is_ground(*i)) return false;
      return true;
    default:
      return false;
  }
}

TermPtr deep_copy(const TermPtr& t) {
  if (!t) return nullptr;
  auto c = std::make_shared<Term>(*t);
  for (auto& i : c->items) i = deep_copy(i);
  c->body = deep_copy(t->body);
  return c;
}

ast::Body deep_copy(const ast::Body& b) {
  ast::Body out = b;
  for (auto& e : out) {
    for (auto& t : e.terms) t = deep_copy(t);
    e.body = deep_copy(e.body);
    for (auto& w : e.with) {
      w.target = deep_copy(w.target);
      w.value = deep_copy(w.value);
    }
  }
  return out;
}

// ---- Parser: tokens ----

Parser::Parser(std::shared_ptr<const SourceFile> src, const ParseOptions& opts)
    : file_(std::move(src)), opts_(opts), lex_(file_->text) {
  if (v1()) future_keywords_ = kAllFuture;  // Rego v1: `in`, `every`, `contains`, `if` are always keywords
}

Tok Parser::classify(std::string_view s) const {
  auto future = [&](unsigned bit, Tok t) {
    return (future_keywords_ & bit) && !suppress_future_ ? t : Tok::Ident;
  };
  switch (s.size()) {
    case 2:
      if (s == "as") return Tok::As;
      if (s == "if") return future(kKwIf, Tok::If);
      if (s == "in") return future(kKwIn, Tok::In);
      break;
    case 3:
      if (s == "not") return Tok::Not;
      break;
    case 4:
      if (s == "else") return Tok::Else;
      if (s == "some") return Tok::Some;
      if (s == "with") return Tok::With;
      if (s == "null") return Tok::Null;
      if (s == "true") return Tok::True;
      break;
    case 5:
      if (s == "false") return Tok::False;
      if (s == "every") return future(kKwEvery, Tok::Every);
      break;
    case 6:
      if (s == "import") return Tok::Import;
      break;
    case 7:
      if (s == "package") return Tok::Package;
      if (s == "default") return Tok::Default;
      break;
    case 8:
      if (s == "contains") return future(kKwContains, Tok::Contains);
      break;
    default:
      break;
  }
  return Tok::Ident;
}

void Parser::scan() {
  st_.prev_end = st_.tok.end;
  Token t = lex_.next();
  if (t.nerrors) {
    Location loc = loc_of(t);
    for (size_t i = 0; i < t.nerrors; ++i) error(loc, lex_.error(i));
    t.kind = Tok::Illegal;
  } else if (t.kind == Tok::Ident) {
    t.kind = classify(lex_.text(t.offset, t.end - t.offset));
  }
  st_.tok = t;
}

void Parser::scan_template_continue(bool raw) {
  st_.prev_end = st_.tok.end;
  Token t = lex_.next_template(raw);
  if (t.nerrors) {
    Location loc = loc_of(t);
    for (size_t i = 0; i < t.nerrors; ++i) error(loc, lex_.error(i));
    t.kind = Tok::Illegal;
  }
  st_.tok = t;
}

Token Parser::peek() {
  const State s = save();
  scan();
  Token t = tok();
  restore(s);
  return t;
}

bool Parser::scan_ahead_ref() {
  if (!lex::is_keyword(kind())) return false;
  Token n = peek();
  if (!n.space_before && (n.kind == Tok::Dot || n.kind == Tok::LBrack)) {
    st_.tok.kind = Tok::Ident;
    return true;
  }
  return false;
}

Location Parser::loc_of(const Token& t) const {
  Location l;
  l.file = file_;
  l.row = t.row;
  l.col = t.col;
  l.offset = t.offset;
  l.length = t.end - t.offset;
  return l;
}

Location Parser::span_from(const Location& start) const {
  Location l = start;
  l.length = st_.prev_end > start.offset ? st_.prev_end - start.offset : 0;
  return l;
}

// ---- Parser: errors ----

void Parser::error(const Location& loc, std::string msg) {
  errors_.push_back(Error{code::kParse, std::move(msg), loc});
}

void Parser::illegal(std::string_view note) {
  if (kind() == Tok::Illegal) {
    error(tok_loc(), "illegal token");
    return;
  }
  std::string msg = "unexpected ";
  msg += lex::token_name(kind());
  msg += lex::is_keyword(kind()) ? " keyword" : " token";
  if (!note.empty()) {
    msg += ": ";
    msg += note;
  }
  error(tok_loc(), std::move(msg));
}

bool Parser::enter() {
  ++depth_;
  if (opts_.max_depth > 0 && depth_ > opts_.max_depth) {
    --depth_;
    error(tok_loc(), "max parsing recursion depth exceeded");
    return false;
  }
  return true;
}

// ---- Parser: entry points ----

ast::Module Parser::parse_module() {
  scan();
  std::vector<Stmt> stmts;
  while (kind() != Tok::Eof) {
    clear_cache();
    const State s = save();
    {
      Stmt st;
      if (parse_package(st)) {
        stmts.push_back(std::move(st));
        continue;
      }
      if (has_errors()) break;
    }
    restore(s);
    {
      Stmt st;
      if (parse_import(st)) {
        apply_import(st);
        stmts.push_back(std::move(st));
        continue;
      }
      if (has_errors()) break;
    }
    restore(s);
    {
      std::vector<ast::RulePtr> rules;
      if (parse_rules(rules)) {
        for (auto& r : rules) {
          Stmt st;
          st.kind = Stmt::Kind::Rule;
          st.loc = r->loc;
          st.rule = std::move(r);
          stmts.push_back(std::move(st));
        }
        continue;
      }
      if (has_errors()) break;
    }
    restore(s);
    Stmt st;
    st.kind = Stmt::Kind::Body;
    const Location start = tok_loc();
    if (parse_query_stmt(true, Tok::Eof, st.body)) {
      st.loc = span_from(start);
      rule_from_body(st);  // now, while the call operators of this statement are known
      stmts.push_back(std::move(st));
      continue;
    }
    break;
  }
  if (!has_errors() && kind() != Tok::Eof) illegal();
  clear_cache();

  std::vector<Annotation> annotations = parse_annotations(lex_.comments(), file_, errors_);
  if (has_errors()) throw RegoErrors(std::move(errors_));
  ast::Module m = build_module(stmts, annotations);
  for (const auto& c : lex_.comments()) {
    Location l;
    l.file = file_;
    l.row = c.row;
    l.col = c.col;
    l.offset = c.offset;
    l.length = static_cast<uint32_t>(c.text.size() + 1);
    m.comments.push_back(std::move(l));
  }
  return m;
}

ast::Body Parser::parse_query() {
  // As OPA parses queries (rules are never tried): a sequence of bodies, each ended by ';' or simply by the
  // end of an expression.
  scan();
  ast::Body out;
  while (kind() != Tok::Eof) {
    clear_cache();
    if (!parse_query_stmt(true, Tok::Eof, out)) break;
  }
  if (!has_errors() && kind() != Tok::Eof) illegal();
  if (has_errors()) throw RegoErrors(std::move(errors_));
  return out;
}

}  // namespace parser_detail

ast::Module parse_module(std::shared_ptr<const SourceFile> source, const ParseOptions& opts) {
  parser_detail::Parser p(std::move(source), opts);
  return p.parse_module();
}

ast::Body parse_query(std::shared_ptr<const SourceFile> source, const ParseOptions& opts) {
  parser_detail::Parser p(std::move(source), opts);
  return p.parse_query();
}

ast::TermPtr parse_term(std::shared_ptr<const SourceFile> source, const ParseOptions& opts) {
  auto file = source;
  ast::Body body = parse_query(std::move(source), opts);
  if (body.size() != 1 || body[0].kind != ast::ExprKind::Term || body[0].negated || !body[0].with.empty()) {
    Location loc;
    loc.file = file;
    if (!body.empty()) loc = body[0].loc;
    throw RegoErrors({Error{code::kParse, "expected exactly one term", loc}});
  }
  return std::move(body[0].terms[0]);
}

}  // namespace rego
