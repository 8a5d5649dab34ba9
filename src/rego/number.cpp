// Rego numbers: representation choice, parsing, formatting, exact comparison and arithmetic.
//
// Three representations (value.h): Int (int64), Float (double) and Big (mantissa * 10^exp, exact). The rules:
//   - a whole number that fits int64 is always an Int; a larger whole literal (2^64 + 1, 1e30, 1e400) is a Big,
//     so integer arithmetic on it stays exact;
//   - a fractional literal whose double prints back (shortest round trip) as the very same decimal is a Float;
//   - any other fractional literal (1e-400, 0.1234567890123456789) is a Big, so no literal is silently rounded.
// Comparison treats a Float as the exact binary value it holds, so it is a true total order across
// representations. Arithmetic: integers (Int and whole Big) are exact at any size; once a Float or a fractional
// Big takes part, the operation is done in double precision, as OPA does.
//
// Boost.Multiprecision is confined to this file.
#include "rego/number.h"

#include <boost/multiprecision/cpp_int.hpp>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace rego {

using boost::multiprecision::cpp_int;

// Exact decimal mantissa * 10^exp, kept normalised: the mantissa has no trailing decimal zeros (0 has exp 0).
struct BigNumber final : detail::Node {
  cpp_int mantissa;
  int64_t exp = 0;
  int64_t digits = 1;   // decimal digits of |mantissa| (1 for zero): magnitude is in [10^(digits+exp-1), 10^(digits+exp))
  double approx = 0.0;  // nearest double, computed once (hashing and double arithmetic use it)
};

Value Value::big(BigNumber* owned) {
  Value v;
  v.kind_ = Kind::Number;
  v.rep_ = NumRep::Big;
  v.u_.p = owned;
  return v;
}

const BigNumber& Value::as_big() const { return *static_cast<const BigNumber*>(u_.p); }

namespace number {
namespace {

constexpr double kTwo63 = 9223372036854775808.0;  // 2^63, exactly representable
// Aligning exponents for exact addition materialises 10^k; beyond this the operation falls back to doubles
// rather than allocating absurd amounts of memory for inputs such as 1e999999999 + 1.
constexpr int64_t kMaxAlign = 100000;
// Exponents of parsed literals saturate here (far beyond anything meaningful, far from int64 overflow).
constexpr int64_t kMaxExp = int64_t(1) << 50;

// A decimal in pieces, as text: sign, significant digits (no leading/trailing zeros; empty for zero), exponent.
struct DecText {
  bool neg = false;
  std::string digits;
  int64_t exp = 0;
};

// Splits a JSON number into DecText. Returns false if `text` is not JSON number syntax.
bool decompose(std::string_view text, DecText& out) {
  size_t i = 0, n = text.size();
  out = DecText{};
  if (i < n && text[i] == '-') {
    out.neg = true;
    ++i;
  }
  if (i >= n) return false;
  size_t int_start = i;
  if (text[i] == '0') {
    ++i;
  } else if (text[i] >= '1' && text[i] <= '9') {
    while (i < n && text[i] >= '0' && text[i] <= '9') ++i;
  } else {
    return false;
  }
  std::string_view int_part = text.substr(int_start, i - int_start);
  std::string_view frac_part;
  if (i < n && text[i] == '.') {
    ++i;
    size_t fs = i;
    while (i < n && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == fs) return false;
    frac_part = text.substr(fs, i - fs);
  }
  int64_t e = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) {
      eneg = text[i] == '-';
      ++i;
    }
    size_t es = i;
    while (i < n && text[i] >= '0' && text[i] <= '9') {
      if (e < kMaxExp) e = e * 10 + (text[i] - '0');
      ++i;
    }
    if (i == es) return false;
    if (e > kMaxExp) e = kMaxExp;
    if (eneg) e = -e;
  }
  if (i != n) return false;

