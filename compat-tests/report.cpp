// Summary, JSON report and passing list of a compliance run (see report.h).
#include "report.h"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <map>

#include "rego/json.h"

namespace compat {

Totals count(const std::vector<CaseResult>& results) {
  Totals t;
  for (const auto& r : results) {
    switch (r.outcome.status) {
      case Status::Pass: ++t.passed; break;
      case Status::Fail: ++t.failed; break;
      case Status::Skip: ++t.skipped; break;
    }
  }
  return t;
}

void print_summary(std::ostream& out, const std::vector<CaseResult>& results, bool verbose) {
  std::map<std::string, Totals> by_category;
  size_t width = 8;
  for (const auto& r : results) {
    Totals& t = by_category[r.tc->category];
    if (r.outcome.status == Status::Pass) ++t.passed;
    else if (r.outcome.status == Status::Fail) ++t.failed;
    else ++t.skipped;
    width = std::max(width, r.tc->category.size());
  }
  for (const auto& [category, t] : by_category) {
    out << std::left << std::setw(static_cast<int>(width) + 2) << category << std::right << std::setw(5)
        << t.passed << "/" << t.total() - t.skipped << (t.failed == 0 ? "  ok" : "") << "\n";
  }
  if (verbose) {
    for (const auto& r : results) {
      if (r.outcome.status == Status::Pass) continue;
      out << (r.outcome.status == Status::Fail ? "FAIL " : "SKIP ") << r.tc->id << "\n     " << r.outcome.detail
          << "\n";
    }
  }
  Totals t = count(results);
  out << "compliance: " << t.passed << " passed, " << t.failed << " failed";
  if (t.skipped) out << ", " << t.skipped << " skipped";
  out << "\n";
}

bool write_report(const std::string& path, const std::vector<CaseResult>& results, std::string& error) {
  using rego::Value;
  std::vector<Value> cases;
  cases.reserve(results.size());
  for (const auto& r : results) {
    cases.push_back(Value::object({
        {Value::string("id"), Value::string(r.tc->id)},
        {Value::string("category"), Value::string(r.tc->category)},
        {Value::string("file"), Value::string(r.tc->file)},
        {Value::string("note"), Value::string(r.tc->note)},
        {Value::string("status"), Value::string(status_name(r.outcome.status))},
        {Value::string("detail"), Value::string(r.outcome.detail)},
    }));
  }
  Totals t = count(results);
  auto num = [](size_t n) { return Value::integer(static_cast<int64_t>(n)); };
  Value report = Value::object({
      {Value::string("total"), num(t.total())},
      {Value::string("passed"), num(t.passed)},
      {Value::string("failed"), num(t.failed)},
      {Value::string("skipped"), num(t.skipped)},
      {Value::string("cases"), Value::array(std::move(cases))},
  });
  std::ofstream f(path);
  if (!f) {
    error = "cannot write " + path;
    return false;
  }
  rego::json::WriteOptions opts;
  opts.pretty = true;
  opts.escape_html = false;
  f << rego::json::write(report, opts) << "\n";
  return static_cast<bool>(f);
}

bool write_passing(const std::string& path, const std::vector<CaseResult>& results, std::string& error) {
  std::vector<std::string> ids;
  for (const auto& r : results)
    if (r.outcome.status == Status::Pass) ids.push_back(r.tc->id);
  std::sort(ids.begin(), ids.end());
  std::ofstream f(path);
  if (!f) {
    error = "cannot write " + path;
    return false;
  }
  for (const auto& id : ids) f << id << "\n";
  return static_cast<bool>(f);
}

}  // namespace compat
