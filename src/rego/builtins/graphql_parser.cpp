// The GraphQL parser, a port of gqlparser's parser package (query.go, schema.go, parser.go): recursive descent
// over the lexer's tokens, building gqlparser's AST. gqlparser records the first error and keeps going with a
// poisoned parser; only that first error is ever reported, so this port throws it (SyntaxError) instead.
// Nesting deeper than kMaxDepth is reported as an error rather than recursing further.
#include <utility>

#include "rego/builtins/graphql_ast.h"
#include "rego/builtins/strutil.h"
#include "rego/builtins/graphql_lexer.h"

namespace rego::gql {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view src) : lexer_(src) {}

  QueryDocument query_document();
  SchemaDocument schema_document();

 private:
  // ---- token plumbing (parser.go)
  const Token& peek() {
    if (!peeked_) {
      peek_token_ = lexer_.read();
      peeked_ = true;
    }
    return peek_token_;
  }
  Pos peek_pos() {
    const Token& t = peek();
    return Pos{t.line, t.col, true};
  }
  Token next() {
    Token t;
    if (peeked_) {
      peeked_ = false;
      t = std::move(peek_token_);
    } else {
      t = lexer_.read();
    }
    if (!t.error.empty()) fail(t, t.error);  // consuming a lexer error reports it
    prev_ = t;
    return t;
  }
  [[noreturn]] void fail(const Token& at, std::string message) {
    throw SyntaxError{Error{std::move(message), true, at.line, at.col, {}}};
  }
  [[noreturn]] void unexpected(const Token& t) { fail(t, "Unexpected " + token_text(t)); }
  [[noreturn]] void unexpected() {
    Token t = peek();
    unexpected(t);
  }
  Token expect_keyword(const std::string& value) {
    const Token& t = peek();
    if (t.kind == Tok::Name && t.value == value) return next();
    Token copy = t;
    fail(copy, "Expected " + text::quote(value) + ", found " + token_text(copy));
  }
  Token expect(Tok kind) {
    const Token& t = peek();
    if (t.kind == kind) return next();
    Token copy = t;
    fail(copy, std::string("Expected ") + tok_name(kind) + ", found " + tok_name(copy.kind));
  }
  bool skip(Tok kind) {
    if (peek().kind != kind) return false;
    next();
    return true;
  }
  // p.many: zero or more items between start and end (nothing at all when `start` is absent).
  template <class F>
  void many(Tok start, Tok end, F&& item) {
    if (!skip(start)) return;
    while (peek().kind != end) item();
    next();
  }
  // p.some: like many, but at least one item once `start` is present.
  template <class F>
  void some(Tok start, Tok end, F&& item) {
    if (!skip(start)) return;
    bool called = false;
    while (peek().kind != end) {
      called = true;
      item();
    }
    if (!called) {
      Token t = peek();
      fail(t, std::string("expected at least one definition, found ") + tok_name(t.kind));
    }
    next();
  }

  // Recursion guard for nested selection sets, values and types.
  struct Nest {
    explicit Nest(Parser& p) : p_(p) {
      if (++p_.depth_ > kMaxDepth) {
        Token t = p_.peek();
        p_.fail(t, "exceeded the maximum nesting depth of " + std::to_string(kMaxDepth));
      }
    }
    ~Nest() { --p_.depth_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;
    Parser& p_;
  };

  std::string parse_name() { return expect(Tok::Name).value; }

  // ---- executable definitions (query.go)
  OperationDefinition operation_definition();
  std::string operation_type();
  std::vector<VariableDefinition> variable_definitions();
  VariableDefinition variable_definition();
  std::string variable();
  std::vector<Selection> optional_selection_set();
  std::vector<Selection> required_selection_set();
  Selection selection();
  Selection field();
  std::vector<Argument> arguments(bool is_const);
  Argument argument(bool is_const);
  Selection fragment();
  FragmentDefinition fragment_definition();
  std::string fragment_name();
  Value value_literal(bool is_const);
  std::vector<Directive> directives(bool is_const);
  Directive directive(bool is_const);
  Type type_reference();

  // ---- type system definitions (schema.go)
  std::string description();
  Definition type_system_definition(const std::string& description);
  SchemaDefinition schema_definition(const std::string& description);
  OperationTypeDefinition operation_type_definition();
  Definition type_header(const char* keyword, const char* kind, const std::string& description);
  std::vector<std::string> implements_interfaces();
  std::vector<FieldDefinition> fields_definition();
  FieldDefinition field_definition();
  std::vector<ArgumentDefinition> argument_defs();
  ArgumentDefinition argument_def();
  FieldDefinition input_value_def();
  std::vector<std::string> union_member_types();
  std::vector<EnumValueDefinition> enum_values_definition();
  std::vector<FieldDefinition> input_fields_definition();
  void type_system_extension(SchemaDocument& doc);
  SchemaDefinition schema_extension();
  DirectiveDefinition directive_definition(const std::string& description);
  std::string directive_location();

  Lexer lexer_;
  bool peeked_ = false;
  Token peek_token_;
  Token prev_;
  int depth_ = 0;
};

