// The `.tre` parser (grammar in tre_parser.h): a line-oriented scan. Field values are not parsed as Rego here;
// the code generator validates them with the Rego parser and compiler and maps errors back to .tre columns.
// What this file must guarantee is that a value cannot escape its generated rule body: brackets balance
// (never closing more than it opened), strings end, and a trailing comment is cut off.
#include "tre/tre_parser.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <tuple>

namespace trex::tre {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

char closer_of(char open) { return open == '(' ? ')' : open == '[' ? ']' : '}'; }

// Names that cannot start a rule's generated reference: Rego keywords, and the names the generated module
// imports or that are Rego's roots.
bool reserved_ident(const std::string& s) {
  static const char* const kReserved[] = {"not",    "package", "import",    "as",         "default",   "else",
                                          "with",   "null",    "true",      "false",      "some",      "if",
                                          "contains", "in",    "every",     "action",     "agent",     "principal",
                                          "provenance", "approvals", "data", "input"};
  return std::any_of(std::begin(kReserved), std::end(kReserved), [&](const char* r) { return s == r; });
}

class Parser {
 public:
  Parser(const std::string& filename, const std::string& text)
      : file_(std::make_shared<rego::SourceFile>(rego::SourceFile{filename, text})), text_(file_->text) {}

  ParseResult run() {
    while (pos_ < text_.size()) {
      size_t eol = line_end(pos_);
      size_t first = pos_;
      while (first < eol && is_space(text_[first])) ++first;
      if (first == eol || text_[first] == '#') {
        pos_ = eol + 1;
        continue;
      }
      if (in_rule_) {
        rule_line(first, eol);
      } else if (starts_keyword(first, "rule")) {
        header(first, eol);
      } else {
        error(first, "expected rule \"Name\" { or a comment");
        pos_ = eol + 1;
      }
    }
    if (in_rule_) {
      if (!broken_) error_at(rule_.line, rule_.col, "rule \"" + rule_.name + "\" is missing its closing }");
      finish_rule();
    }
    std::stable_sort(errors_.begin(), errors_.end(), [](const rego::Error& a, const rego::Error& b) {
      return std::tie(a.location.row, a.location.col) < std::tie(b.location.row, b.location.col);
    });
    return {std::move(rules_), std::move(errors_)};
  }

 private:
  // ---- positions ----
  size_t line_end(size_t p) const {
    size_t e = text_.find('\n', p);
    return e == std::string::npos ? text_.size() : e;
  }
  std::pair<uint32_t, uint32_t> line_col(size_t offset) const {
    uint32_t line = 1;
    size_t start = 0;
    for (size_t i = 0; i < offset && i < text_.size(); ++i)
      if (text_[i] == '\n') ++line, start = i + 1;
    return {line, static_cast<uint32_t>(offset - start + 1)};
  }
  void error(size_t offset, std::string msg) {
    auto [line, col] = line_col(offset);
    error_at(line, col, std::move(msg));
  }
  void error_at(uint32_t line, uint32_t col, std::string msg) {
    errors_.push_back(rego::Error{rego::code::kParse, std::move(msg), location_at(file_, line, col)});
  }
  bool starts_keyword(size_t p, const char* kw) const {
    size_t n = std::char_traits<char>::length(kw);
    return text_.compare(p, n, kw) == 0 && (p + n >= text_.size() || !is_ident_char(text_[p + n]));
  }
  // Only spaces or a comment from p to eol.
  bool rest_blank(size_t p, size_t eol) const {
    while (p < eol && is_space(text_[p])) ++p;
    return p == eol || text_[p] == '#';
  }

  // ---- rule "Name" { ----
  void header(size_t first, size_t eol) {
    pos_ = eol + 1;
    auto [line, col] = line_col(first);
    size_t p = first + 4;
    while (p < eol && is_space(text_[p])) ++p;
    // A broken header still opens a rule, so that its fields and closing brace are not reported again.
    rule_ = Rule{};
    in_rule_ = true;
    broken_ = true;
    if (p >= eol || text_[p] != '"') return error(p, "expected the rule's name as a string after rule");
    size_t close = p + 1;
    while (close < eol && text_[close] != '"') ++close;
    if (close >= eol) return error(p, "unterminated string");
    std::string name = text_.substr(p + 1, close - p - 1);
    size_t q = close + 1;
    while (q < eol && is_space(text_[q])) ++q;
    if (q >= eol || text_[q] != '{') return error(q, "expected { after the rule's name");
    if (!rest_blank(q + 1, eol)) return error(q + 1, "a field starts on its own line after {");
    if (!valid_name(name, p + 1)) return;

    broken_ = false;
    rule_.name = name;
    rule_.ident = snake_case(name);
    rule_.line = line;
    rule_.col = col;
    for (const auto& r : seen_) {
      if (r.name == name) {
        error_at(line, col, "duplicate rule name \"" + name + "\" (first defined at line " + std::to_string(r.line) + ")");
        break;
      }
      if (r.ident == rule_.ident) {
        error_at(line, col, "rule \"" + name + "\" and rule \"" + r.name + "\" (line " + std::to_string(r.line) +
                                ") both become tre.rules." + rule_.ident);
        break;
      }
    }
    seen_.push_back(rule_);
  }

