// http.send: OPA's request object in, OPA's response object out, over http_client.h (no Beast here).
//
// Request keys, their checks and error texts follow OPA's topdown/http.go: unknown keys and missing method/url
// are operand (type) errors; "raise_error": false turns every later failure into
// {"status_code": 0, "error": {"code": ..., "message": ...}} instead of an error. Redirects are not followed
// unless "enable_redirect" is true (then up to 10, as Go's client). The response is
// {status, status_code, body, raw_body, headers}: headers lower-cased with their values as arrays, body
// decoded from JSON (application/json, application/*+json or force_json_decode) or YAML (application/yaml,
// application/x-yaml or force_yaml_decode), else null.
//
// Caching: http.send is registered non-deterministic, so the evaluator memoises it per query. "cache": true or
// "force_cache": true also use a process-wide cache (bounded, thread-safe) honouring Cache-Control max-age /
// Expires, or force_cache_duration_seconds; stale entries are refetched (no conditional revalidation).
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <list>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "rego/builtins/gourl.h"
#include "rego/builtins/http_client.h"
#include "rego/builtins/http_request_operand.h"
#include "rego/builtins/registry.h"
#include "rego/builtins/strutil.h"
#include "rego/error.h"
#include "rego/json.h"
#include "rego/number.h"

namespace rego {
namespace {

const char* const kAllowedKeys[] = {
    "method", "url", "body", "enable_redirect", "force_json_decode", "force_yaml_decode", "headers", "raw_body",
    "tls_use_system_certs", "tls_ca_cert", "tls_ca_cert_file", "tls_ca_cert_env_variable", "tls_client_cert",
    "tls_client_cert_file", "tls_client_cert_env_variable", "tls_client_key", "tls_client_key_file",
    "tls_client_key_env_variable", "tls_insecure_skip_verify", "tls_server_name", "timeout", "cache",
    "force_cache", "force_cache_duration_seconds", "raise_error", "caching_mode", "max_retry_attempts",
    "cache_ignored_headers"};

constexpr const char* kNetworkErr = "eval_http_send_network_error";
constexpr const char* kInternalErr = "eval_http_send_internal_error";

// An error raised while preparing or performing the request; `network` marks Go's *url.Error.
struct SendError {
  std::string message;
  bool network = false;
  bool timeout = false;
  std::string short_timeout;  // "Get http://x: request timed out"
};

[[noreturn]] void send_error(std::string msg) { throw SendError{std::move(msg), false, false, ""}; }

// strconv.ParseBool on a term's text (OPA parses obj.Get(key).String()).
bool parse_bool(const Value& v) {
  std::string s = text::term(v);
  static const std::set<std::string> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
  static const std::set<std::string> kFalse = {"0", "f", "F", "FALSE", "false", "False"};
  if (kTrue.count(s)) return true;
  if (kFalse.count(s)) return false;
  send_error("strconv.ParseBool: parsing " + text::quote(s) + ": invalid syntax");
}

// getBoolValFromReqObj: absent = false, non-boolean = error.
bool bool_field(const Value& req, const char* key) {
  const Value* v = req.get(key);
  if (!v) return false;
  if (!v->is_boolean()) send_error(std::string("invalid value for \"") + key + "\" field");
  return v->as_bool();
}

// http.CanonicalHeaderKey.
std::string canonical_header(const std::string& s) {
  for (unsigned char c : s) {
    bool token = std::isalnum(c) || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
    if (!token || c == 0) return s;
  }
  std::string out = s;
  bool upper = true;
  for (auto& c : out) {
    c = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(c)) : std::tolower(static_cast<unsigned char>(c)));
    upper = c == '-';
  }
  return out;
}

int64_t parse_duration(const std::string& s) {
  const Builtin* b = builtins().find("time.parse_duration_ns");
  Value arg = str(s);
  BuiltinContext ctx;
  auto v = b->fn(BuiltinArgs(&arg, 1), ctx);
  return v->as_int();
}

// Waits `delay` between retries, unless the query is cancelled or runs out of time first: then it ends with
// eval_cancel_error, as the exchange itself would.
void back_off(std::chrono::milliseconds delay, const Cancellation& cancel) {
  const auto until = std::chrono::steady_clock::now() + delay;
  for (auto now = std::chrono::steady_clock::now(); now < until; now = std::chrono::steady_clock::now()) {
    if (const char* why = cancel.reason()) throw RegoError(code::kCancel, why);
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(until - now, http::kCancelPoll));
  }
}

