"""Decisions flow through the real server into the HSM-signed log (a real SoftHSM2 token made by the test),
which `trex log verify` accepts with the public key alone; fail closed without the token; crash safety."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from harness import FIXTURES, TREX, Server

PIN = "493817"
ACTION = {"action": {"type": "transfer", "tool": "payments.transfer", "amount": 10.0, "currency": "USD"},
          "agent": {"id": "agent-7"}, "principal": {"id": "alice"},
          "provenance": {"instruction": "Pay the small invoice", "reasoning": ["it is due", "amount is small"]}}


def have_softhsm():
    return os.path.exists("/usr/lib/softhsm/libsofthsm2.so")


@unittest.skipUnless(have_softhsm(), "SoftHSM2 is not installed (Debian package softhsm2)")
class SignedLogTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        tokens = os.path.join(cls.tmp, "tokens")
        os.mkdir(tokens)
        conf = os.path.join(cls.tmp, "softhsm2.conf")
        with open(conf, "w") as f:
            f.write(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
        cls.env = {"SOFTHSM2_CONF": conf, "TREX_HSM_PIN": PIN, "TREX_HSM_SO_PIN": "11223344"}
        env = dict(os.environ, **cls.env)
        subprocess.run([TREX, "hsm", "init", "--token-label", "trex-test", "--key-label", "log"], env=env,
                       check=True, capture_output=True)
        pub = subprocess.run([TREX, "hsm", "pubkey", "--token-label", "trex-test", "--key-label", "log"], env=env,
                             check=True, capture_output=True, text=True).stdout
        cls.pubkey = os.path.join(cls.tmp, "pub.pem")
        with open(cls.pubkey, "w") as f:
            f.write(pub)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def config(self, log_dir, durability="sync", pin_env="TREX_HSM_PIN"):
        return f"""
decision_logs:
  signed_file:
    path: {log_dir}
    durability: {durability}
    max_batch: 64
    max_delay_ms: 2
  signing:
    pkcs11:
      module: /usr/lib/softhsm/libsofthsm2.so
      token_label: trex-test
      key_label: log
      pin_env: {pin_env}
