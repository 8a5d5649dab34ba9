// strings.render_template: Go's text/template over the variables object, as OPA runs it (missingkey=error).
//
// A subset of text/template: text, comments, trim markers ({{- -}}), the dot and field chains ({{.}},
// {{.a.b}}), and the if / else if / else, range / else and with / else blocks. Values print as Go's fmt.Sprint
// prints the JSON-decoded data OPA hands the template (numbers as their JSON text, arrays as [a b], objects as
// map[k:v], null as <no value>). Anything else (functions, variables, pipelines) is reported as a template
// error rather than guessed at.
#include <memory>

#include "rego/builtins/registry.h"
#include "rego/number.h"

namespace rego {
namespace {

using std::string;
using std::string_view;

struct TemplateError {
  string message;
};

// ---- parse tree ----

struct Node {
  enum Type { Text, Field, If, Range, With } type = Text;
  string text;                      // Text: the literal; Field / blocks: the pipeline source, e.g. ".a.b"
  std::vector<string> path;         // the field chain (empty: the dot itself)
  size_t pos = 0;                   // byte offset of the pipeline, for error positions
  std::vector<std::unique_ptr<Node>> body, else_body;
};
using NodeList = std::vector<std::unique_ptr<Node>>;

class Parser {
 public:
  explicit Parser(string_view src) : src_(src) {}

  NodeList parse() {
    NodeList out;
    string end = parse_list(out);
    if (!end.empty()) fail(last_action_pos_, "unexpected {{" + end + "}}");
    return out;
  }

  // "template: template:LINE: msg", as Go reports parse errors.
  [[noreturn]] void fail(size_t pos, const string& msg) const {
    size_t line = 1;
    for (size_t i = 0; i < pos && i < src_.size(); ++i) line += src_[i] == '\n';
    throw TemplateError{"template: template:" + std::to_string(line) + ": " + msg};
  }

 private:
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

  // Parses nodes into `out` until {{end}} or {{else...}} (returned as "end" / "else" / "else if ...") or EOF ("").
  string parse_list(NodeList& out) {
    while (i_ < src_.size()) {
      const size_t open = src_.find("{{", i_);
      string_view text = src_.substr(i_, open == string_view::npos ? string_view::npos : open - i_);
      if (trim_next_) {
        while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
        trim_next_ = false;
      }
      if (open == string_view::npos) {
        add_text(out, text);
        i_ = src_.size();
        break;
      }
      // "{{- " trims the whitespace before the action.
      bool trim_before = open + 3 < src_.size() && src_[open + 2] == '-' && is_space(src_[open + 3]);
      if (trim_before) {
        while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
      }
      add_text(out, text);
      size_t start = open + (trim_before ? 3 : 2);
      const size_t close = src_.find("}}", start);
      if (close == string_view::npos) fail(open, "unclosed action");
      size_t stop = close;
      if (close >= 2 && src_[close - 1] == '-' && is_space(src_[close - 2]) && close - 1 >= start) {
        stop = close - 1;
        trim_next_ = true;
      }
      i_ = close + 2;
      last_action_pos_ = open;
      string_view action = src_.substr(start, stop - start);
      size_t lead = 0;
      while (lead < action.size() && is_space(action[lead])) ++lead;
      action.remove_prefix(lead);
      start += lead;
      while (!action.empty() && is_space(action.back())) action.remove_suffix(1);
      if (action.substr(0, 2) == "/*") {
        if (action.size() < 4 || action.substr(action.size() - 2) != "*/") fail(start, "unclosed comment");
        continue;
      }
      if (action == "end" || action == "else" || action.substr(0, 8) == "else if ") return string(action);
      if (auto block = block_type(action)) {
        auto node = std::make_unique<Node>();
        node->type = *block;
        const size_t kw = action.find(' ');
        if (kw == string_view::npos) fail(start, "missing value for " + string(action));
        string_view pipeline = action.substr(kw + 1);
        while (!pipeline.empty() && is_space(pipeline.front())) pipeline.remove_prefix(1);
        parse_block(*node, pipeline, start + (pipeline.data() - action.data()));
        out.push_back(std::move(node));
        continue;
      }
      auto node = std::make_unique<Node>();
      node->type = Node::Field;
      set_pipeline(*node, action, start);
      out.push_back(std::move(node));
    }
    return {};
  }

  static std::optional<Node::Type> block_type(string_view action) {
    const string_view kw = action.substr(0, action.find(' '));
    if (kw == "if") return Node::If;
    if (kw == "range") return Node::Range;
    if (kw == "with") return Node::With;
    return std::nullopt;
  }

  void parse_block(Node& node, string_view pipeline, size_t pos) {
    set_pipeline(node, pipeline, pos);
    string end = parse_list(node.body);
    if (end.rfind("else if ", 0) == 0 && node.type == Node::If) {
      // {{else if X}} is {{else}}{{if X}}...{{end}} sharing the outer {{end}}.
      auto inner = std::make_unique<Node>();
      inner->type = Node::If;
      string_view cond = string_view(end).substr(8);
      parse_block(*inner, cond, last_action_pos_);
      node.else_body.push_back(std::move(inner));
      return;
    }
    if (end == "else") end = parse_list(node.else_body);
    if (end != "end") fail(pos, "unexpected EOF");
  }

