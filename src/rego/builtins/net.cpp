// net.cidr_* and net.lookup_ip_addr, following Go's net package (which OPA uses): strict address syntax, an
// IPv4-mapped IPv6 address treated as IPv4, Go's address formatting, and OPA's (Cilium's) CIDR merging.
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

#include "rego/builtins/registry.h"

namespace rego {
namespace {

using u128 = unsigned __int128;

[[noreturn]] void fail(std::string msg) { throw BuiltinError{std::move(msg), false}; }

// An address: IPv4 (value in the low 32 bits) or IPv6.
struct Addr {
  bool v4 = false;
  u128 value = 0;
};

int bits_of(bool v4) { return v4 ? 32 : 128; }

constexpr u128 kV4MappedPrefix = u128(0xffff) << 32;

bool is_v4_mapped(u128 v) { return (v >> 32) == 0xffff; }

// Go's To4(): IPv4-mapped IPv6 addresses are IPv4 addresses.
Addr to4(Addr a) {
  if (!a.v4 && is_v4_mapped(a.value)) return {true, a.value & 0xffffffffu};
  return a;
}

std::optional<uint32_t> parse_v4(std::string_view s) {
  uint32_t out = 0;
  int parts = 0;
  while (true) {
    size_t n = 0;
    uint32_t v = 0;
    while (n < s.size() && n < 4 && s[n] >= '0' && s[n] <= '9') v = v * 10 + uint32_t(s[n++] - '0');
    if (n == 0 || n > 3 || v > 255 || (n > 1 && s[0] == '0')) return std::nullopt;  // no leading zeros
    out = out << 8 | v;
    s.remove_prefix(n);
    if (++parts == 4) break;
    if (s.empty() || s[0] != '.') return std::nullopt;
    s.remove_prefix(1);
  }
  if (!s.empty()) return std::nullopt;
  return out;
}

int hexv(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's netip.ParseAddr for IPv6 (no zones): hex groups, one "::", an optional trailing dotted IPv4 part.
std::optional<u128> parse_v6(std::string_view s) {
  std::array<uint16_t, 8> groups{};
  int n = 0, ellipsis = -1;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    ellipsis = 0;
    s.remove_prefix(2);
    if (s.empty()) return u128(0);
  }
  while (!s.empty()) {
    size_t len = 0;
    uint32_t v = 0;
    while (len < s.size() && hexv(s[len]) >= 0 && len < 5) v = v * 16 + uint32_t(hexv(s[len++]));
    if (len < s.size() && s[len] == '.') {  // embedded IPv4 in the last 32 bits
      if (n > 6) return std::nullopt;
      auto v4 = parse_v4(s);
      if (!v4) return std::nullopt;
      groups[size_t(n++)] = uint16_t(*v4 >> 16);
      groups[size_t(n++)] = uint16_t(*v4 & 0xffff);
      s = {};
      break;
    }
    if (len == 0 || len > 4 || n == 8) return std::nullopt;
    groups[size_t(n++)] = uint16_t(v);
    s.remove_prefix(len);
    if (s.empty()) break;
    if (s[0] != ':') return std::nullopt;
    s.remove_prefix(1);
    if (!s.empty() && s[0] == ':') {
      if (ellipsis >= 0) return std::nullopt;
      ellipsis = n;
      s.remove_prefix(1);
      if (s.empty()) break;
    } else if (s.empty()) {
      return std::nullopt;  // trailing single colon
    }
  }
  if (ellipsis >= 0) {
    if (n == 8) return std::nullopt;  // "::" must stand for at least one group
    int shift = 8 - n;
    for (int i = n - 1; i >= ellipsis; --i) groups[size_t(i + shift)] = groups[size_t(i)];
    for (int i = ellipsis; i < ellipsis + shift; ++i) groups[size_t(i)] = 0;
  } else if (n != 8) {
    return std::nullopt;
  }
  u128 v = 0;
  for (auto g : groups) v = v << 16 | g;
  return v;
}

std::optional<Addr> parse_addr(std::string_view s) {
  if (s.find(':') == std::string_view::npos) {
    auto v = parse_v4(s);
    if (!v) return std::nullopt;
    return Addr{true, *v};
  }
  auto v = parse_v6(s);
  if (!v) return std::nullopt;
  return Addr{false, *v};
}

// Go's IP.String(): dotted IPv4 (also for IPv4-mapped), else RFC 5952 compressed hex.
std::string format_addr(Addr a) {
  a = to4(a);
  char buf[64];
  if (a.v4) {
    uint32_t v = uint32_t(a.value);
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
    return buf;
  }
  std::array<uint16_t, 8> g;
  for (int i = 0; i < 8; ++i) g[size_t(i)] = uint16_t(a.value >> (16 * (7 - i)));
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && g[size_t(j)] == 0) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j > i ? j : i + 1;
  }
  if (best_len < 2) best = -1;  // "::" never shortens a single group
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof buf, "%x", g[size_t(i)]);
    out += buf;
  }
  return out;
}

