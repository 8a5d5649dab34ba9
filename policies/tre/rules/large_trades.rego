# LargeTradesNeedTwoApprovers: a trade over the limit (500,000 by default,
# data.tre.config.trade_dual_approval_limit) needs two distinct human approvers with valid approvals.
package tre.rules.large_trades

limit := object.get(data.tre.config, "trade_dual_approval_limit", 500000)

governs if {
	input.action.type == "trade"
	input.action.amount > limit
}

requires_approval if {
	governs
	data.tre.approvals.count_valid < 2
}

deny contains {"rule": "LargeTradesNeedTwoApprovers", "msg": msg} if {
	requires_approval
	msg := sprintf("Trades over %v need two distinct human approvers (valid approvals: %d)", [limit, data.tre.approvals.count_valid])
}
