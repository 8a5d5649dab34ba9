// SignedLog: the append side of the HSM-signed, hash-chained decision log (format in log_format.h).
//
// Callers hand in records as JSON object text; one writer thread assigns seq/prev, and group-commits:
// it writes a batch of lines followed by one checkpoint signed through the Signer (inside the token), then
// fdatasyncs. A batch holds at most max_batch records; in async mode the writer also waits at most
// max_delay_ms after a batch's first record for more. Sync appends never wait for more records: whatever
// queued up while the previous batch was being signed and synced forms the next batch, so under light load
// every decision gets its own checkpoint and under heavy load one signature covers many.
//
// Fail closed: lines reach the file only together with their signed checkpoint. When signing fails, sync
// appends of that batch fail (the server answers 503), nothing is written, and healthy() turns false until
// a later signature succeeds; async records stay queued and are retried, so a full queue reports errors
// (or counted drops) instead of losing records silently. Never throws.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "hsm/log_recovery.h"
#include "hsm/signer.h"

namespace trex::hsm {

enum class Durability { Sync, Async };
enum class OverflowPolicy { Error, Drop };  // async: what a full queue does to append()

struct SignedLogOptions {
  std::string dir = "./decisions";
  std::string log_name = "trex";         // checkpoint payload "log": names the log to auditors
  Durability durability = Durability::Sync;
  size_t max_batch = 256;                // records per checkpoint, at most
  int max_delay_ms = 5;                  // async: longest wait for a batch to fill
  size_t queue_capacity = 65536;         // async: records waiting for the writer, at most
  OverflowPolicy overflow = OverflowPolicy::Error;
  uint64_t segment_bytes = 64ull << 20;  // start a new segment file once the current one reaches this
};

struct SignedLogStats {
  uint64_t records = 0;        // decision/outcome lines written (and covered by a checkpoint)
  uint64_t checkpoints = 0;
  uint64_t dropped = 0;        // async records refused by a full queue (OverflowPolicy::Drop) or lost at close
  uint64_t failed = 0;         // appends answered with an error
  uint64_t sign_failures = 0;  // checkpoints the signer refused
  uint64_t queued = 0;         // records waiting now
  uint64_t next_seq = 0;
};

class SignedLog {
 public:
  // Recovers `options.dir` (see log_recovery.h) and starts the writer thread. When recovery cut a torn
  // line or found records after the last checkpoint, a checkpoint carrying "recovered_bytes" is written
  // first. Null with `error` when the directory can't be recovered.
  static std::unique_ptr<SignedLog> open(const SignedLogOptions& options, std::shared_ptr<Signer> signer,
                                         std::string& error);
  ~SignedLog();  // close()
  SignedLog(const SignedLog&) = delete;
  SignedLog& operator=(const SignedLog&) = delete;

  // Appends one record. `kind` is "decision" or "outcome"; `record_json` one JSON object whose members
  // follow seq/prev/kind on the line (it must not have its own seq, prev, kind or jws; it is re-serialised
  // on one line, numbers kept as written). Sync: returns after the line and a covering checkpoint are
  // fsynced. Async: returns once queued. False with `error` otherwise.
  bool append(std::string_view kind, std::string_view record_json, std::string& error);

  // The same without blocking: `done` is called exactly once — in sync mode from the writer thread after the
  // covering checkpoint is fsynced (or the batch failed), in async mode (and for a refused record) before
  // append_async returns. This lets a server with few threads keep many decisions in one group commit.
  //
  // `compact`: the caller vouches that record_json is already one compact JSON object on one line, valid
  // UTF-8, without duplicate keys or seq/prev/kind/jws members (e.g. the output of trex's own JSON writer),
  // so it is not parsed and re-serialised again — the dominant cost of logging on the request thread.
  void append_async(std::string_view kind, std::string record_json,
                    std::function<void(bool ok, const std::string& error)> done, bool compact = false);

  // Waits until every record queued before the call is written, checkpointed and fsynced, and the
  // append_async callbacks of those records have returned.
  bool flush(std::string& error);
  // Flushes, stops the writer and closes the file. Appends afterwards fail.
  void close();

  bool healthy() const;
  std::string last_error() const;
  SignedLogStats stats() const;
  const LogTail& recovered() const;  // what recovery found at open

  struct Impl;

 private:
  explicit SignedLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace trex::hsm
