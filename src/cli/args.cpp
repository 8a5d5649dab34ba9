// Command-line flag parsing (see args.h).
#include "cli/args.h"

namespace trex::cli {

bool ParsedArgs::has(const std::string& name) const {
  for (const auto& [n, v] : flags)
    if (n == name) return true;
  return false;
}

std::vector<std::string> ParsedArgs::values(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : flags)
    if (n == name) out.push_back(v);
  return out;
}

std::string ParsedArgs::last(const std::string& name, const std::string& fallback) const {
  std::string out = fallback;
  for (const auto& [n, v] : flags)
    if (n == name) out = v;
  return out;
}

namespace {

const FlagSpec* find(const std::vector<FlagSpec>& specs, const std::string& name) {
  for (const auto& s : specs)
    for (const auto& n : s.names)
      if (n == name) return &s;
  return nullptr;
}

}  // namespace

ParsedArgs parse_flags(const std::vector<std::string>& args, const std::vector<FlagSpec>& specs) {
  ParsedArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      for (++i; i < args.size(); ++i) out.positional.push_back(args[i]);
      break;
    }
    // "-" alone is a value (stdin by convention), and so is anything not starting with '-'.
    if (a.size() < 2 || a[0] != '-') {
      out.positional.push_back(a);
      continue;
    }
    std::string name = a;
    std::string value;
    bool inline_value = false;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      inline_value = true;
    }
    const FlagSpec* spec = find(specs, name);
    if (!spec) {
      out.error = "unknown flag: " + name;
      return out;
    }
    if (spec->takes_value) {
      if (!inline_value) {
        if (i + 1 >= args.size()) {
          out.error = "flag needs an argument: " + name;
          return out;
        }
        value = args[++i];
      }
    } else if (inline_value) {
      // --fail=true / --fail=false, as Go's flag package accepts for booleans.
      if (value == "false") continue;
      if (value != "true") {
        out.error = "invalid value for boolean flag " + name + ": " + value;
        return out;
      }
      value.clear();
    }
    out.flags.emplace_back(spec->names.front(), value);
  }
  return out;
}

}  // namespace trex::cli
