// The GraphQL lexer (gqlparser's lexer package): tokens with gqlparser's positions, values and error texts.
#pragma once

#include <string>
#include <string_view>

namespace rego::gql {

enum class Tok {
  Invalid, Eof, Bang, Dollar, Amp, ParenL, ParenR, Spread, Colon, Equals, At, BracketL, BracketR, BraceL,
  BraceR, Pipe, Name, Int, Float, String, BlockString
};

// gqlparser's Type.String(): "<EOF>", "{", "Name", ...
const char* tok_name(Tok t);

struct Token {
  Tok kind = Tok::Invalid;
  std::string value;  // names, number literals, string contents; "" for punctuators
  int line = 1;
  int col = 1;
  std::string error;  // the lexer's error, for Invalid tokens
};

// gqlparser's Token.String(): `Name "foo"`, `{`, `<EOF>`.
std::string token_text(const Token& t);

class Lexer {
 public:
  explicit Lexer(std::string_view input) : in_(input) {}
  Token read();

 private:
  void skip_whitespace();
  void read_comment();
  Token read_name();
  Token read_number();
  Token read_string();
  Token read_block_string();
  Token make(Tok kind, std::string value) const;
  Token error(std::string message) const;
  std::string describe_next() const;
  bool accept(char a, char b = 0);
  int accept_digits();

  std::string_view in_;
  size_t start_ = 0;   // bytes
  size_t end_ = 0;
  long start_runes_ = 0;  // code points
  long end_runes_ = 0;
  int line_ = 1;
  long line_start_runes_ = 0;
};

}  // namespace rego::gql
