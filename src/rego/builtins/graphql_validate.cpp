// Query validation, a port of gqlparser's validator: the walker (validator/walk.go) annotates the document with
// schema definitions and fires events; the rules (validator/rules/*.go) observe them. gqlparser registers its
// rules in file-name order and calls observers in registration order, so each event handler below calls its
// rules in that order: the error list comes out in gqlparser's order, which OPA's messages depend on.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <tuple>

#include "rego/builtins/graphql_validate.h"
#include "rego/builtins/strutil.h"

namespace rego::gql {

// ---------------------------------------------------------------- suggestions and lists

namespace {

std::vector<uint32_t> runes(std::string_view s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t w = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (i + w > s.size()) w = 1;
    uint32_t r = 0;
    for (size_t k = 0; k < w; ++k) r = (r << 8) | static_cast<unsigned char>(s[i + k]);
    out.push_back(r);
    i += w;
  }
  return out;
}

size_t levenshtein(std::string_view a, std::string_view b) {
  auto x = runes(a);
  auto y = runes(b);
  std::vector<size_t> row(y.size() + 1);
  for (size_t j = 0; j <= y.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= x.size(); ++i) {
    size_t prev = row[0];
    row[0] = i;
    for (size_t j = 1; j <= y.size(); ++j) {
      size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (x[i - 1] == y[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return row[y.size()];
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::vector<std::string> suggestion_list(std::string_view input, const std::vector<std::string>& options) {
  std::vector<std::pair<size_t, std::string>> found;
  for (const auto& option : options) {
    size_t distance;
    if (input == option) {
      distance = 0;
    } else {
      std::string a = lower(input);
      std::string b = lower(option);
      distance = a == b ? 1 : levenshtein(a, b);
    }
    size_t threshold = std::max<size_t>(1, std::max(input.size(), option.size()) / 2);
    if (distance <= threshold) found.emplace_back(distance, option);
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& l, const auto& r) { return l.first < r.first; });
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

std::string or_list(const std::vector<std::string>& all) {
  std::vector<std::string> items(all.begin(), all.begin() + std::min<size_t>(all.size(), 5));
  if (items.size() == 2) return items[0] + " or " + items[1];
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out += i == items.size() - 1 ? ", or " : ", ";
    out += items[i];
  }
  return out;
}

std::string quoted_or_list(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const auto& item : items) quoted.push_back("\"" + item + "\"");
  return or_list(quoted);
}

namespace {

// " Did you mean "a" or "b"?" (nothing when there is no suggestion).
std::string suggest_quoted(const std::string& prefix, std::string_view typed, const std::vector<std::string>& options) {
  auto s = suggestion_list(typed, options);
  return s.empty() ? "" : " " + prefix + " " + quoted_or_list(s) + "?";
}

std::string suggest_unquoted(const std::string& prefix, std::string_view typed, const std::vector<std::string>& options) {
  auto s = suggestion_list(typed, options);
  return s.empty() ? "" : " " + prefix + " " + or_list(s) + "?";
}

std::string q(const std::string& s) { return "\"" + s + "\""; }

// strconv.ParseInt(s, 10, bits): 0 ok, 1 syntax error, 2 range error.
int parse_int_status(const std::string& s, int bits) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  if (i >= s.size()) return 1;
  unsigned __int128 v = 0;
  bool overflow = false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return 1;
    if (!overflow) {
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
      if (v > (static_cast<unsigned __int128>(1) << 64)) overflow = true;
    }
  }
  unsigned __int128 limit = static_cast<unsigned __int128>(1) << (bits - 1);
  if (overflow || (neg ? v > limit : v >= limit)) return 2;
  return 0;
}

// strconv.ParseFloat(s, 64) fails: malformed, or too large for a double.
bool float_fails(const std::string& s) {
  static const auto well_formed = [](const std::string& t) {
    size_t i = 0;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    size_t digits = 0;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++digits;
    if (i < t.size() && t[i] == '.') {
      ++i;
      while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++digits;
    }
    if (digits == 0) return false;
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
      ++i;
      if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
      size_t exp = 0;
      while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++exp;
      if (exp == 0) return false;
    }
    return i == t.size();
  };
  if (!well_formed(s)) return true;
  errno = 0;
  double d = std::strtod(s.c_str(), nullptr);
  return std::isinf(d);
}

// Whether gqlparser's Value.Value(nil) fails for this value (ValuesOfCorrectType reports that as a type error).
bool value_fails(const Value& v, int& depth) {
  Enter guard(depth);
  switch (v.kind) {
    case ValueKind::Int: return parse_int_status(v.raw, 64) != 0;
    case ValueKind::Float: return float_fails(v.raw);
    case ValueKind::Boolean: {
      static const char* const ok[] = {"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"};
      return std::none_of(std::begin(ok), std::end(ok), [&](const char* b) { return v.raw == b; });
    }
    case ValueKind::Variable:
      if (v.variable_definition && v.variable_definition->default_value) {
        return value_fails(*v.variable_definition->default_value, depth);
      }
      return false;
    case ValueKind::List:
    case ValueKind::Object:
      for (const auto& c : v.children) {
        if (c.value && value_fails(*c.value, depth)) return true;
      }
      return false;
    default: return false;
  }
}

bool one_of(const Definition& d, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return d.name == n; });
}

