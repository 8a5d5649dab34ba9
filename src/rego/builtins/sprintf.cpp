// sprintf: Go's fmt.Sprintf, as OPA calls it.
//
// OPA hands Go's fmt exactly four kinds of argument: an int64 (integer numbers that fit), a *big.Int (larger
// integers), a float64 (numbers written with a fraction or exponent), and a string (strings themselves, and every
// other value as its Rego term text, e.g. `["a", 1]`). This file reimplements Go's verbs, flags, widths,
// precisions, argument indexes and its error notations (%!d(string=x), %!v(MISSING), %!(EXTRA ...)) for
// exactly those four kinds.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "rego/builtins/registry.h"
#include "rego/builtins/strutil.h"
#include "rego/number.h"

namespace rego {
namespace {

using std::string;
using std::string_view;

struct Arg {
  enum Type { Int, Big, Float, Str } type = Str;
  int64_t i = 0;
  Value big;  // Big: a whole number beyond int64
  double f = 0;
  string s;
};

const char* go_type(const Arg& a) {
  switch (a.type) {
    case Arg::Int: return "int64";
    case Arg::Big: return "*big.Int";
    case Arg::Float: return "float64";
    case Arg::Str: return "string";
  }
  return "";
}

Arg to_arg(const Value& v) {
  Arg a;
  a.type = Arg::Str;
  if (v.is_string()) {
    a.s = v.as_string();
  } else if (v.is_number()) {
    if (v.float_syntax() && v.num_rep() != NumRep::Float) {
      // Written as 5.0 or 1e25: OPA hands fmt a float64 (or the number's text when none holds it).
      const double d = number::to_double(v);
      if (std::isfinite(d)) {
        a.type = Arg::Float;
        a.f = d;
      } else {
        a.s = number::format(v);
      }
    } else if (v.is_int()) {
      a.type = Arg::Int;
      a.i = v.as_int();
    } else if (v.num_rep() == NumRep::Big && number::is_integer(v)) {
      a.type = Arg::Big;
      a.big = v;
    } else {
      // Written with a fraction or exponent: Go sees a float64, or the number's text when no float64 holds it.
      const double d = number::to_double(v);
      if (std::isfinite(d)) {
        a.type = Arg::Float;
        a.f = d;
      } else {
        a.s = number::format(v);
      }
    }
  } else {
    a.s = text::term(v);
  }
  return a;
}

struct Flags {
  bool wid_present = false, prec_present = false;
  bool minus = false, plus = false, sharp = false, space = false, zero = false;
  bool sharp_v = false, plus_v = false;  // %#v and %+v (Go moves '#' and '+' here for the v verb)
  int wid = 0, prec = 0;
};

class Printer {
 public:
  Printer(string& out, const std::vector<Arg>& args) : out_(out), args_(args) {}

  void run(string_view format);

 private:
  // ---- padding (fmt.pad / writePadding) ----
  void write_padding(int n) {
    if (n <= 0) return;
    out_.append(static_cast<size_t>(n), f_.zero && !f_.minus ? '0' : ' ');
  }
  void pad(string_view s) {
    if (!f_.wid_present || f_.wid == 0) {
      out_.append(s);
      return;
    }
    const int width = f_.wid - static_cast<int>(text::count_runes(s));
    if (!f_.minus) {
      write_padding(width);
      out_.append(s);
    } else {
      out_.append(s);
      write_padding(width);
    }
  }
  // pad() with zero padding suppressed (numbers do their own zero filling).
  void pad_no_zero(string_view s) {
    const bool z = f_.zero;
    f_.zero = false;
    pad(s);
    f_.zero = z;
  }

  void print_arg(const Arg& a, char32_t verb);
  void bad_verb(const Arg& a, char32_t verb);
  void fmt_int(int64_t v, char32_t verb, const Arg& a);
  void fmt_integer_digits(bool negative, string digits, int base, char32_t verb);
  void fmt_big(const Value& v, char32_t verb);
  void fmt_float(double v, char32_t verb, const Arg& a);
  void fmt_float_prec(double v, char verb, int prec);
  void fmt_string(const string& s, char32_t verb, const Arg& a);
  void fmt_sx(const string& s, bool upper);
  void fmt_q(const string& s);

  bool arg_number(string_view format, size_t& i, size_t& arg_num);
  bool int_from_arg(size_t& arg_num, int& value);

  void write_rune(char32_t c) { text::encode(c, out_); }

