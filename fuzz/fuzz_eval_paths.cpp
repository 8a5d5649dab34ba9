// libFuzzer target: the evaluator's two paths against each other. A module that compiles is evaluated as a
// whole (`data`, with a fixed input and data) once with expressions evaluated in place where they can be
// (src/rego/eval_body.cpp) and once through the general path only (QueryOptions::general_evaluation). Both
// must give the same value, or fail with the same error code: the in-place forms must never change what an
// expression means. (Besides: no crash, no sanitizer report, no exception escaping the engine.)
//
// Modules that could differ between two runs for reasons of their own are skipped: random or time-dependent
// built-ins, signatures with random nonces, the network. Either run reaching its deadline skips the input.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "rego/engine.h"
#include "rego/error.h"
#include "rego/json.h"

namespace {

const char* const kNondeterministic[] = {"rand.", "uuid.rfc4122", "http.send", "net.lookup_ip_addr", "time.now_ns",
                                          "io.jwt.encode_sign", "opa.runtime"};

struct Outcome {
  std::string text;  // the value of `data` as JSON, "undefined", or "error:<code>"
  bool timed_out = false;
};

Outcome run(const rego::CompiledPolicy& policy, bool general) {
  static const rego::Value data = rego::json::parse(R"({"d": {"xs": [1, 2, 3], "o": {"k": "v"}}})").value;
  static const rego::Value input =
      rego::json::parse(R"({"a": 1, "b": [1, 2, "x"], "s": "str", "o": {"k": "v", "n": null}, "t": true})").value;
  rego::QueryOptions opts;
  opts.input = input;
  opts.now_ns = 1700000000000000000;
  opts.general_evaluation = general;
  opts.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  opts.allow_net = std::make_shared<const std::vector<std::string>>();
  auto r = rego::evaluate(policy, data, "x := data", opts);
  Outcome out;
  if (!r.errors.empty()) {
    out.text = "error:" + r.errors[0].code;
    out.timed_out = r.errors[0].code == rego::code::kCancel;
  } else if (r.rows.empty()) {
    out.text = "undefined";
  } else {
    out.text = rego::json::write(r.rows[0].bindings.at(0).second);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16 * 1024) return -1;
  std::string text(reinterpret_cast<const char*>(data), size);
  for (const char* name : kNondeterministic)
    if (text.find(name) != std::string::npos) return -1;
  auto compiled = rego::compile({{"fuzz.rego", text}});
  if (!compiled.policy) return 0;
  Outcome in_place = run(*compiled.policy, false);
  Outcome general = run(*compiled.policy, true);
  if (in_place.timed_out || general.timed_out) return 0;
  if (in_place.text != general.text) {
    std::fprintf(stderr, "fuzz_eval_paths: the paths disagree\n--- module ---\n%s\n--- in place ---\n%s\n",
                 text.c_str(), in_place.text.c_str());
    std::fprintf(stderr, "--- general ---\n%s\n", general.text.c_str());
    std::abort();
  }
  return 0;
}