// A network as Go's IPNet after networkNumberAndMask: IPv4-mapped networks count as IPv4.
struct Net {
  bool v4 = false;
  u128 addr = 0;  // the address as written (Go keeps the unmasked IP for plain IPs in cidr_merge)
  int prefix = 0;
};

u128 mask_of(bool v4, int prefix) {
  int bits = bits_of(v4);
  if (prefix <= 0) return 0;
  u128 all = v4 ? u128(0xffffffffu) : ~u128(0);
  return prefix >= bits ? all : (all << (bits - prefix)) & all;
}

u128 first_of(const Net& n) { return n.addr & mask_of(n.v4, n.prefix); }
u128 last_of(const Net& n) { return first_of(n) | (~mask_of(n.v4, n.prefix) & mask_of(n.v4, bits_of(n.v4))); }

Net normalize(Net n) {
  if (!n.v4 && is_v4_mapped(n.addr & mask_of(false, n.prefix))) {
    return Net{true, n.addr & 0xffffffffu, std::max(n.prefix - 96, 0)};
  }
  return n;
}

// OPA names operand 1 whichever argument of the cidr built-ins is not a string.
[[noreturn]] void string_type_error(const Value& v) {
  throw BuiltinError{std::string("operand 1 must be string but got ") + v.type_name(), true};
}

