// Server metrics in Prometheus text format (GET /metrics): request counts and latency histograms per
// handler, method and status code (OPA's http_request_duration_seconds), and a histogram of evaluation
// time. Every counter is a relaxed atomic in a fixed table: recording never locks or allocates. Each recording
// thread writes to a shard of the tables (of kShards), so that server threads do not take turns owning the
// same cache lines on every request; printing adds the shards up.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace trex::server {

// The API handler a request went to; the "handler" label, named as OPA names them.
enum class Handler : uint8_t {
  V0Data, V1Data, V1Policies, V1Query, V1Compile, V1Config, V1Status, Health, Metrics, Index, Agent, Catch,
  Count
};
const char* handler_label(Handler h);

class ServerMetrics {
 public:
  static constexpr size_t kBuckets = 11;
  // Upper bounds in seconds, as OPA's default buckets plus 10s.
  static constexpr std::array<double, kBuckets> kBounds = {1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4,
                                                          1e-3, 1e-2, 1e-1, 1,    10};

  void record_request(Handler handler, std::string_view method, int status, std::chrono::nanoseconds elapsed);
  void record_eval(std::chrono::nanoseconds elapsed);

  // The whole exposition, e.g. http_request_duration_seconds_bucket{code="200",handler="v1/data",...}.
  std::string prometheus_text() const;

  // Total requests so far (for /v1/status).
  uint64_t total_requests() const;

 private:
  struct Histogram {
    std::array<std::atomic<uint64_t>, kBuckets> buckets{};  // non-cumulative; summed when printed
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_ns{0};
    void observe(std::chrono::nanoseconds elapsed);
  };
  static constexpr size_t kMethods = 7;   // GET POST PUT PATCH DELETE HEAD other
  static constexpr size_t kStatuses = 16; // see status_index()
  static size_t method_index(std::string_view method);
  static size_t status_index(int status);
  // A request histogram's place in Shard::requests: by handler, then method, then status index.
  static size_t request_index(size_t handler, size_t method, size_t status) {
    return (handler * kMethods + method) * kStatuses + status;
  }

  static constexpr size_t kShards = 4;
  struct alignas(64) Shard {
    std::array<Histogram, static_cast<size_t>(Handler::Count) * kMethods * kStatuses> requests{};
    Histogram eval{};
  };
  Shard& this_threads_shard();

  std::array<Shard, kShards> shards_{};  // about 140 KB each (ServerContext lives on the heap)
};

}  // namespace trex::server
