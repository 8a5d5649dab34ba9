// libFuzzer target: rego::json::parse and parse_packed on arbitrary bytes.
//
// Oracles besides the sanitizers:
//  - parse and parse_packed agree: both fail, or both succeed with equal values of equal hash (json.h promises
//    "the same value as parse() gives — equal, ordered and hashed alike, same errors");
//  - a parsed document round-trips: write(parse(text)) parses again to an equal value, and writing that
//    value gives the same text (the writer is deterministic and canonical: sorted keys, OPA's numbers);
//  - parsing with a projection (json::Projection, as the server reads request bodies) fails exactly when parse
//    fails, with the same error, and otherwise gives parse's value pruned to the projection.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rego/json.h"

namespace {

[[noreturn]] void fail(const char* what, std::string_view input, const std::string& detail) {
  std::fprintf(stderr, "fuzz_json_reader: %s\ninput (%zu bytes): %.*s\ndetail: %s\n", what, input.size(),
               static_cast<int>(input.size() > 2000 ? 2000 : input.size()), input.data(), detail.c_str());
  std::abort();  // the oracle failed: a finding, reported by libFuzzer with the input saved
}

// A projection over the keys short fuzzed documents tend to have.
const rego::json::Projection& projection() {
  static const rego::json::Projection p = [] {
    using rego::json::Projection;
    Projection whole;
    Projection c;
    c.whole = false;
    c.members = {{"c", whole}};
    Projection input;
    input.whole = false;
    input.members = {{"", whole}, {"a", whole}, {"b", c}, {"\xC3\xA9", whole}};
    Projection root;
    root.whole = false;
    root.members = {{"a", c}, {"input", input}};
    return root;
  }();
  return p;
}

// What parse(text, keep) must give: v without the object members keep leaves out.
rego::Value pruned(const rego::Value& v, const rego::json::Projection& keep) {
  if (keep.whole || !v.is_object()) return v;
  std::vector<rego::ObjectEntry> members;
  for (const auto& [key, value] : v.as_object()) {
    const auto* member = key.is_string() ? keep.member(key.as_string()) : nullptr;
    if (member) members.emplace_back(key, pruned(value, member->value));
  }
  return rego::Value::object(std::move(members));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // Bounded depth keeps each input fast; depth errors are exercised all the same.
  constexpr size_t kDepth = 200;
  auto plain = rego::json::parse(text, kDepth);
  auto packed = rego::json::parse_packed(text, kDepth);
  if (plain.ok != packed.ok) fail("parse and parse_packed disagree on validity", text, plain.error + " | " + packed.error);
  auto projected = rego::json::parse(text, projection(), kDepth);
  if (projected.ok != plain.ok || projected.error != plain.error)
    fail("parse with a projection fails otherwise than parse", text, plain.error + " | " + projected.error);
  if (plain.ok && !(projected.value == pruned(plain.value, projection())))
    fail("parse with a projection gives another value than parse's pruned", text, rego::json::write(projected.value));
  if (!plain.ok) {
    if (plain.error.empty()) fail("a failed parse without an error message", text, "");
    return 0;
  }
  if (!(plain.value == packed.value)) fail("parse and parse_packed give different values", text, "");
  if (plain.value.hash() != packed.value.hash()) fail("parse and parse_packed values hash differently", text, "");

  // Round trip through the writer.
  std::string out = rego::json::write(plain.value);
  std::string out_packed = rego::json::write(packed.value);
  if (out != out_packed) fail("parse and parse_packed values write differently", text, out + " | " + out_packed);
  auto again = rego::json::parse(out, kDepth + 2);
  if (!again.ok) fail("written JSON does not parse", text, out + " : " + again.error);
  if (!(again.value == plain.value)) fail("written JSON parses to another value", text, out);
  std::string out2 = rego::json::write(again.value);
  if (out2 != out) fail("writing is not stable", text, out + " | " + out2);
  // The pretty form is the same document.
  rego::json::WriteOptions pretty;
  pretty.pretty = true;
  pretty.escape_html = false;
  auto p = rego::json::parse(rego::json::write(plain.value, pretty), kDepth + 2);
  if (!p.ok || !(p.value == plain.value)) fail("pretty JSON does not round-trip", text, p.error);
  return 0;
}