const FieldDefinition& typename_field() {
  static const FieldDefinition def = [] {
    FieldDefinition f;
    f.name = "__typename";
    f.type = Box<Type>(Type{"String", {}, false, {}});
    return f;
  }();
  return def;
}

// Type.IsCompatible against `other` with its top-level NonNull replaced.
bool compatible_with(const Type& t, const Type& other, bool other_non_null) {
  if (t.named != other.named) return false;
  if (t.elem && !other.elem) return false;
  if (t.elem && !t.elem->compatible(*other.elem)) return false;
  return other_non_null ? t.non_null : true;
}

// ---------------------------------------------------------------- the walker and the rules

class Validator {
 public:
  Validator(const Schema& schema, QueryDocument& doc) : schema_(schema), doc_(doc), overlap_(schema, depth_) {}

  std::vector<Error> run() {
    try {
      for (auto& op : doc_.operations) {
        validated_spreads_.clear();
        walk_operation(op);
      }
      for (auto& f : doc_.fragments) {
        validated_spreads_.clear();
        walk_fragment(f);
      }
    } catch (const TooDeep&) {
      rule_ = "";
      add("The GraphQL document is nested too deeply.", Pos{});
    }
    return std::move(errors_);
  }

 private:
  void add(std::string message, const Pos& pos) {
    errors_.push_back(Error{std::move(message), pos.set, pos.line, pos.col, rule_});
  }
  FragmentDefinition* fragment(const std::string& name) {
    for (auto& f : doc_.fragments) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }

  // ---- walk.go

  void walk_operation(OperationDefinition& op) {
    op_ = &op;
    for (auto& v : op.variable_definitions) {
      v.definition = schema_.type(v.type->name());
      on_variable(v);
      if (v.default_value) {
        v.default_value->expected_type = v.type.get();
        v.default_value->definition = schema_.type(v.type->name());
      }
    }
    const Definition* def = nullptr;
    std::string loc;
    if (op.operation == "query" || op.operation.empty()) {
      def = schema_.query;
      loc = "QUERY";
    } else if (op.operation == "mutation") {
      def = schema_.mutation;
      loc = "MUTATION";
    } else if (op.operation == "subscription") {
      def = schema_.subscription;
      loc = "SUBSCRIPTION";
    }
    for (auto& v : op.variable_definitions) {
      if (v.default_value) walk_value(*v.default_value);
      walk_directives(v.definition, v.directives, "VARIABLE_DEFINITION");
    }
    walk_directives(def, op.directives, loc);
    walk_selection_set(def, op.selection_set);
    on_operation(op);
    op_ = nullptr;
  }

  void walk_fragment(FragmentDefinition& f) {
    const Definition* def = schema_.type(f.type_condition);
    f.definition = def;
    walk_directives(def, f.directives, "FRAGMENT_DEFINITION");
    walk_selection_set(def, f.selection_set);
    on_fragment(f);
  }

