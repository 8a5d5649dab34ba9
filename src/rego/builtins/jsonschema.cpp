// json.verify_schema, json.match_schema and the JSON-schema module behind them (see jsonschema.h).
//
// Three stages:
//   1. Prep walks the schema as gojsonschema's parser does, raising its errors in its order, and rewrites it for
//      valijson: "type", "enum", "const", "pattern" and "format" become trex keywords ("x-trex-*") backed by
//      valijson PolyConstraints with gojsonschema's semantics; "$id" becomes "id" (valijson 1.0 reads only "id");
//      the keywords a draft ignores are dropped; boolean exclusiveMinimum/Maximum of the hybrid draft are turned
//      into draft-7 numbers.
//   2. valijson compiles the rewritten document (resolving "$ref"s) and decides validity.
//   3. For an invalid document, Explainer walks valijson's compiled schema in gojsonschema's order and produces
//      its errors (type, field, description, "closest branch" of anyOf/oneOf by gojsonschema's score).
#define VALIJSON_USE_EXCEPTIONS 1

#include "rego/builtins/jsonschema.h"

#include <valijson/adapters/rapidjson_adapter.hpp>  // before any RapidJSON header (it sets RAPIDJSON_ASSERT)

#include <rapidjson/document.h>
#include <re2/re2.h>

#include <arpa/inet.h>

#include <charconv>
#include <cctype>
#include <cmath>
#include <cstring>
#include <list>
#include <map>
#include <mutex>
#include <new>
#include <regex>
#include <set>
#include <stdexcept>
#include <unordered_map>
#include <valijson/constraint_builder.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validation_visitor.hpp>
#include <valijson/validator.hpp>

#include "rego/builtins/gourl.h"
#include "rego/builtins/registry.h"
#include "rego/json.h"
#include "rego/number.h"

namespace rego::jsonschema {

std::string_view meta_schema(std::string_view uri);  // jsonschema_meta.cpp

namespace {

namespace rj = rapidjson;
namespace vc = valijson::constraints;
using valijson::Subschema;
using valijson::ValidationResults;
using valijson::adapters::Adapter;
using valijson::adapters::RapidJsonAdapter;

constexpr int kMaxDocumentDepth = 512;  // valijson and the explainer recurse once per level
constexpr int kMaxExplainDepth = 1024;
constexpr int kMaxSchemaDepth = 512;  // nesting of the schema document itself

enum class Draft { D4 = 4, D6 = 6, D7 = 7, Hybrid = 1000 };

// ---------------------------------------------------------------- gojsonschema's vocabulary and messages

const char* const kJsonTypes[] = {"array", "boolean", "integer", "number", "null", "object", "string"};

struct SchemaError {
  std::string message;
};

[[noreturn]] void schema_error(std::string msg) { throw SchemaError{std::move(msg)}; }
[[noreturn]] void invalid_type(const std::string& expected, const std::string& given) {
  schema_error("Invalid type. Expected: " + expected + ", given: " + given);
}
[[noreturn]] void must_be_of_a(const std::string& x, const std::string& y) { schema_error(x + " must be of a " + y); }
[[noreturn]] void must_be_of_an(const std::string& x, const std::string& y) { schema_error(x + " must be of an " + y); }
[[noreturn]] void must_be_of_type(const std::string& key, const std::string& type) {
  schema_error(key + " must be of type " + type);
}
[[noreturn]] void parse_error() { schema_error("Expected: valid schema, given: Invalid JSON"); }

// big.Float's %v (shortest 'g', exponent form below 1e-4 and from 1e6): the text of numbers in messages.
std::string go_float(double d) {
  if (d == 0) return "0";
  if (!std::isfinite(d)) return d > 0 ? "+Inf" : "-Inf";
  std::string out;
  if (d < 0) {
    out += '-';
    d = -d;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits += c;
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int exp = std::stoi(sci.substr(e + 1));
  if (exp < -4 || exp >= 6) {
    out += digits[0];
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += exp < 0 ? "e-" : "e+";
    std::string ex = std::to_string(std::abs(exp));
    if (ex.size() < 2) ex = "0" + ex;
    out += ex;
  } else if (exp < 0) {
    out += "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  } else {
    size_t point = static_cast<size_t>(exp) + 1;
    if (digits.size() <= point) {
      out += digits + std::string(point - digits.size(), '0');
    } else {
      out += digits.substr(0, point) + "." + digits.substr(point);
    }
  }
  return out;
}

// An exact whole number within int64 (gojsonschema's mustBeInteger).
std::optional<int64_t> whole(const Value& v) {
  if (!v.is_number() || !number::is_integer(v)) return std::nullopt;
  return number::to_int64(v);
}

// ---------------------------------------------------------------- Values <-> RapidJSON / valijson adapters

void to_rj(const Value& v, rj::Value& out, rj::Document::AllocatorType& a, int depth) {
  if (depth > kMaxDocumentDepth) throw std::runtime_error("document nesting exceeds " + std::to_string(kMaxDocumentDepth));
  switch (v.kind()) {
    case Kind::Null:
      out.SetNull();
      break;
    case Kind::Boolean:
      out.SetBool(v.as_bool());
      break;
    case Kind::Number:
      if (v.is_int()) {
        out.SetInt64(v.as_int());
      } else if (auto i = number::is_integer(v) ? number::to_int64(v) : std::nullopt) {
        out.SetInt64(*i);
      } else {
        out.SetDouble(number::to_double(v));
      }
      break;
    case Kind::String:
      out.SetString(v.as_string().data(), static_cast<rj::SizeType>(v.as_string().size()), a);
      break;
    case Kind::Array:
    case Kind::Set: {
      const auto& items = v.is_array() ? v.as_array() : v.as_set();
      out.SetArray();
      out.Reserve(static_cast<rj::SizeType>(items.size()), a);
      for (const auto& item : items) {
        rj::Value e;
        to_rj(item, e, a, depth + 1);
        out.PushBack(e, a);
      }
      break;
    }
    case Kind::Object: {
      out.SetObject();
      for (const auto& [k, val] : v.as_object()) {
        std::string key = k.is_string() ? k.as_string() : json::write(k);
        rj::Value name(key.data(), static_cast<rj::SizeType>(key.size()), a);
        rj::Value e;
        to_rj(val, e, a, depth + 1);
        out.AddMember(name, e, a);
      }
      break;
    }
  }
}

Value from_adapter(const Adapter& a) {
  if (a.isNull()) return Value::null();
  if (a.isBool()) return Value::boolean(a.getBool());
  if (a.isInteger()) return Value::integer(a.getInteger());
  if (a.isDouble()) return number::from_double(a.getDouble());
  if (a.isString()) return Value::string(a.getString());
  if (a.isArray()) {
    std::vector<Value> items;
    a.applyToArray([&](const Adapter& e) {
      items.push_back(from_adapter(e));
      return true;
    });
    return Value::array(std::move(items));
  }
  std::vector<ObjectEntry> entries;
  a.applyToObject([&](const std::string& k, const Adapter& e) {
    entries.emplace_back(Value::string(k), from_adapter(e));
    return true;
  });
  return Value::object(std::move(entries));
}

// gojsonschema's name of a value's type ("integer" for whole numbers, as big.Rat.IsInt decides).
const char* type_of(const Adapter& a) {
  if (a.isNull()) return "null";
  if (a.isBool()) return "boolean";
  if (a.isInteger()) return "integer";
  if (a.isDouble()) {
    double d = a.getDouble();
    return std::isfinite(d) && std::floor(d) == d ? "integer" : "number";
  }
  if (a.isString()) return "string";
  if (a.isArray()) return "array";
  return "object";
}

// ---------------------------------------------------------------- trex's valijson constraints

template <typename Derived>
class Poly : public vc::PolyConstraint {
 private:
  vc::Constraint* cloneInto(void* p) const override { return new (p) Derived(static_cast<const Derived&>(*this)); }
  size_t sizeOf() const override { return sizeof(Derived); }
};

void push(ValidationResults* r, const std::vector<std::string>& ctx, const char* msg) {
  if (r) r->pushError(ctx, msg);
}

class TypeCheck : public Poly<TypeCheck> {
 public:
  std::vector<std::string> names;  // in schema order
  bool accepts(const Adapter& t) const {
    std::string_view given = type_of(t);
    for (const auto& n : names)
      if (n == given || (n == "number" && given == "integer")) return true;
    return false;
  }
  std::string expected() const {
    if (names.size() == 1) return names[0];
    std::string s = "[";
    for (size_t i = 0; i < names.size(); ++i) s += (i ? "," : "") + names[i];
    return s + "]";
  }
  bool validate(const Adapter& t, const std::vector<std::string>& ctx, ValidationResults* r) const override {
    if (accepts(t)) return true;
    push(r, ctx, "Invalid type.");
    return false;
  }
};

class PatternCheck : public Poly<PatternCheck> {
 public:
  std::string pattern;
  std::shared_ptr<const RE2> re;
  bool matches(const Adapter& t) const { return !t.isString() || RE2::PartialMatch(t.getString(), *re); }
  bool validate(const Adapter& t, const std::vector<std::string>& ctx, ValidationResults* r) const override {
    if (matches(t)) return true;
    push(r, ctx, "Does not match pattern.");
    return false;
  }
};

class FormatCheck : public Poly<FormatCheck> {
 public:
  std::string format;
  bool matches(const Adapter& t) const { return !t.isString() || check_format(format, t.getString()); }
  bool validate(const Adapter& t, const std::vector<std::string>& ctx, ValidationResults* r) const override {
    if (matches(t)) return true;
    push(r, ctx, "Does not match format.");
    return false;
  }
};

// enum and const: membership by Rego equality (1 == 1.0, as gojsonschema's number-normalised comparison).
class ValuesCheck : public Poly<ValuesCheck> {
 public:
  bool is_const = false;
  std::vector<Value> values;
  std::string allowed;  // gojsonschema's "allowed" detail
  bool matches(const Adapter& t) const {
    Value v = from_adapter(t);
    for (const auto& x : values)
      if (x == v) return true;
    return false;
  }
  bool validate(const Adapter& t, const std::vector<std::string>& ctx, ValidationResults* r) const override {
    if (matches(t)) return true;
    push(r, ctx, is_const ? "Does not match const." : "Not one of the enum values.");
    return false;
  }
};

// ---------------------------------------------------------------- the compiled schema

struct Tables {
  std::vector<std::vector<std::string>> types;
  std::vector<Value> consts;
  std::vector<std::vector<Value>> enums;
  std::map<std::string, std::shared_ptr<const RE2>> regexes;  // "pattern"s and "patternProperties" keys

  std::shared_ptr<const RE2> regex(const std::string& pattern) {
    auto it = regexes.find(pattern);
    if (it != regexes.end()) return it->second;
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_shared<const RE2>(pattern, opts);
    if (!re->ok()) return nullptr;
    regexes.emplace(pattern, re);
    return re;
  }
};

}  // namespace

class Schema {
 public:
  Tables tables;
  rj::Document doc;  // the rewritten schema valijson compiled (kept for the life of the compiled schema)
  valijson::Schema compiled;
};

namespace {

// ---------------------------------------------------------------- stage 1: gojsonschema's checks + rewrite

class Prep {
 public:
  // `base` is the document's URI ("" when unknown); `ids` collects every subschema that declares an absolute
  // id, so that references to it can be served without fetching (valijson 1.0 resolves ids poorly).
  Prep(Draft draft, bool valijson_draft4, Tables& tables, rj::Document::AllocatorType& alloc, std::string base,
       std::map<std::string, Value>& ids)
      : draft_(draft), vj4_(valijson_draft4), t_(tables), a_(alloc), base_(std::move(base)), ids_(ids) {}

