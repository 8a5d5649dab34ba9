# Tests of the financial-agent policy set (run: trex test policies/).
#
# The private keys below are TEST KEYS ONLY: their public halves are the approvers in policies/tre/data.json
# so that approvals can be signed here. Replace both with your approvers' real public keys (and never put
# private keys in a policy) when adapting the policy set.
package tre_test

approver_private_keys := {
	"alice": {"kty": "EC", "crv": "P-256", "x": "UrDB9KtHUQkkA1QnWK7djkQtGiGxRj3Die6KuXB3bio", "y": "2uH4xd2ZGj24z2JwPpsh2xosB3Khw0-7qqsey5zAWRM", "d": "KusoYYuiwT50RUe7RT077pOcdgkF1qG7dVCUSQmC4wI"},
	"bob": {"kty": "EC", "crv": "P-256", "x": "CKF_IC0Ncjtpu7xOWZD-lmEELRTK9nb0-VJXom52eQ0", "y": "0ftRrnz0ou1fHzgDifomGKaN3UIKdALEeRag8Xvn9NE", "d": "YN81e__8AmfDTFXyHOjBu3xF5VvgrlUe_GcwtDz_7dk"},
	"carol": {"kty": "EC", "crv": "P-256", "x": "mfDK4tqqqjIOqoyIV15yuq-dFcXLmIAjHErehJeM1oY", "y": "BDqegaQ9eGzQ5V257hh0ZxPGiR5uV56urxmr2jvIyHQ", "d": "YY69fFvgeMb2z0fLoqGQsZxobcjIBjIHFr8ez1WJdn8"},
	"mallory": {"kty": "EC", "crv": "P-256", "x": "32dCfmTPEGpPnqkadGhGrF6Wtn_Qghn7f9UbfIJebiU", "y": "QRgz0TFv-kza1ewGCwgWzxDhbs6hJS-IFkA_MevF0ew", "d": "CdZOHfNfEEQ3G_oiah4ehtmhRptvWoHv5X0ak2sb3r4"},
}

now_s := round(time.now_ns() / 1000000000)

# An approval of `action` by `approver`, signed with `signer`'s key, expiring `ttl` seconds from now.
approval(approver, action, signer, ttl) := {"approver": approver, "token": token} if {
	claims := {"sub": approver, "action_sha256": crypto.sha256(json.marshal(action)), "exp": now_s + ttl}
	token := io.jwt.encode_sign({"alg": "ES256", "typ": "JWT"}, claims, approver_private_keys[signer])
}

request(action, agent) := {
	"action": action,
	"agent": {"id": agent, "model": "test-model", "session": "s-1"},
	"principal": {"id": "cfo", "type": "user"},
	"provenance": {"instruction": "test instruction", "reasoning": ["step one"]},
	"approvals": [],
}

transfer(amount) := {"type": "transfer", "tool": "payments.transfer", "amount": amount, "currency": "USD", "arguments": {"to": "ACME"}}

trade(amount) := {"type": "trade", "tool": "markets.trade", "amount": amount, "currency": "USD", "arguments": {"symbol": "ACME"}}

with_approvals(req, approvals) := object.union(req, {"approvals": approvals})

rules_denied(decision) := {d.rule | some d in decision.deny}

# ---- NoHighValueTransfers ----

test_small_transfer_allowed if {
	d := data.tre.decision with input as request(transfer(500), "payments-agent")
	d.allow
	d.deny == set()
	not d.requires_approval
}

test_high_value_transfer_needs_approval if {
	d := data.tre.decision with input as request(transfer(25000), "payments-agent")
	not d.allow
	d.requires_approval
	{"rule": "NoHighValueTransfers", "msg": "Transfers over $10,000 require human approval"} in d.deny
}

test_high_value_transfer_with_valid_approval_allowed if {
	action := transfer(25000)
	req := with_approvals(request(action, "payments-agent"), [approval("alice", action, "alice", 300)])
	d := data.tre.decision with input as req
	d.allow
}

test_forged_approval_denied if {
	action := transfer(25000)

	# signed by mallory, claiming to be alice
	req := with_approvals(request(action, "payments-agent"), [approval("alice", action, "mallory", 300)])
	d := data.tre.decision with input as req
	not d.allow
	"NoHighValueTransfers" in rules_denied(d)
}

test_reused_approval_denied if {
	approved := transfer(25000)
	attempted := transfer(90000)
	req := with_approvals(request(attempted, "payments-agent"), [approval("alice", approved, "alice", 300)])
	d := data.tre.decision with input as req
	not d.allow
}

