"""Data API v1 and v0 over real HTTP against a real trex server."""
import json
import unittest
import urllib.parse

from harness import ServerTestCase


class DataReadTest(ServerTestCase):
    PATHS = ("authz.rego", "data.json")

    def test_get_whole_document(self):
        status, body, _, _ = self.server.get("/v1/data/roles")
        self.assertEqual(status, 200)
        self.assertEqual(body, {"result": {"alice": ["admin"], "bob": ["dev"]}})

    def test_post_with_input(self):
        status, body, _, _ = self.server.post("/v1/data/authz/allow", {"input": {"user": "alice"}})
        self.assertEqual((status, body), (200, {"result": True}))
        status, body, _, _ = self.server.post("/v1/data/authz/allow", {"input": {"user": "bob", "method": "POST"}})
        self.assertEqual((status, body), (200, {"result": False}))

    def test_yaml_body(self):
        status, body, _, _ = self.server.post("/v1/data/authz/allow", "input:\n  user: alice\n",
                                              headers={"Content-Type": "application/x-yaml"})
        self.assertEqual((status, body), (200, {"result": True}))
        status, body, _, _ = self.server.post("/v0/data/authz/allow", "user: alice\n",
                                              headers={"Content-Type": "application/yaml"})
        self.assertEqual((status, body), (200, True))
        status, body, _, _ = self.server.post("/v1/data/authz/allow", "input: [unclosed",
                                              headers={"Content-Type": "application/yaml"})
        self.assertEqual(status, 400)

    def test_get_with_input_parameter(self):
        q = urllib.parse.quote(json.dumps({"user": "bob", "method": "GET"}))
        status, body, _, _ = self.server.get("/v1/data/authz/allow?input=" + q)
        self.assertEqual((status, body), (200, {"result": True}))

    def test_malformed_input_parameter(self):
        status, body, _, _ = self.server.get("/v1/data/authz/allow?input=%7Bnope")
        self.assertEqual(status, 400)
        self.assertEqual(body["code"], "invalid_parameter")
        self.assertIn("parameter contains malformed input document", body["message"])

    def test_missing_input_key_warns(self):
        status, body, _, _ = self.server.post("/v1/data/authz/allow", {"inptu": {}})
        self.assertEqual(status, 200)
        self.assertEqual(body["warning"], {"code": "api_usage_warning", "message": "'input' key missing from the request"})
        self.assertFalse(body["result"])

    def test_malformed_body(self):
        status, body, _, _ = self.server.post("/v1/data/authz/allow", '{"input": [1,}')
        self.assertEqual(status, 400)
        self.assertEqual(body["code"], "invalid_parameter")
        self.assertIn("body contains malformed input document", body["message"])
        status, body, _, _ = self.server.post("/v1/data/authz/allow", "[1, 2]")
        self.assertEqual(status, 400)

    def test_body_parts_no_rule_reads(self):
        # The server builds only the part of input the rules can read (rego::request_projection); the rest is
        # still read as strictly: a malformed part no rule reads is the same 400, at the same offset.
        noise = {"tags": ["x", {"y": [1.5, None]}], "s": "\u00e9\n", "deep": {"a": {"b": [[], {}]}}}
        status, body, _, _ = self.server.post("/v1/data/authz/allow", {"input": {"user": "alice", **noise}, "extra": noise})
        self.assertEqual((status, body), (200, {"result": True}))
        status, body, _, _ = self.server.post("/v1/data/authz/allow", {"input": {"user": "bob", "method": "GET", "x": noise}})
        self.assertEqual((status, body), (200, {"result": True}))
        status, body, _, _ = self.server.post("/v1/data/authz/allow", '{"input": {"user": "alice", "unread": {"x": [1,}}}')
        self.assertEqual(status, 400)
        self.assertEqual(body["message"], "body contains malformed input document: invalid JSON at offset 47: "
                                          "Invalid value.")
        status, body, _, _ = self.server.post("/v1/data/authz/allow", '{"input": {"user": "alice"}, "other": tru}')
        self.assertEqual(status, 400)
        self.assertIn("invalid JSON at offset 41", body["message"])

    def test_undefined_is_empty_object(self):
        status, body, _, _ = self.server.get("/v1/data/authz/nothing_here")
        self.assertEqual((status, body), (200, {}))

    def test_pretty_metrics_provenance(self):
        status, body, _, raw = self.server.get("/v1/data/authz/allow?pretty=true&metrics=true&provenance=true")
        self.assertEqual(status, 200)
        self.assertIn(b'\n  "metrics": {', raw)
        self.assertIn("timer_rego_query_eval_ns", body["metrics"])
        self.assertIn("timer_server_handler_ns", body["metrics"])
        self.assertIn("version", body["provenance"])

    def test_explain(self):
        status, body, _, _ = self.server.post("/v1/data/authz/traced?explain=notes", {"input": {"user": "alice"}})
        self.assertEqual(status, 200)
        self.assertTrue(body["result"])
        notes = [e for e in body["explanation"] if e["op"] == "note"]
        self.assertEqual([n["message"] for n in notes], ["checking the user"])
        self.assertEqual(body["explanation"][0]["op"], "enter")
        status, body, _, _ = self.server.post("/v1/data/authz/traced?explain=notes&pretty=true", {"input": {"user": "alice"}})
        self.assertTrue(any("Note \"checking the user\"" in line for line in body["explanation"]), body["explanation"])
        status, body, _, _ = self.server.post("/v1/data/authz/traced?explain=full", {"input": {"user": "bob"}})
        self.assertNotIn("result", body)
        self.assertIn("fail", [e["op"] for e in body["explanation"]])
        status, body, _, _ = self.server.get("/v1/query?q=data.authz.traced&explain=full")
        self.assertIn("explanation", body)

    def test_evaluation_error_is_500(self):
        status, body, _, _ = self.server.post("/v1/data/authz/crash", {"input": {}})
        self.assertEqual(status, 500)
        self.assertEqual(body["code"], "internal_error")
        self.assertEqual(body["message"], "error(s) occurred while evaluating query")
        self.assertEqual(body["errors"][0]["code"], "eval_conflict_error")
        self.assertIn("complete rules must not produce multiple outputs", body["errors"][0]["message"])

    def test_strict_builtin_errors(self):
        status, body, _, _ = self.server.post("/v1/data/authz/strict_fail", {"input": {"s": "x"}})
        self.assertEqual((status, body), (200, {}))
        status, body, _, _ = self.server.post("/v1/data/authz/strict_fail?strict-builtin-errors", {"input": {"s": "x"}})
        self.assertEqual(status, 500)
        self.assertEqual(body["errors"][0]["code"], "eval_builtin_error")

    def test_invalid_path(self):
        status, body, _, _ = self.server.get('/v1/data/a%22b')
        self.assertEqual(status, 400)
        self.assertIn("invalid path", body["message"])

    def test_numeric_path_segment_indexes_arrays(self):
        status, body, _, _ = self.server.get("/v1/data/readers/1")
        self.assertEqual((status, body), (200, {"result": "carol"}))

    def test_v0_data(self):
        status, body, _, _ = self.server.post("/v0/data/authz/allow", {"user": "alice"})
        self.assertEqual((status, body), (200, True))

    def test_v0_undefined_is_404(self):
        status, body, _, _ = self.server.post("/v0/data/authz/nothing", {})
        self.assertEqual(status, 404)
        self.assertEqual(body["code"], "undefined_document")
        self.assertEqual(body["message"], "document missing: data.authz.nothing")

    def test_v0_malformed_input(self):
        status, body, _, _ = self.server.post("/v0/data/authz/allow", "{")
        self.assertEqual(status, 400)
        self.assertEqual(body["code"], "invalid_parameter")

    def test_wrong_method(self):
        status, _, _, _ = self.server.request("OPTIONS", "/v1/data/authz")
        self.assertEqual(status, 405)
        status, _, _, _ = self.server.get("/v0/data/authz")
        self.assertEqual(status, 405)


