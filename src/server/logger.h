// The server's log: OPA's levels (debug, info, warn, error) and formats (json, json-pretty, text), one
// record per line on standard error. Thread-safe; a record below the level costs one comparison.
#pragma once

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "rego/value.h"

namespace trex::server {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3 };

class Logger {
 public:
  // Parses "debug" | "info" | "warn" | "error"; false when unknown.
  static bool parse_level(const std::string& text, LogLevel& out);

  Logger(LogLevel level = LogLevel::Info, std::string format = "json") : level_(level), format_(std::move(format)) {}

  bool enabled(LogLevel level) const { return level >= level_; }
  // fields: extra key/value pairs, e.g. {"addrs", [":8181"]}.
  void log(LogLevel level, const std::string& msg, std::vector<std::pair<std::string, rego::Value>> fields = {});

 private:
  LogLevel level_;
  std::string format_;
  std::mutex mu_;
};

}  // namespace trex::server
