# Health checks for GET /health/live and GET /health/ready, as OPA evaluates them
# (data.system.health.<name>, with input.plugin_state and input.plugins_ready).
package system.health

# The process answers: it is live.
default live := true

# Ready once every plugin (bundles, decision logs) has reported OK at least once.
default ready := false

ready if input.plugins_ready
