// The signed decision-log sink (signed_decision_log.h).
#include "cli/signed_decision_log.h"

#include <atomic>
#include <mutex>

#include "rego/json.h"
#include "server/config.h"

namespace trex::cli {

using rego::Value;
using server::config_at;

namespace {

bool read_string(const Value& section, const char* key, const char* where, std::string& out, std::string& error) {
  const Value* v = section.is_object() ? section.get(key) : nullptr;
  if (!v) return true;
  if (!v->is_string()) {
    error = std::string("invalid configuration: ") + where + "." + key + " must be a string";
    return false;
  }
  out = v->as_string();
  return true;
}

template <typename T>
bool read_uint(const Value& section, const char* key, const char* where, T& out, std::string& error) {
  const Value* v = section.is_object() ? section.get(key) : nullptr;
  if (!v) return true;
  if (!v->is_int() || v->as_int() < 0) {
    error = std::string("invalid configuration: ") + where + "." + key + " must be a non-negative integer";
    return false;
  }
  out = static_cast<T>(v->as_int());
  return true;
}

class SignedLogSink : public server::DecisionSink {
 public:
  SignedLogSink(std::unique_ptr<hsm::SignedLog> log, std::string open_error,
                std::function<void(const std::string&, const std::string&)> on_state)
      : log_(std::move(log)), open_error_(std::move(open_error)), on_state_(std::move(on_state)) {
    healthy_ = log_ != nullptr;
  }
  // Closing flushes the log and runs its last callbacks, which use this sink's members: do it while they live.
  ~SignedLogSink() override {
    if (log_) log_->close();
  }

  bool log(std::string_view kind, const Value& record, std::string& error) override {
    if (!log_) {
      error = open_error_;
      return false;
    }
    bool ok = log_->append(kind, rego::json::write(record), error);
    set_health(ok && log_->healthy(), ok ? "" : error);
    return ok;
  }

  // Sync durability answers from the log's writer thread once the covering checkpoint is fsynced, so the
  // request thread is free meanwhile and concurrent decisions share one group commit.
  void log_async(std::string_view kind, const Value& record,
                 std::function<void(bool ok, const std::string& error)> done) override {
    if (!log_) return done(false, open_error_);
    // trex's JSON writer gives one compact line with sorted, unique keys (and decision records carry no
    // seq/prev/kind/jws), so the log need not parse it again.
    log_->append_async(kind, rego::json::write(record),
                       [this, done = std::move(done)](bool ok, const std::string& error) {
                         set_health(ok && log_->healthy(), ok ? "" : error);
                         done(ok, error);
                       },
                       /*compact=*/true);
  }

  bool healthy() const override { return healthy_.load() && (!log_ || log_->healthy()); }

 private:
  void set_health(bool healthy, const std::string& why) {
    bool was = healthy_.exchange(healthy);
    if (was != healthy && on_state_) on_state_(healthy ? "OK" : "ERROR", healthy ? "signed decision log recovered"
                                                                             : "signed decision log failing: " + why);
  }

  std::unique_ptr<hsm::SignedLog> log_;
  std::string open_error_;
  std::function<void(const std::string&, const std::string&)> on_state_;
  std::atomic<bool> healthy_{false};
};

}  // namespace

std::optional<SignedLogConfig> signed_log_config(const Value& config, std::string& error) {
  const Value* file = config_at(config, {"decision_logs", "signed_file"});
  if (!file) return std::nullopt;
  if (!file->is_object()) {
    error = "invalid configuration: decision_logs.signed_file must be an object";
    return std::nullopt;
  }
  SignedLogConfig out;
  const char* where = "decision_logs.signed_file";
  std::string durability = "sync", overflow = "error";
  if (!read_string(*file, "path", where, out.log.dir, error) ||
      !read_string(*file, "durability", where, durability, error) ||
      !read_string(*file, "overflow", where, overflow, error) ||
      !read_string(*file, "log_name", where, out.log.log_name, error) ||
      !read_uint(*file, "max_batch", where, out.log.max_batch, error) ||
      !read_uint(*file, "max_delay_ms", where, out.log.max_delay_ms, error) ||
      !read_uint(*file, "queue_capacity", where, out.log.queue_capacity, error) ||
      !read_uint(*file, "segment_bytes", where, out.log.segment_bytes, error))
    return std::nullopt;
  if (durability != "sync" && durability != "async") {
    error = "invalid configuration: decision_logs.signed_file.durability must be sync or async";
    return std::nullopt;
  }
  out.log.durability = durability == "sync" ? hsm::Durability::Sync : hsm::Durability::Async;
  if (overflow != "error" && overflow != "drop") {
    error = "invalid configuration: decision_logs.signed_file.overflow must be error or drop";
    return std::nullopt;
  }
  out.log.overflow = overflow == "error" ? hsm::OverflowPolicy::Error : hsm::OverflowPolicy::Drop;
  if (out.log.max_batch == 0) out.log.max_batch = 1;
  const Value* p11 = config_at(config, {"decision_logs", "signing", "pkcs11"});
  if (!p11) {
    error = "invalid configuration: decision_logs.signed_file needs decision_logs.signing.pkcs11";
    return std::nullopt;
  }
  where = "decision_logs.signing.pkcs11";
  if (!read_string(*p11, "module", where, out.pkcs11.module, error) ||
      !read_string(*p11, "token_label", where, out.pkcs11.token_label, error) ||
      !read_string(*p11, "key_label", where, out.pkcs11.key_label, error) ||
      !read_string(*p11, "pin_env", where, out.pkcs11.pin.env, error) ||
      !read_string(*p11, "pin_file", where, out.pkcs11.pin.file, error))
    return std::nullopt;
  return out;
}

std::shared_ptr<server::DecisionSink> open_signed_log_sink(
    const SignedLogConfig& config, std::function<void(const std::string&, const std::string&)> on_state) {
  std::string error;
  auto signer = hsm::Pkcs11Signer::open(config.pkcs11, error);
  std::unique_ptr<hsm::SignedLog> log;
  if (signer) log = hsm::SignedLog::open(config.log, signer, error);
  if (!log) {
    error = "signed decision log unavailable: " + error;
    if (on_state) on_state("ERROR", error);
  }
  return std::make_shared<SignedLogSink>(std::move(log), error, std::move(on_state));
}

}  // namespace trex::cli
