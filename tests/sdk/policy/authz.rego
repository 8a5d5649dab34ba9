# The policy the SDK test (sdk_test.mjs) evaluates through @styra/opa.
package sdktest.authz

default allow := false

# A user may perform an action when one of their roles grants it.
allow if {
	some role in data.sdktest.roles[input.user]
	input.action in data.sdktest.permissions[role]
}

roles := data.sdktest.roles[input.user]

# A document that needs no input (the SDK's GET path).
summary := {"users": count(data.sdktest.roles), "roles": count(data.sdktest.permissions)}

# Two values for one key: an eval_conflict_error at evaluation time, to see how the SDK surfaces a 500.
conflict := 1 if input.conflict
conflict := 2 if input.conflict
