"""HTTPS and mutual TLS on the server (--tls-cert-file, --tls-private-key-file, --tls-ca-cert-file,
--min-tls-version, --tls-cert-refresh-period) with certificates the test makes with openssl; plain HTTP on a
TLS port is refused; replaced certificate files are picked up by new connections, broken ones are not."""
import http.client
import json
import os
import shutil
import socket
import ssl
import tempfile
import time
import unittest

from harness import FIXTURES, Server
from pki import CertificateDirectory, make_ca, make_cert, write_extensions


def make_pki(d):
    """A CA, server certificates for 127.0.0.1 and a client certificate, all signed by the CA."""
    make_ca(d)
    san = write_extensions(d, "subjectAltName=IP:127.0.0.1,DNS:localhost")
    for name in ("server", "client", "server-b"):
        make_cert(d, name, f"/CN={name}", ext=san if name.startswith("server") else None)


class TlsTest(CertificateDirectory):
    make_pki = staticmethod(make_pki)

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

    def peer_common_name(self, port):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            with self.client_context().wrap_socket(raw, server_hostname="127.0.0.1") as s:
                subject = dict(rdn[0] for rdn in s.getpeercert()["subject"])
                return subject["commonName"]

    def wait_for_common_name(self, port, want, timeout=10):
        deadline = time.time() + timeout
        while True:
            got = self.peer_common_name(port)
            if got == want or time.time() > deadline:
                return got
            time.sleep(0.1)

    def test_certificate_refresh(self):
        live = tempfile.mkdtemp(dir=self.d)
        cert, key = os.path.join(live, "tls.pem"), os.path.join(live, "tls.key")
        shutil.copy(self.path("server.pem"), cert)
        shutil.copy(self.path("server.key"), key)
        server = Server([f"{FIXTURES}/authz.rego"],
                        ["--tls-cert-file", cert, "--tls-private-key-file", key, "--tls-cert-refresh-period", "100ms"])
        try:
            self.assertEqual(self.peer_common_name(server.port), "server")
            # An open connection keeps the certificate it was accepted with.
            kept = http.client.HTTPSConnection("127.0.0.1", server.port, context=self.client_context(), timeout=5)
            kept.request("GET", "/health")
            self.assertEqual(json.loads(kept.getresponse().read()), {})
            # Replaced: the key first, so the refresh may see a certificate/key mismatch in between (refused,
            # then loaded once the pair matches again).
            shutil.copy(self.path("server-b.key"), key)
            shutil.copy(self.path("server-b.pem"), cert)
            self.assertEqual(self.wait_for_common_name(server.port, "server-b"), "server-b")
            self.assertIn("TLS config reloaded", server.stderr())
            kept.request("GET", "/health")
            self.assertEqual(kept.getresponse().status, 200)
            kept.close()
            # A broken replacement is logged and the current certificate stays. (The rotation above may have
            # logged one failure already, when the refresh saw the new key with the old certificate.)
            failures = server.stderr().count("Failed to reload TLS config")
            with open(cert, "w") as f:
                f.write("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
            deadline = time.time() + 10
            while server.stderr().count("Failed to reload TLS config") == failures and time.time() < deadline:
                time.sleep(0.05)
            self.assertEqual(server.stderr().count("Failed to reload TLS config"), failures + 1)
            self.assertEqual(self.peer_common_name(server.port), "server-b")
            self.assertEqual(self.get(server.port, self.client_context(), "/health")[0], 200)
            # Reported once, not at every check.
            time.sleep(0.5)
            self.assertEqual(server.stderr().count("Failed to reload TLS config"), failures + 1)
        finally:
            server.close()

    def test_client_ca_refresh(self):
        """A replaced --tls-ca-cert-file decides which client certificates new connections accept."""
        other = tempfile.mkdtemp(dir=self.d)
        make_pki(other)
        live = tempfile.mkdtemp(dir=self.d)
        ca = os.path.join(live, "ca.pem")
        shutil.copy(self.path("ca.pem"), ca)
        server = Server([f"{FIXTURES}/authz.rego"],
                        ["--tls-cert-file", self.path("server.pem"), "--tls-private-key-file", self.path("server.key"),
                         "--tls-ca-cert-file", ca, "--tls-cert-refresh-period", "100ms"])

        def status_with_client_of(pki_dir):
            ctx = ssl.create_default_context(cafile=self.path("ca.pem"))
            ctx.load_cert_chain(os.path.join(pki_dir, "client.pem"), os.path.join(pki_dir, "client.key"))
            try:
                return self.get(server.port, ctx, "/health")[0]
            except (ssl.SSLError, ConnectionError, http.client.HTTPException, OSError):
                return "refused"

        try:
            self.assertEqual(status_with_client_of(self.d), 200)
            self.assertEqual(status_with_client_of(other), "refused")
            shutil.copy(os.path.join(other, "ca.pem"), ca)
            deadline = time.time() + 10
            while status_with_client_of(other) != 200 and time.time() < deadline:
                time.sleep(0.1)
            self.assertEqual(status_with_client_of(other), 200)
            self.assertEqual(status_with_client_of(self.d), "refused")
        finally:
            server.close()

    def test_bad_refresh_period_is_a_usage_error(self):
        with self.assertRaises(RuntimeError):
            Server([f"{FIXTURES}/authz.rego"],
                   ["--tls-cert-file", self.path("server.pem"), "--tls-private-key-file", self.path("server.key"),
                    "--tls-cert-refresh-period", "soon"])

    def test_bad_key_file_is_a_startup_error(self):
        with self.assertRaises(RuntimeError) as cm:
            Server([f"{FIXTURES}/authz.rego"],
                   ["--tls-cert-file", self.path("server.pem"), "--tls-private-key-file", self.path("missing.key")])
        self.assertIn("private key", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
