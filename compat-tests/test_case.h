// One OPA compliance case (a YAML entry of OPA's test/cases/testdata), and loading them from files.
//
// The fields mirror OPA's cases.TestCase. Loading never throws: a file that does not parse becomes one
// failing pseudo-case, so a broken file shows up in the report instead of stopping the run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rego/value.h"

namespace compat {

struct TestCase {
  std::string id;        // "<path relative to the root>::<note>", unique within a run
  std::string category;  // first folder under the root ("aggregates")
  std::string file;      // path as found on disk
  std::string note;
  std::string query;
  std::vector<std::string> modules;
  std::optional<rego::Value> data;
  std::optional<rego::Value> input;
  std::optional<std::string> input_term;  // Rego term text; wins over `input`
  std::optional<std::vector<rego::Value>> want_result;  // each an object: var name -> value
  std::optional<std::string> want_error;
  std::optional<std::string> want_error_code;
  bool strict_error = false;
  bool sort_bindings = false;
  bool ignore_generated_vars = false;
  bool v0 = false;  // a path component is "v0": Rego v0 syntax for modules and query
  std::optional<std::string> skip;  // reason, when the case says `skip`
  std::optional<std::string> load_error;  // the file or the entry could not be read
};

// Reads every case of one YAML file. `root` is the directory the run was started on (for ids/categories).
std::vector<TestCase> load_cases(const std::string& root, const std::string& file);

}  // namespace compat
