// Trace filters (OPA's lineage package) and output forms (pretty lines, server and `opa eval` JSON).
#include "rego/trace.h"

#include <map>
#include <unordered_map>

#include "rego/builtins/strutil.h"
#include "rego/json.h"

namespace rego {

const char* trace_op_name(TraceOp op) {
  switch (op) {
    case TraceOp::Enter: return "Enter";
    case TraceOp::Exit: return "Exit";
    case TraceOp::Eval: return "Eval";
    case TraceOp::Redo: return "Redo";
    case TraceOp::Fail: return "Fail";
    case TraceOp::Note: return "Note";
    case TraceOp::Index: return "Index";
    case TraceOp::Unify: return "Unify";
  }
  return "";
}

std::optional<ExplainMode> parse_explain_mode(std::string_view s) {
  if (s == "off") return ExplainMode::Off;
  if (s == "notes") return ExplainMode::Notes;
  if (s == "fails") return ExplainMode::Fails;
  if (s == "full") return ExplainMode::Full;
  if (s == "debug") return ExplainMode::Debug;
  return std::nullopt;
}

namespace {

// lineage.Filter: for each kept event, the chain of Enter/Redo events of rules and bodies that leads to it
// (innermost query first, then its parent's ...), emitted outermost first. The chain is forgotten after each
// kept event, so a later note in the same query only repeats what was entered since.
Trace lineage(const Trace& trace, const std::function<bool(const TraceEvent&)>& keep) {
  Trace out;
  std::unordered_map<uint64_t, const TraceEvent*> last_entry;
  for (const TraceEvent& e : trace) {
    if (keep(e)) {
      std::vector<const TraceEvent*> path{&e};
      const TraceEvent* prev = nullptr;
      auto it = last_entry.find(e.query_id);
      const TraceEvent* cur = it == last_entry.end() ? nullptr : it->second;
      while (cur && cur != prev) {
        path.push_back(cur);
        prev = cur;
        auto p = last_entry.find(cur->parent_id);
        cur = p == last_entry.end() ? nullptr : p->second;
      }
      for (size_t i = path.size(); i-- > 0;) out.push_back(*path[i]);
      last_entry.clear();
    }
    if ((e.op == TraceOp::Enter || e.op == TraceOp::Redo) &&
        (e.type == TraceNodeType::Rule || e.type == TraceNodeType::Body))
      last_entry[e.query_id] = &e;
  }
  return out;
}

std::string location_text(const TraceEvent& e) {
  if (e.row == 0) return "";
  return (e.file.empty() ? std::string("query") : e.file) + ":" + std::to_string(e.row);
}

// OPA indents by query depth: a query is one deeper than its parent. Enter lines (and Redo of a query,
// rather than of an expression) sit at the query's depth, everything else one further in.
std::string event_text(const TraceEvent& e, int depth) {
  int spaces = depth + 1;
  if (e.op == TraceOp::Enter || (e.op == TraceOp::Redo && e.type != TraceNodeType::Expr)) spaces = depth;
  std::string out;
  for (int i = 1; i < spaces; ++i) out += "| ";
  out += trace_op_name(e.op);
  out += ' ';
  if (e.op == TraceOp::Note) return out + text::quote(e.message);
  out += e.node_text;
  if (!e.message.empty()) out += " " + e.message;
  return out;
}

Value str(const char* s) { return Value::string(s); }

Value typed(const char* type, Value v) { return Value::object({{str("type"), str(type)}, {str("value"), std::move(v)}}); }

// A value as an AST term in OPA's JSON ({"type": "number", "value": 1}; objects as [[k, v], ...]).
Value value_term(const Value& v) {
  switch (v.kind()) {
    case Kind::Null: return typed("null", Value());
    case Kind::Boolean: return typed("boolean", v);
    case Kind::Number: return typed("number", v);
    case Kind::String: return typed("string", v);
    case Kind::Array: {
      std::vector<Value> items;
      for (const auto& x : v.as_array()) items.push_back(value_term(x));
      return typed("array", Value::array(std::move(items)));
    }
    case Kind::Set: {
      std::vector<Value> items;
      for (const auto& x : v.as_set()) items.push_back(value_term(x));
      return typed("set", Value::array(std::move(items)));
    }
    case Kind::Object: {
      std::vector<Value> pairs;
      for (const auto& [k, x] : v.as_object()) pairs.push_back(Value::array({value_term(k), value_term(x)}));
      return typed("object", Value::array(std::move(pairs)));
    }
  }
  return typed("null", Value());
}

// An ast.Value as Go's encoding/json writes it: scalars bare, collections of terms.
Value value_plain(const Value& v) {
  switch (v.kind()) {
    case Kind::Array: {
      std::vector<Value> items;
      for (const auto& x : v.as_array()) items.push_back(value_term(x));
      return Value::array(std::move(items));
    }
    case Kind::Set: {
      std::vector<Value> items;
      for (const auto& x : v.as_set()) items.push_back(value_term(x));
      return Value::array(std::move(items));
    }
    case Kind::Object: {
      std::vector<Value> pairs;
      for (const auto& [k, x] : v.as_object()) pairs.push_back(Value::array({value_term(k), value_term(x)}));
      return Value::array(std::move(pairs));
    }
    default: return v;
  }
}

const char* kind_name(const Value& v) {
  switch (v.kind()) {
    case Kind::Null: return "null";
    case Kind::Boolean: return "boolean";
    case Kind::Number: return "number";
    case Kind::String: return "string";
    case Kind::Array: return "array";
    case Kind::Set: return "set";
    case Kind::Object: return "object";
  }
  return "";
}

Value locals_value(const TraceEvent& e) {
  std::vector<Value> out;
  out.reserve(e.locals.size());
  for (const auto& [name, v] : e.locals)
    out.push_back(Value::object({{str("key"), typed("var", Value::string(name))}, {str("value"), value_term(v)}}));
  return Value::array(std::move(out));
}

const char* type_name(TraceNodeType t) {
  switch (t) {
    case TraceNodeType::Body: return "body";
    case TraceNodeType::Expr: return "expr";
    case TraceNodeType::Rule: return "rule";
    case TraceNodeType::None: break;
  }
  return "";
}

std::string lower(const char* s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

}  // namespace

Trace filter_lineage(const Trace& trace, const std::function<bool(const TraceEvent&)>& keep) {
  return lineage(trace, keep);
}

Trace filter_trace(const Trace& trace, ExplainMode mode) {
  switch (mode) {
    case ExplainMode::Off: return {};
    case ExplainMode::Notes: return lineage(trace, [](const TraceEvent& e) { return e.op == TraceOp::Note; });
    case ExplainMode::Fails: return lineage(trace, [](const TraceEvent& e) { return e.op == TraceOp::Fail; });
    case ExplainMode::Full: {
      // Unify events only ever sit at the leaves, so dropping them leaves every chain intact.
      Trace out;
      for (const auto& e : trace)
        if (e.op != TraceOp::Unify) out.push_back(e);
      return out;
    }
    case ExplainMode::Debug: return trace;
  }
  return {};
}

std::vector<std::string> pretty_trace_lines(const Trace& trace) {
  std::map<uint64_t, int> depths;
  std::vector<std::string> locs, texts;
  size_t width = 0;
  for (const TraceEvent& e : trace) {
    int& d = depths[e.query_id];
    if (d == 0) d = depths[e.parent_id] + 1;
    locs.push_back(location_text(e));
    texts.push_back(event_text(e, d));
    width = std::max(width, locs.back().size());
  }
  // OPA's table: the location column is as wide as its widest cell plus four, then one space.
  std::vector<std::string> lines;
  lines.reserve(trace.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    std::string line = locs[i];
    line.append(width + 4 - locs[i].size() + 1, ' ');
    lines.push_back(line + texts[i]);
  }
  return lines;
}

std::string pretty_trace(const Trace& trace) {
  std::string out;
  for (const auto& l : pretty_trace_lines(trace)) out += l + "\n";
  return out;
}

Value explanation_value(const Trace& trace, ExplainMode mode, bool pretty) {
  Trace filtered = filter_trace(trace, mode);
  std::vector<Value> out;
  if (pretty) {
    for (auto& l : pretty_trace_lines(filtered)) out.push_back(Value::string(std::move(l)));
    return Value::array(std::move(out));
  }
  for (const TraceEvent& e : filtered) {
    std::vector<ObjectEntry> o{{str("op"), Value::string(lower(trace_op_name(e.op)))},
                               {str("query_id"), Value::integer(static_cast<int64_t>(e.query_id))},
                               {str("parent_id"), Value::integer(static_cast<int64_t>(e.parent_id))},
                               {str("type"), str(type_name(e.type))},
                               {str("node"), e.node},
                               {str("locals"), locals_value(e)}};
    if (!e.message.empty()) o.emplace_back(str("message"), Value::string(e.message));
    out.push_back(Value::object(std::move(o)));
  }
  return Value::array(std::move(out));
}

std::string explanation_json(const Trace& trace, ExplainMode mode, bool pretty) {
  return json::write(explanation_value(trace, mode, pretty));
}

Value eval_explanation_value(const Trace& trace) {
  std::vector<Value> out;
  for (const TraceEvent& e : trace) {
    std::vector<ObjectEntry> o{{str("Op"), str(trace_op_name(e.op))}, {str("Node"), e.node}};
    if (e.row) {
      o.emplace_back(str("Location"), Value::object({{str("file"), Value::string(e.file)},
                                                     {str("row"), Value::integer(e.row)},
                                                     {str("col"), Value::integer(e.col)}}));
    } else {
      o.emplace_back(str("Location"), Value());
    }
    o.emplace_back(str("QueryID"), Value::integer(static_cast<int64_t>(e.query_id)));
    o.emplace_back(str("ParentID"), Value::integer(static_cast<int64_t>(e.parent_id)));
    // ast.ValueMap's JSON: [{name, type, value}], and null when empty (a nil slice to encoding/json).
    if (e.locals.empty()) {
      o.emplace_back(str("Locals"), Value());
    } else {
      std::vector<Value> locals;
      for (const auto& [name, v] : e.locals)
        locals.push_back(Value::object(
            {{str("name"), Value::string(name)}, {str("type"), str(kind_name(v))}, {str("value"), value_plain(v)}}));
      o.emplace_back(str("Locals"), Value::array(std::move(locals)));
    }
    o.emplace_back(str("Message"), Value::string(e.message));
    out.push_back(Value::object(std::move(o)));
  }
  return Value::array(std::move(out));
}

}  // namespace rego
