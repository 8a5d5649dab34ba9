// The Rego lexer (see lexer.h). Every rule here follows OPA's scanner.go so that the same input fails with the
// same message at the same token.
#include "rego/lexer.h"

namespace rego::lex {
namespace {

bool is_letter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

// Decodes one UTF-8 code point as Go's utf8.DecodeRune does: returns its width, or 0 for an invalid sequence
// (overlong forms, surrogates and code points past U+10FFFF are invalid).
size_t utf8_width(std::string_view s, size_t i, uint32_t& cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  size_t left = s.size() - i;
  unsigned char c0 = b(0);
  auto cont = [&](size_t k) { return k < left && (b(k) & 0xC0) == 0x80; };
  if (c0 >= 0xC2 && c0 <= 0xDF) {
    if (!cont(1)) return 0;
    cp = (uint32_t(c0 & 0x1F) << 6) | (b(1) & 0x3F);
    return 2;
  }
  if (c0 >= 0xE0 && c0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    cp = (uint32_t(c0 & 0x0F) << 12) | (uint32_t(b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return 3;
  }
  if (c0 >= 0xF0 && c0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    cp = (uint32_t(c0 & 0x07) << 18) | (uint32_t(b(1) & 0x3F) << 12) | (uint32_t(b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    if (cp < 0x10000 || cp > 0x10FFFF) return 0;
    return 4;
  }
  return 0;
}

}  // namespace

const char* token_name(Tok t) {
  switch (t) {
    case Tok::Illegal: return "illegal";
    case Tok::Eof: return "eof";
    case Tok::Ident: return "identifier";
    case Tok::Number: return "number";
    case Tok::String:
    case Tok::RawString: return "string";
    case Tok::TemplatePart: return "template-string-part";
    case Tok::TemplateEnd: return "template-string-end";
    case Tok::RawTemplatePart: return "raw-template-string-part";
    case Tok::RawTemplateEnd: return "raw-template-string-end";
    case Tok::LBrack: return "[";
    case Tok::RBrack: return "]";
    case Tok::LBrace: return "{";
    case Tok::RBrace: return "}";
    case Tok::LParen: return "(";
    case Tok::RParen: return ")";
    case Tok::Comma: return ",";
    case Tok::Colon: return ":";
    case Tok::Add: return "plus";
    case Tok::Sub: return "minus";
    case Tok::Mul: return "mul";
    case Tok::Quo: return "div";
    case Tok::Rem: return "rem";
    case Tok::And: return "and";
    case Tok::Or: return "or";
    case Tok::Unify: return "eq";
    case Tok::Equal: return "equal";
    case Tok::Assign: return "assign";
    case Tok::Neq: return "neq";
    case Tok::Gt: return "gt";
    case Tok::Lt: return "lt";
    case Tok::Gte: return "gte";
    case Tok::Lte: return "lte";
    case Tok::Dot: return ".";
    case Tok::Semicolon: return ";";
    case Tok::Package: return "package";
    case Tok::Import: return "import";
    case Tok::As: return "as";
    case Tok::Default: return "default";
    case Tok::Else: return "else";
    case Tok::Not: return "not";
    case Tok::Some: return "some";
    case Tok::With: return "with";
    case Tok::Null: return "null";
    case Tok::True: return "true";
    case Tok::False: return "false";
    case Tok::In: return "in";
    case Tok::Every: return "every";
    case Tok::Contains: return "contains";
    case Tok::If: return "if";
  }
  return "unknown";
}

bool is_keyword(Tok t) { return t >= Tok::Package; }

Lexer::Lexer(std::string_view src) : src_(src) {
  // A byte-order mark is allowed (and skipped) only at the very start.
  if (src_.size() >= 3 && src_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_.offset = 3;
}

void Lexer::advance() {
  advance_error_ = nullptr;
  if (at_end()) return;
  unsigned char c = cur();
  if (c < 0x80) {
    if (c == 0) advance_error_ = "illegal null character";
    ++pos_.offset;
    if (c == '\n') {
      ++pos_.row;
      pos_.col = 1;
    } else {
      ++pos_.col;
    }
    return;
  }
  uint32_t cp = 0;
  size_t w = utf8_width(src_, pos_.offset, cp);
  if (w == 0) {
    advance_error_ = "illegal utf-8 character";
    w = 1;
  } else if (cp == 0xFEFF) {
    advance_error_ = "illegal byte-order mark";
  }
  pos_.offset += static_cast<uint32_t>(w);
  ++pos_.col;
}

void Lexer::add_error(Token& t, const char* msg) {
  if (t.nerrors < kMaxErrors) errors_[t.nerrors++] = msg;
}

void Lexer::scan_identifier() {
  while (!at_end() && (is_letter(cur()) || is_digit(cur()))) advance();
}

void Lexer::scan_number(Token& t) {
  while (!at_end() && is_digit(cur())) advance();
  if (!at_end() && cur() == '.') {
    advance();
    bool found = false;
    while (!at_end() && is_digit(cur())) {
      advance();
      found = true;
    }
    if (!found) add_error(t, "expected fraction");
  }
  if (!at_end() && (cur() == 'e' || cur() == 'E')) {
    advance();
    if (!at_end() && (cur() == '+' || cur() == '-')) advance();
    bool found = false;
    while (!at_end() && is_digit(cur())) {
      advance();
      found = true;
    }
    if (!found) add_error(t, "expected exponent");
  }
  // Swallow the rest of a malformed literal ("0a2b") as one bad number, not a number and an identifier.
  if (!at_end() && is_letter(cur())) {
    add_error(t, "illegal number format");
    while (!at_end() && (is_letter(cur()) || is_digit(cur()))) advance();
  }
}

// After the opening quote.
void Lexer::scan_string(Token& t) {
  t.lit_off = pos_.offset;
  for (;;) {
    if (at_end() || cur() == '\n') {
      add_error(t, "non-terminated string");
      t.lit_len = pos_.offset - t.lit_off;
      return;
    }
    unsigned char ch = cur();
    advance();
    if (advance_error_) add_error(t, advance_error_);
    if (ch == '"') {
      t.lit_len = pos_.offset - 1 - t.lit_off;
      return;
    }
    if (ch == '\\') {
      if (at_end()) continue;
      switch (cur()) {
        case '\\': case '"': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          advance();
          break;
        case 'u':
          // Skip 'u' and three digits, as OPA does; the digits are checked when the literal is decoded.
          for (int i = 0; i < 4 && !at_end(); ++i) {
            advance();
            if (advance_error_) add_error(t, advance_error_);
          }
          break;
        default:
          add_error(t, "illegal escape sequence");
      }
    }
  }
}

// After the opening backtick.
void Lexer::scan_raw_string(Token& t) {
  t.lit_off = pos_.offset;
  for (;;) {
    if (at_end()) {
      add_error(t, "non-terminated string");
      t.lit_len = pos_.offset - t.lit_off;
      return;
    }
    unsigned char ch = cur();
    advance();
    if (advance_error_) add_error(t, advance_error_);
    if (ch == '`') {
      t.lit_len = pos_.offset - 1 - t.lit_off;
      return;
    }
  }
}

// A template-string part: from the current position up to and including the next unescaped '{' (another
// interpolation follows) or the closing delimiter.
void Lexer::scan_template(Token& t, bool raw) {
  t.kind = raw ? Tok::RawTemplatePart : Tok::TemplatePart;
  t.lit_off = pos_.offset;
  for (;;) {
    if (at_end() || (!raw && cur() == '\n')) {
      add_error(t, "non-terminated string");
      t.lit_len = pos_.offset - t.lit_off;
      return;
    }
    unsigned char ch = cur();
    advance();
    if (advance_error_) add_error(t, advance_error_);
    if (ch == (raw ? '`' : '"')) {
      t.kind = raw ? Tok::RawTemplateEnd : Tok::TemplateEnd;
      break;
    }
    if (ch == '{') break;
    if (ch != '\\' || at_end()) continue;
    if (raw) {
      if (cur() == '{') advance();
      continue;
    }
    switch (cur()) {
      case '\\': case '"': case '/': case 'b': case 'f': case 'n': case 'r': case 't': case '{': case '}':
        advance();
        break;
      case 'u':
        for (int i = 0; i < 4 && !at_end(); ++i) {
          advance();
          if (advance_error_) add_error(t, advance_error_);
        }
        break;
      default:
        add_error(t, "illegal escape sequence");
    }
  }
  t.lit_len = pos_.offset - 1 - t.lit_off;
}

void Lexer::scan_comment(Token& t, bool& illegal) {
  Comment c;
  c.offset = pos_.offset;
  c.row = pos_.row;
  c.col = pos_.col;
  advance();  // '#'
  while (!at_end() && cur() != '\n') {
    advance();
    if (advance_error_) {
      add_error(t, advance_error_);
      illegal = true;
    }
  }
  uint32_t end = pos_.offset;
  if (end > c.offset + 1 && src_[end - 1] == '\r') --end;
  c.text = src_.substr(c.offset + 1, end - c.offset - 1);
  // Backtracking re-scans regions; record each comment once, in source order.
  if (!have_comment_mark_ || c.offset >= comment_mark_) {
    comments_.push_back(c);
    comment_mark_ = c.offset + 1;
    have_comment_mark_ = true;
  }
}

Token Lexer::next() {
  Token t;
  for (;;) {
    if (at_end()) break;
    unsigned char c = cur();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      t.space_before = true;
      if (c == '\n') t.nl_before = true;
      advance();
      continue;
    }
    if (c == '#') {
      // OPA turns a comment with a bad character into an illegal token.
      uint32_t off = pos_.offset, row = pos_.row, col = pos_.col;
      bool illegal = false;
      scan_comment(t, illegal);
      t.space_before = true;
      if (illegal) {
        t.kind = Tok::Illegal;
        t.offset = off;
        t.row = row;
        t.col = col;
        t.end = pos_.offset;
        return t;
      }
      continue;
    }
    break;
  }
  t.offset = pos_.offset;
  t.row = pos_.row;
  t.col = pos_.col;
  if (at_end()) {
    t.kind = Tok::Eof;
    t.end = t.offset;
    return t;
  }
  unsigned char c = cur();
  if (is_letter(c)) {
    scan_identifier();
    t.kind = Tok::Ident;
  } else if (is_digit(c)) {
    t.kind = Tok::Number;
    scan_number(t);
  } else {
    advance();
    if (advance_error_) add_error(t, advance_error_);
    t.kind = Tok::Illegal;
    switch (c) {
      case '"': t.kind = Tok::String; scan_string(t); break;
      case '`': t.kind = Tok::RawString; scan_raw_string(t); break;
      case '[': t.kind = Tok::LBrack; break;
      case ']': t.kind = Tok::RBrack; break;
      case '{': t.kind = Tok::LBrace; break;
      case '}': t.kind = Tok::RBrace; break;
      case '(': t.kind = Tok::LParen; break;
      case ')': t.kind = Tok::RParen; break;
      case ',': t.kind = Tok::Comma; break;
      case ';': t.kind = Tok::Semicolon; break;
      case '.': t.kind = Tok::Dot; break;
      case '+': t.kind = Tok::Add; break;
      case '-': t.kind = Tok::Sub; break;
      case '*': t.kind = Tok::Mul; break;
      case '/': t.kind = Tok::Quo; break;
      case '%': t.kind = Tok::Rem; break;
      case '&': t.kind = Tok::And; break;
      case '|': t.kind = Tok::Or; break;
      case ':':
        if (!at_end() && cur() == '=') {
          advance();
          t.kind = Tok::Assign;
        } else {
          t.kind = Tok::Colon;
        }
        break;
      case '=':
        if (!at_end() && cur() == '=') {
          advance();
          t.kind = Tok::Equal;
        } else {
          t.kind = Tok::Unify;
        }
        break;
      case '>':
        if (!at_end() && cur() == '=') {
          advance();
          t.kind = Tok::Gte;
        } else {
          t.kind = Tok::Gt;
        }
        break;
      case '<':
        if (!at_end() && cur() == '=') {
          advance();
          t.kind = Tok::Lte;
        } else {
          t.kind = Tok::Lt;
        }
        break;
      case '!':
        if (!at_end() && cur() == '=') {
          advance();
          t.kind = Tok::Neq;
        } else {
          add_error(t, "illegal ! character");
        }
        break;
      case '$':
        if (!at_end() && (cur() == '"' || cur() == '`')) {
          bool raw = cur() == '`';
          advance();
          scan_template(t, raw);
        } else {
          add_error(t, "illegal $ character");
        }
        break;
      default:
        break;  // any other character: an illegal token (OPA reports "illegal token" from the parser)
    }
  }
  t.end = pos_.offset;
  return t;
}

Token Lexer::next_template(bool raw) {
  Token t;
  t.offset = pos_.offset;
  t.row = pos_.row;
  t.col = pos_.col;
  scan_template(t, raw);
  t.end = pos_.offset;
  return t;
}

}  // namespace rego::lex
