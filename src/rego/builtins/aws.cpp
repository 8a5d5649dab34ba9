// providers.aws.sign_req: AWS Signature Version 4 for an http.send request object, as OPA's
// topdown/providers.go and internal/providers/aws (SignV4) do it.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <map>

#include <openssl/evp.h>

#include "rego/builtins/crypto_util.h"
#include "rego/builtins/http_request_operand.h"
#include "rego/builtins/registry.h"
#include "rego/builtins/strutil.h"
#include "rego/json.h"
#include "rego/number.h"

namespace rego {
namespace {

using crypto::fail;

std::string string_of(const Value* v) { return v && v->is_string() ? v->as_string() : std::string(); }

std::string set_text(std::vector<Value> items) { return text::term(Value::set(std::move(items))); }

// ---------------------------------------------------------------- just enough of Go's net/url

int hex_val(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// url.shouldEscape in encodePath mode.
bool path_should_escape(unsigned char c) {
  if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') return false;
  switch (c) {
    case '$':
    case '&':
    case '+':
    case ',':
    case '/':
    case ':':
    case ';':
    case '=':
    case '@':
      return false;
    default:
      return true;
  }
}

struct Url {
  std::string host, path, raw_query;
};

Url parse_url(const std::string& raw) {
  Url u;
  std::string rest = raw;
  if (size_t hash = rest.find('#'); hash != std::string::npos) rest.resize(hash);
  // scheme
  size_t i = 0;
  if (!rest.empty() && std::isalpha(static_cast<unsigned char>(rest[0]))) {
    while (i < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[i])) || rest[i] == '+' ||
                               rest[i] == '-' || rest[i] == '.'))
      ++i;
    if (i < rest.size() && rest[i] == ':') {
      rest = rest.substr(i + 1);
    }
  }
  if (size_t q = rest.find('?'); q != std::string::npos) {
    u.raw_query = rest.substr(q + 1);
    rest.resize(q);
  }
  if (rest.rfind("//", 0) == 0) {
    size_t slash = rest.find('/', 2);
    std::string authority = rest.substr(2, slash == std::string::npos ? std::string::npos : slash - 2);
    rest = slash == std::string::npos ? std::string() : rest.substr(slash);
    if (size_t at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
    u.host = authority;
  }
  // EscapedPath: the path as written when it is a valid encoding, else re-escaped.
  std::string unescaped;
  bool valid = true;
  for (size_t k = 0; k < rest.size(); ++k) {
    char c = rest[k];
    if (c == '%') {
      if (k + 2 >= rest.size() || hex_val(rest[k + 1]) < 0 || hex_val(rest[k + 2]) < 0) {
        fail("parse \"" + raw + "\": invalid URL escape \"" + rest.substr(k, 3) + "\"");
      }
      unescaped += char(hex_val(rest[k + 1]) << 4 | hex_val(rest[k + 2]));
      k += 2;
      continue;
    }
    if (path_should_escape(uint8_t(c)) && !std::strchr("!'()*[]", c)) valid = false;
    unescaped += c;
  }
  if (valid) {
    u.path = rest;
  } else {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (unsigned char c : unescaped) {
      if (path_should_escape(c)) {
        u.path += '%';
        u.path += kHex[c >> 4];
        u.path += kHex[c & 15];
      } else {
        u.path += char(c);
      }
    }
  }
  return u;
}

// ---------------------------------------------------------------- dates

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = unsigned(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = int64_t(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

// "20151228" and "20151228T140825Z" for a Unix time in nanoseconds (UTC).
std::pair<std::string, std::string> aws_dates(int64_t ns) {
  int64_t secs = ns / 1000000000;
  if (ns % 1000000000 < 0) --secs;
  int64_t days = secs / 86400, rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char date[32], stamp[48];
  std::snprintf(date, sizeof date, "%04lld%02u%02u", static_cast<long long>(y), m, d);
  std::snprintf(stamp, sizeof stamp, "%sT%02d%02d%02dZ", date, int(rem / 3600), int(rem / 60 % 60), int(rem % 60));
  return {date, stamp};
}

// ---------------------------------------------------------------- the built-in

std::optional<Value> aws_sign_req(BuiltinArgs a, BuiltinContext&) {
  const Value& req = a[0];
  if (!req.is_object()) args::type_error(0, "object", req);
  const Value& config = a[1];
  if (!config.is_object()) args::type_error(1, "object", config);

  static const char* const kRequired[] = {"aws_access_key", "aws_region", "aws_secret_access_key", "aws_service"};
  std::vector<Value> missing, invalid;
  for (const char* key : kRequired) {
    const Value* v = config.get(key);
    if (!v) {
      missing.push_back(str(key));
    } else if (!v->is_string()) {
      invalid.push_back(str(key));
    }
  }
  if (!missing.empty()) fail("operand 2 missing required AWS config parameters(s): " + set_text(std::move(missing)));
  if (!invalid.empty()) {
    fail("operand 2 invalid values for required AWS config parameters(s): " + set_text(std::move(invalid)));
  }
  std::string service = string_of(config.get("aws_service"));
  std::string access_key = string_of(config.get("aws_access_key"));
  std::string secret_key = string_of(config.get("aws_secret_access_key"));
  std::string region = string_of(config.get("aws_region"));
  std::string session_token = string_of(config.get("aws_session_token"));

  const Value& ts = a[2];
  if (!ts.is_number()) args::type_error(2, "number", ts);
  auto ns = number::is_integer(ts) ? number::to_int64(ts) : std::nullopt;
  if (!ns) fail("operand 3 could not convert time_ns value into a unix timestamp");

  if (std::string error = http_request_operand_error(req); !error.empty()) fail(error);
  Value headers = Value::empty_object();
  if (const Value* h = req.get("headers")) {
    if (!h->is_object()) args::type_error(0, "object", *h);
    headers = *h;
  }
  const Value* url_v = req.get("url");
  const Value* method_v = req.get("method");
  std::vector<Value> bad;
  if (!url_v->is_string()) bad.push_back(str("url"));
  if (!method_v->is_string()) bad.push_back(str("method"));
  if (!bad.empty()) fail("operand 1 invalid values for required request parameters(s): " + set_text(std::move(bad)));
  Url url = parse_url(url_v->as_string());
  const std::string& method = method_v->as_string();

  std::string body;
  if (const Value* raw = req.get("raw_body")) {
    body = string_of(raw);
  } else if (const Value* b = req.get("body")) {
    body = json::write(*b);
  }

  bool unsigned_payload = false;
  if (const Value* d = config.get("disable_payload_signing")) {
    if (!d->is_boolean()) fail("operand 2 invalid value for 'disable_payload_signing' in AWS config");
    unsigned_payload = d->as_bool();
  }

  // The request's headers, as Go's map[string][]string (non-string keys and values become "").
  std::map<std::string, std::string> req_headers;
  for (const auto& [k, v] : headers.as_object()) req_headers[string_of(&k)] = string_of(&v);

  // ---- SigV4
  std::string payload_hash =
      unsigned_payload ? "UNSIGNED-PAYLOAD" : crypto::hex_encode(crypto::digest(EVP_sha256(), body));
  auto [date, stamp] = aws_dates(*ns);
  std::map<std::string, std::string> aws_headers = {{"host", url.host}, {"x-amz-date", stamp}};
  if (service == "s3" || service == "glacier") aws_headers["x-amz-content-sha256"] = payload_hash;
  if (!session_token.empty()) aws_headers["x-amz-security-token"] = session_token;

  std::map<std::string, std::string> to_sign = aws_headers;
  for (const auto& [k, v] : req_headers) {
    std::string lower = k;
    for (auto& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "authorization" || lower == "user-agent" || lower == "x-amzn-trace-id") continue;
    to_sign[lower] = v;
  }
  std::string canonical = method + "\n" + url.path + "\n" + url.raw_query + "\n";
  std::string signed_headers;
  for (const auto& [k, v] : to_sign) {
    canonical += k + ":" + v + "\n";
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += k;
  }
  canonical += "\n" + signed_headers + "\n" + payload_hash;

  std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  std::string to_sign_text = "AWS4-HMAC-SHA256\n" + stamp + "\n" + scope + "\n" +
                             crypto::hex_encode(crypto::digest(EVP_sha256(), canonical));
  std::string key = crypto::hmac(EVP_sha256(), "AWS4" + secret_key, date);
  key = crypto::hmac(EVP_sha256(), key, region);
  key = crypto::hmac(EVP_sha256(), key, service);
  key = crypto::hmac(EVP_sha256(), key, "aws4_request");
  std::string signature = crypto::hex_encode(crypto::hmac(EVP_sha256(), key, to_sign_text));
  std::string auth = "AWS4-HMAC-SHA256 Credential=" + access_key + "/" + scope + ",SignedHeaders=" + signed_headers +
                     ",Signature=" + signature;

  std::map<std::string, std::string> out_headers = req_headers;
  out_headers["Authorization"] = auth;
  for (const auto& [k, v] : aws_headers) out_headers[k] = v;
  std::vector<ObjectEntry> hdr_entries;
  for (auto& [k, v] : out_headers) hdr_entries.emplace_back(Value::string(k), Value::string(v));

  std::vector<ObjectEntry> out;
  for (const auto& [k, v] : req.as_object()) {
    if (k.is_string() && k.as_string() == "headers") continue;
    out.emplace_back(k, v);
  }
  out.emplace_back(str("headers"), Value::object(std::move(hdr_entries)));
  return Value::object(std::move(out));
}

}  // namespace

void register_aws(Registry& r) { r.add("providers.aws.sign_req", 3, aws_sign_req); }

}  // namespace rego
