// Registers every built-in namespace. Each namespace file defines one register_<ns> function; add a line
// here (and nowhere else) when adding a namespace.
#include "rego/builtins/registry.h"

namespace rego {

void register_numbers(Registry&);
void register_aggregates(Registry&);
void register_types(Registry&);
void register_sets(Registry&);
void register_strings(Registry&);
void register_sprintf(Registry&);
void register_casts(Registry&);
void register_bits(Registry&);
void register_units(Registry&);
void register_template(Registry&);
void register_arrays(Registry&);
void register_objects(Registry&);
void register_encoding(Registry&);
void register_yaml(Registry&);
void register_regex(Registry&);
void register_semver(Registry&);
void register_uuid(Registry&);
void register_net(Registry&);
void register_time(Registry&);
void register_crypto(Registry&);
void register_jwt(Registry&);
void register_aws(Registry&);
void register_graphql(Registry&);
void register_runtime(Registry&);
void register_jsonschema(Registry&);
void register_http(Registry&);
void register_x509(Registry&);
void register_rego_module(Registry&);

const Registry& builtins() {
  static const Registry registry = [] {
    Registry r;
    register_numbers(r);
    register_aggregates(r);
    register_types(r);
    register_sets(r);
    register_strings(r);
    register_sprintf(r);
    register_casts(r);
    register_bits(r);
    register_units(r);
    register_template(r);
    register_arrays(r);
    register_objects(r);
    register_encoding(r);
    register_yaml(r);
    register_regex(r);
    register_semver(r);
    register_uuid(r);
    register_net(r);
    register_time(r);
    register_crypto(r);
    register_jwt(r);
    register_aws(r);
    register_graphql(r);
    register_runtime(r);
    register_jsonschema(r);
    register_http(r);
    register_x509(r);
    register_rego_module(r);
    return r;
  }();
  return registry;
}

}  // namespace rego
