// A small command-line flag parser shared by the trex verbs.
//
// Accepts `-d X`, `--data X`, `--data=X`, boolean `--fail`, and `--` to end flags. Unknown flags are errors
// (the caller prints usage and exits 2). Repeated flags keep every value, in order.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace trex::cli {

struct FlagSpec {
  std::vector<std::string> names;  // names[0] is the canonical name, e.g. {"--data", "-d"}
  bool takes_value = false;
};

struct ParsedArgs {
  std::vector<std::pair<std::string, std::string>> flags;  // canonical name, value ("" for booleans)
  std::vector<std::string> positional;
  std::string error;  // non-empty when the command line is invalid

  bool has(const std::string& name) const;
  std::vector<std::string> values(const std::string& name) const;
  // The last value given for a flag, or `fallback`.
  std::string last(const std::string& name, const std::string& fallback = "") const;
};

ParsedArgs parse_flags(const std::vector<std::string>& args, const std::vector<FlagSpec>& specs);

}  // namespace trex::cli