  bool valid_name(const std::string& name, size_t at) {
    if (name.empty()) return error(at, "a rule's name may not be empty"), false;
    if (!std::isalpha(static_cast<unsigned char>(name[0])))
      return error(at, "a rule's name starts with a letter"), false;
    for (size_t i = 0; i < name.size(); ++i) {
      char c = name[i];
      if (!is_ident_char(c) && c != ' ' && c != '-')
        return error(at + i, std::string("a rule's name holds letters, digits, spaces, _ and -, not '") + c + "'"),
               false;
    }
    if (reserved_ident(snake_case(name)))
      return error(at, "rule name \"" + name + "\" becomes the reserved name " + snake_case(name)), false;
    return true;
  }

  // ---- lines inside a rule ----
  void rule_line(size_t first, size_t eol) {
    if (text_[first] == '}') {
      pos_ = eol + 1;
      if (!rest_blank(first + 1, eol)) error(first + 1, "nothing may follow a rule's closing }");
      finish_rule();
      return;
    }
    size_t p = first;
    while (p < eol && is_ident_char(text_[p])) ++p;
    std::string field = text_.substr(first, p - first);
    if (field == "rule") {
      // A new rule while one is open: the closing brace was forgotten. Report it, then read the new rule.
      if (!broken_) error_at(rule_.line, rule_.col, "rule \"" + rule_.name + "\" is missing its closing }");
      finish_rule();
      return;  // the same line is read again, now outside a rule
    }
    size_t colon = p;
    while (colon < eol && is_space(text_[colon])) ++colon;
    if (field.empty() || colon >= eol || text_[colon] != ':') {
      pos_ = eol + 1;
      if (field.empty()) return error(first, "expected a field (precondition, condition, deny, requires_approval) or }");
      return error(colon, "expected : after " + field);
    }
    if (field != "precondition" && field != "condition" && field != "deny" && field != "requires_approval") {
      pos_ = eol + 1;
      return error(first, "unknown field \"" + field + "\" (precondition, condition, deny or requires_approval)");
    }
    size_t start = colon + 1;
    while (start < eol && is_space(text_[start])) ++start;
    Expression e;
    if (!scan_value(start, e)) {
      failed_fields_.push_back(field);  // not also "needs a condition" for the condition just reported
      return;
    }
    e.field_col = line_col(first).second;
    if (e.text.empty()) return error(start, field + " needs a value");

    if (field == "precondition") {
      rule_.preconditions.push_back(std::move(e));
    } else if (field == "condition") {
      rule_.conditions.push_back(std::move(e));
    } else if (field == "deny") {
      if (has_deny_) return error_at(e.line, e.field_col, "a rule has exactly one deny (the first is at line " +
                                                              std::to_string(rule_.deny.line) + ")");
      has_deny_ = true;
      rule_.deny = std::move(e);
    } else {
      if (has_approval_) return error_at(e.line, e.field_col, "requires_approval is given twice");
      has_approval_ = true;
      if (e.text != "true" && e.text != "false")
        return error_at(e.line, e.col, "requires_approval is true or false, not " + e.text);
      rule_.requires_approval = e.text == "true";
    }
  }

  void finish_rule() {
    if (broken_) {
      rule_ = Rule{};
      failed_fields_.clear();
      in_rule_ = broken_ = has_deny_ = has_approval_ = false;
      return;
    }
    auto failed = [&](const char* f) {
      return std::find(failed_fields_.begin(), failed_fields_.end(), f) != failed_fields_.end();
    };
    if (rule_.conditions.empty() && !failed("condition"))
      error_at(rule_.line, rule_.col, "rule \"" + rule_.name + "\" needs at least one condition");
    if (!has_deny_ && !failed("deny")) error_at(rule_.line, rule_.col, "rule \"" + rule_.name + "\" needs a deny message");
    rules_.push_back(std::move(rule_));
    failed_fields_.clear();
    rule_ = Rule{};
    in_rule_ = false;
    has_deny_ = has_approval_ = false;
  }

