// Snapshot storage with single-writer transactions (store.h).
#include "server/store.h"

#include <openssl/evp.h>

namespace trex::server {

namespace {

std::string policy_set_sha256(const std::map<std::string, std::string>& policies) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  const char nul = 0;
  for (const auto& [id, text] : policies) {
    EVP_DigestUpdate(ctx, id.data(), id.size());
    EVP_DigestUpdate(ctx, &nul, 1);
    EVP_DigestUpdate(ctx, text.data(), text.size());
    EVP_DigestUpdate(ctx, &nul, 1);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 15]);
  }
  return out;
}

bool path_owned(const StoragePath& path, const std::string& root) {
  // Compares segment-wise: "a/b" owns a, a/b and a/b/c (a write to a parent would overwrite it too).
  size_t pos = 0;
  for (const auto& seg : path) {
    if (pos > root.size()) return true;
    size_t slash = root.find('/', pos);
    std::string_view part(root.data() + pos, (slash == std::string::npos ? root.size() : slash) - pos);
    if (part != seg) return false;
    pos = slash == std::string::npos ? root.size() + 1 : slash + 1;
  }
  return true;
}

WriteError storage_error(StorageError e) {
  WriteError w;
  w.kind = WriteError::Storage;
  w.storage = std::move(e);
  w.message = w.storage.message;
  return w;
}

}  // namespace

Store::Store() {
  auto initial = std::make_shared<Snapshot>();
  auto compiled = rego::compile({});
  initial->policy = compiled.policy;
  initial->policy_sha256 = policy_set_sha256(initial->policies);
  current_.store(std::move(initial));
}

Transaction Store::begin() { return Transaction(*this); }

Transaction::Transaction(Store& store)
    : store_(store), lock_(store.writer_), base_(store.snapshot()), next_(*base_) {}

std::optional<WriteError> Transaction::check_scope(const StoragePath& path) const {
  for (const auto& b : next_.bundles) {
    for (const auto& root : b.roots) {
      if (root.empty() || (path.empty())) {
        WriteError e{WriteError::BadRequest, {}, path.empty() && !root.empty()
                                                     ? "can't write to document root with bundle roots configured"
                                                     : "all paths owned by bundle \"" + b.name + "\"", {}};
        return e;
      }
      if (path_owned(path, root)) {
        std::string joined = path_string(path).substr(1);
        return WriteError{WriteError::BadRequest, {}, "path " + joined + " is owned by bundle \"" + b.name + "\"", {}};
      }
    }
  }
  return std::nullopt;
}

std::optional<WriteError> Transaction::read(const StoragePath& path, rego::Value& out) const {
  StorageError err;
  auto v = storage_read(next_.data, path, err);
  if (!v) return storage_error(std::move(err));
  out = std::move(*v);
  return std::nullopt;
}

std::optional<WriteError> Transaction::write(PatchOp op, const StoragePath& path, const rego::Value& value) {
  StorageError err;
  auto v = storage_write(next_.data, op, path, value, err);
  if (!v) return storage_error(std::move(err));
  next_.data = std::move(*v);
  data_changed_ = true;
  return std::nullopt;
}

std::optional<WriteError> Transaction::make_dir(const StoragePath& path) {
  StorageError err;
  auto v = storage_make_dir(next_.data, path, err);
  if (!v) return storage_error(std::move(err));
  next_.data = std::move(*v);
  data_changed_ = true;
  return std::nullopt;
}

const std::string* Transaction::policy(const std::string& id) const {
  auto it = next_.policies.find(id);
  return it == next_.policies.end() ? nullptr : &it->second;
}

void Transaction::upsert_policy(const std::string& id, std::string text) {
  next_.policies[id] = std::move(text);
  policies_changed_ = true;
}

bool Transaction::delete_policy(const std::string& id) {
  if (next_.policies.erase(id) == 0) return false;
  policies_changed_ = true;
  return true;
}

std::optional<WriteError> Transaction::commit() {
  if (policies_changed_) {
    std::vector<rego::ModuleText> modules;
    modules.reserve(next_.policies.size());
    for (const auto& [id, text] : next_.policies) modules.push_back({id, text});
    auto compiled = rego::compile(modules, store_.compile_options);
    if (!compiled.policy) return WriteError{WriteError::Compile, {}, "", std::move(compiled.errors)};
    next_.policy = std::move(compiled.policy);
    next_.policy_sha256 = policy_set_sha256(next_.policies);
  }
  if (policies_changed_ || data_changed_) {
    const rego::Value& data = next_.data;
    auto conflicts = rego::check_path_conflicts(
        *next_.policy, [&](const std::vector<std::string>& path) { return storage_non_empty(data, path); });
    if (!conflicts.empty()) {
      WriteError e{policies_changed_ ? WriteError::Compile : WriteError::PathConflict, {}, "", std::move(conflicts)};
      return e;
    }
  }
  next_.version = base_->version + 1;
  // Raised before the snapshot that needs it is published, lowered after the last one that did is replaced.
  const bool calls_network = next_.policy && rego::calls_network(*next_.policy);
  if (calls_network) store_.calls_network_.store(true, std::memory_order_release);
  store_.current_.store(std::make_shared<const Snapshot>(std::move(next_)), std::memory_order_release);
  if (!calls_network) store_.calls_network_.store(false, std::memory_order_release);
  lock_.unlock();
  return std::nullopt;
}

}  // namespace trex::server
