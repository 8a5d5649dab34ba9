// Lock-free Prometheus counters and histograms (metrics.h).
#include "server/metrics.h"

#include <cstdio>

namespace trex::server {

namespace {

constexpr const char* kMethodNames[] = {"get", "post", "put", "patch", "delete", "head", "other"};
constexpr int kStatusCodes[] = {200, 204, 304, 400, 401, 403, 404, 405, 409, 413, 429, 431, 500, 503, 0, 0};

}  // namespace

const char* handler_label(Handler h) {
  switch (h) {
    case Handler::V0Data: return "v0/data";
    case Handler::V1Data: return "v1/data";
    case Handler::V1Policies: return "v1/policies";
    case Handler::V1Query: return "v1/query";
    case Handler::V1Compile: return "v1/compile";
    case Handler::V1Config: return "v1/config";
    case Handler::V1Status: return "v1/status";
    case Handler::Health: return "health";
    case Handler::Metrics: return "metrics";
    case Handler::Index: return "index";
    case Handler::Agent: return "v1/agent";
    case Handler::Catch: return "catchall";
    case Handler::Count: break;
  }
  return "unknown";
}

void ServerMetrics::Histogram::observe(std::chrono::nanoseconds elapsed) {
  double seconds = static_cast<double>(elapsed.count()) / 1e9;
  size_t i = 0;
  while (i < kBuckets && seconds > kBounds[i]) ++i;
  if (i < kBuckets) buckets[i].fetch_add(1, std::memory_order_relaxed);
  count.fetch_add(1, std::memory_order_relaxed);
  sum_ns.fetch_add(static_cast<uint64_t>(elapsed.count()), std::memory_order_relaxed);
}

size_t ServerMetrics::method_index(std::string_view m) {
  for (size_t i = 0; i + 1 < kMethods; ++i) {
    std::string_view name = kMethodNames[i];
    if (m.size() != name.size()) continue;
    bool same = true;
    for (size_t j = 0; j < m.size() && same; ++j) same = (m[j] | 0x20) == name[j];
    if (same) return i;
  }
  return kMethods - 1;
}

// Known codes get their own slot; any other code is folded into its class (2xx -> slot 14, else 15) and
// printed as such, so the table stays fixed.
size_t ServerMetrics::status_index(int status) {
  for (size_t i = 0; i < 14; ++i)
    if (kStatusCodes[i] == status) return i;
  return status < 300 ? 14 : 15;
}

ServerMetrics::Shard& ServerMetrics::this_threads_shard() {
  // Threads take shards in turn as they first record (the server's event loops first, so they get their own).
  static std::atomic<size_t> next{0};
  thread_local const size_t shard = next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return shards_[shard];
}

void ServerMetrics::record_request(Handler handler, std::string_view method, int status,
                                   std::chrono::nanoseconds elapsed) {
  size_t idx = request_index(static_cast<size_t>(handler), method_index(method), status_index(status));
  this_threads_shard().requests[idx].observe(elapsed);
}

void ServerMetrics::record_eval(std::chrono::nanoseconds elapsed) { this_threads_shard().eval.observe(elapsed); }

uint64_t ServerMetrics::total_requests() const {
  uint64_t n = 0;
  for (const Shard& shard : shards_)
    for (const auto& h : shard.requests) n += h.count.load(std::memory_order_relaxed);
  return n;
}

namespace {

// One histogram's counts added up over the shards.
struct Totals {
  std::array<uint64_t, ServerMetrics::kBuckets> buckets{};
  uint64_t count = 0;
  uint64_t sum_ns = 0;
  void add(const auto& h) {
    for (size_t i = 0; i < buckets.size(); ++i) buckets[i] += h.buckets[i].load(std::memory_order_relaxed);
    count += h.count.load(std::memory_order_relaxed);
    sum_ns += h.sum_ns.load(std::memory_order_relaxed);
  }
};

void append_histogram(std::string& out, const char* name, const std::string& labels, const Totals& h,
                      const auto& bounds) {
  char buf[128];
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds.size(); ++i) {
    cumulative += h.buckets[i];
    std::snprintf(buf, sizeof buf, "%g", bounds[i]);
    out += std::string(name) + "_bucket{" + labels + (labels.empty() ? "" : ",") + "le=\"" + buf + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  uint64_t count = h.count;
  out += std::string(name) + "_bucket{" + labels + (labels.empty() ? "" : ",") + "le=\"+Inf\"} " +
         std::to_string(count) + "\n";
  std::snprintf(buf, sizeof buf, "%.9f", static_cast<double>(h.sum_ns) / 1e9);
  std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += std::string(name) + "_sum" + braces + " " + buf + "\n";
  out += std::string(name) + "_count" + braces + " " + std::to_string(count) + "\n";
}

}  // namespace

std::string ServerMetrics::prometheus_text() const {
  std::string out;
  out += "# HELP http_request_duration_seconds A histogram of duration for requests.\n";
  out += "# TYPE http_request_duration_seconds histogram\n";
  for (size_t h = 0; h < static_cast<size_t>(Handler::Count); ++h) {
    for (size_t m = 0; m < kMethods; ++m) {
      for (size_t s = 0; s < kStatuses; ++s) {
        Totals hist;
        for (const Shard& shard : shards_) hist.add(shard.requests[request_index(h, m, s)]);
        if (hist.count == 0) continue;
        std::string code = s < 14 ? std::to_string(kStatusCodes[s]) : (s == 14 ? "2xx" : "other");
        std::string labels = "code=\"" + code + "\",handler=\"" + handler_label(static_cast<Handler>(h)) +
                             "\",method=\"" + kMethodNames[m] + "\"";
        append_histogram(out, "http_request_duration_seconds", labels, hist, kBounds);
      }
    }
  }
  out += "# HELP rego_query_eval_duration_seconds A histogram of policy evaluation time.\n";
  out += "# TYPE rego_query_eval_duration_seconds histogram\n";
  Totals eval;
  for (const Shard& shard : shards_) eval.add(shard.eval);
  append_histogram(out, "rego_query_eval_duration_seconds", "", eval, kBounds);
  return out;
}

}  // namespace trex::server