test_expired_approval_denied if {
	action := transfer(25000)
	req := with_approvals(request(action, "payments-agent"), [approval("alice", action, "alice", -60)])
	d := data.tre.decision with input as req
	not d.allow
}

test_unknown_approver_denied if {
	action := transfer(25000)
	req := with_approvals(request(action, "payments-agent"), [approval("mallory", action, "mallory", 300)])
	d := data.tre.decision with input as req
	not d.allow
}

# ---- LargeTradesNeedTwoApprovers ----

test_small_trade_allowed if {
	d := data.tre.decision with input as request(trade(100000), "trading-agent")
	d.allow
}

test_large_trade_one_approver_denied if {
	action := trade(750000)
	req := with_approvals(request(action, "trading-agent"), [approval("alice", action, "alice", 300)])
	d := data.tre.decision with input as req
	not d.allow
	d.requires_approval
	"LargeTradesNeedTwoApprovers" in rules_denied(d)
}

test_large_trade_two_approvers_allowed if {
	action := trade(750000)
	req := with_approvals(request(action, "trading-agent"), [approval("alice", action, "alice", 300), approval("bob", action, "bob", 300)])
	d := data.tre.decision with input as req
	d.allow
}

test_large_trade_duplicate_approver_denied if {
	action := trade(750000)
	req := with_approvals(request(action, "trading-agent"), [approval("alice", action, "alice", 300), approval("alice", action, "alice", 600)])
	d := data.tre.decision with input as req
	not d.allow
}

test_agent_cannot_approve_itself if {
	action := trade(750000)
	agents := object.union(data.tre.agents, {"bob": {"tools": ["markets.trade"], "session_limit": 5000000}})
	req := with_approvals(request(action, "bob"), [approval("alice", action, "alice", 300), approval("bob", action, "bob", 300)])
	d := data.tre.decision with input as req with data.tre.agents as agents
	not d.allow
}

# ---- VerifiedCounterpartyChanges ----

counterparty_update(context) := {
	"type": "update_counterparty",
	"tool": "counterparty.update",
	"arguments": {"counterparty": "ACME", "iban": "DE89370400440532013000"},
	"context": context,
}

test_verified_counterparty_change_allowed if {
	context := {"verification": {"service": "bank-verify.example.com", "callback_id": "cb-123", "status": "verified"}}
	d := data.tre.decision with input as request(counterparty_update(context), "payments-agent")
	d.allow
}

test_unverified_counterparty_change_denied if {
	d := data.tre.decision with input as request(counterparty_update({}), "payments-agent")
	not d.allow
	"VerifiedCounterpartyChanges" in rules_denied(d)
}

test_counterparty_change_verified_by_unknown_service_denied if {
	context := {"verification": {"service": "evil.example.com", "callback_id": "cb-123", "status": "verified"}}
	d := data.tre.decision with input as request(counterparty_update(context), "payments-agent")
	not d.allow
}

test_counterparty_name_change_needs_no_verification if {
	action := {"type": "update_counterparty", "tool": "counterparty.update", "arguments": {"counterparty": "ACME", "display_name": "ACME Corp"}}
	d := data.tre.decision with input as request(action, "payments-agent")
	d.allow
}

# ---- guardrails ----

test_tool_outside_allow_list_denied if {
	action := {"type": "tool_call", "tool": "shell.exec", "arguments": {"cmd": "ls"}}
	d := data.tre.decision with input as request(action, "payments-agent")
	not d.allow
	"ToolAllowList" in rules_denied(d)
}

test_unknown_agent_denied if {
	d := data.tre.decision with input as request(transfer(5), "stranger")
	not d.allow
}

test_session_limit_enforced if {
	req := object.union(request(transfer(9500), "payments-agent"), {"agent": {"id": "payments-agent", "session": "s-busy"}})
	d := data.tre.decision with input as req
	not d.allow
	"SessionAmountLimit" in rules_denied(d)
}

test_pii_egress_denied if {
	action := {"type": "tool_call", "tool": "payments.lookup", "arguments": {"query": "jane.doe@example.com"}}
	d := data.tre.decision with input as request(action, "payments-agent")
	not d.allow
	"NoPIIEgress" in rules_denied(d)
}

test_pii_field_name_denied if {
	action := {"type": "tool_call", "tool": "payments.lookup", "arguments": {"customer": {"ssn": "redacted"}}}
	d := data.tre.decision with input as request(action, "payments-agent")
	"NoPIIEgress" in rules_denied(d)
}

test_pii_to_allowed_tool_allowed if {
	action := {"type": "tool_call", "tool": "crm.update_contact", "arguments": {"email": "jane.doe@example.com"}}
	d := data.tre.decision with input as request(action, "payments-agent")
	d.allow
}
