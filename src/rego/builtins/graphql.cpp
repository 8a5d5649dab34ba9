// graphql.* built-ins: parse, parse_and_verify, parse_query, parse_schema, is_valid, schema_is_valid.
//
// OPA implements them with vektah/gqlparser (topdown/graphql.go); graphql_*.cpp port the parts it uses. The
// flow and the error texts follow OPA: a query/schema is a GraphQL string or an AST object (as returned by the
// parse built-ins); ASTs are returned pruned of nulls, empty members and positions and are taken *before*
// validation annotates them; parse errors read "<msg> in GraphQL string at location L:C" and validation errors
// "<msg> in GraphQL query string at location L:C" (OPA keeps everything after the first error's location,
// so later errors of the list stay in the message, and trims the final ".\n").
//
// Schema operands are cached (parsed AST and built schema, both immutable) in a small process-wide map:
// policies validate many queries against one schema.
#include <mutex>
#include <unordered_map>

#include "rego/builtins/graphql_ast.h"
#include "rego/builtins/registry.h"

namespace rego {
namespace {

// A schema operand, parsed and built.
struct SchemaEntry {
  bool parsed = false;
  std::string parse_error;  // OPA's message when !parsed
  Value ast;                // the pruned schema document
  std::shared_ptr<const gql::Schema> schema;  // null when the document is not a valid schema
  gql::Error schema_error;
};

std::string located(const gql::Error& e, const char* where) {
  return e.message + " in " + where + " at location " + std::to_string(e.line) + ":" + std::to_string(e.col);
}

std::shared_ptr<const SchemaEntry> make_entry(const Value& operand) {
  auto entry = std::make_shared<SchemaEntry>();
  gql::SchemaDocument doc;
  try {
    doc = operand.is_string() ? gql::parse_schema(operand.as_string()) : gql::decode_schema(operand);
  } catch (const gql::SyntaxError& e) {
    entry->parse_error = located(e.error, "GraphQL string");
    return entry;
  } catch (const gql::DecodeError& e) {
    entry->parse_error = e.message;
    return entry;
  }
  entry->parsed = true;
  entry->ast = gql::schema_to_value(doc);
  entry->schema = gql::build_schema(std::move(doc), &entry->schema_error);
  return entry;
}

// Keyed by the operand itself (a GraphQL string or an AST object).
class SchemaCache {
 public:
  std::shared_ptr<const SchemaEntry> get(const Value& operand) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = map_.find(operand);
      if (it != map_.end()) return it->second;
    }
    auto entry = make_entry(operand);
    std::lock_guard<std::mutex> lock(mu_);
    if (map_.size() >= kMaxEntries) map_.clear();
    map_.emplace(operand, entry);
    return entry;
  }

 private:
  static constexpr size_t kMaxEntries = 64;
  std::mutex mu_;
  std::unordered_map<Value, std::shared_ptr<const SchemaEntry>, ValueHash> map_;
};

std::shared_ptr<const SchemaEntry> schema_operand(const Value& v) {
  static SchemaCache cache;
  return cache.get(v);
}

[[noreturn]] void operand_type_error(size_t pos, const Value& got) {
  // OPA passes 0-based positions here (builtins.NewOperandTypeErr(0, ...)).
  throw BuiltinError{"operand " + std::to_string(pos) + " must be one of {string, object} but got " + got.type_name(),
                     true};
}

// The query operand as a document, or the error OPA reports for it.
bool query_operand(const Value& v, gql::QueryDocument& doc, std::string& error) {
  try {
    doc = v.is_string() ? gql::parse_query(v.as_string()) : gql::decode_query(v);
    return true;
  } catch (const gql::SyntaxError& e) {
    error = located(e.error, "GraphQL string");
  } catch (const gql::DecodeError& e) {
    error = e.message;
  }
  return false;
}

