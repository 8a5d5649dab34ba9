// BlockingPool (blocking_pool.h): a task waiting on something never holds up another while the cap allows a
// thread for it; beyond the cap tasks queue; the destructor runs what is queued before it joins.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "server/blocking_pool.h"

namespace trex::server {
namespace {

using namespace std::chrono_literals;

// A gate tasks wait at until the test opens it.
class Gate {
 public:
  void wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return open_; });
  }
  void open() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Polls until pred() holds or a second has passed.
template <class Pred>
bool eventually(Pred pred) {
  for (auto until = std::chrono::steady_clock::now() + 1s; std::chrono::steady_clock::now() < until;)
    if (pred()) return true;
    else std::this_thread::sleep_for(1ms);
  return pred();
}

TEST(BlockingPool, AWaitingTaskHoldsUpNoOther) {
  Gate gate;  // outlives the pool, whose destructor joins the threads waiting at it
  std::atomic<int> done{0};
  BlockingPool pool(4);
  pool.post([&] {
    gate.wait();
    ++done;
  });
  pool.post([&] { ++done; });  // gets a thread of its own
  EXPECT_TRUE(eventually([&] { return done == 1; }));
  gate.open();
  EXPECT_TRUE(eventually([&] { return done == 2; }));
  // Threads stay: after both are idle, more tasks run without waiting for anything.
  for (int i = 0; i < 10; ++i) pool.post([&] { ++done; });
  EXPECT_TRUE(eventually([&] { return done == 12; }));
}

TEST(BlockingPool, BeyondTheCapTasksQueue) {
  Gate gate;
  std::atomic<int> done{0};
  BlockingPool pool(1);
  pool.post([&] {
    gate.wait();
    ++done;
  });
  pool.post([&] { ++done; });
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(done, 0);  // the one thread is held; the second task waits for it
  gate.open();
  EXPECT_TRUE(eventually([&] { return done == 2; }));
}

TEST(BlockingPool, DestructionRunsWhatIsQueued) {
  std::atomic<int> done{0};
  {
    BlockingPool pool(1);
    for (int i = 0; i < 20; ++i)
      pool.post([&] {
        std::this_thread::sleep_for(1ms);
        ++done;
      });
  }
  EXPECT_EQ(done, 20);
}

}  // namespace
}  // namespace trex::server
