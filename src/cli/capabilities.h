// OPA's --capabilities FILE, as far as trex uses it: the `allow_net` list (the hosts http.send and
// net.lookup_ip_addr may reach). Absent from the file = every host (OPA's reading); [] = none. The file's
// `builtins` and `features` lists are not enforced: trex compiles against its own built-in table.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace trex::cli {

struct Capabilities {
  std::optional<std::vector<std::string>> allow_net;  // nullopt = the file sets no allow_net
};

// Reads a capabilities JSON (or YAML) file. nullopt with `error` set when it cannot be read or allow_net is
// not a list of strings.
std::optional<Capabilities> read_capabilities(const std::string& path, std::string& error);

}  // namespace trex::cli
