// The evaluator: top-down, backtracking evaluation of compiled Rego with OPA's semantics.
//
// Internal to the engine. One Evaluator serves one query evaluation on one thread; it reads the immutable
// CompiledPolicy and base data and keeps all mutable state (variable bindings, the undo trail, per-query
// caches of rule values, `with` overrides) to itself.
//
// Style: continuation passing. Every eval_* function takes "what to do next" (a Cont) and calls it once per
// solution; a continuation returns false to stop the search (early exit), and every function returns false
// when the search was stopped. Bindings made for a solution are undone before trying the next. Within a body,
// expressions with at most one outcome each are evaluated in a loop instead (eval_body.cpp), without a
// continuation per expression.
//
// Split: eval_body.cpp (bodies, in-place expressions), eval.cpp (expressions, unification, `with`),
// eval_terms.cpp (terms, calls, comprehensions), eval_refs.cpp (references and the data tree), eval_rules.cpp
// (rules, functions, conflicts, caching).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "rego/ast.h"
#include "rego/builtins/registry.h"
#include "rego/eval_cache.h"
#include "rego/function_ref.h"
#include "rego/policy.h"
#include "rego/trace.h"

namespace rego::eval {

using Cont = FunctionRef<bool()>;

// Nesting of rule and function evaluations before evaluation stops with an error (it keeps deep or runaway
// evaluation, such as a mock calling itself, from exhausting the stack).
inline constexpr int kMaxDepth = 1000;
using ValueCont = FunctionRef<bool(const Value&)>;

// Calls visit(key, value) for each member of a collection, in order: array (index, element), object
// (key, value), set (element, element). Stops and returns false as soon as visit does; other values have
// no members.
template <class F>
bool for_each_member(const Value& coll, F&& visit) {
  switch (coll.kind()) {
    case Kind::Array: {
      const auto& items = coll.as_array();
      for (size_t i = 0; i < items.size(); ++i)
        if (!visit(Value::integer(static_cast<int64_t>(i)), items[i])) return false;
      return true;
    }
    case Kind::Object:
      for (const auto& [k, v] : coll.as_object())
        if (!visit(k, v)) return false;
      return true;
    case Kind::Set:
      for (const auto& x : coll.as_set())
        if (!visit(x, x)) return false;
      return true;
    default: return true;
  }
}

// The variable slots of one rule or query invocation. bound[s] is slot s's value, nullptr while it is unbound:
// the frame's own copy in values[s] (Evaluator::bind), or a value that outlives the binding (bind_borrowed: a
// member of a collection being iterated, a function's argument), which needs no copy — no reference count
// taken and dropped for each element `some x in xs` visits. values[s] is null whenever the slot holds no copy.
struct Frame {
  std::vector<Value> values;
  std::vector<const Value*> bound;
  explicit Frame(int n) : values(static_cast<size_t>(n)), bound(static_cast<size_t>(n), nullptr) {}
  Frame(const Frame&) = delete;  // bound points into values
  Frame& operator=(const Frame&) = delete;
};

struct EvalOptions {
  bool strict_builtin_errors = false;
  Cancellation cancel;  // the query's flag and deadline (also handed to built-ins through BuiltinContext)
  const std::function<void(const std::string&)>* print = nullptr;  // print() output; null or empty discards
  Tracer* tracer = nullptr;  // explain events; null = no tracing
  bool in_place = true;      // false: every expression through eval_expr (QueryOptions::general_evaluation)
};

class Evaluator {
 public:
  Evaluator(const CompiledPolicy& policy, const Value& data, const Value* input, BuiltinContext& bctx,
            const EvalOptions& opts)
      : policy_(policy), data_(data), has_input_(input != nullptr), bctx_(bctx), opts_(opts),
        root_memo_(policy.node_count, policy.ref_prefixes.size()), cache_(root_memo_.get()),
        trace_(opts.tracer != nullptr) {
    if (input) input_ = *input;
    if (trace_) [[unlikely]] trace_memo_ = std::make_unique<TraceMemo>();
    adopt_spare_buffers();
  }
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // Evaluates a compiled query body; calls k once per solution with the frame holding its bindings.
  void run(const ast::Body& body, Frame& frame, FunctionRef<bool(Frame&)> k);
  // The value of the document at data.<path> (rules and base data merged); nullopt when undefined.
  std::optional<Value> document(const std::vector<Value>& path);
  // Value of an expression in the last solution (for query results): set by eval_expr for top-level exprs.
  const std::vector<Value>& expression_values() const { return expr_values_; }
  void track_expression_values(size_t n) { expr_values_.assign(n, Value()); track_exprs_ = true; }

