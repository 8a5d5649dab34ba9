// Signers for tests: the real token signer wrapped so a test can slow it down (to force group commits),
// make it fail (fail-closed behaviour) or hold it at a gate (to fill an async queue). Plus helpers to read
// and rewrite a log directory's lines.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hsm/log_files.h"
#include "hsm/signer.h"

namespace trex::hsm::testing {

class ControlledSigner : public Signer {
 public:
  explicit ControlledSigner(std::shared_ptr<Signer> inner) : inner_(std::move(inner)) {}
  std::string alg() const override { return inner_->alg(); }
  std::string kid() const override { return inner_->kid(); }
  std::string public_key_pem() const override { return inner_->public_key_pem(); }
  bool sign(std::string_view input, std::string& signature, std::string& error) override {
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return open_; });
    }
    ++calls;
    if (int ms = delay_ms.load()) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    if (fail.load()) {
      error = "simulated token failure (CKR_DEVICE_REMOVED)";
      return false;
    }
    return inner_->sign(input, signature, error);
  }
  void close_gate() {
    std::lock_guard<std::mutex> lk(mu_);
    open_ = false;
  }
  void open_gate() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }

  std::atomic<bool> fail{false};
  std::atomic<int> delay_ms{0};
  std::atomic<int> calls{0};

 private:
  std::shared_ptr<Signer> inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
};

struct LogLine {
  std::string file;  // segment path
  std::string text;  // without '\n'
};

inline std::vector<LogLine> read_log(const std::string& dir) {
  std::vector<SegmentFile> segs;
  std::string error;
  list_segments(dir, segs, error);
  std::vector<LogLine> out;
  for (const auto& s : segs) {
    std::ifstream in(s.path);
    std::string line;
    while (std::getline(in, line)) out.push_back({s.path, line});
  }
  return out;
}

// Rewrites a single-segment log with `lines` (each gets its '\n').
inline void write_segment(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  for (const auto& l : lines) out << l << '\n';
}

}  // namespace trex::hsm::testing
