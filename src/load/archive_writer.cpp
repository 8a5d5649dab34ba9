// Writing .tar.gz archives with libarchive (see archive_writer.h).
#include "load/archive_writer.h"

#include <archive.h>
#include <archive_entry.h>

#include <ctime>
#include <memory>

namespace trex::load {

std::string write_tar_gz(const ArchiveFiles& files, std::string& error) {
  // `out` first, so it outlives the archive: freeing an archive that failed mid-write (a.'s deleter, on an early
  // return) still flushes through `writer` into it.
  std::string out;
  std::unique_ptr<struct archive, decltype(&archive_write_free)> a(archive_write_new(), &archive_write_free);
  auto fail = [&](const char* what) {
    const char* msg = a ? archive_error_string(a.get()) : nullptr;
    error = std::string(what) + ": " + (msg ? msg : "out of memory");
    return std::string();
  };
  if (!a) return fail("archive write failed");
  // ustar as Go's archive/tar writes for short names; pax only when a name needs it.
  if (archive_write_add_filter_gzip(a.get()) != ARCHIVE_OK || archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK)
    return fail("archive write failed");
  auto writer = [](struct archive*, void* client, const void* buf, size_t n) -> la_ssize_t {
    static_cast<std::string*>(client)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  };
  if (archive_write_open(a.get(), &out, nullptr, writer, nullptr) != ARCHIVE_OK) return fail("archive write failed");
  const time_t now = std::time(nullptr);
  for (const auto& [name, bytes] : files) {
    std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(), &archive_entry_free);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(bytes.size()));
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_mtime(e.get(), now, 0);
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) return fail(("failed to write " + name).c_str());
    if (!bytes.empty() && archive_write_data(a.get(), bytes.data(), bytes.size()) != static_cast<la_ssize_t>(bytes.size()))
      return fail(("failed to write " + name).c_str());
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return fail("archive write failed");
  return out;
}

}  // namespace trex::load
