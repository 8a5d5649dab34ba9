// gzip for HTTP bodies (Content-Encoding / Accept-Encoding), on zlib.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace trex::server {

// Compresses data into a gzip stream at the given zlib level (1..9; -1 = zlib's default).
std::string gzip_compress(std::string_view data, int level = -1);

enum class GunzipStatus { Ok, Corrupt, TooLarge };

// Decompresses a gzip stream; stops with TooLarge as soon as the output would exceed max_size bytes, so a
// small "zip bomb" cannot exhaust memory.
GunzipStatus gzip_decompress(std::string_view data, size_t max_size, std::string& out);

// Whether an Accept-Encoding header value accepts gzip (a "gzip" token not weighted q=0).
bool accepts_gzip(std::string_view accept_encoding);

}  // namespace trex::server
