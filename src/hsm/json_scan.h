// The few JSON operations the signed log needs, over RapidJSON's SAX reader (no DOM, no doubles, so
// numbers of any size and exact spelling survive):
//  - scan_object: validate one JSON object text and report its top-level members (key, type, and the text
//    of string and number values); nested values are validated, not kept.
//  - compact_object: re-serialise a JSON object on one line (numbers verbatim), refusing reserved keys.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace trex::hsm {

struct JsonField {
  enum class Type { Null, Bool, Number, String, Object, Array };
  std::string key;
  Type type = Type::Null;
  std::string text;  // the decoded string, or the number as written; empty for other types
};

// False with `error` unless `text` is exactly one JSON object (UTF-8, no trailing garbage) without
// duplicate top-level keys.
bool scan_object(std::string_view text, std::vector<JsonField>& fields, std::string& error);

// The object's compact one-line form in `out`. False when `text` is not a single JSON object, has
// duplicate top-level keys, or uses one of `reserved` as a top-level key.
bool compact_object(std::string_view text, std::initializer_list<std::string_view> reserved, std::string& out,
                    std::string& error);

// Looks a top-level member up by key; null when absent.
const JsonField* find_field(const std::vector<JsonField>& fields, std::string_view key);

// True when `text` is a JSON number as written for a non-negative integer (no sign, fraction, exponent or
// leading zero) that fits in 64 bits.
bool parse_uint64(std::string_view text, unsigned long long& value);

// A JSON string literal (quotes included) for `s`.
std::string json_quote(std::string_view s);

}  // namespace trex::hsm
