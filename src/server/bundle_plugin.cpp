// The bundle plugin (bundle_plugin.h).
#include "server/bundle_plugin.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "load/bundle.h"
#include "load/documents.h"
#include "server/api.h"
#include "server/config.h"
#include "server/decision_log.h"
#include "server/service_client.h"

namespace trex::server {

using rego::Value;

namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

const Value* string_at(const Value& v, const char* key) {
  const Value* s = v.get(key);
  return s && s->is_string() ? s : nullptr;
}

bool read_delay(const Value& polling, const std::string& where, const char* key, std::chrono::milliseconds& out,
                std::string& error) {
  const Value* v = polling.get(key);
  if (!v) return true;
  if (!v->is_int() || v->as_int() < 0) {
    error = "invalid configuration: " + where + ".polling." + key + " must be a non-negative integer";
    return false;
  }
  out = std::chrono::seconds(v->as_int());
  return true;
}

// "a/b" -> {"a", "b"}; "" -> {} (the whole document).
StoragePath root_path(const std::string& root) {
  StoragePath out;
  size_t pos = 0;
  while (pos < root.size()) {
    size_t slash = root.find('/', pos);
    if (slash == std::string::npos) slash = root.size();
    if (slash > pos) out.push_back(root.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

// Roots overlap when one is a prefix of the other, segment-wise ("" overlaps everything).
bool roots_overlap(const std::string& a, const std::string& b) {
  StoragePath pa = root_path(a), pb = root_path(b);
  size_t n = std::min(pa.size(), pb.size());
  return std::equal(pa.begin(), pa.begin() + static_cast<std::ptrdiff_t>(n), pb.begin());
}

}  // namespace

std::optional<BundlePluginConfig> bundle_plugin_config(const Value& cfg, std::string& error) {
  const Value* bundles = config_at(cfg, {"bundles"});
  if (!bundles) return std::nullopt;
  if (!bundles->is_object()) {
    error = "invalid configuration: bundles must be an object of bundle names";
    return std::nullopt;
  }
  BundlePluginConfig out;
  if (const Value* dir = config_at(cfg, {"persistence_directory"})) {
    if (!dir->is_string()) {
      error = "invalid configuration: persistence_directory must be a string";
      return std::nullopt;
    }
    out.persistence_directory = dir->as_string();
  }
  const Value* services = config_at(cfg, {"services"});
  const Value empty = Value::empty_object();
  if (!services) services = &empty;
  for (const auto& [key, b] : bundles->as_object()) {
    const std::string name = key.as_string();
    const std::string where = "bundles." + name;
    if (!b.is_object()) {
      error = "invalid configuration: " + where + " must be an object";
      return std::nullopt;
    }
    BundleSource src;
    src.name = name;
    // As OPA: the service may be left out when there is exactly one.
    std::string service_name;
    if (const Value* s = b.get("service")) {
      if (!s->is_string()) {
        error = "invalid configuration: " + where + ".service must be a string";
        return std::nullopt;
      }
      service_name = s->as_string();
    } else if (auto names = service_names(*services); names.size() == 1) {
      service_name = names.front();
    }
    const Value* svc = find_service(*services, service_name);
    if (!svc || !svc->is_object() || !string_at(*svc, "url")) {
      error = "invalid configuration: " + where + ".service \"" + service_name + "\" names no service with a url";
      return std::nullopt;
    }
    ServiceRequestOptions service;
    if (!service_request_options(*svc, service_name, service, error)) return std::nullopt;
    std::string resource = "bundles/" + name;
    if (const Value* r = b.get("resource")) {
      if (!r->is_string()) {
        error = "invalid configuration: " + where + ".resource must be a string";
        return std::nullopt;
      }
      resource = r->as_string();
    }
    while (!resource.empty() && resource.front() == '/') resource.erase(0, 1);
    src.url = service.url + "/" + resource;
    src.headers = std::move(service.headers);
    src.tls = std::move(service.tls);
    if (const Value* polling = b.get("polling"); polling && polling->is_object()) {
      if (!read_delay(*polling, where, "min_delay_seconds", src.min_delay, error) ||
          !read_delay(*polling, where, "max_delay_seconds", src.max_delay, error))
        return std::nullopt;
    }
    if (src.max_delay < src.min_delay) {
      error = "invalid configuration: " + where + ": max polling delay must be >= min polling delay";
      return std::nullopt;
    }
    if (const Value* p = b.get("persist")) {
      if (!p->is_boolean()) {
        error = "invalid configuration: " + where + ".persist must be a boolean";
        return std::nullopt;
      }
      src.persist = p->as_bool();
    }
    if (const Value* signing = b.get("signing"); signing && signing->is_object()) {
      const Value* keys = config_at(cfg, {"keys"});
      std::string keyid;
      if (const Value* k = string_at(*signing, "keyid")) keyid = k->as_string();
      // Without a keyid the only configured key is meant (OPA would take the JWT's kid; trex verifies with
      // one key per bundle, so it must be known here).
      if (keyid.empty() && keys && keys->is_object() && keys->as_object().size() == 1)
        keyid = keys->as_object().begin()->first.as_string();
      const Value* key = keys && keys->is_object() && !keyid.empty() ? keys->get(keyid) : nullptr;
      const Value* text = key && key->is_object() ? string_at(*key, "key") : nullptr;
      if (!text) {
        error = "invalid configuration: " + where + ".signing: keyid \"" + keyid + "\" names no key under keys";
        return std::nullopt;
      }
      load::VerificationConfig v;
      v.key = text->as_string();
      v.key_id = keyid;
      if (const Value* alg = string_at(*key, "algorithm")) v.algorithm = alg->as_string();
      if (const Value* scope = string_at(*key, "scope")) v.scope = scope->as_string();
      if (const Value* scope = string_at(*signing, "scope")) v.scope = scope->as_string();
      if (const Value* ex = signing->get("exclude_files"); ex && ex->is_array())
        for (const auto& f : ex->as_array())
          if (f.is_string()) v.exclude_files.push_back(f.as_string());
      src.verification = std::move(v);
    }
    out.bundles.push_back(std::move(src));
  }
  if (out.bundles.empty()) return std::nullopt;
  return out;
}

struct BundlePlugin::State {
  BundleSource src;
  std::string etag;
  std::vector<std::string> policy_ids;  // this bundle's modules in the store, removed on the next activation
  std::atomic<bool> activated{false};  // read by the other bundles' threads (readiness)
  BundleStatus status;
  std::mt19937_64 rng{std::random_device{}()};
};

BundlePlugin::BundlePlugin(BundlePluginConfig config, ServerContext& ctx) : config_(std::move(config)), ctx_(ctx) {
  for (auto& b : config_.bundles) {
    auto st = std::make_unique<State>();
    st->src = b;
    st->status.name = b.name;
    ctx_.bundle_status.set(st->status);
    states_.push_back(std::move(st));
  }
  ctx_.plugins.set("bundle", "NOT_READY");
}

BundlePlugin::~BundlePlugin() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

std::string BundlePlugin::persisted_path(const std::string& name) const {
  return (std::filesystem::path(config_.persistence_directory) / "bundles" / name / "bundle.tar.gz").string();
}

void BundlePlugin::start() {
  for (auto& st : states_) {
    if (!st->src.persist) continue;
    std::string error;
    auto bytes = load::read_file(persisted_path(st->src.name), error);
    if (!bytes) continue;  // nothing persisted yet
    if (activate(*st, *bytes, error)) {
      if (ctx_.logger)
        ctx_.logger->log(LogLevel::Info, "Bundle loaded from disk and activated successfully.",
                         {{"name", Value::string(st->src.name)}, {"revision", Value::string(st->status.active_revision)}});
    } else if (ctx_.logger) {
      ctx_.logger->log(LogLevel::Error, "Failed to load bundle from disk.",
                       {{"name", Value::string(st->src.name)}, {"err", Value::string(error)}});
    }
    ctx_.bundle_status.set(st->status);
  }
  update_readiness();
  for (auto& st : states_) threads_.emplace_back([this, s = st.get()] { run(*s); });
}

void BundlePlugin::update_readiness() {
  bool all = std::all_of(states_.begin(), states_.end(), [](const auto& s) { return s->activated.load(); });
  // Only this plugin's threads flip it, and only from NOT_READY to OK.
  ctx_.plugins.set("bundle", all ? "OK" : "NOT_READY");
}

void BundlePlugin::run(State& st) {
  int failures = 0;
  while (true) {
    bool ok = download(st);
    std::chrono::milliseconds delay;
    if (ok) {
      failures = 0;
      auto span = (st.src.max_delay - st.src.min_delay).count();
      delay = st.src.min_delay +
              std::chrono::milliseconds(span > 0 ? static_cast<int64_t>(st.rng() % static_cast<uint64_t>(span + 1)) : 0);
    } else {
      // 100ms, 200ms, 400ms... with jitter, never more than the max delay (OPA's retry backoff).
      ++failures;
      double base = 100.0 * static_cast<double>(uint64_t{1} << std::min(failures - 1, 20));
      double jitter = 0.8 + 0.4 * static_cast<double>(st.rng() % 1000) / 1000.0;
      auto ms = static_cast<int64_t>(base * jitter);
      delay = std::min(st.src.max_delay, std::chrono::milliseconds(ms));
    }
    delay = std::max(delay, std::chrono::milliseconds(50));  // a zero delay must not spin
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, delay, [&] { return stopping_; })) return;
  }
}

bool BundlePlugin::download(State& st) {
  rego::http::Request req;
  req.method = "GET";
  req.url = st.src.url;
  req.headers = st.src.headers;
  if (!st.etag.empty()) req.headers.emplace_back("If-None-Match", st.etag);
  req.tls = st.src.tls;
  req.timeout = std::chrono::seconds(30);
  st.status.last_request_ns = now_ns();
  auto fail = [&](const std::string& code, const std::string& message, std::vector<std::string> errors = {}) {
    st.status.code = code;
    st.status.message = message;
    st.status.errors = std::move(errors);
    ctx_.bundle_status.set(st.status);
    if (ctx_.logger) {
      std::string all = message;
      for (const auto& e : st.status.errors) all += "\n" + e;
      ctx_.logger->log(LogLevel::Error, "Bundle load failed.", {{"name", Value::string(st.src.name)}, {"err", Value::string(all)}});
    }
    return false;
  };
  rego::http::Response res;
  try {
    res = rego::http::perform(req);
  } catch (const std::exception& e) {
    st.status.http_code = 0;
    return fail("bundle_error", e.what());
  }
  st.status.http_code = res.status_code;
  if (res.status_code == 304) {
    st.status.last_successful_request_ns = st.status.last_request_ns;
    st.status.code.clear();
    st.status.message.clear();
    st.status.errors.clear();
    ctx_.bundle_status.set(st.status);
    return true;
  }
  if (res.status_code != 200) return fail("bundle_error", "server replied with " + res.status);
  st.status.last_successful_request_ns = st.status.last_request_ns;
  st.status.last_successful_download_ns = now_ns();
  std::string etag;
  for (const auto& [k, v] : res.headers)
    if (k.size() == 4 && std::equal(k.begin(), k.end(), "etag", [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; }))
      etag = v;
  std::string error;
  if (!activate(st, res.body, error)) {
    // Keep the old ETag: the same broken bundle is downloaded (and refused) again rather than forgotten.
    std::vector<std::string> lines;
    std::istringstream in(error);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) lines.push_back(line);
    std::string first = lines.empty() ? error : lines.front();
    if (!lines.empty()) lines.erase(lines.begin());
    return fail("bundle_error", first, std::move(lines));
  }
  st.etag = etag;
  st.status.code.clear();
  st.status.message.clear();
  st.status.errors.clear();
  ctx_.bundle_status.set(st.status);
  if (ctx_.logger)
    ctx_.logger->log(LogLevel::Info, "Bundle loaded and activated successfully.",
                     {{"name", Value::string(st.src.name)}, {"revision", Value::string(st.status.active_revision)}});
  if (st.src.persist) {
    // Written to a temporary file and renamed, so a crash never leaves half a bundle for the next start.
    std::error_code ec;
    std::filesystem::path path = persisted_path(st.src.name);
    std::filesystem::create_directories(path.parent_path(), ec);
    std::filesystem::path tmp = path;
    tmp += ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(res.body.data(), static_cast<std::streamsize>(res.body.size()));
      out.close();
      if (!out) ec = std::make_error_code(std::errc::io_error);
    }
    if (!ec) std::filesystem::rename(tmp, path, ec);
    if (ec && ctx_.logger)
      ctx_.logger->log(LogLevel::Error, "Failed to persist activated bundle.",
                       {{"name", Value::string(st.src.name)}, {"err", Value::string(ec.message())}});
  }
  return true;
}

