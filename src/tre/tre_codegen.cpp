// The `.tre` code generator and validator (see tre_codegen.h for the shape of the generated module).
#include "tre/tre_codegen.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "rego/ast.h"
#include "rego/engine.h"
#include "rego/parser.h"

namespace trex::tre {
namespace {

constexpr const char* kPrelude =
    "package tre.rules import input.action import input.agent import input.principal import input.provenance "
    "import input.approvals";

// Where a generated line's expression starts, to map a Rego error's column back into the .tre line.
struct Segment {
  uint32_t gen_col = 0;    // column of the expression's first character in the generated line
  uint32_t tre_col = 0;    // the same character's column in the .tre line
  uint32_t field_col = 0;  // errors in the generated scaffolding before it point at the field name
};

struct Generated {
  std::string rego;
  std::map<uint32_t, Segment> segments;  // by line
  std::set<uint32_t> verbatim;           // continuation lines, copied with their columns
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return lines;
}

bool is_comment_line(const std::string& line) {
  size_t p = line.find_first_not_of(" \t\r");
  return p != std::string::npos && line[p] == '#';
}

bool literal_message(const std::string& text) { return !text.empty() && (text[0] == '"' || text[0] == '`'); }

// Writes `prefix expression suffix` starting at the expression's line; its later lines are copied verbatim.
void place(std::vector<std::string>& out, Generated& g, const Expression& e, const std::string& prefix,
           const std::string& suffix) {
  std::vector<std::string> parts = split_lines(e.text);
  const std::string& src_line = out[e.line - 1];  // still holds the .tre line: take its indentation
  std::string indent = src_line.substr(0, e.field_col > 0 ? e.field_col - 1 : 0);
  for (char& c : indent)
    if (c != '\t') c = ' ';
  std::string first = indent + prefix;
  g.segments[e.line] = Segment{static_cast<uint32_t>(first.size() + 1), e.col, e.field_col};
  first += parts[0];
  out[e.line - 1] = first;
  for (size_t i = 1; i < parts.size(); ++i) {
    out[e.line - 1 + i] = parts[i];
    g.verbatim.insert(e.line + static_cast<uint32_t>(i));
  }
  out[e.line - 1 + parts.size() - 1] += suffix;
}

Generated generate_mapped(const std::vector<Rule>& rules, const std::string& text) {
  Generated g;
  std::vector<std::string> src = split_lines(text);
  std::vector<std::string> out = src;
  // Keep comments (they explain the rules in `trex tre compile` output); every other line is regenerated.
  std::vector<bool> keep(src.size());
  for (size_t i = 0; i < src.size(); ++i) keep[i] = is_comment_line(src[i]);
  std::vector<std::string> header(src.size());

  for (const Rule& r : rules) {
    const std::string& id = r.ident;
    std::string h;
    if (r.preconditions.empty()) {
      h += id + ".governs := true";
    } else {
      h += id + ".governs if {";
      for (size_t i = 0; i < r.preconditions.size(); ++i)
        h += (i ? "; " : " ") + id + ".precondition_" + std::to_string(r.preconditions[i].line);
      h += " }";
    }
    h += " " + id + ".condition_holds if {";
    for (size_t i = 0; i < r.conditions.size(); ++i)
      h += (i ? "; " : " ") + id + ".condition_" + std::to_string(r.conditions[i].line);
    h += " }";
    h += " " + id + ".deny contains {\"rule\": \"" + r.name + "\", \"msg\": " + id + ".message} if { " + id +
         ".governs; not " + id + ".condition_holds }";
    if (!literal_message(r.deny.text)) h += " default " + id + ".message := \"denied by rule " + r.name + "\"";
    if (r.requires_approval)
      h += " " + id + ".requires_approval if { " + id + ".governs; not " + id + ".condition_holds }";
    header[r.line - 1] = h;
  }
  // Field lines: first blank every non-comment line of a rule, then place the expressions.
  for (size_t i = 0; i < src.size(); ++i)
    if (!keep[i]) out[i] = "";
  for (const Rule& r : rules) {
    auto put = [&](const Expression& e, const std::string& prefix, const std::string& suffix) {
      out[e.line - 1] = src[e.line - 1];  // place() reads the indentation from it
      place(out, g, e, prefix, suffix);
    };
    for (const auto& e : r.preconditions) put(e, r.ident + ".precondition_" + std::to_string(e.line) + " if { ", " }");
    for (const auto& e : r.conditions) put(e, r.ident + ".condition_" + std::to_string(e.line) + " if { ", " }");
    put(r.deny, r.ident + ".message := ", "");
  }
  for (size_t i = 0; i < out.size(); ++i) {
    std::string line = header[i];
    if (i == 0) line = kPrelude + (line.empty() ? "" : " " + line);
    if (keep[i]) line += (line.empty() ? "" : " ") + src[i].substr(src[i].find('#'));
    if (!line.empty()) out[i] = line;
  }
  for (size_t i = 0; i < out.size(); ++i) {
    g.rego += out[i];
    if (i + 1 < out.size()) g.rego += '\n';
  }
  if (g.rego.empty() || g.rego.back() != '\n') g.rego += '\n';
  return g;
}

// A Rego error located in the generated module, moved to the same place in the .tre source.
rego::Error map_back(const rego::Error& e, const Generated& g, const std::shared_ptr<const rego::SourceFile>& tre,
                     const std::vector<std::string>& src) {
  rego::Error out = e;
  out.location = rego::Location{};
  out.location.file = tre;
  if (!e.location.known()) return out;
  uint32_t row = e.location.row, col = e.location.col;
  if (row > src.size()) row = static_cast<uint32_t>(src.size());
  if (auto it = g.segments.find(row); it != g.segments.end()) {
    col = col >= it->second.gen_col ? it->second.tre_col + (col - it->second.gen_col) : it->second.field_col;
  } else if (!g.verbatim.count(row)) {
    size_t first = src[row - 1].find_first_not_of(" \t");
    col = first == std::string::npos ? 1 : static_cast<uint32_t>(first + 1);
  }
  col = std::min<uint32_t>(col, static_cast<uint32_t>(src[row - 1].size() + 1));
  return rego::Error{e.code, e.message, location_at(tre, row, col)};
}

// The deny message must be a string: a literal, a template string or a sprintf call. Anything that does not
// parse as one term is left to the Rego parser, which says why.
void check_message(const Rule& r, const std::shared_ptr<const rego::SourceFile>& tre, rego::Errors& errors) {
  rego::ast::TermPtr t;
  try {
    t = rego::parse_term(std::make_shared<rego::SourceFile>(rego::SourceFile{"", r.deny.text}));
  } catch (const std::exception&) {
    return;
  }
  using rego::ast::TermKind;
  bool ok = (t->kind == TermKind::Scalar && t->value.is_string()) || t->kind == TermKind::TemplateString ||
            (t->kind == TermKind::Call && t->name == "sprintf");
  if (!ok)
    errors.push_back(rego::Error{rego::code::kParse,
                                 "deny is a string literal, a template string or sprintf(format, [values])",
                                 location_at(tre, r.deny.line, r.deny.col)});
}

}  // namespace

std::string generate(const std::vector<Rule>& rules, const std::string& text) {
  return generate_mapped(rules, text).rego;
}

CompileResult compile(const std::string& filename, const std::string& text) {
  CompileResult result;
  ParseResult parsed = parse(filename, text);
  if (!parsed.errors.empty()) {
    result.errors = std::move(parsed.errors);
    return result;
  }
  auto tre = std::make_shared<const rego::SourceFile>(rego::SourceFile{filename, text});
  for (const Rule& r : parsed.rules) check_message(r, tre, result.errors);
  Generated g = generate_mapped(parsed.rules, text);
  result.rego = g.rego;
  if (!result.errors.empty()) return result;
  std::vector<std::string> src = split_lines(text);
  for (const auto& e : rego::check({{filename, g.rego}})) result.errors.push_back(map_back(e, g, tre, src));
  return result;
}

}  // namespace trex::tre
