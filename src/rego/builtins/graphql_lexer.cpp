// The GraphQL lexer, a port of gqlparser's lexer.Lexer: same token boundaries, the same (rune-counted) line and
// column for every token, the same error texts. Errors produce an Invalid token carrying the message; the parser
// reports it only if it consumes that token, as gqlparser does.
#include "rego/builtins/graphql_lexer.h"
#include "rego/builtins/strutil.h"
#include "rego/utf8.h"

#include <climits>
#include <cstdint>
#include <cstdio>
#include <tuple>
#include <vector>

#include "rego/builtins/graphql_ast.h"

namespace rego::gql {
namespace {

// utf8.DecodeRuneInString: (rune, width); invalid encodings give (U+FFFD, 1).
std::pair<uint32_t, size_t> decode_rune(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return {c, 1};
  size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (need == 0 || c > 0xF4 || i + need > s.size()) return {0xFFFD, 1};
  uint32_t r = c & (need == 2 ? 0x1F : need == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < need; ++k) {
    unsigned char cc = b(i + k);
    if ((cc & 0xC0) != 0x80) return {0xFFFD, 1};
    r = (r << 6) | (cc & 0x3F);
  }
  if ((need == 3 && r < 0x800) || (need == 4 && (r < 0x10000 || r > 0x10FFFF)) || (r >= 0xD800 && r <= 0xDFFF)) {
    return {0xFFFD, 1};
  }
  return {r, need};
}

// Like Go's utf8.AppendRune: invalid code points become U+FFFD.
void append_rune(std::string& out, uint32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  rego::append_utf8(out, r);
}

// Go's string(byteValue): the byte as a code point.
std::string byte_as_rune(unsigned char c) {
  std::string s;
  append_rune(s, c);
  return s;
}

// Go's "%04d" of a byte, as gqlparser (mis)uses it in `\u%04d`.
std::string pad4(unsigned v) {
  std::string s = std::to_string(v);
  while (s.size() < 4) s.insert(s.begin(), '0');
  return s;
}

bool unhex(std::string_view s, uint32_t& out) {
  out = 0;
  for (size_t i = 0; i < s.size();) {
    auto [c, w] = decode_rune(s, i);
    i += w;
    out <<= 4;
    if (c >= '0' && c <= '9') {
      out |= c - '0';
    } else if (c >= 'a' && c <= 'f') {
      out |= c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      out |= c - 'A' + 10;
    } else {
      return false;
    }
  }
  return true;
}

// lexer.blockStringValue: gqlparser's variant of the spec's BlockStringValue (the common indent is measured
// over every line, the first included, but removed from the following lines only).
size_t leading_whitespace(const std::string& line) {
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] != ' ' && line[i] != '\t') return i;
  }
  return SIZE_MAX;
}

std::string block_string_value(const std::string& raw) {
  std::vector<std::string> lines;
  size_t from = 0;
  for (;;) {
    size_t nl = raw.find('\n', from);
    lines.push_back(raw.substr(from, nl == std::string::npos ? std::string::npos : nl - from));
    if (nl == std::string::npos) break;
    from = nl + 1;
  }
  size_t common = SIZE_MAX;
  for (const auto& line : lines) {
    size_t indent = leading_whitespace(line);
    if (indent < line.size() && indent < common) {
      common = indent;
      if (common == 0) break;
    }
  }
  if (common != SIZE_MAX) {
    for (size_t i = 1; i < lines.size(); ++i) {
      lines[i] = lines[i].size() < common ? std::string() : lines[i].substr(common);
    }
  }
  size_t start = 0;
  size_t end = lines.size();
  while (start < end && leading_whitespace(lines[start]) == SIZE_MAX) ++start;
  while (start < end && leading_whitespace(lines[end - 1]) == SIZE_MAX) --end;
  std::string out;
  for (size_t i = start; i < end; ++i) {
    if (i > start) out += '\n';
    out += lines[i];
  }
  return out;
}

}  // namespace

const char* tok_name(Tok t) {
  switch (t) {
    case Tok::Invalid: return "<Invalid>";
    case Tok::Eof: return "<EOF>";
    case Tok::Bang: return "!";
    case Tok::Dollar: return "$";
    case Tok::Amp: return "&";
    case Tok::ParenL: return "(";
    case Tok::ParenR: return ")";
    case Tok::Spread: return "...";
    case Tok::Colon: return ":";
    case Tok::Equals: return "=";
    case Tok::At: return "@";
    case Tok::BracketL: return "[";
    case Tok::BracketR: return "]";
    case Tok::BraceL: return "{";
    case Tok::BraceR: return "}";
    case Tok::Pipe: return "|";
    case Tok::Name: return "Name";
    case Tok::Int: return "Int";
    case Tok::Float: return "Float";
    case Tok::String: return "String";
    case Tok::BlockString: return "BlockString";
  }
  return "Unknown";
}

