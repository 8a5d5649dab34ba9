// The signed log's writer thread and group commit (see signed_log.h).
#include "hsm/signed_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "hsm/bytes.h"
#include "hsm/json_scan.h"
#include "hsm/jws.h"
#include "hsm/log_files.h"
#include "hsm/log_format.h"

namespace trex::hsm {

namespace {

using Clock = std::chrono::steady_clock;

// A sync append (or a flush) waits on its ticket; the writer fills it in.
struct Ticket {
  bool done = false;
  bool ok = false;
  std::string error;
};

// Called once the record is durable (or has failed): append_async's way of not blocking its caller.
using Callback = std::function<void(bool ok, const std::string& error)>;

struct Item {
  std::string kind;    // empty: a flush barrier, no line
  std::string record;  // compact JSON object
  Ticket* ticket = nullptr;  // a blocked sync append or flush
  Callback callback;         // a sync append_async
  Clock::time_point enqueued;

  bool awaited() const { return ticket != nullptr || callback != nullptr; }
};

struct Completion {
  Callback callback;
  bool ok;
  std::string error;
};

}  // namespace

struct SignedLog::Impl {
  SignedLogOptions opt;
  std::shared_ptr<Signer> signer;
  LogTail recovered;

  // Owned by the writer thread (and by open() before it starts).
  uint64_t next_seq = 0;
  std::string prev;
  int fd = -1;
  uint64_t segment_size = 0;
  uint64_t pending_recovered_bytes = 0;  // reported by the next checkpoint that makes it to disk
  bool checkpoint_due = false;           // recovery left records without a checkpoint
  bool broken = false;                   // a failed write could not be rolled back: stop writing

  mutable std::mutex mu;
  std::condition_variable work_cv;  // the writer waits for records
  std::condition_variable done_cv;  // sync appenders wait for their tickets
  std::deque<Item> queue;
  std::vector<Completion> completions;  // callbacks to run once the lock is released
  // Tickets of finished batches (ok and error set), released after those batches' callbacks have run, so a
  // flush() that returns has seen every earlier append_async answered.
  std::vector<Ticket*> finished_tickets;
  size_t queued_records = 0;  // records (not barriers) in queue
  size_t waiters = 0;         // items in queue with a ticket: someone is blocked, don't linger
  bool stopping = false;
  bool is_healthy = true;
  std::string last_error;
  SignedLogStats stats;
  std::thread writer;

