// Requests to configured services (service_client.h).
#include "server/service_client.h"

#include "load/documents.h"
#include "server/config.h"

namespace trex::server {

using rego::Value;

namespace {

const Value* string_at(const Value& v, const char* key) {
  const Value* s = v.get(key);
  return s && s->is_string() ? s : nullptr;
}

// A key that, when present, must have one type: "services.acme.tls.ca_cert must be a string".
bool typed(const Value* v, bool want_string, const std::string& where, std::string& error) {
  if (!v || (want_string ? v->is_string() : v->is_boolean())) return true;
  error = "invalid configuration: " + where + (want_string ? " must be a string" : " must be a boolean");
  return false;
}

bool read_file_key(const Value* path, const std::string& where, std::string& out, std::string& error) {
  if (!typed(path, true, where, error)) return false;
  if (!path) return true;
  std::string read_error;
  auto text = load::read_file(path->as_string(), read_error);
  if (!text) {
    error = "invalid configuration: " + where + ": cannot read " + path->as_string();
    return false;
  }
  out = std::move(*text);
  return true;
}

bool read_tls(const Value& svc, const std::string& where, rego::http::TlsOptions& tls, std::string& error) {
  const Value* insecure = svc.get("allow_insecure_tls");
  const Value* ca = config_at(svc, {"tls", "ca_cert"});
  const Value* system_ca = config_at(svc, {"tls", "system_ca_required"});
  if (!typed(insecure, false, where + ".allow_insecure_tls", error) ||
      !typed(system_ca, false, where + ".tls.system_ca_required", error) ||
      !read_file_key(ca, where + ".tls.ca_cert", tls.ca_pem, error))
    return false;
  tls.insecure_skip_verify = insecure && insecure->as_bool();
  // A configured CA replaces the system's roots (a pinned CA) unless the system's are asked for as well.
  tls.use_system_roots = !ca || (system_ca && system_ca->as_bool());

  const Value* client = config_at(svc, {"credentials", "client_tls"});
  if (!client) return true;
  const std::string cw = where + ".credentials.client_tls";
  if (!client->is_object()) {
    error = "invalid configuration: " + cw + " must be an object";
    return false;
  }
  const Value* cert = client->get("cert");
  const Value* key = client->get("private_key");
  if (!cert || !key) {
    error = "invalid configuration: " + cw + " needs both cert and private_key";
    return false;
  }
  if (!read_file_key(cert, cw + ".cert", tls.client_cert_pem, error) ||
      !read_file_key(key, cw + ".private_key", tls.client_key_pem, error))
    return false;
  const Value* passphrase = client->get("private_key_passphrase");
  if (!typed(passphrase, true, cw + ".private_key_passphrase", error)) return false;
  if (passphrase) tls.client_key_passphrase = passphrase->as_string();
  return true;
}

}  // namespace

const Value* find_service(const Value& services, const std::string& name) {
  if (services.is_object()) return services.get(name);
  if (services.is_array())
    for (const auto& s : services.as_array())
      if (const Value* n = s.is_object() ? string_at(s, "name") : nullptr; n && n->as_string() == name) return &s;
  return nullptr;
}

std::vector<std::string> service_names(const Value& services) {
  std::vector<std::string> out;
  if (services.is_object())
    for (const auto& [k, v] : services.as_object()) out.push_back(k.as_string());
  if (services.is_array())
    for (const auto& s : services.as_array())
      if (const Value* n = s.is_object() ? string_at(s, "name") : nullptr) out.push_back(n->as_string());
  return out;
}

bool service_request_options(const Value& svc, const std::string& name, ServiceRequestOptions& out,
                             std::string& error) {
  const std::string where = "services." + name;
  const Value* url = svc.is_object() ? string_at(svc, "url") : nullptr;
  if (!url) {
    error = "invalid configuration: " + where + " has no url";
    return false;
  }
  out.url = url->as_string();
  while (!out.url.empty() && out.url.back() == '/') out.url.pop_back();
  if (const Value* token = config_at(svc, {"credentials", "bearer", "token"}); token && token->is_string()) {
    std::string scheme = "Bearer";
    if (const Value* s = config_at(svc, {"credentials", "bearer", "scheme"}); s && s->is_string()) scheme = s->as_string();
    out.headers.emplace_back("Authorization", scheme + " " + token->as_string());
  }
  if (const Value* h = svc.get("headers"); h && h->is_object())
    for (const auto& [k, v] : h->as_object())
      if (k.is_string() && v.is_string()) out.headers.emplace_back(k.as_string(), v.as_string());
  return read_tls(svc, where, out.tls, error);
}

}  // namespace trex::server
