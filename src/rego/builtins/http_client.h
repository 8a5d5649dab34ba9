// A small blocking HTTP/1.1 client (HTTP, HTTPS, and HTTP over a unix socket) for http.send.
//
// The implementation (http_client.cpp) is the only translation unit that includes Boost.Beast/Asio/OpenSSL
// stream headers; callers see plain structs. One connection per request (no pooling), run on the calling
// thread with a private io_context, bounded by an overall deadline that covers name resolution, connect, TLS
// handshake, writing the request and reading the whole response.
//
// Failures throw HttpError whose message reads like Go's net/http errors inside a *url.Error
// (`Get "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused`), since OPA reports those.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "rego/cancellation.h"

namespace rego::http {

struct TlsOptions {
  bool insecure_skip_verify = false;
  bool use_system_roots = true;        // trust the system store (in addition to ca_pem when both are set)
  std::string ca_pem;                  // extra trusted roots (PEM, may hold several)
  std::string client_cert_pem;         // client certificate chain (PEM)
  std::string client_key_pem;          // its private key (PEM)
  std::string client_key_passphrase;   // decrypts an encrypted client_key_pem
  std::string server_name;             // SNI and the name the certificate must match; default: the URL's host
};

struct Request {
  std::string method = "GET";
  std::string url;  // absolute http:// or https:// URL
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given (after Host/User-Agent defaults)
  std::string host_header;  // overrides the Host header (and the TLS server name when server_name is empty)
  std::string body;
  bool send_body = false;    // send body (and Content-Length) even when empty, as for POST/PUT
  std::string unix_socket;   // when set, connect to this socket path instead of the URL's host
  std::chrono::nanoseconds timeout{0};  // whole exchange, redirects included; 0 = none
  bool follow_redirects = false;
  int max_redirects = 10;
  TlsOptions tls;
  std::size_t max_body_bytes = 256u << 20;
  // When set, a redirect to a host not in this list fails (`Get "<url>": unallowed host: <host>`); the first
  // URL is the caller's to check. Must outlive perform().
  const std::vector<std::string>* allowed_hosts = nullptr;
  // The calling query's cancellation (its flag and deadline): a query under a time limit must not outlive it
  // waiting on a slow host, so the exchange stops when the query must (HttpError Kind::Cancelled, whose
  // message is Cancellation::reason()). The flag is looked at every kCancelPoll; the deadline is exact.
  Cancellation cancel;
};

// How often a running exchange looks at Request::cancel's flag.
inline constexpr std::chrono::milliseconds kCancelPoll{20};

struct Response {
  int status_code = 0;
  std::string status;  // "200 OK"
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
  std::string body;
};

struct HttpError : std::runtime_error {
  enum class Kind { Network, Timeout, Invalid, Cancelled };
  Kind kind;
  std::string op;   // "Get", "Post", ... (Go's url.Error.Op), when known
  std::string url;  // the URL that failed, when known
  HttpError(Kind k, const std::string& msg) : std::runtime_error(msg), kind(k) {}
};

// Performs the request. Throws HttpError (Network, Timeout, Invalid for a request that cannot be made, or
// Cancelled when the calling query was cancelled or ran out of time).
Response perform(const Request& req);

}  // namespace rego::http