  void walk_directives(const Definition* parent, std::vector<Directive>& dirs, const std::string& location) {
    for (auto& dir : dirs) {
      auto it = schema_.directives.find(dir.name);
      const DirectiveDefinition* def = it == schema_.directives.end() ? nullptr : it->second;
      dir.definition = def;
      dir.parent_definition = parent;
      dir.location = location;
      for (auto& arg : dir.arguments) walk_argument(def ? def->argument(arg.name) : nullptr, arg);
      on_directive(dir);
    }
    on_directive_list(dirs);
  }

  void walk_value(Value& v) {
    Enter guard(depth_);
    if (v.kind == ValueKind::Variable && op_) {
      v.variable_definition = nullptr;
      for (auto& d : op_->variable_definitions) {
        if (d.variable == v.raw) {
          v.variable_definition = &d;
          d.used = true;
          break;
        }
      }
    }
    if (v.kind == ValueKind::Object) {
      for (auto& child : v.children) {
        if (v.definition) {
          if (const FieldDefinition* fd = v.definition->field(child.name)) {
            child.value->expected_type = fd->type.get();
            child.value->definition = schema_.type(fd->type->name());
          }
        }
        walk_value(*child.value);
      }
    }
    if (v.kind == ValueKind::List) {
      for (auto& child : v.children) {
        if (v.expected_type && v.expected_type->elem) {
          child.value->expected_type = v.expected_type->elem.get();
          child.value->definition = v.definition;
        }
        walk_value(*child.value);
      }
    }
    on_value(v);
  }

  void walk_argument(const ArgumentDefinition* def, Argument& arg) {
    if (def) {
      arg.value->expected_type = def->type.get();
      arg.value->definition = schema_.type(def->type->name());
    }
    walk_value(*arg.value);
  }

  void walk_selection_set(const Definition* parent, std::vector<Selection>& set) {
    for (auto& s : set) walk_selection(parent, s);
  }

  void walk_selection(const Definition* parent, Selection& s) {
    Enter guard(depth_);
    switch (s.kind) {
      case SelectionKind::Field: {
        const FieldDefinition* def = nullptr;
        if (s.name == "__typename") {
          def = &typename_field();
        } else if (parent) {
          def = parent->field(s.name);
        }
        s.definition = def;
        s.object_definition = parent;
        const Definition* next = def ? schema_.type(def->type->name()) : nullptr;
        for (auto& arg : s.arguments) walk_argument(def ? def->argument(arg.name) : nullptr, arg);
        walk_directives(next, s.directives, "FIELD");
        walk_selection_set(next, s.selection_set);
        on_field(s);
        break;
      }
      case SelectionKind::InlineFragment: {
        s.object_definition = parent;
        const Definition* next = s.type_condition.empty() ? parent : schema_.type(s.type_condition);
        walk_directives(next, s.directives, "INLINE_FRAGMENT");
        walk_selection_set(next, s.selection_set);
        on_inline_fragment(s);
        break;
      }
      case SelectionKind::FragmentSpread: {
        FragmentDefinition* def = fragment(s.name);
        s.fragment = def;
        s.object_definition = parent;
        const Definition* next = def ? schema_.type(def->type_condition) : nullptr;
        walk_directives(next, s.directives, "FRAGMENT_SPREAD");
        if (def && validated_spreads_.insert(def->name).second) walk_selection_set(next, def->selection_set);
        on_fragment_spread(s);
        break;
      }
    }
  }

  // ---- events, each calling its observers in gqlparser's rule order

