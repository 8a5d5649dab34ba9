#include "cli/unified_diff.h"

#include <algorithm>
#include <vector>

namespace trex::cli {
namespace {

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

struct Op {
  char kind;  // ' ', '-', '+'
  size_t a, b;  // line indexes in before/after (the one that applies)
};

}  // namespace

std::string unified_diff(const std::string& name, const std::string& before, const std::string& after) {
  if (before == after) return "";
  const auto a = split_lines(before), b = split_lines(after);
  // Longest common subsequence by dynamic programming: policy files are small, and the quadratic table
  // keeps this simple and exact.
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  std::vector<Op> ops;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) ops.push_back({' ', i++, j++});
    else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push_back({'-', i++, j});  // removals first
    else ops.push_back({'+', i, j++});
  }
  std::string out = "--- a/" + name + "\n+++ b/" + name + "\n";
  constexpr size_t kContext = 3;
  for (size_t k = 0; k < ops.size();) {
    if (ops[k].kind == ' ') {
      ++k;
      continue;
    }
    // A hunk: from kContext lines before this change to kContext lines after the last change close enough.
    size_t start = k >= kContext ? k - kContext : 0, end = k;
    while (end < ops.size()) {
      if (ops[end].kind != ' ') {
        ++end;
        continue;
      }
      size_t run = end;
      while (run < ops.size() && ops[run].kind == ' ') ++run;
      if (run == ops.size() || run - end > 2 * kContext) {
        end = std::min(ops.size(), end + kContext);
        break;
      }
      end = run;
    }
    size_t a0 = ops[start].a, b0 = ops[start].b, na = 0, nb = 0;
    for (size_t x = start; x < end; ++x) {
      if (ops[x].kind != '+') ++na;
      if (ops[x].kind != '-') ++nb;
    }
    out += "@@ -" + std::to_string(na ? a0 + 1 : a0) + "," + std::to_string(na) + " +" +
           std::to_string(nb ? b0 + 1 : b0) + "," + std::to_string(nb) + " @@\n";
    for (size_t x = start; x < end; ++x) {
      out += ops[x].kind;
      out += ops[x].kind == '+' ? b[ops[x].b] : a[ops[x].a];
      out += "\n";
    }
    k = end;
  }
  return out;
}

}  // namespace trex::cli