int64_t default_timeout_ns() {
  static const int64_t value = [] {
    const char* env = std::getenv("HTTP_SEND_TIMEOUT");
    if (env && *env) {
      try {
        return parse_duration(env);
      } catch (const BuiltinError&) {
      }
    }
    return int64_t{5'000'000'000};
  }();
  return value;
}

int64_t parse_timeout(const Value& v) {
  if (v.is_number()) {
    auto n = number::to_int64(v);
    if (!n || !number::is_integer(v)) send_error("invalid timeout number value " + text::term(v) + ", must be int64");
    return *n;
  }
  if (v.is_string()) {
    const std::string& s = v.as_string();
    char* end = nullptr;
    errno = 0;
    long long n = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end && *end == '\0' && errno == 0 && !std::isspace(static_cast<unsigned char>(s[0]))) return n;
    try {
      return parse_duration(s);
    } catch (const BuiltinError& e) {
      send_error("invalid timeout value " + text::term(v) + ": " + e.message);
    }
  }
  throw BuiltinError{std::string("operand 1 'timeout' must be one of {string, number} but got ") + v.type_name(), true};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) send_error("open " + path + ": no such file or directory");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string getenv_str(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? v : "";
}

// Everything createHTTPRequest derives from the request object.
struct Prepared {
  http::Request req;
  int retries = 0;
};