  // A field value from `start`: to the end of its line, or further while a bracket is open. Sets pos_ to the
  // next line to read. False (error reported) when a string or bracket does not close.
  bool scan_value(size_t start, Expression& out) {
    std::vector<size_t> open;  // offsets of unclosed brackets
    size_t i = start, last = start;
    auto fail = [&](size_t at, std::string msg) {
      error(at, std::move(msg));
      pos_ = line_end(i) + 1;
      return false;
    };
    while (i < text_.size()) {
      char c = text_[i];
      if (c == '\n') {
        if (open.empty()) break;
        ++i;
      } else if (c == '#') {
        i = line_end(i);
      } else if (c == '"') {
        size_t j = i + 1;
        while (j < text_.size() && text_[j] != '"' && text_[j] != '\n') j += text_[j] == '\\' ? 2 : 1;
        if (j >= text_.size() || text_[j] != '"') return fail(i, "unterminated string");
        i = last = j + 1;
      } else if (c == '`') {
        size_t j = text_.find('`', i + 1);
        if (j == std::string::npos) return fail(i, "unterminated raw string");
        i = last = j + 1;
      } else if (c == '(' || c == '[' || c == '{') {
        open.push_back(i);
        i = last = i + 1;
      } else if (c == ')' || c == ']' || c == '}') {
        if (open.empty()) return fail(i, std::string("unexpected ") + c + " (nothing to close)");
        char want = closer_of(text_[open.back()]);
        if (c != want && line_col(open.back()).first < line_col(i).first) {
          // Most likely the bracket was left open and a later line was swallowed: say so, and read on from
          // the line after the value's first line so the rest of the rule is still checked.
          error(open.back(), std::string(1, text_[open.back()]) + " is never closed");
          pos_ = line_end(start) + 1;
          return false;
        }
        if (c != want) {
          auto [l, co] = line_col(open.back());
          return fail(i, std::string("unexpected ") + c + ", expected " + want + " to close " + text_[open.back()] +
                             " at " + std::to_string(l) + ":" + std::to_string(co));
        }
        open.pop_back();
        i = last = i + 1;
      } else {
        if (!is_space(c)) last = i + 1;
        ++i;
      }
    }
    if (!open.empty()) {
      error(open.back(), std::string(1, text_[open.back()]) + " is never closed");
      pos_ = line_end(start) + 1;
      return false;
    }
    pos_ = i + 1;
    out.text = text_.substr(start, last - start);
    std::tie(out.line, out.col) = line_col(start);
    out.end_line = line_col(last).first;
    return true;
  }

  std::shared_ptr<rego::SourceFile> file_;
  const std::string& text_;
  size_t pos_ = 0;
  bool in_rule_ = false, broken_ = false, has_deny_ = false, has_approval_ = false;
  Rule rule_;
  std::vector<Rule> rules_;
  std::vector<std::string> failed_fields_;  // fields of the open rule whose value did not scan
  std::vector<Rule> seen_;  // every header read, for duplicate names
  rego::Errors errors_;
};

}  // namespace

ParseResult parse(const std::string& filename, const std::string& text) { return Parser(filename, text).run(); }

std::string snake_case(const std::string& name) {
  std::string out;
  auto lower = [](char c) { return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)); };
  auto upper = [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; };
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (upper(c)) {
      // A word starts at an upper-case letter after a lower-case one, or at the last capital of an acronym.
      bool boundary = i > 0 && (lower(name[i - 1]) || (upper(name[i - 1]) && i + 1 < name.size() && std::islower(static_cast<unsigned char>(name[i + 1]))));
      if (boundary && !out.empty() && out.back() != '_') out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (lower(c)) {
      out += c;
    } else if (!out.empty() && out.back() != '_') {
      out += '_';  // space, '-', '_'
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string error_text(const rego::Error& e) {
  std::string out;
  if (e.location.known())
    out = e.location.file_name() + ":" + std::to_string(e.location.row) + ":" + std::to_string(e.location.col) + ": ";
  return out + e.code + ": " + e.message;
}

rego::Location location_at(const std::shared_ptr<const rego::SourceFile>& file, uint32_t line, uint32_t col) {
  rego::Location loc;
  loc.file = file;
  loc.row = line;
  loc.col = col;
  size_t offset = 0;
  for (uint32_t l = 1; l < line && offset < file->text.size(); ++l) {
    size_t nl = file->text.find('\n', offset);
    if (nl == std::string::npos) break;
    offset = nl + 1;
  }
  loc.offset = static_cast<uint32_t>(std::min(offset + (col > 0 ? col - 1 : 0), file->text.size()));
  return loc;
}

}  // namespace trex::tre
