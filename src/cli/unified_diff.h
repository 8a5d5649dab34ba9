// A line-based unified diff (`diff -u` style, 3 lines of context) for `trex fmt --diff`.
#pragma once

#include <string>

namespace trex::cli {

// "--- a/<name>\n+++ b/<name>\n@@ ... @@\n..." or "" when the texts are equal.
std::string unified_diff(const std::string& name, const std::string& before, const std::string& after);

}  // namespace trex::cli
