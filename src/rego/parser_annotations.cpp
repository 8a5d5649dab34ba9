// METADATA comment blocks: YAML in comments, turned into the object rego.metadata.rule()/chain() return.
//
// A block is a comment whose text starts with METADATA followed by comments on the very next lines starting in
// column 1 (OPA's parseAnnotations). The YAML is read with yaml-cpp and shaped as OPA's Annotations.toObject:
// scope, title, entrypoint, description, organizations, related_resources, authors, schemas, custom; unknown
// keys are dropped, as OPA's typed decoding drops them.
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "rego/number.h"
#include "rego/parser_impl.h"

namespace rego::parser_detail {
namespace {

struct AnnotationError {
  std::string message;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Resolves a plain YAML scalar as YAML 1.2's core schema does (go-yaml v3): null, bool, int, float or string.
Value scalar_value(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (n.Tag() == "!" || n.Tag() == "tag:yaml.org,2002:str") return Value::string(s);
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return Value::null();
  if (s == "true" || s == "True" || s == "TRUE") return Value::boolean(true);
  if (s == "false" || s == "False" || s == "FALSE") return Value::boolean(false);
  std::string_view body = s;
  bool neg = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  // Decimal integers and floats; anything JSON cannot spell (hex, .inf, ...) stays a string.
  std::string text = neg ? "-" : "";
  size_t e = body.find_first_of("eE");
  std::string_view mant = body.substr(0, e);
  size_t dot = mant.find('.');
  std::string_view ip = mant.substr(0, dot);
  std::string_view fp = dot == std::string_view::npos ? std::string_view() : mant.substr(dot + 1);
  bool ok = (all_digits(ip) || (ip.empty() && !fp.empty())) && (dot == std::string_view::npos || all_digits(fp) || (fp.empty() && !ip.empty()));
  if (ok && e != std::string_view::npos) {
    std::string_view ex = body.substr(e + 1);
    if (!ex.empty() && (ex[0] == '+' || ex[0] == '-')) ex.remove_prefix(1);
    ok = all_digits(ex) && dot != std::string_view::npos;  // YAML 1.2 floats with exponents need a dot
  }
  if (ok) {
    text += ip.empty() ? "0" : std::string(ip);
    if (!fp.empty()) text += "." + std::string(fp);
    if (e != std::string_view::npos) text += "e" + std::string(body.substr(e + 1));
    if (auto v = number::parse(text)) return *v;
  }
  return Value::string(s);
}

Value yaml_value(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      return scalar_value(n);
    case YAML::NodeType::Sequence: {
      std::vector<Value> items;
      for (const auto& i : n) items.push_back(yaml_value(i));
      return Value::array(std::move(items));
    }
    case YAML::NodeType::Map: {
      std::vector<ObjectEntry> entries;
      for (const auto& kv : n) {
        if (!kv.first.IsScalar()) throw AnnotationError{"invalid map key type(s)"};
        entries.emplace_back(Value::string(kv.first.Scalar()), yaml_value(kv.second));
      }
      return Value::object(std::move(entries));
    }
    default:
      return Value::null();
  }
}

std::string scalar_text(const YAML::Node& n, const char* field) {
  if (!n.IsScalar() && !n.IsNull()) throw AnnotationError{std::string("cannot unmarshal into ") + field};
  return n.IsNull() ? std::string() : n.Scalar();
}

// Ref text ("input.x", "schema.y") to OPA's array form (["input", "x"]); nullopt when it is not a ref.
std::optional<Value> ref_array(const std::string& text, bool schema) {
  TermPtr t;
  try {
    t = rego::parse_term(std::make_shared<SourceFile>(SourceFile{"", text}));
  } catch (const RegoErrors&) {
    return std::nullopt;
  }
  std::vector<TermPtr> items;
  if (t->kind == TermKind::Ref) {
    items = t->items;
  } else if (schema && t->kind == TermKind::Var && t->name == "schema") {
    items = {t};
  } else {
    return std::nullopt;
  }
  if (schema && (items[0]->kind != TermKind::Var || items[0]->name != "schema")) return std::nullopt;
  std::vector<Value> out;
  for (auto& i : items) {
    if (i->kind == TermKind::Scalar && i->value.is_string()) out.push_back(i->value);
    else if (i->kind == TermKind::Var) out.push_back(Value::string(i->name));
    else out.push_back(Value::string(ast::term_to_string(*i)));
  }
  return Value::array(std::move(out));
}

Value parse_author(const YAML::Node& n) {
  std::string name, email;
  if (n.IsScalar()) {
    // "Jane Doe <jane@example.com>": a trailing <...> word is the email.
    std::vector<std::string> words;
    std::string w;
    for (char c : n.Scalar()) {
      if (c == ' ' || c == '\t' || c == '\n') {
        if (!w.empty()) words.push_back(std::move(w));
        w.clear();
      } else {
        w += c;
      }
    }
    if (!w.empty()) words.push_back(std::move(w));
    if (words.empty()) throw AnnotationError{"invalid author definition: author is an empty string"};
    if (words.back().size() >= 2 && words.back().front() == '<' && words.back().back() == '>') {
      email = words.back().substr(1, words.back().size() - 2);
      words.pop_back();
    }
    for (size_t i = 0; i < words.size(); ++i) name += (i ? " " : "") + words[i];
  } else if (n.IsMap()) {
    if (n["name"] && n["name"].IsScalar()) name = std::string(trim(n["name"].Scalar()));
    if (n["email"] && n["email"].IsScalar()) email = std::string(trim(n["email"].Scalar()));
    if (name.empty() && email.empty())
      throw AnnotationError{"invalid author definition: 'name' and/or 'email' values required in object"};
  } else {
    throw AnnotationError{"invalid author definition: invalid value type, must be string or map"};
  }
  std::vector<ObjectEntry> e;
  if (!name.empty()) e.emplace_back(Value::string("name"), Value::string(name));
  if (!email.empty()) e.emplace_back(Value::string("email"), Value::string(email));
  return Value::object(std::move(e));
}

Value parse_related_resource(const YAML::Node& n) {
  std::vector<ObjectEntry> e;
  if (n.IsScalar()) {
    if (n.Scalar().empty()) throw AnnotationError{"invalid related-resource definition: ref URL may not be empty string"};
    e.emplace_back(Value::string("ref"), Value::string(n.Scalar()));
  } else if (n.IsMap()) {
    std::string ref = n["ref"] && n["ref"].IsScalar() ? std::string(trim(n["ref"].Scalar())) : std::string();
    std::string desc =
        n["description"] && n["description"].IsScalar() ? std::string(trim(n["description"].Scalar())) : std::string();
    if (ref.empty()) throw AnnotationError{"invalid related-resource definition: 'ref' value required in object"};
    e.emplace_back(Value::string("ref"), Value::string(ref));
    if (!desc.empty()) e.emplace_back(Value::string("description"), Value::string(desc));
  } else {
    throw AnnotationError{"invalid related-resource definition: invalid value type, must be string or map"};
  }
  return Value::object(std::move(e));
}

Value parse_schema(const YAML::Node& n) {
  if (!n.IsMap() || n.size() != 1) throw AnnotationError{"invalid schema declaration"};
  auto kv = *n.begin();
  const std::string key = kv.first.Scalar();
  std::vector<ObjectEntry> e;
  auto path = ref_array(key, false);
  if (!path) throw AnnotationError{"invalid document reference"};
  e.emplace_back(Value::string("path"), *path);
  if (kv.second.IsScalar()) {
    auto schema = ref_array(kv.second.Scalar(), true);
    if (!schema) throw AnnotationError{"invalid schema reference"};
    e.emplace_back(Value::string("schema"), *schema);
  } else if (kv.second.IsMap()) {
    e.emplace_back(Value::string("definition"), yaml_value(kv.second));
  } else {
    throw AnnotationError{"invalid schema declaration for path \"" + key + "\""};
  }
  return Value::object(std::move(e));
}

// The METADATA YAML to OPA's annotation object (without scope, which attachment decides).
Value to_object(const YAML::Node& root, Annotation& a) {
  std::vector<ObjectEntry> e;
  if (root.IsNull()) return Value::object({});
  if (!root.IsMap()) throw AnnotationError{"yaml: unmarshal errors:\n  line 1: cannot unmarshal into ast.rawAnnotation"};
  if (auto s = root["scope"]) a.scope = scalar_text(s, "string");
  if (auto s = root["title"]) {
    std::string v = scalar_text(s, "string");
    if (!v.empty()) e.emplace_back(Value::string("title"), Value::string(v));
  }
  if (auto s = root["entrypoint"]) {
    std::string v = scalar_text(s, "bool");
    if (v == "true" || v == "True" || v == "TRUE") a.entrypoint = true;
    else if (!v.empty() && v != "false" && v != "False" && v != "FALSE")
      throw AnnotationError{"yaml: unmarshal errors:\n  cannot unmarshal !!str `" + v + "` into bool"};
    if (a.entrypoint) e.emplace_back(Value::string("entrypoint"), Value::boolean(true));
  }
  if (auto s = root["description"]) {
    std::string v = scalar_text(s, "string");
    if (!v.empty()) e.emplace_back(Value::string("description"), Value::string(v));
  }
  if (auto s = root["organizations"]; s && s.IsSequence() && s.size() > 0) {
    std::vector<Value> orgs;
    for (const auto& o : s) orgs.push_back(Value::string(scalar_text(o, "string")));
    e.emplace_back(Value::string("organizations"), Value::array(std::move(orgs)));
  }
  if (auto s = root["related_resources"]; s && s.IsSequence() && s.size() > 0) {
    std::vector<Value> rrs;
    for (const auto& r : s) rrs.push_back(parse_related_resource(r));
    e.emplace_back(Value::string("related_resources"), Value::array(std::move(rrs)));
  }
  if (auto s = root["authors"]; s && s.IsSequence() && s.size() > 0) {
    std::vector<Value> as;
    for (const auto& au : s) as.push_back(parse_author(au));
    e.emplace_back(Value::string("authors"), Value::array(std::move(as)));
  }
  if (auto s = root["schemas"]; s && s.IsSequence() && s.size() > 0) {
    std::vector<Value> ss;
    for (const auto& sc : s) ss.push_back(parse_schema(sc));
    e.emplace_back(Value::string("schemas"), Value::array(std::move(ss)));
  }
  if (auto s = root["custom"]; s && s.IsMap() && s.size() > 0) e.emplace_back(Value::string("custom"), yaml_value(s));
  return Value::object(std::move(e));
}

}  // namespace

Value with_scope(const Value& obj, const std::string& scope) {
  std::vector<ObjectEntry> e = obj.is_object() ? obj.as_object() : std::vector<ObjectEntry>{};
  if (!scope.empty()) e.emplace_back(Value::string("scope"), Value::string(scope));
  return Value::object(std::move(e));
}

std::vector<Annotation> parse_annotations(const std::vector<lex::Comment>& comments,
                                          const std::shared_ptr<const SourceFile>& file, Errors& errors) {
  struct Block {
    size_t head;                // index of the `# METADATA` comment
    std::vector<size_t> lines;  // the YAML lines' comments
    std::string yaml;
  };
  std::vector<Block> blocks;
  bool open = false;
  for (size_t i = 0; i < comments.size(); ++i) {
    const auto& c = comments[i];
    if (open) {
      if (c.row == comments[i - 1].row + 1 && c.col == 1) {
        std::string_view text = c.text;
        if (!text.empty() && text[0] == ' ') text.remove_prefix(1);
        blocks.back().yaml.append(text);
        blocks.back().yaml += '\n';
        blocks.back().lines.push_back(i);
        continue;
      }
      open = false;
    }
    if (trim(c.text).substr(0, 8) == "METADATA") {
      blocks.push_back({i, {}, {}});
      open = true;
    }
  }

  auto loc_of = [&](size_t i) {
    Location l;
    l.file = file;
    l.row = comments[i].row;
    l.col = comments[i].col;
    l.offset = comments[i].offset;
    l.length = static_cast<uint32_t>(comments[i].text.size() + 1);
    return l;
  };
  std::vector<Annotation> out;
  for (const Block& b : blocks) {
    Annotation a;
    a.loc = loc_of(b.head);
    if (trim(b.yaml).empty()) {
      errors.push_back(Error{code::kParse, "expected METADATA block, found whitespace", a.loc});
      continue;
    }
    try {
      YAML::Node root = YAML::Load(b.yaml);
      a.value = to_object(root, a);
    } catch (const YAML::Exception& ex) {
      // Point at the offending line as OPA does (its index is one past the YAML line; clamped to the block).
      size_t line = ex.mark.is_null() ? 0 : static_cast<size_t>(ex.mark.line) + 1;
      Location loc = a.loc;
      if (!b.lines.empty()) loc = loc_of(b.lines[std::min(line, b.lines.size() - 1)]);
      errors.push_back(Error{code::kParse, "yaml: line " + std::to_string(line) + ": " + ex.msg, loc});
      continue;
    } catch (const AnnotationError& ex) {
      errors.push_back(Error{code::kParse, ex.message, a.loc});
      continue;
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace rego::parser_detail
