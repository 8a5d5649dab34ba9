"""OPA's --authentication=token and --authorization=basic over real HTTP: data.system.authz.allow decides
every API call, per path and method; the authz policy cannot be replaced through the API."""
import unittest

from harness import FIXTURES, Server, ServerTestCase


def bearer(token):
    return {"Authorization": "Bearer " + token}


class AuthzTest(ServerTestCase):
    PATHS = ("authz_system.rego", "authz.rego", "data.json")
    ARGS = ("--authentication=token", "--authorization=basic")

    def test_unauthenticated_calls_are_refused(self):
        status, body, _, _ = self.server.get("/v1/data/roles")
        self.assertEqual(status, 401)
        self.assertEqual(body, {"code": "unauthorized", "message": "request rejected by administrative policy"})
        self.assertEqual(self.server.get("/v1/data/roles", headers=bearer("wrong"))[0], 401)

    def test_open_paths_and_tokens(self):
        self.assertEqual(self.server.get("/health")[0], 200)
        status, body, _, _ = self.server.get("/v1/data/roles/alice", headers=bearer("reader-token"))
        self.assertEqual((status, body), (200, {"result": ["admin"]}))

    def test_decided_per_method_and_path(self):
        # The reader may GET documents but not POST them, nor read policies.
        self.assertEqual(self.server.post("/v1/data/authz/allow", {"input": {}}, headers=bearer("reader-token"))[0], 401)
        self.assertEqual(self.server.get("/v1/policies", headers=bearer("reader-token"))[0], 401)
        self.assertEqual(self.server.get("/v1/policies", headers=bearer("admin-token"))[0], 200)
        status, _, _, _ = self.server.put("/v1/policies/extra.rego", "package extra\n\nx := 1\n", headers=bearer("admin-token"))
        self.assertEqual(status, 200)

    def test_authz_policy_cannot_be_replaced_through_the_api(self):
        status, body, _, _ = self.server.put("/v1/policies/open.rego", "package system.authz\n\nallow := true\n",
                                             headers=bearer("admin-token"))
        self.assertEqual(status, 403)
        self.assertIn("authorization policy", body["message"])
        policies = self.server.get("/v1/policies", headers=bearer("admin-token"))[1]["result"]
        authz_id = next(p["id"] for p in policies if p["id"].endswith("authz_system.rego"))
        status, _, _, _ = self.server.request("DELETE", "/v1/policies/" + authz_id, headers=bearer("admin-token"))
        self.assertEqual(status, 403)
        self.assertEqual(self.server.get("/v1/data/roles")[0], 401)  # still enforced


class MissingAuthzPolicyTest(unittest.TestCase):
    def test_undefined_policy_refuses_everything(self):
        server = Server([f"{FIXTURES}/authz.rego"], ["--authorization=basic"])
        try:
            status, body, _, _ = server.get("/v1/data")
            self.assertEqual(status, 401)
            self.assertEqual(body["message"], "authorization policy missing or undefined")
        finally:
            server.close()


if __name__ == "__main__":
    unittest.main()
