"""Policy API and Query API over real HTTP against a real trex server."""
import json
import threading
import unittest

from harness import ServerTestCase

GOOD = "package lib\n\nlimit := 10\n"
USER = "package app\n\nimport data.lib\n\nok if input.n < lib.limit\n"


class PolicyApiTest(ServerTestCase):
    PATHS = ("authz.rego",)

    def test_list_includes_loaded_files(self):
        status, body, _, _ = self.server.get("/v1/policies")
        self.assertEqual(status, 200)
        ids = [p["id"] for p in body["result"]]
        self.assertTrue(any(i.endswith("authz.rego") for i in ids), ids)
        policy = body["result"][0]
        self.assertIn("package authz", policy["raw"])
        self.assertEqual(policy["ast"]["package"]["path"][1]["value"], "authz")

    def test_put_get_delete(self):
        s = self.server
        status, body, _, _ = s.put("/v1/policies/lib.rego", GOOD)
        self.assertEqual((status, body), (200, {}))
        status, body, _, _ = s.get("/v1/policies/lib.rego")
        self.assertEqual(status, 200)
        self.assertEqual(body["result"]["id"], "lib.rego")
        self.assertEqual(body["result"]["raw"], GOOD)
        self.assertEqual(s.put("/v1/policies/app.rego", USER)[0], 200)
        self.assertEqual(s.post("/v1/data/app/ok", {"input": {"n": 3}})[1], {"result": True})
        # Deleting lib would leave app's import dangling? OPA accepts imports of missing data; deleting works.
        self.assertEqual(s.request("DELETE", "/v1/policies/app.rego")[0], 200)
        self.assertEqual(s.get("/v1/policies/app.rego")[0], 404)
        self.assertEqual(s.request("DELETE", "/v1/policies/lib.rego")[0], 200)

    def test_bad_policy_is_rejected_and_old_set_stays(self):
        s = self.server
        self.assertEqual(s.put("/v1/policies/v.rego", "package v\n\nx := 1\n")[0], 200)
        status, body, _, _ = s.put("/v1/policies/v.rego", "package v\n\nx := y\n")
        self.assertEqual(status, 400)
        self.assertEqual(body["code"], "invalid_parameter")
        self.assertEqual(body["message"], "error(s) occurred while compiling module(s)")
        self.assertEqual(body["errors"][0]["code"], "rego_unsafe_var_error")
        self.assertEqual(body["errors"][0]["location"]["file"], "v.rego")
        status, body, _, _ = s.put("/v1/policies/v.rego", "package v\nx := \n")
        self.assertEqual(status, 400)
        self.assertEqual(body["errors"][0]["code"], "rego_parse_error")
        self.assertEqual(s.get("/v1/data/v/x")[1], {"result": 1})

    def test_delete_that_breaks_others_is_refused(self):
        s = self.server
        self.assertEqual(s.put("/v1/policies/f.rego", "package f\n\ndouble(x) := 2 * x\n")[0], 200)
        self.assertEqual(s.put("/v1/policies/g.rego", "package g\n\nimport data.f\n\ny := f.double(2)\n")[0], 200)
        status, body, _, _ = s.request("DELETE", "/v1/policies/f.rego")
        self.assertEqual(status, 400)
        self.assertEqual(body["code"], "invalid_operation")
        self.assertEqual(s.get("/v1/data/g/y")[1], {"result": 4})

    def test_get_missing_is_404(self):
        status, body, _, _ = self.server.get("/v1/policies/none.rego")
        self.assertEqual(status, 404)
        self.assertEqual(body, {"code": "resource_not_found", "message": 'storage_not_found_error: policy id "none.rego"'})
        self.assertEqual(self.server.request("DELETE", "/v1/policies/none.rego")[0], 404)

    def test_policy_conflicting_with_data_is_rejected(self):
        s = self.server
        self.assertEqual(s.put("/v1/data/taken/p", "1")[0], 204)
        status, body, _, _ = s.put("/v1/policies/taken.rego", "package taken\n\np := 2\n")
        self.assertEqual(status, 400)
        self.assertIn("conflicting rule for data path taken/p found", body["errors"][0]["message"])

    def test_swap_is_atomic_for_concurrent_queries(self):
        s = self.server
        # Two rules that must always agree: a reader must never see one from the old and one from the new set.
        template = "package swap\n\na := %d\n\nb := %d\n\nsame if a == b\n"
        self.assertEqual(s.put("/v1/policies/swap.rego", template % (0, 0))[0], 200)
        failures = []
        stop = threading.Event()

        def reader():
            c = s.conn()
            while not stop.is_set():
                c.request("GET", "/v1/data/swap")
                doc = json.loads(c.getresponse().read())["result"]
                if doc["a"] != doc["b"] or doc.get("same") is not True:
                    failures.append(doc)

        threads = [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        for i in range(1, 40):
            self.assertEqual(s.put("/v1/policies/swap.rego", template % (i, i))[0], 200)
        stop.set()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        self.assertEqual(s.get("/v1/data/swap/a")[1], {"result": 39})

    def test_wrong_method(self):
        self.assertEqual(self.server.request("POST", "/v1/policies/x.rego")[0], 405)
        self.assertEqual(self.server.request("PUT", "/v1/policies")[0], 405)


class QueryApiTest(ServerTestCase):
    PATHS = ("authz.rego", "data.json")

    def test_get_query(self):
        status, body, _, _ = self.server.get("/v1/query?q=data.roles[x]")
        self.assertEqual(status, 200)
        self.assertEqual(sorted(r["x"] for r in body["result"]), ["alice", "bob"])

    def test_post_query_with_input(self):
        status, body, _, _ = self.server.post("/v1/query", {"query": "data.authz.allow == true; y := input.n + 1",
                                                            "input": {"user": "alice", "n": 1}})
        self.assertEqual((status, body), (200, {"result": [{"y": 2}]}))

    def test_wildcards_are_dropped_and_undefined_is_empty(self):
        status, body, _, _ = self.server.get("/v1/query?q=data.roles[_]")
        self.assertEqual(body, {"result": [{}, {}]})
        status, body, _, _ = self.server.get("/v1/query?q=x%20:=%20data.roles.nobody")
        self.assertEqual((status, body), (200, {}))

    def test_missing_q(self):
        status, body, _, _ = self.server.get("/v1/query")
        self.assertEqual((status, body), (400, {"code": "invalid_parameter", "message": "missing parameter 'q'"}))

    def test_parse_and_compile_errors(self):
        status, body, _, _ = self.server.get("/v1/query?q=x%20:=")
        self.assertEqual(status, 400)
        self.assertEqual(body["message"], "error(s) occurred while parsing query")
        status, body, _, _ = self.server.post("/v1/query", {"query": "x := y"})
        self.assertEqual(status, 400)
        self.assertEqual(body["message"], "error(s) occurred while compiling query")
        self.assertEqual(body["errors"][0]["code"], "rego_unsafe_var_error")

    def test_malformed_request(self):
        status, body, _, _ = self.server.post("/v1/query", "{")
        self.assertEqual(status, 400)
        self.assertIn("error(s) occurred while decoding request", body["message"])


if __name__ == "__main__":
    unittest.main()
