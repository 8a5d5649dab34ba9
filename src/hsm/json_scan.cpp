// SAX-based JSON scanning and compaction (see json_scan.h).
#include "hsm/json_scan.h"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

namespace trex::hsm {

namespace {

// Iterative: a deeply nested record must not overflow the stack. Numbers as strings: exact, any size.
constexpr unsigned kFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag;

// Tracks depth and records the top-level members.
struct TopLevelHandler : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TopLevelHandler> {
  std::vector<JsonField>* fields = nullptr;
  int depth = 0;
  bool root_is_object = false;
  std::string failure;

  bool value(JsonField::Type type, const char* s = nullptr, rapidjson::SizeType n = 0) {
    if (depth == 0) {  // a root that is not an object
      failure = "the text is not a JSON object";
      return false;
    }
    if (depth == 1) {
      fields->back().type = type;
      if (s) fields->back().text.assign(s, n);
    }
    return true;
  }
  bool Null() { return value(JsonField::Type::Null); }
  bool Bool(bool) { return value(JsonField::Type::Bool); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) { return value(JsonField::Type::Number, s, n); }
  bool String(const char* s, rapidjson::SizeType n, bool) { return value(JsonField::Type::String, s, n); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (depth == 1) {
      std::string_view key(s, n);
      for (const auto& f : *fields)
        if (f.key == key) {
          failure = "duplicate key \"" + std::string(key) + "\"";
          return false;
        }
      fields->push_back(JsonField{std::string(key), JsonField::Type::Null, {}});
    }
    return true;
  }
  bool StartObject() {
    if (depth == 0) root_is_object = true;
    else if (!value(JsonField::Type::Object)) return false;
    ++depth;
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    --depth;
    return true;
  }
  bool StartArray() {
    if (!value(JsonField::Type::Array)) return false;
    ++depth;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth;
    return true;
  }
};

template <typename Handler>
bool run_reader(std::string_view text, Handler& handler, std::string& failure, std::string& error) {
  rapidjson::MemoryStream ms(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> is(ms);
  rapidjson::Reader reader;
  rapidjson::ParseResult r = reader.Parse<kFlags>(is, handler);
  if (!r) {
    error = !failure.empty() ? failure
                             : std::string("invalid JSON at offset ") + std::to_string(r.Offset()) + ": " +
                                   rapidjson::GetParseError_En(r.Code());
    return false;
  }
  return true;
}

}  // namespace

bool scan_object(std::string_view text, std::vector<JsonField>& fields, std::string& error) {
  fields.clear();
  TopLevelHandler h;
  h.fields = &fields;
  if (!run_reader(text, h, h.failure, error)) return false;
  if (!h.root_is_object) {
    error = "the text is not a JSON object";
    return false;
  }
  return true;
}

namespace {

// Feeds a Writer while checking the top-level keys.
struct CompactHandler {
  rapidjson::Writer<rapidjson::StringBuffer>* w;
  std::initializer_list<std::string_view> reserved;
  std::vector<std::string> seen;
  int depth = 0;
  std::string failure;

  bool root_check() {
    if (depth == 0) failure = "the record is not a JSON object";
    return depth > 0;
  }
  bool Null() { return root_check() && w->Null(); }
  bool Bool(bool b) { return root_check() && w->Bool(b); }
  bool Int(int) { return false; }  // unreachable with kParseNumbersAsStringsFlag
  bool Uint(unsigned) { return false; }
  bool Int64(int64_t) { return false; }
  bool Uint64(uint64_t) { return false; }
  bool Double(double) { return false; }
  // RawValue, not Writer::RawNumber: the latter writes the digits as a quoted string.
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    return root_check() && w->RawValue(s, n, rapidjson::kNumberType);
  }
  bool String(const char* s, rapidjson::SizeType n, bool c) { return root_check() && w->String(s, n, c); }
  bool Key(const char* s, rapidjson::SizeType n, bool c) {
    if (depth == 1) {
      std::string_view key(s, n);
      if (std::find(reserved.begin(), reserved.end(), key) != reserved.end()) {
        failure = "the record must not have a top-level \"" + std::string(key) + "\" (the log sets it)";
        return false;
      }
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
        failure = "duplicate key \"" + std::string(key) + "\"";
        return false;
      }
      seen.emplace_back(key);
    }
    return w->Key(s, n, c);
  }
  bool StartObject() {
    ++depth;
    return w->StartObject();
  }
  bool EndObject(rapidjson::SizeType n) {
    --depth;
    return w->EndObject(n);
  }
  bool StartArray() {
    if (!root_check()) return false;
    ++depth;
    return w->StartArray();
  }
  bool EndArray(rapidjson::SizeType n) {
    --depth;
    return w->EndArray(n);
  }
};

}  // namespace

bool compact_object(std::string_view text, std::initializer_list<std::string_view> reserved, std::string& out,
                    std::string& error) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  CompactHandler h{&writer, reserved, {}, 0, {}};
  if (!run_reader(text, h, h.failure, error)) return false;
  out.assign(buf.GetString(), buf.GetSize());
  return true;
}

const JsonField* find_field(const std::vector<JsonField>& fields, std::string_view key) {
  for (const auto& f : fields)
    if (f.key == key) return &f;
  return nullptr;
}

bool parse_uint64(std::string_view text, unsigned long long& value) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) return false;
  unsigned long long v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    unsigned d = unsigned(c - '0');
    if (v > (~0ULL - d) / 10) return false;
    v = v * 10 + d;
  }
  value = v;
  return true;
}

std::string json_quote(std::string_view s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  writer.String(s.data(), rapidjson::SizeType(s.size()));
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace trex::hsm
