// Module assembly, after all statements parsed: OPA's parseModule (package first, bodies turned into rules by
// ParseRuleFromExpr), the Rego v1 checks (CheckRegoV1) and METADATA attachment (attachAnnotationsNodes).
#include <algorithm>

#include "rego/parser_impl.h"

namespace rego::parser_detail {
namespace {

// Infix operators are built-ins: `a == b` alone at the top of a module cannot define a rule. (OPA checks every
// built-in name here; the parser only knows the operators.)
bool is_operator_builtin(const std::string& name) {
  static const char* const kOps[] = {"equal", "neq", "lt", "lte", "gt", "gte", "plus", "minus", "mul", "div",
                                     "rem", "and", "or", "internal.member_2", "internal.member_3"};
  for (const char* op : kOps)
    if (name == op) return true;
  return false;
}

bool is_v1_keyword(const std::string& s) {
  static const char* const kAll[] = {"not", "package", "import", "as", "default", "else", "with", "null",
                                     "true", "false", "some", "if", "contains", "in", "every"};
  for (const char* k : kAll)
    if (s == k) return true;
  return false;
}

const char* type_name(Stmt::Kind k) {
  switch (k) {
    case Stmt::Kind::Package: return "package";
    case Stmt::Kind::Import: return "import";
    default: return "rule";
  }
}

// The ref up to its first non-ground item, as text (OPA's Ref.GroundPrefix, for document-scope metadata).
std::string ground_prefix(const std::vector<TermPtr>& ref) {
  size_t n = 1;
  while (n < ref.size() && is_ground(*ref[n])) ++n;
  return ast::ref_to_string(std::vector<TermPtr>(ref.begin(), ref.begin() + static_cast<long>(n)));
}

}  // namespace

void Parser::rule_from_body(Stmt& st) {
  const Location& loc = st.body[0].loc;
  auto fail = [&](std::string msg) { st.errors.push_back(Error{code::kParse, std::move(msg), loc}); };
  if (st.body.size() != 1) return fail("multiple expressions cannot be used for rule head");
  ast::Expr& e = st.body[0];
  if (!e.with.empty()) return fail("expressions using with keyword cannot be used for rule head");
  if (e.negated) return fail("negated expressions cannot be used for rule head");
  if (e.kind == ast::ExprKind::SomeDecl || e.kind == ast::ExprKind::SomeIn)
    return fail("'some' declarations cannot be used for rule head");
  if (e.kind == ast::ExprKind::Every) return fail("expression cannot be used for rule head");

  const TermPtr& t = e.terms[0];
  HeadP head;
  RuleFlags flags;
  flags.generated_body = true;
  Location rule_loc = loc;
  if (t->kind != TermKind::Call) {
    if (t->kind != TermKind::Ref) return fail(std::string(value_name(*t)) + " cannot be used for rule name");
    const auto& ref = t->items;
    if (ref[0]->kind != TermKind::Var) {
      if (ref.size() == 1) return fail("refs cannot be used for rule head");
      return fail("invalid rule head: " + ast::ref_to_string(ref));
    }
    if (ref.size() > 2) {
      // `a.b.c`: a complete rule with value true (rejected by the v1 checks: neither value nor body).
      head.ref = ref;
      head.generated_value = true;
      head.value = make_bool(true, t->loc);
    } else if (ref.size() == 2) {
      head.ref = {ref[0]};  // `p[x]`: a partial set (v0)
      head.key = ref[1];
    } else {
      return fail("refs cannot be used for rule head");
    }
    head.loc = t->loc;
    rule_loc = t->loc;
  } else if ((t->name == "eq" || t->name == "assign") && t->items.size() == 2) {
    const TermPtr& lhs = t->items[0];
    const TermPtr& rhs = t->items[1];
    if (lhs->kind == TermKind::Call) {
      std::vector<TermPtr> op = call_operator(*lhs);
      if (op[0]->kind != TermKind::Var) return fail("call cannot be used for rule name");
      head.ref = std::move(op);  // `f(x) = y`
      head.args = lhs->items;
      head.is_call = true;
    } else if (lhs->kind == TermKind::Ref) {
      if (lhs->items[0]->kind != TermKind::Var) return fail("invalid rule head: " + ast::ref_to_string(lhs->items));
      head.ref = lhs->items;  // `p.q = 1`, `p[x] = y`
      if (head.ref.size() == 2) head.key = head.ref[1];
    } else if (lhs->kind == TermKind::Var) {
      head.ref = {lhs};  // `p = 1`
    } else {
      return fail(std::string(value_name(*lhs)) + " cannot be used for rule name");
    }
    head.value = rhs;
    head.assign = t->name == "assign";
    head.loc = loc;
  } else {
    if (is_operator_builtin(t->name)) return fail("rule name conflicts with built-in function");
    if (t->items.empty()) return fail("rule argument list must take at least one argument");
    std::vector<TermPtr> op = call_operator(*t);
    if (op[0]->kind != TermKind::Var) return fail("invalid rule head: " + ast::ref_to_string(op));
    head.ref = std::move(op);  // `f(x)`: a function with value true
    head.args = t->items;
    head.is_call = true;
    head.value = make_bool(true, t->loc);
    head.loc = t->loc;
    rule_loc = t->loc;
  }
  st.rule = make_rule(std::move(head), flags, rule_loc);
}

ast::Module Parser::build_module(std::vector<Stmt>& stmts, std::vector<Annotation>& annotations) {
  ast::Module m;
  m.source = file_;
  m.rego_v1 = v1() || rego_v1_import_;
  if (stmts.empty()) {
    Location loc;
    loc.file = file_;
    throw RegoErrors({Error{code::kParse, "empty module", loc}});
  }
  Errors errs;
  if (stmts[0].kind != Stmt::Kind::Package) {
    errs.push_back(Error{code::kParse, "package expected", stmts[0].loc});
  } else {
    m.package = std::move(stmts[0].package);
    m.package_loc = stmts[0].loc;
  }
  for (size_t i = 1; i < stmts.size(); ++i) {
    Stmt& st = stmts[i];
    switch (st.kind) {
      case Stmt::Kind::Import:
        m.imports.push_back(st.import);
        break;
      case Stmt::Kind::Rule:
        m.rules.push_back(st.rule);
        break;
      case Stmt::Kind::Body:
        if (st.errors.empty()) {
          m.rules.push_back(st.rule);
        } else {
          errs.insert(errs.end(), st.errors.begin(), st.errors.end());
        }
        break;
      case Stmt::Kind::Package:
        errs.push_back(Error{code::kParse, "unexpected package", st.loc});
        break;
    }
  }

  if (m.rego_v1) {
    std::sort(flags_.begin(), flags_.end(), [](auto& a, auto& b) { return a.first < b.first; });
    auto flags_of = [&](const ast::Rule* r) -> RuleFlags {
      auto it = std::lower_bound(flags_.begin(), flags_.end(), r, [](auto& e, const ast::Rule* p) { return e.first < p; });
      return it != flags_.end() && it->first == r ? it->second : RuleFlags{};
    };
    for (auto& rule : m.rules) {
      for (const ast::Rule* r = rule.get(); r; r = r->else_rule.get()) {
        const RuleFlags f = flags_of(r);
        const std::string t = r->head.args.empty() ? "rule" : "function";
        if (r->head.ref.size() < 2 && is_v1_keyword(r->head.ref[0]->name))
          errs.push_back(Error{code::kParse, r->head.ref[0]->name + " keyword cannot be used for rule name", r->loc});
        if (f.generated_body && f.generated_value)
          errs.push_back(Error{code::kParse, t + " must have value assignment and/or body declaration", r->loc});
        if (!f.generated_body && !f.has_if && !r->is_default)
          errs.push_back(Error{code::kParse, "`if` keyword is required before " + t + " body", r->loc});
        if (f.multi_value && !f.has_contains)
          errs.push_back(Error{code::kParse, "`contains` keyword is required for partial set rules", r->loc});
      }
    }
  }
  if (!errs.empty()) throw RegoErrors(std::move(errs));

  // METADATA: each block belongs to the first statement after it.
  struct Node {
    Stmt::Kind kind;
    uint32_t row;
    ast::Rule* rule;
  };
  std::vector<Node> nodes;
  for (auto& st : stmts) {
    if (st.kind == Stmt::Kind::Body && !st.rule) continue;
    nodes.push_back({st.kind, st.loc.row, st.rule.get()});
  }
  std::vector<std::pair<const Node*, std::string>> scoped;  // node and scope, per annotation
  for (auto& a : annotations) {
    const Node* node = nullptr;
    for (auto& n : nodes) {
      if (n.row > a.loc.row) {
        node = &n;
        break;
      }
    }
    std::string scope = a.scope;
    if (scope.empty() && node) {
      if (node->kind == Stmt::Kind::Package) scope = "package";
      else if (node->kind == Stmt::Kind::Import) scope = "import";
      else scope = a.entrypoint ? "document" : "rule";
    }
    const std::string have = node ? std::string(" (have ") + type_name(node->kind) + ")" : std::string();
    const bool on_rule = node && (node->kind == Stmt::Kind::Rule || node->kind == Stmt::Kind::Body);
    if (scope == "rule" || scope == "document") {
      if (!on_rule)
        errs.push_back(Error{code::kParse, "annotation scope '" + scope + "' must be applied to rule" + have, a.loc});
    } else if (scope == "package" || scope == "subpackages") {
      if (!node || node->kind != Stmt::Kind::Package)
        errs.push_back(Error{code::kParse, "annotation scope '" + scope + "' must be applied to package" + have, a.loc});
    } else {
      errs.push_back(Error{code::kParse,
                           "invalid annotation scope '" + scope +
                               "'. Use one of 'rule', 'document', 'package', or 'subpackages'",
                           a.loc});
    }
    if (a.entrypoint && scope != "document" && scope != "package")
      errs.push_back(Error{code::kParse, "annotation entrypoint applied to non-document or package scope '" + scope + "'",
                           a.loc});
    scoped.emplace_back(node, scope);
  }
  if (!errs.empty()) throw RegoErrors(std::move(errs));

  std::vector<std::pair<std::string, Value>> documents;  // ground path -> document-scope metadata
  for (size_t i = 0; i < annotations.size(); ++i) {
    const auto& [node, scope] = scoped[i];
    Value v = with_scope(annotations[i].value, scope);
    m.annotations.push_back(v);
    if (scope == "package" || scope == "subpackages") {
      if (m.package_annotations.is_null()) m.package_annotations = v;
    } else if (scope == "rule") {
      node->rule->annotations = v;
    } else if (scope == "document") {
      if (node->rule->annotations.is_null()) node->rule->annotations = v;
      documents.emplace_back(ground_prefix(node->rule->head.ref), v);
    }
  }
  // Document-scope metadata covers every rule of the document (in this module).
  if (!documents.empty()) {
    for (auto& rule : m.rules) {
      if (!rule->annotations.is_null()) continue;
      std::string path = ground_prefix(rule->head.ref);
      for (auto& [p, v] : documents) {
        if (p == path) {
          rule->annotations = v;
          break;
        }
      }
    }
  }
  return m;
}

}  // namespace rego::parser_detail