  string& out_;
  const std::vector<Arg>& args_;
  Flags f_;
  bool reordered_ = false;
  bool good_arg_num_ = true;
};

// ---- integers ----

string digits_of(uint64_t u, int base, bool upper) {
  static const char* lower = "0123456789abcdef";
  static const char* upperd = "0123456789ABCDEF";
  const char* d = upper ? upperd : lower;
  string s;
  do {
    s.push_back(d[u % static_cast<uint64_t>(base)]);
    u /= static_cast<uint64_t>(base);
  } while (u != 0);
  return string(s.rbegin(), s.rend());
}

// fmt.fmtInteger, given the magnitude's digits.
void Printer::fmt_integer_digits(bool negative, string digits, int base, char32_t verb) {
  int prec = 0;
  if (f_.prec_present) {
    prec = f_.prec;
    if (prec == 0 && digits == "0") {  // precision 0 and value 0 print nothing but padding
      const bool z = f_.zero;
      f_.zero = false;
      write_padding(f_.wid);
      f_.zero = z;
      return;
    }
  } else if (f_.zero && !f_.minus && f_.wid_present) {
    prec = f_.wid;
    if (negative || f_.plus || f_.space) --prec;  // leave room for the sign
  }
  string s;
  if (static_cast<int>(digits.size()) < prec) s.append(static_cast<size_t>(prec) - digits.size(), '0');
  s += digits;
  if (f_.sharp) {
    if (base == 2) s = "0b" + s;
    if (base == 8 && s[0] != '0') s = "0" + s;
    if (base == 16) s = (verb == 'X' ? "0X" : "0x") + s;
  }
  if (verb == 'O') s = "0o" + s;
  if (negative) {
    s = "-" + s;
  } else if (f_.plus) {
    s = "+" + s;
  } else if (f_.space) {
    s = " " + s;
  }
  pad_no_zero(s);
}

void Printer::fmt_int(int64_t v, char32_t verb, const Arg& a) {
  const bool negative = v < 0;
  const uint64_t u = negative ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  switch (verb) {
    case 'v': case 'd': fmt_integer_digits(negative, digits_of(u, 10, false), 10, verb); return;
    case 'b': fmt_integer_digits(negative, digits_of(u, 2, false), 2, verb); return;
    case 'o': case 'O': fmt_integer_digits(negative, digits_of(u, 8, false), 8, verb); return;
    case 'x': fmt_integer_digits(negative, digits_of(u, 16, false), 16, verb); return;
    case 'X': fmt_integer_digits(negative, digits_of(u, 16, true), 16, verb); return;
    case 'c': {  // the code point itself
      string s;
      text::encode(v < 0 || v > 0x10FFFF ? text::kRuneError : static_cast<char32_t>(v), s);
      pad(s);
      return;
    }
    case 'q': {  // quoted character literal
      string raw, s;
      text::encode(v < 0 || v > 0x10FFFF ? text::kRuneError : static_cast<char32_t>(v), raw);
      text::quote_with(raw, '\'', f_.plus, s);
      pad(s);
      return;
    }
    case 'U': {  // U+0041, or U+0041 'A' with #
      int prec = f_.prec_present && f_.prec > 4 ? f_.prec : 4;
      string hex = digits_of(static_cast<uint64_t>(v), 16, true);
      string s = "U+";
      if (static_cast<int>(hex.size()) < prec) s.append(static_cast<size_t>(prec) - hex.size(), '0');
      s += hex;
      if (f_.sharp && v >= 0 && v <= 0x10FFFF && text::is_print(static_cast<char32_t>(v))) {
        s += " '";
        text::encode(static_cast<char32_t>(v), s);
        s += "'";
      }
      pad_no_zero(s);
      return;
    }
    default:
      bad_verb(a, verb);
  }
}

// big.Int's Format method: it handles every verb itself, so its bad-verb text differs from fmt's.
void Printer::fmt_big(const Value& v, char32_t verb) {
  int base;
  switch (verb) {
    case 'b': base = 2; break;
    case 'o': case 'O': base = 8; break;
    case 'd': case 's': case 'v': base = 10; break;
    case 'x': case 'X': base = 16; break;
    default:
      out_ += "%!";
      write_rune(verb);
      out_ += "(big.Int=" + number::integer_text(v) + ")";
      return;
  }
  string digits = number::integer_text_base(v, base);
  string sign;
  if (!digits.empty() && digits[0] == '-') {
    sign = "-";
    digits.erase(0, 1);
  } else if (f_.plus || f_.plus_v) {  // big.Int asks fmt's State.Flag('+'), which counts %+v
    sign = "+";
  } else if (f_.space) {
    sign = " ";
  }
  if (verb == 'X') {
    for (auto& ch : digits) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  string prefix;
  if (f_.sharp) {
    if (verb == 'b') prefix = "0b";
    if (verb == 'o') prefix = "0";
    if (verb == 'x') prefix = "0x";
    if (verb == 'X') prefix = "0X";
  }
  if (verb == 'O') prefix = "0o";
  size_t zeros = 0, left = 0, right = 0;
  if (f_.prec_present) {
    if (static_cast<int>(digits.size()) < f_.prec) {
      zeros = static_cast<size_t>(f_.prec) - digits.size();
    } else if (digits == "0" && f_.prec == 0) {
      return;
    }
  }
  const size_t length = sign.size() + prefix.size() + zeros + digits.size();
  if (f_.wid_present && static_cast<int>(length) < f_.wid) {
    const size_t d = static_cast<size_t>(f_.wid) - length;
    if (f_.minus) {
      right = d;
    } else if (f_.zero && !f_.prec_present) {
      zeros = d;
    } else {
      left = d;
    }
  }
  out_.append(left, ' ');
  out_ += sign;
  out_ += prefix;
  out_.append(zeros, '0');
  out_ += digits;
  out_.append(right, ' ');
}

// ---- floats (strconv.AppendFloat + fmt.fmtFloat) ----

// Decimal digits (no trailing zeros) and decimal-point position of |v|, as strconv's decimal: v = 0.d1d2... x
// 10^dp. sig < 0 asks for the shortest digits that read back exactly, else for `sig` significant digits.
void float_digits(double v, int sig, string& digits, int& dp) {
  char buf[800];
  auto res = sig < 0 ? std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::scientific)
                     : std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::scientific, sig - 1);
  string_view s(buf, static_cast<size_t>(res.ptr - buf));
  const size_t e = s.find('e');
  digits.clear();
  for (char ch : s.substr(0, e)) {
    if (ch != '.') digits.push_back(ch);
  }
  int exp = 0;
  std::from_chars(s.data() + e + (s[e + 1] == '+' ? 2 : 1), s.data() + s.size(), exp);
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  dp = digits.empty() ? 0 : exp + 1;
}

// %e: d.ddddde±dd with prec digits after the point.
string fmt_e(const string& d, int dp, int prec, char e) {
  string s(1, d.empty() ? '0' : d[0]);
  if (prec > 0) {
    s.push_back('.');
    for (int i = 1; i <= prec; ++i) s.push_back(i < static_cast<int>(d.size()) ? d[static_cast<size_t>(i)] : '0');
  }
  s.push_back(e);
  int exp = d.empty() ? 0 : dp - 1;
  s.push_back(exp < 0 ? '-' : '+');
  exp = std::abs(exp);
  if (exp < 10) s.push_back('0');
  s += std::to_string(exp);
  return s;
}

// %f: ddd.ddd with prec digits after the point.
string fmt_f(const string& d, int dp, int prec) {
  string s;
  if (dp > 0) {
    for (int i = 0; i < dp; ++i) s.push_back(i < static_cast<int>(d.size()) ? d[static_cast<size_t>(i)] : '0');
  } else {
    s.push_back('0');
  }
  if (prec > 0) {
    s.push_back('.');
    for (int i = 1; i <= prec; ++i) {
      const int j = dp + i - 1;
      s.push_back(j >= 0 && j < static_cast<int>(d.size()) ? d[static_cast<size_t>(j)] : '0');
    }
  }
  return s;
}

// strconv.FormatFloat(v, verb, prec, 64), without the sign.
string format_float_abs(double v, char verb, int prec) {
  const double a = std::fabs(v);
  char buf[1100];
  switch (verb) {
    case 'e': case 'E': {
      string d;
      int dp;
      float_digits(a, prec < 0 ? -1 : prec + 1, d, dp);
      return fmt_e(d, dp, prec < 0 ? std::max(static_cast<int>(d.size()) - 1, 0) : prec, verb);
    }
    case 'f': {
      if (prec < 0) {
        string d;
        int dp;
        float_digits(a, -1, d, dp);
        return fmt_f(d, dp, std::max(static_cast<int>(d.size()) - dp, 0));
      }
      auto res = std::to_chars(buf, buf + sizeof buf, a, std::chars_format::fixed, prec);
      return string(buf, res.ptr);
    }
    case 'g': case 'G': {
      string d;
      int dp;
      const bool shortest = prec < 0;
      if (prec == 0) prec = 1;
      float_digits(a, shortest ? -1 : prec, d, dp);
      const int nd = static_cast<int>(d.size());
      if (shortest) prec = nd;
      int eprec = prec;
      if (eprec > nd && nd >= dp) eprec = nd;
      if (shortest) eprec = 6;
      const int exp = dp - 1;
      if (d.empty() ? false : (exp < -4 || exp >= eprec)) {
        if (prec > nd) prec = nd;
        return fmt_e(d, dp, prec - 1, verb == 'g' ? 'e' : 'E');
      }
      if (prec > dp) prec = nd;
      return fmt_f(d, dp, std::max(prec - dp, 0));
    }
    case 'b': {  // mantissa p binary-exponent, as Go
      int e2 = 0;
      const double m = std::frexp(a, &e2);
      const auto mant = static_cast<uint64_t>(std::ldexp(m, 53));
      const int exp = a == 0 ? -1074 : e2 - 53;
      return std::to_string(mant) + "p" + (exp < 0 ? "-" : "+") + std::to_string(std::abs(exp));
    }
    case 'x': case 'X': {  // hexadecimal mantissa, binary exponent with at least two digits
      if (prec < 0) {
        std::snprintf(buf, sizeof buf, "%a", a);
      } else {
        std::snprintf(buf, sizeof buf, "%.*a", prec, a);
      }
      string s(buf);
      const size_t p = s.find('p');
      string exp = s.substr(p + 2);
      if (exp.size() < 2) exp = "0" + exp;
      s = s.substr(0, p + 2) + exp;
      if (verb == 'X') {
        for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      }
      return s;
    }
    default:
      return {};
  }
}

void Printer::fmt_float_prec(double v, char verb, int prec) {
  if (f_.prec_present) prec = f_.prec;
  string num = (std::signbit(v) ? "-" : "+") + format_float_abs(v, verb, prec);
  if (f_.space && num[0] == '+' && !f_.plus) num[0] = ' ';
  if (f_.sharp && verb != 'b') {
    // '#' keeps a decimal point and restores trailing zeros up to the precision.
    int digits = 0;
    if (verb == 'g' || verb == 'G' || verb == 'x') digits = prec == -1 ? 6 : prec;
    string tail;
    bool has_point = false, nonzero = false;
    for (size_t i = 1; i < num.size(); ++i) {
      const char ch = num[i];
      if (ch == '.') {
        has_point = true;
      } else if (ch == 'p' || ch == 'P' || ((ch == 'e' || ch == 'E') && verb != 'x' && verb != 'X')) {
        tail = num.substr(i);
        num.resize(i);
        break;
      } else {
        if (ch != '0') nonzero = true;
        if (nonzero) --digits;
      }
    }
    if (!has_point) {
      if (num.size() == 2 && num[1] == '0') --digits;
      num.push_back('.');
    }
    for (; digits > 0; --digits) num.push_back('0');
    num += tail;
  }
  if (f_.plus || num[0] != '+') {
    if (f_.zero && !f_.minus && f_.wid_present && f_.wid > static_cast<int>(num.size())) {
      out_.push_back(num[0]);
      write_padding(f_.wid - static_cast<int>(num.size()));
      out_.append(num, 1);
      return;
    }
    pad(num);
    return;
  }
  pad(string_view(num).substr(1));
}

void Printer::fmt_float(double v, char32_t verb, const Arg& a) {
  switch (verb) {
    case 'v': fmt_float_prec(v, 'g', -1); return;
    case 'b': case 'g': case 'G': case 'x': case 'X': fmt_float_prec(v, static_cast<char>(verb), -1); return;
    case 'f': case 'e': case 'E': fmt_float_prec(v, static_cast<char>(verb), 6); return;
    case 'F': fmt_float_prec(v, 'f', 6); return;
    default: bad_verb(a, verb);
  }
}

// ---- strings ----

void Printer::fmt_sx(const string& s, bool upper) {
  const char* d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  size_t length = s.size();
  if (f_.prec_present && f_.prec < static_cast<int>(length)) length = static_cast<size_t>(f_.prec);
  int width = 2 * static_cast<int>(length);
  if (width > 0) {
    if (f_.space) {
      if (f_.sharp) width *= 2;
      width += static_cast<int>(length) - 1;
    } else if (f_.sharp) {
      width += 2;
    }
  } else {
    if (f_.wid_present) write_padding(f_.wid);
    return;
  }
  if (f_.wid_present && f_.wid > width && !f_.minus) write_padding(f_.wid - width);
  if (f_.sharp) {
    out_.push_back('0');
    out_.push_back(upper ? 'X' : 'x');
  }
  for (size_t i = 0; i < length; ++i) {
    if (f_.space && i > 0) {
      out_.push_back(' ');
      if (f_.sharp) {
        out_.push_back('0');
        out_.push_back(upper ? 'X' : 'x');
      }
    }
    const auto c = static_cast<unsigned char>(s[i]);
    out_.push_back(d[c >> 4]);
    out_.push_back(d[c & 0xF]);
  }
  if (f_.wid_present && f_.wid > width && f_.minus) write_padding(f_.wid - width);
}

// Precision truncates to that many code points.
string truncate(const string& s, const Flags& f) {
  if (!f.prec_present) return s;
  int n = f.prec;
  for (size_t i = 0; i < s.size(); i += text::rune_len(s, i)) {
    if (--n < 0) return s.substr(0, i);
  }
  return s;
}

bool can_backquote(const string& s) {
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    const char32_t c = text::decode(s, i);
    if (c == text::kRuneError && i - start == 1) return false;
    if (c == '`' || c == 0xFEFF) return false;
    if ((c < ' ' && c != '\t') || c == 0x7F) return false;
  }
  return true;
}

