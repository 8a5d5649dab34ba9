// gzip on zlib (gzip.h). windowBits 15+16 selects the gzip wrapper in both directions.
#include "server/gzip.h"

#include <zlib.h>

#include <cctype>
#include <cstdlib>
#include <string>

namespace trex::server {

std::string gzip_compress(std::string_view data, int level) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);  // the bound guarantees one call finishes
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

GunzipStatus gzip_decompress(std::string_view data, size_t max_size, std::string& out) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return GunzipStatus::Corrupt;
  out.clear();
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  char chunk[16384];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return GunzipStatus::Corrupt;
    }
    size_t produced = sizeof chunk - zs.avail_out;
    if (out.size() + produced > max_size) {
      inflateEnd(&zs);
      return GunzipStatus::TooLarge;
    }
    out.append(chunk, produced);
    if (rc == Z_OK && zs.avail_in == 0 && produced == 0) {  // truncated stream
      inflateEnd(&zs);
      return GunzipStatus::Corrupt;
    }
  }
  inflateEnd(&zs);
  return GunzipStatus::Ok;
}

bool accepts_gzip(std::string_view v) {
  size_t pos = 0;
  while (pos < v.size()) {
    size_t comma = v.find(',', pos);
    std::string_view item = v.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    pos = comma == std::string_view::npos ? v.size() : comma + 1;
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.remove_prefix(1);
    auto semi = item.find(';');
    std::string_view token = item.substr(0, semi);
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.remove_suffix(1);
    if (token != "gzip" && token != "*") continue;
    if (semi != std::string_view::npos) {
      auto q = item.find("q=", semi);
      if (q != std::string_view::npos && std::strtod(std::string(item.substr(q + 2)).c_str(), nullptr) <= 0) continue;
    }
    return true;
  }
  return false;
}

}  // namespace trex::server