  // ---- bodies (eval_body.cpp) ----
  // Evaluates body[i..] and calls k once per solution. Expressions of an in-place shape (ast.h's ExprShape)
  // are evaluated in a loop; the rest through eval_expr with the remaining body as continuation.
  bool eval_body(const ast::Body& body, size_t i, Frame& f, Cont k);
  // The outcome of an expression of a testing shape (all but General, BindLeft, BindRight and SomeIn) evaluated
  // in place, ignoring `not`: Fail when it is false or undefined; General when an operand is not a direct value
  // (or built-ins are replaced by `with`) and eval_expr must evaluate it.
  enum class InPlace { Pass, Fail, General };
  InPlace test_in_place(const ast::Expr& e, Frame& f);
  InPlace binary_in_place(ast::ExprShape op, const ast::Term& call, Frame& f);  // a comparison or `in`
  InPlace call_in_place(const ast::Term& call, Frame& f);
  bool operand_value(const ast::Term& t, Frame& f, const Value*& out);  // direct_value, inlined
  // Reads a call's operands (at most ast::kMaxInlineOperands) as direct values, pointers to where they are:
  // Ready; Undefined at the first undefined one (the call is undefined); General at the first that is not
  // direct (then the call takes the general path).
  enum class Operands { Ready, Undefined, General };
  Operands read_operands(const ast::Term& call, Frame& f, const Value** operands);

  // ---- expressions (eval.cpp) ----
  // with_applied: the expression's `with` modifiers are already in force.
  bool eval_expr(const ast::Expr& e, Frame& f, Cont k, bool with_applied = false);
  bool eval_expr_inner(const ast::Expr& e, Frame& f, Cont k);
  bool eval_with(const ast::Expr& e, size_t i, Frame& f, Cont k);
  bool eval_some_in(const ast::Expr& e, Frame& f, Cont k);
  // `x in <set or array literal>` where x and the literal's elements are all direct (direct_value): the
  // membership without building the collection. `call` is a two-operand built-in call whose second operand is
  // a set or array literal with something to evaluate (eval_expr_inner checks that shape; the compiler marks it
  // ExprShape::MemberOfLiteral for eval_body); NotApplicable when the built-in is not `in` or an operand is not
  // direct.
  enum class Membership { NotApplicable, Undefined, No, Yes };
  Membership member_of_literal(const ast::Term& call, Frame& f);
  bool eval_every(const ast::Expr& e, Frame& f, Cont k);
  bool unify(const ast::Term& a, const ast::Term& b, Frame& f, Cont k);
  bool unify_value(const ast::Term& t, const Value& v, Frame& f, Cont k);

