// Internal: the parser's shared state and the functions split across parser_*.cpp. Not a public header.
//
// The parser is a faithful port of OPA's recursive-descent parser (ast/parser.go): the same grammar, the same
// attempt-and-backtrack order, the same error messages at the same tokens. Failure is signalled as OPA does, by
// returning null/false after recording an error; errors live in a list whose length is part of the saved state,
// so backtracking (restore) discards the errors of an abandoned attempt.
//
// Two departures keep it fast on large or hostile input:
//   - after parsing a collection element's first term, the parser continues the infix expression from that term
//     instead of re-parsing it from scratch (OPA restores and re-parses);
//   - terms starting with '[' or '{' are cached by offset (OPA caches every term), so the comprehension
//     fallbacks that must re-parse stay linear rather than exponential in nesting depth.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rego/ast.h"
#include "rego/lexer.h"
#include "rego/parser.h"

namespace rego::parser_detail {

using ast::Term;
using ast::TermKind;
using ast::TermPtr;
using lex::Tok;
using lex::Token;

// Everything backtracking must undo. Small and trivially copyable: save() and restore() are cheap.
struct State {
  Token tok;
  lex::Lexer::Pos lex;    // the lexer's position after tok
  uint32_t prev_end = 0;  // end offset of the token before tok (OPA's lastEnd)
  uint32_t wildcard = 0;  // next `_` number
  uint32_t nerrors = 0;   // errors recorded so far (filled in by save())
};

// A rule head while it is being parsed (OPA's ast.Head).
struct HeadP {
  std::vector<TermPtr> ref;
  TermPtr key;    // `contains` element, or the key of `p[x]`
  TermPtr value;  // null when none was written (and none generated yet)
  std::vector<TermPtr> args;
  bool is_call = false;  // written with an argument list
  bool assign = false;
  bool generated_value = false;
  Location loc;
};

// What the Rego v1 checks need to know about how a rule was written.
struct RuleFlags {
  bool generated_body = false;
  bool generated_value = false;
  bool has_if = false;
  bool has_contains = false;
  bool multi_value = false;  // OPA's MultiValue kind: a key and no value
};

// One top-level statement, in source order.
struct Stmt {
  enum class Kind : uint8_t { Package, Import, Rule, Body } kind = Kind::Body;
  Location loc;
  std::vector<std::string> package;
  ast::Import import;
  Location path_loc;  // Import: the path term
  ast::RulePtr rule;  // Rule, or Body once turned into a rule
  ast::Body body;
  std::vector<Error> errors;  // Body: why it cannot be a rule
};

struct Annotation;

class Parser {
 public:
  Parser(std::shared_ptr<const SourceFile> src, const ParseOptions& opts);

  ast::Module parse_module();
  ast::Body parse_query();

  // ---- tokens (parser.cpp) ----
  void scan();
  void scan_template_continue(bool raw);
  State save() const {
    State s = st_;
    s.lex = lex_.pos();
    s.nerrors = static_cast<uint32_t>(errors_.size());
    return s;
  }
  void restore(const State& s) {
    st_ = s;
    lex_.set_pos(s.lex);
    errors_.resize(s.nerrors);
  }
  const Token& tok() const { return st_.tok; }
  Tok kind() const { return st_.tok.kind; }
  std::string_view lit() const { return lex_.text(st_.tok.offset, st_.tok.end - st_.tok.offset); }
  Location loc_of(const Token& t) const;
  Location tok_loc() const { return loc_of(st_.tok); }
  // From `start` to the end of the previous token.
  Location span_from(const Location& start) const;
  // Converts a keyword followed directly by '.' or '[' into an identifier (OPA's scanAheadRef).
  bool scan_ahead_ref();
  // The next token, without consuming it.
  Token peek();

  // ---- errors (parser.cpp) ----
  void error(const Location& loc, std::string msg);
  void illegal(std::string_view note = {});
  bool has_errors() const { return !errors_.empty(); }

  // ---- recursion bound ----
  class Depth {
   public:
    explicit Depth(Parser& p) : p_(p), ok_(p.enter()) {}
    ~Depth() {
      if (ok_) --p_.depth_;
    }
    explicit operator bool() const { return ok_; }
    Depth(const Depth&) = delete;
    Depth& operator=(const Depth&) = delete;

   private:
    Parser& p_;
    bool ok_;
  };
  bool enter();
  // Several levels entered in a loop (operator chains build left-deep trees), all left together.
  class Nesting {
   public:
    explicit Nesting(Parser& p) : p_(p) {}
    ~Nesting() { p_.depth_ -= n_; }
    bool enter() {
      if (!p_.enter()) return false;
      ++n_;
      return true;
    }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    Parser& p_;
    size_t n_ = 0;
  };

  // ---- terms (parser_terms.cpp) ----
  TermPtr make(TermKind k, const Location& loc) const;
  TermPtr make_call(std::string name, std::vector<TermPtr> args, const Location& loc) const;
  TermPtr make_bool(bool b, const Location& loc) const;
  TermPtr parse_term();
  TermPtr parse_var();
  TermPtr parse_infix(bool key_val);                      // OPA's parseTermInfixCall(InList)
  TermPtr parse_infix_from(TermPtr first, bool key_val);  // the same, its first operand already parsed
  bool parse_term_list(Tok end, std::vector<TermPtr>& out);
  std::string fresh_wildcard();
  // The operator of a call parsed from `ref(args)` (for turning calls into rule heads).
  std::vector<TermPtr> call_operator(const Term& call) const;