std::string token_text(const Token& t) {
  std::string s = tok_name(t.kind);
  if (!t.value.empty()) {
    s += ' ';
    s += text::quote(t.value);
  }
  return s;
}

Token Lexer::make(Tok kind, std::string value) const {
  Token t;
  t.kind = kind;
  t.value = std::move(value);
  t.line = line_;
  t.col = static_cast<int>(start_runes_ - line_start_runes_ + 1);
  return t;
}

Token Lexer::error(std::string message) const {
  Token t;
  t.kind = Tok::Invalid;
  t.line = line_;
  t.col = static_cast<int>(end_runes_ - line_start_runes_ + 1);
  t.error = std::move(message);
  return t;
}

std::string Lexer::describe_next() const {
  if (end_ >= in_.size()) return "<EOF>";
  std::string s = "\"";
  s += byte_as_rune(static_cast<unsigned char>(in_[end_]));
  s += '"';
  return s;
}

bool Lexer::accept(char a, char b) {
  if (end_ >= in_.size()) return false;
  if (in_[end_] == a || (b != 0 && in_[end_] == b)) {
    ++end_;
    ++end_runes_;
    return true;
  }
  return false;
}

int Lexer::accept_digits() {
  int n = 0;
  while (end_ < in_.size() && in_[end_] >= '0' && in_[end_] <= '9') {
    ++end_;
    ++end_runes_;
    ++n;
  }
  return n;
}

void Lexer::skip_whitespace() {
  while (end_ < in_.size()) {
    unsigned char c = static_cast<unsigned char>(in_[end_]);
    if (c == '\t' || c == ' ' || c == ',') {
      ++end_;
      ++end_runes_;
    } else if (c == '\n' || c == '\r') {
      ++end_;
      ++end_runes_;
      ++line_;
      line_start_runes_ = end_runes_;
      if (c == '\r' && end_ < in_.size() && in_[end_] == '\n') {
        ++end_;
        ++end_runes_;
      }
    } else if (c == 0xEF && end_ + 2 < in_.size() && static_cast<unsigned char>(in_[end_ + 1]) == 0xBB &&
               static_cast<unsigned char>(in_[end_ + 2]) == 0xBF) {
      end_ += 3;  // byte order mark
      ++end_runes_;
    } else {
      return;
    }
  }
}

void Lexer::read_comment() {
  while (end_ < in_.size()) {
    auto [r, w] = decode_rune(in_, end_);
    if (r > 0x1F || r == '\t') {
      end_ += w;
      ++end_runes_;
    } else {
      break;
    }
  }
}

Token Lexer::read() {
  for (;;) {
    skip_whitespace();
    start_ = end_;
    start_runes_ = end_runes_;
    if (end_ >= in_.size()) return make(Tok::Eof, "");
    unsigned char r = static_cast<unsigned char>(in_[start_]);
    ++end_;
    ++end_runes_;
    switch (r) {
      case '!': return make(Tok::Bang, "");
      case '$': return make(Tok::Dollar, "");
      case '&': return make(Tok::Amp, "");
      case '(': return make(Tok::ParenL, "");
      case ')': return make(Tok::ParenR, "");
      case '.':
        if (in_.size() > start_ + 2 && in_.substr(start_, 3) == "...") {
          end_ += 2;
          end_runes_ += 2;
          return make(Tok::Spread, "");
        }
        break;
      case ':': return make(Tok::Colon, "");
      case '=': return make(Tok::Equals, "");
      case '@': return make(Tok::At, "");
      case '[': return make(Tok::BracketL, "");
      case ']': return make(Tok::BracketR, "");
      case '{': return make(Tok::BraceL, "");
      case '}': return make(Tok::BraceR, "");
      case '|': return make(Tok::Pipe, "");
      case '#':
        read_comment();
        continue;
      case '"':
        if (in_.size() > start_ + 2 && in_.substr(start_, 3) == "\"\"\"") return read_block_string();
        return read_string();
      default:
        if (r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')) return read_name();
        if (r == '-' || (r >= '0' && r <= '9')) return read_number();
        break;
    }
    --end_;
    --end_runes_;
    if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') {
      return error("Cannot contain the invalid character \"\\u" + pad4(r) + "\"");
    }
    if (r == '\'') {
      return error("Unexpected single quote character ('), did you mean to use a double quote (\")?");
    }
    return error("Cannot parse the unexpected character \"" + byte_as_rune(r) + "\".");
  }
}

Token Lexer::read_name() {
  while (end_ < in_.size()) {
    char c = in_[end_];
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_') {
      ++end_;
      ++end_runes_;
    } else {
      break;
    }
  }
  return make(Tok::Name, std::string(in_.substr(start_, end_ - start_)));
}