  out.digits.reserve(int_part.size() + frac_part.size());
  out.digits.append(int_part);
  out.digits.append(frac_part);
  out.exp = e - static_cast<int64_t>(frac_part.size());
  size_t lead = out.digits.find_first_not_of('0');
  if (lead == std::string::npos) {
    out.digits.clear();
    out.exp = 0;
    out.neg = false;
    return true;
  }
  out.digits.erase(0, lead);
  size_t last = out.digits.find_last_not_of('0');
  out.exp += static_cast<int64_t>(out.digits.size() - 1 - last);
  out.digits.resize(last + 1);
  // Saturate the magnitude (the exponent of the leading digit, as the number prints: d.ddde+M), not only the
  // written exponent: 1196e(huge) must print as a literal that reads back as the same number.
  const int64_t lead_exp = static_cast<int64_t>(out.digits.size()) - 1;
  if (out.exp + lead_exp > kMaxExp) out.exp = kMaxExp - lead_exp;
  if (out.exp + lead_exp < -kMaxExp) out.exp = -kMaxExp - lead_exp;
  return true;
}

// Shortest round-trip digits of a finite, nonzero double as DecText.
DecText shortest(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  DecText t;
  decompose(std::string_view(buf, r.ptr - buf), t);
  return t;
}

cpp_int pow10(int64_t k) {
  cpp_int r = 1;
  if (k <= 0) return r;
  // Square-and-multiply keeps 10^400 and friends cheap.
  cpp_int base = 10;
  while (k > 0) {
    if (k & 1) r *= base;
    k >>= 1;
    if (k > 0) base *= base;
  }
  return r;
}

// Exact decimal used for all Big computations.
struct Dec {
  cpp_int m;  // signed
  int64_t e = 0;
  int64_t digits = 1;
};

// Strips trailing zeros and counts digits (one string conversion: Big paths are rare, clarity wins).
void normalize(Dec& d) {
  if (d.m == 0) {
    d.e = 0;
    d.digits = 1;
    return;
  }
  std::string s = d.m.str();
  size_t start = s[0] == '-' ? 1 : 0;
  size_t last = s.find_last_not_of('0');
  int64_t zeros = static_cast<int64_t>(s.size() - 1 - last);
  if (zeros > 0) {
    d.m /= pow10(zeros);
    d.e += zeros;
  }
  d.digits = static_cast<int64_t>(last + 1 - start);
}

double dec_to_double(const Dec& d) {
  if (d.m == 0) return 0.0;
  // Decide the hopeless cases up front: from_chars leaves its output untouched on overflow/underflow.
  int64_t mag = d.digits + d.e;  // value in [10^(mag-1), 10^mag)
  bool neg = d.m < 0;
  if (mag > 330) return neg ? -HUGE_VAL : HUGE_VAL;
  if (mag < -330) return neg ? -0.0 : 0.0;
  std::string s = d.m.str();
  s += 'e';
  s += std::to_string(d.e);
  double out = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  if (r.ec == std::errc::result_out_of_range) return mag > 0 ? (neg ? -HUGE_VAL : HUGE_VAL) : (neg ? -0.0 : 0.0);
  return out;
}

Value int_or_big(Dec d) {
  normalize(d);
  if (d.e >= 0 && d.digits + d.e <= 19) {
    cpp_int full = d.e > 0 ? cpp_int(d.m * pow10(d.e)) : d.m;
    if (full >= std::numeric_limits<int64_t>::min() && full <= std::numeric_limits<int64_t>::max()) {
      return Value::integer(static_cast<int64_t>(full));
    }
  }
  auto* b = new BigNumber();
  b->approx = dec_to_double(d);
  b->mantissa = std::move(d.m);
  b->exp = d.e;
  b->digits = d.digits;
  return Value::big(b);
}

Dec from_text(const DecText& t) {
  Dec d;
  if (t.digits.empty()) return d;
  d.m = cpp_int(t.digits);
  if (t.neg) d.m = -d.m;
  d.e = t.exp;
  d.digits = static_cast<int64_t>(t.digits.size());
  return d;
}

