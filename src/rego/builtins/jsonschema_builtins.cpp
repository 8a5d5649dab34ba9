// The json.verify_schema and json.match_schema built-ins over the JSON Schema module (jsonschema.h), with a
// shared cache of compiled schemas.
#include <list>
#include <mutex>
#include <unordered_map>

#include "rego/builtins/jsonschema.h"
#include "rego/builtins/registry.h"
#include "rego/json.h"

namespace rego::jsonschema {

namespace {

// ---------------------------------------------------------------- the built-ins

// Compiled schemas by schema text, shared by all queries: bounded LRU, thread-safe.
class SchemaCache {
 public:
  std::shared_ptr<const Compiled> get(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->second;
  }
  void put(const std::string& key, std::shared_ptr<const Compiled> v) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) {
      it->second->second = std::move(v);
      lru_.splice(lru_.begin(), lru_, it->second);
      return;
    }
    lru_.emplace_front(key, std::move(v));
    index_[key] = lru_.begin();
    while (lru_.size() > kCapacity) {
      index_.erase(lru_.back().first);
      lru_.pop_back();
    }
  }

 private:
  static constexpr size_t kCapacity = 256;
  std::mutex mu_;
  std::list<std::pair<std::string, std::shared_ptr<const Compiled>>> lru_;
  std::unordered_map<std::string, std::list<std::pair<std::string, std::shared_ptr<const Compiled>>>::iterator> index_;
};

SchemaCache& cache() {
  static SchemaCache c;
  return c;
}

// OPA's astValueToJSONSchemaLoader: a JSON string, or an object/array as is. nullopt + message otherwise.
std::optional<Value> load(const Value& v, std::string& err) {
  if (v.is_string()) {
    auto r = json::parse(v.as_string());
    if (!r.ok) {
      err = "invalid JSON string";
      return std::nullopt;
    }
    return r.value;
  }
  if (v.is_object() || v.is_array()) return v;
  err = "wrong type, expected string or object";
  return std::nullopt;
}

// Compiles (or finds in the cache) the schema operand; nullptr + message when it cannot be loaded.
std::shared_ptr<const Compiled> compiled_schema(const Value& operand, std::string& err) {
  std::string key = operand.is_string() ? "s" + operand.as_string() : "v" + json::write(operand);
  if (auto hit = cache().get(key)) return hit;
  auto schema = load(operand, err);
  if (!schema) return nullptr;
  auto c = std::make_shared<const Compiled>(compile(*schema));
  cache().put(key, c);
  return c;
}

std::optional<Value> verify_schema(BuiltinArgs a, BuiltinContext&) {
  std::string err;
  auto c = compiled_schema(a[0], err);
  if (!c) return Value::array({Value::false_value(), str("jsonschema: " + err)});
  if (!c->schema) return Value::array({Value::false_value(), str("jsonschema: " + c->error)});
  return Value::array({Value::true_value(), Value::null()});
}

std::optional<Value> match_schema(BuiltinArgs a, BuiltinContext&) {
  std::string err;
  auto doc = load(a[0], err);
  if (!doc) throw BuiltinError{err, false};
  auto c = compiled_schema(a[1], err);
  if (!c) throw BuiltinError{err, false};
  if (!c->schema) throw BuiltinError{c->error, false};
  Outcome o;
  try {
    o = validate(*c->schema, *doc);
  } catch (const std::exception& e) {
    throw BuiltinError{e.what(), false};
  }
  return Value::array({Value::boolean(o.valid), o.errors});
}

}  // namespace
}  // namespace rego::jsonschema

namespace rego {

void register_jsonschema(Registry& r) {
  r.add("json.verify_schema", 1, jsonschema::verify_schema);
  r.add("json.match_schema", 2, jsonschema::match_schema);
}

}  // namespace rego
