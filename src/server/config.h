// The server's configuration: OPA's configuration file format (the parts the server uses), plus trex's
// limits, from one document (the YAML/JSON file, with `--set` overrides applied). Parsing knows nothing of
// files: the CLI reads the file and hands over a rego::Value.
//
// Used keys (OPA's names): labels, default_decision, default_authorization_decision,
// decision_logs.console, server.decoding.max_length, server.decoding.gzip.max_length,
// server.encoding.gzip.min_length, server.encoding.gzip.compression_level.
// services, bundles, keys and persistence_directory are read by the bundle plugin (bundle_plugin.h).
// trex's agent endpoint: agent.decision, agent.max_tracked_decisions; immutable.
// trex's allow_net: the hosts policies may reach with http.send / net.lookup_ip_addr (none by default).
// trex's own limits live under server.limits: max_connections, max_header_bytes, query_timeout_ms,
// read_timeout_ms, idle_timeout_ms, max_response_bytes.
#pragma once

#include <chrono>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "rego/value.h"
#include "server/http_server.h"

namespace trex::server {

// OPA's --authentication: who the caller is, for the authorization policy. Token: the bearer token. Tls: the
// client certificate the TLS handshake verified (its subject, and the parsed certificates).
enum class Authentication { Off, Token, Tls };

struct ServerConfig {
  rego::Value raw = rego::Value::empty_object();  // as given (after --set), for GET /v1/config
  std::string default_decision = "/system/main";
  std::string default_authorization_decision = "/system/authz/allow";
  rego::Value labels = rego::Value::empty_object();  // configured labels plus id and version
  bool decision_logs_console = false;
  HttpServerOptions http;
  std::chrono::milliseconds query_timeout{0};  // 0 = no limit
  // server.limits.max_response_bytes: a larger answer (a policy that builds a huge document) is replaced by a
  // 500 internal_error instead of being sent. As large as the default request body limit.
  size_t max_response_bytes = 256u << 20;
  std::chrono::milliseconds shutdown_grace{10000};
  // The agent endpoint (POST /v1/agent/decide): the default decision document (agent.decision) and how many
  // recent decision ids are remembered for outcome reports (agent.max_tracked_decisions).
  std::string agent_decision = "/tre/decision";
  // Immutable mode (`immutable: true` or --immutable): policies and data come only from (signed) bundles;
  // every Policy API and Data API write answers 403.
  bool immutable = false;
  // OPA's --authentication (token or tls: input.identity of the authorization policy) and --authorization=basic
  // (data.system.authz.allow, at default_authorization_decision, decides every API call).
  Authentication authentication = Authentication::Off;
  bool authorization_basic = false;
  size_t agent_max_tracked_decisions = 100000;
  // The hosts http.send and net.lookup_ip_addr may reach from the server's policies: none unless listed
  // (`allow_net` in the configuration, --allow-net, a capabilities file's allow_net); "*" lifts the limit
  // (null here). Unlike `opa run`, whose policies may reach any host unless capabilities restrict them.
  std::shared_ptr<const std::vector<std::string>> allow_net = std::make_shared<const std::vector<std::string>>();
};

// Adds hosts to the server's allow-list; "*" among them allows every host.
void allow_net_hosts(ServerConfig& config, const std::vector<std::string>& hosts);

// The value at a path of keys in a configuration document (config_at(raw, {"decision_logs", "console"})),
// or null when a key is missing or a step is not an object.
const rego::Value* config_at(const rego::Value& doc, std::initializer_list<const char*> path);

// Reads the known keys of `raw` into `out` (keeping out's defaults for absent keys). False with a message
// naming the offending key when a value has the wrong type.
bool parse_config(const rego::Value& raw, ServerConfig& out, std::string& error);

// Applies one `--set path.to.key=value` override to a config document. Values are typed as OPA's strvals:
// true/false become booleans, integers numbers, anything else a string; "a.b=1,c=2" sets several.
bool apply_set(rego::Value& raw, const std::string& assignment, std::string& error);

// The active configuration as GET /v1/config shows it: secrets removed (service credentials, key material),
// defaults and labels filled in.
rego::Value active_config(const ServerConfig& config);

}  // namespace trex::server
