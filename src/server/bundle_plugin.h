// OPA's bundle plugin: bundles downloaded from a bundle server (`services` + `bundles` in the configuration),
// verified, and activated atomically while the server runs.
//
// Configuration, as OPA's:
//   services:
//     acme:
//       url: https://bundles.example.com/v1
//       credentials: {bearer: {token: "...", scheme: Bearer}, client_tls: {cert: c.pem, private_key: c.key}}
//       headers: {X-Extra: value}
//       allow_insecure_tls: false
//       tls: {ca_cert: /path/to/ca.pem, system_ca_required: false}   # the CA is pinned (service_client.h)
//   bundles:
//     authz:
//       service: acme                 # may be left out when exactly one service is configured
//       resource: bundles/authz       # default "bundles/<name>"; GET <url>/<resource>
//       persist: true                 # keep the last activated bundle on disk
//       polling: {min_delay_seconds: 60, max_delay_seconds: 120}
//       signing: {keyid: global_key, scope: write, exclude_files: []}
//   keys:
//     global_key: {key: "<PEM public key or HMAC secret>", algorithm: RS256, scope: write}
//   persistence_directory: .opa       # default ./.opa, as OPA; bundles at <dir>/bundles/<name>/bundle.tar.gz
//
// Each bundle has its own thread. A download sends If-None-Match with the last ETag (304: nothing to do);
// a new bundle is read with load_bundle_bytes (its signature verified when signing is configured, a signed
// bundle refused without a key as OPA does) and activated in one store transaction that replaces the data
// under the bundle's roots and the bundle's policies: if it does not compile or collides with other data,
// the transaction is dropped and the previous bundle stays in force. Between downloads the thread waits a
// random time between min and max delay; after a failure it retries sooner, backing off exponentially up
// to the max delay.
//
// Status: plugin "bundle" is NOT_READY until every configured bundle was activated once, OK after (as
// OPA: later failures are reported per bundle in /v1/status, they do not make the plugin unready).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "load/bundle_signing.h"
#include "rego/builtins/http_client.h"
#include "rego/value.h"

namespace trex::server {

struct ServerContext;

struct BundleSource {
  std::string name;
  std::string url;  // service url joined with the resource
  std::vector<std::pair<std::string, std::string>> headers;  // Authorization and the service's headers
  rego::http::TlsOptions tls;
  std::chrono::milliseconds min_delay{60000};
  std::chrono::milliseconds max_delay{120000};
  std::optional<load::VerificationConfig> verification;
  bool persist = false;
};

struct BundlePluginConfig {
  std::vector<BundleSource> bundles;
  std::string persistence_directory = ".opa";
};

// Reads services, bundles, keys and persistence_directory. nullopt when no bundle is configured; `error`
// set (naming the offending key) when the configuration is wrong.
std::optional<BundlePluginConfig> bundle_plugin_config(const rego::Value& config, std::string& error);

class BundlePlugin {
 public:
  BundlePlugin(BundlePluginConfig config, ServerContext& ctx);
  ~BundlePlugin();  // stops the downloaders (a download in flight finishes or times out first)

  // Activates persisted bundles (synchronously, so a restart serves the last good bundle before the first
  // download), then starts one downloader thread per bundle.
  void start();

  // Where a bundle is persisted.
  std::string persisted_path(const std::string& name) const;

 private:
  struct State;
  void run(State& st);
  bool download(State& st);
  bool activate(State& st, const std::string& bytes, std::string& error);
  void update_readiness();

  BundlePluginConfig config_;
  ServerContext& ctx_;
  std::vector<std::unique_ptr<State>> states_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace trex::server
