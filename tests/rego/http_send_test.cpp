// http.send against a small HTTP/1.1 server this test runs on 127.0.0.1 (plain POSIX sockets, one thread per
// connection). No other network is used.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rego/builtins/registry.h"
#include "rego/engine.h"
#include "rego/json.h"

namespace rego {
namespace {

}  // namespace

// Readable gtest output for Values.
[[maybe_unused]] static void PrintTo(const Value& v, std::ostream* os) { *os << json::write(v); }

namespace {

Value J(std::string_view text) {
  auto r = json::parse(text);
  EXPECT_TRUE(r.ok) << text << ": " << r.error;
  return r.value;
}

// A self-signed certificate for 127.0.0.1 / localhost, made at run time, as PEM and as an OpenSSL server context.
struct Identity {
  std::string cert_pem, key_pem;
  X509* cert = nullptr;
  EVP_PKEY* key = nullptr;
  Identity(const Identity&) = delete;
  Identity& operator=(const Identity&) = delete;
  explicit Identity(const char* cn) {
    key = EVP_EC_gen("P-256");
    cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    X509_sign(cert, key, EVP_sha256());
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, cert);
    cert_pem = drain(b);
    PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
    key_pem = drain(b);
    BIO_free(b);
  }
  ~Identity() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  static std::string drain(BIO* b) {
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    std::string s(data, static_cast<size_t>(n));
    (void)BIO_reset(b);
    return s;
  }
};

// One accepted connection, plain or TLS.
struct Conn {
  int fd = -1;
  SSL* ssl = nullptr;
  ssize_t read(char* buf, size_t n) { return ssl ? SSL_read(ssl, buf, static_cast<int>(n)) : ::recv(fd, buf, n, 0); }
  bool write(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ssl ? SSL_write(ssl, s.data() + off, static_cast<int>(s.size() - off))
                      : ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
};

struct ServerOptions {
  std::string unix_path;            // listen on a unix socket instead of TCP
  const Identity* tls = nullptr;    // serve HTTPS with this certificate
  const Identity* client_ca = nullptr;  // require a client certificate issued by (= equal to) this one
};

struct HttpRequest {
  std::string method, target, body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// A tiny HTTP/1.1 server. Routes by path; answers one request per connection and closes it.
class TestServer {
 public:
  // `unix_path` non-empty: listen on a unix socket instead of TCP.
  explicit TestServer(ServerOptions opts = {}) : unix_path_(opts.unix_path) {
    if (opts.tls) {
      tls_ = SSL_CTX_new(TLS_server_method());
      SSL_CTX_use_certificate(tls_, opts.tls->cert);
      SSL_CTX_use_PrivateKey(tls_, opts.tls->key);
      if (opts.client_ca) {
        SSL_CTX_set_verify(tls_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
        X509_STORE_add_cert(SSL_CTX_get_cert_store(tls_), opts.client_ca->cert);
      }
    }
    if (unix_path_.empty()) {
      fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
      int one = 1;
      ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = 0;
      if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("bind");
      socklen_t len = sizeof addr;
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
      port_ = ntohs(addr.sin_port);
    } else {
      ::unlink(unix_path_.c_str());
      fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      std::strncpy(addr.sun_path, unix_path_.c_str(), sizeof addr.sun_path - 1);
      if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("bind unix");
    }
    ::listen(fd_, 64);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~TestServer() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    acceptor_.join();
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& t : workers_) t.join();
    if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
    if (tls_) SSL_CTX_free(tls_);
  }

  std::string base() const { return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  int hits(const std::string& path) {
    std::lock_guard<std::mutex> lock(mu_);
    return hits_[path];
  }
  HttpRequest last() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_;
  }

 private:
  void accept_loop() {
    while (!stopping_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) {
        if (stopping_) return;
        continue;
      }
      std::lock_guard<std::mutex> lock(mu_);
      workers_.emplace_back([this, c] { serve(c); });
    }
  }

