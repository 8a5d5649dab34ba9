// trex test's pretty and JSON reports (see test_report.h).
#include "cli/test_report.h"

#include <cmath>
#include <string_view>

#include "cli/output.h"
#include "rego/json.h"

namespace trex::cli {
namespace {

const std::string kRule(80, '-');

// Go's fmtFrac: v / 10^prec as ".ddd" without trailing zeros ("" when the fraction is 0); v becomes the
// integer part.
std::string frac(uint64_t& v, int prec) {
  std::string digits;
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    const uint64_t d = v % 10;
    print = print || d != 0;
    if (print) digits.insert(digits.begin(), static_cast<char>('0' + d));
    v /= 10;
  }
  return print ? "." + digits : "";
}

std::string trim_space(const std::string& s) {
  const char* ws = " \t\n\r\v\f";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

// Go's indentingWriter: `indent` spaces before every line written.
std::string indented(const std::string& text, size_t indent) {
  std::string out;
  bool at_start = true;
  for (char c : text) {
    if (at_start) out.append(indent, ' ');
    out.push_back(c);
    at_start = c == '\n';
  }
  return out;
}

std::string quoted(const std::string& s) { return rego::json::write(rego::Value::string(s)); }

// A value as indented JSON continuing the current line, its later lines at `level` (two spaces each).
std::string value_at(const rego::Value& v, int level) {
  rego::json::WriteOptions wo;
  wo.pretty = true;
  std::string text = rego::json::write(v, wo);
  std::string out;
  const std::string pad(static_cast<size_t>(level) * 2, ' ');
  for (char c : text) {
    out.push_back(c);
    if (c == '\n') out += pad;
  }
  return out;
}

// An error as OPA's JSON: {"code", "message", "location"} at `level`.
std::string error_json(const rego::Error& e, int level) {
  const std::string p(static_cast<size_t>(level) * 2, ' ');
  std::string out = "{\n" + p + "  \"code\": " + quoted(e.code) + ",\n" + p + "  \"message\": " + quoted(e.message);
  if (e.location.known()) {
    out += ",\n" + p + "  \"location\": {\n";
    out += p + "    \"file\": " + quoted(e.location.file_name()) + ",\n";
    out += p + "    \"row\": " + std::to_string(e.location.row) + ",\n";
    out += p + "    \"col\": " + std::to_string(e.location.col) + "\n" + p + "  }";
  }
  return out + "\n" + p + "}";
}

}  // namespace

std::string go_duration(int64_t ns) {
  if (ns == 0) return "0s";
  const bool neg = ns < 0;
  uint64_t u = neg ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
  std::string out;
  if (u < 1000000000ULL) {
    std::string unit;
    int prec = 0;
    if (u < 1000ULL) {
      unit = "ns";
    } else if (u < 1000000ULL) {
      prec = 3;
      unit = "\xC2\xB5s";  // µs, U+00B5 as Go writes it
    } else {
      prec = 6;
      unit = "ms";
    }
    std::string f = frac(u, prec);
    out = std::to_string(u) + f + unit;
  } else {
    std::string f = frac(u, 9);
    out = std::to_string(u % 60) + f + "s";
    u /= 60;
    if (u > 0) {
      out = std::to_string(u % 60) + "m" + out;
      u /= 60;
      if (u > 0) out = std::to_string(u) + "h" + out;
    }
  }
  return neg ? "-" + out : out;
}

bool parse_go_duration(const std::string& text, int64_t& ns) {
  std::string_view s = text;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    ns = 0;
    return true;
  }
  if (s.empty()) return false;
  long double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    std::string number;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) number += s[i++];
    if (number.empty() || number == "." || number.find('.') != number.rfind('.')) return false;
    size_t j = i;
    while (j < s.size() && !((s[j] >= '0' && s[j] <= '9') || s[j] == '.')) ++j;
    const std::string_view unit = s.substr(i, j - i);
    long double scale = 0;
    if (unit == "ns") scale = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") scale = 1e3L;
    else if (unit == "ms") scale = 1e6L;
    else if (unit == "s") scale = 1e9L;
    else if (unit == "m") scale = 60e9L;
    else if (unit == "h") scale = 3600e9L;
    else return false;  // a missing or unknown unit
    total += std::stold(number) * scale;
    s.remove_prefix(j);
  }
  if (total > 9.2e18L) return false;
  ns = static_cast<int64_t>(std::llround(total)) * (neg ? -1 : 1);
  return true;
}

