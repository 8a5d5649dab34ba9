// Classifies expressions for the evaluator's in-place forms (ast.h's ExprShape; eval_body.cpp runs them).
//
// The test is syntactic: a shape says an expression *may* be evaluated in place. Whether operands are direct
// values (bound variables, constants, refs without keys to enumerate) is only known when it runs, and
// eval_body falls back to the general evaluator whenever it is not so; a shape never changes what an
// expression means.
#include "rego/builtins/registry.h"
#include "rego/compiler.h"

namespace rego::compiler {
namespace {

using ast::ExprShape;
using ast::Term;
using ast::TermKind;

// A term Evaluator::direct_value may read without a continuation.
bool maybe_direct(const Term& t) {
  switch (t.kind) {
    case TermKind::Scalar: return true;
    case TermKind::Var: return t.slot >= 0 || t.slot == ast::kInputRoot;
    case TermKind::Ref: return t.items[0]->kind == TermKind::Var;
    case TermKind::Array:
    case TermKind::Set:
    case TermKind::Object: return t.constant_literal;
    default: return false;
  }
}

// Whether every one of terms (a call's operands, a literal's elements) may be a direct value.
bool all_maybe_direct(const std::vector<ast::TermPtr>& terms) {
  for (const auto& t : terms)
    if (!maybe_direct(*t)) return false;
  return true;
}

// `x in {a, b}` / `x in [a, b]` whose literal has terms to evaluate, all of them and x direct:
// Evaluator::member_of_literal reads it in place. (A constant literal is a direct operand: Member.)
bool direct_membership_literal(const Term& call, const Builtin& b) {
  if (b.name != "internal.member_2") return false;
  const Term& coll = *call.items[1];
  if (coll.constant_literal || (coll.kind != TermKind::Set && coll.kind != TermKind::Array)) return false;
  return all_maybe_direct(coll.items) && maybe_direct(*call.items[0]);
}

ExprShape comparison(const std::string& name) {
  if (name == "equal") return ExprShape::Equal;
  if (name == "neq") return ExprShape::NotEqual;
  if (name == "lt") return ExprShape::Less;
  if (name == "lte") return ExprShape::LessEqual;
  if (name == "gt") return ExprShape::Greater;
  if (name == "gte") return ExprShape::GreaterEqual;
  return ExprShape::General;
}

bool is_frame_var(const Term& t) { return t.kind == TermKind::Var && t.slot >= 0; }

ExprShape classify_call(const Term& call) {
  if (call.resolved_kind == ast::kResolvedEq || call.resolved_kind == ast::kResolvedAssign) {
    const Term& a = *call.items[0];
    const Term& b = *call.items[1];
    if (is_frame_var(a) && maybe_direct(b)) return ExprShape::BindLeft;
    if (call.resolved_kind == ast::kResolvedEq && is_frame_var(b) && maybe_direct(a)) return ExprShape::BindRight;
    return ExprShape::General;
  }
  if (call.resolved_kind == ast::kResolvedFunction) {
    // A user function called for its truth (`action_matches(perm.actions, input.action)`); with one more
    // operand than its arity the last one receives the value and the call stays general.
    const auto& fn = *static_cast<const eval::RuleNode*>(call.resolved);
    if (call.items.size() != fn.arity || call.items.size() > ast::kMaxInlineOperands) return ExprShape::General;
    return all_maybe_direct(call.items) ? ExprShape::Test : ExprShape::General;
  }
  if (call.resolved_kind != ast::kResolvedBuiltin) return ExprShape::General;
  const Builtin& b = *static_cast<const Builtin*>(call.resolved);
  // Relations yield many values and nondeterministic built-ins are memoised per query: both stay general.
  if (b.relation || b.nondeterministic || call.items.size() != static_cast<size_t>(b.arity) ||
      call.items.size() > ast::kMaxInlineOperands)
    return ExprShape::General;
  if (direct_membership_literal(call, b)) return ExprShape::MemberOfLiteral;
  if (!all_maybe_direct(call.items)) return ExprShape::General;
  if (b.name == "internal.member_2") return ExprShape::Member;
  ExprShape cmp = comparison(b.name);
  return cmp != ExprShape::General ? cmp : ExprShape::Test;
}

}  // namespace

ExprShape classify_expr(const ast::Expr& e) {
  if (!e.with.empty()) return ExprShape::General;
  switch (e.kind) {
    case ast::ExprKind::Term: {
      const Term& t = *e.terms[0];
      if (t.kind == TermKind::Call) return classify_call(t);
      return maybe_direct(t) ? ExprShape::Truthy : ExprShape::General;
    }
    case ast::ExprKind::SomeIn: {
      const Term& value = *e.terms[e.terms.size() - 2];
      const Term* key = e.terms.size() == 3 ? e.terms[0].get() : nullptr;
      if (!is_frame_var(value) || (key && (!is_frame_var(*key) || key->slot == value.slot))) return ExprShape::General;
      return maybe_direct(*e.terms.back()) ? ExprShape::SomeIn : ExprShape::General;
    }
    case ast::ExprKind::SomeDecl:
    case ast::ExprKind::Every: return ExprShape::General;
  }
  return ExprShape::General;
}

}  // namespace rego::compiler