Prepared prepare(const Value& obj) {
  Prepared p;
  http::Request& r = p.req;
  r.timeout = std::chrono::nanoseconds(default_timeout_ns());
  std::string url, ca_pem, ca_file, ca_env, client_cert, client_key, cert_file, key_file, cert_env, key_env;
  std::optional<bool> use_system;
  std::optional<std::string> body, raw_body;
  std::vector<std::pair<std::string, std::string>> headers;

  static const std::set<std::string> kStringKeys = {
      "method", "url", "raw_body", "tls_ca_cert", "tls_ca_cert_file", "tls_ca_cert_env_variable", "tls_client_cert",
      "tls_client_cert_file", "tls_client_cert_env_variable", "tls_client_key", "tls_client_key_file",
      "tls_client_key_env_variable", "tls_server_name"};

  for (const auto& [k, v] : obj.as_object()) {
    std::string key = k.is_string() ? k.as_string() : json::write(k);
    std::string s;
    if (v.is_string()) {
      s = v.as_string();
      // OPA trims surrounding double quotes from every string parameter.
      size_t b = s.find_first_not_of('"'), e = s.find_last_not_of('"');
      s = b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    } else if (kStringKeys.count(key)) {
      send_error(text::quote(key) + " must be a string");
    }
    if (key == "method") {
      for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      for (unsigned char c : s)
        if (!(std::isalnum(c) || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr) || c == 0)
          send_error("net/http: invalid method " + text::quote(s));
      r.method = s;
    } else if (key == "url") {
      url = s;
    } else if (key == "enable_redirect") {
      r.follow_redirects = parse_bool(v);
    } else if (key == "body") {
      body = json::write(v);
    } else if (key == "raw_body") {
      raw_body = s;
    } else if (key == "tls_use_system_certs") {
      use_system = parse_bool(v);
    } else if (key == "tls_ca_cert") {
      ca_pem = s;
    } else if (key == "tls_ca_cert_file") {
      ca_file = s;
    } else if (key == "tls_ca_cert_env_variable") {
      ca_env = s;
    } else if (key == "tls_client_cert") {
      client_cert = s;
    } else if (key == "tls_client_cert_file") {
      cert_file = s;
    } else if (key == "tls_client_cert_env_variable") {
      cert_env = s;
    } else if (key == "tls_client_key") {
      client_key = s;
    } else if (key == "tls_client_key_file") {
      key_file = s;
    } else if (key == "tls_client_key_env_variable") {
      key_env = s;
    } else if (key == "tls_server_name") {
      r.tls.server_name = s;
    } else if (key == "headers") {
      if (!v.is_object()) send_error("invalid type for headers key");
      for (const auto& [hk, hv] : v.as_object()) {
        std::string name = hk.is_string() ? hk.as_string() : json::write(hk);
        if (!hv.is_string()) send_error("invalid type for headers value \"" + json::write(hv) + "\"");
        headers.emplace_back(canonical_header(name), hv.as_string());
      }
    } else if (key == "tls_insecure_skip_verify") {
      r.tls.insecure_skip_verify = parse_bool(v);
    } else if (key == "timeout") {
      r.timeout = std::chrono::nanoseconds(parse_timeout(v));
    } else if (key == "cache" || key == "caching_mode" || key == "force_cache" ||
               key == "force_cache_duration_seconds" || key == "force_json_decode" || key == "force_yaml_decode" ||
               key == "raise_error" || key == "max_retry_attempts" || key == "cache_ignored_headers") {
      // handled elsewhere
    } else {
      send_error("invalid parameter " + text::quote(key));
    }
  }

  // TLS material. Client certificates come in pairs; several CA sources add up.
  auto add_pair = [&](const std::string& c, const std::string& k) {
    if (c.empty() || k.empty()) return;
    r.tls.client_cert_pem = c;
    r.tls.client_key_pem = k;
  };
  add_pair(client_cert, client_key);
  if (!cert_file.empty() && !key_file.empty()) add_pair(read_file(cert_file), read_file(key_file));
  if (!cert_env.empty() && !key_env.empty()) add_pair(getenv_str(cert_env), getenv_str(key_env));
  std::string cas;
  if (!ca_pem.empty()) {
    std::string fixed;
    for (size_t i = 0; i < ca_pem.size(); ++i) {
      if (ca_pem[i] == '\\' && i + 1 < ca_pem.size() && ca_pem[i + 1] == 'n') {
        fixed += '\n';
        ++i;
      } else {
        fixed += ca_pem[i];
      }
    }
    cas += fixed + "\n";
  }
  if (!ca_file.empty()) cas += read_file(ca_file) + "\n";
  if (!ca_env.empty()) {
    std::string pem = getenv_str(ca_env);
    if (pem.empty()) send_error("no certificates found in env var \"" + ca_env + "\"");  // addCACertsFromEnv
    cas += pem + "\n";
  }
  r.tls.ca_pem = cas;
  r.tls.use_system_roots = cas.empty() || (use_system && *use_system);

  for (const auto& [k, v] : headers) {
    if (k == "Host") {
      r.host_header = v;
      if (r.tls.server_name.empty()) r.tls.server_name = v;
    }
  }
  r.headers = std::move(headers);

  // unix://host/path?socket=<path>: dial the socket, speak HTTP (OPA's useSocket).
  if (auto u = gourl::parse(url); u && u->scheme == "unix" && !u->raw_query.empty()) {
    std::vector<std::pair<std::string, std::string>> q;
    std::string socket;
    bool have_socket = false;
    std::string_view rest = u->raw_query;
    bool ok = true;
    while (!rest.empty()) {
      size_t amp = rest.find('&');
      std::string_view part = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      if (part.empty()) continue;
      if (part.find(';') != std::string_view::npos) {
        ok = false;
        continue;
      }
      size_t eq = part.find('=');
      auto k = gourl::query_unescape(part.substr(0, eq));
      auto v = gourl::query_unescape(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
      if (!k || !v) {
        ok = false;
        continue;
      }
      if (*k == "socket") {
        if (!have_socket) socket = *v;
        have_socket = true;
      } else {
        q.emplace_back(*k, *v);
      }
    }
    if (ok) {
      std::stable_sort(q.begin(), q.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      std::string encoded;
      for (const auto& [k, v] : q) encoded += (encoded.empty() ? "" : "&") + gourl::query_escape(k) + "=" + gourl::query_escape(v);
      u->scheme = "http";
      u->raw_query = encoded;
      url = u->string();
      r.unix_socket = socket;
    }
  }
  r.url = url;

  if (raw_body) {
    r.body = *raw_body;
  } else if (body) {
    r.body = *body;
  }
  return p;
}

// ---------------------------------------------------------------- responses

std::string header_value(const http::Response& res, std::string_view name) {
  for (const auto& [k, v] : res.headers) {
    if (k.size() == name.size() &&
        std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
      return v;
  }
  return "";
}

// mime.ParseMediaType + application/json or application/*+json.
bool is_json_type(const std::string& content_type) {
  std::string t = content_type.substr(0, content_type.find(';'));
  size_t b = t.find_first_not_of(" \t"), e = t.find_last_not_of(" \t");
  if (b == std::string::npos) return false;
  t = t.substr(b, e - b + 1);
  for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t slash = t.find('/');
  if (slash == std::string::npos || t.find('/', slash + 1) != std::string::npos) return false;
  std::string major = t.substr(0, slash), minor = t.substr(slash + 1);
  if (major != "application") return false;
  return minor == "json" || (minor.size() > 5 && minor.compare(minor.size() - 5, 5, "+json") == 0);
}

Value decode_yaml(const std::string& body) {
  const Builtin* b = builtins().find("yaml.unmarshal");
  if (!b) return Value::null();
  Value arg = str(body);
  BuiltinContext ctx;
  try {
    auto v = b->fn(BuiltinArgs(&arg, 1), ctx);
    return v ? *v : Value::null();
  } catch (...) {
    return Value::null();
  }
}

Value to_value(const http::Response& res, bool force_json, bool force_yaml) {
  std::string ct = header_value(res, "content-type");
  Value body;
  if (force_json || is_json_type(ct)) {
    auto parsed = json::parse(res.body);
    if (parsed.ok) body = parsed.value;
  } else if (force_yaml || ct.find("application/yaml") != std::string::npos ||
             ct.find("application/x-yaml") != std::string::npos) {
    body = decode_yaml(res.body);
  }
  std::map<std::string, std::vector<Value>> headers;
  for (const auto& [k, v] : res.headers) {
    std::string name = k;
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    headers[name].push_back(str(v));
  }
  std::vector<ObjectEntry> h;
  for (auto& [k, v] : headers) h.emplace_back(str(k), Value::array(std::move(v)));
  return Value::object({{str("body"), body},
                        {str("headers"), Value::object(std::move(h))},
                        {str("raw_body"), str(res.body)},
                        {str("status"), str(res.status)},
                        {str("status_code"), Value::integer(res.status_code)}});
}

// ---------------------------------------------------------------- the inter-query cache

// Cache-Control directives (parseCacheControlHeader).
std::map<std::string, std::string> cache_control(const http::Response& res) {
  std::map<std::string, std::string> out;
  std::string cc = header_value(res, "cache-control");
  std::stringstream ss(cc);
  std::string part;
  while (std::getline(ss, part, ',')) {
    size_t b = part.find_first_not_of(' '), e = part.find_last_not_of(' ');
    if (b == std::string::npos) continue;
    part = part.substr(b, e - b + 1);
    size_t eq = part.find('=');
    if (eq == std::string::npos) {
      out[part] = "";
    } else if (part.find('=', eq + 1) == std::string::npos) {
      out[part.substr(0, eq)] = part.substr(eq + 1);
    }
  }
  return out;
}

// http.ParseTime (RFC 1123, RFC 850, asctime) as Unix nanoseconds.
std::optional<int64_t> parse_http_time(const std::string& s) {
  for (const char* fmt : {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %d %H:%M:%S %Y"}) {
    std::tm tm{};
    const char* end = strptime(s.c_str(), fmt, &tm);
    if (end && *end == '\0') return int64_t(timegm(&tm)) * 1'000'000'000;
  }
  return std::nullopt;
}

struct CacheEntry {
  Value response;
  int64_t expires_ns;
};

class InterQueryCache {
 public:
  std::optional<Value> get(const std::string& key, int64_t now) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    if (now >= it->second->second.expires_ns) {
      lru_.erase(it->second);
      index_.erase(it);
      return std::nullopt;
    }
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->second.response;
  }
  void put(const std::string& key, CacheEntry e) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) {
      lru_.erase(it->second);
      index_.erase(it);
    }
    lru_.emplace_front(key, std::move(e));
    index_[key] = lru_.begin();
    while (lru_.size() > kCapacity) {
      index_.erase(lru_.back().first);
      lru_.pop_back();
    }
  }

 private:
  static constexpr size_t kCapacity = 1000;
  std::mutex mu_;
  std::list<std::pair<std::string, CacheEntry>> lru_;
  std::unordered_map<std::string, std::list<std::pair<std::string, CacheEntry>>::iterator> index_;
};

InterQueryCache& inter_query_cache() {
  static InterQueryCache c;
  return c;
}

bool cacheable_status(int code) {
  for (int c : {200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501})
    if (c == code) return true;
  return false;
}

// ---------------------------------------------------------------- the built-in

Value error_result(const char* code, const std::string& message) {
  return Value::object({{str("error"), Value::object({{str("code"), str(code)}, {str("message"), str(message)}})},
                        {str("status_code"), Value::integer(0)}});
}

// getKeyFromRequest: the request without the headers named in cache_ignored_headers.
Value cache_key(const Value& req) {
  const Value* ignored = req.get("cache_ignored_headers");
  const Value* headers = req.get("headers");
  std::vector<ObjectEntry> out;
  for (const auto& [k, v] : req.as_object()) {
    if (k.is_string() && k.as_string() == "cache_ignored_headers") continue;
    if (k.is_string() && k.as_string() == "headers" && ignored && headers && headers->is_object()) {
      if (!ignored->is_array()) send_error("json: cannot unmarshal into Go value of type []string");
      std::set<std::string> drop;
      for (const auto& h : ignored->as_array()) {
        if (!h.is_string()) send_error("json: cannot unmarshal into Go value of type string");
        drop.insert(h.as_string());
      }
      std::vector<ObjectEntry> kept;
      for (const auto& [hk, hv] : headers->as_object())
        if (!(hk.is_string() && drop.count(hk.as_string()))) kept.emplace_back(hk, hv);
      out.emplace_back(k, Value::object_sorted(std::move(kept)));
      continue;
    }
    out.emplace_back(k, v);
  }
  out.emplace_back(str("cache_ignored_headers"), Value::null());
  return Value::object(std::move(out));
}

// OPA's verifyURLHost: the URL's host up to the first ':' must be in capabilities.allow_net, when that is set.
// Checked before the cache, so a response cached under another allow-list is never handed out.
void check_url_host(const Value& req, const BuiltinContext& ctx) {
  const Value* url = req.get("url");
  if (!ctx.allow_net || !url || !url->is_string()) return;
  auto u = gourl::parse(url->as_string());
  if (!u) return;  // the request itself reports the malformed URL
  std::string_view host = allow_net_host(u->host);
  if (!net_host_allowed(ctx, host)) send_error("unallowed host: " + std::string(host));
}

Value send(const Value& req, BuiltinContext& ctx) {
  check_url_host(req, ctx);
  Value key = cache_key(req);
  bool use_cache = bool_field(req, "cache");
  bool force_cache = bool_field(req, "force_cache");
  int64_t force_seconds = 0;
  if (force_cache) {
    const Value* d = req.get("force_cache_duration_seconds");
    if (!d) send_error("'force_cache' set but 'force_cache_duration_seconds' parameter is missing");
    std::string t = text::term(*d);
    char* end = nullptr;
    errno = 0;
    long long n = std::strtoll(t.c_str(), &end, 10);
    if (t.empty() || *end != '\0' || errno != 0 || n < INT32_MIN || n > INT32_MAX)
      send_error("strconv.ParseInt: parsing " + text::quote(t) + ": invalid syntax");
    force_seconds = n;
    use_cache = true;
  }
  bool force_json = bool_field(req, "force_json_decode");
  bool force_yaml = bool_field(req, "force_yaml_decode");
  if (const Value* m = req.get("caching_mode")) {
    if (!m->is_string()) send_error("invalid value for \"caching_mode\" field");
    if (m->as_string() != "serialized" && m->as_string() != "deserialized")
      send_error("invalid value specified for \"caching_mode\" field: " + m->as_string());
  }

  int64_t now = ctx.now_ns ? ctx.now_ns
                           : std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  const std::string cache_text = json::write(key);
  if (use_cache) {
    if (auto hit = inter_query_cache().get(cache_text, now)) return *hit;
  }

  Prepared p = prepare(req);
  p.req.allowed_hosts = ctx.allow_net;  // redirect targets are checked too, as OPA's CheckRedirect
  p.req.cancel = ctx.cancel;
  if (const Value* m = req.get("max_retry_attempts")) {
    auto n = m->is_number() ? number::to_int64(*m) : std::nullopt;
    if (!n || *n < 0) send_error("invalid value " + text::term(*m) + " for field \"max_retry_attempts\"");
    p.retries = static_cast<int>(*n);
  }

  http::Response res;
  for (int attempt = 0;; ++attempt) {
    try {
      res = http::perform(p.req);
      break;
    } catch (const http::HttpError& e) {
      // The query must stop (OPA's Halt): an eval_cancel_error, whatever raise_error says.
      if (e.kind == http::HttpError::Kind::Cancelled) throw RegoError(code::kCancel, e.what());
      if (e.kind == http::HttpError::Kind::Invalid || attempt >= p.retries) {
        SendError err{e.what(), e.kind != http::HttpError::Kind::Invalid,
                      e.kind == http::HttpError::Kind::Timeout, ""};
        if (err.timeout) err.short_timeout = e.op + " " + e.url + ": request timed out";
        throw err;
      }
      auto delay = std::chrono::milliseconds(std::min<int64_t>(int64_t{100} << std::min(attempt, 10), 60'000));
      back_off(delay, ctx.cancel);
    }
  }

  Value result = to_value(res, force_json, force_yaml);
  if (use_cache && cacheable_status(res.status_code)) {
    auto cc = cache_control(res);
    std::optional<int64_t> expires;
    if (force_seconds > 0) {
      expires = now + force_seconds * 1'000'000'000;
    } else if (!cc.count("no-store")) {
      if (auto ma = cc.find("max-age"); ma != cc.end()) {
        char* end = nullptr;
        long long secs = std::strtoll(ma->second.c_str(), &end, 10);
        auto date = parse_http_time(header_value(res, "date"));
        if (end && *end == '\0' && secs >= 0 && date) expires = *date + std::min<long long>(secs, INT32_MAX) * 1'000'000'000;
      } else if (auto ex = parse_http_time(header_value(res, "expires"))) {
        expires = *ex;
      }
    }
    if (expires && *expires > now) inter_query_cache().put(cache_text, {result, *expires});
  }
  return result;
}

std::optional<Value> http_send(BuiltinArgs a, BuiltinContext& ctx) {
  args::object(a, 0);
  const Value& req = a[0];
  bool raise = true;
  if (const Value* v = req.get("raise_error")) {
    if (!v->is_boolean()) throw BuiltinError{"invalid value for raise_error field", false};
    raise = v->as_bool();
  }

  std::string operand_error = http_request_operand_error(req);
  if (!operand_error.empty()) {
    if (raise) throw BuiltinError{operand_error, true};
    return error_result(kInternalErr, "eval_type_error: http.send: " + operand_error);
  }

  try {
    return send(req, ctx);
  } catch (const BuiltinError& e) {
    if (raise) throw;
    return error_result(kInternalErr, std::string(e.type_error ? "eval_type_error" : "eval_builtin_error") +
                                          ": http.send: " + e.message);
  } catch (const SendError& e) {
    if (raise) throw BuiltinError{e.timeout ? e.short_timeout : e.message, false};
    if (e.network) return error_result(kNetworkErr, e.message);
    return error_result(kInternalErr, "eval_builtin_error: http.send: " + e.message);
  }
}

}  // namespace

std::string http_request_operand_error(const Value& req) {
  static const std::set<std::string> kAllowed(std::begin(kAllowedKeys), std::end(kAllowedKeys));
  std::vector<Value> invalid;
  for (const auto& [k, v] : req.as_object())
    if (!k.is_string() || !kAllowed.count(k.as_string())) invalid.push_back(k);
  if (!invalid.empty()) return "operand 1 invalid request parameters(s): " + text::term(Value::set(std::move(invalid)));
  std::vector<Value> missing;
  for (const char* k : {"method", "url"})
    if (!req.get(k)) missing.push_back(str(k));
  if (!missing.empty())
    return "operand 1 missing required request parameters(s): " + text::term(Value::set(std::move(missing)));
  return {};
}

void register_http(Registry& r) { r.add_network("http.send", 1, http_send); }

}  // namespace rego