std::string base64(const std::string& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    const uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string result_line(const TestResult& r) {
  const char* outcome = r.pass() ? "PASS" : r.fail ? "FAIL" : r.skip ? "SKIPPED" : "ERROR";
  if (r.skip) return r.full_name() + ": " + outcome;
  return r.full_name() + ": " + outcome + " (" + go_duration(r.duration_ns) + ")";
}

std::string error_text(const rego::Errors& errors) {
  if (errors.size() == 1) return errors[0].to_string();
  std::string text = errors_text(errors);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

void PrettyReporter::add(const TestResult& r) {
  if (r.skip) {
    ++skip_;
  } else if (!r.error.empty()) {
    ++errors_;
  } else {
    if (r.fail) failures_.push_back(r);
    if (r.pass()) ++pass_;
    else if (r.fail) ++fail_;
  }

  if (verbose_ || !r.pass()) {
    if (!last_file_.empty() && last_file_ != r.file) out_ << "\n";
    out_ << r.file << ":" << r.row << ":\n";
    last_file_ = r.file;
    dirty_ = true;
    out_ << result_line(r) << "\n";
    if (!r.output.empty()) out_ << "\n" << indented(trim_space(r.output) + "\n", 2) << "\n";
  }
  if (!r.error.empty()) out_ << "  " << error_text(r.error) << "\n";
  out_.flush();
}

void PrettyReporter::finish() {
  // With -v, each failure again with its trace (notes and failed expressions, or the --explain mode's).
  if (fail_ > 0 && verbose_) {
    out_ << kRule << "\nFAILURES\n" << kRule << "\n";
    for (const auto& f : failures_) {
      out_ << result_line(f) << "\n";
      out_ << "\n" << indented(rego::pretty_trace(f.trace), 2);
      out_ << "\n";
    }
  }
  if (dirty_) out_ << kRule << "\n";
  const int total = pass_ + fail_ + skip_ + errors_;
  auto count = [&](const char* label, int n) {
    if (n != 0) out_ << label << " " << n << "/" << total << "\n";
  };
  count("PASS:", pass_);
  count("FAIL:", fail_);
  count("SKIPPED:", skip_);
  count("ERROR:", errors_);
  out_.flush();
}

std::string json_report(const std::vector<TestResult>& results) {
  if (results.empty()) return "[]\n";
  std::string out = "[\n";
  for (size_t i = 0; i < results.size(); ++i) {
    const TestResult& r = results[i];
    out += "  {\n";
    if (!r.error.empty()) {
      // A single evaluation error is one object (topdown.Error); several (a query that did not compile) are
      // ast.Errors, an array.
      if (r.error.size() == 1) {
        out += "    \"error\": " + error_json(r.error[0], 2) + ",\n";
      } else {
        out += "    \"error\": [\n";
        for (size_t e = 0; e < r.error.size(); ++e)
          out += "      " + error_json(r.error[e], 3) + (e + 1 < r.error.size() ? ",\n" : "\n");
        out += "    ],\n";
      }
    }
    out += "    \"location\": {\n";
    out += "      \"file\": " + quoted(r.file) + ",\n";
    out += "      \"row\": " + std::to_string(r.row) + ",\n";
    out += "      \"col\": " + std::to_string(r.col) + "\n    },\n";
    out += "    \"package\": " + quoted(r.package) + ",\n";
    out += "    \"name\": " + quoted(r.name) + ",\n";
    if (!r.trace.empty()) out += "    \"trace\": " + value_at(rego::eval_explanation_value(r.trace), 2) + ",\n";
    if (!r.output.empty()) out += "    \"output\": " + quoted(base64(r.output)) + ",\n";
    out += "    \"duration\": " + std::to_string(r.duration_ns);
    if (r.fail) out += ",\n    \"fail\": true";
    if (r.skip) out += ",\n    \"skip\": true";
    out += "\n  }";
    out += i + 1 < results.size() ? ",\n" : "\n";
  }
  return out + "]\n";
}

}  // namespace trex::cli
