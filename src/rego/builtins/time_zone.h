// Calendar arithmetic and IANA time zones for the time.* built-ins (time.cpp).
//
// Zones are read from the system's TZif files (/usr/share/zoneinfo, Debian's tzdata package), including the
// POSIX TZ rule in their footer for instants past the last transition, and cached process-wide behind a
// mutex: a loaded Zone is immutable and shared between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rego::tz {

int64_t days_from_civil(int64_t y, int64_t m, int64_t d);
void civil_from_days(int64_t z, int64_t& y, int& m, int& d);
bool is_leap(int64_t y);
int days_in(int m, int64_t y);
int64_t floor_div(int64_t a, int64_t b);

struct ZoneType {
  int offset = 0;  // seconds east of UTC
  bool dst = false;
  std::string abbr;
};

struct Zone;
using ZonePtr = std::shared_ptr<const Zone>;

ZonePtr utc_zone();
// Go's time.LoadLocation: "" and "UTC" are UTC, "Local" the system zone; throws BuiltinError
// ("unknown time zone NAME") when there is no such zone.
ZonePtr load_zone(const std::string& name);
ZoneType type_at(const Zone& z, int64_t unix_seconds);

}  // namespace rego::tz
