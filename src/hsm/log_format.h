// The signed decision log's on-disk format (issue 5, "The signed log — exact format"):
//  - a directory of segment files `decisions-<first seq, 20 digits>.jsonl`, lexical order = log order;
//  - one JSON object per line, ending in '\n': {"seq":N,"prev":"<hex SHA-256 of the previous line's bytes
//    without its newline; 64 zeros for seq 0>","kind":"decision"|"outcome"|"checkpoint", ...};
//  - a checkpoint line is {"seq","prev","kind":"checkpoint","jws"} where jws is a compact JWS (ES256) whose
//    payload is {"log","seq":<its seq>,"head":<its prev>,"ts"[,"recovered_bytes"]}.
// This unit builds and reads lines; it does no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace trex::hsm {

inline constexpr std::string_view kZeroHash = "0000000000000000000000000000000000000000000000000000000000000000";
inline constexpr std::string_view kKindDecision = "decision";
inline constexpr std::string_view kKindOutcome = "outcome";
inline constexpr std::string_view kKindCheckpoint = "checkpoint";

std::string segment_name(uint64_t first_seq);
// True for "decisions-<20 digits>.jsonl", with the number in `first_seq`.
bool parse_segment_name(std::string_view name, uint64_t& first_seq);

// The record's fields in compact one-line form, ready for make_line. False when the record is not one
// JSON object or has a top-level seq, prev, kind or jws of its own.
bool normalize_record(std::string_view record_json, std::string& compact, std::string& error);

// {"seq":N,"prev":"...","kind":"..." followed by the record's own members. `compact_record` is an object
// text from normalize_record (or "{}"). No trailing newline.
std::string make_line(uint64_t seq, std::string_view prev, std::string_view kind, std::string_view compact_record);

struct CheckpointPayload {
  std::string log;
  uint64_t seq = 0;
  std::string head;
  std::string ts;
  uint64_t recovered_bytes = 0;  // written only when non-zero
};
std::string checkpoint_payload_json(const CheckpointPayload& p);

// The fields every line has, and the JWS of a checkpoint.
struct LineHeader {
  uint64_t seq = 0;
  std::string prev;
  std::string kind;
  std::string jws;         // checkpoint lines only
  size_t field_count = 0;  // top-level members
};
// False with `error` when the line is not a JSON object with a non-negative integer seq, a 64-hex prev and
// a known kind (and, for checkpoints, a string jws and no other members).
bool parse_line(std::string_view line, LineHeader& header, std::string& error);

// RFC 3339 UTC with milliseconds: "2026-11-26T15:53:27.123Z".
std::string rfc3339_now();

}  // namespace trex::hsm