// ---------------------------------------------------------------- query.go

QueryDocument Parser::query_document() {
  QueryDocument doc;
  while (peek().kind != Tok::Eof) {
    const Token& t = peek();
    if (t.kind == Tok::Name) {
      if (t.value == "query" || t.value == "mutation" || t.value == "subscription") {
        doc.operations.push_back(operation_definition());
      } else if (t.value == "fragment") {
        doc.fragments.push_back(fragment_definition());
      } else {
        unexpected();
      }
    } else if (t.kind == Tok::BraceL) {
      doc.operations.push_back(operation_definition());
    } else {
      unexpected();
    }
  }
  return doc;
}

OperationDefinition Parser::operation_definition() {
  OperationDefinition op;
  if (peek().kind == Tok::BraceL) {
    op.pos = peek_pos();
    op.operation = "query";
    op.selection_set = required_selection_set();
    return op;
  }
  op.pos = peek_pos();
  op.operation = operation_type();
  if (peek().kind == Tok::Name) op.name = next().value;
  op.variable_definitions = variable_definitions();
  op.directives = directives(false);
  op.selection_set = required_selection_set();
  return op;
}

std::string Parser::operation_type() {
  Token t = next();
  if (t.value == "query" || t.value == "mutation" || t.value == "subscription") return t.value;
  unexpected(t);
}

std::vector<VariableDefinition> Parser::variable_definitions() {
  std::vector<VariableDefinition> defs;
  many(Tok::ParenL, Tok::ParenR, [&] { defs.push_back(variable_definition()); });
  return defs;
}

VariableDefinition Parser::variable_definition() {
  VariableDefinition def;
  def.pos = peek_pos();
  def.variable = variable();
  expect(Tok::Colon);
  def.type = Box<Type>(type_reference());
  if (skip(Tok::Equals)) def.default_value = Box<Value>(value_literal(true));
  def.directives = directives(false);
  return def;
}

std::string Parser::variable() {
  expect(Tok::Dollar);
  return parse_name();
}

std::vector<Selection> Parser::optional_selection_set() {
  Nest nest(*this);
  std::vector<Selection> out;
  some(Tok::BraceL, Tok::BraceR, [&] { out.push_back(selection()); });
  return out;
}

std::vector<Selection> Parser::required_selection_set() {
  if (peek().kind != Tok::BraceL) {
    Token t = peek();
    fail(t, std::string("Expected {, found ") + tok_name(t.kind));
  }
  return optional_selection_set();
}

Selection Parser::selection() {
  if (peek().kind == Tok::Spread) return fragment();
  return field();
}

Selection Parser::field() {
  Selection f;
  f.kind = SelectionKind::Field;
  f.pos = peek_pos();
  f.alias = parse_name();
  f.name = skip(Tok::Colon) ? parse_name() : f.alias;
  f.arguments = arguments(false);
  f.directives = directives(false);
  if (peek().kind == Tok::BraceL) f.selection_set = optional_selection_set();
  return f;
}

std::vector<Argument> Parser::arguments(bool is_const) {
  std::vector<Argument> out;
  many(Tok::ParenL, Tok::ParenR, [&] { out.push_back(argument(is_const)); });
  return out;
}

Argument Parser::argument(bool is_const) {
  Argument a;
  a.pos = peek_pos();
  a.name = parse_name();
  expect(Tok::Colon);
  a.value = Box<Value>(value_literal(is_const));
  return a;
}

