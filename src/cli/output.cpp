// Result and error output in OPA's shapes (see output.h).
#include "cli/output.h"

#include <algorithm>
#include <string_view>

#include "rego/json.h"

namespace trex::cli {
namespace {

std::string pad(int level) { return std::string(static_cast<size_t>(level) * 2, ' '); }

// Appends every piece in turn. Used instead of chains of `"text" + std::string(...)`, which are slower and
// trip GCC 12's -Wrestrict false positive (GCC bug 105329) in optimised builds.
template <typename... Parts>
void append(std::string& out, const Parts&... parts) {
  (out.append(std::string_view(parts)), ...);
}

// A value as indented JSON whose first line continues the current line and whose later lines sit at `level`.
// Safe because JSON text never holds a raw newline inside a string.
std::string value_at(const rego::Value& v, int level) {
  rego::json::WriteOptions opts;
  opts.pretty = true;
  std::string text = rego::json::write(v, opts);
  std::string out;
  out.reserve(text.size());
  const std::string indent = pad(level);
  for (char c : text) {
    out.push_back(c);
    if (c == '\n') out += indent;
  }
  return out;
}

std::string quoted(const std::string& s) { return rego::json::write(rego::Value::string(s)); }

std::string compact(const rego::Value& v) { return rego::json::write(v); }

void append_location(std::string& out, const rego::Location& loc, int level, bool with_file) {
  append(out, pad(level), "\"location\": {\n");
  if (with_file) append(out, pad(level + 1), "\"file\": ", quoted(loc.file_name()), ",\n");
  append(out, pad(level + 1), "\"row\": ", std::to_string(loc.row), ",\n");
  append(out, pad(level + 1), "\"col\": ", std::to_string(loc.col), "\n");
  append(out, pad(level), "}");
}

// "file:row: code: message"; loader errors (unreadable files) carry neither code nor location and print
// as just their message, as OPA's do.
std::string error_line(const rego::Error& e) { return e.to_string(); }

}  // namespace

std::string result_json(const rego::QueryResult& result) {
  if (!result.ok()) return errors_json(result.errors);
  if (result.rows.empty()) return "{}\n";
  std::string out;
  append(out, "{\n", pad(1), "\"result\": [\n");
  for (size_t r = 0; r < result.rows.size(); ++r) {
    const auto& row = result.rows[r];
    append(out, pad(2), "{\n", pad(3), "\"expressions\": [\n");
    for (size_t i = 0; i < row.expressions.size(); ++i) {
      const auto& e = row.expressions[i];
      append(out, pad(4), "{\n");
      append(out, pad(5), "\"value\": ", value_at(e.value, 5), ",\n");
      append(out, pad(5), "\"text\": ", quoted(e.text), ",\n");
      append_location(out, e.location, 5, false);
      append(out, "\n", pad(4), "}", i + 1 < row.expressions.size() ? ",\n" : "\n");
    }
    append(out, pad(3), "]");
    if (!row.bindings.empty()) {
      // Go encodes a map with its keys sorted; the engine already sorts bindings by name.
      append(out, ",\n", pad(3), "\"bindings\": {\n");
      for (size_t i = 0; i < row.bindings.size(); ++i) {
        append(out, pad(4), quoted(row.bindings[i].first), ": ", value_at(row.bindings[i].second, 4));
        append(out, i + 1 < row.bindings.size() ? ",\n" : "\n");
      }
      append(out, pad(3), "}");
    }
    append(out, "\n", pad(2), "}", r + 1 < result.rows.size() ? ",\n" : "\n");
  }
  append(out, pad(1), "]\n}\n");
  return out;
}

std::string errors_json(const rego::Errors& errors) {
  std::string out;
  append(out, "{\n", pad(1), "\"errors\": [\n");
  for (size_t i = 0; i < errors.size(); ++i) {
    const auto& e = errors[i];
    append(out, pad(2), "{\n");
    append(out, pad(3), "\"message\": ", quoted(e.message));
    if (!e.code.empty()) append(out, ",\n", pad(3), "\"code\": ", quoted(e.code));
    if (e.location.known()) {
      out += ",\n";
      append_location(out, e.location, 3, true);
    }
    append(out, "\n", pad(2), "}", i + 1 < errors.size() ? ",\n" : "\n");
  }
  append(out, pad(1), "]\n}\n");
  return out;
}

std::string errors_text(const rego::Errors& errors) {
  if (errors.empty()) return "no error(s)\n";
  std::string out;
  if (errors.size() == 1) {
    append(out, "1 error occurred: ", error_line(errors[0]), "\n");
    return out;
  }
  append(out, std::to_string(errors.size()), " errors occurred:\n");
  for (const auto& e : errors) append(out, error_line(e), "\n");
  return out;
}

namespace {

std::string truncate(std::string s, size_t limit) {
  if (limit > 0 && s.size() > limit) {
    s.resize(limit);
    s += "...";
  }
  return s;
}

// An ASCII table in the style OPA's tablewriter prints: centred headers, left-aligned cells.
std::string table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(headers.size(), 0);
  for (size_t c = 0; c < headers.size(); ++c) width[c] = headers[c].size();
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size() && c < width.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::string rule = "+";
  for (size_t w : width) append(rule, std::string(w + 2, '-'), "+");
  rule += "\n";
  std::string out;
  append(out, rule, "|");
  for (size_t c = 0; c < headers.size(); ++c) {
    size_t space = width[c] - headers[c].size();
    append(out, " ", std::string(space / 2, ' '), headers[c], std::string(space - space / 2, ' '), " |");
  }
  append(out, "\n", rule);
  for (const auto& row : rows) {
    out += "|";
    for (size_t c = 0; c < width.size(); ++c) {
      const std::string cell = c < row.size() ? row[c] : std::string();
      append(out, " ", cell, std::string(width[c] - cell.size(), ' '), " |");
    }
    out += "\n";
  }
  out += rule;
  return out;
}

}  // namespace

