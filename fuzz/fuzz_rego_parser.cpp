// libFuzzer target: the Rego lexer and parser (module, query, term; Rego v1 and v0), then the compiler on a
// module that parses, and the formatter on a v1 module.
//
// Every input is tried in all modes, so seeds keep their meaning (no mode byte in front of the text).
// Errors must come back as RegoErrors (or CompileResult::errors), never as a crash or another exception.
// Extra oracle: the formatter's output of a module that parses must parse again (format.h: "the output
// parses to the same AST").
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "rego/engine.h"
#include "rego/error.h"
#include "rego/format.h"
#include "rego/parser.h"

namespace {

[[noreturn]] void fail(const char* what, const std::string& text, const std::string& detail) {
  std::fprintf(stderr, "fuzz_rego_parser: %s\n--- input ---\n%s\n--- detail ---\n%s\n", what, text.c_str(),
               detail.c_str());
  std::abort();
}

std::shared_ptr<const rego::SourceFile> source(const std::string& text) {
  return std::make_shared<const rego::SourceFile>(rego::SourceFile{"fuzz.rego", text});
}

bool parses(const std::string& text, bool v0) {
  rego::ParseOptions opts;
  opts.v0_compatible = v0;
  opts.max_depth = 200;
  try {
    rego::parse_module(source(text), opts);
    return true;
  } catch (const rego::RegoErrors& e) {
    if (e.errors().empty()) fail("parse_module threw RegoErrors without errors", text, "");
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return -1;  // keep inputs small: the parser is linear, large inputs only slow the search
  std::string text(reinterpret_cast<const char*>(data), size);

  bool v1 = parses(text, false);
  bool v0 = parses(text, true);

  rego::ParseOptions opts;
  opts.max_depth = 200;
  try {
    rego::parse_query(source(text), opts);
  } catch (const rego::RegoErrors&) {
  }
  try {
    rego::parse_term(source(text), opts);
  } catch (const rego::RegoErrors&) {
  }

  if (v1 || v0) {
    rego::CompileOptions copts;
    copts.v0_compatible = !v1;
    auto r = rego::compile({{"fuzz.rego", text}}, copts);
    if (!r.policy && r.errors.empty()) fail("compile failed without errors", text, "");
    if (r.policy && !r.errors.empty()) fail("compile returned a policy and errors", text, r.errors[0].message);
    auto errs = rego::check({{"fuzz.rego", text}}, copts);
    if (r.policy && !errs.empty()) fail("check reports errors for a policy that compiles", text, errs[0].message);
  }

  if (v1) {
    std::string formatted;
    try {
      formatted = rego::format_module(source(text));
    } catch (const rego::RegoErrors& e) {
      // The formatter may refuse what the parser accepts only for a reason it names.
      if (e.errors().empty()) fail("format_module threw RegoErrors without errors", text, "");
      return 0;
    }
    rego::ParseOptions fopts;
    fopts.max_depth = 400;  // formatting may add no nesting, but leave room
    try {
      rego::parse_module(source(formatted), fopts);
    } catch (const rego::RegoErrors& e) {
      fail("formatted module does not parse", text, formatted + "\n--- error ---\n" + e.errors()[0].message);
    }
  }
  return 0;
}
