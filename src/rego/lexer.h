// The Rego lexer: source bytes to tokens, one at a time, on demand.
//
// Mirrors OPA's scanner (ast/internal/scanner): the same token set, the same literal rules and the same error
// messages ("non-terminated string", "illegal ! character", ...). Two deliberate differences of shape:
//   - whitespace and comments are not tokens; each token instead records whether whitespace (or a newline)
//     preceded it, which is all the parser needs (OPA's parser only ever asks "was there whitespace here?");
//   - identifiers are never classified as keywords here: the set of keywords changes while parsing
//     (`import future.keywords.in`), so the parser classifies them (see Parser::scan).
// The lexer's whole state is a small position, so the parser can save and restore it freely when it
// backtracks. Comments are collected once, in source order, however often a region is re-scanned.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace rego::lex {

enum class Tok : uint8_t {
  Illegal,
  Eof,
  Ident,
  Number,
  String,      // "..."
  RawString,   // `...`
  TemplatePart,     // $"...{   or   }...{
  TemplateEnd,      // $"..."   or   }..."
  RawTemplatePart,  // $`...{   or   }...{
  RawTemplateEnd,   // $`...`   or   }...`
  LBrack,
  RBrack,
  LBrace,
  RBrace,
  LParen,
  RParen,
  Comma,
  Colon,
  Add,
  Sub,
  Mul,
  Quo,
  Rem,
  And,
  Or,
  Unify,   // =
  Equal,   // ==
  Assign,  // :=
  Neq,
  Gt,
  Lt,
  Gte,
  Lte,
  Dot,
  Semicolon,
  // Keywords: produced by the parser's classification of identifiers, never by the lexer.
  Package,
  Import,
  As,
  Default,
  Else,
  Not,
  Some,
  With,
  Null,
  True,
  False,
  In,
  Every,
  Contains,
  If,
};

// OPA's name for a token in messages ("unexpected } token", "unexpected eq token", ...).
const char* token_name(Tok t);
// True for tokens OPA calls a "keyword" in messages ("unexpected if keyword").
bool is_keyword(Tok t);

struct Token {
  Tok kind = Tok::Eof;
  bool space_before = false;  // whitespace or a comment separates this token from the previous one
  bool nl_before = false;     // ... and that included a newline
  uint8_t nerrors = 0;        // scanner errors found in this token (see Lexer::errors)
  uint32_t offset = 0;        // byte offset of the first character
  uint32_t end = 0;           // byte offset past the last character
  uint32_t row = 1;           // 1-based
  uint32_t col = 1;           // 1-based, counted in code points as OPA does
  // String-like tokens: the literal's content without delimiters (still escaped).
  uint32_t lit_off = 0;
  uint32_t lit_len = 0;
};

struct Comment {
  uint32_t offset = 0;  // of the '#'
  uint32_t row = 0;
  uint32_t col = 0;
  std::string_view text;  // after the '#', without a trailing '\r'
};

class Lexer {
 public:
  // Where the next token starts scanning from.
  struct Pos {
    uint32_t offset = 0;
    uint32_t row = 1;
    uint32_t col = 1;
  };

  explicit Lexer(std::string_view src);

  Pos pos() const { return pos_; }
  void set_pos(Pos p) { pos_ = p; }

  // Scans the next token, skipping whitespace and comments.
  Token next();
  // Continues a template string after the '}' closing an interpolated expression: scans the following
  // literal part (no whitespace skipping).
  Token next_template(bool raw);

  // The scanner errors of the last token returned (at most Token::nerrors of them).
  const char* error(size_t i) const { return errors_[i]; }

  std::string_view text(uint32_t off, uint32_t len) const { return src_.substr(off, len); }
  std::string_view source() const { return src_; }
  const std::vector<Comment>& comments() const { return comments_; }

 private:
  static constexpr size_t kMaxErrors = 8;

  bool at_end() const { return pos_.offset >= src_.size(); }
  unsigned char cur() const { return static_cast<unsigned char>(src_[pos_.offset]); }
  unsigned char peek(size_t n = 1) const {
    size_t i = pos_.offset + n;
    return i < src_.size() ? static_cast<unsigned char>(src_[i]) : 0;
  }
  void advance();  // one code point (validating UTF-8, tracking row/col)
  void add_error(Token& t, const char* msg);

  void scan_identifier();
  void scan_number(Token& t);
  void scan_string(Token& t);
  void scan_raw_string(Token& t);
  void scan_template(Token& t, bool raw);
  void scan_comment(Token& t, bool& illegal);

  std::string_view src_;
  Pos pos_;
  uint32_t comment_mark_ = 0;  // comments at offsets below this were already recorded
  bool have_comment_mark_ = false;
  const char* errors_[kMaxErrors] = {};
  std::vector<Comment> comments_;
  // Error state of the code point most recently consumed by advance().
  const char* advance_error_ = nullptr;
};

}  // namespace rego::lex
