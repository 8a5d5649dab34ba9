// opa.runtime, trace, uri.parse, uri.is_valid.
//
// opa.runtime returns the runtime information the host put in BuiltinContext::runtime (an empty object when
// there is none) with secrets purged from its "config" the way OPA does: services lose their "credentials",
// keys lose "key" and "private_key".
//
// uri.* are thin wrappers over Go's net/url.Parse (gourl.h), as OPA's are: uri.parse returns scheme, hostname,
// port, path (+ raw_path), raw_query and fragment, each only when non-empty; a URL Go rejects is an error whose
// text is Go's (`parse "x": ...`). uri.is_valid is false for non-strings and the empty string.
#include "rego/builtins/gourl.h"
#include "rego/builtins/registry.h"

namespace rego {
namespace {

// removeKey: every element must be an object; drops `keys` from each.
Value remove_keys_from_each(const Value& coll, std::initializer_list<const char*> keys, bool allow_array,
                            const char* illegal_what) {
  auto strip = [&](const Value& v) {
    if (!v.is_object()) throw BuiltinError{"type assertion error", false};
    std::vector<ObjectEntry> out;
    for (const auto& [k, val] : v.as_object()) {
      bool drop = false;
      if (k.is_string())
        for (const char* key : keys) drop = drop || k.as_string() == key;
      if (!drop) out.emplace_back(k, val);
    }
    return Value::object_sorted(std::move(out));
  };
  if (coll.is_object()) {
    std::vector<ObjectEntry> out;
    for (const auto& [k, v] : coll.as_object()) out.emplace_back(k, strip(v));
    return Value::object_sorted(std::move(out));
  }
  if (allow_array && coll.is_array()) {
    std::vector<Value> out;
    for (const auto& v : coll.as_array()) out.push_back(strip(v));
    return Value::array(std::move(out));
  }
  // Go prints the dynamic type of the decoded JSON value (%T).
  const char* go_type = coll.is_string() ? "string"
                        : coll.is_number() ? "json.Number"
                        : coll.is_boolean() ? "bool"
                        : coll.is_array() ? "[]interface {}"
                                          : "<nil>";
  throw BuiltinError{std::string("illegal ") + illegal_what + " config type: " + go_type, false};
}

std::optional<Value> opa_runtime(BuiltinArgs, BuiltinContext& ctx) {
  const Value& rt = ctx.runtime;
  if (!rt.is_object()) return Value::empty_object();
  const Value* config = rt.get("config");
  if (!config || !config->is_object()) return rt;
  std::vector<ObjectEntry> cfg;
  for (const auto& [k, v] : config->as_object()) {
    if (k.is_string() && k.as_string() == "services" && !v.is_null()) {
      cfg.emplace_back(k, remove_keys_from_each(v, {"credentials"}, true, "service"));
    } else if (k.is_string() && k.as_string() == "keys" && !v.is_null()) {
      cfg.emplace_back(k, remove_keys_from_each(v, {"key", "private_key"}, false, "keys"));
    } else {
      cfg.emplace_back(k, v);
    }
  }
  std::vector<ObjectEntry> out;
  for (const auto& [k, v] : rt.as_object()) {
    if (k.is_string() && k.as_string() == "config") {
      out.emplace_back(k, Value::object_sorted(std::move(cfg)));
    } else {
      out.emplace_back(k, v);
    }
  }
  return Value::object_sorted(std::move(out));
}

// trace(note) succeeds; trace events are not collected (no tracer is attached to trex queries).
std::optional<Value> trace(BuiltinArgs a, BuiltinContext&) {
  args::string(a, 0);
  return Value::true_value();
}

std::optional<Value> uri_parse(BuiltinArgs a, BuiltinContext&) {
  const std::string& s = args::string(a, 0);
  std::string err;
  auto u = gourl::parse(s, &err);
  if (!u) throw BuiltinError{err, false};
  std::vector<ObjectEntry> e;
  auto put = [&](const char* k, const std::string& v) {
    if (!v.empty()) e.emplace_back(str(k), str(v));
  };
  put("scheme", u->scheme);
  put("hostname", u->hostname());
  put("port", u->port());
  if (!u->path.empty()) {
    e.emplace_back(str("path"), str(u->path));
    e.emplace_back(str("raw_path"), str(u->raw_path.empty() ? u->path : u->raw_path));
  }
  put("raw_query", u->raw_query);
  put("fragment", u->fragment);
  return Value::object(std::move(e));
}

std::optional<Value> uri_is_valid(BuiltinArgs a, BuiltinContext&) {
  if (!a[0].is_string() || a[0].as_string().empty()) return Value::false_value();
  return Value::boolean(gourl::parse(a[0].as_string()).has_value());
}

}  // namespace

void register_runtime(Registry& r) {
  r.add("opa.runtime", 0, opa_runtime, /*nondeterministic=*/true);
  r.add("trace", 1, trace);
  r.add("uri.parse", 1, uri_parse);
  r.add("uri.is_valid", 1, uri_is_valid);
}

}  // namespace rego
