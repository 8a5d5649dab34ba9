"""The dependency-free Python client (integrations/python) against a real trex server with the shipped policies."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "integrations", "python"))
sys.path.insert(0, os.path.join(ROOT, "tests", "server"))

from harness import Server  # noqa: E402
from trex_client import Denied, TrexClient, TrexError, apply_patch, guard  # noqa: E402

AGENT = {"id": "payments-agent", "model": "test-model", "session": "s-1"}
PRINCIPAL = {"id": "cfo", "type": "user"}


class PythonClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server([os.path.join(ROOT, "policies")], ["--set", "decision_logs.console=true"])
        cls.client = TrexClient(f"http://127.0.0.1:{cls.server.port}")

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_decide(self):
        d = self.client.decide({"type": "transfer", "tool": "payments.transfer", "amount": 100, "currency": "USD"},
                               AGENT, PRINCIPAL, {"instruction": "pay"})
        self.assertTrue(d.allow)
        d = self.client.decide({"type": "transfer", "tool": "payments.transfer", "amount": 100000, "currency": "USD"},
                               AGENT, PRINCIPAL, {"instruction": "pay"})
        self.assertFalse(d.allow)
        self.assertEqual(d.deny[0]["rule"], "NoHighValueTransfers")

    def test_guard_runs_allowed_calls_and_blocks_denied_ones(self):
        ledger = []

        def transfer(to, amount, currency):
            ledger.append((to, amount))
            return {"transfer_id": f"t-{len(ledger)}"}

        send = guard(self.client, "payments.transfer", transfer, AGENT, PRINCIPAL, action_type="transfer")
        result = send(to="ACME", amount=250, currency="USD",
                      _provenance={"instruction": "Pay ACME's invoice 42", "reasoning": ["it is due"]})
        self.assertEqual(result, {"transfer_id": "t-1"})
        with self.assertRaises(Denied) as cm:
            send(to="ACME", amount=50000, currency="USD", _provenance={"instruction": "Pay a big invoice"})
        self.assertEqual(cm.exception.rule, "NoHighValueTransfers")
        self.assertEqual(cm.exception.msg, "Transfers over $10,000 require human approval")
        self.assertEqual(ledger, [("ACME", 250)])  # the denied transfer never ran
        out = self.server.stdout()
        self.assertIn("Pay ACME's invoice 42", out)
        self.assertIn("Outcome Log", out)

    def test_schema_errors_fail_closed(self):
        with self.assertRaises(TrexError) as cm:
            self.client.decide({"type": "transfer"}, {"model": "x"}, PRINCIPAL, {"instruction": "pay"})
        self.assertEqual(cm.exception.status, 400)

    def test_apply_patch(self):
        doc = {"action": {"arguments": {"a": 1, "list": [1, 2]}}}
        patched = apply_patch(doc, [{"op": "add", "path": "/action/arguments/memo", "value": "x"},
                                    {"op": "replace", "path": "/action/arguments/a", "value": 2},
                                    {"op": "add", "path": "/action/arguments/list/-", "value": 3},
                                    {"op": "remove", "path": "/action/arguments/list/0"}])
        self.assertEqual(patched, {"action": {"arguments": {"a": 2, "list": [2, 3], "memo": "x"}}})
        self.assertEqual(doc["action"]["arguments"]["a"], 1)

    def test_evaluate_and_health(self):
        self.assertTrue(self.client.healthy())
        self.assertEqual(self.client.evaluate("tre/config/transfer_approval_limit"), 10000)
        self.assertIsNone(self.client.evaluate("tre/nothing"))
        self.assertFalse(TrexClient("http://127.0.0.1:1").healthy())


if __name__ == "__main__":
    unittest.main()