  void on_operation(const OperationDefinition& op) {
    rule_ = "KnownRootType";
    const Definition* root = nullptr;
    bool known = true;
    if (op.operation == "query" || op.operation.empty()) root = schema_.query;
    else if (op.operation == "mutation") root = schema_.mutation;
    else if (op.operation == "subscription") root = schema_.subscription;
    else known = false;
    if (!known) {
      add("got unknown operation type " + q(op.operation), op.pos);
    } else if (!root) {
      add("Schema does not support operation type " + q(op.operation), op.pos);
    }
    rule_ = "LoneAnonymousOperation";
    if (op.name.empty() && doc_.operations.size() > 1) {
      add("This anonymous operation must be the only defined operation.", op.pos);
    }
    rule_ = "NoUnusedVariables";
    for (const auto& v : op.variable_definitions) {
      if (v.used) continue;
      if (!op.name.empty()) {
        add("Variable \"$" + v.variable + "\" is never used in operation " + q(op.name) + ".", v.pos);
      } else {
        add("Variable \"$" + v.variable + "\" is never used.", v.pos);
      }
    }
    rule_ = "OverlappingFieldsCanBeMerged";
    overlaps(op.selection_set);
    rule_ = "SingleFieldSubscriptions";
    if (schema_.subscription && op.operation == "subscription") single_field_subscription(op);
    rule_ = "UniqueOperationNames";
    if (!seen_operations_.insert(op.name).second) add("There can be only one operation named " + q(op.name) + ".", op.pos);
    rule_ = "UniqueVariableNames";
    std::map<std::string, int> seen;
    for (const auto& v : op.variable_definitions) {
      if (seen[v.variable]++ == 1) add("There can be only one variable named \"$" + v.variable + "\".", v.pos);
    }
    rule_ = "VariablesAreInputTypes";
    for (const auto& v : op.variable_definitions) {
      if (v.definition && !v.definition->is_input()) {
        add("Variable \"$" + v.variable + "\" cannot be non-input type " + q(v.type->str()) + ".", v.pos);
      }
    }
  }

  void on_field(const Selection& f) {
    rule_ = "FieldsOnCorrectType";
    if (f.object_definition && !f.definition) {
      std::string message = "Cannot query field " + q(f.name) + " on type " + q(f.object_definition->name) + ".";
      auto types = suggested_type_names(*f.object_definition, f.name);
      if (!types.empty()) {
        message += " Did you mean to use an inline fragment on " + quoted_or_list(types) + "?";
      } else if (f.object_definition->kind == "OBJECT" || f.object_definition->kind == "INTERFACE") {
        std::vector<std::string> names;
        for (const auto& fd : f.object_definition->fields) names.push_back(fd.name);
        auto fields = suggestion_list(f.name, names);
        if (!fields.empty()) message += " Did you mean " + quoted_or_list(fields) + "?";
      }
      add(message, f.pos);
    }
    rule_ = "KnownArgumentNames";
    if (f.definition && f.object_definition) {
      for (const auto& arg : f.arguments) {
        if (f.definition->argument(arg.name)) continue;
        std::vector<std::string> names;
        for (const auto& a : f.definition->arguments) names.push_back(a.name);
        add("Unknown argument " + q(arg.name) + " on field \"" + f.object_definition->name + "." + f.name + "\"." +
                suggest_quoted("Did you mean", arg.name, names),
            f.pos);
      }
    }
    rule_ = "OverlappingFieldsCanBeMerged";  // (in operations only: fragments are checked on their own)
    if (op_) overlaps(f.selection_set);
    rule_ = "ProvidedRequiredArguments";
    if (f.definition) {
      for (const auto& def : f.definition->arguments) {
        if (!def.type->non_null || def.default_value) continue;
        bool given = std::any_of(f.arguments.begin(), f.arguments.end(), [&](const Argument& a) { return a.name == def.name; });
        if (!given) {
          add("Field " + q(f.name) + " argument " + q(def.name) + " of type " + q(def.type->str()) +
                  " is required, but it was not provided.",
              f.pos);
        }
      }
    }
    rule_ = "ScalarLeafs";
    if (f.definition) {
      if (const Definition* type = schema_.type(f.definition->type->name())) {
        if (type->is_leaf() && !f.selection_set.empty()) {
          add("Field " + q(f.name) + " must not have a selection since type " + q(type->name) + " has no subfields.",
              f.pos);
        }
        if (!type->is_leaf() && f.selection_set.empty()) {
          add("Field " + q(f.name) + " of type " + q(f.definition->type->str()) +
                  " must have a selection of subfields. Did you mean \"" + f.name + " { ... }\"?",
              f.pos);
        }
      }
    }
    rule_ = "UniqueArgumentNames";
    unique_arguments(f.arguments);
  }

