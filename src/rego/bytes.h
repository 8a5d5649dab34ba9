// Byte comparisons for the engine's hottest string tests (object keys, cached JSON keys, projected members),
// which compare strings of a few bytes: there a few loads cost less than a call to memcmp.
//
// Internal to the engine (value.cpp, json.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace rego::bytes {

// Whether n bytes at a and b are equal. Object keys are mostly a few bytes long, where a loop costs less than
// a call to memcmp (which, with its PLT hop, was 4% of the instructions evaluating bench/load's policy).
// Up to 16 bytes are compared as two overlapping words (the first and the last 8, or 4), never reading past n.
inline bool same_bytes(const char* a, const char* b, size_t n) {
  auto word_equal = [](const char* x, const char* y, auto word) {
    decltype(word) wx, wy;
    std::memcpy(&wx, x, sizeof wx);
    std::memcpy(&wy, y, sizeof wy);
    return wx == wy;
  };
  if (n >= 8) {
    if (n > 16) return std::memcmp(a, b, n) == 0;
    return word_equal(a, b, uint64_t{}) && word_equal(a + n - 8, b + n - 8, uint64_t{});
  }
  if (n >= 4) return word_equal(a, b, uint32_t{}) && word_equal(a + n - 4, b + n - 4, uint32_t{});
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}
// Whether a and b hold the same bytes.
inline bool same_string(std::string_view a, std::string_view b) {
  return a.size() == b.size() && same_bytes(a.data(), b.data(), a.size());
}

}  // namespace rego::bytes
