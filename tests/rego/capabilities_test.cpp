// Every built-in of OPA v1.20.2 is registered, with OPA's arity.
//
// tests/rego/data/opa-builtins.txt lists OPA's built-ins as "name arity" (or "name variadic"), one per line. It
// was generated from OPA's capabilities document (/work/shared/opa-capabilities/v1.20.2.json) with:
//   python3 -c "import json; d=json.load(open('v1.20.2.json'));
//     [print(b['name'], 'variadic' if 'variadic' in b['decl'] else len(b['decl'].get('args', [])))
//      for b in sorted(d['builtins'], key=lambda b: b['name'])]" > tests/rego/data/opa-builtins.txt
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "rego/builtins/registry.h"

namespace rego {
namespace {

// Names the registry does not provide, each for a reason.
bool allowed_missing(const std::string& name) {
  // Handled by the evaluator itself (they need the evaluation's state), never looked up in the registry.
  if (name == "print" || name == "internal.print" || name == "eq" || name == "assign" ||
      name == "internal.template_string" || name == "rego.metadata.rule" || name == "rego.metadata.chain")
    return true;
  // Belongs to `trex test`, which is not built yet.
  if (name == "internal.test_case") return true;
  return false;
}

std::string data_file() {
  // The test binary runs from the build tree; find the data file in the source tree.
  return std::string(TREX_REGO_TESTS_DIR) + "/data/opa-builtins.txt";
}

TEST(Capabilities, EveryOpaBuiltinIsRegisteredWithItsArity) {
  std::ifstream in(data_file());
  ASSERT_TRUE(in) << "cannot open " << data_file();
  std::string line;
  int checked = 0, skipped = 0;
  std::vector<std::string> missing;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    std::string name, arity;
    ss >> name >> arity;
    const Builtin* b = builtins().find(name);
    if (!b) {
      if (allowed_missing(name)) {
        ++skipped;
      } else {
        missing.push_back(name);
      }
      continue;
    }
    ++checked;
    if (arity != "variadic") {
      EXPECT_EQ(b->arity, std::stoi(arity)) << name;
    }
  }
  EXPECT_GT(checked, 150);
  for (const auto& n : missing) ADD_FAILURE() << "OPA built-in not registered: " << n;
  std::cout << "[ caps     ] " << checked << " registered, " << skipped << " allowed to be missing\n";
}

}  // namespace
}  // namespace rego
