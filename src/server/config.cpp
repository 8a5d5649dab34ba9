// Configuration documents (config.h).
#include "server/config.h"

#include <algorithm>
#include <charconv>

#include "server/storage_path.h"

namespace trex::server {

using rego::Value;

namespace {

std::string dotted(std::initializer_list<const char*> path) {
  std::string out;
  for (const char* p : path) out += (out.empty() ? "" : ".") + std::string(p);
  return out;
}

bool read_int(const Value& root, std::initializer_list<const char*> path, int64_t& out, std::string& error) {
  const Value* v = config_at(root, path);
  if (!v) return true;
  if (!v->is_int() || v->as_int() < 0) {
    error = "invalid configuration: " + dotted(path) + " must be a non-negative integer";
    return false;
  }
  out = v->as_int();
  return true;
}

template <typename T>
bool read_size(const Value& root, std::initializer_list<const char*> path, T& out, std::string& error) {
  int64_t v = static_cast<int64_t>(out);
  if (!read_int(root, path, v, error)) return false;
  out = static_cast<T>(v);
  return true;
}

bool read_ms(const Value& root, std::initializer_list<const char*> path, std::chrono::milliseconds& out,
             std::string& error) {
  int64_t v = out.count();
  if (!read_int(root, path, v, error)) return false;
  out = std::chrono::milliseconds(v);
  return true;
}

bool read_string(const Value& root, std::initializer_list<const char*> path, std::string& out, std::string& error) {
  const Value* v = config_at(root, path);
  if (!v) return true;
  if (!v->is_string()) {
    error = "invalid configuration: " + dotted(path) + " must be a string";
    return false;
  }
  out = v->as_string();
  return true;
}

Value typed_scalar(const std::string& text) {
  if (text == "true") return Value::boolean(true);
  if (text == "false") return Value::boolean(false);
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc() && p == text.data() + text.size() && !text.empty()) return Value::integer(n);
  return Value::string(text);
}

// Removes `field` from every object value of the object at `parent` (services -> each service).
Value without_field_in_each(const Value& parent, const char* field) {
  if (!parent.is_object()) return parent;
  std::vector<rego::ObjectEntry> out;
  for (const auto& [k, v] : parent.as_object()) {
    if (!v.is_object()) {
      out.emplace_back(k, v);
      continue;
    }
    std::vector<rego::ObjectEntry> fields;
    for (const auto& f : v.as_object())
      if (!(f.first.is_string() && f.first.as_string() == field)) fields.push_back(f);
    out.emplace_back(k, Value::object_sorted(std::move(fields)));
  }
  return Value::object_sorted(std::move(out));
}

Value with_key(const Value& obj, const char* key, const Value& value) {
  StorageError ignored;
  auto v = storage_write(obj.is_object() ? obj : Value::empty_object(), PatchOp::Add, {key}, value, ignored);
  return v ? *v : obj;
}

}  // namespace

const Value* config_at(const Value& doc, std::initializer_list<const char*> path) {
  const Value* v = &doc;
  for (const char* key : path) {
    if (!v->is_object()) return nullptr;
    v = v->get(key);
    if (!v) return nullptr;
  }
  return v;
}

