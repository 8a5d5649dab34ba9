// IANA time zones from TZif files and proleptic Gregorian calendar arithmetic; see time_zone.h.
#include "rego/builtins/time_zone.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>

#include "rego/builtins/registry.h"

namespace rego::tz {
namespace {

[[noreturn]] void fail(std::string msg) { throw BuiltinError{std::move(msg), false}; }

}  // namespace

// ---------------------------------------------------------------- civil calendar (proleptic Gregorian)

int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t& y, int& m, int& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = int(doy - (153 * mp + 2) / 5 + 1);
  m = int(mp < 10 ? mp + 3 : mp - 9);
  y = yoe + era * 400 + (m <= 2);
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in(int m, int64_t y) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// ---------------------------------------------------------------- time zones


// A POSIX TZ rule (the TZif footer) for instants after the last transition: "EST5EDT,M3.2.0,M11.1.0".
struct PosixRule {
  bool valid = false;
  ZoneType std_type, dst_type;
  bool has_dst = false;
  struct When {
    char kind = 'M';  // 'M' month.week.day, 'J' julian 1..365 without leap day, 'D' zero-based day of year
    int month = 0, week = 0, day = 0;
    int time = 7200;  // seconds after local midnight
  } start, end;
};

struct Zone {
  std::string name;
  std::vector<int64_t> transitions;  // ascending Unix seconds
  std::vector<uint8_t> type_index;   // type in effect from each transition
  std::vector<ZoneType> types;
  PosixRule rule;
};


// --- POSIX TZ strings

bool parse_tz_name(std::string_view& s, std::string& out) {
  if (!s.empty() && s[0] == '<') {
    size_t e = s.find('>');
    if (e == std::string_view::npos) return false;
    out = std::string(s.substr(1, e - 1));
    s.remove_prefix(e + 1);
    return true;
  }
  size_t i = 0;
  while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
  if (i < 3) return false;
  out = std::string(s.substr(0, i));
  s.remove_prefix(i);
  return true;
}

// [+-]hh[:mm[:ss]] as seconds.
bool parse_tz_hms(std::string_view& s, int& out) {
  int sign = 1;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  int parts[3] = {0, 0, 0};
  for (int p = 0; p < 3; ++p) {
    size_t i = 0;
    int v = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) v = v * 10 + (s[i++] - '0');
    if (i == 0) return false;
    parts[p] = v;
    s.remove_prefix(i);
    if (s.empty() || s[0] != ':') break;
    s.remove_prefix(1);
  }
  out = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  return true;
}

bool parse_tz_when(std::string_view& s, PosixRule::When& w) {
  auto num = [&](int& v) {
    size_t i = 0;
    v = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) v = v * 10 + (s[i++] - '0');
    s.remove_prefix(i);
    return i > 0;
  };
  if (s.empty()) return false;
  if (s[0] == 'M') {
    s.remove_prefix(1);
    w.kind = 'M';
    if (!num(w.month) || s.empty() || s[0] != '.') return false;
    s.remove_prefix(1);
    if (!num(w.week) || s.empty() || s[0] != '.') return false;
    s.remove_prefix(1);
    if (!num(w.day)) return false;
  } else if (s[0] == 'J') {
    s.remove_prefix(1);
    w.kind = 'J';
    if (!num(w.day)) return false;
  } else {
    w.kind = 'D';
    if (!num(w.day)) return false;
  }
  w.time = 7200;
  if (!s.empty() && s[0] == '/') {
    s.remove_prefix(1);
    if (!parse_tz_hms(s, w.time)) return false;
  }
  return true;
}

PosixRule parse_posix(std::string_view s) {
  PosixRule r;
  int off = 0;
  if (!parse_tz_name(s, r.std_type.abbr) || !parse_tz_hms(s, off)) return r;
  r.std_type.offset = -off;  // POSIX offsets are west-positive
  r.valid = true;
  if (s.empty()) return r;
  if (!parse_tz_name(s, r.dst_type.abbr)) return PosixRule{};
  r.dst_type.dst = true;
  r.dst_type.offset = r.std_type.offset + 3600;
  if (!s.empty() && s[0] != ',') {
    if (!parse_tz_hms(s, off)) return PosixRule{};
    r.dst_type.offset = -off;
  }
  if (s.empty() || s[0] != ',') return PosixRule{};
  s.remove_prefix(1);
  if (!parse_tz_when(s, r.start) || s.empty() || s[0] != ',') return PosixRule{};
  s.remove_prefix(1);
  if (!parse_tz_when(s, r.end)) return PosixRule{};
  r.has_dst = true;
  return r;
}

// Seconds from the start of `year` (UTC) to the rule's moment, in local time of the offset in force.
int64_t rule_time(const PosixRule::When& w, int64_t year) {
  int64_t day;  // days since Jan 1
  if (w.kind == 'J') {
    day = w.day - 1;
    if (is_leap(year) && w.day >= 60) ++day;
  } else if (w.kind == 'D') {
    day = w.day;
  } else {
    int64_t first = days_from_civil(year, w.month, 1);
    int64_t wd_first = (first % 7 + 11) % 7;  // 1970-01-01 was a Thursday (4)
    int64_t d = (w.day - wd_first + 7) % 7;
    d += int64_t(w.week - 1) * 7;
    while (d >= days_in(w.month, year)) d -= 7;
    day = first + d - days_from_civil(year, 1, 1);
  }
  return day * 86400 + w.time;
}

