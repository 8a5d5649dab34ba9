# The policy of the server load benchmark (bench/server_load.sh): an RBAC + ABAC authorization decision of
# the kind an API gateway or service mesh asks for on every request. Roles inherit (three levels),
# permissions are per resource type, and attributes of the user, the resource and the request context
# (clearance, department, network, time of day, MFA, tags, ownership) refine the role grant. Data:
# bench/load/data.json (data.rbac). The benchmark asks for data.authz.allow with bench/load/input.json.
package authz

default allow := false

allow if {
	user_active
	not denied
	action_permitted
	abac_ok
}

# Break-glass: an active admin may do anything not explicitly denied.
allow if {
	user_active
	"admin" in user.roles
	not denied
}

user := data.rbac.users[input.subject.id]

resource := data.rbac.resources[input.resource.type]

user_active if user.active == true

# ---- roles, with inheritance up to three levels ----
user_roles contains r if some r in user.roles

user_roles contains p if {
	some r in user.roles
	some p in data.rbac.roles[r].inherits
}

user_roles contains q if {
	some r in user.roles
	some p in data.rbac.roles[r].inherits
	some q in data.rbac.roles[p].inherits
}

# ---- RBAC: some role grants the action on the resource type ----
action_permitted if {
	some r in user_roles
	some perm in data.rbac.roles[r].permissions
	perm.resource in {input.resource.type, "*"}
	action_matches(perm.actions, input.action)
}

action_matches(actions, action) if action in actions

action_matches(actions, _) if "*" in actions

# ---- ABAC: attributes refine the grant ----
abac_ok if {
	clearance_ok
	department_ok
	network_ok
	time_ok
}

clearance_ok if user.clearance >= resource.classification

department_ok if not resource.department_scoped

department_ok if {
	resource.department_scoped
	input.resource.department == user.department
}

department_ok if {
	resource.department_scoped
	"auditor" in user_roles
	input.action in {"read", "export"}
}

network_ok if not resource.requires_trusted_network

network_ok if {
	resource.requires_trusted_network
	some cidr in data.rbac.networks.trusted
	net.cidr_contains(cidr, input.context.ip)
}

time_ok if {
	input.context.hour >= data.rbac.business_hours.start
	input.context.hour < data.rbac.business_hours.end
}

time_ok if "oncall" in user_roles

# ---- explicit denials win over every grant ----
denied if input.subject.id in data.rbac.blocked_users

denied if input.context.ip in data.rbac.networks.blocked_ips

denied if {
	input.action in {"delete", "approve"}
	not input.context.mfa
}

denied if {
	resource.owner_only_write
	input.action != "read"
	input.resource.owner != input.subject.id
}

denied if {
	input.resource.locked
	input.action != "read"
}

denied if {
	some tag in input.resource.tags
	tag in data.rbac.restricted_tags
	not "compliance" in user_roles
}

denied if {
	input.action == "approve"
	input.resource.owner == input.subject.id # no approving one's own request
}

# ---- for humans (not part of the benchmarked decision) ----
reasons contains "user unknown or inactive" if not user_active

reasons contains "explicitly denied" if denied

reasons contains "no role grants the action" if not action_permitted

reasons contains "attribute check failed" if not abac_ok