  void on_fragment(const FragmentDefinition& f) {
    rule_ = "FragmentsOnCompositeTypes";
    if (f.definition && !f.type_condition.empty() && !f.definition->is_composite()) {
      add("Fragment " + q(f.name) + " cannot condition on non composite type " + q(f.type_condition) + ".", f.pos);
    }
    rule_ = "KnownTypeNames";
    if (!schema_.type(f.type_condition)) {
      std::vector<std::string> names;
      for (const auto& [name, def] : schema_.types) names.push_back(name);
      add("Unknown type " + q(f.type_condition) + "." + suggest_quoted("Did you mean", f.type_condition, names), f.pos);
    }
    rule_ = "NoFragmentCycles";
    fragment_cycles(f);
    rule_ = "NoUnusedFragments";
    in_fragment_definition_ = true;
    if (!fragment_names_used_.count(f.name)) add("Fragment " + q(f.name) + " is never used.", f.pos);
    rule_ = "OverlappingFieldsCanBeMerged";
    overlaps(f.selection_set);
    rule_ = "UniqueFragmentNames";
    if (!seen_fragments_.insert(f.name).second) add("There can be only one fragment named " + q(f.name) + ".", f.pos);
  }

  void on_inline_fragment(const Selection& s) {
    rule_ = "FragmentsOnCompositeTypes";
    if (const Definition* t = schema_.type(s.type_condition); t && !t->is_composite()) {
      add("Fragment cannot condition on non composite type " + q(s.type_condition) + ".", s.pos);
    }
    rule_ = "KnownTypeNames";
    if (!s.type_condition.empty() && !schema_.type(s.type_condition)) {
      add("Unknown type " + q(s.type_condition) + ".", s.pos);
    }
    rule_ = "OverlappingFieldsCanBeMerged";
    overlaps(s.selection_set);
    rule_ = "PossibleFragmentSpreads";
    if (!possible_spread(s.object_definition, s.type_condition)) {
      add("Fragment cannot be spread here as objects of type " + q(s.object_definition->name) +
              " can never be of type " + q(s.type_condition) + ".",
          s.pos);
    }
  }

  void on_fragment_spread(const Selection& s) {
    rule_ = "KnownFragmentNames";
    if (!s.fragment) add("Unknown fragment " + q(s.name) + ".", s.pos);
    rule_ = "NoUnusedFragments";
    if (!in_fragment_definition_) fragment_names_used_.insert(s.name);
    rule_ = "PossibleFragmentSpreads";
    if (s.fragment && !possible_spread(s.object_definition, s.fragment->type_condition)) {
      add("Fragment " + q(s.name) + " cannot be spread here as objects of type " + q(s.object_definition->name) +
              " can never be of type " + q(s.fragment->type_condition) + ".",
          s.pos);
    }
  }

  void on_directive(const Directive& d) {
    rule_ = "KnownArgumentNames";
    if (d.definition) {
      for (const auto& arg : d.arguments) {
        if (d.definition->argument(arg.name)) continue;
        std::vector<std::string> names;
        for (const auto& a : d.definition->arguments) names.push_back(a.name);
        add("Unknown argument " + q(arg.name) + " on directive \"@" + d.name + "\"." +
                suggest_quoted("Did you mean", arg.name, names),
            d.pos);
      }
    }
    rule_ = "KnownDirectives";
    if (!d.definition) {
      add("Unknown directive \"@" + d.name + "\".", d.pos);
    } else if (std::find(d.definition->locations.begin(), d.definition->locations.end(), d.location) ==
               d.definition->locations.end()) {
      if (misplaced_directives_.insert({d.name, d.pos.line, d.pos.col}).second) {
        add("Directive \"@" + d.name + "\" may not be used on " + d.location + ".", d.pos);
      }
    }
    rule_ = "ProvidedRequiredArguments";
    if (d.definition) {
      for (const auto& def : d.definition->arguments) {
        if (!def.type->non_null || def.default_value) continue;
        bool given = std::any_of(d.arguments.begin(), d.arguments.end(), [&](const Argument& a) { return a.name == def.name; });
        if (!given) {
          add("Directive \"@" + d.definition->name + "\" argument " + q(def.name) + " of type " + q(def.type->str()) +
                  " is required, but it was not provided.",
              d.pos);
        }
      }
    }
    rule_ = "UniqueArgumentNames";
    unique_arguments(d.arguments);
  }