  rj::Value schema(const Value& node) {
    if (++depth_ > kMaxSchemaDepth) schema_error("schema nesting exceeds " + std::to_string(kMaxSchemaDepth));
    struct DepthGuard {
      int& d;
      ~DepthGuard() { --d; }
    } depth_guard{depth_};
    rj::Value out;
    if (node.is_boolean()) {
      if (draft_ < Draft::D6) parse_error();
      out.SetBool(node.as_bool());
      return out;
    }
    if (!node.is_object()) parse_error();
    out.SetObject();
    const Value& m = node;

    // id / $id (valijson reads "id" whatever the draft)
    // id / $id: changes the base URI that "$ref"s resolve against. trex resolves every "$ref" to an absolute
    // URI here and serves id'd subschemas through the fetcher, so valijson never sees an id.
    const char* key_id = draft_ == Draft::D4 ? "id" : draft_ == Draft::Hybrid ? (m.get("id") ? "id" : "$id") : "$id";
    struct BaseGuard {
      std::string& base;
      std::string saved;
      ~BaseGuard() { base = std::move(saved); }
    } base_guard{base_, base_};
    if (const std::string* id = get_string(m, key_id); id && !m.get("$ref")) {
      std::string resolved = resolve(*id);
      if (resolved.find('#') == std::string::npos && resolved.find(':') != std::string::npos) {
        base_ = resolved;
        ids_.emplace(resolved, node);
      }
    }

    if (const Value* defs = m.get("definitions")) {
      if (!defs->is_object()) invalid_type("array of schemas", "definitions");
      rj::Value d(rj::kObjectType);
      for (const auto& [k, v] : defs->as_object()) {
        if (!v.is_boolean() && !v.is_object()) invalid_type("array of schemas", "definitions");
        add(d, key_text(k), schema(v));
      }
      add(out, "definitions", std::move(d));
    }
    for (const char* k : {"title", "description"})
      if (const std::string* s = get_string(m, k)) add(out, k, str_value(*s));

    if (const std::string* ref = get_string(m, "$ref")) {
      add(out, "$ref", str_value(resolve(*ref)));
      copy_unknown(m, out);
      return out;  // gojsonschema parses the target instead of the siblings
    }

    if (const Value* typ = m.get("type")) {
      std::vector<std::string> names;
      auto add_type = [&](const std::string& t) {
        bool known = false;
        for (const char* j : kJsonTypes) known = known || t == j;
        if (!known)
          schema_error("has a primitive type that is NOT VALID -- given: /" + t +
                       "/ Expected valid values are:[array boolean integer number null object string]");
        for (const auto& n : names)
          if (n == t) schema_error(t + " type is duplicated");
        names.push_back(t);
      };
      if (typ->is_string()) {
        add_type(typ->as_string());
      } else if (typ->is_array()) {
        for (const auto& e : typ->as_array()) {
          if (!e.is_string()) invalid_type("type", "string/array of strings");
          add_type(e.as_string());
        }
      } else {
        invalid_type("type", "string/array of strings");
      }
      if (!names.empty()) {
        t_.types.push_back(std::move(names));
        add(out, "x-trex-type", index_value(t_.types.size() - 1));
      }
    }

    if (const Value* props = m.get("properties")) {
      if (!props->is_object()) must_be_of_type("properties", "object");
      rj::Value p(rj::kObjectType);
      for (const auto& [k, v] : props->as_object()) add(p, key_text(k), schema(v));
      add(out, "properties", std::move(p));
    }
    if (const Value* ap = m.get("additionalProperties")) {
      if (ap->is_boolean()) {
        add(out, "additionalProperties", rj::Value(ap->as_bool()));
      } else if (ap->is_object()) {
        add(out, "additionalProperties", schema(*ap));
      } else {
        invalid_type("boolean/valid schema", "additionalProperties");
      }
    }
    if (const Value* pp = m.get("patternProperties")) {
      if (!pp->is_object()) invalid_type("valid schema", "patternProperties");
      rj::Value p(rj::kObjectType);
      for (const auto& [k, v] : pp->as_object()) {
        std::string pattern = key_text(k);
        if (!t_.regex(pattern)) schema_error("Invalid regex pattern '" + pattern + "'");
        // valijson matches patternProperties with std::regex (ECMAScript): it must compile there too.
        try {
          std::regex probe(pattern);
        } catch (const std::regex_error&) {
          schema_error("Invalid regex pattern '" + pattern + "'");
        }
        add(p, pattern, schema(v));
      }
      add(out, "patternProperties", std::move(p));
    }
    if (const Value* pn = m.get("propertyNames"); pn && draft_ >= Draft::D6) {
      if (!pn->is_boolean() && !pn->is_object()) invalid_type("valid schema", "patternProperties");
      add(out, "propertyNames", schema(*pn));
    }
    if (const Value* deps = m.get("dependencies")) {
      if (!deps->is_object()) must_be_of_type("dependencies", "object");
      rj::Value d(rj::kObjectType);
      for (const auto& [k, v] : deps->as_object()) {
        if (v.is_array()) {
          rj::Value list(rj::kArrayType);
          for (const auto& e : v.as_array()) {
            if (!e.is_string()) must_be_of_type("dependency", "schema or array of strings");
            list.PushBack(str_value(e.as_string()), a_);
          }
          add(d, key_text(k), std::move(list));
        } else if (v.is_boolean() || v.is_object()) {
          add(d, key_text(k), schema(v));
        } else {
          must_be_of_type("dependency", "schema or array of strings");
        }
      }
      add(out, "dependencies", std::move(d));
    }
    if (const Value* items = m.get("items")) {
      if (items->is_array()) {
        rj::Value list(rj::kArrayType);
        for (const auto& e : items->as_array()) {
          if (!e.is_object() && !e.is_boolean()) invalid_type("valid schema/array of schemas", "items");
          list.PushBack(schema(e), a_);
        }
        add(out, "items", std::move(list));
      } else if (items->is_object() || items->is_boolean()) {
        add(out, "items", schema(*items));
      } else {
        invalid_type("valid schema/array of schemas", "items");
      }
    }
    if (const Value* ai = m.get("additionalItems")) {
      if (ai->is_boolean()) {
        add(out, "additionalItems", rj::Value(ai->as_bool()));
      } else if (ai->is_object()) {
        add(out, "additionalItems", schema(*ai));
      } else {
        invalid_type("boolean/valid schema", "additionalItems");
      }
    }

    if (const Value* mo = m.get("multipleOf")) {
      if (!mo->is_number()) invalid_type("number", "multipleOf");
      if (number::compare(*mo, Value::integer(0)) <= 0) schema_error("multipleOf must be strictly greater than 0");
      add(out, "multipleOf", num_value(*mo));
    }
    bounds(m, out, "minimum", "exclusiveMinimum");
    bounds(m, out, "maximum", "exclusiveMaximum");

    auto nonneg = [&](const char* key) -> std::optional<int64_t> {
      const Value* v = m.get(key);
      if (!v) return std::nullopt;
      auto n = whole(*v);
      if (!n) must_be_of_an(key, "integer");
      if (*n < 0) schema_error(std::string(key) + " must be greater than or equal to 0");
      add(out, key, rj::Value(static_cast<int64_t>(*n)));
      return n;
    };
    auto min_len = nonneg("minLength");
    auto max_len = nonneg("maxLength");
    if (min_len && max_len && *min_len > *max_len) schema_error("minLength cannot be greater than maxLength");

    if (const std::string* pattern = get_string(m, "pattern")) {
      if (!t_.regex(*pattern)) schema_error("pattern must be a valid regex");
      add(out, "x-trex-pattern", str_value(*pattern));
    }
    if (const std::string* format = get_string(m, "format")) add(out, "x-trex-format", str_value(*format));

    auto min_props = nonneg("minProperties");
    auto max_props = nonneg("maxProperties");
    if (min_props && max_props && *min_props > *max_props)
      schema_error("minProperties cannot be greater than maxProperties");

    if (const std::vector<Value>* req = get_slice(m, "required")) {
      rj::Value list(rj::kArrayType);
      std::set<std::string> seen;
      for (const auto& e : *req) {
        if (!e.is_string()) invalid_type("string", "required");
        if (!seen.insert(e.as_string()).second) schema_error("required items must be unique");
        list.PushBack(str_value(e.as_string()), a_);
      }
      add(out, "required", std::move(list));
    }

    nonneg("minItems");
    nonneg("maxItems");
    if (const Value* u = m.get("uniqueItems")) {
      if (!u->is_boolean()) must_be_of_a("uniqueItems", "boolean");
      add(out, "uniqueItems", rj::Value(u->as_bool()));
    }
    if (const Value* c = m.get("contains"); c && draft_ >= Draft::D6) add(out, "contains", schema(*c));

    if (const Value* c = m.get("const"); c && draft_ >= Draft::D6) {
      t_.consts.push_back(*c);
      add(out, "x-trex-const", index_value(t_.consts.size() - 1));
    }
    if (const std::vector<Value>* e = get_slice(m, "enum")) {
      std::vector<Value> values;
      for (const auto& v : *e) {
        for (const auto& seen : values)
          if (seen == v) schema_error("enum items must be unique");
        values.push_back(v);
      }
      t_.enums.push_back(std::move(values));
      add(out, "x-trex-enum", index_value(t_.enums.size() - 1));
    }

    for (const char* k : {"oneOf", "anyOf", "allOf"}) {
      if (const std::vector<Value>* list = get_slice(m, k)) {
        rj::Value arr(rj::kArrayType);
        for (const auto& e : *list) arr.PushBack(schema(e), a_);
        if (!list->empty()) add(out, k, std::move(arr));  // an empty list constrains nothing in gojsonschema
      }
    }
    if (const Value* n = m.get("not")) {
      if (!n->is_boolean() && !n->is_object()) must_be_of_an("not", "object");
      add(out, "not", schema(*n));
    }
    if (draft_ >= Draft::D7) {
      bool has_if = false;
      for (const char* k : {"if", "then", "else"}) {
        if (const Value* v = m.get(k)) {
          if (!v->is_boolean() && !v->is_object()) must_be_of_an(k, "object");
          rj::Value s = schema(*v);
          if (std::string_view(k) == "if") has_if = true;
          if (has_if) add(out, k, std::move(s));
        }
      }
    }
    copy_unknown(m, out);
    return out;
  }

