// Decision-log masking and dropping, and delivery to the sinks (decision_record.h).
#include "server/decision_record.h"

#include "server/api_eval.h"
#include "server/storage_path.h"

#include <atomic>
#include <mutex>

namespace trex::server {

using rego::Value;

namespace {

// "/input/a~1b/0" -> {"input", "a/b", "0"} (RFC 6901 escapes); false unless under /input or /result.
bool pointer_path(const std::string& pointer, StoragePath& out) {
  out.clear();
  if (pointer.empty() || pointer[0] != '/') return false;
  size_t pos = 1;
  while (pos <= pointer.size()) {
    size_t slash = pointer.find('/', pos);
    std::string seg = pointer.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    std::string decoded;
    for (size_t i = 0; i < seg.size(); ++i) {
      if (seg[i] == '~' && i + 1 < seg.size() && (seg[i + 1] == '0' || seg[i + 1] == '1')) {
        decoded.push_back(seg[i + 1] == '0' ? '~' : '/');
        ++i;
      } else {
        decoded.push_back(seg[i]);
      }
    }
    out.push_back(std::move(decoded));
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return !out.empty() && (out[0] == "input" || out[0] == "result");
}

std::optional<Value> eval_log_policy(ServerContext& ctx, const Snapshot& snap, const char* rule, const Value& event) {
  std::vector<std::string> path = {"system", "log", rule};
  if (!rego::has_rules_at(*snap.policy, path)) return std::nullopt;
  rego::QueryOptions opts;
  opts.input = event;
  opts.allow_net = ctx.config.allow_net;
  if (ctx.config.query_timeout.count() > 0) opts.deadline = std::chrono::steady_clock::now() + ctx.config.query_timeout;
  rego::Errors errors;
  return rego::evaluate_path(*snap.policy, snap.data,
                             {Value::string("system"), Value::string("log"), Value::string(rule)}, opts, errors);
}

// Applies the mask policy's operations to the event; records what was erased and masked, as OPA does.
Value apply_mask(const Value& event, const Value& ops) {
  Value out = event;
  std::vector<Value> erased, masked;
  auto items = ops.is_set() ? ops.as_set() : ops.is_array() ? ops.as_array() : std::vector<Value>{};
  for (const auto& op : items) {
    std::string pointer, kind = "remove";
    Value value;
    if (op.is_string()) {
      pointer = op.as_string();
    } else if (op.is_object()) {
      const Value* p = op.get("path");
      const Value* o = op.get("op");
      const Value* v = op.get("value");
      if (!p || !p->is_string()) continue;
      pointer = p->as_string();
      if (o && o->is_string()) kind = o->as_string();
      if (v) value = *v;
    } else {
      continue;
    }
    StoragePath path;
    if (!pointer_path(pointer, path)) continue;
    StorageError err;
    if (kind == "remove") {
      if (auto next = storage_write(out, PatchOp::Remove, path, Value(), err)) {
        out = std::move(*next);
        erased.push_back(Value::string(pointer));
      }
    } else if (kind == "upsert") {
      auto parent = storage_make_dir(out, StoragePath(path.begin(), path.end() - 1), err);
      if (!parent) continue;
      if (auto next = storage_write(*parent, PatchOp::Add, path, value, err)) {
        out = std::move(*next);
        masked.push_back(Value::string(pointer));
      }
    }
  }
  StorageError ignored;
  if (!erased.empty()) out = *storage_write(out, PatchOp::Add, {"erased"}, Value::array(std::move(erased)), ignored);
  if (!masked.empty()) out = *storage_write(out, PatchOp::Add, {"masked"}, Value::array(std::move(masked)), ignored);
  return out;
}

// Hands the record to every sink; `done` runs once, after the last sink answered, with the first error.
void deliver_async(ServerContext& ctx, const std::string& kind, const Value& record,
                   std::function<void(bool, const std::string&)> done) {
  struct Join {
    std::atomic<size_t> remaining;
    std::mutex mu;
    bool ok = true;
    std::string error;
    std::function<void(bool, const std::string&)> done;
  };
  auto join = std::make_shared<Join>();
  join->remaining = ctx.decision_sinks.size();
  join->done = std::move(done);
  for (const auto& sink : ctx.decision_sinks) {
    sink->log_async(kind, record, [join](bool ok, const std::string& error) {
      if (!ok) {
        std::lock_guard<std::mutex> lock(join->mu);
        if (join->ok) join->error = error;
        join->ok = false;
      }
      if (join->remaining.fetch_sub(1) == 1) join->done(join->ok, join->error);
    });
  }
}

HttpResponse log_failed_response(const std::string& error) {
  HttpResponse failed;
  respond_log_error(failed, error);
  return failed;
}

// Sends the ready response once the record is kept. Sinks that answer at once (console, remote upload, the
// signed log in async mode) leave the response as it is; only a sink that is still working (the signed log
// in sync mode) turns it into a deferred one (HttpResponse::later).
void answer_when_kept(ServerContext& ctx, const std::string& kind, const Value& record, HttpResponse& res) {
  struct Pending {
    std::mutex mu;
    bool done = false;
    bool ok = false;
    std::string error;
    HttpResponse ready;
    std::function<void(HttpResponse)> complete;  // set when the transport waits for the answer
  };
  auto p = std::make_shared<Pending>();
  p->ready = std::move(res);
  deliver_async(ctx, kind, record, [p](bool ok, const std::string& error) {
    std::function<void(HttpResponse)> complete;
    {
      std::lock_guard<std::mutex> lock(p->mu);
      p->done = true;
      p->ok = ok;
      p->error = error;
      complete = std::move(p->complete);
    }
    if (complete) complete(ok ? std::move(p->ready) : log_failed_response(error));
  });
  std::lock_guard<std::mutex> lock(p->mu);
  if (p->done) {
    res = p->ok ? std::move(p->ready) : log_failed_response(p->error);
    return;
  }
  res = HttpResponse{};
  res.later = [p](std::function<void(HttpResponse)> complete) {
    std::unique_lock<std::mutex> lock(p->mu);
    if (!p->done) {
      p->complete = std::move(complete);
      return;
    }
    lock.unlock();  // finished in between: answer now
    complete(p->ok ? std::move(p->ready) : log_failed_response(p->error));
  };
}

}  // namespace

void answer_after_logging(ServerContext& ctx, const Snapshot& snap, const DecisionEvent& event, HttpResponse& res) {
  if (!ctx.decision_logging()) return;
  Value record = decision_event_value(event);
  if (auto drop = eval_log_policy(ctx, snap, "drop", record); drop && drop->is_boolean() && drop->as_bool()) return;
  if (auto mask = eval_log_policy(ctx, snap, "mask", record)) record = apply_mask(record, *mask);
  answer_when_kept(ctx, "decision", record, res);
}

void answer_after_logging_outcome(ServerContext& ctx, const Value& outcome, HttpResponse& res) {
  if (!ctx.decision_logging()) return;
  answer_when_kept(ctx, "outcome", outcome, res);
}

void attach_agent_fields(DecisionEvent& event, const Value& input, bool validated) {
  if (!input.is_object()) return;
  const Value* action = input.get("action");
  const Value* agent = input.get("agent");
  if (!action || !agent || !action->is_object() || !agent->is_object()) return;  // cheap test first
  if (!validated && !follows_agent_action_schema(input)) return;
  event.action = *action;
  event.agent = *agent;
  if (const Value* p = input.get("principal")) event.principal = *p;
  if (const Value* p = input.get("provenance")) event.provenance = *p;
}

}  // namespace trex::server
