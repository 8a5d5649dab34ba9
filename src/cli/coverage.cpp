// Coverage of test runs (see coverage.h).
#include "cli/coverage.h"

#include <charconv>
#include <cstdio>

#include "rego/json.h"

namespace trex::cli {
namespace {

// Consecutive rows as ranges (OPA's sortedPositionSliceToRangeSlice); rows are sorted and unique.
std::vector<CoverageRange> ranges(const std::set<uint32_t>& rows) {
  std::vector<CoverageRange> out;
  for (uint32_t row : rows) {
    if (!out.empty() && out.back().end + 1 == row) out.back().end = row;
    else out.push_back({row, row});
  }
  return out;
}

int lines(const std::vector<CoverageRange>& rs) {
  int n = 0;
  for (const auto& r : rs) n += static_cast<int>(r.end - r.start + 1);
  return n;
}

double percent(int covered, int not_covered) {
  const int total = covered + not_covered;
  return total == 0 ? 0.0 : 100.0 * covered / total;
}

// Go's encoding/json float64: the shortest representation that reads back the same, without an exponent in
// the range coverage numbers live in.
std::string go_float(double d) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
  return std::string(buf, res.ptr);
}

std::string ranges_json(const std::vector<CoverageRange>& rs) {
  std::string out = "[\n";
  for (size_t i = 0; i < rs.size(); ++i) {
    out += "        {\n";
    out += "          \"start\": {\n            \"row\": " + std::to_string(rs[i].start) + "\n          },\n";
    out += "          \"end\": {\n            \"row\": " + std::to_string(rs[i].end) + "\n          }\n";
    out += i + 1 < rs.size() ? "        },\n" : "        }\n";
  }
  return out + "      ]";
}

// `some x, y`: OPA's compiler drops these declarations before evaluation, so they never count as covered
// (`some x in xs` becomes an evaluated expression and does count).
bool plain_some_decl(const rego::Value& node) {
  const rego::Value* terms = node.is_object() ? node.get("terms") : nullptr;
  const rego::Value* type = terms && terms->is_object() ? terms->get("type") : nullptr;
  if (!type || !type->is_string() || type->as_string() != "somedecl") return false;
  const rego::Value* value = terms->get("value");
  const rego::Value* symbols = value && value->is_object() ? value->get("symbols") : nullptr;
  if (!symbols || !symbols->is_array()) return false;
  for (const auto& sym : symbols->as_array()) {
    const rego::Value* t = sym.is_object() ? sym.get("type") : nullptr;
    if (!t || !t->is_string() || t->as_string() != "var") return false;
  }
  return true;
}

}  // namespace

void CoverageTracer::event(rego::TraceEvent&& e) {
  if (e.file.empty() || e.row == 0) return;
  const bool expr = e.op == rego::TraceOp::Eval && e.type == rego::TraceNodeType::Expr;
  const bool rule = e.op == rego::TraceOp::Exit && e.type == rego::TraceNodeType::Rule;
  if (rule || (expr && !plain_some_decl(e.node))) hits_[e.file].insert(e.row);
}

CoverageReport coverage_report(const CoverageTracer& tracer, const std::vector<rego::ModuleOutline>& modules) {
  CoverageReport report;
  for (const auto& [file, rows] : tracer.hits()) report.files[file].covered = ranges(rows);
  for (const auto& m : modules) {
    const auto hit = tracer.hits().find(m.file);
    auto covered = [&](uint32_t row) { return hit != tracer.hits().end() && hit->second.count(row) > 0; };
    std::set<uint32_t> missed;
    for (uint32_t row : m.rule_rows)
      if (!covered(row)) missed.insert(row);
    for (uint32_t row : m.expr_rows)
      if (!covered(row)) missed.insert(row);
    report.files[m.file].not_covered = ranges(missed);
  }
  for (auto& [file, fc] : report.files) {
    fc.covered_lines = lines(fc.covered);
    fc.not_covered_lines = lines(fc.not_covered);
    fc.coverage = percent(fc.covered_lines, fc.not_covered_lines);
    report.covered_lines += fc.covered_lines;
    report.not_covered_lines += fc.not_covered_lines;
  }
  report.coverage = percent(report.covered_lines, report.not_covered_lines);
  return report;
}

std::string coverage_json(const CoverageReport& report) {
  std::string out = "{\n  \"files\": {";
  size_t n = 0;
  for (const auto& [file, fc] : report.files) {
    out += n++ ? ",\n" : "\n";
    // Go's omitempty: empty range lists and zero counts are left out.
    std::vector<std::string> members;
    if (!fc.covered.empty()) members.push_back("\"covered\": " + ranges_json(fc.covered));
    if (!fc.not_covered.empty()) members.push_back("\"not_covered\": " + ranges_json(fc.not_covered));
    if (fc.covered_lines) members.push_back("\"covered_lines\": " + std::to_string(fc.covered_lines));
    if (fc.not_covered_lines) members.push_back("\"not_covered_lines\": " + std::to_string(fc.not_covered_lines));
    if (fc.coverage != 0) members.push_back("\"coverage\": " + go_float(fc.coverage));
    out += "    " + rego::json::write(rego::Value::string(file)) + ": ";
    if (members.empty()) {
      out += "{}";
      continue;
    }
    out += "{\n";
    for (size_t i = 0; i < members.size(); ++i) out += "      " + members[i] + (i + 1 < members.size() ? ",\n" : "\n");
    out += "    }";
  }
  out += n ? "\n  },\n" : "},\n";
  out += "  \"covered_lines\": " + std::to_string(report.covered_lines) + ",\n";
  out += "  \"not_covered_lines\": " + std::to_string(report.not_covered_lines) + ",\n";
  out += "  \"coverage\": " + go_float(report.coverage) + "\n}\n";
  return out;
}

std::string threshold_error(const CoverageReport& report, double threshold, bool details) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "Code coverage threshold not met: got %.2f instead of %.2f", report.coverage,
                threshold);
  std::string out = buf;
  if (details && !report.files.empty()) {
    out += "\nLines not covered:";
    for (const auto& [file, fc] : report.files)
      for (const auto& r : fc.not_covered)
        out += "\n\t" + file + ":" + std::to_string(r.start) + (r.start == r.end ? "" : "-" + std::to_string(r.end));
  }
  return out;
}

}  // namespace trex::cli
