# The decision document of the agent endpoint (POST /v1/agent/decide evaluates data.tre.decision).
#
# Every rule module under data.tre.rules contributes:
#   deny contains {"rule": "<Name>", "msg": "<why>"}   -- the action is refused
#   requires_approval if ...                           -- a human approval would let it through
#   patch contains {"op": ..., "path": ..., "value": ...} -- a JSON Patch to apply to the action
# Add a rule by adding a module under policies/tre/rules/ (or a .tre file): nothing here changes.
package tre

deny contains d if {
	some name
	some d in data.tre.rules[name].deny
}

approval_required if {
	some name
	data.tre.rules[name].requires_approval
}

patch contains p if {
	some name
	some p in data.tre.rules[name].patch
}

decision := {
	"allow": count(deny) == 0,
	"deny": deny,
	"requires_approval": approval_required,
	"patch": patch,
} if {
	approval_required
} else := {
	"allow": count(deny) == 0,
	"deny": deny,
	"requires_approval": false,
	"patch": patch,
}
