"""OPA's remote decision-log upload: gzip JSON batches POSTed to a service the test runs, with retries."""
import gzip
import http.server
import json
import threading
import time
import unittest

from harness import FIXTURES, Server


class LogCollector(http.server.ThreadingHTTPServer):
    """Answers 500 to the first `fail_first` uploads, then 200; keeps every batch it accepted."""

    def __init__(self, fail_first):
        self.fail_first = fail_first
        self.batches = []
        self.requests = []
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        srv = self.server
        srv.requests.append((self.path, dict(self.headers)))
        if len(srv.requests) <= srv.fail_first:
            self.send_response(500)
            self.end_headers()
            return
        srv.batches.append(json.loads(gzip.decompress(body)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class DecisionUploadTest(unittest.TestCase):
    def test_batches_are_uploaded_and_retried(self):
        collector = LogCollector(fail_first=1)
        threading.Thread(target=collector.serve_forever, daemon=True).start()
        config = f"""
services:
  logs:
    url: http://127.0.0.1:{collector.server_address[1]}/prefix
    credentials:
      bearer:
        token: t0ken
decision_logs:
  service: logs
  reporting:
    min_delay_seconds: 1
    max_delay_seconds: 1
    upload_size_limit_bytes: 1
"""
        server = Server([f"{FIXTURES}/authz.rego", f"{FIXTURES}/data.json"], config=config)
        try:
            ids = []
            for user in ["alice", "bob", "carol"]:
                status, body, _, _ = server.post("/v1/data/authz/allow", {"input": {"user": user}})
                self.assertEqual(status, 200)
                ids.append(body["decision_id"])
            deadline = time.time() + 15
            while time.time() < deadline:
                got = [e["decision_id"] for batch in collector.batches for e in batch]
                if sorted(got) == sorted(ids):
                    break
                time.sleep(0.1)
            got = [e for batch in collector.batches for e in batch]
            self.assertEqual(sorted(e["decision_id"] for e in got), sorted(ids))
            self.assertGreaterEqual(len(collector.requests), 2)  # the first upload failed and was retried
            path, headers = collector.requests[-1]
            self.assertEqual(path, "/prefix/logs")
            self.assertEqual(headers["Authorization"], "Bearer t0ken")
            self.assertEqual(headers["Content-Encoding"], "gzip")
            self.assertEqual({e["input"]["user"] for e in got}, {"alice", "bob", "carol"})
            self.assertIn("decision log upload failed", server.stderr())
            self.assertEqual(server.get("/v1/status")[1]["result"]["plugins"]["decision_logs"], {"state": "OK"})
        finally:
            server.close()
            collector.shutdown()

    def test_misconfigured_service_is_refused(self):
        with self.assertRaises(RuntimeError) as cm:
            Server([f"{FIXTURES}/authz.rego"], config="decision_logs:\n  service: nowhere\n")
        self.assertIn("names no service", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
