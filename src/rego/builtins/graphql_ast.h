// GraphQL support for the graphql.* built-ins: the AST of vektah/gqlparser (the library OPA uses), shared by
// the lexer/parser (graphql_lexer.cpp, graphql_parser.cpp), the AST <-> Rego value conversions
// (graphql_value.cpp), the schema builder (graphql_schema.cpp) and the query validator (graphql_validate.cpp,
// graphql_overlap.cpp). The built-ins themselves live in graphql.cpp.
//
// The node types mirror gqlparser's Go structs field for field, because OPA hands them to policies as JSON
// objects (graphql_value.cpp) and reads them back from JSON objects. Validation annotates query nodes in place
// (Definition, ExpectedType, ...) exactly as gqlparser's walker does, so a QueryDocument is validated once and
// never shared; a built Schema is immutable and may be shared between threads.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rego/value.h"

namespace rego::gql {

// Nesting allowed in a document (selection sets, list/object values, list types) before parsing fails, and the
// recursion budget of validation. Hostile input gets an error, never a stack overflow.
inline constexpr int kMaxDepth = 200;
inline constexpr int kMaxValidationDepth = 2000;

// An owning pointer that deep-copies (Go's *T for tree nodes). Null when absent.
template <class T>
class Box {
 public:
  Box() = default;
  explicit Box(T v) : p_(std::make_unique<T>(std::move(v))) {}
  Box(const Box& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  Box(Box&&) noexcept = default;
  Box& operator=(const Box& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  Box& operator=(Box&&) noexcept = default;
  ~Box() = default;

  T* get() const { return p_.get(); }
  T& operator*() const { return *p_; }
  T* operator->() const { return p_.get(); }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  std::unique_ptr<T> p_;
};

// A source position (1-based line and column, columns counted in code points). Nodes decoded from JSON objects
// have none, as in gqlparser (Position is not part of the JSON form).
struct Pos {
  int line = 0;
  int col = 0;
  bool set = false;
};

// gqlparser's gqlerror.Error: a message with at most one location. text() is its Error() string.
struct Error {
  std::string message;
  bool has_loc = false;
  int line = 0;
  int col = 0;
  std::string rule;  // the validation rule that reported it (gqlerror.Error.Rule; not part of the text)
  std::string text() const;  // "input:3:5: message" (or "input: message" without a location)
};

// A lexing/parsing failure (always located).
struct SyntaxError {
  Error error;
};

// A JSON AST object that does not decode into gqlparser's structs (the message mimics encoding/json's).
struct DecodeError {
  std::string message;
};


// ---------------------------------------------------------------- executable documents

struct Definition;
struct FieldDefinition;
struct DirectiveDefinition;
struct VariableDefinition;
struct FragmentDefinition;

struct Type {
  std::string named;  // "" for list types
  Box<Type> elem;     // list element type
  bool non_null = false;
  Pos pos;

  const std::string& name() const;  // the innermost named type ("" when malformed)
  std::string str() const;          // "[Int!]!"
  bool compatible(const Type& other) const;  // gqlparser's Type.IsCompatible
};

enum class ValueKind : int {
  Variable = 0, Int, Float, String, Block, Boolean, Null, Enum, List, Object
};

struct Value;

struct ChildValue {
  std::string name;  // "" for list items
  Box<Value> value;
  Pos pos;
};

struct Value {
  std::string raw;
  std::vector<ChildValue> children;
  ValueKind kind = ValueKind::Variable;
  Pos pos;
  bool expected_type_has_default = false;

  // Validation annotations (gqlparser's Definition, VariableDefinition, ExpectedType).
  const Definition* definition = nullptr;
  VariableDefinition* variable_definition = nullptr;
  const Type* expected_type = nullptr;

  std::string str() const;  // gqlparser's Value.String()
  const Value* child(std::string_view name) const;
};

struct Argument {
  std::string name;
  Box<Value> value;
  Pos pos;
};

struct Directive {
  std::string name;
  std::vector<Argument> arguments;
  Pos pos;
  std::string location;  // set by validation (serialised as "Location", "" after parsing)

  const DirectiveDefinition* definition = nullptr;
  const Definition* parent_definition = nullptr;
};

struct VariableDefinition {
  std::string variable;
  Box<Type> type;
  Box<Value> default_value;
  std::vector<Directive> directives;
  Pos pos;
  bool used = false;

  const Definition* definition = nullptr;
};

enum class SelectionKind { Field, FragmentSpread, InlineFragment };

// One struct for gqlparser's three Selection types.
struct Selection {
  SelectionKind kind = SelectionKind::Field;
  std::string alias;           // Field
  std::string name;            // Field, FragmentSpread
  std::string type_condition;  // InlineFragment
  std::vector<Argument> arguments;      // Field
  std::vector<Directive> directives;
  std::vector<Selection> selection_set;  // Field, InlineFragment
  Pos pos;

  const FieldDefinition* definition = nullptr;        // Field
  const Definition* object_definition = nullptr;      // all three
  const FragmentDefinition* fragment = nullptr;       // FragmentSpread
};

struct OperationDefinition {
  std::string operation;  // "query", "mutation", "subscription"
  std::string name;
  std::vector<VariableDefinition> variable_definitions;
  std::vector<Directive> directives;
  std::vector<Selection> selection_set;
  Pos pos;
};

struct FragmentDefinition {
  std::string name;
  std::vector<VariableDefinition> variable_definition;  // sic: gqlparser's field name is singular
  std::string type_condition;
  std::vector<Directive> directives;
  std::vector<Selection> selection_set;
  Pos pos;

  const Definition* definition = nullptr;
};

struct QueryDocument {
  std::vector<OperationDefinition> operations;
  std::vector<FragmentDefinition> fragments;

  const FragmentDefinition* fragment(std::string_view name) const;
};

// ---------------------------------------------------------------- type system documents

struct ArgumentDefinition {
  std::string description;
  std::string name;
  Box<Value> default_value;
  Box<Type> type;
  std::vector<Directive> directives;
  Pos pos;
};

struct FieldDefinition {
  std::string description;
  std::string name;
  std::vector<ArgumentDefinition> arguments;
  Box<Value> default_value;
  Box<Type> type;
  std::vector<Directive> directives;
  Pos pos;

  const ArgumentDefinition* argument(std::string_view name) const;
};

struct EnumValueDefinition {
  std::string description;
  std::string name;
  std::vector<Directive> directives;
  Pos pos;
};

// Kinds are gqlparser's DefinitionKind strings: SCALAR, OBJECT, INTERFACE, UNION, ENUM, INPUT_OBJECT.
struct Definition {
  std::string kind;
  std::string description;
  std::string name;
  std::vector<Directive> directives;
  std::vector<std::string> interfaces;
  std::vector<FieldDefinition> fields;
  std::vector<std::string> types;
  std::vector<EnumValueDefinition> enum_values;
  Pos pos;
  bool builtin = false;

  const FieldDefinition* field(std::string_view name) const;
  bool is_leaf() const { return kind == "ENUM" || kind == "SCALAR"; }
  bool is_abstract() const { return kind == "INTERFACE" || kind == "UNION"; }
  bool is_composite() const { return kind == "OBJECT" || kind == "INTERFACE" || kind == "UNION"; }
  bool is_input() const { return kind == "SCALAR" || kind == "ENUM" || kind == "INPUT_OBJECT"; }
};

struct DirectiveDefinition {
  std::string description;
  std::string name;
  std::vector<ArgumentDefinition> arguments;
  std::vector<std::string> locations;
  bool is_repeatable = false;
  Pos pos;

  const ArgumentDefinition* argument(std::string_view name) const;
};

struct OperationTypeDefinition {
  std::string operation;
  std::string type;
  Pos pos;
};

struct SchemaDefinition {
  std::string description;
  std::vector<Directive> directives;
  std::vector<OperationTypeDefinition> operation_types;
  Pos pos;
};

struct SchemaDocument {
  std::vector<SchemaDefinition> schema;
  std::vector<SchemaDefinition> schema_extension;
  std::vector<DirectiveDefinition> directives;
  std::vector<Definition> definitions;
  std::vector<Definition> extensions;
};

// A validated schema (gqlparser's ast.Schema): the prelude's and the document's types with extensions merged.
// Immutable once built; shared between threads.
struct Schema {
  std::deque<Definition> owned_types;  // stable addresses
  std::deque<DirectiveDefinition> owned_directives;
  std::map<std::string, Definition*, std::less<>> types;
  std::map<std::string, const DirectiveDefinition*, std::less<>> directives;
  std::map<std::string, std::vector<const Definition*>, std::less<>> possible_types;
  std::map<std::string, std::vector<const Definition*>, std::less<>> implements;
  const Definition* query = nullptr;
  const Definition* mutation = nullptr;
  const Definition* subscription = nullptr;

  const Definition* type(std::string_view name) const;
  const std::vector<const Definition*>& possible(std::string_view name) const;
};

// ---------------------------------------------------------------- entry points

// Parsers (gqlparser's ParseQuery / ParseSchema). Throw SyntaxError.
QueryDocument parse_query(std::string_view source);
SchemaDocument parse_schema(std::string_view source, bool builtin = false);

// The documents as OPA returns them: gqlparser's JSON form with null/empty members and positions pruned.
rego::Value query_to_value(const QueryDocument& doc);
rego::Value schema_to_value(const SchemaDocument& doc);

// The reverse, as OPA's json.Unmarshal into gqlparser's structs. Throw DecodeError.
QueryDocument decode_query(const rego::Value& v);
SchemaDocument decode_schema(const rego::Value& v);

// gqlparser's ValidateSchemaDocument over the prelude merged with `doc`. nullptr (and *err set) when invalid.
std::shared_ptr<const Schema> build_schema(SchemaDocument doc, Error* err);

// gqlparser's validator.Validate: every rule's errors, in gqlparser's order. Annotates `doc`.
std::vector<Error> validate(const Schema& schema, QueryDocument& doc);

}  // namespace rego::gql
