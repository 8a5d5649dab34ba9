// uuid.rfc4122 (random version 4 UUIDs from OpenSSL's CSPRNG, memoised per query and key) and uuid.parse
// (the fields google/uuid decodes, as OPA reports them).
#include <openssl/rand.h>

#include <array>
#include <cctype>
#include <cstdio>

#include "rego/builtins/registry.h"
#include "rego/json.h"

namespace rego {
namespace {

std::optional<Value> uuid_rfc4122(BuiltinArgs a, BuiltinContext& ctx) {
  args::string(a, 0);
  // The evaluator memoises non-deterministic built-ins too; doing it here as well keeps the contract when a
  // caller invokes the built-in directly with a memo.
  std::string key;
  if (ctx.memo) {
    key = "uuid.rfc4122" + json::write(a[0]);
    if (auto it = ctx.memo->find(key); it != ctx.memo->end()) return it->second;
  }
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw BuiltinError{"failed to generate random bytes", false};
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  Value v = Value::string(buf);
  if (ctx.memo) ctx.memo->emplace(key, v);
  return v;
}

int hex_val(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// google/uuid.Parse: canonical 36-character form, optionally in braces or behind "urn:uuid:", or 32 hex
// digits without dashes.
std::optional<std::array<uint8_t, 16>> parse_uuid(std::string_view s) {
  if (s.size() == 45) {
    std::string prefix(s.substr(0, 9));
    for (auto& c : prefix) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (prefix != "urn:uuid:") return std::nullopt;
    s.remove_prefix(9);
  } else if (s.size() == 38) {
    if (s.front() != '{' || s.back() != '}') return std::nullopt;
    s = s.substr(1, 36);
  }
  std::string hex;
  if (s.size() == 36) {
    if (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return std::nullopt;
    for (size_t i = 0; i < s.size(); ++i) {
      if (i != 8 && i != 13 && i != 18 && i != 23) hex += s[i];
    }
  } else if (s.size() == 32) {
    hex = s;
  } else {
    return std::nullopt;
  }
  std::array<uint8_t, 16> out{};
  for (size_t i = 0; i < 16; ++i) {
    int hi = hex_val(hex[2 * i]), lo = hex_val(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = uint8_t(hi << 4 | lo);
  }
  return out;
}

const char* variant_name(uint8_t b) {
  if ((b & 0xc0) == 0x80) return "RFC4122";
  if ((b & 0xe0) == 0xc0) return "Microsoft";
  if ((b & 0xe0) == 0xe0) return "Future";
  return "Reserved";
}

const char* mac_variables(uint8_t b) {
  if ((b & 3) == 3) return "local:multicast";
  if (b & 1) return "global:multicast";
  if (b & 2) return "local:unicast";
  return "global:unicast";
}

uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }
uint16_t be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }

std::optional<Value> uuid_parse(BuiltinArgs a, BuiltinContext&) {
  auto u = parse_uuid(args::string(a, 0));
  if (!u) return std::nullopt;
  const auto& b = *u;
  int version = b[6] >> 4;
  std::vector<ObjectEntry> e;
  e.emplace_back(str("version"), Value::integer(version));
  e.emplace_back(str("variant"), str(variant_name(b[8])));
  if (version == 1 || version == 2) {
    // 100-ns intervals since 1582-10-15, converted to Unix nanoseconds.
    int64_t t = int64_t(be32(&b[0])) | int64_t(be16(&b[4])) << 32 | int64_t(be16(&b[6]) & 0xfff) << 48;
    int64_t since = t - 122192928000000000LL;
    int64_t ns = (since / 10000000) * 1000000000LL + (since % 10000000) * 100;
    e.emplace_back(str("time"), Value::integer(ns));
    char node[32];
    std::snprintf(node, sizeof node, "%02x-%02x-%02x-%02x-%02x-%02x", b[10], b[11], b[12], b[13], b[14], b[15]);
    e.emplace_back(str("nodeid"), str(node));
    e.emplace_back(str("macvariables"), str(mac_variables(b[10])));
    e.emplace_back(str("clocksequence"), Value::integer(be16(&b[8]) & 0x3fff));
    if (version == 2) {
      e.emplace_back(str("id"), Value::integer(be32(&b[0])));
      static const char* const kDomains[] = {"Person", "Group", "Org"};
      e.emplace_back(str("domain"), b[9] < 3 ? str(kDomains[b[9]]) : str("Domain" + std::to_string(b[9])));
    }
  }
  return Value::object(std::move(e));
}

}  // namespace

void register_uuid(Registry& r) {
  r.add("uuid.rfc4122", 1, uuid_rfc4122, /*nondeterministic=*/true);
  r.add("uuid.parse", 1, uuid_parse);
}

}  // namespace rego
