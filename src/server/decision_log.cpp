// Decision events and the console sink (decision_log.h).
#include "server/decision_log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

#include "rego/json.h"
#include "server/api_response.h"

namespace trex::server {

using rego::Value;

std::string rfc3339_nano(int64_t unix_ns) {
  std::time_t secs = static_cast<std::time_t>(unix_ns / 1000000000);
  int64_t frac = unix_ns % 1000000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  if (frac != 0) {  // Go's RFC3339Nano drops trailing zeros of the fraction
    char f[16];
    std::snprintf(f, sizeof f, ".%09lld", static_cast<long long>(frac));
    std::string fs(f);
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  return out + "Z";
}

std::string new_decision_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

Value decision_event_value(const DecisionEvent& e) {
  std::vector<rego::ObjectEntry> f;
  auto put = [&](const char* k, Value v) { f.emplace_back(Value::string(k), std::move(v)); };
  put("decision_id", Value::string(e.decision_id));
  if (!e.path.empty()) put("path", Value::string(e.path));
  if (!e.query.empty()) put("query", Value::string(e.query));
  if (e.input) put("input", *e.input);
  if (e.result) put("result", *e.result);
  if (!e.errors.empty()) {
    std::vector<Value> errs;
    for (const auto& err : e.errors) errs.push_back(error_value(err));
    put("error", errs.size() == 1 ? errs[0] : Value::array(std::move(errs)));
  }
  put("timestamp", Value::string(rfc3339_nano(e.timestamp_ns)));
  put("metrics", e.metrics);
  put("labels", e.labels);
  if (!e.bundles.empty()) {
    std::vector<rego::ObjectEntry> b;
    for (const auto& [name, rev] : e.bundles)
      b.emplace_back(Value::string(name), Value::object({{Value::string("revision"), Value::string(rev)}}));
    put("bundles", Value::object(std::move(b)));
  }
  put("requested_by", Value::string(e.requested_by));
  put("req_id", Value::integer(static_cast<int64_t>(e.req_id)));
  if (!e.agent.is_null()) put("agent", e.agent);
  if (!e.action.is_null()) put("action", e.action);
  if (!e.principal.is_null()) put("principal", e.principal);
  if (!e.provenance.is_null()) put("provenance", e.provenance);
  if (e.allow) {
    put("outcome", Value::object({{Value::string("allow"), Value::boolean(*e.allow)},
                                  {Value::string("deny"), e.deny.is_null() ? Value::empty_array() : e.deny}}));
  }
  if (!e.policy_sha256.empty()) {
    put("policy", Value::object({{Value::string("sha256"), Value::string(e.policy_sha256)},
                                 {Value::string("revision"), Value::string(e.policy_revision)}}));
  }
  return Value::object(std::move(f));
}

bool ConsoleDecisionSink::log(std::string_view kind, const Value& record, std::string&) {
  std::vector<rego::ObjectEntry> f = record.as_object();
  auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  f.emplace_back(Value::string("msg"), Value::string(kind == "outcome" ? "Outcome Log" : "Decision Log"));
  f.emplace_back(Value::string("level"), Value::string("info"));
  f.emplace_back(Value::string("time"), Value::string(rfc3339_nano(now)));
  f.emplace_back(Value::string("type"), Value::string("openpolicyagent.org/decision_logs"));
  std::string line = rego::json::write(Value::object(std::move(f)));
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
  return true;
}

}  // namespace trex::server
