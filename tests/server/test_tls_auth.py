"""--authentication=tls with --authorization=basic: the verified client certificate is the caller's identity.

input.identity is the certificate's subject as OPA (Go's pkix.Name) prints it — the most specific attribute
first, RFC 2253 escapes, only Go's attribute types — and input.client_certificates the parsed certificates.
A client without a certificate, or with one another CA signed, is refused at the handshake. Certificates are
made with openssl for each run; the clients are Python's ssl + http.client."""
import http.client
import json
import os
import socket
import ssl
import unittest
import urllib.parse

from harness import Server
from pki import CertificateDirectory, make_ca, make_cert, write_extensions

AUTHZ = """package system.authz

default allow := false

# The test names the identity it expects in ?identity=, so a 200 shows the exact string trex made.
allow if input.identity == input.params.identity[0]

allow if {
\tinput.path == ["v1", "data", "certificate"]
\tcert := input.client_certificates[0] # the leaf; OpenSSL clients send their CA after it
\tcert.Subject.CommonName == "alice"
\tcert.Issuer.CommonName == "trex test CA"
\tcert.SerialNumber == 4242
\tcert.Subject.Organization == ["Torchwood"]
}
"""


class TlsAuthenticationTest(CertificateDirectory):
    @staticmethod
    def make_pki(d):
        make_ca(d)
        make_ca(d, "other-ca", "another CA")
        make_cert(d, "server", "/CN=server", ext=write_extensions(d, "subjectAltName=IP:127.0.0.1"))
        make_cert(d, "alice", "/C=GB/O=Torchwood/OU=opa-client-01/CN=alice", serial="4242")  # see AUTHZ
        make_cert(d, "escaped", "/emailAddress=smith@example.com/O=A\\+B/CN=Smith, John ")
        make_cert(d, "two-units", "/OU=a/OU=b/CN=x")
        make_cert(d, "stranger", "/CN=alice", ca="other-ca")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        d = cls.d
        with open(os.path.join(d, "authz.rego"), "w") as f:
            f.write(AUTHZ)
        with open(os.path.join(d, "data.json"), "w") as f:
            json.dump({"certificate": "ok", "x": 1}, f)
        cls.server = Server([os.path.join(d, "authz.rego"), os.path.join(d, "data.json")],
                            ["--authentication=tls", "--authorization=basic",
                             "--tls-cert-file", cls.path("server.pem"), "--tls-private-key-file", cls.path("server.key"),
                             "--tls-ca-cert-file", cls.path("ca.pem")])

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        super().tearDownClass()

    def get(self, client, path):
        ctx = ssl.create_default_context(cafile=self.path("ca.pem"))
        if client:
            ctx.load_cert_chain(self.path(f"{client}.pem"), self.path(f"{client}.key"))
        c = http.client.HTTPSConnection("127.0.0.1", self.server.port, context=ctx, timeout=5)
        try:
            c.request("GET", path)
            r = c.getresponse()
            return r.status, json.loads(r.read())
        finally:
            c.close()

    def status_as(self, client, identity):
        return self.get(client, "/v1/data/x?identity=" + urllib.parse.quote(identity))[0]

    def test_identity_is_the_subject_as_opa_prints_it(self):
        self.assertEqual(self.status_as("alice", "CN=alice,OU=opa-client-01,O=Torchwood,C=GB"), 200)
        self.assertEqual(self.status_as("alice", "CN=alice"), 401)

    def test_identity_escapes_and_drops_what_go_does(self):
        # RFC 2253 escapes (',', '+', a trailing space); emailAddress is not one of Go's pkix.Name fields.
        self.assertEqual(self.status_as("escaped", "CN=Smith\\, John\\ ,O=A\\+B"), 200)
        # Values of one attribute type share one RDN, joined with '+'.
        self.assertEqual(self.status_as("two-units", "CN=x,OU=a+OU=b"), 200)

    def test_client_certificates_are_parsed(self):
        status, body = self.get("alice", "/v1/data/certificate")
        self.assertEqual((status, body), (200, {"result": "ok"}))
        self.assertEqual(self.get("two-units", "/v1/data/certificate")[0], 401)

    def test_resumed_session_keeps_the_identity(self):
        ctx = ssl.create_default_context(cafile=self.path("ca.pem"))
        ctx.load_cert_chain(self.path("alice.pem"), self.path("alice.key"))
        target = "/v1/data/x?identity=" + urllib.parse.quote("CN=alice,OU=opa-client-01,O=Torchwood,C=GB")
        session = None
        for attempt in range(2):
            raw = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1", session=session) as s:
                s.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                reply = b""
                while chunk := s.recv(4096):
                    reply += chunk
                self.assertTrue(reply.startswith(b"HTTP/1.1 200"), reply)
                if attempt == 1:
                    self.assertTrue(s.session_reused)
                session = s.session

    def test_denied_is_401_in_opas_shape(self):
        status, body = self.get("alice", "/v1/data/x")
        self.assertEqual(status, 401)
        self.assertEqual(body["code"], "unauthorized")

    def test_no_certificate_or_an_unknown_ca_is_refused_at_the_handshake(self):
        for client in (None, "stranger"):
            with self.subTest(client=client):
                with self.assertRaises((ssl.SSLError, ConnectionError, http.client.HTTPException, OSError)):
                    self.get(client, "/v1/data/x?identity=CN%3Dalice")

    def test_tls_authentication_needs_a_ca(self):
        with self.assertRaises(RuntimeError) as cm:
            Server([self.path("authz.rego")],
                   ["--authentication=tls", "--tls-cert-file", self.path("server.pem"),
                    "--tls-private-key-file", self.path("server.key")])
        self.assertIn("--tls-ca-cert-file", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