 private:
  // minimum + exclusiveMinimum (or the maximum pair), per draft, emitted in the form valijson's draft expects.
  void bounds(const Value& m, rj::Value& out, const char* plain_key, const char* excl_key) {
    const Value* plain = m.get(plain_key);
    if (plain && !plain->is_number()) must_be_of_a(plain_key, "number");
    const Value* excl = m.get(excl_key);
    std::optional<Value> inclusive = plain ? std::optional<Value>(*plain) : std::nullopt;
    std::optional<Value> exclusive;
    if (excl) {
      if (draft_ == Draft::D4) {
        if (!excl->is_boolean()) invalid_type("boolean", excl_key);
        if (!plain) schema_error(std::string(excl_key) + " cannot be used without " + plain_key);
        if (excl->as_bool()) {
          exclusive = *plain;
          inclusive.reset();
        }
      } else if (draft_ == Draft::Hybrid) {
        if (excl->is_boolean()) {
          if (!plain) schema_error(std::string(excl_key) + " cannot be used without " + plain_key);
          if (excl->as_bool()) {
            exclusive = *plain;
            inclusive.reset();
          }
        } else if (excl->is_number()) {
          exclusive = *excl;
        } else {
          invalid_type("boolean/number", excl_key);
        }
      } else {
        if (!excl->is_number()) invalid_type("number", excl_key);
        exclusive = *excl;
      }
    }
    if (vj4_) {
      // valijson draft 4: one bound, with a boolean exclusive flag.
      if (exclusive) {
        add(out, plain_key, num_value(*exclusive));
        add(out, excl_key, rj::Value(true));
      } else if (inclusive) {
        add(out, plain_key, num_value(*inclusive));
      }
    } else {
      if (inclusive) add(out, plain_key, num_value(*inclusive));
      if (exclusive) add(out, excl_key, num_value(*exclusive));
    }
  }

