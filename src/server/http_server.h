// The HTTP/1.1 transport: Boost.Beast over Asio, one event loop (io_context) per thread, keep-alive and
// pipelining, gzip in both directions, limits on connections, header and body size, and timeouts for slow
// clients. It turns wire requests into HttpRequest values, calls one handler, and writes the HttpResponse.
//
// This header keeps Beast out of its includers (the pimpl lives in http_server.cpp, the only server
// translation unit that includes Beast). It knows nothing of OPA's API: routing is the handler's job.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "server/http_message.h"

namespace trex::server {

struct HttpServerOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 8181;          // 0 = any free port (tests); port() tells which
  int threads = 0;               // event loops; 0 = one per core
  size_t max_connections = 10000;
  size_t max_header_bytes = 64 * 1024;
  size_t max_body_bytes = 256u << 20;       // OPA's server.decoding.max_length default (256 MiB)
  size_t max_gzip_body_bytes = 256u << 20;  // decompressed size limit (server.decoding.gzip.max_length)
  size_t gzip_min_length = 1024;            // responses at least this long are compressed (server.encoding.gzip)
  int gzip_level = 9;
  std::chrono::milliseconds read_timeout{30000};   // a request must arrive completely within this
  std::chrono::milliseconds idle_timeout{120000};  // keep-alive connections idle longer are closed
  // HTTPS (OPA's --tls-cert-file / --tls-private-key-file): when set, the port speaks TLS only. With a CA file
  // (--tls-ca-cert-file) clients must present a certificate it signed (mTLS). min_tls_version: "1.2" or "1.3".
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_ca_file;
  std::string min_tls_version = "1.2";
  // How often the certificate, key and CA files are checked for changes (OPA's --tls-cert-refresh-period);
  // changed files that load make the context of new connections. 0 = every second (OPA then watches the files).
  std::chrono::milliseconds tls_refresh_period{0};
};

// Called on an event-loop thread for every request. Must not throw (exceptions become a 500).
using HttpHandler = std::function<void(const HttpRequest&, HttpResponse&)>;

// Builds the JSON error body the transport itself sends (oversized body, bad request line, too many
// connections), in the API's error shape; set by the server so the transport stays API-agnostic.
using HttpErrorBody = std::function<std::string(int status, const std::string& message)>;

// Receives the transport's own events worth a log line (a TLS certificate reloaded, or its reload failed).
using HttpLog = std::function<void(bool is_error, const std::string& message)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler, HttpErrorBody error_body);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens. False with `error` set when the address cannot be used.
  bool listen(std::string& error);
  uint16_t port() const;

  // Runs the event loops on this thread and threads-1 others; returns after shutdown() completes.
  void run();

  // Graceful stop, callable from any thread (a signal watcher): stops accepting, closes idle connections,
  // lets requests in flight finish and answer (with Connection: close), then stops the loops once all
  // connections are gone or the grace period has passed.
  void shutdown(std::chrono::milliseconds grace);

  size_t open_connections() const;

  // Calls callback(signal) on an event-loop thread at the first SIGINT or SIGTERM (call before run()).
  void on_signals(std::function<void(int)> callback);

  // Where transport events are logged (call before listen()); without it they are dropped.
  void on_log(HttpLog log);

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace trex::server
