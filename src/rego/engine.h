// The engine's one narrow interface: compile a policy set, then evaluate queries against it.
//
//   auto policy = rego::compile({{"authz.rego", text}}, opts);          // once; immutable, thread-safe
//   auto result = rego::evaluate(*policy.policy, data, "data.authz.allow", query_opts);  // per request
//
// A CompiledPolicy never changes after compile() returns; any number of threads may evaluate against it at
// once. Base data is passed per evaluation (the server keeps it in immutable snapshots), so policy and data
// can be swapped independently. Nothing here throws: errors come back as values with OPA's codes.
// The engine does no I/O: callers read files and hand over text.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rego/error.h"
#include "rego/trace.h"
#include "rego/value.h"

namespace rego {

class CompiledPolicy;  // opaque: the merged, resolved, planned rule tree
namespace json {
struct Projection;
}
class PreparedQuery;   // opaque: a query compiled against one CompiledPolicy

struct ModuleText {
  std::string filename;
  std::string text;
};

struct CompileOptions {
  bool v0_compatible = false;
  // trex test: the second and later definitions of a test_ rule in one package become test_x#01, ... so
  // each runs alone, as in OPA's test runner (outline.h).
  bool rename_duplicate_tests = false;
};

struct CompileResult {
  std::shared_ptr<const CompiledPolicy> policy;  // null when errors is not empty
  Errors errors;
};

CompileResult compile(const std::vector<ModuleText>& modules, const CompileOptions& opts = {});

struct QueryOptions {
  std::optional<Value> input;        // absent = no input document (refs to input are undefined)
  bool strict_builtin_errors = false;
  bool v0_compatible = false;        // parse the query as Rego v0
  int64_t now_ns = 0;                // 0 = the current time, taken once per query
  std::function<void(const std::string&)> print;  // print() output; null discards
  // Stops the evaluation with eval_cancel_error when set (checked periodically). May be null.
  const std::atomic<bool>* cancel = nullptr;
  // Stops the evaluation with eval_cancel_error once this time has passed (checked periodically, as cancel).
  // The default (the clock's epoch) means no deadline.
  std::chrono::steady_clock::time_point deadline{};
  // Receives OPA's explain events (trace.h: BufferTracer, then filter/format with explanation_json or
  // pretty_trace). Null = no tracing, which costs nothing beyond a pointer test. Used by evaluate() and
  // evaluate(PreparedQuery); evaluate_path ignores it (the server traces through a query).
  Tracer* tracer = nullptr;
  // OPA's capabilities.allow_net for http.send and net.lookup_ip_addr: null = every host may be reached
  // (OPA's default), otherwise only the hosts listed (empty = none); others fail with "unallowed host: <host>".
  std::shared_ptr<const std::vector<std::string>> allow_net;
  // Every expression through the general evaluator, none in place (eval_body.cpp): the reference the
  // evaluator's fast forms are tested against (trex-compat --general-evaluation). Same results, slower.
  bool general_evaluation = false;
};

struct ExpressionValue {
  Value value;
  std::string text;  // the expression's source text
  Location location;
};

struct ResultRow {
  std::vector<ExpressionValue> expressions;
  std::vector<std::pair<std::string, Value>> bindings;  // user variables of the query, sorted by name
};

struct QueryResult {
  std::vector<ResultRow> rows;  // empty = undefined
  // Non-empty = the query failed. Rows are then empty, except for strict built-in errors: evaluation goes on
  // past a failing built-in (the call is undefined) and the first such error comes with the rows, as in OPA.
  Errors errors;
  bool ok() const { return errors.empty(); }
};

// Parses, compiles and evaluates an ad-hoc query ("data.x.allow", "x := input.y; x > 1").
QueryResult evaluate(const CompiledPolicy& policy, const Value& data, const std::string& query,
                     const QueryOptions& opts = {});

// Fast path for the server: the value of one document path (data.authz.allow as ["authz", "allow"]; keys are
// values because OPA's Data API turns numeric path segments into numbers), no query parsing.
// nullopt = undefined. Errors are returned through `errors`.
std::optional<Value> evaluate_path(const CompiledPolicy& policy, const Value& data, const std::vector<Value>& path,
                                   const QueryOptions& opts, Errors& errors);

// Compiles a query once for repeated evaluation (bench, server hot paths).
struct PrepareResult {
  std::shared_ptr<const PreparedQuery> query;
  Errors errors;
};
PrepareResult prepare(std::shared_ptr<const CompiledPolicy> policy, const std::string& query,
                      const QueryOptions& opts = {});
QueryResult evaluate(const PreparedQuery& query, const Value& data, const QueryOptions& opts = {});

// Compile-only check of modules (trex check): all errors found.
Errors check(const std::vector<ModuleText>& modules, const CompileOptions& opts = {});

// The AST of one module as OPA's `opa parse --format json` prints it (trex parse).
// Returns false and fills errors on a parse error.
bool parse_to_json(const ModuleText& module, const CompileOptions& opts, std::string& json_out, Errors& errors);

}  // namespace rego

namespace rego {

// ---- what the server needs to know of a compiled policy (storage conflicts, Data API messages) ----

// A document path that rules define (data.a.b -> {"a", "b"}), with the location of its first definition.
struct RulePath {
  std::vector<std::string> path;
  Location location;
};

// Every path with rules or a default defined exactly there, in path order. Paths under a dynamic key
// (`p[x].q := ...`) stop at their constant prefix.
std::vector<RulePath> rule_paths(const CompiledPolicy& policy);

// Whether some rule of the policy calls a built-in that may wait on the network for as long as a remote host
// takes (http.send, net.lookup_ip_addr): a server evaluating on its event loops runs such queries elsewhere.
bool calls_network(const CompiledPolicy& policy);

// The part of an OPA request body ({"input": ...}, as the Data API's POST takes it) that evaluating the
// policy's documents (evaluate_path) can read: json::parse(body, request_projection(policy)) builds just that
// and evaluates alike, reading less. Not for ad-hoc queries (they may read any of input), nor where the input
// goes on to be recorded whole (decision logs).
const json::Projection& request_projection(const CompiledPolicy& policy);

// Whether rules define the document at path or below it (OPA's GetRulesForVirtualDocument).
bool has_rules_at(const CompiledPolicy& policy, const std::vector<std::string>& path);

// OPA's ast.CheckPathConflicts: a rule whose path holds base data (the exact path exists, or a prefix holds a
// non-object) conflicts with it. `exists` answers for one path. One rego_compile_error per conflict.
Errors check_path_conflicts(const CompiledPolicy& policy,
                            const std::function<bool(const std::vector<std::string>&)>& exists);

// The package path of a module without "data" ({"a", "b"} for `package a.b`): the bundle loader's roots
// check, the Policy API's bundle scope. nullopt (errors set) when it does not parse.
std::optional<std::vector<std::string>> module_package(const ModuleText& module, const CompileOptions& opts,
                                                       Errors& errors);

// A module's AST as OPA's JSON (the Policy API's "ast"), or errors when it does not parse.
std::optional<Value> module_ast(const ModuleText& module, const CompileOptions& opts, Errors& errors);

}  // namespace rego