  // ---- terms (eval_terms.cpp) ----
  bool eval_term(const ast::Term& t, Frame& f, ValueCont k);
  // Evaluates ts[i..n) into out[i..n), once per combination of their values.
  bool eval_terms(const ast::TermPtr* ts, size_t n, size_t i, Value* out, Frame& f, Cont k);
  bool eval_terms(const std::vector<ast::TermPtr>& ts, std::vector<Value>& out, Frame& f, Cont k) {
    return eval_terms(ts.data(), ts.size(), 0, out.data(), f, k);
  }
  bool eval_call(const ast::Term& call, Frame& f, ValueCont k);
  bool eval_call_args(const ast::Term& call, size_t nin, Frame& f, FunctionRef<bool(BuiltinArgs)> k);
  bool call_builtin(const ast::Term& call, const Builtin& b, BuiltinArgs args, ValueCont k);
  // A function's arguments are read where they are (a document of base data, a bound value): copying one
  // into an array, as built-ins take them, would touch the reference count of a node every thread shares.
  using FunctionArgs = std::span<const Value* const>;
  bool call_function(const ast::Term& call, const RuleNode& fn, FunctionArgs args, ValueCont k);
  bool call_function(const ast::Term& call, const RuleNode& fn, BuiltinArgs args, ValueCont k);
  // Binds (or unifies) rule's parameters from i on to args, then runs k.
  bool bind_params(const ast::Rule& rule, FunctionArgs args, size_t i, Frame& frame, Cont k);
  bool call_print(const ast::Term& call, Frame& f);
  Value metadata_rule() const;   // rego.metadata.rule()
  Value metadata_chain() const;  // rego.metadata.chain()
  std::vector<const ast::Rule*> rule_stack_;  // the rules being evaluated, innermost last
  Value eval_comprehension(const ast::Term& t, Frame& f);
  bool is_ground(const ast::Term& t, const Frame& f) const;

  // ---- references (eval_refs.cpp) ----
  bool eval_ref(const ast::Term& ref, Frame& f, ValueCont k);
  // Where a ref's path starts: at `start` (input, resolved data, a rule's document in the memo, or a bound
  // variable's value), items[from..] still to apply, looked up as base data or not; or
  // undefined; or, for data refs the compiler could not resolve (or under `with data...`), only by walking the
  // rule tree.
  enum class RefStart { At, Undefined, Walk };
  RefStart ref_start(const ast::Term& ref, Frame& f, const Value*& start, size_t& from, bool& base_doc);
  // Applies the keys of ref from `from` on that are constants, bound variables or direct refs (direct_value)
  // to v; returns the index of the first other key (items.size() when none). v becomes nullptr when a key is
  // missing or undefined.
  size_t lookup_keys(const ast::Term& ref, size_t from, Frame& f, bool base_doc, const Value*& v);
  // The value of a term that has at most one and needs no continuation to find it: a constant, a bound
  // variable, input, or a ref whose keys are constants, bound variables or such refs
  // (`data.users[input.user]`). Returns false for any other term
  // (to be evaluated in full); else sets out (nullptr: undefined). out points at a value that stays where it is
  // while the variables it was read through stay bound.
  bool direct_value(const ast::Term& t, Frame& f, const Value*& out);
  // The memo slot of the document of rule node `node` (resolved by the compiler) when it is not there yet:
  // computes it.
  const std::optional<Value>* rule_document(const RuleNode& node);
  [[noreturn, gnu::noinline, gnu::cold]] void unbound(const ast::Term& var);  // fails: var is not bound
  // Where constant ref prefix `id` (policy.h's RefPrefix) leads, or nullptr when undefined; each is looked up
  // once per evaluation (and again after a `with` changes input or data).
  const Value* prefix_value(uint32_t id) {
    const NodeMemo::PrefixSlot& slot = root_memo_.get()->prefix(id);
    return slot.generation == root_generation_ ? slot.value : lookup_prefix(id);
  }
  const Value* lookup_prefix(uint32_t id);  // prefix_value's first lookup in a generation
  // base_doc: v is (part of) a base document, whose keys a number in the path may name as text.
  bool index_value(const Value& v, const ast::Term& ref, size_t i, Frame& f, ValueCont k, bool base_doc = false);
  bool walk_tree(const RuleNode& node, const Value* base, const ast::Term& ref, size_t i, Frame& f, ValueCont k);
  std::optional<Value> node_document(const RuleNode& node, const Value* base);