  const std::string* get_string(const Value& m, const char* key) {
    const Value* v = m.get(key);
    if (!v) return nullptr;
    if (!v->is_string()) invalid_type("string", key);
    return &v->as_string();
  }
  const std::vector<Value>* get_slice(const Value& m, const char* key) {
    const Value* v = m.get(key);
    if (!v) return nullptr;
    if (!v->is_array()) must_be_of_an(key, "array");
    return &v->as_array();
  }

  // Keywords trex does not interpret are kept verbatim ("$ref"s may point into them); the ones valijson would
  // misread (draft 3's) and trex's own are dropped.
  void copy_unknown(const Value& m, rj::Value& out) {
    static const std::set<std::string> kKnown = {
        "$schema", "id", "$id", "definitions", "title", "description", "$ref", "type", "properties",
        "additionalProperties", "patternProperties", "propertyNames", "dependencies", "items", "additionalItems",
        "multipleOf", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "minLength", "maxLength",
        "pattern", "format", "minProperties", "maxProperties", "required", "minItems", "maxItems", "uniqueItems",
        "contains", "const", "enum", "oneOf", "anyOf", "allOf", "not", "if", "then", "else", "divisibleBy",
        "extends", "disallow"};
    for (const auto& [k, v] : m.as_object()) {
      std::string key = key_text(k);
      if (kKnown.count(key) || key.rfind("x-trex-", 0) == 0) continue;
      rj::Value val;
      to_rj(v, val, a_, 0);
      add(out, key, std::move(val));
    }
  }

  static std::string key_text(const Value& k) { return k.is_string() ? k.as_string() : json::write(k); }
  rj::Value str_value(const std::string& s) { return rj::Value(s.data(), static_cast<rj::SizeType>(s.size()), a_); }
  rj::Value num_value(const Value& n) {
    rj::Value v;
    to_rj(n, v, a_, 0);
    return v;
  }
  static rj::Value index_value(size_t i) { return rj::Value(static_cast<uint64_t>(i)); }
  void add(rj::Value& obj, const std::string& key, rj::Value&& v) {
    obj.AddMember(str_value(key), v, a_);
  }

  // `ref` resolved against the current base URI (RFC 3986, as Go's url.ResolveReference); unchanged when there
  // is no absolute base.
  std::string resolve(const std::string& ref) const {
    if (base_.empty()) return ref;
    auto b = gourl::parse(base_);
    auto r = gourl::parse(ref);
    if (!b || !r || b->scheme.empty()) return ref;
    return gourl::resolve_reference(*b, *r).string();
  }

  Draft draft_;
  bool vj4_;
  Tables& t_;
  rj::Document::AllocatorType& a_;
  std::string base_;
  std::map<std::string, Value>& ids_;
  int depth_ = 0;
};

Draft draft_of(const Value& root) {
  if (!root.is_object()) return Draft::Hybrid;
  const Value* s = root.get("$schema");
  if (!s || !s->is_string()) return Draft::Hybrid;
  std::string url = s->as_string();
  if (!url.empty() && url.back() == '#') url.pop_back();
  if (url == "http://json-schema.org/draft-04/schema") return Draft::D4;
  if (url == "http://json-schema.org/draft-06/schema") return Draft::D6;
  if (url == "http://json-schema.org/draft-07/schema") return Draft::D7;
  return Draft::Hybrid;
}

class Builder : public valijson::ConstraintBuilder {
 public:
  explicit Builder(std::function<vc::Constraint*(const Adapter&)> make) : make_(std::move(make)) {}
  vc::Constraint* make(const Adapter& node) const override { return make_(node); }