// The exact value of a finite double as a decimal: m * 2^k = m * 5^-k * 10^k for negative k.
Dec from_double_exact(double x) {
  Dec d;
  if (x == 0 || !std::isfinite(x)) return d;
  int ex = 0;
  double f = std::frexp(x, &ex);                          // x = f * 2^ex, 0.5 <= |f| < 1
  int64_t m = static_cast<int64_t>(std::ldexp(f, 53));  // exact: 53 significant bits
  int64_t k = ex - 53;
  while (k < 0 && (m & 1) == 0) {
    m >>= 1;
    ++k;
  }
  if (k >= 0) {
    d.m = cpp_int(m) << static_cast<unsigned>(k);
  } else {
    cpp_int five = boost::multiprecision::pow(cpp_int(5), static_cast<unsigned>(-k));
    d.m = cpp_int(m) * five;
    d.e = k;
  }
  normalize(d);
  return d;
}

Dec to_dec(const Value& v) {
  switch (v.num_rep()) {
    case NumRep::Int: {
      Dec d;
      d.m = v.as_int();
      d.e = 0;
      normalize(d);
      return d;
    }
    case NumRep::Float:
      return from_double_exact(v.as_float_rep());
    case NumRep::Big: {
      const BigNumber& b = v.as_big();
      return Dec{b.mantissa, b.exp, b.digits};
    }
  }
  return Dec{};
}

int sign_of(const cpp_int& m) { return m < 0 ? -1 : (m > 0 ? 1 : 0); }

int compare_dec(const Dec& a, const Dec& b) {
  int sa = sign_of(a.m), sb = sign_of(b.m);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  // Same sign: compare magnitudes by order of magnitude first, which never needs to materialise 10^k.
  int64_t ma = a.digits + a.e, mb = b.digits + b.e;
  int mag;
  if (ma != mb) {
    mag = ma < mb ? -1 : 1;
  } else {
    // Same order of magnitude: the exponent gap is bounded by the digit counts, so aligning is cheap.
    cpp_int x = abs(a.m), y = abs(b.m);
    if (a.e > b.e) x *= pow10(a.e - b.e);
    else if (b.e > a.e) y *= pow10(b.e - a.e);
    mag = x < y ? -1 : (x > y ? 1 : 0);
  }
  return sa > 0 ? mag : -mag;
}

bool is_integer_value(const Value& v) {
  switch (v.num_rep()) {
    case NumRep::Int:
      return true;
    case NumRep::Float: {
      double d = v.as_float_rep();
      return std::isfinite(d) && std::trunc(d) == d;
    }
    case NumRep::Big:
      return v.as_big().exp >= 0 || v.as_big().mantissa == 0;
  }
  return false;
}

// Int vs double, exactly.
int compare_int_double(int64_t i, double d) {
  if (std::isnan(d)) return 1;  // not a Rego number; any fixed answer keeps the order total
  if (d >= kTwo63) return -1;
  if (d < -kTwo63) return 1;
  double t = std::trunc(d);
  int64_t ti = static_cast<int64_t>(t);  // exact: |t| < 2^63 or t == -2^63
  if (i != ti) return i < ti ? -1 : 1;
  double frac = d - t;  // exact
  return frac > 0 ? -1 : (frac < 0 ? 1 : 0);
}

int compare_double(double a, double b) { return a < b ? -1 : (a > b ? 1 : 0); }

int compare_big_double(const BigNumber& b, double d) {
  // Correct rounding is monotone, so whenever the nearest double differs the order is already known.
  int c = compare_double(b.approx, d);
  if (c != 0) return c;
  return compare_dec(Dec{b.mantissa, b.exp, b.digits}, from_double_exact(d));
}

size_t hash_int(int64_t i) {
  uint64_t x = static_cast<uint64_t>(i);
  // splitmix64 finaliser: std::hash<int64_t> is the identity, which clusters badly in open tables.
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return static_cast<size_t>(x);
}