// net.ParseCIDR: "address/prefix", the address masked.
std::optional<Net> parse_cidr(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto a = parse_addr(s.substr(0, slash));
  std::string_view p = s.substr(slash + 1);
  if (!a || p.empty() || p.size() > 7 || p.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  int prefix = 0;
  std::from_chars(p.data(), p.data() + p.size(), prefix);  // digits only, at most 7 of them: always fits
  if (prefix > bits_of(a->v4)) return std::nullopt;
  Net n{a->v4, a->value & mask_of(a->v4, prefix), prefix};
  return normalize(n);
}

Net cidr_operand(const Value& v) {
  if (!v.is_string()) string_type_error(v);
  auto n = parse_cidr(v.as_string());
  if (!n) fail("invalid CIDR address: " + v.as_string());
  return *n;
}

bool contains(const Net& n, Addr ip) {
  ip = to4(ip);
  if (ip.v4 != n.v4) return false;
  u128 m = mask_of(n.v4, n.prefix);
  return (ip.value & m) == (n.addr & m);
}

// net.cidr_contains: b is an address or a network (contained when its first and last addresses are).
bool cidr_contains(const Value& va, const Value& vb) {
  Net a = cidr_operand(va);
  if (!vb.is_string()) string_type_error(vb);
  const std::string& b = vb.as_string();
  if (b.find('/') == std::string::npos) {
    if (auto ip = parse_addr(b)) return contains(a, *ip);
  }
  auto nb = parse_cidr(b);
  if (!nb) fail("not a valid textual representation of an IP address or CIDR: " + b);
  return contains(a, {nb->v4, first_of(*nb)}) && contains(a, {nb->v4, last_of(*nb)});
}

std::optional<Value> net_cidr_contains(BuiltinArgs a, BuiltinContext&) { return Value::boolean(cidr_contains(a[0], a[1])); }

std::optional<Value> net_cidr_intersects(BuiltinArgs a, BuiltinContext&) {
  Net x = cidr_operand(a[0]);
  Net y = cidr_operand(a[1]);
  return Value::boolean(contains(x, {y.v4, first_of(y)}) || contains(y, {x.v4, first_of(x)}));
}

std::optional<Value> net_cidr_is_valid(BuiltinArgs a, BuiltinContext&) {
  return Value::boolean(a[0].is_string() && parse_cidr(a[0].as_string()).has_value());
}

// Expanding more addresses than this is refused rather than exhausting memory.
constexpr u128 kMaxExpand = u128(1) << 24;

std::optional<Value> net_cidr_expand(BuiltinArgs a, BuiltinContext&) {
  const std::string& s = args::string(a, 0);
  auto n = parse_cidr(s);
  if (!n) fail("invalid CIDR address: " + s);
  u128 first = first_of(*n), last = last_of(*n);
  if (last - first >= kMaxExpand) fail("too many addresses to expand: " + s);
  std::vector<Value> out;
  for (u128 v = first;; ++v) {
    out.push_back(Value::string(format_addr({n->v4, v})));
    if (v == last) break;
  }
  return Value::set(std::move(out));
}

// ---------------------------------------------------------------- net.cidr_contains_matches

// Visits (cidr, index) pairs of an operand: a string (itself as index), or the elements of an array (index
// position), set (index the element) or object (index the key); an element is a string or a non-empty array
// whose first item is the CIDR.
template <typename Fn>
void each_cidr(int operand, const Value& v, Fn fn) {
  auto cidr_of = [&](const Value& e) -> const Value& {
    if (e.is_string()) return e;
    if (e.is_array() && !e.as_array().empty()) return e.as_array()[0];
    fail("operand " + std::to_string(operand) + ": element must be string or non-empty array");
  };
  switch (v.kind()) {
    case Kind::String:
      fn(v, v);
      break;
    case Kind::Array: {
      const auto& arr = v.as_array();
      for (size_t i = 0; i < arr.size(); ++i) fn(cidr_of(arr[i]), Value::integer(int64_t(i)));
      break;
    }
    case Kind::Set:
      for (const auto& e : v.as_set()) fn(cidr_of(e), e);
      break;
    case Kind::Object:
      for (const auto& [k, e] : v.as_object()) fn(cidr_of(e), k);
      break;
    default:
      break;
  }
}

std::optional<Value> net_cidr_contains_matches(BuiltinArgs a, BuiltinContext&) {
  std::vector<Value> out;
  each_cidr(1, a[0], [&](const Value& c1, const Value& i1) {
    each_cidr(2, a[1], [&](const Value& c2, const Value& i2) {
      if (cidr_contains(c1, c2)) out.push_back(Value::array({i1, i2}));
    });
  });
  return Value::set(std::move(out));
}

// ---------------------------------------------------------------- net.cidr_merge

// One input network as a range of the shared 128-bit space (IPv4 as IPv4-mapped IPv6).
struct Range {
  u128 first, last;
  std::optional<std::string> original;  // the input's own text form while it stays unmerged
};

std::string net_string(bool v4, u128 addr, int prefix) { return format_addr({v4, addr}) + "/" + std::to_string(prefix); }

// An element of net.cidr_merge: a CIDR, or a plain IPv4 address, which Go gives its classful default mask
// (the address itself stays unmasked in the output).
Range merge_element(const Value& e) {
  if (!e.is_string()) fail("element must be string");
  const std::string& s = e.as_string();
  Net n;
  if (auto ip = parse_addr(s); ip && s.find('/') == std::string::npos) {
    Addr a = to4(*ip);
    if (!a.v4) fail("IPv6 invalid: needs prefix length");
    uint32_t top = uint32_t(a.value >> 24);
    n = Net{true, a.value, top < 0x80 ? 8 : top < 0xc0 ? 16 : 24};
  } else {
    auto c = parse_cidr(s);
    if (!c) fail("invalid CIDR address: " + s);
    n = *c;
  }
  u128 base = n.v4 ? kV4MappedPrefix : 0;
  return {base | first_of(n), base | last_of(n), net_string(n.v4, n.addr, n.prefix)};
}

// The fewest CIDRs covering [first, last].
void range_to_cidrs(u128 first, u128 last, std::vector<Value>& out) {
  bool v4 = is_v4_mapped(first) && is_v4_mapped(last);
  int bits = v4 ? 32 : 128;
  while (true) {
    int size = 0;  // log2 of the block
    while (size < bits) {
      if (size + 1 == 128) {  // the whole IPv6 space
        if (first != 0 || last != ~u128(0)) break;
      } else {
        u128 block = u128(1) << (size + 1);
        if ((first & (block - 1)) != 0 || last - first < block - 1) break;
      }
      ++size;
    }
    u128 addr = v4 ? first & 0xffffffffu : first;
    out.push_back(Value::string(net_string(v4, addr, bits - size)));
    u128 end = size == 128 ? ~u128(0) : first + ((u128(1) << size) - 1);
    if (end >= last) break;
    first = end + 1;
  }
}

std::optional<Value> net_cidr_merge(BuiltinArgs a, BuiltinContext&) {
  if (!a[0].is_array() && !a[0].is_set()) fail("operand must be an array");
  std::vector<Range> ranges;
  for (const auto& e : a[0].is_array() ? a[0].as_array() : a[0].as_set()) ranges.push_back(merge_element(e));
  std::sort(ranges.begin(), ranges.end(), [](const Range& x, const Range& y) {
    return x.last != y.last ? x.last < y.last : x.first < y.first;
  });
  // From the end, fold each range into its predecessor when they overlap or touch.
  for (size_t i = ranges.size(); i-- > 1;) {
    u128 f = ranges[i].first;
    u128 prev = (f == kV4MappedPrefix || f == 0) ? f : f - 1;
    if (prev <= ranges[i - 1].last) {
      ranges[i - 1] = Range{std::min(ranges[i - 1].first, f), ranges[i].last, std::nullopt};
      ranges.erase(ranges.begin() + long(i));
    }
  }
  std::vector<Value> out;
  for (const auto& r : ranges) {
    if (r.original) {
      out.push_back(Value::string(*r.original));
    } else {
      range_to_cidrs(r.first, r.last, out);
    }
  }
  return Value::set(std::move(out));
}

// ---------------------------------------------------------------- net.lookup_ip_addr

std::optional<Value> net_lookup_ip_addr(BuiltinArgs a, BuiltinContext& ctx) {
  const std::string& name = args::string(a, 0);
  if (!net_host_allowed(ctx, name)) fail("unallowed host: " + name);
  if (auto ip = parse_addr(name)) return Value::set({Value::string(format_addr(*ip))});
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(name.c_str(), nullptr, &hints, &res);
  if (rc != 0) {
    std::string why = (rc == EAI_NONAME || rc == EAI_NODATA) ? "no such host" : gai_strerror(rc);
    fail("lookup " + name + ": " + why);
  }
  std::vector<Value> out;
  for (addrinfo* p = res; p; p = p->ai_next) {
    Addr addr;
    if (p->ai_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(p->ai_addr);
      const auto* b = reinterpret_cast<const uint8_t*>(&sin->sin_addr);
      addr = {true, u128(uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3])};
    } else if (p->ai_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(p->ai_addr);
      const auto* b = reinterpret_cast<const uint8_t*>(&sin6->sin6_addr);
      u128 v = 0;
      for (int i = 0; i < 16; ++i) v = v << 8 | b[i];
      addr = {false, v};
    } else {
      continue;
    }
    out.push_back(Value::string(format_addr(addr)));
  }
  freeaddrinfo(res);
  return Value::set(std::move(out));
}

}  // namespace

void register_net(Registry& r) {
  r.add("net.cidr_contains", 2, net_cidr_contains);
  r.add("net.cidr_overlap", 2, net_cidr_contains);  // deprecated alias, as in OPA
  r.add("net.cidr_intersects", 2, net_cidr_intersects);
  r.add("net.cidr_is_valid", 1, net_cidr_is_valid);
  r.add("net.cidr_expand", 1, net_cidr_expand);
  r.add("net.cidr_contains_matches", 2, net_cidr_contains_matches);
  r.add("net.cidr_merge", 1, net_cidr_merge);
  r.add_network("net.lookup_ip_addr", 1, net_lookup_ip_addr);
}

}  // namespace rego