Selection Parser::fragment() {
  expect(Tok::Spread);
  if (const Token& t = peek(); t.kind == Tok::Name && t.value != "on") {
    Selection spread;
    spread.kind = SelectionKind::FragmentSpread;
    spread.pos = peek_pos();
    spread.name = fragment_name();
    spread.directives = directives(false);
    return spread;
  }
  Selection inl;
  inl.kind = SelectionKind::InlineFragment;
  inl.pos = peek_pos();
  if (peek().value == "on") {  // gqlparser checks the value only
    next();
    inl.type_condition = parse_name();
  }
  inl.directives = directives(false);
  inl.selection_set = required_selection_set();
  return inl;
}

FragmentDefinition Parser::fragment_definition() {
  FragmentDefinition def;
  def.pos = peek_pos();
  expect_keyword("fragment");
  def.name = fragment_name();
  def.variable_definition = variable_definitions();
  expect_keyword("on");
  def.type_condition = parse_name();
  def.directives = directives(false);
  def.selection_set = required_selection_set();
  return def;
}

std::string Parser::fragment_name() {
  if (peek().value == "on") unexpected();
  return parse_name();
}

Value Parser::value_literal(bool is_const) {
  Token t = peek();
  Value v;
  v.pos = Pos{t.line, t.col, true};
  switch (t.kind) {
    case Tok::BracketL: {
      Nest nest(*this);
      v.kind = ValueKind::List;
      many(Tok::BracketL, Tok::BracketR, [&] {
        ChildValue c;
        c.value = Box<Value>(value_literal(is_const));
        v.children.push_back(std::move(c));
      });
      return v;
    }
    case Tok::BraceL: {
      Nest nest(*this);
      v.kind = ValueKind::Object;
      many(Tok::BraceL, Tok::BraceR, [&] {
        ChildValue c;
        c.pos = peek_pos();
        c.name = parse_name();
        expect(Tok::Colon);
        c.value = Box<Value>(value_literal(is_const));
        v.children.push_back(std::move(c));
      });
      return v;
    }
    case Tok::Dollar:
      if (is_const) unexpected();
      v.kind = ValueKind::Variable;
      v.raw = variable();
      return v;
    case Tok::Int: v.kind = ValueKind::Int; break;
    case Tok::Float: v.kind = ValueKind::Float; break;
    case Tok::String: v.kind = ValueKind::String; break;
    case Tok::BlockString: v.kind = ValueKind::Block; break;
    case Tok::Name:
      v.kind = t.value == "true" || t.value == "false" ? ValueKind::Boolean
               : t.value == "null"                     ? ValueKind::Null
                                                       : ValueKind::Enum;
      break;
    default:
      unexpected();
  }
  next();
  v.raw = std::move(t.value);
  return v;
}

std::vector<Directive> Parser::directives(bool is_const) {
  std::vector<Directive> out;
  while (peek().kind == Tok::At) out.push_back(directive(is_const));
  return out;
}

Directive Parser::directive(bool is_const) {
  expect(Tok::At);
  Directive d;
  d.pos = peek_pos();
  d.name = parse_name();
  d.arguments = arguments(is_const);
  return d;
}

Type Parser::type_reference() {
  Nest nest(*this);
  Type t;
  if (skip(Tok::BracketL)) {
    t.pos = peek_pos();
    t.elem = Box<Type>(type_reference());
    expect(Tok::BracketR);
  } else {
    t.pos = peek_pos();
    t.named = parse_name();
  }
  if (skip(Tok::Bang)) {
    t.pos = peek_pos();
    t.non_null = true;
  }
  return t;
}

// ---------------------------------------------------------------- schema.go

SchemaDocument Parser::schema_document() {
  SchemaDocument doc;
  while (peek().kind != Tok::Eof) {
    std::string desc;
    if (peek().kind == Tok::BlockString || peek().kind == Tok::String) desc = description();
    if (peek().kind != Tok::Name) unexpected();
    const std::string kw = peek().value;
    if (kw == "scalar" || kw == "type" || kw == "interface" || kw == "union" || kw == "enum" || kw == "input") {
      doc.definitions.push_back(type_system_definition(desc));
    } else if (kw == "schema") {
      doc.schema.push_back(schema_definition(desc));
    } else if (kw == "directive") {
      doc.directives.push_back(directive_definition(desc));
    } else if (kw == "extend") {
      if (!desc.empty()) unexpected(prev_);
      type_system_extension(doc);
    } else {
      unexpected();
    }
  }
  return doc;
}