size_t hash_double(double d) {
  if (std::trunc(d) == d && d >= -kTwo63 && d < kTwo63) return hash_int(static_cast<int64_t>(d));
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return hash_int(static_cast<int64_t>(bits ^ 0x7ff0000000000001ull));
}

Value from_dec_double(const Value& a, const Value& b, double (*op)(double, double)) {
  return from_double(op(to_double(a), to_double(b)));
}

bool is_zero(const Value& v) {
  switch (v.num_rep()) {
    case NumRep::Int: return v.as_int() == 0;
    case NumRep::Float: return v.as_float_rep() == 0;
    case NumRep::Big: return v.as_big().mantissa == 0;
  }
  return false;
}

// Exact integer arithmetic applies when both operands are Int or whole Big; a Float keeps the operation in
// double precision (it already is an approximation), as does any fractional operand.
bool exact_operands(const Value& a, const Value& b) {
  auto ok = [](const Value& v) {
    return v.num_rep() == NumRep::Int || (v.num_rep() == NumRep::Big && (v.as_big().exp >= 0));
  };
  return ok(a) && ok(b);
}

// Exact sum of two whole Decs, or nullopt when aligning their exponents would be unreasonably large.
std::optional<Dec> add_dec(const Dec& a, const Dec& b) {
  if (a.m == 0) return b;
  if (b.m == 0) return a;
  int64_t e0 = std::min(a.e, b.e);
  if (a.e - e0 > kMaxAlign || b.e - e0 > kMaxAlign) return std::nullopt;
  Dec r;
  r.m = a.m * pow10(a.e - e0) + b.m * pow10(b.e - e0);
  r.e = e0;
  return r;
}

}  // namespace

// ---- parsing and formatting ----

std::optional<Value> parse_exact(std::string_view text);

std::optional<Value> parse(std::string_view text) {
  std::optional<Value> v = parse_exact(text);
  if (v && text.find_first_of(".eE") != std::string_view::npos) v->set_float_syntax();
  return v;
}

std::optional<Value> parse_exact(std::string_view text) {
  // Fast path: a plain integer of at most 18 digits always fits int64.
  {
    size_t i = 0;
    bool neg = false;
    if (!text.empty() && text[0] == '-') {
      neg = true;
      i = 1;
    }
    size_t nd = text.size() - i;
    if (nd >= 1 && nd <= 18 && (text[i] != '0' || nd == 1)) {
      int64_t v = 0;
      bool plain = true;
      for (size_t j = i; j < text.size(); ++j) {
        char c = text[j];
        if (c < '0' || c > '9') {
          plain = false;
          break;
        }
        v = v * 10 + (c - '0');
      }
      if (plain) return Value::integer(neg ? -v : v);
    }
  }

  DecText t;
  if (!decompose(text, t)) return std::nullopt;
  if (t.digits.empty()) return Value::integer(0);
  int64_t nd = static_cast<int64_t>(t.digits.size());

  if (t.exp >= 0 && nd + t.exp <= 19) {
    // Whole number of at most 19 digits: fits int64 unless it is one of the few 19-digit values above 2^63-1.
    unsigned __int128 acc = 0;
    for (char c : t.digits) acc = acc * 10 + static_cast<unsigned>(c - '0');
    for (int64_t k = 0; k < t.exp; ++k) acc *= 10;
    unsigned __int128 lim = t.neg ? (unsigned __int128)1 << 63 : ((unsigned __int128)1 << 63) - 1;
    if (acc <= lim) {
      int64_t v = t.neg ? static_cast<int64_t>(-static_cast<__int128>(acc)) : static_cast<int64_t>(acc);
      return Value::integer(v);
    }
  }

  // Whole numbers beyond int64 stay exact integers (1e30 + 1 must be 1000000000000000000000000000001).
  if (t.exp >= 0) return int_or_big(from_text(t));

  // A double's shortest round trip has at most 17 significant digits: longer literals can't be Floats.
  if (nd <= 17 && t.exp + nd <= 310 && t.exp + nd >= -325) {
    double d = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), d);
    if (r.ec == std::errc() && r.ptr == text.data() + text.size() && std::isfinite(d) && d != 0) {
      // Distinct decimals of at most 15 significant digits (DBL_DIG) always land on distinct normal doubles,
      // so the shortest round trip is the literal itself: skip printing it back.
      if (nd <= 15 && std::fabs(d) >= std::numeric_limits<double>::min()) return Value::floating(d);
      DecText s = shortest(d);
      if (s.digits == t.digits && s.exp == t.exp && s.neg == t.neg) return Value::floating(d);
    }
  }
  return int_or_big(from_text(t));
}

