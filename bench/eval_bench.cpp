// In-process evaluation benchmarks: realistic policies, evaluations per second per policy.
//
// Each benchmark compiles its policy and prepares its query once, then evaluates it repeatedly with a fixed
// input, as the server does per request. Reported as items/s (= evaluations/s). Ratios between runs on one
// machine are what to compare; absolute numbers depend on the machine.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "rego/engine.h"
#include "rego/json.h"

namespace {

struct Prepared {
  std::shared_ptr<const rego::CompiledPolicy> policy;
  std::shared_ptr<const rego::PreparedQuery> query;
  rego::Value data;
  rego::Value input;
};

Prepared prepare(const std::string& module, const std::string& query, const std::string& data_json,
                 const std::string& input_json, bool packed_data = false) {
  Prepared p;
  auto compiled = rego::compile({{"bench.rego", module}});
  if (!compiled.errors.empty()) throw std::runtime_error("compile: " + compiled.errors[0].message);
  p.policy = compiled.policy;
  auto q = rego::prepare(p.policy, query);
  if (!q.errors.empty()) throw std::runtime_error("prepare: " + q.errors[0].message);
  p.query = q.query;
  p.data = packed_data ? rego::json::parse_packed(data_json).value : rego::json::parse(data_json).value;
  p.input = rego::json::parse(input_json).value;
  return p;
}

// tracer: explain on (a full trace per evaluation, as ?explain=full does), to compare with tracing off.
void run(benchmark::State& state, const Prepared& p, const rego::Value& want, rego::BufferTracer* tracer = nullptr) {
  rego::QueryOptions opts;
  opts.input = p.input;
  opts.now_ns = 1;
  opts.tracer = tracer;
  for (auto _ : state) {
    if (tracer) tracer->events.clear();
    auto r = rego::evaluate(*p.query, p.data, opts);
    if (r.rows.empty() || r.rows[0].expressions[0].value != want) {
      state.SkipWithError("unexpected result");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

// Role-based access control: the classic OPA example policy.
const Prepared& rbac() {
  static const Prepared p = prepare(R"(package rbac
default allow := false
allow if {
	some grant in user_is_granted
	input.action == grant.action
	input.type == grant.type
}
user_is_granted contains grant if {
	some role in data.user_roles[input.user]
	some grant in data.role_grants[role]
}
)",
                                    "data.rbac.allow",
                                    R"({"user_roles":{"alice":["admin"],"bob":["employee","billing"],"eve":["customer"]},
"role_grants":{"customer":[{"action":"read","type":"dog"},{"action":"read","type":"cat"},{"action":"adopt","type":"dog"},{"action":"adopt","type":"cat"}],
"employee":[{"action":"read","type":"dog"},{"action":"read","type":"cat"},{"action":"update","type":"dog"},{"action":"update","type":"cat"}],
"billing":[{"action":"read","type":"finance"},{"action":"update","type":"finance"}]}})",
                                    R"({"user":"bob","action":"update","type":"finance"})");
  return p;
}
void BM_RBAC(benchmark::State& state) { run(state, rbac(), rego::Value::boolean(true)); }
BENCHMARK(BM_RBAC);

// The same with every trace event recorded: what ?explain=full costs.
void BM_RBAC_Explain(benchmark::State& state) {
  rego::BufferTracer tracer;
  run(state, rbac(), rego::Value::boolean(true), &tracer);
}
BENCHMARK(BM_RBAC_Explain);

// A thousand rules, each keyed on input.kind: the rule index must keep this close to a single rule's cost.
void BM_ThousandRulesIndexed(benchmark::State& state) {
  static const Prepared p = [] {
    std::string module = "package kinds\n";
    for (int i = 0; i < 1000; ++i)
      module += "deny contains \"kind" + std::to_string(i) + " is not allowed\" if {\n\tinput.kind == \"Kind" +
                std::to_string(i) + "\"\n\tinput.namespace != \"system\"\n}\n";
    return prepare(module, "data.kinds.deny", "{}", R"({"kind":"Kind500","namespace":"default"})");
  }();
  run(state, p, rego::Value::set({rego::Value::string("kind500 is not allowed")}));
}
BENCHMARK(BM_ThousandRulesIndexed);

// Iterating a 10,000-element data array; Packed: the same data as a packed document (json::parse_packed), as
// data files are loaded.
Prepared prepare_iterate10k(bool packed) {
  std::string data = "{\"users\":[";
  for (int i = 0; i < 10000; ++i) {
    if (i) data += ",";
    data += "{\"name\":\"user" + std::to_string(i) + "\",\"active\":" + (i % 3 ? "true" : "false") + "}";
  }
  data += "]}";
  return prepare("package bench\nactive_count := count([u | some u in data.users; u.active])\n",
                 "data.bench.active_count", data, "{}", packed);
}
void Iterate10k(benchmark::State& state, bool packed) {
  static const Prepared plain_p = prepare_iterate10k(false);
  static const Prepared packed_p = prepare_iterate10k(true);
  run(state, packed ? packed_p : plain_p, rego::Value::integer(6666));
}
void BM_Iterate10k(benchmark::State& state) { Iterate10k(state, false); }
void BM_Iterate10kPacked(benchmark::State& state) { Iterate10k(state, true); }
BENCHMARK(BM_Iterate10k);
BENCHMARK(BM_Iterate10kPacked);

// Regex-heavy: several patterns per decision. Compiled patterns are cached, so this measures matching.
void BM_RegexPolicy(benchmark::State& state) {
  static const Prepared p = prepare(R"(package rx
allow if {
	regex.match(`^[a-z0-9._%+-]+@example\.(com|org)$`, input.email)
	regex.match(`^/api/v[0-9]+/(users|orders)/[0-9]+$`, input.path)
	not regex.match(`(?i)drop\s+table`, input.query)
	glob.match("*.internal.example.com", ["."], input.host)
}
)",
                                    "data.rx.allow", "{}",
                                    R"({"email":"alice@example.com","path":"/api/v2/orders/1234","query":"select 1","host":"db.internal.example.com"})");
  run(state, p, rego::Value::boolean(true));
}
BENCHMARK(BM_RegexPolicy);

