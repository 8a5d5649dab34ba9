#include "rego/builtins/strutil.h"

#include <locale.h>
#include <wctype.h>

#include "rego/builtins/registry.h"
#include "rego/number.h"

namespace rego::text {

char32_t decode(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  // Go's rules: no overlong forms, no surrogates, nothing past U+10FFFF; anything else is one bad byte.
  size_t need;
  char32_t c;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    c = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    c = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    c = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    ++i;
    return kRuneError;
  }
  if (s.size() - i <= need) {  // truncated sequence
    ++i;
    return kRuneError;
  }
  for (size_t k = 1; k <= need; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) {
      ++i;
      return kRuneError;
    }
    c = (c << 6) | (b & 0x3F);
  }
  i += need + 1;
  return c;
}

size_t rune_len(std::string_view s, size_t i) {
  size_t j = i;
  decode(s, j);
  return j - i;
}

void encode(char32_t c, std::string& out) {
  if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = kRuneError;
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

bool is_ascii(std::string_view s) {
  for (char ch : s) {
    if (static_cast<unsigned char>(ch) >= 0x80) return false;
  }
  return true;
}

size_t count_runes(std::string_view s) {
  if (is_ascii(s)) return s.size();
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) decode(s, i);
  return n;
}

std::vector<char32_t> runes(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) out.push_back(decode(s, i));
  return out;
}

std::string from_runes(const char32_t* begin, const char32_t* end) {
  std::string out;
  out.reserve(static_cast<size_t>(end - begin));
  for (auto p = begin; p != end; ++p) encode(*p, out);
  return out;
}

bool is_space(char32_t c) {
  switch (c) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

bool is_print(char32_t c) {
  if (c < 0x20 || c == 0x7F) return false;
  if (c < 0x7F) return true;
  if (c <= 0x9F) return false;                        // C1 controls
  if (c == 0xA0 || c == 0xAD) return false;           // no-break space (Zs), soft hyphen (Cf)
  if (is_space(c)) return false;                      // other Zs, Zl, Zp
  if (c >= 0x600 && c <= 0x605) return false;         // Arabic number signs (Cf)
  if (c == 0x61C || c == 0x6DD || c == 0x70F || c == 0x180E) return false;
  if (c >= 0x200B && c <= 0x200F) return false;       // zero-width and direction marks
  if (c >= 0x202A && c <= 0x202E) return false;
  if (c >= 0x2060 && c <= 0x206F) return false;
  if (c >= 0xD800 && c <= 0xF8FF) return false;       // surrogates, private use
  if (c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFB)) return false;
  if ((c & 0xFFFE) == 0xFFFE) return false;           // non-characters U+xxFFFE/F
  if (c >= 0xE0000) return false;                     // tags, variation selectors supplement, private use planes
  return c <= 0x10FFFF;
}

static void hex_escape(const char* prefix, uint32_t v, int digits, std::string& out) {
  static const char* hex = "0123456789abcdef";
  out += prefix;
  for (int d = digits - 1; d >= 0; --d) out.push_back(hex[(v >> (4 * d)) & 0xF]);
}

void quote_with(std::string_view s, char q, bool ascii_only, std::string& out) {
  out.push_back(q);
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    const char32_t c = decode(s, i);
    if (c == kRuneError && i - start == 1) {
      hex_escape("\\x", static_cast<unsigned char>(s[start]), 2, out);
      continue;
    }
    if (c == static_cast<char32_t>(q) || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
      continue;
    }
    switch (c) {
      case '\a': out += "\\a"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\v': out += "\\v"; continue;
      default: break;
    }
    if (ascii_only ? (c >= 0x20 && c < 0x7F) : is_print(c)) {
      out.append(s.substr(start, i - start));
    } else if (c < 0x20 || c == 0x7F) {
      hex_escape("\\x", c, 2, out);
    } else if (c < 0x10000) {
      hex_escape("\\u", c, 4, out);
    } else {
      hex_escape("\\U", c, 8, out);
    }
  }
  out.push_back(q);
}

void quote(std::string_view s, std::string& out) { quote_with(s, '"', false, out); }

std::string quote(std::string_view s) {
  std::string out;
  quote(s, out);
  return out;
}

void append_term(const Value& v, std::string& out) {
  switch (v.kind()) {
    case Kind::Null:
      out += "null";
      return;
    case Kind::Boolean:
      out += v.as_bool() ? "true" : "false";
      return;
    case Kind::Number:
      number::append_format(v, out);
      return;
    case Kind::String:
      quote(v.as_string(), out);
      return;
    case Kind::Array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v.as_array()) {
        if (!first) out += ", ";
        first = false;
        append_term(e, out);
      }
      out.push_back(']');
      return;
    }
    case Kind::Object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [k, e] : v.as_object()) {
        if (!first) out += ", ";
        first = false;
        append_term(k, out);
        out += ": ";
        append_term(e, out);
      }
      out.push_back('}');
      return;
    }
    case Kind::Set: {
      const auto& items = v.as_set();
      // `{}` would read back as an empty object.
      if (items.empty()) {
        out += "set()";
        return;
      }
      out.push_back('{');
      bool first = true;
      for (const auto& e : items) {
        if (!first) out += ", ";
        first = false;
        append_term(e, out);
      }
      out.push_back('}');
      return;
    }
  }
}

std::string term(const Value& v) {
  std::string out;
  append_term(v, out);
  return out;
}

// glibc's C.UTF-8 locale carries the Unicode simple case mappings Go's unicode package uses; it is opened once
// and only read afterwards (towlower_l takes it explicitly, so the global locale is never touched).
static locale_t utf8_locale() {
  static const locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return loc;
}

char32_t to_lower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  locale_t loc = utf8_locale();
  if (loc == static_cast<locale_t>(nullptr)) return c;
  return static_cast<char32_t>(towlower_l(static_cast<wint_t>(c), loc));
}

char32_t to_upper(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - 32 : c;
  locale_t loc = utf8_locale();
  if (loc == static_cast<locale_t>(nullptr)) return c;
  return static_cast<char32_t>(towupper_l(static_cast<wint_t>(c), loc));
}

void element_error(size_t index, const Value& collection, const char* want, const Value& got) {
  const std::string tpe = collection.type_name();
  throw BuiltinError{"operand " + std::to_string(index + 1) + " must be " + tpe + " of " + want + "s but got " +
                         tpe + " containing " + got.type_name(),
                     true};
}

}  // namespace rego::text
