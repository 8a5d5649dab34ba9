// The built-in table and the argument helpers every built-in body uses.
//
// The helpers word their errors exactly as OPA's topdown/builtins package does (NewOperandTypeErr,
// IntOperand, ...), because policies and tests match on those messages.
#include "rego/builtins/registry.h"

#include <algorithm>
#include <stdexcept>

#include "rego/number.h"

namespace rego {

bool net_host_allowed(const std::vector<std::string>* allow_net, std::string_view host) {
  return !allow_net || std::find(allow_net->begin(), allow_net->end(), host) != allow_net->end();
}

void Registry::add(std::string name, int arity, BuiltinFn fn, bool nondeterministic) {
  Builtin b;
  b.name = name;
  std::string key = name;
  b.arity = arity;
  b.fn = fn;
  b.nondeterministic = nondeterministic;
  // Two namespaces claiming one name is a wiring mistake; fail loudly at start-up, never pick one silently.
  if (!table_.emplace(std::move(key), std::move(b)).second) {
    throw std::logic_error("built-in registered twice: " + name);
  }
}

void Registry::add_relation(std::string name, int arity, BuiltinFn fn) {
  add(name, arity, fn);
  table_.at(name).relation = true;
}

void Registry::add_network(std::string name, int arity, BuiltinFn fn) {
  add(name, arity, fn, /*nondeterministic=*/true);
  table_.at(name).waits_on_network = true;
}

const Builtin* Registry::find(std::string_view name) const {
  auto it = table_.find(std::string(name));
  return it == table_.end() ? nullptr : &it->second;
}

namespace args {

// `index` is 0-based like every other helper here (the argument's position in BuiltinArgs); OPA's messages
// count operands from 1.
void type_error(size_t index, const char* want, const Value& got) {
  throw BuiltinError{"operand " + std::to_string(index + 1) + " must be " + want + " but got " + got.type_name(),
                     true};
}

static const Value& at(BuiltinArgs a, size_t i) {
  // The evaluator checks arity before calling; reaching past the end is a bug in a built-in's body.
  if (i >= a.size()) throw BuiltinError{"operand " + std::to_string(i + 1) + " missing", true};
  return a[i];
}

const std::string& string(BuiltinArgs a, size_t i) {
  const Value& v = at(a, i);
  if (!v.is_string()) type_error(i, "string", v);
  return v.as_string();
}

const Value& number(BuiltinArgs a, size_t i) {
  const Value& v = at(a, i);
  if (!v.is_number()) type_error(i, "number", v);
  return v;
}

int64_t integer(BuiltinArgs a, size_t i) {
  const Value& v = number(a, i);
  if (v.is_int()) return v.as_int();
  auto n = number::to_int64(v);
  // OPA's IntOperand: anything that is not an int (fraction, or too big for a machine int) gets this message.
  if (!n) {
    throw BuiltinError{"operand " + std::to_string(i + 1) + " must be integer number but got floating-point number",
                       true};
  }
  return *n;
}

const std::vector<Value>& array(BuiltinArgs a, size_t i) {
  const Value& v = at(a, i);
  if (!v.is_array()) type_error(i, "array", v);
  return v.as_array();
}

const std::vector<Value>& set(BuiltinArgs a, size_t i) {
  const Value& v = at(a, i);
  if (!v.is_set()) type_error(i, "set", v);
  return v.as_set();
}

const std::vector<ObjectEntry>& object(BuiltinArgs a, size_t i) {
  const Value& v = at(a, i);
  if (!v.is_object()) type_error(i, "object", v);
  return v.as_object();
}

bool boolean(BuiltinArgs a, size_t i) {
  const Value& v = at(a, i);
  if (!v.is_boolean()) type_error(i, "boolean", v);
  return v.as_bool();
}

const std::vector<Value>& array_or_set(BuiltinArgs a, size_t i) {
  const Value& v = at(a, i);
  if (v.is_array()) return v.as_array();
  if (v.is_set()) return v.as_set();
  type_error(i, "one of {array, set}", v);
}

}  // namespace args
}  // namespace rego
