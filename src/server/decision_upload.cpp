// Remote decision-log upload (decision_upload.h).
#include "server/decision_upload.h"

#include <random>

#include "rego/builtins/http_client.h"
#include "rego/json.h"
#include "server/config.h"
#include "server/gzip.h"
#include "server/service_client.h"

namespace trex::server {

using rego::Value;

namespace {

bool read_seconds(const Value& cfg, const char* key, std::chrono::milliseconds& out, std::string& error) {
  const Value* v = config_at(cfg, {"decision_logs", "reporting", key});
  if (!v) return true;
  if (!v->is_number() || !v->is_int() || v->as_int() < 0) {
    error = std::string("invalid configuration: decision_logs.reporting.") + key + " must be a non-negative integer";
    return false;
  }
  out = std::chrono::seconds(v->as_int());
  return true;
}

}  // namespace

std::optional<UploadConfig> upload_config(const Value& cfg, std::string& error) {
  const Value* service = config_at(cfg, {"decision_logs", "service"});
  if (!service) return std::nullopt;
  if (!service->is_string()) {
    error = "invalid configuration: decision_logs.service must be a string";
    return std::nullopt;
  }
  const Value* services = config_at(cfg, {"services"});
  const Value* svc = services ? find_service(*services, service->as_string()) : nullptr;
  if (!svc || !svc->is_object() || !svc->get("url") || !svc->get("url")->is_string()) {
    error = "invalid configuration: decision_logs.service \"" + service->as_string() + "\" names no service with a url";
    return std::nullopt;
  }
  ServiceRequestOptions options;
  if (!service_request_options(*svc, service->as_string(), options, error)) return std::nullopt;
  UploadConfig out;
  std::string resource = "/logs";
  if (const Value* r = config_at(cfg, {"decision_logs", "resource"}); r && r->is_string()) resource = r->as_string();
  out.url = options.url + (resource.empty() || resource[0] == '/' ? "" : "/") + resource;
  out.headers = std::move(options.headers);
  out.tls = std::move(options.tls);
  if (!read_seconds(cfg, "min_delay_seconds", out.min_delay, error) ||
      !read_seconds(cfg, "max_delay_seconds", out.max_delay, error))
    return std::nullopt;
  if (out.max_delay < out.min_delay) {
    error = "invalid configuration: decision_logs.reporting.max_delay_seconds must not be less than min_delay_seconds";
    return std::nullopt;
  }
  for (auto [key, target] : {std::pair{"upload_size_limit_bytes", &out.upload_size_limit},
                             std::pair{"buffer_size_limit_bytes", &out.buffer_size_limit}}) {
    if (const Value* v = config_at(cfg, {"decision_logs", "reporting", key})) {
      if (!v->is_int() || v->as_int() < 0) {
        error = std::string("invalid configuration: decision_logs.reporting.") + key + " must be a non-negative integer";
        return std::nullopt;
      }
      *target = static_cast<size_t>(v->as_int());
    }
  }
  return out;
}

RemoteDecisionSink::RemoteDecisionSink(UploadConfig config,
                                       std::function<void(const std::string&, const std::string&)> report)
    : config_(std::move(config)), report_(std::move(report)) {
  thread_ = std::thread([this] { run(); });
}

RemoteDecisionSink::~RemoteDecisionSink() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool RemoteDecisionSink::log(std::string_view, const Value& record, std::string&) {
  std::string line = rego::json::write(record);
  std::string dropped_msg;
  bool batch_ready = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    buffered_bytes_ += line.size();
    buffer_.push_back(std::move(line));
    uint64_t dropped_now = 0;
    while (config_.buffer_size_limit > 0 && buffered_bytes_ > config_.buffer_size_limit && buffer_.size() > 1) {
      buffered_bytes_ -= buffer_.front().size();
      buffer_.pop_front();
      ++dropped_now;
    }
    dropped_ += dropped_now;
    if (dropped_now > 0)
      dropped_msg = "decision log buffer full: dropped " + std::to_string(dropped_now) + " oldest event(s), " +
                    std::to_string(dropped_) + " in all";
    batch_ready = buffered_bytes_ >= config_.upload_size_limit;
  }
  if (!dropped_msg.empty() && report_) report_("WARN", dropped_msg);
  if (batch_ready) cv_.notify_all();  // a full batch is waiting: upload now rather than at the next tick
  return true;  // the upload is asynchronous: buffering cannot fail the decision
}

bool RemoteDecisionSink::healthy() const {
  std::lock_guard<std::mutex> lock(mu_);
  return healthy_;
}

uint64_t RemoteDecisionSink::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

uint64_t RemoteDecisionSink::uploaded() const {
  std::lock_guard<std::mutex> lock(mu_);
  return uploaded_;
}

bool RemoteDecisionSink::upload(std::vector<std::string>& batch) {
  std::string body = "[";
  for (size_t i = 0; i < batch.size(); ++i) body += (i ? "," : "") + batch[i];
  body += "]";
  rego::http::Request req;
  req.method = "POST";
  req.url = config_.url;
  req.headers = config_.headers;
  req.tls = config_.tls;
  req.headers.emplace_back("Content-Type", "application/json");
  req.headers.emplace_back("Content-Encoding", "gzip");
  req.body = gzip_compress(body);
  req.send_body = true;
  req.timeout = config_.request_timeout;
  try {
    auto res = rego::http::perform(req);
    if (res.status_code >= 200 && res.status_code < 300) return true;
    if (report_) report_("ERROR", "decision log upload failed: server replied " + res.status);
  } catch (const std::exception& e) {
    if (report_) report_("ERROR", std::string("decision log upload failed: ") + e.what());
  }
  return false;
}

void RemoteDecisionSink::run() {
  std::mt19937_64 rng{std::random_device{}()};
  std::chrono::milliseconds backoff{0};
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    auto span = (config_.max_delay - config_.min_delay).count();
    auto delay = config_.min_delay + std::chrono::milliseconds(span > 0 ? static_cast<int64_t>(rng() % static_cast<uint64_t>(span + 1)) : 0);
    if (backoff.count() > 0) delay = backoff;
    delay = std::max(delay, std::chrono::milliseconds(50));  // a zero delay must not spin
    cv_.wait_for(lock, delay, [&] { return stopping_ || (backoff.count() == 0 && buffered_bytes_ >= config_.upload_size_limit); });
    const bool final_flush = stopping_;
    while (!buffer_.empty()) {
      // One batch: events up to the upload size limit (at least one).
      std::vector<std::string> batch;
      size_t bytes = 0;
      while (!buffer_.empty() && (batch.empty() || bytes + buffer_.front().size() <= config_.upload_size_limit)) {
        bytes += buffer_.front().size();
        batch.push_back(std::move(buffer_.front()));
        buffer_.pop_front();
      }
      buffered_bytes_ -= bytes;
      lock.unlock();
      bool ok = upload(batch);
      lock.lock();
      if (!ok) {
        // Put the batch back in front, in order, and back off: 1s, 2s, 4s... up to the maximum delay.
        for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
          buffered_bytes_ += it->size();
          buffer_.push_front(std::move(*it));
        }
        healthy_ = false;
        backoff = std::min(config_.max_delay, backoff.count() == 0 ? std::chrono::milliseconds(1000) : backoff * 2);
        break;
      }
      uploaded_ += batch.size();
      backoff = std::chrono::milliseconds(0);
      if (!healthy_ && report_) {
        lock.unlock();
        report_("OK", "decision log upload recovered");
        lock.lock();
      }
      healthy_ = true;
    }
    if (final_flush) return;
  }
}

}  // namespace trex::server