ZoneType rule_type_at(const PosixRule& r, int64_t unix) {
  if (!r.has_dst) return r.std_type;
  int64_t y;
  int m, d;
  civil_from_days(floor_div(unix, 86400), y, m, d);
  int64_t year_start = days_from_civil(y, 1, 1) * 86400;
  int64_t start = year_start + rule_time(r.start, y) - r.std_type.offset;
  int64_t end = year_start + rule_time(r.end, y) - r.dst_type.offset;
  bool in_dst = start < end ? (unix >= start && unix < end) : !(unix >= end && unix < start);
  return in_dst ? r.dst_type : r.std_type;
}

// --- TZif files

int64_t be(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = v << 8 | p[i];
  if (n == 4) return int64_t(int32_t(uint32_t(v)));
  return int64_t(v);
}

std::optional<Zone> parse_tzif(const std::string& data) {
  auto u = reinterpret_cast<const unsigned char*>(data.data());
  if (data.size() < 44 || data.compare(0, 4, "TZif") != 0) return std::nullopt;
  int version = data[4] ? data[4] - '0' : 1;
  size_t pos = 0;
  auto counts = [&](size_t at, int64_t c[6]) {
    for (int i = 0; i < 6; ++i) c[i] = be(u + at + 20 + 4 * i, 4);
  };
  int64_t c[6];  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
  counts(0, c);
  int tsize = 4;
  if (version >= 2) {
    // Skip the 32-bit block; use the 64-bit one that follows.
    pos = 44 + size_t(c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]);
    if (data.size() < pos + 44) return std::nullopt;
    counts(pos, c);
    tsize = 8;
  }
  size_t p = pos + 44;
  size_t need = size_t(c[3] * tsize + c[3] + c[4] * 6 + c[5] + c[2] * (tsize + 4) + c[1] + c[0]);
  if (data.size() < p + need) return std::nullopt;
  Zone z;
  for (int64_t i = 0; i < c[3]; ++i) z.transitions.push_back(be(u + p + size_t(i) * size_t(tsize), tsize));
  p += size_t(c[3] * tsize);
  for (int64_t i = 0; i < c[3]; ++i) z.type_index.push_back(u[p + size_t(i)]);
  p += size_t(c[3]);
  std::vector<int> abbr_idx;
  for (int64_t i = 0; i < c[4]; ++i) {
    ZoneType t;
    t.offset = int(be(u + p, 4));
    t.dst = u[p + 4] != 0;
    abbr_idx.push_back(u[p + 5]);
    z.types.push_back(t);
    p += 6;
  }
  std::string chars = data.substr(p, size_t(c[5]));
  for (size_t i = 0; i < z.types.size(); ++i) {
    if (size_t(abbr_idx[i]) < chars.size()) z.types[i].abbr = chars.c_str() + abbr_idx[i];
  }
  p += need - size_t(c[3] * tsize + c[3] + c[4] * 6);
  if (version >= 2 && p < data.size() && data[p] == '\n') {
    size_t e = data.find('\n', p + 1);
    if (e != std::string::npos) z.rule = parse_posix(std::string_view(data).substr(p + 1, e - p - 1));
  }
  if (z.types.empty()) return std::nullopt;
  return z;
}

ZonePtr utc_zone() {
  static const ZonePtr z = [] {
    auto zone = std::make_shared<Zone>();
    zone->name = "UTC";
    zone->types.push_back({0, false, "UTC"});
    return zone;
  }();
  return z;
}

// Go's LoadLocation, with a process-wide cache (zones are immutable once loaded).
ZonePtr load_zone(const std::string& name) {
  if (name.empty() || name == "UTC") return utc_zone();
  static std::mutex mu;
  static std::map<std::string, ZonePtr> cache;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache.find(name); it != cache.end()) return it->second;
  }
  bool safe = name.find("..") == std::string::npos && name[0] != '/' && name.find('\\') == std::string::npos;
  std::string path = name == "Local" ? "/etc/localtime" : "/usr/share/zoneinfo/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!safe || !in) fail("unknown time zone " + name);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto z = parse_tzif(data);
  if (!z) fail("unknown time zone " + name);
  z->name = name;
  auto ptr = std::make_shared<const Zone>(std::move(*z));
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() > 512) cache.clear();
  cache.emplace(name, ptr);
  return ptr;
}

ZoneType type_at(const Zone& z, int64_t unix) {
  if (z.transitions.empty() || unix < z.transitions.front()) {
    if (z.transitions.empty() && z.rule.valid) return rule_type_at(z.rule, unix);
    // Before the first transition: the first non-DST type, as Go does.
    for (const auto& t : z.types) {
      if (!t.dst) return t;
    }
    return z.types.front();
  }
  auto it = std::upper_bound(z.transitions.begin(), z.transitions.end(), unix);
  size_t idx = size_t(it - z.transitions.begin()) - 1;
  if (it == z.transitions.end() && z.rule.valid) return rule_type_at(z.rule, unix);
  return z.types[z.type_index[idx]];
}

}  // namespace rego::tz
