# VerifiedCounterpartyChanges: changing a counterparty's bank details needs a verification call recorded in
# the action's context: action.context.verification = {"service": <one of
# data.tre.config.verification_services>, "callback_id": <non-empty>, "status": "verified"}.
package tre.rules.counterparty

bank_fields := {"iban", "account_number", "routing_number", "swift", "bic", "bank_account"}

changes_bank_details if {
	input.action.type == "update_counterparty"
	some field in object.keys(object.get(input.action, "arguments", {}))
	field in bank_fields
}

verified if {
	v := input.action.context.verification
	v.service in data.tre.config.verification_services
	is_string(v.callback_id)
	v.callback_id != ""
	v.status == "verified"
}

deny contains {"rule": "VerifiedCounterpartyChanges", "msg": "Counterparty bank details may only change after a recorded verification call"} if {
	changes_bank_details
	not verified
}
