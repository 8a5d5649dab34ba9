// "`.tre` rules and their generated Rego give the same decisions on the shipped examples": data.tre.decision
// with the shipped Rego rules (policies/) against data.tre.decision with policies/tre/rules/ replaced by
// examples/tre/financial.tre, on allowed and denied actions of every rule. Requests, including ES256-signed
// approvals, are built by the helpers of policies/tre/decision_test.rego (its test keys).
#include <gtest/gtest.h>

#include <set>

#include "load/files.h"
#include "rego/engine.h"
#include "rego/json.h"

namespace {

const std::string kRoot = TREX_SOURCE_DIR;

struct PolicySet {
  std::shared_ptr<const rego::CompiledPolicy> policy;
  rego::Value data;
};

PolicySet load(const std::vector<std::string>& paths) {
  auto loaded = trex::load::load_paths(paths);
  EXPECT_TRUE(loaded.errors.empty()) << loaded.errors[0].to_string();
  auto compiled = rego::compile(loaded.modules);
  EXPECT_TRUE(compiled.errors.empty()) << compiled.errors[0].to_string();
  return {compiled.policy, loaded.data};
}

const PolicySet& shipped_rego() {
  static PolicySet p = load({kRoot + "/policies"});
  return p;
}

const PolicySet& with_tre() {
  static PolicySet p = load({kRoot + "/policies/tre/decision.rego", kRoot + "/policies/tre/approvals.rego",
                             kRoot + "/policies/tre/decision_test.rego", "tre:" + kRoot + "/policies/tre/data.json",
                             kRoot + "/examples/tre/financial.tre"});
  return p;
}

// The decision for a request built by `req` (a Rego expression over data.tre_test's helpers; `a` is bound to
// the action expression).
rego::Value decide(const PolicySet& p, const std::string& action, const std::string& req) {
  std::string q = "a := " + action + "; req := " + req + "; d := data.tre.decision with input as req";
  auto r = rego::evaluate(*p.policy, p.data, q);
  EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].to_string());
  if (r.rows.size() != 1) return rego::Value::null();
  for (const auto& [name, value] : r.rows[0].bindings)
    if (name == "d") return value;
  return rego::Value::null();
}

std::set<std::string> rule_names(const rego::Value& decision) {
  std::set<std::string> names;
  if (const auto* deny = decision.get("deny"))
    for (const auto& d : deny->as_set()) names.insert(std::string(d.get("rule")->as_string()));
  return names;
}

struct Case {
  const char* name;
  const char* action;
  const char* req;  // over `a`
  bool allow;       // what the shipped policy decides: the test fails if both sides go wrong together
  bool same_messages = true;
};

const char* kPay = R"(data.tre_test.request(a, "payments-agent"))";
const char* kTrade = R"(data.tre_test.request(a, "trading-agent"))";