namespace {

// Lays out significant digits with a decimal exponent: plain decimal or Go's "1e+21"/"1.5e-07" form.
void layout(bool neg, const std::string& digits, int64_t exp, bool exponent_form, std::string& out) {
  if (neg) out += '-';
  int64_t nd = static_cast<int64_t>(digits.size());
  if (exponent_form) {
    out += digits[0];
    if (nd > 1) {
      out += '.';
      out.append(digits, 1, std::string::npos);
    }
    int64_t e = exp + nd - 1;
    out += 'e';
    out += e < 0 ? '-' : '+';
    uint64_t ae = e < 0 ? static_cast<uint64_t>(-e) : static_cast<uint64_t>(e);
    if (ae < 10) out += '0';
    out += std::to_string(ae);
    return;
  }
  if (exp >= 0) {
    out += digits;
    out.append(static_cast<size_t>(exp), '0');
  } else if (-exp < nd) {
    size_t point = static_cast<size_t>(nd + exp);
    out.append(digits, 0, point);
    out += '.';
    out.append(digits, point, std::string::npos);
  } else {
    out += "0.";
    out.append(static_cast<size_t>(-exp - nd), '0');
    out += digits;
  }
}

void append_double(double d, std::string& out) {
  if (d == 0) {
    out += '0';
    return;
  }
  if (!std::isfinite(d)) {
    // Not a Rego number; built-ins are expected to reject these before they reach output.
    out += std::isnan(d) ? "NaN" : (d > 0 ? "+Inf" : "-Inf");
    return;
  }
  DecText t = shortest(d);
  double a = std::fabs(d);
  // Go's encoding/json: plain decimal for 1e-6 <= |x| < 1e21, exponent form outside.
  layout(t.neg, t.digits, t.exp, a < 1e-6 || a >= 1e21, out);
}

}  // namespace

void append_format(const Value& n, std::string& out) {
  switch (n.num_rep()) {
    case NumRep::Int: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, n.as_int());
      out.append(buf, r.ptr);
      return;
    }
    case NumRep::Float:
      append_double(n.as_float_rep(), out);
      return;
    case NumRep::Big: {
      const BigNumber& b = n.as_big();
      if (b.mantissa == 0) {
        out += '0';
        return;
      }
      std::string s = cpp_int(abs(b.mantissa)).str();
      int64_t mag = b.digits + b.exp;
      // Whole numbers in full and decimals in plain notation, unless that would mean thousands of padding
      // zeros (1e400 is fine, 1e999999999 is not).
      bool exponent_form = (b.exp > 0 && b.exp > 1000) || (b.exp < 0 && mag < -1000);
      layout(b.mantissa < 0, s, b.exp, exponent_form, out);
      return;
    }
  }
}

std::string format(const Value& n) {
  std::string out;
  append_format(n, out);
  return out;
}

// ---- comparison and hashing ----