  // ---- bodies and expressions (parser_exprs.cpp) ----
  bool parse_body(Tok end, ast::Body& out);
  bool parse_query_stmt(bool require_semi, Tok end, ast::Body& out);
  bool parse_literal(ast::Expr& out);

  // ---- statements (parser_rules.cpp) ----
  bool parse_package(Stmt& out);
  bool parse_import(Stmt& out);
  bool parse_rules(std::vector<ast::RulePtr>& out);
  // Post-import effects on the keyword set (rego.v1, future.keywords).
  void apply_import(const Stmt& imp);

  // ---- module assembly (parser_module.cpp) ----
  // A body at the top level of a module is a rule written as an expression (`p := 1`, `p[x]`): OPA's
  // ParseRuleFromBody. Sets st.rule, or st.errors.
  void rule_from_body(Stmt& st);
  ast::Module build_module(std::vector<Stmt>& stmts, std::vector<Annotation>& annotations);

  const ParseOptions& opts() const { return opts_; }
  const std::shared_ptr<const SourceFile>& file() const { return file_; }
  bool v1() const { return !opts_.v0_compatible; }

  // Rule flags, by rule (appended as rules are made; sorted by pointer when the module is assembled).
  std::vector<std::pair<const ast::Rule*, RuleFlags>> flags_;
  // Future keywords currently recognised (bit per keyword: in, every, contains, if).
  unsigned future_keywords_ = 0;
  bool suppress_future_ = false;  // while parsing an import path (OPA's presentParser)
  bool rego_v1_import_ = false;   // v0 module that imports rego.v1
  bool rego_v2_import_ = false;   // `import rego.v2`: `not { body }` is allowed
  bool parse_not_body(ast::Expr& out);

 private:
  friend class Depth;
  friend class Nesting;
  Tok classify(std::string_view ident) const;

  TermPtr parse_primary(bool& finished);
  TermPtr parse_term_cached();
  [[gnu::noinline]] bool cache_lookup(uint32_t key, TermPtr& out);
  [[gnu::noinline]] void cache_store(uint32_t key, const TermPtr& t, size_t errors_before);
  TermPtr parse_minus(bool& finished);
  TermPtr parse_paren();
  TermPtr parse_term_finish(TermPtr head);
  TermPtr parse_ref(TermPtr head);
  TermPtr parse_call(TermPtr op, const Location& start);
  TermPtr parse_number();
  TermPtr parse_string();
  TermPtr parse_template(bool raw);
  TermPtr parse_array();
  TermPtr parse_set_or_object();
  TermPtr parse_set(const State& s, TermPtr head, bool maybe_compr, const Location& start);
  TermPtr parse_object(TermPtr key, bool maybe_compr, const Location& start);
  TermPtr parse_object_finish(TermPtr key, TermPtr val, bool maybe_compr, const Location& start);
  bool parse_pair_list(Tok end, std::vector<TermPtr>& out);
  TermPtr parse_in(TermPtr lhs, bool key_val);
  bool parse_literal_expr(bool negated, ast::Expr& out);
  bool parse_expr(ast::Expr& out);
  bool parse_with(std::vector<ast::With>& out);
  bool parse_some(ast::Expr& out);
  bool parse_every(ast::Expr& out);
  bool parse_head(bool is_default, HeadP& head, bool& uses_contains);
  TermPtr parse_head_finish(TermPtr head);
  ast::RulePtr parse_else(const HeadP& head);
  bool parse_braced_body_fast(ast::Body& body);
  ast::RulePtr make_rule(HeadP head, RuleFlags flags, const Location& loc);
  bool validate_default(const HeadP& head, const Location& rule_loc);
  TermPtr parse_binary(int level);
  TermPtr continue_binary(TermPtr lhs, int level);
  TermPtr finish_collection(TermPtr t, const Location& start) const;

  std::shared_ptr<const SourceFile> file_;
  ParseOptions opts_;
  lex::Lexer lex_;
  State st_;
  Errors errors_;
  size_t depth_ = 0;

  struct CacheEntry {
    TermPtr term;
    State post;
    Errors errors;  // errors the term's parse recorded
  };
  std::unordered_map<uint32_t, CacheEntry> cache_;
  // Call term -> its operator ref term, for the few calls that turn into rule heads. Holding the call keeps its
  // address from being reused while the entry exists. Append-only; looked up rarely (from the back).
  std::vector<std::pair<TermPtr, TermPtr>> call_ops_;

 public:
  // Called between top-level statements: nothing parsed before can be re-parsed after.
  void clear_cache() {
    cache_.clear();
    call_ops_.clear();
  }
  Errors& errors() { return errors_; }
  const lex::Lexer& lexer() const { return lex_; }
};

// Helpers shared by the parser files.
const char* value_name(const Term& t);  // OPA's ValueName: "var", "ref", "number", ...
bool is_ground(const Term& t);
TermPtr deep_copy(const TermPtr& t);
ast::Body deep_copy(const ast::Body& b);
std::string unescape_json_string(std::string_view inner, bool brace_escapes, bool& ok);

// METADATA comment blocks (parser_annotations.cpp).
struct Annotation {
  Location loc;            // of the `# METADATA` line
  Value value;             // the object rego.metadata.* returns (scope filled in by attach)
  std::string scope;       // as written ("" when absent)
  bool entrypoint = false;
};
std::vector<Annotation> parse_annotations(const std::vector<lex::Comment>& comments,
                                          const std::shared_ptr<const SourceFile>& file, Errors& errors);
// Sets the scope key of an annotation object.
Value with_scope(const Value& obj, const std::string& scope);

}  // namespace rego::parser_detail
