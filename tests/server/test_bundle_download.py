"""Fleet deployment as OPA does it: trex downloads bundles from a real nginx on loopback (`services` +
`bundles` in the configuration), with a bearer token, ETag/304, polling, signature verification, atomic
activation and the last good bundle persisted for restarts while the bundle server is down.

nginx (Debian's nginx-light, scripts/install-deps.sh) runs unprivileged-style from a temporary prefix in
single-process mode; it serves the bundle as a static file (its ETag is derived from the file's mtime and
size, so the tests give every new version a distinct mtime) and refuses requests without the token (401).
Its access log ("<status> <uri>" per request) is how the tests count downloads and 304s.
"""
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
import unittest

from harness import TREX, Server, wait_for

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TOKEN = "s3cret-token"

NGINX_CONF = """daemon off;
master_process off;
worker_processes 1;
error_log {d}/error.log;
pid {d}/nginx.pid;
events {{ worker_connections 64; }}
http {{
  log_format counts '$status $uri';
  access_log {d}/access.log counts;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {d}/www;
    location /bundles/ {{
      if ($http_authorization != "Bearer {token}") {{ return 401; }}
      default_type application/gzip;
    }}
  }}
}}
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Nginx:
    def __init__(self, d):
        self.d = d
        os.makedirs(os.path.join(d, "www", "bundles"), exist_ok=True)
        self.port = free_port()
        conf = os.path.join(d, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(d=d, port=self.port, token=TOKEN))
        if os.path.exists(os.path.join(d, "access.log")):
            os.remove(os.path.join(d, "access.log"))
        self.proc = subprocess.Popen([NGINX, "-p", d, "-c", conf, "-e", os.path.join(d, "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited: " + open(os.path.join(d, "error.log")).read())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def serve(self, src, name="authz", mtime=None):
        """Puts `src` (a file path or bytes) in place atomically, with a distinct mtime (so a new ETag)."""
        dst = os.path.join(self.d, "www", "bundles", name)
        tmp = dst + ".tmp"
        if isinstance(src, bytes):
            with open(tmp, "wb") as f:
                f.write(src)
        else:
            shutil.copyfile(src, tmp)
        Nginx.mtime_counter += 10
        t = mtime or (1700000000 + Nginx.mtime_counter)
        os.utime(tmp, (t, t))
        os.replace(tmp, dst)

    mtime_counter = 0

    def requests(self, uri="/bundles/authz"):
        """Status codes of the requests for `uri`, in order."""
        path = os.path.join(self.d, "access.log")
        if not os.path.exists(path):
            return []
        out = []
        with open(path) as f:
            for line in f:
                status, _, u = line.strip().partition(" ")
                if u == uri:
                    out.append(int(status))
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def config(url, token=TOKEN, extra_bundle="", extra=""):
    return """services:
  bundle_server:
    url: {url}
    credentials:
      bearer:
        token: "{token}"
