"""The HTTP transport: gzip, keep-alive, pipelining, 100-continue, limits, slow clients, time limits and
graceful shutdown — each over real sockets against a real trex server."""
import gzip
import json
import os
import signal
import socket
import threading
import time
import unittest

from harness import FIXTURES, Server, ServerTestCase


def raw_exchange(port, payload, read_until_responses=1, timeout=5):
    """Sends raw bytes and reads until `read_until_responses` HTTP responses have arrived (or EOF)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(payload)
    data = b""
    while data.count(b"HTTP/1.1 ") < read_until_responses or not _complete(data):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return data


def _complete(data):
    # The last response is complete when its Content-Length bytes have arrived.
    last = data.rfind(b"HTTP/1.1 ")
    head_end = data.find(b"\r\n\r\n", last)
    if head_end < 0:
        return False
    head = data[last:head_end].decode().lower()
    length = 0
    for line in head.split("\r\n"):
        if line.startswith("content-length:"):
            length = int(line.split(":")[1])
    return len(data) - head_end - 4 >= length


class TransportTest(ServerTestCase):
    PATHS = ("authz.rego", "data.json")
    ARGS = ("--set", "server.encoding.gzip.min_length=64")

    def test_gzip_request_and_response(self):
        body = gzip.compress(json.dumps({"input": {"user": "alice"}}).encode())
        status, parsed, headers, _ = self.server.post(
            "/v1/data/authz/allow", body, headers={"Content-Encoding": "gzip"})
        self.assertEqual((status, parsed), (200, {"result": True}))
        status, parsed, headers, _ = self.server.get("/v1/policies", headers={"Accept-Encoding": "gzip"})
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("content-encoding"), "gzip")
        self.assertIn("package authz", parsed["result"][0]["raw"])
        status, parsed, headers, _ = self.server.get("/v1/policies", headers={"Accept-Encoding": "gzip;q=0"})
        self.assertNotIn("content-encoding", headers)

    def test_corrupt_gzip_body(self):
        status, body, _, _ = self.server.post("/v1/data/authz/allow", b"not gzip at all",
                                              headers={"Content-Encoding": "gzip"})
        self.assertEqual(status, 400)
        self.assertEqual(body["message"], "could not decompress the body")

    def test_keep_alive_reuses_the_connection(self):
        c = self.server.conn()
        for _ in range(5):
            c.request("POST", "/v1/data/authz/allow", body=json.dumps({"input": {"user": "alice"}}))
            r = c.getresponse()
            self.assertEqual(json.loads(r.read()), {"result": True})
        c.close()

    def test_pipelining(self):
        req = (b"POST /v1/data/authz/allow HTTP/1.1\r\nHost: x\r\nContent-Length: 27\r\n\r\n"
               b'{"input":{"user":"alice"}}\n')
        get = b"GET /v1/data/readers HTTP/1.1\r\nHost: x\r\n\r\n"
        data = raw_exchange(self.server.port, req + get + req, read_until_responses=3)
        self.assertEqual(data.count(b"HTTP/1.1 200 OK"), 3)
        self.assertLess(data.find(b'{"result":true}'), data.find(b'{"result":["bob","carol"]}'))

    def test_response_heads(self):
        def head_of(request):
            s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
            s.sendall(request)
            data = b""
            while True:  # the server closes every exchange below (Connection: close or HTTP/1.0)
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            s.close()
            head, _, body = data.partition(b"\r\n\r\n")
            lines = head.decode().split("\r\n")
            return lines[0], dict(line.lower().split(": ", 1) for line in lines[1:]), body

        post = b'{"input":{"user":"alice"}}'
        status, fields, body = head_of(b"POST /v1/data/authz/allow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                       b"Content-Length: 26\r\n\r\n" + post)
        self.assertEqual(status, "HTTP/1.1 200 OK")
        self.assertEqual(fields, {"content-type": "application/json", "connection": "close",
                                  "content-length": str(len(body))})
        self.assertEqual(json.loads(body), {"result": True})
        # HTTP/1.0 is answered in HTTP/1.0, closed unless the client asked to keep the connection.
        status, fields, body = head_of(b"GET /v1/data/nothing/here HTTP/1.0\r\n\r\n")
        self.assertEqual(status, "HTTP/1.0 200 OK")
        self.assertNotIn("connection", fields)
        self.assertEqual(json.loads(body), {})
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        for _ in range(2):
            s.sendall(b"GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            data = s.recv(65536)
            self.assertTrue(data.startswith(b"HTTP/1.0 200 OK\r\n"), data)
            self.assertIn(b"\r\nConnection: keep-alive\r\n", data)
        s.close()
        # 204 has neither a body nor its headers; errors keep their status' reason phrase.
        status, fields, body = head_of(b"PUT /v1/data/scratch HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                       b"Content-Length: 2\r\n\r\n{}")
        self.assertEqual((status, body), ("HTTP/1.1 204 No Content", b""))
        self.assertEqual(fields, {"connection": "close"})
        status, fields, body = head_of(b"GET /v1/data?x=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertEqual(status, "HTTP/1.1 400 Bad Request")
        self.assertEqual(int(fields["content-length"]), len(body))
        self.assertEqual(json.loads(body)["code"], "invalid_parameter")

    def test_chunked_request_body(self):
        body = b'{"input":{"user":"alice"}}'
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:10], body[10:])) + b"0\r\n\r\n"
        req = b"POST /v1/data/authz/allow HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
        data = raw_exchange(self.server.port, req)
        self.assertIn(b"200 OK", data)
        self.assertIn(b'{"result":true}', data)

    def test_requests_on_one_connection_share_nothing(self):
        # The transport reads each request into buffers it reuses: nothing of one request (query, fields, body,
        # gzip) may reach the next on the same connection.
        zipped = gzip.compress(json.dumps({"input": {"user": "alice"}}).encode())
        first = (b"POST /v1/data/authz/allow?pretty=true&metrics=true HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Encoding: gzip\r\nContent-Length: " + str(len(zipped)).encode() + b"\r\n\r\n" + zipped)
        second = (b"POST /v1/data/authz/allow HTTP/1.1\r\nHost: x\r\nContent-Length: 24\r\n\r\n"
                  b'{"input":{"user":"bob"}}')
        third = b"GET /v1/data/readers HTTP/1.1\r\nHost: x\r\n\r\n"
        data = raw_exchange(self.server.port, first + second + third, read_until_responses=3)
        self.assertEqual(data.count(b"HTTP/1.1 200 OK"), 3, data)
        responses = data.split(b"HTTP/1.1 200 OK")[1:]
        self.assertIn(b'"metrics"', responses[0])
        self.assertIn(b'\n  "result": true', responses[0])  # pretty
        self.assertTrue(responses[1].endswith(b'\r\n\r\n{"result":false}\n'), responses[1])
        self.assertTrue(responses[2].endswith(b'\r\n\r\n{"result":["bob","carol"]}\n'), responses[2])

    def test_expect_100_continue(self):
        body = json.dumps({"input": {"user": "alice", "pad": "x" * 2000}}).encode()
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        s.sendall(b"POST /v1/data/authz/allow HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: "
                  + str(len(body)).encode() + b"\r\n\r\n")
        interim = s.recv(100)
        self.assertTrue(interim.startswith(b"HTTP/1.1 100 Continue"), interim)
        s.sendall(body)
        data = b""
        while b'{"result":true}' not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        self.assertIn(b"200 OK", data)

    def test_malformed_request_line(self):
        data = raw_exchange(self.server.port, b"NOT AN HTTP REQUEST\r\n\r\n")
        self.assertTrue(data.startswith(b"HTTP/1.1 400"), data)

    def test_slow_client_does_not_block_others(self):
        stalled = []
        for _ in range(4):  # more stalled connections than event loops
            s = socket.create_connection(("127.0.0.1", self.server.port))
            s.sendall(b"POST /v1/data/authz/allow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
            stalled.append(s)
        start = time.time()
        status, body, _, _ = self.server.post("/v1/data/authz/allow", {"input": {"user": "alice"}})
        self.assertEqual((status, body), (200, {"result": True}))
        self.assertLess(time.time() - start, 2)
        for s in stalled:
            s.close()


class LimitsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server([os.path.join(FIXTURES, "authz.rego")],
                            ["--set", "server.decoding.max_length=1000",
                             "--set", "server.decoding.gzip.max_length=2000",
                             "--set", "server.limits.max_header_bytes=2048",
                             "--set", "server.limits.max_connections=3",
                             "--set", "server.limits.query_timeout_ms=300",
                             "--set", "server.limits.read_timeout_ms=500"])

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_oversized_body(self):
        status, body, _, _ = self.server.post("/v1/data/authz/allow", {"input": {"pad": "x" * 5000}})
        self.assertEqual(status, 413)
        self.assertEqual(body["message"], "request body too large")

    def test_oversized_gzip_body(self):
        bomb = gzip.compress(json.dumps({"input": {"pad": "x" * 100000}}).encode())
        self.assertLess(len(bomb), 1000)
        status, body, _, _ = self.server.post("/v1/data/authz/allow", bomb, headers={"Content-Encoding": "gzip"})
        self.assertEqual(status, 413)
        self.assertEqual(body["message"], "compressed request body too large")

    def test_oversized_header(self):
        status, _, _, _ = self.server.get("/v1/data/authz/allow", headers={"X-Big": "y" * 4000})
        self.assertEqual(status, 431)

    def test_query_time_limit(self):
        status, body, _, _ = self.server.post("/v1/data/authz/slow", {"input": {"n": 20000}})
        self.assertEqual(status, 500)
        self.assertEqual(body["errors"][0]["code"], "eval_cancel_error")
        # The server still answers.
        self.assertEqual(self.server.post("/v1/data/authz/risky", {"input": {"n": 3}})[1], {"result": 6})

    def test_incomplete_request_times_out(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        s.sendall(b"POST /v1/data/authz/allow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{")
        start = time.time()
        self.assertEqual(s.recv(100), b"")  # closed by the server after read_timeout
        self.assertLess(time.time() - start, 4)
        s.close()

    def test_connection_limit(self):
        held = [socket.create_connection(("127.0.0.1", self.server.port)) for _ in range(3)]
        time.sleep(0.2)
        extra = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        reply = extra.recv(1000)
        self.assertTrue(reply.startswith(b"HTTP/1.1 503"), reply)
        self.assertIn(b"too many open connections", reply)
        extra.close()
        for s in held:
            s.close()
        time.sleep(0.2)
        self.assertEqual(self.server.get("/health")[0], 200)


class TimeoutTest(unittest.TestCase):
    """The read and idle timeouts bound the client, never the server's own work, and a connection in steady use
    outlives both."""
    READ_TIMEOUT_S = 0.3
    IDLE_TIMEOUT_S = 1.0

    @classmethod
    def setUpClass(cls):
        cls.server = Server([os.path.join(FIXTURES, "authz.rego")],
                            ["--set", "server.limits.read_timeout_ms=%d" % (cls.READ_TIMEOUT_S * 1000),
                             "--set", "server.limits.idle_timeout_ms=%d" % (cls.IDLE_TIMEOUT_S * 1000),
                             "--set", "server.limits.query_timeout_ms=60000"])

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_connection_in_use_outlives_the_timeouts(self):
        c = self.server.conn()
        c.request("GET", "/health")
        c.getresponse().read()
        sock = c.sock
        start = time.time()
        while time.time() - start < 3 * self.IDLE_TIMEOUT_S:
            c.request("POST", "/v1/data/authz/risky", body=json.dumps({"input": {"n": 3}}))
            self.assertEqual(json.loads(c.getresponse().read()), {"result": 6})
            time.sleep(self.READ_TIMEOUT_S / 3)
        self.assertIs(c.sock, sock)  # one connection throughout
        c.close()

    def test_idle_connection_is_closed_after_the_idle_timeout(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertTrue(s.recv(65536).startswith(b"HTTP/1.1 200 OK"))
        start = time.time()
        self.assertEqual(s.recv(100), b"")
        waited = time.time() - start
        self.assertGreater(waited, self.IDLE_TIMEOUT_S * 0.8)
        self.assertLess(waited, self.IDLE_TIMEOUT_S * 4)
        s.close()

    def test_slow_evaluation_is_not_a_slow_client(self):
        # Evaluating takes a few read timeouts (n*n iterations: about 1 s on the development machine); the
        # answer still comes, in full. Both a decision evaluated on the event loop and an ad-hoc query
        # (evaluated off it, while the loop goes on).
        for path, body, expected in (
                ("/v1/data/authz/slow", {"input": {"n": 3500}}, {"result": 3500 * 3500}),
                ("/v1/query", {"query": "x := data.authz.slow", "input": {"n": 3500}},
                 {"result": [{"x": 3500 * 3500}]})):
            start = time.time()
            status, answer, _, _ = self.server.post(path, body)
            self.assertEqual((status, answer), (200, expected), path)
            self.assertGreater(time.time() - start, self.READ_TIMEOUT_S)


class ShutdownTest(unittest.TestCase):
    def test_in_flight_request_finishes_on_sigterm(self):
        server = Server([os.path.join(FIXTURES, "authz.rego")])
        try:
            result = {}

            def slow():
                result["resp"] = server.post("/v1/data/authz/slow", {"input": {"n": 1200}})

            t = threading.Thread(target=slow)
            t.start()
            time.sleep(0.15)
            server.proc.send_signal(signal.SIGTERM)
            t.join(30)
            status, body, _, _ = result["resp"]
            self.assertEqual(status, 200)
            self.assertEqual(body, {"result": 1200 * 1200})
            self.assertEqual(server.proc.wait(15), 0)
            self.assertIn("Server shutdown.", server.stderr())
        finally:
            server.close()


if __name__ == "__main__":
    unittest.main()
