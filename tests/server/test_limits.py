"""Hostile policies and inputs do not take the server down: a recursive policy is refused with
rego_recursion_error, a 10,000-deep input is evaluated (or refused) with an answer, a built-in that would run
(and allocate) for hours is stopped at the query time limit, an oversized result is not sent, and other
requests keep being served meanwhile."""
import json
import threading
import unittest

from harness import ServerTestCase


def while_serving(test, hostile, requests=20):
    """Runs hostile() on its own thread while `requests` ordinary decisions are asked for and answered."""
    t = threading.Thread(target=hostile)
    t.start()
    for _ in range(requests):
        status, resp, _, _ = test.server.post("/v1/data/authz/allow", {"input": {"user": "alice"}})
        test.assertEqual((status, resp), (200, {"result": True}))
    t.join(60)

DEEP_POLICY = """package deep

marshalled := json.marshal(input)

walked := count([x | walk(input, x)])

same := input == input
"""


class HostileInputTest(ServerTestCase):
    PATHS = ("authz.rego", "data.json")
    ARGS = ("--set", "server.limits.query_timeout_ms=2000")

    def test_recursive_policy_is_refused(self):
        status, body, _, _ = self.server.put("/v1/policies/rec.rego", "package rec\n\np if q\n\nq if p\n")
        self.assertEqual(status, 400)
        self.assertEqual(body["errors"][0]["code"], "rego_recursion_error")
        status, body, _, _ = self.server.put("/v1/policies/recf.rego", "package recf\n\nf(x) := f(x)\n")
        self.assertEqual(status, 400)
        self.assertEqual(body["errors"][0]["code"], "rego_recursion_error")

    def test_deep_input_while_others_are_served(self):
        self.assertEqual(self.server.put("/v1/policies/deep.rego", DEEP_POLICY)[0], 200)
        deep = "[" * 10000 + "]" * 10000
        body = '{"input": ' + deep + "}"
        results = {}

        def hostile():
            results["deep"] = [self.server.post(f"/v1/data/deep/{rule}", body)[0]
                               for rule in ("marshalled", "walked", "same")]

        while_serving(self, hostile)
        self.assertEqual(len(results["deep"]), 3)
        for status in results["deep"]:
            self.assertIn(status, (200, 400, 500))  # an answer, never a dropped connection
        too_deep = '{"input": ' + "[" * 200000 + "]" * 200000 + "}"
        status, resp, _, _ = self.server.post("/v1/data/deep/same", too_deep)
        self.assertEqual(status, 400)
        self.assertIn("nesting too deep", resp["message"])
        self.assertEqual(self.server.get("/health")[0], 200)


HUGE_POLICY = """package huge

n := count(numbers.range(1, 1000000000000))

big := numbers.range(1, 100000)
"""


class RuntimeLimitsTest(ServerTestCase):
    PATHS = ("authz.rego", "data.json")
    ARGS = ("--set", "server.limits.query_timeout_ms=100", "--set", "server.limits.max_response_bytes=100000")

    def test_long_builtin_is_stopped_at_the_time_limit(self):
        self.assertEqual(self.server.put("/v1/policies/huge.rego", HUGE_POLICY)[0], 200)
        results = {}

        def hostile():
            results["huge"] = self.server.post("/v1/data/huge/n", {"input": {}})

        while_serving(self, hostile, requests=10)
        status, body, _, _ = results["huge"]
        self.assertEqual(status, 500)
        self.assertEqual(body["errors"][0]["code"], "eval_cancel_error")
        self.assertEqual(body["errors"][0]["message"],
                         "numbers.range: timed out before generating all numbers in range")

    def test_oversized_result_is_not_sent(self):
        self.assertEqual(self.server.put("/v1/policies/huge.rego", HUGE_POLICY)[0], 200)
        status, body, _, _ = self.server.post("/v1/data/huge/big", {"input": {}})
        self.assertEqual(status, 500)
        self.assertEqual(body["code"], "internal_error")
        self.assertRegex(body["message"],
                         r"^response of \d+ bytes exceeds server.limits.max_response_bytes \(100000\)$")
        status, body, _, _ = self.server.post("/v1/data/authz/allow", {"input": {"user": "alice"}})
        self.assertEqual((status, body), (200, {"result": True}))


if __name__ == "__main__":
    unittest.main()
