// Schema building, a port of gqlparser's validator/schema.go (ValidateSchemaDocument) over OPA's input: the
// prelude's built-in types and directives merged with the policy's schema document. Extensions of types that
// do not exist create them (as gqlparser does, for federation schemas). The first problem found is the error.
#include <algorithm>
#include <iterator>

#include "rego/builtins/graphql_ast.h"
#include "rego/builtins/strutil.h"

namespace rego::gql {
namespace {

// gqlparser's validator/prelude.graphql without its descriptions (descriptions play no part in validation and
// OPA never returns the prelude).
constexpr std::string_view kPrelude = R"(
scalar Int
scalar Float
scalar String
scalar Boolean
scalar ID
directive @include(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @skip(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @deprecated(reason: String = "No longer supported") on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE
directive @specifiedBy(url: String!) on SCALAR
type __Schema {
  description: String
  types: [__Type!]!
  queryType: __Type!
  mutationType: __Type
  subscriptionType: __Type
  directives: [__Directive!]!
}
type __Type {
  kind: __TypeKind!
  name: String
  description: String
  fields(includeDeprecated: Boolean = false): [__Field!]
  interfaces: [__Type!]
  possibleTypes: [__Type!]
  enumValues(includeDeprecated: Boolean = false): [__EnumValue!]
  inputFields: [__InputValue!]
  ofType: __Type
  specifiedByURL: String
}
type __Field {
  name: String!
  description: String
  args: [__InputValue!]!
  type: __Type!
  isDeprecated: Boolean!
  deprecationReason: String
}
type __InputValue {
  name: String!
  description: String
  type: __Type!
  defaultValue: String
}
type __EnumValue {
  name: String!
  description: String
  isDeprecated: Boolean!
  deprecationReason: String
}
enum __TypeKind { SCALAR OBJECT INTERFACE UNION ENUM INPUT_OBJECT LIST NON_NULL }
type __Directive {
  name: String!
  description: String
  locations: [__DirectiveLocation!]!
  args: [__InputValue!]!
  isRepeatable: Boolean!
}
enum __DirectiveLocation {
  QUERY MUTATION SUBSCRIPTION FIELD FRAGMENT_DEFINITION FRAGMENT_SPREAD INLINE_FRAGMENT VARIABLE_DEFINITION
  SCHEMA SCALAR OBJECT FIELD_DEFINITION ARGUMENT_DEFINITION INTERFACE UNION ENUM ENUM_VALUE INPUT_OBJECT
  INPUT_FIELD_DEFINITION
}
)";

const SchemaDocument& prelude() {
  static const SchemaDocument doc = parse_schema(kPrelude, true);
  return doc;
}

struct Fail {
  Error error;
};

// gqlerror.ErrorPosf: a position, or -1:-1 when the node has none (decoded AST objects).
[[noreturn]] void fail_at(const Pos& pos, std::string message) {
  throw Fail{Error{std::move(message), true, pos.set ? pos.line : -1, pos.set ? pos.col : -1, {}}};
}


class Builder {
 public:
  explicit Builder(Schema& s) : s_(s) {}

  void build(SchemaDocument doc);

 private:
  Definition* find(const std::string& name) {
    auto it = s_.types.find(name);
    return it == s_.types.end() ? nullptr : it->second;
  }
  void validate_name(const Pos& pos, const std::string& name) {
    if (name.rfind("__", 0) == 0) {
      fail_at(pos, "Name \"" + name + "\" must not begin with \"__\", which is reserved by GraphQL introspection.");
    }
  }
  void validate_type_ref(const Type& t) {
    if (!find(t.name())) fail_at(t.pos, "Undefined type " + t.name() + ".");
  }
  void validate_args(const std::vector<ArgumentDefinition>& args, const DirectiveDefinition* current);
  void validate_directives(const std::vector<Directive>& dirs, const std::string& location,
                           const DirectiveDefinition* current);
  void validate_definition(const Definition& def);
  void validate_implements(const Definition& def, const std::string& intf_name);
  bool covariant(const Type& required, const Type& actual);

  Schema& s_;
};

void Builder::build(SchemaDocument doc) {
  std::vector<Definition*> defs;
  for (auto& def : doc.definitions) {
    if (find(def.name)) fail_at(def.pos, "Cannot redeclare type " + def.name + ".");
    s_.owned_types.push_back(std::move(def));
    Definition* d = &s_.owned_types.back();
    s_.types[d->name] = d;
    defs.push_back(d);
  }

  for (auto& ext : doc.extensions) {
    Definition* def = find(ext.name);
    if (!def) {
      Definition created;
      created.kind = ext.kind;
      created.name = ext.name;
      created.pos = ext.pos;
      s_.owned_types.push_back(std::move(created));
      def = &s_.owned_types.back();
      s_.types[def->name] = def;
      defs.push_back(def);
    }
    if (def->kind != ext.kind) {
      fail_at(ext.pos, "Cannot extend type " + ext.name + " because the base type is a " + def->kind + ", not " +
                           ext.kind + ".");
    }
    auto append = [](auto& to, auto& from) { std::move(from.begin(), from.end(), std::back_inserter(to)); };
    append(def->directives, ext.directives);
    append(def->interfaces, ext.interfaces);
    append(def->fields, ext.fields);
    append(def->types, ext.types);
    append(def->enum_values, ext.enum_values);
  }

  auto add_possible = [&](const std::string& name, const Definition* def) {
    if (def) s_.possible_types[name].push_back(def);
  };
  auto add_implements = [&](const std::string& name, const Definition* iface) {
    if (iface) s_.implements[name].push_back(iface);
  };
  for (const Definition* def : defs) {
    if (def->kind == "UNION") {
      for (const auto& t : def->types) {
        add_possible(def->name, find(t));
        add_implements(t, def);
      }
    } else if (def->kind == "INPUT_OBJECT" || def->kind == "OBJECT") {
      for (const auto& intf : def->interfaces) {
        add_possible(intf, def);
        add_implements(def->name, find(intf));
      }
      add_possible(def->name, def);
    } else if (def->kind == "INTERFACE") {
      for (const auto& intf : def->interfaces) {
        add_possible(intf, def);
        add_implements(def->name, find(intf));
      }
    }
  }

  for (auto& dir : doc.directives) {
    if (s_.directives.count(dir.name)) {
      // Built-in directives may be redeclared (the last declaration is kept); others may not.
      if (dir.name != "include" && dir.name != "skip" && dir.name != "deprecated" && dir.name != "specifiedBy") {
        fail_at(dir.pos, "Cannot redeclare directive " + dir.name + ".");
      }
    }
    s_.owned_directives.push_back(std::move(dir));
    s_.directives[s_.owned_directives.back().name] = &s_.owned_directives.back();
  }

  if (doc.schema.size() > 1) {
    fail_at(doc.schema[1].pos, "Cannot have multiple schema entry points, consider schema extensions instead.");
  }
  auto roots = [&](const SchemaDefinition& sd) {
    for (const auto& entry : sd.operation_types) {
      const Definition* def = find(entry.type);
      if (!def) {
        fail_at(entry.pos, "Schema root " + entry.operation + " refers to a type " + entry.type +
                               " that does not exist.");
      }
      if (entry.operation == "query") s_.query = def;
      else if (entry.operation == "mutation") s_.mutation = def;
      else if (entry.operation == "subscription") s_.subscription = def;
    }
  };
  if (doc.schema.size() == 1) roots(doc.schema[0]);
  for (const auto& ext : doc.schema_extension) roots(ext);

  // validateTypeDefinitions / validateDirectiveDefinitions, in name order.
  for (const auto& [name, def] : s_.types) validate_definition(*def);
  for (const auto& [name, dir] : s_.directives) {
    validate_name(dir->pos, dir->name);
    validate_args(dir->arguments, dir);
  }

  if (doc.schema.empty()) {
    if (!s_.query) s_.query = find("Query");
    if (!s_.mutation) s_.mutation = find("Mutation");
    if (!s_.subscription) s_.subscription = find("Subscription");
  }

  if (s_.query) {
    Definition* query = find(s_.query->name);
    FieldDefinition schema_field;
    schema_field.name = "__schema";
    schema_field.type = Box<Type>(Type{"__Schema", {}, true, {}});
    FieldDefinition type_field;
    type_field.name = "__type";
    type_field.type = Box<Type>(Type{"__Type", {}, false, {}});
    ArgumentDefinition name_arg;
    name_arg.name = "name";
    name_arg.type = Box<Type>(Type{"String", {}, true, {}});
    type_field.arguments.push_back(std::move(name_arg));
    query->fields.push_back(std::move(schema_field));
    query->fields.push_back(std::move(type_field));
  }
}

void Builder::validate_args(const std::vector<ArgumentDefinition>& args, const DirectiveDefinition* current) {
  for (const auto& arg : args) {
    validate_name(arg.pos, arg.name);
    validate_type_ref(*arg.type);
    const Definition* def = find(arg.type->name());
    if (!def->is_input()) {
      fail_at(arg.pos, "cannot use " + arg.type->str() + " as argument " + arg.name + " because " + def->kind +
                           " is not a valid input type");
    }
    validate_directives(arg.directives, "ARGUMENT_DEFINITION", current);
  }
}

void Builder::validate_directives(const std::vector<Directive>& dirs, const std::string& location,
                                  const DirectiveDefinition* current) {
  for (const auto& dir : dirs) {
    validate_name(dir.pos, dir.name);
    if (current && dir.name == current->name) fail_at(dir.pos, "Directive " + current->name + " cannot refer to itself.");
    auto it = s_.directives.find(dir.name);
    if (it == s_.directives.end()) fail_at(dir.pos, "Undefined directive " + dir.name + ".");
    const auto& locs = it->second->locations;
    if (std::find(locs.begin(), locs.end(), location) == locs.end()) {
      fail_at(dir.pos, "Directive " + dir.name + " is not applicable on " + location + ".");
    }
  }
}

void Builder::validate_definition(const Definition& def) {
  for (const auto& field : def.fields) {
    validate_name(field.pos, field.name);
    validate_type_ref(*field.type);
    validate_args(field.arguments, nullptr);
    validate_directives(field.directives, def.kind == "INPUT_OBJECT" ? "INPUT_FIELD_DEFINITION" : "FIELD_DEFINITION",
                        nullptr);
  }
  for (const auto& t : def.types) {
    const Definition* member = find(t);
    if (!member) fail_at(def.pos, "Undefined type " + text::quote(t) + ".");
    if (member->kind != "OBJECT") fail_at(def.pos, def.kind + " type " + text::quote(t) + " must be OBJECT.");
  }
  for (const auto& intf : def.interfaces) validate_implements(def, intf);

  if (def.kind == "OBJECT" || def.kind == "INTERFACE") {
    if (def.fields.empty()) fail_at(def.pos, def.kind + " " + def.name + ": must define one or more fields.");
    for (const auto& field : def.fields) {
      const Definition* typ = find(field.type->name());
      if (typ && typ->kind != "SCALAR" && typ->kind != "OBJECT" && typ->kind != "INTERFACE" && typ->kind != "UNION" &&
          typ->kind != "ENUM") {
        fail_at(field.pos, def.kind + " " + def.name + ": field must be one of SCALAR, OBJECT, INTERFACE, UNION, ENUM.");
      }
    }
  } else if (def.kind == "ENUM") {
    if (def.enum_values.empty()) fail_at(def.pos, def.kind + " " + def.name + ": must define one or more unique enum values.");
    for (const auto& value : def.enum_values) {
      if (value.name == "true" || value.name == "false" || value.name == "null") {
        fail_at(def.pos, def.kind + " " + def.name + ": non-enum value " + value.name + ".");
      }
    }
  } else if (def.kind == "INPUT_OBJECT") {
    if (def.fields.empty()) fail_at(def.pos, def.kind + " " + def.name + ": must define one or more input fields.");
    for (const auto& field : def.fields) {
      const Definition* typ = find(field.type->name());
      if (typ && typ->kind != "SCALAR" && typ->kind != "ENUM" && typ->kind != "INPUT_OBJECT") {
        fail_at(field.pos, typ->kind + " " + field.name + ": field must be one of SCALAR, ENUM, INPUT_OBJECT.");
      }
    }
  }

  for (size_t i = 0; i < def.fields.size(); ++i) {
    for (size_t j = i + 1; j < def.fields.size(); ++j) {
      if (def.fields[i].name == def.fields[j].name) {
        fail_at(def.fields[j].pos, "Field " + def.name + "." + def.fields[j].name + " can only be defined once.");
      }
    }
  }
  if (!def.builtin) validate_name(def.pos, def.name);
  validate_directives(def.directives, def.kind, nullptr);
}

void Builder::validate_implements(const Definition& def, const std::string& intf_name) {
  const Definition* intf = find(intf_name);
  if (!intf) fail_at(def.pos, "Undefined type " + text::quote(intf_name) + ".");
  if (intf->kind != "INTERFACE") fail_at(def.pos, text::quote(intf_name) + " is a non interface type " + intf->kind + ".");
  const std::string prefix = "For " + def.name + " to implement " + intf->name;
  for (const auto& required : intf->fields) {
    const FieldDefinition* found = def.field(required.name);
    if (!found) fail_at(def.pos, prefix + " it must have a field called " + required.name + ".");
    if (!covariant(*required.type, *found->type)) {
      fail_at(found->pos, prefix + " the field " + required.name + " must have type " + required.type->str() + ".");
    }
    for (const auto& req_arg : required.arguments) {
      const ArgumentDefinition* found_arg = found->argument(req_arg.name);
      if (!found_arg) {
        fail_at(found->pos, prefix + " the field " + required.name +
                                " must have the same arguments but it is missing " + req_arg.name + ".");
      }
      if (!req_arg.type->compatible(*found_arg->type)) {
        fail_at(found_arg->pos, prefix + " the field " + required.name + " must have the same arguments but " +
                                    req_arg.name + " has the wrong type.");
      }
    }
    for (const auto& arg : found->arguments) {
      if (!required.argument(arg.name) && arg.type->non_null && !arg.default_value) {
        fail_at(arg.pos, prefix + " any additional arguments on " + found->name +
                             " must be optional or have a default value but " + arg.name + " is required.");
      }
    }
  }
  // validateTypeImplementsAncestors
  for (const auto& transitive : intf->interfaces) {
    if (std::find(def.interfaces.begin(), def.interfaces.end(), transitive) == def.interfaces.end()) {
      if (transitive == def.name) {
        fail_at(def.pos, "Type " + def.name + " cannot implement " + intf_name +
                             " because it would create a circular reference.");
      }
      fail_at(def.pos, "Type " + def.name + " must implement " + transitive + " because it is implemented by " +
                           intf_name + ".");
    }
  }
}

bool Builder::covariant(const Type& required, const Type& actual) {
  const Type* req = &required;
  const Type* act = &actual;
  for (;;) {
    if (req->non_null && !act->non_null) return false;
    if (!req->named.empty()) {
      if (req->named == act->named) return true;
      for (const Definition* pt : s_.possible(req->named)) {
        if (pt->name == act->named) return true;
      }
      return false;
    }
    if (req->elem && !act->elem) return false;
    if (!req->elem) return false;
    req = req->elem.get();
    act = act->elem.get();
  }
}

}  // namespace

std::shared_ptr<const Schema> build_schema(SchemaDocument doc, Error* err) {
  SchemaDocument merged = prelude();  // a copy; the built schema owns everything it points at
  auto move_all = [](auto& to, auto& from) { std::move(from.begin(), from.end(), std::back_inserter(to)); };
  move_all(merged.schema, doc.schema);
  move_all(merged.schema_extension, doc.schema_extension);
  move_all(merged.directives, doc.directives);
  move_all(merged.definitions, doc.definitions);
  move_all(merged.extensions, doc.extensions);
  auto schema = std::make_shared<Schema>();
  try {
    Builder(*schema).build(std::move(merged));
  } catch (const Fail& f) {
    if (err) *err = f.error;
    return nullptr;
  }
  return schema;
}

}  // namespace rego::gql
