// JSON Schema "format" checkers with gojsonschema's semantics (OPA validates with its fork of gojsonschema):
// date-time, date, time, email, hostname, ipv4/ipv6, uri and friends, regex, json-pointer. Unknown formats pass.
#include <arpa/inet.h>
#include <re2/re2.h>

#include <cctype>
#include <cstring>
#include <string>
#include <string_view>

#include "rego/builtins/gourl.h"
#include "rego/builtins/jsonschema.h"

namespace rego::jsonschema {
namespace {

// ---------------------------------------------------------------- format checkers (gojsonschema's)

bool two_digits(std::string_view s, size_t i, int lo, int hi, int* out = nullptr) {
  if (i + 2 > s.size() || !std::isdigit(static_cast<unsigned char>(s[i])) ||
      !std::isdigit(static_cast<unsigned char>(s[i + 1])))
    return false;
  int v = (s[i] - '0') * 10 + (s[i + 1] - '0');
  if (out) *out = v;
  return v >= lo && v <= hi;
}

// Go's time.Parse("2006-01-02") on s[i..]; advances i.
bool parse_date(std::string_view s, size_t& i) {
  if (i + 10 > s.size()) return false;
  for (size_t k = 0; k < 4; ++k)
    if (!std::isdigit(static_cast<unsigned char>(s[i + k]))) return false;
  int year = std::stoi(std::string(s.substr(i, 4)));
  int month = 0, day = 0;
  if (s[i + 4] != '-' || !two_digits(s, i + 5, 1, 12, &month) || s[i + 7] != '-' || !two_digits(s, i + 8, 1, 31, &day))
    return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day > max) return false;
  i += 10;
  return true;
}

// "15:04:05" with an optional fraction (Go accepts one after the seconds even when the layout has none).
bool parse_time(std::string_view s, size_t& i) {
  if (!two_digits(s, i, 0, 23) || i + 8 > s.size() || s[i + 2] != ':' || !two_digits(s, i + 3, 0, 59) ||
      s[i + 5] != ':' || !two_digits(s, i + 6, 0, 59))
    return false;
  i += 8;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    size_t j = i + 1;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
    if (j == i + 1) return false;
    i = j;
  }
  return true;
}

// "Z07:00": Z or +hh:mm / -hh:mm.
bool parse_zone(std::string_view s, size_t& i) {
  if (i < s.size() && s[i] == 'Z') {
    ++i;
    return true;
  }
  if (i + 6 > s.size() || (s[i] != '+' && s[i] != '-') || !two_digits(s, i + 1, 0, 23) || s[i + 3] != ':' ||
      !two_digits(s, i + 4, 0, 59))
    return false;
  i += 6;
  return true;
}

bool is_date(std::string_view s) {
  size_t i = 0;
  return parse_date(s, i) && i == s.size();
}

bool is_time(std::string_view s) {
  size_t i = 0;
  if (!parse_time(s, i)) return false;
  if (i == s.size()) return true;
  return parse_zone(s, i) && i == s.size();
}

bool is_date_time(std::string_view s) {
  if (is_time(s) || is_date(s)) return true;
  size_t i = 0;
  if (!parse_date(s, i) || i >= s.size() || s[i] != 'T') return false;
  ++i;
  return parse_time(s, i) && parse_zone(s, i) && i == s.size();
}

bool is_ip(const std::string& s, bool v6) {
  unsigned char buf[16];
  if (v6) return s.find(':') != std::string::npos && inet_pton(AF_INET6, s.c_str(), buf) == 1;
  if (s.find('.') == std::string::npos) return false;
  // net.ParseIP: dotted IPv4, or IPv6 (which may embed a dotted IPv4 part).
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool is_atext(unsigned char c) {
  return std::isalnum(c) || c >= 0x80 || std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr;
}

bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '.') {
      if (s[i + 1] == '.') return false;
    } else if (!is_atext(c)) {
      return false;
    }
  }
  return true;
}

// net/mail.ParseAddress, for the forms that occur in practice: addr-spec, or "display name <addr-spec>".
bool is_addr_spec(std::string_view s) {
  size_t at = s.rfind('@');
  if (at == std::string_view::npos) return false;
  std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
  bool local_ok = false;
  if (local.size() >= 2 && local.front() == '"' && local.back() == '"') {
    local_ok = true;
    for (size_t i = 1; i + 1 < local.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(local[i]);
      if (c == '\\') {
        ++i;
      } else if (c == '"' || c < 0x20) {
        local_ok = false;
      }
    }
  } else {
    local_ok = is_dot_atom(local);
  }
  if (!local_ok) return false;
  if (domain.size() >= 2 && domain.front() == '[' && domain.back() == ']') return true;
  return is_dot_atom(domain);
}

bool is_email(std::string_view s) {
  auto trim = [](std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
  };
  s = trim(s);
  if (!s.empty() && s.back() == '>') {
    size_t lt = s.rfind('<');
    if (lt == std::string_view::npos) return false;
    std::string_view name = trim(s.substr(0, lt));
    for (unsigned char c : name)
      if (c < 0x20 && c != '\t') return false;
    return is_addr_spec(s.substr(lt + 1, s.size() - lt - 2));
  }
  return is_addr_spec(s);
}

}  // namespace

bool check_format(const std::string& format, const std::string& s) {
  static const RE2 hostname(
      R"(^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])(\.([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]{0,61}[a-zA-Z0-9]))*$)");
  static const RE2 uuid("^(?i)[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$");
  static const RE2 json_pointer("^(?:/(?:[^~/]|~0|~1)*)*$");
  static const RE2 rel_json_pointer("^(?:0|[1-9][0-9]*)(?:#|(?:/(?:[^~/]|~0|~1)*)*)$");
  if (format == "date") return is_date(s);
  if (format == "time") return is_time(s);
  if (format == "date-time") return is_date_time(s);
  if (format == "hostname") return s.size() < 256 && RE2::PartialMatch(s, hostname);
  if (format == "email" || format == "idn-email") return is_email(s);
  if (format == "ipv4") return is_ip(s, false);
  if (format == "ipv6") return is_ip(s, true);
  if (format == "uri" || format == "iri") {
    auto u = gourl::parse(s);
    return u && !u->scheme.empty() && s.find('\\') == std::string::npos;
  }
  if (format == "uri-reference" || format == "iri-reference")
    return gourl::parse(s).has_value() && s.find('\\') == std::string::npos;
  if (format == "uri-template") {
    auto u = gourl::parse(s);
    if (!u || s.find('\\') != std::string::npos) return false;
    bool open = false;  // ^([^{]*({[^}]*})?)*$ : braces pair up and never nest
    for (char c : u->path) {
      if (c == '{') {
        if (open) return false;
        open = true;
      } else if (c == '}') {
        if (!open) continue;
        open = false;
      }
    }
    return !open;
  }
  if (format == "uuid") return RE2::PartialMatch(s, uuid);
  if (format == "regex") {
    if (s.empty()) return true;
    RE2::Options opts;
    opts.set_log_errors(false);
    return RE2(s, opts).ok();
  }
  if (format == "json-pointer") return RE2::PartialMatch(s, json_pointer);
  if (format == "relative-json-pointer") return RE2::PartialMatch(s, rel_json_pointer);
  return true;  // unknown formats pass
}

}  // namespace rego::jsonschema
