// The HTTP client behind http.send (see http_client.h). The only file that includes Beast/Asio.
//
// Each step (resolve, connect, TLS handshake, write, read) is started asynchronously and the private io_context
// is run until it completes or the request's deadline passes; on the deadline the live socket is closed and the
// request fails with a timeout. Errors are worded as Go's net/http reports them, because OPA passes those texts
// through to policies.
#include "rego/builtins/http_client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cstring>
#include <functional>
#include <optional>

#include "rego/builtins/gourl.h"
#include "rego/builtins/registry.h"

namespace rego::http {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using unix_socket = asio::local::stream_protocol;
using boost::system::error_code;

constexpr const char* kUserAgent = "Open Policy Agent/1.20.2 (trex)";

struct Timeout {};
// The calling query was cancelled or ran out of time (Cancellation::reason()).
struct Cancelled {
  const char* why;
};

// A failure inside one exchange, before it is wrapped as Go's *url.Error.
struct Failure {
  std::string message;
};

// Go's *url.Error operation name: the method with only its first letter upper-case ("Get", "Post").
std::string op_name(const std::string& method) {
  std::string op;
  for (size_t i = 0; i < method.size(); ++i)
    op += static_cast<char>(i == 0 ? std::toupper(static_cast<unsigned char>(method[i]))
                                   : std::tolower(static_cast<unsigned char>(method[i])));
  return op;
}

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// errno-style text as Go's syscall errors print ("connection refused").
std::string sys_text(const error_code& ec) {
  std::string m = ec.message();
  if (!m.empty()) m[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(m[0])));
  return m;
}

class Exchange {
 public:
  Exchange(std::optional<std::chrono::steady_clock::time_point> deadline, const Cancellation& cancel)
      : deadline_(deadline), cancel_(cancel) {
    // The query's deadline bounds the exchange as its own timeout does; which of them ran out is told apart
    // when the wait ends.
    if (cancel_.deadline != std::chrono::steady_clock::time_point{} && (!deadline_ || cancel_.deadline < *deadline_))
      deadline_ = cancel_.deadline;
  }

  asio::io_context ioc;
  std::function<void()> abort;  // cancels whatever is in flight (set by each step)

  // Starts an operation (start(done) must arrange for done(ec) to be called) and runs it to completion, the
  // deadline or the query's cancellation. Throws Timeout on the request's deadline, Cancelled on the query's.
  template <typename Start>
  error_code run(Start&& start) {
    bool finished = false;
    error_code result;
    start([&finished, &result](error_code ec) {
      result = ec;
      finished = true;
    });
    ioc.restart();
    for (;;) {
      // Slices of kCancelPoll only while there is a flag to look at.
      std::optional<std::chrono::steady_clock::time_point> until = deadline_;
      if (cancel_.flag) {
        auto poll = std::chrono::steady_clock::now() + kCancelPoll;
        if (!until || poll < *until) until = poll;
      }
      if (until) ioc.run_until(*until);
      else ioc.run();
      if (finished) return result;
      const bool out_of_time = deadline_ && std::chrono::steady_clock::now() >= *deadline_;
      // Stopped: no work left and yet not finished (not expected; reported as a timeout, as before).
      if (!out_of_time && !ioc.stopped() && !cancel_.reason()) continue;
      if (abort) abort();
      ioc.restart();
      ioc.run();  // lets the cancelled operation complete
      // Asked after the wait ended: a query deadline that ended it has passed by now.
      const char* why = cancel_.reason();
      if (why) throw Cancelled{why};
      throw Timeout{};
    }
  }

 private:
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  const Cancellation& cancel_;
};

std::string tls_verify_text(long verify, const std::string& name) {
  switch (verify) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return "tls: failed to verify certificate: x509: certificate signed by unknown authority";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "tls: failed to verify certificate: x509: certificate is not valid for " + name;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "tls: failed to verify certificate: x509: certificate has expired or is not yet valid";
    default:
      return std::string("tls: failed to verify certificate: x509: ") + X509_verify_cert_error_string(verify);
  }
}