class DataWriteTest(ServerTestCase):
    PATHS = ("authz.rego",)

    def test_put_get_patch_delete(self):
        s = self.server
        self.assertEqual(s.put("/v1/data/w/team", {"members": ["a"]})[0], 204)
        self.assertEqual(s.get("/v1/data/w/team")[1], {"result": {"members": ["a"]}})
        patch = [{"op": "add", "path": "/members/-", "value": "b"},
                 {"op": "replace", "path": "/lead", "value": "x"}]
        status, body, _, _ = s.request("PATCH", "/v1/data/w/team", body=json.dumps(patch))
        self.assertEqual(status, 404, body)  # replace of a missing key fails: nothing applied
        patch[1]["op"] = "add"
        self.assertEqual(s.request("PATCH", "/v1/data/w/team", body=json.dumps(patch))[0], 204)
        self.assertEqual(s.get("/v1/data/w/team")[1], {"result": {"members": ["a", "b"], "lead": "x"}})
        self.assertEqual(s.request("DELETE", "/v1/data/w/team/lead")[0], 204)
        self.assertEqual(s.get("/v1/data/w/team")[1], {"result": {"members": ["a", "b"]}})

    def test_put_if_none_match(self):
        s = self.server
        self.assertEqual(s.put("/v1/data/once", {"v": 1})[0], 204)
        status, _, _, raw = s.put("/v1/data/once", {"v": 2}, headers={"If-None-Match": "*"})
        self.assertEqual((status, raw), (304, b""))
        self.assertEqual(s.get("/v1/data/once")[1], {"result": {"v": 1}})

    def test_delete_missing_is_404(self):
        status, body, _, _ = self.server.request("DELETE", "/v1/data/no/such/doc")
        self.assertEqual(status, 404)
        self.assertEqual(body["code"], "resource_not_found")

    def test_bad_patch(self):
        status, body, _, _ = self.server.request("PATCH", "/v1/data/x", body='[{"op":"move","path":"/a"}]')
        self.assertEqual(status, 400)
        self.assertEqual(body["message"], "bad patch operation: move")
        status, body, _, _ = self.server.request("PATCH", "/v1/data/x", body='{"op":"add"}')
        self.assertEqual(status, 400)

    def test_malformed_put(self):
        status, body, _, _ = self.server.put("/v1/data/x", "{nope")
        self.assertEqual(status, 400)
        self.assertEqual(body["code"], "invalid_parameter")

    def test_root_must_be_object(self):
        status, body, _, _ = self.server.put("/v1/data", "[1]")
        self.assertEqual(status, 400)
        self.assertIn("root must be object", body["message"])

    def test_write_conflicting_with_rule_is_rejected(self):
        status, body, _, _ = self.server.put("/v1/data/authz/allow", "true")
        self.assertEqual(status, 400)
        self.assertIn("conflicting rule for data path authz/allow found", body["message"])
        status, body, _, _ = self.server.get("/v1/data/authz/allow")
        self.assertEqual(body, {"result": False})

    def test_put_through_non_object_is_conflict(self):
        self.assertEqual(self.server.put("/v1/data/scalar", "5")[0], 204)
        status, body, _, _ = self.server.put("/v1/data/scalar/below", "1")
        self.assertEqual(status, 404)
        self.assertEqual(body["code"], "resource_conflict")


