// The Rego abstract syntax tree, as the parser produces it and the compiler annotates it.
//
// The tree mirrors OPA's ast package (Term, Expr, Body, Rule, Module) in a few plain structs. The parser
// fills in everything except the fields marked "compiler", which the compiler sets when it resolves names;
// after compilation the tree is immutable and shared read-only by every evaluation.
//
// Operators are desugared by the parser into calls, exactly as OPA does:
//   a = b -> eq(a, b)      a := b -> assign(a, b)    a == b -> equal(a, b)   a != b -> neq(a, b)
//   < <= > >= -> lt lte gt gte     + - * / % -> plus minus mul div rem     & | -> and or
//   x in xs -> internal.member_2(x, xs)    k, v in xs -> internal.member_3(k, v, xs)
//   unary minus on a non-literal -> minus(0, x)  (a negative literal stays a number)
// A call's operator is its name as a dotted string ("plus", "io.jwt.decode", "data.pkg.f").
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rego/error.h"
#include "rego/value.h"

namespace rego::ast {

struct Term;
struct Expr;
struct Rule;
using TermPtr = std::shared_ptr<Term>;
using Body = std::vector<Expr>;
using RulePtr = std::shared_ptr<Rule>;

enum class TermKind : uint8_t {
  Scalar,           // value holds null/boolean/number/string
  Var,              // name; "_" is the wildcard (each occurrence a fresh var, renamed by the parser to "$_N")
  Ref,              // items[0] is the head (Var, or any term: `[1,2][0]`, `f(x).y`), items[1..] the path
  Array,            // items
  Set,              // items (parser: `set()` and `{a, b}`)
  Object,           // items as key/value pairs: items[2i] key, items[2i+1] value
  ArrayCompr,       // items[0] head; body
  SetCompr,         // items[0] head; body
  ObjectCompr,      // items[0] key, items[1] value; body
  Call,             // name (operator, dotted); items = args
  TemplateString,   // $"a{x}b": items alternate literal String scalars and expression Terms; name = "" (see parts).
                    // An interpolation with `with` modifiers is a SetCompr named kTemplateWithMarker whose
                    // elements are the interpolated values.
};

struct Term {
  TermKind kind = TermKind::Scalar;
  Location loc;
  Value value;              // Scalar
  std::string name;         // Var name / Call operator
  std::vector<TermPtr> items;
  Body body;                // comprehensions
  // TemplateString: for each item, true when it is literal text, false when it is an interpolated expression.
  std::vector<bool> literal_parts;