const Case kCases[] = {
    {"small transfer", "data.tre_test.transfer(500)", kPay, true},
    {"high-value transfer", "data.tre_test.transfer(25000)", kPay, false},
    {"approved transfer", "data.tre_test.transfer(25000)",
     R"(data.tre_test.with_approvals(data.tre_test.request(a, "payments-agent"), [data.tre_test.approval("alice", a, "alice", 300)]))", true},
    {"forged approval", "data.tre_test.transfer(25000)",
     R"(data.tre_test.with_approvals(data.tre_test.request(a, "payments-agent"), [data.tre_test.approval("alice", a, "mallory", 300)]))", false},
    {"expired approval", "data.tre_test.transfer(25000)",
     R"(data.tre_test.with_approvals(data.tre_test.request(a, "payments-agent"), [data.tre_test.approval("alice", a, "alice", -60)]))", false},
    {"small trade", "data.tre_test.trade(100000)", kTrade, true},
    {"large trade, one approver", "data.tre_test.trade(750000)",
     R"(data.tre_test.with_approvals(data.tre_test.request(a, "trading-agent"), [data.tre_test.approval("alice", a, "alice", 300)]))", false},
    {"large trade, two approvers", "data.tre_test.trade(750000)",
     R"(data.tre_test.with_approvals(data.tre_test.request(a, "trading-agent"), [data.tre_test.approval("alice", a, "alice", 300), data.tre_test.approval("bob", a, "bob", 300)]))", true},
    {"large trade, one approver twice", "data.tre_test.trade(750000)",
     R"(data.tre_test.with_approvals(data.tre_test.request(a, "trading-agent"), [data.tre_test.approval("alice", a, "alice", 300), data.tre_test.approval("alice", a, "alice", 600)]))", false},
    {"verified counterparty change",
     R"(data.tre_test.counterparty_update({"verification": {"service": "bank-verify.example.com", "callback_id": "cb-1", "status": "verified"}}))", kPay, true},
    {"unverified counterparty change", "data.tre_test.counterparty_update({})", kPay, false},
    {"counterparty change verified by an unknown service",
     R"(data.tre_test.counterparty_update({"verification": {"service": "evil.example.com", "callback_id": "cb-1", "status": "verified"}}))", kPay, false},
    {"counterparty change with an empty callback id",
     R"(data.tre_test.counterparty_update({"verification": {"service": "bank-verify.example.com", "callback_id": "", "status": "verified"}}))", kPay, false},
    {"counterparty name change",
     R"({"type": "update_counterparty", "tool": "counterparty.update", "arguments": {"counterparty": "ACME", "display_name": "ACME Corp"}})", kPay, true},
    {"tool outside the allow-list", R"({"type": "tool_call", "tool": "shell.exec", "arguments": {"cmd": "ls"}})", kPay, false},
    {"tool of another agent", "data.tre_test.transfer(5)", kTrade, false},
    // The Rego module says "unknown agent" and "may not call tool" here; the .tre rule says the latter only.
    {"unknown agent", "data.tre_test.transfer(5)", R"(data.tre_test.request(a, "stranger"))", false, false},
    {"session limit", "data.tre_test.transfer(9500)",
     R"(object.union(data.tre_test.request(a, "payments-agent"), {"agent": {"id": "payments-agent", "session": "s-busy"}}))", false},
    {"e-mail address to a lookup tool", R"({"type": "tool_call", "tool": "payments.lookup", "arguments": {"query": "jane.doe@example.com"}})", kPay, false},
    {"PII field name", R"({"type": "tool_call", "tool": "payments.lookup", "arguments": {"customer": {"ssn": "redacted"}}})", kPay, false},
    {"PII to an allowed tool", R"({"type": "tool_call", "tool": "crm.update_contact", "arguments": {"email": "jane.doe@example.com"}})", kPay, true},
    {"plain lookup", R"({"type": "tool_call", "tool": "payments.lookup", "arguments": {"query": "ACME invoices"}})", kPay, true},
    {"several rules at once", "data.tre_test.transfer(25000)", R"(data.tre_test.request(a, "research-agent"))", false},
};

TEST(TreEquivalence, SameDecisionsAsTheShippedRego) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    rego::Value want = decide(shipped_rego(), c.action, c.req);
    rego::Value got = decide(with_tre(), c.action, c.req);
    ASSERT_TRUE(want.is_object());
    ASSERT_TRUE(got.is_object());
    EXPECT_EQ(*want.get("allow"), rego::Value::boolean(c.allow)) << rego::json::write(want);
    EXPECT_EQ(*got.get("allow"), *want.get("allow")) << rego::json::write(got);
    EXPECT_EQ(*got.get("requires_approval"), *want.get("requires_approval"));
    EXPECT_EQ(rule_names(got), rule_names(want)) << rego::json::write(got) << "\n" << rego::json::write(want);
    if (c.same_messages) {
      EXPECT_EQ(*got.get("deny"), *want.get("deny"));
    }
  }
}

// Every rule of the shipped set is exercised, so a .tre rule that never fires would not pass unnoticed.
TEST(TreEquivalence, CasesCoverEveryRule) {
  std::set<std::string> seen;
  for (const auto& c : kCases)
    for (const auto& n : rule_names(decide(with_tre(), c.action, c.req))) seen.insert(n);
  EXPECT_EQ(seen, (std::set<std::string>{"NoHighValueTransfers", "LargeTradesNeedTwoApprovers",
                                         "VerifiedCounterpartyChanges", "ToolAllowList", "SessionAmountLimit",
                                         "NoPIIEgress"}));
}

}  // namespace