std::string Parser::description() {
  const Token& t = peek();
  if (t.kind != Tok::BlockString && t.kind != Tok::String) return "";
  return next().value;
}

Definition Parser::type_header(const char* keyword, const char* kind, const std::string& desc) {
  expect_keyword(keyword);
  Definition def;
  def.pos = peek_pos();
  def.kind = kind;
  def.description = desc;
  def.name = parse_name();
  return def;
}

Definition Parser::type_system_definition(const std::string& desc) {
  const std::string kw = peek().value;
  if (kw == "scalar") {
    Definition def = type_header("scalar", "SCALAR", desc);
    def.directives = directives(true);
    return def;
  }
  if (kw == "type" || kw == "interface") {
    Definition def = type_header(kw.c_str(), kw == "type" ? "OBJECT" : "INTERFACE", desc);
    def.interfaces = implements_interfaces();
    def.directives = directives(true);
    def.fields = fields_definition();
    return def;
  }
  if (kw == "union") {
    Definition def = type_header("union", "UNION", desc);
    def.directives = directives(true);
    def.types = union_member_types();
    return def;
  }
  if (kw == "enum") {
    Definition def = type_header("enum", "ENUM", desc);
    def.directives = directives(true);
    def.enum_values = enum_values_definition();
    return def;
  }
  Definition def = type_header("input", "INPUT_OBJECT", desc);
  def.directives = directives(true);
  def.fields = input_fields_definition();
  return def;
}

SchemaDefinition Parser::schema_definition(const std::string& desc) {
  expect_keyword("schema");
  SchemaDefinition def;
  def.pos = peek_pos();
  def.description = desc;
  def.directives = directives(true);
  some(Tok::BraceL, Tok::BraceR, [&] { def.operation_types.push_back(operation_type_definition()); });
  return def;
}

OperationTypeDefinition Parser::operation_type_definition() {
  OperationTypeDefinition op;
  op.pos = peek_pos();
  op.operation = operation_type();
  expect(Tok::Colon);
  op.type = parse_name();
  return op;
}

std::vector<std::string> Parser::implements_interfaces() {
  std::vector<std::string> types;
  if (peek().value == "implements") {
    next();
    skip(Tok::Amp);  // optional leading ampersand
    types.push_back(parse_name());
    while (skip(Tok::Amp)) types.push_back(parse_name());
  }
  return types;
}

std::vector<FieldDefinition> Parser::fields_definition() {
  std::vector<FieldDefinition> defs;
  some(Tok::BraceL, Tok::BraceR, [&] { defs.push_back(field_definition()); });
  return defs;
}

FieldDefinition Parser::field_definition() {
  FieldDefinition def;
  def.pos = peek_pos();
  def.description = description();
  def.name = parse_name();
  def.arguments = argument_defs();
  expect(Tok::Colon);
  def.type = Box<Type>(type_reference());
  def.directives = directives(true);
  return def;
}

std::vector<ArgumentDefinition> Parser::argument_defs() {
  std::vector<ArgumentDefinition> args;
  some(Tok::ParenL, Tok::ParenR, [&] { args.push_back(argument_def()); });
  return args;
}

ArgumentDefinition Parser::argument_def() {
  ArgumentDefinition def;
  def.pos = peek_pos();
  def.description = description();
  def.name = parse_name();
  expect(Tok::Colon);
  def.type = Box<Type>(type_reference());
  if (skip(Tok::Equals)) def.default_value = Box<Value>(value_literal(true));
  def.directives = directives(true);
  return def;
}

FieldDefinition Parser::input_value_def() {
  FieldDefinition def;
  def.pos = peek_pos();
  def.description = description();
  def.name = parse_name();
  expect(Tok::Colon);
  def.type = Box<Type>(type_reference());
  if (skip(Tok::Equals)) def.default_value = Box<Value>(value_literal(true));
  def.directives = directives(true);
  return def;
}

std::vector<std::string> Parser::union_member_types() {
  std::vector<std::string> types;
  if (skip(Tok::Equals)) {
    skip(Tok::Pipe);  // optional leading pipe
    types.push_back(parse_name());
    while (skip(Tok::Pipe)) types.push_back(parse_name());
  }
  return types;
}

std::vector<EnumValueDefinition> Parser::enum_values_definition() {
  std::vector<EnumValueDefinition> values;
  some(Tok::BraceL, Tok::BraceR, [&] {
    EnumValueDefinition v;
    v.pos = peek_pos();
    v.description = description();
    v.name = parse_name();
    v.directives = directives(true);
    values.push_back(std::move(v));
  });
  return values;
}