 private:
  std::function<vc::Constraint*(const Adapter&)> make_;
};

size_t index_of(const Adapter& node, size_t size) {
  int64_t i = 0;
  if (!node.getInteger(i) || i < 0 || static_cast<size_t>(i) >= size) throw std::logic_error("bad trex keyword");
  return static_cast<size_t>(i);
}

std::string allowed_text(const std::vector<Value>& values) {
  if (values.empty()) return "(none)";
  std::string s;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) s += ", ";
    s += json::write(values[i]);
  }
  return s;
}

void add_builders(valijson::SchemaParser& parser, Tables& tables) {
  Tables* t = &tables;
  parser.addConstraintBuilder("x-trex-type", new Builder([t](const Adapter& node) -> vc::Constraint* {
    auto* c = new TypeCheck;
    c->names = t->types[index_of(node, t->types.size())];
    return c;
  }));
  parser.addConstraintBuilder("x-trex-pattern", new Builder([t](const Adapter& node) -> vc::Constraint* {
    auto* c = new PatternCheck;
    c->pattern = node.getString();
    c->re = t->regex(c->pattern);
    if (!c->re) {
      delete c;
      throw std::runtime_error("pattern must be a valid regex");
    }
    return c;
  }));
  parser.addConstraintBuilder("x-trex-format", new Builder([](const Adapter& node) -> vc::Constraint* {
    auto* c = new FormatCheck;
    c->format = node.getString();
    return c;
  }));
  parser.addConstraintBuilder("x-trex-enum", new Builder([t](const Adapter& node) -> vc::Constraint* {
    auto* c = new ValuesCheck;
    c->values = t->enums[index_of(node, t->enums.size())];
    c->allowed = allowed_text(c->values);
    return c;
  }));
  parser.addConstraintBuilder("x-trex-const", new Builder([t](const Adapter& node) -> vc::Constraint* {
    auto* c = new ValuesCheck;
    c->is_const = true;
    c->values = {t->consts[index_of(node, t->consts.size())]};
    c->allowed = json::write(c->values[0]);
    return c;
  }));
}

// ---------------------------------------------------------------- stage 3: gojsonschema's errors

struct Err {
  const char* type;
  std::string context;  // "(root).a.0"
  std::string desc;
};

struct Result {
  std::vector<Err> errors;
  int score = 0;
  bool valid() const { return errors.empty(); }
  void merge(Result&& o) {
    for (auto& e : o.errors) errors.push_back(std::move(e));
    score += o.score;
  }
};

std::string field_of(const std::string& ctx) {
  static const std::string prefix = "(root).";
  return ctx.rfind(prefix, 0) == 0 ? ctx.substr(prefix.size()) : ctx;
}

// The constraints of one subschema, sorted by kind.
struct Parts {
  const TypeCheck* type = nullptr;
  const vc::TypeConstraint* native_type = nullptr;
  std::vector<const vc::AnyOfConstraint*> any_of;
  std::vector<const vc::OneOfConstraint*> one_of;
  std::vector<const vc::AllOfConstraint*> all_of;
  std::vector<const vc::NotConstraint*> not_;
  std::vector<const vc::DependenciesConstraint*> deps;
  std::vector<const vc::ConditionalConstraint*> cond;
  std::vector<const vc::MultipleOfIntConstraint*> mult_int;
  std::vector<const vc::MultipleOfDoubleConstraint*> mult_dbl;
  std::vector<const vc::MaximumConstraint*> maximum;
  std::vector<const vc::MinimumConstraint*> minimum;
  std::vector<const vc::SingularItemsConstraint*> items1;
  std::vector<const vc::LinearItemsConstraint*> itemsN;
  std::vector<const vc::MinItemsConstraint*> min_items;
  std::vector<const vc::MaxItemsConstraint*> max_items;
  std::vector<const vc::UniqueItemsConstraint*> unique;
  std::vector<const vc::ContainsConstraint*> contains;
  std::vector<const vc::MinPropertiesConstraint*> min_props;
  std::vector<const vc::MaxPropertiesConstraint*> max_props;
  std::vector<const vc::RequiredConstraint*> required;
  std::vector<const vc::PropertiesConstraint*> props;
  std::vector<const vc::PropertyNamesConstraint*> prop_names;
  std::vector<const vc::MinLengthConstraint*> min_len;
  std::vector<const vc::MaxLengthConstraint*> max_len;
  std::vector<const PatternCheck*> pattern;
  std::vector<const vc::PatternConstraint*> native_pattern;
  std::vector<const FormatCheck*> format;
  std::vector<const vc::FormatConstraint*> native_format;
  std::vector<const ValuesCheck*> enum_, const_;
  std::vector<const vc::EnumConstraint*> native_enum;
  std::vector<const vc::ConstConstraint*> native_const;
};

class Collector : public vc::ConstraintVisitor {
 public:
  explicit Collector(Parts& p) : p_(p) {}
  bool visit(const vc::AllOfConstraint& c) override { return put(p_.all_of, c); }
  bool visit(const vc::AnyOfConstraint& c) override { return put(p_.any_of, c); }
  bool visit(const vc::ConditionalConstraint& c) override { return put(p_.cond, c); }
  bool visit(const vc::ConstConstraint& c) override { return put(p_.native_const, c); }
  bool visit(const vc::ContainsConstraint& c) override { return put(p_.contains, c); }
  bool visit(const vc::DependenciesConstraint& c) override { return put(p_.deps, c); }
  bool visit(const vc::EnumConstraint& c) override { return put(p_.native_enum, c); }
  bool visit(const vc::FormatConstraint& c) override { return put(p_.native_format, c); }
  bool visit(const vc::LinearItemsConstraint& c) override { return put(p_.itemsN, c); }
  bool visit(const vc::MaximumConstraint& c) override { return put(p_.maximum, c); }
  bool visit(const vc::MaxItemsConstraint& c) override { return put(p_.max_items, c); }
  bool visit(const vc::MaxLengthConstraint& c) override { return put(p_.max_len, c); }
  bool visit(const vc::MaxPropertiesConstraint& c) override { return put(p_.max_props, c); }
  bool visit(const vc::MinimumConstraint& c) override { return put(p_.minimum, c); }
  bool visit(const vc::MinItemsConstraint& c) override { return put(p_.min_items, c); }
  bool visit(const vc::MinLengthConstraint& c) override { return put(p_.min_len, c); }
  bool visit(const vc::MinPropertiesConstraint& c) override { return put(p_.min_props, c); }
  bool visit(const vc::MultipleOfDoubleConstraint& c) override { return put(p_.mult_dbl, c); }
  bool visit(const vc::MultipleOfIntConstraint& c) override { return put(p_.mult_int, c); }
  bool visit(const vc::NotConstraint& c) override { return put(p_.not_, c); }
  bool visit(const vc::OneOfConstraint& c) override { return put(p_.one_of, c); }
  bool visit(const vc::PatternConstraint& c) override { return put(p_.native_pattern, c); }
  bool visit(const vc::PolyConstraint& c) override {
    if (auto* t = dynamic_cast<const TypeCheck*>(&c)) p_.type = t;
    else if (auto* pt = dynamic_cast<const PatternCheck*>(&c)) p_.pattern.push_back(pt);
    else if (auto* f = dynamic_cast<const FormatCheck*>(&c)) p_.format.push_back(f);
    else if (auto* v = dynamic_cast<const ValuesCheck*>(&c)) (v->is_const ? p_.const_ : p_.enum_).push_back(v);
    return true;
  }
  bool visit(const vc::PropertiesConstraint& c) override { return put(p_.props, c); }
  bool visit(const vc::PropertyNamesConstraint& c) override { return put(p_.prop_names, c); }
  bool visit(const vc::RequiredConstraint& c) override { return put(p_.required, c); }
  bool visit(const vc::SingularItemsConstraint& c) override { return put(p_.items1, c); }
  bool visit(const vc::TypeConstraint& c) override {
    p_.native_type = &c;
    return true;
  }
  bool visit(const vc::UniqueItemsConstraint& c) override { return put(p_.unique, c); }

