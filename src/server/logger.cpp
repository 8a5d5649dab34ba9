// Structured logging (logger.h).
#include "server/logger.h"

#include <chrono>
#include <cstdio>

#include "rego/json.h"
#include "server/decision_log.h"

namespace trex::server {

bool Logger::parse_level(const std::string& text, LogLevel& out) {
  if (text == "debug") out = LogLevel::Debug;
  else if (text == "info") out = LogLevel::Info;
  else if (text == "warn") out = LogLevel::Warn;
  else if (text == "error") out = LogLevel::Error;
  else return false;
  return true;
}

void Logger::log(LogLevel level, const std::string& msg, std::vector<std::pair<std::string, rego::Value>> fields) {
  if (!enabled(level)) return;
  static const char* kNames[] = {"debug", "info", "warn", "error"};
  auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::string line;
  if (format_ == "text") {
    line = rfc3339_nano(now) + " " + kNames[static_cast<int>(level)] + " " + msg;
    for (const auto& [k, v] : fields) line += " " + k + "=" + (v.is_string() ? v.as_string() : rego::json::write(v));
  } else {
    std::vector<rego::ObjectEntry> obj;
    for (auto& [k, v] : fields) obj.emplace_back(rego::Value::string(k), std::move(v));
    obj.emplace_back(rego::Value::string("level"), rego::Value::string(kNames[static_cast<int>(level)]));
    obj.emplace_back(rego::Value::string("msg"), rego::Value::string(msg));
    obj.emplace_back(rego::Value::string("time"), rego::Value::string(rfc3339_nano(now)));
    rego::json::WriteOptions wo;
    wo.pretty = format_ == "json-pretty";
    line = rego::json::write(rego::Value::object(std::move(obj)), wo);
  }
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace trex::server
