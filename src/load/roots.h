// Bundle roots, as OPA's bundle package defines them: a root is a '/'-separated path prefix of `data` that a
// bundle owns ("" owns everything). Checks that what a bundle holds lies under its roots, and that bundles
// loaded together own disjoint parts of `data`. Error texts are OPA's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "load/loaded.h"

namespace trex::load {

// True when `path` ("a/b") lies under one of `roots`.
bool root_paths_contain(const std::vector<std::string>& roots, const std::string& path);
// True when one of the two roots contains the other.
bool root_paths_overlap(const std::string& a, const std::string& b);

// Roots as OPA's %v prints a []string in messages: "[a b/c]".
std::string format_roots(const std::vector<std::string>& roots);

// "manifest has overlapped roots: 'a' and 'a/b'" when one manifest's roots overlap each other.
std::optional<std::string> check_manifest_roots(const std::vector<std::string>& roots);

// The first path of `data` that the roots do not permit, as OPA's message
// "manifest roots [a] do not permit data at path '/b' (hint: check bundle directory structure)".
std::optional<std::string> check_data_roots(const std::vector<std::string>& roots, const rego::Value& data);

// OPA's error when the roots of different bundles overlap (checked when bundles are activated together).
std::optional<std::string> check_roots_overlap(const std::vector<Bundle>& bundles);

}  // namespace trex::load
