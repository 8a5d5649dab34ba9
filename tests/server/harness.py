"""Starts a real `trex run --server` on a free loopback port and talks to it over real HTTP.

Used by the server integration tests (test_*.py). The binary comes from $TREX_BIN (ctest sets it).
"""
import gzip
import http.client
import json
import os
import signal
import subprocess
import tempfile
import time
import unittest

TREX = os.environ.get("TREX_BIN", "trex")
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
# Multiplies the harness's waits (server start-up, client sockets, shutdown): the sanitizer build
# (scripts/sanitize.sh) runs trex several times slower and sets it. Only limits on how long to wait for
# something scale, never what a test expects of the server.
TIME_SCALE = float(os.environ.get("TREX_TEST_TIME_SCALE", "1"))


def wait_for(predicate, timeout=10, interval=0.1):
    """Polls predicate() until it is truthy or `timeout` seconds (times TIME_SCALE) have passed; returns its
    last value."""
    deadline = time.time() + timeout * TIME_SCALE
    while True:
        value = predicate()
        if value or time.time() > deadline:
            return value
        time.sleep(interval)


class Server:
    """One trex server process; the port is read from its "Initializing server." log line."""

    def __init__(self, paths=(), args=(), config=None, env=None):
        self.tmp = tempfile.TemporaryDirectory()
        cmd = [TREX, "run", "--server", "--addr", "127.0.0.1:0", "--log-level", "info"]
        if config is not None:
            cfg = os.path.join(self.tmp.name, "config.yaml")
            with open(cfg, "w") as f:
                f.write(config)
            cmd += ["--config-file", cfg]
        cmd += list(args) + list(paths)
        self.stdout_path = os.path.join(self.tmp.name, "stdout")
        self.stderr_path = os.path.join(self.tmp.name, "stderr")
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen(cmd, stdout=open(self.stdout_path, "w"), stderr=open(self.stderr_path, "w"),
                                     env=full_env)
        self.port = self._wait_for_port()

    def _wait_for_port(self):
        deadline = time.time() + 20 * TIME_SCALE
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("trex exited with %s: %s" % (self.proc.returncode, self.stderr()))
            for line in self.stderr().splitlines():
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if rec.get("msg") == "Initializing server.":
                    return rec["port"]
            time.sleep(0.02)
        raise RuntimeError("trex did not start: " + self.stderr())

    def stderr(self):
        with open(self.stderr_path) as f:
            return f.read()

    def stdout(self):
        with open(self.stdout_path) as f:
            return f.read()

    def conn(self, timeout=10):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout * TIME_SCALE)

    def request(self, method, path, body=None, headers=None, raw=False):
        """Returns (status, parsed JSON body or None, headers dict, raw bytes)."""
        c = self.conn()
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        if hdrs.get("content-encoding") == "gzip":
            data = gzip.decompress(data)
        parsed = None
        if data and hdrs.get("content-type", "").startswith("application/json"):
            parsed = json.loads(data)
        return r.status, parsed, hdrs, data

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout * TIME_SCALE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def close(self):
        self.stop()
        self.tmp.cleanup()


class ServerTestCase(unittest.TestCase):
    """A test class sharing one server; subclasses set PATHS / ARGS / CONFIG."""

    PATHS = ()
    ARGS = ()
    CONFIG = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server([os.path.join(FIXTURES, p) for p in cls.PATHS], cls.ARGS, cls.CONFIG)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
