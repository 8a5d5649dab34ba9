"""Certificates for the TLS tests, made with the openssl command line in a directory the test owns
(RSA 2048, valid two days)."""
import os
import subprocess
import tempfile
import unittest


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(d, name="ca", cn="trex test CA"):
    """A self-signed CA: <name>.pem and <name>.key."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem",
            "-days", "2", "-subj", f"/CN={cn}", cwd=d)


def write_extensions(d, text, name="san.ext"):
    """An extensions file for make_cert, e.g. "subjectAltName=IP:127.0.0.1"; returns its name."""
    with open(os.path.join(d, name), "w") as f:
        f.write(text + "\n")
    return name


def make_cert(d, name, subject, ca="ca", serial=None, ext=None):
    """<name>.pem and <name>.key, signed by <ca>; a fixed serial number when given, else the CA's next."""
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
            "-subj", subject, cwd=d)
    numbering = ["-set_serial", serial] if serial else ["-CAcreateserial"]
    extra = ["-extfile", ext] if ext else []
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key", *numbering,
            "-out", f"{name}.pem", "-days", "2", *extra, cwd=d)


class CertificateDirectory(unittest.TestCase):
    """Base of the TLS test classes: a temporary directory per class (d), filled once by the class's
    make_pki(d) before its tests and removed after them; path(name) names a file in it."""

    @staticmethod
    def make_pki(d):
        raise NotImplementedError("a CertificateDirectory class defines make_pki(d)")

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.d = cls.tmp.name
        cls.make_pki(cls.d)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def path(cls, name):
        return os.path.join(cls.d, name)