int compare(const Value& a, const Value& b) {
  NumRep ra = a.num_rep(), rb = b.num_rep();
  if (ra == NumRep::Int && rb == NumRep::Int) {
    return a.as_int() < b.as_int() ? -1 : (a.as_int() > b.as_int() ? 1 : 0);
  }
  if (ra == NumRep::Float && rb == NumRep::Float) return compare_double(a.as_float_rep(), b.as_float_rep());
  if (ra == NumRep::Int && rb == NumRep::Float) return compare_int_double(a.as_int(), b.as_float_rep());
  if (ra == NumRep::Float && rb == NumRep::Int) return -compare_int_double(b.as_int(), a.as_float_rep());
  if (ra == NumRep::Big && rb == NumRep::Float) return compare_big_double(a.as_big(), b.as_float_rep());
  if (ra == NumRep::Float && rb == NumRep::Big) return -compare_big_double(b.as_big(), a.as_float_rep());
  return compare_dec(to_dec(a), to_dec(b));
}

size_t hash(const Value& n) {
  // Equal numbers must hash equally across representations: whole numbers within int64 hash as that int64,
  // everything else as its nearest double (equal values have the same nearest double).
  switch (n.num_rep()) {
    case NumRep::Int:
      return hash_int(n.as_int());
    case NumRep::Float:
      return hash_double(n.as_float_rep());
    case NumRep::Big: {
      if (auto i = to_int64(n)) return hash_int(*i);
      const BigNumber& b = n.as_big();
      // A whole double within int64 hashes as an int64; a Big equal to it has that double as its approx.
      return hash_double(b.approx);
    }
  }
  return 0;
}

// ---- conversions ----

bool is_integer(const Value& n) { return is_integer_value(n); }

std::optional<int64_t> to_int64(const Value& n) {
  switch (n.num_rep()) {
    case NumRep::Int:
      return n.as_int();
    case NumRep::Float: {
      double d = n.as_float_rep();
      if (std::trunc(d) == d && d >= -kTwo63 && d < kTwo63) return static_cast<int64_t>(d);
      return std::nullopt;
    }
    case NumRep::Big: {
      const BigNumber& b = n.as_big();
      if (b.exp < 0 || b.digits + b.exp > 19) return std::nullopt;
      cpp_int full = b.mantissa * pow10(b.exp);
      if (full < std::numeric_limits<int64_t>::min() || full > std::numeric_limits<int64_t>::max()) {
        return std::nullopt;
      }
      return static_cast<int64_t>(full);
    }
  }
  return std::nullopt;
}

double to_double(const Value& n) {
  switch (n.num_rep()) {
    case NumRep::Int: return static_cast<double>(n.as_int());
    case NumRep::Float: return n.as_float_rep();
    case NumRep::Big: return n.as_big().approx;
  }
  return 0;
}

Value from_double(double d) {
  if (std::trunc(d) == d && d >= -kTwo63 && d < kTwo63) return Value::integer(static_cast<int64_t>(d));
  return Value::floating(d);
}

std::string integer_text(const Value& n) {
  if (n.is_int()) return std::to_string(n.as_int());
  if (n.num_rep() == NumRep::Float) {
    // A whole double beyond int64 (1e25) reads as the literal it prints as, not its binary expansion
    // (10000000000000000905969664): that is the number the policy author wrote.
    double d = std::trunc(n.as_float_rep());
    if (auto i = to_int64(Value::floating(d))) return std::to_string(*i);
    if (!std::isfinite(d)) return "0";
    DecText t = shortest(d);
    std::string out;
    layout(t.neg, t.digits, t.exp, false, out);
    return out;
  }
  // Whole part of a Big, truncated toward zero.
  Dec d = to_dec(n);
  if (d.e < 0) {
    if (d.digits + d.e <= 0) return "0";
    d.m /= pow10(-d.e);  // cpp_int division truncates toward zero
    d.e = 0;
  }
  cpp_int full = d.m * pow10(d.e);
  return full.str();
}

// ---- arithmetic ----

