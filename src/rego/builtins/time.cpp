// time.* built-ins, after Go's time package (which OPA uses): Go layouts ("2006-01-02T15:04:05Z07:00") for
// parsing and formatting, Go's duration syntax; IANA zones come from time_zone.h.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>

#include "rego/builtins/registry.h"
#include "rego/builtins/time_zone.h"
#include "rego/number.h"

namespace rego {
namespace {

using namespace tz;  // NOLINT: calendar and zone helpers

[[noreturn]] void fail(std::string msg) { throw BuiltinError{std::move(msg), false}; }

// ---------------------------------------------------------------- instants

// An instant with the zone it is viewed in. A fixed offset (from a parsed "-07:00") has no zone pointer.
struct Time {
  int64_t sec = 0;  // Unix seconds
  int32_t nsec = 0;
  ZonePtr zone;     // null: fixed offset below
  int fixed_offset = 0;
  std::string fixed_abbr;

  ZoneType type() const { return zone ? type_at(*zone, sec) : ZoneType{fixed_offset, false, fixed_abbr}; }
};

struct Civil {
  int64_t year;
  int month, day, hour, minute, second, yday, weekday;  // weekday: 0 = Sunday
  int32_t nsec;
  int offset;
  std::string abbr;
};

Civil civil(const Time& t) {
  ZoneType zt = t.type();
  int64_t local = t.sec + zt.offset;
  int64_t days = floor_div(local, 86400);
  int64_t secs = local - days * 86400;
  Civil c;
  civil_from_days(days, c.year, c.month, c.day);
  c.hour = int(secs / 3600);
  c.minute = int(secs / 60 % 60);
  c.second = int(secs % 60);
  c.yday = int(days - days_from_civil(c.year, 1, 1)) + 1;
  c.weekday = int((days % 7 + 11) % 7);
  c.nsec = t.nsec;
  c.offset = zt.offset;
  c.abbr = zt.abbr;
  return c;
}

// Go's Date(): normalises out-of-range fields, then resolves the local time in the zone.
Time make_time(int64_t year, int64_t month, int64_t day, int64_t hour, int64_t min, int64_t sec, int64_t nsec,
               const Time& like) {
  int64_t m0 = month - 1;
  year += floor_div(m0, 12);
  m0 -= floor_div(m0, 12) * 12;
  sec += floor_div(nsec, 1000000000);
  nsec -= floor_div(nsec, 1000000000) * 1000000000;
  int64_t local = (days_from_civil(year, m0 + 1, 1) + day - 1) * 86400 + hour * 3600 + min * 60 + sec;
  Time t = like;
  t.nsec = int32_t(nsec);
  if (!like.zone) {
    t.sec = local - like.fixed_offset;
    return t;
  }
  int off = type_at(*like.zone, local).offset;
  int64_t utc = local - off;
  int off2 = type_at(*like.zone, utc).offset;
  t.sec = local - off2;
  return t;
}

std::optional<Value> unix_nanos(const Time& t) {
  __int128 ns = __int128(t.sec) * 1000000000 + t.nsec;
  if (ns < INT64_MIN || ns > INT64_MAX) fail("time outside of valid range");
  return Value::integer(int64_t(ns));
}

// The time operand: ns, or [ns, tz] / [ns, tz, layout].
Time time_operand(const Value& v, std::string* layout = nullptr) {
  static const char* kWant = "either number (ns) or [number (ns), string (tz)]";
  const Value* n = &v;
  ZonePtr zone = utc_zone();
  if (v.is_array()) {
    const auto& arr = v.as_array();
    if (arr.empty()) throw BuiltinError{std::string("operand 1 must be ") + kWant + " but got array", true};
    n = &arr[0];
    if (!n->is_number()) throw BuiltinError{std::string("operand 1 must be number but got ") + n->type_name(), true};
    if (arr.size() > 1) {
      if (!arr[1].is_string()) throw BuiltinError{std::string("operand 1 must be string but got ") + arr[1].type_name(), true};
      zone = load_zone(arr[1].as_string());
    }
    if (arr.size() > 2) {
      if (!arr[2].is_string()) throw BuiltinError{std::string("operand 1 must be string but got ") + arr[2].type_name(), true};
      if (layout) *layout = arr[2].as_string();
    }
  } else if (!v.is_number()) {
    throw BuiltinError{std::string("operand 1 must be ") + kWant + " but got " + v.type_name(), true};
  }
  auto ns = number::is_integer(*n) ? number::to_int64(*n) : std::nullopt;
  if (!ns) fail("timestamp too big");
  Time t;
  t.sec = floor_div(*ns, 1000000000);
  t.nsec = int32_t(*ns - t.sec * 1000000000);
  t.zone = zone;
  return t;
}

// ---------------------------------------------------------------- Go layouts

enum Std {
  kNone, kLongMonth, kMonth, kNumMonth, kZeroMonth, kLongWeekDay, kWeekDay, kDay, kUnderDay, kZeroDay,
  kUnderYearDay, kZeroYearDay, kHour, kHour12, kZeroHour12, kMinute, kZeroMinute, kSecond, kZeroSecond,
  kLongYear, kYear, kPM, kpm, kTZ, kISO8601TZ, kISO8601SecondsTZ, kISO8601ShortTZ, kISO8601ColonTZ,
  kISO8601ColonSecondsTZ, kNumTZ, kNumSecondsTz, kNumShortTZ, kNumColonTZ, kNumColonSecondsTZ, kFracSecond0,
  kFracSecond9
};

struct Chunk {
  std::string_view prefix;
  Std std = kNone;
  int digits = 0;  // fractional seconds
  std::string_view suffix;
};

bool lower_start(std::string_view s) { return !s.empty() && s[0] >= 'a' && s[0] <= 'z'; }

// Go's nextStdChunk.
Chunk next_chunk(std::string_view l) {
  auto at = [&](size_t i, std::string_view w) { return l.substr(i, w.size()) == w; };
  for (size_t i = 0; i < l.size(); ++i) {
    auto hit = [&](Std s, size_t len, int digits = 0) { return Chunk{l.substr(0, i), s, digits, l.substr(i + len)}; };
    switch (l[i]) {
      case 'J':
        if (at(i, "Jan")) {
          if (at(i, "January")) return hit(kLongMonth, 7);
          if (!lower_start(l.substr(i + 3))) return hit(kMonth, 3);
        }
        break;
      case 'M':
        if (at(i, "Mon")) {
          if (at(i, "Monday")) return hit(kLongWeekDay, 6);
          if (!lower_start(l.substr(i + 3))) return hit(kWeekDay, 3);
        }
        if (at(i, "MST")) return hit(kTZ, 3);
        break;
      case '0':
        if (i + 1 < l.size() && l[i + 1] >= '1' && l[i + 1] <= '6') {
          static const Std kZero[] = {kZeroMonth, kZeroDay, kZeroHour12, kZeroMinute, kZeroSecond, kYear};
          return hit(kZero[l[i + 1] - '1'], 2);
        }
        if (at(i, "002")) return hit(kZeroYearDay, 3);
        break;
      case '1':
        if (at(i, "15")) return hit(kHour, 2);
        return hit(kNumMonth, 1);
      case '2':
        if (at(i, "2006")) return hit(kLongYear, 4);
        return hit(kDay, 1);
      case '_':
        if (at(i, "_2")) {
          if (at(i + 1, "2006")) return Chunk{l.substr(0, i + 1), kLongYear, 0, l.substr(i + 5)};
          return hit(kUnderDay, 2);
        }
        if (at(i, "__2")) return hit(kUnderYearDay, 3);
        break;
      case '3':
        return hit(kHour12, 1);
      case '4':
        return hit(kMinute, 1);
      case '5':
        return hit(kSecond, 1);
      case 'P':
        if (at(i, "PM")) return hit(kPM, 2);
        break;
      case 'p':
        if (at(i, "pm")) return hit(kpm, 2);
        break;
      case '-':
        if (at(i, "-070000")) return hit(kNumSecondsTz, 7);
        if (at(i, "-07:00:00")) return hit(kNumColonSecondsTZ, 9);
        if (at(i, "-0700")) return hit(kNumTZ, 5);
        if (at(i, "-07:00")) return hit(kNumColonTZ, 6);
        if (at(i, "-07")) return hit(kNumShortTZ, 3);
        break;
      case 'Z':
        if (at(i, "Z070000")) return hit(kISO8601SecondsTZ, 7);
        if (at(i, "Z07:00:00")) return hit(kISO8601ColonSecondsTZ, 9);
        if (at(i, "Z0700")) return hit(kISO8601TZ, 5);
        if (at(i, "Z07:00")) return hit(kISO8601ColonTZ, 6);
        if (at(i, "Z07")) return hit(kISO8601ShortTZ, 3);
        break;
      case '.':
      case ',':
        if (i + 1 < l.size() && (l[i + 1] == '0' || l[i + 1] == '9')) {
          char ch = l[i + 1];
          size_t j = i + 1;
          while (j < l.size() && l[j] == ch) ++j;
          if (j >= l.size() || !std::isdigit(static_cast<unsigned char>(l[j]))) {
            return hit(ch == '0' ? kFracSecond0 : kFracSecond9, j - i, int(j - i - 1));
          }
        }
        break;
      default:
        break;
    }
  }
  return Chunk{l, kNone, 0, {}};
}

const char* const kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                               "July",    "August",   "September", "October", "November", "December"};
const char* const kDays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

void pad(std::string& b, int64_t v, int width) {
  if (v < 0) {
    b += '-';
    v = -v;
  }
  std::string s = std::to_string(v);
  if (int(s.size()) < width) b.append(size_t(width) - s.size(), '0');
  b += s;
}

void format_tz(std::string& b, Std std, int offset) {
  bool iso = std == kISO8601TZ || std == kISO8601SecondsTZ || std == kISO8601ShortTZ || std == kISO8601ColonTZ ||
             std == kISO8601ColonSecondsTZ;
  if (iso && offset == 0) {
    b += 'Z';
    return;
  }
  int zone = offset / 60, abs = offset < 0 ? -offset : offset;
  b += zone < 0 ? '-' : '+';
  if (zone < 0) zone = -zone;
  pad(b, zone / 60, 2);
  if (std == kISO8601ColonTZ || std == kNumColonTZ || std == kISO8601ColonSecondsTZ || std == kNumColonSecondsTZ) b += ':';
  if (std != kNumShortTZ && std != kISO8601ShortTZ) pad(b, zone % 60, 2);
  if (std == kISO8601SecondsTZ || std == kNumSecondsTz || std == kNumColonSecondsTZ || std == kISO8601ColonSecondsTZ) {
    if (std == kNumColonSecondsTZ || std == kISO8601ColonSecondsTZ) b += ':';
    pad(b, abs % 60, 2);
  }
}

std::string go_format(const Time& t, std::string_view layout) {
  Civil c = civil(t);
  std::string b;
  while (!layout.empty()) {
    Chunk ch = next_chunk(layout);
    b += ch.prefix;
    if (ch.std == kNone) break;
    layout = ch.suffix;
    int hr12 = c.hour % 12 == 0 ? 12 : c.hour % 12;
    switch (ch.std) {
      case kYear: pad(b, (c.year % 100 + 100) % 100, 2); break;
      case kLongYear: pad(b, c.year, 4); break;
      case kMonth: b += std::string(kMonths[c.month - 1]).substr(0, 3); break;
      case kLongMonth: b += kMonths[c.month - 1]; break;
      case kNumMonth: b += std::to_string(c.month); break;
      case kZeroMonth: pad(b, c.month, 2); break;
      case kWeekDay: b += std::string(kDays[c.weekday]).substr(0, 3); break;
      case kLongWeekDay: b += kDays[c.weekday]; break;
      case kDay: b += std::to_string(c.day); break;
      case kUnderDay: if (c.day < 10) b += ' '; b += std::to_string(c.day); break;
      case kZeroDay: pad(b, c.day, 2); break;
      case kUnderYearDay: if (c.yday < 100) b += c.yday < 10 ? "  " : " "; b += std::to_string(c.yday); break;
      case kZeroYearDay: pad(b, c.yday, 3); break;
      case kHour: pad(b, c.hour, 2); break;
      case kHour12: b += std::to_string(hr12); break;
      case kZeroHour12: pad(b, hr12, 2); break;
      case kMinute: b += std::to_string(c.minute); break;
      case kZeroMinute: pad(b, c.minute, 2); break;
      case kSecond: b += std::to_string(c.second); break;
      case kZeroSecond: pad(b, c.second, 2); break;
      case kPM: b += c.hour >= 12 ? "PM" : "AM"; break;
      case kpm: b += c.hour >= 12 ? "pm" : "am"; break;
      case kTZ:
        if (!c.abbr.empty()) {
          b += c.abbr;
        } else {
          format_tz(b, kNumTZ, c.offset);
        }
        break;
      case kFracSecond0:
      case kFracSecond9: {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%09d", c.nsec);
        std::string digits(buf, size_t(ch.digits));
        if (ch.std == kFracSecond9) {
          std::string all(buf);
          while (!all.empty() && all.back() == '0') all.pop_back();
          digits = all.substr(0, std::min(all.size(), size_t(ch.digits)));
          if (digits.empty()) break;
        }
        b += layout.data()[-ch.digits - 1] == ',' ? ',' : '.';
        b += digits;
        break;
      }
      default:
        format_tz(b, ch.std, c.offset);
    }
  }
  return b;
}

std::string go_quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

struct ParseError {
  std::string msg;
};

// Go's time.Parse (default location UTC). Returns the instant.
Time go_parse(std::string_view layout, std::string_view value) {
  const std::string orig_layout(layout), orig_value(value);
  auto bad = [&](std::string_view elem, std::string_view rest) -> ParseError {
    return {"parsing time " + go_quote(orig_value) + " as " + go_quote(orig_layout) + ": cannot parse " + go_quote(rest) +
            " as " + go_quote(elem)};
  };
  int64_t year = 0;
  int month = -1, day = -1, yday = -1, hour = 0, minute = 0, second = 0;
  int64_t nsec = 0;
  bool pm = false, am = false;
  int zone_offset = -1;
  bool have_offset = false;
  std::string zone_name;
  auto getnum = [](std::string_view& v, bool fixed, int& out) {
    if (v.empty() || !std::isdigit(static_cast<unsigned char>(v[0]))) return false;
    if (v.size() < 2 || !std::isdigit(static_cast<unsigned char>(v[1]))) {
      if (fixed) return false;
      out = v[0] - '0';
      v.remove_prefix(1);
      return true;
    }
    out = (v[0] - '0') * 10 + (v[1] - '0');
    v.remove_prefix(2);
    return true;
  };
  auto lookup = [](std::string_view& v, int count, bool short_names, const char* const* names, int& out) {
    for (int i = 0; i < count; ++i) {
      std::string n = short_names ? std::string(names[i]).substr(0, 3) : names[i];
      if (v.size() >= n.size()) {
        bool eq = true;
        for (size_t k = 0; k < n.size(); ++k) eq = eq && std::tolower(static_cast<unsigned char>(v[k])) == std::tolower(static_cast<unsigned char>(n[k]));
        if (eq) {
          v.remove_prefix(n.size());
          out = i;
          return true;
        }
      }
    }
    return false;
  };
  while (true) {
    Chunk ch = next_chunk(layout);
    // Literal text: runs of spaces match runs of spaces.
    std::string_view prefix = ch.prefix;
    while (!prefix.empty()) {
      if (prefix[0] == ' ') {
        if (!value.empty() && value[0] != ' ') throw bad(ch.prefix, value);
        while (!prefix.empty() && prefix[0] == ' ') prefix.remove_prefix(1);
        while (!value.empty() && value[0] == ' ') value.remove_prefix(1);
        continue;
      }
      if (value.empty() || value[0] != prefix[0]) throw bad(ch.prefix, value);
      prefix.remove_prefix(1);
      value.remove_prefix(1);
    }
    if (ch.std == kNone) {
      if (!value.empty()) throw ParseError{"parsing time " + go_quote(orig_value) + ": extra text: " + go_quote(value)};
      break;
    }
    std::string_view elem = layout.substr(ch.prefix.size(), layout.size() - ch.prefix.size() - ch.suffix.size());
    layout = ch.suffix;
    std::string_view hold = value;
    bool ok = true;
    int v = 0;
    switch (ch.std) {
      case kYear:
        ok = value.size() >= 2 && getnum(value, true, v);
        year = v >= 69 ? 1900 + v : 2000 + v;
        break;
      case kLongYear:
        ok = value.size() >= 4 && std::all_of(value.begin(), value.begin() + 4, [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
        if (ok) {
          year = std::stoi(std::string(value.substr(0, 4)));
          value.remove_prefix(4);
        }
        break;
      case kMonth:
      case kLongMonth:
        ok = lookup(value, 12, ch.std == kMonth, kMonths, month);
        ++month;
        break;
      case kNumMonth:
      case kZeroMonth:
        ok = getnum(value, ch.std == kZeroMonth, month) && month >= 1 && month <= 12;
        break;
      case kWeekDay:
      case kLongWeekDay:
        ok = lookup(value, 7, ch.std == kWeekDay, kDays, v);
        break;
      case kDay:
      case kUnderDay:
      case kZeroDay:
        if (ch.std == kUnderDay && !value.empty() && value[0] == ' ') value.remove_prefix(1);
        ok = getnum(value, ch.std == kZeroDay, day);
        break;
      case kUnderYearDay:
      case kZeroYearDay: {
        for (int k = 0; k < 2 && ch.std == kUnderYearDay && !value.empty() && value[0] == ' '; ++k) value.remove_prefix(1);
        size_t k = 0;
        yday = 0;
        while (k < 3 && k < value.size() && std::isdigit(static_cast<unsigned char>(value[k]))) yday = yday * 10 + (value[k++] - '0');
        ok = k == 3 || (ch.std == kUnderYearDay && k > 0);
        value.remove_prefix(k);
        ok = ok && yday >= 1 && yday <= 366;
        break;
      }
      case kHour:
        ok = getnum(value, false, hour) && hour < 24;
        break;
      case kHour12:
      case kZeroHour12:
        ok = getnum(value, ch.std == kZeroHour12, hour) && hour <= 12;
        break;
      case kMinute:
      case kZeroMinute:
        ok = getnum(value, ch.std == kZeroMinute, minute) && minute < 60;
        break;
      case kSecond:
      case kZeroSecond: {
        ok = getnum(value, ch.std == kZeroSecond, second) && second < 60;
        // A fractional second may follow even when the layout does not ask for it.
        if (ok && value.size() >= 2 && (value[0] == '.' || value[0] == ',') && std::isdigit(static_cast<unsigned char>(value[1]))) {
          Chunk next = next_chunk(layout);
          if (!next.prefix.empty() || (next.std != kFracSecond0 && next.std != kFracSecond9)) {
            size_t k = 1;
            while (k < value.size() && std::isdigit(static_cast<unsigned char>(value[k]))) ++k;
            std::string frac(value.substr(1, k - 1));
            frac = (frac + "000000000").substr(0, 9);
            nsec = std::stoll(frac);
            value.remove_prefix(k);
          }
        }
        break;
      }
      case kPM:
      case kpm:
        if (value.size() >= 2) {
          std::string p(value.substr(0, 2));
          if (ch.std == kPM ? p == "PM" : p == "pm") pm = true;
          else if (ch.std == kPM ? p == "AM" : p == "am") am = true;
          else ok = false;
          value.remove_prefix(2);
        } else {
          ok = false;
        }
        break;
      case kTZ: {
        if (value.size() >= 3 && value.substr(0, 3) == "UTC") {
          zone_name = "UTC";
          value.remove_prefix(3);
          break;
        }
        size_t k = 0;
        while (k < value.size() && std::isupper(static_cast<unsigned char>(value[k]))) ++k;
        ok = k >= 3 && k <= 5;
        zone_name = std::string(value.substr(0, k));
        value.remove_prefix(k);
        break;
      }
      case kFracSecond0: {
        size_t nd = size_t(ch.digits) + 1;
        ok = value.size() >= nd && (value[0] == '.' || value[0] == ',');
        for (size_t k = 1; ok && k < nd; ++k) ok = std::isdigit(static_cast<unsigned char>(value[k]));
        if (ok) {
          nsec = std::stoll((std::string(value.substr(1, nd - 1)) + "000000000").substr(0, 9));
          value.remove_prefix(nd);
        }
        break;
      }
      case kFracSecond9: {
        if (value.size() < 2 || (value[0] != '.' && value[0] != ',') || !std::isdigit(static_cast<unsigned char>(value[1]))) break;
        size_t k = 1;
        while (k < value.size() && k < 10 && std::isdigit(static_cast<unsigned char>(value[k]))) ++k;
        nsec = std::stoll((std::string(value.substr(1, k - 1)) + "000000000").substr(0, 9));
        value.remove_prefix(k);
        break;
      }
      default: {  // numeric zones
        bool iso = ch.std == kISO8601TZ || ch.std == kISO8601SecondsTZ || ch.std == kISO8601ShortTZ ||
                   ch.std == kISO8601ColonTZ || ch.std == kISO8601ColonSecondsTZ;
        if (iso && !value.empty() && value[0] == 'Z') {
          value.remove_prefix(1);
          zone_offset = 0;
          have_offset = true;
          zone_name = "UTC";
          break;
        }
        bool colon = ch.std == kISO8601ColonTZ || ch.std == kNumColonTZ || ch.std == kISO8601ColonSecondsTZ ||
                     ch.std == kNumColonSecondsTZ;
        bool short_tz = ch.std == kNumShortTZ || ch.std == kISO8601ShortTZ;
        bool with_secs = ch.std == kISO8601SecondsTZ || ch.std == kNumSecondsTz || ch.std == kISO8601ColonSecondsTZ ||
                         ch.std == kNumColonSecondsTZ;
        if (value.empty() || (value[0] != '+' && value[0] != '-')) {
          ok = false;
          break;
        }
        int sign = value[0] == '-' ? -1 : 1;
        value.remove_prefix(1);
        int hh = 0, mm = 0, ss = 0;
        ok = getnum(value, true, hh);
        if (ok && !short_tz) {
          if (colon) ok = !value.empty() && value[0] == ':' && (value.remove_prefix(1), true);
          ok = ok && getnum(value, true, mm);
        }
        if (ok && with_secs) {
          if (colon) ok = !value.empty() && value[0] == ':' && (value.remove_prefix(1), true);
          ok = ok && getnum(value, true, ss);
        }
        ok = ok && hh <= 24 && mm < 60 && ss < 60;
        zone_offset = sign * (hh * 3600 + mm * 60 + ss);
        have_offset = true;
      }
    }
    if (!ok) throw bad(elem, hold);
  }
  if (pm && hour < 12) hour += 12;
  if (am && hour == 12) hour = 0;
  if (yday >= 0) {
    if (month < 0 && day < 0) {
      int64_t d = days_from_civil(year, 1, 1) + yday - 1;
      int64_t y2;
      civil_from_days(d, y2, month, day);
      if (y2 != year) throw ParseError{"parsing time " + go_quote(orig_value) + ": day-of-year out of range"};
    }
  }
  if (month < 0) month = 1;
  if (day < 0) day = 1;
  if (day < 1 || day > days_in(month, year)) throw ParseError{"parsing time " + go_quote(orig_value) + ": day out of range"};
  Time t;
  t.zone = utc_zone();
  int64_t local = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  t.sec = have_offset ? local - zone_offset : local;
  t.nsec = int32_t(nsec);
  return t;
}

// ---------------------------------------------------------------- built-ins

const std::map<std::string, std::string, std::less<>>& named_layouts() {
  static const std::map<std::string, std::string, std::less<>> m = {
      {"ANSIC", "Mon Jan _2 15:04:05 2006"},
      {"UnixDate", "Mon Jan _2 15:04:05 MST 2006"},
      {"RubyDate", "Mon Jan 02 15:04:05 -0700 2006"},
      {"RFC822", "02 Jan 06 15:04 MST"},
      {"RFC822Z", "02 Jan 06 15:04 -0700"},
      {"RFC850", "Monday, 02-Jan-06 15:04:05 MST"},
      {"RFC1123", "Mon, 02 Jan 2006 15:04:05 MST"},
      {"RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700"},
      {"RFC3339", "2006-01-02T15:04:05Z07:00"},
      {"RFC3339Nano", "2006-01-02T15:04:05.999999999Z07:00"},
  };
  return m;
}

std::string resolve_layout(const std::string& layout) {
  auto it = named_layouts().find(layout);
  return it == named_layouts().end() ? layout : it->second;
}

std::optional<Value> time_now_ns(BuiltinArgs, BuiltinContext& ctx) { return Value::integer(ctx.now_ns); }

std::optional<Value> time_parse_ns(BuiltinArgs a, BuiltinContext&) {
  std::string layout = resolve_layout(args::string(a, 0));
  const std::string& value = args::string(a, 1);
  try {
    return unix_nanos(go_parse(layout, value));
  } catch (const ParseError& e) {
    fail(e.msg);
  }
}

std::optional<Value> time_parse_rfc3339_ns(BuiltinArgs a, BuiltinContext&) {
  const std::string& value = args::string(a, 0);
  try {
    return unix_nanos(go_parse("2006-01-02T15:04:05Z07:00", value));
  } catch (const ParseError& e) {
    fail(e.msg);
  }
}

// Go's time.ParseDuration.
std::optional<Value> time_parse_duration_ns(BuiltinArgs a, BuiltinContext&) {
  const std::string& orig = args::string(a, 0);
  std::string_view s = orig;
  auto invalid = [&] { fail("time: invalid duration " + go_quote(orig)); };
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return Value::integer(0);
  if (s.empty()) invalid();
  static const std::pair<const char*, uint64_t> kUnits[] = {
      {"ns", 1}, {"us", 1000}, {"\xc2\xb5s", 1000}, {"\xce\xbcs", 1000}, {"ms", 1000000},
      {"s", 1000000000ULL}, {"m", 60000000000ULL}, {"h", 3600000000000ULL}};
  unsigned __int128 total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || std::isdigit(static_cast<unsigned char>(s[0])))) invalid();
    size_t i = 0;
    unsigned __int128 whole = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      whole = whole * 10 + unsigned(s[i++] - '0');
      if (whole > (unsigned __int128)1 << 63) invalid();
    }
    bool pre = i > 0;
    std::string frac;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) frac += s[i++];
    }
    if (!pre && frac.empty()) invalid();
    size_t u = i;
    while (u < s.size() && s[u] != '.' && !std::isdigit(static_cast<unsigned char>(s[u]))) ++u;
    std::string_view unit = s.substr(i, u - i);
    if (unit.empty()) fail("time: missing unit in duration " + go_quote(orig));
    uint64_t scale = 0;
    for (const auto& [name, sc] : kUnits) {
      if (unit == name) scale = sc;
    }
    if (!scale) fail("time: unknown unit " + go_quote(unit) + " in duration " + go_quote(orig));
    total += whole * scale;
    if (!frac.empty()) {
      long double f = std::stold("0." + frac) * (long double)scale;
      total += (unsigned __int128)f;
    }
    if (total > ((unsigned __int128)1 << 63) - (neg ? 0 : 1)) invalid();
    s.remove_prefix(u);
  }
  int64_t v = total == ((unsigned __int128)1 << 63) ? INT64_MIN : (neg ? -int64_t(total) : int64_t(total));
  return Value::integer(v);
}