  static bool read_request(Conn& c, HttpRequest& req) {
    std::string buf;
    char tmp[4096];
    size_t header_end;
    while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = c.read(tmp, sizeof tmp);
      if (n <= 0) return false;
      buf.append(tmp, static_cast<size_t>(n));
    }
    std::string head = buf.substr(0, header_end);
    std::string rest = buf.substr(header_end + 4);
    size_t line_end = head.find("\r\n");
    std::string request_line = head.substr(0, line_end);
    size_t sp1 = request_line.find(' '), sp2 = request_line.rfind(' ');
    req.method = request_line.substr(0, sp1);
    req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t content_length = 0;
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      std::string line = head.substr(pos, e - pos);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon), value = line.substr(colon + 1);
      while (!value.empty() && value[0] == ' ') value.erase(0, 1);
      req.headers.emplace_back(name, value);
      std::string lower = name;
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (lower == "content-length") content_length = std::stoul(value);
      pos = e + 2;
    }
    while (rest.size() < content_length) {
      ssize_t n = c.read(tmp, sizeof tmp);
      if (n <= 0) return false;
      rest.append(tmp, static_cast<size_t>(n));
    }
    req.body = rest.substr(0, content_length);
    return true;
  }

  static std::string response(int code, const std::string& reason, const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
    std::string r = "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\n";
    for (const auto& [k, v] : headers) r += k + ": " + v + "\r\n";
    r += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    return r;
  }

  static std::string http_date(std::time_t t) {
    char buf[64];
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
  }

  void serve(int fd) {
    Conn c{fd, nullptr};
    if (tls_) {
      c.ssl = SSL_new(tls_);
      SSL_set_fd(c.ssl, fd);
      if (SSL_accept(c.ssl) <= 0) {
        ERR_clear_error();
        SSL_free(c.ssl);
        ::close(fd);
        return;
      }
    }
    HttpRequest req;
    if (!read_request(c, req)) {
      if (c.ssl) SSL_free(c.ssl);
      ::close(fd);
      return;
    }
    if (c.ssl) {
      X509* peer = SSL_get1_peer_certificate(c.ssl);
      if (peer) req.headers.emplace_back("X-Trex-Client-Cert", "present");
      X509_free(peer);
    }
    std::string path = req.target.substr(0, req.target.find('?'));
    int count;
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_ = req;
      count = ++hits_[path];
    }
    std::string out;
    if (path == "/echo") {
      std::vector<ObjectEntry> h;
      for (const auto& [k, v] : req.headers) h.emplace_back(str(k), str(v));
      Value body = Value::object({{str("method"), str(req.method)},
                                  {str("target"), str(req.target)},
                                  {str("body"), str(req.body)},
                                  {str("headers"), Value::object(std::move(h))}});
      out = response(200, "OK", json::write(body), {{"Content-Type", "application/json; charset=utf-8"}});
    } else if (path == "/text") {
      out = response(200, "OK", "hello", {{"Content-Type", "text/plain"}, {"X-Multi", "a"}, {"X-Multi", "b"}});
    } else if (path == "/yaml") {
      out = response(200, "OK", "a: 1\nb: [x, y]\n", {{"Content-Type", "application/yaml"}});  // y: YAML 1.1 true
    } else if (path == "/badjson") {
      out = response(200, "OK", "{not json", {{"Content-Type", "application/json"}});
    } else if (path == "/problem") {
      out = response(400, "Bad Request", R"({"title": "bad"})", {{"Content-Type", "application/problem+json"}});
    } else if (path == "/notfound") {
      out = response(404, "Not Found", "", {});
    } else if (path == "/redirect") {
      out = response(302, "Found", "", {{"Location", "/echo?from=redirect"}});
    } else if (path == "/loop") {
      out = response(302, "Found", "", {{"Location", "/loop"}});
    } else if (path == "/slow") {
      for (int i = 0; i < 40 && !stopping_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      out = response(200, "OK", "late", {});
    } else if (path == "/cached") {
      out = response(200, "OK", "{\"n\": " + std::to_string(count) + "}",
                     {{"Content-Type", "application/json"},
                      {"Cache-Control", "max-age=600"},
                      {"Date", http_date(std::time(nullptr))}});
    } else if (path == "/counter") {
      out = response(200, "OK", "{\"n\": " + std::to_string(count) + "}", {{"Content-Type", "application/json"}});
    } else if (path == "/eof") {
      out = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close";  // body delimited by EOF
    } else {
      out = response(500, "Internal Server Error", "no route", {});
    }
    c.write(out);
    if (c.ssl) {
      SSL_shutdown(c.ssl);
      SSL_free(c.ssl);
    }
    ::shutdown(fd, SHUT_WR);
    char drain[256];
    while (::recv(fd, drain, sizeof drain, 0) > 0) {
    }
    ::close(fd);
  }

  std::string unix_path_;
  SSL_CTX* tls_ = nullptr;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
  std::map<std::string, int> hits_;
  HttpRequest last_;
};

