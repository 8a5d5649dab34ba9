"""HTTPS and mutual TLS on the server (--tls-cert-file, --tls-private-key-file, --tls-ca-cert-file,
--min-tls-version) with certificates the test makes with openssl; plain HTTP on a TLS port is refused."""
import http.client
import json
import os
import socket
import ssl
import subprocess
import tempfile
import unittest

from harness import FIXTURES, Server


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_pki(d):
    """A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=trex test CA", cwd=d)
    with open(os.path.join(d, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for name in ("server", "client"):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", f"/CN={name}", cwd=d)
        extra = ["-extfile", "san.ext"] if name == "server" else []
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.pem", "-days", "2", *extra, cwd=d)


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.d = cls.tmp.name
        make_pki(cls.d)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.d, name)

    def client_context(self, with_cert=False, max_version=None):
        ctx = ssl.create_default_context(cafile=self.path("ca.pem"))
        if with_cert:
            ctx.load_cert_chain(self.path("client.pem"), self.path("client.key"))
        if max_version:
            ctx.maximum_version = max_version
        return ctx

    def get(self, port, ctx, path="/v1/data/roles/alice"):
        c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=5)
        c.request("GET", path)
        r = c.getresponse()
        body = json.loads(r.read())
        c.close()
        return r.status, body

    def test_https_and_plain_http_refused(self):
        server = Server([f"{FIXTURES}/authz.rego", f"{FIXTURES}/data.json"],
                        ["--tls-cert-file", self.path("server.pem"), "--tls-private-key-file", self.path("server.key")])
        try:
            self.assertEqual(self.get(server.port, self.client_context()), (200, {"result": ["admin"]}))
            # Plain HTTP on the TLS port gets no HTTP answer.
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            s.sendall(b"GET /v1/data HTTP/1.1\r\nHost: x\r\n\r\n")
            reply = s.recv(100)
            s.close()
            self.assertFalse(reply.startswith(b"HTTP/1.1 200"), reply)
        finally:
            server.close()

    def test_mutual_tls(self):
        server = Server([f"{FIXTURES}/authz.rego", f"{FIXTURES}/data.json"],
                        ["--tls-cert-file", self.path("server.pem"), "--tls-private-key-file", self.path("server.key"),
                         "--tls-ca-cert-file", self.path("ca.pem")])
        try:
            self.assertEqual(self.get(server.port, self.client_context(with_cert=True))[0], 200)
            with self.assertRaises((ssl.SSLError, ConnectionError, http.client.HTTPException, OSError)):
                self.get(server.port, self.client_context(with_cert=False))
        finally:
            server.close()

    def test_min_tls_version(self):
        server = Server([f"{FIXTURES}/authz.rego"],
                        ["--tls-cert-file", self.path("server.pem"), "--tls-private-key-file", self.path("server.key"),
                         "--min-tls-version", "1.3"])
        try:
            self.assertEqual(self.get(server.port, self.client_context(), "/health")[0], 200)
            with self.assertRaises((ssl.SSLError, ConnectionError, OSError)):
                self.get(server.port, self.client_context(max_version=ssl.TLSVersion.TLSv1_2), "/health")
        finally:
            server.close()

    def test_bad_key_file_is_a_startup_error(self):
        with self.assertRaises(RuntimeError) as cm:
            Server([f"{FIXTURES}/authz.rego"],
                   ["--tls-cert-file", self.path("server.pem"), "--tls-private-key-file", self.path("missing.key")])
        self.assertIn("private key", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