Token Lexer::read_number() {
  bool is_float = false;
  --end_;  // back up to the first character
  --end_runes_;
  accept('-');
  if (accept('0')) {
    if (int n = accept_digits(); n != 0) {
      end_ -= n;
      end_runes_ -= n;
      return error("Invalid number, unexpected digit after 0: " + describe_next() + ".");
    }
  } else if (accept_digits() == 0) {
    return error("Invalid number, expected digit but got: " + describe_next() + ".");
  }
  if (accept('.')) {
    is_float = true;
    if (accept_digits() == 0) return error("Invalid number, expected digit but got: " + describe_next() + ".");
  }
  if (accept('e', 'E')) {
    is_float = true;
    accept('-', '+');
    if (accept_digits() == 0) return error("Invalid number, expected digit but got: " + describe_next() + ".");
  }
  return make(is_float ? Tok::Float : Tok::Int, std::string(in_.substr(start_, end_ - start_)));
}

Token Lexer::read_string() {
  const size_t n = in_.size();
  bool escaped = false;  // gqlparser builds a buffer only once an escape appears
  std::string buf;
  ++start_;  // skip the opening quote (the token's column is that of the first character inside)
  ++start_runes_;
  while (end_ < n) {
    unsigned char r = static_cast<unsigned char>(in_[end_]);
    if (r == '\n' || r == '\r') break;
    if (r < 0x20 && r != '\t') return error("Invalid character within String: \"\\u" + pad4(r) + "\".");
    if (r == '"') {
      Token t = make(Tok::String, escaped ? buf : std::string(in_.substr(start_, end_ - start_)));
      ++end_;
      ++end_runes_;
      return t;
    }
    if (r != '\\') {
      uint32_t ch = r;
      size_t w = 1;
      if (r >= 127) std::tie(ch, w) = decode_rune(in_, end_);
      end_ += w;
      ++end_runes_;
      if (escaped) append_rune(buf, ch);
      continue;
    }
    if (end_ + 1 >= n) {
      ++end_;
      ++end_runes_;
      return error("Invalid character escape sequence.");
    }
    if (!escaped) {
      buf.assign(in_.substr(start_, end_ - start_));
      escaped = true;
    }
    char esc = in_[end_ + 1];
    if (esc == 'u') {
      if (end_ + 6 >= n) {
        ++end_;
        ++end_runes_;
        return error("Invalid character escape sequence: \\" + std::string(in_.substr(end_)) + ".");
      }
      uint32_t cp = 0;
      if (!unhex(in_.substr(end_ + 2, 4), cp)) {
        ++end_;
        ++end_runes_;
        return error("Invalid character escape sequence: \\" + std::string(in_.substr(end_, 5)) + ".");
      }
      append_rune(buf, cp);
      end_ += 6;
      end_runes_ += 6;
      continue;
    }
    switch (esc) {
      case '"': case '/': case '\\': buf += esc; break;
      case 'b': buf += '\b'; break;
      case 'f': buf += '\f'; break;
      case 'n': buf += '\n'; break;
      case 'r': buf += '\r'; break;
      case 't': buf += '\t'; break;
      default:
        ++end_;
        ++end_runes_;
        return error("Invalid character escape sequence: \\" + byte_as_rune(static_cast<unsigned char>(esc)) + ".");
    }
    end_ += 2;
    end_runes_ += 2;
  }
  return error("Unterminated string.");
}

Token Lexer::read_block_string() {
  const size_t n = in_.size();
  std::string buf;
  start_ += 3;
  start_runes_ += 3;
  end_ += 2;
  end_runes_ += 2;
  while (end_ < n) {
    unsigned char r = static_cast<unsigned char>(in_[end_]);
    if (r == '"' && end_ + 3 <= n && in_.substr(end_, 3) == "\"\"\"") {
      Token t = make(Tok::BlockString, block_string_value(buf));
      end_ += 3;
      end_runes_ += 3;
      return t;
    }
    if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') {
      return error("Invalid character within String: \"\\u" + pad4(r) + "\".");
    }
    if (r == '\\' && end_ + 4 <= n && in_.substr(end_, 4) == "\\\"\"\"") {
      buf += "\"\"\"";
      end_ += 4;
      end_runes_ += 4;
    } else if (r == '\r') {
      if (end_ + 1 < n && in_[end_ + 1] == '\n') {
        ++end_;
        ++end_runes_;
      }
      buf += '\n';
      ++end_;
      ++end_runes_;
      ++line_;
      line_start_runes_ = end_runes_;
    } else {
      uint32_t ch = r;
      size_t w = 1;
      if (r >= 127) std::tie(ch, w) = decode_rune(in_, end_);
      end_ += w;
      ++end_runes_;
      append_rune(buf, ch);
      if (r == '\n') {
        ++line_;
        line_start_runes_ = end_runes_;
      }
    }
  }
  return error("Unterminated string.");
}

}  // namespace rego::gql
