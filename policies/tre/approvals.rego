# Human approvals: each is a compact JWS (ES256) signed by an approver whose public key (JWK) is held in
# data.tre.approvers[<id>].public_key. An approval counts only when
#   - its signature verifies with that approver's key (a forged or re-signed token does not),
#   - it has not expired (exp) and is already valid (nbf), checked against the evaluation time,
#   - it is bound to this very action: its "action_sha256" claim is the SHA-256 of the action's canonical JSON
#     (json.marshal sorts keys), so a token approved for another action cannot be reused,
#   - its subject is the approver named next to it, and that approver is not the agent itself.
# valid_approvers is a set: the same approver twice counts once.
package tre.approvals

action_sha256 := crypto.sha256(json.marshal(input.action))

valid_approvers contains a.approver if {
	some a in input.approvals
	a.approver != input.agent.id
	key := data.tre.approvers[a.approver].public_key
	[valid, _, claims] := io.jwt.decode_verify(a.token, {"cert": json.marshal(key), "alg": "ES256", "time": time.now_ns()})
	valid
	claims.sub == a.approver
	claims.action_sha256 == action_sha256
}

count_valid := count(valid_approvers)
