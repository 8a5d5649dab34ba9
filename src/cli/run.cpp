// trex run --server: OPA's `opa run --server` — load policies, data and bundles, read the configuration,
// serve the REST API until SIGINT/SIGTERM, then shut down gracefully.
#include <csignal>
#include <iostream>

#include "cli/args.h"
#include "cli/capabilities.h"
#include "cli/commands.h"
#include "load/documents.h"
#include "load/files.h"
#include "cli/output.h"
#include "cli/signed_decision_log.h"
#include "cli/signing_flags.h"
#include "cli/test_report.h"
#include "server/server.h"

namespace trex::cli {
namespace {

const char* kUsage =
    "usage: trex run --server [flags] [PATH...]\n"
    "  -s, --server                    start the REST API server (the only mode trex runs in)\n"
    "  -a, --addr [HOST]:PORT          listen address (default :8181)\n"
    "  -c, --config-file FILE          OPA configuration file (YAML or JSON)\n"
    "      --set KEY=VALUE             override a configuration value; repeatable\n"
    "  -b, --bundle                    load paths as bundles\n"
    "  -l, --log-level LEVEL           debug, info (default), warn, error\n"
    "      --log-format FORMAT         json (default), json-pretty, text\n"
    "      --shutdown-grace-period S   seconds to let requests in flight finish (default 10)\n"
    "      --v0-compatible             parse policies as Rego v0\n"
    "      --immutable                 policies and data only from bundles; API writes answer 403\n"
    "      --authentication off|token|tls  token: the request's bearer token is input.identity for authorization;\n"
    "                                  tls: clients must present a certificate --tls-ca-cert-file signed; its\n"
    "                                  subject (\"CN=alice,O=Acme\") is input.identity, the parsed certificates\n"
    "                                  input.client_certificates\n"
    "      --authorization off|basic   basic: data.system.authz.allow decides every API call (401 otherwise)\n"
    "      --tls-cert-file FILE        serve HTTPS with this certificate (chain, PEM) ...\n"
    "      --tls-private-key-file FILE ... and this private key (PEM)\n"
    "      --tls-ca-cert-file FILE     require client certificates signed by these CAs (mTLS)\n"
    "      --min-tls-version V         1.2 (default) or 1.3\n"
    "      --tls-cert-refresh-period D how often the certificate, key and CA files are checked for changes\n"
    "                                  (Go duration, e.g. 1m); new connections get the new certificate; a bad\n"
    "                                  replacement is logged and the current one kept (default 0s: every second)\n"
    "      --allow-net HOST[,HOST...]  hosts policies may reach with http.send and net.lookup_ip_addr; repeatable.\n"
    "                                  None by default (also `allow_net: [...]` in the configuration); * = any\n"
    "      --capabilities FILE         OPA capabilities JSON: its allow_net hosts are allowed as well\n"
    "      --verification-key KEY      verify signed bundles: PEM public key file, or HMAC secret\n"
    "      --verification-key-id ID    the key's id (default \"default\")\n"
    "      --signing-alg ALG           the signatures' algorithm (default RS256)\n"
    "      --scope SCOPE               the scope the signatures must carry\n"
    "      --exclude-files-verification GLOB  bundle files not verified; repeatable\n"
    "      --skip-verify               read signed bundles without verifying them\n";

const std::vector<FlagSpec> kFlags = {
    {{"--help", "-h"}, false},
    {{"--server", "-s"}, false},
    {{"--addr", "-a"}, true},
    {{"--config-file", "-c"}, true},
    {{"--set"}, true},
    {{"--bundle", "-b"}, false},
    {{"--log-level", "-l"}, true},
    {{"--log-format"}, true},
    {{"--shutdown-grace-period"}, true},
    {{"--v0-compatible"}, false},
    {{"--immutable"}, false},
    {{"--authentication"}, true},
    {{"--tls-cert-file"}, true},
    {{"--tls-private-key-file"}, true},
    {{"--tls-ca-cert-file"}, true},
    {{"--min-tls-version"}, true},
    {{"--tls-cert-refresh-period"}, true},
    {{"--authorization"}, true},
    {{"--allow-net"}, true},
    {{"--capabilities"}, true},
    {{"--skip-verify"}, false},
};

// "[host]:port" as OPA's --addr; an empty host listens on every interface.
bool parse_addr(const std::string& addr, std::string& host, uint16_t& port) {
  auto colon = addr.rfind(':');
  if (colon == std::string::npos) return false;
  host = addr.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  try {
    size_t used = 0;
    int p = std::stoi(addr.substr(colon + 1), &used);
    if (used != addr.size() - colon - 1 || p < 0 || p > 65535) return false;
    port = static_cast<uint16_t>(p);
  } catch (...) {
    return false;
  }
  return true;
}

}  // namespace

int run_run(const std::vector<std::string>& argv) {
  ParsedArgs args = parse_flags(argv, concat_flags(kFlags, verification_flag_specs()));
  if (!args.error.empty()) return usage_error("run", args.error, kUsage);
  if (args.has("--help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (!args.has("--server")) return usage_error("run", "only server mode is supported: pass --server", kUsage);

  server::LogLevel level;
  if (!server::Logger::parse_level(args.last("--log-level", "info"), level))
    return usage_error("run", "invalid --log-level " + args.last("--log-level"), kUsage);
  std::string log_format = args.last("--log-format", "json");
  if (log_format != "json" && log_format != "json-pretty" && log_format != "text")
    return usage_error("run", "invalid --log-format " + log_format + " (json, json-pretty, text)", kUsage);
  server::Logger logger(level, log_format);

  // Configuration: the file, then --set overrides, then flags that OPA also takes from the command line.
  rego::Value raw = rego::Value::empty_object();
  if (args.has("--config-file")) {
    std::string error;
    auto text = load::read_file(args.last("--config-file"), error);
    if (!text) return usage_error("run", error, kUsage);
    auto doc = load::parse_document(*text, error);
    if (!doc) return usage_error("run", "config file " + args.last("--config-file") + ": " + error, kUsage);
    if (!doc->is_null()) raw = *doc;
  }
  for (const auto& s : args.values("--set")) {
    std::string error;
    if (!server::apply_set(raw, s, error)) return usage_error("run", error, kUsage);
  }
  server::ServerSetup setup;
  std::string error;
  if (!server::parse_config(raw, setup.config, error)) return usage_error("run", error, kUsage);
  if (args.has("--immutable")) setup.config.immutable = true;
  // http.send and net.lookup_ip_addr reach only the hosts allowed here and in the configuration.
  for (const auto& list : args.values("--allow-net")) {
    std::vector<std::string> hosts;
    for (size_t start = 0; start <= list.size();) {
      size_t comma = std::min(list.find(',', start), list.size());
      if (comma > start) hosts.push_back(list.substr(start, comma - start));
      start = comma + 1;
    }
    server::allow_net_hosts(setup.config, hosts);
  }
  if (args.has("--capabilities")) {
    auto caps = read_capabilities(args.last("--capabilities"), error);
    if (!caps) return usage_error("run", error, kUsage);
    // A capabilities file without allow_net opens nothing here: the server's network stays closed unless
    // hosts are named.
    if (caps->allow_net) server::allow_net_hosts(setup.config, *caps->allow_net);
  }
  const std::string authn = args.last("--authentication", "off"), authz = args.last("--authorization", "off");
  if (authn != "off" && authn != "token" && authn != "tls")
    return usage_error("run", "--authentication must be off, token or tls", kUsage);
  if (authz != "off" && authz != "basic") return usage_error("run", "--authorization must be off or basic", kUsage);
  setup.config.authentication = authn == "token" ? server::Authentication::Token
                                : authn == "tls"  ? server::Authentication::Tls
                                                  : server::Authentication::Off;
  setup.config.authorization_basic = authz == "basic";
  auto& http = setup.config.http;
  http.tls_cert_file = args.last("--tls-cert-file");
  http.tls_key_file = args.last("--tls-private-key-file");
  http.tls_ca_file = args.last("--tls-ca-cert-file");
  http.min_tls_version = args.last("--min-tls-version", "1.2");
  if (args.has("--tls-cert-refresh-period")) {
    int64_t ns = 0;
    if (!parse_go_duration(args.last("--tls-cert-refresh-period"), ns) || ns < 0)
      return usage_error("run", "invalid --tls-cert-refresh-period " + args.last("--tls-cert-refresh-period"), kUsage);
    http.tls_refresh_period = std::chrono::milliseconds(ns / 1000000);
    if (ns > 0 && http.tls_refresh_period.count() == 0) http.tls_refresh_period = std::chrono::milliseconds(1);
  }
  if (http.tls_cert_file.empty() != http.tls_key_file.empty())
    return usage_error("run", "--tls-cert-file and --tls-private-key-file go together", kUsage);
  if (!http.tls_ca_file.empty() && http.tls_cert_file.empty())
    return usage_error("run", "--tls-ca-cert-file needs --tls-cert-file and --tls-private-key-file", kUsage);
  // Without a CA there is no verified client certificate, so no identity: refused rather than served unauthenticated.
  if (authn == "tls" && http.tls_ca_file.empty())
    return usage_error("run", "--authentication=tls needs --tls-cert-file, --tls-private-key-file and --tls-ca-cert-file",
                       kUsage);
  if (setup.config.immutable && !args.has("--bundle") && !args.positional.empty())
    return usage_error("run", "immutable mode loads policies and data only from bundles: pass --bundle", kUsage);
  if (!parse_addr(args.last("--addr", ":8181"), setup.config.http.host, setup.config.http.port))
    return usage_error("run", "invalid --addr " + args.last("--addr"), kUsage);
  if (args.has("--shutdown-grace-period")) {
    try {
      setup.config.shutdown_grace = std::chrono::seconds(std::stoi(args.last("--shutdown-grace-period")));
    } catch (...) {
      return usage_error("run", "invalid --shutdown-grace-period", kUsage);
    }
  }

  load::LoadOptions load_opts;
  load_opts.as_bundles = args.has("--bundle");
  load_opts.v0_compatible = args.has("--v0-compatible");
  // As opa run: with a key every bundle must verify; without one a signed bundle is refused unless --skip-verify.
  if (!args.has("--skip-verify")) load_opts.verification = verification_from_args(args);
  load_opts.signed_bundles_need_key = !args.has("--skip-verify");
  load::Loaded loaded = load::load_paths(args.positional, load_opts);
  if (!loaded.errors.empty()) {
    std::cerr << errors_text(loaded.errors);
    return kExitFailed;
  }
  setup.policies = std::move(loaded.modules);
  setup.data = std::move(loaded.data);
  for (const auto& b : loaded.bundles) setup.bundles.push_back({b.name, b.revision, b.roots});
  setup.compile.v0_compatible = args.has("--v0-compatible");
  setup.version = kTrexVersion;

  rego::Errors errors;
  auto srv = server::Server::create(std::move(setup), error, errors);
  if (!srv) {
    std::cerr << "error: " << error << "\n" << errors_text(errors);
    return kExitFailed;
  }
  srv->context().logger = &logger;
  // The HSM-signed decision log (decision_logs.signed_file): wired here, where both the server and the hsm
  // library are known. A token that cannot be opened does not stop the server: decisions fail closed (503).
  std::string signed_error;
  if (auto signed_cfg = signed_log_config(raw, signed_error)) {
    server::ServerContext* ctx = &srv->context();
    auto sink = open_signed_log_sink(*signed_cfg, [ctx](const std::string& state, const std::string& msg) {
      ctx->plugins.set("decision_logs", state);
      if (ctx->logger) ctx->logger->log(state == "OK" ? server::LogLevel::Info : server::LogLevel::Error, msg);
    });
    ctx->plugins.set("decision_logs", sink->healthy() ? "OK" : "ERROR");
    ctx->decision_sinks.push_back(std::move(sink));
  } else if (!signed_error.empty()) {
    return usage_error("run", signed_error, kUsage);
  }
  if (!srv->listen(error)) {
    logger.log(server::LogLevel::Error, "Failed to start server.", {{"err", rego::Value::string(error)}});
    return kExitFailed;
  }
  srv->shutdown_on_signals([&logger](int sig) {
    logger.log(server::LogLevel::Info, "Shutting down...", {{"signal", rego::Value::string(sig == SIGINT ? "interrupt" : "terminated")}});
  });
  logger.log(server::LogLevel::Info, "Initializing server.",
             {{"addrs", rego::Value::array({rego::Value::string(args.last("--addr", ":8181"))})},
              {"port", rego::Value::integer(srv->port())}});
  srv->run();
  logger.log(server::LogLevel::Info, "Server shutdown.");
  return kExitOk;
}

}  // namespace trex::cli