// JWT-heavy: verify an HS256 token and check its claims (the key is parsed once and cached).
void BM_JwtPolicy(benchmark::State& state) {
  static const Prepared p = [] {
    auto compiled = rego::compile({});
    auto token = rego::evaluate(*compiled.policy, rego::Value::empty_object(),
                                R"(t := io.jwt.encode_sign({"alg": "HS256"}, {"sub": "alice", "role": "admin"}, {"kty": "oct", "k": "c2VjcmV0"}))");
    if (!token.ok() || token.rows.empty()) throw std::runtime_error("could not make a token");
    std::string input = "{\"token\":" + rego::json::write(token.rows[0].bindings[0].second) + "}";
    return prepare(R"(package jwtb
allow if {
	io.jwt.verify_hs256(input.token, "secret")
	[_, claims, _] := io.jwt.decode(input.token)
	claims.role == "admin"
}
)",
                   "data.jwtb.allow", "{}", input);
  }();
  run(state, p, rego::Value::boolean(true));
}
BENCHMARK(BM_JwtPolicy);

// The engine's share of one request of bench/server_load.sh: parse the request body ({"input": ...}), evaluate
// data.authz.allow of bench/load (RBAC + ABAC, ~30 rules, 12 KB of data, plain Values as the server reads a
// data file of that size: src/load/documents.h's kPackedDocumentBytes) as the server's Data API does
// (evaluate_path), and write the response body. Set against server_load.sh's CPU time per request, this tells
// how much of it is the engine and how much the HTTP stack.
std::string read_bench_file(const std::string& name) {
  std::ifstream in(std::string(TREX_BENCH_DIR) + "/load/" + name);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) throw std::runtime_error("cannot read bench/load/" + name);
  return text.str();
}
// bench/load's policy, data and request body, loaded once.
struct ServerLoad {
  std::shared_ptr<const rego::CompiledPolicy> policy;
  rego::Value data = rego::json::parse(read_bench_file("data.json")).value;
  std::string body = read_bench_file("input.json");
  ServerLoad() {
    auto compiled = rego::compile({{"authz.rego", read_bench_file("authz.rego")}});
    if (!compiled.errors.empty()) throw std::runtime_error("compile: " + compiled.errors[0].message);
    policy = compiled.policy;
  }
  static const ServerLoad& get() {
    static const ServerLoad load;
    return load;
  }
};

