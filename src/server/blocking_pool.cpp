// BlockingPool (blocking_pool.h).
#include "server/blocking_pool.h"

#include <utility>

namespace trex::server {

BlockingPool::BlockingPool(size_t max_threads) : max_threads_(max_threads > 0 ? max_threads : 1) {}

BlockingPool::~BlockingPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

void BlockingPool::post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(task));
    // A new thread when the queued tasks outnumber the idle threads: a task should not wait behind another
    // one's slow host while the cap allows a thread of its own.
    if (queue_.size() > idle_ && threads_.size() < max_threads_) {
      threads_.emplace_back([this] { work(); });
      return;
    }
  }
  ready_.notify_one();
}

void BlockingPool::work() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_) return;
      ++idle_;
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      --idle_;
      continue;
    }
    auto task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace trex::server
