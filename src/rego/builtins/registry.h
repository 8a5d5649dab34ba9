// The built-in function registry: one table of every built-in the engine knows.
//
// Each namespace lives in its own file (strings.cpp, numbers.cpp, ...) and exposes one function
// `void register_<namespace>(Registry&)`, called from all.cpp. The evaluator looks a built-in up once at
// compile time and calls it through a plain function pointer; it knows nothing of any built-in's body.
//
// A built-in receives its evaluated arguments and returns a Value, or std::nullopt for "undefined". It reports
// errors by throwing BuiltinError (see below); the evaluator turns them into eval_builtin_error /
// eval_type_error, or into "undefined" when strict built-in errors are off, exactly as OPA does.
// Built-ins must be pure functions of (args, context): they are called concurrently from many threads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rego/cancellation.h"
#include "rego/value.h"

namespace rego {

// Per-query state a built-in may use. One instance per query evaluation; never shared between threads.
struct BuiltinContext {
  int64_t now_ns = 0;            // time.now_ns: fixed for the whole query, as OPA does
  bool strict = false;           // strict built-in errors
  // Memo for non-deterministic built-ins (rand.intn, uuid.rfc4122, http.send): same args, same result
  // within one query. Keyed by "name" + JSON of args.
  std::unordered_map<std::string, Value>* memo = nullptr;
  // The base data and input of the query (for opa.runtime, rego.metadata.* etc.). May be null.
  const Value* input = nullptr;
  // Extra runtime info (opa.runtime()). Null object when not set.
  Value runtime;
  // OPA's capabilities.allow_net: the hosts http.send and net.lookup_ip_addr may reach. Null = every host
  // (OPA's default), empty = none.
  const std::vector<std::string>* allow_net = nullptr;
  // The query's cancellation flag and deadline. A built-in that may loop for long checks it now and then and
  // throws RegoError(code::kCancel, …) (OPA's Halt: the query ends with eval_cancel_error).
  Cancellation cancel;
};

// Whether `host` may be reached under an allow_net list (exact match, as OPA compares); null allows every host.
bool net_host_allowed(const std::vector<std::string>* allow_net, std::string_view host);
inline bool net_host_allowed(const BuiltinContext& ctx, std::string_view host) {
  return net_host_allowed(ctx.allow_net, host);
}
// The host of a URL that allow_net is checked against (OPA's verifyURLHost): its host up to the first ':'.
inline std::string_view allow_net_host(std::string_view url_host) { return url_host.substr(0, url_host.find(':')); }

// `x in coll` (internal.member_2, types.cpp): an array's or set's element or an object's value equal to x.
// Anything else (strings included) holds nothing. The evaluator tests `in` in place with it.
bool member_of(const Value& x, const Value& coll);

using BuiltinArgs = std::span<const Value>;
using BuiltinFn = std::optional<Value> (*)(BuiltinArgs args, BuiltinContext& ctx);

// Thrown by built-ins. type_error=true for operand type errors (eval_type_error), else eval_builtin_error.
// The message is OPA's without the "name: " prefix; the evaluator adds it.
struct BuiltinError {
  std::string message;
  bool type_error = false;
};

struct Builtin {
  std::string name;      // "strings.replace_n"
  int arity = 0;         // number of arguments (not counting the output operand)
  BuiltinFn fn = nullptr;
  bool nondeterministic = false;  // memoised per query
  // A relation (OPA's `walk`) yields many results: fn returns an array of them and the evaluator iterates it.
  bool relation = false;
  // May wait on the network for as long as a remote host takes (http.send, net.lookup_ip_addr). A host that
  // evaluates on an event loop runs the queries that can reach one elsewhere (CompiledPolicy::calls_network).
  bool waits_on_network = false;
};

class Registry {
 public:
  void add(std::string name, int arity, BuiltinFn fn, bool nondeterministic = false);
  void add_relation(std::string name, int arity, BuiltinFn fn);
  // A non-deterministic built-in that waits on the network (Builtin::waits_on_network).
  void add_network(std::string name, int arity, BuiltinFn fn);
  const Builtin* find(std::string_view name) const;
  const std::unordered_map<std::string, Builtin>& all() const { return table_; }

 private:
  std::unordered_map<std::string, Builtin> table_;
};

// The process-wide registry with every namespace registered (built on first use, then read-only).
const Registry& builtins();

// ---- argument helpers for built-in bodies (throw BuiltinError with OPA's wording) ----
namespace args {
// "operand 2 must be string but got number"
[[noreturn]] void type_error(size_t index, const char* want, const Value& got);
const std::string& string(BuiltinArgs a, size_t i);
const Value& number(BuiltinArgs a, size_t i);
int64_t integer(BuiltinArgs a, size_t i);  // a whole number within int64, else "operand N must be integer..."
const std::vector<Value>& array(BuiltinArgs a, size_t i);
const std::vector<Value>& set(BuiltinArgs a, size_t i);
const std::vector<ObjectEntry>& object(BuiltinArgs a, size_t i);
bool boolean(BuiltinArgs a, size_t i);
// Elements of an array or set ("operand N must be one of {array, set} but got ...").
const std::vector<Value>& array_or_set(BuiltinArgs a, size_t i);
}  // namespace args

}  // namespace rego