namespace {
double op_add(double x, double y) { return x + y; }

// Value::floating(3.0) denotes a whole number as much as Value::integer(3) does; such operands are rewritten
// as Ints so that integer arithmetic stays exact (parse and from_double never produce them, callers might).
bool whole_float(const Value& v) {
  if (v.num_rep() != NumRep::Float) return false;
  double d = v.as_float_rep();
  return std::trunc(d) == d && d >= -kTwo63 && d < kTwo63;
}
Value as_int(const Value& v) { return whole_float(v) ? Value::integer(static_cast<int64_t>(v.as_float_rep())) : v; }

double op_sub(double x, double y) { return x - y; }
double op_mul(double x, double y) { return x * y; }
double op_div(double x, double y) { return x / y; }
}  // namespace

Value add(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) {
    int64_t r;
    if (!__builtin_add_overflow(a.as_int(), b.as_int(), &r)) return Value::integer(r);
  }
  if (whole_float(a) || whole_float(b)) return add(as_int(a), as_int(b));
  if (exact_operands(a, b)) {
    if (auto r = add_dec(to_dec(a), to_dec(b))) return int_or_big(std::move(*r));
  }
  return from_dec_double(a, b, op_add);
}

Value subtract(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) {
    int64_t r;
    if (!__builtin_sub_overflow(a.as_int(), b.as_int(), &r)) return Value::integer(r);
  }
  if (whole_float(a) || whole_float(b)) return subtract(as_int(a), as_int(b));
  if (exact_operands(a, b)) {
    Dec nb = to_dec(b);
    nb.m = -nb.m;
    if (auto r = add_dec(to_dec(a), nb)) return int_or_big(std::move(*r));
  }
  return from_dec_double(a, b, op_sub);
}

Value multiply(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) {
    int64_t r;
    if (!__builtin_mul_overflow(a.as_int(), b.as_int(), &r)) return Value::integer(r);
  }
  if (whole_float(a) || whole_float(b)) return multiply(as_int(a), as_int(b));
  if (exact_operands(a, b)) {
    Dec x = to_dec(a), y = to_dec(b);
    Dec r;
    r.m = x.m * y.m;
    r.e = r.m == 0 ? 0 : x.e + y.e;
    return int_or_big(std::move(r));
  }
  return from_dec_double(a, b, op_mul);
}

std::optional<Value> divide(const Value& a, const Value& b) {
  if (is_zero(b)) return std::nullopt;
  if (a.is_int() && b.is_int()) {
    int64_t x = a.as_int(), y = b.as_int();
    if (y == -1 && x == std::numeric_limits<int64_t>::min()) return negate(a);
    if (x % y == 0) return Value::integer(x / y);
    return from_double(static_cast<double>(x) / static_cast<double>(y));
  }
  if (whole_float(a) || whole_float(b)) return divide(as_int(a), as_int(b));
  if (exact_operands(a, b)) {
    // Whole numbers that divide evenly stay exact; otherwise the quotient is a double, as OPA's is.
    Dec x = to_dec(a), y = to_dec(b);
    int64_t e0 = std::min(x.e, y.e);
    if (x.e - e0 <= kMaxAlign && y.e - e0 <= kMaxAlign) {
      // (ma*10^(ea-e0)) / (mb*10^(eb-e0)): the common power of ten cancels.
      cpp_int num = x.m * pow10(x.e - e0), den = y.m * pow10(y.e - e0);
      if (num % den == 0) {
        Dec q;
        q.m = num / den;
        return int_or_big(std::move(q));
      }
    }
  }
  return from_dec_double(a, b, op_div);
}