  void run();
  bool write_batch(const std::vector<Item>& batch, bool& sign_failed, std::string& error);
  bool open_segment(std::string& error);
  // Validates and queues one record (the lock is held on entry and on return). Sync records carry the
  // waiting caller's ticket or callback.
  // `compact_record`, when given, is used as the line's record as it is (moved from), without normalizing.
  bool enqueue(std::string_view kind, std::string_view record_json, Ticket* ticket,
               std::function<void(bool, const std::string&)>* callback, std::unique_lock<std::mutex>& lk,
               std::string& error, std::string* compact_record = nullptr);
  // Runs the collected append_async callbacks without the lock (they may take other locks), relocks, then
  // releases the finished tickets.
  void run_completions(std::unique_lock<std::mutex>& lk) {
    if (!completions.empty()) {
      std::vector<Completion> todo;
      todo.swap(completions);
      lk.unlock();
      for (auto& c : todo) c.callback(c.ok, c.error);
      lk.lock();
    }
    if (finished_tickets.empty()) return;
    for (Ticket* t : finished_tickets) t->done = true;
    finished_tickets.clear();
    done_cv.notify_all();
  }
  void finish(std::vector<Item>& batch, bool ok, bool sign_failed, const std::string& error,
              std::unique_lock<std::mutex>& lk);
};

SignedLog::SignedLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::unique_ptr<SignedLog> SignedLog::open(const SignedLogOptions& options, std::shared_ptr<Signer> signer,
                                           std::string& error) {
  if (!signer) {
    error = "the signed log needs a signer";
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  impl->opt = options;
  impl->opt.max_batch = std::max<size_t>(1, options.max_batch);
  impl->signer = std::move(signer);
  if (!recover_log(options.dir, impl->recovered, error)) return nullptr;
  const LogTail& tail = impl->recovered;
  impl->next_seq = tail.next_seq;
  impl->prev = tail.prev;
  impl->pending_recovered_bytes = tail.cut_bytes;
  impl->checkpoint_due = tail.cut_bytes > 0 || tail.uncovered > 0;
  if (!tail.segment_path.empty()) {
    impl->fd = ::open(tail.segment_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (impl->fd < 0) {
      error = "cannot open " + tail.segment_path + ": " + std::strerror(errno);
      return nullptr;
    }
    impl->segment_size = tail.segment_size;
  }
  impl->stats.next_seq = impl->next_seq;
  Impl* raw = impl.get();
  impl->writer = std::thread([raw] { raw->run(); });
  return std::unique_ptr<SignedLog>(new SignedLog(std::move(impl)));
}

SignedLog::~SignedLog() { close(); }

bool SignedLog::append(std::string_view kind, std::string_view record_json, std::string& error) {
  Impl& s = *impl_;
  Ticket ticket;
  std::unique_lock<std::mutex> lk(s.mu);
  if (!s.enqueue(kind, record_json, &ticket, nullptr, lk, error)) return false;
  if (s.opt.durability != Durability::Sync) return true;
  s.done_cv.wait(lk, [&] { return ticket.done; });
  if (!ticket.ok) error = ticket.error;
  return ticket.ok;
}

void SignedLog::append_async(std::string_view kind, std::string record_json,
                             std::function<void(bool ok, const std::string& error)> done, bool compact) {
  Impl& s = *impl_;
  std::string error;
  bool queued;
  {
    std::unique_lock<std::mutex> lk(s.mu);
    queued = s.enqueue(kind, record_json, nullptr, s.opt.durability == Durability::Sync ? &done : nullptr, lk, error,
                       compact ? &record_json : nullptr);
  }
  // Async durability (or a record refused before queuing): the outcome is known now.
  if (!queued) done(false, error);
  else if (s.opt.durability != Durability::Sync) done(true, {});
}

bool SignedLog::Impl::enqueue(std::string_view kind, std::string_view record_json, Ticket* ticket,
                              std::function<void(bool, const std::string&)>* callback,
                              std::unique_lock<std::mutex>& lk, std::string& error, std::string* compact_record) {
  if (kind != kKindDecision && kind != kKindOutcome) {
    error = "a log record's kind is \"decision\" or \"outcome\", not \"" + std::string(kind) + "\"";
    return false;
  }
  Item item;
  item.kind = std::string(kind);
  // Parsed and re-serialised on the caller's thread (without the lock): the writer thread only hashes and
  // writes.
  if (compact_record) {
    // Vouched for by the caller; only the shape a line needs is checked.
    if (compact_record->size() < 2 || compact_record->front() != '{' || compact_record->back() != '}' ||
        compact_record->find('\n') != std::string::npos) {
      error = "invalid log record: not one compact JSON object";
      return false;
    }
    item.record = std::move(*compact_record);
  } else {
    lk.unlock();
    bool normalized = normalize_record(record_json, item.record, error);
    lk.lock();
    if (!normalized) {
      error = "invalid log record: " + error;
      return false;
    }
  }
  const bool sync = opt.durability == Durability::Sync;
  if (stopping) {
    error = "the signed log is closed";
    ++stats.failed;
    return false;
  }
  if (!sync && queued_records >= opt.queue_capacity) {
    if (opt.overflow == OverflowPolicy::Drop) {
      ++stats.dropped;
      error = "signed log queue full: record dropped (" + std::to_string(stats.dropped) + " so far)";
    } else {
      ++stats.failed;
      error = "signed log queue full (" + std::to_string(opt.queue_capacity) + " records)";
    }
    return false;
  }
  item.enqueued = Clock::now();
  if (sync) {
    item.ticket = ticket;
    if (callback) item.callback = std::move(*callback);
    ++waiters;
  }
  // The writer waits for the first record, then (async) for the batch to fill: it needs waking only when
  // one of those waits could end — a first record, a waiter, a full batch. Waking it for every record made
  // it rise and go back to sleep once per decision (a futex call here, a wake-up on the other core there).
  const bool writer_waits_for_this = queue.empty() || sync || queued_records + 1 >= opt.max_batch;
  queue.push_back(std::move(item));
  ++queued_records;
  if (writer_waits_for_this) work_cv.notify_one();
  return true;
}

bool SignedLog::flush(std::string& error) {
  Impl& s = *impl_;
  Ticket ticket;
  std::unique_lock<std::mutex> lk(s.mu);
  if (s.stopping) {
    error = "the signed log is closed";
    return false;
  }
  Item barrier;
  barrier.ticket = &ticket;
  barrier.enqueued = Clock::now();
  s.queue.push_back(std::move(barrier));
  ++s.waiters;
  s.work_cv.notify_one();
  s.done_cv.wait(lk, [&] { return ticket.done; });
  if (!ticket.ok) error = ticket.error;
  return ticket.ok;
}

void SignedLog::close() {
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lk(s.mu);
    if (s.stopping && !s.writer.joinable()) return;
    s.stopping = true;
  }
  s.work_cv.notify_all();
  if (s.writer.joinable()) s.writer.join();
  if (s.fd >= 0) {
    ::close(s.fd);
    s.fd = -1;
  }
}

bool SignedLog::healthy() const {
  std::lock_guard<std::mutex> lk(impl_->mu);
  return impl_->is_healthy;
}

std::string SignedLog::last_error() const {
  std::lock_guard<std::mutex> lk(impl_->mu);
  return impl_->last_error;
}

SignedLogStats SignedLog::stats() const {
  std::lock_guard<std::mutex> lk(impl_->mu);
  SignedLogStats st = impl_->stats;
  st.queued = impl_->queued_records;
  return st;
}

const LogTail& SignedLog::recovered() const { return impl_->recovered; }

// ---- the writer thread ----

void SignedLog::Impl::run() {
  std::unique_lock<std::mutex> lk(mu);
  auto backoff = std::chrono::milliseconds(50);
  for (;;) {
    work_cv.wait(lk, [&] { return !queue.empty() || stopping || checkpoint_due; });
    if (queue.empty() && stopping && !checkpoint_due) break;

    // Async: give a batch up to max_delay_ms to fill, unless someone is blocked waiting on it.
    if (!queue.empty() && waiters == 0 && !stopping && queued_records < opt.max_batch && opt.max_delay_ms > 0) {
      auto deadline = queue.front().enqueued + std::chrono::milliseconds(opt.max_delay_ms);
      work_cv.wait_until(lk, deadline, [&] { return stopping || waiters > 0 || queued_records >= opt.max_batch; });
    }

    std::vector<Item> batch;
    size_t records = 0;
    while (!queue.empty() && records < opt.max_batch) {
      Item& front = queue.front();
      if (!front.kind.empty()) {
        ++records;
        --queued_records;
      }
      if (front.awaited()) --waiters;
      batch.push_back(std::move(front));
      queue.pop_front();
    }

    lk.unlock();
    bool sign_failed = false;
    std::string error;
    bool ok = write_batch(batch, sign_failed, error);
    lk.lock();
    finish(batch, ok, sign_failed, error, lk);
    run_completions(lk);

    if (ok) {
      backoff = std::chrono::milliseconds(50);
    } else if (stopping) {
      // Closing with a broken signer or file: what is still queued can't be signed. Count it, don't hang.
      for (const Item& item : queue) {
        if (!item.kind.empty()) ++stats.dropped;
        std::string why = "the signed log closed before the record could be signed: " + error;
        if (item.ticket) {
          item.ticket->error = why;
          finished_tickets.push_back(item.ticket);
        }
        if (item.callback) completions.push_back({std::move(item.callback), false, why});
      }
      queue.clear();
      queued_records = waiters = 0;
      checkpoint_due = false;
      run_completions(lk);
      break;
    } else if (!queue.empty() || checkpoint_due) {
      // Retried records stay at the head of the queue; don't spin on a token that is gone.
      work_cv.wait_for(lk, backoff, [&] { return stopping; });
      backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    }
  }
}

void SignedLog::Impl::finish(std::vector<Item>& batch, bool ok, bool sign_failed, const std::string& error,
                             std::unique_lock<std::mutex>&) {
  if (ok) {
    is_healthy = true;
    for (Item& item : batch) {
      if (!item.kind.empty()) ++stats.records;
      if (item.ticket) {
        item.ticket->ok = true;
        finished_tickets.push_back(item.ticket);
      }
      if (item.callback) completions.push_back({std::move(item.callback), true, {}});
    }
    stats.next_seq = next_seq;
  } else {
    is_healthy = false;
    last_error = error;
    if (sign_failed) ++stats.sign_failures;
    // Sync records fail now (their callers answer 503); async records go back to the head, in order.
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
      if (it->ticket) {
        if (!it->kind.empty()) ++stats.failed;
        it->ticket->error = error;
        finished_tickets.push_back(it->ticket);
      } else if (it->callback) {
        if (!it->kind.empty()) ++stats.failed;
        completions.push_back({std::move(it->callback), false, error});
      } else if (!it->kind.empty()) {
        queue.push_front(std::move(*it));
        ++queued_records;
      }
    }
  }
}

bool SignedLog::Impl::open_segment(std::string& error) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
  std::string path = opt.dir + "/" + segment_name(next_seq);
  // O_EXCL: never append to a segment recovery didn't check. (A segment left empty by a failed batch is
  // reused: segment_size is 0 and fd still open, so we don't get here for it.)
  fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) {
    error = "cannot create " + path + ": " + std::strerror(errno);
    return false;
  }
  segment_size = 0;
  return fsync_dir(opt.dir, error);  // the new name must survive a crash as well as its bytes
}

