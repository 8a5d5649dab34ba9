"""TLS to configured services, shared by the bundle downloader and the decision-log upload: the service's CA
pinned with `services.X.tls.ca_cert`, a client certificate from `credentials.client_tls`, and
`allow_insecure_tls`. The service is a Python HTTPS server on loopback that requires a client certificate
and can switch its own certificate at run time; the certificates are made with openssl for each run.

With the wrong CA pinned nothing is loaded and no decision is lost: the download fails with the x509 error
in /v1/status, the log events stay buffered, and once the service presents a certificate the pinned CA
signed, the bundle activates and the buffered events arrive."""
import functools
import gzip
import http.server
import io
import json
import os
import ssl
import tarfile
import threading
import unittest

import harness
from harness import FIXTURES, Server
from pki import CertificateDirectory, make_ca, make_cert, openssl, write_extensions


def make_pki(d):
    make_ca(d, "ca", "service CA")
    make_ca(d, "other-ca", "impostor CA")
    san = write_extensions(d, "subjectAltName=IP:127.0.0.1")
    for name, ca, ext in (("server", "ca", san), ("impostor", "other-ca", san), ("client", "ca", None)):
        make_cert(d, name, f"/CN={name}", ca=ca, ext=ext)
    openssl("pkey", "-in", "client.key", "-aes256", "-passout", "pass:open sesame", "-out", "client-encrypted.key", cwd=d)


