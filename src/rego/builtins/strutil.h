// Text helpers shared by the string built-ins: UTF-8 the way Go reads it, Go's string quoting, Go's notion of
// white space, and Rego term syntax (OPA's Value.String()) for printing composite values (also used by the
// evaluator's print() and template strings).
//
// Built-in semantics follow Go's: an invalid UTF-8 byte decodes as U+FFFD and counts as one code point, never an
// error. Internal to the engine (src/rego/).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rego/value.h"

namespace rego::text {

inline constexpr char32_t kRuneError = 0xFFFD;

// Decodes the code point at s[i] and advances i past it (by 1 for an invalid byte, as Go's utf8.DecodeRune).
char32_t decode(std::string_view s, size_t& i);
// Byte length of the sequence at s[i] as decode() would consume it.
size_t rune_len(std::string_view s, size_t i);
void encode(char32_t c, std::string& out);

size_t count_runes(std::string_view s);           // utf8.RuneCountInString
std::vector<char32_t> runes(std::string_view s);  // []rune(s)
std::string from_runes(const char32_t* begin, const char32_t* end);
bool is_ascii(std::string_view s);

// unicode.IsSpace.
bool is_space(char32_t c);
// unicode.IsPrint (approximated for unassigned code points, which are treated as printable).
bool is_print(char32_t c);

// strconv.Quote: double-quoted, Go escapes, printable runes kept.
void quote(std::string_view s, std::string& out);
// The general form: `q` is the quote character ('"' or '\''); ascii_only escapes every non-ASCII code point
// (strconv.QuoteToASCII).
void quote_with(std::string_view s, char q, bool ascii_only, std::string& out);
std::string quote(std::string_view s);

// Rego term syntax, as OPA's ast Value.String(): strings quoted, `[1, "a"]`, `{"a": 1}`, `{1, 2}`, `set()`.
void append_term(const Value& v, std::string& out);
std::string term(const Value& v);

// Simple Unicode case mapping of one code point (unicode.ToLower / unicode.ToUpper).
char32_t to_lower(char32_t c);
char32_t to_upper(char32_t c);

// OPA's NewOperandElementErr, for a collection operand holding a member of the wrong type:
// "operand 2 must be array of strings but got array containing number". `index` is 0-based, as in args::.
[[noreturn]] void element_error(size_t index, const Value& collection, const char* want, const Value& got);

}  // namespace rego::text
