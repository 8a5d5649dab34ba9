// The server's storage: base data, policy sources and the policy set compiled from them, published as one
// immutable Snapshot. Readers take the current snapshot with one atomic load and evaluate against it without
// locks, however long they take; a writer builds the next snapshot inside a transaction (one writer at a
// time) and publishes it with one atomic store, so an evaluation never sees half a write and a bad write
// (a policy that does not compile, data that collides with a rule) leaves the old snapshot in force.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "rego/engine.h"
#include "rego/value.h"
#include "server/storage_path.h"

namespace trex::server {

// A bundle activated at startup (or later by the bundle plugin): what /v1/status, /health?bundles,
// provenance and the Data API's scope checks need to know of it.
struct BundleInfo {
  std::string name;
  std::string revision;
  std::vector<std::string> roots;  // "a/b" style; "" = every path
};

struct Snapshot {
  rego::Value data = rego::Value::empty_object();  // base documents
  std::map<std::string, std::string> policies;      // policy id -> Rego source
  std::shared_ptr<const rego::CompiledPolicy> policy;
  // Lowercase hex SHA-256 of the policy set: for each module in id order, its id, a NUL byte, its source and
  // a NUL byte. Decision records carry it, so a decision can be tied to the exact policies that made it.
  std::string policy_sha256;
  std::vector<BundleInfo> bundles;
  uint64_t version = 0;  // grows by one with every committed write
};

// Why a write was refused; the API layer turns it into a status and OPA's error body.
struct WriteError {
  enum Kind {
    Storage,       // see storage.kind
    BadRequest,    // a bundle owns the path, an empty module...: 400 invalid_parameter
    PathConflict,  // data collides with a rule: 400 invalid_parameter, message lists the compile errors
    Compile,       // the policy set does not compile: 400, errors carry the compiler's errors
  } kind = Storage;
  StorageError storage{};
  std::string message;
  rego::Errors errors;
};

class Store;

// A write transaction: holds the writer lock, works on a private copy, publishes on commit(). Destroying
// it without commit() discards every change.
class Transaction {
 public:
  const rego::Value& data() const { return next_.data; }
  const Snapshot& base() const { return *base_; }

  // Data operations, each checked as OPA does (bundle scope, existence). On error nothing changes.
  std::optional<WriteError> read(const StoragePath& path, rego::Value& out) const;
  std::optional<WriteError> write(PatchOp op, const StoragePath& path, const rego::Value& value);
  std::optional<WriteError> make_dir(const StoragePath& path);

  // Policy operations; compiled at commit.
  const std::string* policy(const std::string& id) const;
  void upsert_policy(const std::string& id, std::string text);
  bool delete_policy(const std::string& id);

  // Bundle activation (startup loading, later the bundle plugin).
  void set_bundles(std::vector<BundleInfo> bundles) { next_.bundles = std::move(bundles); }

  // A path owned by a bundle cannot be written through the API (OPA's checkPathScope).
  std::optional<WriteError> check_scope(const StoragePath& path) const;

  // Compiles the policies when they changed, checks data against rule paths, publishes. On error the
  // store keeps its current snapshot.
  std::optional<WriteError> commit();

 private:
  friend class Store;
  explicit Transaction(Store& store);

  Store& store_;
  std::unique_lock<std::mutex> lock_;
  std::shared_ptr<const Snapshot> base_;
  Snapshot next_;
  bool policies_changed_ = false;
  bool data_changed_ = false;
};

class Store {
 public:
  Store();

  // The current snapshot: lock-free for readers, valid as long as the caller holds it.
  std::shared_ptr<const Snapshot> snapshot() const { return current_.load(std::memory_order_acquire); }

  // Whether the current policy set calls the network (rego::calls_network), without taking the snapshot: the
  // server asks on every request. Never false while a snapshot whose policy calls the network is current.
  bool policy_calls_network() const { return calls_network_.load(std::memory_order_acquire); }

  // Starts the (single) write transaction; blocks while another is open.
  Transaction begin();

  rego::CompileOptions compile_options;

 private:
  friend class Transaction;
  std::atomic<std::shared_ptr<const Snapshot>> current_;
  std::atomic<bool> calls_network_{false};
  std::mutex writer_;
};

}  // namespace trex::server