// Calls http.send directly with a fresh context.
Value send(const Value& request) {
  const Builtin* b = builtins().find("http.send");
  EXPECT_NE(b, nullptr);
  BuiltinContext ctx;
  Value arg = request;
  std::optional<Value> r;
  try {
    r = b->fn(BuiltinArgs(&arg, 1), ctx);
  } catch (const BuiltinError& e) {
    ADD_FAILURE() << "http.send failed: " << e.message;
    return Value::null();
  }
  EXPECT_TRUE(r.has_value());
  return r ? *r : Value::null();
}

std::pair<std::string, bool> send_error(const Value& request) {
  const Builtin* b = builtins().find("http.send");
  BuiltinContext ctx;
  Value arg = request;
  try {
    b->fn(BuiltinArgs(&arg, 1), ctx);
  } catch (const BuiltinError& e) {
    return {e.message, e.type_error};
  }
  ADD_FAILURE() << "http.send did not fail for " << json::write(request);
  return {"", false};
}

Value req(const std::string& method, const std::string& url, std::vector<ObjectEntry> extra = {}) {
  extra.emplace_back(str("method"), str(method));
  extra.emplace_back(str("url"), str(url));
  return Value::object(std::move(extra));
}

TEST(HttpSend, RegisteredNonDeterministic) {
  const Builtin* b = builtins().find("http.send");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->arity, 1);
  EXPECT_TRUE(b->nondeterministic);
}

