// Unit tests for the graphql.* built-ins and the GraphQL parser/validator behind them. Expected values come from
// OPA's behaviour (topdown/graphql.go, its compliance cases) and from vektah/gqlparser's own validation specs
// (validator/imported/spec, which OPA vendors), whose test schema is reproduced below.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "rego/builtins/graphql_ast.h"
#include "rego/builtins/registry.h"
#include "rego/json.h"

#include "builtin_call.h"

namespace rego {
namespace {

using testing::call;
using testing::error_of;
using testing::eval;
using testing::J;

Value S(std::string_view s) { return Value::string(s); }

#define EXPECT_VALUE(expr, json_text) EXPECT_EQ(json::write(expr), json::write(J(json_text)))

// ---------------------------------------------------------------- graphql.parse_query

TEST(GraphQLParseQuery, SimpleQuery) {
  EXPECT_VALUE(eval("graphql.parse_query", {S("{hero {name}}")}),
               R"({"Operations":[{"Name":"","Operation":"query","SelectionSet":[{"Alias":"hero","Name":"hero",
                   "SelectionSet":[{"Alias":"name","Name":"name"}]}]}]})");
  EXPECT_VALUE(eval("graphql.parse_query", {S("")}), "{}");
}

TEST(GraphQLParseQuery, VariablesFragmentsDirectivesValues) {
  EXPECT_VALUE(
      eval("graphql.parse_query",
           {S(R"(query Q($ids: [ID!]! = [1], $f: Boolean @d) @op { a: node(x: {k: [$f, 1.5, "s", """b""", E, null]})
                 @include(if: $f) { ...Frag ... on T { id } } } fragment Frag on T { id })")}),
      R"({"Fragments":[{"Name":"Frag","SelectionSet":[{"Alias":"id","Name":"id"}],"TypeCondition":"T"}],
          "Operations":[{"Directives":[{"Location":"","Name":"op"}],"Name":"Q","Operation":"query",
          "SelectionSet":[{"Alias":"a","Name":"node",
            "Arguments":[{"Name":"x","Value":{"Kind":9,"Raw":"","Children":[{"Name":"k","Value":{"Kind":8,"Raw":"",
              "Children":[{"Name":"","Value":{"Kind":0,"Raw":"f"}},{"Name":"","Value":{"Kind":2,"Raw":"1.5"}},
                          {"Name":"","Value":{"Kind":3,"Raw":"s"}},{"Name":"","Value":{"Kind":4,"Raw":"b"}},
                          {"Name":"","Value":{"Kind":7,"Raw":"E"}},{"Name":"","Value":{"Kind":6,"Raw":"null"}}]}}]}}],
            "Directives":[{"Arguments":[{"Name":"if","Value":{"Kind":0,"Raw":"f"}}],"Location":"","Name":"include"}],
            "SelectionSet":[{"Name":"Frag"},{"SelectionSet":[{"Alias":"id","Name":"id"}],"TypeCondition":"T"}]}],
          "VariableDefinitions":[
            {"DefaultValue":{"Kind":8,"Raw":"","Children":[{"Name":"","Value":{"Kind":1,"Raw":"1"}}]},
             "Type":{"Elem":{"NamedType":"ID","NonNull":true},"NamedType":"","NonNull":true},"Used":false,"Variable":"ids"},
            {"Directives":[{"Location":"","Name":"d"}],"Type":{"NamedType":"Boolean","NonNull":false},"Used":false,
             "Variable":"f"}]}]})");
}

TEST(GraphQLParseQuery, StringsAndBlockStrings) {
  auto raw = [](const char* q) {
    Value v = eval("graphql.parse_query", {S(q)});
    return v.get("Operations")->as_array()[0].get("SelectionSet")->as_array()[0].get("Arguments")->as_array()[0]
        .get("Value")->get("Raw")->as_string();
  };
  EXPECT_EQ(raw(R"({ f(a: "x\"y\\z\u00e9\n") })"), "x\"y\\z\xc3\xa9\n");
  EXPECT_EQ(raw("{ f(a: \"\"\"\n    line one\n      line two\n    \"\"\") }"), "line one\n  line two");
  // gqlparser measures the common indent over every line, the first included (the spec skips it).
  EXPECT_EQ(raw("{ f(a: \"\"\"  first\n    second\"\"\") }"), "  first\n  second");
  EXPECT_EQ(raw("{ f(a: \"\"\"a \\\"\"\" b\"\"\") }"), "a \"\"\" b");
}

TEST(GraphQLParseQuery, SyntaxErrors) {
  auto err = [](const char* q) { return error_of("graphql.parse_query", {S(q)}).first; };
  EXPECT_EQ(err("{"), "Expected Name, found <EOF> in GraphQL string at location 1:2");
  EXPECT_EQ(err("\n  { ...MissingOn }\n  fragment MissingOn Type\n"),
            "Expected \"on\", found Name \"Type\" in GraphQL string at location 3:22");
  EXPECT_EQ(err("{ field: {} }"), "Expected Name, found { in GraphQL string at location 1:10");
  EXPECT_EQ(err("notanoperation Foo { field }"), "Unexpected Name \"notanoperation\" in GraphQL string at location 1:1");
  EXPECT_EQ(err("..."), "Unexpected ... in GraphQL string at location 1:1");
  EXPECT_EQ(err("query Foo($x: Complex = { a: { b: [ $var ] } }) { field }"),
            "Unexpected $ in GraphQL string at location 1:37");
  EXPECT_EQ(err("fragment on on on { on }"), "Unexpected Name \"on\" in GraphQL string at location 1:10");
  EXPECT_EQ(err("{__typename{...}}"), "Expected {, found } in GraphQL string at location 1:16");
  EXPECT_EQ(err("{...{__typename{...{}}}}"),
            "expected at least one definition, found } in GraphQL string at location 1:21");
  // Lexer errors surface as the parser's view of an <Invalid> token...
  EXPECT_EQ(err("{ f(a: 'x') }"), "Unexpected <Invalid> in GraphQL string at location 1:8");
  EXPECT_EQ(err("{ f(a: \"open) }"), "Unexpected <Invalid> in GraphQL string at location 1:16");
  // ...unless the parser consumes it.
  EXPECT_EQ(error_of("graphql.parse_schema", {S("schema { 'x }")}).first,
            "Unexpected single quote character ('), did you mean to use a double quote (\")? in GraphQL string at "
            "location 1:10");
  // Columns count code points.
  EXPECT_EQ(err("{ f(a: \"\xe0\xa8\x8a\") @ }"), "Expected Name, found } in GraphQL string at location 1:15");
  auto type = error_of("graphql.parse_query", {Value::integer(1)});
  EXPECT_EQ(type.first, "operand 1 must be string but got number");
  EXPECT_TRUE(type.second);
}

// ---------------------------------------------------------------- graphql.parse_schema

TEST(GraphQLParseSchema, Definitions) {
  EXPECT_VALUE(eval("graphql.parse_schema", {S(R"(
      "Desc" type Hello implements & A & B @key { world(flag: Boolean = true @deprecated): [String!] }
      union U = | A | B
      enum E { X @deprecated Y }
      input I { a: Int = 1 }
      scalar Date
      directive @key(fields: String) repeatable on OBJECT | INTERFACE
      schema { query: Hello }
      extend schema @key
      extend type Hello { more: Int }
  )")}),
               R"({"Definitions":[
        {"BuiltIn":false,"Description":"Desc","Directives":[{"Location":"","Name":"key"}],
         "Fields":[{"Arguments":[{"DefaultValue":{"Kind":5,"Raw":"true"},"Description":"",
                    "Directives":[{"Location":"","Name":"deprecated"}],"Name":"flag",
                    "Type":{"NamedType":"Boolean","NonNull":false}}],
                   "Description":"","Name":"world",
                   "Type":{"Elem":{"NamedType":"String","NonNull":true},"NamedType":"","NonNull":false}}],
         "Interfaces":["A","B"],"Kind":"OBJECT","Name":"Hello"},
        {"BuiltIn":false,"Description":"","Kind":"UNION","Name":"U","Types":["A","B"]},
        {"BuiltIn":false,"Description":"","EnumValues":[{"Description":"","Directives":[{"Location":"","Name":"deprecated"}],
          "Name":"X"},{"Description":"","Name":"Y"}],"Kind":"ENUM","Name":"E"},
        {"BuiltIn":false,"Description":"","Fields":[{"DefaultValue":{"Kind":1,"Raw":"1"},"Description":"","Name":"a",
          "Type":{"NamedType":"Int","NonNull":false}}],"Kind":"INPUT_OBJECT","Name":"I"},
        {"BuiltIn":false,"Description":"","Kind":"SCALAR","Name":"Date"}],
       "Directives":[{"Arguments":[{"Description":"","Name":"fields","Type":{"NamedType":"String","NonNull":false}}],
         "Description":"","IsRepeatable":true,"Locations":["OBJECT","INTERFACE"],"Name":"key"}],
       "Extensions":[{"BuiltIn":false,"Description":"","Fields":[{"Description":"","Name":"more",
         "Type":{"NamedType":"Int","NonNull":false}}],"Kind":"OBJECT","Name":"Hello"}],
       "Schema":[{"Description":"","OperationTypes":[{"Operation":"query","Type":"Hello"}]}],
       "SchemaExtension":[{"Description":"","Directives":[{"Location":"","Name":"key"}]}]})");
}

TEST(GraphQLParseSchema, SyntaxErrors) {
  auto err = [](const char* s) { return error_of("graphql.parse_schema", {S(s)}).first; };
  EXPECT_EQ(err("type Hello {}"), "expected at least one definition, found } in GraphQL string at location 1:13");
  EXPECT_EQ(err("extend type Hello"), "Unexpected <EOF> in GraphQL string at location 1:18");
  EXPECT_EQ(err("\n  \"Description\"\n  extend type Hello { world: String }\n"),
            "Unexpected String \"Description\" in GraphQL string at location 2:4");
  EXPECT_EQ(err("input Hello {\n  world(foo: Int): String\n}"), "Expected :, found ( in GraphQL string at location 2:8");
  EXPECT_EQ(err("union Hello = Wo || Rld"), "Expected Name, found | in GraphQL string at location 1:19");
  EXPECT_EQ(err("directive @foo on FIELD | INCORRECT_LOCATION"),
            "Unexpected Name \"INCORRECT_LOCATION\" in GraphQL string at location 1:27");
  EXPECT_EQ(err("extend schema"), "Unexpected <EOF> in GraphQL string at location 1:14");
  EXPECT_EQ(err("\"\"\"\r"), "Unexpected <Invalid> in GraphQL string at location 2:1");
}

// ---------------------------------------------------------------- schema validity

TEST(GraphQLSchemaIsValid, Rules) {
  auto valid = [](const char* s) { return eval("graphql.schema_is_valid", {S(s)}).as_bool(); };
  EXPECT_TRUE(valid("type Query { a: Int }"));
  EXPECT_TRUE(valid("extend type User { id: ID! } union U = User type Query { u: U }"));  // extension creates User
  EXPECT_TRUE(valid("directive @d(a: String = \"b\") on SCHEMA type Query { x: Int } extend schema @d"));
  EXPECT_FALSE(valid("type Hello implements World { f: String }"));
  EXPECT_FALSE(valid("schema { query: Query }"));
  EXPECT_FALSE(valid("extend scalar Foo @deprecated extend type Foo @deprecated"));
  EXPECT_FALSE(valid("interface IA { id: ID! } interface IIA implements IA { id: ID! } type A implements IIA { id: ID! }"));
  EXPECT_FALSE(valid("type Pupil { f: Int } input PupilInput { friends: [Pupil] }"));
  EXPECT_FALSE(valid("type A { f: Int } type A { g: Int }"));
  EXPECT_FALSE(valid("type A { __f: Int }"));
  EXPECT_FALSE(valid("type A { f: Int @unknown }"));
  EXPECT_FALSE(valid("type A { f(a: A): Int }"));
  EXPECT_FALSE(valid("enum E { true }"));
  EXPECT_FALSE(valid("type A { f: Int f: String }"));
  EXPECT_FALSE(valid("not a schema"));
  EXPECT_FALSE(eval("graphql.schema_is_valid", {Value::integer(1)}).as_bool());
  EXPECT_TRUE(eval("graphql.schema_is_valid", {eval("graphql.parse_schema", {S("type Query { a: Int }")})}).as_bool());
}

TEST(GraphQLSchemaIsValid, ConversionErrorMessages) {
  auto msg = [](const char* s) {
    return error_of("graphql.parse", {S("{ a }"), S(s)}).first;
  };
  const std::string prefix = "Error in gqlparser SchemaDocument to Schema conversion: ";
  EXPECT_EQ(msg("type Hello implements World { f: String }"), prefix + "input:1:6: Undefined type \"World\".");
  EXPECT_EQ(msg("schema {\n  query: Query\n}"),
            prefix + "input:2:3: Schema root query refers to a type Query that does not exist.");
  EXPECT_EQ(msg("interface IA { id: ID! } interface IIA implements IA { id: ID! } type A implements IIA { id: ID! }"),
            prefix + "input:1:71: Type A must implement IA because it is implemented by IIA.");
  EXPECT_EQ(msg("type Query { a: Int } input In { f: Query }"),
            prefix + "input:1:34: OBJECT f: field must be one of SCALAR, ENUM, INPUT_OBJECT.");
  // AST objects carry no positions: gqlparser reports -1:-1.
  Value ast = eval("graphql.parse_schema", {S("type Query { a: Nope }")});
  EXPECT_EQ(error_of("graphql.parse", {S("{ a }"), ast}).first, prefix + "input:-1:-1: Undefined type Nope.");
}

// ---------------------------------------------------------------- graphql.parse / is_valid / parse_and_verify

constexpr const char* kSchema = R"(
  extend type Query {
      myAction(myEnum: Locale!): SomeResult!
  }
  type SomeResult {
      id: String
  }
  enum Locale {
      EN
      LT
      DE
  }
)";

TEST(GraphQLParse, ValidationErrorMessages) {
  EXPECT_EQ(error_of("graphql.parse", {S("query SomeOperation {\n  myAction {\n    id\n  }\n}"), S(kSchema)}).first,
            "Field \"myAction\" argument \"myEnum\" of type \"Locale!\" is required, but it was not provided in "
            "GraphQL query string at location 2:3");
  // Every error after the first stays in the message, as OPA keeps the rest of the list (in walk order: a
  // field's argument values are checked before the field itself). Only a final ".\n" is trimmed.
  EXPECT_EQ(error_of("graphql.parse", {S("{ nope\n  myAction(myEnum: XX) }"), S(kSchema)}).first,
            "Cannot query field \"nope\" on type \"Query\".\ninput:2:20: Value \"XX\" does not exist in \"Locale!\" "
            "enum.\ninput:2:3: Field \"myAction\" of type \"SomeResult!\" must have a selection of subfields. Did you "
            "mean \"myAction { ... }\"?\n in GraphQL query string at location 1:3");
  EXPECT_EQ(error_of("graphql.parse", {S("query { x }"), S("type Mutation { x: Int }")}).first,
            "Schema does not support operation type \"query\"\n in GraphQL query string at location 1:1");
  auto type = error_of("graphql.parse", {Value::integer(1), S(kSchema)});
  EXPECT_EQ(type.first, "operand 0 must be one of {string, object} but got number");
  EXPECT_TRUE(type.second);
  EXPECT_EQ(error_of("graphql.parse", {S("{ a }"), Value::boolean(true)}).first,
            "operand 1 must be one of {string, object} but got boolean");
  EXPECT_EQ(error_of("graphql.parse", {S("{"), Value::boolean(true)}).first,
            "Expected Name, found <EOF> in GraphQL string at location 1:2");
}

TEST(GraphQLParse, ReturnsBothAsts) {
  Value r = eval("graphql.parse", {S("query Q($l: Locale! = DE) { myAction(myEnum: $l) { id } }"), S(kSchema)});
  EXPECT_VALUE(r.as_array()[0],
               R"({"Operations":[{"Name":"Q","Operation":"query","SelectionSet":[{"Alias":"myAction",
                   "Arguments":[{"Name":"myEnum","Value":{"Kind":0,"Raw":"l"}}],"Name":"myAction",
                   "SelectionSet":[{"Alias":"id","Name":"id"}]}],"VariableDefinitions":[{"DefaultValue":{"Kind":7,
                   "Raw":"DE"},"Type":{"NamedType":"Locale","NonNull":true},"Used":false,"Variable":"l"}]}]})");
  EXPECT_EQ(r.as_array()[1], eval("graphql.parse_schema", {S(kSchema)}));
}

TEST(GraphQLIsValid, Basics) {
  auto valid = [](const Value& q, const Value& s) { return eval("graphql.is_valid", {q, s}).as_bool(); };
  EXPECT_TRUE(valid(S("query SomeOperation ($l: Locale! = DE) { myAction(myEnum: $l) { id } }"), S(kSchema)));
  EXPECT_FALSE(valid(S("query SomeOperation { myAction { id } }"), S(kSchema)));
  EXPECT_FALSE(valid(S("{"), S(kSchema)));
  EXPECT_FALSE(valid(S("{ myAction(myEnum: EN) { id } }"), S("type {")));
  EXPECT_FALSE(valid(Value::integer(3), S(kSchema)));
  EXPECT_TRUE(valid(S(""), S(kSchema)));
  EXPECT_TRUE(valid(S("query Foo($flag: Boolean!) { ...Bar } fragment Bar on Query { bar @include(if: $flag) }"),
                    S("type Query { bar: String! }")));
  EXPECT_FALSE(valid(S("mutation{x(a:b)}"), S("type Query { bar: String! } type Mutation { x: String! }")));
}

TEST(GraphQLParseAndVerify, AstObjectsRoundTrip) {
  Value schema = eval("graphql.parse_schema",
                      {S("type Employee { id: String! salary: Int! } schema { query: Query } "
                         "type Query { employeeByID(id: String): Employee }")});
  Value query = eval("graphql.parse_query", {S("query { employeeByID(id: \"alice\") { salary }}")});
  Value r = eval("graphql.parse_and_verify", {query, schema});
  EXPECT_VALUE(r, "[true, " + json::write(query) + ", " + json::write(schema) + "]");
  EXPECT_TRUE(eval("graphql.is_valid", {query, schema}).as_bool());
  EXPECT_VALUE(eval("graphql.parse", {query, schema}), "[" + json::write(query) + ", " + json::write(schema) + "]");

  Value bad = J(R"({"Operations":[{"Name":"","Operation":"query","SelectionSet":[{"Alias":"x","Name":"nope"}]}]})");
  EXPECT_VALUE(eval("graphql.parse_and_verify", {bad, schema}), "[false, {}, {}]");
  // Without positions there is no location to report.
  EXPECT_EQ(error_of("graphql.parse", {bad, schema}).first, "input: Cannot query field \"nope\" on type \"Query\".");
  // Mistyped members are JSON decoding errors.
  EXPECT_FALSE(eval("graphql.is_valid", {J(R"({"Operations":[{"Name":5}]})"), schema}).as_bool());
  EXPECT_FALSE(eval("graphql.is_valid", {query, J(R"({"Definitions":[{"Kind":"OBJECT","Name":"Query",
      "Fields":[{"Name":"a","Type":{"NamedType":"Int","NonNull":"no"}}]}]})")}).as_bool());
}

TEST(GraphQLParseAndVerify, SelectionsDecodeAsFieldsFirst) {
  // gqlparser's UnmarshalSelectionSet tries Field first, which accepts any object: an inline fragment given as an
  // AST object comes back as a field with an empty name.
  Value schema = S("type Query { a: A } type A { id: ID }");
  Value query = J(R"({"Operations":[{"Name":"","Operation":"query","SelectionSet":[{"Alias":"a","Name":"a",
      "SelectionSet":[{"TypeCondition":"A","SelectionSet":[{"Alias":"id","Name":"id"}]}]}]}]})");
  EXPECT_FALSE(eval("graphql.is_valid", {query, schema}).as_bool());
  EXPECT_EQ(error_of("graphql.parse", {query, schema}).first, "input: Cannot query field \"\" on type \"A\".");
}

// ---------------------------------------------------------------- hostile input

TEST(GraphQLLimits, DeepNestingIsAnError) {
  const int n = 100000;
  std::string q;
  for (int i = 0; i < n; ++i) q += "{a";
  q += std::string(n, '}');
  EXPECT_NE(error_of("graphql.parse_query", {S(q)}).first.find("nesting"), std::string::npos);
  EXPECT_NE(error_of("graphql.parse_query", {S("{ f(a: " + std::string(n, '[') + ") }")}).first.find("nesting"),
            std::string::npos);
  EXPECT_NE(error_of("graphql.parse_query", {S("query($a: " + std::string(n, '[') + "Int) { f }")}).first.find("nesting"),
            std::string::npos);
  EXPECT_FALSE(eval("graphql.is_valid", {S(q), S("type Query { a: Int }")}).as_bool());

  // A long chain of fragments exceeds the validator's recursion budget: refused (gqlparser, with Go's growable
  // stacks, would accept it), never a crash.
  std::string chain = "{ ...F0 }";
  for (int i = 0; i < 20000; ++i) chain += " fragment F" + std::to_string(i) + " on Query { ...F" + std::to_string(i + 1) + " }";
  chain += " fragment F20000 on Query { a }";
  EXPECT_FALSE(eval("graphql.is_valid", {S(chain), S("type Query { a: Int }")}).as_bool());

  // Deeply nested AST objects.
  std::string obj = "{\"Kind\":0,\"Raw\":\"x\"}";
  for (int i = 0; i < 2000; ++i) obj = R"({"Kind":8,"Raw":"","Children":[{"Name":"","Value":)" + obj + "}]}";
  Value query = J(R"({"Operations":[{"Operation":"query","SelectionSet":[{"Alias":"a","Name":"a","Arguments":[{"Name":"x","Value":)" +
                  obj + "}]}]}]}");
  EXPECT_NE(error_of("graphql.parse", {query, S("type Query { a: Int }")}).first.find("nested too deeply"),
            std::string::npos);
}

TEST(GraphQLLimits, ConcurrentCallsShareTheSchemaCache) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        Value q = S("query Q" + std::to_string(t) + " { myAction(myEnum: EN) { id } }");
        if (eval("graphql.is_valid", {q, S(kSchema)}).as_bool()) ++ok;
        if (!eval("graphql.is_valid", {S("{ myAction { id } }"), S(kSchema)}).as_bool()) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 8 * 50 * 2);
}

// ---------------------------------------------------------------- validation rules (gqlparser's specs)

// Schema 0 of gqlparser's validator/imported/spec/schemas.yml.
constexpr const char* kSpecSchema = R"(
  schema { query: QueryRoot }
  directive @onField on FIELD
  interface Mammal { mother: Mammal father: Mammal }
  interface Pet { name(surname: Boolean): String }
  interface Canine implements Mammal { name(surname: Boolean): String mother: Canine father: Canine }
  enum DogCommand { SIT HEEL DOWN }
  type Dog implements Pet & Mammal & Canine {
    name(surname: Boolean): String
    nickname: String
    barkVolume: Int
    barks: Boolean
    doesKnowCommand(dogCommand: DogCommand): Boolean
    isHouseTrained(atOtherHomes: Boolean = true): Boolean
    isAtLocation(x: Int, y: Int): Boolean
    mother: Dog
    father: Dog
  }
  type Cat implements Pet { name(surname: Boolean): String nickname: String meows: Boolean meowsVolume: Int furColor: FurColor }
  union CatOrDog = Cat | Dog
  type Human { name(surname: Boolean): String pets: [Pet] relatives: [Human] }
  enum FurColor { BROWN BLACK TAN SPOTTED NO_FUR UNKNOWN }
  input ComplexInput {
    requiredField: Boolean!
    nonNullField: Boolean! = false
    intField: Int
    stringField: String
    booleanField: Boolean
    stringListField: [String]
  }
  type ComplicatedArgs {
    intArgField(intArg: Int): String
    nonNullIntArgField(nonNullIntArg: Int!): String
    stringArgField(stringArg: String): String
    booleanArgField(booleanArg: Boolean): String
    enumArgField(enumArg: FurColor): String
    floatArgField(floatArg: Float): String
    idArgField(idArg: ID): String
    stringListArgField(stringListArg: [String]): String
    stringListNonNullArgField(stringListNonNullArg: [String!]): String
    complexArgField(complexArg: ComplexInput): String
    multipleReqs(req1: Int!, req2: Int!): String
    nonNullFieldWithDefault(arg: Int! = 0): String
    multipleOpts(opt1: Int = 0, opt2: Int = 0): String
    multipleOptAndReq(req1: Int!, req2: Int!, opt1: Int = 0, opt2: Int = 0): String
  }
  type QueryRoot { human(id: ID): Human dog: Dog cat: Cat pet: Pet catOrDog: CatOrDog complicatedArgs: ComplicatedArgs }
  extend type QueryRoot { field: T f1: Type f2: Type f3: Type }
  type Type { a: String b: String c: String }
  type T { a: String b: String c: String d: String y: String deepField: T deeperField: T }
)";

// Errors of one rule, as "message @line:col".
std::vector<std::string> rule_errors(const std::string& rule, const std::string& query,
                                     const char* schema_sdl = kSpecSchema) {
  gql::Error err;
  auto schema = gql::build_schema(gql::parse_schema(schema_sdl), &err);
  EXPECT_NE(schema, nullptr) << err.text();
  if (!schema) return {};
  gql::QueryDocument doc = gql::parse_query(query);
  std::vector<std::string> out;
  for (const auto& e : gql::validate(*schema, doc)) {
    if (e.rule == rule) out.push_back(e.message + " @" + std::to_string(e.line) + ":" + std::to_string(e.col));
  }
  return out;
}

using Errors = std::vector<std::string>;

TEST(GraphQLRules, ValuesOfCorrectType) {
  const std::string rule = "ValuesOfCorrectType";
  EXPECT_EQ(rule_errors(rule, "{ complicatedArgs { intArgField(intArg: -2) floatArgField(floatArg: 1) idArgField(idArg: 1) } }"),
            Errors{});
  EXPECT_EQ(rule_errors(rule, "{ complicatedArgs { stringArgField(stringArg: 1) } }"),
            Errors{"String cannot represent a non string value: 1 @1:47"});
  EXPECT_EQ(rule_errors(rule, "{ complicatedArgs { intArgField(intArg: 829384293849283498239482938) } }"),
            Errors{"Int cannot represent non 32-bit signed integer value: 829384293849283498239482938 @1:41"});
  EXPECT_EQ(rule_errors(rule, "{ complicatedArgs { intArgField(intArg: \"3\") } }"),
            Errors{"Int cannot represent non-integer value: \"3\" @1:42"});
  EXPECT_EQ(rule_errors(rule, "{ complicatedArgs { booleanArgField(booleanArg: TRUE) } }"),
            Errors{"Boolean cannot represent a non boolean value: TRUE @1:49"});
  EXPECT_EQ(rule_errors(rule, "{ complicatedArgs { idArgField(idArg: 1.0) } }"),
            Errors{"ID cannot represent a non-string and non-integer value: 1.0 @1:39"});
  EXPECT_EQ(rule_errors(rule, "{ dog { doesKnowCommand(dogCommand: \"SIT\") } }"),
            Errors{"Enum \"DogCommand\" cannot represent non-enum value: \"SIT\". Did you mean the enum value \"SIT\"? @1:38"});
  EXPECT_EQ(rule_errors(rule, "{ dog { doesKnowCommand(dogCommand: sit) } }"),
            Errors{"Value \"sit\" does not exist in \"DogCommand\" enum. Did you mean the enum value \"SIT\"? @1:37"});
  EXPECT_EQ(rule_errors(rule, "{ dog { doesKnowCommand(dogCommand: 2) } }"),
            Errors{"Enum \"DogCommand\" cannot represent non-enum value: 2. @1:37"});
  EXPECT_EQ(rule_errors(rule, "{ complicatedArgs { stringListArgField(stringListArg: [\"one\", 2]) } }"),
            Errors{"String cannot represent a non string value: 2 @1:63"});
  EXPECT_EQ(rule_errors(rule, "{ complicatedArgs { complexArgField(complexArg: { intField: 4 }) } }"),
            Errors{"Field \"ComplexInput.requiredField\" of required type \"Boolean!\" was not provided. @1:49"});
  EXPECT_EQ(rule_errors(rule, "{ complicatedArgs { complexArgField(complexArg: { requiredField: true, invalidField: \"value\" }) } }"),
            Errors{"Field \"invalidField\" is not defined by type \"ComplexInput\". Did you mean \"intField\", "
                   "\"nonNullField\", or \"stringListField\"? @1:72"});
  EXPECT_EQ(rule_errors(rule, "{ complicatedArgs { nonNullIntArgField(nonNullIntArg: null) } }"),
            Errors{"Expected value of type \"Int!\", found null. @1:55"});
  EXPECT_EQ(rule_errors(rule, "query Q($a: Int = \"one\") { dog { name } }"),
            Errors{"Int cannot represent non-integer value: \"one\" @1:20"});
}

TEST(GraphQLRules, OverlappingFieldsCanBeMerged) {
  const std::string rule = "OverlappingFieldsCanBeMerged";
  EXPECT_EQ(rule_errors(rule, "fragment f on Dog { doesKnowCommand(dogCommand: SIT)\n doesKnowCommand(dogCommand: HEEL) }"),
            Errors{"Fields \"doesKnowCommand\" conflict because they have differing arguments. Use different aliases on "
                   "the fields to fetch both if this was intentional. @2:2"});
  EXPECT_EQ(rule_errors(rule, "{ ...A ...B } fragment A on Type { x: a } fragment B on Type { x: b }"),
            Errors{"Fields \"x\" conflict because \"a\" and \"b\" are different fields. Use different aliases on the "
                   "fields to fetch both if this was intentional. @1:64"});
  EXPECT_EQ(rule_errors(rule, "{ field { x: a y: c }, field { x: b y: d } }"),
            Errors{"Fields \"field\" conflict because subfields \"x\" conflict because \"a\" and \"b\" are different "
                   "fields and subfields \"y\" conflict because \"c\" and \"d\" are different fields. Use different "
                   "aliases on the fields to fetch both if this was intentional. @1:24"});
  EXPECT_EQ(rule_errors(rule, "fragment c on Pet { ... on Dog { name(surname: true) } ... on Cat { name } }"), Errors{});
  EXPECT_EQ(rule_errors(rule, "{ dog { name } dog { name } ...F } fragment F on QueryRoot { dog { name } }"), Errors{});
  const char* boxes = R"(
    interface SomeBox { deepBox: SomeBox unrelatedField: String }
    type StringBox implements SomeBox { scalar: String deepBox: StringBox unrelatedField: String listStringBox: [StringBox] stringBox: StringBox intBox: IntBox }
    type IntBox implements SomeBox { scalar: Int deepBox: IntBox unrelatedField: String listStringBox: [StringBox] stringBox: StringBox intBox: IntBox }
    type Query { someBox: SomeBox })";
  EXPECT_EQ(rule_errors(rule, "{ someBox { ... on IntBox { scalar } ... on StringBox { scalar } } }", boxes),
            Errors{"Fields \"scalar\" conflict because they return conflicting types \"Int\" and \"String\". Use "
                   "different aliases on the fields to fetch both if this was intentional. @1:57"});
  EXPECT_EQ(rule_errors(rule, "{ someBox { ... on IntBox { box: listStringBox { scalar } } ... on StringBox { box: stringBox { scalar } } } }", boxes),
            Errors{"Fields \"box\" conflict because they return conflicting types \"[StringBox]\" and \"StringBox\". Use "
                   "different aliases on the fields to fetch both if this was intentional. @1:80"});
}

TEST(GraphQLRules, FieldsArgumentsAndDirectives) {
  EXPECT_EQ(rule_errors("FieldsOnCorrectType", "{ dog { meowVolume } }"),
            Errors{"Cannot query field \"meowVolume\" on type \"Dog\". Did you mean \"barkVolume\"? @1:9"});
  EXPECT_EQ(rule_errors("FieldsOnCorrectType", "{ pet { nickname } }"),
            Errors{"Cannot query field \"nickname\" on type \"Pet\". Did you mean to use an inline fragment on \"Cat\" "
                   "or \"Dog\"? @1:9"});
  EXPECT_EQ(rule_errors("KnownArgumentNames", "{ dog { doesKnowCommand(dogcommand: SIT) } }"),
            Errors{"Unknown argument \"dogcommand\" on field \"Dog.doesKnowCommand\". Did you mean \"dogCommand\"? @1:9"});
  EXPECT_EQ(rule_errors("KnownArgumentNames", "{ dog { name @skip(iff: true) } }"),
            Errors{"Unknown argument \"iff\" on directive \"@skip\". Did you mean \"if\"? @1:15"});
  EXPECT_EQ(rule_errors("ProvidedRequiredArguments", "{ complicatedArgs { multipleReqs(req2: 2) } }"),
            Errors{"Field \"multipleReqs\" argument \"req1\" of type \"Int!\" is required, but it was not provided. @1:21"});
  EXPECT_EQ(rule_errors("ProvidedRequiredArguments", "{ dog @include { name } }"),
            Errors{"Directive \"@include\" argument \"if\" of type \"Boolean!\" is required, but it was not provided. @1:8"});
  EXPECT_EQ(rule_errors("KnownDirectives", "{ dog @unknown { name @onField } } query Q @onField { dog { name } }"),
            (Errors{"Unknown directive \"@unknown\". @1:8", "Directive \"@onField\" may not be used on QUERY. @1:45"}));
  EXPECT_EQ(rule_errors("UniqueDirectivesPerLocation", "{ dog { name @onField @onField } }"),
            Errors{"The directive \"@onField\" can only be used once at this location. @1:24"});
  EXPECT_EQ(rule_errors("UniqueArgumentNames", "{ dog { isAtLocation(x: 1, x: 2) } }"),
            Errors{"There can be only one argument named \"x\". @1:28"});
  EXPECT_EQ(rule_errors("ScalarLeafs", "{ dog { barks { a } } human }"),
            (Errors{"Field \"barks\" must not have a selection since type \"Boolean\" has no subfields. @1:9",
                    "Field \"human\" of type \"Human\" must have a selection of subfields. Did you mean \"human { ... }\"? @1:23"}));
}

TEST(GraphQLRules, FragmentsAndVariables) {
  EXPECT_EQ(rule_errors("NoFragmentCycles", "{ dog { ...A } } fragment A on Dog { ...B } fragment B on Dog { ...A }"),
            Errors{"Cannot spread fragment \"A\" within itself via \"B\". @1:68"});
  EXPECT_EQ(rule_errors("NoFragmentCycles", "fragment A on Dog { ...A }"),
            Errors{"Cannot spread fragment \"A\" within itself. @1:24"});
  EXPECT_EQ(rule_errors("NoUnusedFragments", "{ dog { name } } fragment A on Dog { name }"),
            Errors{"Fragment \"A\" is never used. @1:18"});
  EXPECT_EQ(rule_errors("KnownFragmentNames", "{ dog { ...Nope } }"), Errors{"Unknown fragment \"Nope\". @1:12"});
  EXPECT_EQ(rule_errors("PossibleFragmentSpreads", "{ dog { ... on Cat { meows } } }"),
            Errors{"Fragment cannot be spread here as objects of type \"Dog\" can never be of type \"Cat\". @1:13"});
  EXPECT_EQ(rule_errors("FragmentsOnCompositeTypes", "fragment s on Boolean { name } { dog { ... on Boolean { x } } }"),
            (Errors{"Fragment cannot condition on non composite type \"Boolean\". @1:44",
                    "Fragment \"s\" cannot condition on non composite type \"Boolean\". @1:1"}));
  EXPECT_EQ(rule_errors("KnownTypeNames", "query Q($a: Strin) { dog { ... on Doge { name } } }"),
            (Errors{"Unknown type \"Strin\". @1:9", "Unknown type \"Doge\". @1:32"}));
  EXPECT_EQ(rule_errors("NoUndefinedVariables", "query Q { complicatedArgs { intArgField(intArg: $x) } }"),
            Errors{"Variable \"$x\" is not defined by operation \"Q\". @1:49"});
  EXPECT_EQ(rule_errors("NoUnusedVariables", "query ($a: Int, $b: Int) { complicatedArgs { intArgField(intArg: $a) } }"),
            Errors{"Variable \"$b\" is never used. @1:17"});
  EXPECT_EQ(rule_errors("VariablesInAllowedPosition",
                        "query Q($i: Int) { complicatedArgs { nonNullIntArgField(nonNullIntArg: $i) } }"),
            Errors{"Variable \"$i\" of type \"Int\" used in position expecting type \"Int!\". @1:72"});
  EXPECT_EQ(rule_errors("VariablesInAllowedPosition",
                        "query Q($i: Int = 1) { complicatedArgs { nonNullIntArgField(nonNullIntArg: $i) } }"),
            Errors{});
  EXPECT_EQ(rule_errors("VariablesAreInputTypes", "query Q($d: Dog) { dog { name } }"),
            Errors{"Variable \"$d\" cannot be non-input type \"Dog\". @1:9"});
  EXPECT_EQ(rule_errors("UniqueVariableNames", "query Q($a: Int, $a: Int) { dog { name } }"),
            Errors{"There can be only one variable named \"$a\". @1:18"});
  EXPECT_EQ(rule_errors("LoneAnonymousOperation", "{ dog { name } } query Q { dog { name } }"),
            Errors{"This anonymous operation must be the only defined operation. @1:1"});
  EXPECT_EQ(rule_errors("UniqueOperationNames", "query Q { dog { name } } query Q { cat { name } }"),
            Errors{"There can be only one operation named \"Q\". @1:26"});
  EXPECT_EQ(rule_errors("UniqueFragmentNames", "{ dog { ...A } } fragment A on Dog { name } fragment A on Dog { name }"),
            Errors{"There can be only one fragment named \"A\". @1:45"});
  EXPECT_EQ(rule_errors("UniqueInputFieldNames", "{ complicatedArgs { complexArgField(complexArg: { requiredField: true, requiredField: false }) } }"),
            Errors{"There can be only one input field named \"requiredField\". @1:72"});
}

TEST(GraphQLRules, Subscriptions) {
  const char* schema = "schema { query: Q subscription: S } type Q { d: String } type S { a: String b: String }";
  EXPECT_EQ(rule_errors("SingleFieldSubscriptions", "subscription Sub { a b __typename }", schema),
            (Errors{"Subscription \"Sub\" must select only one top level field. @1:22",
                    "Subscription \"Sub\" must not select an introspection top level field. @1:24"}));
  EXPECT_EQ(rule_errors("KnownRootType", "mutation { a }", schema),
            Errors{"Schema does not support operation type \"mutation\" @1:1"});
}

}  // namespace
}  // namespace rego