"""

    def verify(self, log_dir):
        return subprocess.run([TREX, "log", "verify", "--public-key", self.pubkey, log_dir],
                              capture_output=True, text=True)

    def log_lines(self, log_dir):
        lines = []
        for name in sorted(os.listdir(log_dir)):
            with open(os.path.join(log_dir, name)) as f:
                lines += [json.loads(l) for l in f if l.strip()]
        return lines

    def test_decisions_are_signed_and_verifiable(self):
        log_dir = os.path.join(self.tmp, "log-basic")
        server = Server([f"{FIXTURES}/tre.rego", f"{FIXTURES}/authz.rego"], config=self.config(log_dir), env=self.env)
        try:
            status, body, _, _ = server.post("/v1/agent/decide", json.dumps(ACTION))
            self.assertEqual(status, 200, body)
            decision_id = body["decision_id"]
            status, _, _, _ = server.post("/v1/agent/outcome", {"decision_id": decision_id, "status": "succeeded",
                                                                "result": {"transfer_id": "t-1"}})
            self.assertEqual(status, 200)
            status, body, _, _ = server.post("/v1/data/authz/allow", {"input": {"user": "alice"}})
            data_id = body["decision_id"]
            status, cfg, _, raw_cfg = server.get("/v1/config")
            self.assertNotIn(PIN.encode(), raw_cfg)
        finally:
            self.assertEqual(server.stop(), 0)
        self.assertNotIn(PIN, server.stderr() + server.stdout())
        result = self.verify(log_dir)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        lines = self.log_lines(log_dir)
        decisions = [l for l in lines if l["kind"] == "decision"]
        self.assertEqual({d["decision_id"] for d in decisions}, {decision_id, data_id})
        agent_decision = next(d for d in decisions if d["decision_id"] == decision_id)
        self.assertEqual(agent_decision["provenance"]["instruction"], "Pay the small invoice")
        self.assertEqual(agent_decision["provenance"]["reasoning"], ["it is due", "amount is small"])
        self.assertEqual(agent_decision["outcome"], {"allow": True, "deny": []})
        self.assertRegex(agent_decision["policy"]["sha256"], r"^[0-9a-f]{64}$")
        outcome = next(l for l in lines if l["kind"] == "outcome")
        self.assertEqual(outcome["decision_id"], decision_id)
        # Every decision/outcome line is followed by a checkpoint (sync, light load: one each).
        self.assertEqual(lines[-1]["kind"], "checkpoint")

        # Tampering with one byte of a decision is detected at that line.
        seg = os.path.join(log_dir, sorted(os.listdir(log_dir))[0])
        text = open(seg).read()
        open(seg, "w").write(text.replace("Pay the small invoice", "Pay the large invoice"))
        result = self.verify(log_dir)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("seq", result.stdout + result.stderr)

    def test_policies_calling_the_network_are_logged_too(self):
        """A policy set that calls http.send is evaluated off the event loops (the blocking pool); in sync mode
        the answer then also waits for its signed, fsynced line: both hand-offs end in a logged answer."""
        log_dir = os.path.join(self.tmp, "log-network")
        net = os.path.join(self.tmp, "net.rego")
        with open(net, "w") as f:
            f.write('package netcheck\n\nstatus := http.send({"method": "GET", "url": input.url}).status_code\n')
        server = Server([f"{FIXTURES}/tre.rego", f"{FIXTURES}/authz.rego", net], config=self.config(log_dir),
                        env=self.env)
        try:
            ids = set()
            for _ in range(3):
                status, body, _, _ = server.post("/v1/agent/decide", json.dumps(ACTION))
                self.assertEqual(status, 200, body)
                ids.add(body["decision_id"])
                status, body, _, _ = server.post("/v1/data/authz/allow", {"input": {"user": "alice"}})
                self.assertEqual(status, 200, body)
                ids.add(body["decision_id"])
        finally:
            self.assertEqual(server.stop(), 0)
        result = self.verify(log_dir)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual({l["decision_id"] for l in self.log_lines(log_dir) if l["kind"] == "decision"}, ids)

    def test_pubkey_from_the_server_config(self):
        cfg = os.path.join(self.tmp, "server.yaml")
        with open(cfg, "w") as f:
            f.write(self.config(os.path.join(self.tmp, "unused")))
        out = subprocess.run([TREX, "hsm", "pubkey", "--config-file", cfg], env=dict(os.environ, **self.env),
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, open(self.pubkey).read())

    def test_fail_closed_without_the_pin(self):
        log_dir = os.path.join(self.tmp, "log-nopin")
        server = Server([f"{FIXTURES}/tre.rego"], config=self.config(log_dir, pin_env="TREX_NO_SUCH_PIN"), env=self.env)
        try:
            status, body, _, _ = server.post("/v1/agent/decide", json.dumps(ACTION))
            self.assertEqual(status, 503)
            self.assertIn("decision log unavailable", body["message"])
            self.assertNotIn("allow", body)
            status, body, _, _ = server.get("/health?plugins")
            self.assertEqual(status, 500)
            status, body, _, _ = server.get("/v1/status")
            self.assertEqual(body["result"]["plugins"]["decision_logs"]["state"], "ERROR")
        finally:
            server.close()

    def test_pin_file_and_a_wrong_pin_never_leak(self):
        """The PIN from a 0600 file works; a group-readable file or a wrong PIN fails closed, and neither PIN
        shows in the log, the answers or /v1/config."""
        wrong = "wr0ng-PIN-77341"
        pin_file = os.path.join(self.tmp, "pin.txt")
        with open(pin_file, "w") as f:
            f.write(PIN + "\n")

        def run(config, env, expect_status):
            server = Server([f"{FIXTURES}/tre.rego"], config=config, env=env)
            try:
                status, _, _, raw = server.post("/v1/agent/decide", json.dumps(ACTION))
                self.assertEqual(status, expect_status, raw)
                _, _, _, raw_cfg = server.get("/v1/config")
                _, _, _, raw_status = server.get("/v1/status")
                seen = raw + raw_cfg + raw_status
            finally:
                server.stop()
            seen += (server.stderr() + server.stdout()).encode()
            for secret in (PIN, wrong):
                self.assertNotIn(secret.encode(), seen)
            return server.stderr()

        env_without_pin = {k: v for k, v in self.env.items() if k != "TREX_HSM_PIN"}
        file_config = self.config(os.path.join(self.tmp, "log-pinfile")).replace(
            "pin_env: TREX_HSM_PIN", f"pin_file: {pin_file}")
        os.chmod(pin_file, 0o600)
        run(file_config, env_without_pin, 200)
        os.chmod(pin_file, 0o640)
        self.assertIn("chmod 600", run(file_config, env_without_pin, 503))
        wrong_env = dict(self.env, TREX_WRONG_PIN=wrong)
        stderr = run(self.config(os.path.join(self.tmp, "log-wrongpin"), pin_env="TREX_WRONG_PIN"), wrong_env, 503)
        self.assertIn("wrong user PIN", stderr)

    def test_async_mode(self):
        log_dir = os.path.join(self.tmp, "log-async")
        server = Server([f"{FIXTURES}/tre.rego"], config=self.config(log_dir, "async"), env=self.env)
        try:
            ids = [server.post("/v1/agent/decide", json.dumps(ACTION))[1]["decision_id"] for _ in range(20)]
        finally:
            self.assertEqual(server.stop(), 0)  # close() flushes the queue
        self.assertEqual(self.verify(log_dir).returncode, 0)
        logged = {l["decision_id"] for l in self.log_lines(log_dir) if l["kind"] == "decision"}
        self.assertEqual(set(ids), logged)

    def test_sigkill_under_load_loses_no_answered_decision(self):
        log_dir = os.path.join(self.tmp, "log-crash")
        server = Server([f"{FIXTURES}/tre.rego"], config=self.config(log_dir), env=self.env)
        answered = []
        lock = threading.Lock()
        stop = threading.Event()

        def client():
            c = server.conn(timeout=5)
            while not stop.is_set():
                try:
                    c.request("POST", "/v1/agent/decide", body=json.dumps(ACTION))
                    r = c.getresponse()
                    body = json.loads(r.read())
                    if r.status == 200:
                        with lock:
                            answered.append(body["decision_id"])
                except Exception:
                    return

        threads = [threading.Thread(target=client) for _ in range(6)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait()
        stop.set()
        for t in threads:
            t.join()
        self.assertGreater(len(answered), 10)
        # Restart on the same log: recovery, then new decisions continue the chain.
        again = Server([f"{FIXTURES}/tre.rego"], config=self.config(log_dir), env=self.env)
        try:
            self.assertEqual(again.post("/v1/agent/decide", json.dumps(ACTION))[0], 200)
        finally:
            again.stop()
        result = self.verify(log_dir)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        logged = {l["decision_id"] for l in self.log_lines(log_dir) if l["kind"] == "decision"}
        missing = set(answered) - logged
        self.assertEqual(missing, set())
        server.tmp.cleanup()


if __name__ == "__main__":
    unittest.main()
