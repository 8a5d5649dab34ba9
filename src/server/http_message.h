// Plain HTTP request and response values: what the transport (http_server.cpp, the only Beast translation
// unit of the server) hands to the API handlers and takes back. Handlers never see Beast or sockets, so they
// can be tested and reasoned about as functions from request to response.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace trex::server {

struct HttpRequest {
  std::string method;   // "GET", "POST", ... as sent
  std::string target;   // the raw request target: "/v1/data/a%2Fb?pretty=true"
  std::string path;     // target without the query string, still percent-encoded
  std::vector<std::pair<std::string, std::string>> query;    // decoded query parameters, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;     // already gzip-decoded by the transport
  std::string remote_addr;  // "127.0.0.1:53422"
  // The client's verified certificate chain (DER, leaf first, as sent), shared by every request of its TLS
  // connection; null on plain connections and when the server asks for no client certificate.
  std::shared_ptr<const std::vector<std::string>> client_certificates;

  // The first header with this (lower-case) name, or "".
  std::string_view header(std::string_view name) const;
  // Every value of a query parameter, in order; has_param tells a present-but-empty parameter from absence.
  std::vector<std::string_view> params(std::string_view name) const;
  bool has_param(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";  // "" = no Content-Type header
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  bool close = false;  // ask the transport to close the connection after this response

  // A handler that can only answer later (a decision waits for its signed, fsynced log line) sets `later`
  // instead of a final response: the transport calls it once, at once, with `complete`, which must then be
  // called exactly once, from any thread, with the final response. The connection reads no further request
  // until then, so pipelined answers keep their order; the event loop meanwhile serves other connections.
  std::function<void(std::function<void(HttpResponse)> complete)> later;
};

// Splits a request target into path and decoded query parameters (application/x-www-form-urlencoded rules:
// '+' is a space in the query). Returns false when a percent escape is malformed.
bool parse_target(HttpRequest& request);

// Percent-decoding of one path segment or query component; false on a malformed escape.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space);

}  // namespace trex::server