bool BundlePlugin::activate(State& st, const std::string& bytes, std::string& error) {
  load::LoadOptions opts;
  opts.as_bundles = true;
  opts.v0_compatible = ctx_.store.compile_options.v0_compatible;
  opts.verification = st.src.verification;
  opts.signed_bundles_need_key = true;  // as OPA: a signed bundle without a configured key is refused
  load::Loaded loaded = load::load_bundle_bytes(st.src.name, bytes, opts);
  if (!loaded.errors.empty() || loaded.bundles.size() != 1) {
    error.clear();
    for (const auto& e : loaded.errors) error += (error.empty() ? "" : "\n") + e.to_string();
    if (error.empty()) error = "bundle " + st.src.name + ": not a bundle";
    return false;
  }
  const load::Bundle& b = loaded.bundles.front();

  auto txn = ctx_.store.begin();
  std::vector<BundleInfo> bundles;
  std::vector<std::string> old_roots;
  for (const auto& other : txn.base().bundles) {
    if (other.name == st.src.name) {
      old_roots = other.roots;
      continue;
    }
    for (const auto& r : b.roots)
      for (const auto& o : other.roots)
        if (roots_overlap(r, o)) {
          error = "detected overlapping roots in bundle manifest with: [" + other.name + " " + st.src.name + "]";
          return false;
        }
    bundles.push_back(other);
  }
  // The data under the old and the new roots is replaced as a whole: what the new bundle does not carry
  // is gone, as in OPA.
  for (const std::vector<std::string>* roots : {&std::as_const(old_roots), &b.roots}) {
    for (const auto& r : *roots) {
      StoragePath path = root_path(r);
      if (path.empty()) {
        txn.write(PatchOp::Add, {}, Value::empty_object());
        continue;
      }
      rego::Value ignored;
      if (!txn.read(path, ignored)) txn.write(PatchOp::Remove, path, Value::null());
    }
  }
  for (const auto& r : b.roots) {
    StoragePath path = root_path(r);
    StorageError serr;
    auto value = storage_read(loaded.data, path, serr);
    if (!value) continue;
    std::optional<WriteError> werr;
    if (path.empty()) {
      werr = txn.write(PatchOp::Add, {}, *value);
    } else {
      StoragePath parent(path.begin(), path.end() - 1);
      werr = txn.make_dir(parent);
      if (!werr) werr = txn.write(PatchOp::Add, path, *value);
    }
    if (werr) {
      error = werr->message;
      return false;
    }
  }
  for (const auto& id : st.policy_ids) txn.delete_policy(id);
  std::vector<std::string> ids;
  for (auto& m : loaded.modules) {
    // OPA names a bundle's modules <bundle name>/<path in the bundle>.
    std::string file = m.filename;
    while (!file.empty() && file.front() == '/') file.erase(0, 1);
    std::string id = st.src.name + "/" + file;
    txn.upsert_policy(id, std::move(m.text));
    ids.push_back(std::move(id));
  }
  bundles.push_back({st.src.name, b.revision, b.roots});
  txn.set_bundles(std::move(bundles));
  if (auto e = txn.commit()) {
    error = e->message.empty() ? "error(s) occurred while compiling module(s)" : e->message;
    for (const auto& ce : e->errors) error += "\n" + ce.to_string();
    return false;
  }
  st.policy_ids = std::move(ids);
  st.activated = true;
  st.status.active_revision = b.revision;
  st.status.last_successful_activation_ns = now_ns();
  update_readiness();
  return true;
}

}  // namespace trex::server