bool parse_config(const Value& raw, ServerConfig& out, std::string& error) {
  if (!raw.is_object()) {
    error = "invalid configuration: the document must be an object";
    return false;
  }
  out.raw = raw;
  if (!read_string(raw, {"default_decision"}, out.default_decision, error)) return false;
  if (!read_string(raw, {"default_authorization_decision"}, out.default_authorization_decision, error)) return false;
  if (!read_string(raw, {"agent", "decision"}, out.agent_decision, error)) return false;
  if (!read_size(raw, {"agent", "max_tracked_decisions"}, out.agent_max_tracked_decisions, error)) return false;
  if (const Value* labels = config_at(raw, {"labels"})) {
    if (!labels->is_object()) {
      error = "invalid configuration: labels must be an object";
      return false;
    }
    for (const auto& [k, v] : labels->as_object()) {
      if (!v.is_string()) {
        error = "invalid configuration: labels values must be strings";
        return false;
      }
      out.labels = with_key(out.labels, k.as_string().c_str(), v);
    }
  }
  if (const Value* immutable = config_at(raw, {"immutable"})) {
    if (!immutable->is_boolean()) {
      error = "invalid configuration: immutable must be a boolean";
      return false;
    }
    out.immutable = immutable->as_bool();
  }
  if (const Value* console = config_at(raw, {"decision_logs", "console"})) {
    if (!console->is_boolean()) {
      error = "invalid configuration: decision_logs.console must be a boolean";
      return false;
    }
    out.decision_logs_console = console->as_bool();
  }
  if (const Value* allow = config_at(raw, {"allow_net"})) {
    std::vector<std::string> hosts;
    bool ok = allow->is_array();
    if (ok)
      for (const auto& host : allow->as_array()) {
        ok = ok && host.is_string() && !host.as_string().empty();
        if (ok) hosts.push_back(host.as_string());
      }
    if (!ok) {
      error = "invalid configuration: allow_net must be a list of host names";
      return false;
    }
    allow_net_hosts(out, hosts);
  }
  auto& h = out.http;
  int64_t level = h.gzip_level;
  bool ok = read_size(raw, {"server", "decoding", "max_length"}, h.max_body_bytes, error) &&
            read_size(raw, {"server", "decoding", "gzip", "max_length"}, h.max_gzip_body_bytes, error) &&
            read_size(raw, {"server", "encoding", "gzip", "min_length"}, h.gzip_min_length, error) &&
            read_int(raw, {"server", "encoding", "gzip", "compression_level"}, level, error) &&
            read_size(raw, {"server", "limits", "max_connections"}, h.max_connections, error) &&
            read_size(raw, {"server", "limits", "max_header_bytes"}, h.max_header_bytes, error) &&
            read_size(raw, {"server", "limits", "max_response_bytes"}, out.max_response_bytes, error) &&
            read_ms(raw, {"server", "limits", "read_timeout_ms"}, h.read_timeout, error) &&
            read_ms(raw, {"server", "limits", "idle_timeout_ms"}, h.idle_timeout, error) &&
            read_ms(raw, {"server", "limits", "query_timeout_ms"}, out.query_timeout, error);
  if (!ok) return false;
  if (level < 1 || level > 9) {
    error = "invalid configuration: server.encoding.gzip.compression_level must be between 1 and 9";
    return false;
  }
  h.gzip_level = static_cast<int>(level);
  return true;
}

void allow_net_hosts(ServerConfig& config, const std::vector<std::string>& hosts) {
  if (!config.allow_net) return;  // already every host
  auto merged = std::make_shared<std::vector<std::string>>(*config.allow_net);
  for (const auto& host : hosts) {
    if (host == "*") {
      config.allow_net = nullptr;
      return;
    }
    if (std::find(merged->begin(), merged->end(), host) == merged->end()) merged->push_back(host);
  }
  config.allow_net = std::move(merged);
}

bool apply_set(Value& raw, const std::string& assignment, std::string& error) {
  size_t start = 0;
  while (start < assignment.size()) {
    size_t comma = assignment.find(',', start);
    std::string item = assignment.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? assignment.size() : comma + 1;
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      error = "--set: expected key=value, got \"" + item + "\"";
      return false;
    }
    StoragePath path;
    size_t pos = 0;
    std::string key = item.substr(0, eq);
    while (pos <= key.size()) {
      size_t dot = key.find('.', pos);
      path.push_back(key.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos));
      if (dot == std::string::npos) break;
      pos = dot + 1;
    }
    StorageError err;
    auto dir = storage_make_dir(raw, StoragePath(path.begin(), path.end() - 1), err);
    if (!dir) {
      error = "--set " + key + ": a parent of this key is not an object";
      return false;
    }
    auto updated = storage_write(*dir, PatchOp::Add, path, typed_scalar(item.substr(eq + 1)), err);
    if (!updated) {
      error = "--set " + key + ": " + err.message;
      return false;
    }
    raw = std::move(*updated);
  }
  return true;
}

Value active_config(const ServerConfig& config) {
  Value out = config.raw;
  if (const Value* services = config_at(out, {"services"})) out = with_key(out, "services", without_field_in_each(*services, "credentials"));
  if (const Value* keys = config_at(out, {"keys"})) {
    Value stripped = without_field_in_each(*keys, "key");
    out = with_key(out, "keys", without_field_in_each(stripped, "private_key"));
  }
  out = with_key(out, "labels", config.labels);
  out = with_key(out, "default_decision", Value::string(config.default_decision));
  out = with_key(out, "default_authorization_decision", Value::string(config.default_authorization_decision));
  return out;
}

}  // namespace trex::server