TEST(HttpSend, ValidationErrorsAreOpas) {
  auto [msg, type] = send_error(J(R"({"method": "get"})"));
  EXPECT_EQ(msg, R"(operand 1 missing required request parameters(s): {"url"})");
  EXPECT_TRUE(type);
  std::tie(msg, type) = send_error(J(R"({})"));
  EXPECT_EQ(msg, R"(operand 1 missing required request parameters(s): {"method", "url"})");
  std::tie(msg, type) = send_error(J(R"({"method": "get", "url": "http://x", "foo": 1, "bar": 2})"));
  EXPECT_EQ(msg, R"(operand 1 invalid request parameters(s): {"bar", "foo"})");
  EXPECT_TRUE(type);
  std::tie(msg, type) = send_error(J("[]"));
  EXPECT_EQ(msg, "operand 1 must be object but got array");
  std::tie(msg, type) = send_error(J(R"({"method": "get", "url": "http://x", "raise_error": "no"})"));
  EXPECT_EQ(msg, "invalid value for raise_error field");
  EXPECT_FALSE(type);
  std::tie(msg, type) = send_error(J(R"({"method": "get", "url": 5})"));
  EXPECT_EQ(msg, R"("url" must be a string)");
  std::tie(msg, type) = send_error(J(R"({"method": "get", "url": "http://127.0.0.1:1", "timeout": "5 parsecs"})"));
  EXPECT_EQ(msg, R"(invalid timeout value "5 parsecs": time: unknown unit " parsecs" in duration "5 parsecs")");
  std::tie(msg, type) = send_error(J(R"({"method": "get", "url": "http://127.0.0.1:1", "headers": {"a": 1}})"));
  EXPECT_EQ(msg, R"(invalid type for headers value "1")");
  // raise_error: false turns them into a result.
  Value r = send(J(R"({"url": "http://x", "raise_error": false})"));
  EXPECT_EQ(*r.get("status_code"), Value::integer(0));
  EXPECT_EQ(*r.get("error")->get("code"), str("eval_http_send_internal_error"));
  EXPECT_EQ(*r.get("error")->get("message"),
            str(R"(eval_type_error: http.send: operand 1 missing required request parameters(s): {"method"})"));
}

TEST(HttpSend, GetJsonAndResponseShape) {
  TestServer server;
  Value r = send(req("get", server.base() + "/echo?q=1", {{str("headers"), J(R"({"x-custom-header": "v1"})")}}));
  EXPECT_EQ(*r.get("status_code"), Value::integer(200));
  EXPECT_EQ(*r.get("status"), str("200 OK"));
  const Value* body = r.get("body");
  ASSERT_TRUE(body && body->is_object()) << json::write(r);
  EXPECT_EQ(*body->get("method"), str("GET"));
  EXPECT_EQ(*body->get("target"), str("/echo?q=1"));
  // Header names are canonicalised on the way out, lower-cased (with array values) on the way back.
  EXPECT_EQ(*body->get("headers")->get("X-Custom-Header"), str("v1"));
  EXPECT_TRUE(body->get("headers")->get("User-Agent"));
  EXPECT_EQ(*body->get("headers")->get("Host"), str(server.base().substr(7)));
  EXPECT_EQ(*r.get("headers")->get("content-type"), J(R"(["application/json; charset=utf-8"])"));
  EXPECT_TRUE(r.get("raw_body")->is_string());
  EXPECT_EQ(r.as_object().size(), 5u);
}

TEST(HttpSend, BodiesAndMethods) {
  TestServer server;
  Value r = send(req("POST", server.base() + "/echo", {{str("body"), J(R"({"b": [1, "<x>"], "a": true})")}}));
  EXPECT_EQ(*r.get("body")->get("method"), str("POST"));
  EXPECT_EQ(*r.get("body")->get("body"), str(R"({"a":true,"b":[1,"\u003cx\u003e"]})"));
  EXPECT_EQ(*r.get("body")->get("headers")->get("Content-Length"), str("34"));
  r = send(req("put", server.base() + "/echo", {{str("raw_body"), str("raw text")}, {str("body"), J("{}")}}));
  EXPECT_EQ(*r.get("body")->get("method"), str("PUT"));
  EXPECT_EQ(*r.get("body")->get("body"), str("raw text"));
  r = send(req("POST", server.base() + "/echo"));
  EXPECT_EQ(*r.get("body")->get("headers")->get("Content-Length"), str("0"));
  r = send(req("GET", server.base() + "/echo"));
  EXPECT_EQ(r.get("body")->get("headers")->get("Content-Length"), nullptr);
  r = send(req("HEAD", server.base() + "/text"));
  EXPECT_EQ(*r.get("status_code"), Value::integer(200));
  EXPECT_EQ(*r.get("raw_body"), str(""));
}

TEST(HttpSend, DecodingRules) {
  TestServer server;
  Value r = send(req("GET", server.base() + "/text"));
  EXPECT_EQ(*r.get("body"), Value::null());
  EXPECT_EQ(*r.get("raw_body"), str("hello"));
  EXPECT_EQ(*r.get("headers")->get("x-multi"), J(R"(["a", "b"])"));
  r = send(req("GET", server.base() + "/yaml"));
  EXPECT_EQ(json::write(*r.get("body")), R"({"a":1,"b":["x",true]})");  // go-yaml v2, as OPA
  r = send(req("GET", server.base() + "/badjson"));
  EXPECT_EQ(*r.get("body"), Value::null());
  EXPECT_EQ(*r.get("raw_body"), str("{not json"));
  r = send(req("GET", server.base() + "/problem"));
  EXPECT_EQ(*r.get("status_code"), Value::integer(400));
  EXPECT_EQ(*r.get("status"), str("400 Bad Request"));
  EXPECT_EQ(*r.get("body"), J(R"({"title": "bad"})"));
  r = send(req("GET", server.base() + "/text", {{str("force_json_decode"), Value::true_value()}}));
  EXPECT_EQ(*r.get("body"), Value::null());  // "hello" is not JSON
  r = send(req("GET", server.base() + "/text", {{str("force_yaml_decode"), Value::true_value()}}));
  EXPECT_EQ(*r.get("body"), str("hello"));
  r = send(req("GET", server.base() + "/eof"));
  EXPECT_EQ(*r.get("raw_body"), str("until close"));
  r = send(req("GET", server.base() + "/notfound"));
  EXPECT_EQ(*r.get("status_code"), Value::integer(404));
}

TEST(HttpSend, Redirects) {
  TestServer server;
  Value r = send(req("GET", server.base() + "/redirect"));
  EXPECT_EQ(*r.get("status_code"), Value::integer(302));  // not followed by default
  EXPECT_EQ(*r.get("headers")->get("location"), J(R"(["/echo?from=redirect"])"));
  r = send(req("POST", server.base() + "/redirect", {{str("enable_redirect"), Value::true_value()}, {str("body"), J("1")}}));
  EXPECT_EQ(*r.get("status_code"), Value::integer(200));
  EXPECT_EQ(*r.get("body")->get("target"), str("/echo?from=redirect"));
  EXPECT_EQ(*r.get("body")->get("method"), str("GET"));  // 302 turns POST into GET
  auto [msg, type] = send_error(req("GET", server.base() + "/loop", {{str("enable_redirect"), Value::true_value()}}));
  EXPECT_EQ(msg, "Get \"" + server.base() + "/loop\": stopped after 10 redirects");
}

// A loopback port nothing listens on: bound, read, closed.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(HttpSend, NetworkErrors) {
  int port = closed_port();
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/x";

  auto [msg, type] = send_error(req("GET", url));
  EXPECT_EQ(msg, "Get \"" + url + "\": dial tcp 127.0.0.1:" + std::to_string(port) + ": connect: connection refused");
  EXPECT_FALSE(type);
  Value r = send(req("GET", url, {{str("raise_error"), Value::false_value()}}));
  EXPECT_EQ(*r.get("status_code"), Value::integer(0));
  EXPECT_EQ(*r.get("error")->get("code"), str("eval_http_send_network_error"));
  EXPECT_EQ(*r.get("error")->get("message"), str(msg));
  EXPECT_EQ(r.as_object().size(), 2u);

  std::tie(msg, type) = send_error(req("GET", "ftp://127.0.0.1/x"));
  EXPECT_EQ(msg, "Get \"ftp://127.0.0.1/x\": unsupported protocol scheme \"ftp\"");

  // Retries still fail, after backing off.
  auto start = std::chrono::steady_clock::now();
  std::tie(msg, type) = send_error(req("GET", url, {{str("max_retry_attempts"), Value::integer(2)}}));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250));
}

TEST(HttpSend, Timeout) {
  TestServer server;
  auto start = std::chrono::steady_clock::now();
  auto [msg, type] = send_error(req("GET", server.base() + "/slow", {{str("timeout"), str("200ms")}}));
  EXPECT_EQ(msg, "Get " + server.base() + "/slow: request timed out");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
  Value r = send(req("GET", server.base() + "/slow",
                     {{str("timeout"), Value::integer(100'000'000)}, {str("raise_error"), Value::false_value()}}));
  EXPECT_EQ(*r.get("error")->get("code"), str("eval_http_send_network_error"));
  EXPECT_EQ(*r.get("error")->get("message"),
            str("Get \"" + server.base() + "/slow\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"));
}

// A query's time limit and cancellation reach into http.send: waiting on a slow host (the test server's /slow
// answers after 2 s; http.send's own timeout is 5 s) or backing off between retries, the query still ends when
// it must, with eval_cancel_error, raise_error or not.
TEST(HttpSend, EndsWithItsQuery) {
  TestServer server;
  const std::string refused = "http://127.0.0.1:" + std::to_string(closed_port()) + "/x";
  auto policy = compile({{"t.rego", "package t\n"
                                    "slow := http.send({\"method\": \"get\", \"url\": \"" + server.base() + "/slow\"})\n"
                                    "quiet := http.send({\"method\": \"get\", \"url\": \"" + server.base() +
                                        "/slow\", \"raise_error\": false})\n"
                                    "retried := http.send({\"method\": \"get\", \"url\": \"" + refused +
                                        "\", \"max_retry_attempts\": 10})\n"}});
  ASSERT_TRUE(policy.policy) << policy.errors[0].message;
  // Evaluates `query` under `opts`; the error it ends with and how long it took.
  auto run = [&](const std::string& query, const QueryOptions& opts) {
    auto start = std::chrono::steady_clock::now();
    auto res = evaluate(*policy.policy, Value::empty_object(), query, opts);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_FALSE(res.ok()) << query << " gave a result";
    return std::make_pair(res.errors.empty() ? Error{} : res.errors[0], took);
  };
  for (const char* query : {"data.t.slow", "data.t.quiet", "data.t.retried"}) {
    QueryOptions timed;
    timed.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    auto [error, took] = run(query, timed);
    EXPECT_EQ(error.code, "eval_cancel_error") << query;
    EXPECT_EQ(error.message, "query timed out: the evaluation time limit was reached") << query;
    EXPECT_GE(took, std::chrono::milliseconds(300)) << query;
    EXPECT_LT(took, std::chrono::milliseconds(1500)) << query;

    std::atomic<bool> stop{false};
    QueryOptions cancellable;
    cancellable.cancel = &stop;
    std::thread canceller([&stop] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      stop = true;
    });
    std::tie(error, took) = run(query, cancellable);
    canceller.join();
    EXPECT_EQ(error.code, "eval_cancel_error") << query;
    EXPECT_EQ(error.message, "caller cancelled query execution") << query;
    EXPECT_LT(took, std::chrono::milliseconds(1500)) << query;
  }
}

// A server evaluates the policies that call the network off its event loops (rego::calls_network).
TEST(HttpSend, PoliciesCallingTheNetworkAreKnown) {
  auto calls = [](const std::string& body) {
    auto c = compile({{"p.rego", "package p\n" + body}});
    EXPECT_TRUE(c.policy) << body;
    return c.policy && calls_network(*c.policy);
  };
  EXPECT_TRUE(calls("r := http.send({\"method\": \"get\", \"url\": input.url})\n"));
  EXPECT_TRUE(calls("f(h) := net.lookup_ip_addr(h)\n"));
  EXPECT_FALSE(calls("r := json.marshal(input)\nu := urlquery.encode(input.x)\n"));
  EXPECT_FALSE(calls("http := {\"send\": 1}\nr := http.send\n"));  // a rule named http, no call
}

TEST(HttpSend, Https) {
  Identity server_id("trex test server");
  TestServer server({"", &server_id, nullptr});
  const std::string url = server.base() + "/echo";
  // An unknown authority fails verification.
  auto [msg, type] = send_error(req("GET", url));
  EXPECT_EQ(msg, "Get \"" + url + "\": tls: failed to verify certificate: x509: certificate signed by unknown authority");
  Value r = send(req("GET", url, {{str("raise_error"), Value::false_value()}}));
  EXPECT_EQ(*r.get("error")->get("code"), str("eval_http_send_network_error"));
  // Trusting it (PEM in the request, with OPA's "\\n" unescaping) succeeds.
  std::string escaped;
  for (char c : server_id.cert_pem) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  r = send(req("GET", url, {{str("tls_ca_cert"), str(escaped)}}));
  EXPECT_EQ(*r.get("status_code"), Value::integer(200));
  EXPECT_EQ(*r.get("body")->get("method"), str("GET"));
  // So does skipping verification.
  r = send(req("GET", url, {{str("tls_insecure_skip_verify"), Value::true_value()}}));
  EXPECT_EQ(*r.get("status_code"), Value::integer(200));
  // The certificate must match the server name.
  std::tie(msg, type) = send_error(req("GET", url, {{str("tls_ca_cert"), str(server_id.cert_pem)},
                                                    {str("tls_server_name"), str("other.example")}}));
  EXPECT_EQ(msg, "Get \"" + url + "\": tls: failed to verify certificate: x509: certificate is not valid for other.example");
}

TEST(HttpSend, HttpsClientCertificates) {
  Identity server_id("trex test server"), client_id("trex test client");
  TestServer server({"", &server_id, &client_id});
  const std::string url = server.base() + "/echo";
  Value r = send(req("GET", url, {{str("tls_ca_cert"), str(server_id.cert_pem)},
                                  {str("tls_client_cert"), str(client_id.cert_pem)},
                                  {str("tls_client_key"), str(client_id.key_pem)}}));
  ASSERT_EQ(*r.get("status_code"), Value::integer(200)) << json::write(r);
  EXPECT_EQ(*r.get("body")->get("headers")->get("X-Trex-Client-Cert"), str("present"));
  // Without the client certificate the server refuses the handshake.
  r = send(req("GET", url, {{str("tls_ca_cert"), str(server_id.cert_pem)}, {str("raise_error"), Value::false_value()},
                            {str("timeout"), str("2s")}}));
  EXPECT_EQ(*r.get("status_code"), Value::integer(0)) << json::write(r);
  EXPECT_EQ(*r.get("error")->get("code"), str("eval_http_send_network_error"));
}

TEST(HttpSend, InterQueryCache) {
  TestServer server;
  Value request = req("GET", server.base() + "/cached", {{str("cache"), Value::true_value()}});
  Value first = send(request);
  Value second = send(request);
  EXPECT_EQ(*first.get("body"), J(R"({"n": 1})"));
  EXPECT_EQ(first, second);
  EXPECT_EQ(server.hits("/cached"), 1);
  // Without "cache", every call goes to the server.
  send(req("GET", server.base() + "/counter"));
  send(req("GET", server.base() + "/counter"));
  EXPECT_EQ(server.hits("/counter"), 2);
  // force_cache caches even without cache headers.
  Value forced = req("GET", server.base() + "/counter",
                     {{str("force_cache"), Value::true_value()}, {str("force_cache_duration_seconds"), Value::integer(60)}});
  Value a = send(forced), b = send(forced);
  EXPECT_EQ(a, b);
  EXPECT_EQ(server.hits("/counter"), 3);
  auto [msg, type] = send_error(req("GET", server.base() + "/counter", {{str("force_cache"), Value::true_value()}}));
  EXPECT_EQ(msg, "'force_cache' set but 'force_cache_duration_seconds' parameter is missing");
}

TEST(HttpSend, UnixSocket) {
  std::string path = "/tmp/trex-http-send-test-" + std::to_string(::getpid()) + ".sock";
  TestServer server({path, nullptr, nullptr});
  Value r = send(req("GET", "unix://localhost/echo?socket=" + path + "&a=1"));
  EXPECT_EQ(*r.get("status_code"), Value::integer(200));
  EXPECT_EQ(*r.get("body")->get("target"), str("/echo?a=1"));
}

TEST(HttpSend, FromRegoIsMemoisedPerQuery) {
  TestServer server;
  std::string policy = "package t\n"
                       "r1 := http.send({\"method\": \"get\", \"url\": \"" + server.base() + "/counter\"})\n"
                       "r2 := http.send({\"method\": \"get\", \"url\": \"" + server.base() + "/counter\"})\n"
                       "same if r1 == r2\n";
  auto c = compile({{"t.rego", policy}});
  ASSERT_TRUE(c.policy) << (c.errors.empty() ? "" : c.errors[0].message);
  auto res = evaluate(*c.policy, Value::empty_object(), "data.t.same");
  ASSERT_TRUE(res.ok()) << res.errors[0].message;
  ASSERT_EQ(res.rows.size(), 1u);
  EXPECT_EQ(res.rows[0].expressions[0].value, Value::true_value());
  EXPECT_EQ(server.hits("/counter"), 1);
  // The compliance case: a missing url is an eval_type_error.
  auto c2 = compile({{"u.rego", "package u\np := x if { http.send({\"method\": \"get\"}, x) }\n"}});
  ASSERT_TRUE(c2.policy);
  QueryOptions strict;
  strict.strict_builtin_errors = true;
  auto res2 = evaluate(*c2.policy, Value::empty_object(), "data.u.p", strict);
  ASSERT_FALSE(res2.ok());
  EXPECT_EQ(res2.errors[0].message,
            R"(http.send: operand 1 missing required request parameters(s): {"url"})");
}

// OPA's capabilities.allow_net, given as QueryOptions::allow_net: absent = any host, a list = those hosts only
// (http.send by the URL's host, net.lookup_ip_addr by its name), and nothing is sent to another host.
TEST(HttpSend, AllowNetLimitsHosts) {
  TestServer server;
  std::string policy = "package t\n"
                       "body := http.send({\"method\": \"get\", \"url\": \"" + server.base() + "/counter\"}).body\n"
                       "soft := http.send({\"method\": \"get\", \"url\": \"" + server.base() +
                       "/counter\", \"raise_error\": false})\n"
                       "ips := net.lookup_ip_addr(\"127.0.0.1\")\n";
  auto c = compile({{"t.rego", policy}});
  ASSERT_TRUE(c.policy) << (c.errors.empty() ? "" : c.errors[0].message);
  QueryOptions none;
  none.strict_builtin_errors = true;
  none.allow_net = std::make_shared<const std::vector<std::string>>();
  auto denied = evaluate(*c.policy, Value::empty_object(), "data.t.body", none);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.errors[0].code, "eval_builtin_error");
  EXPECT_EQ(denied.errors[0].message, "http.send: unallowed host: 127.0.0.1");
  auto soft = evaluate(*c.policy, Value::empty_object(), "data.t.soft", none);
  ASSERT_TRUE(soft.ok());
  EXPECT_EQ(soft.rows[0].expressions[0].value,
            J(R"({"status_code": 0, "error": {"code": "eval_http_send_internal_error",
                  "message": "eval_builtin_error: http.send: unallowed host: 127.0.0.1"}})"));
  auto lookup = evaluate(*c.policy, Value::empty_object(), "data.t.ips", none);
  ASSERT_FALSE(lookup.ok());
  EXPECT_EQ(lookup.errors[0].message, "net.lookup_ip_addr: unallowed host: 127.0.0.1");
  EXPECT_EQ(server.hits("/counter"), 0);
  // Without strict errors a denied call is undefined, as any failing built-in.
  QueryOptions lenient;
  lenient.allow_net = none.allow_net;
  auto undefined = evaluate(*c.policy, Value::empty_object(), "data.t.body", lenient);
  EXPECT_TRUE(undefined.ok() && undefined.rows.empty());

  QueryOptions listed = none;
  listed.allow_net = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"127.0.0.1"});
  auto allowed = evaluate(*c.policy, Value::empty_object(), "data.t.body", listed);
  ASSERT_TRUE(allowed.ok()) << allowed.errors[0].message;
  EXPECT_EQ(server.hits("/counter"), 1);
  EXPECT_TRUE(evaluate(*c.policy, Value::empty_object(), "data.t.ips", listed).ok());
}

}  // namespace
}  // namespace rego