bundles:
  authz:
    service: bundle_server
    resource: bundles/authz
    polling:
      min_delay_seconds: 1
      max_delay_seconds: 1
{extra_bundle}{extra}""".format(url=url, token=token, extra_bundle=extra_bundle, extra=extra)


class BundleDownloadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        os.chmod(d, 0o755)
        cls.key = os.path.join(d, "key.pem")
        cls.pub = os.path.join(d, "pub.pem")
        subprocess.run(["openssl", "genrsa", "-out", cls.key, "2048"], check=True, capture_output=True)
        subprocess.run(["openssl", "rsa", "-in", cls.key, "-pubout", "-out", cls.pub], check=True, capture_output=True)
        # v1 and v2 name their modules differently: if v1's module were not removed on activating v2, the
        # two `version` rules would conflict and every query would fail.
        cls.v1 = cls.build("v1", "rules_v1.rego", 100)
        cls.v2 = cls.build("v2", "rules_v2.rego", 1000)
        cls.v1_signed = cls.build("v1", "rules_v1.rego", 100, sign=True)
        cls.v2_signed = cls.build("v2", "rules_v2.rego", 1000, sign=True)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def build(cls, rev, module, limit, sign=False):
        src = os.path.join(cls.tmp.name, "src-%s-%s" % (rev, sign))
        os.makedirs(os.path.join(src, "fleet"))
        with open(os.path.join(src, "fleet", module), "w") as f:
            f.write('package fleet\n\nversion := "%s"\n\nallow := input.amount <= data.fleet.limit\n' % rev)
        with open(os.path.join(src, "fleet", "data.json"), "w") as f:
            json.dump({"limit": limit}, f)
        with open(os.path.join(src, ".manifest"), "w") as f:
            json.dump({"roots": ["fleet"]}, f)
        out = os.path.join(cls.tmp.name, "%s%s.tar.gz" % (rev, "-signed" if sign else ""))
        args = ["build", "-b", os.path.basename(src), "-o", out, "--revision", rev]
        if sign:
            args += ["--signing-key", cls.key, "--verification-key-id", "global_key"]
        p = subprocess.run([TREX] + args, capture_output=True, text=True, cwd=cls.tmp.name, timeout=60)
        assert p.returncode == 0, p.stdout + p.stderr
        return out

    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=self.tmp.name)
        os.chmod(self.dir, 0o755)
        self.nginx = Nginx(os.path.join(self.dir, "nginx"))
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.close()
        self.nginx.stop()

    def trex(self, cfg):
        s = Server(config=cfg)
        self.servers.append(s)
        return s

    @staticmethod
    def revision(server):
        body = server.get("/v1/status")[1]
        return body["result"]["bundles"].get("authz", {}).get("active_revision", "")

    @staticmethod
    def status(server):
        return server.get("/v1/status")[1]["result"]["bundles"]["authz"]

    def assert_serves(self, server, rev, limit):
        status, body = server.post("/v1/data/fleet", {"input": {"amount": 500}})[:2]
        self.assertEqual(status, 200, body)
        self.assertEqual(body["result"], {"version": rev, "limit": limit, "allow": 500 <= limit})

    def test_activation_update_and_etag(self):
        # Nothing to serve yet: the bundle is not activated and /health?bundles says so.
        server = self.trex(config(self.nginx.url))
        self.assertTrue(wait_for(lambda: 404 in self.nginx.requests()), self.nginx.requests())
        # nginx logs the request before trex has read the answer: wait for the status to record it.
        bundle_status = lambda: server.get("/v1/status")[1]["result"]["bundles"].get("authz", {})
        self.assertTrue(wait_for(lambda: "http_code" in bundle_status()), bundle_status())
        self.assertEqual(server.get("/health?bundles")[0], 500)
        self.assertEqual(server.get("/health")[0], 200)
        self.assertEqual(server.get("/v1/status")[1]["result"]["plugins"]["bundle"]["state"], "NOT_READY")
        st = self.status(server)
        self.assertEqual(st["http_code"], 404)
        self.assertIn("404", st["message"])

        self.nginx.serve(self.v1)
        self.assertTrue(wait_for(lambda: server.get("/health?bundles")[0] == 200))
        self.assert_serves(server, "v1", 100)
        st = self.status(server)
        self.assertEqual(st["active_revision"], "v1")
        for key in ("last_successful_download", "last_successful_activation", "last_successful_request"):
            self.assertIn(key, st)
        self.assertNotIn("code", st)
        self.assertEqual(server.get("/v1/status")[1]["result"]["plugins"]["bundle"]["state"], "OK")
        ids = sorted(p["id"] for p in server.get("/v1/policies")[1]["result"])
        self.assertEqual(ids, ["authz/src-v1-False/fleet/rules_v1.rego"])
        # Bundle roots are owned by the bundle.
        self.assertEqual(server.put("/v1/data/fleet/limit", "5")[0], 400)

        # Polling every second with If-None-Match: nginx answers 304 and nothing is downloaded again.
        self.assertTrue(wait_for(lambda: self.nginx.requests().count(304) >= 2, timeout=8), self.nginx.requests())
        self.assertEqual(self.nginx.requests().count(200), 1, self.nginx.requests())

        # A new version replaces the old one while trex runs: data and policies, atomically.
        self.nginx.serve(self.v2)
        self.assertTrue(wait_for(lambda: self.revision(server) == "v2", timeout=8))
        self.assert_serves(server, "v2", 1000)
        ids = sorted(p["id"] for p in server.get("/v1/policies")[1]["result"])
        self.assertEqual(ids, ["authz/src-v2-False/fleet/rules_v2.rego"])
        self.assertEqual(self.nginx.requests().count(200), 2, self.nginx.requests())

    def test_bearer_token_is_sent(self):
        self.nginx.serve(self.v1)
        server = self.trex(config(self.nginx.url, token="wrong"))
        self.assertTrue(wait_for(lambda: self.nginx.requests().count(401) >= 2, timeout=8), self.nginx.requests())
        self.assertNotIn(200, self.nginx.requests())
        self.assertEqual(server.get("/health?bundles")[0], 500)
        self.assertEqual(self.status(server)["http_code"], 401)
        self.assertEqual(server.post("/v1/data/fleet/version", {"input": {}})[1], {})
        # The token never shows in the configuration API.
        self.assertNotIn("wrong", json.dumps(server.get("/v1/config")[1]))

    def broken(self):
        """The signed v2 bundle with one byte of its policy changed."""
        src = tarfile.open(self.v2_signed, "r:gz")
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as dst:
            for m in src.getmembers():
                data = src.extractfile(m).read()
                if m.name.endswith(".rego"):
                    data = data.replace(b"<=", b">=")
                m.size = len(data)
                dst.addfile(m, io.BytesIO(data))
        return buf.getvalue()

    def test_broken_bundles_are_refused(self):
        with open(self.pub) as f:
            pub = f.read()
        keys = "keys:\n  global_key:\n    algorithm: RS256\n    key: |\n" + "".join(
            "      " + line + "\n" for line in pub.splitlines())
        cfg = config(self.nginx.url, extra_bundle="    signing:\n      keyid: global_key\n", extra=keys)
        self.nginx.serve(self.v1_signed)
        server = self.trex(cfg)
        self.assertTrue(wait_for(lambda: self.revision(server) == "v1"))
        self.assert_serves(server, "v1", 100)

        for bad, expect in ((self.broken(), "digest mismatch"),
                            (b"this is not a gzip file", "archive read failed"),
                            (open(self.v2, "rb").read(), "bundle missing .signatures.json file")):
            before = self.nginx.requests().count(200)
            self.nginx.serve(bad)
            self.assertTrue(wait_for(lambda: self.nginx.requests().count(200) > before, timeout=8))
            self.assertTrue(wait_for(lambda: expect in self.status(server).get("message", ""), timeout=5),
                            self.status(server))
            st = self.status(server)
            # The good bundle stays in force.
            self.assertEqual(st["active_revision"], "v1")
            self.assert_serves(server, "v1", 100)
            self.assertEqual(server.get("/health?bundles")[0], 200)

        # Polling goes on: a good v2 is activated and the error cleared.
        self.nginx.serve(self.v2_signed)
        self.assertTrue(wait_for(lambda: self.revision(server) == "v2", timeout=8))
        self.assert_serves(server, "v2", 1000)
        self.assertNotIn("code", self.status(server))

    def test_persisted_bundle_survives_a_restart_while_the_server_is_down(self):
        persist_dir = os.path.join(self.dir, "persist")
        cfg = config(self.nginx.url, extra_bundle="    persist: true\n",
                     extra="persistence_directory: %s\n" % persist_dir)
        self.nginx.serve(self.v1)
        server = self.trex(cfg)
        self.assertTrue(wait_for(lambda: self.revision(server) == "v1"))
        saved = os.path.join(persist_dir, "bundles", "authz", "bundle.tar.gz")
        self.assertTrue(wait_for(lambda: os.path.exists(saved)))
        with open(saved, "rb") as f, open(self.v1, "rb") as g:
            self.assertEqual(f.read(), g.read())
        server.stop()
        self.nginx.stop()

        # Bundle server down, fresh trex: the persisted bundle is active before any download succeeds.
        server = self.trex(cfg)
        self.assertEqual(server.get("/health?bundles")[0], 200)
        self.assert_serves(server, "v1", 100)
        self.assertTrue(wait_for(lambda: "connection refused" in self.status(server).get("message", "")),
                        self.status(server))
        self.assertEqual(self.revision(server), "v1")

    def test_without_persist_a_restart_while_the_server_is_down_has_no_bundle(self):
        # The counterpart of the test above: nothing is written, nothing is served.
        persist_dir = os.path.join(self.dir, "persist")
        cfg = config(self.nginx.url, extra="persistence_directory: %s\n" % persist_dir)
        self.nginx.serve(self.v1)
        server = self.trex(cfg)
        self.assertTrue(wait_for(lambda: self.revision(server) == "v1"))
        server.stop()
        self.nginx.stop()
        self.assertFalse(os.path.exists(persist_dir))
        server = self.trex(cfg)
        time.sleep(0.5)
        self.assertEqual(server.get("/health?bundles")[0], 500)


if __name__ == "__main__":
    unittest.main()
