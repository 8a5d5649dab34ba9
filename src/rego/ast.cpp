// Terms back to Rego text, as OPA's String() methods print them (for messages and `text`): refs as
// data.a["b-c"][x], calls in prefix form plus(x, 1), strings Go-quoted, wildcards as `_`.
#include "rego/ast.h"

#include <cstdio>

#include "rego/number.h"

namespace rego::ast {
namespace {

void append_term(const Term& t, std::string& out);
void append_body(const Body& b, std::string& out);

bool is_keyword(std::string_view s) {
  static const char* const kAll[] = {"not", "package", "import", "as", "default", "else", "with", "null",
                                     "true", "false", "some", "if", "contains", "in", "every"};
  for (const char* k : kAll)
    if (s == k) return true;
  return false;
}

// OPA's varRegexp: ^[[:alpha:]_][[:alpha:][:digit:]_]*$
bool is_var_name(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Go's strconv.Quote for the characters Rego strings hold (non-ASCII UTF-8 is kept as is).
void append_quoted_body(std::string_view s, std::string& out, bool template_text) {
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      case '{':
        out += template_text ? "\\{" : "{";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

void append_scalar(const Value& v, std::string& out) {
  switch (v.kind()) {
    case Kind::Null: out += "null"; break;
    case Kind::Boolean: out += v.as_bool() ? "true" : "false"; break;
    case Kind::Number: number::append_format(v, out); break;
    case Kind::String:
      out += '"';
      append_quoted_body(v.as_string(), out, false);
      out += '"';
      break;
    default: out += "<value>"; break;  // collections never appear as Scalar terms
  }
}

void append_list(const std::vector<TermPtr>& items, std::string& out) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    append_term(*items[i], out);
  }
}

void append_ref(const std::vector<TermPtr>& ref, std::string& out) {
  if (ref.empty()) return;
  append_term(*ref[0], out);
  for (size_t i = 1; i < ref.size(); ++i) {
    const Term& p = *ref[i];
    if (p.kind == TermKind::Scalar && p.value.is_string() && is_var_name(p.value.as_string()) &&
        !is_keyword(p.value.as_string())) {
      out += '.';
      out += p.value.as_string();
    } else {
      out += '[';
      append_term(p, out);
      out += ']';
    }
  }
}

void append_expr(const Expr& e, std::string& out) {
  if (e.negated) out += "not ";
  switch (e.kind) {
    case ExprKind::Term: {
      const Term& t = *e.terms[0];
      if (t.kind == TermKind::Call && t.name == "eq" && t.items.size() == 2) {
        append_term(*t.items[0], out);
        out += " = ";
        append_term(*t.items[1], out);
      } else {
        append_term(t, out);
      }
      break;
    }
    case ExprKind::SomeDecl:
      out += "some ";
      append_list(e.terms, out);
      break;
    case ExprKind::SomeIn:
      out += "some ";
      for (size_t i = 0; i + 1 < e.terms.size(); ++i) {
        if (i) out += ", ";
        append_term(*e.terms[i], out);
      }
      out += " in ";
      append_term(*e.terms.back(), out);
      break;
    case ExprKind::Every:
      out += "every ";
      if (!(e.terms[0]->kind == TermKind::Scalar && e.terms[0]->value.is_null())) {
        append_term(*e.terms[0], out);
        out += ", ";
      }
      append_term(*e.terms[1], out);
      out += " in ";
      append_term(*e.terms[2], out);
      out += " { ";
      append_body(e.body, out);
      out += " }";
      break;
  }
  for (const With& w : e.with) {
    out += " with ";
    append_term(*w.target, out);
    out += " as ";
    append_term(*w.value, out);
  }
}

void append_body(const Body& b, std::string& out) {
  for (size_t i = 0; i < b.size(); ++i) {
    if (i) out += "; ";
    append_expr(b[i], out);
  }
}

void append_term(const Term& t, std::string& out) {
  switch (t.kind) {
    case TermKind::Scalar:
      append_scalar(t.value, out);
      break;
    case TermKind::Var:
      // Wildcards are renamed `$_N` by the parser; print them as written.
      out += !t.name.empty() && t.name[0] == '$' ? std::string("_") : t.name;
      break;
    case TermKind::Ref:
      append_ref(t.items, out);
      break;
    case TermKind::Array:
      out += '[';
      append_list(t.items, out);
      out += ']';
      break;
    case TermKind::Set:
      if (t.items.empty()) {
        out += "set()";
      } else {
        out += '{';
        append_list(t.items, out);
        out += '}';
      }
      break;
    case TermKind::Object:
      out += '{';
      for (size_t i = 0; i + 1 < t.items.size(); i += 2) {
        if (i) out += ", ";
        append_term(*t.items[i], out);
        out += ": ";
        append_term(*t.items[i + 1], out);
      }
      out += '}';
      break;
    case TermKind::ArrayCompr:
    case TermKind::SetCompr:
    case TermKind::ObjectCompr: {
      bool array = t.kind == TermKind::ArrayCompr;
      out += array ? '[' : '{';
      if (!t.items.empty()) append_term(*t.items[0], out);
      if (t.kind == TermKind::ObjectCompr && t.items.size() > 1) {
        out += ": ";
        append_term(*t.items[1], out);
      }
      out += " | ";
      append_body(t.body, out);
      out += array ? ']' : '}';
      break;
    }
    case TermKind::Call:
      out += t.name;
      out += '(';
      append_list(t.items, out);
      out += ')';
      break;
    case TermKind::TemplateString:
      out += "$\"";
      for (size_t i = 0; i < t.items.size(); ++i) {
        bool literal = i < t.literal_parts.size() && t.literal_parts[i];
        if (literal && t.items[i]->value.is_string()) {
          append_quoted_body(t.items[i]->value.as_string(), out, true);
        } else {
          out += '{';
          append_term(*t.items[i], out);
          out += '}';
        }
      }
      out += '"';
      break;
  }
}

}  // namespace

std::string ref_to_string(const std::vector<TermPtr>& ref) {
  std::string out;
  append_ref(ref, out);
  return out;
}

std::string expr_to_string(const Expr& e) {
  std::string out;
  append_expr(e, out);
  return out;
}

std::string body_to_string(const Body& b) {
  std::string out;
  append_body(b, out);
  return out;
}

std::string term_to_string(const Term& t) {
  std::string out;
  append_term(t, out);
  return out;
}

}  // namespace rego::ast