std::optional<Value> remainder(const Value& a, const Value& b) {
  if (is_zero(b)) return std::nullopt;
  if (a.is_int() && b.is_int()) {
    if (b.as_int() == -1) return Value::integer(0);  // INT64_MIN % -1 is undefined in C++
    return Value::integer(a.as_int() % b.as_int());
  }
  if (whole_float(a) || whole_float(b)) return remainder(as_int(a), as_int(b));
  if (!is_integer_value(a) || !is_integer_value(b)) {
    return from_double(std::fmod(to_double(a), to_double(b)));
  }
  // Go's big.Int.Rem: |a| mod |b| carrying the sign of a. With a = ma*10^ea and b = mb*10^eb, factor out
  // 10^e0 (e0 = min exponent); the remaining power of ten is applied with modular exponentiation, so even
  // 1e999999999 % 7 costs nothing.
  Dec x = to_dec(a), y = to_dec(b);
  bool neg = x.m < 0;
  cpp_int ma = abs(x.m), mb = abs(y.m);
  int64_t e0 = std::min(x.e, y.e);
  if (y.e - e0 > kMaxAlign) {
    // |b| has a huge power of ten. If |a| < |b| the remainder is a itself.
    Dec ax{ma, x.e, x.digits}, by{mb, y.e, y.digits};
    if (compare_dec(ax, by) < 0) return a;
    return from_double(std::fmod(to_double(a), to_double(b)));
  }
  cpp_int B = mb * pow10(y.e - e0);
  cpp_int A = ma % B;
  if (x.e - e0 > 0) {
    cpp_int p = boost::multiprecision::powm(cpp_int(10), cpp_int(x.e - e0), B);
    A = (A * p) % B;
  }
  Dec r;
  r.m = neg ? cpp_int(-A) : A;
  r.e = r.m == 0 ? 0 : e0;
  return int_or_big(std::move(r));
}

Value negate(const Value& a) {
  switch (a.num_rep()) {
    case NumRep::Int:
      if (a.as_int() != std::numeric_limits<int64_t>::min()) return Value::integer(-a.as_int());
      break;
    case NumRep::Float:
      return from_double(-a.as_float_rep());
    case NumRep::Big:
      break;
  }
  Dec d = to_dec(a);
  d.m = -d.m;
  return int_or_big(std::move(d));
}

Value abs(const Value& a) { return compare(a, Value::integer(0)) < 0 ? negate(a) : a; }

namespace {

// floor/ceil/round of a fractional Big, exactly. mode: -1 floor, +1 ceil, 0 round half away from zero.
Value round_big(const Value& a, int mode) {
  Dec d = to_dec(a);
  if (d.e >= 0) return a;
  bool neg = d.m < 0;
  cpp_int mag = abs(d.m);
  cpp_int q, r;
  if (d.digits + d.e < 0) {
    // |a| < 0.1: the whole part is 0 and nothing rounds up to 1 by the half rule.
    q = 0;
    r = 1;  // any nonzero marker; the half test below is handled by the magnitude bound
    if (mode == 0) return Value::integer(0);
  } else {
    cpp_int scale = pow10(-d.e);
    q = mag / scale;
    r = mag % scale;
    if (mode == 0) {
      if (r * 2 >= scale) q += 1;
      r = 0;
    }
  }
  // Truncated toward zero so far; floor of a negative and ceil of a positive move one further out.
  if (r != 0 && ((mode < 0 && neg) || (mode > 0 && !neg))) q += 1;
  Dec out;
  out.m = neg ? cpp_int(-q) : q;
  return int_or_big(std::move(out));
}

}  // namespace

Value floor(const Value& a) {
  switch (a.num_rep()) {
    case NumRep::Int: return a;
    case NumRep::Float: return from_double(std::floor(a.as_float_rep()));
    case NumRep::Big: return round_big(a, -1);
  }
  return a;
}

Value ceil(const Value& a) {
  switch (a.num_rep()) {
    case NumRep::Int: return a;
    case NumRep::Float: return from_double(std::ceil(a.as_float_rep()));
    case NumRep::Big: return round_big(a, 1);
  }
  return a;
}

Value round(const Value& a) {
  switch (a.num_rep()) {
    case NumRep::Int: return a;
    case NumRep::Float: return from_double(std::round(a.as_float_rep()));
    case NumRep::Big: return round_big(a, 0);
  }
  return a;
}

}  // namespace number
}  // namespace rego
