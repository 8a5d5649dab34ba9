// libFuzzer target: the REST API (src/server/api.h) — routing, the Data, Policy, Query, health, status, config,
// metrics and agent handlers — on requests built from the fuzz bytes, over an in-memory store holding a small
// policy set and data. No sockets: what the transport (http_server.cpp) would hand the handlers is built
// here, including its gzip decoding and target parsing, and its catch of std::exception (a 500).
//
// Input format (text, so seeds are readable and the dictionary helps): one or more requests separated by a
// line "~~~", each
//     METHOD SP TARGET [SP HTTP/1.1] LF
//     name: value LF        (headers, any number; names are lower-cased as the transport does)
//     LF
//     body…
// A first-request header "x-fuzz-authz: 1" turns on token authentication and basic authorization (the policy
// below has a system.authz), "x-fuzz-immutable: 1" immutable mode. The requests of one input run in order
// on a fresh server context, so a PUT of a policy or data is seen by the requests after it.
#include <netdb.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rego/json.h"
#include "server/api.h"
#include "server/gzip.h"
#include "server/http_message.h"

// No network, whatever a fuzzed policy asks for: the Policy and Query APIs accept arbitrary Rego, which may call
// http.send or net.lookup_ip_addr. This binary's own socket, connect and getaddrinfo take precedence over
// libc's (and over the sanitizers' weak interceptors), so every attempt fails at once and deterministically,
// as with no network at all. Nothing else in the API handlers opens sockets.
extern "C" int socket(int, int, int) noexcept {
  errno = EACCES;
  return -1;
}
extern "C" int connect(int, const struct sockaddr*, socklen_t) {
  errno = ENETUNREACH;
  return -1;
}
extern "C" int getaddrinfo(const char*, const char*, const struct addrinfo*, struct addrinfo**) { return EAI_FAIL; }

namespace {

using namespace trex::server;

constexpr const char* kAuthzPolicy = R"(package authz

import rego.v1

default allow := false

allow if {
	input.method == "GET"
	input.user.roles[_] == "admin"
}

allow if {
	some i
	data.users[i].name == input.user.name
	input.path == ["accounts", input.user.name]
}

violations contains msg if {
	some r in input.resources
	not r.owner
	msg := sprintf("resource %v has no owner", [r.id])
}
)";

constexpr const char* kSystemPolicy = R"(package system

import rego.v1

main := {"allowed": data.authz.allow}
)";

constexpr const char* kSystemAuthzPolicy = R"(package system.authz

import rego.v1

default allow := false

allow if input.identity == "secret"

allow if {
	input.method == "GET"
	input.path[0] == "health"
}
)";

constexpr const char* kTreePolicy = R"(package tre

import rego.v1

decision := {"allow": input.action.kind != "delete", "reason": "fuzz"}
)";

constexpr const char* kData = R"({"users": [{"name": "alice", "roles": ["admin"]}, {"name": "bob", "roles": []}],
  "limits": {"max": 10, "ratio": 0.5}, "tags": ["a", "b", "c"]})";

struct ParsedRequest {
  HttpRequest req;
  bool gzip = false;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Reads one line (without its LF, or the rest) from `in`.
std::string_view take_line(std::string_view& in) {
  size_t nl = in.find('\n');
  std::string_view line = in.substr(0, nl);
  in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
  return line;
}

ParsedRequest parse_request(std::string_view text) {
  ParsedRequest p;
  std::string_view line = trim(take_line(text));
  size_t sp = line.find(' ');
  p.req.method = std::string(line.substr(0, sp));
  if (sp != std::string_view::npos) {
    std::string_view rest = trim(line.substr(sp + 1));
    size_t sp2 = rest.rfind(' ');
    if (sp2 != std::string_view::npos && rest.substr(sp2 + 1).substr(0, 5) == "HTTP/") rest = rest.substr(0, sp2);
    p.req.target = std::string(rest);
  }
  while (!text.empty()) {
    std::string_view h = take_line(text);
    if (trim(h).empty()) break;
    size_t colon = h.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name = lower(trim(h.substr(0, colon)));
    std::string value(trim(h.substr(colon + 1)));
    if (name == "content-encoding" && lower(value) == "gzip") p.gzip = true;
    p.req.headers.emplace_back(std::move(name), std::move(value));
  }
  p.req.body = std::string(text);
  p.req.remote_addr = "127.0.0.1:40000";
  return p;
}

std::unique_ptr<ServerContext> make_context(bool authz, bool immutable) {
  auto ctx = std::make_unique<ServerContext>();
  ctx->config.query_timeout = std::chrono::milliseconds(2000);  // a runaway policy ends in an error
  ctx->config.immutable = immutable;
  ctx->config.authentication = authz ? Authentication::Token : Authentication::Off;
  ctx->config.authorization_basic = authz;
  ctx->version = "fuzz";
  ctx->started = std::chrono::system_clock::time_point{};  // deterministic uptime base
  auto txn = ctx->store.begin();
  auto data = rego::json::parse(kData);
  txn.write(PatchOp::Add, {}, data.value);
  txn.upsert_policy("authz.rego", kAuthzPolicy);
  txn.upsert_policy("system.rego", kSystemPolicy);
  txn.upsert_policy("system_authz.rego", kSystemAuthzPolicy);
  txn.upsert_policy("tre.rego", kTreePolicy);
  if (txn.commit()) __builtin_trap();  // the fixed policy set must compile
  return ctx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256 * 1024) return -1;
  std::string_view all(reinterpret_cast<const char*>(data), size);

  std::vector<std::string_view> parts;
  while (parts.size() < 8) {
    size_t sep = all.find("\n~~~\n");
    if (sep == std::string_view::npos) {
      parts.push_back(all);
      break;
    }
    parts.push_back(all.substr(0, sep));
    all.remove_prefix(sep + 5);
  }

  std::unique_ptr<ServerContext> ctx;
  for (size_t i = 0; i < parts.size(); ++i) {
    ParsedRequest p = parse_request(parts[i]);
    if (!ctx) {
      bool authz = !p.req.header("x-fuzz-authz").empty();
      bool immutable = !p.req.header("x-fuzz-immutable").empty();
      ctx = make_context(authz, immutable);
    }
    HttpResponse res;
    if (p.gzip) {
      std::string body;
      if (gzip_decompress(p.req.body, 1 << 20, body) != GunzipStatus::Ok) continue;  // transport answers 400/413
      p.req.body = std::move(body);
    }
    if (!parse_target(p.req)) continue;  // transport answers 400
    try {
      handle_request(*ctx, p.req, res);
    } catch (const std::exception&) {
      continue;  // transport answers 500
    }
    if (res.later) __builtin_trap();  // no decision sinks are configured: nothing may defer
    // The response a client would see: a gzip round-trip of its body must give it back.
    if (res.body.size() > 64 && res.body.size() < 4096) {
      std::string back;
      if (gzip_decompress(gzip_compress(res.body, 1), 1 << 20, back) != GunzipStatus::Ok || back != res.body)
        __builtin_trap();
    }
  }
  return 0;
}