  // ---- rules (eval_rules.cpp) ----
  // The value of rule node `node` (nullopt: undefined), computed once per memo: a reference to its memo slot.
  const std::optional<Value>& rule_value(const RuleNode& node);
  // The value of node's default rule (`default p := v`, which has one), in a frame of its own.
  std::optional<Value> default_value(const RuleNode& node);

  // ---- bindings ----
  void bind(Frame& f, int slot, const Value& v) {
    Value& own = f.values[static_cast<size_t>(slot)];
    own = v;
    f.bound[static_cast<size_t>(slot)] = &own;
    trail_.push_back({&f, slot});
  }
  // Binds slot to *v without copying it: v must outlive the binding (an element of a collection whose
  // iteration undoes the binding before it ends, a function's argument, held by the caller during the call).
  void bind_borrowed(Frame& f, int slot, const Value* v) {
    f.bound[static_cast<size_t>(slot)] = v;
    trail_.push_back({&f, slot});
  }
  size_t mark() const { return trail_.size(); }
  void undo(size_t m) {
    while (trail_.size() > m) {
      auto [fr, s] = trail_.back();
      fr->bound[static_cast<size_t>(s)] = nullptr;
      fr->values[static_cast<size_t>(s)] = Value();  // no-op (and no count) for a borrowed binding
      trail_.pop_back();
    }
  }
  const Value* var_value(const ast::Term& v, const Frame& f) const;

  [[noreturn]] void fail(const char* code, std::string message, const Location& loc);
  // A built-in failed: the call is undefined and evaluation goes on. With strict built-in errors the first
  // such error is kept and reported with the results (OPA collects them the same way and returns the first).
  void record_builtin_error(const char* code, std::string message, const Location& loc) {
    if (opts_.strict_builtin_errors && !builtin_error_) builtin_error_ = Error{code, std::move(message), loc};
  }
  const std::optional<Error>& builtin_error() const { return builtin_error_; }
  std::optional<Error> builtin_error_;
  void check_cancel();

  // Frames are recycled: every binding is undone before a rule evaluation returns, so a released frame is
  // clean (all slots unbound) and can serve the next rule without reallocating. An evaluation that ends
  // cleanly hands its frames on to the next evaluation on its thread (adopt_spare_buffers).
  class FrameLease {
   public:
    FrameLease(Evaluator& ev, int n) : ev_(ev) {
      if (ev.free_frames_.empty()) {
        frame_ = std::make_unique<Frame>(n);
      } else {
        frame_ = std::move(ev.free_frames_.back());
        ev.free_frames_.pop_back();
        if (frame_->values.size() < static_cast<size_t>(n)) {
          frame_->values.resize(static_cast<size_t>(n));
          frame_->bound.resize(static_cast<size_t>(n), nullptr);  // a clean frame: no pointer into values
        }
      }
    }
    ~FrameLease() { ev_.free_frames_.push_back(std::move(frame_)); }
    FrameLease(const FrameLease&) = delete;
    FrameLease& operator=(const FrameLease&) = delete;
    Frame& operator*() { return *frame_; }

   private:
    Evaluator& ev_;
    std::unique_ptr<Frame> frame_;
  };
  std::vector<std::unique_ptr<Frame>> free_frames_;
  // Takes this thread's spare trail, rule stack and frames (eval.cpp); the destructor hands them back.
  void adopt_spare_buffers();

  // ---- per-query state ----
  const CompiledPolicy& policy_;
  Value data_;                    // base data (replaced under `with data...`)
  Value input_;
  bool has_input_;
  BuiltinContext& bctx_;
  EvalOptions opts_;
  std::vector<std::pair<Frame*, int>> trail_;

  // Prefix slots (prefix_value) hold pointers into input_ and data_: they count only in the generation they
  // were filled in, and every change of input_ or data_ (`with`) starts a new one.
  uint64_t root_generation_ = NodeMemo::new_generation();

  // Rule values and documents computed so far. `with` and mocks switch cache_ to a memo of their own; the
  // root memo also counts the rule evaluations in progress (recursion detection).
  NodeMemo::Lease root_memo_;
  NodeMemo* cache_;

