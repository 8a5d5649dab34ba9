"""http.send and net.lookup_ip_addr are off in the server unless the host is allowed (OPA's capabilities
allow_net, enforced by the engine): `--allow-net`, `allow_net` in the configuration or a capabilities file's
allow_net open single hosts, "*" every host. A denied call fails as OPA's does ("http.send: unallowed host:
<host>"; undefined unless strict-builtin-errors; an error object with raise_error: false), and no request
leaves. `trex eval` keeps OPA's default (any host) unless --capabilities restricts it."""
import http.client
import http.server
import json
import os
import subprocess
import tempfile
import threading
import time
import unittest

from harness import TREX, Server, wait_for

POLICY = """package net

url := sprintf("http://%s:%d/%s", [object.get(input, "host", "127.0.0.1"), input.port, object.get(input, "path", "data")])

body := http.send({"method": "GET", "url": url}).body

soft := http.send({"method": "GET", "url": url, "raise_error": false})

redirected := http.send({"method": "GET", "url": url, "enable_redirect": true, "raise_error": false})

addresses := net.lookup_ip_addr("localhost")
"""


SLOW_SECONDS = 3  # how long the upstream's /slow takes to answer
SLOWER_SECONDS = 8  # and its /slower


class Upstream(http.server.ThreadingHTTPServer):
    daemon_threads = True  # closing does not wait for a /slower answer nobody waits for any more
    block_on_close = False

    def __init__(self):
        self.paths = []
        super().__init__(("127.0.0.1", 0), Handler)

    def handle_error(self, request, client_address):
        pass  # a client that gave up on /slow: nothing to report


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.paths.append(self.path)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{self.server.server_address[1]}/data")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(SLOW_SECONDS)
        if self.path == "/slower":
            time.sleep(SLOWER_SECONDS)
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class AllowNetTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.policy = os.path.join(cls.tmp.name, "net.rego")
        with open(cls.policy, "w") as f:
            f.write(POLICY)
        cls.upstream = Upstream()
        cls.port = cls.upstream.server_address[1]
        threading.Thread(target=cls.upstream.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.upstream.shutdown()
        cls.upstream.server_close()
        cls.tmp.cleanup()

    def file(self, name, content):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(content)
        return path

    def query(self, server, rule, strict=False, **input):
        path = f"/v1/data/net/{rule}" + ("?strict-builtin-errors=true" if strict else "")
        status, body, _, _ = server.post(path, {"input": {"port": self.port, **input}})
        return status, body

    def assert_denied(self, server):
        before = len(self.upstream.paths)
        self.assertEqual(self.query(server, "body"), (200, {}))  # undefined, as OPA without strict errors
        status, body = self.query(server, "body", strict=True)
        self.assertEqual(status, 500)
        self.assertIn({"code": "eval_builtin_error", "message": "http.send: unallowed host: 127.0.0.1"},
                      [{"code": e["code"], "message": e["message"]} for e in body["errors"]])
        self.assertEqual(self.query(server, "soft")[1]["result"], {
            "status_code": 0,
            "error": {"code": "eval_http_send_internal_error",
                      "message": "eval_builtin_error: http.send: unallowed host: 127.0.0.1"}})
        status, body = self.query(server, "addresses", strict=True)
        self.assertEqual(status, 500)
        self.assertIn("net.lookup_ip_addr: unallowed host: localhost", json.dumps(body))
        self.assertEqual(len(self.upstream.paths), before, "a denied request reached the upstream server")

    def assert_allowed(self, server):
        self.assertEqual(self.query(server, "body"), (200, {"result": {"ok": True}}))

    def test_denied_by_default(self):
        server = Server([self.policy])
        try:
            self.assert_denied(server)
        finally:
            server.close()

    def test_allow_net_flag(self):
        server = Server([self.policy], ["--allow-net", "127.0.0.1,api.example.com"])
        try:
            self.assert_allowed(server)
            # localhost is another host name, not allowed.
            self.assertEqual(self.query(server, "body", strict=True, host="localhost")[0], 500)
            status, body = self.query(server, "addresses", strict=True)
            self.assertIn("net.lookup_ip_addr: unallowed host: localhost", json.dumps(body))
        finally:
            server.close()

    def test_redirects_to_other_hosts_are_checked(self):
        server = Server([self.policy], ["--allow-net", "127.0.0.1"])
        try:
            result = self.query(server, "redirected", path="redirect")[1]["result"]
            self.assertEqual(result["status_code"], 0)
            self.assertEqual(result["error"], {
                "code": "eval_http_send_network_error",
                "message": f'Get "http://localhost:{self.port}/data": unallowed host: localhost'})
        finally:
            server.close()

    def test_configuration_key(self):
        server = Server([self.policy], config="allow_net: [127.0.0.1]\n")
        try:
            self.assert_allowed(server)
        finally:
            server.close()
        server = Server([self.policy], config="allow_net: ['*']\n")
        try:
            self.assert_allowed(server)
            self.assertEqual(self.query(server, "redirected", path="redirect")[1]["result"]["body"], {"ok": True})
        finally:
            server.close()
        with self.assertRaises(RuntimeError) as cm:
            Server([self.policy], config="allow_net: 127.0.0.1\n")
        self.assertIn("allow_net must be a list of host names", str(cm.exception))

    def test_capabilities_file(self):
        server = Server([self.policy], ["--capabilities", self.file("caps.json", '{"allow_net": ["127.0.0.1"]}')])
        try:
            self.assert_allowed(server)
        finally:
            server.close()
        # Without allow_net the file opens nothing in the server.
        server = Server([self.policy], ["--capabilities", self.file("caps-none.json", '{"builtins": []}')])
        try:
            self.assert_denied(server)
        finally:
            server.close()

    def test_slow_host_holds_up_no_other_request(self):
        """A decision waiting on a slow host (http.send) is evaluated off the event loops: requests on other
        connections, some of them on the same loop, are answered meanwhile; then the slow one is, in full."""
        server = Server([self.policy], ["--allow-net", "127.0.0.1"])
        try:
            slow = {}
            waiting = threading.Thread(target=lambda: slow.update(answer=self.query(server, "body", path="slow")))
            waiting.start()
            wait_for(lambda: "/slow" in self.upstream.paths, timeout=5, interval=0.01)
            # Fresh connections go to the loops in turn: with the slow one's loop among them.
            for _ in range(4):
                self.assertEqual(self.query(server, "url")[0], 200)
                self.assertEqual(server.get("/health")[0], 200)
                self.assertEqual(server.post("/v1/query", {"query": "x := 1 + 1"})[1]["result"], [{"x": 2}])
            self.assertTrue(waiting.is_alive(), "the requests above waited for the slow host")
            waiting.join()
            self.assertEqual(slow["answer"], (200, {"result": {"ok": True}}))
        finally:
            server.close()

    def test_shutdown_does_not_wait_for_a_slow_host(self):
        """Once the shutdown grace period is over, a query still waiting on a slow host is cancelled: the
        server exits after the grace period, not when the host finally answers."""
        server = Server([self.policy], ["--allow-net", "127.0.0.1", "--shutdown-grace-period", "1"])
        try:
            before = self.upstream.paths.count("/slower")

            def ask():
                try:
                    self.query(server, "body", path="slower")
                except (OSError, http.client.HTTPException):
                    pass  # the connection goes with the server

            waiting = threading.Thread(target=ask)
            waiting.start()
            wait_for(lambda: self.upstream.paths.count("/slower") > before, timeout=5, interval=0.01)
            start = time.monotonic()
            self.assertEqual(server.stop(), 0)
            took = time.monotonic() - start
            waiting.join()
            self.assertGreaterEqual(took, 0.9)  # the grace period was given
            self.assertLess(took, SLOWER_SECONDS - 3, "the exit waited for the slow host")
        finally:
            server.close()

    def eval(self, *flags):
        url = f"http://127.0.0.1:{self.port}/data"
        out = subprocess.run([TREX, "eval", *flags, f'http.send({{"method": "GET", "url": "{url}"}}).body'],
                             capture_output=True, text=True)
        return out.returncode, json.loads(out.stdout) if out.stdout.strip() else out.stderr

    def test_eval_keeps_opas_default(self):
        code, out = self.eval()
        self.assertEqual(code, 0)
        self.assertEqual(out["result"][0]["expressions"][0]["value"], {"ok": True})
        code, out = self.eval("--capabilities", self.file("caps-allow.json", '{"allow_net": ["127.0.0.1"]}'))
        self.assertEqual(out["result"][0]["expressions"][0]["value"], {"ok": True})
        code, out = self.eval("--strict-builtin-errors", "--capabilities", self.file("caps-deny.json", '{"allow_net": []}'))
        self.assertNotEqual(code, 0)
        self.assertEqual(out["errors"][0]["message"], "http.send: unallowed host: 127.0.0.1")
        self.assertEqual(out["errors"][0]["code"], "eval_builtin_error")


if __name__ == "__main__":
    unittest.main()
