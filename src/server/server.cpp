// Wiring of the server (server.h).
#include "server/server.h"

#include "server/api_response.h"
#include "server/decision_upload.h"

namespace trex::server {

namespace {

const char* error_code_for(int status) {
  switch (status) {
    case 404: return api_code::kResourceNotFound;
    case 500: case 503: return api_code::kInternal;
    default: return api_code::kInvalidParameter;
  }
}

// Requests whose policy calls the network, answered at once each up to this many (blocking_pool.h); more wait.
constexpr size_t kMaxBlockingThreads = 64;

}  // namespace

Server::Server(std::unique_ptr<ServerContext> ctx)
    : ctx_(std::move(ctx)),
      http_(ctx_->config.http, [c = ctx_.get()](const HttpRequest& req, HttpResponse& res) { handle_request(*c, req, res); },
            [](int status, const std::string& message) { return error_body(error_code_for(status), message); }) {
  http_.on_log([c = ctx_.get()](bool is_error, const std::string& message) {
    if (c->logger) c->logger->log(is_error ? LogLevel::Error : LogLevel::Info, message);
  });
}

// The bundle plugin's threads write to the store and the status: they stop before anything else goes.
// Then the blocking pool and the sinks: their tasks complete deferred answers (a query that called the network;
// signed log, sync mode), which post to the transport's event loops — those must still exist then. The pool
// first, as its tasks log decisions.
Server::~Server() {
  bundle_plugin_.reset();
  ctx_->cancel_queries = true;  // the transport is done: its grace period is over
  ctx_->blocking.reset();
  ctx_->decision_sinks.clear();
}

bool Server::listen(std::string& error) {
  if (!http_.listen(error)) return false;
  if (bundle_plugin_) bundle_plugin_->start();
  return true;
}

std::unique_ptr<Server> Server::create(ServerSetup setup, std::string& error, rego::Errors& errors) {
  auto ctx = std::make_unique<ServerContext>();
  ctx->blocking = std::make_unique<BlockingPool>(kMaxBlockingThreads);
  ctx->config = std::move(setup.config);
  ctx->version = setup.version;
  ctx->store.compile_options = setup.compile;
  // OPA adds these labels to every configuration.
  if (!ctx->config.labels.get("id")) {
    StorageError ignored;
    ctx->config.labels = *storage_write(ctx->config.labels, PatchOp::Add, {"id"}, rego::Value::string(new_decision_id()), ignored);
  }
  {
    StorageError ignored;
    ctx->config.labels = *storage_write(ctx->config.labels, PatchOp::Add, {"version"}, rego::Value::string(setup.version), ignored);
  }
  if (ctx->config.decision_logs_console) ctx->decision_sinks.push_back(std::make_shared<ConsoleDecisionSink>());
  std::string upload_error;
  if (auto upload = upload_config(ctx->config.raw, upload_error)) {
    ServerContext* c = ctx.get();
    ctx->decision_sinks.push_back(std::make_shared<RemoteDecisionSink>(
        std::move(*upload), [c](const std::string& state, const std::string& msg) {
          if (state != "WARN") c->plugins.set("decision_logs", state == "OK" ? "OK" : "ERROR");
          if (c->logger) c->logger->log(state == "OK" ? LogLevel::Info : LogLevel::Error, msg);
        }));
  } else if (!upload_error.empty()) {
    error = upload_error;
    return nullptr;
  }
  for (auto& sink : setup.decision_sinks) ctx->decision_sinks.push_back(std::move(sink));
  if (ctx->decision_logging()) ctx->plugins.set("decision_logs", "OK");
  if (!setup.bundles.empty()) ctx->plugins.set("bundle", "OK");

  auto txn = ctx->store.begin();
  txn.write(PatchOp::Add, {}, setup.data.is_object() ? setup.data : rego::Value::empty_object());
  for (auto& m : setup.policies) txn.upsert_policy(m.filename, std::move(m.text));
  txn.set_bundles(std::move(setup.bundles));
  if (auto e = txn.commit()) {
    error = e->kind == WriteError::Compile || e->kind == WriteError::PathConflict ? "error(s) occurred while compiling module(s)"
                                                                                  : e->message;
    errors = e->errors;
    return nullptr;
  }
  std::string bundle_error;
  auto bundle_cfg = bundle_plugin_config(ctx->config.raw, bundle_error);
  if (!bundle_error.empty()) {
    error = bundle_error;
    return nullptr;
  }
  auto server = std::unique_ptr<Server>(new Server(std::move(ctx)));
  if (bundle_cfg) server->bundle_plugin_ = std::make_unique<BundlePlugin>(std::move(*bundle_cfg), *server->ctx_);
  return server;
}

void Server::shutdown_on_signals(std::function<void(int)> on_signal) {
  http_.on_signals([this, on_signal = std::move(on_signal)](int sig) {
    if (on_signal) on_signal(sig);
    shutdown();
  });
}

}  // namespace trex::server