 private:
  template <typename T>
  static bool put(std::vector<const T*>& v, const T& c) {
    v.push_back(&c);
    return true;
  }
  Parts& p_;
};

Parts collect(const Subschema& s) {
  Parts p;
  Collector c(p);
  Subschema::ApplyFunction fn = [&](const vc::Constraint& k) {
    k.accept(c);
    return true;
  };
  s.apply(fn);
  return p;
}

const char* native_type_name(vc::TypeConstraint::JsonType t) {
  switch (t) {
    case vc::TypeConstraint::kArray: return "array";
    case vc::TypeConstraint::kBoolean: return "boolean";
    case vc::TypeConstraint::kInteger: return "integer";
    case vc::TypeConstraint::kNull: return "null";
    case vc::TypeConstraint::kNumber: return "number";
    case vc::TypeConstraint::kObject: return "object";
    case vc::TypeConstraint::kString: return "string";
    default: return "any";
  }
}

class Explainer {
 public:
  explicit Explainer(const Schema& s) : schema_(s), empty_(s.compiled.emptySubschema()) {}

  Result sub_validate(const Subschema& sub, const rj::Value& node, const std::string& ctx) {
    Result r;
    recursive(sub, node, r, ctx);
    return r;
  }

 private:
  using Visitor = valijson::ValidationVisitor<RapidJsonAdapter>;

  // valijson's verdict on one constraint.
  template <typename C>
  bool holds(const C& c, const rj::Value& node) {
    RapidJsonAdapter a(node);
    Visitor v(a, {}, true, nullptr, regex_cache_);
    return v.visit(c);
  }

  static void add(Result& r, const char* type, const std::string& ctx, std::string desc) {
    r.errors.push_back({type, ctx, std::move(desc)});
    r.score -= 2;
  }

  static std::string child(const std::string& ctx, const std::string& key) { return ctx + "." + key; }

  void recursive(const Subschema& sub, const rj::Value& node, Result& r, const std::string& ctx) {
    if (++depth_ > kMaxExplainDepth) throw std::runtime_error("schema recursion too deep");
    struct Guard {
      int& d;
      ~Guard() { --d; }
    } guard{depth_};
    if (sub.getAlwaysInvalid()) {
      add(r, "false", ctx, "False always fails validation");
      return;
    }
    if (&sub == empty_) return;
    Parts p = collect(sub);
    RapidJsonAdapter a(node);
    if (p.type && !p.type->accepts(a)) {
      add(r, "invalid_type", ctx, "Invalid type. Expected: " + p.type->expected() + ", given: " + type_of(a));
      return;
    }
    if (p.native_type && !holds(*p.native_type, node)) {
      std::vector<std::string> names;
      p.native_type->applyToNamedTypes([&](vc::TypeConstraint::JsonType t) {
        names.push_back(native_type_name(t));
        return true;
      });
      std::string expected = names.size() == 1 ? names[0] : "[";
      if (names.size() != 1) {
        for (size_t i = 0; i < names.size(); ++i) expected += (i ? "," : "") + names[i];
        expected += "]";
      }
      add(r, "invalid_type", ctx, "Invalid type. Expected: " + expected + ", given: " + type_of(a));
      return;
    }
    validate_schema(p, node, r, ctx);
    if (node.IsNumber()) validate_number(p, node, r, ctx);
    if (node.IsArray()) validate_array(p, node, r, ctx);
    if (node.IsObject()) validate_object(p, node, r, ctx);
    validate_common(p, node, r, ctx);
    if (node.IsString()) validate_string(p, node, r, ctx);
    if (node.IsObject()) {
      for (const auto* pc : p.props) {
        pc->applyToProperties([&](const auto& name, const Subschema* s) {
          auto it = node.FindMember(rj::Value(rj::StringRef(name.data(), static_cast<rj::SizeType>(name.size()))));
          if (it != node.MemberEnd()) recursive(*s, it->value, r, child(ctx, std::string(name.c_str())));
          return true;
        });
      }
    }
    r.score++;
  }

  void validate_schema(const Parts& p, const rj::Value& node, Result& r, const std::string& ctx) {
    for (const auto* c : p.any_of) {
      bool validated = false;
      std::optional<Result> best;
      c->applyToSubschemas([&](unsigned, const Subschema* s) {
        if (validated) return true;
        Result res = sub_validate(*s, node, ctx);
        validated = res.valid();
        if (!validated && (!best || res.score > best->score)) best = std::move(res);
        return true;
      });
      if (!validated) {
        add(r, "number_any_of", ctx, "Must validate at least one schema (anyOf)");
        if (best) r.merge(std::move(*best));
      }
    }
    for (const auto* c : p.one_of) {
      int nb = 0;
      std::optional<Result> best;
      c->applyToSubschemas([&](unsigned, const Subschema* s) {
        Result res = sub_validate(*s, node, ctx);
        if (res.valid()) {
          ++nb;
        } else if (nb == 0 && (!best || res.score > best->score)) {
          best = std::move(res);
        }
        return true;
      });
      if (nb != 1) {
        add(r, "number_one_of", ctx, "Must validate one and only one schema (oneOf)");
        if (nb == 0 && best) r.merge(std::move(*best));
      }
    }
    for (const auto* c : p.all_of) {
      size_t nb = 0, total = 0;
      c->applyToSubschemas([&](unsigned, const Subschema* s) {
        ++total;
        Result res = sub_validate(*s, node, ctx);
        if (res.valid()) ++nb;
        r.merge(std::move(res));
        return true;
      });
      if (nb != total) add(r, "number_all_of", ctx, "Must validate all the schemas (allOf)");
    }
    for (const auto* c : p.not_) {
      if (sub_validate(*c->getSubschema(), node, ctx).valid())
        add(r, "number_not", ctx, "Must not validate the schema (not)");
    }
    if (node.IsObject()) {
      for (const auto* c : p.deps) {
        std::map<std::string, std::vector<std::string>> prop_deps;
        std::map<std::string, const Subschema*> schema_deps;
        c->applyToPropertyDependencies([&](const auto& name, const auto& deps) {
          auto& list = prop_deps[std::string(name.c_str())];
          for (const auto& d : deps) list.emplace_back(d.c_str());
          return true;
        });
        c->applyToSchemaDependencies([&](const auto& name, const Subschema* s) {
          schema_deps[std::string(name.c_str())] = s;
          return true;
        });
        for (auto m = node.MemberBegin(); m != node.MemberEnd(); ++m) {
          std::string key(m->name.GetString(), m->name.GetStringLength());
          if (auto it = prop_deps.find(key); it != prop_deps.end()) {
            for (const auto& d : it->second)
              if (!node.HasMember(d.c_str())) add(r, "missing_dependency", ctx, "Has a dependency on " + d);
          }
          if (auto it = schema_deps.find(key); it != schema_deps.end()) recursive(*it->second, node, r, ctx);
        }
      }
    }
    for (const auto* c : p.cond) {
      Result if_res = sub_validate(*c->getIfSubschema(), node, ctx);
      if (c->getThenSubschema() && if_res.valid()) {
        Result t = sub_validate(*c->getThenSubschema(), node, ctx);
        if (!t.valid()) {
          add(r, "condition_then", ctx, "Must validate \"then\" as \"if\" was valid");
          r.merge(std::move(t));
        }
      }
      if (c->getElseSubschema() && !if_res.valid()) {
        Result e = sub_validate(*c->getElseSubschema(), node, ctx);
        if (!e.valid()) {
          add(r, "condition_else", ctx, "Must validate \"else\" as \"if\" was not valid");
          r.merge(std::move(e));
        }
      }
    }
    r.score++;
  }

