// The engine's public entry points (engine.h): parse, compile and evaluate, with errors as values.
#include "rego/engine.h"

#include <chrono>

#include "rego/ast_json.h"
#include "rego/compiler.h"
#include "rego/json.h"
#include "rego/eval.h"
#include "rego/outline.h"
#include "rego/parser.h"

namespace rego {

class PreparedQuery {
 public:
  std::shared_ptr<const CompiledPolicy> policy;
  CompiledQuery query;
};

namespace {

Errors errors_of(const std::exception_ptr& ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const RegoErrors& e) {
    return e.errors();
  } catch (const RegoError& e) {
    return {e.error()};
  } catch (const std::bad_alloc&) {
    return {Error{code::kInternal, "out of memory", {}}};
  } catch (const std::exception& e) {
    return {Error{code::kInternal, e.what(), {}}};
  }
  return {};
}

std::vector<ast::Module> parse_all(const std::vector<ModuleText>& modules, const CompileOptions& opts) {
  std::vector<ast::Module> parsed;
  Errors errors;
  ParseOptions po;
  po.v0_compatible = opts.v0_compatible;
  for (const auto& m : modules) {
    auto src = std::make_shared<SourceFile>(SourceFile{m.filename, m.text});
    try {
      parsed.push_back(parse_module(src, po));
    } catch (const RegoErrors& e) {
      errors.insert(errors.end(), e.errors().begin(), e.errors().end());
    } catch (const RegoError& e) {
      errors.push_back(e.error());
    }
  }
  if (!errors.empty()) throw RegoErrors(std::move(errors));
  return parsed;
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The per-query state of built-ins and of the evaluator, from the caller's options.
BuiltinContext builtin_context(const QueryOptions& opts, std::unordered_map<std::string, Value>& memo) {
  BuiltinContext bctx;
  bctx.now_ns = opts.now_ns ? opts.now_ns : now_ns();
  bctx.strict = opts.strict_builtin_errors;
  bctx.memo = &memo;
  bctx.allow_net = opts.allow_net.get();
  bctx.input = opts.input ? &*opts.input : nullptr;
  bctx.cancel = {opts.cancel, opts.deadline};
  return bctx;
}

eval::EvalOptions eval_options(const QueryOptions& opts) {
  eval::EvalOptions eo;
  eo.strict_builtin_errors = opts.strict_builtin_errors;
  eo.cancel = {opts.cancel, opts.deadline};
  eo.print = &opts.print;
  eo.in_place = !opts.general_evaluation;
  return eo;
}

QueryResult run_query(const CompiledPolicy& policy, const CompiledQuery& q, const Value& data,
                      const QueryOptions& opts) {
  QueryResult result;
  try {
    std::unordered_map<std::string, Value> memo;
    BuiltinContext bctx = builtin_context(opts, memo);
    eval::EvalOptions eo = eval_options(opts);
    eo.tracer = opts.tracer;
    eval::Evaluator ev(policy, data, bctx.input, bctx, eo);
    eval::Frame frame(q.num_slots);
    ev.track_expression_values(q.body.size());
    ev.run(q.body, frame, [&](eval::Frame& fr) {
      ResultRow row;
      const auto& vals = ev.expression_values();
      for (size_t i = 0; i < q.body.size(); ++i) {
        if (q.body[i].generated) continue;
        row.expressions.push_back({vals[i], q.body[i].loc.text(), q.body[i].loc});
      }
      for (const auto& [name, slot] : q.user_vars)
        if (const Value* v = fr.bound[static_cast<size_t>(slot)]) row.bindings.emplace_back(name, *v);
      result.rows.push_back(std::move(row));
      return true;
    });
    if (ev.builtin_error()) result.errors.push_back(*ev.builtin_error());
  } catch (...) {
    result.rows.clear();
    result.errors = errors_of(std::current_exception());
  }
  return result;
}

CompiledQuery compile_query_text(const CompiledPolicy& policy, const std::string& text, bool v0) {
  auto src = std::make_shared<SourceFile>(SourceFile{"", text});
  ParseOptions po;
  po.v0_compatible = v0;
  ast::Body body = parse_query(src, po);
  return compile_query(policy, std::move(body), src);
}

}  // namespace

CompileResult compile(const std::vector<ModuleText>& modules, const CompileOptions& opts) {
  CompileResult r;
  try {
    auto parsed = parse_all(modules, opts);
    if (opts.rename_duplicate_tests) ast::rename_duplicate_tests(parsed);
    r.policy = compile_modules(std::move(parsed), opts.v0_compatible);
  } catch (...) {
    r.errors = errors_of(std::current_exception());
  }
  return r;
}

Errors check(const std::vector<ModuleText>& modules, const CompileOptions& opts) { return compile(modules, opts).errors; }

QueryResult evaluate(const CompiledPolicy& policy, const Value& data, const std::string& query,
                     const QueryOptions& opts) {
  CompiledQuery q;
  try {
    q = compile_query_text(policy, query, opts.v0_compatible);
  } catch (...) {
    QueryResult r;
    r.errors = errors_of(std::current_exception());
    return r;
  }
  return run_query(policy, q, data, opts);
}

PrepareResult prepare(std::shared_ptr<const CompiledPolicy> policy, const std::string& query,
                      const QueryOptions& opts) {
  PrepareResult r;
  try {
    auto pq = std::make_shared<PreparedQuery>();
    pq->query = compile_query_text(*policy, query, opts.v0_compatible);
    pq->policy = std::move(policy);
    r.query = std::move(pq);
  } catch (...) {
    r.errors = errors_of(std::current_exception());
  }
  return r;
}

QueryResult evaluate(const PreparedQuery& query, const Value& data, const QueryOptions& opts) {
  return run_query(*query.policy, query.query, data, opts);
}

std::optional<Value> evaluate_path(const CompiledPolicy& policy, const Value& data, const std::vector<Value>& path,
                                   const QueryOptions& opts, Errors& errors) {
  try {
    std::unordered_map<std::string, Value> memo;
    BuiltinContext bctx = builtin_context(opts, memo);
    eval::EvalOptions eo = eval_options(opts);
    eval::Evaluator ev(policy, data, bctx.input, bctx, eo);
    std::optional<Value> doc = ev.document(path);
    if (ev.builtin_error()) {
      errors.push_back(*ev.builtin_error());
      return std::nullopt;
    }
    return doc;
  } catch (...) {
    errors = errors_of(std::current_exception());
    return std::nullopt;
  }
}

bool parse_to_json(const ModuleText& module, const CompileOptions& opts, std::string& json_out, Errors& errors) {
  try {
    auto parsed = parse_all({module}, opts);
    json::WriteOptions wo;
    wo.pretty = true;
    json_out = json::write(ast::module_to_value(parsed[0]), wo);
    return true;
  } catch (...) {
    errors = errors_of(std::current_exception());
    return false;
  }
}

std::optional<std::vector<std::string>> module_package(const ModuleText& module, const CompileOptions& opts,
                                                       Errors& errors) {
  try {
    return parse_all({module}, opts)[0].package;
  } catch (...) {
    errors = errors_of(std::current_exception());
    return std::nullopt;
  }
}

std::optional<Value> module_ast(const ModuleText& module, const CompileOptions& opts, Errors& errors) {
  try {
    return ast::module_to_value(parse_all({module}, opts)[0]);
  } catch (...) {
    errors = errors_of(std::current_exception());
    return std::nullopt;
  }
}

}  // namespace rego