  // ---- compiler ----
  int slot = -1;            // Var: frame slot of the enclosing rule/query; kDataRoot/kInputRoot for those roots;
                            // comprehensions: first slot local to the comprehension (lower slots are captured)
  const void* resolved = nullptr;  // Call: compiler-owned target (see resolved_kind); Ref: see kResolvedRuleRef
  uint8_t resolved_kind = 0;       // Call: 0 unresolved, kResolvedBuiltin, kResolvedFunction; Ref: 0 or below
  uint32_t resolved_depth = 0;     // Ref with kResolvedRuleRef: the items up to the rule node (data.a.r -> 3)
  // Ref of a policy's rule into input, plain base data (kResolvedBaseRef) or a rule's path in base data
  // (kResolvedRuleRef): items[1..const_prefix) are constants naming one place for a whole evaluation, the
  // policy's RefPrefix prefix_id (policy.h). prefix_id 0: none.
  uint32_t prefix_id = 0;
  uint32_t const_prefix = 0;
  // Array, Set or Object whose items are all constants (scalars or such literals): the whole value, built once
  // by the compiler instead of on every evaluation (`x in {"read", "export"}`); null otherwise.
  bool constant_literal = false;
  Value literal_value;
  // ---- evaluator ----
  KeyHint key_hint;  // a string Scalar used as a ref's key: where objects looked up with it last had it
};

inline constexpr const char* kTemplateWithMarker = "$template-with";
inline constexpr int kDataRoot = -2;
inline constexpr int kInputRoot = -3;
inline constexpr uint8_t kResolvedBuiltin = 1;   // resolved -> const rego::Builtin*
inline constexpr uint8_t kResolvedFunction = 2;  // resolved -> const rego::eval::RuleNode*
inline constexpr uint8_t kResolvedEq = 3;        // unification `=`
inline constexpr uint8_t kResolvedAssign = 4;    // `:=`
inline constexpr uint8_t kResolvedPrint = 5;     // print(...), variadic
inline constexpr uint8_t kResolvedMetadataRule = 6;   // rego.metadata.rule(): the evaluating rule's METADATA
inline constexpr uint8_t kResolvedMetadataChain = 7;  // rego.metadata.chain(): rule and package METADATA
// A data ref whose constant prefix the compiler followed through the rule tree, so evaluation need not walk
// it (while no `with data...` is in force): kResolvedBaseRef leaves the tree before reaching any rule, so it
// is plain base data; kResolvedRuleRef reaches the rules of node `resolved` after resolved_depth items.
inline constexpr uint8_t kResolvedBaseRef = 8;
inline constexpr uint8_t kResolvedRuleRef = 9;  // resolved -> const rego::eval::RuleNode*

// `with target as value`
struct With {
  TermPtr target;  // a Ref (input..., data..., or a function/built-in name as a Ref/Var)
  TermPtr value;
  Location loc;
};

enum class ExprKind : uint8_t {
  Term,       // terms[0]: any term; usually a Call (operators included), else a Ref/Var/Scalar whose truth is tested
  SomeDecl,   // `some a, b`: terms are the Vars (no collection) ...
  SomeIn,     // `some v in xs` / `some k, v in xs`: terms = [value, collection] or [key, value, collection]
  Every,      // `every v in xs { body }` / `every k, v in xs { body }`: terms = [key or null-Scalar, value, domain]
};

// How the evaluator can run an expression (compiler: classify_expr, expr_shape.cpp). Every shape but General
// names a form eval_body evaluates in place, without a continuation per expression; whether it may is checked
// again when it runs (operands must turn out to be direct values, see Evaluator::direct_value), and anything
// else falls back to eval_expr, which handles every expression.
enum class ExprShape : uint8_t {
  General,  // anything: eval_expr
  Truthy,   // a constant, variable or ref tested for truth: `user_active`, `not input.locked`
  Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual,  // `a == b`, `a != b`, `a < b`, ... on two operands
  Member,   // `x in xs` (internal.member_2) on two operands, `xs` a constant literal included
  MemberOfLiteral,  // `x in {a, b}` / `x in [a, b]` whose literal holds terms to evaluate
  Test,     // another built-in or a function called with its operands, tested for truth: `net.cidr_contains(c, ip)`,
            // `action_matches(perm.actions, input.action)`
  BindLeft,   // `x := t`, `x = t`: terms[0]'s items[0] is a variable of the frame
  BindRight,  // `t = x`
  SomeIn,   // `some v in xs`, `some k, v in xs` with v (and k) variables of the frame
};

// Operands a built-in call evaluated in place (Test) may have: the evaluator reads them into a fixed array.
inline constexpr size_t kMaxInlineOperands = 3;

struct Expr {
  ExprKind kind = ExprKind::Term;
  ExprShape shape = ExprShape::General;  // compiler
  bool negated = false;       // `not ...`
  Location loc;
  std::vector<TermPtr> terms;
  Body body;                  // Every
  std::vector<With> with;
  bool generated = false;     // introduced by the compiler (not shown in results)
  int closure_base = -1;      // compiler: Every: first slot local to the body (lower slots are captured)
};

enum class RuleKind : uint8_t {
  Complete,    // p := v / p = v / p if {...} (value true) / ref heads without a var key
  PartialSet,  // p contains x / p[x] (v0)
  PartialObj,  // p[k] := v, and ref heads whose last path term is a var (multi-value objects)
  Function,    // f(args) := v
};

struct RuleHead {
  // The rule's reference relative to its package: `p`, `p.q[r]`, `a["b"].c`. items[0] is a Var (the
  // first name); later items are Scalars (strings for `.x`) or Vars/terms for `[expr]`.
  std::vector<TermPtr> ref;
  RuleKind kind = RuleKind::Complete;
  TermPtr key;                 // PartialSet: the element; PartialObj: the key
  TermPtr value;               // Complete/PartialObj/Function: the value (Scalar true when omitted)
  std::vector<TermPtr> args;   // Function
  bool assign = false;         // written with :=
  Location loc;
};

struct Rule {
  Location loc;
  bool is_default = false;
  RuleHead head;
  Body body;                   // empty body = unconditionally true
  RulePtr else_rule;           // the next `else` in the chain (head.value and body set; args as the parent)
  Value annotations;           // METADATA for this rule (object) or null
  std::string module_file;     // the file the rule came from

  // ---- compiler ----
  int num_slots = 0;
  const struct Module* module = nullptr;  // the module the rule belongs to (for rego.metadata.chain)
};

struct Import {
  std::vector<TermPtr> path;   // as a Ref: [Var input|data|future|rego, Scalar "a", ...]
  std::string alias;           // `as x`, or ""
  Location loc;
};

struct Module {
  std::shared_ptr<const SourceFile> source;
  // Package path as strings, without the leading "data": `package a.b["c-d"]` -> {"a", "b", "c-d"}.
  std::vector<std::string> package;
  Location package_loc;
  std::vector<Import> imports;
  std::vector<RulePtr> rules;
  Value package_annotations;   // METADATA with scope package/subpackages, or null
  std::vector<Value> annotations;  // every METADATA block in the file, in order (for rego.metadata.*)
  bool rego_v1 = true;         // parsed as Rego v1 (false in --v0-compatible mode)
  // Every `#` comment in source order (location covers '#' to the end of the line): the formatter keeps them.
  std::vector<Location> comments;
};

// A ref's dotted form for messages: data.a.b["c"][x].
std::string ref_to_string(const std::vector<TermPtr>& ref);
// Any term back to Rego source (for error messages and `text`).
std::string term_to_string(const Term& t);
std::string expr_to_string(const Expr& e);
std::string body_to_string(const Body& b);  // expressions joined by "; "

}  // namespace rego::ast