  void on_directive_list(const std::vector<Directive>& dirs) {
    rule_ = "UniqueDirectivesPerLocation";
    std::set<std::string> seen;
    for (const auto& d : dirs) {
      if (d.name != "repeatable" && seen.count(d.name)) {
        add("The directive \"@" + d.name + "\" can only be used once at this location.", d.pos);
      }
      seen.insert(d.name);
    }
  }

  void on_value(const Value& v) {
    rule_ = "NoUndefinedVariables";
    if (op_ && v.kind == ValueKind::Variable && !v.variable_definition) {
      if (!op_->name.empty()) {
        add("Variable " + q(v.str()) + " is not defined by operation " + q(op_->name) + ".", v.pos);
      } else {
        add("Variable " + q(v.str()) + " is not defined.", v.pos);
      }
    }
    rule_ = "UniqueInputFieldNames";
    if (v.kind == ValueKind::Object) {
      std::set<std::string> seen;
      for (const auto& c : v.children) {
        if (!seen.insert(c.name).second) add("There can be only one input field named " + q(c.name) + ".", c.pos);
      }
    }
    rule_ = "ValuesOfCorrectType";
    values_of_correct_type(v);
    rule_ = "VariablesInAllowedPosition";
    if (v.kind == ValueKind::Variable && v.expected_type && v.variable_definition && op_) {
      bool non_null = v.expected_type->non_null;
      const Value* def = v.variable_definition->default_value.get();
      if (def && def->kind != ValueKind::Null && non_null) non_null = false;
      if (!compatible_with(*v.variable_definition->type, *v.expected_type, non_null)) {
        add("Variable " + q(v.str()) + " of type " + q(v.variable_definition->type->str()) +
                " used in position expecting type " + q(v.expected_type->str()) + ".",
            v.pos);
      }
    }
  }

  void on_variable(const VariableDefinition& v) {
    rule_ = "KnownTypeNames";
    if (!schema_.type(v.type->name())) add("Unknown type " + q(v.type->name()) + ".", v.pos);
  }

  // ---- rule helpers

  void overlaps(const std::vector<Selection>& set) {
    for (const auto& c : overlap_.within(set)) add(c.error_message(), c.pos);
  }

  void unique_arguments(const std::vector<Argument>& args) {
    std::map<std::string, int> known;
    for (const auto& a : args) {
      if (known[a.name]++ == 1) add("There can be only one argument named " + q(a.name) + ".", a.pos);
    }
  }

  // FieldsOnCorrectType's getSuggestedTypeNames.
  std::vector<std::string> suggested_type_names(const Definition& parent, const std::string& name) {
    if (!parent.is_abstract()) return {};
    std::vector<std::string> objects, interfaces;
    std::map<std::string, int> usage;
    for (const Definition* possible : schema_.possible(parent.name)) {
      if (!possible->field(name)) continue;
      objects.push_back(possible->name);
      for (const auto& iface : possible->interfaces) {
        const Definition* idef = schema_.type(iface);
        if (idef && idef->field(name)) {
          if (usage[iface]++ == 0) interfaces.push_back(iface);
        }
      }
    }
    std::vector<std::string> all = interfaces;
    all.insert(all.end(), objects.begin(), objects.end());
    std::stable_sort(all.begin(), all.end(), [&](const std::string& a, const std::string& b) {
      int ua = usage.count(a) ? usage[a] : 0;
      int ub = usage.count(b) ? usage[b] : 0;
      if (ua != ub) return ua > ub;
      return a < b;
    });
    return all;
  }

  // PossibleFragmentSpreads' validate: false when the spread can never apply.
  bool possible_spread(const Definition* parent, const std::string& fragment_type) {
    if (!parent) return true;
    std::vector<const Definition*> parents;
    if (parent->kind == "OBJECT") {
      parents.push_back(parent);
    } else if (parent->kind == "INTERFACE" || parent->kind == "UNION") {
      parents = schema_.possible(parent->name);
    } else {
      return true;
    }
    const Definition* frag = schema_.type(fragment_type);
    if (!frag || !frag->is_composite()) return true;
    for (const Definition* f : schema_.possible(frag->name)) {
      for (const Definition* p : parents) {
        if (p->name == f->name) return true;
      }
    }
    return false;
  }

