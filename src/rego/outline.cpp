// Test rules and coverage rows of parsed modules (see outline.h).
#include "rego/outline.h"

#include <cstdio>
#include <map>

#include "rego/ast.h"
#include "rego/parser.h"

namespace rego {
namespace {

using ast::TermKind;
using ast::TermPtr;

constexpr std::string_view kTestPrefix = "test_";
constexpr std::string_view kSkipPrefix = "todo_test_";

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// OPA's tester.ruleName: walks the ground prefix of the head ref and stops at the first name starting with
// a test prefix. Returns that name ("" when no term is a name) and how many ref terms lead up to it. A
// rule is a test only when the returned name has a prefix; otherwise it is the last name seen.
std::pair<std::string, size_t> rule_name(const ast::RuleHead& head) {
  std::string name;
  size_t len = 0;
  for (size_t i = 0; i < head.ref.size(); ++i) {
    const ast::Term& t = *head.ref[i];
    if (i == 0 && t.kind == TermKind::Var) {
      name = t.name;
    } else if (t.kind == TermKind::Scalar) {
      name = t.value.is_string() ? t.value.as_string() : std::string();
    } else {
      break;  // not ground: the prefix ends here
    }
    len = i + 1;
    if (starts_with(name, kTestPrefix) || starts_with(name, kSkipPrefix)) break;
  }
  return {name, len};
}

TermPtr string_term(const std::string& s) {
  auto t = std::make_shared<ast::Term>();
  t->kind = TermKind::Scalar;
  t->value = Value::string(s);
  return t;
}

TermPtr var_term(const std::string& s) {
  auto t = std::make_shared<ast::Term>();
  t->kind = TermKind::Var;
  t->name = s;
  return t;
}

std::vector<TermPtr> package_ref(const ast::Module& m) {
  std::vector<TermPtr> ref{var_term("data")};
  for (const auto& p : m.package) ref.push_back(string_term(p));
  return ref;
}

// OPA's Package.Path.Extend(ruleRef): the rule's first name joins the package path as a string.
std::string full_path(const ast::Module& m, const ast::RuleHead& head, size_t len) {
  std::vector<TermPtr> ref = package_ref(m);
  for (size_t i = 0; i < len; ++i) ref.push_back(i == 0 ? string_term(head.ref[0]->name) : head.ref[i]);
  return ast::ref_to_string(ref);
}

void term_rows(const ast::Term& t, std::vector<uint32_t>& rows);

void body_rows(const ast::Body& body, std::vector<uint32_t>& rows) {
  for (const auto& e : body) {
    // `some` declarations are left out, as OPA's cover.includeExprInCoverage does (`some x in xs` is one).
    if (e.kind != ast::ExprKind::SomeDecl && e.kind != ast::ExprKind::SomeIn && e.loc.known())
      rows.push_back(e.loc.row);
    for (const auto& t : e.terms) term_rows(*t, rows);
    for (const auto& w : e.with) {
      term_rows(*w.target, rows);
      term_rows(*w.value, rows);
    }
    body_rows(e.body, rows);
  }
}

// Expressions inside a term: comprehension bodies, at any depth.
void term_rows(const ast::Term& t, std::vector<uint32_t>& rows) {
  for (const auto& i : t.items) term_rows(*i, rows);
  body_rows(t.body, rows);
}

void rule_rows(const ast::Rule& rule, ModuleOutline& out) {
  for (const ast::Rule* r = &rule; r; r = r->else_rule.get()) {
    if (r->loc.known()) out.rule_rows.push_back(r->loc.row);
    for (const auto& t : r->head.ref) term_rows(*t, out.expr_rows);
    for (const auto& t : r->head.args) term_rows(*t, out.expr_rows);
    if (r->head.key) term_rows(*r->head.key, out.expr_rows);
    if (r->head.value) term_rows(*r->head.value, out.expr_rows);
    body_rows(r->body, out.expr_rows);
  }
}

}  // namespace

std::vector<ModuleOutline> outline_modules(const std::vector<ModuleText>& modules, const CompileOptions& opts,
                                           Errors& errors) {
  std::vector<ast::Module> parsed;
  std::vector<std::string> files;
  ParseOptions po;
  po.v0_compatible = opts.v0_compatible;
  for (const auto& m : modules) {
    try {
      parsed.push_back(parse_module(std::make_shared<SourceFile>(SourceFile{m.filename, m.text}), po));
      files.push_back(m.filename);
    } catch (const RegoErrors& e) {
      errors.insert(errors.end(), e.errors().begin(), e.errors().end());
    } catch (const RegoError& e) {
      errors.push_back(e.error());
    }
  }
  ast::rename_duplicate_tests(parsed);

  std::vector<ModuleOutline> out;
  for (size_t i = 0; i < parsed.size(); ++i) {
    const ast::Module& m = parsed[i];
    ModuleOutline mo;
    mo.file = files[i];
    const std::string package = ast::ref_to_string(package_ref(m));
    for (const auto& rule : m.rules) {
      rule_rows(*rule, mo);
      auto [name, len] = rule_name(rule->head);
      const bool skip = starts_with(name, kSkipPrefix);
      if (!skip && !starts_with(name, kTestPrefix)) continue;
      TestRule t;
      t.package = package;
      std::vector<TermPtr> ref(rule->head.ref.begin(), rule->head.ref.begin() + static_cast<std::ptrdiff_t>(len));
      t.name = ast::ref_to_string(ref);
      t.query = full_path(m, rule->head, len);
      t.skip = skip;
      t.location = rule->loc;
      mo.tests.push_back(std::move(t));
    }
    out.push_back(std::move(mo));
  }
  return out;
}

}  // namespace rego

namespace rego::ast {

void rename_duplicate_tests(std::vector<Module>& modules) {
  std::map<std::string, int> count;
  for (auto& m : modules) {
    for (auto& rule : m.rules) {
      auto [name, len] = rule_name(rule->head);
      if (!starts_with(name, kTestPrefix)) continue;
      const std::string key = full_path(m, rule->head, len);
      auto [it, first] = count.try_emplace(key, 0);
      if (!first) {
        char suffix[16];
        std::snprintf(suffix, sizeof suffix, "#%02d", it->second);
        // The first name of a ref is a Var; later ones are strings (OPA rewrites the same way).
        auto renamed = len == 1 ? var_term(name + suffix) : string_term(name + suffix);
        renamed->loc = rule->head.ref[len - 1]->loc;
        rule->head.ref[len - 1] = renamed;
      }
      ++it->second;
    }
  }
}

}  // namespace rego::ast