void Printer::fmt_q(const string& str) {
  const string s = truncate(str, f_);
  if (f_.sharp && can_backquote(s)) {
    pad("`" + s + "`");
    return;
  }
  string q;
  text::quote_with(s, '"', f_.plus, q);
  pad(q);
}

void Printer::fmt_string(const string& s, char32_t verb, const Arg& a) {
  switch (verb) {
    case 'v':
      if (f_.sharp_v) {
        fmt_q(s);
      } else {
        pad(truncate(s, f_));
      }
      return;
    case 's': pad(truncate(s, f_)); return;
    case 'x': fmt_sx(s, false); return;
    case 'X': fmt_sx(s, true); return;
    case 'q': fmt_q(s); return;
    default: bad_verb(a, verb);
  }
}

// ---- dispatch ----

void Printer::bad_verb(const Arg& a, char32_t verb) {
  out_ += "%!";
  write_rune(verb);
  out_ += "(";
  out_ += go_type(a);
  out_ += "=";
  const Flags saved = f_;
  f_ = Flags{};
  print_arg(a, 'v');
  f_ = saved;
  out_ += ")";
}

void Printer::print_arg(const Arg& a, char32_t verb) {
  if (verb == 'T') {
    pad(truncate(go_type(a), f_));
    return;
  }
  switch (a.type) {
    case Arg::Int: fmt_int(a.i, verb, a); return;
    case Arg::Big: fmt_big(a.big, verb); return;
    case Arg::Float: fmt_float(a.f, verb, a); return;
    case Arg::Str: fmt_string(a.s, verb, a); return;
  }
}