// validateQuery's message for a non-empty error list.
std::string validation_message(const std::vector<gql::Error>& errors) {
  std::string all;
  for (const auto& e : errors) all += e.text() + "\n";
  // strings.SplitN(all, ":", 4)
  std::vector<std::string> parts;
  size_t from = 0;
  while (parts.size() < 3) {
    size_t colon = all.find(':', from);
    if (colon == std::string::npos) break;
    parts.push_back(all.substr(from, colon - from));
    from = colon + 1;
  }
  parts.push_back(all.substr(from));
  if (parts.size() < 4) {
    // OPA indexes past the parts here (a Go panic); report the errors as they are.
    std::string msg = all;
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    return msg;
  }
  std::string msg = parts[3];
  msg.erase(0, msg.find_first_not_of(' ') == std::string::npos ? msg.size() : msg.find_first_not_of(' '));
  if (msg.size() >= 2 && msg.compare(msg.size() - 2, 2, ".\n") == 0) msg.resize(msg.size() - 2);
  return msg + " in GraphQL query string at location " + parts[1] + ":" + parts[2];
}

// The shared part of parse / parse_and_verify / is_valid. Returns false with `error` set on any failure.
struct Verified {
  Value query;
  Value schema;
};

bool verify(const Value& query_arg, const Value& schema_arg, Verified& out, std::string& error, bool want_asts) {
  gql::QueryDocument doc;
  if (!query_operand(query_arg, doc, error)) return false;
  auto entry = schema_operand(schema_arg);
  if (!entry->parsed) {
    error = entry->parse_error;
    return false;
  }
  if (want_asts) {
    out.query = gql::query_to_value(doc);  // before validation annotates the document
    out.schema = entry->ast;
  }
  if (!entry->schema) {
    error = "Error in gqlparser SchemaDocument to Schema conversion: " + entry->schema_error.text();
    return false;
  }
  auto errors = gql::validate(*entry->schema, doc);
  if (!errors.empty()) {
    error = validation_message(errors);
    return false;
  }
  return true;
}

bool string_or_object(const Value& v) { return v.is_string() || v.is_object(); }

std::optional<Value> graphql_parse(BuiltinArgs a, BuiltinContext&) {
  if (!string_or_object(a[0])) operand_type_error(0, a[0]);
  if (!string_or_object(a[1])) {
    // OPA parses the query before it looks at the schema operand.
    gql::QueryDocument doc;
    std::string error;
    if (!query_operand(a[0], doc, error)) throw BuiltinError{error};
    operand_type_error(1, a[1]);
  }
  Verified v;
  std::string error;
  if (!verify(a[0], a[1], v, error, true)) throw BuiltinError{error};
  return Value::array({v.query, v.schema});
}

std::optional<Value> graphql_parse_and_verify(BuiltinArgs a, BuiltinContext&) {
  Verified v;
  std::string error;
  if (!string_or_object(a[0]) || !string_or_object(a[1]) || !verify(a[0], a[1], v, error, true)) {
    return Value::array({Value::false_value(), Value::empty_object(), Value::empty_object()});
  }
  return Value::array({Value::true_value(), v.query, v.schema});
}

std::optional<Value> graphql_parse_query(BuiltinArgs a, BuiltinContext&) {
  const std::string& text = args::string(a, 0);
  try {
    return gql::query_to_value(gql::parse_query(text));
  } catch (const gql::SyntaxError& e) {
    throw BuiltinError{located(e.error, "GraphQL string")};
  }
}

std::optional<Value> graphql_parse_schema(BuiltinArgs a, BuiltinContext&) {
  args::string(a, 0);
  auto entry = schema_operand(a[0]);
  if (!entry->parsed) throw BuiltinError{entry->parse_error};
  return entry->ast;
}

std::optional<Value> graphql_is_valid(BuiltinArgs a, BuiltinContext&) {
  Verified v;
  std::string error;
  bool ok = string_or_object(a[0]) && string_or_object(a[1]) && verify(a[0], a[1], v, error, false);
  return Value::boolean(ok);
}

std::optional<Value> graphql_schema_is_valid(BuiltinArgs a, BuiltinContext&) {
  if (!string_or_object(a[0])) return Value::false_value();
  auto entry = schema_operand(a[0]);
  return Value::boolean(entry->parsed && entry->schema != nullptr);
}

}  // namespace

void register_graphql(Registry& r) {
  r.add("graphql.parse", 2, graphql_parse);
  r.add("graphql.parse_and_verify", 2, graphql_parse_and_verify);
  r.add("graphql.parse_query", 1, graphql_parse_query);
  r.add("graphql.parse_schema", 1, graphql_parse_schema);
  r.add("graphql.is_valid", 2, graphql_is_valid);
  r.add("graphql.schema_is_valid", 1, graphql_schema_is_valid);
}

}  // namespace rego