std::string with_explanation(const std::string& json_doc, const rego::Value& explanation) {
  // json_doc is "{}\n" or "{\n  ...\n}\n": reopen the object and add the member at the end.
  std::string out = json_doc;
  while (!out.empty() && (out.back() == '\n' || out.back() == '}')) out.pop_back();
  if (out == "{") out += "\n";
  else out += ",\n";
  append(out, pad(1), "\"explanation\": ", value_at(explanation, 1), "\n}\n");
  return out;
}

std::string result_pretty(const rego::QueryResult& result, size_t limit) {
  if (!result.ok()) return errors_text(result.errors);
  if (result.rows.empty()) return "undefined\n";
  const auto& first = result.rows.front();
  if (result.rows.size() == 1 && first.bindings.empty() && !first.expressions.empty()) {
    bool all_boolean = std::all_of(first.expressions.begin(), first.expressions.end(),
                                   [](const rego::ExpressionValue& e) { return e.value.is_boolean(); });
    if (first.expressions.size() == 1 || all_boolean) return value_at(first.expressions.front().value, 0) + "\n";
  }
  // Columns: the variables (sorted by name), then every expression whose value is not a boolean.
  std::vector<std::string> names;
  for (const auto& [name, value] : first.bindings) names.push_back(name);
  std::vector<std::string> headers = names;
  std::vector<size_t> expr_columns;
  for (size_t i = 0; i < first.expressions.size(); ++i) {
    if (first.expressions[i].value.is_boolean()) continue;
    expr_columns.push_back(i);
    headers.push_back(first.expressions[i].text);
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : result.rows) {
    std::vector<std::string> cells;
    for (const auto& name : names) {
      std::string cell;
      for (const auto& [n, v] : row.bindings)
        if (n == name) cell = truncate(compact(v), limit);
      cells.push_back(cell);
    }
    for (size_t i : expr_columns)
      cells.push_back(i < row.expressions.size() ? truncate(compact(row.expressions[i].value), limit) : "");
    rows.push_back(std::move(cells));
  }
  if (headers.empty()) return "true\n";  // only boolean expressions, several rows: each row is just `true`
  return table(headers, rows);
}

std::string result_raw(const rego::QueryResult& result) {
  if (!result.ok()) return errors_text(result.errors);
  std::string out;
  for (const auto& row : result.rows) {
    for (size_t i = 0; i < row.expressions.size(); ++i) {
      const auto& v = row.expressions[i].value;
      rego::json::WriteOptions opts;
      opts.escape_html = true;
      out += v.is_string() ? v.as_string() : rego::json::write(v, opts);
      out += i + 1 < row.expressions.size() ? " " : "\n";
    }
  }
  return out;
}

std::string result_values(const rego::QueryResult& result) {
  if (!result.ok()) return errors_text(result.errors);
  std::string out;
  for (const auto& row : result.rows) {
    std::vector<rego::Value> values;
    for (const auto& e : row.expressions) values.push_back(e.value);
    out += value_at(rego::Value::array(std::move(values)), 0) + "\n";
  }
  return out;
}

std::string result_bindings(const rego::QueryResult& result) {
  if (!result.ok()) return errors_text(result.errors);
  std::string out;
  for (const auto& row : result.rows) {
    std::vector<rego::ObjectEntry> entries;
    for (const auto& [name, value] : row.bindings) entries.emplace_back(rego::Value::string(name), value);
    out += value_at(rego::Value::object(std::move(entries)), 0) + "\n";
  }
  return out;
}

}  // namespace trex::cli