  // NoFragmentCycles.
  static std::vector<const Selection*> fragment_spreads(const std::vector<Selection>& root) {
    std::vector<const Selection*> spreads;
    std::vector<const std::vector<Selection>*> to_visit{&root};
    while (!to_visit.empty()) {
      const auto* set = to_visit.back();
      to_visit.pop_back();
      for (const auto& s : *set) {
        if (s.kind == SelectionKind::FragmentSpread) spreads.push_back(&s);
        else to_visit.push_back(&s.selection_set);
      }
    }
    return spreads;
  }

  void fragment_cycles(const FragmentDefinition& start) {
    std::vector<const Selection*> path;
    std::map<std::string, size_t> index_by_name;
    auto recurse = [&](const FragmentDefinition& frag, auto&& self) -> void {
      Enter guard(depth_);
      if (!visited_fragments_.insert(frag.name).second) return;
      auto spreads = fragment_spreads(frag.selection_set);
      if (spreads.empty()) return;
      index_by_name[frag.name] = path.size();
      for (const Selection* spread : spreads) {
        auto cycle = index_by_name.find(spread->name);
        path.push_back(spread);
        if (cycle == index_by_name.end()) {
          if (const FragmentDefinition* next = doc_.fragment(spread->name)) self(*next, self);
        } else {
          std::string via;
          for (size_t i = cycle->second; i + 1 < path.size(); ++i) via += (via.empty() ? "" : ", ") + q(path[i]->name);
          if (!via.empty()) via = " via " + via;
          add("Cannot spread fragment " + q(spread->name) + " within itself" + via + ".", spread->pos);
        }
        path.pop_back();
      }
      index_by_name.erase(frag.name);
    };
    recurse(start, recurse);
  }

  // SingleFieldSubscriptions.
  void single_field_subscription(const OperationDefinition& op) {
    std::vector<std::pair<std::string, Pos>> fields;
    std::set<std::string> in_fragment;
    auto walk = [&](const std::vector<Selection>& set, auto&& self) -> void {
      Enter guard(depth_);
      for (const auto& s : set) {
        if (s.kind == SelectionKind::Field) {
          fields.emplace_back(s.name, s.pos);
        } else if (s.kind == SelectionKind::InlineFragment) {
          self(s.selection_set, self);
        } else {
          if (!s.fragment) return;
          if (in_fragment.insert(s.fragment->name).second) self(s.fragment->selection_set, self);
        }
      }
    };
    walk(op.selection_set, walk);
    std::set<std::string> seen;
    std::vector<std::pair<std::string, Pos>> unique;
    for (auto& f : fields) {
      if (seen.insert(f.first).second) unique.push_back(f);
    }
    std::string name = op.name.empty() ? "Anonymous Subscription" : "Subscription " + text::quote(op.name);
    if (unique.size() > 1) add(name + " must select only one top level field.", unique[1].second);
    for (const auto& f : unique) {
      if (f.first.rfind("__", 0) == 0) add(name + " must not select an introspection top level field.", f.second);
    }
  }

  // ValuesOfCorrectType.
  std::string unexpected_type_message(const Value& v) {
    const std::string expected = v.expected_type->str();
    if (expected == "Int" || expected == "Int!") {
      if (parse_int_status(v.raw, 32) == 2) return "Int cannot represent non 32-bit signed integer value: " + v.str();
      return "Int cannot represent non-integer value: " + v.str();
    }
    if (expected == "String" || expected == "String!" || expected == "[String]") {
      return "String cannot represent a non string value: " + v.str();
    }
    if (expected == "Boolean" || expected == "Boolean!") return "Boolean cannot represent a non boolean value: " + v.str();
    if (expected == "Float" || expected == "Float!") return "Float cannot represent non numeric value: " + v.str();
    if (expected == "ID" || expected == "ID!") return "ID cannot represent a non-string and non-integer value: " + v.str();
    if (v.definition->kind == "ENUM") return "Enum " + q(expected) + " cannot represent non-enum value: " + v.str() + ".";
    return "Expected value of type " + q(expected) + ", found " + v.str() + ".";
  }

