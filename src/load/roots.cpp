// Bundle roots (see roots.h). Mirrors OPA's bundle.RootPathsContain/RootPathsOverlap, the data check of
// Manifest.validateAndInjectDefaults and the cross-bundle check done at activation (hasRootsOverlap).
#include "load/roots.h"

#include <algorithm>
#include <set>

namespace trex::load {
namespace {

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash - start));
    if (slash == std::string::npos) return out;
    start = slash + 1;
  }
}

bool root_contains(const std::vector<std::string>& root, const std::vector<std::string>& other) {
  if (root.size() == 1 && root[0].empty()) return true;  // "" owns everything
  if (root.size() > other.size()) return false;
  return std::equal(root.begin(), root.end(), other.begin());
}

std::string join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// OPA's dfs over the bundle's data: stop at a permitted path; descend into an object while some root may
// still lie below it; anything else is not permitted. The "lies below" test is OPA's as written: it asks
// whether a root is contained in any single segment of the path taken as a root of its own.
std::optional<std::string> first_unpermitted(const std::vector<std::string>& roots, const rego::Value& node,
                                             const std::string& path) {
  if (root_paths_contain(roots, path)) return std::nullopt;
  if (node.is_object()) {
    auto path_segments = segments(path);
    bool descend = std::any_of(roots.begin(), roots.end(),
                               [&](const std::string& r) { return root_paths_contain(path_segments, r); });
    if (descend) {
      for (const auto& [k, v] : node.as_object()) {
        std::string key = k.is_string() ? k.as_string() : std::string();
        if (auto bad = first_unpermitted(roots, v, path.empty() ? key : path + "/" + key)) return bad;
      }
      return std::nullopt;
    }
  }
  return path;
}

}  // namespace

bool root_paths_contain(const std::vector<std::string>& roots, const std::string& path) {
  auto other = segments(path);
  return std::any_of(roots.begin(), roots.end(), [&](const std::string& r) { return root_contains(segments(r), other); });
}

bool root_paths_overlap(const std::string& a, const std::string& b) {
  auto sa = segments(a), sb = segments(b);
  return root_contains(sa, sb) || root_contains(sb, sa);
}

std::string format_roots(const std::vector<std::string>& roots) {
  std::string out = "[";
  for (size_t i = 0; i < roots.size(); ++i) out += (i ? " " : "") + roots[i];
  return out + "]";
}

std::optional<std::string> check_manifest_roots(const std::vector<std::string>& roots) {
  for (size_t i = 0; i + 1 < roots.size(); ++i)
    for (size_t j = i + 1; j < roots.size(); ++j)
      if (root_paths_overlap(roots[i], roots[j]))
        return "manifest has overlapped roots: '" + roots[i] + "' and '" + roots[j] + "'";
  return std::nullopt;
}

std::optional<std::string> check_data_roots(const std::vector<std::string>& roots, const rego::Value& data) {
  auto bad = first_unpermitted(roots, data, "");
  if (!bad) return std::nullopt;
  return "manifest roots " + format_roots(roots) + " do not permit data at path '/" + *bad +
         "' (hint: check bundle directory structure)";
}

std::optional<std::string> check_roots_overlap(const std::vector<Bundle>& bundles) {
  std::set<std::string> colliding, conflicts, with_empty_root;
  for (const auto& b : bundles)
    if (std::find(b.roots.begin(), b.roots.end(), "") != b.roots.end()) with_empty_root.insert(b.name);
  for (const auto& b : bundles) {
    for (const auto& other : bundles) {
      if (other.name == b.name) continue;
      for (const auto& root : b.roots) {
        for (const auto& other_root : other.roots) {
          if (!root_paths_overlap(root, other_root)) continue;
          colliding.insert(b.name);
          colliding.insert(other.name);
          if (root == other_root) {
            conflicts.insert("root " + root + " is in multiple bundles");
          } else {
            auto [lo, hi] = std::minmax(root, other_root);
            conflicts.insert(lo + " overlaps " + hi);
          }
        }
      }
    }
  }
  if (colliding.empty()) return std::nullopt;
  if (!with_empty_root.empty())
    return "bundles [" + join(colliding) +
           "] have overlapping roots and cannot be activated simultaneously because bundle(s) [" +
           join(with_empty_root) + "] specify empty root paths ('') which overlap with any other bundle root";
  return "detected overlapping roots in manifests for these bundles: [" + join(colliding) + "] (" + join(conflicts) +
         ")";
}

}  // namespace trex::load
