"""A dependency-free Python client for trex (standard library only).

Agents ask trex before they act:

    from trex_client import TrexClient, guard

    client = TrexClient("http://localhost:8181")
    send_money = guard(client, "payments.transfer", send_money_impl, action_type="transfer",
                       agent={"id": "payments-agent", "session": "s-1"}, principal={"id": "cfo"})
    send_money(to="ACME", amount=250.0, currency="USD",
               _provenance={"instruction": "Pay ACME's invoice", "reasoning": ["invoice 42 is due"]})

`guard` asks POST /v1/agent/decide before every call (the tool name and arguments as the action, the
instruction and reasoning as provenance); a denial raises `Denied` with the rule and message and the tool
is not called; a `patch` from the policy is applied to the arguments; the outcome is reported to
POST /v1/agent/outcome afterwards. The same shape as the LangChain integration (integrations/langchain).
"""
import copy
import json
import urllib.error
import urllib.request

__all__ = ["TrexClient", "TrexError", "Denied", "Decision", "guard", "apply_patch"]


class TrexError(Exception):
    """trex answered with an error (OPA's {"code", "message", "errors"} shape) or could not be reached."""

    def __init__(self, status, body):
        self.status = status
        self.body = body
        code = body.get("code") if isinstance(body, dict) else None
        message = body.get("message") if isinstance(body, dict) else body
        super().__init__(f"trex: HTTP {status}: {code}: {message}" if code else f"trex: HTTP {status}: {message}")


class Decision:
    """The agent endpoint's answer."""

    def __init__(self, body):
        self.raw = body
        self.decision_id = body["decision_id"]
        self.allow = bool(body["allow"])
        self.deny = body.get("deny") or []
        self.requires_approval = bool(body.get("requires_approval"))
        self.patch = body.get("patch") or []
        self.policy = body.get("policy") or {}

    def __repr__(self):
        return f"Decision(allow={self.allow}, deny={self.deny!r}, id={self.decision_id})"


class Denied(Exception):
    """The policy refused the action; `rule` and `msg` name the first denying rule."""

    def __init__(self, decision):
        self.decision = decision
        first = decision.deny[0] if decision.deny else {"rule": None, "msg": "denied"}
        self.rule = first.get("rule")
        self.msg = first.get("msg")
        super().__init__(f"{self.rule}: {self.msg}" if self.rule else str(self.msg))


class TrexClient:
    def __init__(self, url="http://localhost:8181", token=None, timeout=10.0):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                raw = resp.read()
                return json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = raw.decode(errors="replace")
            raise TrexError(e.code, parsed) from None
        except urllib.error.URLError as e:
            raise TrexError(0, str(e.reason)) from None

    def decide(self, action, agent, principal, provenance, approvals=None, path=None):
        """POST /v1/agent/decide; returns a Decision (raises TrexError on 4xx/5xx: fail closed)."""
        body = {"action": action, "agent": agent, "principal": principal, "provenance": provenance}
        if approvals:
            body["approvals"] = approvals
        query = "" if path is None else "?path=" + urllib.request.quote(path)
        return Decision(self._call("POST", "/v1/agent/decide" + query, body))

    def outcome(self, decision_id, status, result=None):
        """POST /v1/agent/outcome: what happened after acting on a decision."""
        return self._call("POST", "/v1/agent/outcome", {"decision_id": decision_id, "status": status, "result": result})

    def evaluate(self, path, input=None):
        """The Data API: the document at `path` ("authz/allow"), None when undefined."""
        body = self._call("POST", "/v1/data/" + path.strip("/"), {} if input is None else {"input": input})
        return body.get("result")

    def healthy(self):
        try:
            self._call("GET", "/health")
            return True
        except TrexError:
            return False


def apply_patch(document, patch):
    """Applies a JSON Patch (add, replace, remove) to a copy of `document`."""
    doc = copy.deepcopy(document)
    for op in patch:
        parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
        parent = doc
        for p in parts[:-1]:
            parent = parent[int(p)] if isinstance(parent, list) else parent.setdefault(p, {})
        last = parts[-1]
        if isinstance(parent, list):
            index = len(parent) if last == "-" else int(last)
            if op["op"] == "add":
                parent.insert(index, op["value"])
            elif op["op"] == "replace":
                parent[index] = op["value"]
            elif op["op"] == "remove":
                del parent[index]
        else:
            if op["op"] in ("add", "replace"):
                parent[last] = op["value"]
            elif op["op"] == "remove":
                parent.pop(last, None)
    return doc


def guard(client, tool, func, agent, principal, action_type="tool_call", framework="python", money_args=("amount", "currency")):
    """Wraps `func(**arguments)` so that every call is decided by trex first.

    Pass provenance with the call as `_provenance={"instruction": ..., "reasoning": [...]}`; approvals as
    `_approvals=[...]`. Money moved is read from the `amount`/`currency` arguments when present.
    """

    def guarded(**kwargs):
        provenance = dict(kwargs.pop("_provenance", None) or {"instruction": "(not given)"})
        provenance.setdefault("framework", framework)
        approvals = kwargs.pop("_approvals", None)
        action = {"type": action_type, "tool": tool, "arguments": kwargs}
        if money_args[0] in kwargs:
            action["amount"] = kwargs[money_args[0]]
            if money_args[1] in kwargs:
                action["currency"] = kwargs[money_args[1]]
        decision = client.decide(action, agent, principal, provenance, approvals)
        if not decision.allow:
            raise Denied(decision)
        arguments = kwargs
        if decision.patch:
            arguments = apply_patch({"action": action}, decision.patch)["action"]["arguments"]
        try:
            result = func(**arguments)
        except Exception as e:
            client.outcome(decision.decision_id, "failed", {"error": str(e)})
            raise
        client.outcome(decision.decision_id, "succeeded", result if _jsonable(result) else repr(result))
        return result

    guarded.__name__ = getattr(func, "__name__", tool)
    return guarded


def _jsonable(value):
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False
