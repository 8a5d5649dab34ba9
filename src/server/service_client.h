// What every request to a configured service carries, read once from `services.<name>` for the bundle
// plugin and the decision-log upload alike, as OPA's REST client does:
//
//   services:
//     acme:
//       url: https://control.example.com/v1
//       headers: {X-Extra: value}
//       credentials:
//         bearer: {token: "...", scheme: Bearer}                 # Authorization: Bearer ...
//         client_tls: {cert: client.pem, private_key: client.key, private_key_passphrase: "..."}   # mTLS
//       tls:
//         ca_cert: ca.pem            # pins the service's CA: only these roots are trusted ...
//         system_ca_required: false  # ... unless true: the system's roots as well
//       allow_insecure_tls: false    # true: the service's certificate is not verified at all
//
// Without tls.ca_cert the system's roots are trusted. Certificate files are read here, so a missing or
// unreadable file is a configuration error at startup rather than a failure at every download.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "rego/builtins/http_client.h"
#include "rego/value.h"

namespace trex::server {

struct ServiceRequestOptions {
  std::string url;  // the service's url, without trailing slashes
  std::vector<std::pair<std::string, std::string>> headers;  // Authorization (bearer) and the configured headers
  rego::http::TlsOptions tls;
};

// The service named `name` under `services` (OPA accepts a map, or a list of objects with a `name`); null
// when there is none.
const rego::Value* find_service(const rego::Value& services, const std::string& name);

// The names of the configured services, in order.
std::vector<std::string> service_names(const rego::Value& services);

// Reads one service's url, headers and TLS settings. False with `error` naming the offending key.
bool service_request_options(const rego::Value& service, const std::string& name, ServiceRequestOptions& out,
                             std::string& error);

}  // namespace trex::server