  void validate_number(const Parts& p, const rj::Value& node, Result& r, const std::string& ctx) {
    for (const auto* c : p.mult_int)
      if (!holds(*c, node)) add(r, "multiple_of", ctx, "Must be a multiple of " + std::to_string(c->getDivisor()));
    for (const auto* c : p.mult_dbl)
      if (!holds(*c, node)) add(r, "multiple_of", ctx, "Must be a multiple of " + go_float(c->getDivisor()));
    for (int pass = 0; pass < 2; ++pass)
      for (const auto* c : p.maximum)
        if (c->getExclusiveMaximum() == (pass == 1) && !holds(*c, node))
          add(r, pass ? "number_lt" : "number_lte", ctx,
              std::string(pass ? "Must be less than " : "Must be less than or equal to ") + go_float(c->getMaximum()));
    for (int pass = 0; pass < 2; ++pass)
      for (const auto* c : p.minimum)
        if (c->getExclusiveMinimum() == (pass == 1) && !holds(*c, node))
          add(r, pass ? "number_gt" : "number_gte", ctx,
              std::string(pass ? "Must be greater than " : "Must be greater than or equal to ") +
                  go_float(c->getMinimum()));
    r.score++;
  }

  void validate_array(const Parts& p, const rj::Value& node, Result& r, const std::string& ctx) {
    const auto n = node.Size();
    for (const auto* c : p.items1) {
      for (rj::SizeType i = 0; i < n; ++i)
        r.merge(sub_validate(*c->getItemsSubschema(), node[i], child(ctx, std::to_string(i))));
    }
    for (const auto* c : p.itemsN) {
      std::vector<const Subschema*> subs;
      c->applyToItemSubschemas([&](unsigned, const Subschema* s) {
        subs.push_back(s);
        return true;
      });
      for (rj::SizeType i = 0; i < n && i < subs.size(); ++i)
        r.merge(sub_validate(*subs[i], node[i], child(ctx, std::to_string(i))));
      if (subs.size() < n) {
        const Subschema* extra = c->getAdditionalItemsSubschema();
        if (!extra) {
          add(r, "array_no_additional_items", ctx, "No additional items allowed on array");
        } else if (extra != empty_) {
          for (rj::SizeType i = static_cast<rj::SizeType>(subs.size()); i < n; ++i)
            r.merge(sub_validate(*extra, node[i], child(ctx, std::to_string(i))));
        }
      }
    }
    for (const auto* c : p.min_items)
      if (!holds(*c, node))
        add(r, "array_min_items", ctx, "Array must have at least " + std::to_string(c->getMinItems()) + " items");
    for (const auto* c : p.max_items)
      if (!holds(*c, node))
        add(r, "array_max_items", ctx, "Array must have at most " + std::to_string(c->getMaxItems()) + " items");
    if (!p.unique.empty()) {
      std::map<Value, size_t> seen;
      for (rj::SizeType j = 0; j < n; ++j) {
        Value v = from_adapter(RapidJsonAdapter(node[j]));
        auto it = seen.find(v);
        if (it != seen.end()) {
          add(r, "unique", ctx,
              "array items[" + std::to_string(it->second) + "," + std::to_string(j) + "] must be unique");
          it->second = j;
        } else {
          seen.emplace(std::move(v), j);
        }
      }
    }
    for (const auto* c : p.contains) {
      bool one = false;
      std::optional<Result> best;
      for (rj::SizeType i = 0; i < n; ++i) {
        Result res = sub_validate(*c->getSubschema(), node[i], child(ctx, std::to_string(i)));
        if (res.valid()) {
          one = true;
          break;
        }
        if (!best || res.score > best->score) best = std::move(res);
      }
      if (!one) {
        add(r, "contains", ctx, "At least one of the items must match");
        if (best) r.merge(std::move(*best));
      }
    }
    r.score++;
  }

  void validate_object(const Parts& p, const rj::Value& node, Result& r, const std::string& ctx) {
    for (const auto* c : p.min_props)
      if (!holds(*c, node))
        add(r, "array_min_properties", ctx, "Must have at least " + std::to_string(c->getMinProperties()) + " properties");
    for (const auto* c : p.max_props)
      if (!holds(*c, node))
        add(r, "array_max_properties", ctx, "Must have at most " + std::to_string(c->getMaxProperties()) + " properties");
    for (const auto* c : p.required) {
      c->applyToRequiredProperties([&](const auto& name) {
        if (node.HasMember(name.c_str())) {
          r.score++;
        } else {
          add(r, "required", ctx, std::string(name.c_str()) + " is required");
        }
        return true;
      });
    }
    for (const auto* c : p.props) {
      std::set<std::string> named;
      std::vector<std::pair<std::string, const Subschema*>> patterns;
      c->applyToProperties([&](const auto& name, const Subschema*) {
        named.insert(std::string(name.c_str()));
        return true;
      });
      c->applyToPatternProperties([&](const auto& pattern, const Subschema* s) {
        patterns.emplace_back(std::string(pattern.c_str()), s);
        return true;
      });
      for (auto m = node.MemberBegin(); m != node.MemberEnd(); ++m) {
        std::string key(m->name.GetString(), m->name.GetStringLength());
        bool found = named.count(key) > 0;
        bool pp_match = false;
        for (const auto& [pattern, s] : patterns) {
          auto re = regex(pattern);
          if (re && RE2::PartialMatch(key, *re)) {
            pp_match = true;
            r.merge(sub_validate(*s, m->value, child(ctx, key)));
          }
        }
        if (pp_match) r.score++;
        if (!found && !pp_match) {
          const Subschema* ap = c->getAdditionalPropertiesSubschema();
          if (!ap) {
            add(r, "additional_property_not_allowed", ctx, "Additional property " + key + " is not allowed");
          } else if (ap != empty_) {
            r.merge(sub_validate(*ap, m->value, child(ctx, key)));
          }
        }
      }
    }
    for (const auto* c : p.prop_names) {
      for (auto m = node.MemberBegin(); m != node.MemberEnd(); ++m) {
        rj::Value name(m->name.GetString(), m->name.GetStringLength());
        Result res = sub_validate(*c->getSubschema(), name, ctx);
        if (!res.valid()) {
          add(r, "invalid_property_name", ctx,
              "Property name of \"" + std::string(m->name.GetString(), m->name.GetStringLength()) +
                  "\" does not match");
          r.merge(std::move(res));
        }
      }
    }
    r.score++;
  }

