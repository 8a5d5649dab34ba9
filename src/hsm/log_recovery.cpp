// Signed-log recovery (see log_recovery.h).
#include "hsm/log_recovery.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "hsm/bytes.h"
#include "hsm/log_files.h"
#include "hsm/log_format.h"

namespace trex::hsm {

namespace {

// The last complete line of a segment file (its content must end in '\n'), or false when it has none.
bool last_line(const std::string& content, std::string_view& line) {
  if (content.empty() || content.back() != '\n') return false;
  size_t end = content.size() - 1;  // the final '\n'
  size_t nl = end == 0 ? std::string::npos : content.rfind('\n', end - 1);
  size_t start = nl == std::string::npos ? 0 : nl + 1;
  line = std::string_view(content).substr(start, end - start);
  return true;
}

bool cut_file(const std::string& path, uint64_t size, std::string& error) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0 || ::ftruncate(fd, off_t(size)) != 0 || ::fsync(fd) != 0) {
    error = "cannot cut the torn line of " + path + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return false;
  }
  ::close(fd);
  return true;
}

}  // namespace

bool recover_log(const std::string& dir, LogTail& tail, std::string& error) {
  tail = LogTail{};
  tail.prev = std::string(kZeroHash);
  if (!ensure_dir(dir, error)) return false;
  std::vector<SegmentFile> segments;
  if (!list_segments(dir, segments, error)) return false;
  if (segments.empty()) return true;

  const SegmentFile& last = segments.back();
  // Where the last segment's chain starts: after the previous segment's last line.
  uint64_t expect_seq = 0;
  std::string prev(kZeroHash);
  if (segments.size() >= 2) {
    const SegmentFile& before = segments[segments.size() - 2];
    std::string content;
    if (!read_file(before.path, content, error)) return false;
    std::string_view line;
    LineHeader h;
    if (!last_line(content, line) || !parse_line(line, h, error)) {
      error = before.name + ": the last line is incomplete or malformed; run `trex log verify`";
      return false;
    }
    expect_seq = h.seq + 1;
    prev = sha256_hex(line);
  }
  if (last.first_seq != expect_seq) {
    error = last.name + ": the segment name says seq " + std::to_string(last.first_seq) + ", the chain is at seq " +
            std::to_string(expect_seq);
    return false;
  }

  std::string content;
  if (!read_file(last.path, content, error)) return false;
  size_t good_end = content.rfind('\n');
  good_end = good_end == std::string::npos ? 0 : good_end + 1;
  if (good_end < content.size()) {
    // A crash between write() and its end: the bytes after the last newline never formed a line.
    tail.cut_bytes = content.size() - good_end;
    if (!cut_file(last.path, good_end, error)) return false;
    if (!fsync_dir(dir, error)) return false;
    content.resize(good_end);
  }

  size_t pos = 0;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    std::string_view line = std::string_view(content).substr(pos, nl - pos);
    LineHeader h;
    std::string why;
    if (!parse_line(line, h, why) || h.seq != expect_seq || h.prev != prev) {
      if (why.empty()) why = h.seq != expect_seq ? "expected seq " + std::to_string(expect_seq) : "prev hash mismatch";
      error = last.name + ": seq " + std::to_string(expect_seq) + ": " + why +
              "; the log is damaged (run `trex log verify`); refusing to append after it";
      return false;
    }
    tail.uncovered = h.kind == kKindCheckpoint ? 0 : tail.uncovered + 1;
    prev = sha256_hex(line);
    ++expect_seq;
    pos = nl + 1;
  }
  tail.next_seq = expect_seq;
  tail.prev = prev;
  tail.segment_path = last.path;
  tail.segment_size = content.size();
  return true;
}

}  // namespace trex::hsm
