// Terms: scalars, variables, collections, comprehensions, template strings and calls.
#include "rego/eval.h"
#include "rego/builtins/strutil.h"
#include "rego/json.h"

namespace rego::eval {

using ast::Term;
using ast::TermKind;

bool Evaluator::is_ground(const Term& t, const Frame& f) const {
  switch (t.kind) {
    case TermKind::Scalar: return true;
    case TermKind::Var: return t.slot == ast::kInputRoot || t.slot == ast::kDataRoot || var_value(t, f) != nullptr;
    case TermKind::Array:
    case TermKind::Set:
    case TermKind::Object:
      for (auto& i : t.items)
        if (!is_ground(*i, f)) return false;
      return true;
    default: return false;
  }
}

bool Evaluator::eval_terms(const ast::TermPtr* ts, size_t n, size_t i, Value* out, Frame& f, Cont k) {
  if (i == n) return k();
  const Term& t = *ts[i];
  // Fast paths without a continuation per element.
  if (t.kind == TermKind::Scalar || t.constant_literal) {
    out[i] = t.kind == TermKind::Scalar ? t.value : t.literal_value;
    return eval_terms(ts, n, i + 1, out, f, k);
  }
  if (t.kind == TermKind::Var && t.slot >= 0) {
    const Value* v = var_value(t, f);
    if (!v) fail(code::kInternal, "var " + t.name + " is unbound", t.loc);
    out[i] = *v;
    return eval_terms(ts, n, i + 1, out, f, k);
  }
  return eval_term(t, f, [&](const Value& v) {
    out[i] = v;
    return eval_terms(ts, n, i + 1, out, f, k);
  });
}

bool Evaluator::eval_term(const Term& t, Frame& f, ValueCont k) {
  if (t.constant_literal) return k(t.literal_value);
  switch (t.kind) {
    case TermKind::Scalar: return k(t.value);
    case TermKind::Var: {
      if (t.slot == ast::kDataRoot) {
        auto d = document({});
        return d ? k(*d) : true;
      }
      if (t.slot == ast::kInputRoot) return has_input_ ? k(input_) : true;
      const Value* v = var_value(t, f);
      if (!v) fail(code::kInternal, "var " + t.name + " is unbound", t.loc);
      return k(*v);
    }
    case TermKind::Ref: return eval_ref(t, f, k);
    case TermKind::Array: {
      std::vector<Value> out(t.items.size());
      return eval_terms(t.items, out, f, [&] { return k(Value::array(out)); });
    }
    case TermKind::Set: {
      std::vector<Value> out(t.items.size());
      return eval_terms(t.items, out, f, [&] { return k(Value::set(out)); });
    }
    case TermKind::Object: {
      std::vector<Value> out(t.items.size());
      return eval_terms(t.items, out, f, [&] {
        std::vector<ObjectEntry> entries;
        entries.reserve(out.size() / 2);
        for (size_t i = 0; i + 1 < out.size(); i += 2) entries.emplace_back(out[i], out[i + 1]);
        return k(Value::object(std::move(entries)));
      });
    }
    case TermKind::ArrayCompr:
    case TermKind::SetCompr:
    case TermKind::ObjectCompr: return k(eval_comprehension(t, f));
    case TermKind::Call: return eval_call(t, f, k);
    case TermKind::TemplateString: {
      std::string out;
      for (size_t i = 0; i < t.items.size(); ++i) {
        const Term& part = *t.items[i];
        if (i < t.literal_parts.size() && t.literal_parts[i]) {
          out += part.value.is_string() ? part.value.as_string() : "";
          continue;
        }
        std::vector<Value> vals;
        if (part.kind == TermKind::SetCompr && part.name == ast::kTemplateWithMarker) {
          Value set = eval_comprehension(part, f);
          vals = set.as_set();
        } else {
          eval_term(part, f, [&](const Value& v) {
            vals.push_back(v);
            return true;
          });
        }
        if (vals.empty()) {
          out += "<undefined>";
        } else if (vals.size() == 1) {
          if (vals[0].is_string()) out += vals[0].as_string();
          else text::append_term(vals[0], out);
        } else {
          text::append_term(Value::set(vals), out);
        }
      }
      return k(Value::string(std::move(out)));
    }
  }
  return true;
}

Value Evaluator::eval_comprehension(const Term& t, Frame& f) {
  std::vector<Value> items;
  std::vector<ObjectEntry> entries;
  auto solution = [&] {
    if (t.kind == TermKind::ObjectCompr) {
      eval_term(*t.items[0], f, [&](const Value& key) {
        return eval_term(*t.items[1], f, [&](const Value& val) {
          for (auto& [ek, ev] : entries)
            if (ek == key && ev != val)
              fail(code::kConflict, "object keys must be unique", t.loc);
          entries.emplace_back(key, val);
          return true;
        });
      });
    } else {
      eval_term(*t.items[0], f, [&](const Value& v) {
        items.push_back(v);
        return true;
      });
    }
    return true;
  };
  if (trace_) [[unlikely]] trace_closure(t.body, f, solution);
  else eval_body(t.body, 0, f, solution);
  if (t.kind == TermKind::ArrayCompr) return Value::array(std::move(items));
  if (t.kind == TermKind::SetCompr) return Value::set(std::move(items));
  return Value::object(std::move(entries));
}

bool Evaluator::eval_call_args(const Term& call, size_t nin, Frame& f, FunctionRef<bool(BuiltinArgs)> k) {
  // Evaluate only the inputs: the output operand (if any) is unified by the caller. Most calls have few
  // arguments: keep them on the stack.
  constexpr size_t kInline = 4;
  Value inline_args[kInline];
  std::vector<Value> heap_args;
  Value* args = inline_args;
  if (nin > kInline) {
    heap_args.resize(nin);
    args = heap_args.data();
  }
  // A variable operand still unbound here is bound by a ref in another operand (`foo == input.foos[foo]`,
  // see safety.cpp): evaluate the others first, then read it.
  bool deferred = false;
  for (size_t i = 0; i < nin && !deferred; ++i) {
    const Term& a = *call.items[i];
    deferred = a.kind == TermKind::Var && a.slot >= 0 && !f.bound[static_cast<size_t>(a.slot)];
  }
  if (!deferred) return eval_terms(call.items.data(), nin, 0, args, f, [&] { return k(BuiltinArgs(args, nin)); });
  std::vector<size_t> order;
  for (size_t i = 0; i < nin; ++i) {
    const Term& a = *call.items[i];
    if (!(a.kind == TermKind::Var && a.slot >= 0)) order.push_back(i);
  }
  for (size_t i = 0; i < nin; ++i) {
    const Term& a = *call.items[i];
    if (a.kind == TermKind::Var && a.slot >= 0) order.push_back(i);
  }
  auto step = [&](auto&& self, size_t pos) -> bool {
    if (pos == order.size()) return k(BuiltinArgs(args, nin));
    return eval_term(*call.items[order[pos]], f, [&](const Value& v) {
      args[order[pos]] = v;
      return self(self, pos + 1);
    });
  };
  return step(step, 0);
}

bool Evaluator::eval_call(const Term& call, Frame& f, ValueCont k) {
  if (call.resolved_kind == ast::kResolvedEq || call.resolved_kind == ast::kResolvedAssign)
    return unify(*call.items[0], *call.items[1], f, [&] { return k(Value::boolean(true)); });
  if (call.resolved_kind == ast::kResolvedPrint) {
    call_print(call, f);
    return k(Value::boolean(true));
  }
  if (call.resolved_kind == ast::kResolvedMetadataRule) return k(metadata_rule());
  if (call.resolved_kind == ast::kResolvedMetadataChain) return k(metadata_chain());
  size_t nargs = call.items.size();
  size_t arity = nargs;
  if (call.resolved_kind == ast::kResolvedBuiltin) arity = static_cast<size_t>(static_cast<const Builtin*>(call.resolved)->arity);
  else if (call.resolved_kind == ast::kResolvedFunction) arity = static_cast<const RuleNode*>(call.resolved)->arity;
  size_t nin = nargs > arity ? arity : nargs;

  if (!replaced_.empty()) {
    auto it = replaced_.find(call.resolved);
    if (it != replaced_.end()) {
      const Term& rep = *it->second.term;
      if (rep.resolved_kind == ast::kResolvedBuiltin || rep.resolved_kind == ast::kResolvedFunction) {
        return eval_call_args(call, nin, f, [&](BuiltinArgs args) {
          // A mock runs without any mocks in force (it may call the function it replaces), and with a cache
          // of its own so nothing it computes leaks into the mocked scope.
          auto mocks = std::move(replaced_);
          replaced_.clear();
          NodeMemo* outer_cache = cache_;
          NodeMemo::Lease mock_cache(policy_.node_count);
          cache_ = mock_cache.get();
          std::vector<Value> results;
          auto collect = [&](const Value& v) {
            results.push_back(v);
            return true;
          };
          try {
            if (rep.resolved_kind == ast::kResolvedBuiltin)
              call_builtin(call, *static_cast<const Builtin*>(rep.resolved), args, collect);
            else
              call_function(call, *static_cast<const RuleNode*>(rep.resolved), args, collect);
          } catch (...) {
            replaced_ = std::move(mocks);
            cache_ = outer_cache;
            throw;
          }
          replaced_ = std::move(mocks);
          cache_ = outer_cache;
          for (const auto& v : results)
            if (!k(v)) return false;
          return true;
        });
      }
      // Replaced by a value: every call returns it (arguments are still evaluated).
      return eval_call_args(call, nin, f, [&](BuiltinArgs) {
        return eval_term(rep, *it->second.frame, k);
      });
    }
  }
  return eval_call_args(call, nin, f, [&](BuiltinArgs args) {
    if (call.resolved_kind == ast::kResolvedBuiltin)
      return call_builtin(call, *static_cast<const Builtin*>(call.resolved), args, k);
    if (call.resolved_kind == ast::kResolvedFunction)
      return call_function(call, *static_cast<const RuleNode*>(call.resolved), args, k);
    fail(code::kInternal, "unresolved function " + call.name, call.loc);
  });
}

bool Evaluator::call_builtin(const Term& call, const Builtin& b, BuiltinArgs args, ValueCont k) {
  std::optional<Value> result;
  std::string memo_key;
  if (b.nondeterministic && bctx_.memo) {
    memo_key = b.name + json::write(Value::array(std::vector<Value>(args.begin(), args.end())));
    auto it = bctx_.memo->find(memo_key);
    if (it != bctx_.memo->end()) return k(it->second);
  }
  try {
    result = b.fn(args, bctx_);
  } catch (const BuiltinError& e) {
    record_builtin_error(e.type_error ? code::kTypeEval : code::kBuiltin, b.name + ": " + e.message, call.loc);
    return true;
  } catch (const RegoError&) {
    throw;
  } catch (const std::exception& e) {
    record_builtin_error(code::kBuiltin, b.name + ": " + e.what(), call.loc);
    return true;
  }
  if (!result) return true;
  // trace(msg) is a Note in the explanation (OPA's builtinTrace); the built-in itself only checks its operand.
  if (trace_) [[unlikely]]
    if (b.name == "trace" && !args.empty() && args[0].is_string()) trace_note(args[0].as_string(), call.loc);
  if (b.nondeterministic && bctx_.memo) (*bctx_.memo)[memo_key] = *result;
  if (b.relation) {
    if (!result->is_array()) return true;
    for (const auto& r : result->as_array())
      if (!k(r)) return false;
    return true;
  }
  return k(*result);
}

Value Evaluator::metadata_rule() const {
  if (rule_stack_.empty() || !rule_stack_.back()->annotations.is_object()) return Value::empty_object();
  return rule_stack_.back()->annotations;
}

// [{"path": ["data", pkg..., rule...], "annotations": {...}}, {"path": ["data", pkg...], "annotations": ...}]:
// the evaluating rule first, then its package when the package has METADATA.
Value Evaluator::metadata_chain() const {
  if (rule_stack_.empty()) return Value::empty_array();
  const ast::Rule& rule = *rule_stack_.back();
  std::vector<Value> pkg_path{Value::string("data")};
  if (rule.module)
    for (const auto& seg : rule.module->package) pkg_path.push_back(Value::string(seg));
  std::vector<Value> rule_path = pkg_path;
  for (size_t i = 0; i < rule.head.ref.size(); ++i) {
    const Term& t = *rule.head.ref[i];
    if (i == 0) rule_path.push_back(Value::string(t.name));
    else if (t.kind == TermKind::Scalar) rule_path.push_back(t.value);
    else break;
  }
  auto entry = [](std::vector<Value> path, const Value& annotations) {
    std::vector<ObjectEntry> e{{Value::string("path"), Value::array(std::move(path))}};
    if (annotations.is_object()) e.emplace_back(Value::string("annotations"), annotations);
    return Value::object(std::move(e));
  };
  std::vector<Value> chain{entry(std::move(rule_path), rule.annotations)};
  if (rule.module && rule.module->package_annotations.is_object())
    chain.push_back(entry(std::move(pkg_path), rule.module->package_annotations));
  return Value::array(std::move(chain));
}

bool Evaluator::call_print(const Term& call, Frame& f) {
  std::string line;
  for (size_t i = 0; i < call.items.size(); ++i) {
    if (i) line += " ";
    std::vector<Value> vals;
    eval_term(*call.items[i], f, [&](const Value& v) {
      vals.push_back(v);
      return true;
    });
    if (vals.empty()) line += "<undefined>";
    else if (vals[0].is_string()) line += vals[0].as_string();
    else text::append_term(vals[0], line);
  }
  if (opts_.print && *opts_.print) (*opts_.print)(line);
  return true;
}

}  // namespace rego::eval