int parse_num(string_view s, size_t& i, bool& present) {
  int n = 0;
  present = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (n > 1000000) {  // Go gives up on absurd widths
      present = false;
      i = s.size();
      return 0;
    }
    n = n * 10 + (s[i] - '0');
    present = true;
  }
  return n;
}

// An explicit argument index "[n]" at format[i]; updates arg_num and reports whether one was found.
bool Printer::arg_number(string_view format, size_t& i, size_t& arg_num) {
  if (i >= format.size() || format[i] != '[') return false;
  reordered_ = true;
  const size_t close = format.find(']', i + 1);
  if (close == string_view::npos) {
    ++i;
    good_arg_num_ = false;
    return false;
  }
  size_t j = i + 1;
  bool ok;
  const int n = parse_num(format.substr(0, close), j, ok);
  i = close + 1;
  if (!ok || j != close) {
    good_arg_num_ = false;
    return false;
  }
  if (n >= 1 && static_cast<size_t>(n) <= args_.size()) {
    arg_num = static_cast<size_t>(n - 1);
    return true;
  }
  good_arg_num_ = false;
  return true;
}

bool Printer::int_from_arg(size_t& arg_num, int& value) {
  bool ok = false;
  value = 0;
  if (arg_num < args_.size()) {
    const Arg& a = args_[arg_num];
    if (a.type == Arg::Int && a.i >= -1000000 && a.i <= 1000000) {
      value = static_cast<int>(a.i);
      ok = true;
    }
    ++arg_num;
  }
  return ok;
}