  void values_of_correct_type(const Value& v) {
    if (!v.definition || !v.expected_type) return;
    const Definition& def = *v.definition;
    if (v.kind == ValueKind::Null && v.expected_type->non_null) {
      add("Expected value of type " + q(v.expected_type->str()) + ", found " + v.str() + ".", v.pos);
    }
    if (def.kind == "SCALAR" && !one_of(def, {"Int", "Float", "String", "Boolean", "ID"})) return;
    std::vector<std::string> enums;
    if (def.kind == "ENUM") {
      for (const auto& e : def.enum_values) enums.push_back(e.name);
    }
    if (value_fails(v, depth_)) add(unexpected_type_message(v), v.pos);
    switch (v.kind) {
      case ValueKind::Null:
      case ValueKind::Variable: return;
      case ValueKind::List:
        if (!v.expected_type->elem) add(unexpected_type_message(v), v.pos);
        return;
      case ValueKind::Int:
        if (!one_of(def, {"Int", "Float", "ID"})) add(unexpected_type_message(v), v.pos);
        return;
      case ValueKind::Float:
        if (!one_of(def, {"Float"})) add(unexpected_type_message(v), v.pos);
        return;
      case ValueKind::String:
      case ValueKind::Block:
        if (def.kind == "ENUM") {
          add("Enum " + q(v.expected_type->str()) + " cannot represent non-enum value: " + v.str() + "." +
                  suggest_quoted("Did you mean the enum value", v.raw, enums),
              v.pos);
        } else if (!one_of(def, {"String", "ID"})) {
          add(unexpected_type_message(v), v.pos);
        }
        return;
      case ValueKind::Enum:
        if (def.kind != "ENUM") {
          add(unexpected_type_message(v) + suggest_unquoted("Did you mean the enum value", v.raw, enums), v.pos);
        } else if (std::none_of(def.enum_values.begin(), def.enum_values.end(),
                                [&](const EnumValueDefinition& e) { return e.name == v.raw; })) {
          add("Value " + q(v.str()) + " does not exist in " + q(v.expected_type->str()) + " enum." +
                  suggest_quoted("Did you mean the enum value", v.raw, enums),
              v.pos);
        }
        return;
      case ValueKind::Boolean:
        if (!one_of(def, {"Boolean"})) add(unexpected_type_message(v), v.pos);
        return;
      case ValueKind::Object: {
        for (const auto& field : def.fields) {
          if (field.type->non_null && !v.child(field.name) && !field.default_value) {
            add("Field \"" + def.name + "." + field.name + "\" of required type " + q(field.type->str()) +
                    " was not provided.",
                v.pos);
          }
        }
        for (const auto& c : v.children) {
          if (def.field(c.name)) continue;
          std::vector<std::string> names;
          for (const auto& f : def.fields) names.push_back(f.name);
          add("Field " + q(c.name) + " is not defined by type " + q(def.name) + "." +
                  suggest_quoted("Did you mean", c.name, names),
              c.pos);
        }
        return;
      }
    }
  }

  const Schema& schema_;
  QueryDocument& doc_;
  std::vector<Error> errors_;
  int depth_ = 0;
  OperationDefinition* op_ = nullptr;  // gqlparser's CurrentOperation
  const char* rule_ = "";              // the rule whose observer is running
  std::set<std::string> validated_spreads_;

  // Rule state, per validation (gqlparser builds its rules afresh for every Validate call).
  OverlappingFields overlap_;
  std::set<std::tuple<std::string, int, int>> misplaced_directives_;  // KnownDirectives
  bool in_fragment_definition_ = false;                                // NoUnusedFragments
  std::set<std::string> fragment_names_used_;
  std::set<std::string> visited_fragments_;  // NoFragmentCycles
  std::set<std::string> seen_fragments_;     // UniqueFragmentNames
  std::set<std::string> seen_operations_;    // UniqueOperationNames
};

}  // namespace

std::vector<Error> validate(const Schema& schema, QueryDocument& doc) { return Validator(schema, doc).run(); }

}  // namespace rego::gql
