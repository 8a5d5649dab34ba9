// JSON in and out of Rego values.
//
// Reading is a small non-recursive reader straight into Values (no intermediate DOM): RapidJSON 1.1 rejects
// numbers such as 1e400 that Rego must keep, and Go's unpaired-surrogate handling. Numbers keep their exact
// value (big integers and long decimals become Big numbers, see number.h). Writing prints as OPA does:
// object keys sorted, sets as sorted arrays, non-string object keys as their JSON text, OPA's number format,
// and HTML-unsafe characters (<, >, &) escaped as Go's encoding/json does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rego/error.h"
#include "rego/value.h"

namespace rego::json {

struct ParseResult {
  Value value;
  bool ok = false;
  std::string error;  // e.g. "invalid JSON at offset 12: Missing a comma or ']' after an array element."
};

// Parses one JSON document. Nesting deeper than max_depth is an error, never a stack overflow.
ParseResult parse(std::string_view text, size_t max_depth = 10000);

// The part of a document to build (parse's `keep`): the members of an object by key, each with the part of its
// value to build. An object's other members are read as strictly as ever (a malformed one is the same error at
// the same offset) and dropped. Arrays and scalars are always built whole, so a document shaped otherwise than
// the projection expects (an array where members were listed) is built whole from there down.
struct Projection {
  struct Member;
  bool whole = true;            // build this value entirely (members is then empty)
  std::vector<Member> members;  // !whole: the object members to build, sorted by key, keys unique
  // The member named `key`, or null when it is dropped.
  const Member* member(std::string_view key) const;
};
struct Projection::Member {
  Member(std::string name, Projection part) : key(std::move(name)), value(std::move(part)) {}
  std::string key;
  Projection value;
};

// Parses one JSON document building only the part `keep` names (see Projection): equal to parse(text) pruned to
// that part, and failing on exactly the texts parse(text) fails on, with the same error.
ParseResult parse(std::string_view text, const Projection& keep, size_t max_depth = 10000);

// Parses one JSON document into a packed document (packed.h): the same value as parse() gives — equal,
// ordered and hashed alike, same errors — held in about the size of the JSON text instead of ten times it. For
// big, long-lived documents (base data loaded from files); a scalar document is an ordinary Value.
ParseResult parse_packed(std::string_view text, size_t max_depth = 10000);
// The same, consuming the text: the pages of a big text are given back to the system as they are read, so
// loading never holds the whole text and the whole packed document at once.
ParseResult parse_packed(std::string&& text, size_t max_depth = 10000);
inline ParseResult parse_packed(const char* text, size_t max_depth = 10000) {
  return parse_packed(std::string_view(text), max_depth);
}

struct WriteOptions {
  bool pretty = false;       // two-space indentation, as `opa eval --format pretty`/`?pretty=true`
  bool escape_html = true;   // Go's default: < > & as \u003c \u003e \u0026
};

std::string write(const Value& v, const WriteOptions& opts = {});
void append(const Value& v, std::string& out, const WriteOptions& opts = {});

}  // namespace rego::json
