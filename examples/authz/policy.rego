# An example authorization policy: users may read their own team's documents, admins may do anything.
package authz

default allow := false

allow if input.user in data.admins

allow if {
	input.action == "read"
	some team in data.teams
	input.user in team.members
	input.resource.team == team.name
}

reasons contains "admin" if input.user in data.admins

reasons contains sprintf("member of %s", [team.name]) if {
	some team in data.teams
	input.user in team.members
}