std::string openssl_error_text() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

std::unique_ptr<ssl::context> make_tls_context(const TlsOptions& o) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);  // Go's client default
  error_code ec;
  if (o.insecure_skip_verify) {
    ctx->set_verify_mode(ssl::verify_none);
  } else {
    ctx->set_verify_mode(ssl::verify_peer);
    if (o.use_system_roots) ctx->set_default_verify_paths(ec);
    if (!o.ca_pem.empty()) {
      ctx->add_certificate_authority(asio::buffer(o.ca_pem), ec);
      if (ec) throw Failure{"tls: failed to parse CA certificates: " + sys_text(ec)};
    }
  }
  if (!o.client_cert_pem.empty() || !o.client_key_pem.empty()) {
    ctx->use_certificate_chain(asio::buffer(o.client_cert_pem), ec);
    if (ec) throw Failure{"tls: failed to find any PEM data in certificate input"};
    if (!o.client_key_passphrase.empty())
      ctx->set_password_callback([pass = o.client_key_passphrase](std::size_t, ssl::context::password_purpose) { return pass; });
    ctx->use_private_key(asio::buffer(o.client_key_pem), ssl::context::pem, ec);
    if (ec) throw Failure{"tls: failed to find any PEM data in key input"};
  }
  return ctx;
}

struct Target {
  gourl::URL url;
  bool https = false;
  std::string host;  // to dial
  std::string port;
};

template <typename Stream>
Response exchange_on(Exchange& ex, Stream& stream, const Request& req, const Target& t, const std::string& method,
                     const std::string& body, const std::string& host_header) {
  bhttp::request<bhttp::string_body> msg;
  msg.version(11);
  msg.method_string(method);
  msg.target(t.url.request_uri());
  msg.set(bhttp::field::host, host_header);
  bool has_ua = false;
  for (const auto& [k, v] : req.headers) {
    if (boost::beast::iequals(k, "user-agent")) has_ua = true;
    if (boost::beast::iequals(k, "host")) continue;
    msg.insert(k, v);
  }
  if (!has_ua) msg.set(bhttp::field::user_agent, kUserAgent);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    msg.body() = body;
    msg.content_length(body.size());
  }

  error_code ec = ex.run([&](auto done) { bhttp::async_write(stream, msg, [done](error_code e, size_t) { done(e); }); });
  if (ec && ec != asio::error::eof) throw Failure{"write: " + sys_text(ec)};

  boost::beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(req.max_body_bytes);
  parser.header_limit(1u << 20);
  if (method == "HEAD") parser.skip(true);
  ec = ex.run([&](auto done) { bhttp::async_read(stream, buffer, parser, [done](error_code e, size_t) { done(e); }); });
  if (ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof) throw Failure{"EOF"};
    if (ec == bhttp::error::partial_message) throw Failure{"unexpected EOF"};
    if (ec == bhttp::error::body_limit) throw Failure{"http: response body too large"};
    throw Failure{"read: " + ec.message()};
  }
  auto& res = parser.get();
  Response out;
  out.status_code = static_cast<int>(res.result_int());
  out.status = std::to_string(out.status_code);
  if (!res.reason().empty()) out.status += " " + std::string(res.reason());
  for (const auto& f : res.base()) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  out.body = std::move(res.body());
  return out;
}

