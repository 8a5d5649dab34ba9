// Evaluation tracing: OPA's "explain" events, their filters (notes, fails, full, debug) and output forms.
//
// The evaluator emits TraceEvents to a Tracer named in QueryOptions::tracer (null = no tracing, and then
// tracing costs one pointer test per expression). An event is self-contained: it carries the AST node
// already serialised (OPA's AST JSON and its source text), so it outlives the query and policy it came from.
// This unit only formats and filters; it knows nothing of HTTP (the server wraps explanation_json()).
//
// Event points follow OPA's topdown evaluator: Enter/Exit/Redo of queries, rule bodies, comprehension and
// negation bodies; Eval/Redo/Fail of expressions; Index when a rule reference looks rules up; Note for
// trace(msg); Unify (debug only) for `=`/`:=`. One difference is structural: trex computes a rule's whole value
// before the referencing expression goes on, so a rule's Redo comes before the rest of the caller's body
// rather than interleaved with it. Query ids, parents and lineage are as in OPA.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rego/error.h"
#include "rego/value.h"

namespace rego {

enum class TraceOp : uint8_t { Enter, Exit, Eval, Redo, Fail, Note, Index, Unify };
enum class TraceNodeType : uint8_t { None, Body, Expr, Rule };

const char* trace_op_name(TraceOp op);  // "Enter", "Exit", ... (as OPA's topdown.Op)

struct TraceEvent {
  TraceOp op = TraceOp::Eval;
  uint64_t query_id = 0;
  uint64_t parent_id = 0;
  TraceNodeType type = TraceNodeType::None;
  Value node;              // the node as OPA's AST JSON (null for notes)
  std::string node_text;   // how the pretty trace shows it: expression/body source, rule path, indexed ref
  std::vector<std::pair<std::string, Value>> locals;  // bound variables of the query, sorted by name
  std::string file;        // "" for the query itself
  uint32_t row = 0;        // 0 = no location
  uint32_t col = 0;
  std::string message;     // Note text; Index "(matched 1 rule, early exit)"
};

using Trace = std::vector<TraceEvent>;

// Receives events as they happen, on the evaluating thread.
class Tracer {
 public:
  virtual ~Tracer() = default;
  virtual void event(TraceEvent&& e) = 0;
};

// Keeps every event (OPA's BufferTracer).
class BufferTracer : public Tracer {
 public:
  void event(TraceEvent&& e) override { events.push_back(std::move(e)); }
  Trace events;
};

// OPA's explain modes: ?explain=notes|fails|full|debug, `opa eval --explain=...`.
enum class ExplainMode : uint8_t { Off, Notes, Fails, Full, Debug };
std::optional<ExplainMode> parse_explain_mode(std::string_view s);  // "off" too; nullopt = unknown

// OPA's lineage filters: Notes/Fails keep each matching event behind the Enter/Redo events of its enclosing
// rule and body queries; Full drops Unify events; Debug keeps everything; Off keeps nothing.
Trace filter_trace(const Trace& trace, ExplainMode mode);
// OPA's lineage.Filter with any predicate: `opa test -v` keeps notes and fails together.
Trace filter_lineage(const Trace& trace, const std::function<bool(const TraceEvent&)>& keep);

// OPA's PrettyTraceWithLocation: one line per event, a location column ("file:row", "query:row") padded to
// the widest one, then "| " per nesting level, the op and the node. No trailing newline on the last line.
std::vector<std::string> pretty_trace_lines(const Trace& trace);
std::string pretty_trace(const Trace& trace);  // the lines joined, each ending in "\n"

// The server's "explanation" (OPA's server/types TraceV1): with pretty a JSON array of the pretty lines,
// otherwise an array of TraceEventV1 objects {op (lower case), query_id, parent_id, type, node, locals
// [{key, value}], message (when set)}. The trace is filtered by mode first.
Value explanation_value(const Trace& trace, ExplainMode mode, bool pretty);
std::string explanation_json(const Trace& trace, ExplainMode mode, bool pretty);

// `opa eval --explain=... --format json` puts OPA's Go event structs under "explanation": objects with
// the Go field names {Op, Node, Location, QueryID, ParentID, Locals ([{name, type, value}] or null), Message}.
// (OPA also writes LocalMetadata and Ref, which trex leaves out.) The trace is taken as given.
Value eval_explanation_value(const Trace& trace);

}  // namespace rego