bool SignedLog::Impl::write_batch(const std::vector<Item>& batch, bool& sign_failed, std::string& error) {
  sign_failed = false;
  if (broken) {
    error = "the signed log file is in an unknown state after a failed write; restart to recover";
    return false;
  }
  size_t records = 0;
  for (const Item& item : batch)
    if (!item.kind.empty()) ++records;
  if (records == 0 && !checkpoint_due) return true;  // only flush barriers: everything before is covered

  // Build the lines and the checkpoint in memory first: nothing reaches the file unsigned.
  std::string buf;
  uint64_t seq = next_seq;
  std::string head = prev;
  for (const Item& item : batch) {
    if (item.kind.empty()) continue;
    std::string line = make_line(seq, head, item.kind, item.record);
    head = sha256_hex(line);
    buf += line;
    buf += '\n';
    ++seq;
  }
  CheckpointPayload payload{opt.log_name, seq, head, rfc3339_now(), pending_recovered_bytes};
  std::string jws;
  if (!jws_sign(*signer, checkpoint_payload_json(payload), jws, error)) {
    sign_failed = true;
    error = "signing the checkpoint failed: " + error;
    return false;
  }
  std::string checkpoint = make_line(seq, head, kKindCheckpoint, "{\"jws\":" + json_quote(jws) + "}");
  buf += checkpoint;
  buf += '\n';

  if (fd < 0 || (segment_size > 0 && segment_size >= opt.segment_bytes)) {
    if (!open_segment(error)) return false;
  }
  if (!write_all(fd, buf.data(), buf.size(), error) || ::fdatasync(fd) != 0) {
    if (error.empty()) error = std::string("fdatasync failed: ") + std::strerror(errno);
    // Roll the file back so the chain on disk stays whole; if even that fails, stop writing.
    if (::ftruncate(fd, off_t(segment_size)) != 0 || ::fdatasync(fd) != 0) broken = true;
    return false;
  }
  segment_size += buf.size();
  next_seq = seq + 1;
  prev = sha256_hex(checkpoint);
  pending_recovered_bytes = 0;
  checkpoint_due = false;
  std::lock_guard<std::mutex> lk(mu);
  ++stats.checkpoints;
  return true;
}

}  // namespace trex::hsm
