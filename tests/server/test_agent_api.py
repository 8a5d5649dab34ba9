"""The agent API (POST /v1/agent/decide and /v1/agent/outcome) over real HTTP against a real trex server."""
import copy
import json
import unittest

from harness import ServerTestCase

ACTION = {
    "action": {"type": "transfer", "tool": "payments.transfer", "amount": 250.0, "currency": "USD",
               "arguments": {"to": "ACME"}, "target": {"type": "account", "id": "acc-1"}},
    "agent": {"id": "agent-7", "model": "gpt-4o", "session": "s-1"},
    "principal": {"id": "alice", "type": "user"},
    "provenance": {"instruction": "Pay ACME's invoice 42", "framework": "langchain",
                   "reasoning": ["Invoice 42 is due", {"step": 2, "thought": "Use the payments tool"}]},
}


class AgentApiTest(ServerTestCase):
    PATHS = ("tre.rego",)
    ARGS = ("--set", "decision_logs.console=true")

    def decide(self, action, path=""):
        return self.server.post("/v1/agent/decide" + path, json.dumps(action))

    def test_allowed_action(self):
        status, body, _, _ = self.decide(ACTION)
        self.assertEqual(status, 200, body)
        self.assertTrue(body["allow"])
        self.assertEqual(body["deny"], [])
        self.assertFalse(body["requires_approval"])
        self.assertEqual(body["patch"][0]["path"], "/action/arguments/memo")
        self.assertRegex(body["policy"]["sha256"], r"^[0-9a-f]{64}$")
        self.assertTrue(body["policy"]["revision"].startswith("store-"))
        self.assertRegex(body["decision_id"], r"^[0-9a-f-]{36}$")

    def test_denied_action_names_the_rule(self):
        action = copy.deepcopy(ACTION)
        action["action"]["amount"] = 50000
        status, body, _, _ = self.decide(action)
        self.assertEqual(status, 200)
        self.assertFalse(body["allow"])
        self.assertTrue(body["requires_approval"])
        self.assertEqual(body["deny"], [{"rule": "NoHighValueTransfers",
                                         "msg": "Transfers over $10,000 require human approval"}])

    def test_schema_violations_are_all_named(self):
        action = copy.deepcopy(ACTION)
        del action["agent"]["id"]
        action["action"]["currency"] = "dollars"
        del action["provenance"]["instruction"]
        status, body, _, _ = self.decide(action)
        self.assertEqual(status, 400)
        self.assertEqual(body["code"], "invalid_parameter")
        fields = sorted(e["field"] for e in body["errors"])
        self.assertEqual(fields, ["action.currency", "agent.id", "provenance.instruction"])
        status, body, _, _ = self.server.post("/v1/agent/decide", "{not json")
        self.assertEqual(status, 400)

    def test_bad_decision_document_fails_closed(self):
        status, body, _, _ = self.decide(ACTION, "?path=tre/broken")
        self.assertEqual(status, 500)
        self.assertIn('boolean \\"allow\\"', json.dumps(body))
        status, body, _, _ = self.decide(ACTION, "?path=tre/nothing")
        self.assertEqual(status, 500)
        self.assertEqual(body["errors"][0]["code"], "undefined_document")

    def test_outcome_links_to_decision(self):
        status, body, _, _ = self.decide(ACTION)
        decision_id = body["decision_id"]
        status, out, _, _ = self.server.post("/v1/agent/outcome", {"decision_id": decision_id, "status": "succeeded",
                                                                   "result": {"transfer_id": "t-9"}})
        self.assertEqual((status, out), (200, {"decision_id": decision_id, "recorded": True}))
        status, out, _, _ = self.server.post("/v1/agent/outcome", {"decision_id": "nope", "status": "failed"})
        self.assertEqual(status, 404)
        status, out, _, _ = self.server.post("/v1/agent/outcome", {"status": "failed"})
        self.assertEqual(status, 400)
        lines = [json.loads(l) for l in self.server.stdout().splitlines() if l.strip()]
        decision = next(l for l in lines if l.get("decision_id") == decision_id and l["msg"] == "Decision Log")
        outcome = next(l for l in lines if l.get("decision_id") == decision_id and l["msg"] == "Outcome Log")
        self.assertEqual(decision["provenance"]["instruction"], "Pay ACME's invoice 42")
        self.assertEqual(decision["agent"]["id"], "agent-7")
        self.assertEqual(decision["outcome"], {"allow": True, "deny": []})
        self.assertRegex(decision["policy"]["sha256"], r"^[0-9a-f]{64}$")
        self.assertEqual(outcome["result"], {"transfer_id": "t-9"})

    def test_data_api_inputs_of_the_schema_carry_provenance(self):
        status, body, _, _ = self.server.post("/v1/data/tre/decision", {"input": ACTION})
        decision_id = body["decision_id"]
        lines = [json.loads(l) for l in self.server.stdout().splitlines() if l.strip()]
        event = next(l for l in lines if l.get("decision_id") == decision_id)
        self.assertEqual(event["provenance"]["framework"], "langchain")
        self.assertEqual(event["principal"]["id"], "alice")
        # An input with action/agent keys that does not follow the schema carries no agent fields.
        status, body, _, _ = self.server.post("/v1/data/tre/decision", {"input": {"action": {}, "agent": {}}})
        lines = [json.loads(l) for l in self.server.stdout().splitlines() if l.strip()]
        event = next(l for l in lines if l.get("decision_id") == body["decision_id"])
        self.assertNotIn("agent", event)

    def test_wrong_method_and_unknown_endpoint(self):
        self.assertEqual(self.server.get("/v1/agent/decide")[0], 405)
        self.assertEqual(self.server.post("/v1/agent/other", {})[0], 404)


class LogMaskTest(ServerTestCase):
    PATHS = ("tre.rego", "logmask.rego")
    ARGS = ("--set", "decision_logs.console=true")

    def test_mask_and_drop(self):
        self.server.post("/v1/data/tre/decision", {"input": dict(ACTION, secret="s3cret")})
        self.server.post("/v1/data/tre/decision", {"input": {"drop_me": True}})
        out = self.server.stdout()
        self.assertNotIn("s3cret", out)
        self.assertNotIn("drop_me", out)
        event = json.loads(out.splitlines()[0])
        self.assertEqual(event["erased"], ["/input/secret"])
        self.assertEqual(event["masked"], ["/input/principal/id"])
        self.assertEqual(event["input"]["principal"]["id"], "***")


if __name__ == "__main__":
    unittest.main()