void Printer::run(string_view format) {
  size_t arg_num = 0;
  bool after_index = false;
  const size_t end = format.size();
  for (size_t i = 0; i < end;) {
    good_arg_num_ = true;
    const size_t lasti = i;
    while (i < end && format[i] != '%') ++i;
    out_.append(format.substr(lasti, i - lasti));
    if (i >= end) break;
    ++i;  // skip '%'
    f_ = Flags{};
    for (; i < end; ++i) {
      const char c = format[i];
      if (c == '#') {
        f_.sharp = true;
      } else if (c == '0') {
        f_.zero = !f_.minus;  // zero padding only to the left
      } else if (c == '+') {
        f_.plus = true;
      } else if (c == '-') {
        f_.minus = true;
        f_.zero = false;
      } else if (c == ' ') {
        f_.space = true;
      } else {
        break;
      }
    }
    after_index = arg_number(format, i, arg_num);
    if (i < end && format[i] == '*') {
      ++i;
      f_.wid_present = int_from_arg(arg_num, f_.wid);
      if (!f_.wid_present) out_ += "%!(BADWIDTH)";
      if (f_.wid < 0) {
        f_.wid = -f_.wid;
        f_.minus = true;
        f_.zero = false;
      }
      after_index = false;
    } else {
      f_.wid = parse_num(format, i, f_.wid_present);
      if (after_index && f_.wid_present) good_arg_num_ = false;  // "%[3]2d"
    }
    if (i + 1 < end && format[i] == '.') {
      ++i;
      if (after_index) good_arg_num_ = false;  // "%[3].2d"
      after_index = arg_number(format, i, arg_num);
      if (i < end && format[i] == '*') {
        ++i;
        f_.prec_present = int_from_arg(arg_num, f_.prec);
        if (f_.prec < 0) {
          f_.prec = 0;
          f_.prec_present = false;
        }
        if (!f_.prec_present) out_ += "%!(BADPREC)";
        after_index = false;
      } else {
        f_.prec = parse_num(format, i, f_.prec_present);
        if (!f_.prec_present) {
          f_.prec = 0;
          f_.prec_present = true;
        }
      }
    }
    if (!after_index) after_index = arg_number(format, i, arg_num);
    if (i >= end) {
      out_ += "%!(NOVERB)";
      break;
    }
    const char32_t verb = text::decode(format, i);
    if (verb == '%') {
      out_.push_back('%');  // takes no argument, ignores width and precision
    } else if (!good_arg_num_) {
      out_ += "%!";
      write_rune(verb);
      out_ += "(BADINDEX)";
    } else if (arg_num >= args_.size()) {
      out_ += "%!";
      write_rune(verb);
      out_ += "(MISSING)";
    } else {
      if (verb == 'v') {
        f_.sharp_v = f_.sharp;  // %#v is Go syntax; %+v means field names, so plain numbers lose the sign
        f_.sharp = false;
        f_.plus_v = f_.plus;
        f_.plus = false;
      }
      print_arg(args_[arg_num], verb);
      ++arg_num;
    }
  }
  if (!reordered_ && arg_num < args_.size()) {
    f_ = Flags{};
    out_ += "%!(EXTRA ";
    for (size_t k = arg_num; k < args_.size(); ++k) {
      if (k > arg_num) out_ += ", ";
      out_ += go_type(args_[k]);
      out_ += "=";
      print_arg(args_[k], 'v');
    }
    out_ += ")";
  }
}

std::optional<Value> sprintf(BuiltinArgs a, BuiltinContext&) {
  const string& format = args::string(a, 0);
  const auto& values = args::array(a, 1);
  std::vector<Arg> argv;
  argv.reserve(values.size());
  for (const auto& v : values) argv.push_back(to_arg(v));
  string out;
  Printer(out, argv).run(format);
  return Value::string(std::move(out));
}

}  // namespace

void register_sprintf(Registry& r) { r.add("sprintf", 2, sprintf); }

}  // namespace rego
