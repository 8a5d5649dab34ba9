// AST -> OPA's JSON shape (see ast_json.h).
#include "rego/ast_json.h"

namespace rego::ast {
namespace {

Value obj(std::vector<ObjectEntry> e) { return Value::object(std::move(e)); }
Value s(const char* x) { return Value::string(x); }
Value typed(const char* type, Value v) { return obj({{s("type"), s(type)}, {s("value"), std::move(v)}}); }

// A call's operator: a ref of its dotted name, {"type":"ref","value":[{"type":"var","value":"plus"}]}.
Value operator_ref(const std::string& name) {
  std::vector<Value> parts;
  size_t start = 0;
  for (;;) {
    size_t dot = name.find('.', start);
    std::string seg = name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    parts.push_back(parts.empty() ? typed("var", Value::string(seg)) : typed("string", Value::string(seg)));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return typed("ref", Value::array(std::move(parts)));
}

Value terms_array(const std::vector<TermPtr>& ts) {
  std::vector<Value> out;
  out.reserve(ts.size());
  for (const auto& t : ts) out.push_back(term_to_value(*t));
  return Value::array(std::move(out));
}

Value call_terms(const Term& call) {
  std::vector<Value> out{operator_ref(call.name)};
  for (const auto& a : call.items) out.push_back(term_to_value(*a));
  return Value::array(std::move(out));
}

}  // namespace

Value expr_to_value(const Expr& e, size_t index) {
  std::vector<ObjectEntry> out{{s("index"), Value::integer(static_cast<int64_t>(index))}};
  if (e.negated) out.emplace_back(s("negated"), Value::boolean(true));
  if (e.generated) out.emplace_back(s("generated"), Value::boolean(true));
  switch (e.kind) {
    case ExprKind::Term: {
      const Term& t = *e.terms[0];
      out.emplace_back(s("terms"), t.kind == TermKind::Call ? call_terms(t) : term_to_value(t));
      break;
    }
    case ExprKind::SomeDecl:
      out.emplace_back(s("terms"), typed("somedecl", obj({{s("symbols"), terms_array(e.terms)}})));
      break;
    case ExprKind::SomeIn: {
      Term call;
      call.kind = TermKind::Call;
      call.name = e.terms.size() == 3 ? "internal.member_3" : "internal.member_2";
      call.items = e.terms;
      out.emplace_back(s("terms"), typed("somedecl", obj({{s("symbols"), Value::array({typed("call", call_terms(call))})}})));
      break;
    }
    case ExprKind::Every: {
      std::vector<ObjectEntry> ev{{s("value"), term_to_value(*e.terms[1])},
                                  {s("domain"), term_to_value(*e.terms[2])},
                                  {s("body"), body_to_value(e.body)}};
      if (!(e.terms[0]->kind == TermKind::Scalar && e.terms[0]->value.is_null()))
        ev.emplace_back(s("key"), term_to_value(*e.terms[0]));
      out.emplace_back(s("terms"), typed("every", obj(std::move(ev))));
      break;
    }
  }
  if (!e.with.empty()) {
    std::vector<Value> ws;
    for (const auto& w : e.with)
      ws.push_back(obj({{s("target"), term_to_value(*w.target)}, {s("value"), term_to_value(*w.value)}}));
    out.emplace_back(s("with"), Value::array(std::move(ws)));
  }
  return obj(std::move(out));
}

namespace {

Value head_to_value(const Rule& r) {
  const RuleHead& h = r.head;
  std::vector<ObjectEntry> out;
  if (!h.ref.empty()) {
    out.emplace_back(s("name"), Value::string(h.ref[0]->name));
    std::vector<Value> ref{typed("var", Value::string(h.ref[0]->name))};
    for (size_t i = 1; i < h.ref.size(); ++i) ref.push_back(term_to_value(*h.ref[i]));
    out.emplace_back(s("ref"), Value::array(std::move(ref)));
  }
  if (!h.args.empty()) out.emplace_back(s("args"), terms_array(h.args));
  if (h.key && h.kind == RuleKind::PartialSet) out.emplace_back(s("key"), term_to_value(*h.key));
  if (h.value) out.emplace_back(s("value"), term_to_value(*h.value));
  if (h.assign) out.emplace_back(s("assign"), Value::boolean(true));
  return obj(std::move(out));
}

}  // namespace

Value rule_to_value(const Rule& r) {
  std::vector<ObjectEntry> out{{s("head"), head_to_value(r)}};
  // OPA gives a rule without a body the body `true`.
  if (r.body.empty()) {
    out.emplace_back(s("body"), Value::array({obj({{s("index"), Value::integer(0)}, {s("terms"), typed("boolean", Value::boolean(true))}})}));
  } else {
    out.emplace_back(s("body"), body_to_value(r.body));
  }
  if (r.is_default) out.emplace_back(s("default"), Value::boolean(true));
  if (r.else_rule) out.emplace_back(s("else"), rule_to_value(*r.else_rule));
  if (r.annotations.is_object()) out.emplace_back(s("annotations"), Value::array({r.annotations}));
  return obj(std::move(out));
}

Value term_to_value(const Term& t) {
  switch (t.kind) {
    case TermKind::Scalar:
      switch (t.value.kind()) {
        case Kind::Null: return typed("null", Value());
        case Kind::Boolean: return typed("boolean", t.value);
        case Kind::Number: return typed("number", t.value);
        default: return typed("string", t.value);
      }
    case TermKind::Var: return typed("var", Value::string(t.name));
    case TermKind::Ref: return typed("ref", terms_array(t.items));
    case TermKind::Array: return typed("array", terms_array(t.items));
    case TermKind::Set: return typed("set", terms_array(t.items));
    case TermKind::Object: {
      std::vector<Value> pairs;
      for (size_t i = 0; i + 1 < t.items.size(); i += 2)
        pairs.push_back(Value::array({term_to_value(*t.items[i]), term_to_value(*t.items[i + 1])}));
      return typed("object", Value::array(std::move(pairs)));
    }
    case TermKind::ArrayCompr:
      return typed("arraycomprehension", obj({{s("term"), term_to_value(*t.items[0])}, {s("body"), body_to_value(t.body)}}));
    case TermKind::SetCompr:
      return typed("setcomprehension", obj({{s("term"), term_to_value(*t.items[0])}, {s("body"), body_to_value(t.body)}}));
    case TermKind::ObjectCompr:
      return typed("objectcomprehension", obj({{s("key"), term_to_value(*t.items[0])},
                                               {s("value"), term_to_value(*t.items[1])},
                                               {s("body"), body_to_value(t.body)}}));
    case TermKind::Call: return typed("call", call_terms(t));
    case TermKind::TemplateString: return typed("templatestring", terms_array(t.items));
  }
  return typed("null", Value());
}

Value body_to_value(const Body& b) {
  std::vector<Value> out;
  out.reserve(b.size());
  for (size_t i = 0; i < b.size(); ++i) out.push_back(expr_to_value(b[i], i));
  return Value::array(std::move(out));
}

Value module_to_value(const Module& m) {
  std::vector<Value> path{typed("var", s("data"))};
  for (const auto& seg : m.package) path.push_back(typed("string", Value::string(seg)));
  std::vector<ObjectEntry> out{{s("package"), obj({{s("path"), Value::array(std::move(path))}})}};
  if (!m.imports.empty()) {
    std::vector<Value> imports;
    for (const auto& imp : m.imports) {
      std::vector<ObjectEntry> e{{s("path"), typed("ref", terms_array(imp.path))}};
      if (!imp.alias.empty()) e.emplace_back(s("alias"), Value::string(imp.alias));
      imports.push_back(obj(std::move(e)));
    }
    out.emplace_back(s("imports"), Value::array(std::move(imports)));
  }
  if (!m.rules.empty()) {
    std::vector<Value> rules;
    for (const auto& r : m.rules) rules.push_back(rule_to_value(*r));
    out.emplace_back(s("rules"), Value::array(std::move(rules)));
  }
  if (!m.annotations.empty()) out.emplace_back(s("annotations"), Value::array(m.annotations));
  return obj(std::move(out));
}

}  // namespace rego::ast
