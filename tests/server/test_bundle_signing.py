"""Signed bundles at server start: `trex build --signing-key` output loads with --verification-key and serves;
the same bundle with one byte changed, or with the wrong key, makes `trex run` exit non-zero with the error."""
import gzip
import io
import os
import subprocess
import tarfile
import tempfile
import unittest

from harness import TREX, Server

POLICY = "package signed\n\nallow if input.amount <= data.signed.limit\n"


def run(*args, **kw):
    return subprocess.run([TREX] + list(args), capture_output=True, text=True, timeout=60, **kw)


class SignedBundleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        cls.key = os.path.join(d, "key.pem")
        cls.pub = os.path.join(d, "pub.pem")
        subprocess.run(["openssl", "genrsa", "-out", cls.key, "2048"], check=True, capture_output=True)
        subprocess.run(["openssl", "rsa", "-in", cls.key, "-pubout", "-out", cls.pub], check=True, capture_output=True)
        src = os.path.join(d, "src")
        os.makedirs(os.path.join(src, "signed"))
        with open(os.path.join(src, "signed", "policy.rego"), "w") as f:
            f.write(POLICY)
        with open(os.path.join(src, "signed", "data.json"), "w") as f:
            f.write('{"limit": 10000}')
        with open(os.path.join(src, ".manifest"), "w") as f:
            f.write('{"roots": ["signed"]}')
        cls.bundle = os.path.join(d, "bundle.tar.gz")
        # Built from the relative path "src": module entries are named as the loader names them ("/src/...").
        out = run("build", "-b", "src", "-o", cls.bundle, "--revision", "v1", "--signing-key", cls.key, cwd=d)
        assert out.returncode == 0, out.stdout + out.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def tampered(self):
        """The bundle with one byte of the policy changed ('<=' -> '>=')."""
        src = tarfile.open(self.bundle, "r:gz")
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as dst:
            for m in src.getmembers():
                data = src.extractfile(m).read()
                if m.name.endswith("policy.rego"):
                    data = data.replace(b"<=", b">=")
                m.size = len(data)
                dst.addfile(m, io.BytesIO(data))
        path = os.path.join(self.tmp.name, "tampered.tar.gz")
        with open(path, "wb") as f:
            f.write(buf.getvalue())
        return path

    def test_signed_bundle_loads_and_serves(self):
        server = Server([self.bundle], ["--bundle", "--verification-key", self.pub])
        try:
            status, body = server.post("/v1/data/signed/allow", {"input": {"amount": 500}})[:2]
            self.assertEqual((status, body), (200, {"result": True}))
            status, body = server.get("/v1/status")[:2]
            self.assertEqual(body["result"]["bundles"][self.bundle]["active_revision"], "v1")
        finally:
            server.close()

    def refused(self, *args):
        proc = subprocess.run([TREX, "run", "--server", "--addr", "127.0.0.1:0"] + list(args),
                              capture_output=True, text=True, timeout=30)
        self.assertNotEqual(proc.returncode, 0)
        self.assertNotIn("Initializing server.", proc.stderr)
        return proc.stderr

    def test_one_changed_byte_is_refused(self):
        path = self.tampered()
        err = self.refused("--bundle", path, "--verification-key", self.pub)
        self.assertIn("bundle %s: src/signed/policy.rego: digest mismatch" % path, err)

    def test_wrong_key_is_refused(self):
        other = os.path.join(self.tmp.name, "other.pem")
        subprocess.run(["openssl", "genrsa", "-out", other, "2048"], check=True, capture_output=True)
        err = self.refused("--bundle", self.bundle, "--verification-key", other)
        self.assertIn("could not verify message using any of the signatures or keys", err)

    def test_signed_bundle_without_key_is_refused_unless_skip_verify(self):
        self.assertIn("verification key not provided", self.refused("--bundle", self.bundle))
        server = Server([self.bundle], ["--bundle", "--skip-verify"])
        server.close()


if __name__ == "__main__":
    unittest.main()
