// Case isolation: a forked child per case, or a watchdog thread in-process (see isolate.h).
#include "isolate.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

namespace compat {
namespace {

// The child's cancel flag, raised from SIGALRM. A lock-free atomic store is async-signal-safe.
std::atomic<bool> g_child_cancel{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void on_alarm(int) { g_child_cancel.store(true); }

void write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

[[noreturn]] void child_main(int fd, const CaseFn& fn, const Deadlines& d) {
  struct sigaction sa {};
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, nullptr);
  g_child_cancel.store(false);
  alarm(static_cast<unsigned>(d.soft_seconds));
  Outcome out = fn(&g_child_cancel);  // run_case never throws
  alarm(0);
  // Wire format: one status character, then the detail.
  std::string msg(1, out.status == Status::Pass ? 'P' : out.status == Status::Skip ? 'S' : 'F');
  msg += out.detail;
  write_all(fd, msg);
  ::close(fd);
  // _exit: skip atexit handlers and never flush stdio buffers inherited from the parent.
  ::_exit(0);
}

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* name = strsignal(sig);
    return "crashed: signal " + std::to_string(sig) + (name ? std::string(" (") + name + ")" : std::string());
  }
  if (WIFEXITED(status)) return "child exited with status " + std::to_string(WEXITSTATUS(status)) + " and no result";
  return "child ended without a result";
}

}  // namespace

Outcome run_forked(const CaseFn& fn, const Deadlines& d) {
  int fds[2];
  if (::pipe(fds) != 0) return {Status::Fail, std::string("pipe: ") + std::strerror(errno)};
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return {Status::Fail, std::string("fork: ") + std::strerror(errno)};
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(fds[1], fn, d);
  }
  ::close(fds[1]);

  std::string msg;
  bool timed_out = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(d.hard_seconds);
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      timed_out = true;
      break;
    }
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child is done (or died)
    msg.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  if (timed_out) return {Status::Fail, "timed out: killed after " + std::to_string(d.hard_seconds) + " s"};
  if (msg.empty() || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return {Status::Fail, describe_exit(status)};
  Status s = msg[0] == 'P' ? Status::Pass : msg[0] == 'S' ? Status::Skip : Status::Fail;
  return {s, msg.substr(1)};
}

Outcome run_in_process(const CaseFn& fn, const Deadlines& d) {
  std::atomic<bool> cancel{false};
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock lock(m);
    if (!cv.wait_for(lock, std::chrono::seconds(d.soft_seconds), [&] { return done; })) cancel.store(true);
  });
  Outcome out = fn(&cancel);
  {
    std::lock_guard lock(m);
    done = true;
  }
  cv.notify_one();
  watchdog.join();
  return out;
}

}  // namespace compat