  void set_pipeline(Node& node, string_view p, size_t pos) {
    node.text = string(p);
    node.pos = pos;
    if (p == ".") return;
    if (p.empty() || p[0] != '.') {
      const string word(p.substr(0, p.find(' ')));
      if (p[0] == '$') fail(pos, "variables are not supported: " + word);
      fail(pos, "function \"" + word + "\" not defined");
    }
    size_t k = 0;
    while (k < p.size()) {
      if (p[k] != '.') fail(pos, "unexpected \"" + string(1, p[k]) + "\" in operand");
      const size_t next = p.find('.', k + 1);
      string name(p.substr(k + 1, next == string_view::npos ? string_view::npos : next - k - 1));
      for (char c : name) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
          fail(pos, "unexpected \"" + string(1, c) + "\" in operand");
        }
      }
      if (name.empty()) fail(pos, "unexpected . after term");
      node.path.push_back(std::move(name));
      k = next == string_view::npos ? p.size() : next;
    }
  }

  void add_text(NodeList& out, string_view text) {
    if (text.empty()) return;
    auto node = std::make_unique<Node>();
    node->text = string(text);
    out.push_back(std::move(node));
  }

  string_view src_;
  size_t i_ = 0;
  bool trim_next_ = false;
  size_t last_action_pos_ = 0;
};

// ---- execution ----

// fmt.Sprint of the Go value ast.As makes of v (json.Number for numbers, []any, map[string]any).
void go_print(const Value& v, bool nested, string& out) {
  switch (v.kind()) {
    case Kind::Null: out += nested ? "<nil>" : "<no value>"; return;
    case Kind::Boolean: out += v.as_bool() ? "true" : "false"; return;
    case Kind::Number: number::append_format(v, out); return;
    case Kind::String: out += v.as_string(); return;
    case Kind::Array:
    case Kind::Set: {
      out += "[";
      bool first = true;
      for (const auto& e : v.is_array() ? v.as_array() : v.as_set()) {
        if (!first) out += " ";
        first = false;
        go_print(e, true, out);
      }
      out += "]";
      return;
    }
    case Kind::Object: {
      out += "map[";
      bool first = true;
      for (const auto& [k, e] : v.as_object()) {
        if (!first) out += " ";
        first = false;
        go_print(k, true, out);
        out += ":";
        go_print(e, true, out);
      }
      out += "]";
      return;
    }
  }
}

// text/template's truth: empty and zero values are false. Numbers arrive as json.Number strings, never empty.
bool truth(const Value& v) {
  switch (v.kind()) {
    case Kind::Null: return false;
    case Kind::Boolean: return v.as_bool();
    case Kind::Number: return true;
    case Kind::String: return !v.as_string().empty();
    default: return v.size() > 0;
  }
}

class Executor {
 public:
  Executor(string_view src, string& out) : src_(src), out_(out) {}

  void run(const NodeList& nodes, const Value& dot) {
    for (const auto& n : nodes) {
      switch (n->type) {
        case Node::Text:
          out_ += n->text;
          break;
        case Node::Field:
          go_print(eval(*n, dot), false, out_);
          break;
        case Node::If:
          run(truth(eval(*n, dot)) ? n->body : n->else_body, dot);
          break;
        case Node::With: {
          Value v = eval(*n, dot);
          if (truth(v)) {
            run(n->body, v);
          } else {
            run(n->else_body, dot);
          }
          break;
        }
        case Node::Range:
          range(*n, dot);
          break;
      }
    }
  }

 private:
  void range(const Node& n, const Value& dot) {
    Value v = eval(n, dot);
    std::vector<Value> items;
    switch (v.kind()) {
      case Kind::Null: break;  // a nil value ranges over nothing
      case Kind::Array: items = v.as_array(); break;
      case Kind::Set: items = v.as_set(); break;
      case Kind::Object:
        for (const auto& [k, e] : v.as_object()) items.push_back(e);
        break;
      default: fail(n, "range can't iterate over " + printed(v));
    }
    if (items.empty()) {
      run(n.else_body, dot);
      return;
    }
    for (const auto& item : items) run(n.body, item);
  }

  static string printed(const Value& v) {
    string s;
    go_print(v, false, s);
    return s;
  }

  Value eval(const Node& n, const Value& dot) {
    Value cur = dot;
    for (const auto& name : n.path) {
      if (cur.is_object()) {
        const Value* next = cur.get(name);
        if (next == nullptr) fail(n, "map has no entry for key \"" + name + "\"");
        cur = *next;
      } else if (cur.is_null()) {
        fail(n, "nil pointer evaluating interface {}." + name);
      } else {
        fail(n, "can't evaluate field " + name + " in type " + go_type(cur));
      }
    }
    return cur;
  }

  static string go_type(const Value& v) {
    switch (v.kind()) {
      case Kind::Boolean: return "bool";
      case Kind::Number: return "json.Number";
      case Kind::String: return "string";
      case Kind::Array:
      case Kind::Set: return "[]interface {}";
      default: return "interface {}";
    }
  }

  // "template: template:1:2: executing \"template\" at <.name>: ..." (column = byte offset in the line).
  [[noreturn]] void fail(const Node& n, const string& msg) const {
    size_t line = 1, line_start = 0;
    for (size_t i = 0; i < n.pos && i < src_.size(); ++i) {
      if (src_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    throw TemplateError{"template: template:" + std::to_string(line) + ":" + std::to_string(n.pos - line_start) +
                        ": executing \"template\" at <" + n.text + ">: " + msg};
  }

  string_view src_;
  string& out_;
};

std::optional<Value> render_template(BuiltinArgs a, BuiltinContext&) {
  const string& src = args::string(a, 0);
  args::object(a, 1);
  try {
    Parser parser(src);
    NodeList nodes = parser.parse();
    string out;
    Executor(src, out).run(nodes, a[1]);
    return Value::string(std::move(out));
  } catch (const TemplateError& e) {
    throw BuiltinError{e.message, false};
  }
}

}  // namespace

void register_template(Registry& r) { r.add("strings.render_template", 2, render_template); }

}  // namespace rego