Response one_exchange(Exchange& ex, const Request& req, const Target& t, const std::string& method,
                      const std::string& body, const std::string& host_header) {
  if (!req.unix_socket.empty()) {
    unix_socket::socket sock(ex.ioc);
    ex.abort = [&sock] {
      error_code ignored;
      sock.close(ignored);
    };
    error_code ec = ex.run([&](auto done) { sock.async_connect(unix_socket::endpoint(req.unix_socket), done); });
    if (ec) throw Failure{"dial unix " + req.unix_socket + ": connect: " + sys_text(ec)};
    return exchange_on(ex, sock, req, t, method, body, host_header);
  }

  tcp::resolver resolver(ex.ioc);
  tcp::resolver::results_type endpoints;
  ex.abort = [&resolver] { resolver.cancel(); };
  error_code ec = ex.run([&](auto done) {
    resolver.async_resolve(t.host, t.port, [&endpoints, done](error_code e, tcp::resolver::results_type r) {
      endpoints = std::move(r);
      done(e);
    });
  });
  if (ec) throw Failure{"dial tcp: lookup " + t.host + ": no such host"};

  std::unique_ptr<ssl::context> tls_ctx;
  if (t.https) tls_ctx = make_tls_context(req.tls);
  std::optional<ssl::stream<tcp::socket>> tls;
  std::optional<tcp::socket> plain;
  tcp::socket* sock;
  if (t.https) {
    tls.emplace(ex.ioc, *tls_ctx);
    sock = &tls->next_layer();
  } else {
    plain.emplace(ex.ioc);
    sock = &*plain;
  }
  ex.abort = [sock] {
    error_code ignored;
    sock->close(ignored);
  };
  tcp::endpoint connected;
  ec = ex.run([&](auto done) {
    asio::async_connect(*sock, endpoints, [&connected, done](error_code e, const tcp::endpoint& ep) {
      connected = ep;
      done(e);
    });
  });
  if (ec) {
    std::string addr = t.host + ":" + t.port;
    if (!endpoints.empty()) {
      auto ep = endpoints.begin()->endpoint();
      addr = (ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string()) + ":" +
             std::to_string(ep.port());
    }
    throw Failure{"dial tcp " + addr + ": connect: " + sys_text(ec)};
  }
  if (!t.https) return exchange_on(ex, *plain, req, t, method, body, host_header);

  // TLS: SNI and name verification against tls_server_name, else the Host header, else the URL's host.
  std::string name = !req.tls.server_name.empty() ? req.tls.server_name : t.url.hostname();
  SSL* handle = tls->native_handle();
  if (!is_ip_literal(name)) SSL_set_tlsext_host_name(handle, name.c_str());
  if (!req.tls.insecure_skip_verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(handle);
    if (is_ip_literal(name)) {
      X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
    }
  }
  ec = ex.run([&](auto done) { tls->async_handshake(ssl::stream_base::client, done); });
  if (ec) {
    long verify = SSL_get_verify_result(handle);
    if (verify != X509_V_OK) throw Failure{tls_verify_text(verify, name)};
    std::string detail = openssl_error_text();
    throw Failure{"tls: handshake failure" + (detail.empty() ? std::string() : ": " + detail)};
  }
  return exchange_on(ex, *tls, req, t, method, body, host_header);
}

Target target_of(const gourl::URL& u, const std::string& quoted_op, bool via_socket) {
  Target t;
  t.url = u;
  if (u.scheme != "http" && u.scheme != "https")
    throw HttpError(HttpError::Kind::Network, quoted_op + ": unsupported protocol scheme \"" + u.scheme + "\"");
  t.https = u.scheme == "https";
  t.host = u.hostname();
  if (t.host.empty() && !via_socket) throw HttpError(HttpError::Kind::Network, quoted_op + ": http: no Host in request URL");
  t.port = u.port().empty() ? (t.https ? "443" : "80") : u.port();
  return t;
}

// httpguts.ValidHeaderFieldName / ValidHeaderFieldValue, as Go's transport checks before sending.
bool valid_header_name(const std::string& n) {
  if (n.empty()) return false;
  for (unsigned char c : n)
    if (!(std::isalnum(c) || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr) || c == 0) return false;
  return true;
}

bool valid_header_value(const std::string& v) {
  for (unsigned char c : v)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  return true;
}

bool is_redirect(int code) { return code == 301 || code == 302 || code == 303 || code == 307 || code == 308; }

