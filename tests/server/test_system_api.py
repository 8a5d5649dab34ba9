"""Health, Config, Status and metrics endpoints over real HTTP against a real trex server."""
import json
import re
import unittest

from harness import ServerTestCase

CONFIG = """
labels:
  region: eu-west
services:
  acme:
    url: https://example.invalid
    credentials:
      bearer:
        token: secret-token
keys:
  signer:
    algorithm: RS256
    private_key: very-secret
decision_logs:
  console: true
"""


class SystemApiTest(ServerTestCase):
    PATHS = ("authz.rego", "health.rego")
    CONFIG = CONFIG

    def test_health(self):
        self.assertEqual(self.server.get("/health")[:2], (200, {}))
        self.assertEqual(self.server.get("/health?bundles")[:2], (200, {}))
        self.assertEqual(self.server.get("/health?plugins&exclude-plugin=decision_logs")[:2], (200, {}))

    def test_health_policy_paths(self):
        self.assertEqual(self.server.get("/health/live")[:2], (200, {}))
        self.assertEqual(self.server.get("/health/ready")[:2], (200, {}))
        status, body, _, _ = self.server.get("/health/other")
        self.assertEqual(status, 500)
        self.assertEqual(body, {"error": "health check (data.system.health.other) was undefined"})

    def test_config_hides_secrets(self):
        status, body, _, raw = self.server.get("/v1/config")
        self.assertEqual(status, 200)
        result = body["result"]
        self.assertNotIn(b"secret-token", raw)
        self.assertNotIn(b"very-secret", raw)
        self.assertEqual(result["services"]["acme"]["url"], "https://example.invalid")
        self.assertEqual(result["labels"]["region"], "eu-west")
        self.assertIn("id", result["labels"])
        self.assertEqual(result["default_decision"], "/system/main")

    def test_status(self):
        status, body, _, _ = self.server.get("/v1/status")
        self.assertEqual(status, 200)
        self.assertEqual(body["result"]["plugins"]["decision_logs"], {"state": "OK"})
        self.assertEqual(body["result"]["labels"]["region"], "eu-west")

    def test_prometheus_metrics(self):
        self.server.post("/v1/data/authz/allow", {"input": {}})
        status, _, headers, raw = self.server.get("/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain"))
        text = raw.decode()
        self.assertIn('http_request_duration_seconds_count{code="200",handler="v1/data",method="post"}', text)
        self.assertIn('http_request_duration_seconds_bucket{code="200",handler="v1/data",method="post",le="+Inf"}', text)
        self.assertIn("rego_query_eval_duration_seconds_count", text)

    def test_metrics_count_every_request_once(self):
        # Connections are spread over the server's event loops, which record into shards of their own: the
        # exposition adds the shards up.
        def counts():
            text = self.server.get("/metrics")[3].decode()
            req = re.search(r'http_request_duration_seconds_count\{code="200",handler="v1/data",method="post"\} (\d+)', text)
            inf = re.search(r'http_request_duration_seconds_bucket\{code="200",handler="v1/data",method="post",le="\+Inf"\} (\d+)', text)
            ev = re.search(r"rego_query_eval_duration_seconds_count (\d+)", text)
            return [int(m.group(1)) if m else 0 for m in (req, inf, ev)]
        before = counts()
        conns = [self.server.conn() for _ in range(4)]
        for i in range(20):
            conns[i % 4].request("POST", "/v1/data/authz/allow", body=json.dumps({"input": {}}))
            conns[i % 4].getresponse().read()
        for c in conns:
            c.close()
        after = counts()
        self.assertEqual([a - b for a, b in zip(after, before)], [20, 20, 20])

    def test_index_and_unknown_path(self):
        status, _, headers, raw = self.server.get("/")
        self.assertEqual(status, 200)
        self.assertIn(b"trex", raw)
        self.assertEqual(self.server.get("/v2/nothing")[0], 404)


class BundleTest(ServerTestCase):
    PATHS = ("bundle",)
    ARGS = ("--bundle",)

    def test_bundle_is_served_and_reported(self):
        s = self.server
        self.assertEqual(s.post("/v1/data/apps/billing/allow", {"input": {"amount": 5}})[1], {"result": True})
        status, body, _, _ = s.get("/v1/status")
        (name, info), = body["result"]["bundles"].items()
        self.assertTrue(name.endswith("bundle"))
        self.assertEqual(info["active_revision"], "rev-42")
        self.assertEqual(s.get("/health?bundles")[0], 200)
        prov = s.get("/v1/data/apps/billing/limit?provenance")[1]["provenance"]
        self.assertEqual(list(prov["bundles"].values()), [{"revision": "rev-42"}])

    def test_bundle_roots_cannot_be_written(self):
        status, body, _, _ = self.server.put("/v1/data/apps/billing/limit", "1000")
        self.assertEqual(status, 400)
        self.assertEqual(body["code"], "invalid_parameter")
        self.assertIn('is owned by bundle', body["message"])
        status, body, _, _ = self.server.put("/v1/policies/x.rego", "package apps.billing.extra\n\nx := 1\n")
        self.assertEqual(status, 400)
        self.assertIn('is owned by bundle', body["message"])
        self.assertEqual(self.server.put("/v1/data/other", "1")[0], 204)


class ImmutableTest(ServerTestCase):
    PATHS = ("bundle",)
    ARGS = ("--bundle", "--immutable")

    def test_every_write_is_refused(self):
        s = self.server
        for method, path, body in [("PUT", "/v1/data/other", "1"), ("PATCH", "/v1/data/apps", "[]"),
                                   ("DELETE", "/v1/data/apps/billing/limit", None),
                                   ("PUT", "/v1/policies/x.rego", "package x\n"), ("DELETE", "/v1/policies/x.rego", None)]:
            status, resp, _, _ = s.request(method, path, body=body)
            self.assertEqual(status, 403, (method, path))
            self.assertEqual(resp["code"], "forbidden")
            self.assertIn("immutable mode", resp["message"])
        self.assertEqual(s.post("/v1/data/apps/billing/allow", {"input": {"amount": 5}})[1], {"result": True})
        self.assertEqual(s.get("/v1/policies")[0], 200)


class UnhealthyTest(ServerTestCase):
    PATHS = ("authz.rego",)

    def test_no_health_policy(self):
        status, body, _, _ = self.server.get("/health/live")
        self.assertEqual(status, 500)
        self.assertEqual(body["error"], "health check (data.system.health.live) was undefined")


if __name__ == "__main__":
    unittest.main()
