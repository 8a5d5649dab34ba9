// The signed-log verifier (see log_verifier.h).
#include "hsm/log_verifier.h"

#include <vector>

#include "hsm/bytes.h"
#include "hsm/json_scan.h"
#include "hsm/jws.h"
#include "hsm/log_files.h"
#include "hsm/log_format.h"

namespace trex::hsm {

std::string VerifyReport::summary() const {
  if (fault) {
    return fault->file + ":" + std::to_string(fault->line) + " (seq " + std::to_string(fault->seq) +
           "): " + fault->message;
  }
  std::string s = std::to_string(lines) + " lines (" + std::to_string(decisions) + " decisions, " +
                  std::to_string(outcomes) + " outcomes, " + std::to_string(checkpoints) + " checkpoints) in " +
                  std::to_string(segments) + " segment" + (segments == 1 ? "" : "s");
  if (recoveries > 0) s += "; " + std::to_string(recoveries) + " recovery checkpoint(s)";
  return s;
}

namespace {

struct Position {
  std::string file;
  size_t line = 0;
  uint64_t seq = 0;
};

class Verifier {
 public:
  Verifier(const PublicKey& key, const VerifyOptions& options, VerifyReport& report)
      : key_(key), options_(options), report_(report) {}

  bool segment(const SegmentFile& seg, const std::string& content) {
    ++report_.segments;
    if (seg.first_seq != expect_seq_) {
      return fail({seg.name, 1, expect_seq_}, "the segment's name says it starts at seq " +
                                                  std::to_string(seg.first_seq) + ", but the chain is at seq " +
                                                  std::to_string(expect_seq_) + " (a segment is missing or extra)");
    }
    size_t pos = 0, line_no = 0;
    while (pos < content.size()) {
      ++line_no;
      size_t nl = content.find('\n', pos);
      if (nl == std::string::npos) return fail({seg.name, line_no, expect_seq_}, "torn line: no final newline");
      if (!line(std::string_view(content).substr(pos, nl - pos), {seg.name, line_no, expect_seq_})) return false;
      pos = nl + 1;
    }
    return true;
  }

  bool finish() {
    if (first_uncovered_) {
      return fail(*first_uncovered_, "this record is not covered by any later checkpoint (the log was cut "
                                     "after it, or its checkpoint was removed)");
    }
    return true;
  }

  bool fail(const Position& at, const std::string& message) {
    report_.fault = VerifyFault{at.file, at.line, at.seq, message};
    return false;
  }

 private:
  bool line(std::string_view text, const Position& at) {
    LineHeader h;
    std::string error;
    if (!parse_line(text, h, error)) return fail(at, "malformed line: " + error);
    if (h.seq != expect_seq_) {
      std::string what = h.seq > expect_seq_ ? "line(s) missing before it" : "a line out of place or inserted";
      return fail(at, "expected seq " + std::to_string(expect_seq_) + ", found seq " + std::to_string(h.seq) + " (" +
                          what + ")");
    }
    if (h.prev != prev_hash_) {
      if (at.seq == 0) return fail(at, "the first line's prev must be 64 zeros");
      // The recorded hash of the line before no longer matches its bytes: that line was altered (or this
      // line's prev was). Name the earlier one, the usual culprit, and say both.
      return fail(prev_pos_, "this line's SHA-256 does not match the prev recorded by seq " +
                                 std::to_string(h.seq) + " (" + at.file + ":" + std::to_string(at.line) +
                                 "): one of the two lines was altered");
    }
    if (h.kind == kKindCheckpoint) {
      if (!checkpoint(h, at)) return false;
      ++report_.checkpoints;
      first_uncovered_.reset();
    } else {
      if (h.kind == kKindDecision) ++report_.decisions;
      else ++report_.outcomes;
      if (!first_uncovered_) first_uncovered_ = at;
    }
    ++report_.lines;
    prev_hash_ = sha256_hex(text);
    prev_pos_ = at;
    ++expect_seq_;
    return true;
  }

  bool checkpoint(const LineHeader& h, const Position& at) {
    std::string payload, kid, error;
    if (!jws_verify(h.jws, key_, payload, kid, error)) return fail(at, "checkpoint signature: " + error);
    std::vector<JsonField> fields;
    if (!scan_object(payload, fields, error)) return fail(at, "checkpoint payload: " + error);
    const JsonField* seq = find_field(fields, "seq");
    unsigned long long n = 0;
    if (!seq || seq->type != JsonField::Type::Number || !parse_uint64(seq->text, n) || n != h.seq)
      return fail(at, "the signed payload's seq does not match the checkpoint line's seq");
    const JsonField* head = find_field(fields, "head");
    if (!head || head->type != JsonField::Type::String || head->text != h.prev)
      return fail(at, "the signed payload's head does not match the checkpoint line's prev");
    const JsonField* log = find_field(fields, "log");
    if (!log || log->type != JsonField::Type::String) return fail(at, "the signed payload has no \"log\" name");
    if (!options_.expected_log.empty() && log->text != options_.expected_log)
      return fail(at, "the checkpoint belongs to log \"" + log->text + "\", not \"" + options_.expected_log + "\"");
    if (log_name_.empty()) log_name_ = log->text;
    else if (log->text != log_name_)
      return fail(at, "the checkpoint names log \"" + log->text + "\", earlier ones \"" + log_name_ + "\"");
    const JsonField* ts = find_field(fields, "ts");
    if (!ts || ts->type != JsonField::Type::String) return fail(at, "the signed payload has no \"ts\"");
    if (find_field(fields, "recovered_bytes")) ++report_.recoveries;
    return true;
  }

  const PublicKey& key_;
  const VerifyOptions& options_;
  VerifyReport& report_;
  uint64_t expect_seq_ = 0;
  std::string prev_hash_{kZeroHash};
  Position prev_pos_;
  std::optional<Position> first_uncovered_;
  std::string log_name_;
};

}  // namespace

VerifyReport verify_log(const std::string& dir, const PublicKey& key, const VerifyOptions& options) {
  VerifyReport report;
  Verifier v(key, options, report);
  std::vector<SegmentFile> segments;
  std::string error;
  if (!list_segments(dir, segments, error)) {
    v.fail({dir, 0, 0}, error);
    return report;
  }
  if (segments.empty()) {
    v.fail({dir, 0, 0}, "no segment files (decisions-<seq>.jsonl) in the directory");
    return report;
  }
  for (const auto& seg : segments) {
    std::string content;
    if (!read_file(seg.path, content, error)) {
      v.fail({seg.name, 0, 0}, error);
      return report;
    }
    if (!v.segment(seg, content)) return report;
  }
  v.finish();
  return report;
}

}  // namespace trex::hsm
