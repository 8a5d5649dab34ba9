// The evaluator's side of tracing: turning AST nodes and frames into TraceEvents (see trace.h).
//
// Everything here runs only when a tracer is set; the evaluation paths test Evaluator::trace_ once and
// come here. Nodes are serialised when an event is made (memoised per node) because events outlive the query.
#include <algorithm>

#include "rego/ast_json.h"
#include "rego/eval.h"

namespace rego::eval {

using ast::Term;
using ast::TermKind;

namespace {

void collect_names(const Term& t, std::vector<std::string>& names);

void collect_body_names(const ast::Body& b, std::vector<std::string>& names) {
  for (const auto& e : b) {
    for (const auto& t : e.terms) collect_names(*t, names);
    for (const auto& w : e.with) collect_names(*w.value, names);
    collect_body_names(e.body, names);
  }
}

void collect_names(const Term& t, std::vector<std::string>& names) {
  if (t.kind == TermKind::Var && t.slot >= 0) {
    if (names.size() <= static_cast<size_t>(t.slot)) names.resize(static_cast<size_t>(t.slot) + 1);
    names[static_cast<size_t>(t.slot)] = t.name;
  }
  for (const auto& i : t.items) collect_names(*i, names);
  collect_body_names(t.body, names);
}

// An expression as OPA's trace prints it: OPA compiles `x := v` to `x = v` before evaluating, so that is
// what its events show; everything else as Rego source (calls in prefix form, as OPA's Expr.String does).
std::string expr_text(const ast::Expr& e) {
  const Term& t = *e.terms[0];
  if (!(e.kind == ast::ExprKind::Term && t.kind == TermKind::Call && t.resolved_kind == ast::kResolvedAssign &&
        t.items.size() == 2))
    return ast::expr_to_string(e);
  std::string out = (e.negated ? "not " : "") + ast::term_to_string(*t.items[0]) + " = " + ast::term_to_string(*t.items[1]);
  for (const ast::With& w : e.with) out += " with " + ast::term_to_string(*w.target) + " as " + ast::term_to_string(*w.value);
  return out;
}

Value without_negation(const Value& expr_json) {
  std::vector<ObjectEntry> out;
  for (const auto& [k, v] : expr_json.as_object())
    if (!(k.is_string() && k.as_string() == "negated")) out.emplace_back(k, v);
  return Value::object(std::move(out));
}

}  // namespace

// Opens a child query (OPA's eval.child/closure) for the lifetime of the scope: events inside carry a fresh
// query id whose parent is the enclosing query, and report the locals of `frame`.
Evaluator::TraceQuery::TraceQuery(Evaluator& ev, Frame& frame, const void* names_key)
    : ev_(ev), qid_(ev.trace_qid_), parent_(ev.trace_parent_), frame_(ev.trace_frame_), names_(ev.trace_names_) {
  ev.trace_parent_ = ev.trace_qid_;
  ev.trace_qid_ = ev.next_qid_++;
  ev.trace_frame_ = &frame;
  if (names_key) ev.trace_names_ = &ev.names_for(names_key);
}

Evaluator::TraceQuery::~TraceQuery() {
  ev_.trace_qid_ = qid_;
  ev_.trace_parent_ = parent_;
  ev_.trace_frame_ = frame_;
  ev_.trace_names_ = names_;
}

const std::vector<std::string>& Evaluator::names_for(const void* key) {
  auto it = trace_memo_->slot_names.find(key);
  if (it != trace_memo_->slot_names.end()) return it->second;
  return trace_memo_->slot_names[key];
}

void Evaluator::register_names(const ast::Rule& rule) {
  auto& names = trace_memo_->slot_names[&rule];
  if (!names.empty()) return;
  for (const ast::Rule* r = &rule; r; r = r->else_rule.get()) {
    for (const auto& t : r->head.args) collect_names(*t, names);
    for (const auto& t : r->head.ref) collect_names(*t, names);
    if (r->head.key) collect_names(*r->head.key, names);
    if (r->head.value) collect_names(*r->head.value, names);
    collect_body_names(r->body, names);
  }
}

void Evaluator::register_names(const ast::Body& body) {
  auto& names = trace_memo_->slot_names[&body];
  if (names.empty()) collect_body_names(body, names);
}

void Evaluator::emit(TraceOp op, TraceNodeType type, const TracedNode& node, const Location& loc,
                     std::string message) {
  TraceEvent ev;
  ev.message = std::move(message);
  ev.op = op;
  ev.query_id = trace_qid_;
  ev.parent_id = trace_parent_;
  ev.type = type;
  ev.node = node.json;
  ev.node_text = node.text;
  ev.file = loc.file_name();
  ev.row = loc.row;
  ev.col = loc.col;
  if (trace_frame_ && trace_names_) {
    const Frame& f = *trace_frame_;
    const auto& names = *trace_names_;
    for (size_t s = 0; s < f.bound.size() && s < names.size(); ++s)
      if (f.bound[s] && !names[s].empty()) ev.locals.emplace_back(names[s], *f.bound[s]);
    std::sort(ev.locals.begin(), ev.locals.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  opts_.tracer->event(std::move(ev));
}

const Evaluator::TracedNode& Evaluator::traced_expr(const ast::Expr& e, size_t index) {
  auto [it, fresh] = trace_memo_->nodes.try_emplace(&e);
  if (fresh) it->second = {ast::expr_to_value(e, index), expr_text(e)};
  return it->second;
}

const Evaluator::TracedNode& Evaluator::traced_body(const ast::Body& b) {
  auto [it, fresh] = trace_memo_->nodes.try_emplace(&b);
  if (fresh) {
    std::string text;
    for (const auto& e : b) text += (text.empty() ? "" : "; ") + expr_text(e);
    it->second = {ast::body_to_value(b), text};
  }
  return it->second;
}

void Evaluator::trace_rule(TraceOp op, const ast::Rule& r, const std::string& path) {
  auto [it, fresh] = trace_memo_->nodes.try_emplace(&r);
  if (fresh) it->second = {ast::rule_to_value(r), path};
  emit(op, TraceNodeType::Rule, it->second, r.loc);
}

void Evaluator::trace_every(TraceOp op, const ast::Expr& e) {
  emit(op, TraceNodeType::Expr, traced_expr(e, 0), e.loc);
}

// The default rule, when no other definition produced a value: OPA evaluates its (empty) body as a child
// query, so it shows as Enter, Exit and Redo of the rule.
void Evaluator::trace_default(const ast::Rule& rule, const std::string& path, Frame& frame) {
  TraceQuery child(*this, frame, nullptr);
  trace_rule(TraceOp::Enter, rule, path);
  trace_rule(TraceOp::Exit, rule, path);
  trace_rule(TraceOp::Redo, rule, path);
}

void Evaluator::trace_body(TraceOp op, const ast::Body& b) {
  emit(op, TraceNodeType::Body, traced_body(b), b.empty() ? Location{} : b[0].loc);
}

void Evaluator::trace_note(const std::string& message, const Location& loc) {
  TraceEvent ev;
  ev.op = TraceOp::Note;
  ev.query_id = trace_qid_;
  ev.parent_id = trace_parent_;
  ev.file = loc.file_name();
  ev.row = loc.row;
  ev.col = loc.col;
  ev.message = message;
  opts_.tracer->event(std::move(ev));
}

// OPA reports every rule lookup, cached or not, against the expression being evaluated:
// "Index data.x.p (matched 2 rules, early exit)". Early exit: every candidate gives the same constant.
void Evaluator::trace_index(const RuleNode& node, size_t matched, bool early_exit) {
  if (!trace_expr_) return;
  std::string msg = matched == 1 ? "(matched 1 rule" : "(matched " + std::to_string(matched) + " rules";
  if (early_exit) msg += ", early exit";
  msg += ")";
  auto it = trace_memo_->nodes.find(trace_expr_);
  TracedNode n{it == trace_memo_->nodes.end() ? Value() : it->second.json, node.path};
  emit(TraceOp::Index, TraceNodeType::Expr, n, trace_expr_->loc, std::move(msg));
}

size_t Evaluator::index_matches(const RuleNode& node) const {
  if (!node.index) return node.rules.size();
  const Value* v = has_input_ ? &input_ : nullptr;
  for (const auto& key : node.index->input_path) v = v && v->is_object() ? v->get(key) : nullptr;
  size_t n = node.index->unindexed.size();
  if (v) {
    auto it = node.index->by_value.find(*v);
    if (it != node.index->by_value.end()) n += it->second.size();
  }
  return n;
}

// Eval, then Redo after each solution has been followed to its end, or Fail when there was none.
bool Evaluator::trace_expr(const ast::Body& body, size_t i, Frame& f, Cont k) {
  const ast::Expr& e = body[i];
  const TracedNode& node = traced_expr(e, i);
  const ast::Expr* outer = trace_expr_;
  trace_expr_ = &e;
  emit(TraceOp::Eval, TraceNodeType::Expr, node, e.loc);
  // OPA reports each unification as a Unify event (kept only by explain=debug); trex reports the `=`/`:=`
  // expressions themselves, with the locals bound before the unification.
  if (e.kind == ast::ExprKind::Term && !e.negated && e.terms[0]->kind == TermKind::Call &&
      (e.terms[0]->resolved_kind == ast::kResolvedEq || e.terms[0]->resolved_kind == ast::kResolvedAssign))
    emit(TraceOp::Unify, TraceNodeType::Expr, node, e.loc);
  bool defined = false;
  bool r = eval_expr(e, f, [&] {
    defined = true;
    const ast::Expr* inner = trace_expr_;
    bool more = eval_body(body, i + 1, f, k);
    trace_expr_ = inner;
    // A negated expression is not redone: it succeeds once, when its body fails.
    if (!e.negated) emit(TraceOp::Redo, TraceNodeType::Expr, node, e.loc);
    return more;
  });
  if (!defined) emit(TraceOp::Fail, TraceNodeType::Expr, node, e.loc);
  trace_expr_ = outer;
  return r;
}

// `not e` runs e as a child query of one expression (OPA's evalNot); true when e has a solution.
bool Evaluator::trace_negation(const ast::Expr& e, Frame& f) {
  auto [it, fresh] = trace_memo_->nodes.try_emplace(reinterpret_cast<const char*>(&e) + 1);
  if (fresh) {
    std::string text = expr_text(e);
    if (text.rfind("not ", 0) == 0) text = text.substr(4);
    Value inner = without_negation(ast::expr_to_value(e, 0));
    it->second = {inner, text};
  }
  const TracedNode inner = it->second;
  const TracedNode body{Value::array({inner.json}), inner.text};
  TraceQuery child(*this, f, nullptr);
  emit(TraceOp::Enter, TraceNodeType::Body, body, e.loc);
  emit(TraceOp::Eval, TraceNodeType::Expr, inner, e.loc);
  bool found = false;
  eval_expr_inner(e, f, [&] {
    found = true;
    emit(TraceOp::Exit, TraceNodeType::Body, body, e.loc);
    emit(TraceOp::Redo, TraceNodeType::Body, body, e.loc);
    emit(TraceOp::Redo, TraceNodeType::Expr, inner, e.loc);
    return false;
  });
  if (!found) emit(TraceOp::Fail, TraceNodeType::Expr, inner, e.loc);
  return found;
}

// A comprehension, or the body of `every` for one member: a closure query with Enter, Exit and Redo.
bool Evaluator::trace_closure(const ast::Body& body, Frame& f, Cont k) {
  TraceQuery child(*this, f, nullptr);
  trace_body(TraceOp::Enter, body);
  return eval_body(body, 0, f, [&] {
    trace_body(TraceOp::Exit, body);
    bool more = k();
    trace_body(TraceOp::Redo, body);
    return more;
  });
}

}  // namespace rego::eval
