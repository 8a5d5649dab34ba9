// Registers every built-in namespace. Each namespace file defines one register_<ns> function; add a line
// here (and nowhere else) when adding a namespace.
#include "rego/builtins/registry.h"

namespace rego {

void register_numbers(Registry&);
void register_aggregates(Registry&);
void register_types(Registry&);
void register_sets(Registry&);
void register_strings(Registry&);

const Registry& builtins() {
  static const Registry registry = [] {
    Registry r;
    register_numbers(r);
    register_aggregates(r);
    register_types(r);
    register_sets(r);
    register_strings(r);
    return r;
  }();
  return registry;
}

}  // namespace rego
