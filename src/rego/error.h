// Errors as values, with OPA's error codes and source locations.
//
// Inside the engine, RegoError may be thrown (parser, compiler, evaluator, built-ins); the public entry points
// (engine.h, json.h) catch it and return errors as values, so no exception crosses the engine's boundary.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace rego {

// OPA's error codes.
namespace code {
inline constexpr const char* kParse = "rego_parse_error";
inline constexpr const char* kCompile = "rego_compile_error";
inline constexpr const char* kType = "rego_type_error";
inline constexpr const char* kUnsafeVar = "rego_unsafe_var_error";
inline constexpr const char* kRecursion = "rego_recursion_error";
inline constexpr const char* kConflict = "eval_conflict_error";
inline constexpr const char* kBuiltin = "eval_builtin_error";
inline constexpr const char* kTypeEval = "eval_type_error";
inline constexpr const char* kCancel = "eval_cancel_error";
inline constexpr const char* kInternal = "eval_internal_error";
inline constexpr const char* kInvalidParameter = "invalid_parameter";
}  // namespace code

// A source file as parsed; locations point into it so errors and `text` can quote the source.
struct SourceFile {
  std::string name;  // "" for ad-hoc queries
  std::string text;
};

struct Location {
  std::shared_ptr<const SourceFile> file;
  uint32_t row = 0;     // 1-based; 0 = unknown
  uint32_t col = 0;     // 1-based
  uint32_t offset = 0;  // byte offset of the start in file->text
  uint32_t length = 0;  // bytes covered

  bool known() const { return row != 0; }
  std::string file_name() const { return file ? file->name : std::string(); }
  std::string text() const;  // the covered source text
};

struct Error {
  std::string code;
  std::string message;
  Location location;

  // "file:row: code: message" as OPA prints errors on the command line.
  std::string to_string() const;
};

using Errors = std::vector<Error>;

class RegoError : public std::runtime_error {
 public:
  explicit RegoError(Error e) : std::runtime_error(e.message), error_(std::move(e)) {}
  RegoError(std::string code, std::string message, Location loc = {})
      : RegoError(Error{std::move(code), std::move(message), std::move(loc)}) {}
  const Error& error() const { return error_; }

 private:
  Error error_;
};

// Several errors at once (the compiler reports all it finds).
class RegoErrors : public std::runtime_error {
 public:
  explicit RegoErrors(Errors errs) : std::runtime_error(errs.empty() ? "" : errs[0].message), errors_(std::move(errs)) {}
  const Errors& errors() const { return errors_; }

 private:
  Errors errors_;
};

}  // namespace rego