  // `with` replacements of functions and built-ins: target -> replacement term (a value or a function ref).
  struct Replacement {
    const ast::Term* term = nullptr;  // the `as` term
    Frame* frame = nullptr;           // where to evaluate it
  };
  std::unordered_map<const void*, Replacement> replaced_;
  std::vector<const RuleNode*> overridden_;  // data paths replaced by `with data...`

  // Everything `with` can change, saved and restored around the modified expression.
  struct WithState {
    Value data;
    Value input;
    bool has_input;
    NodeMemo* cache;
    std::unordered_map<const void*, Replacement> replaced;
    std::vector<const RuleNode*> overridden;
  };
  WithState save_state() const { return {data_, input_, has_input_, cache_, replaced_, overridden_}; }
  void restore_state(const WithState& s) {
    root_generation_ = NodeMemo::new_generation();
    data_ = s.data;
    input_ = s.input;
    has_input_ = s.has_input;
    cache_ = s.cache;
    replaced_ = s.replaced;
    overridden_ = s.overridden;
  }
  bool apply_with(const ast::Expr& e, size_t i, Frame& f, std::vector<NodeMemo::Lease>& caches,
                  const WithState& outer, Cont k);

  // ---- tracing (eval_trace.cpp) ----
  // Every hook is behind one test of trace_, so evaluation without a tracer pays nothing else.
  struct TracedNode {
    Value json;        // OPA's AST JSON
    std::string text;  // as the pretty trace prints it
  };
  class TraceQuery {
   public:
    TraceQuery(Evaluator& ev, Frame& frame, const void* names_key);
    ~TraceQuery();
    TraceQuery(const TraceQuery&) = delete;
    TraceQuery& operator=(const TraceQuery&) = delete;

   private:
    Evaluator& ev_;
    uint64_t qid_, parent_;
    Frame* frame_;
    const std::vector<std::string>* names_;
  };
  bool trace_expr(const ast::Body& body, size_t i, Frame& f, Cont k);
  bool trace_negation(const ast::Expr& e, Frame& f);
  bool trace_closure(const ast::Body& body, Frame& f, Cont k);
  void trace_rule(TraceOp op, const ast::Rule& r, const std::string& path);
  void trace_body(TraceOp op, const ast::Body& b);
  void trace_every(TraceOp op, const ast::Expr& e);  // `every`: events of its domain query
  void trace_default(const ast::Rule& rule, const std::string& path, Frame& frame);
  void trace_note(const std::string& message, const Location& loc);
  void trace_index(const RuleNode& node, size_t matched, bool early_exit);
  size_t index_matches(const RuleNode& node) const;
  void register_names(const ast::Rule& rule);
  void register_names(const ast::Body& body);
  const std::vector<std::string>& names_for(const void* key);
  const TracedNode& traced_expr(const ast::Expr& e, size_t index);
  const TracedNode& traced_body(const ast::Body& b);
  void emit(TraceOp op, TraceNodeType type, const TracedNode& node, const Location& loc, std::string message = {});
  const bool trace_;
  uint64_t trace_qid_ = 0, trace_parent_ = 0, next_qid_ = 1;
  Frame* trace_frame_ = nullptr;
  const std::vector<std::string>* trace_names_ = nullptr;
  const ast::Expr* trace_expr_ = nullptr;  // the expression being evaluated (Index events name it)
  // Memos, allocated only when tracing so an untraced evaluation does not build and destroy them.
  struct TraceMemo {
    std::unordered_map<const void*, std::vector<std::string>> slot_names;  // rule/query -> slot -> var name
    std::unordered_map<const void*, TracedNode> nodes;
  };
  std::unique_ptr<TraceMemo> trace_memo_;

  std::vector<Value> expr_values_;
  bool track_exprs_ = false;
  const ast::Body* top_body_ = nullptr;
  int depth_ = 0;
  uint32_t steps_ = 0;
};

}  // namespace rego::eval
