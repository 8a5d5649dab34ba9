# NoHighValueTransfers: a transfer over the limit (10,000 in the action's currency by default,
# data.tre.config.transfer_approval_limit) needs one valid human approval.
package tre.rules.high_value_transfers

limit := object.get(data.tre.config, "transfer_approval_limit", 10000)

governs if {
	input.action.type == "transfer"
	input.action.amount > limit
}

requires_approval if {
	governs
	data.tre.approvals.count_valid < 1
}

deny contains {"rule": "NoHighValueTransfers", "msg": "Transfers over $10,000 require human approval"} if requires_approval