def bundle_bytes():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, text in (("svc/data.json", '{"greeting": "hello"}'),
                           ("svc/policy.rego", "package svc\n\nanswer := data.svc.greeting\n"),
                           (".manifest", '{"roots": ["svc"]}')):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class Service(http.server.ThreadingHTTPServer):
    """HTTPS only, client certificates required; `present(name)` switches the certificate new connections see."""

    def __init__(self, d):
        self.d = d
        self.bundle = bundle_bytes()
        self.batches = []
        self.client_names = set()
        self.present("server")
        super().__init__(("127.0.0.1", 0), Handler)

    def present(self, name):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(self.d, f"{name}.pem"), os.path.join(self.d, f"{name}.key"))
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(os.path.join(self.d, "ca.pem"))
        self.ctx = ctx

    def get_request(self):
        sock, addr = self.socket.accept()
        return self.ctx.wrap_socket(sock, server_side=True), addr

    def decision_ids(self):
        return [e["decision_id"] for batch in self.batches for e in batch]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.client_names.add(dict(rdn[0] for rdn in self.connection.getpeercert()["subject"])["commonName"])
        if self.path != "/bundles/svc.tar.gz":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(self.server.bundle)))
        self.end_headers()
        self.wfile.write(self.server.bundle)

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.batches.append(json.loads(gzip.decompress(body)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


# Downloads and uploads retry on their own schedule: a longer wait than the harness's default.
wait_for = functools.partial(harness.wait_for, timeout=20)


class ServiceTlsTest(CertificateDirectory):
    make_pki = staticmethod(make_pki)

    def setUp(self):
        self.service = Service(self.d)
        threading.Thread(target=self.service.serve_forever, daemon=True).start()

    def tearDown(self):
        self.service.shutdown()
        self.service.server_close()

    def config(self, tls):
        return f"""
services:
  acme:
    url: https://127.0.0.1:{self.service.server_address[1]}
    credentials:
      client_tls: {{cert: {self.d}/client.pem, private_key: {self.d}/client.key}}
{tls}
bundles:
  svc:
    service: acme
    resource: bundles/svc.tar.gz
    polling: {{min_delay_seconds: 1, max_delay_seconds: 1}}
decision_logs:
  service: acme
  reporting: {{min_delay_seconds: 1, max_delay_seconds: 1}}
"""

    def decide(self, server, user):
        status, body, _, _ = server.post("/v1/data/authz/allow", {"input": {"user": user}})
        self.assertEqual(status, 200)
        return body["decision_id"]

    def bundle_status(self, server):
        return server.get("/v1/status")[1]["result"].get("bundles", {}).get("svc", {})

    def test_pinned_ca_and_client_certificate(self):
        server = Server([f"{FIXTURES}/authz.rego", f"{FIXTURES}/data.json"],
                        config=self.config(f"    tls: {{ca_cert: {self.d}/ca.pem}}"))
        try:
            self.assertTrue(wait_for(lambda: server.get("/v1/data/svc/answer")[1].get("result") == "hello"),
                            server.stderr())
            ids = [self.decide(server, "alice"), self.decide(server, "bob")]
            self.assertTrue(wait_for(lambda: set(ids) <= set(self.service.decision_ids())), server.stderr())
            self.assertEqual(self.service.client_names, {"client"})
        finally:
            server.close()

    def test_wrong_ca_loads_nothing_and_loses_no_decision(self):
        self.service.present("impostor")
        server = Server([f"{FIXTURES}/authz.rego", f"{FIXTURES}/data.json"],
                        config=self.config(f"    tls: {{ca_cert: {self.d}/ca.pem}}"))
        try:
            self.assertTrue(wait_for(lambda: "message" in self.bundle_status(server)), server.stderr())
            self.assertIn("x509: certificate signed by unknown authority", self.bundle_status(server)["message"])
            self.assertIn("Bundle load failed.", server.stderr())
            self.assertNotIn("result", server.get("/v1/data/svc")[1])
            ids = [self.decide(server, "alice"), self.decide(server, "carol")]
            self.assertTrue(wait_for(lambda: "decision log upload failed" in server.stderr()))
            self.assertIn("certificate signed by unknown authority", server.stderr())
            self.assertEqual(self.service.batches, [])
            # The service presents its real certificate again: the bundle activates, the buffered events arrive.
            self.service.present("server")
            self.assertTrue(wait_for(lambda: server.get("/v1/data/svc/answer")[1].get("result") == "hello"),
                            server.stderr())
            self.assertTrue(wait_for(lambda: set(ids) <= set(self.service.decision_ids())), server.stderr())
        finally:
            server.close()

    def test_system_roots_are_not_trusted_for_a_pinned_service(self):
        # The impostor's CA is added to a private "system" store through SSL_CERT_FILE: a pinned service
        # still refuses it; system_ca_required: true accepts it.
        for required, loads in ((False, False), (True, True)):
            with self.subTest(system_ca_required=required):
                self.service.present("impostor")
                server = Server([f"{FIXTURES}/authz.rego"],
                                config=self.config(f"    tls: {{ca_cert: {self.d}/ca.pem, "
                                                   f"system_ca_required: {str(required).lower()}}}"),
                                env={"SSL_CERT_FILE": f"{self.d}/other-ca.pem"})
                try:
                    self.assertTrue(wait_for(lambda: "last_request" in self.bundle_status(server)))
                    if loads:
                        self.assertTrue(wait_for(lambda: server.get("/v1/data/svc/answer")[1].get("result") == "hello"),
                                        server.stderr())
                    else:
                        self.assertTrue(wait_for(lambda: "message" in self.bundle_status(server)))
                        self.assertIn("unknown authority", self.bundle_status(server)["message"])
                        self.assertNotIn("result", server.get("/v1/data/svc")[1])
                finally:
                    server.close()

    def test_encrypted_client_key(self):
        config = self.config(f"    tls: {{ca_cert: {self.d}/ca.pem}}").replace(
            f"private_key: {self.d}/client.key",
            f"private_key: {self.d}/client-encrypted.key, private_key_passphrase: open sesame")
        server = Server([f"{FIXTURES}/authz.rego"], config=config)
        try:
            self.assertTrue(wait_for(lambda: server.get("/v1/data/svc/answer")[1].get("result") == "hello"),
                            server.stderr())
            # The passphrase is a credential: /v1/config does not show it.
            self.assertNotIn("open sesame", json.dumps(server.get("/v1/config")[1]))
        finally:
            server.close()

    def test_allow_insecure_tls(self):
        self.service.present("impostor")
        server = Server([f"{FIXTURES}/authz.rego"], config=self.config("    allow_insecure_tls: true"))
        try:
            self.assertTrue(wait_for(lambda: server.get("/v1/data/svc/answer")[1].get("result") == "hello"),
                            server.stderr())
        finally:
            server.close()

    def test_configuration_errors_stop_the_start(self):
        cases = [
            (f"    tls: {{ca_cert: {self.d}/missing.pem}}", "services.acme.tls.ca_cert: cannot read"),
            ("    tls: {system_ca_required: yes-please}", "services.acme.tls.system_ca_required must be a boolean"),
        ]
        for tls, message in cases:
            with self.subTest(message=message):
                with self.assertRaises(RuntimeError) as cm:
                    Server([f"{FIXTURES}/authz.rego"], config=self.config(tls))
                self.assertIn(message, str(cm.exception))
        with self.assertRaises(RuntimeError) as cm:
            Server([f"{FIXTURES}/authz.rego"], config=self.config("").replace(
                f", private_key: {self.d}/client.key", ""))
        self.assertIn("services.acme.credentials.client_tls needs both cert and private_key", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
