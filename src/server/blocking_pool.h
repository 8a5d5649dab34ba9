// Threads for the requests whose evaluation may wait on the network (a policy calling http.send or
// net.lookup_ip_addr). The event loops evaluate every other request themselves — the fastest way for the
// CPU-bound decisions that are nearly all of them — but a query waiting seconds on a slow host there would
// stall every connection of its loop for as long. OPA, with a goroutine per request, has no such stall;
// handing those requests to this pool keeps it that way.
//
// Threads start on first use (most policies never call the network) and stay, up to a cap; tasks beyond it
// queue. The destructor runs what is queued, then joins: destroy the pool while the transport its tasks
// answer through still exists.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace trex::server {

class BlockingPool {
 public:
  explicit BlockingPool(size_t max_threads);
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Runs task on a pool thread, as soon as one is free.
  void post(std::function<void()> task);

 private:
  void work();

  const size_t max_threads_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace trex::server
