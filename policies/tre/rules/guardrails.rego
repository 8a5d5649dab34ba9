# General agent guardrails, from data.tre.agents[<agent id>]:
#   ToolAllowList       the agent may only call the tools listed in its "tools"
#   SessionAmountLimit  money moved in one session (data.tre.sessions[<session>].spent plus this action) stays
#                       within the agent's "session_limit"
#   NoPIIEgress         arguments carrying personal data (e-mail, card or social security numbers, or fields
#                       named like them) go only to tools in data.tre.config.pii_allowed_tools
package tre.rules.guardrails

agent := data.tre.agents[input.agent.id]

deny contains {"rule": "ToolAllowList", "msg": sprintf("agent %s may not call tool %s", [input.agent.id, input.action.tool])} if {
	input.action.tool
	not input.action.tool in object.get(agent, "tools", [])
}

deny contains {"rule": "ToolAllowList", "msg": sprintf("unknown agent %s", [input.agent.id])} if {
	not data.tre.agents[input.agent.id]
}

spent := object.get(data.tre.sessions, [input.agent.session, "spent"], 0)

deny contains {"rule": "SessionAmountLimit", "msg": msg} if {
	is_number(input.action.amount)
	limit := agent.session_limit
	spent + input.action.amount > limit
	msg := sprintf("session %s would move %v, over the agent's limit of %v", [input.agent.session, spent + input.action.amount, limit])
}

pii_field_names := {"email", "ssn", "social_security_number", "card_number", "credit_card", "passport", "date_of_birth"}

pii_patterns := [
	`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`, # e-mail address
	`\b\d{3}-\d{2}-\d{4}\b`, # US social security number
	`\b(?:\d[ -]?){13,16}\b`, # payment card number
]

carries_pii if {
	walk(object.get(input.action, "arguments", {}), [path, _])
	count(path) > 0
	lower(path[count(path) - 1]) in pii_field_names
}

carries_pii if {
	walk(object.get(input.action, "arguments", {}), [_, value])
	is_string(value)
	some pattern in pii_patterns
	regex.match(pattern, value)
}

deny contains {"rule": "NoPIIEgress", "msg": sprintf("tool %s may not receive personal data", [input.action.tool])} if {
	carries_pii
	not input.action.tool in data.tre.config.pii_allowed_tools
}