std::vector<FieldDefinition> Parser::input_fields_definition() {
  std::vector<FieldDefinition> values;
  some(Tok::BraceL, Tok::BraceR, [&] { values.push_back(input_value_def()); });
  return values;
}

void Parser::type_system_extension(SchemaDocument& doc) {
  expect_keyword("extend");
  const std::string kw = peek().value;  // gqlparser switches on the value whatever the token kind
  if (kw == "schema") {
    doc.schema_extension.push_back(schema_extension());
    return;
  }
  auto check = [&](bool empty) {
    if (empty) unexpected();
  };
  if (kw == "scalar") {
    Definition def = type_header("scalar", "SCALAR", "");
    def.directives = directives(true);
    check(def.directives.empty());
    doc.extensions.push_back(std::move(def));
  } else if (kw == "type") {
    Definition def = type_header("type", "OBJECT", "");
    def.interfaces = implements_interfaces();
    def.directives = directives(true);
    def.fields = fields_definition();
    check(def.interfaces.empty() && def.directives.empty() && def.fields.empty());
    doc.extensions.push_back(std::move(def));
  } else if (kw == "interface") {
    Definition def = type_header("interface", "INTERFACE", "");
    def.directives = directives(true);
    def.fields = fields_definition();
    check(def.directives.empty() && def.fields.empty());
    doc.extensions.push_back(std::move(def));
  } else if (kw == "union") {
    Definition def = type_header("union", "UNION", "");
    def.directives = directives(true);
    def.types = union_member_types();
    check(def.directives.empty() && def.types.empty());
    doc.extensions.push_back(std::move(def));
  } else if (kw == "enum") {
    Definition def = type_header("enum", "ENUM", "");
    def.directives = directives(true);
    def.enum_values = enum_values_definition();
    check(def.directives.empty() && def.enum_values.empty());
    doc.extensions.push_back(std::move(def));
  } else if (kw == "input") {
    Definition def = type_header("input", "INPUT_OBJECT", "");
    def.directives = directives(false);
    def.fields = input_fields_definition();
    check(def.directives.empty() && def.fields.empty());
    doc.extensions.push_back(std::move(def));
  } else {
    unexpected();
  }
}

SchemaDefinition Parser::schema_extension() {
  expect_keyword("schema");
  SchemaDefinition def;
  def.pos = peek_pos();
  def.directives = directives(true);
  some(Tok::BraceL, Tok::BraceR, [&] { def.operation_types.push_back(operation_type_definition()); });
  if (def.directives.empty() && def.operation_types.empty()) unexpected();
  return def;
}

DirectiveDefinition Parser::directive_definition(const std::string& desc) {
  expect_keyword("directive");
  expect(Tok::At);
  DirectiveDefinition def;
  def.pos = peek_pos();
  def.description = desc;
  def.name = parse_name();
  def.arguments = argument_defs();
  if (const Token& t = peek(); t.kind == Tok::Name && t.value == "repeatable") {
    def.is_repeatable = true;
    next();
  }
  expect_keyword("on");
  skip(Tok::Pipe);
  def.locations.push_back(directive_location());
  while (skip(Tok::Pipe)) def.locations.push_back(directive_location());
  return def;
}

std::string Parser::directive_location() {
  static const char* const kLocations[] = {
      "QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD", "INLINE_FRAGMENT",
      "VARIABLE_DEFINITION", "SCHEMA", "SCALAR", "OBJECT", "FIELD_DEFINITION", "ARGUMENT_DEFINITION",
      "INTERFACE", "UNION", "ENUM", "ENUM_VALUE", "INPUT_OBJECT", "INPUT_FIELD_DEFINITION"};
  Token name = expect(Tok::Name);
  for (const char* loc : kLocations) {
    if (name.value == loc) return name.value;
  }
  unexpected(name);
}

}  // namespace

QueryDocument parse_query(std::string_view source) { return Parser(source).query_document(); }

SchemaDocument parse_schema(std::string_view source, bool builtin) {
  SchemaDocument doc = Parser(source).schema_document();
  for (auto& d : doc.definitions) d.builtin = builtin;
  for (auto& d : doc.extensions) d.builtin = builtin;
  return doc;
}

}  // namespace rego::gql