std::optional<Value> time_format(BuiltinArgs a, BuiltinContext&) {
  std::string layout;
  Time t = time_operand(a[0], &layout);
  layout = layout.empty() ? "2006-01-02T15:04:05.999999999Z07:00" : resolve_layout(layout);
  return Value::string(go_format(t, layout));
}

std::optional<Value> time_date(BuiltinArgs a, BuiltinContext&) {
  Civil c = civil(time_operand(a[0]));
  return Value::array({Value::integer(c.year), Value::integer(c.month), Value::integer(c.day)});
}

std::optional<Value> time_clock(BuiltinArgs a, BuiltinContext&) {
  Civil c = civil(time_operand(a[0]));
  return Value::array({Value::integer(c.hour), Value::integer(c.minute), Value::integer(c.second)});
}

std::optional<Value> time_weekday(BuiltinArgs a, BuiltinContext&) {
  return Value::string(kDays[civil(time_operand(a[0])).weekday]);
}

std::optional<Value> time_add_date(BuiltinArgs a, BuiltinContext&) {
  Time t = time_operand(a[0]);
  int64_t years = args::integer(a, 1), months = args::integer(a, 2), days = args::integer(a, 3);
  Civil c = civil(t);
  return unix_nanos(make_time(c.year + years, c.month + months, c.day + days, c.hour, c.minute, c.second, c.nsec, t));
}

