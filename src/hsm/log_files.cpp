// File-system helpers of the signed log (see log_files.h).
#include "hsm/log_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "hsm/log_format.h"

namespace trex::hsm {

bool list_segments(const std::string& dir, std::vector<SegmentFile>& segments, std::string& error) {
  segments.clear();
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    error = "cannot list " + dir + ": " + ec.message();
    return false;
  }
  for (const auto& entry : it) {
    std::string name = entry.path().filename().string();
    uint64_t first = 0;
    if (!parse_segment_name(name, first)) continue;
    segments.push_back(SegmentFile{name, entry.path().string(), first});
  }
  std::sort(segments.begin(), segments.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return true;
}

bool read_file(const std::string& path, std::string& content, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  content.clear();
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = "cannot read " + path + ": " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    content.append(buf, size_t(n));
  }
  ::close(fd);
  return true;
}

bool write_all(int fd, const char* data, size_t size, std::string& error) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::string("write failed: ") + std::strerror(errno);
      return false;
    }
    data += n;
    size -= size_t(n);
  }
  return true;
}

bool fsync_dir(const std::string& dir, std::string& error) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    error = "cannot fsync directory " + dir + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return false;
  }
  ::close(fd);
  return true;
}

bool ensure_dir(const std::string& dir, std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = "cannot create " + dir + ": " + ec.message();
    return false;
  }
  return true;
}

}  // namespace trex::hsm