// Go drops these on a redirect to a different host (shouldCopyHeaderOnRedirect).
bool sensitive(const std::string& name) {
  return boost::beast::iequals(name, "authorization") || boost::beast::iequals(name, "www-authenticate") ||
         boost::beast::iequals(name, "cookie") || boost::beast::iequals(name, "cookie2");
}

}  // namespace

Response perform(const Request& req) {
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (req.timeout.count() > 0) deadline = std::chrono::steady_clock::now() + req.timeout;

  std::string method = req.method.empty() ? "GET" : req.method;
  std::string body = req.body;
  std::string host_header = req.host_header;
  auto headers = req.headers;
  std::string err;
  auto url = gourl::parse(req.url, &err);
  if (!url) throw HttpError(HttpError::Kind::Invalid, err);

  for (int redirects = 0;; ++redirects) {
    const std::string url_text = url->string();
    const std::string quoted_op = op_name(method) + " \"" + url_text + "\"";
    Target t = target_of(*url, quoted_op, !req.unix_socket.empty());
    for (const auto& [k, v] : headers) {
      if (!valid_header_name(k))
        throw HttpError(HttpError::Kind::Network, quoted_op + ": net/http: invalid header field name \"" + k + "\"");
      if (!valid_header_value(v))
        throw HttpError(HttpError::Kind::Network, quoted_op + ": net/http: invalid header field value for \"" + k + "\"");
    }
    Exchange ex(deadline, req.cancel);
    Request current = req;
    current.headers = headers;
    Response res;
    try {
      res = one_exchange(ex, current, t, method, body, host_header.empty() ? url->host : host_header);
    } catch (const Cancelled& c) {
      auto e = HttpError(HttpError::Kind::Cancelled, c.why);
      e.op = op_name(method);
      e.url = url_text;
      throw e;
    } catch (const Timeout&) {
      auto e = HttpError(HttpError::Kind::Timeout,
                         quoted_op + ": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
      e.op = op_name(method);
      e.url = url_text;
      throw e;
    } catch (const Failure& f) {
      auto e = HttpError(HttpError::Kind::Network, quoted_op + ": " + f.message);
      e.op = op_name(method);
      e.url = url_text;
      throw e;
    } catch (const boost::system::system_error& f) {
      throw HttpError(HttpError::Kind::Network, quoted_op + ": " + f.code().message());
    }
    if (!req.follow_redirects || !is_redirect(res.status_code)) return res;
    std::string location;
    for (const auto& [k, v] : res.headers)
      if (boost::beast::iequals(k, "location")) location = v;
    if (location.empty()) return res;  // Go returns a redirect without Location as is
    auto ref = gourl::parse(location, &err);
    if (!ref) throw HttpError(HttpError::Kind::Network, quoted_op + ": failed to parse Location header \"" + location + "\": " + err);
    gourl::URL next = gourl::resolve_reference(*url, *ref);
    if (std::string_view host = allow_net_host(next.host); !net_host_allowed(req.allowed_hosts, host)) {
      auto e = HttpError(HttpError::Kind::Network,
                         op_name(method) + " \"" + next.string() + "\": unallowed host: " + std::string(host));
      e.op = op_name(method);
      e.url = next.string();
      throw e;
    }
    if (redirects + 1 > req.max_redirects) {
      throw HttpError(HttpError::Kind::Network, op_name(method) + " \"" + next.string() + "\": stopped after " +
                                                    std::to_string(req.max_redirects) + " redirects");
    }
    if (res.status_code == 301 || res.status_code == 302 || res.status_code == 303) {
      if (method != "GET" && method != "HEAD") method = "GET";
      body.clear();
    }
    if (next.hostname() != url->hostname()) {
      std::vector<std::pair<std::string, std::string>> kept;
      for (auto& h : headers)
        if (!sensitive(h.first)) kept.push_back(std::move(h));
      headers = std::move(kept);
    }
    if (!ref->host.empty()) host_header.clear();  // a custom Host survives only relative redirects
    url = std::move(next);
  }
}

}  // namespace rego::http
