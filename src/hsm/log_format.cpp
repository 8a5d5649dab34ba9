// Building and reading signed-log lines (see log_format.h).
#include "hsm/log_format.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <vector>

#include "hsm/json_scan.h"

namespace trex::hsm {

namespace {
constexpr std::string_view kPrefix = "decisions-";
constexpr std::string_view kSuffix = ".jsonl";

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}
}  // namespace

std::string segment_name(uint64_t first_seq) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "decisions-%020llu.jsonl", static_cast<unsigned long long>(first_seq));
  return buf;
}

bool parse_segment_name(std::string_view name, uint64_t& first_seq) {
  if (name.size() != kPrefix.size() + 20 + kSuffix.size()) return false;
  if (name.substr(0, kPrefix.size()) != kPrefix || name.substr(name.size() - kSuffix.size()) != kSuffix)
    return false;
  std::string_view digits = name.substr(kPrefix.size(), 20);
  unsigned long long v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    unsigned d = unsigned(c - '0');
    if (v > (~0ULL - d) / 10) return false;
    v = v * 10 + d;
  }
  first_seq = v;
  return true;
}

bool normalize_record(std::string_view record_json, std::string& compact, std::string& error) {
  return compact_object(record_json, {"seq", "prev", "kind", "jws"}, compact, error);
}

std::string make_line(uint64_t seq, std::string_view prev, std::string_view kind, std::string_view compact_record) {
  std::string line;
  line.reserve(compact_record.size() + 110);
  line += "{\"seq\":";
  line += std::to_string(seq);
  line += ",\"prev\":\"";
  line += prev;
  line += "\",\"kind\":\"";
  line += kind;
  line += '"';
  // Splice the record's members after ours: "{}" adds nothing, "{...}" adds ",...}".
  std::string_view body = compact_record.substr(1);  // after '{'
  if (body != "}") line += ',';
  line += body.empty() ? std::string_view("}") : body;
  return line;
}

std::string checkpoint_payload_json(const CheckpointPayload& p) {
  std::string out = "{\"log\":" + json_quote(p.log) + ",\"seq\":" + std::to_string(p.seq) +
                    ",\"head\":" + json_quote(p.head) + ",\"ts\":" + json_quote(p.ts);
  if (p.recovered_bytes > 0) out += ",\"recovered_bytes\":" + std::to_string(p.recovered_bytes);
  out += '}';
  return out;
}

bool parse_line(std::string_view line, LineHeader& header, std::string& error) {
  std::vector<JsonField> fields;
  if (!scan_object(line, fields, error)) return false;
  header = LineHeader{};
  header.field_count = fields.size();
  const JsonField* seq = find_field(fields, "seq");
  unsigned long long n = 0;
  if (!seq || seq->type != JsonField::Type::Number || !parse_uint64(seq->text, n)) {
    error = "missing or invalid \"seq\"";
    return false;
  }
  header.seq = n;
  const JsonField* prev = find_field(fields, "prev");
  if (!prev || prev->type != JsonField::Type::String || !is_hex64(prev->text)) {
    error = "missing or invalid \"prev\" (64 lowercase hex digits)";
    return false;
  }
  header.prev = prev->text;
  const JsonField* kind = find_field(fields, "kind");
  if (!kind || kind->type != JsonField::Type::String ||
      (kind->text != kKindDecision && kind->text != kKindOutcome && kind->text != kKindCheckpoint)) {
    error = "missing or unknown \"kind\"";
    return false;
  }
  header.kind = kind->text;
  const JsonField* jws = find_field(fields, "jws");
  if (header.kind == kKindCheckpoint) {
    if (!jws || jws->type != JsonField::Type::String) {
      error = "checkpoint without a \"jws\" string";
      return false;
    }
    // Nothing outside the signature may ride on a checkpoint line: its other bytes are covered only by the
    // next line's prev, and the last checkpoint has no next line.
    if (fields.size() != 4) {
      error = "a checkpoint line has exactly seq, prev, kind and jws";
      return false;
    }
    header.jws = jws->text;
  } else if (jws) {
    error = "only checkpoint lines carry \"jws\"";
    return false;
  }
  return true;
}

std::string rfc3339_now() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = std::time_t(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];  // sized for any int fields, so the compiler can prove no truncation
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms % 1000));
  return buf;
}

}  // namespace trex::hsm
