// The policy server as one object: storage, configuration, the REST API and the HTTP transport, wired.
// `trex run --server` builds one from loaded files and runs it; tests build one on port 0.
//
//   trex::server::ServerSetup setup;              // config, initial policies/data/bundles
//   std::string error;
//   auto server = trex::server::Server::create(std::move(setup), error);   // compiles; null on error
//   server->listen(error); server->run();         // run() returns after shutdown()
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rego/engine.h"
#include "server/api.h"
#include "server/bundle_plugin.h"
#include "server/config.h"
#include "server/http_server.h"
#include "server/store.h"

namespace trex::server {

struct ServerSetup {
  ServerConfig config;
  std::vector<rego::ModuleText> policies;  // initial modules; the id is the file name
  rego::Value data = rego::Value::empty_object();
  std::vector<BundleInfo> bundles;
  rego::CompileOptions compile;
  std::string version;
  std::vector<std::shared_ptr<DecisionSink>> decision_sinks;  // added to the console sink when configured
};

class Server {
 public:
  // Compiles the initial policies against the initial data. Null with `error` (and `errors`) on failure.
  static std::unique_ptr<Server> create(ServerSetup setup, std::string& error, rego::Errors& errors);
  ~Server();

  // Binds the listening socket, then starts the bundle plugin (persisted bundles first), if configured.
  bool listen(std::string& error);
  uint16_t port() const { return http_.port(); }
  void run() { http_.run(); }
  void shutdown() { http_.shutdown(ctx_->config.shutdown_grace); }
  void shutdown_on_signals(std::function<void(int)> on_signal);

  ServerContext& context() { return *ctx_; }

 private:
  explicit Server(std::unique_ptr<ServerContext> ctx);
  std::unique_ptr<ServerContext> ctx_;
  HttpServer http_;
  std::unique_ptr<BundlePlugin> bundle_plugin_;  // null without `bundles` in the configuration
};

}  // namespace trex::server
