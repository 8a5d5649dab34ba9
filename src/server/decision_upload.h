// OPA's remote decision-log upload: events are buffered in memory and POSTed in gzip-compressed JSON batches
// to `<service url><resource>` (default /logs) of the configured service, with retries and exponential
// backoff while the service is down. The buffer is bounded: when it is full the oldest events are dropped,
// counted and reported in the server log — never silently.
//
// Configuration, as OPA's:
//   decision_logs:
//     service: acme              # a name under `services` (url, credentials, headers, TLS: service_client.h)
//     resource: /logs
//     reporting:
//       min_delay_seconds: 300   # time between uploads (a random point between min and max)
//       max_delay_seconds: 600
//       upload_size_limit_bytes: 32768    # one batch, before compression
//       buffer_size_limit_bytes: 0        # 0 = unlimited (OPA's default); trex counts what it drops
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "rego/builtins/http_client.h"
#include "server/decision_log.h"

namespace trex::server {

struct UploadConfig {
  std::string url;  // service url + resource
  std::vector<std::pair<std::string, std::string>> headers;  // Authorization and configured headers
  rego::http::TlsOptions tls;  // the service's CA pinning, client certificate, allow_insecure_tls
  std::chrono::milliseconds min_delay{300000};
  std::chrono::milliseconds max_delay{600000};
  size_t upload_size_limit = 32768;
  size_t buffer_size_limit = 0;  // 0 = unlimited
  std::chrono::milliseconds request_timeout{10000};
};

// Reads decision_logs.service/resource/reporting and the named service from a configuration document.
// nullopt when no service is configured; `error` set when it is configured wrongly.
std::optional<UploadConfig> upload_config(const rego::Value& config, std::string& error);

class RemoteDecisionSink : public DecisionSink {
 public:
  // `report` receives state changes and drop notices for the server's log and plugin status.
  RemoteDecisionSink(UploadConfig config, std::function<void(const std::string& state, const std::string& msg)> report);
  ~RemoteDecisionSink() override;  // flushes what it can (one attempt), then stops

  bool log(std::string_view kind, const rego::Value& record, std::string& error) override;
  bool healthy() const override;

  uint64_t dropped() const;
  uint64_t uploaded() const;

 private:
  void run();
  bool upload(std::vector<std::string>& batch);

  UploadConfig config_;
  std::function<void(const std::string&, const std::string&)> report_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> buffer_;  // serialized events, oldest first
  size_t buffered_bytes_ = 0;
  uint64_t dropped_ = 0;
  uint64_t uploaded_ = 0;
  bool healthy_ = true;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace trex::server