// Calendar difference as [years, months, days, hours, minutes, seconds], in the first operand's zone.
std::optional<Value> time_diff(BuiltinArgs a, BuiltinContext&) {
  Time t1 = time_operand(a[0]);
  Time t2 = time_operand(a[1]);
  t2.zone = t1.zone;
  if (t1.sec > t2.sec || (t1.sec == t2.sec && t1.nsec > t2.nsec)) std::swap(t1, t2);
  Civil c1 = civil(t1), c2 = civil(t2);
  int64_t year = c2.year - c1.year;
  int64_t month = c2.month - c1.month, day = c2.day - c1.day, hour = c2.hour - c1.hour;
  int64_t min = c2.minute - c1.minute, sec = c2.second - c1.second;
  if (sec < 0) { sec += 60; --min; }
  if (min < 0) { min += 60; --hour; }
  if (hour < 0) { hour += 24; --day; }
  if (day < 0) {
    day += days_in(c1.month, c1.year);  // days in the first date's month
    --month;
  }
  if (month < 0) { month += 12; --year; }
  return Value::array({Value::integer(year), Value::integer(month), Value::integer(day), Value::integer(hour),
                       Value::integer(min), Value::integer(sec)});
}

}  // namespace

void register_time(Registry& r) {
  r.add("time.now_ns", 0, time_now_ns, /*nondeterministic=*/true);
  r.add("time.parse_ns", 2, time_parse_ns);
  r.add("time.parse_rfc3339_ns", 1, time_parse_rfc3339_ns);
  r.add("time.parse_duration_ns", 1, time_parse_duration_ns);
  r.add("time.format", 1, time_format);
  r.add("time.date", 1, time_date);
  r.add("time.clock", 1, time_clock);
  r.add("time.weekday", 1, time_weekday);
  r.add("time.add_date", 4, time_add_date);
  r.add("time.diff", 2, time_diff);
}

}  // namespace rego
