// Reading .tar.gz archives with libarchive (see archive.h).
#include "load/archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace trex::load {
namespace {

using ArchivePtr = std::unique_ptr<struct archive, decltype(&archive_read_free)>;

std::string archive_message(struct archive* a) {
  const char* msg = archive_error_string(a);
  return msg ? msg : "corrupt archive data";
}

// Names that could point outside the bundle root once joined to a directory.
bool unsafe_name(const std::string& name) {
  if (name.empty() || name.find('\0') != std::string::npos) return true;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    if (name.compare(start, end - start, "..") == 0 && end - start == 2) return true;
    start = end + 1;
  }
  return false;
}

ArchiveResult read_all(struct archive* a, uint64_t max_bytes) {
  ArchiveResult out;
  uint64_t total = 0;
  struct archive_entry* entry = nullptr;
  while (true) {
    int r = archive_read_next_header(a, &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {  // WARN (e.g. an unknown pax keyword) still yields a usable header
      out.error = "archive read failed: " + archive_message(a);
      return out;
    }
    const char* raw_name = archive_entry_pathname(entry);
    std::string name = raw_name ? raw_name : "";
    // Hard links carry the regular-file type but no data of their own; OPA reads only real files.
    if (archive_entry_filetype(entry) != AE_IFREG || archive_entry_hardlink(entry) != nullptr) continue;
    if (unsafe_name(name)) {
      out.error = "unsafe path in archive: '" + name + "'";
      return out;
    }
    ArchiveEntry file{name, {}};
    char buf[64 * 1024];
    while (true) {
      la_ssize_t n = archive_read_data(a, buf, sizeof buf);
      if (n == 0) break;
      if (n < 0) {
        out.error = "failed to copy file " + name + ": " + archive_message(a);
        return out;
      }
      total += static_cast<uint64_t>(n);
      if (total > max_bytes) {
        out.error = "bundle exceeds the size limit of " + std::to_string(max_bytes) + " bytes (at file '" + name +
                    "')";
        return out;
      }
      file.bytes.append(buf, static_cast<size_t>(n));
    }
    out.entries.push_back(std::move(file));
  }
  return out;
}

ArchivePtr new_reader() {
  ArchivePtr a(archive_read_new(), &archive_read_free);
  if (a) {
    // Only what a bundle is: gzip around tar (ustar, pax, GNU). Other formats are errors, not guesses.
    archive_read_support_filter_gzip(a.get());
    archive_read_support_format_tar(a.get());
  }
  return a;
}

}  // namespace

ArchiveResult read_tar_gz(const std::string& path, uint64_t max_bytes) {
  ArchivePtr a = new_reader();
  if (!a) return {{}, "archive read failed: out of memory"};
  if (archive_read_open_filename(a.get(), path.c_str(), 64 * 1024) != ARCHIVE_OK)
    return {{}, "archive read failed: " + archive_message(a.get())};
  return read_all(a.get(), max_bytes);
}

ArchiveResult read_tar_gz_bytes(const std::string& bytes, uint64_t max_bytes) {
  ArchivePtr a = new_reader();
  if (!a) return {{}, "archive read failed: out of memory"};
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK)
    return {{}, "archive read failed: " + archive_message(a.get())};
  return read_all(a.get(), max_bytes);
}

}  // namespace trex::load
