// Bodies: expressions evaluated one after another, most of them in place.
//
// A body's expressions are mostly tests and lookups with one outcome each (`user.active == true`,
// `not denied`, `x := input.user`) and a few generators (`some r in roles`). Evaluating each through eval_expr
// with "the rest of the body" as its continuation costs a call chain per expression; here the compiler's
// shape (ast.h's ExprShape) lets eval_body run such expressions in a loop and recurse only where a generator
// has more than one solution. Every in-place form does exactly what eval_expr does for that expression, and
// falls back to it whenever its operands are not direct values when it runs.
#include "rego/eval.h"

namespace rego::eval {

using ast::ExprShape;
using ast::Term;
using ast::TermKind;

namespace {
bool truthy(const Value& v) { return !(v.is_boolean() && !v.as_bool()); }
Evaluator::InPlace outcome(bool pass) { return pass ? Evaluator::InPlace::Pass : Evaluator::InPlace::Fail; }
}  // namespace

// direct_value with its two commonest cases, a constant and a frame variable, decided without a call.
inline bool Evaluator::operand_value(const Term& t, Frame& f, const Value*& out) {
  if (t.kind == TermKind::Scalar) {
    out = &t.value;
    return true;
  }
  if (t.kind == TermKind::Var && t.slot >= 0) {
    const size_t slot = static_cast<size_t>(t.slot);
    out = f.bound[slot];
    return out != nullptr;
  }
  return direct_value(t, f, out);
}

Evaluator::InPlace Evaluator::test_in_place(const ast::Expr& e, Frame& f) {
  const Term& t = *e.terms[0];
  if (e.shape == ExprShape::Truthy) {
    const Value* v;
    if (!operand_value(t, f, v)) return InPlace::General;
    return outcome(v && truthy(*v));
  }
  // A `with` that replaced built-ins or functions is in force: the general path knows the replacements.
  if (!replaced_.empty()) return InPlace::General;
  if (e.shape == ExprShape::MemberOfLiteral) {
    switch (member_of_literal(t, f)) {
      case Membership::NotApplicable: return InPlace::General;
      case Membership::Undefined:
      case Membership::No: return InPlace::Fail;
      case Membership::Yes: return InPlace::Pass;
    }
  }
  if (e.shape != ExprShape::Test) return binary_in_place(e.shape, t, f);
  return call_in_place(t, f);
}

Evaluator::InPlace Evaluator::binary_in_place(ExprShape op, const Term& call, Frame& f) {
  const Value *a, *b;
  if (!operand_value(*call.items[0], f, a)) return InPlace::General;
  if (!a) return InPlace::Fail;  // an undefined operand: the comparison is undefined
  if (!operand_value(*call.items[1], f, b)) return InPlace::General;
  if (!b) return InPlace::Fail;
  switch (op) {
    case ExprShape::Member: return outcome(member_of(*a, *b));
    case ExprShape::Equal: return outcome(*a == *b);
    case ExprShape::NotEqual: return outcome(*a != *b);
    case ExprShape::Less: return outcome(Value::compare(*a, *b) < 0);
    case ExprShape::LessEqual: return outcome(Value::compare(*a, *b) <= 0);
    case ExprShape::Greater: return outcome(Value::compare(*a, *b) > 0);
    case ExprShape::GreaterEqual: return outcome(Value::compare(*a, *b) >= 0);
    default: return InPlace::General;
  }
}

Evaluator::Operands Evaluator::read_operands(const Term& call, Frame& f, const Value** operands) {
  for (size_t i = 0; i < call.items.size(); ++i) {
    if (!operand_value(*call.items[i], f, operands[i])) return Operands::General;
    if (!operands[i]) return Operands::Undefined;
  }
  return Operands::Ready;
}

Evaluator::InPlace Evaluator::call_in_place(const Term& t, Frame& f) {
  const size_t n = t.items.size();
  const Value* operands[ast::kMaxInlineOperands];
  switch (read_operands(t, f, operands)) {
    case Operands::Ready: break;
    case Operands::Undefined: return InPlace::Fail;  // an undefined operand: the call is undefined
    case Operands::General: return InPlace::General;
  }
  bool pass = false;
  auto test = [&](const Value& v) {
    pass = truthy(v);
    return false;
  };
  if (t.resolved_kind == ast::kResolvedFunction) {
    call_function(t, *static_cast<const RuleNode*>(t.resolved), FunctionArgs(operands, n), test);
  } else {
    // Built-ins take their operands as one array of Values.
    Value args[ast::kMaxInlineOperands];
    for (size_t i = 0; i < n; ++i) args[i] = *operands[i];
    call_builtin(t, *static_cast<const Builtin*>(t.resolved), BuiltinArgs(args, n), test);
  }
  return outcome(pass);
}

bool Evaluator::eval_body(const ast::Body& body, size_t i, Frame& f, Cont k) {
  if (trace_) [[unlikely]] return i == body.size() ? k() : trace_expr(body, i, f, k);
  // The top-level query records every expression's value (and keeps a lone `false`): eval_expr does that.
  const bool in_place = opts_.in_place && !(track_exprs_ && &body == top_body_);
  for (; i < body.size(); ++i) {
    const ast::Expr& e = body[i];
    if (in_place && e.shape != ExprShape::General) {
      if ((++steps_ & 1023) == 0) check_cancel();
      switch (e.shape) {
        case ExprShape::BindLeft:
        case ExprShape::BindRight: {
          if (e.negated) break;
          const Term& call = *e.terms[0];
          const bool left = e.shape == ExprShape::BindLeft;
          const Term& var = *call.items[left ? 0 : 1];
          const Value* v;
          if (!operand_value(*call.items[left ? 1 : 0], f, v)) break;
          if (!v) return true;
          const size_t slot = static_cast<size_t>(var.slot);
          if (f.bound[slot]) {
            if (*f.bound[slot] != *v) return true;
            continue;
          }
          size_t m = mark();
          bind(f, var.slot, *v);
          bool more = eval_body(body, i + 1, f, k);
          undo(m);
          return more;
        }
        case ExprShape::SomeIn: {
          const Term* key = e.terms.size() == 3 ? e.terms[0].get() : nullptr;
          const Term& val = *e.terms[e.terms.size() - 2];
          if (f.bound[static_cast<size_t>(val.slot)] || (key && f.bound[static_cast<size_t>(key->slot)])) break;
          const Value* coll;
          if (!operand_value(*e.terms.back(), f, coll)) break;
          if (!coll) return true;
          return for_each_member(*coll, [&](const Value& member_key, const Value& member) {
            size_t m = mark();
            if (key) {
              // An array's index is a Value made for this call: copied. Object keys and set elements live
              // in the collection.
              if (coll->is_array()) bind(f, key->slot, member_key);
              else bind_borrowed(f, key->slot, &member_key);
            }
            bind_borrowed(f, val.slot, &member);
            bool more = eval_body(body, i + 1, f, k);
            undo(m);
            return more;
          });
        }
        default: {
          InPlace r = test_in_place(e, f);
          if (r == InPlace::General) break;
          if ((r == InPlace::Pass) == e.negated) return true;
          continue;
        }
      }
    }
    return eval_expr(e, f, [&] { return eval_body(body, i + 1, f, k); });
  }
  return k();
}

}  // namespace rego::eval
