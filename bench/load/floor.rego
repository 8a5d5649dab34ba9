# The floor of the server benchmarks (bench/server_load.sh, bench/server_instructions.sh): the same request
# answered by a policy that decides nothing (`allow` is a constant). trex still reads the 0.7 KB body into
# `input`, routes, evaluates one constant rule and writes the response, so its distance from the no-op server
# is the cost every decision pays before the policy's own rules; the gap between this and bench/load/authz.rego
# is what evaluating the realistic policy costs.
package authz

allow := true