  void validate_common(const Parts& p, const rj::Value& node, Result& r, const std::string& ctx) {
    RapidJsonAdapter a(node);
    for (const auto* c : p.const_)
      if (!c->matches(a)) add(r, "const", ctx, field_of(ctx) + " does not match: " + c->allowed);
    for (const auto* c : p.native_const)
      if (!holds(*c, node)) add(r, "const", ctx, field_of(ctx) + " does not match: ");
    for (const auto* c : p.enum_)
      if (!c->matches(a)) add(r, "enum", ctx, field_of(ctx) + " must be one of the following: " + c->allowed);
    for (const auto* c : p.native_enum)
      if (!holds(*c, node)) add(r, "enum", ctx, field_of(ctx) + " must be one of the following: ");
    for (const auto* c : p.format)
      if (!c->matches(a)) add(r, "format", ctx, "Does not match format '" + c->format + "'");
    for (const auto* c : p.native_format)
      if (!holds(*c, node)) add(r, "format", ctx, "Does not match format '" + c->getFormat() + "'");
    r.score++;
  }

  void validate_string(const Parts& p, const rj::Value& node, Result& r, const std::string& ctx) {
    for (const auto* c : p.min_len)
      if (!holds(*c, node))
        add(r, "string_gte", ctx, "String length must be greater than or equal to " + std::to_string(c->getMinLength()));
    for (const auto* c : p.max_len)
      if (!holds(*c, node))
        add(r, "string_lte", ctx, "String length must be less than or equal to " + std::to_string(c->getMaxLength()));
    RapidJsonAdapter a(node);
    for (const auto* c : p.pattern)
      if (!c->matches(a)) add(r, "pattern", ctx, "Does not match pattern '" + c->pattern + "'");
    for (const auto* c : p.native_pattern) {
      if (!holds(*c, node)) {
        std::string pattern;
        c->getPattern(pattern);
        add(r, "pattern", ctx, "Does not match pattern '" + pattern + "'");
      }
    }
    r.score++;
  }

  std::shared_ptr<const RE2> regex(const std::string& pattern) {
    auto it = schema_.tables.regexes.find(pattern);
    if (it != schema_.tables.regexes.end()) return it->second;
    auto& local = local_regexes_[pattern];
    if (!local) {
      RE2::Options opts;
      opts.set_log_errors(false);
      local = std::make_shared<const RE2>(pattern, opts);
    }
    return local->ok() ? local : nullptr;
  }

  const Schema& schema_;
  const Subschema* empty_;
  std::unordered_map<std::string, std::regex> regex_cache_;
  std::unordered_map<std::string, std::shared_ptr<const RE2>> local_regexes_;
  int depth_ = 0;
};

Value error_object(const char* type, const std::string& ctx, const std::string& desc) {
  std::string field = field_of(ctx);
  return Value::object({{str("desc"), str(desc)},
                        {str("error"), str(field + ": " + desc)},
                        {str("field"), str(field)},
                        {str("type"), str(type)}});
}

// valijson's context ("<root>", "[key]", "[0]") as gojsonschema's ("(root).key.0").
std::string context_of(const std::vector<std::string>& parts) {
  std::string ctx = "(root)";
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string p = parts[i];
    if (p.size() >= 2 && p.front() == '[' && p.back() == ']') p = p.substr(1, p.size() - 2);
    ctx += "." + p;
  }
  return ctx;
}

}  // namespace

Compiled compile(const Value& root, const Fetcher& fetch) {
  if (!root.is_boolean()) {
    if (!root.is_object()) return {nullptr, "schema is invalid"};
    if (const Value* s = root.get("$schema"); s && !s->is_string()) return {nullptr, "$schema must be of type string"};
  }
  const Draft draft = draft_of(root);
  const bool vj4 = draft == Draft::D4;
  auto impl = std::make_shared<Schema>();
  try {
    std::map<std::string, Value> ids;
    {
      Prep prep(draft, vj4, impl->tables, impl->doc.GetAllocator(), "", ids);
      rj::Value v = prep.schema(root);
      static_cast<rj::Value&>(impl->doc) = v;
    }
    Tables* tables = &impl->tables;
    auto fetch_doc = [tables, vj4, draft, &fetch, &ids](const std::string& uri) -> const rj::Document* {
      std::optional<Value> v;
      Draft doc_draft = draft;
      if (auto it = ids.find(uri); it != ids.end()) {
        v = it->second;
      } else if (auto meta = meta_schema(uri); !meta.empty()) {
        v = json::parse(meta).value;
        doc_draft = draft_of(*v);
      } else if (fetch) {
        v = fetch(uri);
        if (v) doc_draft = draft_of(*v);
      }
      if (!v) return nullptr;
      if (doc_draft == Draft::Hybrid) doc_draft = draft;
      auto doc = std::make_unique<rj::Document>();
      Prep prep(doc_draft, vj4, *tables, doc->GetAllocator(), uri, ids);
      rj::Value out = prep.schema(*v);
      static_cast<rj::Value&>(*doc) = out;
      return doc.release();
    };
    auto free_doc = [](const rj::Document* d) { delete d; };
    valijson::SchemaParser parser(vj4 ? valijson::SchemaParser::kDraft4 : valijson::SchemaParser::kDraft7);
    add_builders(parser, impl->tables);
    RapidJsonAdapter adapter(impl->doc);
    parser.populateSchema(adapter, impl->compiled, fetch_doc, free_doc);
  } catch (const SchemaError& e) {
    return {nullptr, e.message};
  } catch (const std::exception& e) {
    return {nullptr, e.what()};
  }
  return {std::move(impl), ""};
}

Outcome validate(const Schema& schema, const Value& document) {
  rj::Document doc;
  to_rj(document, doc, doc.GetAllocator(), 0);
  RapidJsonAdapter adapter(doc);
  valijson::Validator validator;
  if (validator.validate(schema.compiled, adapter, nullptr)) return {true, Value::empty_array()};

  std::vector<Value> errors;
  Explainer ex(schema);
  Result r = ex.sub_validate(schema.compiled, doc, "(root)");
  for (const auto& e : r.errors) errors.push_back(error_object(e.type, e.context, e.desc));
  if (errors.empty()) {
    // The explainer and valijson disagree (an exotic construct): report valijson's own findings.
    ValidationResults results;
    valijson::Validator again;
    again.validate(schema.compiled, adapter, &results);
    ValidationResults::Error e;
    while (results.popError(e)) errors.push_back(error_object("invalid", context_of(e.context), e.description));
    if (errors.empty()) errors.push_back(error_object("invalid", "(root)", "Document is invalid"));
  }
  return {false, Value::array(std::move(errors))};
}

}  // namespace rego::jsonschema