class DecisionLogTest(ServerTestCase):
    PATHS = ("authz.rego", "data.json")
    ARGS = ("--set", "decision_logs.console=true")

    def test_decision_id_and_console_log(self):
        status, body, _, _ = self.server.post("/v1/data/authz/allow", {"input": {"user": "alice"}})
        self.assertEqual(status, 200)
        decision_id = body["decision_id"]
        self.assertRegex(decision_id, r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        events = [json.loads(l) for l in self.server.stdout().splitlines() if l.strip()]
        event = next(e for e in events if e.get("decision_id") == decision_id)
        self.assertEqual(event["msg"], "Decision Log")
        self.assertEqual(event["path"], "authz/allow")
        self.assertEqual(event["input"], {"user": "alice"})
        self.assertEqual(event["result"], True)
        self.assertIn("id", event["labels"])
        # The request's timers are read for the log even when the request did not ask for ?metrics.
        self.assertGreater(event["metrics"]["timer_rego_query_eval_ns"], 0)
        self.assertGreater(event["metrics"]["timer_server_handler_ns"], 0)

    def test_logged_input_is_whole(self):
        # Decision logs record the input whole, parts no rule reads included.
        given = {"user": "alice", "unread": {"x": [1, "two"]}}
        status, body, _, _ = self.server.post("/v1/data/authz/allow", {"input": given})
        self.assertEqual((status, body["result"]), (200, True))
        events = [json.loads(l) for l in self.server.stdout().splitlines() if l.strip()]
        event = next(e for e in events if e.get("decision_id") == body["decision_id"])
        self.assertEqual(event["input"], given)


if __name__ == "__main__":
    unittest.main()