void BM_ServerLoadRequest(benchmark::State& state) {
  const ServerLoad& load = ServerLoad::get();
  const std::vector<rego::Value> path = {rego::Value::string("authz"), rego::Value::string("allow")};
  for (auto _ : state) {
    auto request = rego::json::parse(load.body);
    rego::QueryOptions opts;
    if (const rego::Value* input = request.value.get("input")) opts.input = *input;
    rego::Errors errors;
    auto result = rego::evaluate_path(*load.policy, load.data, path, opts, errors);
    if (!result || *result != rego::Value::boolean(true)) {
      state.SkipWithError("unexpected result");
      break;
    }
    std::string response = "{\"result\":" + rego::json::write(*result) + "}";
    benchmark::DoNotOptimize(response);
  }
  state.SetItemsProcessed(state.iterations());
}
// On one thread, and on two sharing the policy and data as the server's two event loops do: the CPU time per
// request of threads:2 against threads:1 is what the threads cost each other (shared reference counts, caches).
BENCHMARK(BM_ServerLoadRequest)->ThreadRange(1, 2)->UseRealTime();

// The request's parts on their own, to see where its time goes: reading the body, and evaluating single rules
// of the policy (each with everything it depends on) against the input read once.
void BM_ServerLoadParse(benchmark::State& state) {
  const ServerLoad& load = ServerLoad::get();
  for (auto _ : state) benchmark::DoNotOptimize(rego::json::parse(load.body));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ServerLoadParse);

// The body read as the Data API reads it for this policy: input built only as far as the rules read it
// (rego::request_projection).
void BM_ServerLoadParseProjected(benchmark::State& state) {
  const ServerLoad& load = ServerLoad::get();
  const rego::json::Projection& keep = rego::request_projection(*load.policy);
  for (auto _ : state) benchmark::DoNotOptimize(rego::json::parse(load.body, keep));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ServerLoadParseProjected);

// Evaluates data.authz.<rule> of bench/load (with everything it depends on) against the input read once.
void evaluate_rule(benchmark::State& state, const char* rule, bool general_evaluation) {
  const ServerLoad& load = ServerLoad::get();
  const std::vector<rego::Value> path = {rego::Value::string("authz"), rego::Value::string(rule)};
  const rego::Value request = rego::json::parse(load.body).value;
  rego::QueryOptions opts;
  if (const rego::Value* input = request.get("input")) opts.input = *input;
  opts.general_evaluation = general_evaluation;
  for (auto _ : state) {
    rego::Errors errors;
    benchmark::DoNotOptimize(rego::evaluate_path(*load.policy, load.data, path, opts, errors));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ServerLoadRule(benchmark::State& state) {
  static const char* const kRules[] = {"user", "user_roles", "denied", "action_permitted", "abac_ok", "allow"};
  const char* rule = kRules[state.range(0)];
  evaluate_rule(state, rule, /*general_evaluation=*/false);
  state.SetLabel(rule);
}
BENCHMARK(BM_ServerLoadRule)->DenseRange(0, 5);

// data.authz.allow again with every expression through the evaluator's general path
// (QueryOptions::general_evaluation): set against BM_ServerLoadRule/5 in the same run, what evaluating in
// place (src/rego/eval_body.cpp) gains.
void BM_ServerLoadRuleGeneral(benchmark::State& state) { evaluate_rule(state, "allow", /*general_evaluation=*/true); }
BENCHMARK(BM_ServerLoadRuleGeneral);

}  // namespace

BENCHMARK_MAIN();
